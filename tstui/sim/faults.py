"""Injected faults, set through the admin API and read by routes and streams.

HTTP groups (for /_sim/faults/http): "accounts", "balances", "positions", "orders"
(order-detail GETs), "orderexecution" (POST/PUT/DELETE orders, orderconfirm, routes),
"marketdata" (bars, symbols, quotes), "streams" (every stream open), "oauth", or "all".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

STREAM_KINDS = ("orders", "positions", "quotes", "bars", "tickbars", "marketdepth")
HTTP_GROUPS = (
    "accounts",
    "balances",
    "positions",
    "orders",
    "orderexecution",
    "marketdata",
    "streams",
    "oauth",
    "all",
)


@dataclass
class StreamFaults:
    goaway_epoch: int = 0
    stall_until: float = 0.0  # time.monotonic()
    drop: int = 0
    malformed: int = 0


@dataclass
class Faults:
    streams: dict[str, StreamFaults] = field(
        default_factory=lambda: {kind: StreamFaults() for kind in STREAM_KINDS}
    )
    http: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (status, count)
    latency: float = 0.0
    reset_after_accept: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kinds(self, stream: str) -> list[str]:
        if stream == "all":
            return list(STREAM_KINDS)
        if stream not in STREAM_KINDS:
            raise ValueError(f"stream must be one of {', '.join(STREAM_KINDS)} or all")
        return [stream]

    def goaway(self, stream: str) -> None:
        with self.lock:
            for kind in self.kinds(stream):
                self.streams[kind].goaway_epoch += 1

    def stall(self, stream: str, seconds: float) -> None:
        with self.lock:
            for kind in self.kinds(stream):
                self.streams[kind].stall_until = time.monotonic() + seconds

    def add_drop(self, stream: str, count: int) -> None:
        with self.lock:
            for kind in self.kinds(stream):
                self.streams[kind].drop += count

    def add_malformed(self, stream: str, count: int) -> None:
        with self.lock:
            for kind in self.kinds(stream):
                self.streams[kind].malformed += count

    def take_drop(self, kind: str) -> bool:
        with self.lock:
            state = self.streams[kind]
            if state.drop > 0:
                state.drop -= 1
                return True
            return False

    def take_malformed(self, kind: str) -> int:
        with self.lock:
            count, self.streams[kind].malformed = self.streams[kind].malformed, 0
            return count

    def set_http(self, group: str, status: int, count: int) -> None:
        if group not in HTTP_GROUPS:
            raise ValueError(f"group must be one of {', '.join(HTTP_GROUPS)}")
        with self.lock:
            self.http[group] = (status, count)

    def take_http(self, group: str) -> int | None:
        with self.lock:
            for key in (group, "all"):
                status, count = self.http.get(key, (0, 0))
                if count > 0:
                    self.http[key] = (status, count - 1)
                    return status
            return None

    def take_reset(self) -> bool:
        with self.lock:
            if self.reset_after_accept > 0:
                self.reset_after_accept -= 1
                return True
            return False

    def clear(self) -> None:
        with self.lock:
            for kind in STREAM_KINDS:
                epoch = self.streams[kind].goaway_epoch
                self.streams[kind] = StreamFaults(goaway_epoch=epoch)
            self.http.clear()
            self.latency = 0.0
            self.reset_after_accept = 0
