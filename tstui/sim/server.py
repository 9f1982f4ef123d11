"""SimServer: the simulator on a loopback port in a background thread (uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tstui.sim import (
    admin,
    routes_brokerage,
    routes_depth,
    routes_market,
    routes_oauth,
    routes_options,
    routes_orders,
    routes_streams,
    routes_symbols,
)
from tstui.sim.clock import SimClock
from tstui.sim.context import SimContext
from tstui.sim.control import SimControl
from tstui.sim.engine import Engine, EngineEvent
from tstui.sim.hostile import HostileText
from tstui.sim.lifecycle import attach_store, load_engine
from tstui.sim.listening import listen
from tstui.sim.oauth import Credentials, OAuthState
from tstui.sim.persist import Store
from tstui.sim.ratelimit import RateLimiter
from tstui.sim.records import ACCOUNT_CASH, ACCOUNT_FUTURES, ACCOUNT_MARGIN
from tstui.sim.routes_orders import ConnectionAbort

TICK_SECONDS = 0.25


class _DropInjectedResets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionAbort))


def build_app(ctx: SimContext) -> Starlette:
    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        title = "NotFound" if status == 404 else "BadRequest"
        if status == 405:
            title = "MethodNotAllowed"
        # a 405 carries Allow (RFC 9110): Starlette's routing puts it on the exception
        headers = getattr(exc, "headers", None)
        body = {"Error": title, "Message": f"{request.url.path}: {exc}"}
        return JSONResponse(body, status, headers=headers)

    every = [
        *routes_oauth.routes(ctx),
        *routes_brokerage.routes(ctx),
        *routes_orders.routes(ctx),
        *routes_market.routes(ctx),
        *routes_symbols.routes(ctx),
        *routes_streams.routes(ctx),
        *routes_depth.routes(ctx),
        *routes_options.routes(ctx),
        *admin.routes(ctx),
    ]
    return Starlette(
        routes=every,
        exception_handlers={404: not_found, 405: not_found},
        middleware=[Middleware(HostileText, mode=ctx.hostile)],  # off until POST /_sim/hostile
    )


class SimServer:
    """Context manager: ``with SimServer(speed=0) as sim: sim.url, sim.credentials``."""

    def __init__(
        self,
        seed: int = 7,
        start: datetime | None = None,
        speed: float = 1.0,
        heartbeat_seconds: float = 5.0,
        token_ttl_seconds: float = 1200,
        state_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        clock = SimClock(start, speed)
        engine = Engine(clock, seed)
        store = Store(Path(state_path)) if state_path is not None else None
        load_engine(engine, store)
        if store is not None:
            attach_store(engine, store)
        self.ctx = SimContext(
            engine,
            OAuthState(clock, token_ttl_seconds),
            RateLimiter(clock),
            store=store,
            heartbeat_seconds=heartbeat_seconds,
        )
        engine.listeners.append(self.ctx.hub.publish)
        self.host, self._port, self._log_level = host, port, log_level
        self.credentials = Credentials()
        self.accounts = (ACCOUNT_MARGIN, ACCOUNT_FUTURES, ACCOUNT_CASH)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._bound_port: int | None = None

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("SimServer was never started")
        return self._bound_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, sock: socket.socket | None = None) -> SimServer:
        """Serve on ``sock`` (a listening socket from :func:`tstui.sim.listening.listen`,
        which this server then owns and closes) or on a new one at ``host:port``."""
        logging.getLogger("uvicorn.error").addFilter(_DropInjectedResets())
        if sock is None:
            sock = listen(self.host, self._port)
        self._socket = sock
        self._bound_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            build_app(self.ctx),
            log_level=self._log_level,
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=self._run, name="tstui-sim", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 5
        while not server.started and time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError("simulator failed to start")
            time.sleep(0.005)
        if not server.started:
            raise RuntimeError("simulator did not start in time")
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        server, sock = self._server, self._socket

        async def main() -> None:
            ticker = asyncio.create_task(self._tick())
            try:
                await server.serve(sockets=[sock])
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

        asyncio.run(main())

    async def _tick(self) -> None:
        """While sim time flows, orders match and expire as the price paths move."""
        engine = self.ctx.engine
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if engine.clock.speed > 0:
                try:
                    await asyncio.to_thread(engine.process)
                    self.ctx.hub.publish(EngineEvent("market", "", {}))
                except Exception:  # pragma: no cover - never let the ticker die
                    logging.getLogger("tstui.sim").exception("tick failed")

    def stop(self) -> None:
        """GoAway to open streams, then shut uvicorn down (bounded: never hangs)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.ctx.stopping = True
        deadline = time.monotonic() + 1.0
        while self.ctx.hub.count and time.monotonic() < deadline:
            time.sleep(0.01)
        server.should_exit = True
        thread.join(timeout=3)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=2)
        if self._socket is not None:
            self._socket.close()
        if self.ctx.store is not None:
            self.ctx.store.close()
        self._server = self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._server is not None else "stopped"
        return f"SimServer({state}, host={self.host!r})"

    def control(self) -> SimControl:
        return SimControl(self.url)
