"""Rate-limit headroom we can know without the server telling us: our own count.

TradeStation documents per-category quotas in fixed windows that start at a category's
first request (see the wire notes). Counting our own requests against that table gives the
status bar a headroom figure; headers, when a server sends them, win (see http.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class Quota:
    category: str
    limit: int
    window_s: float


# path pattern -> quota; the first match wins, so specific patterns come first.
_BROKERAGE = {
    "balances": Quota("balances", 250, 300.0),
    "bodbalances": Quota("balances", 250, 300.0),
    "positions": Quota("positions", 250, 300.0),
    "orders": Quota("order details", 250, 300.0),
    "historicalorders": Quota("order details", 250, 300.0),
}
_ACCOUNTS = Quota("accounts", 250, 300.0)
_QUOTES = Quota("quote snapshots", 30, 60.0)
_BARS = Quota("bar charts", 500, 300.0)
_QUOTE_STREAMS = Quota("quote streams", 500, 300.0)
_BAR_STREAMS = Quota("bar streams", 500, 300.0)
_TICK_STREAMS = Quota("tick bar streams", 500, 300.0)
# "Each option endpoint": its own 90 a minute (expirations, strikes, spreadtypes, riskreward,
# and the chain and option-quote streams).
_OPTIONS = {
    name: Quota(f"option {name}", 90, 60.0)
    for name in ("expirations", "strikes", "spreadtypes", "riskreward")
}
_OPTION_STREAMS = {
    "chains": Quota("option chain streams", 90, 60.0),
    "quotes": Quota("option quote streams", 90, 60.0),
}


def quota_for(path: str) -> Quota | None:
    """The documented quota a request path counts against (None: none documented)."""
    parts = [p for p in path.split("/") if p]
    if parts[:3] == ["v3", "brokerage", "accounts"]:
        return _BROKERAGE.get(parts[4]) if len(parts) >= 5 else _ACCOUNTS
    if parts[:2] == ["v3", "marketdata"] and len(parts) >= 3:
        if parts[2] == "quotes":
            return _QUOTES
        if parts[2] == "barcharts":
            return _BARS
        if parts[2] == "options" and len(parts) >= 4:
            return _OPTIONS.get(parts[3])
        if parts[2:4] == ["stream", "options"] and len(parts) >= 5:
            return _OPTION_STREAMS.get(parts[4])
        if parts[2] == "stream" and len(parts) >= 4:
            return {"quotes": _QUOTE_STREAMS, "barcharts": _BAR_STREAMS}.get(parts[3])
    if parts[:3] == ["v2", "stream", "tickbars"]:
        return _TICK_STREAMS
    return None


@dataclass(frozen=True, slots=True)
class Headroom:
    category: str
    limit: int
    remaining: int
    reset_at: datetime


class QuotaTracker:
    """Counts requests per category in fixed windows; `headroom()` reports what is left."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int, Quota]] = {}  # start, count, quota

    def record(self, path: str) -> Headroom | None:
        quota = quota_for(path)
        if quota is None:
            return None
        now = time.monotonic()
        start, count, _ = self._windows.get(quota.category, (now, 0, quota))
        if now - start >= quota.window_s:
            start, count = now, 0
        self._windows[quota.category] = (start, count + 1, quota)
        return self._headroom(quota.category, now)

    def _headroom(self, category: str, now: float) -> Headroom:
        start, count, quota = self._windows[category]
        reset_at = datetime.now(UTC) + timedelta(seconds=max(0.0, start + quota.window_s - now))
        return Headroom(category, quota.limit, max(0, quota.limit - count), reset_at)

    def headroom(self) -> list[Headroom]:
        """Open windows only, tightest (smallest share left) first."""
        now = time.monotonic()
        live = [
            self._headroom(category, now)
            for category, (start, _, quota) in self._windows.items()
            if now - start < quota.window_s
        ]
        return sorted(live, key=lambda h: h.remaining / h.limit)
