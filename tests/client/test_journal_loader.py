"""Loading the journal through the real API client over ``httpx.MockTransport``: historical
pages followed by NextToken, today's orders, one snapshot per order id, futures point values
from the symbol details (the product table for a contract the API does not describe)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import httpx
import pytest

from tstui.client.api import TradeStationAPI
from tstui.client.http import HttpSession
from tstui.client.journal import load_journal
from tstui.domain.models import Order

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class _Auth:
    async def access_token(self) -> str:
        return "access"

    async def refresh_after_401(self, stale_access_token: str) -> str:
        return "access-2"


def _order(
    order_id: str,
    symbol: str,
    action: str,
    executed: str,
    price: str,
    closed: str,
    *,
    ordered: str | None = None,
    status: str = "FLL",
    fee: str = "0",
    asset: str = "STOCK",
) -> dict[str, Any]:
    return {
        "AccountID": "A1", "OrderID": order_id, "Status": status, "OrderType": "Market",
        "OpenedDateTime": closed, "ClosedDateTime": closed, "CommissionFee": fee,
        "Legs": [{"Symbol": symbol, "BuyOrSell": action, "AssetType": asset,
                  "QuantityOrdered": ordered or executed, "ExecQuantity": executed,
                  "ExecutionPrice": price}],
    }  # fmt: skip


ES_BUY = _order("1", "ESZ26", "Buy", "2", "6000.00", "2026-11-10T15:00:00Z", fee="3.00",
                asset="FUTURE")  # fmt: skip
ES_SELL = _order("2", "ESZ26", "Sell", "2", "6010.25", "2026-11-11T15:00:00Z", fee="3.00",
                 asset="FUTURE")  # fmt: skip
MSFT_PARTIAL = _order("3", "MSFT", "Buy", "60", "400.00", "2026-11-20T15:00:00Z",
                      ordered="100", status="FLP")  # fmt: skip
CL_BUY_OLD = _order("4", "CLF27", "Buy", "1", "70.00", "2026-11-30T15:00:00Z", ordered="2",
                    status="FPR", asset="FUTURE")  # fmt: skip
CL_BUY_NOW = _order("4", "CLF27", "Buy", "2", "70.50", "2026-12-01T14:00:00Z",
                    asset="FUTURE")  # fmt: skip
MSFT_SELL = _order("5", "MSFT", "Sell", "60", "405.00", "2026-12-01T14:30:00Z")


@asynccontextmanager
async def api_over(handler: Any, requests: list[httpx.Request]) -> AsyncIterator[TradeStationAPI]:
    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        response: httpx.Response = handler(request)
        return response

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    http = HttpSession("https://api.test", _Auth(), client=client)
    try:
        yield TradeStationAPI(http, clock=lambda: NOW)
    finally:
        await http.aclose()
        await client.aclose()


def answer(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/historicalorders"):
        assert request.url.params["since"] == "2026-09-02"  # 90 days before today
        if request.url.params.get("nextToken") == "page2":
            return httpx.Response(200, json={"Orders": [MSFT_PARTIAL, CL_BUY_OLD]})
        return httpx.Response(200, json={"Orders": [ES_SELL, ES_BUY], "NextToken": "page2"})
    if path.endswith("/orders"):
        return httpx.Response(200, json={"Orders": [CL_BUY_NOW, MSFT_SELL]})
    if path.startswith("/v3/marketdata/symbols/"):
        return httpx.Response(
            200,
            json={
                "Symbols": [
                    {"Symbol": "ESZ26", "AssetType": "FUTURE", "PriceFormat": {"PointValue": "50"}}
                ],
                "Errors": [{"Symbol": "CLF27", "Error": "NotFound", "Message": "expired"}],
            },
        )
    return httpx.Response(404, json={"Error": "NotFound", "Message": path})


async def test_pages_today_dedupe_and_point_values() -> None:
    requests: list[httpx.Request] = []
    async with api_over(answer, requests) as api:
        loaded = await load_journal(api, ["A1"], page_size=2)
    paths = [r.url.path for r in requests]
    assert paths == [
        "/v3/brokerage/accounts/A1/historicalorders",
        "/v3/brokerage/accounts/A1/historicalorders",  # the NextToken page
        "/v3/brokerage/accounts/A1/orders",
        "/v3/marketdata/symbols/CLF27,ESZ26",  # futures only, each once
    ]
    assert loaded.orders == 5  # order 4 is in both lists: counted once, today's snapshot
    assert loaded.since == date(2026, 9, 2)
    es, msft = sorted(loaded.journal.round_trips, key=lambda t: t.symbol)
    # ESZ26: 2 contracts, 10.25 points, 50 a point = 1,025.00; 3.00 + 3.00 commission
    assert (es.point_value, es.gross, es.commission, es.net) == (
        D(50),
        D("1025.0000"),
        D("6.00"),
        D("1019.0000"),
    )
    # MSFT: only the 60 that executed of the 100 ordered, sold at 405
    assert (msft.quantity, msft.entry_price, msft.exit_price, msft.net) == (
        D(60),
        D("400.00"),
        D("405.00"),
        D("300.00"),
    )
    (cl,) = loaded.journal.open_lots()
    # CLF27 from today's snapshot alone: 2 at 70.50, point value from the product table
    assert (cl.quantity, cl.price, cl.point_value) == (D(2), D("70.50"), D(1000))


async def test_later_snapshots_add_only_what_they_executed() -> None:
    async with api_over(answer, []) as api:
        loaded = await load_journal(api, ["A1"], page_size=2)
    assert loaded.add_order(Order.from_api(MSFT_SELL)) == []  # a replayed snapshot
    partial = _order("6", "CLF27", "Sell", "1", "71.00", "", status="FPR", asset="FUTURE")
    del partial["ClosedDateTime"]
    partial["OpenedDateTime"] = "2026-12-01T14:40:00Z"
    at = datetime(2026, 12, 1, 14, 45, tzinfo=UTC)
    (fill,) = loaded.add_order(Order.from_api(partial), at=at)
    assert (fill.quantity, fill.time) == (D(-1), at)  # still working: stamped when seen
    (trip,) = [t for t in loaded.journal.round_trips if t.symbol == "CLF27"]
    assert trip.net == D("500.00")  # (71.00 - 70.50) x 1 x 1000
