"""/v3/orderexecution routes: confirm, place (single orders and groups), replace, cancel,
routes and activation triggers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tstui.sim.advanced import activation_triggers_api
from tstui.sim.common import endpoint, json_body
from tstui.sim.context import SimContext
from tstui.sim.instruments import ROUTES
from tstui.sim.intake import parse_group, parse_order, parse_replace


class ConnectionAbort(Exception):
    """Raised after a partial response so the server drops the connection (a reset)."""


class AbortedResponse(Response):
    """Headers and a few body bytes, then the connection closes: the client cannot know
    whether the order was accepted (it was)."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"Orders": [', "more_body": True})
        raise ConnectionAbort("injected reset after accept")


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    @endpoint(ctx, "orderexecution")
    async def confirm(request: Request) -> Response:
        intent = parse_order(await json_body(request))
        return JSONResponse(engine.confirm(intent))

    @endpoint(ctx, "orderexecution")
    async def place(request: Request) -> Response:
        intent = parse_order(await json_body(request))
        body = engine.place(intent)
        if ctx.faults.take_reset():
            return AbortedResponse()
        return JSONResponse(body)

    @endpoint(ctx, "orderexecution")
    async def change(request: Request) -> Response:
        order_id = request.path_params["order_id"].replace("-", "")
        if request.method == "DELETE":
            return JSONResponse(engine.cancel(order_id))
        intent = parse_replace(await json_body(request))
        return JSONResponse(engine.replace_order(order_id, intent))

    @endpoint(ctx, "orderexecution")
    async def group_confirm(request: Request) -> Response:
        kind, intents = parse_group(await json_body(request))
        return JSONResponse(engine.confirm_group(kind, intents))

    @endpoint(ctx, "orderexecution")
    async def group_place(request: Request) -> Response:
        kind, intents = parse_group(await json_body(request))
        body = engine.place_group(kind, intents)
        if ctx.faults.take_reset():
            return AbortedResponse()
        return JSONResponse(body)

    @endpoint(ctx, "orderexecution")
    async def activation_triggers(request: Request) -> Response:
        return JSONResponse(activation_triggers_api())

    @endpoint(ctx, "orderexecution")
    async def list_routes(request: Request) -> Response:
        return JSONResponse({"Routes": ROUTES})

    base = "/v3/orderexecution"
    return [
        Route(base + "/orderconfirm", confirm, methods=["POST"]),
        Route(base + "/orders", place, methods=["POST"]),
        Route(base + "/orders/{order_id}", change, methods=["PUT", "DELETE"]),
        Route(base + "/ordergroupconfirm", group_confirm, methods=["POST"]),
        Route(base + "/ordergroups", group_place, methods=["POST"]),
        Route(base + "/activationtriggers", activation_triggers),
        Route(base + "/routes", list_routes),
    ]
