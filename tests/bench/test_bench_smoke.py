"""Each bench figure at a tiny size, so the bench code cannot rot (not a measurement)."""

from __future__ import annotations

import pytest

from bench.report import Figure, render


def _check(figure: Figure, number: int) -> None:
    assert figure.number == number
    text = render(figure)
    assert "target:" in text
    assert text.rstrip().endswith(("meets target", "misses target"))


def test_stream_ingest_tiny() -> None:
    from bench.stream_bench import measure_stream

    figure = measure_stream(frames=1_000, runs=1, seed_orders=50)
    _check(figure, 1)
    assert figure.data["ratio"] > 0


def test_blotter_load_tiny() -> None:
    from bench.__main__ import blotter_figure

    _check(blotter_figure(n=200, runs=1), 2)


def test_burst_tiny() -> None:
    from bench.burst_bench import measure_burst

    figure = measure_burst(frames=300, new_orders=50, rounds=1)
    _check(figure, 3)
    assert figure.data["runs"][0]["rows"] >= 50


@pytest.mark.slow
def test_startup_tiny() -> None:
    from bench.startup_bench import measure_startup

    _check(measure_startup(runs=1), 4)


def test_memory_tiny() -> None:
    from bench.memory_bench import measure_memory

    figure = measure_memory(orders=200)
    _check(figure, 5)
    assert 10 < figure.data["peak_mb"] < 1000
