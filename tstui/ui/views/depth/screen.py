"""Market depth: a price ladder from the level-2 and aggregate depth streams.
A placeholder until the view lands."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Static

from tstui.ui.shell.base import BaseScreen


class DepthScreen(BaseScreen):
    VIEW: ClassVar[str] = "depth"

    def compose_body(self) -> ComposeResult:
        yield Static("depth: coming soon", classes="placeholder")
