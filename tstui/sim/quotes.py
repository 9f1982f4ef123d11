"""Quotes and symbol details in the v3 shapes (numbers as strings)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tstui.sim.clock import iso
from tstui.sim.instruments import Instrument
from tstui.sim.market import PricePaths, day_start, volume_for

SPREAD_TICKS = 1
SESSION_CLOSE_HOUR = 21  # UTC, where daily bars close (tstui.sim.bars)


def previous_close_time(now: datetime) -> datetime:
    """The last session close before today: 21:00 UTC of the previous weekday (Friday's on a
    Monday), the instant the previous daily bar closed."""
    day = day_start(now) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day.replace(hour=SESSION_CLOSE_HOUR)


def previous_close(paths: PricePaths, inst: Instrument, now: datetime) -> Decimal:
    """The quote's ``PreviousClose``: ``NetChange`` and a position's day P&L start here."""
    return paths.price_at(inst, previous_close_time(now))


def touch_sizes(inst: Instrument) -> tuple[Decimal, Decimal]:
    """(bid size, ask size): the most one execution takes (larger orders fill in several)."""
    if inst.asset_type == "STOCK":
        return Decimal(200), Decimal(300)
    return Decimal(9), Decimal(12)


def bid_ask(inst: Instrument, last: Decimal) -> tuple[Decimal, Decimal]:
    spread = inst.tick * SPREAD_TICKS
    return max(inst.tick, last - spread), last + spread


def quote(paths: PricePaths, inst: Instrument, now: datetime) -> dict[str, Any]:
    last = paths.price_at(inst, now)
    bid, ask = bid_ask(inst, last)
    start = day_start(now)
    prev_close = previous_close(paths, inst, now)
    open_ = paths.price_at(inst, start)
    elapsed = (now - start).total_seconds()
    samples = [paths.price_at(inst, start + timedelta(seconds=elapsed * i / 24)) for i in range(25)]
    high, low = max(samples), min(samples)
    year_points = [paths.price_at(inst, start - timedelta(days=7 * w)) for w in range(53)]
    base = 20_000 if inst.asset_type == "STOCK" else 800
    volume = volume_for(paths.seed, inst.priced_symbol, int(start.timestamp()), base) * max(
        1, int(elapsed // 60)
    )
    change = last - prev_close
    pct = (change / prev_close * 100).quantize(Decimal("0.01")) if prev_close else Decimal(0)
    data: dict[str, Any] = {
        "Symbol": inst.symbol,
        "Open": inst.fmt(open_),
        "High": inst.fmt(high),
        "Low": inst.fmt(low),
        "PreviousClose": inst.fmt(prev_close),
        "Last": inst.fmt(last),
        "Ask": inst.fmt(ask),
        "AskSize": str(touch_sizes(inst)[1]),
        "Bid": inst.fmt(bid),
        "BidSize": str(touch_sizes(inst)[0]),
        "NetChange": inst.fmt(change),
        "NetChangePct": str(pct),
        "High52Week": inst.fmt(max([*year_points, high])),
        "High52WeekTimestamp": iso(start - timedelta(days=30)),
        "Low52Week": inst.fmt(min([*year_points, low])),
        "Low52WeekTimestamp": iso(start - timedelta(days=200)),
        "Volume": str(volume),
        "PreviousVolume": str(volume_for(paths.seed, inst.priced_symbol, 0, base) * 1380),
        "Close": inst.fmt(last),
        "DailyOpenInterest": "0" if inst.asset_type == "STOCK" else "250000",
        "TradeTime": iso(now),
        "LastSize": "100" if inst.asset_type == "STOCK" else "1",
        "LastVenue": inst.exchange,
        "VWAP": inst.fmt((high + low + last) / 3),
        "MarketFlags": {
            "IsBats": False,
            "IsDelayed": False,
            "IsHalted": False,
            "IsHardToBorrow": False,
        },
        "Restrictions": [],
        "TickSizeTier": "0",
    }
    if inst.expiration is not None:
        data["LastTradingDate"] = iso(datetime(*inst.expiration.timetuple()[:3], tzinfo=now.tzinfo))
    return data


def symbol_detail(inst: Instrument) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "AssetType": inst.asset_type,
        "Country": "United States",
        "Currency": "USD",
        "Description": inst.description,
        "Exchange": inst.exchange,
        "Symbol": inst.symbol,
        "Root": inst.root,
        "PriceFormat": {
            "Format": "Decimal",
            "Decimals": str(inst.decimals),
            "IncrementStyle": "Simple",
            "Increment": str(inst.tick),
            "PointValue": str(inst.point_value),
        },
        "QuantityFormat": {
            "Format": "Decimal",
            "Decimals": "0",
            "IncrementStyle": "Simple",
            "Increment": "1",
            "MinimumTradeQuantity": "1",
        },
    }
    if inst.is_future:
        detail["FutureType"] = "Electronic"
        if inst.expiration is not None:
            detail["ExpirationDate"] = f"{inst.expiration.isoformat()}T00:00:00Z"
        if inst.underlying is not None:
            detail["Underlying"] = inst.underlying
    return detail
