"""The brokerage streams' frames: typed parsers of the order and position streams, for one
decoded NDJSON object each. The control frames every stream shares live in
:mod:`tstui.domain.control_frames` (re-exported here); the market-data streams' frames in
:mod:`tstui.domain.market.frames` and :mod:`tstui.domain.market.depth`.

Every parser takes the ``dict`` that ``json.loads`` made of one stream line and returns a
domain object, a control frame or a :class:`StreamErrorFrame`. A line that is none of these
(not an object, or an order without ``OrderID``...) raises :class:`ParseError` (a
``ValueError``): the stream supervisor counts it as malformed and goes on.
"""

from __future__ import annotations

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
    frame_object,
)
from tstui.domain.orders.execution import Order
from tstui.domain.parsing import opt_str
from tstui.domain.portfolio.positions import Position

__all__ = [
    "END_SNAPSHOT",
    "GO_AWAY",
    "ControlFrame",
    "EndSnapshot",
    "GoAway",
    "Heartbeat",
    "OrderEvent",
    "PositionDeleted",
    "PositionEvent",
    "StreamErrorFrame",
    "classify_control",
    "parse_order_frame",
    "parse_position_frame",
]


@dataclass(frozen=True, slots=True)
class PositionDeleted:
    """``{"PositionID": ..., "Deleted": true}``: the position was closed."""

    position_id: str
    account_id: str | None = None


OrderEvent: TypeAlias = Order | ControlFrame | StreamErrorFrame
PositionEvent: TypeAlias = Position | PositionDeleted | ControlFrame | StreamErrorFrame


def parse_order_frame(data: Any) -> OrderEvent:
    """Order stream line -> Order | Heartbeat | EndSnapshot | GoAway | StreamErrorFrame."""
    if type(data) is dict and "OrderID" in data and "Error" not in data:
        return Order.from_api(data)  # the hot path
    data = frame_object(data)
    control = classify_control(data)
    if control is not None:
        return control
    return Order.from_api(data)


def parse_position_frame(data: Any) -> PositionEvent:
    """Positions stream line -> Position | PositionDeleted | control | StreamErrorFrame."""
    data = frame_object(data)
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
