"""The ticket's rows draw their labels themselves (LabelledRow): the label in the first ten
cells, muted, the fields after it, and no Label widget per row."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from tstui.ui.trading.ticket_form import LabelledRow

pytestmark = pytest.mark.anyio


class RowApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LabelledRow("Limit", Input(id="price", compact=True), id="row-limit")


async def test_the_label_is_drawn_before_the_fields() -> None:
    app = RowApp()
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        row = app.query_one(LabelledRow)
        field = app.query_one("#price", Input)
        assert not row.query(Label)  # one widget fewer per row
        assert field.region.x - row.region.x == 10  # the label's cells are left free
        assert "Limit" in app.export_screenshot()  # on the frame as drawn
        label = row.render()
        assert label.plain == "Limit" and label.style != ""  # muted, as the labels were
