"""Listed option series on the sim clock: options on the simulator's stocks and on its
futures contracts.

Stock options: every Friday of the next six weeks (``Weekly``; the month's third Friday is
the ``Monthly``) and the third Friday of the next six months. A series disappears at its
expiry instant (21:00 UTC, the 16:00 ET close: ``pricing.expiry_instant``). Exchange holidays
are ignored, as the futures calendar ignores them.

Futures options (``ESH27 C6000``, TradeStation's form): one expiration per futures contract,
the contract's last trading day (``symbology.futures_option_expiration``), listed for the
contracts that expire within ``FUTURES_LISTING_DAYS``; the underlying is the contract itself
(never the continuous ``@ES``), priced with Black-76, one future per contract (the point
value is the multiplier).

Strikes: a fixed grid per underlying, its spacing from the product's usual price level (stocks
2.5 under 250, 5 above; ES 25, NQ 100, CL 1, GC 10), so a symbol never changes meaning. The
listed window is the grid points within 25% (futures 12%) of the underlying's price at the
start of the sim day (strikes are added day by day as the market moves, as exchanges do); a
contract stays valid (ordered, held, priced) while its strike is on the grid and its
expiration has not passed.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from tstui.domain.market import futures
from tstui.domain.options.pricing import expiry_instant
from tstui.domain.options.symbology import (
    OptionSymbol,
    futures_option_expiration,
    is_futures_root,
    parse_option_symbol,
)
from tstui.sim.engine import Engine
from tstui.sim.instruments import STOCKS, Instrument
from tstui.sim.market import day_start

WEEKLY_COUNT = 6
MONTHLY_COUNT = 6
WINDOW = Decimal("0.25")  # stock strikes: within 25% of the day's opening price
FUTURES_WINDOW = Decimal("0.12")
FUTURES_LISTING_DAYS = 400
FUTURES_STRIKE_SPACING: dict[str, Decimal] = {
    "ES": Decimal(25),
    "NQ": Decimal(100),
    "CL": Decimal(1),
    "GC": Decimal(10),
}
QUARTERLY_PRODUCTS = ("ES", "NQ")
MULTIPLIER = Decimal(100)  # shares per stock option contract


def _name(underlying: str) -> str:
    return underlying.strip().upper()


def is_futures_underlying(underlying: str) -> bool:
    """A futures contract (``ESH27``) of a product with listed options."""
    name = _name(underlying)
    return is_futures_root(name) and futures.root_of(name) in FUTURES_STRIKE_SPACING


def is_optionable(underlying: str) -> bool:
    return _name(underlying) in STOCKS or is_futures_underlying(underlying)


def product_root(underlying: str) -> str:
    """``MSFT`` for a stock, ``ES`` for ``ESH27``: what the volatility and grid are keyed on."""
    name = _name(underlying)
    return futures.root_of(name) if is_futures_underlying(name) else name


def multiplier_of(underlying: str) -> Decimal:
    """Units of the underlying per contract: 100 shares, or the future's point value."""
    if is_futures_underlying(underlying):
        return futures.product(product_root(underlying)).point_value
    return MULTIPLIER


def strike_spacing(underlying: str) -> Decimal:
    if is_futures_underlying(underlying):
        return FUTURES_STRIKE_SPACING[product_root(underlying)]
    base = STOCKS[_name(underlying)][2]
    if base < 25:
        return Decimal("0.5")
    if base < 100:
        return Decimal(1)
    return Decimal("2.5") if base < 250 else Decimal(5)


def third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    offset = (calendar.FRIDAY - first.weekday()) % 7
    return first + timedelta(days=offset + 14)


def _stock_expirations(at: datetime) -> list[tuple[date, str]]:
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


def expirations(at: datetime, underlying: str | None = None) -> list[tuple[date, str]]:
    """(date, Type) of every listed expiration at ``at``, soonest first: the stock calendar
    (``underlying`` None or a stock), or a futures contract's one expiration."""
    if underlying is None or not is_futures_underlying(underlying):
        return _stock_expirations(at)
    expiry = futures_option_expiration(_name(underlying))
    if not at < expiry_instant(expiry) <= at + timedelta(days=FUTURES_LISTING_DAYS):
        return []
    kind = "Quarterly" if product_root(underlying) in QUARTERLY_PRODUCTS else "Monthly"
    return [(expiry, kind)]


def is_listed_expiration(expiration: date, at: datetime, underlying: str | None = None) -> bool:
    return any(d == expiration for d, _ in expirations(at, underlying))


def underlying_instrument(engine: Engine, underlying: str, at: datetime) -> Instrument | None:
    if not is_optionable(underlying):
        return None
    inst = engine.instrument(_name(underlying), at)
    if inst is None or inst.underlying is not None:  # never a continuous symbol
        return None
    return inst


def strikes(engine: Engine, underlying: str, at: datetime) -> list[Decimal]:
    """The listed strikes (the same for every expiration), ascending."""
    inst = underlying_instrument(engine, underlying, at)
    if inst is None:
        return []
    spacing = strike_spacing(inst.symbol)
    window = FUTURES_WINDOW if inst.is_future else WINDOW
    reference = engine.paths.price_at(inst, day_start(at))
    low = ((reference * (1 - window)) / spacing).to_integral_value() * spacing
    high = reference * (1 + window)
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
    if not is_listed_expiration(contract.expiration, now, contract.root):
        return None
    if underlying_instrument(engine, contract.root, now) is None:
        return None
    return contract


def settlement_price(engine: Engine, contract: OptionSymbol) -> Decimal:
    """The underlying's price at the contract's expiry instant (what exercise settles on)."""
    inst = engine.instrument(contract.root, expiry_instant(contract.expiration))
    if inst is None:
        raise ValueError(f"{contract.root} is not an underlying of the simulator")
    return engine.paths.price_at(inst, expiry_instant(contract.expiration))
