"""`tstui` and `tstui --demo`: the Textual app, on the embedded simulator for the demo."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tstui.config import Settings


def run_tui(settings: Settings, *, demo: bool) -> int:
    from tstui.ui import run_app

    if not demo:
        return run_app(settings, demo=False)
    from tstui.sim.server import SimServer

    # The demo never touches the user's real tokens: its own state dir, SIM only.
    with SimServer(seed=7) as sim:
        creds = sim.credentials
        demo_settings = replace(
            settings,
            env="sim",
            base_url=sim.url,
            live_base_url=None,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            account_id=None,
            state_dir=settings.state_dir / "demo",
        )
        return run_app(demo_settings, demo=True)
