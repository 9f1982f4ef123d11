"""Option quotes from the model over the simulator's own underlying.

Each contract is priced with Black-Scholes (Black-76 on a futures contract) at a volatility
from a smile (skewed to the downside, a little higher near expiry) over the underlying's
``Last``. The quote straddles the model value: bid rounded down and ask rounded up to the
option tick (0.01 under 3.00, 0.05 from there; futures options too, a simplification), so
put-call parity holds within the spread and prices are monotone in the strike.
``ImpliedVolatility`` is read back from the mid; the ``TheoreticalValue`` and the plain
probabilities use the product's "historical" volatility (flat, no smile), the ``_IV`` ones
the implied. Volume and open interest are deterministic per (contract, day), largest at the
money. Everything is a pure function of (seed, symbol, sim time): no state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from tstui.domain.options import pricing
from tstui.domain.options.pricing import Greeks
from tstui.domain.options.symbology import OptionSymbol, OptionType
from tstui.sim.engine import Engine
from tstui.sim.instruments import Instrument
from tstui.sim.market import _unit_hash, day_start, volume_for
from tstui.sim.options_series import (
    MULTIPLIER,
    multiplier_of,
    option_contract,
    product_root,
    underlying_instrument,
)
from tstui.sim.quotes import previous_close_time

RISK_FREE_RATE = 0.045  # the sim's $IRX.X
BASE_VOL: dict[str, float] = {
    "MSFT": 0.24,
    "AAPL": 0.26,
    "SPY": 0.15,
    "NVDA": 0.48,
    "ES": 0.16,
    "NQ": 0.21,
    "CL": 0.36,
    "GC": 0.17,
}
HISTORICAL_FACTOR = 0.95  # realised vol runs a little under implied
_SKEW, _SMILE = 0.9, 1.6
_HALF_SPREAD_FIXED = Decimal("0.02")
_HALF_SPREAD_RATIO = Decimal("0.01")
_HALF_SPREAD_MAX = Decimal("0.60")  # deep in the money: a dollar or so wide, not percent-wide
_PENNY, _NICKEL = Decimal("0.01"), Decimal("0.05")


def option_tick(price: Decimal) -> Decimal:
    return _PENNY if price < 3 else _NICKEL


def _round(value: Decimal, rounding: str) -> Decimal:
    tick = option_tick(value)
    return (value / tick).to_integral_value(rounding) * tick


def market_vol(root: str, spot: float, strike: float, years: float, t: float) -> float:
    """The smile: higher for low strikes, a little higher for short expiries, breathing slowly
    with sim time ``t`` (epoch seconds) so implied volatility moves too."""
    base = BASE_VOL.get(product_root(root), 0.3)
    x = max(-0.6, min(0.6, math.log(strike / spot)))
    term = 1.0 + 0.12 * math.exp(-years * 12.0)
    breathe = 1.0 + 0.04 * math.sin(t / (86400.0 * 2.3))
    return base * term * breathe * (1.0 - _SKEW * x + _SMILE * x * x)


def historical_vol(root: str) -> float:
    return BASE_VOL.get(product_root(root), 0.3) * HISTORICAL_FACTOR


@dataclass(frozen=True, slots=True)
class OptionQuote:
    contract: OptionSymbol
    underlying_price: Decimal
    bid: Decimal
    ask: Decimal
    last: Decimal
    theo: Decimal  # model value at the market (smile) volatility
    greeks: Greeks  # at the implied volatility
    iv: float
    years: float
    bid_size: int
    ask_size: int
    volume: int
    open_interest: int
    open: Decimal
    high: Decimal
    low: Decimal
    previous_close: Decimal
    day_values: tuple[Decimal, ...]  # the model value at ``day_samples`` (spreads' high/low)
    multiplier: Decimal = MULTIPLIER  # 100 shares; a futures option: the point value

    @property
    def symbol(self) -> str:
        return self.contract.symbol

    @property
    def mid(self) -> Decimal:
        return (self.bid + self.ask) / 2

    @property
    def intrinsic(self) -> Decimal:
        return pricing.intrinsic_value(
            self.contract.option_type, self.underlying_price, self.contract.strike
        )


def day_samples(now: datetime) -> list[datetime]:
    """Instants from the start of the sim day to ``now`` where the day's open, high and low are
    sampled (a handful: each is a model evaluation per contract)."""
    start = day_start(now)
    span = (now - start).total_seconds()
    return [start + timedelta(seconds=span * i / 6) for i in range(6)]


def model_value(
    contract: OptionSymbol, spot: Decimal, at: datetime, rate: float = RISK_FREE_RATE
) -> float:
    """The contract's model value at ``at`` with the underlying at ``spot``."""
    years = pricing.year_fraction(at, contract.expiration)
    s, k = float(spot), float(contract.strike)
    vol = market_vol(contract.root, s, k, years, at.timestamp())
    futures = contract.is_future_option
    return pricing.price_option(contract.option_type, s, k, years, rate, vol, futures=futures).value


def _value_at(engine: Engine, inst: Instrument, contract: OptionSymbol, at: datetime) -> Decimal:
    spot = engine.paths.price_at(inst, at)
    return _round(Decimal(repr(model_value(contract, spot, at))), ROUND_FLOOR)


def _activity(engine: Engine, contract: OptionSymbol, spot: float, at: datetime) -> tuple[int, int]:
    """(volume today, open interest): most at the money, growing through the day."""
    symbol = contract.symbol
    distance = math.log(float(contract.strike) / spot)
    weight = math.exp(-((distance / 0.08) ** 2)) + 0.05
    start = day_start(at)
    hours = max(0.0, min(1.0, (at - start).total_seconds() / 86400.0))
    bucket = int(start.timestamp())
    volume = int(volume_for(engine.seed, symbol, bucket, int(4000 * weight)) * hours)
    open_interest = volume_for(engine.seed, symbol, 0, int(20000 * weight)) + 10
    return volume, open_interest


def option_quote(engine: Engine, symbol: str, at: datetime | None = None) -> OptionQuote | None:
    """The quote of a listed, unexpired option at ``at`` (default: now); None otherwise."""
    now = at or engine.clock.now()
    contract = option_contract(engine, symbol, now)
    if contract is None:
        return None
    inst = underlying_instrument(engine, contract.root, now)
    if inst is None:
        return None
    return quote_contract(engine, inst, contract, now)


def quote_contract(
    engine: Engine, inst: Instrument, contract: OptionSymbol, now: datetime
) -> OptionQuote:
    spot = engine.paths.price_at(inst, now)
    s, k = float(spot), float(contract.strike)
    years = pricing.year_fraction(now, contract.expiration)
    theo_f = model_value(contract, spot, now)
    theo = Decimal(repr(theo_f))
    half = min(_HALF_SPREAD_MAX, _HALF_SPREAD_FIXED + _HALF_SPREAD_RATIO * theo)
    bid = max(Decimal(0), _round(theo - half, ROUND_FLOOR))
    ask = max(_PENNY, _round(theo + half, ROUND_CEILING))
    mid = (bid + ask) / 2
    kind = contract.option_type
    futures = contract.is_future_option
    iv = pricing.implied_volatility(
        kind,
        float(mid),
        s,
        k,
        years,
        RISK_FREE_RATE,
        futures=futures,
        guess=historical_vol(contract.root),
    )
    if iv is None:  # the mid is below the model's floor (deep in the money, or expiring)
        iv = market_vol(contract.root, s, k, years, now.timestamp())
    greeks = pricing.price_option(kind, s, k, years, RISK_FREE_RATE, iv, futures=futures)
    last = min(ask, max(bid, _round(theo, ROUND_FLOOR)))
    values = tuple(_value_at(engine, inst, contract, t) for t in day_samples(now))
    volume, open_interest = _activity(engine, contract, s, now)
    sizes = _unit_hash(engine.seed, contract.symbol, "size", int(now.timestamp() // 60))
    return OptionQuote(
        contract=contract,
        underlying_price=spot,
        bid=bid,
        ask=ask,
        last=last,
        theo=pricing.to_decimal(theo_f),
        greeks=greeks,
        iv=iv,
        years=years,
        bid_size=1 + int(sizes * 60),
        ask_size=1 + int((1 - sizes) * 60),
        volume=volume,
        open_interest=open_interest,
        day_values=values,
        open=values[0],
        high=max([*values, last]),
        low=min([*values, last]),
        previous_close=_value_at(engine, inst, contract, previous_close_time(now)),
        multiplier=multiplier_of(contract.root),
    )


def is_call(contract: OptionSymbol) -> bool:
    return contract.option_type is OptionType.CALL
