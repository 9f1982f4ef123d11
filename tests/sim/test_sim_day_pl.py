"""Day P&L and beginning-of-day figures agree with equity, whatever was traded today."""

from __future__ import annotations

from decimal import Decimal

import httpx
from sim_helpers import FUTURES, MARGIN, order_body

from tstui.sim.control import SimControl


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
