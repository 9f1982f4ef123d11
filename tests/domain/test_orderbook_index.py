"""The book's view keeps a sorted index up to date instead of sorting at every change: after
any mix of new orders, updates (status, opened time), removals, placeholders and filter
changes, the view and every row's index are exactly those of a fresh sort."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from order_factory import T0, order

from tstui.domain.models import Order
from tstui.domain.orders.book import GROUPS, BlotterFilter, OrderBook, PendingOrder, row_key
from tstui.domain.orders.book_view import _sort_key

STATUSES = ("OPN", "ACK", "FLL", "FPR", "CAN", "REJ", "OUT")
SYMBOLS = ("MSFT", "AAPL", "SPY")


def reference(book: OrderBook) -> list[str]:
    """What the view must show: every row the filter matches, newest first, by a full sort."""
    rows: list[Order | PendingOrder] = [o for o in book.orders() if book.matches(o)]
    rows.extend(p for p in book.pending.values() if book.matches(p))
    rows.sort(key=_sort_key, reverse=True)
    return [row_key(r) for r in rows]


def check(book: OrderBook) -> None:
    view = book.view()
    keys = [row_key(r) for r in view]
    assert keys == reference(book)
    for index, row in enumerate(view):
        assert row is (book.get(row_key(row)) or book.pending.get(row_key(row)[8:]))
        assert book.index_of(row_key(row)) == index


def random_order(rng: random.Random, oid: str) -> Order:
    opened = T0 + timedelta(seconds=rng.randrange(0, 500)) if rng.random() > 0.05 else None
    return order(
        oid,
        symbol=rng.choice(SYMBOLS),
        status=rng.choice(STATUSES),
        opened_date_time=opened,
        account_id=rng.choice(("A1", "A2")),
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_index_agrees_with_a_fresh_sort(seed: int) -> None:
    rng = random.Random(seed)
    book = OrderBook()
    next_id = 0
    # a snapshot big enough to be sorted in one go, then changes a few at a time
    for _ in range(150):
        next_id += 1
        book.apply(random_order(rng, str(next_id)))
    check(book)
    for step in range(400):
        roll = rng.random()
        ids = [o.order_id for o in book.orders()]
        if roll < 0.25 or not ids:
            next_id += 1
            book.apply(random_order(rng, str(next_id)))
        elif roll < 0.55:
            target = book.get(rng.choice(ids))
            assert target is not None
            book.apply(target.__class__(**{**_fields(target), "status": rng.choice(STATUSES)}))
        elif roll < 0.65:
            target = book.get(rng.choice(ids))
            assert target is not None
            moved = T0 + timedelta(seconds=rng.randrange(0, 500))
            book.apply(target.__class__(**{**_fields(target), "opened_date_time": moved}))
        elif roll < 0.72:
            book.remove(rng.choice(ids))
        elif roll < 0.8:
            cid = f"c{step}"
            placed = T0 + timedelta(seconds=rng.randrange(0, 500))
            summary = PendingOrder(cid, "A1", "MSFT", order("x").quantity, "Buy", placed)
            book.add_pending(cid, summary)
        elif roll < 0.85 and book.pending:
            book.resolve_pending(rng.choice(list(book.pending)), None)
        elif roll < 0.93:
            book.set_filter(
                BlotterFilter(
                    group=rng.choice(GROUPS),
                    symbol=rng.choice((None, None, "MSFT")),
                    account=rng.choice((None, None, "A2")),
                )
            )
        else:
            many = rng.randrange(1, 200)  # sometimes more than are merged one by one
            for _ in range(many):
                next_id += 1
                book.apply(random_order(rng, str(next_id)))
        if step % 7 == 0:
            check(book)
    check(book)
    book.clear()
    check(book)
    assert book.view() == []


def _fields(o: Order) -> dict[str, object]:
    return {name: getattr(o, name) for name in o.__dataclass_fields__}
