"""One clear line for any error the CLI can meet (never a traceback, never a secret)."""

from __future__ import annotations


def describe_error(exc: BaseException) -> str:
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
