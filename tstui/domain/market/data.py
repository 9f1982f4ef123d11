"""Market data: bars, v2 tick bars, symbol details and quotes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, Self, final

from tstui.domain._build import positional_builder
from tstui.domain.enums import tickbar_flags
from tstui.domain.parsing import (
    ParseError,
    is_mapping,
    opt_bool,
    opt_datetime,
    opt_decimal,
    opt_int,
    opt_str,
    require_decimal,
    require_str,
    str_tuple,
)

__all__ = [
    "Bar",
    "IncrementScheduleRow",
    "MarketFlags",
    "PriceFormat",
    "QuantityFormat",
    "Quote",
    "SymbolDetail",
    "SymbolMatch",
    "TickBar",
]


@final
@dataclass(frozen=True, slots=True)
class Bar:
    """A v3 bar. ``timestamp`` is the bar's end time (UTC); prices are Decimal."""

    timestamp: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    total_volume: Decimal | None = None
    epoch: int | None = None  # ms
    bar_status: str | None = None  # "Open" (still updating) | "Closed"
    is_realtime: bool | None = None
    is_end_of_history: bool | None = None
    open_interest: Decimal | None = None
    total_ticks: int | None = None
    up_ticks: int | None = None
    down_ticks: int | None = None
    up_volume: int | None = None
    down_volume: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Bar:
        get = data.get
        epoch = opt_int(get("Epoch"))
        timestamp = opt_datetime(get("TimeStamp"))
        if timestamp is None and epoch is not None:
            timestamp = opt_datetime(epoch)
        if timestamp is None:
            raise ParseError("bar without TimeStamp")
        return _new_bar(  # positional, in field order (hot path: see _build.py)
            timestamp,
            require_decimal(data, "Open"),
            require_decimal(data, "High"),
            require_decimal(data, "Low"),
            require_decimal(data, "Close"),
            opt_decimal(get("TotalVolume")),
            epoch,
            opt_str(get("BarStatus")),
            opt_bool(get("IsRealtime")),
            opt_bool(get("IsEndOfHistory")),
            opt_decimal(get("OpenInterest")),
            opt_int(get("TotalTicks")),
            opt_int(get("UpTicks")),
            opt_int(get("DownTicks")),
            opt_int(get("UpVolume")),
            opt_int(get("DownVolume")),
        )

    @property
    def is_closed(self) -> bool:
        return self.bar_status is None or self.bar_status.lower() == "closed"


@dataclass(frozen=True, slots=True)
class TickBar:
    """A v2 tick bar (numbers, not strings). ``flags`` are the names of the set Status bits."""

    timestamp: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    total_volume: Decimal | None = None
    up_ticks: int | None = None
    down_ticks: int | None = None
    total_ticks: int | None = None
    up_volume: Decimal | None = None
    down_volume: Decimal | None = None
    open_interest: Decimal | None = None
    status: int = 0
    flags: frozenset[str] = frozenset()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        timestamp = opt_datetime(get("TimeStamp"))
        if timestamp is None:
            raise ParseError("tick bar without TimeStamp")
        close = require_decimal(data, "Close")
        status = opt_int(get("Status")) or 0
        open_, high, low = (opt_decimal(get(key)) for key in ("Open", "High", "Low"))
        return cls(
            timestamp=timestamp,
            # A one-tick bar may carry only Close: open/high/low then equal it.
            open=close if open_ is None else open_,
            high=close if high is None else high,
            low=close if low is None else low,
            close=close,
            total_volume=opt_decimal(get("TotalVolume")),
            up_ticks=opt_int(get("UpTicks")),
            down_ticks=opt_int(get("DownTicks")),
            total_ticks=opt_int(get("TotalTicks")),
            up_volume=opt_decimal(get("UpVolume")),
            down_volume=opt_decimal(get("DownVolume")),
            open_interest=opt_decimal(get("OpenInterest")),
            status=status,
            flags=tickbar_flags(status),
        )

    @property
    def is_realtime(self) -> bool:
        return "REAL_TIME_DATA" in self.flags

    @property
    def is_historical(self) -> bool:
        return "HISTORICAL_DATA" in self.flags

    @property
    def is_end_of_history(self) -> bool:
        return "END_OF_HISTORY_STREAM" in self.flags


@dataclass(frozen=True, slots=True)
class IncrementScheduleRow:
    increment: Decimal | None = None
    starts_at: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            increment=opt_decimal(data.get("Increment")),
            starts_at=opt_decimal(data.get("StartsAt")),
        )


def _schedule(value: Any) -> tuple[IncrementScheduleRow, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(IncrementScheduleRow.from_api(row) for row in value if is_mapping(row))


@dataclass(frozen=True, slots=True)
class PriceFormat:
    format: str | None = None  # Decimal, Fraction, SubFraction
    decimals: int | None = None
    fraction: int | None = None
    sub_fraction: int | None = None
    increment_style: str | None = None  # Simple, Schedule
    increment: Decimal | None = None
    increment_schedule: tuple[IncrementScheduleRow, ...] = ()
    point_value: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            format=opt_str(get("Format")),
            decimals=opt_int(get("Decimals")),
            fraction=opt_int(get("Fraction")),
            sub_fraction=opt_int(get("SubFraction")),
            increment_style=opt_str(get("IncrementStyle")),
            increment=opt_decimal(get("Increment")),
            increment_schedule=_schedule(get("IncrementSchedule")),
            point_value=opt_decimal(get("PointValue")),
        )

    def increment_at(self, price: Decimal) -> Decimal | None:
        """The tick size that applies at ``price`` (schedule rows, else ``increment``)."""
        if self.increment_schedule:
            tick: Decimal | None = None
            for row in self.increment_schedule:
                starts = row.starts_at if row.starts_at is not None else Decimal(0)
                if price >= starts and row.increment is not None:
                    tick = row.increment
            if tick is not None:
                return tick
        return self.increment


@dataclass(frozen=True, slots=True)
class QuantityFormat:
    format: str | None = None
    decimals: int | None = None
    increment_style: str | None = None
    increment: Decimal | None = None
    increment_schedule: tuple[IncrementScheduleRow, ...] = ()
    minimum_trade_quantity: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            format=opt_str(get("Format")),
            decimals=opt_int(get("Decimals")),
            increment_style=opt_str(get("IncrementStyle")),
            increment=opt_decimal(get("Increment")),
            increment_schedule=_schedule(get("IncrementSchedule")),
            minimum_trade_quantity=opt_decimal(get("MinimumTradeQuantity")),
        )


@dataclass(frozen=True, slots=True)
class SymbolDetail:
    symbol: str
    asset_type: str | None = None
    description: str | None = None
    exchange: str | None = None
    country: str | None = None
    currency: str | None = None
    root: str | None = None
    underlying: str | None = None  # for @ES: the current front contract
    expiration_date: datetime | None = None
    future_type: str | None = None
    option_type: str | None = None
    strike_price: Decimal | None = None
    price_format: PriceFormat | None = None
    quantity_format: QuantityFormat | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        price_format = get("PriceFormat")
        quantity_format = get("QuantityFormat")
        return cls(
            symbol=require_str(data, "Symbol"),
            asset_type=opt_str(get("AssetType")),
            description=opt_str(get("Description")),
            exchange=opt_str(get("Exchange")),
            country=opt_str(get("Country")),
            currency=opt_str(get("Currency")),
            root=opt_str(get("Root")),
            underlying=opt_str(get("Underlying")),
            expiration_date=opt_datetime(get("ExpirationDate")),
            future_type=opt_str(get("FutureType")),
            option_type=opt_str(get("OptionType")),
            strike_price=opt_decimal(get("StrikePrice")),
            price_format=(PriceFormat.from_api(price_format) if is_mapping(price_format) else None),
            quantity_format=(
                QuantityFormat.from_api(quantity_format) if is_mapping(quantity_format) else None
            ),
        )

    @property
    def tick_size(self) -> Decimal | None:
        return self.price_format.increment if self.price_format is not None else None

    @property
    def point_value(self) -> Decimal | None:
        return self.price_format.point_value if self.price_format is not None else None


@dataclass(frozen=True, slots=True)
class MarketFlags:
    is_bats: bool | None = None
    is_delayed: bool | None = None
    is_halted: bool | None = None
    is_hard_to_borrow: bool | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            is_bats=opt_bool(get("IsBats")),
            is_delayed=opt_bool(get("IsDelayed")),
            is_halted=opt_bool(get("IsHalted")),
            is_hard_to_borrow=opt_bool(get("IsHardToBorrow")),
        )


@final
@dataclass(frozen=True, slots=True)
class Quote:
    """A quote snapshot or a stream update. Stream updates may carry only the changed fields:
    fold them into the last known quote with :meth:`merge`."""

    symbol: str
    last: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    bid_size: Decimal | None = None
    ask_size: Decimal | None = None
    last_size: Decimal | None = None
    last_venue: str | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    close: Decimal | None = None
    previous_close: Decimal | None = None
    net_change: Decimal | None = None
    net_change_pct: Decimal | None = None
    volume: Decimal | None = None
    previous_volume: Decimal | None = None
    vwap: Decimal | None = None
    trade_time: datetime | None = None
    high_52_week: Decimal | None = None
    high_52_week_timestamp: datetime | None = None
    low_52_week: Decimal | None = None
    low_52_week_timestamp: datetime | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    daily_open_interest: Decimal | None = None
    first_notice_date: datetime | None = None
    last_trading_date: datetime | None = None
    tick_size_tier: str | None = None
    restrictions: tuple[str, ...] | None = None
    market_flags: MarketFlags | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Quote:
        get = data.get
        flags = get("MarketFlags")
        restrictions = get("Restrictions")
        return _new_quote(  # positional, in field order (hot path: see _build.py)
            require_str(data, "Symbol"),
            opt_decimal(get("Last")),
            opt_decimal(get("Bid")),
            opt_decimal(get("Ask")),
            opt_decimal(get("BidSize")),
            opt_decimal(get("AskSize")),
            opt_decimal(get("LastSize")),
            opt_str(get("LastVenue")),
            opt_decimal(get("Open")),
            opt_decimal(get("High")),
            opt_decimal(get("Low")),
            opt_decimal(get("Close")),
            opt_decimal(get("PreviousClose")),
            opt_decimal(get("NetChange")),
            opt_decimal(get("NetChangePct")),
            opt_decimal(get("Volume")),
            opt_decimal(get("PreviousVolume")),
            opt_decimal(get("VWAP")),
            opt_datetime(get("TradeTime")),
            opt_decimal(get("High52Week")),
            opt_datetime(get("High52WeekTimestamp")),
            opt_decimal(get("Low52Week")),
            opt_datetime(get("Low52WeekTimestamp")),
            opt_decimal(get("MinPrice")),
            opt_decimal(get("MaxPrice")),
            opt_decimal(get("DailyOpenInterest")),
            opt_datetime(get("FirstNoticeDate")),
            opt_datetime(get("LastTradingDate")),
            opt_str(get("TickSizeTier")),
            str_tuple(restrictions) if restrictions is not None else None,
            MarketFlags.from_api(flags) if is_mapping(flags) else None,
        )

    def merge(self, update: Quote) -> Quote:
        """This quote with every field that ``update`` carries (non-None) taking its value."""
        if update.symbol != self.symbol:
            return update
        values = {
            name: new if (new := getattr(update, name)) is not None else getattr(self, name)
            for name in _QUOTE_FIELDS
        }
        return Quote(**values)

    @property
    def mid(self) -> Decimal | None:
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


_QUOTE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Quote))
_new_quote = positional_builder(Quote)
_new_bar = positional_builder(Bar)


@dataclass(frozen=True, slots=True)
class SymbolMatch:
    """One answer of the v2 symbol suggest or search (the fields a symbol picker shows)."""

    name: str
    description: str | None
    category: str | None
    exchange: str | None
    country: str | None
    currency: str | None
    root: str | None
    expiration_date: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> SymbolMatch:
        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value in (None, "") else str(value)

        return cls(
            name=text("Name") or "",
            description=text("Description"),
            category=text("Category"),
            exchange=text("Exchange"),
            country=text("Country"),
            currency=text("Currency"),
            root=text("Root"),
            expiration_date=text("ExpirationDate"),
        )
