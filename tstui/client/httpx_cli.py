"""Keep httpx's own command line out of our imports.

``import httpx`` also imports ``httpx._main`` (its ``httpx`` console command) whenever click is
installed, and the simulator's uvicorn brings click: ~40 ms of click, pygments and rich on
every CLI command and on the way to the TUI's first full screen, for a command we never run.
``defer_httpx_cli()`` puts a stand-in for that module in place before httpx is first imported;
``httpx.main`` still works (the stand-in loads the real one on first call).
"""

from __future__ import annotations

import sys
import types
from typing import Any

_MODULE = "httpx._main"


def _main(*args: Any, **kwargs: Any) -> Any:
    del sys.modules[_MODULE]
    from httpx._main import main

    return main(*args, **kwargs)


def defer_httpx_cli() -> None:
    """Before the first ``import httpx`` (a no-op once httpx is loaded)."""
    if "httpx" in sys.modules or _MODULE in sys.modules:
        return
    stand_in = types.ModuleType(_MODULE, "httpx's command line, loaded on first use")
    stand_in.main = _main  # type: ignore[attr-defined]
    sys.modules[_MODULE] = stand_in
