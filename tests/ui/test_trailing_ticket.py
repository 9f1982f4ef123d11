"""A stop market that trails by itself, from the ticket (no bracket): the usual way to protect
a position already held. The trail is in ticks (or a percentage) and replaces nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Input, Select
from ui_support import (
    MARGIN,
    TICKET_SIZE,
    open_ticket,
    place,
    preview,
    sim_orders,
    started,
    text_of,
)

from tstui.config import Settings
from tstui.domain.orders.ticket import TicketFields
from tstui.sim.server import SimServer
from tstui.ui.shell.app import TstuiApp

pytestmark = pytest.mark.anyio


async def test_a_stop_market_trails_by_ticks(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(
            account=MARGIN, symbol="MSFT", action="SELL", quantity="10", order_type="StopMarket"
        )
        ticket, _ = await open_ticket(app, pilot, fields)
        form = ticket.form
        trail = form.query_one("#entry_trail", Input)
        assert trail.display  # shown for a stop market
        label = form.query_one("#entry_trail_label")
        assert trail.region.x - label.region.right == 1  # "Trail" and its field apart
        assert form.info is not None and form.info.last is not None
        stop = (form.info.last * Decimal("0.9")).quantize(Decimal("0.01"))
        form.query_one("#stop_price", Input).value = str(stop)
        trail.value = "25"  # ticks of 0.01
        await pilot.pause()
        await preview(ticket, pilot)
        assert ticket.preview is not None, text_of(ticket, "issues")
        options = ticket.preview.request.advanced_options
        assert options is not None and options.trailing_stop is not None
        assert options.trailing_stop.amount == Decimal("0.25")
        assert "trailing 0.25 behind the market" in text_of(ticket, "preview")
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        placed = [
            o
            for o in sim_orders(sim.url, MARGIN)
            if o["OrderType"] == "StopMarket" and o["Legs"][0]["Symbol"] == "MSFT"
        ]
        assert placed and "TRL" in (placed[-1].get("AdvancedOptions") or "")
        await app.live.disconnect()


async def test_the_trail_is_only_offered_for_a_stop_market(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(
            account=MARGIN, symbol="MSFT", action="SELL", quantity="10", order_type="Limit"
        )
        ticket, _ = await open_ticket(app, pilot, fields)
        assert not ticket.form.query_one("#entry_trail", Input).display
        ticket.form.query_one("#order_type", Select).value = "StopMarket"
        await pilot.pause()
        assert ticket.form.query_one("#entry_trail", Input).display
        await app.live.disconnect()
