"""Shared route plumbing: the one wrapper every API route goes through, and error bodies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tstui.domain.enums import ERROR_TITLES
from tstui.sim.context import SimContext
from tstui.sim.intake import BadRequest, NotFound

log = logging.getLogger("tstui.sim")
Handler = Callable[[Request], Awaitable[Response]]
MAX_ACCOUNTS = 25


def error(
    status: int, message: str, headers: dict[str, str] | None = None, *, v2: bool = False
) -> JSONResponse:
    """TradeStation's ``{"Error", "Message"}``; the v2 routes add the ``StatusCode`` that the
    spec's v2 error object declares."""
    title = ERROR_TITLES.get(status, "InternalServerError" if status >= 500 else "BadRequest")
    body: dict[str, Any] = {"Error": title, "Message": message}
    if v2:
        body["StatusCode"] = status
    return JSONResponse(body, status, headers=headers)


def endpoint(
    ctx: SimContext, group: str, category: str | None = None, *, auth: bool = True
) -> Callable[[Handler], Handler]:
    """Latency, injected HTTP faults, bearer auth, rate limits and error mapping."""

    def wrap(fn: Handler) -> Handler:
        async def handler(request: Request) -> Response:
            v2 = request.url.path.startswith("/v2/")
            if ctx.faults.latency > 0:
                await asyncio.sleep(ctx.faults.latency)
            status = ctx.faults.take_http(group)
            if status is not None:
                retry = {"Retry-After": "1"} if status in (429, 503) else None
                return error(status, "Injected fault.", retry, v2=v2)
            if auth:
                problem = ctx.oauth.access_problem(request.headers.get("authorization"))
                if problem is not None:
                    return error(401, problem, v2=v2)
            if category is not None:
                wait = ctx.limiter.hit(category)
                if wait is not None:
                    return error(429, "Rate limit exceeded.", {"Retry-After": str(wait)}, v2=v2)
            try:
                return await fn(request)
            except BadRequest as exc:
                return error(400, str(exc), v2=v2)
            except NotFound as exc:
                return error(404, str(exc), v2=v2)
            except Exception:  # nothing may crash the server
                log.exception("simulator route failed")
                return error(500, "Internal error.", v2=v2)

        return handler

    return wrap


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


def split_ids(raw: str, limit: int, what: str) -> list[str]:
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise BadRequest(f"At least one {what} is required.")
    if len(items) > limit:
        raise BadRequest(f"At most {limit} {what}s may be requested.")
    return list(dict.fromkeys(items))


def split_accounts(ctx: SimContext, raw: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Known account ids and the per-item errors for unknown ones."""
    ids = split_ids(raw, MAX_ACCOUNTS, "account ID")
    known = [i for i in ids if i in ctx.engine.accounts]
    errors = [
        {"AccountID": i, "Error": "NotFound", "Message": f"Account {i} was not found."}
        for i in ids
        if i not in ctx.engine.accounts
    ]
    return known, errors


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        raise BadRequest("A JSON request body is required.")
    try:
        import json

        return json.loads(raw)
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None
