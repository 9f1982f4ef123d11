"""What the order ticket and its dialogs say: field issues, confirmations, placement outcomes."""

from __future__ import annotations

from decimal import Decimal

from tstui.domain.models import OrderConfirmation
from tstui.domain.orders.ticket import FieldError
from tstui.domain.untrusted import safe_text as _s
from tstui.ui.trading.bracket import describe_group
from tstui.ui.trading.prefill import format_money, format_price
from tstui.ui.trading.ticket_form import FIELD_LABELS
from tstui.ui.trading.types import PlaceOutcome, Preview, SymbolInfo


def describe_issue(issue: FieldError) -> str:
    """``error: Limit price: not on the 0.01 tick``; the label is not repeated when the
    message already starts with it (``Quantity 'abc' is not a number``)."""
    label = FIELD_LABELS.get(issue.field, issue.field)
    level = "error" if issue.severity == "error" else "warning"
    message = _s(issue.message)  # can quote a symbol or a server's reason
    if message.lower().startswith(label.lower()):
        return f"{level}: {message}"
    return f"{level}: {label}: {message}"


def describe_confirmation(c: OrderConfirmation, info: SymbolInfo | None = None) -> str:
    """One confirmation: prices at the symbol's precision, money in cents, both with
    thousands separators (as the positions and overview show them)."""
    lines = [
        _s(c.summary_message) or "(no summary)",
        f"Estimated price {format_price(c.estimated_price, info)}"
        f"   cost {format_money(c.estimated_cost)}"
        f"   commission {format_money(c.estimated_commission)}",
    ]
    if c.debit_credit_estimated_cost is not None:
        lines.append(f"Debit/credit {format_money(c.debit_credit_estimated_cost)}")
    if c.route or c.duration:
        lines.append(f"Route {_s(c.route) or '-'}   TIF {_s(c.duration) or '-'}")
    return "\n".join(lines)


def describe_preview(preview: Preview, info: SymbolInfo | None) -> str:
    """The preview panel: every order of the group (for a bracket or an activation rule),
    each confirmation, and the group's totals when there is more than one order."""
    request = preview.request
    lines: list[str] = []
    if request.osos or request.advanced_options is not None:
        lines += describe_group(request, info)
    confirmations = preview.confirmations
    lines += [describe_confirmation(c, info) for c in confirmations[:1]]
    for c in confirmations[1:]:  # the exits: one line each (the entry's block says the rest)
        lines.append(
            f"{_s(c.summary_message) or '(no summary)'}: estimated"
            f" {format_price(c.estimated_price, info)},"
            f" commission {format_money(c.estimated_commission)}"
        )
    if len(confirmations) > 1:
        # the exits close what the entry opens: the entry's cost is the group's; commissions
        # are paid on every leg that fills (at most the entry and one exit of a bracket)
        cost = confirmations[0].estimated_cost
        fees = [c.estimated_commission or Decimal(0) for c in confirmations]
        linked = len(request.osos) == 1 and request.osos[0].type in ("BRK", "OCO")
        # one exit of a BRK/OCO group fills, the other is cancelled: the entry's fee + one
        total = fees[0] + max(fees[1:]) if linked else sum(fees, Decimal(0))
        lines.append(
            f"Group: {len(confirmations)} orders, cost {format_money(cost)} (the entry's; the "
            f"exits close it), commissions {format_money(total)} if it runs to an exit"
        )
    elif not confirmations:
        lines.append("(the server returned no confirmation)")
    return "\n".join(lines)


def outcome_text(outcome: PlaceOutcome) -> tuple[str, str]:
    message = _s(outcome.message)  # the server's words (a reject reason, an error)
    if outcome.kind == "placed":
        linked = outcome.group_order_ids[1:]
        if linked:  # a bracket: the entry and its exits' ids
            ids = ", ".join(_s(i) for i in linked)
            return f"Placed: order {_s(outcome.order_id)} with exits {ids} - {message}", "-ok"
        return f"Placed: order {_s(outcome.order_id)} - {message}", "-ok"
    if outcome.kind == "reconciled":
        return f"Placed (outcome was unknown): {message}", "-ok"
    if outcome.kind == "rejected":
        oid = _s(outcome.order_id)
        return f"Rejected{f' (order {oid})' if oid else ''}: {message}", "-bad"
    if outcome.kind == "unknown":
        return f"Outcome {message}", "-unknown"
    if outcome.kind == "not_found":
        return f"Not found: {message}", "-bad"
    return f"Not sent: {message}", "-bad"
