"""The demo's simulators run in a child process: both serve, they stop with us, even when we
die without cleaning up, and a child that cannot start is a clear error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tstui.cli.demo_sims import DemoSimulators, DemoStartError, child_environ
from tstui.sim.control import SimControl


def _gone(pid: int) -> bool:
    """True once the process has exited (a zombie nobody reaped counts as exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return any(line.startswith("State:") and "Z" in line.split()[1] for line in status.splitlines())


def test_both_simulators_serve_and_stop_on_exit(tmp_path: Path) -> None:
    with DemoSimulators(tmp_path / "sim.log") as sims:
        endpoints = sims.ready()
        assert endpoints.sim_url != endpoints.live_url
        for url in (endpoints.sim_url, endpoints.live_url):
            assert SimControl(url, timeout=5).now()
        assert endpoints.client_secret not in repr(endpoints)
        assert sims.ready() is endpoints  # asked twice, started once
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{endpoints.sim_url}/_sim/clock", timeout=2)


def test_two_threads_asking_at_once_get_the_same_simulators(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with DemoSimulators(tmp_path / "sim.log") as sims, ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: sims.ready(timeout=30), range(2))
        assert first is second
        assert SimControl(first.sim_url, timeout=5).now()


def test_child_stops_when_the_parent_dies_without_cleanup(tmp_path: Path) -> None:
    parent = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from tstui.cli.demo_sims import DemoSimulators

        sims = DemoSimulators(Path({str(tmp_path / "sim.log")!r}))
        sims.ready()
        print(sims._proc.pid, flush=True)
        os._exit(0)  # no stop(), no atexit: as if killed
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", parent],
        capture_output=True,
        text=True,
        env=child_environ(),
        timeout=60,
    )
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 15
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child), f"demo simulator {child} outlived its parent"


def test_a_child_that_cannot_start_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    log = tmp_path / "demo" / "sim.log"
    with DemoSimulators(log) as sims, pytest.raises(DemoStartError) as caught:
        sims.ready(timeout=10)
    assert "exited (1)" in str(caught.value)
    assert str(log) in str(caught.value)
