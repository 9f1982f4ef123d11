"""What the CLI commands share: the session, account ids, output, questions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from tstui.domain.untrusted import safe_text
from tstui.output import print_table

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


def wire_json(body: Any) -> str:
    """A body as the API sent it, on one line (keys, strings and numbers untouched)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the body): only \u escapes
        return json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return text


def print_json(body: Any, out: IO[str] | None = None) -> None:
    """One JSON document (or one NDJSON line) on stdout, flushed: scripts read it at once."""
    print(wire_json(body), file=out or sys.stdout, flush=True)


def print_rows(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str, out: IO[str] | None = None
) -> None:
    """An aligned table for people (every cell made display-safe by the table renderer)."""
    print_table(headers, rows, out or sys.stdout, empty=empty)


def emit_errors(errors: Sequence[Any]) -> None:
    """Per-item failures that came back inside a 200 (never dropped silently)."""
    for err in errors:
        parts = [err.id or "?", err.error]
        if err.message and err.message != err.error:
            parts.append(err.message)
        print("tstui: " + ": ".join(safe_text(p) for p in parts if p), file=sys.stderr)


def error_object(exc: BaseException) -> dict[str, str]:
    """``{"Error", "Message"}`` for `--json`: the API's own error object when the API
    answered with one, else the kind of local failure and its one-line message."""
    from tstui.cli.errors import describe_error
    from tstui.client.errors import ApiError, TradeStationError

    cause = exc.__cause__  # a stream that gave up keeps the API's answer as its cause
    api_error = exc if isinstance(exc, ApiError) else cause
    if isinstance(api_error, ApiError):
        return {"Error": api_error.title, "Message": api_error.message or api_error.title}
    if isinstance(exc, TradeStationError):
        kind = type(exc).__name__
    elif isinstance(exc, KeyboardInterrupt):
        kind = "Interrupted"
    elif isinstance(exc, ValueError):
        kind = "InvalidValue"
    else:
        kind = type(exc).__name__
    return {"Error": kind, "Message": describe_error(exc)}


def parse_day(value: str | None, flag: str) -> date | None:
    """A ``--since``/``--until`` day (YYYY-MM-DD); None when not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag}: expected YYYY-MM-DD, got {value!r}") from None


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


def not_sent(args: argparse.Namespace, why: str) -> int:
    """Nothing was sent (a question answered no): exit 1, and with --json an error object."""
    if wants_json(args):
        print_json({"Error": "NotSent", "Message": f"not sent: {why}"})
    print("tstui: not sent", file=sys.stderr)
    return 1


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


def apply_command_line(settings: Settings, args: argparse.Namespace) -> Settings:
    """``--env``, ``--account`` and ``--base-url`` on top of the config, as every command
    applies them: one URL stands in for the chosen environment's API and sign-in hosts."""
    env = getattr(args, "env", None) or settings.env
    settings = settings.with_overrides(env=env, account_id=getattr(args, "account", None))
    base_url = getattr(args, "base_url", None)
    if base_url:
        key = "live_base_url" if env == "live" else "base_url"
        settings = settings.with_overrides(**{key: base_url})
    return settings
