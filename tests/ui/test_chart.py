"""The chart screen on the real simulator: snapshot, live bars, symbol details, error state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import SIZE, rendered_text, sim_post, wait_for_screen, wait_until

from tstui.config import Settings
from tstui.domain.market.futures import front_contract
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.commands import collect_commands
from tstui.ui.shell.keymap import binding_infos
from tstui.ui.views.chart.screen import ChartRequest, ChartScreen, chart_symbols, open_chart
from tstui.ui.views.chart.symbol_panel import SymbolPanel
from tstui.ui.views.chart.widget import ChartView
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def open_chart_view(app: TstuiApp, pilot: Pilot[Any]) -> ChartScreen:
    await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
    await pilot.press("4")  # view.chart
    return await wait_for_screen(app, pilot, ChartScreen, lambda s: s.query(SymbolPanel))


async def test_chart_snapshot_live_bar_and_symbol_panel(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chart_view(app, pilot)
        chart = screen.query_one(ChartView)
        panel = screen.query_one(SymbolPanel)
        assert screen.request == ChartRequest()  # @ES, 5-minute, 120 bars
        await wait_until(pilot, lambda: len(chart.series) >= 100 and chart.last_drawn is not None)
        await wait_until(pilot, lambda: screen.stream_state == "live")

        # @ES: the panel names the contract it means now (Underlying), and so does the status
        await wait_until(pilot, lambda: panel.current_contract == "ESZ26")
        shown = rendered_text(panel)
        assert "ESZ26" in shown and "CME" in shown and "0.25" in shown and "50" in shown
        assert "ESZ26" in str(screen.query_one("#chart-status", Static).content)
        assert "┤" in rendered_text(chart)  # plotext axes on screen, not a blank widget
        fields = screen.ticket_prefill("buy")
        assert fields is not None and fields.symbol == "ESZ26"

        # a bar closes when the simulator clock passes its end: the chart redraws with it
        await wait_until(pilot, lambda: chart.last_drawn is not None)
        assert chart.last_drawn is not None
        before_bar, before_count = chart.last_drawn.timestamp, chart.redraw_count
        sim_post(sim.url, "/_sim/clock", {"advance_seconds": 300})
        await wait_until(
            pilot,
            lambda: chart.last_drawn is not None and chart.last_drawn.timestamp > before_bar,
        )
        assert chart.redraw_count > before_count
        closed = [b for b in chart.series.bars if b.timestamp == before_bar]
        assert closed and closed[0].bar_status == "Closed"

        # the palette offers the chart actions as "chart: ..."
        texts = {c.text for c in collect_commands(screen)}
        assert "chart: @ES 1-minute" in texts and "chart: open ESZ26 5-minute" in texts


def test_chart_symbols_include_the_front_contracts() -> None:
    symbols = chart_symbols(App[None](), at=datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    assert {"@ES", "ESZ26", "@NQ", "NQZ26", "@GC", "@CL"} <= set(symbols)
    assert symbols.index("@ES") < symbols.index("ESZ26")


def test_chart_studies_and_crosshair_keys_mean_nothing_else() -> None:
    """Issue 14, one meaning per key: no other view or the app binds the chart's crosshair and
    study keys (they were x/s/e/v: close, symbol filter, replace, P&L chart elsewhere)."""
    infos = binding_infos()
    ids = ("chart.crosshair", "chart.sma", "chart.ema", "chart.vwap", "chart.volume")
    keys = {key for i in ids for key in infos[i].key.split(",")}
    assert keys == {"X", "M", "E", "W", "V"}
    elsewhere = {
        (info.id, key)
        for info in infos.values()
        if info.owner != "ChartScreen"
        for key in info.key.split(",")
        if key in keys
    }
    assert elsewhere == set()


async def test_palette_opens_a_front_contract_chart_from_any_view(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        overview = await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
        front = front_contract("ES", datetime.now(UTC))
        wanted = f"chart: open {front} 5-minute"  # the README's example, with today's contract
        commands = {c.text: c for c in collect_commands(app, overview)}
        assert wanted in commands
        commands[wanted].callback()
        screen = await wait_for_screen(app, pilot, ChartScreen, lambda s: s.query(SymbolPanel))
        assert screen.request.symbol == front
        await wait_until(pilot, lambda: screen.stream_state == "live")
        await app.live.disconnect()


async def test_chart_keys_unit_symbol_and_tick_bars(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chart_view(app, pilot)
        chart = screen.query_one(ChartView)
        await wait_until(pilot, lambda: len(chart.series) > 0)

        await pilot.press("u")  # chart.unit: Minute -> Daily
        assert screen.request.unit == "Daily" and screen.request.label == "daily"
        await wait_until(pilot, lambda: screen.stream_state == "live" and len(chart.series) > 50)

        await pilot.press("slash")  # chart.symbol: type a symbol into the input
        await pilot.press(*"msft", "enter")
        assert screen.request.symbol == "MSFT"
        panel = screen.query_one(SymbolPanel)
        await wait_until(pilot, lambda: panel.detail is not None and panel.detail.symbol == "MSFT")
        assert panel.current_contract is None

        await pilot.press("t")  # chart.tickbars: the v2 tick-bar stream
        assert screen.request.tick
        await wait_until(pilot, lambda: len(chart.series) > 0 and chart.redraw_count > 0)

        open_chart(app, ChartRequest(symbol="@NQ", interval=15))  # as the palette does
        assert screen.request.symbol == "@NQ" and screen.request.label == "15-minute"
        await wait_until(pilot, lambda: panel.current_contract == "NQZ26")


async def test_chart_error_state_keeps_last_good_time(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chart_view(app, pilot)
        chart = screen.query_one(ChartView)
        await wait_until(pilot, lambda: screen.stream_state == "live")
        good_at = screen.last_good_at
        assert good_at is not None

        # every market-data GET fails (more 503s than the client retries)
        sim_post(sim.url, "/_sim/faults/http", {"group": "marketdata", "status": 503, "count": 12})
        screen.open(ChartRequest(symbol="@GC"))
        status = screen.query_one("#chart-status", Static)
        await wait_until(pilot, lambda: screen.error is not None, timeout=15)
        await wait_until(pilot, lambda: status.has_class("-error"))
        assert "last good" in str(status.content)
        assert good_at.astimezone().strftime("%H:%M:%S") in str(status.content)
        panel = screen.query_one(SymbolPanel)
        await wait_until(pilot, lambda: panel.error is not None, timeout=15)
        # drawn at its next paint (under load, a frame after the error is known)
        await wait_until(pilot, lambda: "last good" in rendered_text(panel), 5, "the error drawn")
        assert app.live.last_error is not None and "chart @GC" in app.live.last_error
        assert "┤" not in rendered_text(chart) or len(chart.series) == 0  # no stale @ES candles
