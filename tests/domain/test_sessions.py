"""Trading sessions: regular stock hours, the futures' overnight session, day breaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tstui.domain.market.sessions import (
    FUTURES_GLOBEX,
    STOCK_REGULAR,
    bar_day,
    day_breaks,
    is_open,
    next_open,
    previous_close,
    session_bounds,
    session_for,
    trading_day,
)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_stock_regular_hours_in_winter_and_summer() -> None:
    # December: New York is UTC-5, so 09:30-16:00 is 14:30-21:00Z
    assert session_bounds(STOCK_REGULAR, date(2026, 12, 1)) == (
        utc(2026, 12, 1, 14, 30),
        utc(2026, 12, 1, 21, 0),
    )
    # July: UTC-4, 13:30-20:00Z
    assert session_bounds(STOCK_REGULAR, date(2026, 7, 1))[0] == utc(2026, 7, 1, 13, 30)
    assert trading_day(STOCK_REGULAR, utc(2026, 12, 1, 15, 0)) == date(2026, 12, 1)
    assert trading_day(STOCK_REGULAR, utc(2026, 12, 1, 14, 29)) is None
    assert trading_day(STOCK_REGULAR, utc(2026, 12, 1, 21, 0)) is None  # close is exclusive
    assert not is_open(STOCK_REGULAR, utc(2026, 12, 5, 15, 0))  # Saturday


def test_futures_open_the_evening_before_and_halt_an_hour() -> None:
    # Tuesday Dec 1's session: Monday 18:00 ET (23:00Z) to Tuesday 17:00 ET (22:00Z)
    assert session_bounds(FUTURES_GLOBEX, date(2026, 12, 1)) == (
        utc(2026, 11, 30, 23, 0),
        utc(2026, 12, 1, 22, 0),
    )
    assert trading_day(FUTURES_GLOBEX, utc(2026, 12, 1, 3, 0)) == date(2026, 12, 1)
    assert trading_day(FUTURES_GLOBEX, utc(2026, 12, 1, 22, 30)) is None  # the daily halt
    assert trading_day(FUTURES_GLOBEX, utc(2026, 12, 1, 23, 0)) == date(2026, 12, 2)
    assert trading_day(FUTURES_GLOBEX, utc(2026, 12, 5, 12, 0)) is None  # Saturday
    assert trading_day(FUTURES_GLOBEX, utc(2026, 12, 6, 23, 0)) == date(2026, 12, 7)  # Sun eve


def test_next_open_and_previous_close_skip_weekends() -> None:
    friday_close = utc(2026, 12, 4, 21, 0)
    assert next_open(STOCK_REGULAR, friday_close) == utc(2026, 12, 7, 14, 30)
    assert next_open(STOCK_REGULAR, utc(2026, 12, 1, 14, 30)) == utc(2026, 12, 1, 14, 30)
    assert previous_close(FUTURES_GLOBEX, utc(2026, 12, 5, 12, 0)) == utc(2026, 12, 4, 22, 0)
    assert previous_close(STOCK_REGULAR, utc(2026, 12, 2, 10, 0)) == utc(2026, 12, 1, 21, 0)


def test_bars_belong_to_the_day_they_end_in() -> None:
    ends = [utc(2026, 12, 1, 20, 55), utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 14, 35)]
    assert bar_day(STOCK_REGULAR, ends[1]) == date(2026, 12, 1)  # stamped at the close
    assert day_breaks(ends, STOCK_REGULAR) == [2]
    # futures: the 18:05 ET bar of Tuesday evening is Wednesday's trading day
    fut = [utc(2026, 12, 1, 21, 55), utc(2026, 12, 1, 22, 0), utc(2026, 12, 1, 23, 5)]
    assert day_breaks(fut, FUTURES_GLOBEX) == [2]
    # without a session the calendar date in the given zone decides
    plain = [utc(2026, 12, 1, 23, 0) + timedelta(hours=h) for h in range(3)]
    assert day_breaks(plain, None, zone="UTC") == [2]  # the bar ending 00:00 is Dec 1


def test_session_for_asset_types() -> None:
    assert session_for("STOCK") is STOCK_REGULAR
    assert session_for("FUTURE") is FUTURES_GLOBEX
    assert session_for(None, "@ES") is FUTURES_GLOBEX
    assert session_for("INDEX") is None
