"""The control frames every stream shares: keep-alives, the end of a snapshot, a request to
reconnect and an error, told apart from data frames by :func:`classify_control`.

Apart from the typed data frames (:mod:`tstui.domain.frames`) so that the stream machinery
needs no domain model: a command that never streams never builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from tstui.domain.parsing import ParseError, is_mapping, opt_datetime, opt_int, opt_str

__all__ = [
    "END_SNAPSHOT",
    "GO_AWAY",
    "ControlFrame",
    "EndSnapshot",
    "GoAway",
    "Heartbeat",
    "StreamErrorFrame",
    "classify_control",
    "frame_object",
]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """``{"Heartbeat": n, "Timestamp": ...}``; ``seq`` is None for an unknown keep-alive."""

    seq: int | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class EndSnapshot:
    """``{"StreamStatus": "EndSnapshot"}``: the initial snapshot is complete."""


@dataclass(frozen=True, slots=True)
class GoAway:
    """``{"StreamStatus": "GoAway"}`` (or an ``Error: GoAway`` frame): reconnect now."""


@dataclass(frozen=True, slots=True)
class StreamErrorFrame:
    """``{"Error", "Message"}`` on a stream; ``item_id`` names the account/symbol/order if any."""

    error: str
    message: str
    item_id: str | None = None

    def __str__(self) -> str:
        where = f" ({self.item_id})" if self.item_id else ""
        return f"{self.error}{where}: {self.message}"


END_SNAPSHOT = EndSnapshot()
GO_AWAY = GoAway()

ControlFrame: TypeAlias = Heartbeat | EndSnapshot | GoAway

_ITEM_KEYS = ("AccountID", "Symbol", "OrderID", "PositionID")


def _error_frame(data: Mapping[str, Any]) -> StreamErrorFrame | GoAway:
    error = opt_str(data.get("Error")) or "Error"
    item_id = None
    for key in _ITEM_KEYS:
        item_id = opt_str(data.get(key))
        if item_id is not None:
            break
    if error == "GoAway" and item_id is None:
        return GO_AWAY
    message = opt_str(data.get("Message")) or error
    return StreamErrorFrame(error=error, message=message, item_id=item_id)


def classify_control(data: Mapping[str, Any]) -> ControlFrame | StreamErrorFrame | None:
    """The control or error frame ``data`` is, or None when it is a data frame.

    Unknown ``StreamStatus`` values are treated as keep-alives (``Heartbeat(seq=None)``).
    """
    if "Heartbeat" in data:
        return Heartbeat(
            seq=opt_int(data["Heartbeat"]), timestamp=opt_datetime(data.get("Timestamp"))
        )
    status = data.get("StreamStatus")
    if status is not None:
        if status == "EndSnapshot":
            return END_SNAPSHOT
        if status == "GoAway":
            return GO_AWAY
        return Heartbeat(seq=None, timestamp=None)
    if "Error" in data:
        return _error_frame(data)
    return None


def frame_object(data: Any) -> Mapping[str, Any]:
    """One decoded stream line as the JSON object every frame is; anything else (a list, a
    number...) is a :class:`ParseError`, which the stream counts as malformed."""
    if not is_mapping(data):
        raise ParseError(f"stream frame is a {type(data).__name__}, not an object")
    return data
