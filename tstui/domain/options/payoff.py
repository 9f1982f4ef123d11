"""Payoff at expiry of a set of legs: the P&L curve, max profit, max loss, break-evens.

At one expiration the payoff is piecewise linear in the underlying's price with kinks at the
strikes, so it is exact to look at the kinks, the zero price and the slope past the highest
strike: a positive slope there means unbounded profit, a negative one unbounded loss (below
the lowest strike the price stops at zero, so that side is always bounded). Money is Decimal
throughout; amounts are in dollars (per-unit payoff x quantity x multiplier) minus the net
debit paid to open (a credit is a negative debit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from tstui.domain.options.spreads import SHARES_PER_CONTRACT, SpreadLegSpec
from tstui.domain.options.symbology import OptionType

__all__ = [
    "PayoffLeg",
    "RiskReward",
    "legs_from_specs",
    "net_debit",
    "payoff_at",
    "payoff_curve",
    "risk_reward",
]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PayoffLeg:
    """One leg at expiry: an option (``option_type`` set, with its ``strike``) or the
    underlying itself (``option_type`` None). ``quantity`` is signed (> 0 long); an option's
    ``multiplier`` is units of the underlying per contract (100 for stock options, the point
    value for futures options); an underlying leg's is 1 (its quantity counts shares)."""

    quantity: int
    option_type: OptionType | None = None
    strike: Decimal | None = None
    multiplier: Decimal = Decimal(SHARES_PER_CONTRACT)

    def value_at(self, price: Decimal) -> Decimal:
        """Value at expiry for underlying price ``price`` (an underlying leg: its market value)."""
        if self.option_type is None:
            return self.quantity * self.multiplier * price
        assert self.strike is not None
        if self.option_type is OptionType.CALL:
            unit = max(_ZERO, price - self.strike)
        else:
            unit = max(_ZERO, self.strike - price)
        return self.quantity * self.multiplier * unit

    def slope_above(self) -> Decimal:
        """d(value)/d(price) beyond every strike."""
        if self.option_type is OptionType.PUT:
            return _ZERO
        return self.quantity * self.multiplier


@dataclass(frozen=True, slots=True)
class RiskReward:
    max_profit: Decimal | None  # None: unbounded
    max_loss: Decimal | None  # the worst P&L, <= 0 (a loss is negative); None: unbounded
    break_evens: tuple[Decimal, ...]  # underlying prices where the P&L crosses zero

    @property
    def profit_unbounded(self) -> bool:
        return self.max_profit is None

    @property
    def loss_unbounded(self) -> bool:
        return self.max_loss is None


def legs_from_specs(
    specs: Iterable[SpreadLegSpec], quantity: int = 1, multiplier: Decimal = Decimal(100)
) -> tuple[PayoffLeg, ...]:
    """Payoff legs of ``quantity`` spreads built by ``spreads.build_spread``."""
    return tuple(
        PayoffLeg(spec.ratio * quantity, spec.option_type, spec.strike, multiplier)
        if spec.is_option
        else PayoffLeg(spec.ratio * quantity, None, None, Decimal(1))
        for spec in specs
    )


def net_debit(price: Decimal, units: int, multiplier: Decimal = Decimal(100)) -> Decimal:
    """Dollars paid for ``units`` spreads at a net ``price`` per share (negative: a credit)."""
    return price * units * multiplier


def payoff_at(legs: Sequence[PayoffLeg], price: Decimal, debit: Decimal = _ZERO) -> Decimal:
    """P&L at expiry if the underlying ends at ``price``, after paying ``debit`` to open."""
    return sum((leg.value_at(price) for leg in legs), _ZERO) - debit


def _kinks(legs: Sequence[PayoffLeg]) -> list[Decimal]:
    strikes = {leg.strike for leg in legs if leg.strike is not None and leg.strike > 0}
    return sorted({_ZERO, *strikes})


def payoff_curve(
    legs: Sequence[PayoffLeg],
    debit: Decimal,
    low: Decimal,
    high: Decimal,
    points: int = 61,
) -> list[tuple[Decimal, Decimal]]:
    """``points`` evenly spaced (price, P&L) pairs from ``low`` to ``high`` (for a diagram)."""
    if points < 2 or high <= low:
        raise ValueError("need at least two points over a non-empty range")
    step = (high - low) / (points - 1)
    prices = [low + step * i for i in range(points)]
    return [(p, payoff_at(legs, p, debit)) for p in prices]


def risk_reward(legs: Sequence[PayoffLeg], debit: Decimal = _ZERO) -> RiskReward:
    """Max profit, max loss and break-evens of ``legs`` opened for ``debit`` dollars."""
    if not legs:
        raise ValueError("a spread needs at least one leg")
    kinks = _kinks(legs)
    values = [payoff_at(legs, k, debit) for k in kinks]
    slope = sum((leg.slope_above() for leg in legs), _ZERO)
    max_profit = None if slope > 0 else max(values)
    max_loss = None if slope < 0 else min(values)
    evens: list[Decimal] = []
    points = list(zip(kinks, values, strict=True))
    for (k0, v0), (k1, v1) in pairwise(points):
        if v0 == 0 and (not evens or evens[-1] != k0):
            evens.append(k0)
        if (v0 < 0 < v1) or (v1 < 0 < v0):
            evens.append(k0 + (k1 - k0) * (-v0) / (v1 - v0))
    last_k, last_v = kinks[-1], values[-1]
    if last_v == 0 and (not evens or evens[-1] != last_k):
        evens.append(last_k)
    if slope != 0 and ((last_v < 0 < slope) or (slope < 0 < last_v)):
        evens.append(last_k - last_v / slope)
    evens = [e for e in evens if e > 0]
    return RiskReward(max_profit, max_loss, tuple(evens))
