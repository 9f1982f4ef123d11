"""TradeStationAPI: paths, params, chunking, pagination, per-item errors, order calls, streams.

The first part drives the real HttpSession over ``httpx.MockTransport``; the second part calls
every method end to end against the simulator.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from sim_sessions import token_session

from tstui.client.api import (
    TradeStationAPI,
    merge_envelopes,
    order_results,
    quote_segment,
    single_result,
)
from tstui.client.errors import BadRequest, OrderOutcomeUnknown
from tstui.client.http import HttpSession
from tstui.client.streams import StreamState
from tstui.domain.frames import PositionDeleted, StreamErrorFrame
from tstui.domain.models import Order, Position
from tstui.domain.orders import (
    ExitSpec,
    OrderGroupRequest,
    OrderRequest,
    ReplaceRequest,
    build_bracket,
    new_order_confirm_id,
)

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
Handler = Callable[[httpx.Request], httpx.Response]


class FakeAuth:
    async def access_token(self) -> str:
        return "test-access"

    async def refresh_after_401(self, stale_access_token: str) -> str:
        return "test-access-2"


class Recorder:
    """Routes requests to a handler and keeps every request for assertions."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def paths(self) -> list[str]:
        return [r.url.raw_path.decode().split("?")[0] for r in self.requests]


@asynccontextmanager
async def mock_api(handler: Handler) -> AsyncIterator[tuple[TradeStationAPI, Recorder]]:
    recorder = Recorder(handler)
    client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    http = HttpSession(
        "https://api.test",
        FakeAuth(),
        client=client,
        sleep=_no_sleep,
        stream_backoff_base=0.01,
        stream_backoff_cap=0.02,
    )
    try:
        yield TradeStationAPI(http, clock=lambda: NOW), recorder
    finally:
        await http.aclose()
        await client.aclose()


async def _no_sleep(_: float) -> None:
    return None


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


def order_json(order_id: str, status: str = "OPN", symbol: str = "MSFT") -> dict[str, Any]:
    return {
        "AccountID": "A1", "OrderID": order_id, "Status": status, "OrderType": "Limit",
        "LimitPrice": "100.5", "OpenedDateTime": "2026-12-01T14:00:00Z",
        "Legs": [{"Symbol": symbol, "BuyOrSell": "Buy", "QuantityOrdered": "10",
                  "ExecQuantity": "0", "QuantityRemaining": "10"}],
    }  # fmt: skip


def market_buy(account: str = "A1", symbol: str = "MSFT") -> OrderRequest:
    return OrderRequest(
        account_id=account,
        symbol=symbol,
        quantity=Decimal(1),
        order_type="Market",
        trade_action="BUY",
        order_confirm_id=new_order_confirm_id(),
    )


# -- REST over MockTransport -------------------------------------------------------------


async def test_accounts_and_bearer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer test-access"
        return ok({"Accounts": [{"AccountID": "A1", "AccountType": "Margin"}, {"AccountID": "A2"}]})

    async with mock_api(handler) as (api, rec):
        accounts = await api.get_accounts()
    assert [a.account_id for a in accounts] == ["A1", "A2"]
    assert rec.paths == ["/v3/brokerage/accounts"]


async def test_balances_chunk_25_ids_and_keep_item_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ids = request.url.path.split("/")[4].split(",")
        good = [i for i in ids if i != "BAD"]
        errors = [{"AccountID": "BAD", "Error": "Forbidden", "Message": "no"}] * ("BAD" in ids)
        return ok({"Balances": [{"AccountID": i, "CashBalance": "1.5"} for i in good],
                   "Errors": errors})  # fmt: skip

    ids = [f"A{n}" for n in range(29)] + ["BAD", "A0"]  # 30 unique, one duplicate
    async with mock_api(handler) as (api, rec):
        batch = await api.get_balances(ids)
    assert len(rec.requests) == 2
    assert [len(p.split("/")[4].split(",")) for p in rec.paths] == [25, 5]
    assert len(batch.items) == 29 and batch.items[0].cash_balance == Decimal("1.5")
    assert [(e.id, e.error) for e in batch.errors] == [("BAD", "Forbidden")]


async def test_bod_balances_and_positions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/bodbalances"):
            return ok({"BODBalances": [{"AccountID": "A1", "BalanceDetail": {"NetCash": "7"}}]})
        error = {"AccountID": "X", "Error": "NotFound", "Message": "?"}
        position = {"PositionID": "P1", "Quantity": "-2", "LongShort": "Short"}
        return ok({"Positions": [position], "Errors": [error]})

    async with mock_api(handler) as (api, rec):
        bod = await api.get_bod_balances(["A1"])
        positions = await api.get_positions("A1,X")
    assert bod.items[0].detail is not None and bod.items[0].detail.net_cash == 7
    assert positions.items[0].signed_quantity == -2 and positions.errors[0].id == "X"
    assert rec.paths == ["/v3/brokerage/accounts/A1/bodbalances",
                         "/v3/brokerage/accounts/A1,X/positions"]  # fmt: skip


async def test_orders_follow_next_token_until_done() -> None:
    pages = {None: (["1", "2"], "t1"), "t1": (["3", "4"], "t2"), "t2": (["5"], None)}

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["pageSize"] == "2"
        ids, token = pages[params.get("nextToken")]
        body: dict[str, Any] = {"Orders": [order_json(i) for i in ids]}
        if token:
            body["NextToken"] = token
        return ok(body)

    async with mock_api(handler) as (api, rec):
        batch = await api.get_orders(["A1"], page_size=2)
    assert [o.order_id for o in batch] == ["1", "2", "3", "4", "5"]
    assert len(rec.requests) == 3


async def test_orders_pagination_cannot_loop_forever() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = request.url.params.get("nextToken", "0")
        return ok({"Orders": [order_json(f"{n}-a"), order_json(f"{n}-b")], "NextToken": "same"})

    async with mock_api(handler) as (api, rec):
        batch = await api.get_orders(["A1"], page_size=2)
    assert len(rec.requests) == 2 and len(batch) == 4  # the repeated token stops it


async def test_orders_by_id_and_unknown_status_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"Orders": [order_json("7", status="NEW?")],
                   "Errors": [{"AccountID": "A1", "OrderID": "8", "Error": "NotFound",
                               "Message": "no such order"}]})  # fmt: skip

    async with mock_api(handler) as (api, rec):
        batch = await api.get_orders(["A1"], order_ids=["7", "8"])
    assert rec.paths == ["/v3/brokerage/accounts/A1/orders/7,8"]
    assert batch.items[0].status == "NEW?" and batch.items[0].status_group == "other"
    assert batch.errors[0].error == "NotFound"


async def test_historical_orders_since_and_90_day_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"Orders": [order_json("9", status="FLL")]})

    async with mock_api(handler) as (api, rec):
        batch = await api.get_historical_orders(["A1"], date(2026, 10, 1))
        assert batch.items[0].is_final
        assert rec.paths == ["/v3/brokerage/accounts/A1/historicalorders"]
        with pytest.raises(BadRequest, match="90 days"):
            await api.get_historical_orders(["A1"], NOW.date() - timedelta(days=91))
        assert len(rec.requests) == 1  # rejected before any request
        await api.get_historical_orders(["A1"], NOW - timedelta(days=60))
    assert [r.url.params["since"] for r in rec.requests] == ["2026-10-01", "2026-10-02"]


async def test_bars_params_and_symbol_quoting() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"Bars": [{"Open": "1", "High": "2", "Low": "0.5", "Close": "1.5",
                             "TimeStamp": "2026-12-01T14:59:00Z"}]})  # fmt: skip

    async with mock_api(handler) as (api, rec):
        bars = await api.get_bars("@ES", unit="Minute", interval=5, barsback=10,
                                  sessiontemplate="Default")  # fmt: skip
        await api.get_bars("ESZ26 C4500", unit="Daily", firstdate=date(2026, 11, 1),
                           lastdate=datetime(2026, 11, 30, 21, 0, tzinfo=UTC))  # fmt: skip
        with pytest.raises(BadRequest):
            await api.get_bars("MSFT", barsback=5, firstdate=date(2026, 11, 1))
    assert bars[0].close == Decimal("1.5")
    assert rec.paths == ["/v3/marketdata/barcharts/@ES", "/v3/marketdata/barcharts/ESZ26%20C4500"]
    first, second = (dict(r.url.params) for r in rec.requests)
    assert first == {"unit": "Minute", "interval": "5", "barsback": "10",
                     "sessiontemplate": "Default"}  # fmt: skip
    assert second == {"unit": "Daily", "interval": "1", "firstdate": "2026-11-01",
                      "lastdate": "2026-11-30T21:00:00Z"}  # fmt: skip


def test_quote_segment() -> None:
    assert quote_segment("@ES") == "@ES"
    assert quote_segment("ESZ26 C4500") == "ESZ26%20C4500"
    assert quote_segment("A/B?c#d") == "A%2FB%3Fc%23d"


async def test_quotes_chunk_100_and_symbols_chunk_50() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        segment = request.url.raw_path.decode().split("/")[-1]
        symbols = [s for s in segment.split(",") if s != "BAD"]
        key = "Quotes" if "/quotes/" in request.url.path else "Symbols"
        return ok({key: [{"Symbol": s, "Last": "1"} for s in symbols],
                   "Errors": [{"Symbol": "BAD", "Error": "FAILED, INVALID SYMBOL"}]})  # fmt: skip

    symbols = [f"S{n}" for n in range(150)]
    async with mock_api(handler) as (api, rec):
        quotes = await api.get_quotes(symbols)
        details = await api.get_symbols(["@ES", "BAD"])
    assert len(quotes) == 150 and len(quotes.errors) == 2  # one per request
    assert [len(p.split("/")[-1].split(",")) for p in rec.paths[:2]] == [100, 50]
    assert [d.symbol for d in details] == ["@ES"] and details.errors[0].id == "BAD"


async def test_routes() -> None:
    async with mock_api(
        lambda r: ok({"Routes": [{"Id": "AMEX", "Name": "AMEX", "AssetTypes": ["STOCK"]}]})
    ) as (api, _):
        routes = await api.get_routes()  # fmt: skip
    assert routes[0].id == "AMEX" and routes[0].asset_types == ("STOCK",)


async def test_confirm_and_place_bodies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["Symbol"] == "MSFT" and body["TimeInForce"] == {"Duration": "DAY"}
        if request.url.path.endswith("/orderconfirm"):
            return ok({"Confirmations": [{"OrderConfirmID": body["OrderConfirmID"],
                                          "EstimatedCost": "216.3",
                                          "SummaryMessage": "Buy 1 MSFT @ Market"}]})  # fmt: skip
        error = {"OrderID": "0", "Error": "FAILED", "Message": "too big"}
        return ok({"Orders": [{"OrderID": "11", "Message": "Sent order"}], "Errors": [error]})

    req = market_buy()
    async with mock_api(handler) as (api, rec):
        confirmations = await api.confirm_order(req)
        results = await api.place_order(req)
    assert confirmations[0].order_confirm_id == req.order_confirm_id
    assert confirmations[0].estimated_cost == Decimal("216.3")
    assert [(r.order_id, r.ok) for r in results] == [("11", True), ("0", False)]
    assert results[1].message == "too big"
    assert [r.method for r in rec.requests] == ["POST", "POST"]


async def test_place_tolerates_the_spec_array_form() -> None:
    body = [{"Orders": [{"OrderID": "1", "Message": "a"}]}, {"Errors": [
        {"OrderID": "2", "Error": "FAILED", "Message": "b"}]}]  # fmt: skip
    async with mock_api(lambda r: ok(body)) as (api, _):
        results = await api.place_order(market_buy())
    assert [(r.order_id, r.error) for r in results] == [("1", None), ("2", "FAILED")]


async def test_place_is_never_retried() -> None:
    async with mock_api(
        lambda r: httpx.Response(503, json={"Error": "ServiceUnavailable", "Message": "x"})
    ) as (api, rec):
        req = market_buy()  # fmt: skip
        with pytest.raises(OrderOutcomeUnknown) as info:
            await api.place_order(req)
    assert len(rec.requests) == 1
    assert info.value.order_confirm_id == req.order_confirm_id


def limit_order(price: str, action: str = "SELL", account: str = "A1") -> OrderRequest:
    return OrderRequest(
        account_id=account, symbol="ESZ26", quantity=Decimal(1), order_type="Limit",
        trade_action=action, limit_price=Decimal(price), duration="GTC",
        order_confirm_id=new_order_confirm_id(),
    )  # fmt: skip


async def test_group_confirm_and_place_bodies_and_paths() -> None:
    group = OrderGroupRequest(type="OCO", orders=(limit_order("4600"), limit_order("4700")))

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body == group.to_api()
        if request.url.path.endswith("/ordergroupconfirm"):
            return ok({"Confirmations": [
                {"OrderConfirmID": o["OrderConfirmID"], "SummaryMessage": "Sell 1"}
                for o in body["Orders"]]})  # fmt: skip
        return ok({"Orders": [{"OrderID": "1", "Message": "a"}, {"OrderID": "2", "Message": "b"}]})

    async with mock_api(handler) as (api, rec):
        confirmations = await api.confirm_group(group)
        results = await api.place_group(group)
    assert [c.order_confirm_id for c in confirmations] == [o.order_confirm_id for o in group.orders]
    assert [r.order_id for r in results] == ["1", "2"]
    assert rec.paths == [
        "/v3/orderexecution/ordergroupconfirm",
        "/v3/orderexecution/ordergroups",
    ]


async def test_group_place_is_never_retried() -> None:
    group = OrderGroupRequest(type="OCO", orders=(limit_order("4600"), limit_order("4700")))
    async with mock_api(
        lambda r: httpx.Response(503, json={"Error": "ServiceUnavailable", "Message": "x"})
    ) as (api, rec):
        with pytest.raises(OrderOutcomeUnknown):
            await api.place_group(group)
    assert len(rec.requests) == 1


async def test_replace_and_cancel() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            assert json.loads(request.content) == {"LimitPrice": "101.5"}
            return ok({"OrderID": "55", "Message": "Cancel/Replace order sent."})
        return ok({"OrderID": "55", "Message": "Cancel request sent"})

    async with mock_api(handler) as (api, rec):
        replaced = await api.replace_order("55", ReplaceRequest(limit_price=Decimal("101.5")))
        cancelled = await api.cancel_order("55")
    assert replaced.ok and replaced.order_id == "55"
    assert cancelled.message == "Cancel request sent"
    assert [(r.method, p) for r, p in zip(rec.requests, rec.paths, strict=True)] == [
        ("PUT", "/v3/orderexecution/orders/55"),
        ("DELETE", "/v3/orderexecution/orders/55"),
    ]


async def test_stream_positions_path_media_type_and_typed_frames() -> None:
    lines = [
        {"PositionID": "P1", "AccountID": "A1", "Quantity": "5", "LongShort": "Long"},
        {"StreamStatus": "EndSnapshot"},
        {"Heartbeat": 1, "Timestamp": "2026-12-01T15:00:00Z"},
        {"PositionID": "P1", "Deleted": True},
        {"Error": "Forbidden", "Message": "Invalid Account ID.", "AccountID": "ZZ"},
    ]
    payload = b"".join(json.dumps(line).encode() + b"\n" for line in lines)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload)

    events: list[Any] = []
    async with mock_api(handler) as (api, rec):
        stream = api.stream_positions(["A1", "ZZ"], changes=True)
        with anyio.fail_after(5):
            async for event in stream:
                events.append(event)
                if isinstance(event, StreamErrorFrame):
                    break
        await stream.aclose()
    request = rec.requests[0]
    assert request.url.path == "/v3/brokerage/stream/accounts/A1,ZZ/positions"
    assert request.url.params["changes"] == "true"
    assert request.headers["Accept"] == "application/vnd.tradestation.streams.v3+json"
    data = [e for e in events if not isinstance(e, StreamState)]
    assert isinstance(data[0], Position) and data[0].signed_quantity == 5
    assert data[1] == PositionDeleted("P1")
    assert data[2] == StreamErrorFrame("Forbidden", "Invalid Account ID.", "ZZ")
    assert any(isinstance(e, StreamState) and e.state == "snapshot_complete" for e in events)


async def test_stream_paths_for_quotes_bars_tickbars() -> None:
    accepts: dict[str, str] = {}
    params: dict[str, dict[str, str]] = {}
    async with mock_api(lambda r: httpx.Response(200, content=b"")) as (api, rec):
        checks: list[tuple[Any, str]] = [
            (api.stream_orders(["A1", "A2"]), "/v3/brokerage/stream/accounts/A1,A2/orders"),
            (api.stream_quotes(["@ES", "MSFT"]), "/v3/marketdata/stream/quotes/@ES,MSFT"),
            (api.stream_bars("@ES", "Minute", 5, 100),
             "/v3/marketdata/stream/barcharts/@ES"),
            (api.stream_tickbars("ESZ26", 10, 5), "/v2/stream/tickbars/ESZ26/10/5"),
        ]  # fmt: skip
        for stream, path in checks:
            before = len(rec.requests)
            with anyio.fail_after(5):
                async for _ in stream:
                    if len(rec.requests) > before:
                        break
            await stream.aclose()
            assert rec.paths[-1] == path
            accepts[path] = rec.requests[-1].headers["Accept"]
            params[path] = dict(rec.requests[-1].url.params)
    assert accepts["/v3/marketdata/stream/quotes/@ES,MSFT"] == (
        "application/vnd.tradestation.streams.v2+json"
    )
    assert accepts["/v2/stream/tickbars/ESZ26/10/5"] == "application/vnd.tradestation.streams+json"
    assert params["/v3/marketdata/stream/barcharts/@ES"] == {
        "unit": "Minute", "interval": "5", "barsback": "100",
    }  # fmt: skip
    with pytest.raises(BadRequest):
        api.stream_tickbars("ESZ26", 10, 11)
    with pytest.raises(BadRequest):
        api.stream_orders([f"A{n}" for n in range(26)])
    with pytest.raises(BadRequest):
        api.stream_quotes([])


# -- end to end against the simulator ----------------------------------------------------


# -- bodies as sent (`--json`): one request path, merged envelopes ---------------------------


def test_merge_envelopes_keeps_every_item_and_error() -> None:
    first = {"Orders": [{"OrderID": "1"}], "Errors": [{"OrderID": "9", "Error": "NotFound"}],
             "NextToken": "t1", "Extra": "first"}  # fmt: skip
    second = {"Orders": [{"OrderID": "2", "New": True}], "Extra": "second"}
    merged = merge_envelopes([first, second], "Orders")
    assert merged == {
        "Orders": [{"OrderID": "1"}, {"OrderID": "2", "New": True}],
        "Errors": [{"OrderID": "9", "Error": "NotFound"}],
        "Extra": "first",
    }
    assert merge_envelopes([second], "Orders") is second  # one answer: exactly as it came
    assert "NextToken" not in merge_envelopes([first], "Orders")  # a last, short page
    spec_array = [{"Orders": [{"OrderID": "1"}]}, {"Errors": [{"Error": "X"}]}]
    assert merge_envelopes([spec_array, second], "Orders") == {
        "Orders": [{"OrderID": "1"}, {"OrderID": "2", "New": True}],
        "Errors": [{"Error": "X"}],
        "Extra": "second",
    }


async def test_bodies_share_the_request_path_with_the_parsed_calls() -> None:
    pages = {None: (["1", "2"], "t1"), "t1": (["3"], None)}

    def handler(request: httpx.Request) -> httpx.Response:
        if "/balances" in request.url.path:
            ids = request.url.path.split("/")[4].split(",")
            return ok(
                {
                    "Balances": [{"AccountID": i, "Unknown": "kept"} for i in ids if i != "BAD"],
                    "Errors": [{"AccountID": "BAD", "Error": "Forbidden"}] * ("BAD" in ids),
                }
            )
        ids, token = pages[request.url.params.get("nextToken")]
        body: dict[str, Any] = {"Orders": [order_json(i) for i in ids], "Errors": []}
        if token:
            body["NextToken"] = token
        return ok(body)  # fmt: skip

    async with mock_api(handler) as (api, rec):
        balances = await api.get_balances_body([f"A{n}" for n in range(30)] + ["BAD"])
        orders = await api.get_orders_body(["A1"], page_size=2)
    assert len(balances["Balances"]) == 30 and balances["Balances"][0]["Unknown"] == "kept"
    assert balances["Errors"] == [{"AccountID": "BAD", "Error": "Forbidden"}]
    assert [o["OrderID"] for o in orders["Orders"]] == ["1", "2", "3"]
    assert "NextToken" not in orders
    assert len(rec.requests) == 4  # two balance batches, two order pages


async def test_order_answers_as_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/orderconfirm"):
            return ok({"Confirmations": [{"OrderConfirmID": "c1", "SummaryMessage": "BUY"}]})
        if request.method == "POST":
            return ok({"Orders": [{"OrderID": "5", "Message": "sent", "Unknown": 1}]})
        return ok({"OrderID": "5", "Message": "changed"})

    async with mock_api(handler) as (api, _):
        confirm = await api.confirm_order_body(market_buy().to_api())
        placed = await api.place_order_body(market_buy())
        replaced = await api.replace_order_body("5", ReplaceRequest(quantity=Decimal(2)))
        cancelled = await api.cancel_order_body("5")
    assert confirm["Confirmations"][0]["OrderConfirmID"] == "c1"
    assert placed == {"Orders": [{"OrderID": "5", "Message": "sent", "Unknown": 1}]}
    assert order_results(placed)[0].order_id == "5"
    assert replaced == cancelled == {"OrderID": "5", "Message": "changed"}
    assert single_result(cancelled, "5").ok


async def test_lookup_paths_and_params() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "cryptopairs" in request.url.path:
            return ok({"SymbolNames": ["BTCUSD", 7, "ETHUSD"]})
        if request.url.path.startswith("/v3/brokerage"):
            return ok({"Orders": [order_json("1")]})
        return ok([{"Name": "MSFT", "Description": "Microsoft", "Category": "Stock"}, "junk"])

    async with mock_api(handler) as (api, rec):
        names = await api.get_crypto_symbol_names()
        suggested = await api.suggest_symbols(
            "micro soft", top=3, odata_filter="Category eq 'Stock'"
        )
        found = await api.search_symbols({"N": "MSFT", "C": "Stock"})
        history = await api.get_historical_orders(["A1"], date(2026, 11, 5), ["1", "2"])
    assert names == ["BTCUSD", "ETHUSD"]
    assert [(m.name, m.description, m.category) for m in suggested] == [
        ("MSFT", "Microsoft", "Stock")
    ]
    assert [m.name for m in found] == ["MSFT"]
    assert [o.order_id for o in history] == ["1"]
    assert rec.paths == [
        "/v3/marketdata/symbollists/cryptopairs/symbolnames",
        "/v2/data/symbols/suggest/micro%20soft",
        "/v2/data/symbols/search/N=MSFT&C=Stock",
        "/v3/brokerage/accounts/A1/historicalorders/1,2",
    ]
    assert rec.requests[1].url.params["$top"] == "3"
    assert rec.requests[1].url.params["$filter"] == "Category eq 'Stock'"
    assert rec.requests[3].url.params["since"] == "2026-11-05"
    assert "pageSize" not in rec.requests[3].url.params  # by id: one answer, no pages


async def test_stream_of_given_order_ids() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"OrderID": "7", "Status": "OPN"}\n')

    async with mock_api(handler) as (api, rec):
        stream = api.stream_orders(["A1"], ["7", "8"])
        with anyio.fail_after(5):
            async for event in stream:
                if isinstance(event, Order):
                    break
        await stream.aclose()
        with pytest.raises(BadRequest):
            api.stream_orders(["A1"], [str(n) for n in range(51)])
    assert rec.paths[0] == "/v3/brokerage/stream/accounts/A1/orders/7,8"


@asynccontextmanager
async def sim_api(sim: SimServer, settings: Settings) -> AsyncIterator[TradeStationAPI]:
    async with token_session(sim, settings) as session:
        session.api.clock = lambda: NOW  # the simulator's frozen clock
        yield session.api


async def test_sim_every_rest_method(sim: SimServer, sim_settings: Settings) -> None:
    equities, futures, _cash = sim.accounts
    with anyio.fail_after(15):
        async with sim_api(sim, sim_settings) as api:
            accounts = await api.get_accounts()
            assert {a.account_id for a in accounts} >= {equities, futures}
            balances = await api.get_balances([a.account_id for a in accounts])
            assert len(balances.items) == len(accounts) and balances.ok
            assert all(b.equity is not None for b in balances)
            bod = await api.get_bod_balances([equities, "NOPE123"])
            assert [b.account_id for b in bod] == [equities] and bod.errors
            await api.get_positions([equities, futures])
            routes = await api.get_routes()
            assert routes and all(r.id for r in routes)
            symbols = await api.get_symbols(["@ES", "MSFT", "NOSUCH"])
            by_symbol = {s.symbol: s for s in symbols}
            assert by_symbol["@ES"].underlying and by_symbol["@ES"].tick_size == Decimal("0.25")
            assert [e.id for e in symbols.errors] == ["NOSUCH"]
            quotes = await api.get_quotes(["MSFT", "@ES"])
            assert {q.symbol for q in quotes} == {"MSFT", "@ES"}
            assert all(q.last is not None and q.last > 0 for q in quotes)
            bars = await api.get_bars("MSFT", unit="Minute", interval=1, barsback=5)
            assert len(bars) == 5 and all(b.timestamp.tzinfo is UTC for b in bars)
            daily = await api.get_bars("@ES", unit="Daily", barsback=3)
            assert len(daily) == 3

            req = market_buy(equities, "MSFT")
            confirmations = await api.confirm_order(req)
            assert confirmations and confirmations[0].estimated_price is not None
            placed = await api.place_order(req)
            assert placed[0].ok and placed[0].order_id
            again = await api.place_order(req)  # same OrderConfirmID: the API's duplicate guard
            assert not again[0].ok

            limit = OrderRequest(
                account_id=equities, symbol="MSFT", quantity=Decimal(1), order_type="Limit",
                trade_action="BUY", limit_price=Decimal("1.00"),
                order_confirm_id=new_order_confirm_id(), duration="GTC",
            )  # fmt: skip
            (working,) = await api.place_order(limit)
            assert working.order_id is not None
            replaced = await api.replace_order(
                working.order_id, ReplaceRequest(limit_price=Decimal("1.50"))
            )
            assert replaced.ok
            cancelled = await api.cancel_order(working.order_id)
            assert cancelled.ok

            orders = await api.get_orders([equities], page_size=1)
            ids = {o.order_id for o in orders}
            assert placed[0].order_id in ids and working.order_id in ids
            by_id = await api.get_orders([equities], order_ids=[working.order_id])
            assert [o.order_id for o in by_id] == [working.order_id]
            assert by_id.items[0].limit_price == Decimal("1.50")
            history = await api.get_historical_orders([equities], NOW.date() - timedelta(days=30))
            assert isinstance(history.items, tuple)
            positions = await api.get_positions([equities])
            assert any(p.symbol == "MSFT" for p in positions)
            since = NOW.date() - timedelta(days=30)
            old = history.items[-1].order_id
            by_id_history = await api.get_historical_orders([equities], since, [old])
            assert [o.order_id for o in by_id_history] == [old]
            assert "BTCUSD" in await api.get_crypto_symbol_names()
            assert any(m.name == "MSFT" for m in await api.suggest_symbols("MSF"))
            assert [m.name for m in await api.search_symbols("N=MSFT&C=Stock")] == ["MSFT"]


async def test_sim_groups_osos_and_activation_triggers(
    sim: SimServer, sim_settings: Settings
) -> None:
    _equities, futures, _cash = sim.accounts
    with anyio.fail_after(15):
        async with sim_api(sim, sim_settings) as api:
            keys = {t.key for t in await api.get_activation_triggers()}
            assert {"STT", "STTN", "SBA", "SAB", "DTT"} <= keys
            (quote,) = await api.get_quotes(["ESZ26"])
            assert quote.last is not None
            # An OCO of two far-away sells: confirmed, then placed as one group.
            far = [str(quote.last + 500), str(quote.last + 600)]
            oco = OrderGroupRequest(
                type="OCO", orders=tuple(limit_order(p, account=futures) for p in far)
            )
            assert len(await api.confirm_group(oco)) == 2
            placed = await api.place_group(oco)
            assert [r.ok for r in placed] == [True, True]
            ids = [r.order_id or "" for r in placed]
            orders = {o.order_id: o for o in await api.get_orders([futures], order_ids=ids)}
            for order_id in ids:
                links = orders[order_id].conditional_orders
                assert [(c.relationship, c.order_id) for c in links] == [
                    ("OCO", other) for other in ids if other != order_id
                ]
            for order_id in ids:
                assert (await api.cancel_order(order_id)).ok
            # A market entry with a bracket: one POST /orders; the exits come alive with it.
            entry = OrderRequest(
                account_id=futures, symbol="ESZ26", quantity=Decimal(1), order_type="Market",
                trade_action="BUY", order_confirm_id=new_order_confirm_id(),
            )  # fmt: skip
            bracket = build_bracket(
                entry, target=ExitSpec.ticks(40), stop=ExitSpec.ticks(40),
                reference_price=quote.last, increment=Decimal("0.25"), exit_duration="GTC",
            )  # fmt: skip
            assert await api.confirm_order(bracket)
            results = await api.place_order(bracket)
            assert results and all(r.ok for r in results)
            relations: set[str] = set()
            for _ in range(50):
                everything = await api.get_orders([futures])
                relations = {c.relationship or "" for o in everything for c in o.conditional_orders}
                if {"BRK", "OSO"} <= relations:
                    break
                await anyio.sleep(0.1)
            assert {"BRK"} <= relations


async def _first(stream: Any, want: Callable[[Any], bool], limit: float = 10) -> Any:
    with anyio.fail_after(limit):
        try:
            async for event in stream:
                if want(event):
                    return event
        finally:
            await stream.aclose()
    raise AssertionError("stream ended")


async def test_sim_every_stream(sim: SimServer, sim_settings: Settings) -> None:
    equities, futures, _cash = sim.accounts
    async with sim_api(sim, sim_settings) as api:
        (placed,) = await api.place_order(market_buy(equities, "MSFT"))
        order = await _first(api.stream_orders([equities]), lambda e: isinstance(e, Order))
        assert order.account_id == equities
        position = await _first(api.stream_positions([equities]), lambda e: isinstance(e, Position))
        assert position.symbol == "MSFT"
        quote = await _first(
            api.stream_quotes(["MSFT", "@ES"]), lambda e: getattr(e, "symbol", None) == "@ES"
        )
        assert quote.symbol == "@ES"
        bar = await _first(
            api.stream_bars("MSFT", "Minute", 1, 5), lambda e: hasattr(e, "bar_status")
        )
        assert bar.close > 0
        details = await api.get_symbols(["@ES"])
        front = details.items[0].underlying
        assert front
        tick = await _first(api.stream_tickbars(front, 1, 5), lambda e: hasattr(e, "flags"))
        assert tick.timestamp.tzinfo is UTC and tick.close > 0
    assert placed.ok and futures


def test_a_symbol_that_is_not_valid_text_is_a_bad_request() -> None:
    from tstui.client.api import quote_segment

    assert quote_segment("@ES") == "@ES"
    assert quote_segment("BRK B/1") == "BRK%20B%2F1"
    with pytest.raises(BadRequest, match="not valid text"):
        quote_segment("AA\ud800PL")
