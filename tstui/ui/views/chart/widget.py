"""The chart widget: a bar series drawn by `plotting`, redrawn at most a few times a second.

Stream updates only mark the chart dirty; a timer draws when something changed, so a burst of
bar updates costs one plotext build per tick. The canvas is rebuilt on resize and theme change.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.timer import Timer
from textual.widget import Widget

from tstui.ui.views.chart.plotting import ChartStyle, OHLCBar, candles_from_bars, render_candles

__all__ = ["BarSeries", "ChartView"]

BarT = TypeVar("BarT", bound=OHLCBar)
REDRAW_INTERVAL_S = 0.3  # at most ~3 redraws per second
DRAW_BUDGET = 0.25  # and never more than a quarter of the event loop (a 200x60 build ~0.15 s)
MAX_BARS = 2000


class BarSeries(Generic[BarT]):
    """Bars ordered by end time. A bar with a known time replaces it (the open bar updating
    in place, or a reconnect replaying history); a later one is appended."""

    def __init__(self, max_bars: int = MAX_BARS) -> None:
        self.max_bars = max_bars
        self._bars: list[BarT] = []
        self._times: list[Any] = []

    def __len__(self) -> int:
        return len(self._bars)

    @property
    def bars(self) -> Sequence[BarT]:
        return self._bars

    @property
    def last(self) -> BarT | None:
        return self._bars[-1] if self._bars else None

    def reset(self, bars: Iterable[BarT] = ()) -> None:
        self._bars, self._times = [], []
        for bar in sorted(bars, key=lambda b: b.timestamp):
            self.apply(bar)

    def apply(self, bar: BarT) -> bool:
        """Insert or replace by timestamp; returns True when the series changed."""
        at = bar.timestamp
        if not self._times or at > self._times[-1]:
            self._bars.append(bar)
            self._times.append(at)
            if len(self._bars) > self.max_bars:
                del self._bars[0], self._times[0]
            return True
        index = bisect.bisect_left(self._times, at)
        if index < len(self._times) and self._times[index] == at:
            if self._bars[index] == bar:
                return False
            self._bars[index] = bar
            return True
        if index == 0 and len(self._bars) >= self.max_bars:
            return False  # older than everything we keep
        self._bars.insert(index, bar)
        self._times.insert(index, at)
        if len(self._bars) > self.max_bars:
            del self._bars[0], self._times[0]
        return True


class ChartView(Widget, Generic[BarT], can_focus=True):
    """Draws a BarSeries; ``redraw_count`` / ``last_drawn`` tell tests what was shown."""

    DEFAULT_CSS = """
    ChartView {
        width: 1fr;
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(
        self,
        *,
        redraw_interval: float = REDRAW_INTERVAL_S,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.series: BarSeries[BarT] = BarSeries()
        self.title = ""
        self.time_format = "%H:%M"
        self.decimals = 2
        self.redraw_interval = redraw_interval
        self.redraw_count = 0
        self.last_drawn: BarT | None = None  # the newest bar in the last drawn canvas
        self.last_draw_seconds = 0.0
        self._canvas: Text = Text("")
        self._canvas_size: tuple[int, int] = (0, 0)
        self._dirty = True
        self._drawn_at = 0.0
        self._timer: Timer | None = None
        self._style: ChartStyle | None = None

    # ---- data ------------------------------------------------------------------------
    def set_bars(self, bars: Iterable[BarT]) -> None:
        self.series.reset(bars)
        self._dirty = True

    def apply_bar(self, bar: BarT) -> bool:
        changed = self.series.apply(bar)
        self._dirty = self._dirty or changed
        return changed

    def configure(self, *, title: str, time_format: str, decimals: int) -> None:
        self.title, self.time_format, self.decimals = title, time_format, decimals
        self._dirty = True

    def mark_dirty(self) -> None:
        self._dirty = True

    # ---- lifecycle -------------------------------------------------------------------
    def on_mount(self) -> None:
        self._timer = self.set_interval(self.redraw_interval / 3, self._tick)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self._style = None
        self._dirty = True

    def on_resize(self, event: events.Resize) -> None:
        self._dirty = True

    def _tick(self) -> None:
        if not (self._dirty and self.display and self.size.width and self.size.height):
            return
        if not self.screen.is_current:
            return  # hidden: stay dirty, draw when shown again
        spacing = max(self.redraw_interval, self.last_draw_seconds / DRAW_BUDGET)
        if time.monotonic() - self._drawn_at >= spacing:
            self.redraw()

    def redraw(self) -> None:
        """Build the canvas now (the timer calls this; tests may too)."""
        width, height = self.size.width, self.size.height
        started = time.perf_counter()
        self._canvas = render_candles(
            candles_from_bars(self.series.bars),
            width,
            height,
            style=self._chart_style(),
            title=self.title,
            time_format=self.time_format,
            decimals=self.decimals,
        )
        self.last_draw_seconds = time.perf_counter() - started
        self._drawn_at = time.monotonic()
        self._canvas_size = (width, height)
        self._dirty = False
        self.redraw_count += 1
        self.last_drawn = self.series.last
        self.refresh()

    def _chart_style(self) -> ChartStyle:
        if self._style is None:
            variables = self.app.get_css_variables()
            default = ChartStyle()
            self._style = ChartStyle(
                up=variables.get("price-up", default.up),
                down=variables.get("price-down", default.down),
            )
        return self._style

    def render(self) -> Text:
        if self._canvas_size != (self.size.width, self.size.height):
            self._dirty = True  # drawn on the next tick; show the old canvas meanwhile
        return self._canvas
