"""The quote hub: one place every pane gets streaming quotes from (``live.quotes``).

Panes ``watch`` symbols with a callback; the hub multiplexes every watched symbol onto quote
streams of at most ``MAX_QUOTES`` symbols each (the API's limit for one quote stream), each in
its own worker in the ``stream-quotes`` group. Stream updates carry only the changed fields:
the hub folds them into the last known quote, so callbacks and :meth:`QuoteHub.latest` always
see whole quotes. Never polls.

When the watched set changes the hub waits ``debounce_s`` (a board adding ten symbols, a pane
closing and another opening) and then restarts only the streams whose symbols changed: new
symbols go to a stream with room (or a new one), so adding one symbol reconnects one stream.

Health: each stream's state folds into one ``quotes`` entry of ``live.stream_health`` (the
worst state wins), so the status bar shows it like the orders and positions streams; while
nothing is watched (``needed`` false) the stream is not wanted and the status bar leaves it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App
from textual.timer import Timer
from textual.worker import Worker

from tstui.client.errors import LoginRequired
from tstui.ui.session.health import STATE_MAP, HealthState

if TYPE_CHECKING:
    from tstui.client.streams import StreamState
    from tstui.domain.frames import StreamErrorFrame
    from tstui.domain.models import Quote

# Symbols per quote stream: the API's limit (tstui.client.api.MAX_QUOTES, a test keeps them
# equal). Not imported from there: the client API module loads after the first paint.
MAX_QUOTES = 100
DEBOUNCE_S = 0.25
RESTART_DELAY_S = 3.0
HEALTH_NAME = "quotes"

QuoteCallback = Callable[["Quote"], None]
ErrorCallback = Callable[[str, str], None]

# Worst first: the one health entry shows the worst stream's state.
_SEVERITY: tuple[HealthState, ...] = (
    "failed",
    "stale",
    "reconnecting",
    "connecting",
    "snapshot",
    "live",
    "stopped",
)


@cache
def _quote_codec() -> tuple[Callable[[Quote], tuple[Any, ...]], Callable[..., Quote]]:
    """Quote's fields read at once, and its positional builder: made at the first merge (the
    domain's models load after the first paint)."""
    from tstui.domain._build import positional_builder
    from tstui.domain.market.data import Quote

    return attrgetter(*(f.name for f in fields(Quote))), positional_builder(Quote)


def merge(known: Quote, update: Quote) -> Quote:
    """``Quote.merge`` on the hot path (thousands a second): every field the update carries
    wins. One C-level read of each quote's fields and a slot-writing constructor: about a
    tenth of the generic merge's cost, the same result."""
    if update.symbol != known.symbol:
        return update
    values, build = _quote_codec()
    pairs = zip(values(update), values(known), strict=True)
    return build(*[new if new is not None else old for new, old in pairs])


class QuoteSource(Protocol):
    """What the hub needs of the API (``TradeStationAPI`` is one; tests pass fakes)."""

    def stream_quotes(self, symbols: Iterable[str]) -> AsyncIterator[Any]: ...


def normalize(symbol: str) -> str:
    """The hub's key for a symbol: trimmed, upper case (the API's quote frames are)."""
    return symbol.strip().upper()


class QuoteHub:
    """See the module docstring. ``set_health(name, state, detail)`` and
    ``report_error(where, exc)`` are LiveData's own."""

    def __init__(
        self,
        app: App[Any],
        *,
        set_health: Callable[[str, HealthState, str], None],
        report_error: Callable[[str, BaseException | str], None],
        batch_size: int = MAX_QUOTES,
        debounce_s: float = DEBOUNCE_S,
        restart_delay_s: float = RESTART_DELAY_S,
    ) -> None:
        self.app = app
        self._set_health = set_health
        self._report_error = report_error
        self.batch_size = batch_size
        self.debounce_s = debounce_s
        self.restart_delay_s = restart_delay_s
        self._api: QuoteSource | None = None
        self._watchers: dict[str, list[QuoteCallback]] = {}
        self._error_watchers: dict[str, list[ErrorCallback]] = {}
        self._latest: dict[str, Quote] = {}
        self._received: dict[str, float] = {}  # time.time() of the last frame per symbol
        self._errors: dict[str, str] = {}
        # The running streams: batch slot -> (symbols, worker); slots keep their symbols
        # across changes so that one added symbol restarts one stream, not all of them.
        self._batches: list[tuple[str, ...]] = []
        self._workers: dict[int, Worker[None]] = {}
        self._states: dict[int, tuple[HealthState, str]] = {}
        # Slots restarted because the watched set changed: their connecting/snapshot states
        # are not shown (a deliberate restart is not a lost stream), only what follows.
        self._quiet: set[int] = set()
        self._reported: tuple[HealthState, str] | None = None
        self._pending: Timer | None = None
        self.restarts = 0
        """Streams (re)opened because the watched set changed (tests, the bench)."""
        self.quote_count = 0

    # ----------------------------------------------------------------- subscribing
    def watch(
        self,
        symbols: Iterable[str],
        on_quote: QuoteCallback,
        *,
        on_error: ErrorCallback | None = None,
    ) -> Callable[[], None]:
        """Call ``on_quote`` with the whole (merged) quote of each symbol as it changes;
        ``on_error(symbol, message)`` when the API refuses a symbol (unknown...). Returns the
        unwatch function (safe to call twice). What is already known is in :meth:`latest`."""
        wanted = list(dict.fromkeys(s for s in map(normalize, symbols) if s))
        before = len(self._watchers)
        for symbol in wanted:
            self._watchers.setdefault(symbol, []).append(on_quote)
            if on_error is not None:
                self._error_watchers.setdefault(symbol, []).append(on_error)
        if len(self._watchers) != before:
            self._schedule()
        done = False

        def unwatch() -> None:
            nonlocal done
            if done:
                return
            done = True
            changed = False
            for symbol in wanted:
                _discard(self._watchers, symbol, on_quote)
                if on_error is not None:
                    _discard(self._error_watchers, symbol, on_error)
                if symbol not in self._watchers:
                    changed = True
            if changed:
                self._schedule()

        return unwatch

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._watchers)

    @property
    def needed(self) -> bool:
        """Anything watched: when nothing is, the streams stop on purpose (not a fault)."""
        return bool(self._watchers)

    @property
    def batches(self) -> list[tuple[str, ...]]:
        """The symbols of each running stream (empty slots left out)."""
        return [b for b in self._batches if b]

    def latest(self, symbol: str) -> Quote | None:
        """The last known whole quote of ``symbol`` (None before its first frame)."""
        return self._latest.get(normalize(symbol))

    def received_at(self, symbol: str) -> datetime | None:
        """When the last frame of ``symbol`` arrived (UTC)."""
        at = self._received.get(normalize(symbol))
        return None if at is None else datetime.fromtimestamp(at, UTC)

    def age(self, symbol: str, now: float | None = None) -> float | None:
        """Seconds since the last frame of ``symbol`` (``now``: a ``time.time()``)."""
        at = self._received.get(normalize(symbol))
        return None if at is None else (time.time() if now is None else now) - at

    def error(self, symbol: str) -> str | None:
        """The API's refusal of ``symbol`` ("Symbol XYZ not found."), if any."""
        return self._errors.get(normalize(symbol))

    # ----------------------------------------------------------------- lifecycle
    def start(self, api: QuoteSource) -> None:
        """Open streams for the watched set on ``api`` (the session's API)."""
        self.stop()
        self._api = api
        self._apply()

    def stop(self) -> None:
        """Stop every stream (the session closes); watchers and known quotes stay."""
        self._api = None
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        for worker in self._workers.values():
            worker.cancel()
        self._workers.clear()
        self._batches = []
        self._states.clear()
        self._quiet.clear()
        self._report_health()

    def clear(self) -> None:
        """Forget every known quote (another environment's prices must not show)."""
        self._latest.clear()
        self._received.clear()
        self._errors.clear()

    # ----------------------------------------------------------------- ingest
    def ingest(self, update: Quote) -> None:
        """One quote frame: fold it into the known quote and tell the symbol's watchers.
        The streams call this; tests and the bench drive the same path."""
        symbol = update.symbol
        watchers = self._watchers.get(symbol)
        if watchers is None and symbol != (upper := normalize(symbol)):
            symbol, watchers = upper, self._watchers.get(upper)
        previous = self._latest.get(symbol)
        quote = update if previous is None else merge(previous, update)
        self._latest[symbol] = quote
        self._received[symbol] = time.time()
        self.quote_count += 1
        if self._errors:
            self._errors.pop(symbol, None)
        if watchers:
            for callback in tuple(watchers):
                try:
                    callback(quote)
                except Exception as exc:  # a pane's bug must not stop the stream
                    self._report_error("quotes watcher", exc)

    def _on_error_frame(self, frame: StreamErrorFrame) -> None:
        if frame.item_id is None:
            self._report_error("quotes stream", frame.message or frame.error)
            return
        symbol = normalize(frame.item_id)
        message = frame.message or frame.error
        self._errors[symbol] = message
        for callback in tuple(self._error_watchers.get(symbol, ())):
            try:
                callback(symbol, message)
            except Exception as exc:
                self._report_error("quotes watcher", exc)

    # ----------------------------------------------------------------- batching
    def _schedule(self) -> None:
        """Restart the streams once the watched set has settled (debounced)."""
        if self._api is None or self._pending is not None:
            return
        self._pending = self.app.set_timer(self.debounce_s, self._apply, name="quotes-debounce")

    def _apply(self) -> None:
        self._pending = None
        api = self._api
        if api is None:
            return
        new = pack(self._batches, self._watchers, self.batch_size)
        for slot in range(max(len(new), len(self._batches))):
            old_symbols = self._batches[slot] if slot < len(self._batches) else ()
            new_symbols = new[slot] if slot < len(new) else ()
            if old_symbols == new_symbols and (slot in self._workers or not new_symbols):
                continue
            worker = self._workers.pop(slot, None)
            if worker is not None:
                worker.cancel()
            was = self._states.pop(slot, None)
            self._quiet.discard(slot)
            if new_symbols:
                self.restarts += 1
                if was is not None and was[0] == "live":
                    self._quiet.add(slot)
                    self._states[slot] = was
                else:
                    self._states[slot] = ("connecting", "")
                self._workers[slot] = self.app.run_worker(
                    self._run(slot, new_symbols, api),
                    group="stream-quotes",
                    name=f"quotes stream {slot + 1}",
                    exit_on_error=False,
                )
        self._batches = new
        self._report_health()

    # ----------------------------------------------------------------- streams
    async def _run(self, slot: int, symbols: tuple[str, ...], api: QuoteSource) -> None:
        """One quote stream, reopened after a failure until it is cancelled."""
        from tstui.client.streams import StreamState
        from tstui.domain.frames import StreamErrorFrame
        from tstui.domain.market.data import Quote

        while True:
            self._batch_state(slot, "connecting", "")
            source = None
            try:
                source = api.stream_quotes(symbols)
                async for event in source:
                    if isinstance(event, Quote):
                        self.ingest(event)
                    elif isinstance(event, StreamState):
                        self._on_state(slot, event)
                    elif isinstance(event, StreamErrorFrame):
                        self._on_error_frame(event)
                self._batch_state(slot, "failed", "stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let a stream kill the app
                if isinstance(exc, LoginRequired) or isinstance(exc.__cause__, LoginRequired):
                    # The orders stream asks for a login; this one just waits for the restart.
                    self._batch_state(slot, "failed", "login required")
                    return
                self._batch_state(slot, "failed", type(exc).__name__)
                self._report_error("quotes stream", exc)
            finally:
                closer = getattr(source, "aclose", None)
                if closer is not None:
                    with contextlib.suppress(Exception):
                        await closer()
            await asyncio.sleep(self.restart_delay_s)

    def _on_state(self, slot: int, event: StreamState) -> None:
        self._batch_state(slot, STATE_MAP.get(event.state, "connecting"), event.detail)

    def _batch_state(self, slot: int, state: HealthState, detail: str) -> None:
        if slot not in self._workers:
            return  # a stream that was replaced or stopped
        if slot in self._quiet:
            if state in ("connecting", "snapshot"):
                return
            self._quiet.discard(slot)
        self._states[slot] = (state, detail)
        self._report_health()

    def _report_health(self) -> None:
        if not self._states:
            worst: tuple[HealthState, str] = ("stopped", "")
        else:
            worst = min(self._states.values(), key=lambda s: _SEVERITY.index(s[0]))
            streams = len(self._states)
            if streams > 1:
                worst = (worst[0], f"{streams} streams" + (f"; {worst[1]}" if worst[1] else ""))
        if worst == self._reported:
            return
        if worst[0] == "stopped" and self._reported is None:
            return  # never watched: no entry in the status bar
        self._reported = worst
        self._set_health(HEALTH_NAME, *worst)


def pack(
    previous: list[tuple[str, ...]], watched: Iterable[str], size: int
) -> list[tuple[str, ...]]:
    """Batches of at most ``size`` symbols covering ``watched``: each slot keeps the symbols
    it had that are still watched (so unchanged slots keep their stream), new symbols fill
    the slots with room in order, then new slots. An emptied slot stays as ``()``."""
    wanted = dict.fromkeys(watched)
    slots = [[s for s in batch if s in wanted] for batch in previous]
    placed = {s for batch in slots for s in batch}
    fresh = [s for s in wanted if s not in placed]
    for batch in slots:
        while fresh and len(batch) < size:
            batch.append(fresh.pop(0))
    while fresh:
        slots.append(fresh[:size])
        fresh = fresh[size:]
    while slots and not slots[-1]:
        slots.pop()
    return [tuple(batch) for batch in slots]


def _discard(table: dict[str, list[Any]], symbol: str, callback: Any) -> None:
    callbacks = table.get(symbol)
    if callbacks is None:
        return
    with contextlib.suppress(ValueError):
        callbacks.remove(callback)
    if not callbacks:
        del table[symbol]
