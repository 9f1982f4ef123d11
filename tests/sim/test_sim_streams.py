"""Streams: snapshot, EndSnapshot, live frames, heartbeats, bar closing, burst, stop."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sim_helpers import MARGIN, StreamReader, last_price, order_body

from tstui.sim.control import SimControl
from tstui.sim.hub import Hub
from tstui.sim.server import SimServer


def test_orders_stream_snapshot_then_live(api: httpx.Client) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        snapshot = reader.snapshot()
        assert snapshot and all(f["AccountID"] == MARGIN for f in snapshot)
        order_id = api.post("/v3/orderexecution/orders", json=order_body()).json()["Orders"][0][
            "OrderID"
        ]
        statuses = [reader.until(lambda f: f.get("OrderID") == order_id)["Status"]]
        while statuses[-1] != "FLL":
            statuses.append(reader.next()["Status"])
        assert statuses == ["ACK", "OPN", "FLL"]
        beat = reader.until(lambda f: "Heartbeat" in f)
        assert beat["Heartbeat"] == 1 and beat["Timestamp"].endswith("Z")
        assert reader.until(lambda f: "Heartbeat" in f)["Heartbeat"] == 2


def test_orders_by_id_stream(api: httpx.Client) -> None:
    working = api.post(
        "/v3/orderexecution/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
    ).json()
    order_id = working["Orders"][0]["OrderID"]
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders/{order_id}") as r:
        reader = StreamReader(r)
        assert [f["OrderID"] for f in reader.snapshot()] == [order_id]
        api.post("/v3/orderexecution/orders", json=order_body())  # another order: not shown
        api.delete(f"/v3/orderexecution/orders/{order_id}")
        assert reader.next()["Status"] == "UCN"
        assert reader.next()["Status"] == "CAN"


def test_positions_stream_updates_and_deletes(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/positions") as response:
        reader = StreamReader(response)
        snapshot = reader.snapshot()
        msft = next(p for p in snapshot if p["Symbol"] == "MSFT")
        control.set_price("MSFT", "500.00")
        moved = reader.until(lambda f: f.get("Symbol") == "MSFT")
        assert moved["Last"] == "500.00"
        api.post("/v3/orderexecution/orders", json=order_body(Quantity="100", TradeAction="SELL"))
        gone = reader.until(lambda f: f.get("Deleted") is True)
        assert gone == {"PositionID": msft["PositionID"], "Deleted": True}


def test_quote_stream_follows_the_price(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", "/v3/marketdata/stream/quotes/AAPL,@ES") as response:
        reader = StreamReader(response)
        # the first quote of each symbol (quote streams send no EndSnapshot)
        assert {reader.next()["Symbol"], reader.next()["Symbol"]} == {"AAPL", "@ES"}
        control.set_price("AAPL", "199.99")
        quote = reader.until(lambda f: f.get("Symbol") == "AAPL")
        assert (quote["Last"], quote["Bid"], quote["Ask"]) == ("199.99", "199.98", "200.00")
        control.set_price("ESZ26", "6100.25")  # @ES follows its front contract
        assert reader.until(lambda f: f.get("Symbol") == "@ES")["Last"] == "6100.25"


def test_bar_stream_updates_and_closes_bars(api: httpx.Client, control: SimControl) -> None:
    url = "/v3/marketdata/stream/barcharts/MSFT?unit=Minute&interval=1&barsback=5"
    with api.stream("GET", url) as response:
        reader = StreamReader(response)
        history = reader.snapshot()
        assert len(history) == 5 and history[-1]["IsEndOfHistory"] is True
        open_bar = history[-1]
        assert open_bar["BarStatus"] == "Open" and open_bar["TimeStamp"] == "2026-12-01T15:01:00Z"
        control.set_price("MSFT", "480.00")
        updated = reader.next()
        assert updated["TimeStamp"] == open_bar["TimeStamp"] and updated["Close"] == "480.00"
        control.advance(60)
        closed = reader.until(lambda f: f.get("BarStatus") == "Closed")
        assert closed["TimeStamp"] == "2026-12-01T15:01:00Z"
        following = reader.next()
        assert following["BarStatus"] == "Open" and following["TimeStamp"] == "2026-12-01T15:02:00Z"


def test_tickbar_stream(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", "/v2/stream/tickbars/MSFT/12/4") as response:
        reader = StreamReader(response)
        history = [reader.next() for _ in range(4)]
        assert [f["Status"] & 4 for f in history[:3]] == [4, 4, 4]  # historical bit
        control.advance(60)  # 12 ticks x 5 s: the open bar closes
        closed = reader.until(lambda f: "Status" in f and f["Status"] & 8 == 8)
        assert closed["Status"] & 2 == 2  # real-time bit
    assert api.get("/v2/stream/tickbars/MSFT/10/11").status_code == 400
    assert api.get("/v2/stream/tickbars/MSFT/0/5").status_code == 400


def test_burst_sends_frames_fast(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        reader.snapshot()
        started = time.monotonic()
        control.burst(MARGIN, 20_000)
        count = 0
        while count < 20_000:
            frame = reader.next()
            if "OrderID" in frame:
                count += 1
        assert time.monotonic() - started < 10


def test_a_burst_sends_exactly_its_frames_cycling_over_the_orders(
    api: httpx.Client, control: SimControl
) -> None:
    """Across the first pass (orders encoded a step at a time) and the blocks after it: as
    many order frames as asked, then no more, each order in turn and again."""
    frames = 7_321  # not a multiple of the encoding step nor of a block
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        reader = StreamReader(response)
        reader.snapshot()
        control.burst(MARGIN, frames)
        ids: list[str] = []
        while len(ids) < frames:
            frame = reader.next()
            if "OrderID" in frame:
                assert frame["AccountID"] == MARGIN
                ids.append(frame["OrderID"])
        assert "Heartbeat" in reader.next()  # nothing more was queued: the burst is over
    distinct = len(set(ids))
    assert 0 < distinct < frames
    assert all(order_id == ids[i % distinct] for i, order_id in enumerate(ids))


@pytest.mark.anyio
async def test_hub_wake_has_every_stream_look_again_now() -> None:
    """The admin API's burst wakes the open streams instead of leaving them to their poll."""
    hub = Hub()
    subscription = hub.subscribe()
    hub.wake()
    assert await asyncio.wait_for(subscription.queue.get(), 1.0) is None
    hub.unsubscribe(subscription)


def test_seed_orders_appear_in_snapshot(api: httpx.Client, control: SimControl) -> None:
    assert control.seed_orders(MARGIN, 2_000) == 2_000
    url = f"/v3/brokerage/accounts/{MARGIN}/orders"
    assert len(api.get(url).json()["Orders"]) == 600  # unpaged lists stop at 600
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        assert len(StreamReader(response).snapshot()) > 2_000


def test_stop_sends_goaway(api: httpx.Client, server: SimServer) -> None:
    with (
        api.stream("GET", "/v3/marketdata/stream/quotes/MSFT") as quotes,
        api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as orders,
    ):
        quote_reader, order_reader = StreamReader(quotes), StreamReader(orders)
        quote_reader.next()
        order_reader.snapshot()
        started = time.monotonic()
        server.stop()
        # each in its stream's own form: the spec's market data Error, brokerage StreamStatus
        assert quote_reader.until(lambda f: "Error" in f) == {
            "Error": "GoAway",
            "Message": "The server is about to shut down.",
        }
        assert order_reader.until(lambda f: "StreamStatus" in f) == {"StreamStatus": "GoAway"}
    assert time.monotonic() - started < 5


def test_last_price_helper_is_deterministic(api: httpx.Client) -> None:
    assert last_price(api, "MSFT") == last_price(api, "MSFT")
