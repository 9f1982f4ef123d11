"""Each bench figure at a tiny size, so the bench code cannot rot (not a measurement)."""

from __future__ import annotations

import pytest

from bench.report import Figure, median, paired_ratio, percentile, ratio_row, render


def _check(figure: Figure, number: int) -> None:
    assert figure.number == number
    text = render(figure)
    assert "target:" in text
    assert text.rstrip().endswith(("meets target", "MISSES target"))


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_paired_ratio_sets_each_run_against_its_neighbour() -> None:
    # the machine slowed for runs 3-5: the medians fall in different spells, pairs do not
    floor = [0.222, 0.195, 0.282, 0.329, 0.278, 0.192, 0.217]
    paint = [0.342, 0.224, 0.334, 0.334, 0.335, 0.220, 0.253]
    assert paired_ratio(floor, paint) == pytest.approx(0.253 / 0.217)
    assert median(paint) / median(floor) == pytest.approx(1.5045, abs=1e-4)
    assert paired_ratio([1.0, 2.0, 4.0], [1.5, 3.0, 6.0]) == pytest.approx(1.5)
    assert "pairs [1.54, 1.15, 1.18, 1.02, 1.21, 1.15, 1.17]" in ratio_row(floor, paint)
    with pytest.raises(ValueError):
        paired_ratio([1.0], [1.0, 2.0])


def test_importtime_parse_until_mark() -> None:
    from bench import importtime

    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       100 |        100 |   pkg.child",
            "import time:       200 |        300 | pkg",
            f"{importtime.MARK}",
            "import time:       999 |        999 | later",
        ]
    )
    imports = importtime.parse(stderr)
    assert [(i.name, i.depth, i.cumulative_us) for i in imports] == [
        ("pkg.child", 1, 100),
        ("pkg", 0, 300),
    ]
    assert importtime.cost_of(imports, "pkg") == pytest.approx(0.3)
    assert importtime.total_ms(imports) == pytest.approx(0.3)


def test_stream_ingest_tiny() -> None:
    from bench.stream_bench import measure_stream

    figure = measure_stream(frames=1_000, runs=1, seed_orders=50)
    _check(figure, 5)
    assert figure.data["ratio"] > 0


def test_burst_tiny() -> None:
    from bench.burst_bench import measure_burst

    figure = measure_burst(frames=300, rounds=1)
    _check(figure, 6)
    assert figure.data["runs"][0]["rows"] >= 300


def test_latency_tiny() -> None:
    from bench.latency_bench import measure_latency

    figure = measure_latency(orders=100, rounds=1)
    _check(figure, 3)
    assert len(figure.data["samples"]["cursor move"]) == 3
    assert figure.data["p99_ms"] > 0


@pytest.mark.slow
def test_scale_tiny() -> None:
    from bench.scale_bench import measure_scale

    figure = measure_scale(orders=1_000, steps=4)  # 4 pages down never reach the end
    _check(figure, 4)
    assert 10 < figure.data["peak_mb"] < 1000
    assert len(figure.data["steps_ms"]) == 4


@pytest.mark.slow
def test_startup_tiny() -> None:
    from bench.startup_bench import measure_startup

    figure = measure_startup(runs=1, breakdown=False)
    _check(figure, 1)
    assert figure.data["paint_ratio"] > 0


@pytest.mark.slow
def test_cli_tiny() -> None:
    from bench.cli_bench import measure_cli

    figure = measure_cli(runs=1, breakdown=False)
    _check(figure, 2)
    assert figure.data["ratio"] > 0


def test_board_tiny() -> None:
    from bench.board_bench import measure_board

    figure = measure_board(symbols=20, seconds=0.5, presses=3)
    _check(figure, 7)
    assert figure.data["quotes_per_s"] > 0 and figure.data["symbols"] == 20
    assert len(figure.data["samples"]["cursor"]) == 2
