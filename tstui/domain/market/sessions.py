"""Trading sessions for intraday bars (pure, stdlib only).

A session is a daily window in an exchange's local time. US stocks trade the regular hours
09:30-16:00 New York time, Monday to Friday. CME equity-index and other Globex futures trade
from 18:00 New York time the evening before to 17:00 (the daily halt is 17:00-18:00), so the
trading day of Monday opens on Sunday at 18:00 and the week ends on Friday at 17:00.
Exchange holidays are ignored (weekends are the only days without a session), as in
``futures``. Times in and out are aware datetimes; results are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "FUTURES_GLOBEX",
    "STOCK_REGULAR",
    "TradingSession",
    "bar_day",
    "day_breaks",
    "is_open",
    "next_open",
    "previous_close",
    "session_bounds",
    "session_for",
    "trading_day",
]

NEW_YORK = "America/New_York"


@dataclass(frozen=True, slots=True)
class TradingSession:
    """One window a trading day; ``opens`` after ``closes`` means it opens the evening before."""

    name: str
    zone: str
    opens: time
    closes: time
    weekdays: frozenset[int] = frozenset(range(5))  # the trading days (Monday = 0)

    @property
    def overnight(self) -> bool:
        return self.opens >= self.closes


STOCK_REGULAR = TradingSession("US stocks, regular hours", NEW_YORK, time(9, 30), time(16, 0))
FUTURES_GLOBEX = TradingSession("CME Globex", NEW_YORK, time(18, 0), time(17, 0))


def session_for(asset_type: str | None, symbol: str = "") -> TradingSession | None:
    """The session of an asset type ("STOCK", "FUTURE"; a leading ``@`` means a future);
    None when unknown (bars are then taken as they come)."""
    kind = (asset_type or "").upper()
    if kind in ("FUTURE", "FUTURES") or (not kind and symbol.startswith("@")):
        return FUTURES_GLOBEX
    if kind in ("STOCK", "ETF", "EQUITY"):
        return STOCK_REGULAR
    return None


def session_bounds(session: TradingSession, day: date) -> tuple[datetime, datetime]:
    """Open and close (UTC) of the trading day ``day`` (whether or not it is a trading day)."""
    zone = ZoneInfo(session.zone)
    open_day = day - timedelta(days=1) if session.overnight else day
    opens = datetime.combine(open_day, session.opens, zone)
    closes = datetime.combine(day, session.closes, zone)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def trading_day(session: TradingSession, at: datetime) -> date | None:
    """The trading day whose session contains ``at`` (open inclusive, close exclusive)."""
    local = at.astimezone(ZoneInfo(session.zone)).date()
    for day in (local, local + timedelta(days=1)):
        if day.weekday() not in session.weekdays:
            continue
        opens, closes = session_bounds(session, day)
        if opens <= at < closes:
            return day
    return None


def is_open(session: TradingSession, at: datetime) -> bool:
    return trading_day(session, at) is not None


def next_open(session: TradingSession, at: datetime) -> datetime:
    """The first session open at or after ``at``."""
    day = at.astimezone(ZoneInfo(session.zone)).date()
    for _ in range(10):  # a week and a bit always holds a trading day
        if day.weekday() in session.weekdays:
            opens, _closes = session_bounds(session, day)
            if opens >= at:
                return opens
        day += timedelta(days=1)
    raise ValueError(f"{session.name}: no trading day in ten days")


def previous_close(session: TradingSession, at: datetime) -> datetime:
    """The last session close at or before ``at``."""
    day = at.astimezone(ZoneInfo(session.zone)).date() + timedelta(days=1)
    for _ in range(10):
        if day.weekday() in session.weekdays:
            _opens, closes = session_bounds(session, day)
            if closes <= at:
                return closes
        day -= timedelta(days=1)
    raise ValueError(f"{session.name}: no trading day in ten days")


def bar_day(session: TradingSession | None, end: datetime, zone: str | None = None) -> date:
    """The trading day of a bar that ends at ``end`` (bars are stamped with their end, so a
    bar ending at the close belongs to the day that just closed). Without a session, or
    outside it, the calendar date in ``zone`` (default: the local zone)."""
    inside = end - timedelta(microseconds=1)
    if session is not None:
        day = trading_day(session, inside)
        if day is not None:
            return day
    return (inside.astimezone(ZoneInfo(zone)) if zone else inside.astimezone()).date()


def day_breaks(
    ends: Sequence[datetime], session: TradingSession | None, zone: str | None = None
) -> list[int]:
    """Indexes of bars (by end time, oldest first) that start a new trading day (never 0)."""
    keys = [bar_day(session, end, zone) for end in ends]
    return [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
