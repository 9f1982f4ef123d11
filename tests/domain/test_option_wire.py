"""The option endpoints' models (tstui.domain.options.wire), from the spec's own examples."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain.frames import END_SNAPSHOT, Heartbeat, StreamErrorFrame
from tstui.domain.options.symbology import OptionType
from tstui.domain.options.wire import (
    OptionQuoteLeg,
    OptionSpread,
    RiskRewardAnalysis,
    RiskRewardLeg,
    RiskRewardRequest,
    Strikes,
    parse_expirations,
    parse_spread_frame,
    parse_spread_types,
    quote_leg_params,
)
from tstui.domain.parsing import ParseError

D = Decimal

SPREAD_EXAMPLE: dict[str, Any] = {
    "Delta": "0.0497", "Theta": "-0.0049", "Gamma": "-0.0004", "Rho": "0.0005",
    "Vega": "-0.0001", "ImpliedVolatility": "0.3118", "IntrinsicValue": "0",
    "ExtrinsicValue": "0.3", "TheoreticalValue": "0.2816", "ProbabilityITM": "0.05",
    "ProbabilityOTM": "0.95", "ProbabilityBE": "0.0479", "ProbabilityITM_IV": "0.0984",
    "ProbabilityOTM_IV": "0.9016", "ProbabilityBE_IV": "0.0956", "TheoreticalValue_IV": "0.3",
    "StandardDeviation": "0.0245", "DailyOpenInterest": 1996, "Ask": "0.7", "Bid": "-0.1",
    "Mid": "0.3", "AskSize": 13, "BidSize": 9, "Close": "-0.44", "High": "-0.19",
    "Last": "-0.44", "Low": "1.05", "NetChange": "-1.01", "NetChangePct": "-1.7719",
    "Open": "0.46", "PreviousClose": "0.57", "Volume": 144, "Side": "Put",
    "Strikes": ["332.5"],
    "Legs": [{"Symbol": "MSFT 211217P332.5", "Ratio": 1, "StrikePrice": "332.5",
              "Expiration": "2021-12-17T00:00:00Z", "OptionType": "Put",
              "AssetType": "StockOption"}],
}  # fmt: skip


def test_expirations_spread_types_and_strikes_from_the_spec_examples() -> None:
    body = {
        "Expirations": [
            {"Date": "2021-12-17T00:00:00Z", "Type": "Monthly"},
            {"Date": "2021-12-23T00:00:00Z", "Type": "Weekly"},
            {"Date": "not a date", "Type": "Weekly"},  # skipped, not fatal
            {"Date": "2021-12-31T00:00:00Z", "Type": "Quarterly"},
            "junk",
        ]
    }
    found = parse_expirations(body)
    assert [(e.date, e.type) for e in found] == [
        (date(2021, 12, 17), "Monthly"),
        (date(2021, 12, 23), "Weekly"),
        (date(2021, 12, 31), "Quarterly"),
    ]
    assert parse_expirations(None) == [] and parse_expirations({"Expirations": "x"}) == []

    types = parse_spread_types(
        {"SpreadTypes": [
            {"Name": "Single", "StrikeInterval": False, "ExpirationInterval": False},
            {"Name": "Diagonal", "StrikeInterval": True, "ExpirationInterval": True},
            {"StrikeInterval": True},
        ]}
    )  # fmt: skip
    assert [(t.name, t.strike_interval, t.expiration_interval) for t in types] == [
        ("Single", False, False),
        ("Diagonal", True, True),
    ]

    strikes = Strikes.from_api(
        {"SpreadType": "Butterfly", "Strikes": [["145", "150", "155"], ["150", "155", "x"], []]}
    )
    assert strikes.spread_type == "Butterfly"
    assert strikes.strikes == ((D(145), D(150), D(155)), (D(150), D(155)))
    assert strikes.single == (D(145), D(150), D(155))
    assert Strikes.from_api([]).strikes == ()


def test_risk_reward_request_and_answer() -> None:
    spec_input = {
        "SpreadPrice": 0.24,
        "Legs": [
            {"Symbol": "AAPL 211217C150", "Quantity": 1, "TradeAction": "BUY"},
            {"Symbol": "AAPL 211217C152.5", "Quantity": 1, "TradeAction": "SELL"},
            {"Symbol": "AAPL 211217C155", "Quantity": 1, "TradeAction": "SELL"},
            {"Symbol": "AAPL 211217C157.5", "Quantity": 1, "TradeAction": "BUY"},
        ],
    }
    request = RiskRewardRequest.from_api(spec_input)
    assert request.spread_price == D("0.24") and len(request.legs) == 4
    assert request.to_api() == spec_input  # numbers stay JSON numbers, as the spec types them
    assert RiskRewardRequest(D(2), request.legs).to_api()["SpreadPrice"] == 2

    answer = RiskRewardAnalysis.from_api(
        {"MaxGainIsInfinite": False, "AdjustedMaxGain": "482", "MaxLossIsInfinite": False,
         "AdjustedMaxLoss": "-18", "BreakevenPoints": ["150.09", "157.41"]}
    )  # fmt: skip
    assert answer.adjusted_max_gain == D(482) and answer.adjusted_max_loss == D(-18)
    assert answer.breakeven_points == (D("150.09"), D("157.41"))
    unbounded = RiskRewardAnalysis.from_api({"MaxGainIsInfinite": True, "BreakevenPoints": None})
    assert unbounded.max_gain_is_infinite and unbounded.adjusted_max_gain is None
    assert unbounded.breakeven_points == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], r"^expected a JSON object"),
        ({"Legs": []}, r"^SpreadPrice: expected a number"),
        ({"SpreadPrice": True, "Legs": []}, r"^SpreadPrice: expected a number"),
        ({"SpreadPrice": 1, "Legs": []}, r"^Legs: expected a list of legs"),
        ({"SpreadPrice": 1, "Legs": [], "Extra": 1}, r"^Extra: not a field"),
        ({"SpreadPrice": 1, "Legs": [{"Symbol": "A", "Quantity": 0, "TradeAction": "BUY"}]},
         r"^Legs\[0\]\.Quantity: must be a whole number other than 0"),
        ({"SpreadPrice": 1, "Legs": [{"Symbol": "A", "Quantity": 1.5, "TradeAction": "BUY"}]},
         r"^Legs\[0\]\.Quantity: expected a whole number"),
        ({"SpreadPrice": 1, "Legs": [{"Symbol": "A", "Quantity": 1, "TradeAction": "BUYTOOPEN"}]},
         r"^Legs\[0\]\.TradeAction: use BUY or SELL"),
        ({"SpreadPrice": 1, "Legs": [{"Quantity": 1, "TradeAction": "BUY"}]},
         r"^Legs\[0\]\.Symbol: missing"),
        ({"SpreadPrice": 1, "Legs": ["x"]}, r"^Legs\[0\]: expected an object"),
    ],
)  # fmt: skip
def test_risk_reward_request_names_the_bad_field(body: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RiskRewardRequest.from_api(body)


def test_risk_reward_leg_refuses_a_bad_leg() -> None:
    with pytest.raises(ValueError, match="TradeAction"):
        RiskRewardLeg("AAPL", 1, "HOLD")
    with pytest.raises(ValueError, match="Legs: at least one leg"):
        RiskRewardRequest(D(1), ())


def test_spread_frame_from_the_spec_example() -> None:
    spread = parse_spread_frame(SPREAD_EXAMPLE)
    assert isinstance(spread, OptionSpread)
    assert spread.bid == D("-0.1") and spread.ask == D("0.7") and spread.mid == D("0.3")
    assert (spread.bid_size, spread.ask_size, spread.volume) == (9, 13, 144)
    assert spread.daily_open_interest == 1996 and spread.side == "Put"
    assert spread.delta == D("0.0497") and spread.implied_volatility == D("0.3118")
    assert spread.probability_itm_iv == D("0.0984") and spread.theoretical_value_iv == D("0.3")
    assert spread.strikes == (D("332.5"),)
    (leg,) = spread.legs
    assert leg.ratio == 1 and leg.strike_price == D("332.5") and leg.option_type == "Put"
    assert leg.expiration == datetime(2021, 12, 17, tzinfo=UTC)
    contract = spread.contract
    assert contract is not None and contract.option_type is OptionType.PUT
    assert contract.strike == D("332.5") and contract.expiration == date(2021, 12, 17)
    assert spread.key == ("MSFT 211217P332.5",) and spread.symbol == "MSFT 211217P332.5"


def test_spread_frames_are_lenient_and_control_frames_pass() -> None:
    odd = parse_spread_frame({**SPREAD_EXAMPLE, "Bid": "n/a", "Volume": "lots", "Strikes": 5})
    assert isinstance(odd, OptionSpread)
    assert odd.bid is None and odd.volume is None and odd.strikes == ()
    assert isinstance(parse_spread_frame({"Heartbeat": 3, "Timestamp": "x"}), Heartbeat)
    assert parse_spread_frame({"StreamStatus": "EndSnapshot"}) is END_SNAPSHOT
    error = parse_spread_frame({"Error": "BadRequest", "Message": "no such leg"})
    assert isinstance(error, StreamErrorFrame) and error.message == "no such leg"
    for bad in ({"Bid": "1"}, {"Legs": []}, {"Legs": [{"Ratio": 1}]}, ["x"]):
        with pytest.raises(ParseError):
            parse_spread_frame(bad)


def test_merge_folds_partial_frames_of_one_spread() -> None:
    first = OptionSpread.from_api(SPREAD_EXAMPLE)
    update = OptionSpread.from_api({"Legs": SPREAD_EXAMPLE["Legs"], "Bid": "0.1", "Volume": 150})
    merged = first.merge(update)
    assert merged.bid == D("0.1") and merged.volume == 150
    assert (
        merged.ask == D("0.7") and merged.delta == D("0.0497") and merged.strikes == (D("332.5"),)
    )
    other = OptionSpread.from_api({"Legs": [{"Symbol": "MSFT 211217C340", "Ratio": 1}]})
    assert first.merge(other) is other


def test_option_quote_legs_and_their_query() -> None:
    legs = [OptionQuoteLeg.parse(" msft 220916C305"), OptionQuoteLeg.parse("MSFT 220916C310:-2")]
    assert legs[0] == OptionQuoteLeg("MSFT 220916C305", D(1))
    assert legs[1].ratio == D(-2)
    assert quote_leg_params([*legs, OptionQuoteLeg("MSFT 220916C315", D("1.50"))]) == {
        "legs[0].Symbol": "MSFT 220916C305", "legs[0].Ratio": "1",
        "legs[1].Symbol": "MSFT 220916C310", "legs[1].Ratio": "-2",
        "legs[2].Symbol": "MSFT 220916C315", "legs[2].Ratio": "1.5",
    }  # fmt: skip
    with pytest.raises(ValueError, match="ratio 'x' is not a number"):
        OptionQuoteLeg.parse("MSFT 220916C305:x")
    with pytest.raises(ValueError, match="other than 0"):
        OptionQuoteLeg.parse("MSFT 220916C305:0")
    with pytest.raises(ValueError, match="needs a symbol"):
        OptionQuoteLeg.parse(":1")
