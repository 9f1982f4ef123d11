"""The live order blotter: a virtualised table over an `OrderBook`.

The stream worker applies frames to the book; a timer calls `refresh_from_book()` a few times
per second while the book changes, and once more as soon as it goes quiet; each flush
recomputes the (lazy, cached) view once and repaints only if a visible row, the row count or
the cursor changed. Status colours come from component classes bound to
theme variables every built-in theme defines.

Linked orders form a tree (see `tstui.domain.orders.book_view`): the symbol cell carries the
tree drawing and the "Link" column the order's role (OSP parent, OSO child, BRK bracket
sibling, OCO one-cancels-other). A partly filled order's Fill/Qty cell stands out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import ClassVar

from rich.style import Style

from tstui.domain.enums import status_description
from tstui.domain.models import Order
from tstui.domain.orders.book import OrderBook, PendingOrder, row_key
from tstui.domain.orders.book_view import FLAT
from tstui.ui.shell.columns import fit_columns, show_columns
from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable

__all__ = ["BLOTTER_COLUMNS", "BLOTTER_PRIORITY", "Blotter", "BlotterRow"]


BlotterRow = Order | PendingOrder

BLOTTER_COLUMNS: tuple[Column, ...] = (
    # What a trader scans first comes first, so status is on screen even at 80 columns.
    Column("time", "Time", 11),
    Column("symbol", "Symbol", 10),
    Column("side", "Side", 5),
    Column("qty", "Fill/Qty", 9, "right"),
    Column("type", "Type", 10),
    Column("price", "Lmt/Stop", 10, "right"),
    Column("status", "Status", 15),
    Column("link", "Link", 7),
    Column("avg", "Avg fill", 9, "right"),
    Column("tif", "TIF", 4),
    Column("route", "Route", 11),
    Column("account", "Account", 12),
    Column("id", "Order ID", 12),
)
# Which columns stay as the width shrinks (the table keeps its own order): the symbol always,
# then what a trader needs to act on a row; the ids and route go first.
BLOTTER_PRIORITY = (
    "symbol",
    "status",
    "side",
    "qty",
    "price",
    "account",
    "type",
    "time",
    "link",
    "avg",
    "tif",
    "route",
    "id",
)
QUIET_TICK_S = 0.05  # how often the flush timer looks at the book (a version check)
_CELL_INDEX = {c.key: i for i, c in enumerate(BLOTTER_COLUMNS)}
_GROUPS = ("working", "filled", "cancelled", "rejected", "pending", "other")
_EXTRA_CLASSES = ("partial", "link")
# Short forms so the status column fits at 80 columns (the detail panel spells them out).
_SIDES = {"SellShort": "Short", "BuyToCover": "Cover", "BUYTOCOVER": "Cover", "SELLSHORT": "Short"}


def _num(value: Decimal | None) -> str:
    """Prices as the API sent them ("5777.50", not "5777.5"); whole quantities stay whole."""
    return "" if value is None else format(value, "f")


def _time(value: datetime | None, tz: tzinfo | None) -> str:
    """Today's orders by time of day; older ones (GTC) by date and minute."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if local.date() == datetime.now(tz).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M")


class Blotter(VirtualTable[BlotterRow]):
    """Orders, newest first; `refresh_from_book()` flushes the book's changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        f"blotter--{name}" for name in (*_GROUPS, *_EXTRA_CLASSES)
    }
    DEFAULT_CSS = """
    Blotter > .blotter--working { color: $text-primary; }
    Blotter > .blotter--filled { color: $text-success; }
    Blotter > .blotter--cancelled { color: $text-muted; }
    Blotter > .blotter--rejected { color: $text-error; text-style: bold; }
    Blotter > .blotter--pending { color: $text-warning; text-style: italic; }
    Blotter > .blotter--other { color: $foreground; }
    Blotter > .blotter--partial { color: $text-warning; text-style: bold; }
    Blotter > .blotter--link { color: $text-accent; }
    """

    class RowHighlighted(VirtualTable.RowHighlighted):
        """The highlighted row changed; `order_id` is None for a pending placeholder."""

        @property
        def order_id(self) -> str | None:
            key = self.key
            return None if key is None or key.startswith("pending:") else key

    class RowSelected(RowHighlighted):
        """Enter on a row (e.g. open the detail panel or the order ticket)."""

    class SelectedOrderUpdated(VirtualTable.RowHighlighted):
        """The highlighted order itself changed (status, fills): refresh a detail panel."""

    class UserHighlighted(VirtualTable.RowHighlighted):
        """The user moved the cursor to another row (keys, click, select_key): link it."""

    def __init__(
        self,
        book: OrderBook | None = None,
        *,
        flush_interval: float = 0.25,
        tz: tzinfo | None = None,
        columns: Sequence[Column] = BLOTTER_COLUMNS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(columns, name=name, id=id, classes=classes)
        self.all_columns = self.columns
        self._cell_picks = tuple(_CELL_INDEX[c.key] for c in self.columns)
        self._fitted_width = -1
        self._book = book
        self.flush_interval = flush_interval
        self.tz = tz
        self.flush_count = 0  # refresh_from_book calls that found something new
        self.flushed_version = -1  # the book version last shown
        self._tree_generation = -1  # the book's tree drawing the row cache was painted with
        self.cancel_sent: frozenset[str] = frozenset()  # accepted cancels the stream lags
        self._flushed_at = 0.0  # perf_counter() of the last flush that found something new
        self._seen_version = -1  # the book version the flush tick saw last

    def on_mount(self) -> None:
        if self.flush_interval > 0:
            self.set_interval(min(self.flush_interval, QUIET_TICK_S), self._flush_tick)

    def _flush_tick(self) -> None:
        """Flush at most once per ``flush_interval`` while the book keeps changing, and as
        soon as it has gone quiet for a tick: the last frame of a burst is shown within a
        tick or two, not up to a whole interval later (still a few repaints a second)."""
        book = self._book
        if book is None:
            return
        version, seen = book.version, self._seen_version
        self._seen_version = version
        if version == self.flushed_version:
            return
        quiet = version == seen
        if quiet or time.perf_counter() - self._flushed_at >= self.flush_interval:
            self.refresh_from_book()

    def on_resize(self) -> None:
        self.fit_to_width()

    def fit_to_width(self) -> None:
        """Show the columns that matter most that fit (never a sideways scroll)."""
        # room for the vertical scrollbar even before it shows: no refit when rows grow
        width = self.size.width - self.styles.scrollbar_size_vertical
        if width <= 0 or width == self._fitted_width:
            return
        self._fitted_width = width
        picked = fit_columns(self.all_columns, BLOTTER_PRIORITY, width)
        columns = tuple(self.all_columns[i] for i in picked)
        if columns != self.columns:
            self._cell_picks = tuple(_CELL_INDEX[c.key] for c in columns)
            show_columns(self, columns)
            self.scroll_to(x=0, animate=False)

    # ---- data ------------------------------------------------------------------------
    @property
    def book(self) -> OrderBook | None:
        return self._book

    @book.setter
    def book(self, book: OrderBook | None) -> None:
        """Attach another book (e.g. after an environment switch); shown at the next flush."""
        self._book = book
        self.flushed_version = -1
        self._tree_generation = -1
        if book is None:
            self.set_rows(())

    def refresh_from_book(self) -> bool:
        """Flush the book into the table; returns True if a repaint was requested.

        Cheap when nothing changed (one version check). Does not drain the book's dirty set,
        which belongs to whoever schedules flushes for the other screens.
        """
        book = self._book
        if book is None or book.version == self.flushed_version:
            return False
        self.flushed_version = book.version
        self._flushed_at = time.perf_counter()
        self.flush_count += 1
        key, row = self.selected_key, self.selected_row
        rows = book.view()
        if book.tree_generation != self._tree_generation:
            # a row's tree drawing can change while the row object does not (a sibling came)
            self._tree_generation = book.tree_generation
            self._cache.clear()
            self.refresh()
        repainted = self.set_rows(rows)
        if key is not None and key == self.selected_key and self.selected_row is not row:
            self.post_message(self.SelectedOrderUpdated(self, key, self.cursor_row))
        return repainted

    def _move_cursor(self, index: int, *, force: bool = False) -> None:
        # force=True is the table keeping its cursor after the rows changed: not a choice
        before = self.selected_key
        super()._move_cursor(index, force=force)
        if not force and self.selected_key is not None and self.selected_key != before:
            self.post_message(self.UserHighlighted(self, self.selected_key, self.cursor_row))

    def mark_cancel_sent(self, ids: frozenset[str]) -> None:
        """Orders whose cancel the broker accepted: "Cancel sent" until the stream's status."""
        if ids == self.cancel_sent:
            return
        for oid in ids ^ self.cancel_sent:
            self._cache.pop(oid, None)
        self.cancel_sent = ids
        self.refresh()

    def index_of(self, key: str) -> int | None:
        if self._book is not None and self._rows is self._book.view():
            return self._book.index_of(key)
        return super().index_of(key)

    @property
    def selected_order_id(self) -> str | None:
        key = self.selected_key
        return None if key is None or key.startswith("pending:") else key

    @property
    def selected_row(self) -> BlotterRow | None:
        if not self._rows or self.selected_key is None:
            return None
        return self._rows[self.cursor_row]

    # ---- formatting ------------------------------------------------------------------
    def row_key(self, row: BlotterRow) -> str:
        return row_key(row)

    def style_signature(self) -> tuple[Style, ...]:
        get = self.get_component_rich_style
        names = (*_GROUPS, *_EXTRA_CLASSES)
        return (self.rich_style, *(get(f"blotter--{n}", partial=True) for n in names))

    def _group_style(self, group: str) -> Style:
        name = f"blotter--{group if group in _GROUPS else 'other'}"
        return self.get_component_rich_style(name, partial=True)

    def row_cells(self, row: BlotterRow) -> Sequence[Cell]:
        cells = self._pending_cells(row) if isinstance(row, PendingOrder) else self._cells(row)
        return [cells[i] for i in self._cell_picks]

    def _cells(self, row: Order) -> Sequence[Cell]:
        """Every column's cell, in BLOTTER_COLUMNS order."""
        status_style = self._group_style(row.status_group)
        status = row.status_description or status_description(row.status)
        if row.is_working and row.order_id in self.cancel_sent:
            status, status_style = "Cancel sent", self._group_style("pending")
        prices = "/".join(_num(p) for p in (row.limit_price, row.stop_price) if p is not None)
        filled = row.filled_quantity
        avg = row.filled_price if filled > 0 else None
        partial = filled > 0 and filled < row.quantity
        slot = self._book.tree_slot(row.order_id) if self._book is not None else FLAT
        get = self.get_component_rich_style
        return (
            (_time(row.opened_date_time, self.tz), None),
            (slot.prefix + row.symbol, None),
            (_SIDES.get(row.side, row.side), None),
            (
                f"{_num(filled)}/{_num(row.quantity)}",
                get("blotter--partial", partial=True) if partial else None,
            ),
            (row.order_type or "", None),
            (prices, None),
            (status, status_style),
            (slot.relation, get("blotter--link", partial=True) if slot.relation else None),
            (_num(avg), None),
            (row.duration or "", None),
            (row.routing or "", None),
            (row.account_id or "", None),
            (row.order_id, None),
        )

    def _pending_cells(self, row: PendingOrder) -> Sequence[Cell]:
        style = self._group_style("pending")
        prices = "/".join(_num(p) for p in (row.limit_price, row.stop_price) if p is not None)
        return (
            (_time(row.placed_at, self.tz), style),
            (row.symbol, style),
            (_SIDES.get(row.action, row.action), style),
            (f"?/{_num(row.quantity)}", style),
            (row.order_type, style),
            (prices, style),
            ("Unknown: checking", style),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            (row.account_id, style),
            ("?" + row.confirm_id, style),
        )
