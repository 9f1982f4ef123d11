"""The ``tstui`` program's entry (console script and ``python -m tstui``): the CLI's
``main``, with Python's cycle collector held while the program starts.

Starting allocates a few hundred thousand objects that live as long as the program
(modules, classes, the stylesheet, the first screen's widgets): the collector's passes over
them as they pile up free nothing and cost 10-20 ms on the way to the first paint and to a
one-shot command's answer. Given back after ``STARTUP_HOLD_S``, what was built by then is
frozen first (left out of every later pass, which keeps full passes short while keys come).
Only the program does this: a process importing ``tstui`` as a library keeps its collector.

The program also keeps the code ``dataclasses`` compiles from one run to the next
(tstui.codecache): most of what a dataclass costs to make, a few hundred times a start.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["STARTUP_HOLD_S", "hold_collector_while_starting", "run"]

STARTUP_HOLD_S = 2.0


def run() -> int:
    hold_collector_while_starting()
    from tstui.codecache import install  # before any dataclass: Textual's are most of them

    install()
    from tstui.cli import main  # after the hold: the imports are most of what it spares

    return main()


def hold_collector_while_starting(seconds: float = STARTUP_HOLD_S) -> threading.Timer | None:
    """Disable the collector; a daemon timer gives it back after ``seconds`` (returned, or
    None when the collector was already off: whoever turned it off decides)."""
    if not gc.isenabled():
        return None
    gc.disable()
    timer = threading.Timer(seconds, _release)
    timer.daemon = True
    timer.start()
    return timer


def _release() -> None:
    gc.freeze()
    gc.enable()
