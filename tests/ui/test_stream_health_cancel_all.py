"""A stalled stream shows the age of its last frame, then "stale", before the watchdog acts;
cancel-all of many working orders shows progress, marks each order as its cancel is accepted,
and sends each cancel once."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from rich.text import Text
from ui_support import MARGIN, SIZE, sim_orders, sim_post, started, wait_until

from tstui.config import Settings, StreamSettings
from tstui.ui.session.health import StreamHealth
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.bulk_cancel import CancelProgress, cancel_progress
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.shell.status import StatusBar
from tstui.ui.views.orders.screen import BlotterScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def status_text(app: TstuiApp) -> str:
    return app.screen.query_one(StatusBar).render_status().plain


def test_label_shows_age_once_a_heartbeat_is_late_then_stale() -> None:
    idle = [0.0]
    health = StreamHealth("orders", state="live", idle=lambda: idle[0], heartbeat_s=5.0)
    assert health.label() == "live"
    idle[0] = 5.5  # within the grace
    assert health.label() == "live"
    idle[0] = 7.2
    assert health.label() == "live 7s" and not health.frozen
    idle[0] = 11.5
    assert health.label() == "stale 11s" and health.frozen
    health.state = "reconnecting"
    assert health.label().startswith("reconnecting")


async def test_stalled_stream_reads_stale_before_the_watchdog(
    sim: SimServer, signed_in: Settings
) -> None:
    # the sim beats every 0.5 s; the watchdog here waits 20 s, so what shows is the health's
    settings = replace(signed_in, stream=StreamSettings(heartbeat_timeout_s=20.0))
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        health = app.live.stream_health["orders"]
        health.heartbeat_s = 0.5
        await pilot.pause(1.0)
        assert health.label() == "live"
        sim_post(sim.url, "/_sim/faults/stall", {"stream": "orders", "seconds": 6})
        await wait_until(pilot, lambda: health.label().startswith("live "), 5, "a late beat")
        await wait_until(pilot, lambda: health.label().startswith("stale"), 5, "stale")
        assert health.state == "live"  # the watchdog has not given up: the display did
        await wait_until(pilot, lambda: "orders stale" in status_text(app), 3, "status bar")
        # the beats come back: live again, without a reconnect
        await wait_until(pilot, lambda: health.label() == "live", 10, "live again")
        await app.live.disconnect()


async def test_cancel_all_shows_progress_and_each_order_as_it_goes(
    sim: SimServer, settings: Settings
) -> None:
    sim_post(sim.url, "/_sim/faults/clear")
    seeded = sim_post(sim.url, "/_sim/orders/seed", {"account": MARGIN, "count": 600})
    assert seeded["created"] == 600  # every fifth works: 120 (the 2000: tried in tmux)
    app = TstuiApp(replace(settings, stream=StreamSettings(reconcile_interval_s=1.0)))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, BlotterScreen), 10, "orders")
        await wait_until(pilot, lambda: app.live.working_count() >= 120, 15, "seeded orders")
        working = {o.order_id for o in app.live.order_book.orders() if o.is_working}
        screen = app.screen
        assert isinstance(screen, BlotterScreen)
        # What the status bar drew during the run, and whether rows had changed by then: a
        # quiet machine cancels 120 orders in ~50 ms, faster than any polling would see.
        bar = screen.query_one(StatusBar)
        drawn: list[tuple[str, bool]] = []
        render = bar.render_status

        def recording() -> Text:
            text = render()
            changed = bool(screen.blotter.cancel_sent) or any(
                (o := app.live.order_book.get(oid)) is not None and not o.is_working
                for oid in list(working)[:50]
            )
            drawn.append((text.plain, changed))
            return text

        bar.render_status = recording  # type: ignore[method-assign]
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "question")
        await pilot.press("y")
        await wait_until(pilot, lambda: cancel_progress(app) is not None, 5, "a run")
        progress = cancel_progress(app)
        assert isinstance(progress, CancelProgress) and progress.total == len(working)
        await wait_until(pilot, lambda: progress.finished, 30, "the run to end")
        during = [
            (text, changed)
            for text, changed in drawn
            if f"/{len(working)}" in text and "cancel " in text and "cancelled" not in text
        ]
        seen_progress = bool(during)
        seen_rows = any(changed for _, changed in during)
        assert seen_progress, "no progress in the status bar"
        assert seen_rows, "no order changed before the run ended"
        assert progress.sent == len(working) and progress.failed == 0
        await wait_until(
            pilot, lambda: f"cancelled {len(working)}/{len(working)}" in status_text(app), 5
        )
        assert progress.finished_at is not None and not progress.shown(progress.finished_at + 61)
        await wait_until(pilot, lambda: app.live.working_count() == 0, 20, "all cancelled")
        # one DELETE per order, never a second
        deletes = [r for r in app.live.call_log if r.method == "DELETE"]
        ids = [r.path.rsplit("/", 1)[-1] for r in deletes]
        assert len(ids) == len(set(ids))
        truth = {
            o["OrderID"]: o["Status"]
            for account in {o.account_id for o in app.live.order_book.orders()}
            for o in sim_orders(sim.url, str(account))
        }
        assert all(truth[oid] == "CAN" for oid in working)
        await app.live.disconnect()
