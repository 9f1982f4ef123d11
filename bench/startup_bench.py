"""Figure 1, startup: ``tstui --demo`` first paint and first full screen against the floor.

The floor is an empty one-widget Textual app started the same way: a fresh interpreter, the
same headless driver, 120x40, to its first painted frame. Each child reports
``time.monotonic()`` (one clock for every process on Linux) at its finish line and the parent
subtracts its own spawn time. Runs are interleaved (floor, tstui, floor, tstui...); the
ratio is the median of each tstui run's against the floor run just before it
(:func:`bench.report.paired_ratio`; the ratio of the two medians is printed beside it).

- tstui: the real entry point, ``python -m tstui --demo`` (CLI parsing, lazy imports, the
  embedded simulators, demo sign-in, accounts, streams), headless through Textual's
  ``TEXTUAL_DRIVER`` with the hidden ``TSTUI_EXIT_AFTER_FIRST_SCREEN=1`` hook, which reports
  the first paint (the overview laid out: header with the environment, panels, status bar)
  and the first full screen (accounts; the balances, beginning-of-day and day P&L panels
  drawn from data; both streams live), then exits.
- targets: first paint <= 1.3x the floor, first full screen <= 2.0x the floor.
- imports: one more run under ``-X importtime`` marks the first paint on stderr (the same app
  and hook; the marker only watches) and the bench prints what was imported before it,
  costliest first, next to the floor's own imports.

Bytecode: every process gets the same fresh ``PYTHONPYCACHEPREFIX`` and the warm-up runs fill
it, as a normal install's ``__pycache__`` would be (this sandbox exports
``PYTHONDONTWRITEBYTECODE=1``; without a cache each run would compile ~110 tstui modules).
The same goes for tstui's own cache of the code ``dataclasses`` compiles (tstui.codecache):
a fresh ``TSTUI_CACHE_DIR``, filled by the warm-up runs as by a user's first start.

Run: ``python -m bench.startup_bench [--runs R]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench import importtime
from bench.report import Figure, ms_row, paired_ratio, ratio_row, render
from tstui.cli.demo_sims import child_environ
from tstui.cli.tui import EXIT_AFTER_FIRST_SCREEN, FIRST_PAINT_MESSAGE, FIRST_SCREEN_MESSAGE

PAINT_TARGET = 1.3
FULL_TARGET = 2.0
FLOOR = """
import time
from textual.app import App
from textual.widgets import Static

class Floor(App[None]):
    def compose(self):
        yield Static("ready")

    def on_mount(self):
        self.call_after_refresh(self.done)

    def done(self):
        self.at = time.monotonic()
        self.exit()

app = Floor()
app.run(headless=True, size=(120, 40))
print(app.at)
"""
TSTUI = ["-m", "tstui", "--demo"]
# The real `tstui --demo` (same hook), plus a watcher that writes importtime.MARK on stderr
# at the first paint, so the imports before it can be told from the ones after.
MARKED_TSTUI = f"""
import asyncio, os, sys
import textual.app
from tstui.cli import main

_run = textual.app.App.run

def run(self, *args, auto_pilot=None, **kwargs):
    async def pilot(p):
        from tstui.ui.views.overview.balances import DataPanel
        from tstui.ui.views.overview.screen import OverviewScreen

        async def mark():
            while True:
                screen = p.app.screen
                if isinstance(screen, OverviewScreen):
                    panels = list(screen.query(DataPanel))
                    if panels and all(x.region.area > 0 for x in panels):
                        os.write(2, b"{importtime.MARK}\\n")
                        return
                await asyncio.sleep(0.005)

        asyncio.get_running_loop().create_task(mark())
        if auto_pilot is not None:
            await auto_pilot(p)

    return _run(self, *args, auto_pilot=pilot, **kwargs)

textual.app.App.run = run
sys.exit(main(["--demo"]))
"""
HEADLESS = "textual.drivers.headless_driver:HeadlessDriver"
WATCH = ("tstui.config", "tstui.domain.orders", "tstui.client.session", "httpx")


def _spawn_marks(code: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawn to each moment the child reports: the tstui marks on stderr, or
    stdout's last number (under ``FIRST_SCREEN_MESSAGE``, for the floor)."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, env=env, timeout=90, check=False
    )
    marks: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        for message in (FIRST_PAINT_MESSAGE, FIRST_SCREEN_MESSAGE):
            if line.startswith(message):
                marks[message] = float(line.rsplit(" ", 1)[-1]) - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if FIRST_SCREEN_MESSAGE not in marks and lines:
        marks[FIRST_SCREEN_MESSAGE] = float(lines[-1]) - start
    if proc.returncode != 0 or FIRST_SCREEN_MESSAGE not in marks:
        raise RuntimeError(f"startup child failed ({proc.returncode}): {proc.stderr[-800:]}")
    return marks


@contextmanager
def startup_environ() -> Iterator[dict[str, str]]:
    """The children's environment: headless, a private state dir and bytecode cache."""
    with tempfile.TemporaryDirectory(prefix="tstui-startup-") as tmp:
        env = {
            **child_environ(),
            "PYTHONPYCACHEPREFIX": os.path.join(tmp, "pycache"),
            "TSTUI_CACHE_DIR": os.path.join(tmp, "cache"),
            "TSTUI_STATE_DIR": os.path.join(tmp, "state"),
            "TSTUI_CONFIG": os.path.join(tmp, "config.toml"),
            EXIT_AFTER_FIRST_SCREEN: "1",
            "TEXTUAL_DRIVER": HEADLESS,
            "COLUMNS": "120",
            "LINES": "40",
        }
        for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        yield env


def import_breakdown(env: dict[str, str]) -> tuple[list[str], float, float]:
    """Lines describing the first paint's imports; their total ms and the floor's."""
    paint = importtime.run(["-c", MARKED_TSTUI], env, timeout=90)
    floor = importtime.run(["-c", FLOOR], env, timeout=90)
    if importtime.MARK not in paint.stderr:
        return ["(no first paint marker: breakdown unavailable)"], 0.0, 0.0
    before = importtime.parse(paint.stderr)
    floor_imports = importtime.parse(floor.stderr)
    floor_names = {i.name for i in floor_imports}
    extra = [i for i in before if i.name not in floor_names]
    lines = importtime.breakdown_lines(before, count=14, watch=WATCH)
    lines.append(
        f"beyond the floor's modules: {len(extra)} modules, "
        f"{sum(i.self_us for i in extra) / 1000:.0f} ms of their own import time; "
        f"the floor imports {importtime.total_ms(floor_imports):.0f} ms"
    )
    return lines, importtime.total_ms(before), importtime.total_ms(floor_imports)


def measure_startup(runs: int = 5, *, breakdown: bool = True) -> Figure:
    full_s: list[float] = []
    paint_s: list[float] = []
    floor_s: list[float] = []
    with startup_environ() as env:
        for code in (["-c", FLOOR], TSTUI):  # warm the bytecode cache for both
            _spawn_marks(code, env)
        for _ in range(runs):
            floor_s.append(_spawn_marks(["-c", FLOOR], env)[FIRST_SCREEN_MESSAGE])
            marks = _spawn_marks(TSTUI, env)
            full_s.append(marks[FIRST_SCREEN_MESSAGE])
            paint_s.append(marks[FIRST_PAINT_MESSAGE])
        notes: list[str] = []
        paint_import_ms = floor_import_ms = 0.0
        if breakdown:
            lines, paint_import_ms, floor_import_ms = import_breakdown(env)
            notes += lines
    # each tstui run against the floor run just before it (see paired_ratio)
    paint_ratio = paired_ratio(floor_s, paint_s)
    full_ratio = paired_ratio(floor_s, full_s)
    meets = paint_ratio <= PAINT_TARGET and full_ratio <= FULL_TARGET
    notes[:0] = [
        f"paint: {ratio_row(floor_s, paint_s)}",
        f"full screen: {ratio_row(floor_s, full_s)}",
    ]

    return Figure(
        1,
        f"Startup against the floor (fresh processes, headless, median of {runs} pairs)",
        (
            ("floor: 1-widget Textual app", ms_row(floor_s)),
            ("tstui --demo -> first paint", f"{ms_row(paint_s)}  = {paint_ratio:.2f}x floor"),
            ("tstui --demo -> first full screen", f"{ms_row(full_s)}  = {full_ratio:.2f}x floor"),
        ),
        f"paint {paint_ratio:.2f}x, full screen {full_ratio:.2f}x the floor",
        f"paint <= {PAINT_TARGET}x, full <= {FULL_TARGET}x",
        meets,
        notes=tuple(notes),
        data={
            "paint": paint_s,
            "full": full_s,
            "floor": floor_s,
            "paint_ratio": paint_ratio,
            "full_ratio": full_ratio,
            "paint_import_ms": paint_import_ms,
            "floor_import_ms": floor_import_ms,
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup_bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(render(measure_startup(args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
