"""The quote board widget: the active watchlist's quotes, streaming from ``app.live.quotes``.

Reusable: it needs only ``app.live`` (the board view and the dashboard compose it).

Quotes arrive at any rate; the hub's callback only stores the newest quote per symbol. A timer
(``REPAINT_INTERVAL_S``, 10 Hz) turns what changed into new rows: cells whose value moved
flash up or down in the theme's ``$price-up`` / ``$price-down`` for ``FLASH_S``, and the table
(virtualised, fixed widths) repaints only when a visible row changed. So 4,000 quotes a second
cost at most ten repaints a second. Ages tick once a second; a quote older than the stream's
heartbeat timeout, or of a stream that is not live, shows its age in the error colour.

Keys: sort by the next/previous column (``>`` / ``<``, ``~`` reverses), ``/`` filters,
``+`` adds a symbol (symbol search), ``delete`` removes one, ``shift+up/down`` reorders (in
list order), ``]`` / ``[`` switch lists, Enter charts the row; a highlighted row links its
symbol. Every change to a list is saved to the config file at once (tstui.watchlists).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tstui.config import config_path
from tstui.domain.market import futures
from tstui.domain.models import Quote
from tstui.domain.orders.ticket import TicketFields
from tstui.domain.untrusted import safe_text
from tstui.ui.session.live import LiveData
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.plain import plain
from tstui.ui.trading.types import TradeTarget
from tstui.ui.widgets.steady_input import SteadyInput
from tstui.ui.widgets.symbol_search import SymbolSearch
from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable
from tstui.watchlists import Watchlists, save_watchlists

__all__ = ["COLUMNS", "BoardRow", "BoardTable", "QuoteBoard"]

REPAINT_INTERVAL_S = 0.1  # at most ten repaints a second, whatever the quote rate
FLASH_S = 0.6
NARROW_KEEP = ("symbol", "last", "pct", "bid", "ask")  # always shown, even at 80 columns
# The order columns are given up in when the width runs out (the first ones go last).
COLUMN_PRIORITY = (
    "symbol",
    "last",
    "pct",
    "bid",
    "ask",
    "age",
    "change",
    "volume",
    "bid_size",
    "ask_size",
    "high",
    "low",
)
COLUMNS: tuple[Column, ...] = (
    Column("symbol", "Symbol", 10),
    Column("last", "Last", 10, "right"),
    Column("change", "Chg", 8, "right"),
    Column("pct", "Chg%", 7, "right"),
    Column("bid", "Bid", 10, "right"),
    Column("ask", "Ask", 10, "right"),
    Column("bid_size", "BidSz", 6, "right"),
    Column("ask_size", "AskSz", 6, "right"),
    Column("volume", "Volume", 8, "right"),
    Column("high", "High", 10, "right"),
    Column("low", "Low", 10, "right"),
    Column("age", "Age", 5, "right"),
)
_LABELS = {c.key: c.label for c in COLUMNS}
# column -> Quote attribute (flashes and sorting read these)
_FIELDS = {
    "last": "last",
    "change": "net_change",
    "pct": "net_change_pct",
    "bid": "bid",
    "ask": "ask",
    "bid_size": "bid_size",
    "ask_size": "ask_size",
    "volume": "volume",
    "high": "high",
    "low": "low",
}
SORTS: tuple[str | None, ...] = (None, *(c.key for c in COLUMNS))  # None: the list's order


@dataclass(frozen=True, slots=True)
class BoardStyles:
    up: Style
    down: Style
    flash_up: Style
    flash_down: Style
    bid: Style
    ask: Style
    stale: Style
    muted: Style
    error: Style


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One symbol as shown; a new object whenever what it shows changes (the table caches
    formatted rows by identity)."""

    symbol: str
    quote: Quote | None
    age: int | None  # whole seconds: a row changes when its shown age does
    stale: bool
    flashes: tuple[tuple[str, int], ...] = ()  # (column, +1 up / -1 down)
    error: str | None = None

    def value(self, column: str) -> Any:
        if column == "symbol":
            return self.symbol
        if column == "age":
            return self.age
        attr = _FIELDS.get(column)
        return getattr(self.quote, attr) if attr and self.quote is not None else None


def format_price(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,}"


def format_change(value: Decimal | None, suffix: str = "") -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ""
    return f"{sign}{value:,.2f}{suffix}" if suffix else f"{sign}{value:,}"


def format_size(value: Decimal | None) -> str:
    """Sizes and volume: 950, 12.5K, 3.41M (a column of 6-8 cells)."""
    if value is None:
        return ""
    number = float(value)
    for limit, unit in ((1e9, "B"), (1e6, "M"), (1e4, "K")):
        if abs(number) >= limit:
            shown = number / (limit if unit != "K" else 1e3)
            return f"{shown:.3g}{unit}" if shown < 100 else f"{shown:.0f}{unit}"
    return f"{value:,.0f}"


def format_age(age: float | None) -> str:
    if age is None:
        return ""
    seconds = int(age)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


class BoardTable(VirtualTable[BoardRow]):
    """The board's rows; columns can change with the width (:meth:`set_columns`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)
        self.styles_ = BoardStyles(*(Style() for _ in range(9)))
        self._index: dict[str, int] = {}
        self.placed_key: str | None = None

    def row_key(self, row: BoardRow) -> str:
        return row.symbol

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)

    def set_rows(self, rows: Sequence[BoardRow]) -> bool:
        self._index = {row.symbol: i for i, row in enumerate(rows)}
        before = self.selected_key
        changed = super().set_rows(rows)
        if self.selected_key != before:
            self.placed_key = self.selected_key  # the table put the cursor there, not a person
        return changed

    def set_columns(self, columns: Sequence[Column]) -> None:
        if tuple(columns) == self.columns:
            return
        self.columns = tuple(columns)
        self.row_width = sum(c.width + 1 for c in self.columns)
        self.virtual_size = self.virtual_size.with_width(self.row_width)
        self._cache.clear()
        self._clip_key = (-1, -1)
        self.refresh()

    def style_signature(self) -> tuple[Style, ...]:
        s = self.styles_
        return (self.rich_style, s.up, s.down, s.flash_up, s.flash_down, s.stale)

    def row_cells(self, row: BoardRow) -> Sequence[Cell]:
        s = self.styles_
        quote = row.quote
        flashes = dict(row.flashes)
        out: list[Cell] = []
        for column in self.columns:
            key = column.key
            style: Style | None = None
            if key == "symbol":
                text = safe_text(row.symbol, limit=None)
                style = s.error if row.error else None
            elif key == "age":
                text = format_age(row.age) if row.error is None else "n/a"
                style = s.stale if row.stale else s.muted
            elif quote is None:
                text = "not found" if row.error and key == "last" else ""
                style = s.error if row.error else None
            else:
                value = getattr(quote, _FIELDS[key])
                if key in ("change", "pct"):
                    text = format_change(value, "%" if key == "pct" else "")
                    if value is not None and value != 0:
                        style = s.up if value > 0 else s.down
                elif key in ("bid_size", "ask_size", "volume"):
                    text = format_size(value)
                else:
                    text = format_price(value)
                    style = s.bid if key == "bid" else s.ask if key == "ask" else None
                if row.stale and key == "last":
                    style = s.muted
            direction = flashes.get(key)
            if direction is not None:
                style = s.flash_up if direction > 0 else s.flash_down
            out.append((text, style))
        return out


def fit_columns(width: int) -> tuple[Column, ...]:
    """The columns that fit ``width`` cells, by priority, in board order; the narrow set
    (symbol, last, % change, bid, ask) always."""
    chosen = set(NARROW_KEEP)
    used = sum(c.width + 1 for c in COLUMNS if c.key in chosen)
    widths = {c.key: c.width + 1 for c in COLUMNS}
    for key in COLUMN_PRIORITY:
        if key in chosen:
            continue
        if used + widths[key] <= width:
            chosen.add(key)
            used += widths[key]
    return tuple(c for c in COLUMNS if c.key in chosen)


class QuoteBoard(Vertical, can_focus=False):
    """See the module docstring."""

    DEFAULT_CSS = """
    QuoteBoard { height: 1fr; }
    QuoteBoard > #board-title { height: 1; padding: 0 1; color: $text-muted; }
    QuoteBoard > #board-filter { height: 1; border: none; padding: 0 1; display: none; }
    QuoteBoard.-filtering > #board-filter { display: block; }
    QuoteBoard > #board-name { height: 1; border: none; padding: 0 1; display: none; }
    QuoteBoard.-naming > #board-name { display: block; }
    QuoteBoard > SymbolSearch { display: none; }
    QuoteBoard.-adding > SymbolSearch { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("plus,insert", "add", "Add", id="board.add"),
        Binding("delete", "remove", "Remove", id="board.remove"),
        Binding("shift+up", "move(-1)", "Move up", show=False, id="board.move_up"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="board.move_down"),
        Binding("greater_than_sign", "sort(1)", "Sort", id="board.sort_next"),
        Binding("less_than_sign", "sort(-1)", "Sort prev", show=False, id="board.sort_prev"),
        Binding("tilde", "reverse", "Reverse", show=False, id="board.sort_reverse"),
        Binding("right_square_bracket", "list(1)", "Next list", show=False, id="board.list_next"),
        Binding("left_square_bracket", "list(-1)", "Prev list", show=False, id="board.list_prev"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.watchlists: Watchlists | None = None
        self.sort_by: str | None = None
        self.descending = False
        self.filter_text = ""
        self.fronts: dict[str, str] = {}  # continuous future -> the contract it means now
        self._pending: dict[str, Quote] = {}
        self._shown: dict[str, Quote] = {}
        self._errors: dict[str, str] = {}
        self._flashes: dict[str, dict[str, tuple[int, float]]] = {}
        self._rows: dict[str, BoardRow] = {}
        self._unwatch: Callable[[], None] | None = None
        self._last_age_tick = 0
        self._order_dirty = True
        self.flush_count = 0
        self._title_shown: str | None = None

    # ---- composition / lifecycle -------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="board-title")
        yield BoardTable(id="board-table")
        yield SteadyInput(placeholder="filter symbols (Esc clears)", id="board-filter")
        yield Input(placeholder="new list name (Enter creates, Esc cancels)", id="board-name")
        yield SymbolSearch(placeholder="add symbol (type to search, Esc cancels)")

    @property
    def live(self) -> LiveData:
        live = getattr(self.app, "live", None)
        assert isinstance(live, LiveData)
        return live

    @property
    def table(self) -> BoardTable:
        return self.query_one(BoardTable)

    @property
    def search(self) -> SymbolSearch:
        return self.query_one(SymbolSearch)

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.watchlists.symbols() if self.watchlists is not None else ()

    def on_mount(self) -> None:
        self.watchlists = self.live.settings.watchlists
        self._apply_theme()
        self.watch(self.app, "theme", lambda _: self._apply_theme(), init=False)
        self.live.changed.subscribe(self, self._live_changed)
        self._subscribe()
        self.set_interval(REPAINT_INTERVAL_S, self.flush)
        self.call_after_refresh(self._fit)

    def on_unmount(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        self.table.set_columns(fit_columns(self.table.scrollable_content_region.width or 80))

    def _apply_theme(self) -> None:
        variables = self.app.get_css_variables()

        def colour(name: str, fallback: str) -> str:
            return variables.get(name) or fallback

        up, down = colour("price-up", "green"), colour("price-down", "red")
        ink = colour("background", "black")
        self.table.styles_ = BoardStyles(
            up=Style(color=up),
            down=Style(color=down),
            flash_up=Style(color=ink, bgcolor=up, bold=True),
            flash_down=Style(color=ink, bgcolor=down, bold=True),
            bid=Style(color=colour("bid", "blue")),
            ask=Style(color=colour("ask", "red")),
            stale=Style(color=colour("error", "red"), bold=True),
            muted=Style(dim=True),
            error=Style(color=colour("error", "red")),
        )
        self._rows.clear()  # rebuild every row with the new styles
        self._order_dirty = True

    def _live_changed(self, what: str) -> None:
        if what == "symbol":
            self._follow_link()
        elif what == "env":
            self._shown.clear()
            self._pending.clear()
            self._rows.clear()
            self._order_dirty = True
        elif what == "accounts":
            self._load_fronts()

    def _subscribe(self) -> None:
        """Watch the active list's symbols (replacing the previous subscription)."""
        if self._unwatch is not None:
            self._unwatch()
        hub = self.live.quotes
        symbols = self.symbols
        self._unwatch = hub.watch(symbols, self._on_quote, on_error=self._on_error)
        for symbol in symbols:
            known = hub.latest(symbol)
            if known is not None and symbol not in self._shown:
                self._pending[symbol] = known
            error = hub.error(symbol)
            if error:
                self._errors[symbol] = error
        self._order_dirty = True
        self._load_fronts()

    def _on_quote(self, quote: Quote) -> None:
        self._pending[quote.symbol] = quote  # the newest wins: the timer shows it

    def _on_error(self, symbol: str, message: str) -> None:
        self._errors[symbol] = message
        self._rows.pop(symbol, None)
        self._order_dirty = True

    # ---- the timer: coalesced updates --------------------------------------------------
    def flush(self) -> None:
        """Fold what arrived since the last tick into rows; repaint if a visible row moved.
        A board on a hidden screen waits (its newest quotes wait with it)."""
        if not self.screen.is_current:
            return
        now = time.monotonic()
        changed: set[str] = set()
        if self._pending:
            pending, self._pending = self._pending, {}
            for symbol, quote in pending.items():
                previous = self._shown.get(symbol)
                self._shown[symbol] = quote
                self._errors.pop(symbol, None)
                changed.add(symbol)
                if previous is not None:
                    self._mark_flashes(symbol, previous, quote, now)
        for symbol, cells in list(self._flashes.items()):
            expired = [k for k, (_, until) in cells.items() if until <= now]
            for key in expired:
                del cells[key]
            if expired:
                changed.add(symbol)
            if not cells:
                del self._flashes[symbol]
        tick = int(time.time())
        if tick != self._last_age_tick:
            self._last_age_tick = tick
            changed.update(self._rows)  # ages move once a second
        if not changed and not self._order_dirty:
            return
        self.flush_count += 1
        self._rebuild(changed)

    def _mark_flashes(self, symbol: str, old: Quote, new: Quote, now: float) -> None:
        cells = self._flashes.get(symbol)
        for column, attr in _FIELDS.items():
            before, after = getattr(old, attr), getattr(new, attr)
            if before is None or after is None or before == after:
                continue
            if cells is None:
                cells = self._flashes.setdefault(symbol, {})
            cells[column] = (1 if after > before else -1, now + FLASH_S)

    def _rebuild(self, changed: Iterable[str]) -> None:
        hub = self.live.quotes
        stale_after = self.live.settings.stream.heartbeat_timeout_s
        health = self.live.stream_health.get("quotes")
        stream_live = health is not None and health.state == "live"
        wall = time.time()
        symbols = set(self.symbols)
        for symbol in set(changed) | {s for s in symbols if s not in self._rows}:
            if symbol not in symbols:
                self._rows.pop(symbol, None)
                continue
            quote = self._shown.get(symbol)
            seconds = hub.age(symbol, wall)
            age = None if seconds is None else int(max(seconds, 0))
            flashes = tuple((k, d) for k, (d, _) in self._flashes.get(symbol, {}).items())
            row = BoardRow(
                symbol,
                quote,
                age,
                stale=quote is not None and (not stream_live or (age or 0) > stale_after),
                flashes=flashes,
                error=self._errors.get(symbol),
            )
            if row != self._rows.get(symbol):
                self._rows[symbol] = row
                if self.sort_by is not None:
                    self._order_dirty = True
        self._order_dirty = False
        self._show_rows()

    def _show_rows(self) -> None:
        rows = [self._rows[s] for s in self.symbols if s in self._rows]
        if self.filter_text:
            needle = self.filter_text.upper()
            rows = [r for r in rows if needle in r.symbol]
        if self.sort_by is not None:
            key = self.sort_by
            present = [r for r in rows if r.value(key) is not None]
            missing = [r for r in rows if r.value(key) is None]
            present.sort(key=lambda r: r.value(key), reverse=self.descending)
            rows = present + missing
        elif self.descending:
            rows.reverse()
        first = not self.table.rows
        self.table.set_rows(rows)
        if first and rows:
            self._follow_link()  # opened: the cursor on the linked symbol when listed
        self._update_title()

    def _update_title(self) -> None:
        lists = self.watchlists
        name = lists.active if lists else ""
        count = len(lists.names) if lists else 0
        index = lists.names.index(name) + 1 if lists and name in lists.names else 0
        sort = "list order" if self.sort_by is None else _LABELS[self.sort_by]
        arrow = "▼" if self.descending else "▲"
        parts = [f"{name} ({index}/{count})", f"{len(self.symbols)} symbols", f"sort {sort}{arrow}"]
        if self.filter_text:
            parts.append(f"filter {self.filter_text!r}")
        title = "  ·  ".join(parts)
        if title == self._title_shown:
            return  # an update re-lays out the screen: the table would paint twice a flush
        self._title_shown = title
        # the filter is typed text: literal, never markup ("[/x]" would end the app)
        self.query_one("#board-title", Static).update(plain(title, limit=200))

    # ---- linking ----------------------------------------------------------------------
    @property
    def selected_symbol(self) -> str | None:
        return self.table.selected_key

    @on(VirtualTable.RowHighlighted, "#board-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        """A row the user moved to links its symbol; the row the table lands on when it
        fills (or loses the highlighted row) links nothing."""
        event.stop()
        table = self.table
        if event.key is not None and event.key == table.placed_key:
            table.placed_key = None
            return
        if event.key:
            self.live.link_symbol(event.key)

    @on(VirtualTable.RowSelected, "#board-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        if event.key:
            self.open_chart(event.key)

    def open_chart(self, symbol: str) -> None:
        """Enter: the linked chart shows the row's symbol."""
        self.live.link_symbol(symbol)
        from tstui.ui.views.chart.requests import ChartRequest, open_chart

        open_chart(self.app, ChartRequest(symbol=symbol))

    def _follow_link(self) -> None:
        symbol = self.live.current_symbol
        if symbol and symbol != self.table.selected_key and symbol in self.table._index:
            self.table.select_key(symbol)  # links the symbol that is linked already: no-op

    # ---- the ticket -------------------------------------------------------------------
    def ticket_prefill(self, intent: str) -> TicketFields | None:
        """The row's symbol (a continuous future: its current contract) and a limit price
        from the side's touch: buy at the ask, sell at the bid, else the last."""
        symbol = self.selected_symbol
        if symbol is None:
            return None
        quote = self._shown.get(symbol) or self.live.quotes.latest(symbol)
        price = None
        if quote is not None:
            price = quote.ask if intent == "buy" else quote.bid if intent == "sell" else None
            price = price if price is not None else quote.last
        return TicketFields(
            account=self.live.current_account or "",
            symbol=self.fronts.get(symbol, symbol),
            order_type="Limit" if price is not None else "Market",
            limit_price=f"{price}" if price is not None else "",
        )

    def trade_target(self) -> TradeTarget | None:
        """One-key trading (alt+b buys the row at its ask, alt+s sells at its bid, ...): the
        row's symbol (a continuous future: its current contract) and its latest quote."""
        symbol = self.selected_symbol
        if symbol is None:
            return None
        quote = self._shown.get(symbol) or self.live.quotes.latest(symbol)
        return TradeTarget(
            self.fronts.get(symbol, symbol),
            bid=quote.bid if quote is not None else None,
            ask=quote.ask if quote is not None else None,
            last=quote.last if quote is not None else None,
        )

    def _load_fronts(self) -> None:
        wanted = [s for s in self.symbols if futures.is_continuous(s) and s not in self.fronts]
        if wanted and self.live.connected:
            self.run_worker(
                self._fetch_fronts(wanted),
                group="board-fronts",
                exclusive=True,
                exit_on_error=False,
            )

    async def _fetch_fronts(self, symbols: list[str]) -> None:
        try:
            batch = await self.live.api.get_symbols(symbols)
        except asyncio.CancelledError:
            raise
        except Exception:  # the ticket then gets the continuous symbol and says why
            return
        for detail in batch.items:
            if detail.symbol and detail.underlying:
                self.fronts[detail.symbol.upper()] = detail.underlying

    # ---- editing the list -------------------------------------------------------------
    def _save(self, lists: Watchlists, what: str) -> None:
        """Show ``lists`` and write them to the config file (the rest of it untouched)."""
        self.watchlists = lists
        live = self.live
        path = live.settings.config_file or config_path()
        live.settings = replace(live.settings, watchlists=lists)
        self._rows = {s: r for s, r in self._rows.items() if s in lists.symbols()}
        self._subscribe()
        self._rebuild(())
        try:
            save_watchlists(lists, path)
        except Exception as exc:  # the board keeps the change; the file did not
            self.app.notify(f"{what}; not saved to {path}: {exc}", severity="error", timeout=8)
            return
        self.app.notify(safe_text(what, limit=120), timeout=2)

    def add_symbol(self, symbol: str) -> None:
        lists = self.watchlists
        if lists is None:
            return
        try:
            new = lists.add(symbol)
        except ValueError as exc:
            self.app.notify(str(exc), severity="warning", timeout=4)
            return
        if new is lists:
            self.app.notify(f"{safe_text(symbol, limit=40)} is already on {lists.active}")
        else:
            self._save(new, f"Added {symbol} to {lists.active}")
        self.table.select_key(symbol.strip().upper())

    def remove_symbol(self, symbol: str) -> None:
        lists = self.watchlists
        if lists is None or symbol not in lists.symbols():
            return
        self._save(lists.remove(symbol), f"Removed {symbol} from {lists.active}")

    def move_symbol(self, symbol: str, delta: int) -> None:
        lists = self.watchlists
        if lists is None:
            return
        if self.sort_by is not None or self.descending:
            self.app.notify("Reorder works in list order: press < until the sort says so.")
            return
        new = lists.move(symbol, delta)
        if new != lists:
            self._save(new, f"Moved {symbol}")
            self.table.select_key(symbol)

    def switch_list(self, name: str) -> None:
        lists = self.watchlists
        if lists is None or name == lists.active:
            return
        try:
            new = lists.with_active(name)
        except ValueError as exc:
            self.app.notify(str(exc), severity="warning", timeout=4)
            return
        self._save(new, f"Watchlist {name}")

    # ---- actions ----------------------------------------------------------------------
    def action_filter(self) -> None:
        self.add_class("-filtering")
        field = self.query_one("#board-filter", Input)
        field.value = self.filter_text
        field.focus()

    def action_clear_filter(self) -> None:
        if self.has_class("-adding"):
            self._close_search()
        elif self.has_class("-naming"):
            self.remove_class("-naming")
            self.table.focus()
        elif self.filter_text or self.has_class("-filtering"):
            self.filter_text = ""
            self.remove_class("-filtering")
            self._show_rows()
            self.table.focus()

    @on(Input.Changed, "#board-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self._show_rows()

    @on(Input.Submitted, "#board-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filter_text:
            self.remove_class("-filtering")
        self.table.focus()

    def action_new_list(self) -> None:
        self.add_class("-naming")
        field = self.query_one("#board-name", Input)
        field.value = ""
        field.focus()

    @on(Input.Submitted, "#board-name")
    def _name_done(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        self.remove_class("-naming")
        self.table.focus()
        if name:
            self.switch_list(name)

    def action_add(self) -> None:
        self.add_class("-adding")
        self.search.reset()
        self.search.focus_input()

    @on(SymbolSearch.Submitted)
    def _search_done(self, event: SymbolSearch.Submitted) -> None:
        event.stop()
        self._close_search()
        self.add_symbol(event.symbol)

    @on(SymbolSearch.Cancelled)
    def _search_cancelled(self, event: SymbolSearch.Cancelled) -> None:
        event.stop()
        self._close_search()

    def _close_search(self) -> None:
        self.remove_class("-adding")
        self.table.focus()

    def action_remove(self) -> None:
        symbol = self.selected_symbol
        if symbol is None:
            self.app.notify("Select a symbol first.", severity="warning", timeout=3)
            return
        self.remove_symbol(symbol)

    def action_move(self, delta: int) -> None:
        symbol = self.selected_symbol
        if symbol is not None:
            self.move_symbol(symbol, delta)

    def action_sort(self, step: int) -> None:
        index = SORTS.index(self.sort_by) if self.sort_by in SORTS else 0
        self.set_sort(SORTS[(index + step) % len(SORTS)], self.descending)

    def action_reverse(self) -> None:
        self.set_sort(self.sort_by, not self.descending)

    def set_sort(self, column: str | None, descending: bool = False) -> None:
        self.sort_by, self.descending = column, descending
        self._show_rows()

    def action_list(self, step: int) -> None:
        lists = self.watchlists
        if lists is None or len(lists.names) < 2:
            self.app.notify("One watchlist: add one from the palette (board: new list).")
            return
        names = lists.names
        self.switch_list(names[(names.index(lists.active) + step) % len(names)])

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield PaletteCommand("board", "add symbol …", self.action_add)
        yield PaletteCommand("board", "remove selected symbol", self.action_remove)
        yield PaletteCommand("board", "move selected up", lambda: self.action_move(-1))
        yield PaletteCommand("board", "move selected down", lambda: self.action_move(1))
        yield PaletteCommand("board", "filter …", self.action_filter)
        yield PaletteCommand("board", "sort: list order", lambda: self.set_sort(None))
        for column in COLUMNS:
            yield PaletteCommand(
                "board", f"sort by {column.label}", partial(self.set_sort, column.key)
            )
        yield PaletteCommand("board", "reverse sort", self.action_reverse)
        lists = self.watchlists
        for name in lists.names if lists else []:
            yield PaletteCommand("board", f"show list {name}", partial(self.switch_list, name))
        yield PaletteCommand("board", "new list …", self.action_new_list)
        if lists is not None and len(lists.names) > 1:
            yield PaletteCommand(
                "board", f"delete list {lists.active}", lambda: self._delete_active()
            )

    def _delete_active(self) -> None:
        lists = self.watchlists
        if lists is not None and len(lists.names) > 1:
            self._save(lists.without(lists.active), f"Deleted list {lists.active}")
