"""Listed option series of the simulator's stocks, on the sim clock.

Expirations: every Friday of the next six weeks (``Weekly``; the month's third Friday is the
``Monthly``) and the third Friday of the next six months; a series disappears at its expiry
instant (21:00 UTC, the 16:00 ET close: ``pricing.expiry_instant``). Exchange holidays are
ignored, as the futures calendar ignores them.

Strikes: a fixed grid per underlying, its spacing chosen from the stock's usual price level
(2.5 under 250, 5 above), so a symbol never changes meaning. The listed window is the grid
points within 25% of the underlying's price at the start of the sim day (new strikes are
listed day by day as the market moves, as exchanges do); a contract stays valid (ordered,
held, priced) while its strike is on the grid and its expiration has not passed.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from tstui.domain.options.pricing import expiry_instant
from tstui.domain.options.symbology import OptionSymbol, parse_option_symbol
from tstui.sim.engine import Engine
from tstui.sim.instruments import STOCKS, Instrument
from tstui.sim.market import day_start

WEEKLY_COUNT = 6
MONTHLY_COUNT = 6
WINDOW = Decimal("0.25")  # listed strikes: within 25% of the day's opening price
MULTIPLIER = Decimal(100)


def is_optionable(underlying: str) -> bool:
    return underlying.strip().upper() in STOCKS


def strike_spacing(underlying: str) -> Decimal:
    base = STOCKS[underlying.strip().upper()][2]
    if base < 25:
        return Decimal("0.5")
    if base < 100:
        return Decimal(1)
    return Decimal("2.5") if base < 250 else Decimal(5)


def third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    offset = (calendar.FRIDAY - first.weekday()) % 7
    return first + timedelta(days=offset + 14)


def expirations(at: datetime) -> list[tuple[date, str]]:
    """(date, Type) of every listed expiration at ``at``, soonest first."""
    found: dict[date, str] = {}
    day = at.date()
    friday = day + timedelta(days=(calendar.FRIDAY - day.weekday()) % 7)
    while len(found) < WEEKLY_COUNT:
        if expiry_instant(friday) > at:
            monthly = friday == third_friday(friday.year, friday.month)
            found[friday] = "Monthly" if monthly else "Weekly"
        friday += timedelta(days=7)
    year, month, months = day.year, day.month, 0
    while months < MONTHLY_COUNT:
        expiry = third_friday(year, month)
        if expiry_instant(expiry) > at:
            found.setdefault(expiry, "Monthly")
            months += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(found.items())


def is_listed_expiration(expiration: date, at: datetime) -> bool:
    return any(d == expiration for d, _ in expirations(at))


def underlying_instrument(engine: Engine, underlying: str, at: datetime) -> Instrument | None:
    if not is_optionable(underlying):
        return None
    return engine.instrument(underlying.strip().upper(), at)


def strikes(engine: Engine, underlying: str, at: datetime) -> list[Decimal]:
    """The listed strikes (the same for every expiration), ascending."""
    inst = underlying_instrument(engine, underlying, at)
    if inst is None:
        return []
    spacing = strike_spacing(inst.symbol)
    reference = engine.paths.price_at(inst, day_start(at))
    low = ((reference * (1 - WINDOW)) / spacing).to_integral_value() * spacing
    high = reference * (1 + WINDOW)
    out: list[Decimal] = []
    strike = max(spacing, low)
    while strike <= high:
        out.append(strike)
        strike += spacing
    return out


def on_grid(underlying: str, strike: Decimal) -> bool:
    spacing = strike_spacing(underlying)
    return strike > 0 and (strike / spacing) == (strike / spacing).to_integral_value()


def option_contract(engine: Engine, symbol: str, at: datetime | None = None) -> OptionSymbol | None:
    """The contract ``symbol`` names if the simulator lists it and it has not expired."""
    try:
        contract = parse_option_symbol(symbol)
    except ValueError:
        return None
    now = at or engine.clock.now()
    if not is_optionable(contract.root) or not on_grid(contract.root, contract.strike):
        return None
    if not is_listed_expiration(contract.expiration, now):
        return None
    return contract


def settlement_price(engine: Engine, contract: OptionSymbol) -> Decimal:
    """The underlying's price at the contract's expiry instant (what exercise settles on)."""
    inst = engine.instrument(contract.root, expiry_instant(contract.expiration))
    if inst is None:
        raise ValueError(f"{contract.root} is not an underlying of the simulator")
    return engine.paths.price_at(inst, expiry_instant(contract.expiration))
