"""The shell on the real simulator: views, header badge, SIM <-> LIVE, API log, quit guard."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import anyio
import pytest
from order_factory import order_request
from textual.widgets import Input, Static
from ui_support import (
    SIZE,
    authorize_redirect,
    rendered_text,
    started,
    wait_for_screen,
    wait_until,
)

from tstui.config import Settings
from tstui.ui.shell.apilog import ApiLogPanel
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen, TypedConfirmScreen
from tstui.ui.shell.header import AppHeader
from tstui.ui.shell.login import LoginScreen
from tstui.ui.shell.status import StatusBar
from tstui.ui.views.chart.screen import ChartScreen
from tstui.ui.views.orders.screen import BlotterScreen
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.positions.screen import PositionsScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def badge(app: TstuiApp) -> str:
    return str(app.screen.query_one("#hdr-env", Static).content).strip()


async def test_views_header_and_stream_health(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        assert badge(app) == "SIM"
        assert not app.has_class("-live")
        await wait_until(
            pilot, lambda: all(h.state == "live" for h in app.live.stream_health.values())
        )
        status_bar = app.screen.query_one("#status-bar", Static)

        def status() -> str:
            return str(status_bar.render())

        await wait_until(pilot, lambda: "orders live" in status() and "positions live" in status())
        # rate-limit headroom from our own count (the simulator sends no quota headers)
        await wait_until(pilot, lambda: "quota " in status(), what="quota headroom")
        assert "/250" in status() or "/30" in status() or "/500" in status()
        for key, screen_type in (
            ("2", PositionsScreen),
            ("3", BlotterScreen),
            ("4", ChartScreen),
            ("1", OverviewScreen),
        ):
            await pilot.press(key)
            await wait_until(pilot, lambda t=screen_type: isinstance(app.screen, t))  # type: ignore[misc]
        account = app.screen.query_one("#hdr-account", Static)
        assert "all" in str(account.content)
        await pilot.press("a")  # account.next
        await pilot.pause()
        assert app.live.current_account == app.live.accounts[0].account_id
        assert app.live.current_account in str(account.content)
        await app.live.disconnect()


async def test_a_built_view_is_drawn_without_the_switch_hold(
    sim: SimServer, signed_in: Settings
) -> None:
    """Textual holds every frame for 50 ms after a mode switch (to hide a screen still
    composing): only a view's first showing is held, a built one is drawn at once (the
    Orders view is built ahead: see test_demo_start; Positions is not)."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        app.switch_mode("positions")  # built now: held
        assert app._batch_count == 1
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen))
        await wait_until(pilot, lambda: app._batch_count == 0, what="the hold's end")
        app.switch_mode("overview")  # built at startup: drawn in the next frame
        assert app._batch_count == 0
        assert isinstance(app.screen, OverviewScreen)
        app.switch_mode("positions")
        assert app._batch_count == 0
        await app.live.disconnect()


async def test_the_header_lays_the_screen_out_only_when_a_part_outgrows_its_width(
    sim: SimServer, signed_in: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every symbol link (a cursor move on the blotter) reaches every header, and a layout
    asked there is a whole-screen layout: only a part whose text no longer fits asks one."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        updates: list[tuple[str | None, bool]] = []
        real = Static.update
        header = app.screen.query_one(AppHeader)  # this screen's (each screen has one)

        def spy(self: Static, content: object = "", *, layout: bool = True) -> None:
            if self.parent is header and self.id != "hdr-clock":
                updates.append((self.id, layout))
            real(self, content, layout=layout)  # type: ignore[arg-type]

        monkeypatch.setattr(Static, "update", spy)
        symbol = app.screen.query_one("#hdr-symbol", Static)
        app.live.link_symbol("ESZ26")
        await pilot.pause()
        assert "ESZ26" in str(symbol.content) and updates == [("hdr-symbol", True)]
        updates.clear()
        app.live.link_symbol("NQZ26")  # as wide: drawn, no layout
        await pilot.pause()
        assert "NQZ26" in str(symbol.content) and updates == [("hdr-symbol", False)]
        updates.clear()
        app.live.link_symbol("F")  # narrower: drawn in place, no layout
        await pilot.pause()
        assert str(symbol.content).endswith(" F") and updates == [("hdr-symbol", False)]
        updates.clear()
        app.live.link_symbol("ESZ26 C6000")  # wider than the part: laid out
        await pilot.pause()
        assert updates == [("hdr-symbol", True)]
        assert symbol.content_size.width == len("⛓ ESZ26 C6000")
        updates.clear()
        app.live.changed.publish("settings")  # nothing changed: nothing drawn
        await pilot.pause()
        assert updates == []
        await pilot.press("a")  # another account: the 1fr part is redrawn in place
        await pilot.pause()
        assert updates == [("hdr-account", False)]
        await app.live.disconnect()


async def test_the_status_bar_redraws_in_place(
    sim: SimServer, signed_in: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line as wide as the screen: a new text never asks for a layout of the screen."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        bar = app.screen.query_one(StatusBar)
        updates: list[bool] = []
        real = Static.update

        def spy(self: Static, content: object = "", *, layout: bool = True) -> None:
            if self is bar:
                updates.append(layout)
            real(self, content, layout=layout)  # type: ignore[arg-type]

        size = bar.size
        monkeypatch.setattr(Static, "update", spy)
        app.live.report_error("test", "a very long error " * 20)
        await pilot.pause()
        assert updates == [False] and "a very long error" in str(bar.render())
        assert bar.size == size and size.height == 1
        await app.live.disconnect()


async def test_api_log_lists_calls_without_secrets(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        await pilot.press("ctrl+l")  # view.api_log
        panel = app.screen.query_one(ApiLogPanel)
        await wait_until(pilot, lambda: panel.has_class("-shown"))
        lines = panel.lines()
        # shortened for narrow terminals: no "/v3", an account list as its first + count
        assert any("GET" in ln and " /brokerage/accounts" in ln for ln in lines)
        assert all("?" not in ln for ln in lines)
        secret = signed_in.client_secret or "unset"
        assert all(secret not in ln for ln in lines)
        await app.live.disconnect()


async def test_live_switch_cancelled_then_accepted(sim: SimServer, signed_in: Settings) -> None:
    from tstui.sim.server import SimServer as Server

    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    with Server(seed=7, start=start, speed=0.0, heartbeat_seconds=0.5) as live_sim:
        settings = replace(signed_in, live_base_url=live_sim.url)
        app = TstuiApp(settings)
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot, OverviewScreen, orders_live=False)
            # cancelled: a wrong word keeps SIM
            await pilot.press("ctrl+e")
            await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
            await pilot.press("l", "i", "v", "e", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
            assert app.live.env == "sim" and badge(app) == "SIM"
            # escape cancels too
            await pilot.press("ctrl+e")
            await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
            assert app.live.env == "sim"
            # accepted: LIVE has no tokens yet -> sign in on the LIVE base
            await pilot.press("ctrl+e")
            await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
            await pilot.press("L", "I", "V", "E", "enter")
            login = await wait_for_screen(app, pilot, LoginScreen, timeout=15)
            assert login.settings.env == "live"
            await pilot.press("ctrl+s")  # login.sign_in
            await wait_until(pilot, lambda: login.authorize_url is not None)
            url = login.authorize_url
            assert url is not None and url.startswith(live_sim.url)
            redirected = await anyio.to_thread.run_sync(authorize_redirect, url)
            login.query_one("#paste", Input).value = redirected
            await pilot.press("enter")
            await started(app, pilot, OverviewScreen, orders_live=False)
            assert app.live.env == "live"
            assert app.live.settings.endpoints.api_base == live_sim.url
            assert badge(app) == "LIVE" and app.has_class("-live")
            await wait_until(pilot, lambda: app.live.stream_health["orders"].state == "live")
            # back to SIM: a plain confirm, the SIM tokens are still there
            await pilot.press("ctrl+e")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: app.live.env == "sim" and bool(app.live.accounts))
            await wait_until(pilot, lambda: badge(app) == "SIM")
            assert not app.has_class("-live")
            await app.live.disconnect()


async def test_quit_asks_when_orders_are_working(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        account = next(a.account_id for a in app.live.accounts if a.account_id.endswith("M"))
        request = order_request(account, "MSFT", "BUY", 1, "Limit", limit_price=Decimal("1.00"))
        await app.live.api.place_order(request)
        await wait_until(pilot, lambda: app.live.working_count() >= 1, timeout=10)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        assert app.is_running
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_starting_in_live_asks_for_the_typed_word(
    sim: SimServer, signed_in: Settings
) -> None:
    # The simulator stands in for LIVE; a config that says LIVE is no confirmation.
    settings = replace(signed_in, env="live", live_base_url=sim.url)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(app, pilot, TypedConfirmScreen)
        assert not app.live.connected and not app.live.call_log  # nothing reached LIVE
        await pilot.press("l", "i", "v", "e", "enter")  # not the word: SIM
        await started(app, pilot, OverviewScreen, orders_live=False)
        assert app.live.env == "sim" and badge(app) == "SIM"
        assert not app.has_class("-live")
        await app.live.disconnect()


async def test_env_switch_is_refused_over_an_open_ticket(
    sim: SimServer, signed_in: Settings
) -> None:
    from tstui.ui.trading.ticket import OrderTicket

    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        await pilot.press("o")
        await wait_for_screen(app, pilot, OrderTicket)
        app.action_toggle_env()  # what the palette's "env: switch to LIVE" calls
        await pilot.pause()
        assert isinstance(app.screen, OrderTicket)  # no LIVE confirmation under a ticket
        assert app.live.env == "sim"
        await app.live.disconnect()


async def test_hidden_views_follow_account_and_env(sim: SimServer, signed_in: Settings) -> None:
    """AccountChanged / EnvChanged reach every mode, not only the one showing."""
    from tstui.client.demo import demo_sign_in
    from tstui.sim.server import SimServer as Server
    from tstui.ui.views.overview.balances import DataPanel

    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    with Server(seed=7, start=start, speed=0.0, heartbeat_seconds=0.5) as live_sim:
        settings = replace(signed_in, live_base_url=live_sim.url)
        await demo_sign_in(settings.with_env("live"))  # LIVE tokens: the switch needs no login
        app = TstuiApp(settings)
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot, OverviewScreen, orders_live=False)
            overview = app.screen
            assert isinstance(overview, OverviewScreen)
            await wait_until(pilot, lambda: bool(overview.query("#bod-panel")), what="BOD panel")
            bod = overview.query_one("#bod-panel", DataPanel)
            await wait_until(pilot, lambda: "SIM1000002F" in rendered_text(bod), what="BOD all")
            # an account chosen on Positions shows on the Overview's BOD panel
            await pilot.press("2")
            await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen))
            await pilot.press("a")  # account.next: the first account
            await wait_until(pilot, lambda: app.live.current_account == "SIM1000001M")
            await pilot.press("1")
            await wait_until(pilot, lambda: app.screen is overview)
            await wait_until(
                pilot,
                lambda: (
                    "SIM1000002F" not in rendered_text(bod) and "SIM1000001M" in rendered_text(bod)
                ),
                what="the BOD panel for the chosen account",
            )
            # a chart left streaming in its mode stops with the old session, reloads on show
            await pilot.press("4")
            chart = await wait_for_screen(app, pilot, ChartScreen)
            await wait_until(pilot, lambda: chart.stream_state == "live", what="chart live")
            await pilot.press("1")
            await wait_until(pilot, lambda: app.screen is overview)
            app._start_env_switch("live", "sim")  # what a typed-LIVE confirmation starts
            await wait_until(pilot, lambda: app.live.env == "live" and bool(app.live.accounts))
            await wait_until(pilot, lambda: chart.stream_state == "idle", what="chart stopped")
            await pilot.pause(1.0)  # the old stream would fail (and report) by now
            assert "closed" not in (app.live.last_error or "")
            await wait_until(pilot, lambda: chart.bars_worker.is_finished, what="no chart stream")
            await pilot.press("4")
            await wait_until(pilot, lambda: chart.stream_state == "live", what="chart reloaded")
            assert chart.error is None
            assert "closed" not in (app.live.last_error or "")
            await app.live.disconnect()
