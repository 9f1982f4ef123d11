"""What the CLI commands share: the session, account ids, output, questions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import IO, TYPE_CHECKING, Any

from tstui.output import dumps, print_table

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings


@asynccontextmanager
async def open_session(settings: Settings) -> AsyncIterator[Session]:
    from tstui.client.session import Session

    async with Session.open(settings) as session:
        yield session


async def account_ids(session: Session, settings: Settings) -> list[str]:
    """`--account` (comma list) or the configured ACCOUNT_ID, else every account."""
    if settings.account_id:
        return [a.strip() for a in settings.account_id.split(",") if a.strip()]
    return [a.account_id for a in await session.api.get_accounts()]


def wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


def emit(
    args: argparse.Namespace,
    items: Sequence[Any],
    headers: Sequence[str],
    row: Any,
    *,
    empty: str,
    out: IO[str] | None = None,
) -> None:
    """JSON lines (one per item) for scripts, an aligned table for people."""
    out = out or sys.stdout
    if wants_json(args):
        for item in items:
            print(dumps(item), file=out)
        return
    print_table(headers, [row(item) for item in items], out, empty=empty)


def emit_errors(errors: Sequence[Any]) -> None:
    """Per-item failures that came back inside a 200 (never dropped silently)."""
    for err in errors:
        parts = [err.id or "?", err.error]
        if err.message and err.message != err.error:
            parts.append(err.message)
        print("tstui: " + ": ".join(p for p in parts if p), file=sys.stderr)


def ask(question: str) -> bool:
    """Ask once on a terminal; with no terminal the answer is no."""
    if not sys.stdin.isatty():
        print(f"{question} [no terminal: answering no; use --yes]", file=sys.stderr)
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def live_guard(settings: Settings, args: argparse.Namespace) -> bool:
    """LIVE orders need the typed word LIVE, or --yes together with --confirm-live."""
    if settings.env != "live":
        return True
    if getattr(args, "yes", False) and getattr(args, "confirm_live", False):
        return True
    if not sys.stdin.isatty():
        print("tstui: LIVE environment: pass --yes --confirm-live to send orders", file=sys.stderr)
        return False
    try:
        typed = input("You are about to send to LIVE (real money). Type LIVE to go on: ")
    except EOFError:
        return False
    return typed.strip() == "LIVE"
