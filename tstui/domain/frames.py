"""Stream frames: typed parsers for one decoded NDJSON object each (the control frames they
share live in :mod:`tstui.domain.control_frames` and are re-exported here).

Every parser takes the ``dict`` that ``json.loads`` made of one stream line and returns a
domain object, a control frame or a :class:`StreamErrorFrame`. A line that is none of these
(not an object, or an order without ``OrderID``...) raises :class:`ParseError` (a
``ValueError``): the stream supervisor counts it as malformed and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from tstui.domain.control_frames import (
    END_SNAPSHOT,
    GO_AWAY,
    ControlFrame,
    EndSnapshot,
    GoAway,
    Heartbeat,
    StreamErrorFrame,
    classify_control,
)
from tstui.domain.market.data import Bar, Quote, TickBar
from tstui.domain.orders.execution import Order
from tstui.domain.parsing import ParseError, is_mapping, opt_str
from tstui.domain.portfolio.brokerage import Position

__all__ = [
    "END_SNAPSHOT",
    "GO_AWAY",
    "BarEvent",
    "ControlFrame",
    "EndSnapshot",
    "GoAway",
    "Heartbeat",
    "OrderEvent",
    "PositionDeleted",
    "PositionEvent",
    "QuoteEvent",
    "StreamErrorFrame",
    "TickBarEvent",
    "classify_control",
    "parse_bar_frame",
    "parse_order_frame",
    "parse_position_frame",
    "parse_quote_frame",
    "parse_tickbar_frame",
]


@dataclass(frozen=True, slots=True)
class PositionDeleted:
    """``{"PositionID": ..., "Deleted": true}``: the position was closed."""

    position_id: str
    account_id: str | None = None


OrderEvent: TypeAlias = Order | ControlFrame | StreamErrorFrame
PositionEvent: TypeAlias = Position | PositionDeleted | ControlFrame | StreamErrorFrame
QuoteEvent: TypeAlias = Quote | ControlFrame | StreamErrorFrame
BarEvent: TypeAlias = Bar | ControlFrame | StreamErrorFrame
TickBarEvent: TypeAlias = TickBar | ControlFrame | StreamErrorFrame


def _require_mapping(data: Any) -> Mapping[str, Any]:
    if not is_mapping(data):
        raise ParseError(f"stream frame is a {type(data).__name__}, not an object")
    return data


def parse_order_frame(data: Any) -> OrderEvent:
    """Order stream line -> Order | Heartbeat | EndSnapshot | GoAway | StreamErrorFrame."""
    if type(data) is dict and "OrderID" in data and "Error" not in data:
        return Order.from_api(data)  # the hot path
    data = _require_mapping(data)
    control = classify_control(data)
    if control is not None:
        return control
    return Order.from_api(data)


def parse_position_frame(data: Any) -> PositionEvent:
    """Positions stream line -> Position | PositionDeleted | control | StreamErrorFrame."""
    data = _require_mapping(data)
    if "PositionID" in data and "Error" not in data:
        if data.get("Deleted") is True:
            return PositionDeleted(
                position_id=str(data["PositionID"]), account_id=opt_str(data.get("AccountID"))
            )
        return Position.from_api(data)
    control = classify_control(data)
    if control is not None:
        return control
    return Position.from_api(data)


def parse_quote_frame(data: Any) -> QuoteEvent:
    """Quote stream line -> Quote (possibly partial: see ``Quote.merge``) | control | error."""
    data = _require_mapping(data)
    if "Symbol" in data and "Error" not in data:
        return Quote.from_api(data)
    control = classify_control(data)
    if control is not None:
        return control
    return Quote.from_api(data)


def parse_bar_frame(data: Any) -> BarEvent:
    """Bar stream line -> Bar | control | StreamErrorFrame."""
    data = _require_mapping(data)
    return classify_control(data) or Bar.from_api(data)


def parse_tickbar_frame(data: Any) -> TickBarEvent:
    """v2 tick bar line -> TickBar | control | StreamErrorFrame."""
    data = _require_mapping(data)
    return classify_control(data) or TickBar.from_api(data)
