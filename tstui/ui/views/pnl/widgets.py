"""The P&L view's widgets: a plotext chart panel, the round-trip table and the statistics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from decimal import Decimal
from typing import ClassVar

from rich.style import Style
from rich.text import Text

from tstui.domain.portfolio.journal import PnLSummary, RoundTrip, cents
from tstui.ui.views.chart.plotting import ChartStyle
from tstui.ui.widgets.canvas import ThrottledCanvas
from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable

__all__ = [
    "TRIP_COLUMNS",
    "PlotPanel",
    "TripsTable",
    "format_duration",
    "format_pnl",
    "stats_text",
    "trip_key",
]

Renderer = Callable[[int, int, ChartStyle], Text]


def format_pnl(value: Decimal | None) -> str:
    return "—" if value is None else f"{cents(value):+,.2f}"


def format_duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def _price(value: Decimal) -> str:
    """At least two decimals (6313 -> 6313.00), more when the price has them (71.345)."""
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


class PlotPanel(ThrottledCanvas[ChartStyle]):
    """Draws whatever ``renderer`` makes of its size, again when marked dirty, resized or
    re-themed (at most a few times a second: a plotext build is not free)."""

    DEFAULT_CSS = """
    PlotPanel { width: 1fr; height: 1fr; min-height: 6; }
    """

    def __init__(self, renderer: Renderer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderer = renderer

    def redraw(self) -> None:
        width, height = self.size.width, self.size.height
        self._painted(self.renderer(width, height, self.chart_style()), width, height)

    def build_style(self) -> ChartStyle:
        variables = self.app.get_css_variables()
        default = ChartStyle()
        return ChartStyle(
            up=variables.get("profit", variables.get("price-up", default.up)),
            down=variables.get("loss", variables.get("price-down", default.down)),
        )


TRIP_COLUMNS: tuple[Column, ...] = (
    Column("exit_time", "Closed", 11),
    Column("symbol", "Symbol", 7),
    Column("side", "Side", 5),
    Column("qty", "Qty", 5, "right"),
    Column("entry", "Entry", 9, "right"),
    Column("exit", "Exit", 9, "right"),
    Column("net", "Net P&L", 11, "right"),
    Column("duration", "Held", 7, "right"),
    Column("entry_time", "Opened", 11),
    Column("account", "Account", 11),
    Column("comm", "Comm", 7, "right"),
)


def trip_key(trip: RoundTrip) -> str:
    return "|".join(
        (
            trip.account_id,
            trip.symbol,
            trip.entry_time.isoformat(),
            trip.exit_time.isoformat(),
            str(trip.entry_price),
            str(trip.quantity),
        )
    )


class TripsTable(VirtualTable[RoundTrip]):
    """Round trips, newest exit first; net P&L in the theme's profit/loss colours."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        "trips--profit",
        "trips--loss",
    }
    DEFAULT_CSS = """
    TripsTable { height: 1fr; }
    TripsTable > .trips--profit { color: $profit; }
    TripsTable > .trips--loss { color: $loss; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(TRIP_COLUMNS, id=id)

    def row_key(self, row: RoundTrip) -> str:
        return trip_key(row)

    def style_signature(self) -> tuple[Style, ...]:
        get = self.get_component_rich_style
        return (self.rich_style, get("trips--profit"), get("trips--loss"))

    def row_cells(self, row: RoundTrip) -> Sequence[Cell]:
        net = row.net
        style = None
        if net:
            style = self.get_component_rich_style("trips--profit" if net > 0 else "trips--loss")
        stamp = "%m-%d %H:%M"
        return [
            (row.exit_time.astimezone(UTC).strftime(stamp), None),
            (row.symbol, None),
            (row.side, None),
            (format(row.quantity.normalize(), "f"), None),
            (_price(row.entry_price), None),
            (_price(row.exit_price), None),
            (format_pnl(net), style),
            (format_duration(row.duration), None),
            (row.entry_time.astimezone(UTC).strftime(stamp), None),
            (row.account_id, None),
            (f"{cents(row.commission):,.2f}", None),
        ]


def stats_text(summary: PnLSummary, *, wide: bool, profit: str, loss: str) -> Text:
    """The statistics as one line (wide) or two; every value we format (no server text)."""

    def money(value: Decimal | None) -> Text:
        if value is None:
            return Text("—")
        colour = profit if value > 0 else loss if value < 0 else ""
        return Text(format_pnl(value), style=colour)

    rate = summary.win_rate
    factor = summary.profit_factor
    parts: list[tuple[str, Text]] = [
        ("Net", money(summary.net)),
        ("Trades", Text(f"{summary.trades} ({summary.wins}W/{summary.losses}L)")),
        ("Win", Text("—" if rate is None else f"{rate * 100:.1f}%")),
        ("PF", Text("—" if factor is None else f"{factor:.2f}")),
        ("Avg win", money(summary.average_win)),
        ("Avg loss", money(summary.average_loss)),
        ("Max DD", Text("—" if not summary.trades else f"{cents(summary.max_drawdown):,.2f}")),
        ("Comm", Text(f"{cents(summary.commission):,.2f}")),
    ]
    out = Text()
    for index, (label, value) in enumerate(parts):
        if index and not wide and index == 4:
            out.append("\n")
        elif index:
            out.append("   ")
        out.append(f"{label} ", style="dim")
        out.append_text(value)
    return out
