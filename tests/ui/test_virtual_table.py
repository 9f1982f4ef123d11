"""VirtualTable never cuts a column: one that does not fit in the view is left blank."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from textual.app import App, ComposeResult

from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable

pytestmark = pytest.mark.anyio

COLUMNS = (
    Column("sym", "Symbol", 8),
    Column("qty", "Qty", 6, "right"),
    Column("px", "Price", 10, "right"),
    Column("pl", "P&L", 10, "right"),
)
ROWS = [("ESZ26", "-9", "11,653.50", "-9.00"), ("NQZ26", "2", "21,001.25", "+1,234.50")]


class Table(VirtualTable[tuple[str, str, str, str]]):
    def row_key(self, row: tuple[str, str, str, str]) -> str:
        return row[0]

    def row_cells(self, row: tuple[str, str, str, str]) -> Sequence[Cell]:
        return [(text, None) for text in row]


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Table(COLUMNS)


@pytest.mark.parametrize("width", [20, 25, 30, 33, 37, 40])
async def test_a_column_straddling_the_edge_is_blank_not_cut(width: int) -> None:
    app = Host()
    async with app.run_test(size=(width, 8)) as pilot:
        table = app.query_one(Table)
        table.set_rows(ROWS)
        await pilot.pause()
        view = table.scrollable_content_region.width
        for scroll_x in (0, 3, 9):
            table.scroll_to(x=scroll_x, animate=False, force=True)
            await pilot.pause()
            lines = [table.render_line(y).text for y in range(3)]
            assert all(len(line) == view for line in lines)
            for line, row in zip(lines[1:], ROWS, strict=True):
                for token in line.split():
                    assert token in row, (width, scroll_x, line)  # whole values only
        table.scroll_to(x=0, animate=False, force=True)
        await pilot.pause()
        assert "ESZ26" in table.render_line(1).text
        if view >= 27:  # symbol, qty and price fit: the price shows whole
            assert "11,653.50" in table.render_line(1).text


class CountingTable(Table):
    formatted = 0

    def row_cells(self, row: tuple[str, str, str, str]) -> Sequence[Cell]:
        self.formatted += 1
        return super().row_cells(row)


class CountingHost(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingTable(COLUMNS)


async def test_rows_are_formatted_once_and_drawn_full_width() -> None:
    """A repaint draws cached rows (no new formatting), each line exactly the view's width;
    a new width formats them again (the cached row is padded to the width it was drawn at)."""
    app = CountingHost()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(CountingTable)
        table.set_rows(ROWS)
        await pilot.pause()
        lines = [table.render_line(y) for y in range(1, 3)]
        formatted = table.formatted
        assert formatted >= len(ROWS)
        table.refresh()
        await pilot.pause()
        again = [table.render_line(y) for y in range(1, 3)]
        assert table.formatted == formatted
        width = table.scrollable_content_region.width
        assert [s.text for s in again] == [s.text for s in lines]
        assert all(s.cell_length == width for s in again)
        await pilot.resize_terminal(50, 8)
        await pilot.pause()
        narrower = table.render_line(1)
        assert table.formatted > formatted
        assert narrower.cell_length == table.scrollable_content_region.width < width
