"""The one request path to the API: bearer token, error mapping, retries, call records.

Policy, by kind of call:

- ``get_json``: idempotent, so it retries 5xx (not 501), 429, connect errors and read timeouts
  with capped jittered exponential backoff; ``Retry-After`` (429/503) is honoured when it is
  short enough, otherwise :class:`RateLimited`/:class:`ServerError` is raised at once.
- ``post_json``: a non-order POST (e.g. orderconfirm): never retried.
- ``order_request``: order POST/PUT/DELETE: never retried. A failure after the request may
  have reached the server (timeout, reset, protocol error, 5xx) raises
  :class:`OrderOutcomeUnknown`; a failure to connect at all raises :class:`TransportError`.

``get_json`` and ``post_json`` refresh the token once and retry once after a 401; an order
request refreshes the token after a 401 but is not resent: it raises :class:`Unauthorized`
(the order left once; the user sends it again).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import httpx

from tstui.client.auth import TokenProvider
from tstui.client.errors import (
    OrderOutcomeUnknown,
    TradeStationError,
    TransportError,
    Unauthorized,
    api_error,
    retry_after_seconds,
)
from tstui.client.quota import QuotaTracker
from tstui.client.streams import SupervisedStream
from tstui.client.tls import context_for

log = logging.getLogger("tstui.client.http")

T = TypeVar("T")
Params = Mapping[str, str | int | float | bool | None]
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Connection never established: the request bytes cannot have reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP exchange for the UI's API log. ``path`` has no query string (no secrets)."""

    method: str
    path: str
    status: int | None  # None: no answer (transport failure, see ``error``)
    latency_s: float
    at: datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """Quota headroom: from response headers when the server sends them, else our own count
    of requests against the documented quota (tstui.client.quota)."""

    group: str
    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    at: datetime


def _header_int(headers: httpx.Headers, *names: str) -> int | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return int(float(value))
            except ValueError:
                return None
    return None


def _rate_group(path: str) -> str:
    """A coarse quota group: ``/v3/brokerage/accounts/X/balances`` -> ``.../balances``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 5 and parts[2] == "accounts":
        return "/".join(parts[:3] + parts[4:5])
    return "/".join(parts[:3])


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise TransportError(
            f"{response.request.method} {response.request.url.path}: answer is not JSON"
        ) from None


class HttpSession:
    """One ``httpx.AsyncClient`` for all REST calls and streams of a session."""

    def __init__(
        self,
        api_base: str,
        auth: TokenProvider,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        on_call: Callable[[CallRecord], None] | None = None,
        max_get_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 30.0,
        heartbeat_timeout: float = 15.0,
        stream_backoff_base: float = 0.5,
        stream_backoff_cap: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.auth = auth
        self._owns_client = client is None
        if client is None:
            client = httpx.AsyncClient(timeout=timeout, verify=context_for((self.api_base,)))
        self.client = client
        self.on_call = on_call
        self.max_get_retries = max_get_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.heartbeat_timeout = heartbeat_timeout
        self.stream_backoff_base = stream_backoff_base
        self.stream_backoff_cap = stream_backoff_cap
        self._sleep = sleep
        self.rate_limits: dict[str, RateLimitInfo] = {}
        self.quota = QuotaTracker()

    def __repr__(self) -> str:
        return f"HttpSession({self.api_base!r})"

    async def __aenter__(self) -> HttpSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    # -- bookkeeping --------------------------------------------------------------------

    def _record(
        self, method: str, path: str, status: int | None, started: float, error: str | None
    ) -> None:
        if self.on_call is None:
            return
        record = CallRecord(
            method, path, status, time.perf_counter() - started, datetime.now(UTC), error
        )
        try:
            self.on_call(record)
        except Exception:  # a broken UI callback must not break trading
            log.exception("on_call callback failed")

    def _track_rate_limit(self, path: str, headers: httpx.Headers) -> None:
        counted = self.quota.record(path)
        limit = _header_int(headers, "X-RateLimit-Limit", "RateLimit-Limit")
        remaining = _header_int(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")
        if limit is None and remaining is None:
            if counted is not None:  # no headers: our own count against the documented quota
                self.rate_limits[counted.category] = RateLimitInfo(
                    counted.category,
                    counted.limit,
                    counted.remaining,
                    counted.reset_at,
                    datetime.now(UTC),
                )
            return
        reset = _header_int(headers, "X-RateLimit-Reset", "RateLimit-Reset")
        now = datetime.now(UTC)
        reset_at: datetime | None = None
        if reset is not None:  # epoch seconds, or seconds from now (the IETF draft)
            epoch = reset if reset > 1_000_000_000 else now.timestamp() + reset
            reset_at = datetime.fromtimestamp(epoch, UTC)
        group = _rate_group(path)
        self.rate_limits[group] = RateLimitInfo(group, limit, remaining, reset_at, now)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    async def _send(
        self,
        method: str,
        path: str,
        token: str,
        *,
        params: Params | None = None,
        json: Any = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        started = time.perf_counter()
        try:
            response = await self.client.request(
                method, self.api_base + path, params=clean_params, json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            self._record(method, path, None, started, type(exc).__name__)
            raise
        self._record(method, path, response.status_code, started, None)
        self._track_rate_limit(path, response.headers)
        return response

    @staticmethod
    def _error(response: httpx.Response) -> TradeStationError:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        return api_error(
            response.status_code, body, retry_after_seconds(response.headers.get("Retry-After"))
        )

    # -- the request kinds --------------------------------------------------------------

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        """GET ``path`` (relative to the API base) and decode JSON, retrying as documented."""
        attempt = 0
        refreshed = False
        while True:
            token = await self.auth.access_token()
            try:
                response = await self._send("GET", path, token, params=params)
            except httpx.UnsupportedProtocol as exc:
                raise TransportError(f"GET {path}: {exc}") from None
            except httpx.TransportError as exc:
                if attempt >= self.max_get_retries:
                    raise TransportError(f"GET {path}: {type(exc).__name__}") from None
                attempt += 1
                log.info("GET %s: %s, retry %d", path, type(exc).__name__, attempt)
                await self._sleep(self._backoff(attempt))
                continue
            status = response.status_code
            if status < 400:
                return _decode(response)
            if status == 401 and not refreshed:
                refreshed = True
                await self.auth.refresh_after_401(token)
                continue
            error = self._error(response)
            if status not in _RETRY_STATUSES or attempt >= self.max_get_retries:
                raise error
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.max_retry_after:
                raise error  # a long quota window: tell the caller rather than freeze
            attempt += 1
            delay = wait if wait is not None else self._backoff(attempt)
            log.info("GET %s: %d, retry %d in %.2f s", path, status, attempt, delay)
            await self._sleep(delay)

    async def post_json(self, path: str, json: Any = None) -> Any:
        """A POST that places nothing (e.g. orderconfirm): no retry except after a 401."""
        refreshed = False
        while True:
            token = await self.auth.access_token()
            try:
                response = await self._send("POST", path, token, json=json)
            except httpx.TransportError as exc:
                raise TransportError(f"POST {path}: {type(exc).__name__}") from None
            if response.status_code == 401 and not refreshed:
                refreshed = True
                await self.auth.refresh_after_401(token)
                continue
            if response.status_code >= 400:
                raise self._error(response)
            return _decode(response)

    async def order_request(
        self, method: Literal["POST", "PUT", "DELETE"], path: str, json: Any = None
    ) -> Any:
        """Place/replace/cancel: sent once (see the module docstring for the failure rules)."""
        confirm_id = json.get("OrderConfirmID") if isinstance(json, dict) else None
        order_id = path.rstrip("/").rsplit("/", 1)[-1] if method != "POST" else None
        token = await self.auth.access_token()
        try:
            response = await self._send(method, path, token, json=json)
        except _NOT_SENT as exc:
            raise TransportError(
                f"{method} {path}: not sent ({type(exc).__name__}); nothing was changed"
            ) from None
        except httpx.TransportError as exc:
            log.warning("%s %s: outcome unknown (%s)", method, path, type(exc).__name__)
            raise OrderOutcomeUnknown(
                method,
                path,
                type(exc).__name__,
                order_confirm_id=confirm_id,
                order_id=order_id,
            ) from None
        status = response.status_code
        if status == 401:
            # Refused at the token check, so nothing was applied; still, an order leaves once
            # per user action: refresh for the next attempt and say so, never resend here.
            await self.auth.refresh_after_401(token)
            raise Unauthorized(
                401,
                "Unauthorized",
                "the access token was refused, so nothing was applied and nothing was resent; "
                "the sign-in is refreshed: send it again",
            )
        if status >= 500 and status != 501:
            # The server may have acted before failing: never resend, reconcile instead.
            raise OrderOutcomeUnknown(
                method,
                path,
                f"HTTP {status}",
                order_confirm_id=confirm_id,
                order_id=order_id,
                status=status,
            ) from self._error(response)
        if status >= 400:
            raise self._error(response)
        return _decode(response)

    # -- streams ------------------------------------------------------------------------

    def _connector(
        self, path: str, params: Params | None, media_type: str
    ) -> Callable[[str], AsyncIterator[httpx.Response]]:
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        # No read timeout: the stream's own watchdog decides when silence means death.
        timeout = httpx.Timeout(None, connect=10.0, write=10.0, pool=10.0)

        async def connect(token: str) -> AsyncIterator[httpx.Response]:
            headers = {"Authorization": f"Bearer {token}", "Accept": media_type}
            request = self.client.build_request(
                "GET", self.api_base + path, params=clean_params, headers=headers, timeout=timeout
            )
            started = time.perf_counter()
            try:
                response = await self.client.send(request, stream=True)
            except httpx.HTTPError as exc:
                self._record("STREAM", path, None, started, type(exc).__name__)
                raise
            self._record("STREAM", path, response.status_code, started, None)
            self._track_rate_limit(path, response.headers)
            try:
                yield response
            finally:
                await response.aclose()

        return connect

    def stream(
        self,
        path: str,
        params: Params | None,
        parse: Callable[[dict[str, Any]], T],
        *,
        name: str,
        media_type: str = "application/vnd.tradestation.streams.v3+json",
        heartbeat_timeout: float | None = None,
        max_attempts: int | None = None,
        fast_decode: Callable[[bytes], T | None] | None = None,
        sends_end_snapshot: bool = True,
    ) -> SupervisedStream[T]:
        """A supervised stream of ``parse(frame)`` items (lazy: connects when iterated);
        ``fast_decode``, ``sends_end_snapshot``: see :class:`SupervisedStream`."""
        return SupervisedStream(
            name,
            asynccontextmanager(self._connector(path, params, media_type)),
            self.auth,
            parse,
            fast_decode=fast_decode,
            heartbeat_timeout=heartbeat_timeout or self.heartbeat_timeout,
            backoff_base=self.stream_backoff_base,
            backoff_cap=self.stream_backoff_cap,
            max_attempts=max_attempts,
            sends_end_snapshot=sends_end_snapshot,
        )
