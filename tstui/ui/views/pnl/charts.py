"""The P&L view's plotext charts: realized P&L per day (bars) and the equity curve (a line).

As in :mod:`tstui.ui.views.chart.plotting`: plotext keeps one global figure, so every render
starts from ``main()`` + ``clear_figure()``, builds at exactly the size asked for and clears
again; plotext is imported by the first render only (this view is not the first screen), and
rendering happens on the event loop, never in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from rich.text import Text

from tstui.ui.views.chart.plotting import (
    MIN_HEIGHT,
    MIN_WIDTH,
    ChartStyle,
    fit_text,
    message_text,
    rgb,
    style_axes,
)

__all__ = ["render_daily_bars", "render_equity"]


def _ticks(count: int, slots: int) -> list[int]:
    if count <= 0:
        return []
    step = max(1, -(-count // max(1, slots)))
    picks = list(range(0, count, step))
    if picks[-1] != count - 1 and count - 1 - picks[-1] >= step // 2:
        picks.append(count - 1)
    return picks


def _money_label(value: float) -> str:
    size = abs(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:+,.1f}{suffix}"
    return f"{value:+,.0f}"


def _begin(width: int, height: int, title: str, style: ChartStyle) -> None:
    import plotext as plt

    plt.main()
    plt.clear_figure()
    plt.limit_size(False, False)  # the widget's size, not the terminal's
    plt.plotsize(width, height)
    if title:
        plt.title(title)
    style_axes(style.foreground)


def _y_ticks(values: Sequence[float], height: int) -> tuple[list[float], list[str]]:
    low, high = min(0.0, *values), max(0.0, *values)
    if high <= low:
        high = low + 1.0
    count = max(2, min(6, (height - 2) // 3 + 1))
    step = (high - low) / (count - 1)
    ticks = [low + step * i for i in range(count)]
    if low < 0 < high:  # the tick nearest zero moves onto it: the zero line gets its label
        nearest = min(range(count), key=lambda i: abs(ticks[i]))
        if 0 < nearest < count - 1:
            ticks[nearest] = 0.0
    labels = [_money_label(t) if t else "0" for t in ticks]
    width = max(len(label) for label in labels)
    return ticks, [label.rjust(width) for label in labels]


def _finish() -> Text:
    import plotext as plt

    canvas = plt.build()
    plt.main()
    plt.clear_figure()  # the next render starts clean
    return Text.from_ansi(canvas, no_wrap=True)


def render_daily_bars(
    days: Sequence[tuple[date, float]],
    width: int,
    height: int,
    *,
    style: ChartStyle | None = None,
    title: str = "Realized P&L by day",
) -> Text:
    """One bar per day with closed trades: profits in the theme's up colour, losses in its
    down colour (two series: plotext colours a series, not a bar)."""
    import plotext as plt

    width, height = max(1, int(width)), max(1, int(height))
    style = style or ChartStyle()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return message_text("P&L: too small", width, height)
    if not days:
        return message_text("no closed trades in this range", width, height)
    shown = list(days[-max(1, (width - 12) // 2) :])  # at least two columns per bar
    xs = list(range(len(shown)))
    _begin(width, height, title, style)
    for wanted, colour in ((True, style.up), (False, style.down)):
        points = [(x, v) for x, (_, v) in zip(xs, shown, strict=True) if (v >= 0) == wanted]
        if points:
            plt.bar([p[0] for p in points], [p[1] for p in points], color=rgb(colour), width=0.7)
    ticks, labels = _y_ticks([v for _, v in shown], height)
    plt.yticks(ticks, labels)
    plt.ylim(ticks[0], ticks[-1])
    plt.xlim(-0.6, len(shown) - 0.4)
    picks = _ticks(len(shown), max(1, (width - 12) // 8))
    plt.xticks(picks, [shown[i][0].strftime("%m-%d") for i in picks])
    return fit_text(_finish(), width, height)


def render_equity(
    points: Sequence[tuple[datetime, float]],
    width: int,
    height: int,
    *,
    style: ChartStyle | None = None,
    title: str = "Equity curve (cumulative net)",
) -> Text:
    """Cumulative realized net after each round trip, in the up colour while at or above zero
    at the end, else the down colour; a zero line for reference."""
    import plotext as plt

    width, height = max(1, int(width)), max(1, int(height))
    style = style or ChartStyle()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return message_text("equity: too small", width, height)
    if not points:
        return message_text("no closed trades in this range", width, height)
    values = [0.0, *(v for _, v in points)]
    xs = list(range(len(values)))
    _begin(width, height, title, style)
    colour = style.up if values[-1] >= 0 else style.down
    plt.hline(0.0, color=rgb(style.foreground) if style.foreground else "gray")
    plt.plot(xs, values, color=rgb(colour), marker="braille")
    ticks, labels = _y_ticks(values, height)
    plt.yticks(ticks, labels)
    plt.ylim(ticks[0], ticks[-1])
    plt.xlim(0, max(1, len(values) - 1))
    times = [points[0][0], *(at for at, _ in points)]
    picks = _ticks(len(values), max(1, (width - 12) // 8))
    plt.xticks(picks, [times[i].strftime("%m-%d") for i in picks])
    return fit_text(_finish(), width, height)
