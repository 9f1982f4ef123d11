"""OneLineSelect: Textual's Select with its current value drawn as one widget (the order
ticket's dropdowns). It shows the label and the arrow, mutes the prompt, turns the arrow while
the list is open, follows a choice made in the list, and never reads a label as markup."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Select
from textual.widgets._select import SelectCurrent

from tstui.ui.widgets.one_line_select import OneLineCurrent, OneLineSelect

pytestmark = pytest.mark.anyio


class SelectApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OneLineSelect(
            [("Limit", "Limit"), ("Market", "Market"), ("[b]Stop[/b]", "StopMarket")],
            allow_blank=False,
            id="type",
            compact=True,
        )
        yield OneLineSelect([], prompt="default route", allow_blank=True, id="route", compact=True)


def line(app: SelectApp, select_id: str) -> str:
    current = app.query_one(f"#{select_id}", Select).query_one(OneLineCurrent)
    return str(current.render())


async def test_one_widget_shows_the_label_and_the_arrow() -> None:
    app = SelectApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        select = app.query_one("#type", Select)
        assert isinstance(select, OneLineSelect)
        (current,) = select.query(SelectCurrent)  # still a SelectCurrent for CSS and messages
        assert isinstance(current, OneLineCurrent) and not current.children
        assert line(app, "type").startswith("Limit") and line(app, "type").endswith(" ▼")
        assert len(line(app, "type")) == current.content_size.width  # the arrow at the edge
        assert current.has_class("-has-value")


async def test_the_prompt_is_muted_and_a_label_is_never_markup() -> None:
    app = SelectApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        route = app.query_one("#route", Select).query_one(OneLineCurrent)
        text = route.render()
        assert str(text).startswith("default route")
        assert text.spans and text.spans[0].style != ""  # the prompt's muted colour
        assert not route.has_class("-has-value")
        select = app.query_one("#type", Select)
        select.value = "StopMarket"
        await pilot.pause()
        assert line(app, "type").startswith("[b]Stop[/b]")  # shown as typed, not bold


async def test_the_list_turns_the_arrow_and_a_choice_updates_the_line() -> None:
    app = SelectApp()
    async with app.run_test(size=(40, 12)) as pilot:
        select = app.query_one("#type", Select)
        select.focus()
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        assert select.expanded and line(app, "type").endswith(" ▲")
        await pilot.press("down", "enter")  # Market
        await pilot.pause()
        assert not select.expanded
        assert select.value == "Market"
        assert line(app, "type").startswith("Market") and line(app, "type").endswith(" ▼")
