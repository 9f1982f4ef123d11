"""Chunked NDJSON streams: snapshot, EndSnapshot, live changes, heartbeats and faults.

One loop serves every stream kind; a ``Feed`` supplies the kind's snapshot and turns wake-ups
(engine events or the poll timer) into frames. Faults are applied here: GoAway (then the
stream ends), stall (no bytes at all, not even heartbeats), drop (the next N data frames are
skipped), malformed (N broken lines), restart (the stream ends abruptly), and an expired
access token (an Unauthorized error, then the end).

Each stream sends only the frames the spec lists for it, with the wire notes winning where
they say the real API differs:
- brokerage (orders, positions): data, ``Heartbeat``, ``StreamStatus`` (``EndSnapshot``,
  ``GoAway``) and ``{"Error", "Message"}`` (per account with ``AccountID``);
- quotes: data, ``Heartbeat`` and errors only, so no ``EndSnapshot``; GoAway is the spec's
  ``{"Error": "GoAway", "Message"}``;
- bars: like quotes, plus ``EndSnapshot`` after the history bars (the wire notes);
- v2 tick bars: data and heartbeats; the stream ends with the v2 trailer lines (``END``, or
  ``ERROR - ...``), as the wire notes say v2 streams do.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any, Protocol

from starlette.responses import JSONResponse, Response, StreamingResponse

from tstui.sim.clock import iso
from tstui.sim.context import SimContext
from tstui.sim.engine import EngineEvent

V3_BROKERAGE = "application/vnd.tradestation.streams.v3+json"
V2_MARKET = "application/vnd.tradestation.streams.v2+json"
V2_TICKBARS = "application/vnd.tradestation.streams+json"
POLL_SECONDS = 0.05
END_SNAPSHOT = {"StreamStatus": "EndSnapshot"}
GO_AWAY = {"StreamStatus": "GoAway"}
TOKEN_EXPIRED = {"Error": "Unauthorized", "Message": "Access token has expired."}
MARKET_GO_AWAY = {"Error": "GoAway", "Message": "The server is about to shut down."}
V2_END = b"END\n"
V2_TOKEN_EXPIRED = b"ERROR - Unauthorized: access token has expired.\n"
CONCURRENCY_LIMITS = {"orders": 40, "positions": 40}  # open streams per kind (wire table)
MALFORMED_LINES = (b'{"OrderID": "12', b"not json at all", b'{"Symbol": "MSFT", "Last": }')


class Feed(Protocol):
    kind: str
    end_snapshot: bool
    go_away: bytes  # the line that tells this stream's client the server is going down
    token_expired: bytes  # the line sent before the stream ends on an expired token

    def snapshot(self) -> list[dict[str, Any]]: ...

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]: ...

    def burst(self) -> Iterable[bytes]: ...


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


async def _frames(ctx: SimContext, feed: Feed, token: str | None) -> AsyncIterator[bytes]:
    kind = feed.kind
    faults = ctx.faults
    goaway_epoch = faults.streams[kind].goaway_epoch
    restart_epoch = ctx.restart_epoch
    sub = ctx.hub.subscribe()
    heartbeat = 0
    ctx.stream_opened(kind, +1)
    try:
        chunk = [encode(b) for b in feed.snapshot() if not faults.take_drop(kind)]
        if feed.end_snapshot:
            chunk.append(encode(END_SNAPSHOT))
        yield b"".join(chunk)
        last_sent = time.monotonic()
        while True:
            if ctx.restart_epoch != restart_epoch:
                return
            if ctx.stopping or faults.streams[kind].goaway_epoch != goaway_epoch:
                yield feed.go_away
                return
            if time.monotonic() < faults.streams[kind].stall_until:
                await asyncio.sleep(POLL_SECONDS)
                last_sent = time.monotonic()
                continue
            if token is not None and ctx.oauth.access_problem(f"Bearer {token}") is not None:
                yield feed.token_expired
                return
            bad = faults.take_malformed(kind)
            if bad:
                yield b"".join(
                    MALFORMED_LINES[i % len(MALFORMED_LINES)] + b"\n" for i in range(bad)
                )
            for block in feed.burst():
                yield block
            try:
                event: EngineEvent | None = await asyncio.wait_for(sub.queue.get(), POLL_SECONDS)
            except TimeoutError:
                event = None
            out: list[bytes] = []
            while True:
                out.extend(encode(b) for b in feed.update(event) if not faults.take_drop(kind))
                if sub.queue.empty() or len(out) > 500:
                    break
                event = sub.queue.get_nowait()
            now = time.monotonic()
            if out:
                yield b"".join(out)
                last_sent = now
            elif now - last_sent >= ctx.heartbeat_seconds:
                heartbeat += 1
                yield encode({"Heartbeat": heartbeat, "Timestamp": iso(ctx.engine.clock.now())})
                last_sent = now
    finally:
        ctx.stream_opened(kind, -1)
        ctx.hub.unsubscribe(sub)


def stream_response(ctx: SimContext, feed: Feed, media_type: str, token: str | None) -> Response:
    if (
        feed.kind in CONCURRENCY_LIMITS
        and ctx.open_streams.get(feed.kind, 0) >= (CONCURRENCY_LIMITS[feed.kind])
    ):
        body = {"Error": "TooManyRequests", "Message": "Too many concurrent streams."}
        return JSONResponse(body, 429, headers={"Retry-After": "1"})
    return StreamingResponse(
        _frames(ctx, feed, token),
        media_type=media_type,
        headers={"Cache-Control": "no-cache"},
    )
