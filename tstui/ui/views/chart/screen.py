"""Chart: candlesticks + volume for one symbol, a REST snapshot then live bars, symbol details.

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
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import ScreenResume
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.client.streams import StreamState
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.models import Bar, TickBar
from tstui.domain.orders.ticket import TicketFields, close_position_fields
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.messages import AccountChanged, EnvChanged
from tstui.ui.views.chart.plotting import time_format_for
from tstui.ui.views.chart.requests import (
    ChartRequest,
    chart_commands,
    chart_symbols,
    open_chart,
)
from tstui.ui.views.chart.symbol_panel import SymbolPanel, format_clock
from tstui.ui.views.chart.widget import ChartView

__all__ = ["ChartRequest", "ChartScreen", "chart_commands", "chart_symbols", "open_chart"]


UNITS = ("Minute", "Daily", "Weekly", "Monthly")
MINUTE_INTERVALS = (1, 5, 15, 30, 60)
TICK_INTERVALS = (10, 50, 100, 500)
BARS_BACK = (60, 120, 300, 600)
RETRY_S = 5.0


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
    #chart-toolbar { height: 1; }
    #chart-symbol { width: 16; height: 1; border: none; padding: 0 1; }
    #chart-status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    #chart-status.-error { color: $error; text-style: bold; }
    #chart-row { height: 1fr; }
    ChartScreen.-narrow #symbol-panel { display: none; }
    ChartScreen.-narrow.-flip-panel #symbol-panel { display: block; }
    ChartScreen.-wide.-flip-panel #symbol-panel { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_symbol", "Symbol", id="chart.symbol"),
        Binding("u", "next_unit", "Unit", id="chart.unit"),
        Binding("plus,equals_sign", "interval(1)", "Interval+", id="chart.interval_up"),
        Binding("minus", "interval(-1)", "Interval-", show=False, id="chart.interval_down"),
        Binding("right_square_bracket", "bars_back(1)", "More bars", id="chart.more_bars"),
        Binding("left_square_bracket", "bars_back(-1)", "Fewer", show=False, id="chart.fewer"),
        Binding("t", "toggle_ticks", "Tick bars", id="chart.tickbars"),
        Binding("d", "toggle_panel", "Details", id="chart.details"),
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

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="chart-toolbar"):
            # the symbol can come from a position the server sent: an Input shows it raw
            symbol = safe_text(self.request.symbol, limit=None)
            yield Input(symbol, placeholder="symbol", id="chart-symbol")
            yield Static("", id="chart-status")
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
        self._start()

    # ---- opening a chart -------------------------------------------------------------
    def open(self, request: ChartRequest) -> None:
        """Show `request` (restarts the chart workers when anything changed)."""
        if request == self.request and self.is_mounted and self.stream_state != "idle":
            return
        self.request = request
        if self.is_mounted:
            self.query_one("#chart-symbol", Input).value = safe_text(request.symbol, limit=None)
            self._start()

    def _start(self) -> None:
        req = self.request
        decimals = self.chart.decimals
        self.chart.set_bars([])
        fmt = "%H:%M:%S" if req.tick else time_format_for(req.unit)
        self.chart.configure(title=f"{req.symbol} {req.label}", time_format=fmt, decimals=decimals)
        self.error, self._error_reported, self.stream_state = None, False, "loading"
        self._stale = False
        self._update_status()
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
        if self._stale:
            self._start()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._update_status()  # the chart does not depend on the account; the ticket does

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
        for bar in bars:
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
        parts = [symbol, req.label, f"{len(self.chart.series)} bars"]
        status = self.query_one("#chart-status", Static)
        if self.error is not None:
            parts.append(f"error: {self.error} · last good {format_clock(self.last_good_at)}")
        else:
            parts.append(self.stream_state)
            if self.last_good_at is not None:
                parts.append(format_clock(self.last_good_at))
        status.set_class(self.error is not None, "-error")
        # The symbol and the error are server (or typed) text: plain Text, never markup.
        status.update(Text(safe_text(" · ".join(parts))))

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
        field = self.query_one("#chart-symbol", Input)
        if field.has_focus:
            field.value = safe_text(self.request.symbol, limit=None)
            self.chart.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "chart-symbol":
            return
        symbol = event.value.strip().upper()
        self.chart.focus()
        if symbol:
            self.open(replace(self.request, symbol=symbol))

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


def _opener(screen: ChartScreen, request: ChartRequest) -> Any:
    return lambda: open_chart(screen.app, request)


def _step(choices: tuple[int, ...], current: int, direction: int) -> int:
    bigger = [c for c in choices if c > current]
    smaller = [c for c in choices if c < current]
    if direction > 0:
        return bigger[0] if bigger else choices[-1]
    return smaller[-1] if smaller else choices[0]
