"""/v3/marketdata REST routes: barcharts, symbols, quotes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tstui.sim import bars
from tstui.sim.common import endpoint, split_ids
from tstui.sim.context import SimContext
from tstui.sim.intake import BadRequest, NotFound
from tstui.sim.option_symbols import option_quote_body, option_symbol_detail
from tstui.sim.quotes import quote, symbol_detail

SESSION_TEMPLATES = ("USEQPre", "USEQPost", "USEQPreAndPost", "USEQ24Hour", "Default")
MAX_NON_INTRADAY_BARS = 20_000  # "no limit" in the spec; bounded here to keep requests cheap


def parse_bar_date(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} {text!r} is not a valid date.") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_bar_query(
    params: dict[str, str], *, stream: bool
) -> tuple[str, int, int | None, datetime | None, datetime | None]:
    unit = bars.normalize_unit(params.get("unit", "Daily"))
    if unit is None:
        raise BadRequest("unit must be one of Minute, Daily, Weekly, Monthly.")
    try:
        interval = int(params.get("interval", "1"))
    except ValueError:
        raise BadRequest("interval must be an integer.") from None
    if unit == "Minute" and not 1 <= interval <= bars.MAX_MINUTE_INTERVAL:
        raise BadRequest(f"interval must be between 1 and {bars.MAX_MINUTE_INTERVAL}.")
    if unit != "Minute" and interval != 1:
        raise BadRequest("interval must be 1 for Daily, Weekly and Monthly bars.")
    template = params.get("sessiontemplate")
    if template is not None and template not in SESSION_TEMPLATES:
        raise BadRequest(f"sessiontemplate must be one of {', '.join(SESSION_TEMPLATES)}.")
    first = params.get("firstdate")
    last = params.get("lastdate") or params.get("startdate")
    raw_back = params.get("barsback")
    if raw_back is not None and first is not None:
        raise BadRequest("barsback and firstdate are mutually exclusive.")
    barsback: int | None = None
    if raw_back is not None or first is None:
        try:
            barsback = int(raw_back) if raw_back is not None else 1
        except ValueError:
            raise BadRequest("barsback must be an integer.") from None
        limit = bars.MAX_INTRADAY_BARS if unit == "Minute" or stream else MAX_NON_INTRADAY_BARS
        if not 1 <= barsback <= limit:
            raise BadRequest(f"barsback must be between 1 and {limit}.")
    first_dt = parse_bar_date(first, "firstdate") if first else None
    last_dt = parse_bar_date(last, "lastdate") if last else None
    if first_dt and last_dt and first_dt > last_dt:
        raise BadRequest("firstdate must be before lastdate.")
    return unit, interval, barsback, first_dt, last_dt


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    @endpoint(ctx, "marketdata", "barchart")
    async def barcharts(request: Request) -> Response:
        unit, interval, barsback, first, last = parse_bar_query(
            dict(request.query_params), stream=False
        )
        now = engine.clock.now()
        inst = engine.instrument(request.path_params["symbol"], now)
        if inst is None:
            raise NotFound(f"Symbol {request.path_params['symbol']} was not found.")
        if first is not None:
            span_minutes = ((last or now) - first).total_seconds() / 60 / interval
            if unit == "Minute" and span_minutes > bars.MAX_INTRADAY_BARS:
                raise BadRequest("The date range exceeds 57,600 intraday bars.")

        def build() -> list[dict[str, Any]]:
            history = bars.history(engine.paths, inst, unit, interval, now, barsback, first, last)
            return [bars.bar_to_api(inst, b) for b in history]

        # Long histories take a second or two: keep the event loop (and streams) responsive.
        return JSONResponse({"Bars": await asyncio.to_thread(build)})

    @endpoint(ctx, "marketdata")
    async def symbols(request: Request) -> Response:
        names = split_ids(request.path_params["symbols"], 50, "symbol")
        now = engine.clock.now()
        found, errors = [], []
        for name in names:
            inst = engine.instrument(name, now)
            # an option contract: the option market's details (None: not listed, or expired)
            detail = (
                symbol_detail(inst) if inst is not None else option_symbol_detail(engine, name, now)
            )
            if detail is None:
                errors.append(
                    {"Symbol": name, "Error": "NotFound", "Message": f"Symbol {name} not found."}
                )
            else:
                found.append(detail)
        return JSONResponse({"Symbols": found, "Errors": errors})

    @endpoint(ctx, "marketdata", "quotes")
    async def quotes(request: Request) -> Response:
        names = split_ids(request.path_params["symbols"], 100, "symbol")
        now = engine.clock.now()
        found, errors = [], []
        for name in names:
            inst = engine.instrument(name, now)
            body = (
                quote(engine.paths, inst, now)
                if inst is not None
                else option_quote_body(engine, name, now)
            )
            if body is None:
                errors.append({"Symbol": name, "Error": f"Symbol {name} not found."})
            else:
                found.append(body)
        return JSONResponse({"Quotes": found, "Errors": errors})

    base = "/v3/marketdata"
    return [
        Route(base + "/barcharts/{symbol}", barcharts),
        Route(base + "/symbols/{symbols}", symbols),
        Route(base + "/quotes/{symbols}", quotes),
    ]
