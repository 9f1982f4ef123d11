"""The spread's payoff at expiry as a plotext diagram: P&L (dollars) against the underlying's
price, profit in the theme's profit colour, loss in its loss colour, the zero line, the
underlying's price now and the break-evens as vertical lines.

As the chart's and the P&L view's plots: plotext keeps one global figure, so a render starts
from ``main()`` + ``clear_figure()``, builds at exactly the widget's size and clears again;
plotext is imported on first render, on the event loop only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text

from tstui.domain.options.payoff import PayoffLeg, payoff_at, payoff_curve
from tstui.ui.views.chart.plotting import (
    MIN_HEIGHT,
    MIN_WIDTH,
    ChartStyle,
    fit_text,
    message_text,
    rgb,
    style_axes,
)
from tstui.ui.widgets.canvas import ThrottledCanvas

__all__ = ["PayoffFigure", "PayoffPlot", "render_payoff"]


@dataclass(frozen=True, slots=True)
class PayoffFigure:
    """What one drawing shows: the legs (dollars at expiry after ``debit``) over the prices
    ``low`` to ``high``, the underlying's price now and the break-evens."""

    legs: tuple[PayoffLeg, ...] = ()
    debit: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    price: Decimal | None = None
    break_evens: Sequence[Decimal] = ()
    title: str = "Payoff at expiry"


def _money(value: float) -> str:
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:+.1f}M"
    if size >= 1e4:
        return f"{value / 1e3:+.0f}k"
    return f"{value:+.0f}"


def render_payoff(
    figure: PayoffFigure, width: int, height: int, *, style: ChartStyle | None = None
) -> Text:
    import plotext as plt

    width, height = max(1, int(width)), max(1, int(height))
    style = style or ChartStyle()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return message_text("payoff: too small", width, height)
    if not figure.legs or figure.high <= figure.low:
        return message_text("build a spread to see its payoff", width, height)
    # two samples per braille column: the kinks at the strikes stay sharp
    points = payoff_curve(figure.legs, figure.debit, figure.low, figure.high, max(2, width * 2))
    # the strikes too: the kinks (max profit and loss) are drawn at their true height
    kinks = {
        leg.strike
        for leg in figure.legs
        if leg.strike is not None and figure.low < leg.strike < figure.high
    }
    points = sorted([*points, *((k, payoff_at(figure.legs, k, figure.debit)) for k in kinks)])
    xs = [float(p) for p, _ in points]
    ys = [float(v) for _, v in points]
    plt.main()
    plt.clear_figure()
    plt.limit_size(False, False)  # the widget's size, not the terminal's
    plt.plotsize(width, height)
    if figure.title:
        plt.title(figure.title)
    style_axes(style.foreground)
    grey = rgb(style.cursor)
    plt.hline(0.0, color=grey)
    for even in figure.break_evens:
        plt.vline(float(even), color=grey)
    if figure.price is not None and xs[0] <= float(figure.price) <= xs[-1]:
        plt.vline(float(figure.price), color=rgb(style.last))
    # one line per run of profit or loss (plotext colours a series, not a point); each run
    # ends on its neighbour's first point, so the line is unbroken where it crosses zero
    runs: list[tuple[bool, list[tuple[float, float]]]] = []
    for x, y in zip(xs, ys, strict=True):
        profit = y >= 0
        if runs and runs[-1][0] == profit:
            runs[-1][1].append((x, y))
        else:
            if runs:
                runs[-1][1].append((x, y))
            runs.append((profit, [(x, y)]))
    for profit, run in runs:
        plt.plot(
            [p[0] for p in run],
            [p[1] for p in run],
            color=rgb(style.up if profit else style.down),
            marker="braille",
        )
    low, high = min(0.0, *ys), max(0.0, *ys)
    if high <= low:
        high = low + 1.0
    pad = (high - low) * 0.08
    plt.ylim(low - pad, high + pad)
    plt.xlim(xs[0], xs[-1])
    ticks = [low, 0.0, high] if low < 0 < high else [low, high]
    labels = [_money(t) if t else "0" for t in ticks]
    plt.yticks(ticks, labels)
    canvas = plt.build()
    plt.main()
    plt.clear_figure()  # the next render starts clean
    return fit_text(Text.from_ansi(canvas, no_wrap=True), width, height)


class PayoffPlot(ThrottledCanvas[ChartStyle]):
    """Draws ``figure``; ``show`` replaces it (drawn by the canvas timer, a few times a
    second at most)."""

    DEFAULT_CSS = """
    PayoffPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.figure = PayoffFigure()

    def show(self, figure: PayoffFigure) -> None:
        if figure != self.figure:
            self.figure = figure
            self.mark_dirty()

    def redraw(self) -> None:
        width, height = self.size.width, self.size.height
        self._painted(
            render_payoff(self.figure, width, height, style=self.chart_style()), width, height
        )

    def build_style(self) -> ChartStyle:
        variables = self.app.get_css_variables()
        default = ChartStyle()
        return ChartStyle(
            up=variables.get("profit", variables.get("price-up", default.up)),
            down=variables.get("loss", variables.get("price-down", default.down)),
            foreground=variables.get("foreground"),
            last=variables.get("accent", default.last),
        )
