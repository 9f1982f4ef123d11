"""`tstui` and `tstui --demo`: the Textual app, on embedded simulators for the demo."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tstui.config import Settings

DEMO_SEED = 7
# The demo's LIVE toggle lands on a second simulator: the real LIVE host is never reached.
DEMO_LIVE_SEED = 8


def _demo_settings(settings: Settings, stack: ExitStack) -> Settings:
    from tstui.sim.server import SimServer

    demo_state = settings.state_dir / "demo"
    # Demo tokens die with their simulators; the demo audit log is kept for `tstui audit`.
    stack.callback(shutil.rmtree, demo_state / "tokens", ignore_errors=True)
    sim = stack.enter_context(SimServer(seed=DEMO_SEED))
    live_stand_in = stack.enter_context(SimServer(seed=DEMO_LIVE_SEED))
    return replace(
        settings,
        env="sim",
        base_url=sim.url,
        live_base_url=live_stand_in.url,
        client_id=sim.credentials.client_id,
        client_secret=sim.credentials.client_secret,
        account_id=None,
        # The demo never touches the user's real tokens or audit log.
        state_dir=demo_state,
    )


def run_tui(settings: Settings, *, demo: bool) -> int:
    from tstui.ui import run_app

    with ExitStack() as stack:
        if demo:
            return run_app(_demo_settings(settings, stack), demo=True)
        # No credentials yet: the login screen can still start the demo on request.
        return run_app(settings, demo=False, demo_launcher=lambda: _demo_settings(settings, stack))
