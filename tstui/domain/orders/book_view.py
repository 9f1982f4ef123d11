"""The blotter's rows and its filtered, sorted view over an order book.

Pure (stdlib only). Rows are real orders and `PendingOrder` placeholders for placements whose
outcome is unknown. `OrderView` owns the filter and a lazily computed view (newest first) that
is rebuilt only when membership or order changes; in-place updates are patched.
`tstui.domain.orders.book` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from tstui.domain.enums import status_description
from tstui.domain.models import Order

__all__ = [
    "GROUPS",
    "PENDING_PREFIX",
    "BlotterFilter",
    "GroupFilter",
    "OrderView",
    "PendingOrder",
    "row_key",
]

GroupFilter = Literal["all", "working", "filled", "cancelled", "rejected", "pending"]
GROUPS: tuple[GroupFilter, ...] = ("all", "working", "filled", "cancelled", "rejected", "pending")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PENDING_PREFIX = "pending:"


@dataclass(frozen=True, slots=True)
class PendingOrder:
    """Placeholder row for a placement whose outcome is unknown (timeout, reset)."""

    confirm_id: str
    account_id: str
    symbol: str
    quantity: Decimal
    action: str
    placed_at: datetime
    order_type: str = ""
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None

    @property
    def row_key(self) -> str:
        return PENDING_PREFIX + self.confirm_id

    @property
    def status_group(self) -> str:
        return "pending"


@dataclass(frozen=True, slots=True)
class BlotterFilter:
    """Which rows the view shows. Empty strings/None mean "any"."""

    group: GroupFilter = "all"
    symbol: str | None = None
    account: str | None = None
    search: str = ""


def row_key(entry: Order | PendingOrder) -> str:
    """Stable row key: the order id, or ``pending:<confirm id>`` for a placeholder."""
    if isinstance(entry, PendingOrder):
        return entry.row_key
    return entry.order_id


def _sort_key(entry: Order | PendingOrder) -> tuple[datetime, int, str]:
    """Opened time, then id (numeric ids by value: shorter sorts first)."""
    if isinstance(entry, PendingOrder):
        return (entry.placed_at, 0, entry.row_key)
    return (entry.opened_date_time or _EPOCH, len(entry.order_id), entry.order_id)


def _haystack(entry: Order | PendingOrder) -> str:
    parts: list[str | None]
    if isinstance(entry, PendingOrder):
        parts = [entry.confirm_id, entry.account_id, entry.symbol, entry.action, "pending"]
    else:
        parts = [
            entry.order_id,
            entry.account_id,
            entry.symbol,
            entry.side,
            entry.status,
            entry.status_description or status_description(entry.status),
            entry.order_type,
        ]
    return " ".join(p for p in parts if p).casefold()


@dataclass(slots=True)
class _ViewCache:
    rows: list[Order | PendingOrder] = field(default_factory=list)
    pos: dict[str, int] = field(default_factory=dict)
    valid: bool = False
    patches: set[str] = field(default_factory=set)


class OrderView:
    """The filter and the lazy sorted view over live mappings of orders and placeholders
    (the book mutates them in place and tells the view what changed)."""

    def __init__(self, orders: Mapping[str, Order], pending: Mapping[str, PendingOrder]) -> None:
        self._orders = orders
        self._pending = pending
        self.filter = BlotterFilter()
        self._search_cache: dict[str, str] = {}
        self._cache = _ViewCache()

    def set_filter(self, flt: BlotterFilter) -> bool:
        """Use ``flt``; returns whether it differs from the current filter."""
        if flt == self.filter:
            return False
        self.filter = flt
        self.invalidate()
        return True

    def forget(self, key: str | None = None) -> None:
        """Drop the cached search text of one row (or of all rows)."""
        if key is None:
            self._search_cache.clear()
        else:
            self._search_cache.pop(key, None)

    def matches(self, entry: Order | PendingOrder) -> bool:
        flt = self.filter
        group = entry.status_group
        if flt.group not in ("all", group) and (flt.group, group) != ("working", "pending"):
            return False
        if flt.symbol and entry.symbol.upper() != flt.symbol.upper():
            return False
        if flt.account and entry.account_id != flt.account:
            return False
        if flt.search:
            key = row_key(entry)
            hay = self._search_cache.get(key)
            if hay is None:
                hay = self._search_cache[key] = _haystack(entry)
            if flt.search.casefold() not in hay:
                return False
        return True

    def rows(self) -> Sequence[Order | PendingOrder]:
        """Filtered rows, newest first (opened time, then id). Read only."""
        cache = self._cache
        if not cache.valid:
            rows: list[Order | PendingOrder] = [o for o in self._orders.values() if self.matches(o)]
            rows.extend(p for p in self._pending.values() if self.matches(p))
            rows.sort(key=_sort_key, reverse=True)
            cache.rows = rows
            cache.pos = {row_key(r): i for i, r in enumerate(rows)}
            cache.valid = True
            cache.patches.clear()
        elif cache.patches:
            for oid in cache.patches:
                cache.rows[cache.pos[oid]] = self._orders[oid]
            cache.patches.clear()
        return cache.rows

    def index_of(self, key: str) -> int | None:
        """Row index of `key` in the current view (computing the view if needed)."""
        self.rows()
        return self._cache.pos.get(key)

    def invalidate(self) -> None:
        self._cache.valid = False

    def note_update(self, previous: Order, order: Order) -> None:
        """An order changed in place: patch its row, or rebuild if it moved in or out."""
        cache = self._cache
        if not cache.valid:
            return
        was = previous.order_id in cache.pos
        now = self.matches(order)
        if was != now or (now and _sort_key(previous) != _sort_key(order)):
            cache.valid = False
        elif now:
            cache.patches.add(order.order_id)
