"""Everything the routes share: engine, OAuth, rate limits, faults, stream hub, settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tstui.sim.engine import Engine
from tstui.sim.faults import Faults
from tstui.sim.hostile import HostileMode
from tstui.sim.hub import Hub
from tstui.sim.oauth import OAuthState
from tstui.sim.persist import Store
from tstui.sim.ratelimit import RateLimiter


@dataclass
class SimContext:
    engine: Engine
    oauth: OAuthState
    limiter: RateLimiter
    faults: Faults = field(default_factory=Faults)
    hub: Hub = field(default_factory=Hub)
    hostile: HostileMode = field(default_factory=HostileMode)  # server text made evil
    store: Store | None = None
    heartbeat_seconds: float = 5.0
    stopping: bool = False
    restart_epoch: int = 0
    # account id (or "*") -> pending burst frame count for orders streams
    bursts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    open_streams: dict[str, int] = field(default_factory=dict)

    def stream_opened(self, kind: str, delta: int) -> None:
        with self.lock:
            self.open_streams[kind] = self.open_streams.get(kind, 0) + delta

    def add_burst(self, account: str, count: int) -> None:
        with self.lock:
            self.bursts[account] = self.bursts.get(account, 0) + count

    def take_burst(self, accounts: list[str]) -> int:
        with self.lock:
            total = 0
            for key in [*accounts, "*"]:
                total += self.bursts.pop(key, 0)
            return total
