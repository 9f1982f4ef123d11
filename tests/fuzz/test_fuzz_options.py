"""Bad input on the option models: any JSON value for a chain frame, a risk/reward body or an
order's Legs either parses or is refused with the parsers' own error (ParseError for a
stream frame, which the stream counts and skips; ValueError naming the field for a request),
never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.domain.options.wire import OptionSpread, RiskRewardRequest, parse_spread_frame
from tstui.domain.orders import OrderRequest, parse_body
from tstui.domain.orders.legs import parse_legs_text, validate_legs
from tstui.domain.parsing import ParseError

KEYS = [
    "Legs", "Symbol", "Ratio", "StrikePrice", "Expiration", "Bid", "Ask", "Volume", "Strikes",
    "Heartbeat", "StreamStatus", "Error", "Message", "Quantity", "TradeAction", "SpreadPrice",
    "OrderType", "AccountID", "LimitPrice", "TimeInForce", "Duration",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["MSFT 261218C450", "BUYTOOPEN", "SELL", "1", "-2", "0", "1e400", "NaN", ""]),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(values)
def test_chain_frames_parse_or_are_malformed(frame: Any) -> None:
    try:
        event = parse_spread_frame(frame)
    except ParseError:
        return
    if isinstance(event, OptionSpread):
        assert event.legs and all(leg.symbol for leg in event.legs)
        assert event.merge(event) == event


@settings(max_examples=150, deadline=None)
@given(values)
def test_risk_reward_bodies_parse_or_name_the_problem(body: Any) -> None:
    try:
        request = RiskRewardRequest.from_api(body)
    except ValueError as exc:
        assert str(exc)
        return
    assert RiskRewardRequest.from_api(request.to_api()) == request


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(values, st.lists(st.dictionaries(st.sampled_from(KEYS), values, max_size=4))),
    st.text(max_size=40),
)
def test_legs_bodies_and_text_parse_or_name_the_problem(legs: Any, text: str) -> None:
    body = {"AccountID": "SIM1", "OrderType": "Market", "Legs": legs}
    try:
        order = parse_body(body)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(order, OrderRequest) and order.legs
        validate_legs(order)  # total: findings, never an exception
        assert parse_body(order.to_api()) == order
    try:
        parse_legs_text(text)
    except ValueError as exc:
        assert str(exc)
