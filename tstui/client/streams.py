"""Supervised NDJSON streams: framing, control frames, a watchdog and reconnection.

A :class:`SupervisedStream` is an async iterator of ``T | StreamState | StreamErrorFrame``
(or, through ``batches()``, of lists of them: one a chunk read, what the app's LiveData
reads).
Bytes are split on ``b"\\n"`` before decoding, so a chunk boundary anywhere (inside a line or
inside a UTF-8 character) is harmless. Control frames never reach ``parse``: heartbeats feed
the watchdog, ``EndSnapshot`` becomes a :class:`StreamState`, ``GoAway`` reconnects at once,
``Error`` frames are yielded as :class:`StreamErrorFrame`. A malformed line is counted and
skipped. EOF, transport errors and silence (no byte for ``heartbeat_timeout``) reconnect with
capped jittered backoff; each connect asks the authenticator for a fresh-enough token and a
401 refreshes once.

The framing (lines, control frames, malformed counting) is :mod:`tstui.client.stream_lines`;
this module owns the connection. The watchdog is one timer per connection that is
rescheduled lazily, not one per read.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, aclosing
from typing import Any, Generic, TypeAlias, TypeVar

import httpx

from tstui.client.auth import TokenProvider
from tstui.client.errors import (
    StreamFailure,
    TradeStationError,
    TransportError,
    api_error,
    retry_after_seconds,
)
from tstui.client.stream_lines import LineFramer, StateName, StreamState
from tstui.domain.control_frames import StreamErrorFrame
from tstui.domain.untrusted import safe_text

log = logging.getLogger("tstui.client.streams")

T = TypeVar("T")
__all__ = ["StateName", "StreamState", "SupervisedStream"]

Connector: TypeAlias = Callable[[str], AbstractAsyncContextManager[httpx.Response]]


class _Interrupted(Exception):
    """The watchdog or aclose() cut a wait short."""


class SupervisedStream(Generic[T]):
    """Async iterator over one logical stream that survives reconnects (see module doc);
    ``fast_decode(line)`` is tried first: a data item, or None (or an exception) to take the
    generic path (JSON, control frames, ``parse``, malformed counting) unchanged.

    States: ``connecting`` (first connect), ``connected`` (headers 200; ``attempt`` > 0 after
    a reconnect), ``snapshot_complete`` (first ``EndSnapshot``), ``reconnecting`` (``detail``
    = why, ``attempt`` = consecutive failures), ``resynced`` (``EndSnapshot`` after a
    reconnect: reconcile books now), ``failed`` (then :class:`StreamFailure` is raised).
    """

    def __init__(
        self,
        name: str,
        connect: Connector,
        auth: TokenProvider,
        parse: Callable[[dict[str, Any]], T],
        *,
        fast_decode: Callable[[bytes], T | None] | None = None,
        heartbeat_timeout: float = 15.0,
        connect_timeout: float = 10.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        stable_after: float = 10.0,
        max_attempts: int | None = None,
        raw_frames: bool = False,
        sends_end_snapshot: bool = True,
    ) -> None:
        # Kept so that frames() can make the same stream with raw framing.
        self._options: dict[str, Any] = {
            "heartbeat_timeout": heartbeat_timeout,
            "connect_timeout": connect_timeout,
            "backoff_base": backoff_base,
            "backoff_cap": backoff_cap,
            "stable_after": stable_after,
            "max_attempts": max_attempts,
            "sends_end_snapshot": sends_end_snapshot,
        }
        self.name = name
        self._connect = connect
        self._auth = auth
        self.heartbeat_timeout = heartbeat_timeout
        self.connect_timeout = connect_timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stable_after = stable_after
        self.max_attempts = max_attempts
        self.reconnect_count = 0
        self.message_count = 0
        self.last_state: StreamState | None = None
        self._closed = False
        self._lines = LineFramer(
            name,
            parse,
            fast_decode,
            self._state,
            raw_frames=raw_frames,
            sends_end_snapshot=sends_end_snapshot,
        )
        self._last_token = ""
        self._end_reason = ""
        # Interruption machinery: one flag says "the reader task is parked in a wait we may cut".
        self._waiting = False
        self._interrupt_reason: str | None = None
        self._reader: asyncio.Task[Any] | None = None
        self._last_activity = 0.0
        self._watchdog: asyncio.TimerHandle | None = None
        # what the consumer iterates: items (__aiter__) or batches (batches()), one of them
        self._gen: AsyncGenerator[Any, None] | None = None
        self._mode = ""

    def __repr__(self) -> str:
        return f"SupervisedStream({self.name!r}, reconnects={self.reconnect_count})"

    def idle_seconds(self) -> float | None:
        """Seconds since the last byte of the open connection (data or heartbeat), for a
        display that wants to say a stream went quiet before the watchdog acts; None when no
        connection is being read."""
        if self._watchdog is None:
            return None
        return asyncio.get_running_loop().time() - self._last_activity

    def frames(self) -> SupervisedStream[dict[str, Any]]:
        """The same stream (same request, supervision and reconnects), not yet started, that
        yields every JSON frame the server sent as decoded (data, ``Heartbeat``,
        ``StreamStatus``, ``Error``) besides the :class:`StreamState` items."""
        return SupervisedStream(
            self.name, self._connect, self._auth, _as_sent, raw_frames=True, **self._options
        )

    @property
    def malformed_count(self) -> int:
        """Lines skipped as malformed, over every connection."""
        return self._lines.malformed_count

    def __aiter__(self) -> AsyncIterator[T | StreamState | StreamErrorFrame]:
        return self._started(self._items)

    async def __anext__(self) -> T | StreamState | StreamErrorFrame:
        item: T | StreamState | StreamErrorFrame = await self.__aiter__().__anext__()
        return item

    def batches(self) -> AsyncIterator[list[T | StreamState | StreamErrorFrame]]:
        """The same items in the lists they arrive in: one per chunk read (a snapshot's end
        in place among its chunk's frames), and the connection's states (connecting,
        connected, reconnecting, failed) each a list of its own. A consumer that loops over
        each list resumes this iterator once a chunk, not once an item (~0.4 us an item, a
        tenth of an order frame's cost)."""
        return self._started(self._run)

    def _started(self, make: Callable[[], AsyncGenerator[Any, None]]) -> AsyncGenerator[Any, None]:
        mode = make.__name__
        if self._gen is None:
            self._gen, self._mode = make(), mode
        elif mode != self._mode:
            raise RuntimeError(f"stream {self.name}: iterate items or batches, not both")
        return self._gen

    async def __aenter__(self) -> SupervisedStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop: close the connection; iteration ends (from any task)."""
        self._closed = True
        gen = self._gen
        if gen is None:
            return
        if getattr(gen, "ag_running", False):
            self._interrupt("closed")  # the reader task is parked in a wait: wake it
        else:
            await gen.aclose()

    # -- interruption (watchdog + aclose) ------------------------------------------------

    def _interrupt(self, reason: str) -> None:
        if self._waiting and self._reader is not None and self._interrupt_reason is None:
            self._interrupt_reason = reason
            self._reader.cancel()

    async def _wait(self, awaitable: Any) -> Any:
        """Await something the watchdog/aclose may cut short (-> _Interrupted)."""
        self._reader = asyncio.current_task()
        self._waiting = True
        try:
            return await awaitable
        except asyncio.CancelledError:
            reason = self._interrupt_reason
            if reason is None or self._reader is None or self._reader.uncancel() > 0:
                raise  # a real cancellation of the consumer's task
            raise _Interrupted(reason) from None
        finally:
            self._waiting = False
            self._interrupt_reason = None

    def _arm_watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        self._last_activity = loop.time()
        self._watchdog = loop.call_at(self._last_activity + self.heartbeat_timeout, self._check)

    def _disarm_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._waiting:
            self._last_activity = now  # the consumer is busy; silence counts from now on
        elif now - self._last_activity >= self.heartbeat_timeout:
            self._watchdog = None
            self._interrupt(f"silent for {self.heartbeat_timeout:g} s")
            return
        self._watchdog = loop.call_at(self._last_activity + self.heartbeat_timeout, self._check)

    # -- the supervisor --------------------------------------------------------------------

    def _state(self, state: StateName, detail: str = "", attempt: int = 0) -> StreamState:
        self.last_state = StreamState(self.name, state, detail, attempt)
        return self.last_state

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    async def _items(self) -> AsyncGenerator[T | StreamState | StreamErrorFrame, None]:
        async with aclosing(self._run()) as batches:
            async for batch in batches:
                for item in batch:
                    yield item

    async def _run(self) -> AsyncGenerator[list[T | StreamState | StreamErrorFrame], None]:
        attempt = 0
        delay = 0.0
        yield [self._state("connecting")]
        try:
            while not self._closed:
                if attempt:
                    if self.max_attempts is not None and attempt > self.max_attempts:
                        raise StreamFailure(f"{self.name}: gave up after {attempt - 1} attempts")
                    if delay > 0:
                        await self._wait(asyncio.sleep(delay))
                reason, delay, connected_for = "", 0.0, 0.0
                self._lines.go_away = False
                async with AsyncExitStack() as stack:
                    try:
                        response = await self._open(stack)
                    except _Retry as retry:
                        reason, delay = retry.reason, retry.delay
                    else:
                        loop = asyncio.get_running_loop()
                        started = loop.time()
                        yield [self._state("connected", "", attempt)]
                        async with aclosing(self._pump(response)) as batches:
                            async for batch in batches:
                                yield batch
                        reason = self._end_reason
                        connected_for = loop.time() - started
                if self._closed:
                    break
                attempt = 1 if connected_for >= self.stable_after else attempt + 1
                at_once = (self._lines.go_away or self._lines.token_rejected) and attempt == 1
                if not delay and not at_once:
                    delay = self._backoff(attempt)  # GoAway/expired token, first time: at once
                self.reconnect_count += 1
                self._lines.reconnected = True
                # server text (an Error frame's Message) is untrusted: display-safe in logs too
                log.info(
                    "stream %s: reconnecting (%s), attempt %d",
                    self.name,
                    safe_text(reason),
                    attempt,
                )
                yield [self._state("reconnecting", reason, attempt)]
        except _Interrupted:
            pass  # aclose() during a backoff sleep or a connect
        except TradeStationError as exc:
            failure = (
                exc if isinstance(exc, StreamFailure) else StreamFailure(f"{self.name}: {exc}")
            )
            log.warning("stream %s failed: %s", self.name, safe_text(failure))
            yield [self._state("failed", str(exc), attempt)]
            if failure is exc:
                raise  # keeps its own cause (the API's error), not itself
            raise failure from exc
        finally:
            self._disarm_watchdog()

    async def _open(self, stack: AsyncExitStack) -> httpx.Response:
        """Connect with a fresh-enough token; 401 -> refresh once; classify failures."""
        try:
            if self._lines.token_rejected:  # the last connection ended with Error: Unauthorized
                self._lines.token_rejected = False  # refresh unless it was already replaced:
                await self._wait(self._auth.refresh_after_401(self._last_token))
            token: str = await self._wait(self._auth.access_token())
            self._last_token = token
            for refreshed in (False, True):
                try:
                    async with asyncio.timeout(self.connect_timeout):
                        response: httpx.Response = await self._wait(
                            stack.enter_async_context(self._connect(token))
                        )
                except TimeoutError:
                    raise _Retry("connect timed out") from None
                except httpx.TransportError as exc:
                    raise _Retry(f"connect failed ({type(exc).__name__})") from None
                status = response.status_code
                if status == 200:
                    return response
                body: Any = None
                try:  # an error body that stalls must not hang the reconnect loop
                    async with asyncio.timeout(self.connect_timeout):
                        await response.aread()
                    body = response.json()
                except (TimeoutError, ValueError, httpx.HTTPError):
                    pass
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                error = api_error(status, body, wait)
                if status == 401 and not refreshed:
                    await response.aclose()
                    token = await self._wait(self._auth.refresh_after_401(token))
                    self._last_token = token
                    continue
                if status == 429 or (status >= 500 and status != 501):
                    raise _Retry(str(error), min(wait, self.backoff_cap * 4) if wait else 0.0)
                raise StreamFailure(f"{self.name}: {error}") from error
        except TransportError as exc:
            raise _Retry(f"sign-in unreachable ({exc})") from None
        raise StreamFailure(f"{self.name}: unauthorized after a token refresh")

    async def _pump(self, response: httpx.Response) -> AsyncGenerator[list[Any], None]:
        """Batches of items (one per chunk) from one connection; sets ``_end_reason``."""
        lines = self._lines
        lines.new_connection()
        self._end_reason = "stream ended"
        chunks = response.aiter_bytes().__aiter__()
        loop = asyncio.get_running_loop()
        feed = lines.feed
        self._arm_watchdog()
        try:
            while not self._closed:
                try:
                    chunk = await self._wait(chunks.__anext__())
                except StopAsyncIteration:
                    return
                except _Interrupted as exc:
                    self._end_reason = str(exc)
                    return
                except httpx.TransportError as exc:
                    self._end_reason = f"connection lost ({type(exc).__name__})"
                    return
                self._last_activity = loop.time()
                items = feed(chunk)
                if items:
                    self.message_count += len(items)
                    yield items
                if lines.go_away:
                    self._end_reason = "GoAway"
                    return
        finally:
            self._disarm_watchdog()


def _as_sent(frame: dict[str, Any]) -> dict[str, Any]:
    return frame


class _Retry(Exception):
    def __init__(self, reason: str, delay: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
