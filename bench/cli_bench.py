"""Figure 2, CLI cold start: ``tstui get accounts`` against a running simulator, whole process,
against the floor of ``python -c "import httpx"`` (what any httpx-based CLI pays first).

The simulator runs in its own process, already started and answering; both commands are
fresh interpreters with the same environment and a warm bytecode cache (see
:mod:`bench.startup_bench`), timed from spawn to exit, interleaved; the ratio is the
median of each run's against the floor run next to it (:func:`bench.report.paired_ratio`).
The demo
credentials come from the environment (``CLIENT_ID``/``CLIENT_SECRET``/``REFRESH_TOKEN``), so
the run signs in (one token refresh), fetches the accounts and prints the table.
An ``-X importtime`` run of the same command shows where its imports go.

Run: ``python -m bench.cli_bench [--runs R]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from bench import importtime
from bench.report import Figure, ms_row, paired_ratio, ratio_row, render
from bench.simproc import SimProcess
from bench.startup_bench import startup_environ
from tstui.sim import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

TARGET = 1.5
FLOOR = ["-c", "import httpx"]
WATCH = ("tstui.config", "tstui.domain.orders", "tstui.output", "httpx", "tstui.client.session")


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *cmd], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"cli child failed ({proc.returncode}): {proc.stderr[-600:]}")
    return elapsed


def measure_cli(runs: int = 7, *, breakdown: bool = True) -> Figure:
    tstui_s: list[float] = []
    floor_s: list[float] = []
    notes: list[str] = []
    with SimProcess() as sim, startup_environ() as base:
        env = {
            **base,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REFRESH_TOKEN": REFRESH_TOKEN,
        }
        env.pop("TSTUI_EXIT_AFTER_FIRST_SCREEN", None)
        env.pop("TEXTUAL_DRIVER", None)
        cmd = ["-m", "tstui", "--base-url", sim.url, "get", "accounts"]
        for _ in range(2):  # warm the bytecode cache and the simulator
            _time(cmd, env)
            _time(FLOOR, env)
        for _ in range(runs):
            floor_s.append(_time(FLOOR, env))
            tstui_s.append(_time(cmd, env))
        if breakdown:
            proc = importtime.run(cmd, env, timeout=60)
            if proc.returncode == 0:
                imports = importtime.parse(proc.stderr)
                notes += importtime.breakdown_lines(imports, watch=WATCH)
            else:
                notes.append(f"(importtime run failed: {proc.returncode})")
    ratio = paired_ratio(floor_s, tstui_s)  # each run against the floor run next to it
    notes.insert(0, ratio_row(floor_s, tstui_s))

    return Figure(
        2,
        f"CLI cold start (fresh processes, median of {runs} pairs)",
        (
            ('floor: python -c "import httpx"', ms_row(floor_s)),
            ("tstui get accounts (simulator)", f"{ms_row(tstui_s)}  = {ratio:.2f}x floor"),
        ),
        f"{ratio:.2f}x the floor",
        f"<= {TARGET}x",
        ratio <= TARGET,
        notes=tuple(notes),
        data={"tstui": tstui_s, "floor": floor_s, "ratio": ratio},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_bench")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(render(measure_cli(args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
