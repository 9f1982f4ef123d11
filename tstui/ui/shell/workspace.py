"""The workspace remembered between runs: the open view and the linked symbol, in
``workspace.json`` under the state dir. The active watchlist lives in the config's
``[watchlists]`` and the chart's settings in ``chart.json``; this file holds the rest."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tstui.domain.untrusted import safe_text
from tstui.ui.shell.state_file import read_state, write_state

__all__ = ["FILE_NAME", "Workspace", "load_workspace", "save_workspace"]

FILE_NAME = "workspace.json"
DEFAULT_VIEW = "overview"
SYMBOL_LIMIT = 40  # longer than any symbol TradeStation lists: a damaged file, not a symbol


@dataclass(frozen=True, slots=True)
class Workspace:
    view: str = DEFAULT_VIEW
    symbol: str | None = None


def load_workspace(state_dir: Path, views: Collection[str]) -> Workspace:
    """What was saved; anything unknown or damaged falls back to the default, quietly (a
    workspace is a convenience: it never stops the app from starting)."""
    data = read_state(state_dir, FILE_NAME)
    if not isinstance(data, dict):
        return Workspace()
    view = data.get("view")
    symbol = data.get("symbol")
    if not _plausible_symbol(symbol):
        symbol = None
    return Workspace(
        view=view if isinstance(view, str) and view in views else DEFAULT_VIEW,
        symbol=symbol.strip().upper() if isinstance(symbol, str) else None,
    )


def _plausible_symbol(value: object) -> bool:
    """A string we could have saved: not blank, not huge, no control characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > SYMBOL_LIMIT:
        return False
    return safe_text(value, limit=None) == value


def save_workspace(state_dir: Path, workspace: Workspace) -> bool:
    return write_state(state_dir, FILE_NAME, {"view": workspace.view, "symbol": workspace.symbol})
