"""The blotter's detail panel: one order's fields, fill progress, group links, advanced options,
legs, derived fills and reject reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rich.text import Text
from textual.widgets import Static

from tstui.domain.enums import status_description
from tstui.domain.models import Order
from tstui.domain.orders.book import Fill, PendingOrder
from tstui.domain.untrusted import safe_text as _s

__all__ = ["OrderDetail", "describe_order", "describe_pending"]


def _num(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


_LINK_WORDS = {
    "OSP": "parent",
    "OSO": "child",
    "BRK": "bracket sibling",
    "OCO": "OCO sibling",
}


def _time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def describe_order(order: Order, fills: Sequence[Fill]) -> Text:
    """Plain, copyable text: header line, prices, legs, fills, reject reason."""
    text = Text()
    # Every string here came from the server: _s makes it one harmless line (never markup).
    status = _s(order.status_description or status_description(order.status))
    group = order.status_group
    style = {"filled": "green", "rejected": "bold red", "cancelled": "dim"}.get(group, "")
    text.append(f"Order {_s(order.order_id)}  {_s(order.account_id)}  ", "bold")
    text.append(f"{_s(order.status) or '?'} {status}", style)
    text.append("\n")
    prices = []
    if order.limit_price is not None:
        prices.append(f"limit {_num(order.limit_price)}")
    if order.stop_price is not None:
        prices.append(f"stop {_num(order.stop_price)}")
    text.append(
        f"{_s(order.order_type) or '-'} {' '.join(prices)}  TIF {_s(order.duration) or '-'}  "
        f"route {_s(order.routing) or '-'}  avg fill {_num(order.filled_price)}\n"
    )
    text.append(f"opened {_time(order.opened_date_time)}  closed {_time(order.closed_date_time)}\n")
    filled = order.filled_quantity
    progress = f"filled {_num(filled)} of {_num(order.quantity)}"
    if 0 < filled < order.quantity:
        progress += f" (partial, {_num(order.remaining_quantity)} left)"
    text.append(progress + "\n", "bold" if 0 < filled < order.quantity else "")
    if order.conditional_orders:
        # each entry is the other order's relationship to this one (OSP: my parent...)
        links = ", ".join(
            f"{_LINK_WORDS.get((c.relationship or '').upper(), _s(c.relationship) or '?')} "
            f"{_s(c.order_id) or '?'}"
            for c in order.conditional_orders[:8]
        )
        text.append(f"linked: {links}\n")
    extras = []
    if order.advanced_options:
        extras.append(f"options {_s(order.advanced_options)}")
    trail = order.trailing_stop
    if trail is not None and (trail.amount is not None or trail.percent is not None):
        by = f"{_num(trail.amount)}" if trail.amount is not None else f"{_num(trail.percent)}%"
        extras.append(f"trailing by {by}")
    if order.market_activation_rules or order.time_activation_rules:
        count = len(order.market_activation_rules) + len(order.time_activation_rules)
        extras.append(f"{count} activation rule{'s' if count != 1 else ''}")
    if extras:
        text.append("  ".join(extras) + "\n")
    if order.reject_reason:
        text.append(f"Reject reason: {_s(order.reject_reason)}\n", "bold red")
    for leg in order.legs:
        text.append(
            f"  leg {_s(leg.symbol) or '-'} {_s(leg.buy_or_sell) or '-'} "
            f"ordered {_num(leg.quantity_ordered)} filled {_num(leg.exec_quantity)} "
            f"remaining {_num(leg.quantity_remaining)} @ {_num(leg.execution_price)}\n"
        )
    if fills:
        for fill in fills:
            text.append(f"  fill {_num(fill.qty)} @ {_num(fill.price)}  {_time(fill.at)}\n")
    else:
        text.append("  no fills\n", "dim")
    return text


def describe_pending(pending: PendingOrder) -> Text:
    text = Text()
    text.append("Placement outcome unknown: reconciling\n", "bold yellow")
    text.append(
        f"{_s(pending.action)} {_num(pending.quantity)} {_s(pending.symbol)} "
        f"{_s(pending.order_type)} in {_s(pending.account_id)}, sent {_time(pending.placed_at)}\n"
        f"OrderConfirmID {_s(pending.confirm_id)}. It is never resent; the row resolves when the "
        "order shows up on the stream or the orders endpoint.\n"
    )
    return text


class OrderDetail(Static):
    DEFAULT_CSS = """
    OrderDetail { height: 9; border-top: solid $panel; padding: 0 1; overflow-y: auto; }
    """

    _shown: Text | None = None
    _lines = -1

    def show(self, entry: Order | PendingOrder | None, fills: Sequence[Fill] = ()) -> None:
        if entry is None:
            text = Text("No order selected.", "dim")
        elif isinstance(entry, PendingOrder):
            text = describe_pending(entry)
        else:
            text = describe_order(entry, fills)
        if text == self._shown:
            return  # the same order, unchanged: no repaint
        # The panel's height is fixed: only a change of line count (its scrollbar) needs a
        # layout pass, which otherwise re-laid out the whole screen at every cursor move.
        lines = text.plain.count("\n")
        self.update(text, layout=lines != self._lines)
        self._shown, self._lines = text, lines
