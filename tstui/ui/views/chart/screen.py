"""Chart: candlesticks + volume for one symbol, a REST snapshot then live bars, symbol details.

The chart fetches ``bars_back`` bars and shows a window of them that fits the width (the info
row says which: "68 of 600 bars, 10:45-16:20"). Keys scroll and zoom the window, move a
crosshair, toggle indicators (kept in the state dir, see ``prefs``) and act on the working
orders drawn as lines: the replace dialog, or the order in the blotter.

Workers run in their own exclusive groups ("chart-bars", "chart-symbol"), so starting a new
symbol cancels only the previous chart stream, never an app stream. A failure keeps the last
bars on screen, shows the error with the last good time, and retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import ScreenResume
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.client.streams import StreamState
from tstui.config import state_dir
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.market.sessions import session_for
from tstui.domain.models import Bar, Order, TickBar
from tstui.domain.orders import format_decimal
from tstui.domain.orders.ticket import TicketFields, close_position_fields
from tstui.domain.untrusted import safe_text
from tstui.ui.session.health import format_clock
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.shell.plain import plain
from tstui.ui.trading.dialogs import run_replace
from tstui.ui.trading.service import trading_service
from tstui.ui.views.chart.plotting import (
    Level,
    off_chart_levels,
    time_format_for,
    volume_rows,
)
from tstui.ui.views.chart.prefs import (
    DEFAULT_EMA,
    DEFAULT_SMA,
    ChartPrefs,
    load_prefs,
    save_prefs,
)
from tstui.ui.views.chart.requests import (
    ChartRequest,
    chart_commands,
    chart_symbols,
    open_chart,
)
from tstui.ui.views.chart.symbol_panel import SymbolPanel
from tstui.ui.views.chart.widget import ChartView, Indicators
from tstui.ui.widgets.symbol_search import SymbolSearch

__all__ = ["ChartRequest", "ChartScreen", "chart_commands", "chart_symbols", "open_chart"]


UNITS = ("Minute", "Daily", "Weekly", "Monthly")
MINUTE_INTERVALS = (1, 5, 15, 30, 60)
TICK_INTERVALS = (10, 50, 100, 500)
BARS_BACK = (60, 120, 300, 600, 1200, 2000)  # 2000: the most the chart keeps
RETRY_S = 5.0
LINE_KINDS = (("limit_price", "LMT"), ("stop_price", "STP"))


class BlotterLike(Protocol):
    """The orders view as the chart sees it (importing it would tie the views together)."""

    def action_group(self, group: Any) -> None: ...

    @property
    def blotter(self) -> Any: ...


class ChartScreen(BaseScreen):
    VIEW = "chart"
    TITLE = "Chart"
    AUTO_FOCUS = "ChartView"
    # Textual types this as a plain attribute, so no ClassVar here (mypy would reject it).
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (110, "-wide"),
    ]
    DEFAULT_CSS = """
    #chart-toolbar { height: auto; max-height: 11; }
    #chart-symbol-search { width: 18; }
    #chart-symbol-search.-open, #chart-symbol-search.-message { width: 64; }
    #chart-status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    #chart-status.-error { color: $error; text-style: bold; }
    #chart-info { height: 1; padding: 0 1; color: $text-muted; }
    #chart-row { height: 1fr; }
    ChartScreen.-narrow #symbol-panel { display: none; }
    ChartScreen.-narrow.-flip-panel #symbol-panel { display: block; }
    ChartScreen.-wide.-flip-panel #symbol-panel { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_symbol", "Symbol", id="chart.symbol"),
        Binding("u", "next_unit", "Unit", id="chart.unit"),
        Binding("i", "interval(1)", "Interval", id="chart.interval_up"),
        Binding("I", "interval(-1)", "Interval-", show=False, id="chart.interval_down"),
        Binding("left", "scroll(1)", "Older", show=False, id="chart.older"),
        Binding("right", "scroll(-1)", "Newer", show=False, id="chart.newer"),
        Binding("pageup", "page(1)", "Page older", show=False, id="chart.page_older"),
        Binding("pagedown", "page(-1)", "Page newer", show=False, id="chart.page_newer"),
        Binding("home", "oldest", "Oldest", show=False, id="chart.oldest"),
        Binding("end", "newest", "Newest", show=False, id="chart.newest"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom", id="chart.zoom_in"),
        Binding("minus", "zoom(-1)", "Zoom out", show=False, id="chart.zoom_out"),
        Binding(
            "right_square_bracket", "bars_back(1)", "More bars", show=False, id="chart.more_bars"
        ),
        Binding("left_square_bracket", "bars_back(-1)", "Fewer", show=False, id="chart.fewer"),
        # Crosshair and studies are capitals: x/s/e/v mean close/symbol/replace/... in other
        # views (one meaning per key), and no view binds X/M/E/W/V (S is the app's Sell).
        Binding("X", "crosshair", "Cursor", id="chart.crosshair"),
        Binding("M", "indicator('sma')", "SMA", show=False, id="chart.sma"),
        Binding("E", "indicator('ema')", "EMA", show=False, id="chart.ema"),
        Binding("W", "indicator('vwap')", "VWAP", show=False, id="chart.vwap"),
        Binding("V", "toggle_volume", "Volume", show=False, id="chart.volume"),
        Binding("l", "next_line", "Order line", id="chart.next_line"),
        Binding("enter", "replace_line", "Replace", show=False, id="chart.replace_line"),
        Binding("g", "line_in_blotter", "In blotter", show=False, id="chart.line_blotter"),
        Binding("t", "toggle_ticks", "Tick bars", show=False, id="chart.tickbars"),
        Binding("d", "toggle_panel", "Details", show=False, id="chart.details"),
        Binding("escape", "leave_symbol", "Back", show=False, id="chart.leave_symbol"),
    ]

    def __init__(self, request: ChartRequest | None = None) -> None:
        super().__init__()
        self.request = request or ChartRequest()
        self.stream_state = "idle"
        self.last_good_at: datetime | None = None
        self.error: str | None = None
        self._error_reported = False
        self._stale = False  # the session changed while hidden: reload when shown
        self._window_of: ChartRequest | None = None  # the request the window belongs to
        self.prefs = ChartPrefs()
        self.selected_line: str | None = None  # the order id of the chosen order line
        # No request given: the chart opens on the linked symbol (when there is one).
        self._follows_link_at_mount = request is None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="chart-toolbar"):
            # the symbol can come from a position the server sent: an Input shows it raw
            symbol = safe_text(self.request.symbol, limit=None)
            yield SymbolSearch(
                symbol, placeholder="symbol", input_id="chart-symbol", id="chart-symbol-search"
            )
            yield Static("", id="chart-status")
        yield Static("", id="chart-info")
        with Horizontal(id="chart-row"):
            yield ChartView[Any](id="chart-view")
            yield SymbolPanel(id="symbol-panel")

    @property
    def chart(self) -> ChartView[Any]:
        return self.query_one("#chart-view", ChartView)

    @property
    def panel(self) -> SymbolPanel:
        return self.query_one("#symbol-panel", SymbolPanel)

    def on_mount(self) -> None:
        self.prefs = load_prefs(self._state_dir())
        self._apply_prefs()
        linked = self.live.current_symbol
        if self._follows_link_at_mount and linked and linked != self.request.symbol:
            self.request = replace(self.request, symbol=linked)
            self._show_symbol(linked)
        self.live.changed.subscribe(self, self._live_changed)
        self._start()

    # ---- the linked symbol -----------------------------------------------------------
    def _live_changed(self, what: str) -> None:
        if what == "symbol" and self.is_current:
            self.follow_link()

    def follow_link(self) -> None:
        """Chart the linked symbol (board, positions, orders, ladder chose it), keeping the
        chart's unit and interval."""
        linked = self.live.current_symbol
        if linked and linked != self.request.symbol:
            self.open(replace(self.request, symbol=linked))

    # ---- opening a chart -------------------------------------------------------------
    def open(self, request: ChartRequest) -> None:
        """Show `request` (restarts the chart workers when anything changed)."""
        if request == self.request and self.is_mounted and self.stream_state != "idle":
            return
        self.request = request
        if self.is_mounted:
            self._show_symbol(request.symbol)
            self._start()

    def _show_symbol(self, symbol: str) -> None:
        """The symbol field shows what is charted; set by the program, it suggests nothing."""
        search = self.query_one("#chart-symbol-search", SymbolSearch)
        search.value = safe_text(symbol, limit=None)

    def _start(self) -> None:
        req = self.request
        decimals = self.chart.decimals
        chart = self.chart
        if self._window_of is None or replace(self._window_of, bars_back=0) != replace(
            req, bars_back=0
        ):
            chart.reset_window()  # another chart; loading more history keeps the window
            self.selected_line = None
        self._window_of = req
        chart.intraday = req.tick or req.unit == "Minute"
        chart.session = session_for(None, req.symbol) if chart.intraday else None
        self.chart.set_bars([])
        fmt = "%H:%M:%S" if req.tick else time_format_for(req.unit)
        self.chart.configure(title=f"{req.symbol} {req.label}", time_format=fmt, decimals=decimals)
        self.error, self._error_reported, self.stream_state = None, False, "loading"
        self._stale = False
        self._update_status()
        self._refresh_levels()
        self.panel.show_loading(req.symbol)
        # Callables, not coroutines (see OverviewScreen._start).
        symbol_worker: Worker[None] = self.run_worker(
            partial(self._load_symbol, req.symbol),
            group="chart-symbol",
            exclusive=True,
            exit_on_error=False,
        )
        self.bars_worker: Worker[None] = self.run_worker(
            partial(self._bars_loop, req),
            group="chart-bars",
            exclusive=True,
            exit_on_error=False,
        )
        self.symbol_worker = symbol_worker

    def on_env_changed(self, message: EnvChanged) -> None:
        if self.is_current:
            self._start()
        else:  # hidden (another mode, or a dialog on top): reload when shown again
            self.stop_session_work()

    def stop_session_work(self) -> None:
        self.workers.cancel_group(self, "chart-bars")
        self.workers.cancel_group(self, "chart-symbol")
        self.stream_state, self._stale = "idle", True
        self._update_status()

    @on(ScreenResume)
    def _resumed(self) -> None:
        linked = self.live.current_symbol
        if linked and linked != self.request.symbol:
            self.follow_link()  # linked elsewhere while hidden
        elif self._stale:
            self._start()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._update_status()
        self._refresh_levels()  # the order lines follow the account selection

    # ---- workers ---------------------------------------------------------------------
    def _session_gone(self, api: object) -> bool:
        """True when the session a worker started with was closed or replaced (env switch):
        its errors are not worth showing, and the new session's EnvChanged restarts it."""
        return not self.live.connected or self.live.api is not api

    def _current_api(self) -> object:
        return self.live.api if self.live.connected else None

    async def _load_symbol(self, symbol: str) -> None:
        api = self._current_api()
        try:
            batch = await self.live.api.get_symbols([symbol])
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown in the panel, never raised out of the worker
            if api is not None and self._session_gone(api):
                return
            self.panel.show_error(symbol, str(exc) or type(exc).__name__)
            return
        if batch.items:
            detail = batch.items[0]
            self.panel.show_detail(detail, datetime.now(UTC))
            fmt = detail.price_format
            if fmt is not None and fmt.decimals is not None:
                self.chart.decimals = max(0, min(6, fmt.decimals))
                self.chart.mark_dirty()
            if self.chart.intraday:  # the instrument's session decides the day breaks
                self.chart.session = session_for(detail.asset_type, symbol)
                self.chart.mark_dirty()
            self._refresh_levels()  # @ES: its orders are on the contract
        else:
            why = "; ".join(f"{e.error}: {e.message}" for e in batch.errors) or "not found"
            self.panel.show_error(symbol, why)
        self._update_status()

    async def _bars_loop(self, req: ChartRequest) -> None:
        """Snapshot + stream until cancelled; on failure show it, wait, start over."""
        api = self._current_api()
        while True:
            try:
                if req.tick:
                    await self._stream_tickbars(req)
                else:
                    await self._snapshot(req)
                    await self._stream_bars(req)
                if api is not None and self._session_gone(api):
                    self.stream_state, self._stale = "idle", True
                    return
                self._fail("bar stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let a chart failure reach the app
                if api is not None and self._session_gone(api):
                    self.stream_state, self._stale = "idle", True
                    return  # the old session closed under us (env switch): not an error
                self._fail(str(exc) or type(exc).__name__)
            await asyncio.sleep(RETRY_S)

    async def _snapshot(self, req: ChartRequest) -> None:
        bars = await self.live.api.get_bars(
            req.symbol, req.unit, req.interval, barsback=req.bars_back
        )
        if len(self.chart.series) == 0:
            self.chart.set_bars(bars)  # a first load keeps the window where it was
        else:
            for bar in bars:  # a resync after a reconnect: merged by time
                self.chart.apply_bar(bar)
        self._good("snapshot")

    async def _stream_bars(self, req: ChartRequest) -> None:
        stream = self.live.api.stream_bars(req.symbol, req.unit, req.interval, barsback=1)
        async with stream:
            async for event in stream:
                if isinstance(event, Bar):
                    self.chart.apply_bar(event)  # the open bar replaces itself until Closed
                    self._good("live")
                elif isinstance(event, StreamState):
                    await self._on_stream_state(req, event)
                elif isinstance(event, StreamErrorFrame):
                    self._fail(event.message or event.error)

    async def _stream_tickbars(self, req: ChartRequest) -> None:
        stream = self.live.api.stream_tickbars(req.symbol, req.interval, barsback=10)
        async with stream:
            async for event in stream:
                if isinstance(event, TickBar):
                    self.chart.apply_bar(event)
                    self._good("live")
                elif isinstance(event, StreamState):
                    self._set_state(event.state)
                elif isinstance(event, StreamErrorFrame):
                    self._fail(event.message or event.error)

    async def _on_stream_state(self, req: ChartRequest, event: StreamState) -> None:
        self._set_state(event.state)
        if event.state == "connected" and event.attempt > 0:
            await self._snapshot(req)  # bars may have closed while we were away

    # ---- status ----------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.stream_state = {"snapshot_complete": "live", "resynced": "live"}.get(state, state)
        self._update_status()

    def _good(self, state: str) -> None:
        self.last_good_at = datetime.now(UTC)
        self.error, self._error_reported = None, False
        self.stream_state = state
        self._update_status()

    def _fail(self, message: str) -> None:
        self.error, self.stream_state = message, "error"
        if not self._error_reported:  # one notification per failure streak, not per retry
            self._error_reported = True
            self.live.report_error(f"chart {self.request.symbol}", message)
        self._update_status()

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        req = self.request
        contract = self.panel.current_contract
        symbol = f"{req.symbol} → {contract}" if contract else req.symbol
        parts = [symbol, req.label]
        status = self.query_one("#chart-status", Static)
        if self.error is not None:
            parts.append(f"error: {self.error} · last good {format_clock(self.last_good_at)}")
        else:
            parts.append(self.stream_state)
            if self.last_good_at is not None:
                parts.append(format_clock(self.last_good_at))
        status.set_class(self.error is not None, "-error")
        # The symbol and the error are server (or typed) text: plain Text, never markup.
        status.update(plain(" · ".join(parts)))
        self._update_info()

    def _update_info(self) -> None:
        """The window (or the crosshair bar), indicators on, and the chosen order line."""
        if not self.is_mounted:
            return
        chart = self.chart
        readout = chart.cursor_readout()
        parts = [readout] if readout is not None else [chart.summary()]
        if readout is None and chart.at_oldest() and not self.request.tick:
            parts.append("oldest loaded: ← for more")
        on = [
            name
            for name, shown in (
                (f"SMA{chart.indicators.sma}", chart.indicators.sma),
                (f"EMA{chart.indicators.ema}", chart.indicators.ema),
                ("VWAP", chart.indicators.vwap and chart.intraday),
            )
            if shown
        ]
        if on and readout is None:
            parts.append(" ".join(on))
        frame = chart.last_frame
        if frame is not None and readout is None:  # orders too far away to draw
            parts += [f"{arrow} {level.label}" for level, arrow in off_chart_levels(frame)]
        line = self._selected_order()
        if line is not None:
            parts.append(f"line: {_order_label(line)} (enter replace, g blotter)")
        # order fields and symbols are server text: plain Text, never markup
        self.query_one("#chart-info", Static).update(plain(" · ".join(parts)))

    @on(ChartView.Drawn)
    def _drawn(self) -> None:
        self._update_info()

    # ---- what the trader has on the market -------------------------------------------
    def on_books_changed(self, message: BooksChanged) -> None:
        if message.full or self._touches_chart(message):
            self._refresh_levels()

    def _touches_chart(self, message: BooksChanged) -> bool:
        """Did a changed order or position concern the charted symbol?
        A blotter of thousands of orders flushes often: the lines are rebuilt only then."""
        symbols = {self.trade_symbol, self.request.symbol}
        for order_id in message.orders:  # a filled or cancelled line keeps its symbol
            order = self.live.order_book.get(order_id)
            if order is None or order.symbol in symbols:
                return True
        for position_id in message.positions:
            position = self.live.positions.get(position_id)
            if position is None or position.symbol in symbols:
                return True
        return False

    def _line_orders(self) -> list[Order]:
        """Working orders of the charted symbol (its contract for ``@ES``) with a price."""
        symbols = {self.trade_symbol, self.request.symbol}
        account = self.live.current_account
        return [
            order
            for order in self.live.order_book.orders()
            if order.is_working
            and order.symbol in symbols
            and account in (None, order.account_id)
            and (order.limit_price is not None or order.stop_price is not None)
        ]

    def _selected_order(self) -> Order | None:
        if self.selected_line is None:
            return None
        return next((o for o in self._line_orders() if o.order_id == self.selected_line), None)

    def _refresh_levels(self) -> None:
        """Order lines, the position's average price and the last price, from the streams."""
        if not self.is_mounted:
            return
        style = self.chart.chart_style()  # the theme's up/down colours, as the candles
        levels: list[Level] = []
        for order in self._line_orders():
            buy = order.side.lower().startswith("buy")
            for attribute, kind in LINE_KINDS:
                price = getattr(order, attribute)
                if price is None:
                    continue
                label = f"{order.side.upper()} {format_decimal(order.remaining_quantity)} {kind}"
                levels.append(
                    Level(
                        float(price),
                        f"{label} {format_decimal(price)}",
                        style.up if buy else style.down,
                        selected=order.order_id == self.selected_line,
                    )
                )
        account = self.live.current_account
        symbols = {self.trade_symbol, self.request.symbol}
        for position in self.live.positions.values():
            if position.symbol not in symbols or position.average_price is None:
                continue
            if account not in (None, position.account_id):
                continue
            side = position.long_short or ""
            quantity = format_decimal(position.quantity) if position.quantity is not None else ""
            text = f"AVG {side} {quantity} {format_decimal(position.average_price)}"
            levels.append(Level(float(position.average_price), text, style.average))
        self.chart.levels = levels
        self.chart.mark_dirty()
        self._update_info()

    # ---- trading hooks ---------------------------------------------------------------
    @property
    def trade_symbol(self) -> str:
        """The symbol an order from the chart uses: ``@ES`` trades its current contract."""
        return self.panel.current_contract or self.request.symbol

    def ticket_prefill(self, intent: str) -> TicketFields | None:
        symbol = self.trade_symbol
        account = self.live.current_account or ""
        if intent == "close":
            for position in self.live.positions.values():
                if position.symbol == symbol and account in ("", position.account_id):
                    return close_position_fields(position)
        return TicketFields(account=account, symbol=symbol)

    # ---- actions ---------------------------------------------------------------------
    def action_focus_symbol(self) -> None:
        field = self.query_one("#chart-symbol", Input)
        field.focus()
        field.select_all()

    def action_leave_symbol(self) -> None:
        search = self.query_one("#chart-symbol-search", SymbolSearch)
        if search.has_focus_within:
            search.reset(safe_text(self.request.symbol, limit=None))
            self.chart.focus()

    @on(SymbolSearch.Cancelled, "#chart-symbol-search")
    def _symbol_cancelled(self, event: SymbolSearch.Cancelled) -> None:
        event.stop()
        self.action_leave_symbol()

    @on(SymbolSearch.Submitted, "#chart-symbol-search")
    def _symbol_chosen(self, event: SymbolSearch.Submitted) -> None:
        """A typed (and known) symbol: chart it and link it for the other panes."""
        event.stop()
        symbol = event.symbol.strip().upper()
        self.chart.focus()
        if symbol:
            self.open(replace(self.request, symbol=symbol))
            self.live.link_symbol(symbol)

    def action_next_unit(self) -> None:
        req = self.request
        unit = UNITS[(UNITS.index(req.unit) + 1) % len(UNITS)] if req.unit in UNITS else UNITS[0]
        interval = 5 if unit == "Minute" else 1
        self.open(replace(req, unit=unit, interval=interval, tick=False))

    def action_interval(self, direction: int) -> None:
        req = self.request
        if req.tick:
            choices: tuple[int, ...] = TICK_INTERVALS
        elif req.unit == "Minute":
            choices = MINUTE_INTERVALS
        else:
            return
        self.open(replace(req, interval=_step(choices, req.interval, direction)))

    def action_bars_back(self, direction: int) -> None:
        if not self.request.tick:
            req = self.request
            self.open(replace(req, bars_back=_step(BARS_BACK, req.bars_back, direction)))

    def action_toggle_ticks(self) -> None:
        req = self.request
        if req.tick:
            self.open(replace(req, tick=False, unit="Minute", interval=5))
        else:
            self.open(replace(req, tick=True, interval=TICK_INTERVALS[0]))

    def action_toggle_panel(self) -> None:
        self.toggle_class("-flip-panel")

    # ---- the window ------------------------------------------------------------------
    def action_scroll(self, direction: int) -> None:
        """A candle older (1) or newer (-1); with the crosshair on, the crosshair moves."""
        chart = self.chart
        if chart.cursor is not None:
            at_start = chart.cursor == 0
            chart.move_cursor(-direction)
            if direction > 0 and at_start:
                self.load_more()
        elif not chart.scroll_bars(direction * chart.per_candle()) and direction > 0:
            self.load_more()  # already at the oldest bar: fetch more history
        self._update_info()

    def action_page(self, direction: int) -> None:
        chart = self.chart
        if not chart.scroll_bars(direction * chart.chart_window().span) and direction > 0:
            self.load_more()
        self._update_info()

    def action_oldest(self) -> None:
        chart = self.chart
        if chart.at_oldest():
            self.load_more()
        chart.scroll_to_end(newest=False)
        self._update_info()

    def action_newest(self) -> None:
        self.chart.scroll_to_end(newest=True)
        self._update_info()

    def action_zoom(self, direction: int) -> None:
        self.chart.set_zoom(direction)
        self._update_info()

    def action_crosshair(self) -> None:
        self.chart.toggle_cursor()
        self._update_info()

    def load_more(self) -> None:
        """Scrolled to the oldest bar: ask for more history (the next ``bars_back`` step)."""
        req = self.request
        if req.tick:
            self.notify("Tick bars come from the stream only: no older history.")
            return
        bigger = [n for n in BARS_BACK if n > req.bars_back]
        if not bigger:
            self.notify(f"The chart keeps at most {BARS_BACK[-1]} bars.")
            return
        self.notify(f"Loading {bigger[0]} bars…")
        self.open(replace(req, bars_back=bigger[0]))

    # ---- indicators ------------------------------------------------------------------
    def _state_dir(self) -> Path:
        settings = getattr(self.app, "settings", None)
        return Path(getattr(settings, "state_dir", None) or state_dir())

    def _periods(self) -> tuple[int, int]:
        """SMA and EMA periods: the config's [chart] table, else the defaults."""
        chart = getattr(getattr(self.app, "settings", None), "chart", None)
        sma = getattr(chart, "sma_period", DEFAULT_SMA)
        ema = getattr(chart, "ema_period", DEFAULT_EMA)
        return (
            sma if isinstance(sma, int) and sma > 0 else DEFAULT_SMA,
            ema if isinstance(ema, int) and ema > 0 else DEFAULT_EMA,
        )

    def _apply_prefs(self) -> None:
        prefs = self.prefs
        sma, ema = self._periods()
        chart = self.chart
        chart.indicators = Indicators(
            sma=sma if prefs.sma else None, ema=ema if prefs.ema else None, vwap=prefs.vwap
        )
        chart.volume = prefs.volume
        chart.mark_dirty()

    def _save_prefs(self, prefs: ChartPrefs) -> None:
        self.prefs = prefs
        self._apply_prefs()
        if not save_prefs(self._state_dir(), prefs):
            self.notify("Could not save the chart settings (state dir not writable).")
        self._update_info()

    def action_indicator(self, name: str) -> None:
        if name in ("sma", "ema", "vwap"):
            self._save_prefs(self.prefs.toggled(name))

    def action_toggle_volume(self) -> None:
        shown = volume_rows(self.chart.size.height, self.prefs.volume) > 0
        self._save_prefs(replace(self.prefs, volume=not shown))

    # ---- order lines -----------------------------------------------------------------
    def action_next_line(self) -> None:
        orders = sorted(self._line_orders(), key=lambda o: o.order_id)
        if not orders:
            self.selected_line = None
            self.notify("No working orders of this symbol to pick.")
        else:
            ids = [o.order_id for o in orders]
            index = ids.index(self.selected_line) + 1 if self.selected_line in ids else 0
            self.selected_line = ids[index % len(ids)]
        self._refresh_levels()

    def _line_or_first(self) -> Order | None:
        order = self._selected_order()
        if order is None:
            orders = sorted(self._line_orders(), key=lambda o: o.order_id)
            order = orders[0] if orders else None
            self.selected_line = order.order_id if order else None
        if order is None:
            self.notify("No working order line on this chart.", severity="warning")
        return order

    def action_replace_line(self) -> None:
        order = self._line_or_first()
        if order is not None:
            self._refresh_levels()
            self._open_replace(order)

    @work(group="chart-replace", exclusive=True, exit_on_error=False)
    async def _open_replace(self, order: Order) -> None:
        await run_replace(self.app, trading_service(self.app), order)

    def action_line_in_blotter(self) -> None:
        order = self._line_or_first()
        if order is None:
            return
        order_id = order.order_id
        self.app.switch_mode("orders")

        def select(tries: int = 10) -> None:
            screen = self.app.screen
            if hasattr(screen, "action_group") and hasattr(screen, "blotter"):
                blotter = cast(BlotterLike, screen)
                blotter.action_group("working")
                if blotter.blotter.select_key(order_id):
                    return
            if tries > 0:  # the view may still be loading its rows
                self.app.set_timer(0.2, partial(select, tries - 1))

        self.app.call_after_refresh(select)

    # ---- palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterable[PaletteCommand]:
        req = self.request
        yield PaletteCommand("chart", "symbol …", self.action_focus_symbol, "type a symbol")
        presets = [replace(req, unit="Minute", interval=n, tick=False) for n in MINUTE_INTERVALS]
        presets += [replace(req, unit=u, interval=1, tick=False) for u in UNITS[1:]]
        presets += [replace(req, tick=True, interval=TICK_INTERVALS[0])]
        for preset in presets:
            yield PaletteCommand("chart", f"{req.symbol} {preset.label}", _opener(self, preset))
        others = chart_symbols(self.app, extra=[self.panel.current_contract])
        yield from chart_commands(self.app, [s for s in others if s != req.symbol])
        for n in BARS_BACK:
            yield PaletteCommand(
                "chart", f"bars back {n}", _opener(self, replace(req, bars_back=n))
            )
        yield PaletteCommand("chart", "toggle details panel", self.action_toggle_panel)
        sma, ema = self._periods()
        for name, label in (("sma", f"SMA {sma}"), ("ema", f"EMA {ema}"), ("vwap", "VWAP")):
            yield PaletteCommand("chart", f"toggle {label}", partial(self.action_indicator, name))
        yield PaletteCommand("chart", "toggle volume pane", self.action_toggle_volume)
        yield PaletteCommand("chart", "crosshair on/off", self.action_crosshair)
        yield PaletteCommand("chart", "zoom in", partial(self.action_zoom, 1))
        yield PaletteCommand("chart", "zoom out", partial(self.action_zoom, -1))
        yield PaletteCommand("chart", "oldest bar", self.action_oldest)
        yield PaletteCommand("chart", "newest bar", self.action_newest)
        yield PaletteCommand("chart", "load more history", self.load_more)
        yield PaletteCommand("chart", "replace the order line", self.action_replace_line)
        yield PaletteCommand("chart", "order line in the blotter", self.action_line_in_blotter)


def _order_label(order: Order) -> str:
    prices = " ".join(
        f"{kind} {format_decimal(getattr(order, attribute))}"
        for attribute, kind in LINE_KINDS
        if getattr(order, attribute) is not None
    )
    return (
        f"{order.order_id} {order.side.upper()} {format_decimal(order.remaining_quantity)} {prices}"
    )


def _opener(screen: ChartScreen, request: ChartRequest) -> Any:
    return lambda: open_chart(screen.app, request)


def _step(choices: tuple[int, ...], current: int, direction: int) -> int:
    bigger = [c for c in choices if c > current]
    smaller = [c for c in choices if c < current]
    if direction > 0:
        return bigger[0] if bigger else choices[-1]
    return smaller[-1] if smaller else choices[0]
