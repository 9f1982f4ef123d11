"""`tstui audit`: print the audit log, filtered by day and kind."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog, filter_entries
from tstui.cli.common import wants_json
from tstui.output import dumps, print_table

if TYPE_CHECKING:
    from tstui.config import Settings


def _day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag}: expected YYYY-MM-DD, got {value!r}") from None


def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    log = AuditLog.in_dir(settings.state_dir)
    entries = filter_entries(
        log.entries(),
        kinds=args.kind,
        since=_day(args.since, "--since"),
        until=_day(args.until, "--until"),
    )
    print_audit(entries, args)
    return 0


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
