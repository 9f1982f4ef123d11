"""Login through the simulator's real OAuth (paste path), errors, and the demo offer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from ui_support import SIZE, authorize_redirect, started, wait_for_screen, wait_until

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.login import LoginScreen
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def screen_text(screen: LoginScreen) -> str:
    return "\n".join(str(w.content) for w in screen.query(Static))


async def start_sign_in(app: TstuiApp, pilot: Pilot[int]) -> LoginScreen:
    screen = await wait_for_screen(app, pilot, LoginScreen, timeout=15)
    await pilot.press("ctrl+s")  # login.sign_in
    await wait_until(pilot, lambda: screen.authorize_url is not None)
    return screen


async def test_login_by_pasting_the_redirect(sim: SimServer, sim_settings: Settings) -> None:
    # the demo credentials but no tokens yet: the app must ask for a sign-in
    app = TstuiApp(sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_sign_in(app, pilot)
        url = screen.authorize_url
        assert url is not None and url.startswith(sim.url)
        assert url in screen_text(screen)  # shown, so it can be copied
        secret = sim_settings.client_secret
        assert secret and secret not in screen_text(screen)
        redirected = await anyio.to_thread.run_sync(authorize_redirect, url)
        paste = screen.query_one("#paste", Input)
        paste.value = redirected
        await pilot.press("enter")
        await started(app, pilot, OverviewScreen, orders_live=False)
        tokens = list((sim_settings.state_dir).rglob("*.json"))
        assert tokens, "tokens were not stored"
        await app.live.disconnect()


async def test_bad_paste_shows_a_clear_error(sim: SimServer, sim_settings: Settings) -> None:
    app = TstuiApp(sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_sign_in(app, pilot)
        paste = screen.query_one("#paste", Input)
        paste.value = "http://localhost:1/?code=abc&state=not-ours"
        await pilot.press("enter")
        progress = screen.query_one("#login-progress", Static)
        await wait_until(pilot, lambda: "another login attempt" in str(progress.content))
        assert progress.has_class("-error")
        assert isinstance(app.screen, LoginScreen)


async def test_no_credentials_offers_sign_in_and_demo(tmp_path: Path) -> None:
    app = TstuiApp(Settings(state_dir=tmp_path / "state"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_screen(app, pilot, LoginScreen)
        assert screen.query_one("#demo", Button)
        await pilot.press("ctrl+s")  # login.sign_in: nothing typed -> a field error, no request
        await pilot.pause()
        assert "client id" in str(screen.query_one("#login-progress", Static).content)
        secret = screen.query_one("#client-secret", Input)
        assert secret.password


async def test_login_by_the_loopback_callback(sim: SimServer, sim_settings: Settings) -> None:
    # one of the simulator's registered redirect URIs, away from the default 3000
    app = TstuiApp(sim_settings.with_overrides(redirect_uri="http://localhost:31022"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_sign_in(app, pilot)
        assert screen.authorize_url is not None
        redirected = await anyio.to_thread.run_sync(authorize_redirect, screen.authorize_url)

        def browser_lands() -> int:
            with httpx.Client(timeout=5.0) as client:
                return client.get(redirected.replace("localhost", "127.0.0.1")).status_code

        await pilot.pause(0.2)  # the listener is up once the URL shows; be generous
        status = await anyio.to_thread.run_sync(browser_lands)
        assert status == 200
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen), timeout=15)
        await app.live.disconnect()
