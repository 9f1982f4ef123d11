"""Cancel many working orders at once (``C``, app-wide): one request per order, progress shown.

The list is fixed when the confirmation opens. Each order gets exactly one cancel request (never
a retry: an unknown outcome is reconciled by the trading service), sent by a few workers at a
time so two thousand orders take seconds, not a minute. Progress lives in one
:class:`CancelProgress` per app: the status bar shows "cancel 340/2000", the blotter marks each
order whose cancel the broker accepted ("Cancel sent") until the stream reports it cancelled,
and one notification sums up at the end (a toast per order buried the screen).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tstui.domain.untrusted import safe_text

if TYPE_CHECKING:
    from textual.app import App

    from tstui.domain.models import Order
    from tstui.ui.session.live import LiveData
    from tstui.ui.trading.service import TradingService

__all__ = ["CONCURRENCY", "CancelProgress", "cancel_progress", "request_cancel_many"]

CONCURRENCY = 4  # requests in flight at once; each order still gets exactly one
PUBLISH_EVERY_S = 0.2  # progress redraws at most this often (the last one always)
SHOWN_FAILURES = 5
SHOW_DONE_S = 60.0  # the status bar keeps the outcome this long after the run


@dataclass(slots=True)
class CancelProgress:
    """One cancel-all run: how many answered, how, and which orders were accepted."""

    total: int
    started: float = field(default_factory=time.monotonic)
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0  # stopped working before its turn (a bracket exit the server cancelled)
    finished: bool = False
    finished_at: float | None = None  # time.monotonic() at the end
    requested: set[str] = field(default_factory=set)  # accepted, the stream not yet caught up
    failures: list[str] = field(default_factory=list)

    def shown(self, now: float | None = None) -> bool:
        """Worth a place in the status bar: running, or ended less than SHOW_DONE_S ago."""
        if self.finished_at is None:
            return True
        return (now if now is not None else time.monotonic()) - self.finished_at < SHOW_DONE_S

    @property
    def answered(self) -> int:
        return self.sent + self.failed + self.unknown + self.skipped

    def label(self) -> str:
        """For the status bar: "cancel 340/2000" / "cancelled 1998/2000, 2 failed"."""
        head = "cancelled" if self.finished else "cancel"
        done = self.sent if self.finished else self.answered
        text = f"{head} {done}/{self.total}"
        if self.failed:
            text += f", {self.failed} failed"
        if self.unknown:
            text += f", {self.unknown} unknown"
        return text

    def summary(self) -> str:
        took = time.monotonic() - self.started
        parts = [f"{self.sent} of {self.total} cancel requests accepted in {took:.1f}s"]
        if self.skipped:
            parts.append(f"{self.skipped} no longer working")
        if self.unknown:
            parts.append(f"{self.unknown} unknown (reconciled, not resent)")
        if self.failed:
            parts.append(f"{self.failed} refused")
        lines = ["; ".join(parts) + "."]
        lines.extend(self.failures[:SHOWN_FAILURES])
        if len(self.failures) > SHOWN_FAILURES:
            lines.append(f"... and {len(self.failures) - SHOWN_FAILURES} more (see the audit log)")
        return "\n".join(lines)


_PROGRESS: weakref.WeakKeyDictionary[object, CancelProgress] = weakref.WeakKeyDictionary()


def cancel_progress(app: object) -> CancelProgress | None:
    """The app's current (or last) cancel-all run, if any."""
    return _PROGRESS.get(app)


def request_cancel_many(app: App[Any], orders: Sequence[Order]) -> None:
    """Confirm, then cancel exactly ``orders`` (the working ones). One order, or a parent with
    children, goes through the trading dialogs' own questions."""
    from tstui.ui.trading.dialogs import cancel_all_confirm, request_cancel
    from tstui.ui.trading.service import trading_service

    trading = trading_service(app)
    working = [o for o in orders if o.is_working]
    if len(working) <= 1:
        request_cancel(app, trading, working)
        return
    running = cancel_progress(app)
    if running is not None and not running.finished:
        app.notify(
            f"A cancel-all is still running ({running.label()}).", severity="warning", timeout=4
        )
        return

    def answered(ok: bool | None) -> None:
        if ok:
            start_cancel_many(app, trading, working)

    app.push_screen(cancel_all_confirm(working, trading.env), answered)


def start_cancel_many(
    app: App[Any], trading: TradingService, orders: Sequence[Order]
) -> CancelProgress:
    """Send the cancels in a worker (group "bulk-cancel"); returns the progress it updates."""
    progress = CancelProgress(total=len(orders))
    _PROGRESS[app] = progress
    live: LiveData | None = getattr(app, "live", None)
    app.notify(f"Cancelling {len(orders)} working orders…", timeout=3)
    app.run_worker(
        _send_all(app, trading, live, list(orders), progress),
        group="bulk-cancel",
        name="cancel all",
        exit_on_error=False,
    )
    return progress


async def _send_all(
    app: App[Any],
    trading: TradingService,
    live: LiveData | None,
    orders: list[Order],
    progress: CancelProgress,
) -> None:
    queue: asyncio.Queue[Order] = asyncio.Queue()
    for order in orders:
        queue.put_nowait(order)
    last_publish = 0.0

    def publish(force: bool = False) -> None:
        nonlocal last_publish
        now = time.monotonic()
        if live is not None and (force or now - last_publish >= PUBLISH_EVERY_S):
            last_publish = now
            live.changed.publish("cancel")

    async def worker() -> None:
        book = trading.context.order_book
        while True:
            try:
                order = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            current = book.get(order.order_id) or order
            if not current.is_working:
                progress.skipped += 1
                publish()
                continue
            try:
                outcome = await trading.cancel(current)
            except Exception as exc:  # never leave the run half-counted
                progress.failed += 1
                progress.failures.append(
                    safe_text(f"{order.order_id}: {type(exc).__name__}: {exc}")
                )
                publish()
                continue
            if outcome.kind == "sent":
                progress.sent += 1
                progress.requested.add(outcome.order_id)
            elif outcome.kind == "unknown":
                progress.unknown += 1
                progress.failures.append(safe_text(f"{outcome.order_id}: {outcome.message}"))
            else:
                progress.failed += 1
                progress.failures.append(safe_text(f"{outcome.order_id}: {outcome.message}"))
            publish()

    try:
        await asyncio.gather(*(worker() for _ in range(min(CONCURRENCY, len(orders)))))
    finally:
        progress.finished = True
        progress.finished_at = time.monotonic()
        publish(force=True)
        bad = progress.failed or progress.unknown
        app.notify(
            progress.summary(),
            title="Cancel all",
            severity="warning" if bad else "information",
            timeout=8 if bad else 5,
            markup=False,  # the broker's messages are untrusted text
        )
