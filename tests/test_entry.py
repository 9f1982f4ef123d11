"""The program's entry holds the cycle collector while it starts, then gives it back with
what startup built frozen (tstui.entry)."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tstui.entry import hold_collector_while_starting


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_held_then_given_back_with_startup_frozen(collector: None) -> None:
    gc.enable()
    gc.unfreeze()
    timer = hold_collector_while_starting(0.05)
    assert timer is not None and not gc.isenabled()
    timer.join(5)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what existed by then is left out of later passes


def test_a_collector_turned_off_elsewhere_is_left_to_whoever_did_it(collector: None) -> None:
    gc.disable()
    assert hold_collector_while_starting(0.01) is None
    assert not gc.isenabled()


def test_the_program_starts_through_the_entry() -> None:
    pyproject = tomllib.loads(Path(__file__).parents[1].joinpath("pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["tstui"] == "tstui.entry:run"
    probe = (
        "import gc, sys; sys.argv = ['tstui', '--version']; import tstui.entry as e\n"
        "try:\n    code = e.run()\nexcept SystemExit as done:\n    code = done.code\n"
        "import dataclasses; print(code, gc.isenabled(), 'exec' in vars(dataclasses))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    version, result = done.stdout.strip().splitlines()
    assert version.startswith("tstui ")
    # still starting: the collector comes back after the hold; dataclasses compile through
    # the code cache (tstui.codecache)
    assert result == "0 False True"
