"""The chart widget: a window onto a bar series, drawn by `plotting` a few times a second.

The series holds every fetched bar; the window shows ``span`` of them ending ``offset`` bars
before the newest, where ``span`` follows the width and the zoom (bars per column: above one,
bars are merged into wider candles). Indicators are computed over the whole series and shown
for the window; price levels (orders, average price, last) and a cursor are drawn on top.

Stream updates only mark the chart dirty; a timer draws when something changed, so a burst of
bar updates costs one plotext build per tick. The canvas is rebuilt on resize and theme change.
After each drawing the widget posts ``ChartView.Drawn`` so the screen can say what is shown.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from textual.message import Message

from tstui.domain.market.indicators import Candle, ChartWindow, aggregate, ema, sma, vwap
from tstui.domain.market.sessions import TradingSession, bar_day, day_breaks
from tstui.ui.views.chart.plotting import (
    ChartFrame,
    ChartStyle,
    Level,
    OHLCBar,
    Overlay,
    candles_from_bars,
    compact_number,
    plot_columns,
    render_chart,
)
from tstui.ui.widgets.canvas import REDRAW_INTERVAL_S, ThrottledCanvas

__all__ = ["ZOOMS", "BarSeries", "ChartView", "Indicators"]

BarT = TypeVar("BarT", bound=OHLCBar)
DRAW_BUDGET = 0.25  # and never more than a quarter of the event loop (a 200x60 build ~0.15 s)
MAX_BARS = 2000
ZOOMS = (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0)  # bars per column
MIN_SPAN = 5
DAY_FORMAT = "%a %d"
SMA_COLOUR, EMA_COLOUR, VWAP_COLOUR = "#D2A8FF", "#F0883E", "#56D4DD"


@dataclass(frozen=True, slots=True)
class Indicators:
    """Which indicator lines to draw (a period of None: that line is off)."""

    sma: int | None = None
    ema: int | None = None
    vwap: bool = False


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


class ChartView(ThrottledCanvas[ChartStyle], Generic[BarT], can_focus=True):
    """Draws a window of a BarSeries; ``redraw_count`` / ``last_drawn`` / ``last_frame`` tell
    tests what was shown."""

    DEFAULT_CSS = """
    ChartView {
        width: 1fr;
        height: 1fr;
        min-height: 6;
    }
    """

    class Drawn(Message):
        """A drawing finished (the window, cursor or data may have changed)."""

    def __init__(
        self,
        *,
        redraw_interval: float = REDRAW_INTERVAL_S,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(redraw_interval=redraw_interval, name=name, id=id, classes=classes)
        self.series: BarSeries[BarT] = BarSeries()
        self.title = ""
        self.time_format = "%H:%M"
        self.decimals = 2
        self.last_drawn: BarT | None = None  # the newest bar in the last drawn canvas
        self.last_frame: ChartFrame | None = None
        self.last_draw_seconds = 0.0
        self.draw_seconds_total = 0.0  # time spent drawing, for the budget
        # the window: bars per column and how many bars back from the newest it ends
        self.zoom = 1.0
        self.bars_offset = 0
        self.cursor: int | None = None  # a series index, or None (no crosshair)
        self.indicators = Indicators()
        self.levels: list[Level] = []
        self.session: TradingSession | None = None
        self.intraday = True  # day breaks and VWAP only make sense for intraday bars
        self.volume: bool | None = None  # None: shown when there is room

    # ---- data ------------------------------------------------------------------------
    def set_bars(self, bars: Iterable[BarT]) -> None:
        self.series.reset(bars)
        self._dirty = True

    def apply_bar(self, bar: BarT) -> bool:
        before = len(self.series)
        appended = self.series.last is None or bar.timestamp > self.series.last.timestamp
        changed = self.series.apply(bar)
        if changed and appended and self.bars_offset > 0:
            self.bars_offset += 1  # scrolled away: the view stays on the same bars
        if changed and len(self.series) == before and appended and self.cursor is not None:
            self.cursor = max(0, self.cursor - 1)  # the oldest bar dropped out
        self._dirty = self._dirty or changed
        return changed

    def configure(self, *, title: str, time_format: str, decimals: int) -> None:
        self.title, self.time_format, self.decimals = title, time_format, decimals
        self._dirty = True

    # ---- the window ------------------------------------------------------------------
    @property
    def columns(self) -> int:
        return plot_columns(self.size.width or 80)

    def chart_window(self) -> ChartWindow:
        span = max(MIN_SPAN, round(self.columns * self.zoom))
        return ChartWindow(span, self.bars_offset).clamp(len(self.series))

    def shown_range(self) -> tuple[int, int]:
        """[start, end) series indexes of the bars in the window."""
        return self.chart_window().bounds(len(self.series))

    def per_candle(self) -> int:
        return self.chart_window().per_column(self.columns)

    def at_oldest(self) -> bool:
        return bool(self.series) and self.chart_window().at_oldest(len(self.series))

    def scroll_bars(self, bars: int) -> bool:
        """Older by ``bars`` (negative: newer); False when already at that end."""
        total = len(self.series)
        before = self.chart_window()
        after = before.scrolled(bars, total)
        self.bars_offset = after.offset
        if self.cursor is not None:
            start, end = after.bounds(total)
            self.cursor = max(start, min(end - 1, self.cursor))
        self._dirty = True
        return after.offset != before.offset

    def scroll_to_end(self, newest: bool) -> None:
        self.scroll_bars(-len(self.series) if newest else len(self.series))

    def set_zoom(self, direction: int) -> bool:
        """One step in (+1: fewer bars, wider candles) or out (-1: more bars per column)."""
        index = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - self.zoom))
        index = max(0, min(len(ZOOMS) - 1, index - direction))
        if direction < 0 and self.chart_window().span >= len(self.series):
            return False  # everything is already in view
        if ZOOMS[index] == self.zoom:
            return False
        self.zoom = ZOOMS[index]
        self.bars_offset = self.chart_window().offset
        self._dirty = True
        return True

    def reset_window(self) -> None:
        self.zoom, self.bars_offset, self.cursor = 1.0, 0, None
        self._dirty = True

    def toggle_cursor(self) -> None:
        self.cursor = None if self.cursor is not None else max(0, self.shown_range()[1] - 1)
        self._dirty = True

    def move_cursor(self, candles: int) -> None:
        """Move the crosshair by candles; past the window's edge it scrolls the window."""
        if self.cursor is None or not self.series:
            return
        per = self.per_candle()
        target = max(0, min(len(self.series) - 1, self.cursor + candles * per))
        start, end = self.shown_range()
        if target < start:
            self.scroll_bars(start - target)
        elif target >= end:
            self.scroll_bars(-(target - end + 1))
        self.cursor = target
        self._dirty = True

    def summary(self) -> str:
        """What the window shows: "68 of 600 bars, 10:45-16:20" (+ bars per candle)."""
        bars = self.series.bars
        if not bars:
            return "no bars"
        start, end = self.shown_range()
        first, last = bars[start].timestamp, bars[end - 1].timestamp
        text = f"{end - start} of {len(bars)} bars, {self._span_text(first, last)}"
        per = self.per_candle()
        return f"{text}, {per} per candle" if per > 1 else text

    def _span_text(self, first: datetime, last: datetime) -> str:
        a, b = first.astimezone(), last.astimezone()
        fmt = self.time_format
        if fmt in ("%H:%M", "%H:%M:%S") and a.date() != b.date():
            fmt = "%m-%d " + fmt
        # times read well as 10:45-16:20; dates have dashes of their own
        sep = " to " if "-" in fmt else "-"
        return f"{a.strftime(fmt)}{sep}{b.strftime(fmt)}"

    def cursor_readout(self) -> str | None:
        """The crosshair bar: time, OHLC, volume and change from the bar before."""
        if self.cursor is None or not self.series:
            return None
        bars = self.series.bars
        index = max(0, min(len(bars) - 1, self.cursor))
        # only the bar and the one before it (this runs on every streamed bar)
        near = candles_from_bars(bars[max(0, index - 1) : index + 1])
        bar = near[-1]
        previous = near[0].close if index > 0 else bar.open
        change = bar.close - previous
        percent = f" ({change / previous:+.2%})" if previous else ""
        d = self.decimals
        when = bar.at.astimezone().strftime("%a %m-%d " + self.time_format)
        return (
            f"{when}  O {bar.open:,.{d}f} H {bar.high:,.{d}f} L {bar.low:,.{d}f} "
            f"C {bar.close:,.{d}f}  V {compact_number(bar.volume)}  "
            f"{change:+,.{d}f}{percent}"
        )

    # ---- drawing --------------------------------------------------------------------
    def redraw_spacing(self) -> float:
        return max(self.redraw_interval, self.last_draw_seconds / DRAW_BUDGET)

    def frame(self) -> ChartFrame:
        """What the window shows now, merged to fit the columns."""
        candles = candles_from_bars(self.series.bars)
        start, end = self.shown_range()
        per = self.per_candle()
        window = candles[start:end]
        merged = aggregate(window, per)
        # the series index of each merged candle's newest bar
        ends = [end - 1 - (len(merged) - 1 - i) * per for i in range(len(merged))]
        overlays = [
            Overlay(name, [values[e] for e in ends], colour, daily=name == "VWAP")
            for name, values, colour in self._indicator_lines(candles)
        ]
        breaks: list[int] = []
        names: dict[int, str] = {}
        if self.intraday and merged:
            days = day_breaks([c.at for c in window], self.session)
            breaks = sorted({_group_of(b, len(window), per) for b in days})
            # named by the trading day: the futures' Sunday-evening session is Monday's
            for b in days:
                day = bar_day(self.session, window[b].at)
                names[_group_of(b, len(window), per)] = day.strftime(DAY_FORMAT)
        cursor = None
        if self.cursor is not None and start <= self.cursor < end:
            cursor = _group_of(self.cursor - start, len(window), per)
        return ChartFrame(
            merged,
            title=self.title,
            time_format=self.time_format,
            decimals=self.decimals,
            volume=self.volume,
            overlays=overlays,
            levels=[*self.levels, *self._last_level(candles)],
            cursor=cursor,
            day_breaks=breaks,
            day_names=names,
        )

    def _last_level(self, candles: list[Candle]) -> list[Level]:
        """The last price as a line: it moves with every streamed bar."""
        if not candles:
            return []
        last = candles[-1].close
        return [Level(last, f"LAST {last:,.{self.decimals}f}", self.chart_style().last)]

    def _indicator_lines(self, candles: list[Candle]) -> list[tuple[str, list[float | None], str]]:
        wanted = self.indicators
        closes = [c.close for c in candles]
        lines: list[tuple[str, list[float | None], str]] = []
        if wanted.sma:
            lines.append((f"SMA{wanted.sma}", sma(closes, wanted.sma), SMA_COLOUR))
        if wanted.ema:
            lines.append((f"EMA{wanted.ema}", ema(closes, wanted.ema), EMA_COLOUR))
        if wanted.vwap and self.intraday:
            keys = [bar_day(self.session, c.at) for c in candles]
            lines.append(("VWAP", vwap(candles, keys), VWAP_COLOUR))
        return lines

    def redraw(self) -> None:
        """Build the canvas now (the timer calls this; tests may too)."""
        width, height = self.size.width, self.size.height
        started = time.perf_counter()
        frame = self.frame()
        canvas = render_chart(frame, width, height, style=self.chart_style())
        self.last_frame = frame
        self.last_draw_seconds = time.perf_counter() - started
        self.draw_seconds_total += self.last_draw_seconds
        self.last_drawn = self.series.last
        self._painted(canvas, width, height)
        self.post_message(self.Drawn())

    def build_style(self) -> ChartStyle:
        variables = self.app.get_css_variables()
        default = ChartStyle()
        return ChartStyle(
            up=variables.get("price-up", default.up),
            down=variables.get("price-down", default.down),
            foreground=None,
        )


def _group_of(index: int, count: int, per: int) -> int:
    """The merged candle holding window bar ``index`` (groups counted from the newest)."""
    first_size = count % per or per
    return 0 if index < first_size else 1 + (index - first_size) // per
