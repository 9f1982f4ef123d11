"""Per-category quotas in fixed windows that start at a category's first request (sim time)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from tstui.sim.clock import SimClock

FIVE_MINUTES = timedelta(minutes=5)
QUOTAS: dict[str, tuple[int, timedelta]] = {
    "accounts": (250, FIVE_MINUTES),
    "orders": (250, FIVE_MINUTES),  # order details: orders, historicalorders, by id
    "balances": (250, FIVE_MINUTES),
    "positions": (250, FIVE_MINUTES),
    "quotestream": (500, FIVE_MINUTES),
    "barchart": (500, FIVE_MINUTES),
    "tickbar": (500, FIVE_MINUTES),
    "quotes": (30, timedelta(minutes=1)),
    "marketdepth": (30, timedelta(minutes=1)),  # stream opens, both depth streams together
    # each option endpoint its own 90 a minute (the wire notes' table)
    **{
        category: (90, timedelta(minutes=1))
        for category in (
            "optionexpirations",
            "optionstrikes",
            "optionspreadtypes",
            "optionriskreward",
            "optionchains",
            "optionquotes",
        )
    },
}


class RateLimiter:
    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[datetime, int]] = {}

    def hit(self, category: str) -> int | None:
        """Count a request; returns seconds to wait when over quota, else None."""
        quota = QUOTAS.get(category)
        if quota is None:
            return None
        limit, window = quota
        now = self.clock.now()
        with self._lock:
            start, count = self._windows.get(category, (now, 0))
            if now - start >= window:
                start, count = now, 0
            if count >= limit:
                return max(1, int((start + window - now).total_seconds() + 0.999))
            self._windows[category] = (start, count + 1)
            return None

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
