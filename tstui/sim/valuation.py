"""Day-based valuation: what beginning-of-day equity holds and where today's P&L starts.

"Today" is the simulator clock's UTC day. The engine remembers today's fills per account and
symbol, so a position is split exactly into what was held at the start of the day (valued
from the previous close, like the quote's ``NetChange``) and what today's fills added or
removed (from their fill prices):

    day P&L(symbol) = bod_qty x (last - previous close) x pv
                      + sum(fill_qty x (last - fill price) x pv) - today's commissions

Beginning-of-day equity values the stock held overnight at the same previous close, so
equity - BOD equity = day P&L.

Fills are kept in memory only: after a restart the day starts from the restored positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from tstui.sim.clock import SimClock
from tstui.sim.instruments import Instrument
from tstui.sim.market import PricePaths
from tstui.sim.quotes import previous_close, previous_close_time
from tstui.sim.records import SimAccount, SimPosition
from tstui.sim.views import Quote

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class DayFill:
    day: date
    quantity: Decimal  # signed: + bought, - sold
    price: Decimal
    commission: Decimal
    cash_change: Decimal


class Ledger(Protocol):
    """What day valuation reads of the brokerage state (the engine provides it): valuation
    depends on this, not on the ledger, which depends on valuation."""

    @property
    def clock(self) -> SimClock: ...
    @property
    def paths(self) -> PricePaths: ...
    @property
    def accounts(self) -> Mapping[str, SimAccount]: ...
    @property
    def positions(self) -> Mapping[tuple[str, str], SimPosition]: ...
    @property
    def day_fills(self) -> Mapping[tuple[str, str], Sequence[DayFill]]: ...
    def today_start(self) -> datetime: ...
    def tradable(self, symbol: str, at: datetime | None = None) -> Instrument | None: ...
    def quote_of(self, symbol: str, at: datetime | None = None) -> Quote: ...
    def positions_of(self, account_id: str) -> Sequence[SimPosition]: ...


def _fills_today(ledger: Ledger, account_id: str, symbol: str) -> list[DayFill]:
    today = ledger.today_start().date()
    return [f for f in ledger.day_fills.get((account_id, symbol), ()) if f.day == today]


def _held(ledger: Ledger, account_id: str, symbol: str) -> Decimal:
    pos = ledger.positions.get((account_id, symbol))
    return pos.quantity if pos is not None else _ZERO


def bod_quantity(ledger: Ledger, account_id: str, symbol: str) -> Decimal:
    """What was held at the start of the day: now, less what today's fills changed."""
    changed = sum((f.quantity for f in _fills_today(ledger, account_id, symbol)), _ZERO)
    return _held(ledger, account_id, symbol) - changed


def symbol_day_pl(ledger: Ledger, account_id: str, symbol: str) -> Decimal:
    inst = ledger.tradable(symbol)
    point_value = inst.point_value if inst else Decimal(1)
    last = ledger.quote_of(symbol)[0]
    total = _ZERO
    bod = bod_quantity(ledger, account_id, symbol)
    if bod:
        total += bod * (last - _previous_close(ledger, symbol)) * point_value
    for fill in _fills_today(ledger, account_id, symbol):
        total += fill.quantity * (last - fill.price) * point_value - fill.commission
    return total


def _previous_close(ledger: Ledger, symbol: str) -> Decimal:
    inst = ledger.tradable(symbol)
    if inst is None:
        return _ZERO
    if inst.asset_type in ("STOCKOPTION", "FUTUREOPTION"):  # the option market's mark then
        return ledger.quote_of(symbol, previous_close_time(ledger.clock.now()))[0]
    return previous_close(ledger.paths, inst, ledger.clock.now())


def _symbols(ledger: Ledger, account_id: str) -> Iterable[str]:
    held = {pos.symbol for pos in ledger.positions_of(account_id)}
    traded = {symbol for (owner, symbol) in ledger.day_fills if owner == account_id}
    return sorted(held | traded)


def todays_pl(ledger: Ledger, account_id: str) -> Decimal:
    """The account's P&L since the start of the day, realized and unrealized."""
    return sum((symbol_day_pl(ledger, account_id, s) for s in _symbols(ledger, account_id)), _ZERO)


def bod_cash(ledger: Ledger, account_id: str) -> Decimal:
    """Cash at the start of the day: now, less what today's fills moved."""
    today = ledger.today_start().date()
    moved = sum(
        (
            f.cash_change
            for (owner, _), fills in ledger.day_fills.items()
            if owner == account_id
            for f in fills
            if f.day == today
        ),
        _ZERO,
    )
    return ledger.accounts[account_id].cash - moved


def bod_securities_value(ledger: Ledger, account_id: str) -> Decimal:
    """Stock held at the start of the day at the previous close: the part of beginning-of-
    day equity that is not cash (futures add open trade equity, not value); options count
    at their premium x the multiplier."""
    total = _ZERO
    for symbol in _symbols(ledger, account_id):
        inst = ledger.tradable(symbol)
        if inst is not None and inst.asset_type not in ("STOCK", "STOCKOPTION"):
            continue
        bod = bod_quantity(ledger, account_id, symbol)
        if bod:
            multiplier = inst.point_value if inst is not None else Decimal(1)
            total += bod * _previous_close(ledger, symbol) * multiplier
    return total
