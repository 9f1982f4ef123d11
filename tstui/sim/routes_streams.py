"""Stream routes: brokerage orders/positions (v3), quotes and bars (v2), tick bars (legacy)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tstui.sim.common import bearer_token, endpoint, split_accounts, split_ids
from tstui.sim.context import SimContext
from tstui.sim.feeds import BarsFeed, OrdersFeed, PositionsFeed, QuotesFeed
from tstui.sim.intake import BadRequest, NotFound
from tstui.sim.option_symbols import quotable
from tstui.sim.routes_market import parse_bar_query
from tstui.sim.streams import V2_MARKET, V2_TICKBARS, V3_BROKERAGE, stream_response

MAX_TICKBARS_BACK = 10
MAX_TICK_INTERVAL = 64_999


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    @endpoint(ctx, "streams")
    async def orders(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        ids_raw = request.path_params.get("ids")
        ids = set(split_ids(ids_raw, 50, "order ID")) if ids_raw else None
        feed = OrdersFeed(ctx, known, errors, ids)
        return stream_response(ctx, feed, V3_BROKERAGE, bearer_token(request))

    @endpoint(ctx, "streams")
    async def positions(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        changes = request.query_params.get("changes")
        if changes is not None and changes.lower() not in ("true", "false"):
            raise BadRequest("changes must be true or false.")
        # changes=true or not, positions are sent whole (the wire notes: whole objects)
        feed = PositionsFeed(ctx, known, errors)
        return stream_response(ctx, feed, V3_BROKERAGE, bearer_token(request))

    @endpoint(ctx, "streams", "quotestream")
    async def quotes(request: Request) -> Response:
        names = split_ids(request.path_params["symbols"], 100, "symbol")
        known = [n.upper() for n in names if quotable(engine, n)]
        errors = [
            {"Symbol": n, "Error": f"Symbol {n} not found."}
            for n in names
            if not quotable(engine, n)
        ]
        return stream_response(
            ctx, QuotesFeed(ctx, known, errors), V2_MARKET, bearer_token(request)
        )

    @endpoint(ctx, "streams", "barchart")
    async def barcharts(request: Request) -> Response:
        unit, interval, barsback, _, _ = parse_bar_query(dict(request.query_params), stream=True)
        symbol = request.path_params["symbol"].upper()
        if engine.instrument(symbol) is None:
            raise NotFound(f"Symbol {symbol} was not found.")
        feed = BarsFeed(ctx, symbol, unit, interval, barsback or 1)
        return stream_response(ctx, feed, V2_MARKET, bearer_token(request))

    @endpoint(ctx, "streams", "tickbar")
    async def tickbars(request: Request) -> Response:
        symbol = request.path_params["symbol"].upper()
        try:
            interval = int(request.path_params["interval"])
            back = int(request.path_params["back"])
        except ValueError:
            raise BadRequest("interval and barsBack must be integers.") from None
        if not 1 <= interval <= MAX_TICK_INTERVAL:
            raise BadRequest(f"interval must be between 1 and {MAX_TICK_INTERVAL}.")
        if not 1 <= back <= MAX_TICKBARS_BACK:
            raise BadRequest(f"barsBack must be between 1 and {MAX_TICKBARS_BACK}.")
        if engine.instrument(symbol) is None:
            raise NotFound(f"Symbol {symbol} was not found.")
        feed = BarsFeed(ctx, symbol, "Minute", interval, back, tick_bars=True)
        return stream_response(ctx, feed, V2_TICKBARS, bearer_token(request))

    brokerage = "/v3/brokerage/stream/accounts/{accounts}"
    return [
        Route(brokerage + "/orders", orders),
        Route(brokerage + "/orders/{ids}", orders),
        Route(brokerage + "/positions", positions),
        Route("/v3/marketdata/stream/quotes/{symbols}", quotes),
        Route("/v3/marketdata/stream/barcharts/{symbol}", barcharts),
        Route("/v2/stream/tickbars/{symbol}/{interval}/{back}", tickbars),
    ]
