"""Keys that arrive in one read (typed during an SSH stall) reach the field that has focus once
the keys before them were handled: ``440``, Tab, ``435`` gives Limit 440 and Stop 435.

The bytes go through Textual's own input path: the xterm parser the Linux driver feeds with
each read, and the driver's ``process_message`` (which posts to the app from its thread), all
in one go with nothing awaited in between, as a burst from a terminal arrives.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_blotter_screen import orders_view, place_limit
from textual._xterm_parser import XTermParser
from textual.pilot import Pilot
from textual.widgets import Input
from ui_support import MARGIN, TICKET_SIZE, open_ticket, started, wait_until

from tstui.config import Settings
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.dialogs import ReplaceOrderScreen
from tstui.ui.trading.ticket import OrderTicket

pytestmark = pytest.mark.anyio


def burst(app: TstuiApp, data: str) -> None:
    """``data`` as one terminal read: parsed and posted by the driver without a pause."""
    driver = app._driver
    assert driver is not None
    for event in XTermParser().feed(data):
        driver.process_message(event)


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(5):
        await pilot.pause(0.05)


async def test_a_burst_in_the_ticket_lands_field_by_field(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(
            account=MARGIN, symbol="MSFT", action="BUY", quantity="3", order_type="StopLimit"
        )
        ticket, _ = await open_ticket(app, pilot, fields)
        limit = ticket.query_one("#limit_price", Input)
        stop = ticket.query_one("#stop_price", Input)
        limit.focus()
        await pilot.pause()
        burst(app, "440\t435")
        await wait_until(pilot, lambda: stop.value == "435", 5, "the stop price")
        await settle(pilot)
        assert (limit.value, stop.value) == ("440", "435")
        assert stop.has_focus
        # back and forth in one read: shift+tab (ESC [ Z) returns to the limit; a field
        # focused by Tab has its text selected, so each digit replaces that field's value
        burst(app, "\x1b[Z1\t2")
        await wait_until(pilot, lambda: stop.value == "2", 5, "the stop price")
        await settle(pilot)
        assert (limit.value, stop.value) == ("1", "2")
        assert ticket.form.fields().quantity == "3"


async def test_a_burst_in_the_replace_dialog_lands_field_by_field(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        screen = await orders_view(app, pilot)
        order_id = await place_limit(app, pilot, "MSFT", "1")
        await wait_until(pilot, lambda: app.live.order_book.get(order_id) is not None, 10)
        screen.blotter.select_key(order_id)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplaceOrderScreen), 5)
        dialog = app.screen
        assert isinstance(dialog, ReplaceOrderScreen)
        quantity = dialog.query_one("#quantity", Input)
        limit = dialog.query_one("#limit_price", Input)
        await wait_until(pilot, lambda: quantity.has_focus, 5, "focus on the quantity")
        # ctrl+u clears the line, then the quantity, Tab, ctrl+u and the limit: one read
        burst(app, "\x1512\t\x15101.5")
        await wait_until(pilot, lambda: limit.value == "101.5", 5, "the limit")
        await settle(pilot)
        assert (quantity.value, limit.value) == ("12", "101.5")
        await pilot.press("escape")
        await app.live.disconnect()


async def test_keys_typed_right_after_the_key_that_opens_the_ticket_reach_it(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        burst(app, "oMSFT")  # o opens the ticket; its Symbol field takes the rest
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 5, "the ticket")
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        await wait_until(pilot, lambda: bool(ticket.query("#symbol")), 5, "the symbol field")
        symbol = ticket.query_one("#symbol", Input)
        await wait_until(pilot, lambda: symbol.value == "MSFT", 5, "the symbol")
        await settle(pilot)
        assert symbol.value == "MSFT" and symbol.has_focus
        await pilot.press("escape")
        await app.live.disconnect()
