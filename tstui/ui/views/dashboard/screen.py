"""Dashboard: board, chart and ladder on one screen at 160x45 and up.
A placeholder until the view lands."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Static

from tstui.ui.shell.base import BaseScreen


class DashboardScreen(BaseScreen):
    VIEW: ClassVar[str] = "dashboard"

    def compose_body(self) -> ComposeResult:
        yield Static("dashboard: coming soon", classes="placeholder")
