"""Chart maths with hand-computed values: SMA, EMA, VWAP, aggregation, the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tstui.domain.market.indicators import Candle, ChartWindow, aggregate, ema, sma, vwap

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def candle(i: int, o: float, h: float, low: float, c: float, v: float) -> Candle:
    return Candle(at=T0 + timedelta(minutes=5 * i), open=o, high=h, low=low, close=c, volume=v)


def test_sma_is_the_mean_of_the_last_period_values() -> None:
    assert sma([1, 2, 3, 4, 5], 3) == [None, None, 2, 3, 4]
    assert sma([10, 20], 1) == [10, 20]
    assert sma([1, 2], 3) == [None, None]
    with pytest.raises(ValueError):
        sma([1.0], 0)


def test_ema_starts_at_the_sma_then_moves_by_alpha() -> None:
    # period 3: alpha 0.5, seed (2+4+6)/3 = 4; then 4 + .5*(8-4) = 6; 6 + .5*(12-6) = 9
    assert ema([2, 4, 6, 8, 12], 3) == [None, None, 4, 6, 9]
    # period 4: alpha 0.4, seed 2.5, then 2.5 + .4*(10-2.5) = 5.5
    assert ema([1, 2, 3, 4, 10], 4) == pytest.approx([None, None, None, 2.5, 5.5])


def test_vwap_weights_the_typical_price_and_restarts_each_day() -> None:
    bars = [
        candle(0, 9, 12, 9, 9, 100),  # typical 10
        candle(1, 9, 13, 10, 13, 300),  # typical 12: (1000 + 3600) / 400 = 11.5
        candle(2, 20, 21, 18, 21, 50),  # a new day: 20
        candle(3, 20, 21, 18, 21, 0),  # no volume: unchanged
    ]
    assert vwap(bars, ["d1", "d1", "d2", "d2"]) == [10, 11.5, 20, 20]
    assert vwap([candle(0, 1, 1, 1, 1, 0)], ["d1"]) == [None]


def test_aggregate_merges_from_the_newest_bar() -> None:
    bars = [
        candle(0, 10, 11, 9, 10.5, 1),
        candle(1, 10.5, 12, 10, 11, 2),
        candle(2, 11, 11.5, 8, 9, 3),
        candle(3, 9, 10, 7, 7.5, 4),
        candle(4, 7.5, 9, 7, 8.5, 5),
    ]
    merged = aggregate(bars, 2)
    assert len(merged) == 3
    assert merged[0].count == 1 and merged[0].close == 10.5  # the oldest group is short
    assert (merged[1].open, merged[1].high, merged[1].low, merged[1].close) == (10.5, 12, 8, 9)
    assert merged[1].volume == 5 and merged[1].count == 2
    assert merged[1].first_at == bars[1].at and merged[1].at == bars[2].at
    assert merged[2].at == bars[4].at and merged[2].close == 8.5 and merged[2].low == 7
    assert aggregate(bars, 1) == bars
    assert aggregate(bars, 10)[0].count == 5


def test_window_bounds_scroll_and_zoom() -> None:
    window = ChartWindow(span=68)
    assert window.bounds(600) == (532, 600) and window.follows_newest
    older = window.scrolled(10, 600)
    assert older.bounds(600) == (522, 590) and not older.follows_newest
    assert window.scrolled(10_000, 600).bounds(600) == (0, 68)
    assert window.scrolled(10_000, 600).at_oldest(600)
    assert older.scrolled(-50, 600).offset == 0  # never past the newest bar
    assert ChartWindow(span=300).bounds(120) == (0, 120)  # fewer bars than asked
    assert ChartWindow(span=600).per_column(68) == 9  # 600 bars in 68 columns: 9 per candle
    assert ChartWindow(span=68).per_column(68) == 1
    assert ChartWindow(span=5).bounds(0) == (0, 0)
