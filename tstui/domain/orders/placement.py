"""Finding the order an ambiguous placement created (the API's orders carry no OrderConfirmID).

A candidate must be new (not known before the send, not claimed by another placement), have
the request's shape (account, symbol, quantity, direction, type, prices) and, when the send
time is given, have been opened no earlier than shortly before it (pass None when the
server's clock may be far from ours: the ids known before the send then decide newness).
The earliest such order wins. Used by the ticket and by `tstui order place`. An option order
with legs is matched on its legs (contracts, quantities, directions), its type and net limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tstui.domain.orders import OrderRequest
from tstui.domain.orders.execution import Order

CLOCK_SLACK = timedelta(minutes=5)  # client vs server clock; newness mainly from known ids
_OPTION_ACTIONS = frozenset({"BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE"})


def _letters(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def same_direction(order: Order, trade_action: str) -> bool:
    """The order's side (``Buy``, ``SellShort``...) is the request's trade action."""
    side = _letters(order.side)
    if trade_action in _OPTION_ACTIONS:  # option legs may report only Buy/Sell
        return side == trade_action or trade_action.startswith(side[:3] or "?")
    return side == trade_action


def _same_legs(order: Order, request: OrderRequest) -> bool:
    """An option order's legs: the same contracts, quantities and directions (any order)."""
    if len(order.legs) != len(request.legs):
        return False
    wanted = sorted((leg.symbol.upper(), leg.quantity, leg.is_buy) for leg in request.legs)
    found = sorted(
        (
            (leg.symbol or "").upper(),
            leg.quantity_ordered,
            _letters(leg.buy_or_sell or "").startswith("BUY"),
        )
        for leg in order.legs
    )
    return wanted == found


def has_shape(order: Order, request: OrderRequest) -> bool:
    if request.legs:
        return (
            order.account_id == request.account_id
            and _same_legs(order, request)
            and (order.order_type or "") == request.order_type
            and (request.limit_price is None or order.limit_price == request.limit_price)
        )
    return (
        order.account_id == request.account_id
        and order.symbol.upper() == request.symbol.upper()
        and order.quantity == request.quantity
        and same_direction(order, request.trade_action)
        and (order.order_type or "") == request.order_type
        and (request.limit_price is None or order.limit_price == request.limit_price)
        and (request.stop_price is None or order.stop_price == request.stop_price)
    )


def find_placed_order(
    orders: Iterable[Order],
    request: OrderRequest,
    sent_at: datetime | None,
    excluded: frozenset[str] | set[str],
) -> Order | None:
    """The order `request` created, if it is among `orders` (see the module docstring)."""
    earliest = None if sent_at is None else sent_at - CLOCK_SLACK
    candidates = [
        o
        for o in orders
        if o.order_id not in excluded
        and has_shape(o, request)
        and (earliest is None or o.opened_date_time is None or o.opened_date_time >= earliest)
    ]
    if not candidates:
        return None
    far_future = datetime.max.replace(tzinfo=UTC)
    return min(candidates, key=lambda o: (o.opened_date_time or far_future, o.order_id))
