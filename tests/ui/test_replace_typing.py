"""Typing into the replace dialog: every key reaches the field that has focus (the digits too)."""

from __future__ import annotations

import pytest
from test_blotter_screen import orders_view, place_limit
from textual.widgets import Input
from ui_support import TICKET_SIZE, started, wait_until

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.dialogs import ReplaceOrderScreen

pytestmark = pytest.mark.anyio


async def test_digits_typed_in_the_replace_dialog_land_in_its_fields(settings: Settings) -> None:
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
        assert quantity.has_focus
        await pilot.press("end", "backspace", "3", "7")
        assert quantity.value == "37"
        await pilot.press("tab")
        limit = dialog.query_one("#limit_price", Input)
        assert limit.has_focus
        await pilot.press("end", "backspace", "backspace", "1", "0", "4")
        assert limit.value.endswith("104")
        await pilot.press("escape")
        await app.live.disconnect()
