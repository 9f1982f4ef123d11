"""The P&L view on the simulator's seeded history: charts drawn, round trips listed, filters,
both sizes, and a fill placed now that closes a position appearing live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from order_factory import order, order_request
from textual.pilot import Pilot
from ui_support import FUTURES, MARGIN, rendered_text, wait_for_screen, wait_until

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.pnl.screen import PnLScreen, parse_dates
from tstui.ui.views.pnl.widgets import PlotPanel, TripsTable

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def sim() -> Iterator[SimServer]:
    """The simulator on today's date: the view reads the 90 days before the wall clock's today,
    and the seeded history is laid out around the simulator's today."""
    from tstui.sim.server import SimServer

    start = datetime.now(UTC).replace(second=0, microsecond=0)
    with SimServer(seed=7, start=start, speed=0.0, heartbeat_seconds=0.5) as server:
        yield server


async def open_pnl(app: TstuiApp, pilot: Pilot[Any]) -> PnLScreen:
    await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
    await wait_until(pilot, lambda: bool(app.live.accounts), 10, "accounts")
    await pilot.press("7")  # view.pnl
    screen = await wait_for_screen(app, pilot, PnLScreen, lambda s: s.loaded is not None, 20)
    await wait_until(pilot, lambda: bool(screen.trips), 5, "round trips")
    return screen


def panel(screen: PnLScreen, name: str) -> PlotPanel:
    return screen.query_one(f"#pnl-{name}", PlotPanel)


async def drawn(pilot: Pilot[Any], screen: PnLScreen, name: str, mark: str) -> str:
    chart = panel(screen, name)
    await wait_until(pilot, lambda: mark in rendered_text(chart), 5, f"{name} chart")
    return rendered_text(chart)


async def test_small_terminal_one_chart_table_and_filters(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_pnl(app, pilot)
        bars = await drawn(pilot, screen, "daily", "█")
        assert "Realized P&L by day" in bars
        assert not panel(screen, "equity").display  # 80 columns: one chart at a time
        table = screen.query_one(TripsTable)
        shown = rendered_text(table)
        assert "Closed" in shown and "Net P&L" in shown and len(table.rows) == len(screen.trips)
        stats = rendered_text(screen.query_one("#pnl-stats"))
        assert "Win" in stats and "PF" in stats and "Max DD" in stats
        await pilot.press("v")  # pnl.chart: the equity curve instead
        await wait_until(pilot, lambda: panel(screen, "equity").display, 3, "equity shown")
        assert "Equity curve" in await drawn(pilot, screen, "equity", "Equity")
        assert not panel(screen, "daily").display

        # symbol filter through the prompt
        await pilot.press("s")
        prompt = screen.query_one("#pnl-prompt")
        await wait_until(pilot, lambda: prompt.has_focus, 3, "the prompt")
        prompt.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"nvda", "enter")
        await wait_until(pilot, lambda: screen.symbol == "NVDA", 3, "symbol filter")
        assert screen.trips and {t.symbol for t in screen.trips} == {"NVDA"}
        assert "symbol NVDA" in rendered_text(screen.query_one("#pnl-filters"))
        await pilot.press("escape")  # pnl.clear
        await wait_until(pilot, lambda: screen.symbol is None, 3, "cleared")

        # date ranges: 90 -> 30 days; then a typed range
        everything = len(screen.trips)
        await pilot.press("d")
        cutoff = datetime.now(UTC).date() - timedelta(days=30)
        assert all(t.exit_time.date() >= cutoff for t in screen.trips)
        assert 0 < len(screen.trips) < everything
        await pilot.press("slash")
        await wait_until(pilot, lambda: prompt.has_focus, 3, "the prompt")
        first = min(t.exit_time for t in screen.trips).date()
        await pilot.press(*f"..{first.isoformat()}", "enter")
        await wait_until(pilot, lambda: screen.custom == (None, first), 3, "typed range")
        assert screen.trips and all(t.exit_time.date() <= first for t in screen.trips)

        # the account filter follows the app's selection
        await pilot.press("escape")
        app.select_account(FUTURES)
        await wait_until(
            pilot, lambda: {t.account_id for t in screen.trips} == {FUTURES}, 5, "account"
        )


async def test_large_terminal_both_charts_and_a_live_closing_fill(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pnl(app, pilot)
        await wait_until(
            pilot, lambda: app.live.stream_health["orders"].state == "live", 10, "orders live"
        )
        await drawn(pilot, screen, "daily", "█")
        line = await drawn(pilot, screen, "equity", "Equity")
        assert any("\u2800" < ch <= "\u28ff" for ch in line)  # the braille line is drawn
        assert panel(screen, "daily").region.y == panel(screen, "equity").region.y  # side by side
        stats = rendered_text(screen.query_one("#pnl-stats"))
        assert "Avg win" in stats and "Comm" in stats

        # the margin account holds 50 AAPL bought in the history: selling them closes the lot
        (lot,) = [
            lot
            for lot in screen.loaded.journal.open_lots()  # type: ignore[union-attr]
            if lot.symbol == "AAPL" and lot.quantity == 50
        ]
        before = len(screen.trips)
        results = await app.live.api.place_order(order_request(MARGIN, "AAPL", "SELL", 50))
        assert results and results[0].error is None, results
        await wait_until(pilot, lambda: len(screen.trips) == before + 1, 10, "the live trip")
        trip = screen.trips[0]  # newest exit first
        assert (trip.symbol, trip.side, trip.quantity) == ("AAPL", "Long", Decimal(50))
        assert trip.entry_price == lot.price and trip.entry_time == lot.opened
        assert screen.live_fills == 1
        assert "live fills 1" in rendered_text(screen.query_one("#pnl-state"))
        assert "AAPL" in rendered_text(screen.query_one(TripsTable)).splitlines()[1]


def test_typed_date_ranges() -> None:
    today = datetime(2026, 12, 1, tzinfo=UTC).date()
    assert parse_dates("7", today) == (today - timedelta(days=7), None)
    assert parse_dates("2026-11-01..2026-11-30", today) == (
        datetime(2026, 11, 1).date(),
        datetime(2026, 11, 30).date(),
    )
    assert parse_dates("..2026-11-30", today) == (None, datetime(2026, 11, 30).date())
    assert parse_dates("", today) == (None, None)
    for bad in ("yesterday", "2026-11-30..2026-11-01"):
        with pytest.raises(ValueError):
            parse_dates(bad, today)


async def test_hostile_symbols_are_shown_literally(sim: SimServer, signed_in: Settings) -> None:
    from test_hostile_sim import ALL_HOSTILE, dangerous, set_hostile

    set_hostile(sim.url, ALL_HOSTILE)
    app = TstuiApp(signed_in)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pnl(app, pilot)
        assert any("\x1b" in t.symbol for t in screen.trips)  # the hostile text arrived
        table = rendered_text(screen.query_one(TripsTable))
        assert "T1" in table and dangerous(table) == []
        await pilot.press("s")
        await pilot.press("enter")  # the selected row's hostile symbol as the filter
        await wait_until(pilot, lambda: screen.symbol is not None, 3, "symbol filter")
        shown = rendered_text(screen.query_one("#pnl-filters"))
        assert "T1" in shown and dangerous(shown) == []
        assert screen.trips  # the filter still finds the trips of that symbol


def test_order_snapshots_wait_for_a_loading_history_but_not_after_it_failed() -> None:
    screen = PnLScreen()
    screen._on_order(order("1"))  # loading: kept for the history
    assert [o.order_id for o in screen._pending] == ["1"]
    screen.error = "P&L not loaded: boom"  # the load failed: a reload fetches them again
    screen._on_order(order("2"))
    assert [o.order_id for o in screen._pending] == ["1"]
