"""Option chain: calls, strikes, puts; spreads built from the chain.
A placeholder until the view lands."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Static

from tstui.ui.shell.base import BaseScreen


class OptionChainScreen(BaseScreen):
    VIEW: ClassVar[str] = "options"

    def compose_body(self) -> ComposeResult:
        yield Static("options: coming soon", classes="placeholder")
