"""The next order ticket is built ahead of its key (composed, mounted and laid out off
screen): it opens with its prefill and focus like a new one, serves one order with its own
OrderConfirmID, and one built for another theme is never shown."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from ui_support import (
    MARGIN,
    TICKET_SIZE,
    open_limit_ticket,
    open_ticket,
    place,
    preview,
    started,
    wait_until,
)

from tstui.config import Settings
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.ticket import (
    OrderTicket,
    open_order_ticket,
    warm_order_ticket,
    warm_ticket,
)

pytestmark = pytest.mark.anyio


async def warmed(app: TstuiApp, pilot: Pilot[Any], other_than: object = None) -> OrderTicket:
    def ready() -> OrderTicket | None:
        ticket = warm_ticket(app)
        if ticket is not None and ticket.is_mounted and ticket is not other_than:
            return ticket
        return None

    await wait_until(pilot, lambda: ready() is not None, 15, "a warm ticket")
    ticket = ready()
    assert ticket is not None and not ticket.is_current
    return ticket


async def test_a_warm_ticket_opens_prefilled_and_places_once(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        first_warm = await warmed(app, pilot)
        assert first_warm.size.width > 0  # laid out while it waited
        ticket, results, limit = await open_limit_ticket(app, pilot, MARGIN, "MSFT", "1")
        assert ticket is first_warm and app.screen is ticket
        assert ticket.form.fields().symbol == "MSFT" and ticket.form.fields().action == "BUY"
        assert ticket.query_one("#limit_price", Input).value == limit
        await preview(ticket, pilot)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        await wait_until(pilot, lambda: results, 5, "the ticket result")
        # the next one is built after the close: another object, another OrderConfirmID
        second_warm = await warmed(app, pilot, other_than=first_warm)
        assert second_warm.order_confirm_id != first_warm.order_confirm_id
        assert not first_warm.is_attached
        second, _ = await open_ticket(app, pilot, TicketFields(symbol="MSFT"))
        assert second is second_warm and second.outcome is None and not second.sent
        # the form is a fresh one: the first order's quantity and limit are not in it
        assert second.form.fields().limit_price == ""
        # as a new ticket would: the symbol's defaults filled, then Preview focused
        await wait_until(pilot, lambda: second.form.fields().quantity != "", 5, "the preset")
        await wait_until(pilot, lambda: second.focused is not None, 5, "the focus")
        assert second.focused is not None and second.focused.id == "preview-btn"
        await app.live.disconnect()


async def test_filling_a_warm_ticket_restyles_no_field(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ticket's Inputs carry the class Textual's Input sets at its first value, so the
    prefill that fills them restyles none (each restyle was ~1 ms of the key's frame)."""
    restyled: list[str] = []
    update = Input.update_node_styles

    def noting(widget: Input, animate: bool = True) -> None:
        restyled.append(widget.id or "")
        update(widget, animate)

    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        warm = await warmed(app, pilot)
        monkeypatch.setattr(Input, "update_node_styles", noting)
        fields = TicketFields(symbol="MSFT", quantity="3", order_type="Limit", limit_price="10")
        ticket = open_order_ticket(app, fields)
        assert ticket is warm
        assert ticket.query_one("#quantity", Input).value == "3"  # filled, not restyled:
        assert restyled == []
        monkeypatch.undo()
        await app.live.disconnect()


async def test_a_warm_ticket_of_another_theme_is_not_shown(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        stale = await warmed(app, pilot)
        app.theme = next(name for name in app.tstui_themes if name != app.theme)
        ticket, _ = await open_ticket(app, pilot, TicketFields(symbol="MSFT"))
        assert ticket is not stale and app.screen is ticket
        await wait_until(pilot, lambda: not stale.is_attached, 5, "the stale ticket removed")
        await app.live.disconnect()


async def test_the_app_closes_cleanly_while_a_ticket_is_being_built(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        warm_order_ticket(app)  # composing now: the app closes before its first refresh
        ticket = warm_ticket(app)
        assert ticket is not None and not ticket.is_mounted
    assert app.return_code in (0, None)  # no exception escaped the shutdown
