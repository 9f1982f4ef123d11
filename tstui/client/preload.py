"""Import, ahead of the first request, what signing in and connecting will need.

The TUI calls :func:`preload` in a thread once its first screen is laid out, while the demo's
simulators finish booting, so the event loop keeps drawing: what the sign-in needs first,
then, in a second thread that overlaps the sign-in's round trips, what the connect needs.
httpx defers httpcore to its first client and httpcore the asyncio backend of anyio to its
first connection: done there, on the event loop, those imports were ~40 ms of the first
sign-in.
"""

from __future__ import annotations

import contextlib
import importlib

SIGN_IN_MODULES = (
    "httpx",
    "httpcore",
    "anyio._backends._asyncio",
    "tstui.client.session",
    "tstui.client.demo",
)
# The connect's REST calls and streams, and the models their answers become (the API module
# imports each model where a call parses it): loaded while the sign-in waits on the network.
CONNECT_MODULES = (
    "tstui.client.api",
    "tstui.domain.portfolio.accounts",  # the connect's first answer
    "tstui.domain.portfolio.balances",
    "tstui.domain.portfolio.positions",
    "tstui.client.streams",
    "tstui.domain.orders.execution",
    "tstui.domain.frames",
    "tstui.client.fastwire",
)
MODULES = (*SIGN_IN_MODULES, *CONNECT_MODULES)


def preload(names: tuple[str, ...] = MODULES) -> None:
    """Import ``names``. A module that fails to import is skipped here: the code that needs
    it meets the error where it is handled today."""
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
