"""Bars from the price paths: time bars (Minute/Daily/Weekly/Monthly) and v2 tick bars.

Bar spans: minute bars align to multiples of the interval since the epoch; a daily bar is a
weekday from 00:00 to 21:00 UTC (its TimeStamp is 21:00Z, the session close, like the real
API); weekly bars run Monday to Friday 21:00; monthly bars from the first to the last weekday.
Minute bars follow the instrument's trading session (``tstui.domain.market.sessions``): stocks
09:30-16:00 New York time, futures 18:00 (the evening before) to 17:00, weekdays only; they are
aligned to the session open and the last bar of a session ends at the close (a 60-minute
stock bar at 15:30 ends at 16:00). Outside the session there are no minute bars: the newest
bar is the last one of the previous session. A bar whose end is
after the sim clock is the open bar: its close is the current price. A tick arrives every
5 sim seconds, so an N-tick bar spans N*5 seconds.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tstui.domain.market.sessions import (
    TradingSession,
    next_open,
    previous_close,
    session_bounds,
    session_for,
    trading_day,
)
from tstui.sim.clock import iso
from tstui.sim.instruments import Instrument
from tstui.sim.market import PricePaths, volume_for

UNITS = ("Minute", "Daily", "Weekly", "Monthly")
MAX_INTRADAY_BARS = 57_600
MAX_MINUTE_INTERVAL = 1440
TICK_SECONDS = 5.0
CLOSE_HOUR = 21


@dataclass(frozen=True, slots=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class BarData:
    span: Span
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    up_ticks: int
    down_ticks: int
    is_open: bool


def normalize_unit(unit: str) -> str | None:
    for known in UNITS:
        if unit.lower() == known.lower():
            return known
    return None


def _weekday_back(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _weekday_forward(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def session_of(inst: Instrument, unit: str) -> TradingSession | None:
    """The session minute bars of ``inst`` follow (None: around the clock)."""
    return session_for(inst.asset_type, inst.symbol) if unit == "Minute" else None


def _session_minute_span(session: TradingSession, interval: int, t: datetime) -> Span:
    """The session's minute span holding ``t``; outside the session, its last span before."""
    day = trading_day(session, t)
    if day is None:
        closed = previous_close(session, t)
        day = trading_day(session, closed - timedelta(microseconds=1))
        t = closed - timedelta(microseconds=1)
    assert day is not None  # previous_close returns the close of a trading day
    opens, closes = session_bounds(session, day)
    size = timedelta(minutes=interval)
    start = opens + size * int((t - opens) / size)
    return Span(start, min(start + size, closes))


def span_at(unit: str, interval: int, t: datetime, session: TradingSession | None = None) -> Span:
    """The latest span that starts at or before ``t``."""
    if unit == "Minute" and session is not None:
        return _session_minute_span(session, interval, t)
    if unit == "Minute":
        size = interval * 60
        k = int(t.timestamp() // size)
        start = datetime.fromtimestamp(k * size, UTC)
        return Span(start, start + timedelta(seconds=size))
    day = _weekday_back(t.date())
    if unit == "Daily":
        return Span(_at(day), _at(day, CLOSE_HOUR))
    if unit == "Weekly":
        monday = day - timedelta(days=day.weekday())
        return Span(_at(monday), _at(monday + timedelta(days=4), CLOSE_HOUR))
    first = _weekday_forward(date(t.year, t.month, 1))
    if first > t.date():  # month begins on a weekend and t is before its first weekday
        prev = date(t.year, t.month, 1) - timedelta(days=1)
        return span_at(unit, interval, _at(prev, 12))
    last = _weekday_back(date(t.year, t.month, calendar.monthrange(t.year, t.month)[1]))
    return Span(_at(first), _at(last, CLOSE_HOUR))


def previous_span(
    unit: str, interval: int, span: Span, session: TradingSession | None = None
) -> Span:
    if unit == "Minute" and session is not None:
        return _session_minute_span(session, interval, span.start - timedelta(microseconds=1))
    if unit == "Minute":
        size = timedelta(minutes=interval)
        return Span(span.start - size, span.start)
    return span_at(unit, interval, span.start - timedelta(hours=1))


def next_span(unit: str, interval: int, span: Span, session: TradingSession | None = None) -> Span:
    if unit == "Minute" and session is not None:
        start = span.end if trading_day(session, span.end) else next_open(session, span.end)
        return _session_minute_span(session, interval, start)
    if unit == "Minute":
        size = timedelta(minutes=interval)
        return Span(span.end, span.end + size)
    probe = span.end + timedelta(hours=3)
    while True:
        candidate = span_at(unit, interval, probe)
        if candidate.start > span.start:
            return candidate
        probe += timedelta(days=1)


def make_bar(
    paths: PricePaths,
    inst: Instrument,
    unit: str,
    span: Span,
    now: datetime,
    memo: dict[float, Decimal] | None = None,
) -> BarData:
    end = min(span.end, now)
    samples = 3 if unit == "Minute" else 9
    t0, t1 = span.start.timestamp(), end.timestamp()
    cache = memo if memo is not None else {}
    points = []
    for i in range(samples):
        t = t0 + (t1 - t0) * i / (samples - 1)
        price = cache.get(t)
        if price is None:  # adjacent bars share their boundary prices
            price = cache[t] = paths.price_at(inst, t)
        points.append(price)
    base_volume = 20_000 if inst.asset_type == "STOCK" else 800
    minutes = max(1.0, (span.end - span.start).total_seconds() / 60)
    elapsed = max(0.0, min(1.0, (t1 - t0) / max(1.0, span.end.timestamp() - t0)))
    volume = int(volume_for(paths.seed, inst.priced_symbol, int(t0), base_volume) * minutes**0.8)
    volume = max(1, int(volume * elapsed))
    ticks = max(1, volume // 50)
    up = ticks // 2 + (ticks // 10 if points[-1] >= points[0] else -(ticks // 10))
    return BarData(
        span,
        points[0],
        max(points),
        min(points),
        points[-1],
        volume,
        up,
        ticks - up,
        now < span.end,
    )


def history(
    paths: PricePaths,
    inst: Instrument,
    unit: str,
    interval: int,
    now: datetime,
    barsback: int | None,
    firstdate: datetime | None,
    lastdate: datetime | None,
) -> list[BarData]:
    """Bars ending at ``lastdate`` (default now), either ``barsback`` of them or back to
    ``firstdate``, oldest first."""
    anchor = min(lastdate, now) if lastdate else now
    session = session_of(inst, unit)
    span = span_at(unit, interval, anchor, session)
    if lastdate is not None and span.end > lastdate and span.end <= now:
        span = previous_span(unit, interval, span, session)
    spans: list[Span] = []
    limit = barsback if firstdate is None else MAX_INTRADAY_BARS * 4
    while len(spans) < (limit or 1):
        if firstdate is not None and span.end < firstdate:
            break
        spans.append(span)
        span = previous_span(unit, interval, span, session)
    spans.reverse()
    memo: dict[float, Decimal] = {}
    return [make_bar(paths, inst, unit, s, now, memo) for s in spans]


def bar_to_api(inst: Instrument, bar: BarData, *, end_of_history: bool = False) -> dict[str, Any]:
    up_volume = bar.volume * bar.up_ticks // max(1, bar.up_ticks + bar.down_ticks)
    return {
        "High": inst.fmt(bar.high),
        "Low": inst.fmt(bar.low),
        "Open": inst.fmt(bar.open),
        "Close": inst.fmt(bar.close),
        "TimeStamp": iso(bar.span.end),
        "TotalVolume": str(bar.volume),
        "DownTicks": bar.down_ticks,
        "DownVolume": bar.volume - up_volume,
        "OpenInterest": "0" if inst.asset_type == "STOCK" else "250000",
        "IsRealtime": bar.is_open,
        "IsEndOfHistory": end_of_history,
        "TotalTicks": bar.up_ticks + bar.down_ticks,
        "UnchangedTicks": 0,
        "UnchangedVolume": 0,
        "UpTicks": bar.up_ticks,
        "UpVolume": up_volume,
        "Epoch": int(bar.span.end.timestamp() * 1000),
        "BarStatus": "Open" if bar.is_open else "Closed",
    }


# v2 tick bar Status bits
NEW, REAL_TIME, HISTORICAL, STANDARD_CLOSE = 1, 2, 4, 8


def tick_span_at(interval: int, t: datetime) -> Span:
    size = interval * TICK_SECONDS
    k = int(t.timestamp() // size)
    start = datetime.fromtimestamp(k * size, UTC)
    return Span(start, start + timedelta(seconds=size))


def tickbar_to_api(inst: Instrument, bar: BarData, status: int) -> dict[str, Any]:
    """The v2 tick bar frame: numbers, not strings, and the legacy /Date(ms)/ timestamp."""
    return {
        "Close": float(bar.close),
        "DownTicks": bar.down_ticks,
        "DownVolume": bar.volume // 2,
        "High": float(bar.high),
        "Low": float(bar.low),
        "Open": float(bar.open),
        "OpenInterest": 0,
        "Status": status,
        "TimeStamp": f"/Date({int(bar.span.end.timestamp() * 1000)})/",
        "TotalTicks": bar.up_ticks + bar.down_ticks,
        "TotalVolume": bar.volume,
        "UnchangedTicks": 0,
        "UnchangedVolume": 0,
        "UpTicks": bar.up_ticks,
        "UpVolume": bar.volume - bar.volume // 2,
    }
