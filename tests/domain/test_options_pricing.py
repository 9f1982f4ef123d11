"""Black-Scholes / Black-76 prices, greeks, implied volatility and probabilities against
textbook values (Hull, Options, Futures and Other Derivatives)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tstui.domain.options import pricing
from tstui.domain.options.pricing import black76, black_scholes, implied_volatility
from tstui.domain.options.symbology import OptionType

CALL, PUT = OptionType.CALL, OptionType.PUT


def test_hull_black_scholes_prices() -> None:
    # Hull: S=42, K=40, r=10%, sigma=20%, T=0.5 -> call 4.76, put 0.81
    call = black_scholes(CALL, 42, 40, 0.5, 0.10, 0.20)
    put = black_scholes(PUT, 42, 40, 0.5, 0.10, 0.20)
    assert round(call.value, 2) == 4.76
    assert round(put.value, 2) == 0.81


def test_hull_greeks() -> None:
    # Hull's greeks example: S=49, K=50, r=5%, sigma=20%, T=20 weeks (0.3846)
    g = black_scholes(CALL, 49, 50, 0.3846, 0.05, 0.20)
    assert round(g.value, 2) == 2.40
    assert g.delta == pytest.approx(0.522, abs=1e-3)
    assert g.gamma == pytest.approx(0.066, abs=1e-3)
    assert g.theta * 365 == pytest.approx(-4.31, abs=0.01)  # per year in the book
    assert g.vega * 100 == pytest.approx(12.1, abs=0.05)  # per 1.0 of volatility in the book
    assert g.rho * 100 == pytest.approx(8.91, abs=0.01)
    p = black_scholes(PUT, 49, 50, 0.3846, 0.05, 0.20)
    assert p.delta == pytest.approx(g.delta - 1, abs=1e-12)
    assert p.gamma == pytest.approx(g.gamma) and p.vega == pytest.approx(g.vega)


def test_put_call_parity_and_dividends() -> None:
    for s, k, t, r, v, q in [(42, 40, 0.5, 0.1, 0.2, 0.0), (100, 120, 2.0, 0.03, 0.45, 0.02)]:
        c = black_scholes(CALL, s, k, t, r, v, q).value
        p = black_scholes(PUT, s, k, t, r, v, q).value
        assert c - p == pytest.approx(s * math.exp(-q * t) - k * math.exp(-r * t), abs=1e-9)


def test_black76_hull_example() -> None:
    # Hull: European put on a futures price, F=20, K=20, r=9%, T=4 months, sigma=25% -> 1.12
    put = black76(PUT, 20, 20, 4 / 12, 0.09, 0.25)
    call = black76(CALL, 20, 20, 4 / 12, 0.09, 0.25)
    assert round(put.value, 2) == 1.12
    assert call.value == pytest.approx(put.value)  # at the money forward: c = p
    assert call.rho == pytest.approx(-(4 / 12) * call.value / 100)


def test_greeks_match_finite_differences() -> None:
    s, k, t, r, v = 100.0, 95.0, 0.25, 0.04, 0.3
    for kind in (CALL, PUT):
        g = black_scholes(kind, s, k, t, r, v)
        h = 1e-4

        def price(kind: OptionType = kind, **kw: float) -> float:
            a = {"spot": s, "strike": k, "years": t, "rate": r, "vol": v, **kw}
            return black_scholes(kind, **a).value

        assert g.delta == pytest.approx((price(spot=s + h) - price(spot=s - h)) / (2 * h), rel=1e-5)
        assert g.vega == pytest.approx(
            (price(vol=v + h) - price(vol=v - h)) / (2 * h) / 100, rel=1e-5
        )
        assert g.rho == pytest.approx(
            (price(rate=r + h) - price(rate=r - h)) / (2 * h) / 100, rel=1e-5
        )
        day = 1 / 365
        assert g.theta == pytest.approx(price(years=t - day) - price(years=t), rel=2e-2)


def test_expired_and_zero_vol_give_intrinsic() -> None:
    assert black_scholes(CALL, 105, 100, 0, 0.05, 0.2).value == 5
    assert black_scholes(PUT, 105, 100, 0, 0.05, 0.2).value == 0
    assert black_scholes(PUT, 95, 100, 0, 0.05, 0.2).delta == -1
    with pytest.raises(ValueError):
        black_scholes(CALL, 0, 100, 1, 0.05, 0.2)


def test_implied_volatility_round_trip() -> None:
    for kind in (CALL, PUT):
        for vol in (0.08, 0.2, 0.55, 1.4):
            price = black_scholes(kind, 420, 450, 0.12, 0.045, vol).value
            iv = implied_volatility(kind, price, 420, 450, 0.12, 0.045)
            assert iv == pytest.approx(vol, abs=1e-6)
        fut = black76(kind, 6000, 5900, 0.2, 0.045, 0.18).value
        assert implied_volatility(kind, fut, 6000, 5900, 0.2, 0.045, futures=True) == pytest.approx(
            0.18, abs=1e-6
        )
    # below intrinsic (arbitrage) or expired: no volatility gives it
    assert implied_volatility(CALL, 1.0, 420, 400, 0.1, 0.04) is None
    assert implied_volatility(CALL, 1.0, 420, 400, 0.0, 0.04) is None


def test_probabilities() -> None:
    s, k, t, r, v = 100.0, 110.0, 0.5, 0.03, 0.25
    itm_c = pricing.probability_itm(CALL, s, k, t, r, v)
    itm_p = pricing.probability_itm(PUT, s, k, t, r, v)
    assert itm_c + itm_p == pytest.approx(1.0)
    _, d2 = (0.0, (math.log(s / k) + (r - v * v / 2) * t) / (v * math.sqrt(t)))
    assert itm_c == pytest.approx(pricing.norm_cdf(d2))
    touch = pricing.probability_touch(CALL, s, k, t, r, v)
    assert itm_c < touch <= min(1.0, 2 * itm_c + 1e-12)
    assert pricing.probability_touch(PUT, s, k, t, r, v) == 1.0  # already in the money
    assert pricing.standard_deviation(0.3118, 2.25 / 365) == pytest.approx(0.0245, abs=1e-4)


def test_intrinsic_extrinsic_and_decimal_edges() -> None:
    assert pricing.intrinsic_value(CALL, Decimal("452.3"), Decimal(450)) == Decimal("2.3")
    assert pricing.intrinsic_value(PUT, Decimal("452.3"), Decimal(450)) == 0
    assert pricing.extrinsic_value(Decimal("3.1"), Decimal("2.3")) == Decimal("0.8")
    assert pricing.extrinsic_value(Decimal("2"), Decimal("2.3")) == 0
    assert str(pricing.to_decimal(4.759422, 2)) == "4.76"
    assert str(pricing.to_decimal(-0.00001)) == "0.0000"
    with pytest.raises(ValueError):
        pricing.to_decimal(math.nan)


def test_year_fraction_on_the_expiry_close() -> None:
    now = datetime(2026, 12, 17, 21, 0, tzinfo=UTC)
    assert pricing.year_fraction(now, date(2026, 12, 18)) == pytest.approx(1 / 365)
    assert pricing.year_fraction(now, date(2026, 12, 1)) == 0.0
    assert pricing.expiry_instant(date(2026, 12, 18)).hour == pricing.EXPIRY_HOUR_UTC
