"""`tstui order confirm|place|replace|cancel`: confirm-then-place, one send per intent."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog
from tstui.cli.common import ask, live_guard, open_session, wants_json
from tstui.output import dumps, format_cell, print_table

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings
    from tstui.domain.models import OrderConfirmation
    from tstui.domain.orders import OrderRequest


async def run_order(settings: Settings, args: argparse.Namespace) -> int:
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


async def _build_request(
    session: Session, settings: Settings, args: argparse.Namespace
) -> OrderRequest:
    from tstui.domain.orders import TicketFields, parse_ticket

    symbol = args.symbol.upper()
    details = await session.api.get_symbols([symbol])
    detail = details.items[0] if details.items else None
    if detail is None and details.errors:
        err = details.errors[0]
        raise ValueError(f"symbol: {err.message or err.error}")
    asset_type = detail.asset_type if detail else None
    account = await _default_account(session, settings, asset_type)
    fields = TicketFields(
        account=account,
        symbol=symbol,
        action=args.action,
        quantity=args.qty,
        order_type=args.order_type,
        limit_price=args.limit or "",
        stop_price=args.stop or "",
        duration=args.tif,
        route=args.route or "",
    )
    request, problems = parse_ticket(fields, detail, asset_type)
    for problem in problems:
        level = "error" if problem.severity == "error" else "warning"
        print(f"tstui: {level}: {problem.field}: {problem.message}", file=sys.stderr)
    if request is None:
        raise ValueError("the order was not sent (see the errors above)")
    return request


def _print_confirmations(confirmations: list[OrderConfirmation], args: argparse.Namespace) -> None:
    if wants_json(args):
        for confirmation in confirmations:
            print(dumps(confirmation))
        return
    for c in confirmations:
        print(c.summary_message or "(no summary)")
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
                print(f"  {label:<22}{format_cell(value)}")


async def _confirm_or_place(settings: Settings, args: argparse.Namespace) -> int:
    place = args.what == "place"
    if place and not live_guard(settings, args):
        print("tstui: not sent", file=sys.stderr)
        return 1
    async with open_session(settings) as session:
        request = await _build_request(session, settings, args)
        audit = _audit(settings)
        confirmations = await session.api.confirm_order(request)
        audit.append(
            "order.preview",
            env=settings.env,
            account=request.account_id,
            payload={"request": request.to_api(), "confirmations": confirmations},
        )
        if not place:
            _print_confirmations(confirmations, args)
            return 0
        if not wants_json(args):
            _print_confirmations(confirmations, args)
        if not args.yes and not ask("Place this order?"):
            print("tstui: not sent", file=sys.stderr)
            return 1
        return await _place(session, settings, request, args)


async def _place(
    session: Session, settings: Settings, request: OrderRequest, args: argparse.Namespace
) -> int:
    from tstui.client.errors import OrderOutcomeUnknown

    audit = _audit(settings)
    audit.append(
        "order.place",
        env=settings.env,
        account=request.account_id,
        payload={"request": request.to_api()},
    )
    try:
        results = await session.api.place_order(request)
    except OrderOutcomeUnknown as exc:
        audit.append(
            "order.place.unknown",
            env=settings.env,
            account=request.account_id,
            payload={"order_confirm_id": request.order_confirm_id, "reason": exc.reason},
        )
        raise
    audit.append(
        "order.place.result",
        env=settings.env,
        account=request.account_id,
        payload={"order_confirm_id": request.order_confirm_id, "results": results},
    )
    failed = [r for r in results if not r.ok]
    if wants_json(args):
        for result in results:
            print(dumps(result))
    else:
        for r in results:
            if r.ok:
                print(f"placed {r.order_id}: {r.message}")
            else:
                print(f"rejected: {r.message or r.error}", file=sys.stderr)
    return 1 if failed or not results else 0


async def _cancel(settings: Settings, args: argparse.Namespace) -> int:
    if not live_guard(settings, args):
        return 1
    async with open_session(settings) as session:
        if not args.yes and not ask(f"Cancel order {args.order_id}?"):
            print("tstui: not sent", file=sys.stderr)
            return 1
        audit = _audit(settings)
        audit.append(
            "order.cancel",
            env=settings.env,
            account=settings.account_id,
            payload={"order_id": args.order_id},
        )
        result = await session.api.cancel_order(args.order_id)
        audit.append(
            "order.cancel.result",
            env=settings.env,
            account=settings.account_id,
            payload={"order_id": args.order_id, "result": result},
        )
        _print_result(result, args)
        return 0 if result.ok else 1


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
    if change.to_api() == {}:
        raise ValueError("nothing to change: pass --qty, --limit, --stop or --type")
    if not live_guard(settings, args):
        return 1
    async with open_session(settings) as session:
        if not args.yes and not ask(f"Replace order {args.order_id} with {change.to_api()}?"):
            print("tstui: not sent", file=sys.stderr)
            return 1
        audit = _audit(settings)
        audit.append(
            "order.replace",
            env=settings.env,
            account=settings.account_id,
            payload={"order_id": args.order_id, "change": change.to_api()},
        )
        result = await session.api.replace_order(args.order_id, change)
        audit.append(
            "order.replace.result",
            env=settings.env,
            account=settings.account_id,
            payload={"order_id": args.order_id, "result": result},
        )
        _print_result(result, args)
        return 0 if result.ok else 1


def _print_result(result: Any, args: argparse.Namespace) -> None:
    if wants_json(args):
        print(dumps(result))
    elif result.ok:
        print(f"{result.order_id}: {result.message}")
    else:
        print(f"tstui: {result.order_id or ''} {result.message or result.error}", file=sys.stderr)


def print_audit(entries: list[dict[str, Any]], args: argparse.Namespace) -> None:
    if wants_json(args):
        for entry in entries:
            print(dumps(entry))
        return
    rows = [
        (e.get("at"), e.get("env"), e.get("kind"), e.get("account") or "", _summary(e))
        for e in entries
    ]
    print_table(
        ("Time", "Env", "Kind", "Account", "Details"),
        rows,
        sys.stdout,
        empty="the audit log is empty",
    )


def _summary(entry: dict[str, Any]) -> str:
    payload = entry.get("payload") or {}
    request = payload.get("request") if isinstance(payload, dict) else None
    if isinstance(request, dict):
        legs = request.get("Symbol"), request.get("TradeAction"), request.get("Quantity")
        return " ".join(str(x) for x in legs if x) + f" {request.get('OrderType', '')}"
    text = dumps(payload)
    return text if len(text) <= 80 else text[:77] + "..."
