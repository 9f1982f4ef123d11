"""`tstui order bracket` and `order confirm|place --body` for groups, OSOs and advanced options.

One flow for every such body: parse (fields named on error) -> validate every order (ticks,
sides of a bracket, advanced options) -> risk on every leg (a bracket's exits are closing
orders) -> preview (`orderconfirm` for one order with its OSOs, `ordergroupconfirm` for a
group) -> one question -> one send (`orders` or `ordergroups`, never retried) -> audit. With
`--json` the API's answers are printed as sent.

The bracket's flags: the entry as for `order place` (`--symbol --action --qty --type --limit
--stop --tif`), then `--target PRICE | --target-ticks N`, `--stop-loss PRICE | --stop-ticks N`,
`--trail-amount X | --trail-percent P` (the stop trails), `--exit-tif` (default: the entry's).
`--position` brackets the position already held (a BRK group of exits; offsets count from its
average price) instead of sending an entry.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog
from tstui.cli.common import ask, live_guard, not_sent, open_session, print_json, wants_json
from tstui.cli.errors import describe_error
from tstui.client.api import confirmations_from, order_results
from tstui.client.errors import OrderOutcomeUnknown, TradeStationError
from tstui.domain.market.ticks import increment_at
from tstui.domain.orders import (
    ExitSpec,
    FieldError,
    OrderGroupRequest,
    OrderRequest,
    TrailingStop,
    format_decimal,
    validate_group,
    validate_order,
)
from tstui.domain.orders.risk import check_group_risk
from tstui.domain.untrusted import safe_text
from tstui.output import format_cell

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings
    from tstui.domain.market.data import SymbolDetail
    from tstui.domain.models import OrderConfirmation

Body = OrderRequest | OrderGroupRequest

# After a lost answer: look for the orders for about ten seconds before giving up.
RECONCILE_ATTEMPTS = 10
RECONCILE_PAUSE_S = 1.0


def needs_group_flow(raw: Any) -> bool:
    """A `--body` that the single-order path cannot take: a group, OSOs, advanced options."""
    return isinstance(raw, dict) and bool({"Type", "Orders", "OSOs", "AdvancedOptions"} & set(raw))


class Market:
    """What the checks need about the body's symbol(s): tick rule, last, point value, position."""

    def __init__(
        self,
        detail: SymbolDetail | None,
        last: Decimal | None,
        position: Decimal,
        margin_per_contract: Decimal | None,
        average_price: Decimal | None,
    ) -> None:
        self.detail = detail
        self.last = last
        self.position = position
        self.margin_per_contract = margin_per_contract
        self.average_price = average_price

    @property
    def asset_type(self) -> str | None:
        return self.detail.asset_type if self.detail is not None else None

    @property
    def point_value(self) -> Decimal | None:
        return self.detail.point_value if self.detail is not None else None

    def tick_rule(self) -> Callable[[Decimal], Decimal | None] | None:
        detail = self.detail
        if detail is None or detail.price_format is None:
            return None
        price_format = detail.price_format
        return lambda price: increment_at(price_format, price)


async def market_of(session: Session, account: str, symbol: str) -> Market:
    details = await session.api.get_symbols([symbol])
    detail = details.items[0] if details.items else None
    if detail is None and details.errors:
        err = details.errors[0]
        raise ValueError(f"symbol: {safe_text(err.message or err.error)}")
    quotes = await session.api.get_quotes([symbol])
    last = quotes.items[0].last if quotes.items else None
    positions = await session.api.get_positions([account])
    held = [p for p in positions.items if (p.symbol or "").upper() == symbol.upper()]
    signed = sum((p.signed_quantity for p in held), Decimal(0))
    margin: Decimal | None = None
    average: Decimal | None = None
    if held:
        first = held[0]
        average = first.average_price
        quantity = abs(first.quantity or Decimal(0))
        if first.initial_requirement and quantity:
            margin = first.initial_requirement / quantity
    return Market(detail, last, signed, margin, average)


def _orders_of(body: Body) -> tuple[OrderRequest, ...]:
    return body.all_orders()


def _check(body: Body, market: Market, settings: Settings) -> list[FieldError]:
    """Validation of every order plus risk on every leg; prints errors, returns warnings."""
    symbols = {o.symbol.upper() for o in _orders_of(body)}
    rule = market.tick_rule() if len(symbols) == 1 else None
    if isinstance(body, OrderGroupRequest):
        issues = validate_group(
            body,
            increment=rule,
            reference_price=market.last,
            asset_type=market.asset_type,
            position_quantity=market.position if body.type == "BRK" else None,
        )
    else:
        issues = validate_order(
            body, increment=rule, reference_price=market.last, asset_type=market.asset_type
        )
    issues += check_group_risk(
        body,
        market.last,
        market.point_value,
        settings.risk_limits,
        None,
        datetime.now(UTC),
        position_quantity=market.position,
        asset_type=market.asset_type,
        margin_per_contract=market.margin_per_contract,
    )
    errors = [i for i in issues if i.severity == "error"]
    for problem in errors:
        print(f"tstui: error: {problem.field}: {safe_text(problem.message)}", file=sys.stderr)
    if errors:
        raise ValueError("the order was not sent (see the errors above)")
    return [i for i in issues if i.severity != "error"]


def describe_body(body: Body) -> list[str]:
    """One line per order, indented under its parent: what a trader reads before sending."""
    lines: list[str] = []

    def order_line(order: OrderRequest, depth: int, relation: str) -> None:
        prices = []
        if order.limit_price is not None:
            prices.append(f"limit {format_decimal(order.limit_price)}")
        if order.stop_price is not None:
            prices.append(f"stop {format_decimal(order.stop_price)}")
        options = order.advanced_options
        if options is not None and options.trailing_stop is not None:
            trail = options.trailing_stop
            prices.append(
                f"trailing {format_decimal(trail.amount)}"
                if trail.amount is not None
                else f"trailing {format_decimal(trail.percent or Decimal(0))}%"
            )
        if options is not None and (options.market_rules or options.time_rules):
            prices.append("held until its activation rule")
        text = (
            f"{'  ' * depth}{relation}{order.trade_action} {format_decimal(order.quantity)} "
            f"{order.symbol} {order.order_type} {' '.join(prices)} {order.duration}"
        )
        lines.append(safe_text(" ".join(text.split(" ")).rstrip()))
        for group in order.osos:
            lines.append(f"{'  ' * (depth + 1)}then ({group.type}):")
            for child in group.orders:
                order_line(child, depth + 2, "")

    if isinstance(body, OrderGroupRequest):
        lines.append(f"{body.type} group:")
        for order in body.orders:
            order_line(order, 1, "")
    else:
        order_line(body, 0, "")
    return lines


def _print_confirmations(confirmations: Sequence[OrderConfirmation]) -> None:
    for c in confirmations:
        summary = safe_text(c.summary_message) or "(no summary)"
        cost = f"  estimated cost {safe_text(format_cell(c.estimated_cost))}"
        print(f"  {summary}{cost if c.estimated_cost is not None else ''}")


def _repeat_refusal(settings: Settings, top: OrderRequest) -> str | None:
    from tstui.cli.recovery import repeat_refusal
    from tstui.client.intents import AUDIT_KINDS

    return repeat_refusal(settings, top, _audit(settings).entries(kinds=AUDIT_KINDS))


def _audit(settings: Settings) -> AuditLog:
    return AuditLog.in_dir(settings.state_dir)


async def send_body(
    settings: Settings, args: argparse.Namespace, body: Body, *, place: bool, account: str
) -> int:
    """Check, preview, ask, send once; the exit code."""
    if place and not live_guard(settings, args):
        return not_sent(args, "LIVE not confirmed")
    async with open_session(settings) as session:
        symbol = _orders_of(body)[0].symbol
        market = await market_of(session, account, symbol)
        return await send_checked(session, settings, args, body, market, place=place)


async def send_checked(
    session: Session,
    settings: Settings,
    args: argparse.Namespace,
    body: Body,
    market: Market,
    *,
    place: bool,
) -> int:
    warnings = _check(body, market, settings)
    for warning in warnings:
        print(f"tstui: warning: {warning.field}: {safe_text(warning.message)}", file=sys.stderr)
    is_group = isinstance(body, OrderGroupRequest)
    if isinstance(body, OrderGroupRequest):
        answer = await session.api.confirm_group_body(body)
    else:
        answer = await session.api.confirm_order_body(body.to_api())
    try:
        confirmations = confirmations_from(answer)
    except TradeStationError as exc:
        if wants_json(args):
            print_json(answer)
            print(f"tstui: {safe_text(describe_error(exc))}", file=sys.stderr)
            return 1
        raise
    account = _orders_of(body)[0].account_id
    audit = _audit(settings)
    audit.append(
        "order.group.preview" if is_group else "order.preview",
        env=settings.env,
        account=account,
        payload={"request": body.to_api(), "confirmations": confirmations},
    )
    if not wants_json(args):
        for line in describe_body(body):
            print(line)
        _print_confirmations(confirmations)
    if not place:
        if wants_json(args):
            print_json(answer)
        return 0
    count = len(_orders_of(body))
    question = f"Place these {count} orders" if count > 1 else "Place this order"
    question += " despite the warnings?" if warnings else "?"
    # A group is journaled as the placement of its first order (with the whole group): the
    # unresolved-send check at the next start can then look that order up, and a repeat of
    # a send whose outcome is unknown is refused, as for one order.
    top = body.orders[0] if isinstance(body, OrderGroupRequest) else body
    refusal = _repeat_refusal(settings, top)
    if refusal is not None:
        print(f"tstui: {refusal}", file=sys.stderr)
        raise ValueError("the order was not sent (see above)")
    if not args.yes and not ask(question):
        return not_sent(args, "not confirmed")
    known = {o.order_id for o in (await session.api.get_orders([account])).items}
    return await place_audited(
        session, settings, args, body, lambda: _reconcile(session, settings, args, body, known)
    )


async def place_audited(
    session: Session,
    settings: Settings,
    args: argparse.Namespace,
    body: Body,
    reconcile: Callable[[], Awaitable[int]],
) -> int:
    """Journal the send, send once, journal the answer and print it; the exit code. A lost
    answer is journaled and handed to ``reconcile`` (which looks, never resends). A group is
    journaled as the placement of its first order, with the whole group."""
    top = body.orders[0] if isinstance(body, OrderGroupRequest) else body
    account = top.account_id
    audit = _audit(settings)
    ids = {"order_confirm_id": top.order_confirm_id}
    sent: dict[str, Any] = {"request": top.to_api()}
    if isinstance(body, OrderGroupRequest):
        sent["group"] = body.to_api()
    audit.append("order.place", env=settings.env, account=account, payload=sent)
    try:
        if isinstance(body, OrderGroupRequest):
            answer = await session.api.place_group_body(body)
        else:
            answer = await session.api.place_order_body(body)
    except OrderOutcomeUnknown as exc:
        audit.append(
            "order.place.unknown",
            env=settings.env,
            account=account,
            payload={**ids, "reason": exc.reason},
        )
        return await reconcile()
    except TradeStationError as exc:  # refused before anything was applied
        audit.append(
            "order.place.error",
            env=settings.env,
            account=account,
            payload={**ids, "error": str(exc)},
        )
        raise
    results = order_results(answer)
    audit.append(
        "order.place.result",
        env=settings.env,
        account=account,
        payload={**ids, "results": results},
    )
    if wants_json(args):
        print_json(answer)
    for result in results:
        if not result.ok:
            print(f"tstui: rejected: {safe_text(result.message or result.error)}", file=sys.stderr)
        elif not wants_json(args):
            print(f"placed {safe_text(result.order_id)}: {safe_text(result.message)}")
    return 1 if not results or any(not r.ok for r in results) else 0


async def _reconcile(
    session: Session,
    settings: Settings,
    args: argparse.Namespace,
    body: Body,
    known: set[str],
) -> int:
    """The answer was lost: look for the orders the send made (top level); never resend."""
    from tstui.domain.orders.placement import find_placed_order

    print(
        "tstui: the answer was lost (timeout or reset); looking for the orders, not resending",
        file=sys.stderr,
    )
    wanted = body.orders if isinstance(body, OrderGroupRequest) else (body,)
    found: dict[str, str] = {}
    for _ in range(RECONCILE_ATTEMPTS):
        batch = await session.api.get_orders([wanted[0].account_id])
        claimed = set(known)
        found = {}
        for request in wanted:
            match = find_placed_order(batch.items, request, None, claimed)
            if match is not None:
                found[request.order_confirm_id] = match.order_id
                claimed.add(match.order_id)
        if len(found) == len(wanted):
            break
        await asyncio.sleep(RECONCILE_PAUSE_S)
    _audit(settings).append(
        "order.place.reconciled" if found else "order.place.not_found",
        env=settings.env,
        account=wanted[0].account_id,
        payload={"order_confirm_id": _orders_of(body)[0].order_confirm_id, "found": found},
    )
    if not found:
        message = (
            "no such orders after reconciling; probably not placed, and not resent: check "
            "`tstui get orders`"
        )
        if wants_json(args):
            print_json({"Error": "OrderOutcomeUnknown", "Message": message})
        print(f"tstui: {message}", file=sys.stderr)
        return 1
    answer = {
        "Orders": [
            {"OrderID": order_id, "Message": "found after reconciling"}
            for order_id in found.values()
        ]
    }
    if wants_json(args):
        print_json(answer)
    else:
        for order_id in found.values():
            print(f"{safe_text(order_id)}: found after reconciling")
    return 0 if len(found) == len(wanted) else 1


# -- tstui order bracket ----------------------------------------------------------------------


def _decimal(value: str | None, flag: str) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{flag}: {value!r} is not a number") from None
    if not parsed.is_finite() or parsed <= 0:
        raise ValueError(f"{flag}: must be a positive number")
    return parsed


def exit_spec(price: str | None, ticks: int | None, name: str, flag: str) -> ExitSpec | None:
    if price is not None and ticks is not None:
        raise ValueError(f"give --{flag} or --{flag.split('-')[0]}-ticks for the {name}, not both")
    if ticks is not None:
        if ticks <= 0:
            raise ValueError(f"--{flag.split('-')[0]}-ticks: must be a positive number of ticks")
        return ExitSpec.ticks(ticks)
    parsed = _decimal(price, f"--{flag}")
    return None if parsed is None else ExitSpec.at(parsed)


def trailing_of(args: argparse.Namespace) -> TrailingStop | None:
    amount = _decimal(args.trail_amount, "--trail-amount")
    percent = _decimal(args.trail_percent, "--trail-percent")
    if amount is not None and percent is not None:
        raise ValueError("give --trail-amount or --trail-percent, not both")
    if amount is None and percent is None:
        return None
    return TrailingStop(amount=amount, percent=percent)
