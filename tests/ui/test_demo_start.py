"""`tstui --demo`: the first screen shows while the simulators boot; a demo that cannot start
ends on the login screen with the reason, never on a real host."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Static
from ui_support import SIZE, started, wait_until

from tstui.config import Settings
from tstui.sim.server import SimServer
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.login import LoginScreen
from tstui.ui.views.overview.screen import OverviewScreen

pytestmark = pytest.mark.anyio


def _badge(app: TstuiApp) -> str:
    return str(app.screen.query_one("#hdr-env", Static).content).strip()


async def test_overview_shows_before_the_simulators_answer(
    sim: SimServer, sim_settings: Settings, tmp_path: Path
) -> None:
    answered = threading.Event()
    launches: list[int] = []

    def launch() -> Settings:
        launches.append(1)
        assert answered.wait(10), "the test never released the launcher"
        return sim_settings

    before = replace(sim_settings, base_url=None, client_id=None, client_secret=None)
    app = TstuiApp(before, demo=True, demo_launcher=launch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen) and launches)
        assert _badge(app) == "SIM"
        assert not app.live.accounts  # still waiting for the simulators
        answered.set()
        await started(app, pilot, OverviewScreen)
        assert app.live.settings.base_url == sim.url
        assert launches == [1]
        await app.live.disconnect()


async def test_simulators_that_fail_leave_the_user_on_the_login_screen(tmp_path: Path) -> None:
    def launch() -> Settings:
        raise RuntimeError("demo simulators did not start: exited (1) (log: /x/simulators.log)")

    settings = Settings(state_dir=tmp_path / "state", config_file=tmp_path / "none.toml")
    app = TstuiApp(settings, demo=True, demo_launcher=launch)
    async with app.run_test(size=SIZE) as pilot:
        # pushed is not yet composed: wait for the reason itself
        await wait_until(
            pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen.query("#login-reason")
        )
        reason = str(app.screen.query_one("#login-reason", Static).content)
        assert "exited (1)" in reason and "simulators.log" in reason
        assert any("demo simulators did not start" in n.message for n in app._notifications)
        assert not app.live.accounts
        assert not app.live.call_log  # no request was made anywhere


def test_the_modules_loaded_ahead_exist() -> None:
    """A typo there would be skipped silently (preload swallows import errors)."""
    import importlib

    from tstui.client.preload import CONNECT_MODULES, SIGN_IN_MODULES
    from tstui.ui.shell.app import AFTER_CONNECT_MODULES, VIEW_MODULES

    names = (*SIGN_IN_MODULES, *CONNECT_MODULES, *AFTER_CONNECT_MODULES, *VIEW_MODULES)
    for name in names:
        assert importlib.import_module(name).__name__ == name  # raises on a typo


async def test_the_views_load_once_the_connects_streams_are_live(
    sim: SimServer, sim_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not before (nothing of them between the connect and the first full screen), and once."""
    import tstui.ui.shell.app as shell_app

    app = TstuiApp(sim_settings, demo=True, demo_launcher=lambda: sim_settings)
    loads: list[str] = []
    real = shell_app._load_views

    def spy() -> None:
        health = app.live.stream_health
        live = all(health[n].state == "live" for n in ("orders", "positions"))
        loads.append("live" if live else "early")
        real()

    monkeypatch.setattr(shell_app, "_load_views", spy)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        await wait_until(pilot, lambda: bool(loads), 10, "the views' load")
        await app.live.restart_streams()  # live again: no second load
        await wait_until(
            pilot, lambda: all(h.state == "live" for h in app.live.stream_health.values())
        )
        await pilot.pause(0.2)
        assert loads == ["live"]
        await app.live.disconnect()


async def test_the_orders_view_is_built_ahead_and_its_key_shows_it_at_once(
    sim: SimServer, sim_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built hidden once the views load (never resumed while hidden); its key shows that very
    screen, without the frames Textual holds back for a screen still composing."""
    from textual.app import App

    from tstui.ui.views.orders.blotter import Blotter
    from tstui.ui.views.orders.screen import BlotterScreen

    app = TstuiApp(sim_settings, demo=True, demo_launcher=lambda: sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        stacks = app._screen_stacks  # private Textual API (8.2), as the app's own use
        await wait_until(pilot, lambda: "orders" in stacks, 10, "the Orders view built")
        (built,) = stacks["orders"]
        assert isinstance(built, BlotterScreen)
        await wait_until(pilot, lambda: built.is_mounted, 5, "the Orders view mounted")
        assert app.current_mode == "overview" and app.screen is not built
        held: list[float] = []
        monkeypatch.setattr(App, "delay_update", lambda self, delay=0.05: held.append(delay))
        await pilot.pause(0.2)
        assert built.stack_updates == 0  # hidden: never told it shows (resume counts here)
        await pilot.press("3")
        await wait_until(pilot, lambda: app.screen is built, 5, "the built view shown")
        blotter = built.query_one("#blotter", Blotter)
        await wait_until(pilot, lambda: blotter.painted_rows > 0, 5, "the blotter's rows")
        assert held == [] and built.stack_updates == 1
        await app.live.disconnect()
