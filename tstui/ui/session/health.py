"""A stream's health as the status bar shows it: live / snapshot / reconnecting / stale / failed.

The client's StreamState events map onto these states (``STATE_MAP``); a stream that stays
connecting or reconnecting past the heartbeat timeout reads as stale, with its age.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

HealthState = Literal[
    "stopped", "connecting", "snapshot", "live", "reconnecting", "stale", "failed"
]
STATE_MAP: dict[str, HealthState] = {
    "connecting": "connecting",
    "connected": "snapshot",
    "snapshot_complete": "live",
    "resynced": "live",
    "reconnecting": "reconnecting",
    "failed": "failed",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class StreamHealth:
    name: str
    state: HealthState = "stopped"
    detail: str = ""
    since: datetime = field(default_factory=utc_now)
    last_event: datetime | None = None

    def label(self, now: datetime | None = None, stale_after_s: float = 15.0) -> str:
        """``live`` / ``snapshot`` / ``reconnecting 12s`` / ``stale 40s`` / ``failed``."""
        now = now or utc_now()
        age = int((now - self.since).total_seconds())
        if self.state == "live":
            return "live"
        if self.state in ("reconnecting", "connecting", "snapshot") and age > stale_after_s:
            return f"stale {age}s"
        if self.state in ("reconnecting", "stale"):
            return f"{self.state} {age}s"
        return self.state
