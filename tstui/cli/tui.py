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


def _demo_base(settings: Settings) -> Settings:
    """The demo's settings before its simulators answer: SIM, every account, no API key and
    its own state dir (the demo never touches the user's real key, tokens or audit log)."""
    return replace(
        settings,
        env="sim",
        account_id=None,
        client_id=None,
        client_secret=None,
        state_dir=settings.state_dir / DEMO_STATE,
    )


def _demo_settings(settings: Settings, sims: DemoSimulators, stack: ExitStack) -> Settings:
    """Settings for the demo once its simulators serve: SIM on one, the LIVE toggle on the
    other, so the real LIVE host is never reached. Blocks until they answer."""
    base = _demo_base(settings)
    # Demo tokens die with their simulators; the demo's audit log stays (`tstui --demo audit`).
    stack.callback(shutil.rmtree, base.state_dir / "tokens", ignore_errors=True)
    endpoints = sims.ready()
    return replace(
        base,
        base_url=endpoints.sim_url,
        live_base_url=endpoints.live_url,
        client_id=endpoints.client_id,
        client_secret=endpoints.client_secret,
    )


def run_tui(settings: Settings, *, demo: bool) -> int:
    """The TUI's exit status: 0 after a quit, 1 after an unexpected error. An error the app
    could not catch itself (the terminal driver, startup) gets the same crash report and
    short message as one inside it (see tstui.ui.shell.guard), never a traceback."""
    try:
        return _run_tui(settings, demo=demo)
    except Exception as exc:
        import sys

        from tstui.ui.shell.crash import crash_message, known_secrets, write_crash_report

        try:
            report = write_crash_report(exc, settings.state_dir, settings=settings)
        except OSError:
            report = None
        print(crash_message(exc, report, known_secrets(settings)), file=sys.stderr)
        return 1


def _run_tui(settings: Settings, *, demo: bool) -> int:
    from tstui.cli.demo_sims import DemoSimulators

    with ExitStack() as stack:
        sims = DemoSimulators(settings.state_dir / DEMO_STATE / DEMO_SIM_LOG)
        stack.callback(sims.stop)
        if demo:
            sims.spawn()  # boots in its own process while this one imports and starts the UI
        from tstui.ui import run_app as run_real_app

        run_app: Callable[..., int] = run_real_app
        if os.environ.get(EXIT_AFTER_FIRST_SCREEN) == "1":
            run_app = _run_to_first_screen

        def launch_demo() -> Settings:
            return _demo_settings(settings, sims, stack)

        if demo:  # the app shows at once and takes the simulators' URLs when they answer
            return run_app(_demo_base(settings), demo=True, demo_launcher=launch_demo)
        # No credentials yet: the login screen can still start the demo on request.
        return run_app(settings, demo=False, demo_launcher=launch_demo)


def _run_to_first_screen(
    settings: Settings, *, demo: bool = False, demo_launcher: Callable[[], Settings] | None = None
) -> int:
    """``run_app`` that exits 0 at the first full screen: the overview with accounts, its
    balances, beginning-of-day and day P&L panels drawn from data, both streams live. The
    moment (``time.monotonic()``) goes to stderr as ``FIRST_SCREEN_MESSAGE <seconds>``,
    preceded by ``FIRST_PAINT_MESSAGE <seconds>``: the overview laid out (header with the
    environment, panels, status bar) before its data. Same app, same startup; only
    Textual's auto-pilot watches it. Headless:
    ``TEXTUAL_DRIVER=textual.drivers.headless_driver:HeadlessDriver``.
    """
    import asyncio
    import sys
    import time

    from textual.pilot import Pilot

    from tstui.ui.shell.app import TstuiApp
    from tstui.ui.views.overview.balances import DataPanel
    from tstui.ui.views.overview.screen import OverviewScreen

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
        # Balances, beginning of day and day P&L: every panel drawn from its data.
        panels = list(screen.query(DataPanel))
        return bool(panels) and all(panel.last_good_at is not None for panel in panels)

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
