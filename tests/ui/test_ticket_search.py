"""Symbol search in the ticket: typing in Symbol shows TradeStation's suggestions (v2 suggest)
with their description and exchange; no match says so; a value the program set asks nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input
from ui_support import MARGIN, TICKET_SIZE, open_ticket, rendered_text, started, wait_until

from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def test_typing_a_symbol_shows_suggestions_and_no_match_says_so(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        ticket, _ = await open_ticket(app, pilot, TicketFields(account=MARGIN, symbol="AAPL"))
        line = ticket.form.query_one("#symbol-suggest")
        assert line.has_class("-empty")  # the prefilled symbol asked nothing
        field = ticket.form.query_one("#symbol", Input)
        field.focus()
        field.value = ""
        await pilot.press("m", "s", "f")
        await wait_until(pilot, lambda: "MSFT" in rendered_text(line), 10, "suggestions")
        shown = rendered_text(line)
        assert "Microsoft" in shown and not line.has_class("-error")

        await pilot.press("backspace", "backspace", "backspace", "q", "z", "q", "z")
        await wait_until(pilot, lambda: "No symbol matches" in rendered_text(line), 10)
        assert line.has_class("-error")
        await pilot.press("escape")
