"""The market-data streams' frames: quotes, bar charts and the v2 tick bars, one decoded
NDJSON object each (the depth streams' frames: :mod:`tstui.domain.market.depth`).

Every parser returns a domain object, a control frame or a :class:`StreamErrorFrame`; a line
that is none of these raises :class:`ParseError` (a ``ValueError``): the stream supervisor
counts it as malformed and goes on.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from tstui.domain.control_frames import (
    ControlFrame,
    StreamErrorFrame,
    classify_control,
    frame_object,
)
from tstui.domain.market.data import Bar, Quote, TickBar

__all__ = [
    "BarEvent",
    "QuoteEvent",
    "TickBarEvent",
    "parse_bar_frame",
    "parse_quote_frame",
    "parse_tickbar_frame",
]

QuoteEvent: TypeAlias = Quote | ControlFrame | StreamErrorFrame
BarEvent: TypeAlias = Bar | ControlFrame | StreamErrorFrame
TickBarEvent: TypeAlias = TickBar | ControlFrame | StreamErrorFrame


def parse_quote_frame(data: Any) -> QuoteEvent:
    """Quote stream line -> Quote (possibly partial: see ``Quote.merge``) | control | error."""
    data = frame_object(data)
    if "Symbol" in data and "Error" not in data:
        return Quote.from_api(data)
    control = classify_control(data)
    if control is not None:
        return control
    return Quote.from_api(data)


def parse_bar_frame(data: Any) -> BarEvent:
    """Bar stream line -> Bar | control | StreamErrorFrame."""
    data = frame_object(data)
    return classify_control(data) or Bar.from_api(data)


def parse_tickbar_frame(data: Any) -> TickBarEvent:
    """v2 tick bar line -> TickBar | control | StreamErrorFrame."""
    data = frame_object(data)
    return classify_control(data) or TickBar.from_api(data)
