"""Linking a row's symbol (the chart, the ladder and the ticket follow it), for server text.

A symbol comes from the server: one that is not a symbol as a person would type it (escapes,
bidi controls, a lone surrogate) is not linked, so no pane goes on to request it.
"""

from __future__ import annotations

from tstui.ui.session.live import LiveData
from tstui.watchlists import normalize_symbol

__all__ = ["link_row_symbol"]


def link_row_symbol(live: LiveData, symbol: str | None) -> bool:
    """Link ``symbol`` when it is a plain symbol; True when it was."""
    if not symbol:
        return False
    try:
        plain = normalize_symbol(symbol)
    except ValueError:
        return False
    live.link_symbol(plain)
    return True
