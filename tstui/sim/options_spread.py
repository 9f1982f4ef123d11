"""One option spread (legs with signed ratios) as the API's ``Spread`` object.

Leg prices combine by ratio: the spread's bid sells what it holds long at the legs' bids and
buys back what it is short at their asks (the ask the other way round), so a spread's quote
is as wide as its legs'. An underlying leg counts ``ratio / 100`` of a contract (100 shares
to one contract). Greeks and values are ratio-weighted sums; the implied volatility of a
multi-leg spread is its legs' vega-weighted average. The probabilities are of the package's
payoff at (the nearest) expiration, risk-neutral, at the historical or the implied
volatility; ``ProbabilityBE`` counts the cost at the ask, as the API does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from tstui.domain.options import pricing
from tstui.domain.options.payoff import PayoffLeg, payoff_at, risk_reward
from tstui.domain.options.symbology import format_strike
from tstui.sim.engine import Engine
from tstui.sim.instruments import Instrument
from tstui.sim.options_quotes import (
    RISK_FREE_RATE,
    OptionQuote,
    day_samples,
    historical_vol,
    quote_contract,
)
from tstui.sim.options_series import option_contract, underlying_instrument
from tstui.sim.quotes import bid_ask

_PER_SHARE = Decimal("0.01")  # an underlying leg's share, in contracts of 100
_GRID = 241  # integration points (z in [-6, 6]) for spreads over two expirations


@dataclass(frozen=True, slots=True)
class PricedLeg:
    """A leg ready to combine: an option quote, or the underlying (``quote`` None)."""

    symbol: str
    ratio: int
    quote: OptionQuote | None
    bid: Decimal
    ask: Decimal
    last: Decimal
    day_values: tuple[Decimal, ...]  # at ``options_quotes.day_samples``
    unit: Decimal = Decimal(1)  # an underlying leg: contracts per unit of ratio (shares: 0.01)

    @property
    def weight(self) -> Decimal:
        return Decimal(self.ratio) if self.quote is not None else self.ratio * self.unit


def stock_leg(engine: Engine, inst: Instrument, ratio: int, now: datetime) -> PricedLeg:
    last = engine.paths.price_at(inst, now)
    bid, ask = bid_ask(inst, last)
    values = tuple(engine.paths.price_at(inst, t) for t in day_samples(now))
    unit = Decimal(1) if inst.is_future else _PER_SHARE  # one future per futures option
    return PricedLeg(inst.symbol, ratio, None, bid, ask, last, values, unit)


def option_leg(quote: OptionQuote, ratio: int) -> PricedLeg:
    return PricedLeg(quote.symbol, ratio, quote, quote.bid, quote.ask, quote.last, quote.day_values)


def price_legs(
    engine: Engine, specs: Sequence[tuple[str, int]], now: datetime
) -> list[PricedLeg] | None:
    """Quotes for every (symbol, signed ratio) leg: listed options and optionable stocks.
    None when a leg is neither (an expired series, an unknown symbol) or no leg is an option."""
    out: list[PricedLeg] = []
    for symbol, ratio in specs:
        contract = option_contract(engine, symbol, now)
        if contract is not None:
            inst = underlying_instrument(engine, contract.root, now)
            if inst is None:
                return None
            out.append(option_leg(quote_contract(engine, inst, contract, now), ratio))
            continue
        inst = underlying_instrument(engine, symbol, now)
        if inst is None:
            return None
        out.append(stock_leg(engine, inst, ratio, now))
    return out if any(leg.quote is not None for leg in out) else None


def package_quote(
    engine: Engine, specs: Sequence[tuple[str, int]], at: datetime | None = None
) -> tuple[Decimal, Decimal] | None:
    """(bid, ask) per unit of a package of legs (signed ratios, options in contracts, stock in
    shares): what it sells for and what it costs at the market now. None as ``price_legs``."""
    legs = price_legs(engine, specs, at or engine.clock.now())
    if legs is None:
        return None
    return _side_sum(legs, "bid", "ask"), _side_sum(legs, "ask", "bid")


def _num(value: float, places: int = 4) -> str:
    return str(pricing.to_decimal(value, places))


def _money(value: Decimal) -> str:
    """Two decimals, more when exact needs them (a mid between two ticks: 0.825)."""
    exact = value.quantize(Decimal("0.0001")).normalize()
    if exact.as_tuple().exponent >= -2:  # type: ignore[operator]
        return f"{value.quantize(Decimal('0.01')):f}"
    return f"{exact:f}"


def _side_sum(legs: list[PricedLeg], long_of: str, short_of: str) -> Decimal:
    total = Decimal(0)
    for leg in legs:
        w = leg.weight
        total += w * (getattr(leg, long_of) if w > 0 else getattr(leg, short_of))
    return total


def _probability_positive(
    legs: list[PricedLeg],
    debit: Decimal,
    spot: float,
    years: float,
    rate: float,
    vol: float,
    *,
    intrinsic_only: bool,
    futures: bool,
) -> float:
    """Probability that the package's value at the nearest expiration exceeds ``debit``."""
    option_quotes = [leg.quote for leg in legs if leg.quote is not None]
    if not option_quotes:
        return 0.0
    near = min(q.contract.expiration for q in option_quotes)
    if intrinsic_only or all(q.contract.expiration == near for q in option_quotes):
        payoff_legs = [
            PayoffLeg(
                leg.ratio, leg.quote.contract.option_type, leg.quote.contract.strike, Decimal(1)
            )
            if leg.quote is not None
            else PayoffLeg(leg.ratio, None, None, leg.unit)
            for leg in legs
        ]
        points = sorted({p for p in risk_reward(payoff_legs, debit).break_evens if p > 0})
        edges = [0.0, *(float(p) for p in points), math.inf]
        total = 0.0
        for a, b in pairwise(edges):
            probe = (a + b) / 2 if math.isfinite(b) else a * 1.5 + 1.0
            if payoff_at(payoff_legs, Decimal(repr(probe)), debit) > 0:
                upper = pricing.probability_beyond(
                    a, spot, years, rate, vol, above=True, futures=futures
                )
                beyond = (
                    pricing.probability_beyond(
                        b, spot, years, rate, vol, above=True, futures=futures
                    )
                    if math.isfinite(b)
                    else 0.0
                )
                total += upper - beyond
        return min(1.0, max(0.0, total))
    # two expirations: the far legs keep time value at the near expiry; integrate numerically
    sd = vol * math.sqrt(max(years, 1e-9))
    drift = ((0.0 if futures else rate) - 0.5 * vol * vol) * years
    step = 12.0 / (_GRID - 1)
    total = 0.0
    for i in range(_GRID):
        z = -6.0 + i * step
        s = spot * math.exp(drift + sd * z)
        value = 0.0
        for leg in legs:
            q = leg.quote
            if q is None:
                value += float(leg.weight) * s
                continue
            left = max(0.0, q.years - years)
            g = pricing.price_option(
                q.contract.option_type,
                s,
                float(q.contract.strike),
                left,
                rate,
                q.iv,
                futures=futures,
            )
            value += leg.ratio * g.value
        if value > float(debit):
            total += pricing.norm_pdf(z) * step
    return min(1.0, total)


def spread_body(
    engine: Engine,
    legs: list[PricedLeg],
    now: datetime,
    *,
    side: str,
    rate: float | None = None,
    greeks: bool = True,
) -> dict[str, Any]:
    """The ``Spread`` object of ``legs`` (at least one option leg)."""
    rate = RISK_FREE_RATE if rate is None else rate
    options = [leg for leg in legs if leg.quote is not None]
    first = options[0].quote
    assert first is not None
    inst = underlying_instrument(engine, first.contract.root, now)
    assert inst is not None
    spot_d = first.underlying_price
    spot = float(spot_d)
    years = min(leg.quote.years for leg in options if leg.quote is not None)
    hv = historical_vol(first.contract.root)
    futures = first.contract.is_future_option
    delta = gamma = theta = vega = rho = theo_hv = theo_iv = 0.0
    vega_weight = iv_weighted = 0.0
    intrinsic = Decimal(0)
    for leg in legs:
        w = float(leg.weight)
        q = leg.quote
        if q is None:
            delta += w
            theo_hv += w * spot
            theo_iv += w * spot
            intrinsic += leg.weight * spot_d
            continue
        kind, k = q.contract.option_type, float(q.contract.strike)
        g = pricing.price_option(kind, spot, k, q.years, rate, q.iv, futures=futures)
        delta, gamma, theta = delta + w * g.delta, gamma + w * g.gamma, theta + w * g.theta
        vega, rho = vega + w * g.vega, rho + w * g.rho
        theo_iv += w * g.value
        theo_hv += w * pricing.price_option(kind, spot, k, q.years, rate, hv, futures=futures).value
        intrinsic += leg.weight * q.intrinsic
        vega_weight += abs(w * g.vega)
        iv_weighted += abs(w * g.vega) * q.iv
    single = len(legs) == 1
    iv = first.iv if single else (iv_weighted / vega_weight if vega_weight > 0 else first.iv)
    bid = _side_sum(legs, "bid", "ask")
    ask = _side_sum(legs, "ask", "bid")
    mid = (bid + ask) / 2
    last = sum((leg.weight * leg.last for leg in legs), Decimal(0))
    prev = sum(
        (leg.weight * (leg.quote.previous_close if leg.quote else leg.last) for leg in legs),
        Decimal(0),
    )
    day = [
        sum((leg.weight * leg.day_values[i] for leg in legs), Decimal(0))
        for i in range(len(legs[0].day_values))
    ]
    opens, high, low = day[0], max([*day, last]), min([*day, last])
    extrinsic = pricing.extrinsic_value(mid, intrinsic) if single else mid - intrinsic
    change = last - prev
    pct = (change / abs(prev) * 100) if prev else Decimal(0)
    stock_cost = sum((leg.weight * spot_d for leg in legs if leg.quote is None), Decimal(0))

    def prob(vol: float, debit: Decimal, intrinsic_only: bool) -> float:
        return _probability_positive(
            legs, debit, spot, years, rate, vol, intrinsic_only=intrinsic_only, futures=futures
        )

    if single:
        kind, k = first.contract.option_type, float(first.contract.strike)
        itm_hv = pricing.probability_itm(kind, spot, k, years, rate, hv, futures=futures)
        itm_iv = pricing.probability_itm(kind, spot, k, years, rate, iv, futures=futures)
    else:
        itm_hv, itm_iv = prob(hv, stock_cost, True), prob(iv, stock_cost, True)
    be_hv, be_iv = prob(hv, ask, False), prob(iv, ask, False)
    body: dict[str, Any] = {}
    if greeks:
        body.update(
            Delta=_num(delta), Theta=_num(theta), Gamma=_num(gamma), Rho=_num(rho), Vega=_num(vega)
        )
    volumes = [leg.quote.volume for leg in options if leg.quote]
    interest = [leg.quote.open_interest for leg in options if leg.quote]
    bid_sizes = [leg.quote.bid_size // max(1, abs(leg.ratio)) for leg in options if leg.quote]
    ask_sizes = [leg.quote.ask_size // max(1, abs(leg.ratio)) for leg in options if leg.quote]
    body.update(
        ImpliedVolatility=_num(iv),
        IntrinsicValue=_money(intrinsic),
        ExtrinsicValue=_money(extrinsic),
        TheoreticalValue=_num(theo_hv),
        ProbabilityITM=_num(itm_hv),
        ProbabilityOTM=_num(1 - itm_hv),
        ProbabilityBE=_num(be_hv),
        ProbabilityITM_IV=_num(itm_iv),
        ProbabilityOTM_IV=_num(1 - itm_iv),
        ProbabilityBE_IV=_num(be_iv),
        TheoreticalValue_IV=_num(theo_iv),
        StandardDeviation=_num(pricing.standard_deviation(iv, years)),
        DailyOpenInterest=min(interest),
        Ask=_money(ask),
        Bid=_money(bid),
        Mid=_money(mid),
        AskSize=max(1, min(ask_sizes)),
        BidSize=max(1, min(bid_sizes)),
        Close=_money(last),
        High=_money(high),
        Last=_money(last),
        Low=_money(low),
        NetChange=_money(change),
        NetChangePct=f"{pct.quantize(Decimal('0.0001')):f}",
        Open=_money(opens),
        PreviousClose=_money(prev),
        Volume=min(volumes),
        Side=side,
        Strikes=list(
            dict.fromkeys(format_strike(leg.quote.contract.strike) for leg in options if leg.quote)
        ),
        Legs=[_leg_body(leg) for leg in legs],
    )
    return body


def _leg_body(leg: PricedLeg) -> dict[str, Any]:
    q = leg.quote
    if q is None:
        kind = "Stock" if leg.unit == _PER_SHARE else "Future"
        return {"Symbol": leg.symbol, "Ratio": leg.ratio, "AssetType": kind}
    return {
        "Symbol": q.symbol,
        "Ratio": leg.ratio,
        "StrikePrice": format_strike(q.contract.strike),
        "Expiration": f"{q.contract.expiration.isoformat()}T00:00:00Z",
        "OptionType": str(q.contract.option_type),
        "AssetType": "FutureOption" if q.contract.is_future_option else "StockOption",
    }
