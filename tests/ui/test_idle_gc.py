"""The collector's full passes wait for a pause in the keys (tstui.ui.shell.idle_gc)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.idle_gc import IdleCollector


class FakeHost:
    def __init__(self) -> None:
        self.intervals: list[tuple[float, Callable[[], Any]]] = []

    def set_interval(self, interval: float, callback: Callable[[], Any]) -> None:
        self.intervals.append((interval, callback))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def test_full_passes_are_held_while_keys_come_and_given_back_at_a_pause(
    thresholds: tuple[int, int, int],
) -> None:
    clock, passes = Clock(), []
    collector = IdleCollector(
        FakeHost(), idle_s=2.0, max_gap_s=60.0, clock=clock, collect=passes.append
    )
    collector.start()
    assert gc.get_threshold() == thresholds  # nothing held before a key
    collector.key_pressed()
    assert collector.held and gc.get_threshold()[2] > 10**6
    assert gc.get_threshold()[:2] == thresholds[:2]  # the young generations as they were
    clock.now += 1.0
    collector.check()
    assert collector.held  # still typing
    clock.now += 1.5
    collector.check()
    assert not collector.held and gc.get_threshold() == thresholds  # a pause: Python's rules
    assert passes == []  # Python runs the pass itself now, when it is due
    collector.stop()
    assert gc.get_threshold() == thresholds


def test_an_overdue_full_pass_runs_between_keys(thresholds: tuple[int, int, int]) -> None:
    clock, passes = Clock(), []
    collector = IdleCollector(
        FakeHost(), idle_s=2.0, max_gap_s=60.0, clock=clock, collect=passes.append
    )
    collector.start()
    gc.collect(1)  # at least one young pass since the last full one: a full one can be due
    for _ in range(70):  # a key a second for 70 s: never a pause
        clock.now += 1.0
        collector.key_pressed()
        collector.check()
    assert passes == [2]  # once, at the 60 s mark, not at every key after it
    collector.stop()


@pytest.mark.anyio
async def test_the_app_holds_full_passes_while_keys_come(
    tmp_path: Path, thresholds: tuple[int, int, int]
) -> None:
    app = TstuiApp(Settings(config_file=tmp_path / "config.toml", state_dir=tmp_path / "s"))
    async with app.run_test() as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert app.idle_gc.held and gc.get_threshold()[2] > 10**6
    assert gc.get_threshold() == thresholds  # restored as the app closed
