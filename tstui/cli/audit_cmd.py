"""`tstui audit`: print the audit log, filtered by day and kind.

Opening the log closes a torn tail first (see `tstui.audit`); the command then says on stderr
how many torn lines were recovered and how many unreadable lines were skipped, so a damaged
log is never shown as if it were whole.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tstui.audit import RECOVERED_KIND, AuditHealth, AuditLog, filter_entries
from tstui.cli.common import parse_day, wants_json
from tstui.domain.untrusted import safe_text
from tstui.output import dumps, print_table

if TYPE_CHECKING:
    from tstui.config import Settings


def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    log = AuditLog.in_dir(settings.state_dir)
    try:
        log.recover()
    except OSError as exc:  # a read-only copy can still be read
        print(f"tstui: audit: torn tail not recovered: {exc}", file=sys.stderr)
    entries = filter_entries(
        log.entries(),
        kinds=args.kind,
        since=parse_day(args.since, "--since"),
        until=parse_day(args.until, "--until"),
    )
    print_audit(entries, args)
    report_health(log.health())
    return 0


def report_health(health: AuditHealth) -> None:
    """One stderr line when the log was ever damaged (stdout stays the entries)."""
    parts = []
    if health.recovered:
        parts.append(
            f"{health.recovered} torn line(s) recovered (kept as {RECOVERED_KIND} entries)"
        )
    if health.salvaged:
        parts.append(f"{health.salvaged} record(s) salvaged from after a torn line")
    if health.unreadable:
        parts.append(f"{health.unreadable} unreadable line(s) skipped")
    if health.torn_tail:
        parts.append("the last line is torn (it is recovered on the next write)")
    parts += list(health.problems)
    if parts:
        print("tstui: audit: " + "; ".join(parts), file=sys.stderr)


def print_audit(entries: list[dict[str, Any]], args: argparse.Namespace) -> None:
    if wants_json(args):
        for entry in entries:
            print(dumps(entry))
        return
    # the log holds server text (reject reasons, messages): shown, never obeyed
    rows = [
        tuple(
            safe_text(cell, limit=120)
            for cell in (e.get("at"), e.get("env"), e.get("kind"), e.get("account"), _summary(e))
        )
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
    if entry.get("kind") == RECOVERED_KIND and isinstance(payload, dict):
        torn = safe_text(payload.get("torn"), limit=60)
        return (
            f"torn line of {payload.get('bytes')} bytes at offset {payload.get('offset')}: {torn}"
        )
    request = payload.get("request") if isinstance(payload, dict) else None
    if isinstance(request, dict):
        legs = request.get("Symbol"), request.get("TradeAction"), request.get("Quantity")
        return " ".join(str(x) for x in legs if x) + f" {request.get('OrderType', '')}"
    text = dumps(payload)
    return text if len(text) <= 80 else text[:77] + "..."
