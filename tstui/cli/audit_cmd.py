"""`tstui audit`: print the audit log, filtered by day and kind."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from tstui.audit import AuditLog, filter_entries
from tstui.cli.order_cmds import print_audit

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
