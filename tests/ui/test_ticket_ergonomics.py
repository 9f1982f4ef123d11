"""The ticket as a new user meets it (issue 14): prefilled defaults and focus, an account that
can trade the symbol, a live quote, formatted preview numbers, a stale preview said at once,
keys for type and TIF, a visible focused dropdown in every theme, the linked symbol."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Button, Input, Select
from textual.widgets._select import SelectCurrent
from ui_support import (
    CASH,
    FUTURES,
    MARGIN,
    TICKET_SIZE,
    open_ticket,
    preview,
    started,
    text_of,
    wait_for_screen,
    wait_until,
)

from tstui.config import Settings
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.prefill import format_money, format_price
from tstui.ui.trading.ticket import OrderTicket

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def test_prefilled_ticket_fills_quantity_and_limit_and_focuses_what_is_missing(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="SELL", order_type="Limit")
        ticket, _ = await open_ticket(app, pilot, fields)
        form = ticket.form
        await wait_until(pilot, lambda: form.fields().quantity == "100", 5, "the preset")
        info = form.info
        assert info is not None and info.quote is not None and info.quote.bid is not None
        # a sell starts at the bid (the quote the ticket knew when it filled the limit)
        assert form.fields().limit_price
        assert abs(Decimal(form.fields().limit_price) - info.quote.bid) < Decimal(5)
        # nothing is missing: Preview (Enter) has the focus, not Symbol four Tabs away
        assert ticket.query_one("#preview-btn", Button).has_focus
        await pilot.press("escape")
        # a stop limit still needs its stop: that is where the focus lands
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", order_type="StopLimit")
        ticket, _ = await open_ticket(app, pilot, fields)
        await wait_until(
            pilot, lambda: ticket.query_one("#stop_price", Input).has_focus, 5, "the stop"
        )
        await pilot.press("escape")
        # an empty ticket starts on the symbol
        ticket, _ = await open_ticket(app, pilot, TicketFields())
        assert ticket.query_one("#symbol", Input).has_focus
        await pilot.press("escape")
        await app.live.disconnect()


async def test_a_futures_symbol_picks_an_account_that_can_trade_it(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket, _ = await open_ticket(app, pilot, TicketFields(account=CASH, symbol="ESZ26"))
        await wait_until(pilot, lambda: ticket.form.fields().account == FUTURES, 5, "FUTURES")
        said = text_of(ticket, "result")
        assert FUTURES in said and CASH in said and "cannot trade futures" in said
        assert ticket.form.fields().quantity == "1"  # the futures preset, not 100
        shown = [str(b.label) for b in ticket.query(".preset").results(Button) if b.display]
        assert shown == ["1", "2", "5"]  # the futures presets ([trading.presets] future)
        await preview(ticket, pilot)
        assert ticket.preview is not None, text_of(ticket, "preview")
        await pilot.press("escape")
        await app.live.disconnect()


async def test_preview_numbers_are_formatted_and_an_edit_greys_the_preview_at_once(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", quantity="100")
        ticket, _ = await open_ticket(app, pilot, fields)
        await preview(ticket, pilot)
        shown = text_of(ticket, "preview")
        assert re.search(r"cost \d{1,3}(,\d{3})+\.\d{2}", shown), shown  # 44,866.00
        assert re.search(r"Estimated price \d+\.\d{2}\b", shown), shown
        panel = ticket.query_one("#preview")
        assert not panel.has_class("-stale")
        ticket.query_one("#quantity", Input).value = "7"
        await pilot.pause()
        assert panel.has_class("-stale")
        assert "Out of date (Quantity changed)" in text_of(ticket, "preview")
        await preview(ticket, pilot)
        assert not panel.has_class("-stale") and "Out of date" not in text_of(ticket, "preview")
        await pilot.press("escape")
        await app.live.disconnect()


def test_formatting_helpers() -> None:
    assert format_money(Decimal("44866")) == "44,866.00"
    assert format_money(None) == "-"
    assert format_price(Decimal("6281.25")) == "6,281.25"
    assert format_price(Decimal("1.23456")) == "1.23456"  # never drops digits it was given


async def test_the_quote_line_follows_the_quote_stream(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", quantity="1")
        ticket, _ = await open_ticket(app, pilot, fields)
        await wait_until(pilot, lambda: "MSFT" in app.live.quotes.watched, 5, "the watch")

        def shown_last() -> Decimal | None:
            found = re.search(r"last ([0-9][0-9,]*\.?[0-9]*)", text_of(ticket, "symbol-info"))
            return Decimal(found.group(1).replace(",", "")) if found else None

        # the simulator's price moves; its quote stream carries it to the open ticket (an
        # injected quote raced the stream's own frames, which carried the old price)
        for price in ("431.15", "433.05"):
            await sim.control().aset_price("MSFT", price)
            await wait_until(pilot, lambda p=price: shown_last() == Decimal(p), 10, price)
        await pilot.press("escape")
        await pilot.pause()
        assert "MSFT" not in app.live.quotes.watched  # closed: no longer watched
        await app.live.disconnect()


async def test_type_and_tif_keys_and_a_visible_focused_dropdown(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", quantity="1")
        ticket, _ = await open_ticket(app, pilot, fields)
        form = ticket.form
        assert form.fields().order_type == "Market"
        await pilot.press("f4")
        await wait_until(pilot, lambda: form.fields().order_type == "Limit", 2)
        await wait_until(pilot, lambda: bool(form.fields().limit_price), 2, "the touch")
        before = form.fields().duration
        await pilot.press("f7")
        await wait_until(pilot, lambda: form.fields().duration != before, 2)
        order_type = ticket.query_one("#order_type", Select)
        duration = ticket.query_one("#duration", Select)
        order_type.focus()
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            focused = order_type.query_one(SelectCurrent).styles.background
            unfocused = duration.query_one(SelectCurrent).styles.background
            assert focused != unfocused, theme
        await pilot.press("escape")
        await app.live.disconnect()


async def test_the_ticket_opens_on_the_linked_symbol(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        app.live.link_symbol("AAPL")
        await pilot.press("o")
        ticket = await wait_for_screen(app, pilot, OrderTicket)
        await wait_until(pilot, lambda: ticket.form.fields().symbol == "AAPL", 5)
        await pilot.press("escape")
        await app.live.disconnect()
