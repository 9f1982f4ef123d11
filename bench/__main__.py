"""`make bench` (``python -m bench``): the six figures of issue 17, one block each.

Every figure is measured side by side in this one run (interleaved runs, medians or
percentiles, baselines rerun in the same process tree) and printed with its target; a figure
that misses says so with its numbers. ``--quick`` runs tiny sizes (a smoke check for
tests/bench, not a measurement); ``--only N`` (repeatable) runs some figures.

1. startup against the empty-Textual-app floor    (bench/startup_bench.py)
2. CLI cold start against ``import httpx``         (bench/cli_bench.py)
3. key-to-paint latency under load                 (bench/latency_bench.py)
4. scale: 100k orders                              (bench/scale_bench.py)
5. stream ingest against raw aiter_lines+json      (bench/stream_bench.py)
6. burst: last frame to final state shown          (bench/burst_bench.py)
7. quote board: 200 symbols x 20 quotes/s          (bench/board_bench.py)
"""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Callable

from bench.report import Figure, render, summary


def figures(quick: bool) -> dict[int, Callable[[], Figure]]:
    from bench.board_bench import measure_board
    from bench.burst_bench import measure_burst
    from bench.cli_bench import measure_cli
    from bench.latency_bench import measure_latency
    from bench.scale_bench import measure_scale
    from bench.startup_bench import measure_startup
    from bench.stream_bench import measure_stream

    q = quick
    return {
        1: lambda: measure_startup(1 if q else 7, breakdown=not q),
        2: lambda: measure_cli(1 if q else 9, breakdown=not q),
        3: lambda: measure_latency(300 if q else 20_000, 1 if q else 12),
        4: lambda: measure_scale(500 if q else 100_000, 6 if q else 60),
        5: lambda: measure_stream(2_000 if q else 200_000, 1 if q else 7),
        6: lambda: measure_burst(500 if q else 20_000, 1 if q else 3),
        7: lambda: measure_board(20 if q else 200, 1.0 if q else 5.0, 3 if q else 45),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke check")
    parser.add_argument("--only", type=int, action="append", help="figure number (repeatable)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    done: list[Figure] = []
    failed: list[int] = []
    for number, measure in figures(args.quick).items():
        if args.only and number not in args.only:
            continue
        try:
            figure = measure()
        except Exception:  # one broken figure must not hide the others
            failed.append(number)
            print(f"{number}. FAILED to measure:\n{traceback.format_exc()}", flush=True)
            continue
        done.append(figure)
        print(render(figure), flush=True)
        print(flush=True)
    print(summary(done))
    if failed:
        print(f"figures that could not be measured: {failed}")
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
