"""Fixtures for the UI tests: settings already signed in to the simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from ui_support import NO_LIMITS, with_risk

from tstui.client.demo import demo_sign_in

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer


@pytest.fixture
async def signed_in(sim: SimServer, sim_settings: Settings) -> Settings:
    """SIM tokens stored through the simulator's real OAuth redirect (no human)."""
    await demo_sign_in(sim_settings)
    return sim_settings


@pytest.fixture
def settings(sim: SimServer, sim_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """For trading: the demo refresh token in the environment and no risk limits."""
    monkeypatch.setenv("REFRESH_TOKEN", sim.credentials.refresh_token)
    return with_risk(sim_settings, NO_LIMITS)
