"""The option endpoints of TradeStationAPI (tstui.client.options): paths, parameters and
bodies over httpx.MockTransport, then every call end to end against the simulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from sim_sessions import token_session

from tstui.client.api import TradeStationAPI
from tstui.client.errors import BadRequest
from tstui.client.http import HttpSession
from tstui.client.streams import StreamState
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.options.payoff import PayoffLeg, risk_reward
from tstui.domain.options.symbology import OptionType, format_option_symbol, parse_option_symbol
from tstui.domain.options.wire import (
    OptionQuoteLeg,
    OptionSpread,
    RiskRewardLeg,
    RiskRewardRequest,
)
from tstui.domain.orders import OrderLegRequest, OrderRequest, new_order_confirm_id

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

D = Decimal
Handler = Callable[[httpx.Request], httpx.Response]
MARGIN = "SIM1000001M"


class FakeAuth:
    async def access_token(self) -> str:
        return "test-access"

    async def refresh_after_401(self, stale_access_token: str) -> str:
        return "test-access-2"


@asynccontextmanager
async def mock_api(handler: Handler) -> AsyncIterator[tuple[TradeStationAPI, list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    http = HttpSession(
        "https://api.test", FakeAuth(), client=client, stream_backoff_base=0.01,
        stream_backoff_cap=0.02,
    )  # fmt: skip
    try:
        yield TradeStationAPI(http), seen
    finally:
        await http.aclose()
        await client.aclose()


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


async def test_reads_paths_parameters_and_bodies_as_sent() -> None:
    answers = {
        "/v3/marketdata/options/expirations/AAPL": {
            "Expirations": [{"Date": "2021-12-17T00:00:00Z", "Type": "Monthly"}]
        },
        "/v3/marketdata/options/strikes/AAPL": {"SpreadType": "Vertical", "Strikes": [["1", "2"]]},
        "/v3/marketdata/options/spreadtypes": {
            "SpreadTypes": [{"Name": "Vertical", "StrikeInterval": True}]
        },
        "/v3/marketdata/options/riskreward": {
            "MaxGainIsInfinite": False, "AdjustedMaxGain": "482", "MaxLossIsInfinite": False,
            "AdjustedMaxLoss": "-18", "BreakevenPoints": ["150.09"],
        },
    }  # fmt: skip
    async with mock_api(lambda r: ok(answers[r.url.path])) as (api, seen):
        body = await api.get_option_expirations_body("AAPL", strike_price=D("152.50"))
        assert body == answers["/v3/marketdata/options/expirations/AAPL"]
        (expiration,) = await api.get_option_expirations("AAPL")
        assert expiration.date == date(2021, 12, 17) and expiration.type == "Monthly"
        strikes = await api.get_option_strikes(
            "AAPL",
            spread_type="Vertical",
            strike_interval=2,
            expiration=date(2021, 12, 17),
            expiration2=datetime(2022, 1, 21, 15, tzinfo=UTC),
        )
        assert strikes.strikes == ((D(1), D(2)),)
        await api.get_option_strikes_body("AAPL", expiration="12-17-2021")
        (spread_type,) = await api.get_option_spread_types()
        assert spread_type.name == "Vertical" and spread_type.strike_interval
        request = RiskRewardRequest(
            D("0.24"),
            (
                RiskRewardLeg("AAPL 211217C150", 1, "BUY"),
                RiskRewardLeg("AAPL 211217C152.5", 1, "SELL"),
            ),
        )
        analysis = await api.get_option_risk_reward(request)
        assert analysis.adjusted_max_loss == D(-18)
        for bad in (lambda: api.get_option_strikes("AAPL", strike_interval=0),
                    lambda: api.get_option_expirations(" ")):  # fmt: skip
            with pytest.raises(BadRequest):
                await bad()
    params = [dict(r.url.params) for r in seen]
    assert params[0] == {"strikePrice": "152.5"}
    assert params[2] == {
        "spreadType": "Vertical", "strikeInterval": "2", "expiration": "12-17-2021",
        "expiration2": "01-21-2022",
    }  # fmt: skip
    assert params[3] == {"expiration": "12-17-2021"}  # text is passed on as given
    posted = seen[5]
    assert posted.method == "POST"
    assert json.loads(posted.content) == {
        "SpreadPrice": 0.24,
        "Legs": [
            {"Symbol": "AAPL 211217C150", "Quantity": 1, "TradeAction": "BUY"},
            {"Symbol": "AAPL 211217C152.5", "Quantity": 1, "TradeAction": "SELL"},
        ],
    }
    assert len(seen) == 6  # the refusals sent nothing


def _payload(*frames: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(frame).encode() + b"\n" for frame in frames)


LEG = {"Symbol": "MSFT 211217P332.5", "Ratio": 1, "StrikePrice": "332.5"}


async def test_chain_stream_parameters_frames_and_no_end_snapshot() -> None:
    payload = _payload(
        {"Legs": [LEG], "Bid": "1.10", "Ask": "1.20"},
        {"Heartbeat": 1, "Timestamp": "2026-12-01T15:00:00Z"},
        {"Legs": []},  # malformed: counted, skipped
        {"Error": "BadRequest", "Message": "expiration is not valid"},
    )
    events: list[Any] = []
    async with mock_api(lambda r: httpx.Response(200, content=payload)) as (api, seen):
        stream = api.stream_option_chain(
            "MSFT",
            expiration=date(2021, 12, 17),
            strike_proximity=3,
            spread_type="Butterfly",
            strike_interval=2,
            price_center=D("330.00"),
            risk_free_rate=D("0.02"),
            enable_greeks=False,
            strike_range="OTM",
            option_type="Put",
        )
        with anyio.fail_after(5):
            async for event in stream:
                events.append(event)
                if isinstance(event, StreamState) and event.state == "snapshot_complete":
                    break
        await stream.aclose()
        assert stream.malformed_count == 1
        with pytest.raises(BadRequest):
            api.stream_option_chain("MSFT", strike_proximity=0)
    request = seen[0]
    assert request.url.path == "/v3/marketdata/stream/options/chains/MSFT"
    assert request.headers["Accept"] == "application/vnd.tradestation.streams.v2+json"
    assert dict(request.url.params) == {
        "expiration": "12-17-2021", "strikeProximity": "3", "spreadType": "Butterfly",
        "strikeInterval": "2", "priceCenter": "330", "riskFreeRate": "0.02",
        "enableGreeks": "false", "strikeRange": "OTM", "optionType": "Put",
    }  # fmt: skip
    data = [e for e in events if not isinstance(e, StreamState)]
    assert isinstance(data[0], OptionSpread) and data[0].bid == D("1.10")
    assert data[1] == StreamErrorFrame("BadRequest", "expiration is not valid")
    # The spec's chain sends no EndSnapshot: its first frames complete the snapshot.
    states = [e.state for e in events if isinstance(e, StreamState)]
    assert states == ["connecting", "connected", "snapshot_complete"]


async def test_option_quotes_stream_legs_query() -> None:
    async with mock_api(lambda r: httpx.Response(200, content=_payload({"Legs": [LEG]}))) as (
        api,
        seen,
    ):
        legs = [
            OptionQuoteLeg("MSFT 220916C305"),
            OptionQuoteLeg("MSFT 220916C310", D(-2)),
            OptionQuoteLeg("MSFT 220916C315"),
        ]
        stream = api.stream_option_quotes(legs, enable_greeks=True)
        with anyio.fail_after(5):
            async for event in stream:
                if isinstance(event, OptionSpread):
                    break
        await stream.aclose()
        with pytest.raises(BadRequest):
            api.stream_option_quotes([])
        with pytest.raises(BadRequest):
            api.stream_option_quotes(legs + legs)
    request = seen[0]
    assert request.url.path == "/v3/marketdata/stream/options/quotes"
    assert dict(request.url.params) == {
        "legs[0].Symbol": "MSFT 220916C305", "legs[0].Ratio": "1",
        "legs[1].Symbol": "MSFT 220916C310", "legs[1].Ratio": "-2",
        "legs[2].Symbol": "MSFT 220916C315", "legs[2].Ratio": "1",
        "enableGreeks": "true",
    }  # fmt: skip


# -- end to end against the simulator ----------------------------------------------------


async def _first_spread(stream: Any, limit: float = 10) -> OptionSpread:
    with anyio.fail_after(limit):
        try:
            async for event in stream:
                if isinstance(event, OptionSpread):
                    return event
        finally:
            await stream.aclose()
    raise AssertionError("stream ended")


async def test_sim_option_market_data(sim: SimServer, sim_settings: Settings) -> None:
    with anyio.fail_after(30):
        async with token_session(sim, sim_settings) as session:
            api = session.api
            expirations = await api.get_option_expirations("MSFT")
            assert expirations and [e.date for e in expirations] == sorted(
                e.date for e in expirations
            )
            assert {e.type for e in expirations} >= {"Weekly", "Monthly"}
            monthly = next(e.date for e in expirations if e.type == "Monthly")
            single = await api.get_option_strikes("MSFT", expiration=monthly)
            assert single.spread_type == "Single" and len(single.strikes) > 5
            assert all(len(row) == 1 for row in single.strikes)
            fly = await api.get_option_strikes(
                "MSFT", spread_type="Butterfly", strike_interval=2, expiration=monthly
            )
            assert all(len(row) == 3 and row[0] < row[1] < row[2] for row in fly.strikes)
            names = {t.name for t in await api.get_option_spread_types()}
            assert {"Single", "Vertical", "Straddle", "Butterfly", "IronCondor"} <= names

            # The simulator's risk/reward agrees with the domain's payoff at expiry.
            low, high = single.strikes[3][0], single.strikes[5][0]
            call_low, call_high = (
                format_option_symbol("MSFT", monthly, OptionType.CALL, k) for k in (low, high)
            )
            request = RiskRewardRequest(
                D("2.50"), (RiskRewardLeg(call_low, 1, "BUY"), RiskRewardLeg(call_high, 1, "SELL"))
            )
            analysis = await api.get_option_risk_reward(request)
            expected = risk_reward(
                (PayoffLeg(1, OptionType.CALL, low), PayoffLeg(-1, OptionType.CALL, high)),
                D("250"),
            )
            assert analysis.adjusted_max_gain == expected.max_profit
            assert analysis.adjusted_max_loss == expected.max_loss
            assert analysis.breakeven_points == expected.break_evens
            assert analysis.max_gain_is_infinite is False

            chain = await _first_spread(
                api.stream_option_chain("MSFT", expiration=monthly, strike_proximity=2)
            )
            contract = chain.contract
            assert contract is not None and contract.root == "MSFT"
            assert contract.expiration == monthly
            assert chain.bid is not None and chain.ask is not None and chain.bid <= chain.ask
            assert chain.delta is not None and chain.implied_volatility is not None
            spread = await _first_spread(
                api.stream_option_quotes(
                    [OptionQuoteLeg(call_low), OptionQuoteLeg(call_high, D(-1))]
                )
            )
            assert spread.key == (call_low, call_high)
            assert [leg.ratio for leg in spread.legs] == [1, -1]


async def test_sim_a_vertical_spread_order_and_its_positions(
    sim: SimServer, sim_settings: Settings
) -> None:
    with anyio.fail_after(30):
        async with token_session(sim, sim_settings) as session:
            api = session.api
            expiration = next(
                e.date for e in await api.get_option_expirations("MSFT") if e.type == "Monthly"
            )
            rows = (await api.get_option_strikes("MSFT", expiration=expiration)).strikes
            low, high = rows[len(rows) // 2][0], rows[len(rows) // 2 + 2][0]
            buy, sell = (
                format_option_symbol("MSFT", expiration, OptionType.CALL, k) for k in (low, high)
            )
            quote = await _first_spread(
                api.stream_option_quotes([OptionQuoteLeg(buy), OptionQuoteLeg(sell, D(-1))])
            )
            assert quote.ask is not None
            order = OrderRequest(
                account_id=MARGIN,
                order_type="Limit",
                limit_price=quote.ask + D("0.50"),  # marketable: fills as a package at once
                order_confirm_id=new_order_confirm_id(),
                legs=(
                    OrderLegRequest(symbol=buy, quantity=D(2), trade_action="BUYTOOPEN"),
                    OrderLegRequest(symbol=sell, quantity=D(2), trade_action="SELLTOOPEN"),
                ),
            )
            (confirmation,) = await api.confirm_order(order)
            assert {leg.symbol for leg in confirmation.legs} == {buy, sell}
            (placed,) = await api.place_order(order)
            assert placed.ok and placed.order_id
            (found,) = (await api.get_orders([MARGIN], order_ids=[placed.order_id])).items
            assert found.is_multi_leg and {leg.symbol for leg in found.legs} == {buy, sell}
            assert all(leg.is_option and leg.strike_price in (low, high) for leg in found.legs)
            held = {}
            for _ in range(50):
                positions = (await api.get_positions([MARGIN])).items
                held = {p.symbol: p for p in positions if p.option is not None}
                if {buy, sell} <= set(held):
                    break
                await anyio.sleep(0.1)
            assert held[buy].signed_quantity == 2 and held[sell].signed_quantity == -2
            contract = held[sell].option
            assert contract == parse_option_symbol(sell)


async def test_sim_chain_stream_survives_go_away(sim: SimServer, sim_settings: Settings) -> None:
    from sim_sessions import FAST

    states: list[str] = []
    spreads_after_reconnect = 0
    with anyio.fail_after(30):
        async with token_session(sim, sim_settings, http_options=FAST) as session:
            stream = session.api.stream_option_chain("MSFT", strike_proximity=1)
            try:
                async for event in stream:
                    if isinstance(event, StreamState):
                        states.append(event.state)
                        if event.state == "snapshot_complete":
                            # The option streams share the quote stream's faults. (Broken
                            # lines are the fault matrix's and stream_lines' tests: here one
                            # sent with the GoAway landed on either connection, so whether it
                            # was read before the resync was a race.)
                            control = sim.control()
                            await control.apost("faults/goaway", {"stream": "quotes"})
                        if event.state == "resynced":
                            break
                    elif isinstance(event, OptionSpread) and "reconnecting" in states:
                        spreads_after_reconnect += 1
            finally:
                await stream.aclose()
    assert states[:3] == ["connecting", "connected", "snapshot_complete"]
    assert "reconnecting" in states and states[-1] == "resynced"
    assert spreads_after_reconnect >= 2  # a fresh chain snapshot after the reconnect
    assert stream.malformed_count == 0  # nothing broken was sent: nothing counted
