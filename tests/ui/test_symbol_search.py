"""Symbol search (the chart's symbol input, the board's add) against the simulator: suggestions
as you type with description and exchange, unknown symbols refused with a message; the chart
follows the linked symbol and links what is typed into it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from ui_support import SIZE, rendered_text, wait_for_screen, wait_until

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.chart.screen import ChartScreen
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.watchlist.screen import WatchlistScreen
from tstui.ui.widgets.symbol_search import SymbolSearch

pytestmark = pytest.mark.anyio


async def chart_view(app: TstuiApp, pilot: Pilot[Any]) -> ChartScreen:
    await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
    await wait_until(pilot, lambda: app.live.connected, 10, "the session")
    await pilot.press("4")
    return await wait_for_screen(app, pilot, ChartScreen)


async def test_chart_symbol_search_suggests_refuses_and_links(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await chart_view(app, pilot)
        search = screen.query_one(SymbolSearch)
        await pilot.press("slash")
        assert search.has_focus_within
        assert not search.matches  # the chart's own symbol asks nothing
        await pilot.press(*"appl")
        await wait_until(pilot, lambda: "AAPL" in [m.name for m in search.matches], 5)
        shown = rendered_text(search.options)
        assert "AAPL" in shown and "Apple Inc" in shown and "NASDAQ" in shown

        # nothing matches: said at once, no list
        search.value = ""
        await pilot.press(*"qqqqx")
        await wait_until(pilot, lambda: "No symbol matches" in search.message, 5, "no match")
        assert not search.matches
        # Enter on an unknown symbol: refused, the chart keeps its symbol
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Unknown symbol 'QQQQX'" in search.message, 5)
        assert screen.request.symbol == "@ES"

        # a known symbol typed in full: charted, and linked for the other panes
        search.value = ""
        await pilot.press(*"nvda", "enter")
        await wait_until(pilot, lambda: screen.request.symbol == "NVDA", 5, "NVDA charted")
        assert app.live.current_symbol == "NVDA"

        # picked from the list with Down + Enter
        await pilot.press("slash", *"msf")
        await wait_until(pilot, lambda: [m.name for m in search.matches] == ["MSFT"], 5)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: screen.request.symbol == "MSFT", 5, "MSFT charted")
        assert app.live.current_symbol == "MSFT"

        # Esc leaves the field as the chart's symbol
        await pilot.press("slash", *"zz", "escape")
        await pilot.pause()
        assert search.value == "MSFT" and not search.has_focus_within


async def test_chart_follows_the_linked_symbol(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await chart_view(app, pilot)
        unit = screen.request.unit
        app.live.link_symbol("SPY")  # e.g. from the positions or the ladder
        await wait_until(pilot, lambda: screen.request.symbol == "SPY", 5, "the chart follows")
        assert screen.request.unit == unit  # the chart's own settings are kept

        # linked while the chart is hidden: shown again, it follows
        await pilot.press("5")
        board = (await wait_for_screen(app, pilot, WatchlistScreen)).board
        await wait_until(pilot, lambda: "AAPL" in board.table._index, 10, "the board rows")
        board.table.focus()
        board.table.select_key("AAPL")
        await wait_until(pilot, lambda: app.live.current_symbol == "AAPL", 5, "linked")
        assert screen.request.symbol == "SPY"  # hidden: no restart while nobody sees it
        await pilot.press("4")
        await wait_for_screen(app, pilot, ChartScreen)
        await wait_until(pilot, lambda: screen.request.symbol == "AAPL", 5, "followed on resume")


async def test_a_symbol_set_by_a_link_or_an_open_chart_opens_no_suggestions(
    signed_in: Settings,
) -> None:
    """Only typing asks for suggestions: a chart opened on the linked symbol, a link followed
    while the chart is shown and a chart opened for a symbol leave the list and status shut."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
        await wait_until(pilot, lambda: app.live.connected, 10, "the session")
        app.live.link_symbol("AAPL")
        screen = await chart_view(app, pilot)
        search = screen.query_one(SymbolSearch)
        await wait_until(pilot, lambda: screen.request.symbol == "AAPL", 5, "the linked symbol")

        def shut() -> bool:
            return not search.matches and not search.has_class("-open", "-message")

        for _ in range(3):  # longer than the debounce and a suggest round trip
            await pilot.pause(search.debounce_s)
            assert shut(), search.message
        app.live.link_symbol("MSFT")  # followed while shown
        await wait_until(pilot, lambda: screen.request.symbol == "MSFT", 5, "followed")
        for _ in range(3):
            await pilot.pause(search.debounce_s)
            assert shut(), search.message
        assert search.value == "MSFT"
        # left with the symbol field focused (the palette switched view), then a link: the
        # chart follows on resume and its field keeps the focus, still nothing is asked
        await pilot.press("slash")
        app.switch_mode("watchlist")
        await wait_until(pilot, lambda: app.screen is not screen, 5, "another view")
        app.live.link_symbol("AAPL")
        await pilot.press("4")
        await wait_until(pilot, lambda: screen.request.symbol == "AAPL", 5, "followed on resume")
        assert search.input.has_focus
        for _ in range(3):
            await pilot.pause(search.debounce_s)
            assert shut(), search.message
        await pilot.press("escape", "slash", *"nvd")  # typing still suggests
        await wait_until(pilot, lambda: "NVDA" in [m.name for m in search.matches], 5)
        assert search.has_class("-open")
