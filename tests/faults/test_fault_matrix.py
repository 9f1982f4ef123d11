"""The fault matrix (issue 8): each fault injected through the simulator's admin API while the
real app runs; the client's order book and positions must converge to the simulator's truth
within a bound, with nothing lost or duplicated, and the stream's state change must show.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fault_helpers import (
    CONVERGE_S,
    MARGIN,
    WATCHDOG_S,
    fast_sim,
    fault_settings,
    running_app,
)

from tstui.client.errors import OrderOutcomeUnknown, Unauthorized
from tstui.sim.server import SimServer
from tstui.ui.shell.status import StatusBar

pytestmark = pytest.mark.anyio
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with fast_sim(START) as server:
        yield server


async def test_goaway(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        await sim.control().apost("faults/goaway", {"stream": "all"})
        await h.place()
        seconds, diff = await h.converge()
        await h.live_streams()
        assert "reconnecting" in h.states("orders") and "reconnecting" in h.states("positions")
        assert "GoAway" in h.details("orders")
        fault_report("GoAway", seconds, len(diff.lost), len(diff.duplicated), "reconnecting GoAway")


async def test_silent_stall(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        await sim.control().apost("faults/stall", {"stream": "orders", "seconds": 3 * WATCHDOG_S})
        await h.place()
        await h.wait(lambda: "reconnecting" in h.states("orders"), 5, "the watchdog fired")
        assert any("silent" in d for d in h.details("orders"))
        seconds, diff = await h.converge()
        await h.live_streams()
        fault_report("silent stall", seconds, len(diff.lost), len(diff.duplicated), "watchdog")


async def test_dropped_order_frames(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        await sim.control().apost("faults/drop", {"stream": "orders", "count": 20})
        results = await h.place()
        oid = results[0].order_id
        seconds, diff = await h.converge()
        assert oid in h.rest_fixes, "the dropped order came back through the REST reconcile"
        fault_report("dropped frames", seconds, len(diff.lost), len(diff.duplicated), "reconcile")


async def test_dropped_position_frames(
    sim: SimServer, tmp_path: Path, fault_report: object
) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        await sim.control().apost("faults/drop", {"stream": "positions", "count": 20})
        await h.place(symbol="NVDA", qty=4)
        seconds, diff = await h.converge(timeout=4 * 1.5)
        assert diff.ok, diff  # converge() also fails on timeout; say it here too
        fault_report(
            "dropped position frames", seconds, len(diff.lost), len(diff.duplicated), "reconcile"
        )


async def test_401_mid_session(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        refreshes = h.live.session.auth.refresh_count
        h.mark()
        await sim.control().apost("tokens/expire")
        try:
            await h.place()
        except Unauthorized:  # 401 -> refresh; the program never resends an order
            await h.place()  # the user's own second send (a stream may have refreshed first)
        seconds, diff = await h.converge()
        await h.live_streams()
        assert h.live.session.auth.refresh_count > refreshes
        assert "reconnecting" in h.states("orders")
        fault_report("401 mid-session", seconds, len(diff.lost), len(diff.duplicated), "refresh")


async def test_revoked_refresh_token(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        control = sim.control()
        await control.apost("tokens/revoke")
        await control.apost("tokens/expire")
        seconds = await h.wait(
            lambda: all(h.live.stream_health[s].state == "failed" for s in ("orders", "positions")),
            CONVERGE_S,
            "both streams failed",
        )
        error = (h.live.last_error or "").lower()
        assert "log in" in error or "login" in error or "sign in" in error, error
        main_view = next(s for s in h.app.screen_stack if s.query(StatusBar))
        bar = main_view.query_one(StatusBar)
        assert "failed" in str(bar.render_status())
        assert h.app.is_running and h.app.return_code is None  # nothing crashed
        fault_report("revoked refresh token", seconds, 0, 0, "login required shown")


async def test_revoked_refresh_token_offers_login(sim: SimServer, tmp_path: Path) -> None:
    from tstui.ui.shell.login import LoginScreen

    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        control = sim.control()
        await control.apost("tokens/revoke")
        await control.apost("tokens/expire")
        await h.wait(
            lambda: any(isinstance(s, LoginScreen) for s in h.app.screen_stack),
            5,
            "the login screen",
        )


async def test_429_burst(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        control = sim.control()
        await control.apost("faults/http", {"group": "streams", "status": 429, "count": 3})
        await control.apost("faults/http", {"group": "orders", "status": 429, "count": 2})
        await control.apost("faults/goaway", {"stream": "orders"})
        await h.place()
        seconds, diff = await h.converge()
        await h.live_streams()
        assert any("429" in d for d in h.details("orders")), h.details("orders")
        fault_report("429 burst", seconds, len(diff.lost), len(diff.duplicated), "backoff 429")


async def test_5xx_on_gets(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    control = sim.control()
    await control.apost("faults/http", {"group": "accounts", "status": 500, "count": 2})
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        assert h.live.accounts  # connected although the first two GETs failed
        h.mark()
        await control.apost("faults/http", {"group": "orders", "status": 503, "count": 2})
        await control.apost("faults/drop", {"stream": "orders", "count": 20})
        await h.place()
        seconds, diff = await h.converge()
        fault_report("5xx on GETs", seconds, len(diff.lost), len(diff.duplicated), "GET retried")


async def test_reset_after_accept(sim: SimServer, tmp_path: Path, fault_report: object) -> None:
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        before = {o["OrderID"] for o in (await h.truth())["accounts"][MARGIN]["orders"]}
        h.mark()
        await sim.control().apost("faults/reset-after-accept", {"count": 1})
        with pytest.raises(OrderOutcomeUnknown):
            await h.place(symbol="AAPL", qty=7)
        after = (await h.truth())["accounts"][MARGIN]["orders"]
        new = [o for o in after if o["OrderID"] not in before]
        assert len(new) == 1, "exactly one order reached the simulator (no resend)"
        seconds, diff = await h.converge()
        assert h.live.order_book.get(new[0]["OrderID"]) is not None
        fault_report("reset after accept", seconds, len(diff.lost), len(diff.duplicated), "1 order")


async def test_restart_with_persisted_state(tmp_path: Path, fault_report: object) -> None:
    with fast_sim(START, state_path=tmp_path / "sim.sqlite") as sim:
        async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
            await h.place(limit="1.00")  # a working order that must survive the restart
            await h.converge()
            truth_before = await h.truth()
            h.mark()
            await sim.control().apost("restart")
            await h.place(symbol="SPY", qty=3)
            seconds, diff = await h.converge()
            await h.live_streams()
            ids_before = {o["OrderID"] for o in truth_before["accounts"][MARGIN]["orders"]}
            ids_after = {o["OrderID"] for o in (await h.truth())["accounts"][MARGIN]["orders"]}
            assert ids_before <= ids_after, "the simulator kept its orders across the restart"
            assert "reconnecting" in h.states("orders")
            fault_report("sim restart (sqlite)", seconds, len(diff.lost), len(diff.duplicated), "")


async def test_malformed_and_truncated_lines(
    sim: SimServer, tmp_path: Path, fault_report: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tstui.client.streams")
    async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
        h.mark()
        await sim.control().apost("faults/malformed", {"stream": "all", "count": 6})
        await h.place()
        seconds, diff = await h.converge()
        skipped = [r for r in caplog.records if "malformed" in r.getMessage()]
        assert len(skipped) >= 6
        assert "reconnecting" not in h.states("orders"), "a bad line must not drop the stream"
        fault_report("malformed lines", seconds, len(diff.lost), len(diff.duplicated), "skipped")


@pytest.mark.parametrize("skew_days", [-1500, 1500])
async def test_clock_skew(tmp_path: Path, fault_report: object, skew_days: int) -> None:
    start = (datetime.now(UTC) + timedelta(days=skew_days)).replace(microsecond=0)
    with fast_sim(start) as sim:
        async with running_app(sim, fault_settings(sim, tmp_path / "state")) as h:
            refreshes = h.live.session.auth.refresh_count
            h.mark()
            await h.place()
            seconds, diff = await h.converge()
            await h.pilot.pause(2 * WATCHDOG_S)
            assert h.live.session.auth.refresh_count - refreshes <= 1, "no refresh storm"
            assert all(x.state == "live" for x in h.live.stream_health.values())
            label = f"clock skew {skew_days:+d} d"
            fault_report(label, seconds, len(diff.lost), len(diff.duplicated), "")
