"""Options settle at expiry on the simulator's clock: in the money into stock at the strike
(exercise of a long, assignment of a short), out of the money worthless; the option
positions close, the stock position moves, and the orders list shows each step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sim_helpers import FUTURES, MARGIN, get_token

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

EXECUTION = "/v3/orderexecution"
EXPIRY = "2026-12-04"  # the first weekly of the test clock (2026-12-01)
LONG_CALL = "MSFT 261204C425"  # in the money at 447
LONG_PUT = "MSFT 261204P400"  # out of the money
SHORT_PUT = "MSFT 261204P470"  # in the money: assigned, the account buys
HUNDRED = Decimal(100)


def _place(api: httpx.Client, symbol: str, action: str, **extra: Any) -> str:
    body: dict[str, Any] = {
        "AccountID": MARGIN,
        "Symbol": symbol,
        "Quantity": "1",
        "OrderType": "Market",
        "TradeAction": action,
        "TimeInForce": {"Duration": "GTC"},
    }
    body.update(extra)
    answer = api.post(f"{EXECUTION}/orders", json=body).json()
    assert "Errors" not in answer, answer
    return str(answer["Orders"][0]["OrderID"])


def _positions(api: httpx.Client) -> dict[str, Decimal]:
    body = api.get(f"/v3/brokerage/accounts/{MARGIN}/positions").json()
    return {p["Symbol"]: Decimal(p["Quantity"]) for p in body["Positions"]}


def _cash(api: httpx.Client) -> Decimal:
    body = api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()
    return Decimal(body["Balances"][0]["CashBalance"])


def _orders(api: httpx.Client) -> list[dict[str, Any]]:
    return list(api.get(f"/v3/brokerage/accounts/{MARGIN}/orders").json()["Orders"])


def _signed_in(api: httpx.Client, server: SimServer) -> None:
    """A fresh token: days of sim clock outlive the first one."""
    api.headers["Authorization"] = f"Bearer {get_token(server)}"


def test_options_settle_at_expiry_into_stock_or_worthless(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    _place(api, LONG_CALL, "BUYTOOPEN")
    _place(api, LONG_PUT, "BUYTOOPEN")
    _place(api, SHORT_PUT, "SELLTOOPEN")
    resting = _place(api, LONG_CALL, "BUYTOOPEN", OrderType="Limit", LimitPrice="0.01")
    before = _positions(api)
    shares = before["MSFT"]
    cash = _cash(api)

    control.set_clock(f"{EXPIRY}T20:58:00Z")
    control.set_price("MSFT", "447.00")  # settles at ~447: 425 call and 470 put in the money
    _signed_in(api, server)
    assert _positions(api)[LONG_CALL] == 1  # not yet: options live until 21:00 UTC
    control.set_clock(f"{EXPIRY}T21:05:00Z")
    _signed_in(api, server)

    after = _positions(api)
    assert not {LONG_CALL, LONG_PUT, SHORT_PUT} & set(after)
    # the long call buys 100 at 425, the short put is assigned 100 at 470
    assert after["MSFT"] == shares + 2 * HUNDRED
    assert _cash(api) == cash - (Decimal(425) + Decimal(470)) * HUNDRED

    orders = _orders(api)
    settled = {
        (o["Routing"], o["Legs"][0]["Symbol"], o["Legs"][0]["BuyOrSell"], o.get("FilledPrice"))
        for o in orders
        if o["Routing"] in ("Exercise", "Assignment", "Expiration")
    }
    assert settled == {
        ("Exercise", LONG_CALL, "Sell", "0.00"),
        ("Exercise", "MSFT", "Buy", "425.00"),
        ("Expiration", LONG_PUT, "Sell", "0.00"),
        ("Assignment", SHORT_PUT, "Buy", "0.00"),
        ("Assignment", "MSFT", "Buy", "470.00"),
    }
    path = f"/v3/brokerage/accounts/{MARGIN}/historicalorders/{resting}?since=2026-12-01"
    (expired,) = api.get(path).json()["Orders"]
    assert expired["Status"] == "EXP"  # a working option order ends with its option


def test_an_expired_option_cannot_be_ordered(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    control.set_clock(f"{EXPIRY}T21:01:00Z")
    _signed_in(api, server)
    body = {
        "AccountID": MARGIN,
        "Symbol": LONG_CALL,
        "Quantity": "1",
        "OrderType": "Market",
        "TradeAction": "BUYTOOPEN",
        "TimeInForce": {"Duration": "DAY"},
    }
    answer = api.post(f"{EXECUTION}/orders", json=body).json()
    assert "expired" in answer["Errors"][0]["Message"]


def test_a_futures_option_settles_into_its_future(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    """ESZ26 options expire with the contract (2026-12-18): an in-the-money call becomes one
    long future at the strike; the premium was paid at the point value (50)."""
    call = "ESZ26 C6300"
    body = {
        "AccountID": FUTURES,
        "Symbol": call,
        "Quantity": "1",
        "OrderType": "Market",
        "TradeAction": "BUYTOOPEN",
        "TimeInForce": {"Duration": "GTC"},
    }
    answer = api.post(f"{EXECUTION}/orders", json=body).json()
    assert "Errors" not in answer, answer
    positions = api.get(f"/v3/brokerage/accounts/{FUTURES}/positions").json()["Positions"]
    (held,) = [p for p in positions if p["Symbol"] == call]
    assert Decimal(held["TotalCost"]) == Decimal(held["AveragePrice"]) * 50
    control.set_clock("2026-12-18T20:58:00Z")
    control.set_price("ESZ26", "6500.00")
    control.set_clock("2026-12-18T21:05:00Z")
    _signed_in(api, server)
    positions = api.get(f"/v3/brokerage/accounts/{FUTURES}/positions").json()["Positions"]
    by_symbol = {p["Symbol"]: p for p in positions}
    assert call not in by_symbol
    assert Decimal(by_symbol["ESZ26"]["Quantity"]) == 1
    assert Decimal(by_symbol["ESZ26"]["AveragePrice"]) == 6300
