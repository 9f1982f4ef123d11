"""The market-depth streams: ``/v3/marketdata/stream/marketdepth/quotes|aggregates/{symbol}``.

Both need the ``Matrix`` scope on the access token. Without it the open is refused with
``401 {"Error": "Unauthorized", ...}``: what TradeStation answers a key without depth access
(tradestation/api-docs issue 22; the spec documents 401 and 403 with ErrorResponse bodies).

Frames: the whole book (``{"Bids": [...], "Asks": [...]}``, up to ``maxlevels`` price levels
a side) at open and whenever it changes, ``Heartbeat`` when idle, and the spec's stream error
``{"Error": "GoAway", ...}``. No ``EndSnapshot``: the spec lists data, Heartbeat and Error
frames only, and the wire notes name EndSnapshot for orders, positions and history bars only.
Quota (the wire table): 30 opens a minute, 10 open at once, both streams counted together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tstui.sim import depth
from tstui.sim.common import bearer_token, endpoint, error
from tstui.sim.context import SimContext
from tstui.sim.engine import EngineEvent
from tstui.sim.instruments import Instrument
from tstui.sim.intake import BadRequest
from tstui.sim.streams import MARKET_GO_AWAY, TOKEN_EXPIRED, V2_MARKET, encode, stream_response

KIND = "marketdepth"
SCOPE = "Matrix"
MAX_OPEN = 10
REFRESH_SECONDS = 0.25
NO_SCOPE = (
    "The access token was not granted the Matrix scope, which market depth requires "
    "(ask TradeStation to enable Matrix for the API key and sign in again)."
)
FrameOf = Callable[[Instrument, depth.Book], dict[str, Any]]


class DepthFeed:
    """The book of one symbol; a frame only when it changed."""

    kind = KIND
    end_snapshot = False
    go_away = encode(MARKET_GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(self, ctx: SimContext, symbol: str, levels: int, frame_of: FrameOf) -> None:
        self.ctx, self.symbol, self.levels, self.frame_of = ctx, symbol, levels, frame_of
        self._sent: dict[str, Any] | None = None
        self._refreshed = 0.0

    def _frame(self) -> dict[str, Any] | None:
        engine = self.ctx.engine
        now = engine.clock.now()
        inst = engine.instrument(self.symbol, now)
        if inst is None:
            return None
        with engine.lock:  # the engine matches on another thread
            resting = depth.resting_orders(list(engine.working.values()), inst)
        return self.frame_of(inst, depth.book(engine.paths, inst, now, self.levels, resting))

    def snapshot(self) -> list[dict[str, Any]]:
        self._sent = self._frame()
        self._refreshed = time.monotonic()
        return [self._sent] if self._sent is not None else []

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        now = time.monotonic()
        moved = event is not None and event.kind in ("market", "order")  # orders rest in it
        if not moved and now - self._refreshed < REFRESH_SECONDS:
            return []
        self._refreshed = now
        frame = self._frame()
        if frame is None or frame == self._sent:
            return []
        self._sent = frame
        return [frame]

    def burst(self) -> list[bytes]:
        return []


def parse_levels(raw: str | None) -> int:
    if raw is None:
        return depth.DEFAULT_LEVELS
    try:
        levels = int(raw)
    except ValueError:
        raise BadRequest("maxlevels must be a positive integer.") from None
    if levels < 1:
        raise BadRequest("maxlevels must be a positive integer.")
    return min(levels, depth.MAX_LEVELS)


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    def handler(frame_of: FrameOf) -> Callable[[Request], Any]:
        @endpoint(ctx, "streams", "marketdepth")
        async def stream(request: Request) -> Response:
            if not ctx.oauth.has_scope(request.headers.get("authorization"), SCOPE):
                return error(401, NO_SCOPE)
            levels = parse_levels(request.query_params.get("maxlevels"))
            symbol = request.path_params["symbol"].strip().upper()
            if engine.instrument(symbol) is None:
                # the spec documents no 404 here: an unknown symbol is a bad request
                raise BadRequest(f"Symbol {symbol} is not valid.")
            if ctx.open_streams.get(KIND, 0) >= MAX_OPEN:
                return error(429, "Too many concurrent streams.", {"Retry-After": "1"})
            feed = DepthFeed(ctx, symbol, levels, frame_of)
            return stream_response(ctx, feed, V2_MARKET, bearer_token(request))

        return stream

    base = "/v3/marketdata/stream/marketdepth"
    return [
        Route(base + "/quotes/{symbol}", handler(depth.quotes_frame)),
        Route(base + "/aggregates/{symbol}", handler(depth.aggregates_frame)),
    ]
