"""A roll's working orders and its leg prices (pure).

Working orders: a position often has a GTC stop and a target resting in the old contract.
Left alone they stay working after the roll, on a contract the account no longer holds (a
triggered stop would open a new position). `plan_working_orders` lists them with what to do:

- ``move``: cancel it before the close leg, and once the new position is open place the same
  order in the new contract at the same distance from the market (its price shifted by the
  new contract's last minus the old one's, on the tick), the remaining quantity, same type,
  side and duration. Its OrderConfirmID derives from the roll id and the old order id.
- ``cancel``: cancel it before the close leg.
- ``keep``: leave it (the roll's outcome says it is still working).

An order that cannot be moved (no price for either contract, a Market order, a trailing stop
or activation rules we cannot carry over) is planned ``cancel`` at most, with the reason.

Leg prices: `LegStyle("Market")`, or `LegStyle("Limit", offset_ticks=N)`: a limit N ticks
through the last price (a sell at last - N ticks, a buy at last + N), so it fills like a
market order within a bounded slippage; N = 0 is at the last price.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from tstui.domain.market.ticks import round_to_tick, step
from tstui.domain.orders.execution import Order
from tstui.domain.orders.request import (
    OrderRequest,
    derived_order_confirm_id,
    format_decimal,
)

__all__ = [
    "WORKING_ACTIONS",
    "LegStyle",
    "WorkingAction",
    "WorkingOrderPlan",
    "leg_price",
    "plan_working_orders",
]

WorkingAction = Literal["move", "cancel", "keep"]
WORKING_ACTIONS: tuple[WorkingAction, ...] = ("move", "cancel", "keep")
_ACTION_OF_SIDE = {"BUY": "BUY", "SELL": "SELL", "SELLSHORT": "SELL", "BUYTOCOVER": "BUY"}


@dataclass(frozen=True, slots=True)
class LegStyle:
    """How the roll's legs are priced: Market, or Limit `offset_ticks` through the last."""

    order_type: Literal["Market", "Limit"] = "Market"
    offset_ticks: int = 0

    def __post_init__(self) -> None:
        if self.order_type not in ("Market", "Limit"):
            raise ValueError(f"roll legs are Market or Limit, not {self.order_type!r}")
        if self.offset_ticks < 0:
            raise ValueError("the limit offset is a number of ticks >= 0")


def leg_price(action: str, last: Decimal, increment: Decimal, offset_ticks: int) -> Decimal:
    """A limit `offset_ticks` through `last` for `action` (buy above, sell below)."""
    ticks = offset_ticks if action.upper().startswith("BUY") else -offset_ticks
    return step(round_to_tick(last, increment), ticks, increment)


@dataclass(frozen=True, slots=True)
class WorkingOrderPlan:
    """One working order of the old contract and what the roll does with it."""

    order_id: str
    description: str
    action: WorkingAction
    replacement: OrderRequest | None = None  # the order placed in the new contract (move)
    note: str = ""  # why it cannot be moved, when it cannot

    @property
    def can_move(self) -> bool:
        return self.replacement is not None

    def with_action(self, action: WorkingAction) -> WorkingOrderPlan:
        """The same order with another action; "move" falls back to "cancel" when it cannot."""
        if action == "move" and self.replacement is None:
            action = "cancel"
        return dataclasses.replace(self, action=action)

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "description": self.description,
            "action": self.action,
            "replacement": None if self.replacement is None else self.replacement.to_api(),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkingOrderPlan:
        action = data.get("action")
        if action not in WORKING_ACTIONS:
            raise ValueError(f"bad working order action {action!r}")
        replacement = data.get("replacement")
        return cls(
            order_id=str(data["order_id"]),
            description=str(data.get("description", "")),
            action=action,
            replacement=None if replacement is None else OrderRequest.from_api(replacement),
            note=str(data.get("note", "")),
        )


def _describe(order: Order) -> str:
    prices = []
    if order.limit_price is not None:
        prices.append(f"limit {format_decimal(order.limit_price)}")
    if order.stop_price is not None:
        prices.append(f"stop {format_decimal(order.stop_price)}")
    parts = [
        order.side or "?",
        format_decimal(order.remaining_quantity),
        order.symbol,
        order.order_type or "?",
        *prices,
        order.duration or "",
    ]
    return " ".join(p for p in parts if p)


def _replacement(
    order: Order,
    account_id: str,
    rid: str,
    new_symbol: str,
    shift: Decimal,
    increment: Decimal | None,
) -> tuple[OrderRequest | None, str]:
    kind = order.order_type or ""
    if kind not in ("Limit", "StopMarket", "StopLimit"):
        return None, f"a {kind or 'untyped'} order is not moved"
    if order.trailing_stop is not None or order.market_activation_rules:
        return None, "its trailing stop or activation rules are not carried over"
    action = _ACTION_OF_SIDE.get((order.side or "").upper().replace(" ", ""))
    if action is None:
        return None, f"side {order.side!r} is not a futures side"

    def moved(price: Decimal | None) -> Decimal | None:
        if price is None:
            return None
        return round_to_tick(price + shift, increment) if increment else price + shift

    duration = (order.duration or "GTC").upper()
    if duration not in ("DAY", "GTC", "DYP", "GCP"):
        duration = "GTC"
    try:
        return (
            OrderRequest(
                account_id=order.account_id or account_id,
                symbol=new_symbol,
                quantity=order.remaining_quantity,
                order_type=kind,
                trade_action=action,
                limit_price=moved(order.limit_price),
                stop_price=moved(order.stop_price),
                duration=duration,
                order_confirm_id=derived_order_confirm_id(
                    "tstui-roll", rid, "move", order.order_id
                ),
            ),
            "",
        )
    except ValueError as exc:
        return None, str(exc)


def plan_working_orders(
    orders: Iterable[Order],
    *,
    roll_id: str,
    account_id: str,
    old_symbol: str,
    new_symbol: str,
    last_old: Decimal | None,
    last_new: Decimal | None,
    increment: Decimal | None,
    action: WorkingAction = "keep",
) -> tuple[WorkingOrderPlan, ...]:
    """The account's working orders in `old_symbol`, each with `action` (see the module)."""
    plans: list[WorkingOrderPlan] = []
    for order in sorted(orders, key=lambda o: o.order_id):
        if not order.is_working or order.symbol.upper() != old_symbol.upper():
            continue
        if order.account_id not in (None, "", account_id):
            continue
        if order.remaining_quantity <= 0:
            continue
        if last_old is None or last_new is None:
            replacement, note = None, "no last price for both contracts"
        else:
            replacement, note = _replacement(
                order, account_id, roll_id, new_symbol, last_new - last_old, increment
            )
        plan = WorkingOrderPlan(
            order_id=order.order_id,
            description=_describe(order),
            action="keep",
            replacement=replacement,
            note=note,
        )
        plans.append(plan.with_action(action))
    return tuple(plans)
