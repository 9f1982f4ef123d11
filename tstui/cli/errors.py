"""One clear line for any error the CLI can meet (never a traceback, never a secret).

Error texts quote the server (``Message`` of a 400, a reject reason, a symbol it echoed), so
the line is made display-safe here: no escape, control, bidi or line-break character reaches
the terminal, and a very long message is cut (the audit log and ``--json`` keep it whole).
"""

from __future__ import annotations

from tstui.domain.untrusted import safe_text

ERROR_LIMIT = 400  # characters of one error line


def describe_error(exc: BaseException) -> str:
    return safe_text(_describe(exc), limit=ERROR_LIMIT)


def _describe(exc: BaseException) -> str:
    from tstui.client.errors import (
        LoginRequired,
        OrderOutcomeUnknown,
        TradeStationError,
        TransportError,
    )

    if isinstance(exc, LoginRequired):
        return f"{exc} (run `tstui login`)"
    if isinstance(exc, OrderOutcomeUnknown):
        return f"{exc}; check `tstui get orders` before trying again"
    if isinstance(exc, TransportError):
        return f"cannot reach the server: {exc}"
    if isinstance(exc, TradeStationError):
        return str(exc)
    if isinstance(exc, ValueError):
        return f"invalid value: {exc}"
    return f"unexpected {type(exc).__name__}: {exc}"
