"""The ladder model without the app: rows at the tick, sizes, the last trade, working orders at
their trigger prices, and a cursor that scrolls the window."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tstui.domain.models import Order
from tstui.ui.views.depth.model import Ladder, LadderOrder, order_level

D = Decimal
TICK = D("0.25")


def order(
    order_id: str,
    side: str,
    order_type: str,
    *,
    limit: str | None = None,
    stop: str | None = None,
    qty: str = "2",
    filled: str = "0",
    status: str = "OPN",
) -> Order:
    body: dict[str, Any] = {
        "OrderID": order_id,
        "AccountID": "SIM1000002F",
        "Status": status,
        "OrderType": order_type,
        "Legs": [
            {
                "Symbol": "ESZ26",
                "BuyOrSell": side,
                "QuantityOrdered": qty,
                "ExecQuantity": filled,
                "QuantityRemaining": str(D(qty) - D(filled)),
            }
        ],
    }
    if limit is not None:
        body["LimitPrice"] = limit
    if stop is not None:
        body["StopPrice"] = stop
    return Order.from_api(body)


def book(ladder: Ladder) -> None:
    ladder.set_book(
        {D("6000.00"): D(9), D("5999.75"): D(20), D("5999.50"): D(31)},
        {D("6000.50"): D(12), D("6000.75"): D(25)},
    )


def test_rows_are_at_the_tick_with_sizes_and_the_last_trade() -> None:
    ladder = Ladder(TICK)
    book(ladder)
    ladder.set_last(D("6000.25"))
    rows = ladder.window(7)
    assert [r.price for r in rows] == [D("6001.00") - TICK * i for i in range(7)]
    by_price = {r.price: r for r in rows}
    assert by_price[D("6000.00")].bid_size == 9 and by_price[D("6000.00")].best_bid
    assert by_price[D("6000.50")].ask_size == 12 and by_price[D("6000.50")].best_ask
    assert by_price[D("5999.50")].bid_size == 31 and by_price[D("5999.50")].ask_size is None
    (last,) = [r for r in rows if r.last]
    assert last.price == D("6000.25") and last.cursor  # the cursor starts at the market
    assert rows[3] is not None and rows[3].price == D("6000.25")  # centred


def test_without_a_last_trade_the_market_is_the_middle_of_the_touch() -> None:
    ladder = Ladder(TICK)
    assert ladder.window(5) == [] and not ladder.has_market
    book(ladder)
    assert ladder.reference() == D("6000.25")
    ladder.set_book({D("6000.00"): D(1)}, {})
    assert ladder.reference() == D("6000.00")


def test_working_orders_sit_at_their_trigger_with_what_can_still_fill() -> None:
    ladder = Ladder(TICK)
    book(ladder)
    ladder.set_orders(
        [
            order("1", "Buy", "Limit", limit="5999.75", qty="3"),
            order("2", "Buy", "Limit", limit="5999.75", qty="2", filled="1"),
            order("3", "Sell", "StopMarket", stop="5999.50"),
            order("4", "Sell", "StopLimit", stop="6001.00", limit="6000.75"),
            order("5", "Buy", "Market"),  # no price: not on a ladder
            order("6", "Buy", "Limit", limit="6000.00", status="FLL"),  # not working
        ]
    )
    assert ladder.order_prices() == [D("6001.00"), D("5999.75"), D("5999.50")]
    row = ladder.row(D("5999.75"))
    assert row.buy_quantity == 4 and row.sell_quantity == 0  # 3 + the 1 still open
    assert [o.order_id for o in row.orders] == ["1", "2"]
    assert ladder.row(D("5999.50")).sell_quantity == 2
    assert ladder.orders_at(D("6001.00")) == (
        LadderOrder("4", buy=False, kind="STL", price=D("6001.00"), quantity=D(2)),
    )
    assert ladder.orders_at(D("6000.00")) == ()
    assert order_level(order("7", "BuyToCover", "Limit", limit="1.25")) == LadderOrder(
        "7", True, "LMT", D("1.25"), D(2)
    )


def test_the_cursor_moves_by_ticks_and_the_window_follows() -> None:
    ladder = Ladder(TICK)
    book(ladder)
    first = ladder.window(5)  # 6000.75 .. 5999.75, cursor 6000.25
    assert first[0].price == D("6000.75")
    assert ladder.move(2) == D("6000.75")
    assert ladder.window(5)[0].price == D("6000.75")  # still in view: no scroll
    ladder.move(1)
    rows = ladder.window(5)
    assert rows[0].price == D("6001.00") and rows[0].cursor  # scrolled by one
    ladder.move(-10)
    rows = ladder.window(5)
    assert rows[-1].price == D("5998.50") and rows[-1].cursor
    assert ladder.centre(5) == D("6000.25")
    assert ladder.window(5)[2].price == D("6000.25")
    ladder.set_book({D("0.50"): D(1)}, {D("0.75"): D(1)})
    ladder.cursor = D("0.50")
    assert ladder.move(-10) == TICK  # never below one tick


def test_another_symbol_clears_everything_and_the_tick_can_change() -> None:
    ladder = Ladder()
    ladder.set_book({D("100.01"): D(100)}, {D("100.03"): D(200)})
    ladder.set_last(D("100.02"))
    ladder.window(3)
    ladder.clear()
    assert ladder.window(3) == [] and ladder.cursor is None and ladder.last is None
    ladder.set_tick(D("0.25"))
    ladder.set_last(D("6000.30"))
    assert ladder.reference() == D("6000.25")  # snapped to the new grid
