"""`make bench` (``python -m bench``): the five figures of issue 8, one block each.

Every figure is measured side by side in this one run (medians of several runs, ratios where
there is a baseline). ``--quick`` runs tiny sizes (a smoke check, not a measurement).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench.report import Figure, median, render, spread, summary


def blotter_figure(n: int = 20_000, runs: int = 3) -> Figure:
    from bench.blotter_bench import measure_blotter_load

    load = measure_blotter_load(n, runs)
    blotter = [s * 1000 for s in load["blotter_runs_s"]]
    table = [s * 1000 for s in load["datatable_runs_s"]]
    return Figure(
        2,
        f"Blotter load ({n:,} orders visible, median of {runs})",
        (
            (
                "Blotter (virtualised)",
                f"{median(blotter):8.0f} ms  runs {spread(blotter, '{:.0f}')}",
            ),
            ("DataTable add_rows", f"{median(table):8.0f} ms  runs {spread(table, '{:.0f}')}"),
        ),
        f"{load['ratio']:.3f} of the DataTable's time",
        "<= 0.125 (1/8)",
        bool(load["meets_target"]),
        data=load,
    )


def main(argv: list[str] | None = None) -> int:
    from bench.burst_bench import measure_burst
    from bench.memory_bench import measure_memory
    from bench.startup_bench import measure_startup
    from bench.stream_bench import measure_stream

    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke check")
    parser.add_argument("--only", type=int, action="append", help="figure number (repeatable)")
    args = parser.parse_args(argv)
    q = args.quick
    figures: dict[int, Callable[[], Figure]] = {
        1: lambda: measure_stream(2_000 if q else 200_000, 1 if q else 3),
        2: lambda: blotter_figure(500 if q else 20_000, 1 if q else 3),
        3: lambda: measure_burst(500 if q else 20_000, 100 if q else 5_000, 1 if q else 3),
        4: lambda: measure_startup(1 if q else 5),
        5: lambda: measure_memory(500 if q else 20_000),
    }
    started = time.perf_counter()
    done: list[Figure] = []
    for number, measure in figures.items():
        if args.only and number not in args.only:
            continue
        figure = measure()
        done.append(figure)
        print(render(figure), flush=True)
        print(flush=True)
    print(summary(done))
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
