"""The dashboard's chart: 5-minute candles of the linked symbol, a snapshot then the bar
stream, following the link as it changes. The full chart (view 4) has the scroll, zoom,
indicators and order lines; this pane shows where the price is while you trade elsewhere."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tstui.client.streams import StreamState
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.market.sessions import session_for
from tstui.domain.models import Bar
from tstui.domain.untrusted import safe_text
from tstui.ui.session.live import LiveData
from tstui.ui.views.chart.widget import ChartView

__all__ = ["DEFAULT_SYMBOL", "LinkedChart"]

DEFAULT_SYMBOL = "@ES"
UNIT, INTERVAL, BARS_BACK = "Minute", 5, 120
RETRY_S = 3.0
SHOWN_STATE = {"connected": "live", "snapshot_complete": "live", "resynced": "live"}


class LinkedChart(Vertical):
    """Needs only ``app.live``; shown on the dashboard (or anywhere a small chart fits)."""

    DEFAULT_CSS = """
    LinkedChart { height: 1fr; }
    LinkedChart > #linked-chart-title { height: 1; padding: 0 1; background: $panel; }
    LinkedChart > ChartView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.symbol: str | None = None
        self.state = "idle"
        self.active = True  # False while the pane is hidden: no stream for nobody

    def compose(self) -> ComposeResult:
        yield Static("", id="linked-chart-title")
        yield ChartView[Any](id="linked-chart-view")

    @property
    def live(self) -> LiveData:
        live = getattr(self.app, "live", None)
        assert isinstance(live, LiveData), "LinkedChart needs the tstui app"
        return live

    @property
    def chart(self) -> ChartView[Any]:
        return self.query_one(ChartView)

    def on_mount(self) -> None:
        self.live.changed.subscribe(self, self._live_changed)
        self.follow()

    def _live_changed(self, what: str) -> None:
        if what in ("symbol", "env", "accounts"):
            self.follow()

    def follow(self) -> None:
        """Chart the linked symbol (or the default) once the session is up; restart when the
        symbol changed or the stream is not running."""
        if not self.active:
            return
        if not self.live.connected:
            self._show_title("waiting for the session")
            return
        symbol = self.live.current_symbol or DEFAULT_SYMBOL
        if symbol == self.symbol and self.state not in ("idle", "error"):
            return
        self.symbol = symbol
        chart = self.chart
        chart.reset_window()
        chart.set_bars([])
        chart.intraday = True
        chart.session = session_for(None, symbol)
        chart.configure(title="", time_format="%H:%M", decimals=2)
        self.state = "loading"
        self._show_title()
        self.run_worker(self._bars_loop(symbol), group="linked-chart", exclusive=True)

    def stop(self) -> None:
        """The session is closing (env switch): stop the stream; ``follow`` restarts it."""
        self.workers.cancel_group(self, "linked-chart")
        self.state = "idle"

    def set_active(self, active: bool) -> None:
        """Shown: chart the link; hidden: stop streaming until shown again."""
        self.active = active
        if active:
            self.follow()
        else:
            self.stop()

    def _show_title(self, note: str | None = None) -> None:
        symbol = safe_text(self.symbol) if self.symbol else "-"
        # the symbol may come from the server (a position): plain Text, never markup
        self.query_one("#linked-chart-title", Static).update(
            Text(f"{symbol} {INTERVAL}-minute  {note or self.state}")
        )

    async def _bars_loop(self, symbol: str) -> None:
        api = self.live.api
        while True:
            try:
                bars = await api.get_bars(symbol, UNIT, INTERVAL, barsback=BARS_BACK)
                self.chart.set_bars(bars)
                self._set_state("live")
                stream = api.stream_bars(symbol, UNIT, INTERVAL, barsback=1)
                async with stream:
                    async for event in stream:
                        if isinstance(event, Bar):
                            self.chart.apply_bar(event)
                        elif isinstance(event, StreamState):
                            self._set_state(SHOWN_STATE.get(event.state, event.state))
                        elif isinstance(event, StreamErrorFrame):
                            self._set_state(f"error: {safe_text(event.message or event.error)}")
                self._set_state("ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # shown in the title; the pane retries, the app goes on
                if not self.live.connected or self.live.api is not api:
                    self.state = "idle"
                    return  # the session closed under us: the next follow() restarts
                self._set_state(f"error: {safe_text(str(exc) or type(exc).__name__)}")
                self.state = "error"
            await asyncio.sleep(RETRY_S)

    def _set_state(self, state: str) -> None:
        self.state = state
        self._show_title()
