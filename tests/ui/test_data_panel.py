"""The overview's data panels: new figures at the same height repaint the panel alone (no
screen layout); content of another height still resizes the panel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rich.table import Table
from textual.app import App, ComposeResult
from ui_support import wait_until

from tstui.ui.views.overview.balances import DataPanel

pytestmark = pytest.mark.anyio


def table(rows: int, value: str = "1.00") -> Table:
    out = Table("Account", "Equity")
    for i in range(rows):
        out.add_row(f"SIM{i}", value)
    return out


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataPanel("P&L", id="panel")


async def test_same_height_repaints_alone_and_a_taller_table_grows_the_panel() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 30)) as pilot:
        panel = app.query_one(DataPanel)
        panel.show(table(1), datetime.now(UTC))
        await wait_until(pilot, lambda: panel.content_size.height > 1, 5, "the first table")
        one_row = panel.size.height
        layouts: list[bool] = []
        refresh = panel.refresh

        def spy(*args: Any, **kwargs: Any) -> Any:
            layouts.append(bool(kwargs.get("layout")))
            return refresh(*args, **kwargs)

        panel.refresh = spy  # type: ignore[method-assign]
        panel.show(table(1, "2.00"), datetime.now(UTC))
        await pilot.pause()
        assert layouts and not any(layouts)  # repainted, not laid out
        assert panel.size.height == one_row
        panel.show(table(3), datetime.now(UTC))
        await wait_until(pilot, lambda: panel.size.height == one_row + 2, 5, "two more rows")
        assert any(layouts)
