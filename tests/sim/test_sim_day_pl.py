"""Day P&L and beginning-of-day figures agree with equity, whatever was traded today."""

from __future__ import annotations

from decimal import Decimal

import httpx
from sim_helpers import FUTURES, MARGIN, get_token, order_body

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer


def figures(api: httpx.Client, account: str) -> tuple[Decimal, Decimal, Decimal]:
    (balance,) = api.get(f"/v3/brokerage/accounts/{account}/balances").json()["Balances"]
    (bod,) = api.get(f"/v3/brokerage/accounts/{account}/bodbalances").json()["BODBalances"]
    return (
        Decimal(balance["Equity"]),
        Decimal(bod["BalanceDetail"]["Equity"]),
        Decimal(balance["TodaysProfitLoss"]),
    )


def test_day_pl_is_equity_less_bod_equity_after_trades(
    api: httpx.Client, control: SimControl
) -> None:
    equity, bod_before, day_pl = figures(api, MARGIN)
    assert abs(equity - bod_before - day_pl) <= Decimal("0.02")
    for action, qty in (("BUY", "10"), ("SELL", "30")):  # add MSFT, then sell more than bought
        body = order_body(Symbol="MSFT", TradeAction=action, Quantity=qty, OrderType="Market")
        assert api.post("/v3/orderexecution/orders", json=body).json().get("Orders")
    control.set_price("MSFT", "450.00")
    equity, bod_after, day_pl = figures(api, MARGIN)
    assert bod_after == bod_before  # today's trades never change the start of the day
    assert abs(equity - bod_after - day_pl) <= Decimal("0.02")
    (pos,) = [
        p
        for p in api.get(f"/v3/brokerage/accounts/{MARGIN}/positions").json()["Positions"]
        if p["Symbol"] == "MSFT"
    ]
    assert Decimal(pos["Quantity"]) == Decimal(80)


def test_futures_day_pl_counts_today_fills(api: httpx.Client, control: SimControl) -> None:
    symbol = api.get("/v3/marketdata/symbols/@ES").json()["Symbols"][0]["Underlying"]
    body = order_body(
        AccountID=FUTURES, Symbol=symbol, TradeAction="BUY", Quantity="1", OrderType="Market"
    )
    assert api.post("/v3/orderexecution/orders", json=body).json().get("Orders")
    equity, bod, day_pl = figures(api, FUTURES)
    assert abs(equity - bod - day_pl) <= Decimal("0.02")


def _position(api: httpx.Client, symbol: str) -> dict[str, str]:
    positions = api.get(f"/v3/brokerage/accounts/{MARGIN}/positions").json()["Positions"]
    (found,) = [p for p in positions if p["Symbol"] == symbol]
    return dict(found)


def test_position_day_pl_from_previous_close_then_from_fill_price(
    api: httpx.Client, control: SimControl
) -> None:
    control.set_price("MSFT", "431.00")
    (quote,) = api.get("/v3/marketdata/quotes/MSFT").json()["Quotes"]
    held = _position(api, "MSFT")
    overnight = Decimal(held["Quantity"])
    # shares held before today: measured from the previous close, exactly the quote's change
    assert Decimal(held["TodaysProfitLoss"]) == overnight * Decimal(quote["NetChange"])
    assert Decimal(quote["NetChange"]) == Decimal("431.00") - Decimal(quote["PreviousClose"])
    placed = api.post("/v3/orderexecution/orders", json=order_body(Quantity="10")).json()
    order_id = placed["Orders"][0]["OrderID"]
    (order,) = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/{order_id}").json()["Orders"]
    fill = Decimal(order["FilledPrice"])
    assert fill != Decimal(quote["PreviousClose"])
    control.set_price("MSFT", "433.00")
    (quote,) = api.get("/v3/marketdata/quotes/MSFT").json()["Quotes"]
    now = _position(api, "MSFT")
    assert Decimal(now["Quantity"]) == overnight + 10
    # shares bought today: measured from their fill price (less today's commission)
    expected = (
        overnight * Decimal(quote["NetChange"])
        + 10 * (Decimal("433.00") - fill)
        - Decimal(order["CommissionFee"])
    )
    assert Decimal(now["TodaysProfitLoss"]) == expected.quantize(Decimal("0.01"))


def test_previous_close_on_a_monday_is_fridays_close(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    control.set_clock("2026-12-07T15:00:00Z")  # a Monday
    api.headers["Authorization"] = f"Bearer {get_token(server)}"  # the old one expired
    (quote,) = api.get("/v3/marketdata/quotes/MSFT").json()["Quotes"]
    daily = api.get(
        "/v3/marketdata/barcharts/MSFT", params={"unit": "Daily", "barsback": 2}
    ).json()["Bars"]
    assert daily[0]["TimeStamp"] == "2026-12-04T21:00:00Z"  # Friday's bar
    assert quote["PreviousClose"] == daily[0]["Close"]
