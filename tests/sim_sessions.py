"""Client sessions on the test simulator, signed in with its demo refresh token (no browser).

Shared by the client and UI tests; imported by its name (test folders are not packages)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from tstui.client.session import Session

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.config import Settings
    from tstui.sim.server import SimServer

# Quick stream reconnects and GET retries, so fault tests finish fast.
FAST = {"stream_backoff_base": 0.05, "stream_backoff_cap": 0.2, "backoff_base": 0.01}


def token_session(sim: SimServer, settings: Settings, **options: Any) -> Session:
    """`Session.open` with the simulator's refresh token in its environment."""
    return Session.open(
        settings, environ={"REFRESH_TOKEN": sim.credentials.refresh_token}, **options
    )


@asynccontextmanager
async def token_api(
    sim: SimServer, settings: Settings, timeout: float = 30.0
) -> AsyncIterator[TradeStationAPI]:
    """The API of a `token_session`; the whole block must finish within ``timeout``."""
    with anyio.fail_after(timeout):
        async with token_session(sim, settings) as session:
            yield session.api
