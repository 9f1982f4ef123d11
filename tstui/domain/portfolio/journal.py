"""The trade journal: fills matched into round trips (FIFO lots), realized P&L and its statistics.

TradeStation has no P&L history endpoint; its orders carry what one needs. An order reports per
leg the cumulative executed quantity and its average price, and per order the cumulative
commission, so each new snapshot of an order adds the *difference* since the last one as a
fill (``fills_from_order``). The journal keeps those fills once each (a replayed snapshot or
fill changes nothing), and matches them first in, first out per account and symbol: a sell
closes the oldest long lot first, a buy the oldest short lot, and what is left of an order
that goes through flat opens a lot on the other side.

Every figure is ``Decimal``. Commissions are split between the pieces of a fill and of a lot by
quantity, the last piece taking the remainder, so the realized P&L of a sequence that ends
flat equals the cash flow of its fills to the cent.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Final, Literal

from tstui.domain.enums import BUY_ACTIONS, SELL_ACTIONS
from tstui.domain.market import futures
from tstui.domain.orders.execution import Order
from tstui.domain.portfolio.valuation import default_point_value

__all__ = [
    "Fill",
    "FillTracker",
    "GroupRow",
    "Journal",
    "Lot",
    "PnLSummary",
    "RoundTrip",
    "TripFilter",
    "cents",
    "equity_curve",
    "fills_from_order",
    "group_trips",
    "pnl_by_day",
    "pnl_by_symbol",
    "summarize",
]

_ZERO: Final = Decimal(0)
# Stock and option actions that never open: futures' Buy and Sell do both
_CLOSING: Final = frozenset({"SELL", "BUYTOCOVER", "SELLTOCLOSE", "BUYTOCLOSE"})

Side = Literal["Long", "Short"]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution: ``quantity`` signed (+ bought, - sold), ``commission`` a cost (>= 0)."""

    fill_id: str  # unique per execution: replaying a fill with a known id changes nothing
    account_id: str
    symbol: str
    time: datetime
    quantity: Decimal
    price: Decimal
    commission: Decimal = _ZERO
    point_value: Decimal = Decimal(1)
    # A stock Sell / BuyToCover can only close: with nothing (or too little) open on the other
    # side, the rest closed a position opened before the journal's first fill (the 90 days
    # of history). It must not open a lot on the wrong side.
    closes_only: bool = False

    @property
    def cash_flow(self) -> Decimal:
        """What the fill did to cash: a buy pays, a sell receives, commission always pays."""
        return -self.quantity * self.price * self.point_value - self.commission


@dataclass(frozen=True, slots=True)
class Lot:
    """An open piece of a position: what remains of one opening fill."""

    account_id: str
    symbol: str
    opened: datetime
    quantity: Decimal  # signed, never crosses zero; its sign is the side
    price: Decimal
    commission: Decimal  # the opening commission not yet charged to a round trip
    point_value: Decimal


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A quantity opened by one fill and closed by a later one."""

    account_id: str
    symbol: str
    side: Side
    quantity: Decimal  # > 0
    entry_time: datetime
    entry_price: Decimal
    exit_time: datetime
    exit_price: Decimal
    point_value: Decimal
    commission: Decimal  # entry and exit share of this quantity

    @property
    def gross(self) -> Decimal:
        direction = 1 if self.side == "Long" else -1
        return (self.exit_price - self.entry_price) * self.quantity * self.point_value * direction

    @property
    def net(self) -> Decimal:
        return self.gross - self.commission

    @property
    def duration(self) -> timedelta:
        return self.exit_time - self.entry_time


SHARE_PLACES = 4  # cents of cents


def _share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``total`` * part/whole in cents of cents (or ``total``'s own places when finer).

    A fixed precision: a lot split again and again keeps its places (the rest is ``total``
    minus the share, exact), where "two places more than ``total``" grew by two per split
    until the arithmetic ran out of digits (found by the cash-flow property)."""
    if whole == 0 or total == 0:
        return _ZERO
    places = max(-total.as_tuple().exponent, SHARE_PLACES)  # type: ignore[operator]
    return (total * part / whole).quantize(Decimal(1).scaleb(-places))


@dataclass
class _Book:
    """The open lots of one account and symbol (all on one side)."""

    lots: deque[Lot] = field(default_factory=deque)

    @property
    def position(self) -> Decimal:
        return sum((lot.quantity for lot in self.lots), _ZERO)


class Journal:
    """Fills in, round trips and open lots out. Feed fills in time order per symbol."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._books: dict[tuple[str, str], _Book] = defaultdict(_Book)
        self.round_trips: list[RoundTrip] = []
        self.fills: list[Fill] = []
        # what closing-only fills closed with no entry in the journal (opened before it)
        self.unmatched: list[Fill] = []

    def add(self, fill: Fill) -> list[RoundTrip]:
        """Apply one fill; the round trips it closed (none for a replayed fill)."""
        if fill.fill_id in self._seen or fill.quantity == 0:
            return []
        self._seen.add(fill.fill_id)
        self.fills.append(fill)
        book = self._books[(fill.account_id, fill.symbol)]
        closed: list[RoundTrip] = []
        remaining = fill.quantity
        exit_commission = fill.commission
        while remaining != 0 and book.lots and (book.lots[0].quantity > 0) != (remaining > 0):
            lot = book.lots[0]
            matched = min(abs(remaining), abs(lot.quantity))
            whole_lot = matched == abs(lot.quantity)
            whole_fill = matched == abs(remaining)
            entry_part = (
                lot.commission if whole_lot else _share(lot.commission, matched, abs(lot.quantity))
            )
            exit_part = (
                exit_commission if whole_fill else _share(exit_commission, matched, abs(remaining))
            )
            closed.append(
                RoundTrip(
                    account_id=fill.account_id,
                    symbol=fill.symbol,
                    side="Long" if lot.quantity > 0 else "Short",
                    quantity=matched,
                    entry_time=lot.opened,
                    entry_price=lot.price,
                    exit_time=fill.time,
                    exit_price=fill.price,
                    point_value=lot.point_value,
                    commission=entry_part + exit_part,
                )
            )
            exit_commission -= exit_part
            step = matched if remaining > 0 else -matched
            remaining -= step
            if whole_lot:
                book.lots.popleft()
            else:
                book.lots[0] = Lot(
                    lot.account_id,
                    lot.symbol,
                    lot.opened,
                    lot.quantity + step,
                    lot.price,
                    lot.commission - entry_part,
                    lot.point_value,
                )
        if remaining != 0 and fill.closes_only:
            self.unmatched.append(
                Fill(
                    fill.fill_id,
                    fill.account_id,
                    fill.symbol,
                    fill.time,
                    remaining,
                    fill.price,
                    exit_commission,
                    fill.point_value,
                    closes_only=True,
                )
            )
        elif remaining != 0:  # opens (or adds to, or reverses into) a position
            book.lots.append(
                Lot(
                    fill.account_id,
                    fill.symbol,
                    fill.time,
                    remaining,
                    fill.price,
                    exit_commission,
                    fill.point_value,
                )
            )
        self.round_trips.extend(closed)
        return closed

    def add_all(self, fills: Iterable[Fill]) -> list[RoundTrip]:
        """Apply fills in time order (stable for equal times); the round trips they closed."""
        closed: list[RoundTrip] = []
        for fill in sorted(fills, key=lambda f: f.time):
            closed.extend(self.add(fill))
        return closed

    def open_lots(self) -> Iterator[Lot]:
        for book in self._books.values():
            yield from book.lots

    def position(self, account_id: str, symbol: str) -> Decimal:
        book = self._books.get((account_id, symbol))
        return book.position if book else _ZERO


class FillTracker:
    """Turns successive snapshots of orders into fills: each snapshot adds what it executed
    since the last one (an order stream resends whole orders on every change)."""

    def __init__(self, point_value: Callable[[str, str | None], Decimal] | None = None) -> None:
        self._done: dict[tuple[str, int], tuple[Decimal, Decimal, Decimal]] = {}
        self._point_value = point_value or default_point_value

    def fills(self, order: Order, *, at: datetime | None = None) -> list[Fill]:
        return fills_from_order(order, self._done, self._point_value, at=at)


def fills_from_order(
    order: Order,
    done: dict[tuple[str, int], tuple[Decimal, Decimal, Decimal]] | None = None,
    point_value: Callable[[str, str | None], Decimal] = default_point_value,
    *,
    at: datetime | None = None,
) -> list[Fill]:
    """The fills an order snapshot adds to what ``done`` already holds (updated in place).

    ``done`` maps (order id, leg index) to (executed quantity, executed value, commission) seen
    so far. A leg's executed value is its quantity times its average execution price, so the
    new fill's price is the difference of values over the difference of quantities.
    """
    seen = {} if done is None else done
    # Most snapshots (every order frame in the TUI) execute nothing new: the time and the
    # order's executed total are worked out at its first new fill only.
    when: datetime | None = None
    total_exec = _ZERO
    out: list[Fill] = []
    for index, leg in enumerate(order.legs):
        action = (leg.buy_or_sell or "").replace(" ", "").upper()
        sign = 1 if action in BUY_ACTIONS else -1 if action in SELL_ACTIONS else 0
        executed = leg.exec_quantity or _ZERO
        price = leg.execution_price if leg.execution_price is not None else order.filled_price
        if sign == 0 or executed <= 0 or price is None or not leg.symbol:
            continue
        key = (order.order_id, index)
        prev_qty, prev_value, prev_fee = seen.get(key, (_ZERO, _ZERO, _ZERO))
        if executed <= prev_qty:
            continue
        if when is None:
            when = at or order.closed_date_time or order.opened_date_time or datetime.now(UTC)
            total_exec = sum((leg.exec_quantity or _ZERO for leg in order.legs), _ZERO)
        value = executed * price
        delta = executed - prev_qty
        if prev_qty == 0:
            fill_price = price
        else:  # this execution's own price, from the change of the average
            places = max(-price.as_tuple().exponent, 0) + 4  # type: ignore[operator]
            fill_price = ((value - prev_value) / delta).quantize(Decimal(1).scaleb(-places))
        # the order's commission so far, this leg's share by executed quantity
        fee = _share(order.commission_fee or _ZERO, executed, total_exec) if total_exec else _ZERO
        out.append(
            Fill(
                fill_id=f"{order.order_id}:{index}:{executed}",
                account_id=order.account_id or "",
                symbol=leg.symbol,
                time=when,
                quantity=delta * sign,
                price=fill_price,
                commission=max(fee - prev_fee, _ZERO),
                point_value=point_value(leg.symbol, leg.asset_type),
                closes_only=action in _CLOSING and (leg.asset_type or "").upper() != "FUTURE",
            )
        )
        seen[key] = (executed, value, fee)
    return out


@dataclass(frozen=True, slots=True)
class PnLSummary:
    trades: int
    wins: int
    losses: int
    net: Decimal
    gross_profit: Decimal
    gross_loss: Decimal  # <= 0
    commission: Decimal
    max_drawdown: Decimal  # >= 0: the largest fall of cumulative net P&L from a peak

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.wins) / Decimal(self.trades) if self.trades else None

    @property
    def average_win(self) -> Decimal | None:
        return self.gross_profit / self.wins if self.wins else None

    @property
    def average_loss(self) -> Decimal | None:
        return self.gross_loss / self.losses if self.losses else None

    @property
    def profit_factor(self) -> Decimal | None:
        """Gross profit over gross loss (None when nothing was lost)."""
        return self.gross_profit / -self.gross_loss if self.gross_loss else None


def equity_curve(trips: Iterable[RoundTrip]) -> list[tuple[datetime, Decimal]]:
    """Cumulative net realized P&L after each round trip, in exit-time order."""
    total = _ZERO
    curve: list[tuple[datetime, Decimal]] = []
    for trip in sorted(trips, key=lambda t: t.exit_time):
        total += trip.net
        curve.append((trip.exit_time, total))
    return curve


def summarize(trips: Iterable[RoundTrip]) -> PnLSummary:
    items = list(trips)
    wins = [t.net for t in items if t.net > 0]
    losses = [t.net for t in items if t.net < 0]
    peak = drawdown = _ZERO
    for _, level in equity_curve(items):
        peak = max(peak, level)
        drawdown = max(drawdown, peak - level)
    return PnLSummary(
        trades=len(items),
        wins=len(wins),
        losses=len(losses),
        net=sum((t.net for t in items), _ZERO),
        gross_profit=sum(wins, _ZERO),
        gross_loss=sum(losses, _ZERO),
        commission=sum((t.commission for t in items), _ZERO),
        max_drawdown=drawdown,
    )


def pnl_by_day(trips: Iterable[RoundTrip]) -> dict[date, Decimal]:
    """Net realized P&L per UTC day of the exit, in day order."""
    days: dict[date, Decimal] = defaultdict(lambda: _ZERO)
    for trip in trips:
        days[trip.exit_time.astimezone(UTC).date()] += trip.net
    return dict(sorted(days.items()))


def pnl_by_symbol(trips: Iterable[RoundTrip]) -> dict[str, Decimal]:
    """Net realized P&L per symbol, in symbol order."""
    symbols: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    for trip in trips:
        symbols[trip.symbol] += trip.net
    return dict(sorted(symbols.items()))


def cents(value: Decimal) -> Decimal:
    """Money for display: commissions split by quantity can leave fractions of a cent."""
    return value.quantize(Decimal("0.01"))


def _same_symbol(symbol: str, wanted: str) -> bool:
    """``MSFT`` is MSFT; a futures root (``ES`` or ``@ES``) is every contract of it."""
    symbol, wanted = symbol.upper(), wanted.strip().upper()
    if symbol == wanted:
        return True
    try:
        return futures.parse_contract(symbol).root == wanted.removeprefix("@")
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class TripFilter:
    """Which round trips to show: by account, symbol, and the UTC day of the exit (a trip's
    P&L is realized when it closes). ``None`` means no restriction."""

    accounts: frozenset[str] | None = None
    symbol: str | None = None  # without case; a futures root matches its contracts
    since: date | None = None  # first exit day, inclusive
    until: date | None = None  # last exit day, inclusive

    def matches(self, trip: RoundTrip) -> bool:
        if self.accounts is not None and trip.account_id not in self.accounts:
            return False
        if self.symbol and not _same_symbol(trip.symbol, self.symbol):
            return False
        day = trip.exit_time.astimezone(UTC).date()
        if self.since is not None and day < self.since:
            return False
        return self.until is None or day <= self.until

    def matches_fill(self, fill: Fill) -> bool:
        """The account and symbol parts only (a fill has no exit day)."""
        if self.accounts is not None and fill.account_id not in self.accounts:
            return False
        return not self.symbol or _same_symbol(fill.symbol, self.symbol)

    def apply(self, trips: Iterable[RoundTrip]) -> list[RoundTrip]:
        return [trip for trip in trips if self.matches(trip)]


@dataclass(frozen=True, slots=True)
class GroupRow:
    """The round trips of one exit day or one symbol, added up."""

    key: str  # "2026-11-02" or "ESZ26"
    trades: int
    wins: int
    losses: int
    gross: Decimal
    commission: Decimal
    net: Decimal


def group_trips(trips: Iterable[RoundTrip], by: Literal["day", "symbol"]) -> list[GroupRow]:
    """Round trips per UTC exit day or per symbol, in key order."""
    groups: dict[str, list[RoundTrip]] = defaultdict(list)
    for trip in trips:
        key = trip.exit_time.astimezone(UTC).date().isoformat() if by == "day" else trip.symbol
        groups[key].append(trip)
    return [
        GroupRow(
            key=key,
            trades=len(items),
            wins=sum(1 for t in items if t.net > 0),
            losses=sum(1 for t in items if t.net < 0),
            gross=sum((t.gross for t in items), _ZERO),
            commission=sum((t.commission for t in items), _ZERO),
            net=sum((t.net for t in items), _ZERO),
        )
        for key, items in sorted(groups.items())
    ]
