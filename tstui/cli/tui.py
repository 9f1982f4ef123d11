"""`tstui` and `tstui --demo`: the Textual app, on embedded simulators for the demo."""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tstui.cli.demo_sims import DemoSimulators
    from tstui.config import Settings

DEMO_STATE = "demo"  # below the state dir: the demo's own tokens, audit log and simulator log
DEMO_SIM_LOG = "simulators.log"
# Hidden hook for the startup bench: "1" closes the app at its first full screen (see below).
EXIT_AFTER_FIRST_SCREEN = "TSTUI_EXIT_AFTER_FIRST_SCREEN"
FIRST_SCREEN_MESSAGE = "tstui: first full screen at monotonic"
FIRST_PAINT_MESSAGE = "tstui: first paint at monotonic"


def _demo_settings(settings: Settings, sims: DemoSimulators, stack: ExitStack) -> Settings:
    """Settings for the demo: SIM on one simulator, the LIVE toggle on a second one, so the
    real LIVE host is never reached."""
    demo_state = settings.state_dir / DEMO_STATE
    # Demo tokens die with their simulators; the demo's audit log stays (`tstui --demo audit`).
    stack.callback(shutil.rmtree, demo_state / "tokens", ignore_errors=True)
    endpoints = sims.ready()
    return replace(
        settings,
        env="sim",
        base_url=endpoints.sim_url,
        live_base_url=endpoints.live_url,
        client_id=endpoints.client_id,
        client_secret=endpoints.client_secret,
        account_id=None,
        # The demo never touches the user's real tokens or audit log.
        state_dir=demo_state,
    )


def run_tui(settings: Settings, *, demo: bool) -> int:
    from tstui.cli.demo_sims import DemoSimulators

    with ExitStack() as stack:
        sims = DemoSimulators(settings.state_dir / DEMO_STATE / DEMO_SIM_LOG)
        stack.callback(sims.stop)
        if demo:
            sims.spawn()  # boots in its own process while this one imports the UI below
        from tstui.ui import run_app as run_real_app
        from tstui.ui.app import TstuiApp  # noqa: F401 - imported now, beside the booting child

        run_app: Callable[..., int] = run_real_app
        if os.environ.get(EXIT_AFTER_FIRST_SCREEN) == "1":
            run_app = _run_to_first_screen
        if demo:
            return run_app(_demo_settings(settings, sims, stack), demo=True)
        # No credentials yet: the login screen can still start the demo on request.
        return run_app(
            settings, demo=False, demo_launcher=lambda: _demo_settings(settings, sims, stack)
        )


def _run_to_first_screen(
    settings: Settings, *, demo: bool = False, demo_launcher: Callable[[], Settings] | None = None
) -> int:
    """``run_app`` that exits 0 at the first full screen: the overview with accounts and
    balances, both streams live. The moment (``time.monotonic()``) goes to stderr as
    ``FIRST_SCREEN_MESSAGE <seconds>``, preceded by ``FIRST_PAINT_MESSAGE <seconds>``: the
    overview laid out (header with the environment, panels, status bar) before its data.
    Same app, same startup; only Textual's auto-pilot watches it. Headless:
    ``TEXTUAL_DRIVER=textual.drivers.headless_driver:HeadlessDriver``.
    """
    import asyncio
    import sys
    import time

    from textual.css.query import NoMatches
    from textual.pilot import Pilot

    from tstui.ui.app import TstuiApp
    from tstui.ui.screens.overview import OverviewScreen
    from tstui.ui.widgets.balances import DataPanel

    def painted(app: TstuiApp) -> bool:
        screen = app.screen
        if not isinstance(screen, OverviewScreen):
            return False
        panels = list(screen.query(DataPanel))
        return bool(panels) and all(panel.region.area > 0 for panel in panels)

    def full_screen(app: TstuiApp) -> bool:
        screen = app.screen
        if not isinstance(screen, OverviewScreen) or not app.live.accounts:
            return False
        if not all(health.state == "live" for health in app.live.stream_health.values()):
            return False
        try:
            return screen.query_one("#balances-panel", DataPanel).last_good_at is not None
        except NoMatches:
            return False

    async def exit_at_first_screen(pilot: Pilot[object]) -> None:
        app = pilot.app
        assert isinstance(app, TstuiApp)
        while not painted(app):
            await asyncio.sleep(0.005)
        reached.append(time.monotonic())
        while not full_screen(app):
            await asyncio.sleep(0.005)
        reached.append(time.monotonic())
        app.exit(0)

    reached: list[float] = []
    app = TstuiApp(settings, demo=demo, demo_launcher=demo_launcher)
    app.run(auto_pilot=exit_at_first_screen)
    for message, moment in zip((FIRST_PAINT_MESSAGE, FIRST_SCREEN_MESSAGE), reached, strict=False):
        print(f"{message} {moment:.6f}", file=sys.stderr)
    return app.return_code or (0 if len(reached) == 2 else 1)
