"""OrderBook: replays, fill derivation, reconciliation, pending placements, filters, views."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from order_factory import T0, filled, order

from tstui.domain.orders.book import BlotterFilter, OrderBook, PendingOrder, row_key


def test_new_then_replay_is_idempotent() -> None:
    book = OrderBook()
    snapshot = [order(str(i), opened_date_time=T0 + timedelta(seconds=i)) for i in range(5)]
    changes = [book.apply(o) for o in snapshot]
    assert all(c is not None and c.kind == "new" for c in changes)
    version = book.version
    assert book.take_dirty() == {str(i) for i in range(5)}
    assert [book.apply(o) for o in snapshot] == [None] * 5  # replayed snapshot
    assert book.version == version
    assert book.take_dirty() == set()
    assert book.fills == []


def test_fills_derived_from_quantity_deltas() -> None:
    book = OrderBook()
    o = order("1")
    book.apply(o)
    c1 = book.apply(filled(o, "30", "400.00"))
    assert c1 is not None and c1.kind == "updated"
    assert [(f.qty, f.price) for f in c1.fills] == [(Decimal(30), Decimal("400.00"))]
    # avg 400.70 over 100 -> the 70 new shares were done at 401.00
    c2 = book.apply(filled(o, "100", "400.70", status="FLL"))
    assert c2 is not None
    assert [(f.qty, f.price) for f in c2.fills] == [(Decimal(70), Decimal("401.00"))]
    assert sum(f.qty for f in book.fills_for("1")) == Decimal(100)
    assert book.take_fills() == [*c1.fills, *c2.fills] and book.take_fills() == []
    # replaying older frames never invents or takes back a fill
    assert book.apply(filled(o, "30", "400.00")) is not None  # state moves back...
    assert book.apply(filled(o, "100", "400.70", status="FLL")) is not None  # ...and forward
    assert len(book.fills) == 2


def test_replace_racing_fill_is_harmless() -> None:
    book = OrderBook()
    o = order("7")
    book.apply(o)
    book.apply(filled(o, "40", "400.00"))
    # the replace confirmation was built before the fill: filled qty goes "down" to 0
    stale = replace(o, status="UCH", limit_price=Decimal("401.00"))
    change = book.apply(stale)
    assert change is not None and change.fills == ()
    # the fill frame replays after the replace: no second fill of 40
    change = book.apply(filled(stale, "40", "400.00"))
    assert change is not None and change.fills == ()
    change = book.apply(filled(stale, "100", "400.60", status="FLL"))
    assert change is not None
    assert [(f.qty, f.price) for f in change.fills] == [(Decimal(60), Decimal("401.00"))]


def test_first_sight_of_filled_order_reports_its_fill() -> None:
    book = OrderBook(clock=lambda: T0)
    closed = T0 + timedelta(seconds=5)
    change = book.apply(
        order(
            "9",
            status="FLL",
            filled_quantity=Decimal(100),
            filled_price=Decimal("10.5"),
            closed_date_time=closed,
        )
    )
    assert change is not None
    assert [(f.qty, f.price, f.at) for f in change.fills] == [
        (Decimal(100), Decimal("10.5"), closed)
    ]


def test_reconcile_after_dropped_fill_frame() -> None:
    book = OrderBook()
    working = [order("1"), order("2"), order("3")]
    book.apply_many(working)
    book.take_dirty()
    # the stream dropped the fill frame of order 2; REST has the truth
    truth = [working[0], filled(working[1], "100", "400.10", status="FLL"), working[2]]
    changes = book.reconcile(truth)
    assert [(c.order_id, c.kind, c.source) for c in changes] == [("2", "updated", "rest")]
    assert changes[0].fills[0].qty == Decimal(100)
    got = book.get("2")
    assert got is not None and got.status_group == "filled"
    assert book.take_dirty() == {"2"}
    # a second reconcile with the same truth changes nothing
    assert book.reconcile(truth) == []
    # the stream missed a new order entirely, and REST no longer lists order 3
    changes = book.reconcile([*truth[:2], order("4")], remove_missing=True)
    assert sorted((c.order_id, c.kind) for c in changes) == [("3", "removed"), ("4", "new")]
    assert "3" not in book and len(book) == 3


def test_pending_placeholder_resolved_by_matching_order() -> None:
    book = OrderBook(clock=lambda: T0)
    summary = PendingOrder("cid1", "SIM1000001M", "MSFT", Decimal(100), "BUY", T0)
    book.add_pending("cid1", summary)
    assert [row_key(r) for r in book.view()] == ["pending:cid1"]
    assert book.take_dirty() == {"pending:cid1"}
    # different quantity: not a match
    book.apply(order("50", quantity=Decimal(5)))
    assert "cid1" in book.pending
    change = book.apply(order("51", opened_date_time=T0 + timedelta(seconds=2)))
    assert change is not None and change.pending_confirm_id == "cid1"
    assert book.pending == {} and book.resolved == {"cid1": "51"}
    assert [row_key(r) for r in book.view()] == ["51", "50"]
    assert book.take_dirty() == {"50", "51", "pending:cid1"}


def test_pending_outside_window_and_explicit_resolution() -> None:
    book = OrderBook(pending_window_s=60, clock=lambda: T0)
    book.add_pending("c2", PendingOrder("c2", "SIM1000001M", "MSFT", Decimal(100), "BUY", T0))
    late = order("60", opened_date_time=T0 + timedelta(minutes=5))
    change = book.apply(late)
    assert change is not None and change.pending_confirm_id is None
    assert book.resolve_pending("c2", "60") is True
    assert book.resolve_pending("c2", "60") is False
    assert book.resolved == {"c2": "60"}


def test_filters_and_search() -> None:
    book = OrderBook()
    book.apply_many(
        [
            order("1", symbol="MSFT"),
            order("2", symbol="AAPL", status="FLL", filled_quantity=Decimal(100)),
            order("3", symbol="ESZ26", account_id="SIM1000002F", status="CAN"),
            order("4", symbol="NVDA", status="REJ"),
        ]
    )
    book.add_pending("p", PendingOrder("p", "SIM1000001M", "SPY", Decimal(1), "SELL", T0))

    def ids(**kw: object) -> list[str]:
        book.set_filter(BlotterFilter(**kw))  # type: ignore[arg-type]
        return sorted(row_key(r) for r in book.view())

    assert ids() == ["1", "2", "3", "4", "pending:p"]
    assert ids(group="working") == ["1", "pending:p"]
    assert ids(group="filled") == ["2"]
    assert ids(group="cancelled") == ["3"]
    assert ids(group="rejected") == ["4"]
    assert ids(symbol="esz26") == ["3"]
    assert ids(account="SIM1000002F") == ["3"]
    assert ids(search="rejec") == ["4"]
    assert ids(search="aapl", group="filled") == ["2"]
    assert ids(group="working", search="nothing") == []


def test_view_sorted_newest_first_and_stable() -> None:
    book = OrderBook()
    same = T0 + timedelta(seconds=10)
    book.apply_many(
        [
            order("a", opened_date_time=T0),
            order("c", opened_date_time=same),
            order("b", opened_date_time=same),
            order("z", opened_date_time=None),
        ]
    )
    assert [row_key(r) for r in book.view()] == ["c", "b", "a", "z"]
    assert book.index_of("a") == 2


def test_view_is_patched_in_place_and_rebuilt_on_membership_change() -> None:
    book = OrderBook()
    book.apply_many([order(str(i), opened_date_time=T0 + timedelta(seconds=i)) for i in range(10)])
    book.set_filter(BlotterFilter(group="working"))
    view = book.view()
    assert len(view) == 10
    o5 = book.get("5")
    assert o5 is not None
    book.apply(filled(o5, "10", "400.00"))  # still working: patched in place
    assert book.view() is view and view[4] is book.get("5")
    book.apply(filled(o5, "100", "400.00", status="FLL"))  # leaves the working group
    new_view = book.view()
    assert len(new_view) == 9 and "5" not in {row_key(r) for r in new_view}


def test_many_updates_are_cheap() -> None:
    book = OrderBook()
    orders = [order(str(i), opened_date_time=T0 + timedelta(milliseconds=i)) for i in range(20_000)]
    book.apply_many(orders)
    assert len(book.view()) == 20_000
    for i in range(5_000):
        o = orders[i % 20_000]
        book.apply(filled(o, str(1 + i // 20_000), "400.00"))
    assert len(book.take_dirty()) == 20_000
    assert len(book.view()) == 20_000
