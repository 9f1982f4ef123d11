"""The chart's window on the real simulator: what it says it shows, scrolling, zoom, loading
more history, following the stream, the crosshair, indicators kept in the state dir, the
volume pane at 80x24, and the window agreeing with `tstui get bars`."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import anyio
import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import sim_post, wait_for_screen, wait_until

from tstui.config import ChartSettings, Settings, parse_settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import collect_commands
from tstui.ui.views.chart.plotting import compact_number, volume_floor, volume_rows
from tstui.ui.views.chart.prefs import ChartPrefs, load_prefs
from tstui.ui.views.chart.screen import ChartScreen
from tstui.ui.views.chart.symbol_panel import SymbolPanel
from tstui.ui.views.chart.widget import DRAW_BUDGET, ChartView

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

SMALL = (80, 24)
LARGE = (160, 45)


async def chart_ready(app: TstuiApp, pilot: Pilot[Any], bars: int = 100) -> ChartScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, BaseScreen), 15, "a view")
    await pilot.pause()
    if not isinstance(app.screen, ChartScreen):  # a restart may be back on the chart already
        await pilot.press("4")
    screen = await wait_for_screen(app, pilot, ChartScreen, lambda s: s.query(SymbolPanel))
    chart = screen.query_one(ChartView)
    await wait_until(pilot, lambda: len(chart.series) >= bars and screen.stream_state == "live")
    await drawn(pilot, chart)
    return screen


async def drawn(pilot: Pilot[Any], chart: ChartView[Any]) -> None:
    """Wait for a drawing of the current state (the timer draws what is dirty)."""
    chart.mark_dirty()
    count = chart.redraw_count
    await wait_until(pilot, lambda: chart.redraw_count > count, what="a redraw")
    await pilot.pause()


def info(screen: ChartScreen) -> str:
    return str(screen.query_one("#chart-info", Static).content)


def hhmm(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M")


async def test_window_says_what_it_shows_and_scrolls_and_zooms(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        bars = chart.series.bars
        assert len(bars) == 120
        # 80 columns leave 68 for candles: 68 of the 120 bars, the newest at the right
        start, end = chart.shown_range()
        assert (start, end) == (52, 120)
        text = info(screen)
        assert text.startswith("68 of 120 bars, ")
        assert hhmm(bars[52].timestamp) in text and hhmm(bars[119].timestamp) in text
        assert chart.last_frame is not None and len(chart.last_frame.candles) == 68

        await pilot.press("left")  # one bar older
        assert chart.shown_range() == (51, 119)
        await pilot.press("pageup")  # a screen older
        assert chart.shown_range() == (0, 68)  # clamped at the oldest bar
        await drawn(pilot, chart)
        assert "oldest loaded" in info(screen)
        await pilot.press("end")
        assert chart.shown_range() == (52, 120)

        await pilot.press("minus")  # zoom out: two bars per candle, every bar in view
        assert chart.shown_range() == (0, 120)
        await drawn(pilot, chart)
        assert info(screen).startswith("120 of 120 bars") and "2 per candle" in info(screen)
        assert chart.last_frame is not None and len(chart.last_frame.candles) == 60
        await pilot.press("plus", "plus")  # zoom in twice: half a bar per column
        await drawn(pilot, chart)
        assert info(screen).startswith("34 of 120 bars")

        # at the oldest bar, one more step back loads more history (the next bars-back)
        await pilot.press("home", "left")
        assert screen.request.bars_back == 300
        await wait_until(pilot, lambda: len(chart.series) == 300 and screen.stream_state == "live")
        await drawn(pilot, chart)
        assert info(screen).startswith("34 of 300 bars")
        await app.live.disconnect()


async def test_window_follows_the_stream_unless_scrolled_away(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        newest = chart.series.bars[-1].timestamp
        sim_post(sim.url, "/_sim/clock", {"advance_seconds": 300})
        await wait_until(pilot, lambda: chart.series.bars[-1].timestamp > newest)
        assert chart.shown_range()[1] == len(chart.series)  # following the right edge

        await pilot.press("left", "left", "left")
        end = chart.shown_range()[1]
        shown_last = chart.series.bars[end - 1].timestamp
        newest = chart.series.bars[-1].timestamp
        sim_post(sim.url, "/_sim/clock", {"advance_seconds": 300})
        await wait_until(pilot, lambda: chart.series.bars[-1].timestamp > newest)
        end = chart.shown_range()[1]
        assert end < len(chart.series)
        assert chart.series.bars[end - 1].timestamp == shown_last  # the view stayed put
        await app.live.disconnect()


async def test_crosshair_reads_the_bar(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        await pilot.press("X")  # chart.crosshair
        bars = chart.series.bars
        assert chart.cursor == len(bars) - 1
        await pilot.press("left")
        bar, before = bars[-2], bars[-3]
        text = info(screen)
        change = bar.close - before.close
        assert hhmm(bar.timestamp) in text
        for part in (f"O {bar.open:,.2f}", f"H {bar.high:,.2f}", f"L {bar.low:,.2f}"):
            assert part in text
        assert f"C {bar.close:,.2f}" in text and " V " in text and f"{change:+,.2f}" in text
        await drawn(pilot, chart)
        assert chart.last_frame is not None and chart.last_frame.cursor is not None
        await pilot.press("X")
        assert chart.cursor is None and "bars," in info(screen)
        await app.live.disconnect()


async def test_indicators_toggle_and_are_kept_in_the_state_dir(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        volume = chart.volume
        await pilot.press("s", "e", "x", "v")  # the old keys: their meanings belong to other views
        await drawn(pilot, chart)
        assert chart.last_frame is not None and chart.last_frame.overlays == []
        assert chart.cursor is None and chart.volume == volume
        await pilot.press("M", "E", "W")
        await drawn(pilot, chart)
        assert chart.last_frame is not None
        names = [o.name for o in chart.last_frame.overlays]
        assert names == ["SMA20", "EMA9", "VWAP"]
        assert "SMA20 EMA9 VWAP" in info(screen)
        # SMA20 of the newest candle: the mean of the last 20 closes
        closes = [float(b.close) for b in chart.series.bars[-20:]]
        sma_last = chart.last_frame.overlays[0].values[-1]
        assert sma_last == pytest.approx(sum(closes) / 20)
        texts = {c.text for c in collect_commands(screen)}
        assert {"chart: toggle SMA 20", "chart: toggle VWAP", "chart: toggle volume pane"} <= texts
        await pilot.press("E")
        await app.live.disconnect()
    assert load_prefs(signed_in.state_dir) == ChartPrefs(sma=True, ema=False, vwap=True)

    again = TstuiApp(signed_in)  # a new start keeps the workspace
    async with again.run_test(size=LARGE) as pilot:
        screen = await chart_ready(again, pilot)
        chart = screen.query_one(ChartView)
        await drawn(pilot, chart)
        assert chart.last_frame is not None
        assert [o.name for o in chart.last_frame.overlays] == ["SMA20", "VWAP"]
        await again.live.disconnect()


async def test_indicator_periods_come_from_the_config(sim: SimServer, signed_in: Settings) -> None:
    parsed = parse_settings({"chart": {"sma_period": 5, "ema_period": 3}})
    assert parsed.chart == ChartSettings(sma_period=5, ema_period=3)
    app = TstuiApp(replace(signed_in, chart=parsed.chart))
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        await pilot.press("M", "E")
        await drawn(pilot, chart)
        assert chart.last_frame is not None
        assert [o.name for o in chart.last_frame.overlays] == ["SMA5", "EMA3"]
        closes = [float(b.close) for b in chart.series.bars[-5:]]
        assert chart.last_frame.overlays[0].values[-1] == pytest.approx(sum(closes) / 5)
        await app.live.disconnect()


async def test_volume_pane_hidden_at_80x24_until_asked(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        assert volume_rows(chart.size.height, chart.volume) == 0  # too short: hidden
        await pilot.press("V")
        await drawn(pilot, chart)
        rows = volume_rows(chart.size.height, chart.volume)
        assert rows >= 7  # when shown it has a readable height
        canvas = chart.render().plain.split("\n")
        assert chart.last_frame is not None
        volumes = [c.volume for c in chart.last_frame.candles]
        top, bottom = compact_number(max(volumes)), compact_number(volume_floor(volumes))
        pane = canvas[-rows:]
        assert any(line.strip().startswith(f"{top}┤") for line in pane)
        assert any(line.strip().startswith(f"{bottom}┤") for line in pane)
        await app.live.disconnect()
    assert load_prefs(signed_in.state_dir).volume is True


async def test_window_agrees_with_get_bars(sim: SimServer, signed_in: Settings) -> None:
    """The first and last bar the chart shows are the bars `tstui get bars` prints at the
    same places, for the same symbol, unit, interval and bars back (the real CLI, run as a
    process against the same simulator; its clock is frozen)."""
    creds = sim.credentials
    env = {
        **os.environ,
        "CLIENT_ID": creds.client_id,
        "CLIENT_SECRET": creds.client_secret,
        "REFRESH_TOKEN": creds.refresh_token,
    }

    async def cli_bars(*args: str) -> list[datetime]:
        argv = [sys.executable, "-m", "tstui", "get", "bars", *args]
        done = await anyio.run_process([*argv, "--base-url", sim.url, "--json"], env=env)
        body = json.loads(done.stdout)
        return [datetime.fromisoformat(b["TimeStamp"]) for b in body["Bars"]]

    app = TstuiApp(signed_in)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        await pilot.press("right_square_bracket", "right_square_bracket")  # 600 bars back
        await wait_until(pilot, lambda: len(chart.series) == 600 and screen.stream_state == "live")
        await drawn(pilot, chart)
        expected = await cli_bars("@ES", "--unit", "Minute", "--interval", "5", "--barsback", "600")
        start, end = chart.shown_range()
        columns = chart.columns  # the chart's width less the price axis (the panel is beside)
        assert end - start == columns and len(expected) == 600
        shown = chart.series.bars
        assert shown[start].timestamp == expected[600 - columns]
        assert shown[end - 1].timestamp == expected[-1]
        first, last = hhmm(expected[600 - columns]), hhmm(expected[-1])
        assert info(screen).startswith(f"{columns} of 600 bars, ") and first in info(screen)
        assert last in info(screen)

        # monthly, 120 bars back: zoomed out, the window holds the very first bar too
        await pilot.press("u", "u", "u")  # Minute -> Daily -> Weekly -> Monthly
        assert screen.request.unit == "Monthly" and screen.request.bars_back == 600
        await pilot.press("left_square_bracket", "left_square_bracket")  # 600 -> 300 -> 120
        await wait_until(pilot, lambda: len(chart.series) == 120 and screen.stream_state == "live")
        monthly = await cli_bars("@ES", "--unit", "Monthly", "--barsback", "120")
        assert chart.shown_range() == (120 - chart.columns, 120)  # as many as fit
        assert chart.series.bars[120 - chart.columns].timestamp == monthly[120 - chart.columns]
        await pilot.press("minus")  # zoom out: two months a candle, all 120 in view
        assert chart.shown_range() == (0, 120)
        assert chart.series.bars[0].timestamp == monthly[0]
        assert chart.series.bars[-1].timestamp == monthly[-1]
        await drawn(pilot, chart)
        month = monthly[0].astimezone().strftime("%Y-%m")
        assert info(screen).startswith(f"120 of 120 bars, {month} to ")
        assert "2 per candle" in info(screen)
        await app.live.disconnect()


async def test_order_lines_follow_the_book_and_lead_to_the_order(
    sim: SimServer, settings: Settings
) -> None:
    from order_factory import order

    from tstui.domain.orders import OrderRequest, new_order_confirm_id
    from tstui.ui.shell.messages import BooksChanged
    from tstui.ui.trading.dialogs import ReplaceOrderScreen
    from tstui.ui.views.orders.screen import BlotterScreen

    app = TstuiApp(settings)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        screen.open(screen.request.__class__(symbol="MSFT"))
        await wait_until(pilot, lambda: len(chart.series) >= 100 and screen.stream_state == "live")
        start, end = chart.shown_range()
        low = min(b.low for b in chart.series.bars[start:end])
        limit = (low - Decimal("0.50")).quantize(Decimal("0.01"))
        await app.live.api.place_order(
            OrderRequest(
                account_id="SIM1000001M",
                symbol="MSFT",
                quantity=Decimal(3),
                order_type="Limit",
                limit_price=limit,
                trade_action="BUY",
                order_confirm_id=new_order_confirm_id(),
            )
        )
        label = f"BUY 3 LMT {limit}"
        await wait_until(pilot, lambda: any(lv.label == label for lv in chart.levels), 10)
        await drawn(pilot, chart)
        assert chart.last_frame is not None
        assert any(lv.label.startswith("LAST ") for lv in chart.last_frame.levels)
        assert label in chart.render().plain  # drawn on the chart, at its price
        # a flush that only touches another symbol's order leaves the lines as they are
        app.live.order_book.apply(order("other-1", symbol="ZZZZ"))
        msft_id = next(o.order_id for o in app.live.order_book.orders() if o.limit_price == limit)
        before = chart.levels
        screen.on_books_changed(BooksChanged(frozenset({"other-1"})))
        assert chart.levels is before
        screen.on_books_changed(BooksChanged(frozenset({msft_id})))
        assert chart.levels is not before and any(lv.label == label for lv in chart.levels)

        far = (low * Decimal("0.8")).quantize(Decimal("0.01"))  # too far below to draw
        await app.live.api.place_order(
            OrderRequest(
                account_id="SIM1000001M",
                symbol="MSFT",
                quantity=Decimal(1),
                order_type="Limit",
                limit_price=far,
                trade_action="BUY",
                order_confirm_id=new_order_confirm_id(),
            )
        )
        far_label = f"BUY 1 LMT {far}"
        await wait_until(pilot, lambda: any(lv.label == far_label for lv in chart.levels), 10)
        await drawn(pilot, chart)
        assert f"↓ {far_label}" in info(screen) and far_label not in chart.render().plain
        assert label in chart.render().plain  # the near one still drawn
        # a cancel on the order stream takes its line away
        (far_order,) = [lv for lv in chart.levels if lv.label == far_label]
        far_id = next(o.order_id for o in app.live.order_book.orders() if o.limit_price == far)
        await app.live.api.cancel_order(far_id)
        await wait_until(pilot, lambda: far_order not in chart.levels, 10, "the line removed")
        await drawn(pilot, chart)
        assert far_label not in info(screen)

        await pilot.press("l")  # choose an order's line
        order_id = screen.selected_line
        assert order_id is not None and f"line: {order_id}" in info(screen)
        assert any(lv.selected for lv in chart.levels)
        await pilot.press("enter")  # its replace dialog
        await wait_for_screen(app, pilot, ReplaceOrderScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 5)

        await pilot.press("g")  # the order in the blotter
        await wait_until(pilot, lambda: isinstance(app.screen, BlotterScreen), 5)
        blotter = app.screen
        assert isinstance(blotter, BlotterScreen)
        await wait_until(pilot, lambda: blotter.blotter.selected_order_id == order_id, 5)
        await app.live.disconnect()


async def test_day_labels_at_session_breaks(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        screen.open(replace(screen.request, symbol="MSFT", bars_back=300))
        await wait_until(pilot, lambda: len(chart.series) == 300 and screen.stream_state == "live")
        await wait_until(pilot, lambda: chart.session is not None)  # from the symbol's details
        await drawn(pilot, chart)  # 118 five-minute bars: 78 a session, so a break in view
        frame = chart.last_frame
        assert frame is not None and frame.day_breaks
        # each break is the first bar of a regular session: 09:35 New York
        for index in frame.day_breaks:
            first = frame.candles[index].first_at or frame.candles[index].at
            assert first.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "09:35"
        day = frame.candles[frame.day_breaks[-1]].at.astimezone().strftime("%a %d")
        assert day in chart.render().plain
        await pilot.press("minus", "minus")  # merged candles: the label still names the day
        await drawn(pilot, chart)
        assert chart.last_frame is not None and len(chart.last_frame.day_breaks) >= 3
        assert day in chart.render().plain

        # futures: the session that opens Monday 18:00 New York is Tuesday's trading day
        screen.open(replace(screen.request, symbol="@ES", bars_back=300))
        await wait_until(pilot, lambda: len(chart.series) == 300 and screen.stream_state == "live")
        await wait_until(
            pilot, lambda: chart.session is not None and "Globex" in chart.session.name
        )
        await pilot.press("end", "minus", "minus", "minus")
        await drawn(pilot, chart)
        frame = chart.last_frame
        assert frame is not None
        assert "Tue 01" in frame.day_names.values()
        opening = [
            b for b in chart.series.bars if b.timestamp == datetime(2026, 11, 30, 23, 5, tzinfo=UTC)
        ]
        assert opening  # the first bar after the daily halt (22:00-23:00Z)
        assert "Tue 01" in chart.render().plain
        await app.live.disconnect()


async def test_redraws_stay_in_budget_while_bars_stream(
    sim: SimServer, signed_in: Settings
) -> None:
    """Bars streaming fast (the sim clock jumping a minute every 50 ms) with every indicator
    on: at most a few drawings a second, each well under the draw budget, and the newest
    bar drawn once the stream calms down."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=LARGE) as pilot:
        screen = await chart_ready(app, pilot)
        chart = screen.query_one(ChartView)
        await pilot.press("M", "E", "W", "V")
        await drawn(pilot, chart)
        before, started = chart.redraw_count, time.monotonic()
        drawing = chart.draw_seconds_total
        for _ in range(40):
            sim_post(sim.url, "/_sim/clock", {"advance_seconds": 60})
            await pilot.pause(0.05)
        elapsed = time.monotonic() - started
        redraws = chart.redraw_count - before
        assert 1 <= redraws <= elapsed * 4 + 1  # the 0.3 s redraw spacing, not every frame
        # drawing takes at most its share of the loop (plus the one draw under way), however
        # slow a draw is on a loaded machine: slower draws are spaced further apart
        spent = chart.draw_seconds_total - drawing
        assert spent <= elapsed * DRAW_BUDGET + chart.last_draw_seconds
        await wait_until(pilot, lambda: chart.last_drawn is chart.series.last, 5)
        await app.live.disconnect()
