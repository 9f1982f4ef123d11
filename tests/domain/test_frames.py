"""Stream frame classification and the typed frame parsers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain.frames import (
    END_SNAPSHOT,
    GO_AWAY,
    EndSnapshot,
    GoAway,
    Heartbeat,
    PositionDeleted,
    StreamErrorFrame,
    classify_control,
    parse_order_frame,
    parse_position_frame,
)
from tstui.domain.market.frames import parse_bar_frame, parse_quote_frame, parse_tickbar_frame
from tstui.domain.models import Bar, Order, ParseError, Position, Quote, TickBar

PARSERS = [
    parse_order_frame,
    parse_position_frame,
    parse_quote_frame,
    parse_bar_frame,
    parse_tickbar_frame,
]


def test_classify_control_frames() -> None:
    heartbeat = classify_control({"Heartbeat": 3, "Timestamp": "2021-03-02T18:01:23Z"})
    assert heartbeat == Heartbeat(3, datetime(2021, 3, 2, 18, 1, 23, tzinfo=UTC))
    assert classify_control({"StreamStatus": "EndSnapshot"}) is END_SNAPSHOT
    assert classify_control({"StreamStatus": "GoAway"}) is GO_AWAY
    assert classify_control({"StreamStatus": "SomethingNew"}) == Heartbeat(None, None)
    assert classify_control({"OrderID": "1"}) is None


def test_classify_error_frames() -> None:
    error = classify_control({"Error": "Forbidden", "Message": "Invalid Account ID.",
                              "AccountID": "123456782"})  # fmt: skip
    assert error == StreamErrorFrame("Forbidden", "Invalid Account ID.", "123456782")
    assert "123456782" in str(error)
    bare = classify_control({"Error": "DualLogon"})
    assert bare == StreamErrorFrame("DualLogon", "DualLogon", None)
    assert isinstance(classify_control({"Error": "GoAway", "Message": "bye"}), GoAway)
    symbol = classify_control({"Symbol": "XYZ", "Error": "FAILED, INVALID SYMBOL"})
    assert isinstance(symbol, StreamErrorFrame) and symbol.item_id == "XYZ"


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
def test_every_parser_passes_control_frames_through(parse: Any) -> None:
    assert isinstance(parse({"Heartbeat": 1, "Timestamp": "2021-03-02T18:01:23Z"}), Heartbeat)
    assert isinstance(parse({"StreamStatus": "EndSnapshot"}), EndSnapshot)
    assert isinstance(parse({"StreamStatus": "GoAway"}), GoAway)
    assert isinstance(parse({"Error": "InternalServerError", "Message": "x"}), StreamErrorFrame)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("junk", [[], "END", 5, None, {}, {"Unrelated": 1}])
def test_every_parser_rejects_junk_with_parse_error(parse: Any, junk: Any) -> None:
    with pytest.raises(ParseError):
        parse(junk)


def test_order_frame() -> None:
    line = json.dumps(
        {"AccountID": "SIM1000001M", "OrderID": "42", "Status": "FLL", "OrderType": "Market",
         "FilledPrice": "4500.25", "OpenedDateTime": "2026-12-01T15:00:00Z",
         "Legs": [{"Symbol": "ESZ26", "BuyOrSell": "Buy", "QuantityOrdered": "2",
                   "ExecQuantity": "2", "QuantityRemaining": "0", "AssetType": "FUTURE"}]}
    )  # fmt: skip
    order = parse_order_frame(json.loads(line))
    assert isinstance(order, Order)
    assert order.is_final and order.status_group == "filled"
    assert order.filled_price == Decimal("4500.25") and order.filled_quantity == 2
    # an order-by-id stream error carries the order id: still an error, not an order
    error = parse_order_frame({"OrderID": "42", "Error": "NotFound", "Message": "gone"})
    assert error == StreamErrorFrame("NotFound", "gone", "42")


def test_position_frames_including_deleted() -> None:
    position = parse_position_frame(
        {"AccountID": "123456782", "PositionID": "64630792", "LongShort": "Short",
         "Quantity": "-10", "Symbol": "MSFT", "Timestamp": "2020-11-16T16:53:37Z"}
    )  # fmt: skip
    assert isinstance(position, Position) and position.signed_quantity == -10
    deleted = parse_position_frame({"PositionID": "64630792", "Deleted": True})
    assert deleted == PositionDeleted("64630792")
    not_deleted = parse_position_frame({"PositionID": "1", "Deleted": False, "Quantity": "1"})
    assert isinstance(not_deleted, Position)


def test_quote_frame_partial_update() -> None:
    quote = parse_quote_frame({"Symbol": "@ES", "Bid": "4500", "Ask": "4500.25"})
    assert isinstance(quote, Quote) and quote.last is None and quote.mid == Decimal("4500.125")
    error = parse_quote_frame({"Symbol": "BAD", "Error": "FAILED, INVALID SYMBOL"})
    assert isinstance(error, StreamErrorFrame) and error.item_id == "BAD"


def test_bar_frame() -> None:
    bar = parse_bar_frame(
        {"High": "4501", "Low": "4499", "Open": "4500", "Close": "4500.5",
         "TimeStamp": "2026-12-01T15:01:00Z", "TotalVolume": "120", "BarStatus": "Open",
         "IsRealtime": True, "IsEndOfHistory": False, "Epoch": 1796137260000}
    )  # fmt: skip
    assert isinstance(bar, Bar) and not bar.is_closed and bar.is_realtime
    with pytest.raises(ParseError):
        parse_bar_frame({"High": "1", "TimeStamp": "2026-12-01T15:01:00Z"})


def test_tickbar_frame_v2() -> None:
    tick = parse_tickbar_frame(
        {"Open": 4500.25, "High": 4500.5, "Low": 4500.0, "Close": 4500.5, "TotalVolume": 7,
         "TimeStamp": "/Date(1796137260000)/", "Status": 0b1011}
    )  # fmt: skip
    assert isinstance(tick, TickBar)
    assert tick.close == Decimal("4500.5")
    assert tick.timestamp == datetime.fromtimestamp(1796137260, UTC)
    assert tick.flags == {"NEW", "REAL_TIME_DATA", "STANDARD_CLOSE"}


def test_parsing_a_burst_is_fast_enough() -> None:
    """A cheap guard (not the benchmark): 20k order frames parse in well under 2 s."""
    import time

    frames = [
        {"AccountID": "A", "OrderID": str(n), "Status": "OPN", "LimitPrice": f"{100 + n % 50}.25",
         "OpenedDateTime": "2026-12-01T15:00:00Z",
         "Legs": [{"Symbol": "MSFT", "BuyOrSell": "Buy", "QuantityOrdered": "10",
                   "ExecQuantity": str(n % 10), "QuantityRemaining": str(10 - n % 10)}]}
        for n in range(20_000)
    ]  # fmt: skip
    # CPU time of this thread: the budget is the parser's work, not a loaded machine's queue
    started = time.thread_time()
    orders = [parse_order_frame(frame) for frame in frames]
    assert time.thread_time() - started < 2.0
    assert len({o.order_id for o in orders if isinstance(o, Order)}) == 20_000


# -- robustness: any JSON value in any known field gives a model or ParseError --------------

_KEYS = [
    "OrderID", "AccountID", "Status", "Legs", "LimitPrice", "OpenedDateTime", "TrailingStop",
    "ConditionalOrders", "MarketActivationRules", "TimeActivationRules", "PositionID",
    "Deleted", "Quantity", "LongShort", "Symbol", "Last", "Restrictions", "MarketFlags",
    "TimeStamp", "Open", "High", "Low", "Close", "Epoch", "Status", "Heartbeat",
    "StreamStatus", "Error", "Message", "QuantityOrdered", "ExecQuantity", "BuyOrSell",
]  # fmt: skip


def _json_values() -> Any:
    from hypothesis import strategies as st

    scalars = (
        st.none() | st.booleans() | st.integers(-(10**20), 10**20)
        | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
        | st.sampled_from(["1.5", "2024-06-03T13:30:00Z", "/Date(1)/", "", "NaN", "OPN"])
    )  # fmt: skip
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
        ),
        max_leaves=8,
    )


def test_parsers_never_crash_on_odd_values() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    frame = st.dictionaries(st.sampled_from(_KEYS), _json_values(), max_size=10)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(frame)
    def check(data: dict[str, Any]) -> None:
        for parse in PARSERS:
            try:
                result = parse(data)
            except ParseError:
                continue
            assert result is not None
            if isinstance(result, Order):
                _ = (result.symbol, result.quantity, result.remaining_quantity, result.side)
            if isinstance(result, Position):
                _ = result.signed_quantity

    check()
