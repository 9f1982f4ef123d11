"""OrderBook: replays, fill derivation, reconciliation, pending placements, filters, views."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from order_factory import T0, filled, order

from tstui.domain.models import ConditionalOrder, Order
from tstui.domain.orders.book import (
    BlotterFilter,
    GroupFilter,
    OrderBook,
    PendingOrder,
    TreeSlot,
    row_key,
)


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


# ---- linked orders: the blotter's tree ---------------------------------------------------------


def _links(*pairs: tuple[str, str]) -> tuple[ConditionalOrder, ...]:
    return tuple(ConditionalOrder(order_id=oid, relationship=rel) for oid, rel in pairs)


def _bracket(book: OrderBook, base: int = 0) -> None:
    """Entry P (OSO children T and S, linked BRK), as the API reports them."""
    at = T0 + timedelta(seconds=base)
    p, t, s = f"P{base}", f"T{base}", f"S{base}"
    book.apply(order(p, opened_date_time=at, conditional_orders=_links((t, "OSO"), (s, "OSO"))))
    book.apply(
        order(
            t,
            side="Sell",
            opened_date_time=at + timedelta(milliseconds=1),
            conditional_orders=_links((p, "OSP"), (s, "BRK")),
        )
    )
    book.apply(
        order(
            s,
            side="Sell",
            order_type="StopMarket",
            opened_date_time=at + timedelta(milliseconds=2),
            conditional_orders=_links((p, "OSP"), (t, "BRK")),
        )
    )


def test_tree_children_follow_their_parent_oldest_first() -> None:
    book = OrderBook()
    book.apply(order("A", opened_date_time=T0 - timedelta(seconds=5)))
    _bracket(book, 1)
    book.apply(order("Z", opened_date_time=T0 + timedelta(seconds=9)))
    assert [row_key(r) for r in book.view()] == ["Z", "P1", "T1", "S1", "A"]
    slots = {k: book.tree_slot(k) for k in ("Z", "P1", "T1", "S1", "A")}
    assert slots["Z"] == slots["A"] == TreeSlot()  # unlinked rows are flat
    assert (slots["P1"].depth, slots["P1"].relation) == (0, "OSP")
    assert (slots["T1"].prefix, slots["T1"].relation, slots["T1"].parent) == ("├ ", "OSO BRK", "P1")
    assert (slots["S1"].prefix, slots["S1"].relation) == ("└ ", "OSO BRK")
    assert book.index_of("S1") == 3
    assert [o.order_id for o in book.linked_children("P1")] == ["T1", "S1"]
    assert book.linked_children("T1") == []


def test_tree_link_from_the_parent_only_and_nested_children() -> None:
    book = OrderBook()
    book.apply(order("P", conditional_orders=_links(("C", "OSO"))))
    book.apply(order("C", opened_date_time=T0 + timedelta(seconds=1)))  # no OSP of its own
    book.apply(
        order(
            "G", opened_date_time=T0 + timedelta(seconds=2), conditional_orders=_links(("C", "OSP"))
        )
    )
    assert [row_key(r) for r in book.view()] == ["P", "C", "G"]
    assert book.tree_slot("C").relation == "OSP OSO"
    assert (book.tree_slot("G").depth, book.tree_slot("G").prefix) == (2, "  └ ")
    assert [o.order_id for o in book.linked_children("P")] == ["C", "G"]


def test_parentless_oco_group_hangs_under_its_newest_member() -> None:
    book = OrderBook()
    book.apply(order("X", opened_date_time=T0, conditional_orders=_links(("Y", "OCO"))))
    book.apply(order("M", opened_date_time=T0 + timedelta(seconds=3)))
    book.apply(
        order(
            "Y", opened_date_time=T0 + timedelta(seconds=1), conditional_orders=_links(("X", "OCO"))
        )
    )
    assert [row_key(r) for r in book.view()] == ["M", "Y", "X"]
    assert (book.tree_slot("X").parent, book.tree_slot("X").relation) == ("Y", "OCO")
    assert book.linked_children("Y") == []  # siblings are not children: a cancel leaves them


def test_tree_follows_filters_status_and_late_links() -> None:
    book = OrderBook()
    _bracket(book)
    book.view()
    generation = book.tree_generation
    # the parent fills: under "working" its children stay together, the bracket's newest on top
    book.apply(filled(book.get("P0") or order("?"), "100", "400.00", status="FLL"))
    book.set_filter(BlotterFilter(group="working"))
    assert [row_key(r) for r in book.view()] == ["S0", "T0"]
    assert book.tree_slot("S0").depth == 0 and book.tree_slot("S0").relation == "OSO BRK"
    assert book.tree_slot("T0").parent == "S0"
    assert book.tree_generation > generation
    book.set_filter(BlotterFilter())
    assert [row_key(r) for r in book.view()] == ["P0", "T0", "S0"]
    # a link that arrives in an update re-hangs the row
    book.apply(order("L", opened_date_time=T0 + timedelta(seconds=5)))
    assert row_key(book.view()[0]) == "L"
    book.apply(
        order(
            "L",
            opened_date_time=T0 + timedelta(seconds=5),
            conditional_orders=_links(("P0", "OSP")),
        )
    )
    assert [row_key(r) for r in book.view()] == ["P0", "T0", "S0", "L"]
    assert book.tree_slot("S0").prefix == "├ " and book.tree_slot("L").prefix == "└ "


def test_hostile_links_never_lose_a_row() -> None:
    """Cycles, self links, links to unknown orders and unknown codes: every row still shows."""
    book = OrderBook()
    book.apply(order("A", conditional_orders=_links(("B", "OSP"), ("A", "OSO"), ("nope", "OSO"))))
    book.apply(order("B", conditional_orders=_links(("A", "OSP"), ("A", "XYZ"))))
    book.apply(order("C", conditional_orders=_links(("A", "OSP"))))
    chain = [order(f"N{i}", conditional_orders=_links((f"N{i - 1}", "OSP"))) for i in range(1, 60)]
    book.apply_many(chain)
    book.apply(order("N0"))
    rows = [row_key(r) for r in book.view()]
    assert sorted(rows) == sorted(["A", "B", "C", "N0", *(o.order_id for o in chain)])
    assert len(rows) == len(set(rows))
    assert all(len(book.tree_slot(k).prefix) <= 8 for k in rows)
    assert book.tree_slot("N59").depth == 59
    assert {o.order_id for o in book.linked_children("A")} == {"B", "C"}  # a cycle terminates


def test_tree_rebuild_cost_stays_linear_ish() -> None:
    """20k orders, a tenth of them in brackets: a full rebuild stays well under a second."""
    import time

    book = OrderBook()
    for i in range(6_000):
        book.apply(order(f"F{i}", opened_date_time=T0 + timedelta(seconds=i)))
    for i in range(0, 2_000 * 3, 3):
        _bracket(book, 10_000 + i)
    book.view()
    book.apply(order("new", opened_date_time=T0 + timedelta(days=1)))
    # CPU time of this thread: the budget is the rebuild's work, not a loaded machine's queue
    started = time.thread_time()
    rows = book.view()
    elapsed = time.thread_time() - started
    assert len(rows) == 6_000 + 6_000 + 1
    assert elapsed < 1.0


def test_tree_rebuild_looks_at_unlinked_rows_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One bracket among many orders: the tree walks the rows once to reorder them (and the
    view once more to index them), not once per step of the tree."""
    import tstui.domain.orders.book_view as book_view

    book = OrderBook()
    for i in range(2_000):
        book.apply(order(f"F{i}", opened_date_time=T0 + timedelta(seconds=i)))
    _bracket(book, 5)
    book.view()
    calls = 0
    real_row_key = book_view.row_key

    def counting_row_key(entry: Order | PendingOrder) -> str:
        nonlocal calls
        calls += 1
        return real_row_key(entry)

    monkeypatch.setattr(book_view, "row_key", counting_row_key)
    book.apply(order("new", opened_date_time=T0 + timedelta(days=1)))
    rows = book.view()
    assert [row_key(r) for r in rows[:1]] == ["new"]
    assert book.tree_slot("T5").parent == "P5"
    assert calls <= 2 * len(rows) + 20


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 11),
            st.integers(0, 11),
            st.sampled_from(["OSO", "OSP", "BRK", "OCO", "XYZ", ""]),
        ),
        max_size=30,
    ),
    st.sampled_from(["all", "working", "filled"]),
)
def test_any_links_show_every_row_once_under_a_shown_parent(
    links: list[tuple[int, int, str]], group: GroupFilter
) -> None:
    """Whatever links a server sends (cycles, self links, both directions), each row shows
    exactly once, a child right after its parent's subtree starts, depth = parent's + 1."""
    book = OrderBook()
    by_order: dict[int, list[tuple[str, str]]] = {}
    for a, b, code in links:
        by_order.setdefault(a, []).append((f"O{b}", code))
    for i in range(12):
        status = "FLL" if i % 3 == 0 else "OPN"
        book.apply(
            order(
                f"O{i}",
                status=status,
                opened_date_time=T0 + timedelta(seconds=i % 5),
                conditional_orders=_links(*by_order.get(i, [])),
            )
        )
    book.set_filter(BlotterFilter(group=group))
    rows = [row_key(r) for r in book.view()]
    expected = [o.order_id for o in book.orders() if book.matches(o)]
    assert sorted(rows) == sorted(expected)
    for index, key in enumerate(rows):
        slot = book.tree_slot(key)
        assert book.index_of(key) == index
        if slot.parent is not None:
            parent_index = rows.index(slot.parent)
            assert parent_index < index
            assert slot.depth == book.tree_slot(slot.parent).depth + 1
            between = rows[parent_index + 1 : index]
            assert all(book.tree_slot(k).depth > book.tree_slot(slot.parent).depth for k in between)
        else:
            assert slot.depth == 0
