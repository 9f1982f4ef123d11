"""The simulator's market-depth streams: a book around the touch that moves with the market,
the spec's frame shapes, maxlevels, and the Matrix scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sim_helpers import StreamReader, order_body
from spec_support import Checker, corrected_spec, response_schema

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

BASE = "/v3/marketdata/stream/marketdepth"


def first_frame(api: httpx.Client, url: str) -> dict[str, Any]:
    with api.stream("GET", url) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith(
            "application/vnd.tradestation.streams.v2+json"
        )
        return StreamReader(response).next()


def quote(api: httpx.Client, symbol: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v3/marketdata/quotes/{symbol}").json()["Quotes"][0]
    return body


@pytest.mark.parametrize("symbol", ["MSFT", "@ES"])
def test_aggregates_are_levels_around_the_touch_at_the_tick(api: httpx.Client, symbol: str) -> None:
    frame = first_frame(api, f"{BASE}/aggregates/{symbol}?maxlevels=5")
    touch = quote(api, symbol)
    tick = Decimal("0.01") if symbol == "MSFT" else Decimal("0.25")
    bids = [Decimal(b["Price"]) for b in frame["Bids"]]
    asks = [Decimal(a["Price"]) for a in frame["Asks"]]
    assert len(bids) == len(asks) == 5
    assert bids[0] == Decimal(touch["Bid"]) and asks[0] == Decimal(touch["Ask"])
    assert bids == [bids[0] - tick * i for i in range(5)]  # high to low, one tick apart
    assert asks == [asks[0] + tick * i for i in range(5)]  # low to high
    # the inside sizes are the quote's: both streams agree about the touch
    assert frame["Bids"][0]["TotalSize"] == touch["BidSize"]
    assert frame["Asks"][0]["TotalSize"] == touch["AskSize"]
    for row in frame["Bids"] + frame["Asks"]:
        assert int(row["SmallestSize"]) <= int(row["BiggestSize"]) <= int(row["TotalSize"])
        assert row["NumParticipants"] >= 1 and row["TotalOrderCount"] >= row["NumParticipants"]


def test_quotes_are_per_participant_and_add_up_to_the_aggregates(api: httpx.Client) -> None:
    quotes = first_frame(api, f"{BASE}/quotes/MSFT?maxlevels=4")
    aggregates = first_frame(api, f"{BASE}/aggregates/MSFT?maxlevels=4")
    for side in ("Bids", "Asks"):
        totals: dict[str, int] = {}
        names: dict[str, set[str]] = {}
        for row in quotes[side]:
            assert row["Side"] == side[:-1]
            totals[row["Price"]] = totals.get(row["Price"], 0) + int(row["Size"])
            names.setdefault(row["Price"], set()).add(row["Name"])
        assert {a["Price"]: int(a["TotalSize"]) for a in aggregates[side]} == totals
        assert {a["Price"]: a["NumParticipants"] for a in aggregates[side]} == {
            p: len(n) for p, n in names.items()
        }
    assert any(len(n) > 1 for n in names.values())  # several participants at some price


def test_frames_match_the_spec_strictly(api: httpx.Client) -> None:
    spec = corrected_spec()
    checker = Checker(spec)
    for kind in ("quotes", "aggregates"):
        path = f"/v3/marketdata/stream/marketdepth/{kind}/{{symbol}}"
        schema = response_schema(spec, ("get", path), 200)
        frame = first_frame(api, f"{BASE}/{kind}/NVDA")
        assert len({row["Price"] for row in frame["Bids"]}) == 20  # maxlevels defaults to 20
        assert checker.problems(schema, frame) == []


def test_the_book_moves_with_the_market(api: httpx.Client, control: SimControl) -> None:
    with api.stream("GET", f"{BASE}/aggregates/MSFT?maxlevels=3") as response:
        reader = StreamReader(response)
        before = reader.next()
        control.set_price("MSFT", "401.00")
        after = reader.until(lambda f: "Bids" in f)
    assert before["Bids"][0]["Price"] != "400.99"
    assert after["Bids"][0]["Price"] == "400.99" and after["Asks"][0]["Price"] == "401.01"


def test_sizes_change_as_time_passes_and_heartbeats_keep_an_idle_stream(
    api: httpx.Client, control: SimControl
) -> None:
    with api.stream("GET", f"{BASE}/aggregates/AAPL?maxlevels=10") as response:
        reader = StreamReader(response)
        before = reader.next()
        assert "Heartbeat" in reader.next()  # frozen clock: nothing changes, heartbeats flow
        control.advance(2)
        after = reader.until(lambda f: "Bids" in f)
    sizes = [r["TotalSize"] for r in before["Bids"][1:]]
    assert sizes != [r["TotalSize"] for r in after["Bids"][1:]]


def test_maxlevels_must_be_a_positive_integer(api: httpx.Client) -> None:
    for bad in ("0", "-3", "many"):
        response = api.get(f"{BASE}/quotes/MSFT", params={"maxlevels": bad})
        assert response.status_code == 400
        assert response.json() == {
            "Error": "BadRequest",
            "Message": "maxlevels must be a positive integer.",
        }
    response = api.get(f"{BASE}/aggregates/NOPE")
    assert response.status_code == 400 and "NOPE" in response.json()["Message"]


def test_depth_needs_the_matrix_scope(server: SimServer) -> None:
    oauth = server.ctx.oauth
    redirect = "http://localhost:3000"
    code = oauth.issue_code(redirect, "openid offline_access MarketData ReadAccount", None)
    token = oauth.exchange_code(code, redirect, None)["access_token"]
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as api:
        assert api.get("/v3/marketdata/quotes/MSFT").status_code == 200  # MarketData is there
        for kind in ("quotes", "aggregates"):
            response = api.get(f"{BASE}/{kind}/MSFT")
            assert response.status_code == 401
            body = response.json()
            assert body["Error"] == "Unauthorized" and "Matrix scope" in body["Message"]


def test_at_most_ten_depth_streams_at_once(api: httpx.Client, server: SimServer) -> None:
    server.ctx.open_streams["marketdepth"] = 10  # as if ten were open
    try:
        response = api.get(f"{BASE}/quotes/MSFT")
        assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    finally:
        server.ctx.open_streams["marketdepth"] = 0


def test_resting_limit_orders_join_the_book(api: httpx.Client) -> None:
    url = f"{BASE}/quotes/MSFT?maxlevels=5"
    before = first_frame(api, url)
    price = Decimal(before["Bids"][0]["Price"]) - Decimal("0.03")
    far = Decimal(before["Asks"][0]["Price"]) + Decimal("0.02")
    for action, at, qty in (("BUY", price, "300"), ("SELL", far, "40"), ("BUY", price, "5")):
        placed = api.post(
            "/v3/orderexecution/orders",
            json=order_body(
                OrderType="Limit", LimitPrice=str(at), TradeAction=action, Quantity=qty
            ),
        )
        assert placed.json()["Orders"][0]["OrderID"]
    after = first_frame(api, url)

    def own(frame: dict[str, Any], side: str, at: Decimal) -> list[dict[str, Any]]:
        return [r for r in frame[side] if Decimal(r["Price"]) == at and r["Name"] == "TSIM"]

    assert not own(before, "Bids", price)
    assert [r["Size"] for r in own(after, "Bids", price)] == ["305"]
    assert [r["Size"] for r in own(after, "Asks", far)] == ["40"]
    totals = first_frame(api, url.replace("/quotes/", "/aggregates/"))
    row = next(r for r in totals["Bids"] if Decimal(r["Price"]) == price)
    others = sum(int(r["Size"]) for r in before["Bids"] if Decimal(r["Price"]) == price)
    assert int(row["TotalSize"]) == others + 305
