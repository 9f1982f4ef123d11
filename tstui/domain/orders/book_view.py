"""The blotter's rows and its filtered, sorted view over an order book.

Pure (stdlib only). Rows are real orders and `PendingOrder` placeholders for placements whose
outcome is unknown. `OrderView` owns the filter and a lazily computed view (newest first) that
is rebuilt only when membership or order changes; in-place updates are patched.
`tstui.domain.orders.book` re-exports the public names.

Linked orders (``ConditionalOrders``) are shown as a tree: an OSO child under its parent
(``OSP`` on the child, or ``OSO`` on the parent, names the link), and the members of an OCO or
bracket group without a parent under the group's newest member. Roots keep the newest-first
order, children follow their parent oldest first. The tree costs one pass over the linked rows
of a rebuild; a view with no linked rows is built exactly as a flat one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Literal

from tstui.domain.enums import status_description, status_group
from tstui.domain.orders.execution import Order

__all__ = [
    "FLAT",
    "GROUPS",
    "PENDING_PREFIX",
    "BlotterFilter",
    "GroupFilter",
    "OrderView",
    "PendingOrder",
    "TreeSlot",
    "relation_codes",
    "row_key",
]

GroupFilter = Literal["all", "working", "filled", "cancelled", "rejected", "pending"]
GROUPS: tuple[GroupFilter, ...] = ("all", "working", "filled", "cancelled", "rejected", "pending")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PENDING_PREFIX = "pending:"
# A child's OSP names its parent; a parent's OSO names a child; BRK / OCO name siblings.
_SIBLING_CODES = ("BRK", "OCO")
_ROLE_ORDER = ("OSP", "OSO", *_SIBLING_CODES)
_MAX_PREFIX = 8  # cells of tree drawing at most (a hostile chain of links stays one line)


@dataclass(frozen=True, slots=True)
class TreeSlot:
    """Where a row sits in the blotter's tree: ``prefix`` is its drawing ("├ ", "│ └ "),
    ``relation`` its role in the group (``OSP`` parent, ``OSO`` child, ``BRK``, ``OCO``)."""

    depth: int = 0
    prefix: str = ""
    relation: str = ""
    parent: str | None = None


FLAT = TreeSlot()


def relation_codes(order: Order) -> tuple[str, ...]:
    """The order's own roles from its ``ConditionalOrders`` (each entry names the *other*
    order's relationship: an OSO entry makes this order the parent, OSP a child)."""
    codes = {(c.relationship or "").upper() for c in order.conditional_orders}
    roles = []
    if "OSO" in codes:
        roles.append("OSP")
    if "OSP" in codes:
        roles.append("OSO")
    roles.extend(code for code in _SIBLING_CODES if code in codes)
    return tuple(roles)


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


_SortKey = tuple[datetime, int, str]
# New rows merged into the sorted index one by one up to this many at a time; more (a
# snapshot, a burst of new orders) are sorted and merged in one pass (bisect inserts would
# each move the whole list).
_MERGE_LIMIT = 64


@dataclass(slots=True)
class _ViewCache:
    rows: list[Order | PendingOrder] = field(default_factory=list)
    pos: dict[str, int] | None = None  # row key -> index, built when first asked
    valid: bool = False
    flat_all: bool = False  # rows are the whole index, newest first (found by bisection)
    patches: set[str] = field(default_factory=set)
    slots: dict[str, TreeSlot] = field(default_factory=dict)


class OrderView:
    """The filter and the lazy sorted view over live mappings of orders and placeholders
    (the book mutates them in place and tells the view what changed).

    Every row is kept in a sorted index (``_keys`` / ``_entries``, oldest first), kept up to
    date as rows come, go and change: a filter key or a new order costs one pass over the
    index (no sort), and finding a row of the unfiltered view is a bisection.
    """

    def __init__(self, orders: Mapping[str, Order], pending: Mapping[str, PendingOrder]) -> None:
        self._orders = orders
        self._pending = pending
        self.filter = BlotterFilter()
        self._search_cache: dict[str, str] = {}
        self._cache = _ViewCache()
        self._keys: list[_SortKey] = []
        self._entries: list[Order | PendingOrder] = []
        self._indexed = False  # the index holds every row (else it is built on next use)
        self._added: list[Order | PendingOrder] = []  # new rows not merged into it yet
        self._linked: dict[str, Order] = {}  # orders with ConditionalOrders (the tree's)
        # bumps when a rebuild changed the tree drawing (a row's prefix can change while the
        # row object does not: a painter caching rows by identity must drop its cache)
        self.tree_generation = 0

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

    def _shows_all(self) -> bool:
        flt = self.filter
        return flt.group == "all" and not (flt.symbol or flt.account or flt.search)

    # ---- the sorted index ------------------------------------------------------------
    def _sync_index(self) -> None:
        """Merge the rows added since the last use (or build the index from scratch)."""
        if not self._indexed:
            decorated: list[tuple[_SortKey, Order | PendingOrder]]
            decorated = [(_sort_key(o), o) for o in self._orders.values()]
            decorated.extend((_sort_key(p), p) for p in self._pending.values())
            decorated.sort(key=_first)
            self._keys = [k for k, _ in decorated]
            self._entries = [e for _, e in decorated]
            self._indexed = True
            self._added.clear()
            return
        keys, entries = self._keys, self._entries
        if len(self._added) > _MERGE_LIMIT:  # many: sorted, then merged slice by slice
            new = sorted(((_sort_key(e), e) for e in self._added), key=_first)
            out_keys: list[_SortKey] = []
            out_entries: list[Order | PendingOrder] = []
            done = 0
            for key, entry in new:
                at = bisect_left(keys, key, done)
                out_keys += keys[done:at]
                out_entries += entries[done:at]
                out_keys.append(key)
                out_entries.append(entry)
                done = at
            out_keys += keys[done:]
            out_entries += entries[done:]
            self._keys, self._entries = out_keys, out_entries
        else:
            for entry in self._added:
                key = _sort_key(entry)
                at = bisect_left(keys, key)
                keys.insert(at, key)
                entries.insert(at, entry)
        self._added.clear()

    def _locate(self, key: _SortKey) -> int | None:
        """Index of the row with sort key ``key`` in the (synced) index."""
        keys = self._keys
        at = bisect_left(keys, key)
        return at if at < len(keys) and keys[at] == key else None

    def added(self, entry: Order | PendingOrder) -> None:
        """A new order or placeholder."""
        if type(entry) is Order and entry.conditional_orders:
            self._linked[entry.order_id] = entry
        self._cache.valid = False
        if self._indexed:
            self._added.append(entry)

    def removed(self, entry: Order | PendingOrder) -> None:
        """An order or placeholder left the book."""
        if type(entry) is Order:
            self._linked.pop(entry.order_id, None)
        self._cache.valid = False
        if self._indexed:
            self._sync_index()
            at = self._locate(_sort_key(entry))
            if at is None:
                self._indexed = False  # never expected: rebuild rather than guess
            else:
                del self._keys[at]
                del self._entries[at]

    def reset(self) -> None:
        """Every row left (the book was cleared)."""
        self._keys, self._entries = [], []
        self._indexed = False
        self._added.clear()
        self._linked.clear()
        self._cache.valid = False

    def note_update(self, previous: Order, order: Order) -> None:
        """An order changed in place: patch its row, or rebuild if it moved in or out."""
        if order.conditional_orders:
            self._linked[order.order_id] = order
        else:
            self._linked.pop(order.order_id, None)
        old_key, new_key = _sort_key(previous), _sort_key(order)
        if self._indexed:
            self._sync_index()
            at = self._locate(old_key)
            if at is None:
                self._indexed = False
            elif old_key == new_key:
                self._entries[at] = order
            else:
                del self._keys[at]
                del self._entries[at]
                self._added.append(order)
        cache = self._cache
        if not cache.valid:
            return
        was = self._index_in_rows(previous.order_id, previous) is not None
        now = self.matches(order)
        if was != now or (now and old_key != new_key):
            cache.valid = False
        elif now and previous.conditional_orders != order.conditional_orders:
            cache.valid = False  # its links moved it in the tree
        elif now:
            cache.patches.add(order.order_id)

    # ---- the view --------------------------------------------------------------------
    def rows(self) -> Sequence[Order | PendingOrder]:
        """Filtered rows, newest first (opened time, then id). Read only."""
        self._sync_index()
        cache = self._cache
        if not cache.valid:
            shows_all = self._shows_all()
            rows: list[Order | PendingOrder]
            flt = self.filter
            if shows_all:
                rows = self._entries[::-1]
            elif flt.symbol or flt.account or flt.search:
                test = self.matches
                rows = [e for e in reversed(self._entries) if test(e)]
            else:  # a status group alone: a dict lookup a row, no call
                groups: set[str] = {flt.group}
                if flt.group == "working":
                    groups.add("pending")  # an unknown placement may be working
                shown = _GroupTest(groups)
                pending = "pending" in groups
                rows = [
                    e
                    for e in reversed(self._entries)
                    if (shown[e.status] if type(e) is Order else pending)
                ]
            linked = [o for o in self._linked.values() if self.matches(o)]
            slots: dict[str, TreeSlot] = {}
            if linked:
                linked.sort(key=_sort_key, reverse=True)
                rows, slots = _tree(rows, linked, self._orders, self.matches)
            if slots != cache.slots:  # O(linked rows): most rebuilds leave the drawing as is
                self.tree_generation += 1
            cache.slots = slots
            cache.rows = rows
            cache.pos = None
            cache.flat_all = shows_all and not slots
            cache.valid = True
            cache.patches.clear()
        elif cache.patches:
            for oid in cache.patches:
                at = self._index_in_rows(oid)
                if at is not None:
                    cache.rows[at] = self._orders[oid]
            cache.patches.clear()
        return cache.rows

    def _index_in_rows(self, key: str, entry: Order | PendingOrder | None = None) -> int | None:
        """Index of row ``key`` in the cached rows (``entry``: the row as they hold it)."""
        cache = self._cache
        if cache.flat_all:
            if entry is None:
                entry = self._entry(key)
            if entry is None:
                return None
            at = self._locate(_sort_key(entry)) if not self._added else None
            if at is not None:
                return len(cache.rows) - 1 - at
        if cache.pos is None:
            cache.pos = {row_key(r): i for i, r in enumerate(cache.rows)}
        return cache.pos.get(key)

    def _entry(self, key: str) -> Order | PendingOrder | None:
        if key.startswith(PENDING_PREFIX):
            return self._pending.get(key[len(PENDING_PREFIX) :])
        return self._orders.get(key)

    def index_of(self, key: str) -> int | None:
        """Row index of `key` in the current view (computing the view if needed)."""
        self.rows()
        return self._index_in_rows(key)

    def slot(self, key: str) -> TreeSlot:
        """The row's place in the tree of the current view (FLAT for an unlinked row)."""
        return self._cache.slots.get(key, FLAT)

    def invalidate(self) -> None:
        self._cache.valid = False


_first = itemgetter(0)


class _GroupTest(dict[str | None, bool]):
    """``test[status]``: whether an order with that status code is in ``groups`` (computed
    once per code; a hit is a C dict lookup)."""

    __slots__ = ("_groups",)

    def __init__(self, groups: set[str]) -> None:
        super().__init__()
        self._groups = groups

    def __missing__(self, code: str | None) -> bool:
        shown = self[code] = status_group(code) in self._groups
        return shown


def _tree(
    rows: list[Order | PendingOrder],
    linked: list[Order],
    orders: Mapping[str, Order],
    shown: Callable[[Order], bool],
) -> tuple[list[Order | PendingOrder], dict[str, TreeSlot]]:
    """Reorder the sorted (newest first) ``rows`` so linked orders follow their tree parent.

    Only the linked orders and the orders they name are looked at (in ``orders``, the view's
    rows by id: ``shown`` is the filter); the rows are walked once, to reorder them.
    """

    def present(key: str) -> bool:
        other = orders.get(key)
        return other is not None and type(other) is Order and shown(other)

    oso_parent: dict[str, str] = {}
    osp_parent: dict[str, str] = {}
    siblings: dict[str, set[str]] = {}
    for order in linked:
        oid = order.order_id
        for link in order.conditional_orders:
            other, code = link.order_id, (link.relationship or "").upper()
            if not other or other == oid or not present(other):
                continue
            if code == "OSP":
                osp_parent[oid] = other
            elif code == "OSO":
                oso_parent.setdefault(other, oid)
            elif code in _SIBLING_CODES:
                siblings.setdefault(oid, set()).add(other)
                siblings.setdefault(other, set()).add(oid)
    parent = oso_parent | osp_parent  # the child's own word wins
    child_of_oso = set(parent)
    _group_siblings(orders, siblings, parent)
    while True:
        ordered, slots, unplaced = _layout(rows, orders, parent, child_of_oso)
        if not unplaced:
            return ordered, slots
        for key in unplaced:  # a cycle of links (never from a sane server): make them roots
            parent.pop(key, None)


def _group_siblings(
    orders: Mapping[str, Order], siblings: dict[str, set[str]], parent: dict[str, str]
) -> None:
    """Hang each parentless OCO / bracket group under its newest member (members are met
    newest first, the rows' order, so the first member met anchors the group)."""
    anchored: set[str] = set()
    for key in sorted(siblings, key=lambda k: _sort_key(orders[k]), reverse=True):
        if key in parent or key in anchored:
            continue
        anchored.add(key)
        stack = [key]
        while stack:  # the whole connected group, links in either direction
            for other in siblings.get(stack.pop(), ()):
                if other not in anchored and other not in parent:
                    anchored.add(other)
                    parent[other] = key
                    stack.append(other)


def _layout(
    rows: list[Order | PendingOrder],
    orders: Mapping[str, Order],
    parent: dict[str, str],
    child_of_oso: set[str],
) -> tuple[list[Order | PendingOrder], dict[str, TreeSlot], list[str]]:
    children: dict[str, list[str]] = {}
    for key in sorted(parent, key=lambda k: _sort_key(orders[k])):  # oldest first under each
        children.setdefault(parent[key], []).append(key)
    ordered: list[Order | PendingOrder] = []
    slots: dict[str, TreeSlot] = {}
    for row in rows:
        key = row_key(row)
        if key in parent:
            continue
        ordered.append(row)
        if key not in children and not (type(row) is Order and row.conditional_orders):
            continue
        slots[key] = TreeSlot(0, "", _relation(row, key, children, child_of_oso), None)
        kids = children.get(key, [])
        stack: list[tuple[str, int, str, bool]] = [
            (kid, 1, "", i == len(kids) - 1) for i, kid in reversed(list(enumerate(kids)))
        ]
        while stack:
            node, depth, lead, last = stack.pop()
            entry = orders[node]
            ordered.append(entry)
            prefix = (lead + ("└ " if last else "├ "))[-_MAX_PREFIX:]
            relation = _relation(entry, node, children, child_of_oso)
            slots[node] = TreeSlot(depth, prefix, relation, parent[node])
            kids = children.get(node, [])
            below = lead + ("  " if last else "│ ")
            stack.extend(
                (kid, depth + 1, below, i == len(kids) - 1)
                for i, kid in reversed(list(enumerate(kids)))
            )
    unplaced = [key for key in parent if key not in slots] if len(ordered) < len(rows) else []
    return ordered, slots, unplaced


def _relation(
    entry: Order | PendingOrder, key: str, children: dict[str, list[str]], oso: set[str]
) -> str:
    roles = set(relation_codes(entry)) if type(entry) is Order else set()
    if any(kid in oso for kid in children.get(key, ())):
        roles.add("OSP")
    if key in oso:
        roles.add("OSO")
    return " ".join(code for code in _ROLE_ORDER if code in roles)
