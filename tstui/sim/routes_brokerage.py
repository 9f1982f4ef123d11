"""/v3/brokerage REST routes: accounts, balances, orders, history, positions."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tstui.sim.common import endpoint, split_accounts, split_ids
from tstui.sim.context import SimContext
from tstui.sim.intake import BadRequest
from tstui.sim.records import SimOrder
from tstui.sim.valuation import bod_cash, bod_securities_value
from tstui.sim.views import account_to_api, bod_balance_to_api

MAX_UNPAGED = 600
_SINCE_FORMATS = ("%Y-%m-%d", "%m-%d-%Y", "%Y/%m/%d", "%m/%d/%Y")


def parse_since(text: str | None) -> datetime:
    if not text:
        raise BadRequest("since is required.")
    for fmt in _SINCE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"since {text!r} is not a valid date.") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _page(
    request: Request, orders: list[dict[str, Any]], key: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Apply pageSize/nextToken; the token encodes the offset and the query it belongs to."""
    size_raw = request.query_params.get("pageSize")
    token = request.query_params.get("nextToken")
    if size_raw is None and token is None:
        return orders[:MAX_UNPAGED], None
    try:
        size = int(size_raw) if size_raw is not None else MAX_UNPAGED
    except ValueError:
        raise BadRequest("pageSize must be an integer.") from None
    if not 1 <= size <= MAX_UNPAGED:
        raise BadRequest(f"pageSize must be between 1 and {MAX_UNPAGED}.")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    offset = 0
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            offset = int(decoded["o"])
            if decoded["k"] != digest or offset < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise BadRequest("nextToken is not valid for this request.") from None
    page = orders[offset : offset + size]
    following = None
    if offset + size < len(orders):
        following = base64.urlsafe_b64encode(
            json.dumps({"o": offset + size, "k": digest}).encode()
        ).decode()
    return page, following


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    @endpoint(ctx, "accounts", "accounts")
    async def accounts(request: Request) -> Response:
        with engine.lock:
            body = [account_to_api(a) for a in engine.accounts.values()]
        return JSONResponse({"Accounts": body})

    @endpoint(ctx, "balances", "balances")
    async def balances(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        with engine.lock:
            items = [engine.balance_api(a) for a in known]
        return JSONResponse({"Balances": items, "Errors": errors})

    @endpoint(ctx, "balances", "balances")
    async def bod_balances(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        with engine.lock:
            items = [
                bod_balance_to_api(
                    engine.accounts[a], bod_securities_value(engine, a), bod_cash(engine, a)
                )
                for a in known
            ]
        return JSONResponse({"BODBalances": items, "Errors": errors})

    @endpoint(ctx, "positions", "positions")
    async def positions(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        symbol_filter = request.query_params.get("symbol")
        wanted = {s.strip().upper() for s in symbol_filter.split(",")} if symbol_filter else None
        with engine.lock:
            items = [
                engine.position_api(p)
                for a in known
                for p in engine.positions_of(a)
                if wanted is None or p.symbol in wanted
            ]
        return JSONResponse({"Positions": items, "Errors": errors})

    def _select(known: list[str], historical: bool, since: datetime | None) -> list[SimOrder]:
        today = engine.today_start()
        chosen = []
        for order in engine.orders.values():
            if order.account_id not in known:
                continue
            current = order.is_working or order.opened_at >= today
            if historical:
                if order.opened_at >= today or (since and order.opened_at < since):
                    continue
            elif not current:
                continue
            chosen.append(order)
        chosen.sort(key=lambda o: (o.opened_at, int(o.order_id)), reverse=True)
        return chosen

    def _since(request: Request) -> datetime:
        since = parse_since(request.query_params.get("since"))
        if since < engine.today_start() - timedelta(days=90):
            raise BadRequest("since is limited to 90 days prior to the current date.")
        return since

    @endpoint(ctx, "orders", "orders")
    async def orders(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        historical = request.url.path.rstrip("/").endswith("historicalorders")
        since = _since(request) if historical else None
        with engine.lock:
            bodies = [engine.order_api(o) for o in _select(known, historical, since)]
        key = f"{request.url.path}|{since}"
        page, token = _page(request, bodies, key)
        body: dict[str, Any] = {"Orders": page, "Errors": errors}
        if token:
            body["NextToken"] = token
        return JSONResponse(body)

    @endpoint(ctx, "orders", "orders")
    async def orders_by_id(request: Request) -> Response:
        known, errors = split_accounts(ctx, request.path_params["accounts"])
        ids = split_ids(request.path_params["ids"], 50, "order ID")
        historical = "historicalorders" in request.url.path
        since = _since(request) if historical else None
        with engine.lock:
            pool = {o.order_id: o for o in _select(known, historical, since)}
            found = [engine.order_api(pool[i]) for i in ids if i in pool]
        missing = [
            {
                "AccountID": ",".join(known),
                "OrderID": i,
                "Error": "NotFound",
                "Message": f"Order {i} was not found.",
            }
            for i in ids
            if i not in pool
        ]
        return JSONResponse({"Orders": found, "Errors": [*errors, *missing]})

    base = "/v3/brokerage/accounts"
    return [
        Route(base, accounts),
        Route(base + "/{accounts}/balances", balances),
        Route(base + "/{accounts}/bodbalances", bod_balances),
        Route(base + "/{accounts}/positions", positions),
        Route(base + "/{accounts}/orders", orders),
        Route(base + "/{accounts}/orders/{ids}", orders_by_id),
        Route(base + "/{accounts}/historicalorders", orders),
        Route(base + "/{accounts}/historicalorders/{ids}", orders_by_id),
    ]
