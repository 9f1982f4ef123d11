"""Pure rendering: candlesticks + volume at exact sizes, degenerate inputs, the bar series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tstui.domain.models import Bar
from tstui.ui.views.chart.plotting import (
    Candle,
    ChartStyle,
    candles_from_bars,
    compact_number,
    render_candles,
    time_format_for,
)
from tstui.ui.views.chart.widget import BarSeries

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def candles(n: int, start: float = 6500.0) -> list[Candle]:
    out, price = [], start
    for i in range(n):
        close = price + (1.25 if i % 3 else -2.5)
        out.append(
            Candle(
                at=T0 + timedelta(minutes=5 * i),
                open=price,
                high=max(price, close) + 0.75,
                low=min(price, close) - 0.5,
                close=close,
                volume=1000 + 37 * i,
            )
        )
        price = close
    return out


def size_of(text_plain: str) -> tuple[int, int]:
    lines = text_plain.split("\n")
    return max(len(line) for line in lines), len(lines)


@pytest.mark.parametrize(("width", "height"), [(80, 22), (200, 58), (40, 10), (24, 6)])
def test_size_is_respected(width: int, height: int) -> None:
    text = render_candles(candles(300), width, height, title="ESZ26 5-minute")
    w, h = size_of(text.plain)
    assert h == height
    assert w <= width
    assert "┤" in text.plain  # a y axis was drawn, not a message


def test_candles_and_volume_use_the_style_colours() -> None:
    style = ChartStyle(up="#00ff00", down="#ff0000")
    text = render_candles(candles(40), 100, 30, style=style)
    colours = {str(span.style) for span in text.spans}
    assert any("#00ff00" in c for c in colours)
    assert any("#ff0000" in c for c in colours)
    assert "1.0k" in text.plain or "2.4k" in text.plain  # compact volume axis


def test_no_bars_and_one_bar_do_not_raise() -> None:
    empty = render_candles([], 60, 12, title="@ES")
    assert "no bars yet" in empty.plain
    assert size_of(empty.plain) == (60, 12)
    one = render_candles(candles(1), 60, 16)
    assert size_of(one.plain)[1] == 16
    assert "┤" in one.plain
    flat = Candle(T0, 10.0, 10.0, 10.0, 10.0, 0.0)  # zero range, zero volume
    assert size_of(render_candles([flat, flat], 60, 16).plain)[1] == 16


def test_too_small_gives_a_message() -> None:
    text = render_candles(candles(10), 10, 3)
    assert "too" in text.plain
    assert size_of(text.plain) == (10, 3)
    assert len(render_candles(candles(10), 0, 0).plain) <= 1  # no exception either


def test_only_the_newest_candles_that_fit_are_drawn() -> None:
    many = candles(500)
    text = render_candles(many, 60, 12, time_format="%H:%M")
    last_label = many[-1].at.astimezone().strftime("%H:%M")
    assert last_label in text.plain  # the newest bar is always on the x axis


def test_helpers() -> None:
    assert compact_number(999) == "999"
    assert compact_number(1234) == "1.2k"
    assert compact_number(2_500_000) == "2.5M"
    assert time_format_for("Daily") == "%m-%d"
    assert time_format_for("Minute") == "%H:%M"
    bar = Bar(
        timestamp=T0,
        open=Decimal("1.5"),
        high=Decimal(2),
        low=Decimal(1),
        close=Decimal("1.75"),
        total_volume=None,
    )
    (candle,) = candles_from_bars([bar])
    assert (candle.open, candle.close, candle.volume) == (1.5, 1.75, 0.0)


def _bar(minute: int, close: str, status: str = "Closed") -> Bar:
    price = Decimal(close)
    return Bar(
        timestamp=T0 + timedelta(minutes=minute),
        open=price,
        high=price,
        low=price,
        close=price,
        bar_status=status,
    )


def test_bar_series_updates_the_open_bar_in_place() -> None:
    series: BarSeries[Bar] = BarSeries(max_bars=3)
    series.reset([_bar(5, "2"), _bar(0, "1")])
    assert [b.close for b in series.bars] == [Decimal(1), Decimal(2)]
    assert series.apply(_bar(10, "3", "Open"))
    assert series.apply(_bar(10, "3.5", "Open"))  # same bar, new close: replaced
    assert len(series) == 3 and series.last is not None and series.last.close == Decimal("3.5")
    assert not series.apply(_bar(10, "3.5", "Open"))  # identical: no change, no redraw
    assert series.apply(_bar(15, "4"))  # a new bar: the oldest drops out (max 3)
    assert [b.close for b in series.bars] == [Decimal(2), Decimal("3.5"), Decimal(4)]
    assert series.apply(_bar(5, "2.25"))  # a replayed older bar replaces by time
    assert series.bars[0].close == Decimal("2.25")


def test_daily_lines_break_at_day_breaks_and_levels_are_drawn() -> None:
    from tstui.ui.views.chart.plotting import ChartFrame, Level, Overlay, render_chart

    shown = candles(40)
    # above the candles (6497-6500.75); the order line at 6504 widens the price range
    flat_day1 = [6501.5] * 20
    flat_day2 = [6503.0] * 20
    vwap = Overlay("VWAP", [*flat_day1, *flat_day2], "#56D4DD", daily=True)
    level = Level(6504.0, "SELL 2 LMT 6504", "#F0555A", selected=True)
    frame = ChartFrame(shown, overlays=[vwap], levels=[level], day_breaks=[20], volume=False)
    text = render_chart(frame, 100, 30).plain
    assert "▶ SELL 2 LMT 6504" in text  # the chosen order line, labelled at its price
    # the VWAP of day 1 and day 2 are not joined: no dots between the two levels
    rows = text.split("\n")
    dotted = {i for i, row in enumerate(rows) if "•" in row}
    assert len(dotted) == 2  # two flat lines, no connector between them


def test_volume_axis_starts_below_alike_bars() -> None:
    from tstui.ui.views.chart.plotting import volume_floor

    assert volume_floor([100, 120, 110]) == 90  # spread 20 of 120: start 10 below the least
    assert volume_floor([50, 100]) == 0  # spread half the top or more: from zero
    assert volume_floor([0, 0]) == 0 and volume_floor([]) == 0
