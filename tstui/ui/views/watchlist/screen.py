"""Quote board: named watchlists fed by the quote stream; a placeholder until the view lands."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Static

from tstui.ui.shell.base import BaseScreen


class WatchlistScreen(BaseScreen):
    VIEW: ClassVar[str] = "watchlist"

    def compose_body(self) -> ComposeResult:
        yield Static("watchlist: coming soon", classes="placeholder")
