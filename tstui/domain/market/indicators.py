"""Chart maths (pure, stdlib only): candles, aggregation, SMA / EMA / VWAP, the visible window.

Values are floats: these numbers are drawn, never traded or summed into money, and plotext
takes floats. A series result has one entry per input; ``None`` where the indicator has no
value yet (fewer bars than its period).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "Candle",
    "ChartWindow",
    "aggregate",
    "ema",
    "sma",
    "vwap",
]


@dataclass(frozen=True, slots=True)
class Candle:
    """One drawn bar; ``at`` is the bar's end (the API's TimeStamp), ``first_at`` the end of
    the first source bar when several were merged into it."""

    at: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    first_at: datetime | None = None
    count: int = 1

    @property
    def change(self) -> float:
        return self.close - self.open


def aggregate(candles: Sequence[Candle], per: int) -> list[Candle]:
    """Merge every ``per`` consecutive candles into one, counted from the newest, so the last
    candle always holds the newest bar (the oldest group may be short)."""
    if per <= 1:
        return list(candles)
    out: list[Candle] = []
    first_size = len(candles) % per or per
    start = 0
    size = first_size
    while start < len(candles):
        group = candles[start : start + size]
        out.append(
            Candle(
                at=group[-1].at,
                open=group[0].open,
                high=max(c.high for c in group),
                low=min(c.low for c in group),
                close=group[-1].close,
                volume=sum(c.volume for c in group),
                first_at=group[0].first_at or group[0].at,
                count=sum(c.count for c in group),
            )
        )
        start += size
        size = per
    return out


def sma(values: Sequence[float], period: int) -> list[float | None]:
    """Simple moving average: the mean of the last ``period`` values."""
    if period < 1:
        raise ValueError("period must be at least 1")
    out: list[float | None] = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= period:
            total -= values[i - period]
        out.append(total / period if i >= period - 1 else None)
    return out


def ema(values: Sequence[float], period: int) -> list[float | None]:
    """Exponential moving average, alpha = 2 / (period + 1), seeded with the SMA of the
    first ``period`` values (so it starts where the SMA starts)."""
    if period < 1:
        raise ValueError("period must be at least 1")
    alpha = 2.0 / (period + 1)
    out: list[float | None] = []
    current: float | None = None
    for i, value in enumerate(values):
        if i < period - 1:
            out.append(None)
            continue
        if current is None:
            current = sum(values[:period]) / period
        else:
            current = current + alpha * (value - current)
        out.append(current)
    return out


def vwap(candles: Sequence[Candle], day_keys: Sequence[Hashable]) -> list[float | None]:
    """Volume-weighted average of the typical price (high + low + close) / 3, restarting
    whenever the day key changes; None until the day has traded volume."""
    out: list[float | None] = []
    weighted = volume = 0.0
    previous: Hashable = object()
    for candle, key in zip(candles, day_keys, strict=True):
        if key != previous:
            weighted = volume = 0.0
            previous = key
        typical = (candle.high + candle.low + candle.close) / 3
        weighted += typical * candle.volume
        volume += candle.volume
        out.append(weighted / volume if volume > 0 else None)
    return out


@dataclass(frozen=True, slots=True)
class ChartWindow:
    """Which bars of a series a chart shows: ``span`` bars ending ``offset`` bars before the
    newest. ``span`` larger than the columns merges bars into wider candles."""

    span: int
    offset: int = 0

    def bounds(self, total: int) -> tuple[int, int]:
        """[start, end) indexes of the shown bars in a series of ``total``."""
        span = max(1, min(self.span, total)) if total else 0
        end = max(span, total - max(0, self.offset))
        return end - span, end

    def per_column(self, columns: int) -> int:
        """Bars merged into one candle so ``span`` bars fit ``columns``."""
        return max(1, -(-self.span // max(1, columns)))

    def clamp(self, total: int) -> ChartWindow:
        span = max(1, min(self.span, total)) if total else max(1, self.span)
        return ChartWindow(span, max(0, min(self.offset, total - span)))

    def scrolled(self, bars: int, total: int) -> ChartWindow:
        """Older by ``bars`` (negative: newer), kept inside the series."""
        return ChartWindow(self.span, self.offset + bars).clamp(total)

    def at_oldest(self, total: int) -> bool:
        return self.bounds(total)[0] == 0

    @property
    def follows_newest(self) -> bool:
        return self.offset == 0
