"""Matching and rejection rules (pure functions of an order and a quote)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from tstui.sim.instruments import FUTURES_MARGIN, ROUTES, Instrument
from tstui.sim.intake import OrderIntent
from tstui.sim.records import BUY_ACTIONS, FUTURE_ACTIONS, STOCK_ACTIONS, SimAccount, SimOrder
from tstui.sim.views import Quote

SESSION_CLOSE_HOUR = 21


def match_price(order: SimOrder, quote: Quote) -> tuple[bool, Decimal | None]:
    """(stop triggered, fill price or None). Market orders fill at the touch (ask for buys,
    bid for sells); limits fill when the touch reaches the limit; stops trigger on the last
    price crossing the stop and then behave as market (StopMarket) or limit (StopLimit)."""
    last, bid, ask = quote
    touch = ask if order.is_buy else bid
    # an option may have no trade yet (last 0) and still a market; nothing trades at 0
    if touch <= 0 or (last <= 0 and order.asset_type in ("STOCK", "FUTURE")):
        return False, None
    triggered = order.triggered
    if order.order_type in ("StopMarket", "StopLimit") and not triggered:
        stop = order.stop_price or Decimal(0)
        triggered = last >= stop if order.is_buy else last <= stop
        if not triggered:
            return False, None
    if order.order_type in ("Market", "StopMarket"):
        return triggered, touch
    limit = order.limit_price or Decimal(0)
    crossed = touch <= limit if order.is_buy else touch >= limit
    return triggered, (touch if crossed else None)


def expiry_for(duration: str, now: datetime, expiration: datetime | None) -> datetime | None:
    if duration in ("DAY", "OPG", "CLO", "DYP"):
        hour = SESSION_CLOSE_HOUR if duration != "DYP" else 24
        close = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour)
        return close if close > now else close + timedelta(days=1)
    if duration in ("GTC", "GCP"):
        return now + timedelta(days=90)
    if duration in ("GTD", "GDP") and expiration is not None:
        return expiration.replace(hour=0, minute=0, second=0) + timedelta(hours=24)
    if duration in ("1", "3", "5"):
        return now + timedelta(minutes=int(duration))
    return None


def rejection(
    account: SimAccount,
    inst: Instrument | None,
    intent: OrderIntent,
    buying_power: Decimal,
    held: Decimal,
    quote: Quote | None,
    *,
    check_funds: bool = True,
) -> str | None:
    """Why this order must be rejected, or None. ``check_funds=False``: an OSO child, checked
    now for what it is and sent later, when its parent has filled."""
    qty = intent.quantity
    if qty <= 0:
        return "Quantity must be greater than zero."
    if qty != qty.to_integral_value():
        return "Quantity must be a whole number."
    if inst is None:
        return f"Symbol {intent.symbol} is not valid."
    if inst.underlying is not None:
        return f"Continuous symbol {intent.symbol} cannot be traded; use {inst.underlying}."
    if inst.is_future != account.trades_futures:
        kind = "futures" if inst.is_future else "equities"
        return f"Account {account.account_id} cannot trade {kind}."
    actions = FUTURE_ACTIONS if inst.is_future else STOCK_ACTIONS
    if intent.trade_action not in actions:
        return f"TradeAction {intent.trade_action} is not valid for {inst.asset_type}."
    if intent.trade_action == "SELLSHORT" and account.account_type == "Cash":
        return "Short selling is not allowed in a cash account."
    if intent.route and not any(
        r["Id"] == intent.route and inst.asset_type in r["AssetTypes"] for r in ROUTES
    ):
        return f"Route {intent.route} is not valid for {inst.asset_type}."
    if intent.order_type in ("Limit", "StopLimit") and intent.limit_price is None:
        return "LimitPrice is required for this order type."
    trailing = intent.advanced.trailing  # a trailing stop computes its own StopPrice
    stop_needed = intent.order_type in ("StopMarket", "StopLimit") and not trailing
    if stop_needed and intent.stop_price is None:
        return "StopPrice is required for this order type."
    stop = None if trailing else intent.stop_price
    for name, value in (("LimitPrice", intent.limit_price), ("StopPrice", stop)):
        if value is not None and not inst.on_tick(value):
            return f"{name} {value} is not a multiple of the tick size {inst.tick}."
    if not check_funds:
        return None
    buying = intent.trade_action in ("BUY", "BUYTOCOVER")
    closing = (held > 0 and not buying) or (held < 0 and buying)
    if closing and qty <= abs(held):
        return None
    last = quote[2] if quote and buying else (quote[1] if quote else Decimal(0))
    price = intent.limit_price or intent.stop_price or last
    required = FUTURES_MARGIN.get(inst.root, Decimal(0)) * qty if inst.is_future else price * qty
    if required > buying_power:
        return f"Insufficient buying power: requires {required:.2f}, available {buying_power:.2f}."
    return None


def group_problem(
    kind: str, intents: list[OrderIntent], prefix: str, held: Decimal | None
) -> str | None:
    """A group that cannot be accepted (a 400 naming the field), or None. OCO and BRK orders
    share an account; a bracket's orders share a symbol and a side; a placed BRK (``held``
    given: the position now) must close a position, an OSO one closes the position its parent
    opens."""
    if kind == "NORMAL":
        return None
    first = intents[0]
    for i, intent in enumerate(intents[1:], start=1):
        if intent.account_id != first.account_id:
            return f"{prefix}Orders[{i}].AccountID: the orders of a {kind} group share an account."
        if kind != "BRK":
            continue
        if intent.symbol != first.symbol:
            return f"{prefix}Orders[{i}].Symbol: the orders of a bracket share a symbol."
        if _buys(intent) != _buys(first):
            return f"{prefix}Orders[{i}].TradeAction: the orders of a bracket share a side."
    if kind != "BRK" or held is None:
        return None
    if held == 0 or (held > 0) == _buys(first):
        return (
            f"{prefix}Orders[0].TradeAction: a bracket (BRK) only closes a position and there is"
            f" no {'short' if _buys(first) else 'long'} position in {first.symbol}."
        )
    for i, intent in enumerate(intents):
        if intent.quantity > abs(held):
            return (
                f"{prefix}Orders[{i}].Quantity: a bracket (BRK) only closes a position and"
                f" {intent.quantity} is more than the {abs(held)} held in {first.symbol}."
            )
    return None


def _buys(intent: OrderIntent) -> bool:
    return intent.trade_action in BUY_ACTIONS
