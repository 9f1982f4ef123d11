"""Order entry and matching: fills, crosses, cancel/replace, rejections, positions, P&L."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sim_helpers import CASH, FUTURES, MARGIN, last_price, order_body

from tstui.sim.control import SimControl


def _place(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = api.post("/v3/orderexecution/orders", json=order_body(**fields))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _order(api: httpx.Client, order_id: str, account: str = MARGIN) -> dict[str, Any]:
    orders = api.get(f"/v3/brokerage/accounts/{account}/orders/{order_id}").json()["Orders"]
    assert orders, order_id
    found: dict[str, Any] = orders[0]
    return found


def _position(api: httpx.Client, account: str, symbol: str) -> dict[str, Any] | None:
    positions = api.get(f"/v3/brokerage/accounts/{account}/positions").json()["Positions"]
    return next((p for p in positions if p["Symbol"] == symbol), None)


def test_market_order_fills_at_the_touch(api: httpx.Client) -> None:
    quote = api.get("/v3/marketdata/quotes/SPY").json()["Quotes"][0]
    order_id = _place(api, Symbol="SPY", Quantity="3")["Orders"][0]["OrderID"]
    order = _order(api, order_id)
    assert order["Status"] == "FLL" and order["FilledPrice"] == quote["Ask"]
    assert order["Legs"][0]["ExecQuantity"] == "3"
    position = _position(api, MARGIN, "SPY")
    assert position is not None and position["Quantity"] == "3"
    assert position["AveragePrice"] == quote["Ask"]
    sell = _place(api, Symbol="SPY", Quantity="3", TradeAction="SELL")["Orders"][0]["OrderID"]
    assert _order(api, sell)["FilledPrice"] == quote["Bid"]
    assert _position(api, MARGIN, "SPY") is None


def test_limit_fills_when_price_crosses(api: httpx.Client, control: SimControl) -> None:
    last = Decimal(str(last_price(api, "MSFT")))
    limit = last - Decimal(5)
    order_id = _place(api, OrderType="Limit", LimitPrice=str(limit))["Orders"][0]["OrderID"]
    assert _order(api, order_id)["Status"] == "OPN"
    control.set_price("MSFT", str(limit + Decimal("0.50")))
    assert _order(api, order_id)["Status"] == "OPN"
    control.set_price("MSFT", str(limit - Decimal("0.10")))
    filled = _order(api, order_id)
    assert filled["Status"] == "FLL"
    assert Decimal(filled["FilledPrice"]) <= limit


def test_stop_and_stop_limit(api: httpx.Client, control: SimControl) -> None:
    last = Decimal(str(last_price(api, "NVDA")))
    stop_id = _place(api, Symbol="NVDA", OrderType="StopMarket", StopPrice=str(last + 2))["Orders"][
        0
    ]["OrderID"]
    stop_limit_id = _place(
        api,
        Symbol="NVDA",
        TradeAction="SELL",
        Quantity="5",
        OrderType="StopLimit",
        StopPrice=str(last - 2),
        LimitPrice=str(last - 3),
    )["Orders"][0]["OrderID"]
    assert _order(api, stop_id)["Status"] == "OPN"
    control.set_price("NVDA", str(last + 2))
    assert _order(api, stop_id)["Status"] == "FLL"
    control.set_price("NVDA", str(last - Decimal("3.50")))  # stop hit, but below the limit
    assert _order(api, stop_limit_id)["Status"] == "OPN"
    control.set_price("NVDA", str(last - Decimal("2.50")))
    assert _order(api, stop_limit_id)["Status"] == "FLL"


def test_cancel_and_replace(api: httpx.Client, control: SimControl) -> None:
    last = Decimal(str(last_price(api, "AAPL")))
    order_id = _place(api, Symbol="AAPL", OrderType="Limit", LimitPrice=str(last - 10))["Orders"][
        0
    ]["OrderID"]
    replaced = api.put(
        f"/v3/orderexecution/orders/{order_id}", json={"LimitPrice": str(last - 1), "Quantity": "4"}
    )
    assert replaced.json() == {"OrderID": order_id, "Message": "Cancel/Replace order sent."}
    order = _order(api, order_id)
    assert order["LimitPrice"] == f"{last - 1:.2f}" and order["Legs"][0]["QuantityOrdered"] == "4"
    control.set_price("AAPL", str(last - 2))
    assert _order(api, order_id)["Status"] == "FLL"
    again = api.put(f"/v3/orderexecution/orders/{order_id}", json={"LimitPrice": "1.00"})
    assert again.status_code == 400 and again.json()["Error"] == "BadRequest"
    other = _place(api, Symbol="AAPL", OrderType="Limit", LimitPrice="1.00")["Orders"][0]["OrderID"]
    cancelled = api.delete(f"/v3/orderexecution/orders/{other}")
    assert cancelled.json() == {"OrderID": other, "Message": "Cancel request sent"}
    assert _order(api, other)["Status"] == "CAN"
    assert api.delete(f"/v3/orderexecution/orders/{other}").status_code == 400
    assert api.delete("/v3/orderexecution/orders/999").status_code == 404


def _reject_reason(api: httpx.Client, **fields: Any) -> str:
    body = _place(api, **fields)
    assert "Orders" not in body
    error = body["Errors"][0]
    assert error["Error"] == "FAILED"
    order = _order(api, error["OrderID"], fields.get("AccountID", MARGIN))
    assert order["Status"] == "REJ" and order["RejectReason"] == error["Message"]
    return str(error["Message"])


def test_rejections(api: httpx.Client) -> None:
    assert "greater than zero" in _reject_reason(api, Quantity="0")
    assert "greater than zero" in _reject_reason(api, Quantity="-5")
    assert "whole" in _reject_reason(api, Quantity="1.5")
    assert "not valid" in _reject_reason(api, Symbol="ZZZZ")
    assert "tick" in _reject_reason(api, OrderType="Limit", LimitPrice="100.005")
    assert "buying power" in _reject_reason(api, Quantity="100000")
    assert "Continuous" in _reject_reason(api, AccountID=FUTURES, Symbol="@ES")
    assert "cannot trade" in _reject_reason(api, AccountID=FUTURES, Symbol="MSFT")
    assert "LimitPrice" in _reject_reason(api, OrderType="Limit")
    assert "Route" in _reject_reason(api, Route="CME")
    assert "Orders" in _place(api, Route="NSDQ", Quantity="1")
    assert "cash account" in _reject_reason(api, AccountID=CASH, TradeAction="SELLSHORT")
    assert "tick" in _reject_reason(
        api, AccountID=FUTURES, Symbol="ESZ26", OrderType="Limit", LimitPrice="6000.10"
    )


def test_order_confirm_id_guards_duplicates(api: httpx.Client, server: Any) -> None:
    first = _place(api, OrderConfirmID="intent-1")
    assert "Orders" in first
    before = len(server.engine.orders)
    second = _place(api, OrderConfirmID="intent-1")
    assert "Orders" not in second and "Duplicate" in second["Errors"][0]["Message"]
    assert len(server.engine.orders) == before
    unknown = _place(api, AccountID="SIM999")
    assert "OrderID" not in unknown["Errors"][0]


def test_futures_pnl_uses_point_value(api: httpx.Client, control: SimControl) -> None:
    symbol = "ESZ26"
    quote = api.get(f"/v3/marketdata/quotes/{symbol}").json()["Quotes"][0]
    _place(api, AccountID=FUTURES, Symbol=symbol, Quantity="2")
    entry = Decimal(quote["Ask"])
    control.set_price(symbol, str(entry + 10))
    position = _position(api, FUTURES, symbol)
    assert position is not None
    assert Decimal(position["UnrealizedProfitLoss"]) == Decimal(10) * 2 * 50
    before = api.get(f"/v3/brokerage/accounts/{FUTURES}/balances").json()["Balances"][0]
    _place(api, AccountID=FUTURES, Symbol=symbol, Quantity="2", TradeAction="SELL")
    after = api.get(f"/v3/brokerage/accounts/{FUTURES}/balances").json()["Balances"][0]
    realized = Decimal(after["BalanceDetail"]["RealizedProfitLoss"])
    assert realized == (Decimal(10) - Decimal("0.25")) * 2 * 50  # sold at the bid
    assert Decimal(after["CashBalance"]) > Decimal(before["CashBalance"])
    assert Decimal(after["Commission"]) == Decimal("6.00")  # 4 sides x 1.50


def test_confirm_estimates(api: httpx.Client) -> None:
    body = api.post(
        "/v3/orderexecution/orderconfirm",
        json=order_body(OrderType="Limit", LimitPrice="100.00", OrderConfirmID="x"),
    ).json()["Confirmations"][0]
    assert body["EstimatedPrice"] == "100.00" and body["EstimatedCost"] == "1000.00"
    assert body["OrderConfirmID"] == "x" and body["TimeInForce"] == {"Duration": "DAY"}
    bad = api.post("/v3/orderexecution/orderconfirm", json=order_body(Quantity="0"))
    assert bad.status_code == 400


def test_ioc_and_expiry(api: httpx.Client, control: SimControl) -> None:
    ioc = _place(api, OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "IOC"})
    assert _order(api, ioc["Orders"][0]["OrderID"])["Status"] == "CAN"
    one_minute = _place(api, OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "1"})
    control.advance(61)
    assert _order(api, one_minute["Orders"][0]["OrderID"])["Status"] == "EXP"


def test_buying_power_drops_after_buy(api: httpx.Client) -> None:
    url = f"/v3/brokerage/accounts/{MARGIN}/balances"
    before = Decimal(api.get(url).json()["Balances"][0]["BuyingPower"])
    _place(api, Quantity="100")
    after = Decimal(api.get(url).json()["Balances"][0]["BuyingPower"])
    assert after < before
