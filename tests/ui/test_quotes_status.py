"""The status bar shows the quotes stream while something is watched and nothing for it once
nothing is (the last alert fired, the board closed): a stream stopped on purpose is not a
broken one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from ui_support import SIZE, started, wait_until

from tstui.config import Settings
from tstui.domain.models import Quote
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.status import StatusBar

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def status_text(app: TstuiApp) -> str:
    return app.screen.query_one(StatusBar).render_status().plain


async def test_quotes_leave_the_status_bar_when_nothing_is_watched(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        got: list[Quote] = []
        unwatch = app.live.quotes.watch(["MSFT"], got.append)
        await wait_until(pilot, lambda: "quotes live" in status_text(app), 10, "quotes live")
        unwatch()  # the last watcher goes: the hub stops its stream
        health = app.live.stream_health["quotes"]
        await wait_until(pilot, lambda: health.state == "stopped", 5, "the stream stopped")
        text = status_text(app)
        assert "quotes" not in text and "orders live" in text

        app.live.quotes.watch(["AAPL"], got.append)  # watched again: shown again
        await wait_until(pilot, lambda: "quotes live" in status_text(app), 10, "quotes back")
        await app.live.disconnect()
        # the session ends with a symbol still watched: "stopped" is the truth then
        await wait_until(pilot, lambda: "quotes stopped" in status_text(app), 5, "stopped")
