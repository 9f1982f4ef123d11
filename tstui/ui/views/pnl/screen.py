"""The P&L view (`7`): realized P&L per day and the equity curve (plotext), the round trips
and their statistics, from the journal of the last 90 days of orders, live.

The journal (:mod:`tstui.client.journal`) is loaded once per session: historical orders
(paged) plus today's. After that every order snapshot the app receives (orders stream and
reconciliation, via ``LiveData.observe_orders``) adds its new fills, so a fill that closes a
position shows as a round trip as it happens.

Keys (ids `pnl.*`): s symbol (prompt; empty = all), d next date range (90 days, 30, 7,
today), / dates (``7``, ``2026-11-01``, ``2026-11-01..2026-11-30``, ``..2026-11-30``), v the
other chart (when only one fits), r reload, esc clear the filters. The account filter follows
the app's account selection (a / A). Dates are UTC days of the exit (when P&L is realized).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.domain.models import Order
from tstui.domain.portfolio.journal import (
    RoundTrip,
    TripFilter,
    equity_curve,
    pnl_by_day,
    summarize,
)
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.messages import AccountChanged, EnvChanged
from tstui.ui.shell.plain import plain
from tstui.ui.views.chart.plotting import ChartStyle
from tstui.ui.views.pnl.charts import render_daily_bars, render_equity
from tstui.ui.views.pnl.widgets import PlotPanel, TripsTable, stats_text
from tstui.ui.widgets.steady_input import SteadyInput

if TYPE_CHECKING:
    from tstui.client.journal import LoadedJournal

__all__ = ["RANGES", "PnLScreen", "parse_dates"]

RANGES: tuple[tuple[str, int], ...] = (
    ("90 days", 90),
    ("30 days", 30),
    ("7 days", 7),
    ("today", 0),
)
WIDE = 120  # from this width both charts show side by side
REFRESH_S = 0.5
ChartName = Literal["daily", "equity"]


def parse_dates(text: str, today: date) -> tuple[date | None, date | None]:
    """``7`` (the last 7 days), ``2026-11-01`` (since), ``A..B``, ``..B`` or ``A..``."""
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit():
        return today - timedelta(days=int(text)), None
    first, sep, last = text.partition("..")

    def day(part: str) -> date | None:
        part = part.strip()
        if not part:
            return None
        try:
            return date.fromisoformat(part)
        except ValueError:
            raise ValueError(f"{part!r}: use YYYY-MM-DD, A..B or a number of days") from None

    since, until = day(first), day(last) if sep else None
    if since and until and since > until:
        raise ValueError(f"{since} is after {until}")
    return since, until


class PnLScreen(BaseScreen):
    VIEW = "pnl"
    TITLE = "P&L"
    AUTO_FOCUS = "TripsTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "symbol", "Symbol", id="pnl.symbol"),
        Binding("d", "next_range", "Range", id="pnl.range"),
        Binding("slash", "dates", "Dates", id="pnl.dates"),
        Binding("v", "toggle_chart", "Chart", id="pnl.chart"),
        Binding("r", "reload", "Reload", id="pnl.reload"),
        Binding("escape", "clear_filters", "Clear", show=False, id="pnl.clear"),
    ]
    DEFAULT_CSS = """
    PnLScreen #pnl-bar { height: 1; padding: 0 1; background: $panel; }
    PnLScreen #pnl-filters { width: 1fr; }
    PnLScreen #pnl-state { width: auto; color: $text-muted; }
    PnLScreen #pnl-state.-error { color: $error; text-style: bold; }
    PnLScreen #pnl-prompt { display: none; }
    PnLScreen #pnl-prompt.-shown { display: block; }
    PnLScreen #pnl-stats { height: auto; padding: 0 1; }
    PnLScreen #pnl-charts { height: 9; }
    PnLScreen PlotPanel.-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.loaded: LoadedJournal | None = None
        self.symbol: str | None = None
        self.range_index = 0
        self.custom: tuple[date | None, date | None] | None = None
        self.chart: ChartName = "daily"
        self.trips: list[RoundTrip] = []
        self.live_fills = 0
        self.loaded_at: datetime | None = None
        self.error: str | None = None
        self._pending: list[Order] = []
        self._prompt_for = ""
        self._dirty = False
        self._unobserve: Callable[[], None] | None = None
        self._days: list[tuple[date, float]] = []
        self._curve: list[tuple[datetime, float]] = []

    # ---- layout ----------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="pnl-bar"):
            yield Static("", id="pnl-filters")
            yield Static("loading…", id="pnl-state")
        yield SteadyInput(id="pnl-prompt", compact=True)
        yield Static("", id="pnl-stats")
        with Horizontal(id="pnl-charts"):
            yield PlotPanel(self._draw_daily, id="pnl-daily")
            yield PlotPanel(self._draw_equity, id="pnl-equity")
        yield TripsTable(id="pnl-trips")

    @property
    def table(self) -> TripsTable:
        return self.query_one(TripsTable)

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        """Both charts side by side from 120 columns, else the chosen one; charts take about
        two fifths of the height (at least 8 rows: plotext's frame and labels need them)."""
        if not self.is_mounted:
            return
        self.query_one("#pnl-charts").styles.height = max(8, (self.size.height - 6) * 2 // 5)
        both = self.wide
        self.query_one("#pnl-daily").set_class(not both and self.chart != "daily", "-hidden")
        self.query_one("#pnl-equity").set_class(not both and self.chart != "equity", "-hidden")
        self._show_stats()

    # ---- lifecycle -------------------------------------------------------------------
    def on_mount(self) -> None:
        self._unobserve = self.live.observe_orders(self._on_order)
        self.set_interval(REFRESH_S, self._refresh_if_dirty)
        self._layout()
        self._show()
        if self.live.connected and self.live.accounts:
            self.start_load()

    def on_unmount(self) -> None:
        if self._unobserve is not None:
            self._unobserve()
            self._unobserve = None

    def on_env_changed(self, message: EnvChanged) -> None:
        self.loaded = None
        self._pending.clear()
        self.live_fills = 0
        self.start_load()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._show()

    def stop_session_work(self) -> None:
        self.workers.cancel_group(self, "pnl-load")

    # ---- data ------------------------------------------------------------------------
    def start_load(self) -> None:
        self.error = None
        self._set_state("loading 90 days of orders…")
        worker: Worker[None] = self.run_worker(
            self._load, group="pnl-load", exclusive=True, exit_on_error=False
        )
        self.load_worker = worker

    async def _load(self) -> None:
        from tstui.client.journal import load_journal

        try:
            loaded = await load_journal(self.live.api, self.live.all_account_ids)
        except Exception as exc:  # shown, never raised: the view stays usable
            self.error = f"P&L not loaded: {exc or type(exc).__name__}"
            self._pending.clear()  # a reload fetches them again
            self._show()
            return
        now = datetime.now(UTC)
        for order in self._pending:  # snapshots that arrived while the history loaded
            loaded.add_order(order, at=now)
        self._pending.clear()
        self.loaded, self.loaded_at = loaded, now
        for error in loaded.errors:
            self.live.report_error("P&L", f"{error.id or '?'}: {error.message}")
        self._show()

    def _on_order(self, order: Order) -> None:
        if self.loaded is None:
            if self.error is None:  # loading: kept for the history; failed: not kept
                self._pending.append(order)
            return
        fills = self.loaded.add_order(order, at=datetime.now(UTC))
        if fills:
            self.live_fills += len(fills)
            self._dirty = True

    def _refresh_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            self._show()

    def date_range(self, today: date | None = None) -> tuple[date | None, date | None]:
        if self.custom is not None:
            return self.custom
        current = today or datetime.now(UTC).date()
        return current - timedelta(days=RANGES[self.range_index][1]), None

    def trip_filter(self) -> TripFilter:
        since, until = self.date_range()
        return TripFilter(
            accounts=frozenset(self.live.account_ids), symbol=self.symbol, since=since, until=until
        )

    # ---- drawing ---------------------------------------------------------------------
    def _show(self) -> None:
        if not self.is_mounted:
            return
        trips = self.trip_filter().apply(self.loaded.journal.round_trips) if self.loaded else []
        trips.sort(key=lambda t: (t.exit_time, t.entry_time), reverse=True)
        self.trips = trips
        self._days = [(day, float(net)) for day, net in pnl_by_day(trips).items()]
        self._curve = [(at, float(level)) for at, level in equity_curve(trips)]
        self.table.set_rows(trips)
        for panel in self.query(PlotPanel):
            panel.mark_dirty()
        self._show_stats()
        self._show_filters()
        if self.error:
            self._set_state(self.error, error=True)
        elif self.loaded is None:
            self._set_state("loading 90 days of orders…")
        else:
            stamp = self.loaded_at.astimezone().strftime("%H:%M:%S") if self.loaded_at else ""
            live = f" · live fills {self.live_fills}" if self.live_fills else ""
            flt = self.trip_filter()
            unmatched = sum(1 for f in self.loaded.journal.unmatched if flt.matches_fill(f))
            older = f" · {unmatched} closed older" if unmatched else ""
            self._set_state(f"{len(trips)} trips{live}{older} · loaded {stamp}")

    def _show_stats(self) -> None:
        if not self.is_mounted:
            return
        variables = self.app.get_css_variables()
        style = ChartStyle()
        text = stats_text(
            summarize(self.trips),
            wide=self.wide,
            profit=variables.get("profit", style.up),
            loss=variables.get("loss", style.down),
        )
        self.query_one("#pnl-stats", Static).update(text)

    def _show_filters(self) -> None:
        since, until = self.date_range()
        if self.custom is None:
            span = RANGES[self.range_index][0]
        else:
            span = f"{since or '…'} .. {until or 'today'}"
        account = self.live.current_account or "all"
        text = Text("P&L  ", style="bold")
        text.append_text(plain(f"account {account} · symbol {self.symbol or 'all'} · {span}"))
        self.query_one("#pnl-filters", Static).update(text)

    def _set_state(self, text: str, *, error: bool = False) -> None:
        state = self.query_one("#pnl-state", Static)
        state.update(plain(text))
        state.set_class(error, "-error")

    def _draw_daily(self, width: int, height: int, style: ChartStyle) -> Text:
        return render_daily_bars(self._days, width, height, style=style)

    def _draw_equity(self, width: int, height: int, style: ChartStyle) -> Text:
        return render_equity(self._curve, width, height, style=style)

    # ---- actions ---------------------------------------------------------------------
    def action_next_range(self) -> None:
        self.custom = None
        self.range_index = (self.range_index + 1) % len(RANGES)
        self._show()

    def set_range(self, index: int) -> None:
        self.custom, self.range_index = None, index
        self._show()

    def set_symbol(self, symbol: str | None) -> None:
        self.symbol = (symbol or "").strip().upper() or None
        self._show()

    def action_toggle_chart(self) -> None:
        self.chart = "equity" if self.chart == "daily" else "daily"
        self._layout()

    def action_reload(self) -> None:
        if self.live.connected:
            self.loaded = None
            self.live_fills = 0
            self._show()
            self.start_load()

    def action_clear_filters(self) -> None:
        prompt = self.query_one("#pnl-prompt", Input)
        if prompt.has_class("-shown"):
            self._close_prompt()
            return
        self.symbol, self.custom, self.range_index = None, None, 0
        self._show()

    def action_symbol(self) -> None:
        row = self.table.rows[self.table.cursor_row] if self.table.rows else None
        start = self.symbol or (row.symbol if row else "")
        self._open_prompt("symbol", "symbol (empty: all)", start)

    def action_dates(self) -> None:
        self._open_prompt("dates", "7 | 2026-11-01 | 2026-11-01..2026-11-30 | ..2026-11-30", "")

    def _open_prompt(self, purpose: str, placeholder: str, value: str) -> None:
        prompt = self.query_one("#pnl-prompt", Input)
        self._prompt_for = purpose
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.add_class("-shown")
        prompt.focus()

    def _close_prompt(self) -> None:
        prompt = self.query_one("#pnl-prompt", Input)
        prompt.remove_class("-shown")
        self._prompt_for = ""
        self.table.focus()

    @on(Input.Submitted, "#pnl-prompt")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        purpose, text = self._prompt_for, event.value
        self._close_prompt()
        if purpose == "symbol":
            self.set_symbol(text)
        elif purpose == "dates":
            try:
                since, until = parse_dates(text, datetime.now(UTC).date())
            except ValueError as exc:
                self.notify(str(exc), title="P&L dates", severity="warning", markup=False)
                return
            self.custom = None if since is None and until is None else (since, until)
            self._show()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield PaletteCommand("pnl", "all symbols", partial(self.set_symbol, None))
        symbols = sorted({t.symbol for t in self.loaded.journal.round_trips}) if self.loaded else []
        for symbol in symbols:
            yield PaletteCommand("pnl", f"symbol {symbol}", partial(self.set_symbol, symbol))
        for index, (label, _) in enumerate(RANGES):
            yield PaletteCommand("pnl", f"range {label}", partial(self.set_range, index))
        yield PaletteCommand("pnl", "other chart (daily / equity)", self.action_toggle_chart)
        yield PaletteCommand("pnl", "clear filters", self.action_clear_filters)
        yield PaletteCommand("pnl", "reload the journal", self.action_reload)
