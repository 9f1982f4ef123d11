"""A stream's health as the status bar shows it: live / snapshot / reconnecting / stale / failed.

The client's StreamState events map onto these states (``STATE_MAP``); a stream that stays
connecting or reconnecting past the heartbeat timeout reads as stale, with its age.

A live stream that goes quiet is caught before the client's watchdog (15 s) gives up on it:
TradeStation sends a heartbeat after 5 s without data, so once a frame is late the label
shows the age of the last one ("live 7s"), and after two missed heartbeats "stale 11s".
``idle`` is the stream's own clock of its last byte (data or heartbeat), set per connection.
"""

from __future__ import annotations

from collections.abc import Callable
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


HEARTBEAT_S = 5.0  # TradeStation: a heartbeat after 5 s without data
LATE_GRACE_S = 1.0  # a heartbeat this much after its time is late (network jitter)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_clock(at: datetime | None) -> str:
    """Local HH:MM:SS of an aware time ("never" when None): a panel's last update."""
    return at.astimezone().strftime("%H:%M:%S") if at is not None else "never"


@dataclass(slots=True)
class StreamHealth:
    name: str
    state: HealthState = "stopped"
    detail: str = ""
    since: datetime = field(default_factory=utc_now)
    last_event: datetime | None = None
    idle: Callable[[], float | None] | None = None
    """Seconds since the stream's last frame (heartbeats included); None: not known."""
    heartbeat_s: float = HEARTBEAT_S

    def quiet_for(self) -> float | None:
        """Seconds since the last frame when that is later than a heartbeat should be."""
        if self.idle is None:
            return None
        try:
            idle = self.idle()
        except Exception:  # a closed stream's clock: nothing to say
            return None
        if idle is None or idle <= self.heartbeat_s + LATE_GRACE_S:
            return None
        return idle

    @property
    def frozen(self) -> bool:
        """Live, but two heartbeats missed: what it shows may be frozen."""
        quiet = self.quiet_for() if self.state == "live" else None
        return quiet is not None and quiet > 2 * self.heartbeat_s + LATE_GRACE_S

    def label(self, now: datetime | None = None, stale_after_s: float = 15.0) -> str:
        """``live`` / ``live 7s`` (a heartbeat late) / ``stale 11s`` (two missed) /
        ``snapshot`` / ``reconnecting 12s`` / ``stale 40s`` / ``failed``."""
        now = now or utc_now()
        age = int((now - self.since).total_seconds())
        if self.state == "live":
            quiet = self.quiet_for()
            if quiet is None:
                return "live"
            return f"stale {int(quiet)}s" if self.frozen else f"live {int(quiet)}s"
        if self.state in ("reconnecting", "connecting", "snapshot") and age > stale_after_s:
            return f"stale {age}s"
        if self.state in ("reconnecting", "stale"):
            return f"{self.state} {age}s"
        return self.state
