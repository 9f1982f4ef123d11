"""The account overview on the real simulator: balances, BOD, day P&L, account filter,
error state with the last good time, and the refresh loop's pacing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from order_factory import order_request
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from ui_support import SIZE, rendered_text, sim_post, wait_for_screen, wait_until

from tstui.config import Settings, StreamSettings
from tstui.domain.models import Balance, ItemError
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.overview.balances import DataPanel, PLColours, balances_table
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def overview(app: TstuiApp, pilot: Pilot[Any]) -> OverviewScreen:
    return await wait_for_screen(
        app, pilot, OverviewScreen, lambda s: s.query("#pl-panel"), timeout=15
    )


async def test_balances_bod_and_day_pl_for_all_and_one_account(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await overview(app, pilot)
        balances = screen.query_one("#balances-panel", DataPanel)
        bod = screen.query_one("#bod-panel", DataPanel)
        pl = screen.query_one("#pl-panel", DataPanel)
        await wait_until(pilot, lambda: bod.last_good_at is not None and len(screen.balances) == 3)
        truth = {
            b.account_id: b
            for b in (
                await app.live.api.get_balances(["SIM1000001M", "SIM1000002F", "SIM1000003C"])
            ).items
        }
        shown = rendered_text(balances)
        for account, balance in truth.items():
            assert account in shown
            assert f"{balance.equity:,.2f}" in shown  # equity as the simulator reports it
        assert "updated" in str(balances.border_subtitle)
        assert "250,000.00" in rendered_text(bod)  # the futures account's BOD equity
        day = sum((b.todays_profit_loss or Decimal(0) for b in truth.values()), Decimal(0))
        await wait_until(
            pilot, lambda: "Day P&L" in rendered_text(pl) and f"{day:+,.2f}" in rendered_text(pl)
        )

        await pilot.press("a")  # account.next: the first account only
        await wait_until(pilot, lambda: app.live.current_account == "SIM1000001M")
        await wait_until(pilot, lambda: "SIM1000002F" not in rendered_text(balances))
        assert "SIM1000001M" in rendered_text(balances)
        margin_day = truth["SIM1000001M"].todays_profit_loss or Decimal(0)
        await wait_until(pilot, lambda: f"{margin_day:+,.2f}" in rendered_text(pl))

        # a fill (not a price tick) wakes the refresh long before the 15 s timer
        cash_before = screen.balances["SIM1000001M"].cash_balance
        rounds = screen.refresh_count
        order = order_request("SIM1000001M", "MSFT", "BUY", 10)
        assert (await app.live.api.place_order(order))[0].error is None
        await wait_until(
            pilot,
            lambda: screen.balances["SIM1000001M"].cash_balance != cash_before,
            timeout=8,
        )
        assert screen.refresh_count >= rounds + 1
        cash = screen.balances["SIM1000001M"].cash_balance
        assert f"{cash:,.2f}" in rendered_text(balances)


async def test_delta_equity_follows_the_real_time_balances(
    sim: SimServer, signed_in: Settings
) -> None:
    """Δ equity = latest equity - BOD equity, redrawn on every balances refresh (the BOD
    figures themselves are fetched once)."""
    fast = replace(
        signed_in, stream=StreamSettings(heartbeat_timeout_s=2.0, balances_refresh_s=0.2)
    )
    app = TstuiApp(fast)
    async with app.run_test(size=SIZE) as pilot:
        screen = await overview(app, pilot)
        bod = screen.query_one("#bod-panel", DataPanel)
        await wait_until(pilot, lambda: bod.last_good_at is not None and screen.balances)
        bod_at = bod.last_good_at
        start = next(b for b in screen._bods if b.account_id == "SIM1000001M")
        assert start.detail is not None and start.detail.equity is not None
        bod_equity = start.detail.equity
        equity = screen.balances["SIM1000001M"].equity
        order = order_request("SIM1000001M", "MSFT", "BUY", 100)
        assert (await app.live.api.place_order(order))[0].error is None
        await wait_until(
            pilot,
            lambda: any(
                p.symbol == "MSFT" and p.account_id == "SIM1000001M"
                for p in app.live.positions.values()
            ),
        )
        last = (await app.live.api.get_quotes(["MSFT"])).items[0].last
        assert last is not None
        sim_post(sim.url, "/_sim/price", {"symbol": "MSFT", "price": str(last + 25)})
        await wait_until(pilot, lambda: screen.balances["SIM1000001M"].equity != equity, timeout=15)
        now = screen.balances["SIM1000001M"].equity
        assert now is not None
        assert f"{now - bod_equity:+,.2f}" in rendered_text(bod)
        assert bod.last_good_at == bod_at  # the BOD figures were not fetched again


async def test_balances_error_state_shows_last_good_time(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await overview(app, pilot)
        panel = screen.query_one("#balances-panel", DataPanel)
        await wait_until(pilot, lambda: panel.last_good_at is not None)
        good_at = panel.last_good_at
        assert good_at is not None
        # the overview has taken in the positions snapshot, whose arrival wakes a refresh:
        # that refresh must not land in the middle of the failing round below
        await wait_until(pilot, lambda: bool(screen._quantities))
        # more 503s than the client's GET retries for both calls of the round (balances and
        # BOD go out together and share the "balances" fault group): this round fails
        sim_post(sim.url, "/_sim/faults/http", {"group": "balances", "status": 503, "count": 8})
        await pilot.press("r")  # overview.refresh
        await wait_until(pilot, lambda: panel.error is not None, timeout=15)
        shown = rendered_text(panel)
        assert "last good " + good_at.astimezone().strftime("%H:%M:%S") in shown
        assert "SIM1000001M" in shown  # the last good figures stay visible under the error
        assert panel.has_class("-error")
        assert app.live.last_error is not None and "balances" in app.live.last_error
        # the next round recovers (faults used up)
        await pilot.press("r")
        await wait_until(pilot, lambda: panel.error is None, timeout=15)
        assert panel.last_good_at is not None and panel.last_good_at > good_at


async def test_refresh_loop_is_paced_and_pauses_when_hidden(
    sim: SimServer, signed_in: Settings
) -> None:
    fast = replace(
        signed_in, stream=StreamSettings(heartbeat_timeout_s=2.0, balances_refresh_s=0.2)
    )
    app = TstuiApp(fast)
    async with app.run_test(size=SIZE) as pilot:
        screen = await overview(app, pilot)
        await wait_until(pilot, lambda: screen.refresh_count >= 1)
        start = screen.refresh_count
        await pilot.pause(1.0)
        # interval 0.2 s, but never sooner than MIN_GAP_S (3 s) after the previous round
        assert screen.refresh_count - start <= 1
        await pilot.press("2")  # hidden: the loop stops (quota)
        await pilot.pause(0.2)
        assert not [w for w in app.workers if w.group == "overview-balances" and w.is_running]


async def test_item_errors_inside_a_200_are_shown() -> None:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield DataPanel("Balances", id="panel")

    table = balances_table(
        [Balance(account_id="A1", equity=Decimal(10), todays_profit_loss=Decimal(-1))],
        PLColours(),
    )
    async with Host().run_test(size=(100, 12)) as pilot:
        panel = pilot.app.query_one(DataPanel)
        panel.show(table, datetime.now(UTC), [ItemError("A2", "Failed", "account locked")])
        await pilot.pause()
        shown = rendered_text(panel)
        assert "A2: Failed account locked" in shown  # the per-account error is not dropped
        assert "A1" in shown and "-1.00" in shown  # next to the accounts that did answer


async def test_pl_colours_follow_a_theme_change(sim: SimServer, signed_in: Settings) -> None:
    """The P&L colours are kept per theme (not rebuilt at every update), and a new theme's
    are the ones used from then on."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await overview(app, pilot)
        app.theme = "tstui-dark"
        await pilot.pause()
        assert screen._colours().profit.upper() == "#3FB950"
        assert screen._colours() is screen._colours()  # kept, not rebuilt
        app.theme = "tstui-light"
        await pilot.pause()
        assert (screen._colours().profit.upper(), screen._colours().loss.upper()) == (
            "#1A7F37",
            "#CF222E",
        )
        await app.live.disconnect()
