"""The market-depth streams in the client: paths and params, lenient frame parsing, the
simulator end to end, and the refusal of a token without the Matrix scope."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from sim_tokens import access_token

from tstui.client.errors import BadRequest, StreamFailure, Unauthorized
from tstui.client.http import HttpSession
from tstui.client.streams import StreamState
from tstui.domain.frames import GO_AWAY, Heartbeat, StreamErrorFrame
from tstui.domain.market.depth import (
    DepthAggregate,
    DepthAggregates,
    DepthQuote,
    DepthQuotes,
    parse_depth_aggregates_frame,
    parse_depth_quotes_frame,
)
from tstui.domain.parsing import ParseError

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

QUOTES = {
    "Bids": [
        {"TimeStamp": "2026-12-01T14:59:37Z", "Side": "Bid", "Price": "447.59", "Size": "200",
         "OrderCount": 1, "Name": "ARCX"},
        {"Side": "Bid", "Price": "447.59", "Size": "300", "OrderCount": 2, "Name": "NSDQ"},
        {"Side": "Bid", "Price": "447.58", "Size": "800"},
        {"Side": "Bid", "Price": "", "Size": "5"},  # no usable price: skipped
        "not a row",
    ],
    "Asks": [{"Price": "447.61", "Size": "100", "Name": "BATS"}],  # Side from the array
}  # fmt: skip
AGGREGATES = {
    "Bids": [
        {"EarliestTime": "2026-12-01T14:59:56Z", "LatestTime": "2026-12-01T14:59:59Z",
         "Side": "Bid", "Price": "6493.75", "TotalSize": "9", "BiggestSize": "6",
         "SmallestSize": "3", "NumParticipants": 2, "TotalOrderCount": 3},
    ],
    "Asks": [{"Side": "Ask", "Price": "6494.00", "TotalSize": "12"}],
}  # fmt: skip


def test_quotes_frame_parses_leniently() -> None:
    frame = parse_depth_quotes_frame(QUOTES)
    assert isinstance(frame, DepthQuotes)
    assert frame.bids[0] == DepthQuote(
        "Bid",
        Decimal("447.59"),
        Decimal(200),
        1,
        "ARCX",
        datetime(2026, 12, 1, 14, 59, 37, tzinfo=UTC),
    )
    assert frame.bids[2].order_count is None and frame.bids[2].name is None
    assert frame.asks == (DepthQuote("Ask", Decimal("447.61"), Decimal(100), None, "BATS"),)
    assert frame.skipped == 2
    bids, asks = frame.sizes()  # participants at one price add up
    assert bids == {Decimal("447.59"): Decimal(500), Decimal("447.58"): Decimal(800)}
    assert asks == {Decimal("447.61"): Decimal(100)}


def test_aggregates_frame_and_control_frames() -> None:
    frame = parse_depth_aggregates_frame(AGGREGATES)
    assert isinstance(frame, DepthAggregates)
    top = frame.bids[0]
    assert top == DepthAggregate(
        "Bid", Decimal("6493.75"), Decimal(9), Decimal(6), Decimal(3), 2, 3,
        datetime(2026, 12, 1, 14, 59, 56, tzinfo=UTC),
        datetime(2026, 12, 1, 14, 59, 59, tzinfo=UTC),
    )  # fmt: skip
    assert frame.sizes() == ({Decimal("6493.75"): Decimal(9)}, {Decimal("6494.00"): Decimal(12)})
    assert frame.asks[0].biggest_size is None
    heartbeat = parse_depth_aggregates_frame({"Heartbeat": 4, "Timestamp": "2026-12-01T15:00:00Z"})
    assert isinstance(heartbeat, Heartbeat) and heartbeat.seq == 4
    assert parse_depth_quotes_frame({"Error": "GoAway", "Message": "bye"}) is GO_AWAY
    error = parse_depth_quotes_frame({"Error": "BadRequest", "Message": "no"})
    assert error == StreamErrorFrame("BadRequest", "no")
    assert parse_depth_quotes_frame({"Bids": []}) == DepthQuotes()  # an empty book is a book
    for bad in ({"Symbol": "MSFT"}, [1, 2], "text"):
        with pytest.raises(ParseError):
            parse_depth_quotes_frame(bad)


class _Auth:
    async def access_token(self) -> str:
        return "t"

    async def refresh_after_401(self, stale: str) -> str:
        return "t2"


async def test_paths_params_and_media_type() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"")

    from tstui.client.api import TradeStationAPI

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = HttpSession("https://api.test", _Auth(), client=client, stream_backoff_base=0.01)
    api = TradeStationAPI(http)
    try:
        for stream in (
            api.stream_market_depth_quotes("MSFT", 5),
            api.stream_market_depth_aggregates("@ES"),
        ):
            before = len(seen)
            with anyio.fail_after(5):
                async for _ in stream:
                    if len(seen) > before:
                        break
            await stream.aclose()
        with pytest.raises(BadRequest):
            api.stream_market_depth_quotes("MSFT", 0)
        with pytest.raises(BadRequest):
            api.stream_market_depth_aggregates(" ")
    finally:
        await http.aclose()
        await client.aclose()
    first, second = seen[0], seen[-1]
    assert first.url.path == "/v3/marketdata/stream/marketdepth/quotes/MSFT"
    assert dict(first.url.params) == {"maxlevels": "5"}
    assert second.url.path == "/v3/marketdata/stream/marketdepth/aggregates/@ES"
    assert dict(second.url.params) == {}
    assert first.headers["Accept"] == "application/vnd.tradestation.streams.v2+json"


async def _first_book(stream: Any) -> Any:
    states: list[str] = []
    book = None
    with anyio.fail_after(10):
        try:
            async for event in stream:
                if isinstance(event, StreamState):
                    states.append(event.state)
                    if book is not None:
                        return book, states
                elif isinstance(event, DepthQuotes | DepthAggregates):
                    book = book or event
        finally:
            await stream.aclose()
    raise AssertionError("stream ended")


async def test_sim_depth_streams_end_to_end(sim: SimServer, sim_settings: Any) -> None:
    from sim_sessions import token_api

    async with token_api(sim, sim_settings) as api:
        quotes, _ = await _first_book(api.stream_market_depth_quotes("MSFT", 3))
        aggregates, states = await _first_book(api.stream_market_depth_aggregates("@ES", 4))
        batch = await api.get_quotes(["MSFT"])
    # no EndSnapshot on depth: the first book is the snapshot
    assert states == ["connecting", "connected", "snapshot_complete"]
    assert isinstance(quotes, DepthQuotes) and len(quotes.sizes()[0]) == 3
    assert quotes.bids[0].price == batch.items[0].bid and quotes.bids[0].name
    assert isinstance(aggregates, DepthAggregates) and len(aggregates.asks) == 4
    assert aggregates.asks[1].price - aggregates.asks[0].price == Decimal("0.25")


async def test_a_token_without_matrix_is_refused_with_the_reason(
    sim: SimServer, sim_settings: Any
) -> None:
    from dataclasses import replace

    from tstui.client.demo import headless_login
    from tstui.client.session import Session

    narrow = replace(sim_settings, scopes="openid offline_access MarketData ReadAccount Trade")
    async with Session.open(narrow) as session:
        await headless_login(session)
        stream = session.api.stream_market_depth_aggregates("MSFT")
        with anyio.fail_after(10), pytest.raises(StreamFailure) as caught:
            async for _ in stream:
                pass
    cause = caught.value.__cause__
    assert isinstance(cause, Unauthorized) and "Matrix scope" in cause.message
    assert access_token(sim)  # the demo token (with Matrix) still works for others
