"""The price ladder as data: rows at the tick size, the book's sizes, the last trade, your
working orders at their prices, and a cursor. Pure Python (domain types only), so it is tested
without the app; the widget (``ladder``) only draws what :meth:`Ladder.window` returns.

- Prices are Decimal on the symbol's tick grid; the highest price is the top row.
- The book's sizes come from either depth stream (:meth:`DepthFrame.sizes`: participants at
  one price summed); a new frame replaces the whole book, as the API sends the whole book.
- A working order sits at its trigger: a stop (``StopMarket``/``StopLimit``) at its stop price,
  a limit at its limit price; its quantity is what can still fill.
- The cursor moves by ticks and pages; the window scrolls only as far as keeps the cursor
  visible, and :meth:`Ladder.centre` puts the cursor (and the window) on the market.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from tstui.domain.market.ticks import round_to_tick, step
from tstui.domain.models import Order

__all__ = ["Ladder", "LadderOrder", "LadderRow", "order_level"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LadderOrder:
    """One working order as the ladder shows it."""

    order_id: str
    buy: bool
    kind: str  # "LMT" | "STP" | "STL" (a stop limit, at its stop)
    price: Decimal
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class LadderRow:
    price: Decimal
    bid_size: Decimal | None = None
    ask_size: Decimal | None = None
    buy_quantity: Decimal = _ZERO  # your working buy orders at this price
    sell_quantity: Decimal = _ZERO
    orders: tuple[LadderOrder, ...] = ()
    last: bool = False  # the last trade's price
    best_bid: bool = False
    best_ask: bool = False
    cursor: bool = False


def order_level(order: Order) -> LadderOrder | None:
    """Where a working order sits on a ladder (None: no price, e.g. a market order)."""
    kind = (order.order_type or "").lower()
    if kind.startswith("stop"):
        price = order.stop_price
        label = "STL" if kind == "stoplimit" else "STP"
    else:
        price = order.limit_price
        label = "LMT"
    if price is None:
        return None
    buy = order.side.lower().startswith("buy")
    return LadderOrder(order.order_id, buy, label, price, order.remaining_quantity)


class Ladder:
    """The ladder's state; see the module docstring. ``tick`` must be positive."""

    def __init__(self, tick: Decimal = Decimal("0.01")) -> None:
        self.tick = tick
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.last: Decimal | None = None
        self.cursor: Decimal | None = None
        self.top: Decimal | None = None  # the price of the first row shown
        self._orders: dict[Decimal, tuple[LadderOrder, ...]] = {}

    # ---- inputs ----------------------------------------------------------------------
    def set_tick(self, tick: Decimal | None) -> None:
        if tick is not None and tick > 0 and tick != self.tick:
            self.tick = tick
            self.cursor = self._snap(self.cursor)
            self.top = self._snap(self.top)

    def set_book(self, bids: Mapping[Decimal, Decimal], asks: Mapping[Decimal, Decimal]) -> None:
        self.bids, self.asks = dict(bids), dict(asks)

    def set_last(self, price: Decimal | None) -> None:
        if price is not None:
            self.last = price

    def set_orders(self, orders: Iterable[Order]) -> None:
        """The working orders to show (the caller picks the symbol and account)."""
        at: dict[Decimal, list[LadderOrder]] = {}
        for order in orders:
            if not order.is_working:
                continue
            level = order_level(order)
            if level is not None and level.quantity > 0:
                at.setdefault(level.price, []).append(level)
        self._orders = {price: tuple(found) for price, found in at.items()}

    def clear(self) -> None:
        """Another symbol: nothing of the old one stays."""
        self.bids, self.asks, self._orders = {}, {}, {}
        self.last = self.cursor = self.top = None

    # ---- reading ---------------------------------------------------------------------
    @property
    def best_bid(self) -> Decimal | None:
        return max(self.bids) if self.bids else None

    @property
    def best_ask(self) -> Decimal | None:
        return min(self.asks) if self.asks else None

    @property
    def has_market(self) -> bool:
        return self.reference() is not None

    def reference(self) -> Decimal | None:
        """Where "the market" is: the last trade, else the middle of the touch, else a side."""
        if self.last is not None:
            return self._snap(self.last)
        bid, ask = self.best_bid, self.best_ask
        if bid is not None and ask is not None:
            return self._snap((bid + ask) / 2)
        return self._snap(bid if bid is not None else ask)

    def orders_at(self, price: Decimal | None) -> tuple[LadderOrder, ...]:
        return self._orders.get(price, ()) if price is not None else ()

    def order_prices(self) -> list[Decimal]:
        return sorted(self._orders, reverse=True)

    # ---- the cursor ------------------------------------------------------------------
    def move(self, ticks: int) -> Decimal | None:
        """Move the cursor ``ticks`` (up is positive); it starts at the market. Never below
        one tick."""
        start = self.cursor if self.cursor is not None else self.reference()
        if start is None:
            return None
        self.cursor = max(self.tick, step(start, ticks, self.tick))
        return self.cursor

    def centre(self, height: int | None = None) -> Decimal | None:
        """Cursor on the market, and the market in the middle of the window (of ``height``
        rows; None: of whatever height the next :meth:`window` has)."""
        market = self.reference()
        if market is None:
            return None
        self.cursor = market
        # no height yet (not laid out): the next window centres itself
        self.top = step(market, max(1, height) // 2, self.tick) if height is not None else None
        return market

    def window(self, height: int) -> list[LadderRow]:
        """``height`` rows from the top, scrolled to keep the cursor in view."""
        height = max(1, height)
        if self.cursor is None and self.centre(height) is None:
            return []
        assert self.cursor is not None
        if self.top is None:
            self.top = step(self.cursor, height // 2, self.tick)
        bottom = step(self.top, -(height - 1), self.tick)
        if self.cursor > self.top:
            self.top = self.cursor
        elif self.cursor < bottom:
            self.top = step(self.cursor, height - 1, self.tick)
        return [self.row(step(self.top, -i, self.tick)) for i in range(height)]

    def row(self, price: Decimal) -> LadderRow:
        orders = self.orders_at(price)
        return LadderRow(
            price=price,
            bid_size=self.bids.get(price),
            ask_size=self.asks.get(price),
            buy_quantity=sum((o.quantity for o in orders if o.buy), _ZERO),
            sell_quantity=sum((o.quantity for o in orders if not o.buy), _ZERO),
            orders=orders,
            last=self.last is not None and price == self._snap(self.last),
            best_bid=price == self.best_bid,
            best_ask=price == self.best_ask,
            cursor=price == self.cursor,
        )

    def _snap(self, price: Decimal | None) -> Decimal | None:
        return round_to_tick(price, self.tick) if price is not None else None
