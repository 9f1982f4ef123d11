"""Fan-out of engine events to open streams (thread-safe: the engine may run on any thread)."""

from __future__ import annotations

import asyncio
import threading

from tstui.sim.engine import EngineEvent


class Subscription:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # None: no event, look again now (a burst queued by the admin API)
        self.queue: asyncio.Queue[EngineEvent | None] = asyncio.Queue()


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []

    def subscribe(self) -> Subscription:
        sub = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def publish(self, event: EngineEvent) -> None:
        self._deliver(event)

    def wake(self) -> None:
        """Every open stream looks for work now, not at its next poll (up to 50 ms later)."""
        self._deliver(None)

    def _deliver(self, item: EngineEvent | None) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, item)
            except RuntimeError:  # loop closed: the stream is gone
                self.unsubscribe(sub)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._subs)
