"""In-memory order book for the blotter: snapshots, deltas, fills, reconciliation, views.

Pure (stdlib only). Every stream frame carries a whole order, keyed by its id, so applying
a frame replaces the stored order; replays are detected by equality and ignored. Fills are
derived from the increase of the filled quantity per order id (the high-water mark never
goes down), so a replayed snapshot or a replace racing a fill cannot invent or lose a fill.

Updates are O(1) (O(log n) once the view's sorted index exists); the filtered, sorted view
(`tstui.domain.orders.book_view`, whose rows, filter and placeholder types are re-exported
here) is computed lazily, at most once per flush, by one pass over that index.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from tstui.domain.orders.book_view import (
    GROUPS,
    BlotterFilter,
    GroupFilter,
    OrderView,
    PendingOrder,
    TreeSlot,
    relation_codes,
    row_key,
)
from tstui.domain.orders.execution import Order

__all__ = [
    "GROUPS",
    "BlotterFilter",
    "Fill",
    "GroupFilter",
    "OrderBook",
    "OrderChange",
    "PendingOrder",
    "TreeSlot",
    "relation_codes",
    "row_key",
]

ChangeKind = Literal["new", "updated", "removed"]
Source = Literal["stream", "rest"]

_ZERO = Decimal(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fill:
    """A fill derived from an increase of an order's filled quantity."""

    order_id: str
    symbol: str
    qty: Decimal
    price: Decimal | None
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderChange:
    """What one `apply` did to the book."""

    order_id: str
    kind: ChangeKind
    order: Order | None
    previous: Order | None
    fills: tuple[Fill, ...] = ()
    source: Source = "stream"
    pending_confirm_id: str | None = None


def _norm_action(action: str) -> str:
    return "".join(ch for ch in action.upper() if ch.isalnum())


def _marginal_price(
    prev_qty: Decimal, prev_avg: Decimal | None, new_qty: Decimal, new_avg: Decimal | None
) -> Decimal | None:
    """Price of the newly filled quantity, from the average fill price before and after."""
    if new_avg is None:
        return None
    if prev_qty <= _ZERO or prev_avg is None:
        return new_avg
    try:
        price = (new_avg * new_qty - prev_avg * prev_qty) / (new_qty - prev_qty)
        exponent = min(int(new_avg.as_tuple().exponent), int(prev_avg.as_tuple().exponent))
        price = price.quantize(Decimal(1).scaleb(exponent))
    except (InvalidOperation, ZeroDivisionError):
        return new_avg
    return price if price > _ZERO else new_avg


@dataclass(slots=True)
class _Tracked:
    filled: Decimal = _ZERO  # high-water mark of the filled quantity
    avg: Decimal | None = None  # average fill price at that mark


class OrderBook:
    """Orders by id with fill derivation, dirty tracking, filters and a lazy sorted view."""

    def __init__(
        self,
        *,
        pending_window_s: float = 120.0,
        max_new_fills: int = 10_000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._orders: dict[str, Order] = {}
        self._tracked: dict[str, _Tracked] = {}
        self._pending: dict[str, PendingOrder] = {}
        self._resolved: dict[str, str] = {}
        self._dirty: set[str] = set()
        self._fills: dict[str, list[Fill]] = {}
        self._new_fills: deque[Fill] = deque(maxlen=max_new_fills)
        self._view = OrderView(self._orders, self._pending)
        self._pending_window_s = pending_window_s
        self._clock = clock or (lambda: datetime.now(UTC))
        self.version = 0  # bumps on every change; cheap "anything new?" check

    # ---- reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def orders(self) -> list[Order]:
        return list(self._orders.values())

    @property
    def pending(self) -> dict[str, PendingOrder]:
        return dict(self._pending)

    @property
    def pending_count(self) -> int:
        """How many placeholder rows there are (``len(pending)`` without the copy)."""
        return len(self._pending)

    @property
    def resolved(self) -> dict[str, str]:
        """Confirm id -> order id for placeholders that have been resolved."""
        return dict(self._resolved)

    @property
    def dirty(self) -> set[str]:
        """The live set of changed row keys (callers may add to it); drain with take_dirty."""
        return self._dirty

    def take_dirty(self) -> set[str]:
        dirty, self._dirty = self._dirty, set()
        return dirty

    @property
    def fills(self) -> list[Fill]:
        """Every derived fill of the orders in the book, oldest first per order."""
        return [f for fills in self._fills.values() for f in fills]

    def fills_for(self, order_id: str) -> list[Fill]:
        return list(self._fills.get(order_id, ()))

    def take_fills(self) -> list[Fill]:
        """Fills derived since the last call (for notifications; bounded if never drained)."""
        fills = list(self._new_fills)
        self._new_fills.clear()
        return fills

    # ---- applying frames -----------------------------------------------------------
    def apply(self, order: Order, source: Source = "stream") -> OrderChange | None:
        """Apply one whole order (snapshot or delta). Returns None when nothing changed."""
        oid = order.order_id
        previous = self._orders.get(oid)
        if previous is not None and previous == order:
            return None
        fills = self._derive_fills(order)
        self._orders[oid] = order
        self._view.forget(oid)
        self._dirty.add(oid)
        self.version += 1
        confirm_id: str | None = None
        if previous is None:
            self._view.added(order)
            confirm_id = self._match_pending(order)
            return OrderChange(oid, "new", order, None, fills, source, confirm_id)
        self._view.note_update(previous, order)
        return OrderChange(oid, "updated", order, previous, fills, source)

    def apply_many(self, orders: Iterable[Order], source: Source = "stream") -> int:
        """Apply many orders; returns how many changed the book."""
        count = 0
        for order in orders:
            if self.apply(order, source) is not None:
                count += 1
        return count

    def reconcile(
        self, orders_from_rest: Iterable[Order], *, remove_missing: bool = False
    ) -> list[OrderChange]:
        """Make the book agree with REST (REST wins); report what the stream had missed.

        With ``remove_missing`` orders absent from the REST answer are dropped from the book.
        """
        changes: list[OrderChange] = []
        seen: set[str] = set()
        for order in orders_from_rest:
            seen.add(order.order_id)
            change = self.apply(order, "rest")
            if change is not None:
                changes.append(change)
        if remove_missing:
            for oid in [oid for oid in self._orders if oid not in seen]:
                changes.append(self._remove(oid))
        return changes

    def remove(self, order_id: str) -> OrderChange | None:
        return self._remove(order_id) if order_id in self._orders else None

    def clear(self) -> None:
        self._dirty.update(self._orders)
        self._dirty.update(p.row_key for p in self._pending.values())
        self._orders.clear()
        self._tracked.clear()
        self._fills.clear()
        self._pending.clear()
        self._view.forget()
        self.version += 1
        self._view.reset()

    def _remove(self, oid: str) -> OrderChange:
        previous = self._orders.pop(oid)
        self._tracked.pop(oid, None)
        self._fills.pop(oid, None)
        self._view.forget(oid)
        self._dirty.add(oid)
        self.version += 1
        self._view.removed(previous)
        return OrderChange(oid, "removed", None, previous, (), "rest")

    def _derive_fills(self, order: Order) -> tuple[Fill, ...]:
        filled = order.filled_quantity
        tracked = self._tracked.get(order.order_id)
        if tracked is None:
            if filled <= _ZERO:
                return ()
            tracked = self._tracked[order.order_id] = _Tracked()
        elif filled <= tracked.filled:
            return ()  # replay, stale frame or a replace that raced a fill
        price = _marginal_price(tracked.filled, tracked.avg, filled, order.filled_price)
        at = order.closed_date_time if order.status_group == "filled" else None
        fill = Fill(
            order.order_id, order.symbol, filled - tracked.filled, price, at or self._clock()
        )
        tracked.filled = filled
        tracked.avg = order.filled_price
        self._fills.setdefault(order.order_id, []).append(fill)
        self._new_fills.append(fill)
        return (fill,)

    # ---- unknown placements ---------------------------------------------------------
    def add_pending(self, confirm_id: str, summary: PendingOrder) -> None:
        """Show a placeholder row until the real order is known."""
        if summary.confirm_id != confirm_id:
            raise ValueError("confirm_id does not match the summary")
        replaced = self._pending.get(confirm_id)
        if replaced is not None:
            self._view.removed(replaced)
        self._pending[confirm_id] = summary
        self._dirty.add(summary.row_key)
        self.version += 1
        self._view.added(summary)

    def resolve_pending(self, confirm_id: str, order_id: str | None) -> bool:
        """Drop the placeholder; `order_id` None means the placement did not happen."""
        pending = self._pending.pop(confirm_id, None)
        if pending is None:
            return False
        if order_id is not None:
            self._resolved[confirm_id] = order_id
        self._dirty.add(pending.row_key)
        self.version += 1
        self._view.removed(pending)
        return True

    def _match_pending(self, order: Order) -> str | None:
        if not self._pending:
            return None
        opened = order.opened_date_time or self._clock()
        action = _norm_action(order.side)
        candidates = [
            p
            for p in self._pending.values()
            if p.account_id == order.account_id
            and p.symbol.upper() == order.symbol.upper()
            and p.quantity == order.quantity
            and _norm_action(p.action) == action
            and abs((opened - p.placed_at).total_seconds()) <= self._pending_window_s
        ]
        if not candidates:
            return None
        best = min(candidates, key=lambda p: p.placed_at)
        self.resolve_pending(best.confirm_id, order.order_id)
        return best.confirm_id

    # ---- filters and the view ---------------------------------------------------------
    @property
    def filter(self) -> BlotterFilter:
        return self._view.filter

    def set_filter(self, flt: BlotterFilter) -> None:
        if self._view.set_filter(flt):
            self.version += 1

    def matches(self, entry: Order | PendingOrder) -> bool:
        return self._view.matches(entry)

    def view(self) -> Sequence[Order | PendingOrder]:
        """Filtered rows, newest first (opened time, then id). Owned by the book: read only.

        Recomputed only when membership or order changed; in-place updates are patched.
        """
        return self._view.rows()

    def index_of(self, key: str) -> int | None:
        """Row index of `key` in the current view (computing the view if needed)."""
        return self._view.index_of(key)

    def tree_slot(self, key: str) -> TreeSlot:
        """The row's place in the view's tree of linked orders (depth, drawing, relation)."""
        return self._view.slot(key)

    @property
    def tree_generation(self) -> int:
        """Bumps whenever the view's tree drawing may have changed."""
        return self._view.tree_generation

    def linked_children(self, order_id: str) -> list[Order]:
        """The OSO children of ``order_id`` in the book, and theirs (a cascade), oldest first.

        A link counts from either side (``OSO`` on the parent, ``OSP`` on the child). One
        pass over the linked orders per call: used on a cancel, not per frame.
        """
        children: dict[str, set[str]] = {}
        for order in self._orders.values():
            for link in order.conditional_orders:
                other, code = link.order_id, (link.relationship or "").upper()
                if not other or other == order.order_id:
                    continue
                if code == "OSO":
                    children.setdefault(order.order_id, set()).add(other)
                elif code == "OSP":
                    children.setdefault(other, set()).add(order.order_id)
        found: dict[str, Order] = {}
        stack = [order_id]
        while stack:
            for kid in children.get(stack.pop(), ()):
                child = self._orders.get(kid)
                if kid != order_id and kid not in found and child is not None:
                    found[kid] = child
                    stack.append(kid)
        return sorted(
            found.values(),
            key=lambda o: (o.opened_date_time or _EPOCH, len(o.order_id), o.order_id),
        )
