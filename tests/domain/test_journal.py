"""The trade journal: FIFO round trips checked against hand-computed examples and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.domain.orders.execution import Order, OrderLeg
from tstui.domain.portfolio.journal import (
    Fill,
    FillTracker,
    Journal,
    TripFilter,
    cents,
    equity_curve,
    group_trips,
    pnl_by_day,
    pnl_by_symbol,
    summarize,
)

T0 = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def fill(
    n: int,
    qty: str,
    price: str,
    *,
    symbol: str = "AAPL",
    fee: str = "0",
    pv: str = "1",
    day: int = 0,
) -> Fill:
    return Fill(
        fill_id=f"f{n}",
        account_id="SIM1",
        symbol=symbol,
        time=T0 + timedelta(days=day, minutes=n),
        quantity=D(qty),
        price=D(price),
        commission=D(fee),
        point_value=D(pv),
    )


def test_long_round_trip_with_commissions() -> None:
    journal = Journal()
    journal.add(fill(1, "100", "150.00", fee="1.00"))
    (trip,) = journal.add(fill(2, "-100", "152.50", fee="1.00"))
    # (152.50 - 150.00) * 100 = 250.00 gross; 2.00 commission
    assert (trip.side, trip.quantity, trip.gross, trip.commission, trip.net) == (
        "Long",
        D(100),
        D("250.00"),
        D("2.00"),
        D("248.00"),
    )
    assert trip.duration == timedelta(minutes=1)
    assert journal.position("SIM1", "AAPL") == 0


def test_short_futures_round_trip_uses_the_point_value() -> None:
    journal = Journal()
    journal.add(fill(1, "-2", "6400.00", symbol="ESZ26", fee="4.00", pv="50"))
    (trip,) = journal.add(fill(2, "2", "6390.25", symbol="ESZ26", fee="4.00", pv="50"))
    # short 2 ES from 6400.00 to 6390.25: 9.75 points * 50 * 2 = 975.00, less 8.00
    assert trip.side == "Short"
    assert trip.gross == D("975.00")
    assert trip.net == D("967.00")


def test_scale_in_then_scale_out_matches_first_in_first_out() -> None:
    journal = Journal()
    journal.add(fill(1, "100", "10.00"))
    journal.add(fill(2, "100", "12.00"))
    first = journal.add(fill(3, "-150", "13.00"))
    # the oldest lot closes first: 100 @ 10 -> 13 (+300), then 50 @ 12 -> 13 (+50)
    assert [(t.quantity, t.entry_price, t.gross) for t in first] == [
        (D(100), D("10.00"), D("300.00")),
        (D(50), D("12.00"), D("50.00")),
    ]
    (last,) = journal.add(fill(4, "-50", "11.00"))
    assert (last.quantity, last.entry_price, last.gross) == (D(50), D("12.00"), D("-50.00"))
    assert journal.position("SIM1", "AAPL") == 0


def test_reversal_through_flat_in_one_order() -> None:
    journal = Journal()
    journal.add(fill(1, "100", "50.00", fee="1.00"))
    (closed,) = journal.add(fill(2, "-300", "55.00", fee="3.00"))
    # 100 closed long (+500); the other 200 open short, carrying 2.00 of the 3.00 fee
    assert closed.gross == D("500.00") and closed.commission == D("2.00")
    assert journal.position("SIM1", "AAPL") == D(-200)
    (lot,) = journal.open_lots()
    assert (lot.quantity, lot.price, lot.commission) == (D(-200), D("55.00"), D("2.00"))
    (cover,) = journal.add(fill(3, "200", "54.00", fee="2.00"))
    assert (cover.side, cover.gross, cover.commission) == ("Short", D("200.00"), D("4.00"))


def test_replaying_fills_changes_nothing() -> None:
    journal = Journal()
    fills = [fill(1, "10", "5.00"), fill(2, "-10", "6.00")]
    assert len(journal.add_all(fills)) == 1
    assert journal.add_all(fills) == []
    assert len(journal.round_trips) == 1


def test_statistics_by_day_and_symbol() -> None:
    journal = Journal()
    journal.add_all(
        [
            fill(1, "10", "100", day=0),
            fill(2, "-10", "110", day=0),  # +100
            fill(3, "10", "100", day=1, symbol="MSFT"),
            fill(4, "-10", "94", day=1, symbol="MSFT"),  # -60
            fill(5, "10", "100", day=2),
            fill(6, "-10", "130", day=2),  # +300
        ]
    )
    summary = summarize(journal.round_trips)
    assert (summary.trades, summary.wins, summary.losses, summary.net) == (3, 2, 1, D(340))
    assert summary.win_rate == D(2) / D(3)
    assert summary.average_win == D(200) and summary.average_loss == D(-60)
    assert summary.profit_factor == D(400) / D(60)
    assert summary.max_drawdown == D(60)  # from +100 down to +40
    assert [level for _, level in equity_curve(journal.round_trips)] == [D(100), D(40), D(340)]
    assert pnl_by_day(journal.round_trips) == {
        date(2026, 11, 2): D(100),
        date(2026, 11, 3): D(-60),
        date(2026, 11, 4): D(300),
    }
    assert pnl_by_symbol(journal.round_trips) == {"AAPL": D(400), "MSFT": D(-60)}


def _order(executed: str, avg: str, status: str, fee: str, action: str = "Buy") -> Order:
    return Order(
        order_id="42",
        account_id="SIM1",
        status=status,
        legs=(
            OrderLeg(
                symbol="AAPL",
                buy_or_sell=action,
                quantity_ordered=D(300),
                exec_quantity=D(executed),
                execution_price=D(avg),
            ),
        ),
        commission_fee=D(fee),
        opened_date_time=T0,
    )


def test_partial_fills_from_order_snapshots() -> None:
    tracker = FillTracker()
    first = tracker.fills(_order("100", "10.00", "FPR", "1.00"))
    assert [(f.quantity, f.price, f.commission) for f in first] == [(D(100), D("10.00"), D("1.00"))]
    assert tracker.fills(_order("100", "10.00", "FPR", "1.00")) == []  # a resent snapshot
    # 300 at an average of 10.50 after 100 at 10.00: the other 200 filled at 10.75
    second = tracker.fills(_order("300", "10.50", "FLL", "3.00"))
    assert [(f.quantity, f.price, f.commission) for f in second] == [
        (D(200), D("10.750000"), D("2.00"))
    ]


def test_sell_short_and_cover_actions_have_their_signs() -> None:
    tracker = FillTracker()
    (short,) = tracker.fills(_order("100", "20", "FLL", "0", action="SellShort"))
    assert short.quantity == D(-100)


quantities = st.integers(min_value=-50, max_value=50).filter(bool)
prices = st.decimals(min_value=D("0.25"), max_value=D("500"), places=2)
fees = st.decimals(min_value=D("0"), max_value=D("5"), places=2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(quantities, prices, fees), min_size=1, max_size=30), prices, fees)
def test_closed_sequence_realizes_its_cash_flow(
    steps: list[tuple[int, D, D]], close_price: D, close_fee: D
) -> None:
    fills = [fill(i, str(q), str(p), fee=str(f)) for i, (q, p, f) in enumerate(steps)]
    journal = Journal()
    for item in fills:
        journal.add(item)
        for lot in journal.open_lots():  # lots never cross zero: all on one side, none empty
            assert lot.quantity != 0
            assert (lot.quantity > 0) == (journal.position("SIM1", "AAPL") > 0)
            assert lot.commission >= 0
    position = journal.position("SIM1", "AAPL")
    if position:
        closing = fill(len(fills), str(-position), str(close_price), fee=str(close_fee))
        fills.append(closing)
        journal.add(closing)
    assert journal.position("SIM1", "AAPL") == 0
    realized = sum((t.net for t in journal.round_trips), D(0))
    assert realized == sum((f.cash_flow for f in fills), D(0))
    before = list(journal.round_trips)
    journal.add_all(fills)  # replay: nothing changes
    assert journal.round_trips == before


def test_filters_by_account_symbol_and_exit_day() -> None:
    journal = Journal()
    journal.add_all(
        [
            fill(1, "10", "100", day=0),
            fill(2, "-10", "110", day=1),  # AAPL +100, exits on day 1
            fill(3, "-5", "50", day=1, symbol="MSFT"),
            fill(4, "5", "40", day=2, symbol="MSFT"),  # MSFT short +50, exits on day 2
        ]
    )
    trips = journal.round_trips
    day1, day2 = date(2026, 11, 3), date(2026, 11, 4)
    assert [t.symbol for t in TripFilter(since=day2).apply(trips)] == ["MSFT"]
    assert [t.symbol for t in TripFilter(until=day1).apply(trips)] == ["AAPL"]
    assert [t.symbol for t in TripFilter(symbol="msft").apply(trips)] == ["MSFT"]
    assert TripFilter(symbol="MSF").apply(trips) == []  # no prefix matching for stocks
    assert TripFilter(accounts=frozenset({"OTHER"})).apply(trips) == []
    assert len(TripFilter(accounts=frozenset({"SIM1"})).apply(trips)) == 2


def test_grouping_by_day_and_symbol() -> None:
    journal = Journal()
    journal.add_all(
        [
            fill(1, "10", "100", fee="1", day=0),
            fill(2, "-10", "110", fee="1", day=0),  # +100 gross, 2 commission
            fill(3, "10", "100", day=0, symbol="MSFT"),
            fill(4, "-10", "97", day=0, symbol="MSFT"),  # -30
            fill(5, "2", "5000", day=1, symbol="ESZ26", pv="50", fee="3"),
            fill(6, "-2", "5001", day=1, symbol="ESZ26", pv="50", fee="3"),  # +100 gross, 6
        ]
    )
    by_day = group_trips(journal.round_trips, "day")
    assert [(r.key, r.trades, r.wins, r.losses, r.gross, r.commission, r.net) for r in by_day] == [
        ("2026-11-02", 2, 1, 1, D(70), D(2), D(68)),
        ("2026-11-03", 1, 1, 0, D(100), D(6), D(94)),
    ]
    by_symbol = group_trips(journal.round_trips, "symbol")
    assert [(r.key, r.net) for r in by_symbol] == [
        ("AAPL", D(98)),
        ("ESZ26", D(94)),
        ("MSFT", D(-30)),
    ]
    assert cents(D("1.005000")) == D("1.00") and str(cents(D("28317.600000"))) == "28317.60"


def test_a_futures_root_selects_its_contracts() -> None:
    journal = Journal()
    journal.add_all(
        [
            fill(1, "1", "6000", symbol="ESZ26", pv="50"),
            fill(2, "-1", "6001", symbol="ESZ26", pv="50"),
            fill(3, "1", "6100", symbol="ESH27", pv="50"),
            fill(4, "-1", "6102", symbol="ESH27", pv="50"),
            fill(5, "1", "21000", symbol="NQZ26", pv="20"),
            fill(6, "-1", "21001", symbol="NQZ26", pv="20"),
        ]
    )
    for wanted in ("ES", "@es"):
        chosen = TripFilter(symbol=wanted).apply(journal.round_trips)
        assert [(t.symbol, t.gross) for t in chosen] == [("ESZ26", D(50)), ("ESH27", D(100))]
    assert [t.symbol for t in TripFilter(symbol="ESH27").apply(journal.round_trips)] == ["ESH27"]


def test_a_stock_sell_with_nothing_open_closed_an_older_position() -> None:
    """A Sell of shares bought before the history reaches: not a short, not a round trip."""
    tracker = FillTracker()
    journal = Journal()
    (sold,) = tracker.fills(_order("100", "20.00", "FLL", "0", action="Sell"))
    assert sold.closes_only
    assert journal.add(sold) == [] and list(journal.open_lots()) == []
    assert [(f.quantity, f.price) for f in journal.unmatched] == [(D(-100), D("20.00"))]
    # a later buy opens a long position; nothing pairs it with the old sale
    assert journal.add(fill(9, "50", "21.00")) == []
    assert journal.position("SIM1", "AAPL") == D(50)
    # a sale of more than is held: the rest is unmatched too
    closed = journal.add(
        Fill("f10", "SIM1", "AAPL", T0 + timedelta(days=1), D(-80), D("22.00"), closes_only=True)
    )
    assert [t.quantity for t in closed] == [D(50)]
    assert journal.unmatched[-1].quantity == D(-30) and journal.position("SIM1", "AAPL") == 0
    # SellShort opens; futures' Sell may open too
    (short,) = FillTracker().fills(_order("100", "20", "FLL", "0", action="SellShort"))
    assert not short.closes_only
