"""Market depth (level 2): the frames of the depth quotes and depth aggregates streams.

Each data frame is the book as the server sees it now: ``Bids`` (best, highest first) and
``Asks`` (best, lowest first). The quotes stream sends one row per price, side and participant
(``Price``, ``Size``, ``OrderCount``, ``Name``, ``TimeStamp``); the aggregates stream one row per
price and side (``TotalSize``, ``BiggestSize``, ``SmallestSize``, ``NumParticipants``,
``TotalOrderCount``, ``EarliestTime``, ``LatestTime``). Parsing is lenient, as for quotes: a row
without a usable price is skipped (and counted), a missing size reads as None, and a frame with
neither array is not a depth frame (:class:`ParseError`: the stream counts it as malformed).
Both frames answer :meth:`sizes`, the size at each price, which is all a price ladder draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

from tstui.domain.control_frames import (
    ControlFrame,
    StreamErrorFrame,
    classify_control,
    frame_object,
)
from tstui.domain.parsing import ParseError, is_mapping, opt_datetime, opt_decimal, opt_int, opt_str

__all__ = [
    "DepthAggregate",
    "DepthAggregates",
    "DepthAggregatesEvent",
    "DepthFrame",
    "DepthQuote",
    "DepthQuotes",
    "DepthQuotesEvent",
    "parse_depth_aggregates_frame",
    "parse_depth_quotes_frame",
]

SIDES = (("Bids", "Bid"), ("Asks", "Ask"))


@dataclass(frozen=True, slots=True)
class DepthQuote:
    """One participant's quote at one price (market maker, ECN, or the exchange's book)."""

    side: str  # "Bid" | "Ask"
    price: Decimal
    size: Decimal | None = None
    order_count: int | None = None
    name: str | None = None
    timestamp: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any], side: str) -> DepthQuote | None:
        price = opt_decimal(data.get("Price"))
        if price is None:
            return None
        return cls(
            side=opt_str(data.get("Side")) or side,
            price=price,
            size=opt_decimal(data.get("Size")),
            order_count=opt_int(data.get("OrderCount")),
            name=opt_str(data.get("Name")),
            timestamp=opt_datetime(data.get("TimeStamp")),
        )


@dataclass(frozen=True, slots=True)
class DepthAggregate:
    """Every participant's quotes at one price and side, summed."""

    side: str
    price: Decimal
    total_size: Decimal | None = None
    biggest_size: Decimal | None = None
    smallest_size: Decimal | None = None
    num_participants: int | None = None
    total_order_count: int | None = None
    earliest_time: datetime | None = None
    latest_time: datetime | None = None

    @property
    def size(self) -> Decimal | None:
        return self.total_size

    @classmethod
    def from_api(cls, data: Mapping[str, Any], side: str) -> DepthAggregate | None:
        price = opt_decimal(data.get("Price"))
        if price is None:
            return None
        return cls(
            side=opt_str(data.get("Side")) or side,
            price=price,
            total_size=opt_decimal(data.get("TotalSize")),
            biggest_size=opt_decimal(data.get("BiggestSize")),
            smallest_size=opt_decimal(data.get("SmallestSize")),
            num_participants=opt_int(data.get("NumParticipants")),
            total_order_count=opt_int(data.get("TotalOrderCount")),
            earliest_time=opt_datetime(data.get("EarliestTime")),
            latest_time=opt_datetime(data.get("LatestTime")),
        )


def _sizes(rows: tuple[DepthQuote, ...] | tuple[DepthAggregate, ...]) -> dict[Decimal, Decimal]:
    out: dict[Decimal, Decimal] = {}
    for row in rows:
        out[row.price] = out.get(row.price, Decimal(0)) + (row.size or Decimal(0))
    return out


def _rows(data: Mapping[str, Any], key: str, side: str, build: Any) -> tuple[tuple[Any, ...], int]:
    raw = data.get(key)
    if not isinstance(raw, list):
        return (), 0
    rows = [build(item, side) if is_mapping(item) else None for item in raw]
    kept = tuple(r for r in rows if r is not None)
    return kept, len(rows) - len(kept)


@dataclass(frozen=True, slots=True)
class DepthQuotes:
    """A market-depth quotes frame (level 2 by participant)."""

    bids: tuple[DepthQuote, ...] = ()
    asks: tuple[DepthQuote, ...] = ()
    skipped: int = 0  # rows without a usable price

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> DepthQuotes:
        if "Bids" not in data and "Asks" not in data:
            raise ParseError("depth frame without Bids or Asks")
        bids, bad_bids = _rows(data, "Bids", "Bid", DepthQuote.from_api)
        asks, bad_asks = _rows(data, "Asks", "Ask", DepthQuote.from_api)
        return cls(bids, asks, bad_bids + bad_asks)

    def sizes(self) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
        """(bid size by price, ask size by price), participants summed."""
        return _sizes(self.bids), _sizes(self.asks)


@dataclass(frozen=True, slots=True)
class DepthAggregates:
    """A market-depth aggregates frame (one row per price and side)."""

    bids: tuple[DepthAggregate, ...] = ()
    asks: tuple[DepthAggregate, ...] = ()
    skipped: int = 0

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> DepthAggregates:
        if "Bids" not in data and "Asks" not in data:
            raise ParseError("depth frame without Bids or Asks")
        bids, bad_bids = _rows(data, "Bids", "Bid", DepthAggregate.from_api)
        asks, bad_asks = _rows(data, "Asks", "Ask", DepthAggregate.from_api)
        return cls(bids, asks, bad_bids + bad_asks)

    def sizes(self) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
        return _sizes(self.bids), _sizes(self.asks)


DepthFrame: TypeAlias = DepthQuotes | DepthAggregates
DepthQuotesEvent: TypeAlias = DepthQuotes | ControlFrame | StreamErrorFrame
DepthAggregatesEvent: TypeAlias = DepthAggregates | ControlFrame | StreamErrorFrame


def parse_depth_quotes_frame(data: Any) -> DepthQuotesEvent:
    """Depth quotes stream line -> DepthQuotes | Heartbeat | GoAway | StreamErrorFrame."""
    data = frame_object(data)
    return classify_control(data) or DepthQuotes.from_api(data)


def parse_depth_aggregates_frame(data: Any) -> DepthAggregatesEvent:
    """Depth aggregates stream line -> DepthAggregates | control | StreamErrorFrame."""
    data = frame_object(data)
    return classify_control(data) or DepthAggregates.from_api(data)
