"""Admin faults: goaway, stall, drop, malformed, http, latency, reset-after-accept, tokens,
restart."""

from __future__ import annotations

import json
import time
from itertools import pairwise

import httpx
import pytest
from sim_helpers import MARGIN, StreamReader, order_body

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer


def test_goaway_ends_the_stream(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/positions") as response:
        reader = StreamReader(response)
        reader.snapshot()
        control.goaway("positions")
        assert reader.next() == {"StreamStatus": "GoAway"}
        with pytest.raises(AssertionError, match="stream ended"):
            reader.next()


def test_stall_sends_nothing(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", "/v3/marketdata/stream/quotes/MSFT") as response:
        reader = StreamReader(response)
        reader.next()  # the first quote
        reader.until(lambda f: "Heartbeat" in f)
        # Heartbeats come every 0.2 s. Frames sent before the stall may still be read after
        # the control call returns (late under load), so the silence is the longest gap
        # between frames read until the stall is over, not the time to the next frame.
        started = time.monotonic()
        control.stall("quotes", 3.0)
        arrivals = [time.monotonic()]
        while arrivals[-1] - started < 3.0:
            reader.next()
            arrivals.append(time.monotonic())
        silence = max(b - a for a, b in pairwise(arrivals))
        assert silence >= 2.5, arrivals  # nothing, not even heartbeats; then frames again


def test_drop_skips_frames(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        reader.snapshot()
        control.drop("orders", 2)
        order_id = api.post("/v3/orderexecution/orders", json=order_body()).json()["Orders"][0][
            "OrderID"
        ]
        frame = reader.until(lambda f: f.get("OrderID") == order_id)
        assert frame["Status"] == "FLL"  # ACK and OPN were dropped


def test_malformed_lines(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        reader.snapshot()
        control.malformed("orders", 2)
        bad = [reader.raw(), reader.raw()]
        for line in bad:
            with pytest.raises(ValueError):
                json.loads(line)
        assert "Heartbeat" in reader.next()


def test_http_faults_and_latency(api: httpx.Client, control: SimControl) -> None:
    control.http_fault("accounts", 503, 2)
    first = api.get("/v3/brokerage/accounts")
    assert first.status_code == 503 and first.json()["Error"] == "ServiceUnavailable"
    assert api.get("/v3/brokerage/accounts").status_code == 503
    assert api.get("/v3/brokerage/accounts").status_code == 200
    control.http_fault("all", 500, 1)
    assert api.get("/v3/marketdata/quotes/MSFT").status_code == 500
    control.latency(0.3)
    started = time.monotonic()
    assert api.get("/v3/brokerage/accounts").status_code == 200
    assert time.monotonic() - started >= 0.3
    control.clear_faults()
    with pytest.raises(httpx.HTTPStatusError):
        control.http_fault("nonsense", 500, 1)


def test_reset_after_accept(api: httpx.Client, control: SimControl) -> None:
    control.reset_after_accept(1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/v3/orderexecution/orders", json=order_body(OrderConfirmID="reset-1"))
    orders = control.state()["accounts"][MARGIN]["orders"]
    assert any(o["Status"] == "FLL" and o["Legs"][0]["QuantityOrdered"] == "10" for o in orders)
    resend = api.post("/v3/orderexecution/orders", json=order_body(OrderConfirmID="reset-1"))
    assert "Duplicate" in resend.json()["Errors"][0]["Message"]


def test_token_expiry_ends_streams(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", "/v3/marketdata/stream/quotes/MSFT") as response:
        reader = StreamReader(response)
        reader.next()  # the first quote
        control.expire_tokens()
        frame = reader.until(lambda f: "Error" in f)
        assert frame["Error"] == "Unauthorized"


def test_heartbeat_interval(api: httpx.Client, control: SimControl) -> None:
    control.heartbeat(0.05)
    with api.stream("GET", "/v3/marketdata/stream/quotes/MSFT") as response:
        reader = StreamReader(response)
        reader.next()  # the first quote
        started = time.monotonic()
        for _ in range(5):
            reader.until(lambda f: "Heartbeat" in f)
        assert time.monotonic() - started < 1.0


def test_restart_drops_streams_keeps_state(
    api: httpx.Client, control: SimControl, server: SimServer
) -> None:
    api.post("/v3/orderexecution/orders", json=order_body(OrderConfirmID="before-restart"))
    count = len(server.engine.orders)
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        reader.snapshot()
        control.restart()
        with pytest.raises(AssertionError, match="stream ended"):
            reader.until(lambda f: False)
    assert len(server.engine.orders) == count
    assert api.get("/v3/brokerage/accounts").status_code == 200


def test_admin_rejects_bad_input(control: SimControl) -> None:
    for path, body in (
        ("clock", {}),
        ("clock", {"advance_seconds": -5}),
        ("clock", {"set": "not a time"}),
        ("price", {"symbol": "MSFT", "price": "abc"}),
        ("price", {"symbol": "MSFT", "price": "100.001"}),
        ("faults/goaway", {"stream": "nope"}),
        ("orders/seed", {"account": "NOPE", "count": 5}),
    ):
        with pytest.raises(httpx.HTTPStatusError):
            control.post(path, body)
    assert control.now() == "2026-12-01T15:00:00Z"
