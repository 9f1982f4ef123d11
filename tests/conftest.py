"""Shared fixtures: isolated config/state dirs, the anyio backend, a running simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

# A fixed instant keeps every simulated price, bar and contract month the same run to run.
import fault_matrix
from sim_clock import SIM_START


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real user's config, tokens or credentials must never leak into a test."""
    monkeypatch.setenv("TSTUI_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("TSTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("TSTUI_CACHE_DIR", raising=False)
    for var in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "ACCOUNT_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BROWSER", "true")  # never open a real browser


@pytest.fixture
def sim() -> Iterator[SimServer]:
    """A simulator on an ephemeral loopback port: frozen clock, fast heartbeats."""
    from tstui.sim.server import SimServer

    with SimServer(seed=7, start=SIM_START, speed=0.0, heartbeat_seconds=0.5) as server:
        yield server


@pytest.fixture
def sim_settings(sim: SimServer, tmp_path: Path) -> Settings:
    """Settings that reach the simulator with its demo client id and secret (the app still
    signs in: tests go through the real OAuth redirect, or set REFRESH_TOKEN)."""
    from tstui.config import Settings, StreamSettings

    creds = sim.credentials
    return Settings(
        env="sim",
        base_url=sim.url,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        stream=StreamSettings(heartbeat_timeout_s=2.0, reconcile_interval_s=5.0),
        state_dir=tmp_path / "state",
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    fault_matrix.collect(report)  # rows arrive here from this process or from xdist workers


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fault_matrix.print_table(terminalreporter)
