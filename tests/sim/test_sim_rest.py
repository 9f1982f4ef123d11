"""REST endpoints: contents, per-item errors, pagination, bad inputs, rate limits, roll."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest
from sim_helpers import FUTURES, MARGIN, get_token

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer


def test_accounts_balances_positions(api: httpx.Client) -> None:
    accounts = api.get("/v3/brokerage/accounts").json()["Accounts"]
    assert {a["AccountID"]: a["AccountType"] for a in accounts} == {
        "SIM1000001M": "Margin",
        "SIM1000002F": "Futures",
        "SIM1000003C": "Cash",
    }
    balances = api.get(f"/v3/brokerage/accounts/{MARGIN},NOPE/balances").json()
    assert balances["Balances"][0]["AccountID"] == MARGIN
    assert balances["Errors"] == [
        {"AccountID": "NOPE", "Error": "NotFound", "Message": "Account NOPE was not found."}
    ]
    positions = api.get(f"/v3/brokerage/accounts/{MARGIN}/positions").json()["Positions"]
    assert {p["Symbol"] for p in positions} == {"MSFT", "AAPL"}
    assert api.get(f"/v3/brokerage/accounts/{FUTURES}/positions").json()["Positions"] == []
    too_many = ",".join(f"A{i}" for i in range(26))
    assert api.get(f"/v3/brokerage/accounts/{too_many}/balances").status_code == 400


def test_today_orders_and_history_pagination(api: httpx.Client) -> None:
    today = api.get(f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/orders").json()["Orders"]
    assert {o["Status"] for o in today} >= {"OPN", "FLL"}
    url = f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/historicalorders"
    everything = api.get(url, params={"since": "2026-09-02"}).json()["Orders"]
    assert len(everything) > 100
    seen: list[str] = []
    params = {"since": "09/02/2026", "pageSize": "37"}
    while True:
        page = api.get(url, params=params).json()
        seen += [o["OrderID"] for o in page["Orders"]]
        if "NextToken" not in page:
            break
        params["nextToken"] = page["NextToken"]
    assert seen == [o["OrderID"] for o in everything]
    assert api.get(url, params={"since": "2026-08-01"}).status_code == 400  # > 90 days
    assert api.get(url).status_code == 400
    assert api.get(url, params={"since": "yesterday"}).status_code == 400
    bad_token = api.get(url, params={"since": "2026-09-02", "pageSize": "5", "nextToken": "zz"})
    assert bad_token.status_code == 400
    assert api.get(url, params={"since": "2026-09-02", "pageSize": "601"}).status_code == 400


def test_bars(api: httpx.Client) -> None:
    minute = api.get("/v3/marketdata/barcharts/MSFT", params={"unit": "Minute", "barsback": 10})
    bars = minute.json()["Bars"]
    assert len(bars) == 10 and bars[-1]["BarStatus"] == "Open"
    assert all(b["BarStatus"] == "Closed" for b in bars[:-1])
    assert bars[-2]["TimeStamp"] == "2026-12-01T15:00:00Z"
    daily = api.get("/v3/marketdata/barcharts/MSFT", params={"barsback": 5}).json()["Bars"]
    assert [b["TimeStamp"][11:] for b in daily] == ["21:00:00Z"] * 5
    ranged = api.get(  # @ES: 14:00Z is before the stock session opens (09:30 New York)
        "/v3/marketdata/barcharts/@ES",
        params={
            "unit": "Minute",
            "interval": "5",
            "firstdate": "2026-12-01T14:00:00Z",
            "lastdate": "2026-12-01T14:30:00Z",
        },
    ).json()["Bars"]
    assert [b["TimeStamp"][11:16] for b in ranged][:2] == ["14:00", "14:05"]
    assert ranged[-1]["TimeStamp"] == "2026-12-01T14:30:00Z"
    weekly = api.get("/v3/marketdata/barcharts/@ES", params={"unit": "Weekly", "barsback": 3})
    monthly = api.get("/v3/marketdata/barcharts/GCG27", params={"unit": "monthly", "barsback": 3})
    assert len(weekly.json()["Bars"]) == 3 and len(monthly.json()["Bars"]) == 3
    same = api.get("/v3/marketdata/barcharts/MSFT", params={"barsback": 5}).json()["Bars"]
    assert same == daily  # deterministic


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "Hourly"},
        {"unit": "Minute", "interval": "0"},
        {"unit": "Minute", "interval": "1441"},
        {"unit": "Daily", "interval": "2"},
        {"unit": "Minute", "barsback": "57601"},
        {"unit": "Minute", "barsback": "abc"},
        {"barsback": "5", "firstdate": "2026-11-01"},
        {"firstdate": "nonsense"},
        {"sessiontemplate": "Weird"},
    ],
)
def test_bad_bar_queries(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/v3/marketdata/barcharts/MSFT", params=params)
    assert response.status_code == 400
    assert response.json()["Error"] == "BadRequest" and response.json()["Message"]


def test_unknown_symbol_and_bad_order_json(api: httpx.Client) -> None:
    assert api.get("/v3/marketdata/barcharts/NOPE").status_code == 404
    quotes = api.get("/v3/marketdata/quotes/MSFT,NOPE").json()
    assert len(quotes["Quotes"]) == 1 and quotes["Errors"][0]["Symbol"] == "NOPE"
    for content in (b"{not json", b"[]", b'{"AccountID": "SIM1000001M"}', b""):
        response = api.post(
            "/v3/orderexecution/orders",
            content=content,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400, content
        assert response.json()["Error"] == "BadRequest"
    bad_tif = api.post(
        "/v3/orderexecution/orders",
        json={
            "AccountID": MARGIN,
            "Symbol": "MSFT",
            "Quantity": "1",
            "OrderType": "Market",
            "TradeAction": "BUY",
            "TimeInForce": {"Duration": "FOREVER"},
        },
    )
    assert bad_tif.status_code == 400
    assert api.put("/v3/orderexecution/orders/1", content=b"[").status_code == 400
    assert api.get("/v3/nothing/here").status_code == 404


def test_continuous_symbol_rolls_with_the_clock(
    api: httpx.Client, control: SimControl, server: SimServer
) -> None:
    def underlying() -> str:
        api.headers["Authorization"] = f"Bearer {get_token(server)}"  # days pass: new token
        symbols = api.get("/v3/marketdata/symbols/@ES").json()["Symbols"]
        return str(symbols[0]["Underlying"])

    assert underlying() == "ESZ26"
    detail = api.get("/v3/marketdata/symbols/@ES").json()["Symbols"][0]
    assert detail["PriceFormat"]["Increment"] == "0.25"
    assert detail["PriceFormat"]["PointValue"] == "50"
    control.set_clock("2026-12-09T23:59:00Z")
    assert underlying() == "ESZ26"
    control.set_clock("2026-12-11T15:00:00Z")
    assert underlying() == "ESH27"
    with pytest.raises(httpx.HTTPStatusError):
        control.set_clock("2026-12-01T00:00:00Z")  # never backward


def test_rate_limit_answers_429(api: httpx.Client, control: SimControl) -> None:
    for _ in range(30):
        assert api.get("/v3/marketdata/quotes/MSFT").status_code == 200
    limited = api.get("/v3/marketdata/quotes/MSFT")
    assert limited.status_code == 429
    assert limited.json()["Error"] == "TooManyRequests"
    assert int(limited.headers["Retry-After"]) >= 1
    control.advance(61)  # the quote window is one minute of sim time
    assert api.get("/v3/marketdata/quotes/MSFT").status_code == 200


def test_concurrent_orders_are_safe(api: httpx.Client, server: SimServer) -> None:
    def place(i: int) -> int:
        response = api.post(
            "/v3/orderexecution/orders",
            json={
                "AccountID": MARGIN,
                "Symbol": "AAPL",
                "Quantity": "1",
                "OrderType": "Limit",
                "LimitPrice": "1.00",
                "TradeAction": "BUY",
                "TimeInForce": {"Duration": "GTC"},
                "OrderConfirmID": f"c{i % 10}",
            },
        )
        return response.status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(place, range(40)))
    assert codes == [200] * 40
    state = server.control().state()
    confirm_ids = [o for o in state["accounts"][MARGIN]["orders"] if o.get("LimitPrice") == "1.00"]
    assert len(confirm_ids) == 10  # one order per OrderConfirmID


def test_order_stream_concurrency_limit(api: httpx.Client, server: SimServer) -> None:
    server.ctx.open_streams["orders"] = 40  # as if 40 order streams were open
    limited = api.get(f"/v3/brokerage/stream/accounts/{MARGIN}/orders")
    assert limited.status_code == 429 and limited.json()["Error"] == "TooManyRequests"
    server.ctx.open_streams["orders"] = 0
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders") as response:
        assert response.status_code == 200
