"""Figure 4, startup: ``tstui --demo`` to the first full screen vs ``python -c "import textual"``.

Both are fresh interpreters started the same way; each prints ``time.monotonic()`` (one clock
for every process on Linux) at its finish line and the parent subtracts its own spawn time.

- tstui: the real ``tstui.cli.main(["--demo"])`` path (CLI parsing, lazy imports, the embedded
  simulator, demo sign-in, accounts, streams), with the app run headless (no terminal here)
  and a probe that exits at the first full screen: the overview showing, accounts loaded,
  the balances panel filled and both streams live.
- baseline: ``import textual`` and nothing else.

Run: ``python -m bench.startup_bench [--runs R]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.report import Figure, median, render, spread

TARGET = 2.0
BASELINE = "import textual, time; print(time.monotonic())"


def _child() -> int:
    """Runs `tstui --demo` headless and prints the monotonic time of the first full screen."""
    from tstui.cli import main
    from tstui.ui.app import TstuiApp
    from tstui.ui.screens.overview import OverviewScreen
    from tstui.ui.widgets.balances import DataPanel

    def full_screen(app: TstuiApp) -> bool:
        screen = app.screen
        if not isinstance(screen, OverviewScreen) or not app.live.accounts:
            return False
        if not all(h.state == "live" for h in app.live.stream_health.values()):
            return False
        return screen.query_one("#balances-panel", DataPanel).last_good_at is not None

    def probe(app: TstuiApp) -> None:
        if full_screen(app):
            print(f"{time.monotonic():.6f}", flush=True)
            app.exit(0)

    original_run = TstuiApp.run
    original_mount = TstuiApp.on_mount

    def on_mount(self: TstuiApp) -> None:
        original_mount(self)
        self.set_interval(0.005, lambda: probe(self))

    def run(self: TstuiApp, *args: Any, **kwargs: Any) -> Any:
        kwargs.update(headless=True, size=(120, 40))
        return original_run(self, *args, **kwargs)

    TstuiApp.on_mount = on_mount  # type: ignore[method-assign]
    TstuiApp.run = run  # type: ignore[method-assign,assignment]
    return main(["--demo"])


def _spawn(code: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"startup child failed ({proc.returncode}): {proc.stderr[-800:]}")
    return float(lines[-1]) - start


def measure_startup(runs: int = 5) -> Figure:
    tstui_s: list[float] = []
    base_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tstui-startup-") as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
            "TSTUI_STATE_DIR": os.path.join(tmp, "state"),
            "TSTUI_CONFIG": os.path.join(tmp, "config.toml"),
        }
        for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"):
            env.pop(name, None)
        _spawn(["-c", BASELINE], env)  # warm the OS file cache for both
        _spawn(["-m", "bench.startup_bench", "--child"], env)
        for _ in range(runs):
            base_s.append(_spawn(["-c", BASELINE], env))
            tstui_s.append(_spawn(["-m", "bench.startup_bench", "--child"], env))
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
                'python -c "import textual"',
                f"{median(base_s) * 1000:7.0f} ms  runs "
                f"{spread([s * 1000 for s in base_s], '{:.0f}')}",
            ),
        ),
        f"{ratio:.2f}x the bare import",
        f"<= {TARGET:.0f}x",
        ratio <= TARGET,
        notes=(
            "app run headless; first full screen = overview with accounts, balances and "
            "both streams live",
        ),
        data={"tstui": tstui_s, "baseline": base_s, "ratio": ratio},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child()
    print(render(measure_startup(args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
