"""Import, ahead of the first request, what signing in and connecting will need.

The TUI calls :func:`preload` in a thread once its first screen is laid out, while the demo's
simulators finish booting, so the event loop keeps drawing. httpx defers httpcore to its first
client and httpcore the asyncio backend of anyio to its first connection: done there, on the
event loop, those imports were ~40 ms of the first sign-in.
"""

from __future__ import annotations

import contextlib
import importlib

MODULES = (
    "httpx",
    "httpcore",
    "anyio._backends._asyncio",
    "tstui.client.session",
    "tstui.client.api",
    "tstui.client.streams",
    "tstui.client.demo",
)


def preload(extra: tuple[str, ...] = ()) -> None:
    """Import ``MODULES`` and ``extra``. A module that fails to import is skipped here: the
    code that needs it meets the error where it is handled today."""
    for name in (*MODULES, *extra):
        with contextlib.suppress(Exception):
            importlib.import_module(name)
