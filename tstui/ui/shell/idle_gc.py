"""The collector's full passes wait for a pause in the typing.

Python starts a full pass of its cyclic garbage collector by itself when enough objects have
survived the young passes. With an order book of 20k+ orders updated by a stream, a full pass
walks a few hundred thousand objects: 200-650 ms measured on this project's 2-core machines,
a dozen times a minute under a burst, and a key pressed meanwhile waits for it. The orders
hold no reference cycles (a replaced order is freed by its reference count at once); what a
full pass finds is the UI's cyclic garbage, which can wait a little.

:class:`IdleCollector` keeps Python's own full passes off while keys are coming (a key in the
last ``idle_s`` seconds) and gives them back when the keys pause, so Python runs them by its
own rules then. However busy the keys, a full pass runs at the latest ``max_gap_s`` after the
last one. The young generations run as usual throughout. (A big orders snapshot is also
frozen out of every pass once it is in: tstui.ui.session.collector.)
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["IdleCollector"]

IDLE_S = 2.0
MAX_GAP_S = 120.0
CHECK_S = 0.25
_NEVER = 2**30  # a threshold the oldest generation's counter never reaches


class _Host(Protocol):
    def set_interval(self, interval: float, callback: Callable[[], Any]) -> Any: ...


class IdleCollector:
    """``start()`` once the app is mounted, ``stop()`` as it closes (thresholds restored).
    ``key_pressed()`` at each key (the app's key router calls it)."""

    def __init__(
        self,
        host: _Host,
        *,
        idle_s: float = IDLE_S,
        max_gap_s: float = MAX_GAP_S,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[int], int] = gc.collect,
    ) -> None:
        self.host = host
        self.idle_s = idle_s
        self.max_gap_s = max_gap_s
        self.clock = clock
        self.collect = collect
        self.last_key_at = float("-inf")
        self.last_full_at = clock()
        self.held = False  # Python's full passes are off right now
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        self.last_full_at = self.clock()
        gc.callbacks.append(self._on_pass)
        self.host.set_interval(CHECK_S, self.check)

    def stop(self) -> None:
        saved, self._saved = self._saved, None
        if saved is None:
            return
        gc.set_threshold(*saved)
        self.held = False
        if self._on_pass in gc.callbacks:
            gc.callbacks.remove(self._on_pass)

    def key_pressed(self) -> None:
        self.last_key_at = self.clock()
        if not self.held:
            self.check()

    def check(self) -> None:
        saved = self._saved
        if saved is None:
            return
        now = self.clock()
        typing = now - self.last_key_at < self.idle_s
        if typing and now - self.last_full_at >= self.max_gap_s and gc.get_count()[2]:
            self.collect(2)  # overdue: now, between two keys, rather than never
            self.last_full_at = now
        hold = typing
        if hold != self.held:
            young, middle, oldest = saved
            gc.set_threshold(young, middle, _NEVER if hold else oldest)
            self.held = hold

    def _on_pass(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info.get("generation") == 2:
            self.last_full_at = self.clock()
