"""Positions in a virtualised table: one row per position plus a totals row, P&L in theme
colours, and a "⟳ roll" marker on futures contracts older than their ``@ROOT`` front month."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from rich.style import Style

from tstui.domain.market.futures import parse_contract
from tstui.domain.models import Position
from tstui.domain.portfolio.valuation import (
    PortfolioTotals,
    PositionValue,
    portfolio_totals,
    value_position,
)
from tstui.ui.shell.columns import fit_columns, show_columns
from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable

__all__ = [
    "POSITION_COLUMNS",
    "POSITION_PRIORITY",
    "TOTALS_KEY",
    "PositionRow",
    "PositionsTable",
    "TotalsRow",
    "build_rows",
    "format_money",
    "roll_target",
]

TOTALS_KEY = "__totals__"
ROLL_MARK = "⟳ roll"
# P&L before market value: at 80 columns everything up to "Unrl %" fits without scrolling.
POSITION_COLUMNS: tuple[Column, ...] = (
    Column("symbol", "Symbol", 12),
    Column("account", "Account", 11),
    Column("qty", "Qty", 9, "right"),
    Column("avg", "Avg price", 9, "right"),
    Column("last", "Last", 9, "right"),
    Column("upl", "Unrl P&L", 12, "right"),
    Column("pct", "Unrl %", 8, "right"),
    Column("mv", "Mkt value", 13, "right"),
    Column("day", "Day P&L", 11, "right"),
)

# Which columns stay as the width shrinks (the table keeps its own order): Symbol always.
POSITION_PRIORITY = ("symbol", "qty", "upl", "last", "account", "pct", "avg", "day", "mv")
_CELL_INDEX = {c.key: i for i, c in enumerate(POSITION_COLUMNS)}


@dataclass(frozen=True, slots=True)
class PositionRow:
    position: Position
    value: PositionValue
    roll_to: str | None  # the front contract when this one should roll, else None

    @property
    def key(self) -> str:
        return self.position.position_id


@dataclass(frozen=True, slots=True)
class TotalsRow:
    totals: PortfolioTotals

    @property
    def key(self) -> str:
        return TOTALS_KEY


TableRow = PositionRow | TotalsRow


def roll_target(symbol: str | None, fronts: Mapping[str, str]) -> str | None:
    """The front contract when `symbol` is an OLDER contract of a root in `fronts`.

    `fronts` maps a root ("ES") to the Underlying of ``@ES`` ("ESH27"). A later contract than
    the front (someone trading ahead) is not marked: a roll never goes backwards.
    """
    if not symbol:
        return None
    try:
        held = parse_contract(symbol)
        front_symbol = fronts.get(held.root)
        if not front_symbol:
            return None
        front = parse_contract(front_symbol)
    except ValueError:
        return None
    return front_symbol if (held.year, held.month) < (front.year, front.month) else None


def build_rows(positions: Iterable[Position], fronts: Mapping[str, str]) -> list[PositionRow]:
    rows = [PositionRow(p, value_position(p), roll_target(p.symbol, fronts)) for p in positions]
    rows.sort(key=lambda r: (r.position.account_id or "", r.position.symbol or "", r.key))
    return rows


def format_money(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def _price(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    if "." in text and len(text.split(".")[1]) == 1:
        text += "0"
    return text


def _qty(value: Decimal, short: bool) -> str:
    text = format(value.normalize(), "f")
    return f"{'' if value < 0 else '+'}{text} {'S' if short else 'L'}"


class PositionsTable(VirtualTable[TableRow]):
    """Rows come from the screen (``set_rows``); the last row is the totals row."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        "positions--profit",
        "positions--loss",
        "positions--roll",
        "positions--totals",
    }
    DEFAULT_CSS = """
    PositionsTable > .positions--profit { color: $profit; }
    PositionsTable > .positions--loss { color: $loss; }
    PositionsTable > .positions--roll { color: $warning; text-style: bold; }
    PositionsTable > .positions--totals { text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(POSITION_COLUMNS, id=id, classes=classes)
        self._index: dict[str, int] = {}
        self._cell_picks = tuple(range(len(POSITION_COLUMNS)))
        self._fitted_width = -1

    class UserHighlighted(VirtualTable.RowHighlighted):
        """The user moved the cursor to another row (keys, click, select_key): link it."""

    def _move_cursor(self, index: int, *, force: bool = False) -> None:
        # force=True is the table keeping its cursor after the rows changed: not a choice
        before = self.selected_key
        super()._move_cursor(index, force=force)
        if not force and self.selected_key is not None and self.selected_key != before:
            self.post_message(self.UserHighlighted(self, self.selected_key, self.cursor_row))

    def on_resize(self) -> None:
        self.fit_to_width()

    def fit_to_width(self) -> None:
        """Show the columns that matter most that fit (never a sideways scroll)."""
        width = self.size.width - self.styles.scrollbar_size_vertical
        if width <= 0 or width == self._fitted_width:
            return
        self._fitted_width = width
        picked = fit_columns(POSITION_COLUMNS, POSITION_PRIORITY, width)
        columns = tuple(POSITION_COLUMNS[i] for i in picked)
        if columns != self.columns:
            self._cell_picks = tuple(_CELL_INDEX[c.key] for c in columns)
            show_columns(self, columns)
            self.scroll_to(x=0, animate=False)

    def set_rows(self, rows: Sequence[TableRow]) -> bool:
        self._index = {row.key: i for i, row in enumerate(rows)}
        return super().set_rows(rows)

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)

    def row_key(self, row: TableRow) -> str:
        return row.key

    def style_signature(self) -> tuple[Style, ...]:
        get = self.get_component_rich_style
        names = ("positions--profit", "positions--loss", "positions--roll", "positions--totals")
        return (self.rich_style, *(get(name) for name in names))

    @property
    def selected_position(self) -> Position | None:
        if not self.rows or self.cursor_row >= len(self.rows):
            return None
        row = self.rows[self.cursor_row]
        return row.position if isinstance(row, PositionRow) else None

    def _pl_style(self, value: Decimal | None) -> Style | None:
        if value is None or value == 0:
            return None
        name = "positions--profit" if value > 0 else "positions--loss"
        return self.get_component_rich_style(name)

    def row_cells(self, row: TableRow) -> Sequence[Cell]:
        cells = self._totals_cells(row.totals) if isinstance(row, TotalsRow) else self._cells(row)
        return [cells[i] for i in self._cell_picks]

    def _cells(self, row: PositionRow) -> Sequence[Cell]:
        """Every column's cell, in POSITION_COLUMNS order."""
        v = row.value
        symbol = v.symbol
        symbol_style = None
        if row.roll_to:
            symbol = f"{symbol} {ROLL_MARK}"
            symbol_style = self.get_component_rich_style("positions--roll")
        pct = v.unrealized_pl_pct
        return [
            (symbol, symbol_style),
            (v.account_id, None),
            (_qty(v.quantity, row.position.is_short), None),
            (_price(v.average_price), None),
            (_price(v.last), None),
            (format_money(v.unrealized_pl, signed=True), self._pl_style(v.unrealized_pl)),
            (f"{pct:+.2f}%" if pct is not None else "—", self._pl_style(v.unrealized_pl)),
            (format_money(v.market_value), None),
            (format_money(v.todays_pl, signed=True), self._pl_style(v.todays_pl)),
        ]

    def _totals_cells(self, t: PortfolioTotals) -> Sequence[Cell]:
        bold = self.get_component_rich_style("positions--totals")

        def pl(value: Decimal | None) -> Style:
            style = self._pl_style(value)
            return bold + style if style else bold

        pct = t.unrealized_pl_pct
        return [
            (f"Total ({t.positions})", bold),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            (format_money(t.unrealized_pl, signed=True), pl(t.unrealized_pl)),
            (f"{pct:+.2f}%" if pct is not None else "—", pl(t.unrealized_pl)),
            (format_money(t.market_value), bold),
            (format_money(t.todays_pl, signed=True), pl(t.todays_pl)),
        ]


def with_totals(rows: Sequence[PositionRow]) -> list[TableRow]:
    """The rows plus a totals row (always shown, also for zero positions)."""
    out: list[TableRow] = list(rows)
    out.append(TotalsRow(portfolio_totals(r.value for r in rows)))
    return out
