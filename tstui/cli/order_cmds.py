"""`tstui order confirm|place|replace|cancel|bracket`: confirm-then-place, one send per intent.

Groups, OSO brackets and advanced options (`--body` with `Type`/`Orders`, `OSOs` or
`AdvancedOptions`, and `order bracket`) go through :mod:`tstui.cli.order_groups`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog, entry_time
from tstui.cli.common import ask, live_guard, not_sent, open_session, print_json, wants_json
from tstui.cli.errors import describe_error
from tstui.client.api import confirmations_from, single_result
from tstui.client.errors import TradeStationError
from tstui.domain.untrusted import safe_text
from tstui.output import format_cell

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings
    from tstui.domain.models import OrderConfirmation, OrderResult
    from tstui.domain.orders import FieldError, OrderRequest, ReplaceRequest
    from tstui.domain.orders.risk import RecentOrders

# After a lost answer: look for the order for about ten seconds before giving up.
RECONCILE_ATTEMPTS = 10
RECONCILE_PAUSE_S = 1.0


async def run_order(settings: Settings, args: argparse.Namespace) -> int:
    if args.what == "bracket":
        return await _bracket(settings, args)
    if args.what in ("confirm", "place"):
        return await _confirm_or_place(settings, args)
    if args.what == "cancel":
        return await _cancel(settings, args)
    return await _replace(settings, args)


def _audit(settings: Settings) -> AuditLog:
    return AuditLog.in_dir(settings.state_dir)


async def _default_account(session: Session, settings: Settings, asset_type: str | None) -> str:
    """The configured account, else the first account that trades this kind of symbol."""
    if settings.account_id:
        return settings.account_id.split(",")[0].strip()
    accounts = await session.api.get_accounts()
    if not accounts:
        raise ValueError("no accounts available; pass --account")
    want_futures = bool(asset_type) and "FUTURE" in str(asset_type).upper()
    for account in accounts:
        if (account.account_type == "Futures") == want_futures:
            return account.account_id
    return accounts[0].account_id


async def _signed_position(session: Session, account: str, symbol: str) -> Decimal:
    """The account's signed position in `symbol` (0 when flat): tells the risk checks
    whether an order only reduces it."""
    positions = await session.api.get_positions([account])
    return sum(
        (p.signed_quantity for p in positions.items if (p.symbol or "").upper() == symbol.upper()),
        Decimal(0),
    )


async def _build_request(
    session: Session, settings: Settings, args: argparse.Namespace, *, risk: bool = True
) -> tuple[OrderRequest, list[FieldError]]:
    """Parse the flags (or the `--body` order) like the ticket does, then the local risk
    checks of this env.

    Errors (bad fields, hard limits) stop here, before any request; warnings are returned so
    the question (or `--yes`, which accepts them) can show them.
    """
    from tstui.cli.order_input import is_legs_order, order_input
    from tstui.domain.orders import TicketFields, parse_ticket
    from tstui.domain.orders.risk import check_risk

    if is_legs_order(args, getattr(args, "loaded_body", None)):
        from tstui.cli.options_cmds import build_legs_request

        return await build_legs_request(
            session,
            settings,
            args,
            risk=risk,
            default_account=_default_account,
            recent_of=_recent_placements,
        )
    wanted = order_input(args, getattr(args, "loaded_body", None))
    symbol = wanted.symbol
    details = await session.api.get_symbols([symbol])
    detail = details.items[0] if details.items else None
    if detail is None and details.errors:
        err = details.errors[0]
        raise ValueError(f"symbol: {err.message or err.error}")
    asset_type = detail.asset_type if detail else None
    account = wanted.account or await _default_account(session, settings, asset_type)
    fields = TicketFields(
        account=account,
        symbol=symbol,
        action=wanted.action,
        quantity=wanted.quantity,
        order_type=wanted.order_type,
        limit_price=wanted.limit_price,
        stop_price=wanted.stop_price,
        duration=wanted.duration,
        route=wanted.route,
        expiration=wanted.expiration,
    )
    request, problems = parse_ticket(
        fields, detail, asset_type, order_confirm_id=wanted.order_confirm_id
    )
    if request is not None and risk:
        quotes = await session.api.get_quotes([symbol])
        last = quotes.items[0].last if quotes.items else None
        point_value = detail.point_value if detail else None
        recent = _recent_placements(settings, request)
        problems += check_risk(
            request,
            last,
            point_value,
            settings.risk_limits,
            recent,
            datetime.now(UTC),
            position_quantity=await _signed_position(session, request.account_id, symbol),
            asset_type=asset_type,
        )
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(f"tstui: error: {problem.field}: {safe_text(problem.message)}", file=sys.stderr)
    if request is None or errors:
        raise ValueError("the order was not sent (see the errors above)")
    return request, [p for p in problems if p.severity != "error"]


def _recent_placements(settings: Settings, request: OrderRequest) -> RecentOrders:
    """The duplicate guard across CLI runs: placements of this env from the audit log.

    A repeat of a placement whose outcome is still unknown (cut off, lookup failed), or was
    only just looked up by this command, is refused outright, not warned about.
    """
    from tstui.cli.recovery import repeat_refusal
    from tstui.client.intents import AUDIT_KINDS
    from tstui.domain.orders import OrderRequest
    from tstui.domain.orders.risk import RecentOrders

    entries = list(_audit(settings).entries(kinds=AUDIT_KINDS))
    refusal = repeat_refusal(settings, request, entries)
    if refusal is not None:
        print(f"tstui: {refusal}", file=sys.stderr)
        raise ValueError("the order was not sent (see above)")
    recent = RecentOrders()
    horizon = datetime.now(UTC) - timedelta(seconds=settings.risk_limits.duplicate_window_s)
    for entry in entries:
        if entry.get("kind") != "order.place" or entry.get("env") != settings.env:
            continue
        at = entry_time(entry)
        if at is None:
            continue
        try:
            if at >= horizon:
                recent.record(OrderRequest.from_api(entry["payload"]["request"]), at)
        except (KeyError, TypeError, ValueError):
            continue  # an entry we cannot read is not a reason to refuse an order
    return recent


def _print_confirmations(confirmations: list[OrderConfirmation]) -> None:
    for c in confirmations:
        print(safe_text(c.summary_message) or "(no summary)")
        rows = [
            ("Account", c.account_id),
            ("Estimated price", c.estimated_price),
            ("Estimated cost", c.estimated_cost),
            ("Estimated commission", c.estimated_commission),
            ("Route", c.route),
            ("Time in force", c.duration),
            ("OrderConfirmID", c.order_confirm_id),
        ]
        for label, value in rows:
            if value not in (None, ""):
                print(f"  {label:<22}{safe_text(format_cell(value))}")


async def _bracket(settings: Settings, args: argparse.Namespace) -> int:
    """`tstui order bracket`: an entry with target and stop attached (OSO), or `--position`."""
    from tstui.cli.order_groups import (
        Body,
        exit_spec,
        market_of,
        send_checked,
        trailing_of,
    )
    from tstui.domain.orders import build_bracket, build_exit_bracket

    target = exit_spec(args.target, args.target_ticks, "target", "target")
    stop = exit_spec(args.stop_loss, args.stop_ticks, "stop", "stop-loss")
    trailing = trailing_of(args)
    if target is None and stop is None and trailing is None:
        raise ValueError(
            "a bracket needs --target/--target-ticks, --stop-loss/--stop-ticks or --trail-*"
        )
    place = not args.preview
    if place and not live_guard(settings, args):
        return not_sent(args, "LIVE not confirmed")
    async with open_session(settings) as session:
        body: Body
        if args.position:
            if not args.symbol:
                raise ValueError("--position needs --symbol")
            symbol = args.symbol.strip().upper()
            details = await session.api.get_symbols([symbol])
            asset_type = details.items[0].asset_type if details.items else None
            account = _configured_account(settings) or await _default_account(
                session, settings, asset_type
            )
            market = await market_of(session, account, symbol)
            if market.position == 0:
                raise ValueError(f"no {symbol} position in {account} to bracket")
            quantity = _decimal(args.qty, "qty")
            body = build_exit_bracket(
                account_id=account,
                symbol=symbol,
                position_quantity=market.position,
                asset_type=market.asset_type,
                target=target,
                stop=stop,
                trailing=trailing,
                reference_price=market.average_price or market.last,
                increment=market.tick_rule(),
                duration=args.exit_tif or "GTC",
                quantity=quantity,
            )
        else:
            entry, entry_warnings = await _build_request(session, settings, args, risk=False)
            for warning in entry_warnings:
                print(
                    f"tstui: warning: {warning.field}: {safe_text(warning.message)}",
                    file=sys.stderr,
                )
            market = await market_of(session, entry.account_id, entry.symbol)
            body = build_bracket(
                entry,
                target=target,
                stop=stop,
                trailing=trailing,
                increment=market.tick_rule(),
                reference_price=market.last,
                exit_duration=args.exit_tif,
            )
        return await send_checked(session, settings, args, body, market, place=place)


def _configured_account(settings: Settings) -> str | None:
    if settings.account_id:
        return settings.account_id.split(",")[0].strip()
    return None


async def _confirm_or_place(settings: Settings, args: argparse.Namespace) -> int:
    place = args.what == "place"
    if getattr(args, "body", None) is not None:
        from tstui.cli.order_groups import needs_group_flow, send_body
        from tstui.cli.order_input import is_legs_order, read_body, refuse_flags_with_body
        from tstui.domain.orders import OrderGroupRequest, parse_body

        refuse_flags_with_body(args)
        raw = read_body(args.body)
        if needs_group_flow(raw) and not is_legs_order(args, raw):  # legs: their own checks
            try:
                body = parse_body(raw)
            except ValueError as exc:
                raise ValueError(f"--body: {exc}") from None
            first = body.orders[0] if isinstance(body, OrderGroupRequest) else body
            return await send_body(settings, args, body, place=place, account=first.account_id)
        args.loaded_body = raw
    if place and not live_guard(settings, args):
        return not_sent(args, "LIVE not confirmed")
    async with open_session(settings) as session:
        request, warnings = await _build_request(session, settings, args)
        for warning in warnings:
            print(f"tstui: warning: {warning.field}: {safe_text(warning.message)}", file=sys.stderr)
        audit = _audit(settings)
        answer = await session.api.confirm_order_body(request.to_api())
        try:
            confirmations = confirmations_from(answer)
        except TradeStationError as exc:
            if wants_json(args):  # the API's answer (its Errors) is the document to print
                print_json(answer)
                print(f"tstui: {safe_text(describe_error(exc))}", file=sys.stderr)
                return 1
            raise
        audit.append(
            "order.preview",
            env=settings.env,
            account=request.account_id,
            payload={"request": request.to_api(), "confirmations": confirmations},
        )
        if not place:
            if wants_json(args):
                print_json(answer)
            else:
                _print_confirmations(confirmations)
            return 0
        if not wants_json(args):
            _print_confirmations(confirmations)
        question = "Place this order despite the warnings?" if warnings else "Place this order?"
        if not args.yes and not ask(question):
            return not_sent(args, "not confirmed")
        return await _place(session, settings, request, args)


async def _place(
    session: Session, settings: Settings, request: OrderRequest, args: argparse.Namespace
) -> int:
    from tstui.cli.order_groups import place_audited

    known = {o.order_id for o in (await session.api.get_orders([request.account_id])).items}
    return await place_audited(
        session,
        settings,
        args,
        request,
        lambda: _reconcile_unknown(session, settings, request, known, args),
    )


async def _reconcile_unknown(
    session: Session,
    settings: Settings,
    request: OrderRequest,
    known: set[str],
    args: argparse.Namespace,
) -> int:
    """The send's answer was lost: look for the order it made; never send it again."""
    from tstui.domain.models import OrderResult
    from tstui.domain.orders.placement import find_placed_order

    print(
        "tstui: the answer was lost (timeout or reset); looking for the order, not resending",
        file=sys.stderr,
    )
    found = None
    for _ in range(RECONCILE_ATTEMPTS):
        batch = await session.api.get_orders([request.account_id])
        # ids known before the send decide what is new; clocks may disagree
        found = find_placed_order(batch.items, request, None, known)
        if found is not None:
            break
        await asyncio.sleep(RECONCILE_PAUSE_S)
    _audit(settings).append(
        "order.place.reconciled" if found else "order.place.not_found",
        env=settings.env,
        account=request.account_id,
        payload={
            "order_confirm_id": request.order_confirm_id,
            "order_id": found.order_id if found else None,
        },
    )
    if found is None:
        message = (
            "no such order after reconciling; it was probably not placed and was not resent: "
            "check `tstui get orders`"
        )
        if wants_json(args):
            print_json({"Error": "OrderOutcomeUnknown", "Message": message})
        print(f"tstui: {message}", file=sys.stderr)
        return 1
    message = f"found after reconciling ({found.status})"
    result = OrderResult(order_id=found.order_id, message=message, error=None)
    # No answer came back: --json gets the placement answer's shape, saying what was found.
    _print_result({"Orders": [{"OrderID": found.order_id, "Message": message}]}, result, args)
    return 0


async def _order_account(session: Session, settings: Settings, order_id: str) -> str | None:
    """The account that owns the order (for the audit log), or None when not found."""
    accounts = (
        [a.strip() for a in settings.account_id.split(",")]
        if settings.account_id
        else [a.account_id for a in await session.api.get_accounts()]
    )
    batch = await session.api.get_orders(accounts)
    return next((o.account_id for o in batch.items if o.order_id == order_id), None)


async def _send_change(
    settings: Settings,
    args: argparse.Namespace,
    kind: str,
    question: str,
    details: dict[str, Any],
    send: Callable[[Session], Awaitable[Any]],
) -> int:
    """Cancel and replace: LIVE guard, one question, audit before and after, one send;
    ``send`` returns the API's answer as sent."""
    if not live_guard(settings, args):
        return not_sent(args, "LIVE not confirmed")
    async with open_session(settings) as session:
        if not args.yes and not ask(question):
            return not_sent(args, "not confirmed")
        account = await _order_account(session, settings, args.order_id)
        payload = {"order_id": args.order_id, **details}
        answer, result = await _audited_send(
            settings, account, kind, payload, lambda: send(session)
        )
        _print_result(answer, result, args)
        return 0 if result.ok else 1


async def _audited_send(
    settings: Settings,
    account: str | None,
    kind: str,
    payload: dict[str, Any],
    send: Callable[[], Awaitable[Any]],
) -> tuple[Any, OrderResult]:
    """Audit ``kind``, send once, audit the answer (``.result``) or the error (``.error``,
    then raised: an unknown outcome included, recorded and never resent)."""
    audit = _audit(settings)
    audit.append(kind, env=settings.env, account=account, payload=payload)
    try:
        answer = await send()
    except TradeStationError as exc:
        audit.append(
            f"{kind}.error",
            env=settings.env,
            account=account,
            payload={**payload, "error": str(exc)},
        )
        raise
    result = single_result(answer, str(payload["order_id"]))
    audit.append(
        f"{kind}.result", env=settings.env, account=account, payload={**payload, "result": result}
    )
    return answer, result


async def _cancel(settings: Settings, args: argparse.Namespace) -> int:
    return await _send_change(
        settings,
        args,
        "order.cancel",
        f"Cancel order {args.order_id}?",
        {},
        lambda session: session.api.cancel_order_body(args.order_id),
    )


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{field}: {value!r} is not a number") from None
    if not parsed.is_finite() or parsed <= 0:
        raise ValueError(f"{field}: must be a positive number")
    return parsed


async def _replace(settings: Settings, args: argparse.Namespace) -> int:
    from tstui.domain.orders import ReplaceRequest

    change = ReplaceRequest(
        quantity=_decimal(args.qty, "qty"),
        limit_price=_decimal(args.limit, "limit"),
        stop_price=_decimal(args.stop, "stop"),
        order_type=args.order_type,
    )
    body = change.to_api()
    if not body:
        raise ValueError("nothing to change: pass --qty, --limit, --stop or --type")
    code = await _replace_bracket_leg(settings, args, change)
    if code is not None:
        return code
    return await _send_change(
        settings,
        args,
        "order.replace",
        f"Replace order {safe_text(args.order_id)}: {describe_change(change)}?",
        {"change": body},
        lambda session: session.api.replace_order_body(args.order_id, change),
    )


async def _replace_bracket_leg(
    settings: Settings, args: argparse.Namespace, change: ReplaceRequest
) -> int | None:
    """One leg of a bracket: the siblings follow (bracket_sync), each step shown, asked once,
    sent once and audited; the exit code. None when the order has no sibling to keep in step
    (the plain replace path runs)."""
    from tstui.domain.orders.bracket_sync import linked_exits, sync_bracket

    async with open_session(settings) as session:
        account = await _order_account(session, settings, args.order_id)
        if account is None:
            return None
        orders = (await session.api.get_orders([account])).items
        exits = linked_exits(orders, args.order_id)
        if len(exits) < 2:
            return None
        leg = next(o for o in exits if o.order_id == args.order_id)
        held = abs(await _signed_position(session, account, leg.symbol))
        steps, issues = sync_bracket(exits, held, changed_id=args.order_id, change=change)
        for issue in issues:
            print(f"tstui: error: {issue.field}: {safe_text(issue.message)}", file=sys.stderr)
        if issues:
            raise ValueError("nothing was sent (see the errors above)")
        if len(steps) < 2:
            return None  # the siblings are already right: a plain replace
        if not live_guard(settings, args):
            return not_sent(args, "LIVE not confirmed")
        lines = [
            f"  {step.action} {safe_text(step.order_id)}"
            + (f": {describe_change(step.change)}" if step.change else "")
            + f" ({step.reason})"
            for step in steps
        ]
        print("This leg belongs to a bracket; to keep its exits in step:", file=sys.stderr)
        print("\n".join(lines), file=sys.stderr)
        if not args.yes and not ask(f"Send these {len(steps)} changes?"):
            return not_sent(args, "not confirmed")
        answers: list[Any] = []
        for step in steps:
            kind = f"order.{step.action}"
            details: dict[str, Any] = {"order_id": step.order_id, "reason": step.reason}
            if step.change is not None:
                details["change"] = step.change.to_api()
            send: Callable[[], Awaitable[Any]] = (
                partial(session.api.replace_order_body, step.order_id, step.change)
                if step.change is not None
                else partial(session.api.cancel_order_body, step.order_id)
            )
            answer, result = await _audited_send(settings, account, kind, details, send)
            answers.append(answer)
            if not result.ok:
                # Stop here: the next steps assumed this one went through.
                text = f"{step.order_id} {result.message or result.error}"
                raise ValueError(f"refused, later steps not sent: {safe_text(text)}")
            if not wants_json(args):
                print(f"{safe_text(result.order_id)}: {safe_text(result.message)}")
        if wants_json(args):
            print_json({"Results": answers})
        return 0


def describe_change(change: ReplaceRequest) -> str:
    """A replace as a trader reads it: "quantity 10, limit 431.50, type Market"."""
    parts = [
        f"{label} {format_cell(value)}"
        for label, value in (
            ("quantity", change.quantity),
            ("limit", change.limit_price),
            ("stop", change.stop_price),
            ("type", change.order_type),
        )
        if value is not None
    ]
    return ", ".join(parts)


def _print_result(answer: Any, result: OrderResult, args: argparse.Namespace) -> None:
    """`--json`: the API's answer as sent; else one line (a refusal on stderr)."""
    if wants_json(args):
        print_json(answer)
    if result.ok:
        if not wants_json(args):
            print(f"{safe_text(result.order_id)}: {safe_text(result.message)}")
    else:
        text = f"{result.order_id or ''} {result.message or result.error}".strip()
        print(f"tstui: {safe_text(text)}", file=sys.stderr)
