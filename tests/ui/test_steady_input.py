"""SteadyInput: typing does not lay the screen out again (Textual's Input asks for a layout of
every widget at each character), and a value longer than the field still scrolls with the
cursor."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from tstui.ui.widgets.steady_input import SteadyInput

pytestmark = pytest.mark.anyio


class TwoInputs(App[None]):
    CSS = "Input { width: 12; }"

    def compose(self) -> ComposeResult:
        yield SteadyInput(id="steady", compact=True)
        yield Input(id="textual", compact=True)


async def _layouts_while_typing(
    widget_id: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Input]:
    app = TwoInputs()
    layouts: list[int] = []
    real = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        layouts.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(f"#{widget_id}", Input)
        field.focus()
        await pilot.pause()
        layouts.clear()
        await pilot.press(*"5017.25 and more")
        await pilot.pause()
        assert field.value == "5017.25 and more"
        return len(layouts), field


async def test_typing_lays_nothing_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    steady, field = await _layouts_while_typing("steady", monkeypatch)
    textual, _ = await _layouts_while_typing("textual", monkeypatch)
    assert textual > 0  # Textual's own Input: a layout per character
    assert steady == 0
    assert field.virtual_size.width == len(field.value) + 1  # the scroll bounds follow
    assert field.scroll_x > 0  # 16 characters in 12 cells: scrolled to the cursor
