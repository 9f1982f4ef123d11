"""The chain widget: calls | strike | puts, one row per strike, the money's row marked.

It draws a ``ChainWindow`` (the rows around the money) with a cell cursor: a strike and a
side (call or put). The cursor keeps its strike while rows come and go (the window follows the
money); the legs of the spread being built show on their cells (B / S, in the bid / ask
colours), and where no leg is, the account's position in that contract (+1, -2). Calls and
puts in the money are shaded. Everything drawn is numbers we format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from tstui.domain.options.symbology import OptionType
from tstui.domain.orders import format_decimal
from tstui.ui.views.options.model import (
    COLUMNS,
    ChainRow,
    ChainWindow,
    Leg,
    format_cell,
)

__all__ = ["ChainTable"]

STRIKE_WIDTH = 10
MARK_WIDTH = 3  # " B " / " S " beside each side's cells


class ChainTable(Widget, can_focus=True):
    """See the module docstring. Posts ``CursorMoved`` when the cursor's cell changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "chain--header",
        "chain--itm",
        "chain--atm",
        "chain--cursor",
        "chain--buy",
        "chain--sell",
        "chain--held",
    }
    DEFAULT_CSS = """
    ChainTable { height: 1fr; width: 1fr; min-width: 40; text-wrap: nowrap; text-overflow: clip; }
    ChainTable > .chain--header { text-style: bold; color: $text-muted; }
    ChainTable > .chain--itm { background: $boost; }
    ChainTable > .chain--atm { text-style: bold; color: $accent; }
    ChainTable > .chain--cursor { background: $primary 40%; text-style: bold; }
    ChainTable:focus > .chain--cursor { background: $primary 70%; }
    ChainTable > .chain--buy { color: $bid; text-style: bold; }
    ChainTable > .chain--sell { color: $ask; text-style: bold; }
    ChainTable > .chain--held { color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False, id="options.cursor_up"),
        Binding("down", "move(1)", "Down", show=False, id="options.cursor_down"),
        Binding("left", "side('Call')", "Calls", show=False, id="options.calls"),
        Binding("right", "side('Put')", "Puts", show=False, id="options.puts"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="options.page_up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="options.page_down"),
        Binding("home", "to_money", "At the money", show=False, id="options.atm"),
    ]

    class CursorMoved(Message):
        def __init__(self, strike: Decimal | None, right: OptionType) -> None:
            super().__init__()
            self.strike, self.right = strike, right

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.window = ChainWindow((), None)
        self.columns: tuple[str, ...] = ("bid", "ask", "last", "mid")
        self.legs: dict[tuple[OptionType, Decimal], Leg] = {}
        self.underlying_price: Decimal | None = None
        self.held: dict[str, Decimal] = {}  # contract symbol -> the account's signed position
        self.cursor_strike: Decimal | None = None
        self.cursor_right = OptionType.CALL
        self._top = 0

    # ---- state ---------------------------------------------------------------------------
    def show(
        self,
        window: ChainWindow,
        *,
        columns: Sequence[str] | None = None,
        legs: Sequence[Leg] | None = None,
        underlying_price: Decimal | None = None,
        held: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.window = window
        if columns is not None:
            self.columns = tuple(columns)
        if legs is not None:
            self.legs = {(leg.right, leg.strike): leg for leg in legs}
        self.underlying_price = underlying_price
        if held is not None:
            self.held = dict(held)
        strikes = [row.strike for row in window.rows]
        if self.cursor_strike not in strikes:
            self._cursor_to_money(post=True)
        self.refresh()

    @property
    def strikes(self) -> list[Decimal]:
        return [row.strike for row in self.window.rows]

    def cursor_row(self) -> ChainRow | None:
        return next((r for r in self.window.rows if r.strike == self.cursor_strike), None)

    def _cursor_to_money(self, *, post: bool) -> None:
        rows, atm = self.window.rows, self.window.atm_index
        strike = rows[atm].strike if rows and atm is not None else None
        if strike != self.cursor_strike:
            self.cursor_strike = strike
            if post:
                self.post_message(self.CursorMoved(strike, self.cursor_right))

    # ---- actions -------------------------------------------------------------------------
    def action_move(self, rows: int) -> None:
        strikes = self.strikes
        if not strikes:
            return
        index = strikes.index(self.cursor_strike) if self.cursor_strike in strikes else 0
        index = max(0, min(len(strikes) - 1, index + rows))
        self.move_to(strikes[index], self.cursor_right)

    def action_side(self, right: str) -> None:
        self.move_to(self.cursor_strike, OptionType.PUT if right == "Put" else OptionType.CALL)

    def action_to_money(self) -> None:
        self._cursor_to_money(post=True)
        self.refresh()

    def move_to(self, strike: Decimal | None, right: OptionType) -> None:
        if (strike, right) == (self.cursor_strike, self.cursor_right):
            return
        self.cursor_strike, self.cursor_right = strike, right
        self.post_message(self.CursorMoved(strike, right))
        self.refresh()

    # ---- drawing -------------------------------------------------------------------------
    def _side_width(self) -> int:
        return sum(COLUMNS[key].width for key in self.columns) + MARK_WIDTH

    def render(self) -> Text:
        style = self.get_component_rich_style
        header, itm, atm = style("chain--header"), style("chain--itm"), style("chain--atm")
        cursor, buy, sell = style("chain--cursor"), style("chain--buy"), style("chain--sell")
        held = style("chain--held")
        side = self._side_width()
        out = Text(no_wrap=True, overflow="crop")
        calls_title = "CALLS".center(side)
        puts_title = "PUTS".center(side)
        out.append(f"{calls_title}{'Strike'.center(STRIKE_WIDTH)}{puts_title}\n", style=header)
        titles = "".join(COLUMNS[key].title.rjust(COLUMNS[key].width) for key in self.columns)
        out.append(f"{'':{MARK_WIDTH}}{titles}{'':{STRIKE_WIDTH}}{titles}{'':{MARK_WIDTH}}", header)
        rows = self.window.rows
        if not rows:
            return out
        visible = max(1, self.size.height - 2)
        strikes = self.strikes
        at = strikes.index(self.cursor_strike) if self.cursor_strike in strikes else 0
        self._top = at - visible // 2  # the cursor (the money, at first) stays mid-window
        self._top = max(0, min(self._top, max(0, len(rows) - visible)))
        price = self.underlying_price
        for index in range(self._top, min(len(rows), self._top + visible)):
            row = rows[index]
            out.append("\n")
            is_atm = index == self.window.atm_index
            for right in (OptionType.CALL, OptionType.PUT):
                if right is OptionType.PUT:
                    marker = "►" if is_atm else " "
                    strike = f"{marker}{format_decimal(row.strike)}".center(STRIKE_WIDTH)
                    out.append(strike, style=atm if is_atm else Style())
                in_money = price is not None and (
                    row.strike < price if right is OptionType.CALL else row.strike > price
                )
                base = itm if in_money else Style()
                here = row.strike == self.cursor_strike and right == self.cursor_right
                if here:
                    base = base + cursor
                leg = self.legs.get((right, row.strike))
                mark = "   "
                mark_style = base
                quote = row.quote(right)
                position = self.held.get(quote.symbol) if quote is not None else None
                if position:  # what the account holds, when no leg is marked here
                    mark = f"{position:+}" if abs(position) < 100 else "99+"
                    mark_style = base + held
                if leg is not None:
                    mark = f"{'B' if leg.is_buy else 'S'}{abs(leg.ratio)}"
                    mark_style = base + (buy if leg.is_buy else sell)
                cells = "".join(
                    format_cell(quote, key).rjust(COLUMNS[key].width) for key in self.columns
                )
                if right is OptionType.CALL:
                    out.append(mark[:MARK_WIDTH].ljust(MARK_WIDTH), mark_style)
                    out.append(cells, base)
                else:
                    out.append(cells, base)
                    out.append(mark[:MARK_WIDTH].rjust(MARK_WIDTH), mark_style)
        return out
