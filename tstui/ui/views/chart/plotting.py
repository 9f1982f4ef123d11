"""Every plotext call in tstui lives here: candlesticks + volume rendered to Rich Text.

plotext keeps one global figure, so each render starts with ``main()`` + ``clear_figure()``
and builds the whole figure (``build()``, never ``show()``) at exactly the size asked for.
plotext is imported by the first render: it costs ~30 ms and the chart is not the first
screen. plotext stays below 6: version 6 is a rewrite of this API (see shared/textual-notes.md).
Rendering runs on the event loop only (no threads), so the global figure is never shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rich.text import Text

from tstui.domain.market.indicators import Candle, aggregate
from tstui.domain.untrusted import safe_text

__all__ = [
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "Candle",
    "ChartFrame",
    "ChartStyle",
    "Level",
    "OHLCBar",
    "Overlay",
    "candles_from_bars",
    "compact_number",
    "fit_text",
    "level_in_view",
    "message_text",
    "off_chart_levels",
    "plot_columns",
    "render_candles",
    "render_chart",
    "rgb",
    "style_axes",
    "time_format_for",
    "volume_floor",
]

RGB = tuple[int, int, int]
MIN_WIDTH = 24
MIN_HEIGHT = 6
_Y_LABEL_ROOM = 12  # y tick labels + frame: candles beyond the plot width are dropped


class OHLCBar(Protocol):
    """What a chart needs from a v3 Bar or a v2 TickBar."""

    @property
    def timestamp(self) -> datetime: ...
    @property
    def open(self) -> object: ...
    @property
    def high(self) -> object: ...
    @property
    def low(self) -> object: ...
    @property
    def close(self) -> object: ...
    @property
    def total_volume(self) -> object: ...


@dataclass(frozen=True, slots=True)
class ChartStyle:
    """Colours as "#RRGGBB" (theme variables); None = the terminal/widget default."""

    up: str = "#3FB950"
    down: str = "#F0555A"
    foreground: str | None = None
    cursor: str = "#8B949E"
    average: str = "#D29922"
    last: str = "#58A6FF"


@dataclass(frozen=True, slots=True)
class Overlay:
    """An indicator line: one value per candle (None: no value there)."""

    name: str
    values: Sequence[float | None]
    colour: str
    daily: bool = False  # restarts each trading day (VWAP): no line across a day break


@dataclass(frozen=True, slots=True)
class Level:
    """A horizontal line at a price: a working order, the position's average, the last."""

    price: float
    label: str
    colour: str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class ChartFrame:
    """Everything one drawing shows; candles are already the window (merged to fit)."""

    candles: Sequence[Candle]
    title: str = ""
    time_format: str = "%H:%M"
    decimals: int = 2
    volume: bool | None = True  # None: shown when the chart is tall enough
    overlays: Sequence[Overlay] = ()
    levels: Sequence[Level] = ()
    cursor: int | None = None
    day_breaks: Sequence[int] = ()  # candle indexes that start a trading day
    day_format: str = "%a %d"
    day_names: Mapping[int, str] = field(default_factory=dict)  # break index -> its label


def plot_columns(width: int) -> int:
    """Candle columns in a chart ``width`` cells wide (the rest is the y axis and frame)."""
    return max(1, int(width) - _Y_LABEL_ROOM)


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def candles_from_bars(bars: Iterable[OHLCBar]) -> list[Candle]:
    return [
        Candle(
            at=b.timestamp,
            open=_num(b.open),
            high=_num(b.high),
            low=_num(b.low),
            close=_num(b.close),
            volume=_num(b.total_volume),
        )
        for b in bars
    ]


def time_format_for(unit: str) -> str:
    """x-axis label format for a bar unit ("Minute", "Daily", "Weekly", "Monthly", "Tick")."""
    return {"Daily": "%m-%d", "Weekly": "%y-%m-%d", "Monthly": "%Y-%m"}.get(unit, "%H:%M")


def compact_number(value: float) -> str:
    """1234567 -> "1.2M" (volume axis labels must stay narrow)."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"


def rgb(colour: str) -> RGB:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except (ValueError, IndexError):
        return (200, 200, 200)


def message_text(text: str, width: int, height: int) -> Text:
    """A centred one-line message padded to the full size (never a blank widget)."""
    lines = [" " * width for _ in range(max(1, height))]
    middle = len(lines) // 2
    lines[middle] = text[:width].center(width)
    return Text("\n".join(lines), no_wrap=True)


def _tick_positions(count: int, slots: int) -> list[int]:
    """About `slots` evenly spaced indexes in range(count), always including the last."""
    if count <= 0 or slots <= 0:
        return []
    step = max(1, round(count / slots))
    picks = list(range(0, count, step))
    if picks[-1] != count - 1:
        if count - 1 - picks[-1] < step // 2 + 1 and len(picks) > 1:
            picks[-1] = count - 1
        else:
            picks.append(count - 1)
    return picks


def style_axes(foreground: str | None) -> None:
    import plotext as plt

    plt.canvas_color("default")
    plt.axes_color("default")
    plt.ticks_color(rgb(foreground) if foreground else "default")


def render_candles(
    candles: Sequence[Candle],
    width: int,
    height: int,
    *,
    style: ChartStyle | None = None,
    title: str = "",
    time_format: str = "%H:%M",
    volume: bool = True,
    decimals: int = 2,
) -> Text:
    """Candlesticks (plus volume when there is room) of exactly width x height."""
    frame = ChartFrame(
        candles, title=title, time_format=time_format, decimals=decimals, volume=volume
    )
    return render_chart(frame, width, height, style=style)


def _fit_columns(frame: ChartFrame, columns: int) -> ChartFrame:
    """More candles than columns: merge them (never drop any), overlays sampled alike."""
    count = len(frame.candles)
    if count <= columns:
        return frame
    per = -(-count // columns)
    merged = aggregate(frame.candles, per)
    ends = [min(count, count - (len(merged) - 1 - i) * per) - 1 for i in range(len(merged))]
    overlays = [
        Overlay(o.name, [o.values[e] for e in ends], o.colour, o.daily) for o in frame.overlays
    ]
    group = {b: next(i for i, e in enumerate(ends) if e >= b) for b in frame.day_breaks}
    breaks = sorted(set(group.values()))
    names = {group[b]: name for b, name in frame.day_names.items() if b in group}
    cursor = None
    if frame.cursor is not None:
        cursor = next(i for i, e in enumerate(ends) if e >= frame.cursor)
    return ChartFrame(
        merged,
        frame.title,
        frame.time_format,
        frame.decimals,
        frame.volume,
        overlays,
        frame.levels,
        cursor,
        breaks,
        frame.day_format,
        names,
    )


def volume_rows(height: int, wanted: bool | None) -> int:
    """Rows of the volume pane: ``None`` = automatic (shown when the chart is tall enough);
    when shown it keeps at least 7 rows so the bars have a readable scale."""
    shown = height >= 30 if wanted is None else wanted
    if not shown or height < 14:
        return 0
    return max(7, height // 4)


def volume_floor(volumes: Sequence[float]) -> float:
    """The volume axis starts at 0 unless the bars are all alike (their spread under half the
    top): then it starts below the smallest bar, so a few rows still show the differences
    (the axis says where it starts)."""
    if not volumes:
        return 0.0
    low, high = min(volumes), max(volumes)
    if high <= 0 or high - low >= high / 2:
        return 0.0
    return max(0.0, low - (high - low) * 0.5)


def _x_ticks(frame: ChartFrame, width: int) -> tuple[list[int], list[str]]:
    """Evenly spaced time labels; a label at each day break names the day instead, and
    time labels too close to one are dropped."""
    shown = frame.candles
    slots = max(1, plot_columns(width) // 12)
    ticks = _tick_positions(len(shown), slots)
    breaks = [b for b in frame.day_breaks if 0 < b < len(shown)]
    if len(breaks) > slots:  # many days in view: label every few
        breaks = breaks[:: -(-len(breaks) // slots)]
    room = max(1, len(shown) // max(1, slots) // 2)
    keep = [t for t in ticks if all(abs(t - b) > room for b in breaks)]
    labels: dict[int, str] = {t: shown[t].at.astimezone().strftime(frame.time_format) for t in keep}
    for b in breaks:
        # a merged candle may begin in the day before: its last bar names the new day
        labels[b] = frame.day_names.get(b) or shown[b].at.astimezone().strftime(frame.day_format)
    positions = sorted(labels)
    return positions, [labels[p] for p in positions]


def render_chart(
    frame: ChartFrame, width: int, height: int, *, style: ChartStyle | None = None
) -> Text:
    """The chart of ``frame`` at exactly width x height: candles, indicator lines, price
    levels, the cursor, day labels, and a volume pane when asked for and there is room.
    Degenerate inputs (no candles, a tiny area) give a message instead of raising."""
    import plotext as plt

    width, height = max(1, int(width)), max(1, int(height))
    # The title names a symbol (server or user text) and the canvas is read back as ANSI:
    # an escape in it would be interpreted, so it is made visible first.
    title = safe_text(frame.title, limit=width)
    style = style or ChartStyle()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return message_text("chart: too small", width, height)
    if not frame.candles:
        return message_text(f"{title}  no bars yet" if title else "no bars yet", width, height)
    frame = _fit_columns(frame, plot_columns(width))
    shown = list(frame.candles)
    xs = list(range(len(shown)))
    up, down = rgb(style.up), rgb(style.down)
    pane = volume_rows(height, frame.volume) if any(c.volume > 0 for c in shown) else 0
    price_height = height - pane
    ticks, labels = _x_ticks(frame, width)
    low = min(c.low for c in shown)
    high = max(c.high for c in shown)
    levels = [lv for lv in frame.levels if level_in_view(lv.price, low, high)]
    low = min([low, *(lv.price for lv in levels)])
    high = max([high, *(lv.price for lv in levels)])

    plt.main()
    plt.clear_figure()
    plt.limit_size(False, False)  # the widget's size, not the terminal's (tests have none)
    plt.plotsize(width, height)
    if pane:
        plt.subplots(2, 1)
        plt.subplot(1, 1)
        plt.plotsize(width, price_height)
    price_ticks, price_labels = _price_ticks(low, high, price_height, frame.decimals)
    volume_top = max(c.volume for c in shown)
    label_width = max(len(label) for label in [*price_labels, compact_number(volume_top)])
    plt.candlestick(
        xs,
        {
            "Open": [c.open for c in shown],
            "High": [c.high for c in shown],
            "Low": [c.low for c in shown],
            "Close": [c.close for c in shown],
        },
        colors=[up, down],
    )
    for overlay in frame.overlays:
        breaks = set(frame.day_breaks) if overlay.daily else set()
        for run in _runs(overlay.values, breaks):
            xs_run = [x for x, _ in run]
            plt.plot(xs_run, [v for _, v in run], color=rgb(overlay.colour), marker="dot")
    for level in levels:
        plt.hline(level.price, rgb(level.colour))
        text = safe_text(("▶ " if level.selected else "") + level.label, limit=width // 2)
        plt.text(text, 0, level.price, color=rgb(level.colour), alignment="left")
    if frame.cursor is not None and 0 <= frame.cursor < len(shown):
        plt.vline(frame.cursor, rgb(style.cursor))
        plt.hline(shown[frame.cursor].close, rgb(style.cursor))
    if title:
        plt.title(title)
    style_axes(style.foreground)
    plt.xlim(-0.5, len(shown) - 0.5)
    plt.ylim(price_ticks[0], price_ticks[-1])
    # Same-width y labels keep the price and volume frames (and candles) aligned.
    plt.yticks(price_ticks, [label.rjust(label_width) for label in price_labels])
    if pane:
        plt.xticks([])
        plt.subplot(2, 1)
        plt.plotsize(width, pane)
        _volume_bars(shown, xs, up, down)
        if frame.cursor is not None and 0 <= frame.cursor < len(shown):
            plt.vline(frame.cursor, rgb(style.cursor))
        floor = volume_floor([c.volume for c in shown])
        plt.ylim(floor, volume_top * 1.05 or 1)
        bottom = compact_number(floor).rjust(label_width)
        plt.yticks([floor, volume_top], [bottom, compact_number(volume_top)])
        style_axes(style.foreground)
        plt.xlim(-0.5, len(shown) - 0.5)
    plt.xticks(ticks, labels)
    canvas = plt.build()
    plt.main()
    plt.clear_figure()  # drop the data: the next render starts clean
    return fit_text(Text.from_ansi(canvas, no_wrap=True), width, height)


def _runs(values: Sequence[float | None], breaks: set[int]) -> list[list[tuple[int, float]]]:
    """Unbroken stretches of values: a gap (None) or a break index starts a new one."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for x, value in enumerate(values):
        if value is None or x in breaks:
            if current:
                runs.append(current)
            current = []
        if value is not None:
            current.append((x, value))
    if current:
        runs.append(current)
    return runs


def off_chart_levels(frame: ChartFrame) -> list[tuple[Level, str]]:
    """Levels too far from the candles to draw, each with "↑" (above) or "↓" (below)."""
    if not frame.candles:
        return []
    low = min(c.low for c in frame.candles)
    high = max(c.high for c in frame.candles)
    return [
        (level, "↑" if level.price > high else "↓")
        for level in frame.levels
        if not level_in_view(level.price, low, high)
    ]


def level_in_view(price: float, low: float, high: float) -> bool:
    """A level is drawn when it does not squash the candles: within a range's width of them."""
    span = max(high - low, abs(high) * 0.002)
    return low - span <= price <= high + span


def _volume_bars(shown: Sequence[Candle], xs: list[int], up: RGB, down: RGB) -> None:
    """Up and down volume as two series: plotext colours a whole series, not single bars."""
    import plotext as plt

    ups = [(x, c.volume) for x, c in zip(xs, shown, strict=True) if c.close >= c.open]
    downs = [(x, c.volume) for x, c in zip(xs, shown, strict=True) if c.close < c.open]
    for points, colour in ((ups, up), (downs, down)):
        if points:
            plt.bar([p[0] for p in points], [p[1] for p in points], color=colour, width=0.6)


def _price_ticks(
    low: float, high: float, height: int, decimals: int
) -> tuple[list[float], list[str]]:
    """Evenly spaced price ticks over the visible range, formatted alike."""
    if high <= low:  # a flat range still needs a span to draw in
        pad = abs(high) * 0.001 or 1.0
        low, high = low - pad, high + pad
    count = max(2, min(8, (height - 2) // 3 + 1))
    step = (high - low) / (count - 1)
    ticks = [low + step * i for i in range(count)]
    return ticks, [f"{t:,.{decimals}f}" for t in ticks]


def fit_text(text: Text, width: int, height: int) -> Text:
    """Exactly `height` lines of at most `width` cells (plotext adds reset codes/newlines)."""
    lines = list(text.split("\n", allow_blank=True))[:height]
    while len(lines) < height:
        lines.append(Text(""))
    for line in lines:
        line.truncate(width)
        line.rstrip_end(width)
    return Text("\n").join(lines)
