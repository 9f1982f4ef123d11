"""The simulator clock: a start instant plus real time scaled by ``speed``, plus manual moves.

``speed=0`` freezes the clock (tests use it with explicit ``/_sim/clock`` moves for
determinism); ``speed=1`` follows real time. The clock never moves backward.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        begin = start or datetime.now(UTC)
        if begin.tzinfo is None:
            begin = begin.replace(tzinfo=UTC)
        self._base = begin.astimezone(UTC)
        self._speed = speed
        self._real_base = time.monotonic()
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._real_base) * self._speed
            return self._base + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock never moves backward")
        with self._lock:
            self._base += timedelta(seconds=seconds)
        return self.now()

    def set(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        current = self.now()
        if instant < current:
            raise ValueError("the clock never moves backward")
        return self.advance((instant - current).total_seconds())


def iso(instant: datetime) -> str:
    """RFC 3339 UTC with a Z suffix, whole seconds (the API's format)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
