"""The dashboard: every pane on one screen at 160x45, board + positions below that size, the
chart following the linked symbol."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from ui_support import rendered_text, started, wait_until

from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.dashboard.linked_chart import DEFAULT_SYMBOL, LinkedChart
from tstui.ui.views.dashboard.screen import DashboardScreen
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.watchlist.board import QuoteBoard

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def test_full_layout_at_160x45_and_the_chart_follows_the_link(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(160, 45)) as pilot:
        await started(app, pilot, OverviewScreen)
        app.live.link_symbol("NVDA")
        await pilot.press("9")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), 5, "dashboard")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert not screen.has_class("-compact")
        await pilot.pause(0.3)
        assert app.live.current_symbol == "NVDA"  # opening the dashboard links nothing
        for pane in ("#dash-board", "#dash-chart", "#dash-ladder", "#dash-positions"):
            assert screen.query_one(pane).region.area > 0, pane
        ladder = screen.ladder
        assert ladder is not None
        await wait_until(pilot, lambda: ladder.frames > 0, 10, "the ladder's depth frames")
        board = screen.query_one(QuoteBoard)
        await wait_until(pilot, lambda: "@ES" in rendered_text(board.table), 10, "the board rows")
        chart = screen.query_one(LinkedChart)
        await wait_until(pilot, lambda: len(chart.chart.series) > 0, 10, "bars")
        assert chart.symbol == (app.live.current_symbol or DEFAULT_SYMBOL)
        assert chart.state == "live"

        other = "MSFT" if chart.symbol != "MSFT" else "AAPL"
        app.live.link_symbol(other)
        await wait_until(pilot, lambda: chart.symbol == other, 5, "the linked symbol")
        await wait_until(pilot, lambda: len(chart.chart.series) > 0, 10, "the new bars")
        title = rendered_text(chart.query_one("#linked-chart-title"))
        assert f"{other} 5-minute" in title


async def test_small_terminal_shows_board_and_positions_with_a_hint(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, OverviewScreen)
        await pilot.press("9")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), 5, "dashboard")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await pilot.pause()
        assert screen.has_class("-compact")
        assert screen.query_one("#dash-chart").region.area == 0
        assert screen.query_one("#dash-ladder").region.area == 0
        assert screen.query_one("#dash-board").region.area > 0
        assert "160x45" in rendered_text(screen.query_one("#dash-hint"))
        assert screen.query_one(LinkedChart).state == "idle"  # hidden: no stream
        assert screen.ladder is None  # no depth stream either

        await pilot.resize_terminal(160, 45)
        await wait_until(pilot, lambda: not screen.has_class("-compact"), 5, "full layout")
        chart = screen.query_one(LinkedChart)
        await wait_until(pilot, lambda: len(chart.chart.series) > 0, 10, "bars")
        await wait_until(pilot, lambda: screen.ladder is not None, 5, "the ladder mounted")
        ladder = screen.ladder
        assert ladder is not None
        await wait_until(pilot, lambda: ladder.frames > 0, 10, "the ladder's depth frames")
