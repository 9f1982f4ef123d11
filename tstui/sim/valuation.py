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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tstui.sim.quotes import previous_close

if TYPE_CHECKING:
    from tstui.sim.engine import Engine

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class DayFill:
    day: date
    quantity: Decimal  # signed: + bought, - sold
    price: Decimal
    commission: Decimal
    cash_change: Decimal


def _fills_today(engine: Engine, account_id: str, symbol: str) -> list[DayFill]:
    today = engine.today_start().date()
    return [f for f in engine.day_fills.get((account_id, symbol), ()) if f.day == today]


def _held(engine: Engine, account_id: str, symbol: str) -> Decimal:
    pos = engine.positions.get((account_id, symbol))
    return pos.quantity if pos is not None else _ZERO


def bod_quantity(engine: Engine, account_id: str, symbol: str) -> Decimal:
    """What was held at the start of the day: now, less what today's fills changed."""
    changed = sum((f.quantity for f in _fills_today(engine, account_id, symbol)), _ZERO)
    return _held(engine, account_id, symbol) - changed


def symbol_day_pl(engine: Engine, account_id: str, symbol: str) -> Decimal:
    inst = engine.instrument(symbol)
    point_value = inst.point_value if inst else Decimal(1)
    last = engine.quote_of(symbol)[0]
    total = _ZERO
    bod = bod_quantity(engine, account_id, symbol)
    if bod:
        total += bod * (last - _previous_close(engine, symbol)) * point_value
    for fill in _fills_today(engine, account_id, symbol):
        total += fill.quantity * (last - fill.price) * point_value - fill.commission
    return total


def _previous_close(engine: Engine, symbol: str) -> Decimal:
    inst = engine.instrument(symbol)
    if inst is None:
        return _ZERO
    return previous_close(engine.paths, inst, engine.clock.now())


def _symbols(engine: Engine, account_id: str) -> Iterable[str]:
    held = {pos.symbol for pos in engine.positions_of(account_id)}
    traded = {symbol for (owner, symbol) in engine.day_fills if owner == account_id}
    return sorted(held | traded)


def todays_pl(engine: Engine, account_id: str) -> Decimal:
    """The account's P&L since the start of the day, realized and unrealized."""
    return sum((symbol_day_pl(engine, account_id, s) for s in _symbols(engine, account_id)), _ZERO)


def bod_cash(engine: Engine, account_id: str) -> Decimal:
    """Cash at the start of the day: now, less what today's fills moved."""
    today = engine.today_start().date()
    moved = sum(
        (
            f.cash_change
            for (owner, _), fills in engine.day_fills.items()
            if owner == account_id
            for f in fills
            if f.day == today
        ),
        _ZERO,
    )
    return engine.accounts[account_id].cash - moved


def bod_securities_value(engine: Engine, account_id: str) -> Decimal:
    """Stock held at the start of the day at the previous close: the part of beginning-of-
    day equity that is not cash (futures add open trade equity, not value)."""
    total = _ZERO
    for symbol in _symbols(engine, account_id):
        inst = engine.instrument(symbol)
        if inst is not None and inst.asset_type != "STOCK":
            continue
        bod = bod_quantity(engine, account_id, symbol)
        if bod:
            total += bod * _previous_close(engine, symbol)
    return total
