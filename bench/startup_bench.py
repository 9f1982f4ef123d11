"""Figure 4, startup: ``tstui --demo`` to the first full screen vs ``python -c "import textual"``.

All are fresh interpreters started the same way; each reports ``time.monotonic()`` (one clock
for every process on Linux) at its finish line and the parent subtracts its own spawn time.

- tstui: the real entry point, ``python -m tstui --demo`` (CLI parsing, lazy imports, the
  embedded simulators, demo sign-in, accounts, streams), run headless through Textual's
  ``TEXTUAL_DRIVER`` with the hidden ``TSTUI_EXIT_AFTER_FIRST_SCREEN=1`` hook: the app exits at
  the first full screen (the overview showing, accounts loaded, the balances panel filled, both
  streams live) and prints that moment on stderr.
  It also reports its first paint, for information: the overview laid out (header with the
  environment, panels, status bar) while the data is still on its way.
- baseline: ``import textual`` and nothing else (the issue's yardstick).
- floor (for information): a one-widget Textual app run headless to its first screen: what
  any Textual app costs before it does anything.

Bytecode: every process gets the same fresh ``PYTHONPYCACHEPREFIX`` and the warm-up runs fill
it, as a normal install's ``__pycache__`` would be. (This sandbox exports
``PYTHONDONTWRITEBYTECODE=1``; without a cache each run compiled ~110 tstui modules from source,
~0.25 s, while textual's bytecode was precompiled by pip: not a startup a user sees.)

Run: ``python -m bench.startup_bench [--runs R]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench.report import Figure, median, render, spread
from tstui.cli.demo_sims import child_environ
from tstui.cli.tui import EXIT_AFTER_FIRST_SCREEN, FIRST_PAINT_MESSAGE, FIRST_SCREEN_MESSAGE

TARGET = 2.0
BASELINE = "import textual, time; print(time.monotonic())"
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
HEADLESS = "textual.drivers.headless_driver:HeadlessDriver"


def _spawn(code: list[str], env: dict[str, str]) -> float:
    """Seconds from spawn to the child's finish line (see ``_spawn_marks``)."""
    return _spawn_marks(code, env)[FIRST_SCREEN_MESSAGE]


def _spawn_marks(code: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawn to each moment the child reports: the tstui marks on stderr, or
    stdout's last number (under ``FIRST_SCREEN_MESSAGE`` too, for the baselines)."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, env=env, timeout=60, check=False
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


def measure_startup(runs: int = 5) -> Figure:
    tstui_s: list[float] = []
    paint_s: list[float] = []
    base_s: list[float] = []
    floor_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tstui-startup-") as tmp:
        env = {
            **child_environ(),
            "PYTHONPYCACHEPREFIX": os.path.join(tmp, "pycache"),
            "TSTUI_STATE_DIR": os.path.join(tmp, "state"),
            "TSTUI_CONFIG": os.path.join(tmp, "config.toml"),
            EXIT_AFTER_FIRST_SCREEN: "1",
            "TEXTUAL_DRIVER": HEADLESS,
            "COLUMNS": "120",
            "LINES": "40",
        }
        for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        for code in (["-c", BASELINE], ["-c", FLOOR], TSTUI):  # warm caches for all
            _spawn(code, env)
        for _ in range(runs):
            base_s.append(_spawn(["-c", BASELINE], env))
            marks = _spawn_marks(TSTUI, env)
            tstui_s.append(marks[FIRST_SCREEN_MESSAGE])
            paint_s.append(marks[FIRST_PAINT_MESSAGE])
            floor_s.append(_spawn(["-c", FLOOR], env))
    ratio = median(tstui_s) / median(base_s)
    return Figure(
        4,
        f"Startup (fresh processes, median of {runs})",
        (
            (
                "tstui --demo -> first full screen",
                f"{median(tstui_s) * 1000:7.0f} ms  runs "
                f"{spread([s * 1000 for s in tstui_s], '{:.0f}')}",
            ),
            (
                "tstui --demo -> first paint (data loading)",
                f"{median(paint_s) * 1000:7.0f} ms  runs "
                f"{spread([s * 1000 for s in paint_s], '{:.0f}')}",
            ),
            (
                'python -c "import textual"',
                f"{median(base_s) * 1000:7.0f} ms  runs "
                f"{spread([s * 1000 for s in base_s], '{:.0f}')}",
            ),
            (
                "floor: 1-widget Textual app, headless",
                f"{median(floor_s) * 1000:7.0f} ms  runs "
                f"{spread([s * 1000 for s in floor_s], '{:.0f}')}",
            ),
        ),
        f"{ratio:.2f}x the bare import",
        f"<= {TARGET:.0f}x",
        ratio <= TARGET,
        notes=(
            "real `python -m tstui --demo`, headless; first full screen = overview with "
            "accounts, balances and both streams live",
            f"floor/baseline {median(floor_s) / median(base_s):.2f}x: an empty Textual app "
            "alone uses most of the 2x; bytecode cached (see module doc)",
        ),
        data={
            "tstui": tstui_s,
            "paint": paint_s,
            "baseline": base_s,
            "floor": floor_s,
            "ratio": ratio,
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
