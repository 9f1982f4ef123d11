"""Spread geometry (strike groups, legs) and payoff at expiry (max profit/loss, break-evens)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tstui.domain.options import payoff, spreads
from tstui.domain.options.payoff import PayoffLeg, legs_from_specs, risk_reward
from tstui.domain.options.spreads import SPREAD_TYPES, build_spread, strike_groups
from tstui.domain.options.symbology import OptionType

D = Decimal
EXP, EXP2 = date(2026, 12, 18), date(2027, 1, 15)
CALL, PUT = OptionType.CALL, OptionType.PUT


def test_spread_types_match_the_spec_example() -> None:
    names = [t.name for t in SPREAD_TYPES]
    assert names[:3] == ["Single", "Straddle", "Vertical"] and len(names) == 16
    assert spreads.spread_type("ironcondor").strikes == 4
    cal = spreads.spread_type("Calendar")
    assert (cal.strike_interval, cal.expiration_interval) == (False, True)
    with pytest.raises(ValueError):
        spreads.spread_type("Jade Lizard")


def test_strike_groups() -> None:
    ks = [D(145), D(150), D(155), D(160)]
    assert strike_groups("Butterfly", ks) == [(145, 150, 155), (150, 155, 160)]
    assert strike_groups("Vertical", ks, 2) == [(145, 155), (150, 160)]
    assert strike_groups("Single", ks) == [(k,) for k in ks]
    assert strike_groups("IronCondor", ks, 2) == []
    with pytest.raises(ValueError):
        strike_groups("Vertical", ks, 0)


def test_build_every_spread_type() -> None:
    for info in SPREAD_TYPES:
        ks = [D(400 + 10 * i) for i in range(info.strikes)]
        exp2 = EXP2 if info.expiration_interval else None
        for side in (CALL, PUT):
            legs = build_spread(info.name, "MSFT", EXP, ks, side, expiration2=exp2)
            assert legs, info.name
            for leg in legs:
                if leg.is_option:
                    assert leg.symbol.startswith("MSFT 2")
                else:
                    assert leg.symbol == "MSFT" and abs(leg.ratio) == 100
            assert spreads.reverse(spreads.reverse(legs)) == legs


def test_leg_orientation() -> None:
    fly = build_spread("Butterfly", "AAPL", EXP, [D(150), D(155), D(160)], CALL)
    assert [(leg.symbol, leg.ratio) for leg in fly] == [
        ("AAPL 261218C150", 1),
        ("AAPL 261218C155", -2),
        ("AAPL 261218C160", 1),
    ]
    ic = build_spread("IronCondor", "AAPL", EXP, [D(140), D(145), D(155), D(160)])
    assert [(leg.option_type, leg.ratio) for leg in ic] == [
        (PUT, 1),
        (PUT, -1),
        (CALL, -1),
        (CALL, 1),
    ]
    cal = build_spread("Calendar", "AAPL", EXP, [D(150)], PUT, expiration2=EXP2)
    assert [(leg.expiration, leg.ratio) for leg in cal] == [(EXP, -1), (EXP2, 1)]
    assert spreads.spread_side("Straddle", CALL) == "Both"
    assert spreads.spread_side("Vertical", PUT) == "Put"
    with pytest.raises(ValueError):
        build_spread("Vertical", "AAPL", EXP, [D(150)])
    with pytest.raises(ValueError):
        build_spread("Calendar", "AAPL", EXP, [D(150)], expiration2=EXP)


def _rr(name: str, ks: list[int], debit: str, side: OptionType = CALL) -> payoff.RiskReward:
    specs = build_spread(name, "AAPL", EXP, [D(k) for k in ks], side)
    return risk_reward(legs_from_specs(specs), payoff.net_debit(D(debit), 1))


def test_long_call_and_short_put() -> None:
    rr = _rr("Single", [150], "2.50")
    assert rr.max_profit is None and rr.max_loss == D(-250) and rr.break_evens == (D("152.5"),)
    short_put = risk_reward([PayoffLeg(-1, PUT, D(100))], D(-300))
    assert short_put.max_profit == D(300) and short_put.max_loss == D(-9700)
    assert short_put.break_evens == (D(97),)


def test_vertical_butterfly_condor() -> None:
    vert = _rr("Vertical", [150, 155], "2")
    assert (vert.max_profit, vert.max_loss, vert.break_evens) == (D(300), D(-200), (D(152),))
    fly = _rr("Butterfly", [150, 155, 160], "1.25")
    assert (fly.max_profit, fly.max_loss) == (D(375), D(-125))
    assert fly.break_evens == (D("151.25"), D("158.75"))
    condor = _rr("Condor", [150, D("152.5"), 155, D("157.5")], "0.24")  # the spec's example legs
    assert condor.max_profit == D(226) and condor.max_loss == D(-24)
    assert condor.break_evens == (D("150.24"), D("157.26"))


def test_straddle_short_call_and_covered() -> None:
    straddle = _rr("Straddle", [100], "6")
    assert straddle.max_profit is None and straddle.max_loss == D(-600)
    assert straddle.break_evens == (D(94), D(106))
    naked = risk_reward([PayoffLeg(-1, CALL, D(100))], D(-250))
    assert naked.max_loss is None and naked.loss_unbounded and naked.max_profit == D(250)
    covered = build_spread("Covered", "AAPL", EXP, [D(110)], CALL)
    rr = risk_reward(legs_from_specs(covered), payoff.net_debit(D(98), 1))  # stock 100 - call 2
    assert rr.max_profit == D(1200) and rr.max_loss == D(-9800) and rr.break_evens == (D(98),)


def test_payoff_curve() -> None:
    legs = [PayoffLeg(1, CALL, D(100))]
    curve = payoff.payoff_curve(legs, D(200), D(90), D(110), 5)
    assert curve[0] == (D(90), D(-200)) and curve[-1] == (D(110), D(800))
    assert payoff.payoff_at(legs, D(102), D(200)) == 0
    with pytest.raises(ValueError):
        payoff.payoff_curve(legs, D(0), D(1), D(1))
    with pytest.raises(ValueError):
        risk_reward([])
