"""Fixtures for the simulator tests: a frozen-clock SimServer and an authorized client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sim_helpers import START, get_token

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(seed=7, start=START, speed=0, heartbeat_seconds=0.2) as sim:
        yield sim


@pytest.fixture
def api(server: SimServer) -> Iterator[httpx.Client]:
    token = get_token(server)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def control(server: SimServer) -> SimControl:
    return SimControl(server.url)
