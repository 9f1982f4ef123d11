"""Option prices and greeks: Black-Scholes (stock options), Black-76 (futures options).

The model works in floats (``math.erf``/``exp``/``log``: a Decimal model would be slow and
no more right); prices cross the edge as Decimal through ``to_decimal``. Units follow the
API's ``Spread`` fields: theta is per calendar day, vega per one volatility point (0.26 ->
0.27), rho per one percentage point of the rate. Times are ACT/365 year fractions.
Probabilities are risk-neutral (the drift is the rate), from the lognormal terminal price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal

from tstui.domain.options.symbology import OptionType

__all__ = [
    "EXPIRY_HOUR_UTC",
    "Greeks",
    "black76",
    "black_scholes",
    "expiry_instant",
    "extrinsic_value",
    "implied_volatility",
    "intrinsic_value",
    "norm_cdf",
    "norm_pdf",
    "price_option",
    "probability_beyond",
    "probability_itm",
    "probability_touch",
    "standard_deviation",
    "to_decimal",
    "year_fraction",
]

EXPIRY_HOUR_UTC = 21  # an expiration date's options stop trading at the 16:00 ET close
_SECONDS_PER_YEAR = 365.0 * 86400.0
_MIN_VOL, _MAX_VOL = 1e-4, 5.0


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class Greeks:
    """Theoretical value and greeks of one contract (per unit of the underlying)."""

    value: float
    delta: float
    gamma: float
    theta: float  # per calendar day
    vega: float  # per volatility point
    rho: float  # per percentage point of the rate


def expiry_instant(expiration: date) -> datetime:
    """When an expiration date's contracts stop trading (the US equity close, in UTC)."""
    return datetime.combine(expiration, time(EXPIRY_HOUR_UTC), tzinfo=UTC)


def year_fraction(now: datetime, until: datetime | date) -> float:
    """ACT/365 years from ``now`` to ``until`` (a date means its expiry instant); >= 0."""
    end = until if isinstance(until, datetime) else expiry_instant(until)
    return max(0.0, (end - now).total_seconds() / _SECONDS_PER_YEAR)


def _d1_d2(s: float, k: float, t: float, carry: float, vol: float) -> tuple[float, float]:
    sd = vol * math.sqrt(t)
    d1 = (math.log(s / k) + (carry + 0.5 * vol * vol) * t) / sd
    return d1, d1 - sd


def _expired(kind: OptionType, s: float, k: float, forward_value: float) -> Greeks:
    """No time or no volatility left: the (discounted) intrinsic value, a step delta."""
    call = kind is OptionType.CALL
    value = max(0.0, forward_value) if call else max(0.0, -forward_value)
    itm = s > k if call else s < k
    delta = (1.0 if call else -1.0) if itm else 0.0
    return Greeks(value, delta, 0.0, 0.0, 0.0, 0.0)


def black_scholes(
    kind: OptionType,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    vol: float,
    dividend: float = 0.0,
) -> Greeks:
    """European option on a stock paying a continuous ``dividend`` yield."""
    if spot <= 0 or strike <= 0:
        raise ValueError("spot and strike must be positive")
    if years <= 0 or vol <= 0:
        df_q, df_r = math.exp(-dividend * years), math.exp(-rate * years)
        return _expired(kind, spot, strike, spot * df_q - strike * df_r)
    d1, d2 = _d1_d2(spot, strike, years, rate - dividend, vol)
    df_q, df_r = math.exp(-dividend * years), math.exp(-rate * years)
    root_t = math.sqrt(years)
    pdf = norm_pdf(d1)
    gamma = df_q * pdf / (spot * vol * root_t)
    vega = spot * df_q * pdf * root_t / 100.0
    decay = -spot * df_q * pdf * vol / (2.0 * root_t)
    if kind is OptionType.CALL:
        value = spot * df_q * norm_cdf(d1) - strike * df_r * norm_cdf(d2)
        delta = df_q * norm_cdf(d1)
        theta = decay - rate * strike * df_r * norm_cdf(d2) + dividend * spot * df_q * norm_cdf(d1)
        rho = strike * years * df_r * norm_cdf(d2) / 100.0
    else:
        value = strike * df_r * norm_cdf(-d2) - spot * df_q * norm_cdf(-d1)
        delta = df_q * (norm_cdf(d1) - 1.0)
        theta = (
            decay + rate * strike * df_r * norm_cdf(-d2) - dividend * spot * df_q * norm_cdf(-d1)
        )
        rho = -strike * years * df_r * norm_cdf(-d2) / 100.0
    return Greeks(value, delta, gamma, theta / 365.0, vega, rho)


def black76(
    kind: OptionType, forward: float, strike: float, years: float, rate: float, vol: float
) -> Greeks:
    """European option on a futures price (Black 1976): Black-Scholes with the carry equal to
    the rate, except rho, which moves only the discount factor (the future does not move)."""
    g = black_scholes(kind, forward, strike, years, rate, vol, dividend=rate)
    return Greeks(g.value, g.delta, g.gamma, g.theta, g.vega, -years * g.value / 100.0)


def price_option(
    kind: OptionType,
    underlying: float,
    strike: float,
    years: float,
    rate: float,
    vol: float,
    *,
    futures: bool = False,
) -> Greeks:
    """Black-76 when the underlying is a future, Black-Scholes otherwise."""
    if futures:
        return black76(kind, underlying, strike, years, rate, vol)
    return black_scholes(kind, underlying, strike, years, rate, vol)


def implied_volatility(
    kind: OptionType,
    price: float,
    underlying: float,
    strike: float,
    years: float,
    rate: float,
    *,
    futures: bool = False,
    guess: float = 0.3,
) -> float | None:
    """The volatility at which the model gives ``price``; None when no volatility does (the
    price is outside the no-arbitrage bounds, or the option has expired)."""
    if years <= 0 or price <= 0:
        return None

    def value(vol: float) -> float:
        return price_option(kind, underlying, strike, years, rate, vol, futures=futures).value

    low, high = _MIN_VOL, _MAX_VOL
    if not value(low) <= price <= value(high):
        return None
    vol = min(max(guess, low), high)
    for _ in range(60):  # Newton steps, kept inside the bisection bracket
        g = price_option(kind, underlying, strike, years, rate, vol, futures=futures)
        diff = g.value - price
        if abs(diff) < 1e-10:
            return vol
        if diff > 0:
            high = vol
        else:
            low = vol
        step = diff / (g.vega * 100.0) if g.vega > 1e-12 else math.inf
        candidate = vol - step
        vol = candidate if low < candidate < high else 0.5 * (low + high)
        if high - low < 1e-12:
            break
    return vol


def _carry(rate: float, futures: bool) -> float:
    return 0.0 if futures else rate


def probability_beyond(
    level: float,
    underlying: float,
    years: float,
    rate: float,
    vol: float,
    *,
    above: bool,
    futures: bool = False,
) -> float:
    """Probability that the underlying ends above (or below) ``level`` at expiry."""
    if level <= 0:
        return 1.0 if above else 0.0
    if years <= 0 or vol <= 0:
        ends_above = underlying > level
        return 1.0 if ends_above == above else 0.0
    _, d2 = _d1_d2(underlying, level, years, _carry(rate, futures), vol)
    return norm_cdf(d2) if above else norm_cdf(-d2)


def probability_itm(
    kind: OptionType,
    underlying: float,
    strike: float,
    years: float,
    rate: float,
    vol: float,
    *,
    futures: bool = False,
) -> float:
    """Probability the contract has intrinsic value at expiry."""
    above = kind is OptionType.CALL
    return probability_beyond(strike, underlying, years, rate, vol, above=above, futures=futures)


def probability_touch(
    kind: OptionType,
    underlying: float,
    strike: float,
    years: float,
    rate: float,
    vol: float,
    *,
    futures: bool = False,
) -> float:
    """Probability the underlying trades through the strike before expiry: about twice the
    probability of ending there (reflection principle); 1 when already in the money."""
    itm = underlying >= strike if kind is OptionType.CALL else underlying <= strike
    if itm:
        return 1.0
    return min(
        1.0, 2.0 * probability_itm(kind, underlying, strike, years, rate, vol, futures=futures)
    )


def standard_deviation(vol: float, years: float) -> float:
    """One standard deviation of the log price move to expiry (``StandardDeviation``)."""
    return vol * math.sqrt(max(0.0, years))


def intrinsic_value(kind: OptionType, underlying: Decimal, strike: Decimal) -> Decimal:
    diff = underlying - strike if kind is OptionType.CALL else strike - underlying
    return max(Decimal(0), diff)


def extrinsic_value(price: Decimal, intrinsic: Decimal) -> Decimal:
    """Time value: the price minus the intrinsic value (never below zero)."""
    return max(Decimal(0), price - intrinsic)


def to_decimal(value: float, places: int = 4) -> Decimal:
    """A model float as a Decimal with ``places`` decimals (banker's rounding, no exponent)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    result = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    return result if result else abs(result)  # no "-0.0000"
