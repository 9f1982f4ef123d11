"""Keeping a bracket's exits consistent with the position they close (pure).

TradeStation does not update a bracket as one transaction: after a partial fill of the entry
or of one exit, or when the user replaces one leg, the other exits keep their old quantity.
`sync_bracket` says what to send so that every working exit closes exactly what is still open
(never more: an exit bigger than the position would open the other way). The caller previews
each step, sends each once and audits it.

- `linked_exits(orders, order_id)`: the working orders linked to `order_id` as BRK/OCO
  siblings (its bracket), itself included.
- `sync_bracket(exits, open_quantity, changed_id=, change=)`: the steps (`replace` with a new
  total quantity, or `cancel` when nothing is left to close) plus field-level issues for the
  user's own change (an exit above the open position is an error naming "quantity").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tstui.domain.orders.execution import Order
from tstui.domain.orders.request import ReplaceRequest, format_decimal
from tstui.domain.orders.ticket import FieldError

__all__ = ["SyncStep", "linked_exits", "sync_bracket"]

_SIBLING_LINKS = frozenset({"BRK", "OCO"})


@dataclass(frozen=True, slots=True)
class SyncStep:
    """One request to send: replace `order_id` with `change`, or cancel it."""

    order_id: str
    action: Literal["replace", "cancel"]
    change: ReplaceRequest | None
    reason: str


def linked_exits(orders: Iterable[Order], order_id: str) -> list[Order]:
    """`order_id` and its BRK/OCO siblings that are still working, in id order."""
    by_id = {order.order_id: order for order in orders}
    seen: set[str] = set()
    todo = [order_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        for link in by_id[current].conditional_orders:
            if (link.relationship or "").upper() in _SIBLING_LINKS and link.order_id:
                todo.append(link.order_id)
    return sorted(
        (by_id[i] for i in seen if by_id[i].is_working or i == order_id),
        key=lambda o: o.order_id,
    )


def sync_bracket(
    exits: Sequence[Order],
    open_quantity: Decimal,
    *,
    changed_id: str | None = None,
    change: ReplaceRequest | None = None,
) -> tuple[list[SyncStep], list[FieldError]]:
    """The steps that make every working exit close exactly `open_quantity` (absolute).

    The user's `change` to `changed_id` comes first (a smaller quantity on that leg is kept:
    scaling out is legitimate; a change without a quantity gets the open quantity when the
    leg's size is off); every other working exit is resized to what is open, or cancelled
    when nothing is.
    """
    steps: list[SyncStep] = []
    issues: list[FieldError] = []
    open_quantity = max(open_quantity, Decimal(0))
    for order in exits:
        if order.order_id == changed_id:
            if change is None:
                continue
            if change.quantity is not None:
                remaining = change.quantity - order.filled_quantity
                if remaining > open_quantity:
                    issues.append(
                        FieldError(
                            "quantity",
                            f"This exit would close {format_decimal(remaining)} but only "
                            f"{format_decimal(open_quantity)} is open",
                            "error",
                            "exit_quantity",
                        )
                    )
                elif remaining <= 0:
                    issues.append(
                        FieldError(
                            "quantity",
                            f"{format_decimal(order.filled_quantity)} already filled: the new "
                            "quantity must be above it",
                            "error",
                            "exit_quantity",
                        )
                    )
            reason = "your change"
            # A price change alone would leave a wrongly sized leg as it is: fix it too.
            if (
                change.quantity is None
                and open_quantity > 0
                and order.remaining_quantity != open_quantity
            ):
                total = order.filled_quantity + open_quantity
                change = dataclasses.replace(change, quantity=total)
                reason = f"your change; {format_decimal(open_quantity)} left to close"
            steps.insert(0, SyncStep(order.order_id, "replace", change, reason))
            continue
        if not order.is_working:
            continue
        remaining = order.remaining_quantity
        if open_quantity == 0:
            steps.append(SyncStep(order.order_id, "cancel", None, "the position is closed"))
        elif remaining != open_quantity:
            total = order.filled_quantity + open_quantity
            steps.append(
                SyncStep(
                    order.order_id,
                    "replace",
                    ReplaceRequest(quantity=total),
                    f"{format_decimal(open_quantity)} left to close (was "
                    f"{format_decimal(remaining)})",
                )
            )
    return steps, issues
