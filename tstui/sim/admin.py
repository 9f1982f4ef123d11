"""The /_sim admin API (loopback only; JSON in and out). See the package docstring."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tstui.sim.clock import iso, parse_iso
from tstui.sim.common import json_body
from tstui.sim.context import SimContext
from tstui.sim.engine import Engine, EngineEvent
from tstui.sim.intake import BadRequest, NotFound
from tstui.sim.lifecycle import reload_engine
from tstui.sim.records import SimOrder

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
AdminHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def _num(body: dict[str, Any], key: str, default: float | None = None) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest(f"{key} must be a number.")
    try:
        return float(value)
    except ValueError:
        raise BadRequest(f"{key} must be a number.") from None


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine
    faults = ctx.faults

    def admin(fn: AdminHandler, *, body: bool = True) -> Callable[[Request], Awaitable[Response]]:
        async def handler(request: Request) -> Response:
            host = request.client.host if request.client else ""
            if host not in LOOPBACK:
                return JSONResponse({"error": "admin API is loopback only"}, 403)
            try:
                payload: Any = {}
                if body and request.method == "POST":
                    raw = await request.body()
                    payload = await json_body(request) if raw.strip() else {}
                if not isinstance(payload, dict):
                    raise BadRequest("The body must be a JSON object.")
                return JSONResponse(await fn(payload))
            except (BadRequest, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, 400)
            except NotFound as exc:
                return JSONResponse({"error": str(exc)}, 404)

        return handler

    def market_moved() -> None:
        engine.process()
        ctx.hub.publish(EngineEvent("market", "", {}))

    async def clock_get(_: dict[str, Any]) -> dict[str, Any]:
        return {"now": iso(engine.clock.now()), "speed": engine.clock.speed}

    async def clock_post(body: dict[str, Any]) -> dict[str, Any]:
        if "advance_seconds" in body:
            engine.clock.advance(_num(body, "advance_seconds"))
        elif "set" in body:
            engine.clock.set(parse_iso(str(body["set"])))
        else:
            raise BadRequest("send advance_seconds or set")
        market_moved()
        return await clock_get(body)

    async def price(body: dict[str, Any]) -> dict[str, Any]:
        try:
            value = Decimal(str(body.get("price")))
        except InvalidOperation:
            raise BadRequest("price must be a number") from None
        engine.set_price(str(body.get("symbol", "")), value)
        ctx.hub.publish(EngineEvent("market", "", {}))
        return {"symbol": body.get("symbol"), "price": str(value)}

    async def goaway(body: dict[str, Any]) -> dict[str, Any]:
        faults.goaway(str(body.get("stream", "all")))
        return {"ok": True}

    async def stall(body: dict[str, Any]) -> dict[str, Any]:
        faults.stall(str(body.get("stream", "all")), _num(body, "seconds", 10))
        return {"ok": True}

    async def drop(body: dict[str, Any]) -> dict[str, Any]:
        faults.add_drop(str(body.get("stream", "all")), int(_num(body, "count", 1)))
        return {"ok": True}

    async def malformed(body: dict[str, Any]) -> dict[str, Any]:
        faults.add_malformed(str(body.get("stream", "all")), int(_num(body, "count", 1)))
        return {"ok": True}

    async def http_fault(body: dict[str, Any]) -> dict[str, Any]:
        faults.set_http(
            str(body.get("group", "all")),
            int(_num(body, "status", 500)),
            int(_num(body, "count", 1)),
        )
        return {"ok": True}

    async def latency(body: dict[str, Any]) -> dict[str, Any]:
        faults.latency = max(0.0, _num(body, "seconds", 0))
        return {"ok": True}

    async def reset_after_accept(body: dict[str, Any]) -> dict[str, Any]:
        with faults.lock:
            faults.reset_after_accept += int(_num(body, "count", 1))
        return {"ok": True}

    async def clear(_: dict[str, Any]) -> dict[str, Any]:
        faults.clear()
        ctx.limiter.reset()
        return {"ok": True}

    async def tokens_expire(_: dict[str, Any]) -> dict[str, Any]:
        ctx.oauth.expire_all()
        return {"ok": True}

    async def tokens_revoke(_: dict[str, Any]) -> dict[str, Any]:
        ctx.oauth.revoke_all()
        return {"ok": True}

    async def heartbeat(body: dict[str, Any]) -> dict[str, Any]:
        ctx.heartbeat_seconds = max(0.05, _num(body, "seconds", 5))
        return {"ok": True}

    async def seed_orders(body: dict[str, Any]) -> dict[str, Any]:
        account = str(body.get("account", ""))
        count = int(_num(body, "count", 100))
        return {"created": seed_bulk_orders(ctx, account, count)}

    async def burst(body: dict[str, Any]) -> dict[str, Any]:
        count = int(_num(body, "frames", _num(body, "count", 1000)))
        ctx.add_burst(str(body.get("account") or "*"), count)
        ctx.hub.wake()
        return {"queued": count}

    async def state(_: dict[str, Any]) -> dict[str, Any]:
        return truth(engine)

    async def restart(_: dict[str, Any]) -> dict[str, Any]:
        ctx.restart_epoch += 1
        reload_engine(ctx)
        return {"ok": True}

    async def hostile(body: dict[str, Any]) -> dict[str, Any]:
        return ctx.hostile.configure_from(body)

    def post(path: str, fn: AdminHandler) -> Route:
        return Route("/_sim/" + path, admin(fn), methods=["POST"])

    return [
        Route("/_sim/clock", admin(clock_get, body=False), methods=["GET"]),
        post("clock", clock_post),
        post("price", price),
        post("faults/goaway", goaway),
        post("faults/stall", stall),
        post("faults/drop", drop),
        post("faults/malformed", malformed),
        post("faults/http", http_fault),
        post("faults/latency", latency),
        post("faults/reset-after-accept", reset_after_accept),
        post("faults/clear", clear),
        post("tokens/expire", tokens_expire),
        post("tokens/revoke", tokens_revoke),
        post("heartbeat", heartbeat),
        post("orders/seed", seed_orders),
        post("orders/burst", burst),
        Route("/_sim/state", admin(state, body=False), methods=["GET"]),
        post("restart", restart),
        post("hostile", hostile),  # evil server text, for the untrusted-text tests
    ]


def seed_bulk_orders(ctx: SimContext, account_id: str, count: int) -> int:
    """Bulk orders for load tests (no stream events; they appear in the next snapshot):
    every fifth is a working limit far from the market, the rest filled or cancelled."""
    engine = ctx.engine
    if account_id not in engine.accounts:
        raise NotFound(f"Account {account_id} was not found.")
    if not 0 < count <= 250_000:
        raise BadRequest("count must be between 1 and 250000")
    futures = engine.accounts[account_id].trades_futures
    with engine.lock:
        now = engine.clock.now()
        symbols = ["MSFT", "AAPL", "SPY", "NVDA"]
        if futures:
            from tstui.domain.market.futures import front_contract

            symbols = [front_contract(r, now) for r in ("ES", "NQ", "CL", "GC")]
        quotes = {s: engine.quote_of(s)[0] for s in symbols}
        created: list[SimOrder] = []
        for i in range(count):
            symbol = symbols[i % len(symbols)]
            working = i % 5 == 0
            last = quotes[symbol]
            inst = engine.instrument(symbol)
            tick = inst.tick if inst else Decimal("0.01")
            limit = (last * Decimal("0.8") / tick).to_integral_value() * tick
            order = SimOrder(
                str(engine.next_order_id),
                account_id,
                symbol,
                "FUTURE" if futures else "STOCK",
                "BUY" if i % 2 == 0 else "SELL",
                "Limit",
                Decimal(1 + i % 10),
                "GTC" if working else "DAY",
                "OPN" if working else ("FLL" if i % 3 else "CAN"),
                now - timedelta(seconds=count - i),
                limit_price=limit,
                filled_quantity=Decimal(0) if working or i % 3 == 0 else Decimal(1 + i % 10),
                filled_price=None if working or i % 3 == 0 else limit,
                closed_at=None if working else now,
                expires_at=now + timedelta(days=90) if working else None,
            )
            engine.next_order_id += 1
            engine.orders[order.order_id] = order
            if working:
                engine.working[order.order_id] = order
            created.append(order)
        if engine.on_change is not None:
            engine.on_change(created, ())
    return len(created)


def truth(engine: Engine) -> dict[str, Any]:
    """``GET /_sim/state``: every account's orders, positions and balance, as the API shows
    them, taken under the engine's lock so the picture is consistent."""
    with engine.lock:
        return {
            "now": iso(engine.clock.now()),
            "accounts": {
                account_id: {
                    "orders": [
                        engine.order_api(o)
                        for o in engine.orders.values()
                        if o.account_id == account_id
                    ],
                    "positions": [engine.position_api(p) for p in engine.positions_of(account_id)],
                    "balance": engine.balance_api(account_id),
                }
                for account_id in engine.accounts
            },
        }
