"""The next order ticket is built ahead of its key (composed, mounted and laid out off
screen), and a closed one is kept for the next order: it opens with its prefill and focus
like a new one, with a new OrderConfirmID and nothing of the order before; a ticket still
busy with its order is not kept, and one built for another theme is never shown."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select, Static
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
from tstui.ui.shell.header import AppHeader
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
        first_id = first_warm.order_confirm_id
        ticket, results, limit = await open_limit_ticket(app, pilot, MARGIN, "MSFT", "1")
        assert ticket is first_warm and app.screen is ticket
        assert ticket.order_confirm_id != first_id  # armed: one OrderConfirmID per order
        assert ticket.form.fields().symbol == "MSFT" and ticket.form.fields().action == "BUY"
        assert ticket.query_one("#limit_price", Input).value == limit
        await preview(ticket, pilot)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        placed_id = ticket.order_confirm_id
        await wait_until(pilot, lambda: results, 5, "the ticket result")
        # closed, it is kept (not rebuilt) for the next order, off screen
        kept = await warmed(app, pilot)
        assert kept is ticket and kept.is_attached and app.is_screen_installed(kept)
        second, _ = await open_ticket(app, pilot, TicketFields(symbol="MSFT"))
        assert second is kept and second.outcome is None and not second.sent
        assert second.order_confirm_id != placed_id
        assert not app.is_screen_installed(second)  # in use: a pop by anything removes it
        # the form is a fresh one: the first order's quantity and limit are not in it
        assert second.form.fields().limit_price == ""
        # as a new ticket would: the symbol's defaults filled, then Preview focused
        await wait_until(pilot, lambda: second.form.fields().quantity != "", 5, "the preset")
        await wait_until(pilot, lambda: second.focused is not None, 5, "the focus")
        assert second.focused is not None and second.focused.id == "preview-btn"
        await app.live.disconnect()


def state_of(ticket: OrderTicket) -> dict[str, object]:
    """Everything a user can see or the ticket acts on, but its OrderConfirmID and the live
    quote (the symbol line and a limit at the touch move with the market)."""
    state: dict[str, object] = {
        name: getattr(ticket, name)
        for name in (
            "preview",
            "issues",
            "outcome",
            "busy",
            "_shown_issues",
            "_previewed",
            "_preview_text",
            "_prefilled_for",
            "_order_type",
            "_routes",
            "_side",
            "_auto_preview",
            "prefilled",
        )
    }
    request = ticket.request
    state["request"] = request and replace(request, order_confirm_id="same")
    state["focused"] = ticket.focused and ticket.focused.id
    state["scroll"] = ticket.query_one("#ticket-body").scroll_offset
    state["info"] = ticket.form.info and ticket.form.info.symbol
    state["fields"] = ticket.form.fields()
    state["bracket"] = ticket.form.bracket_fields()
    for index, widget in enumerate(ticket.query("*")):
        if any(isinstance(node, AppHeader) for node in widget.ancestors_with_self):
            continue  # the app's (environment, account, clock), not the order's
        seen: list[object] = [
            type(widget).__name__,
            widget.display,
            sorted(widget.classes),
            widget.disabled,
        ]
        if isinstance(widget, Input):
            seen += [widget.value, widget.placeholder, widget.cursor_position, widget.scroll_x]
        elif isinstance(widget, Select):
            seen += [widget.value, [str(prompt) for prompt, _ in widget._options]]
        elif isinstance(widget, Checkbox):
            seen += [widget.value]
        elif isinstance(widget, Button):
            seen += [str(widget.label)]
        elif isinstance(widget, Static) and widget.id != "symbol-info":
            seen += [str(widget.content)]
        state[f"{index} {widget.id or ''}"] = " | ".join(map(str, seen))
    return state


async def test_a_kept_ticket_opens_as_a_new_one_whatever_the_last_order_left(
    settings: Settings,
) -> None:
    """A ticket is kept for the next order: whatever one order typed, chose, previewed or
    was told is gone when the next opens; it is, widget by widget, a new ticket."""
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await warmed(app, pilot)
        order = TicketFields(symbol="MSFT", quantity="2")

        async def settled_ticket() -> OrderTicket:
            ticket, _ = await open_ticket(app, pilot, order)
            await wait_until(pilot, lambda: ticket._routes and ticket.focused, 5, "settled")
            await pilot.pause(0.1)
            return ticket

        ticket = await settled_ticket()
        new = state_of(ticket)
        first_id = ticket.order_confirm_id
        # an order that touches everything: type, TIF and expiry, a bracket, a route, an
        # activation rule, a symbol lookup, issues marked, a preview that warns
        for key in ("f4", "f4", "f7", "f7", "f7", "f6", "f2"):
            await pilot.press(key)
        form = ticket.form
        for widget_id, text in (
            ("stop_price", "1"),
            ("limit_price", "x"),
            ("bracket_target", "9"),
            ("activate_price", "5"),
            ("quantity", "5000000"),
        ):
            form.set_text(widget_id, text)
        form.set_routes(["Intelligent", "ARCA"])
        form.query_one("#route", Select).value = "ARCA"
        form.query_one("#symbol", Input).focus()
        await pilot.press("A")
        await pilot.pause(0.6)  # the lookup's debounce
        await pilot.press("f5")
        await wait_until(pilot, lambda: ticket._shown_issues and not ticket.busy, 10, "issues")
        ticket.query_one("#ticket-body").scroll_end(animate=False)
        await pilot.pause()
        assert state_of(ticket) != new  # the comparison sees what an order changes
        await pilot.press("escape")
        await wait_until(pilot, lambda: warm_ticket(app) is ticket, 5, "the ticket kept")

        again = await settled_ticket()
        assert again is ticket and again.order_confirm_id != first_id
        after = state_of(again)
        assert {k: v for k, v in after.items() if after[k] != new.get(k)} == {
            k: v for k, v in new.items() if after.get(k) != v
        }
        await app.live.disconnect()


async def test_a_ticket_closed_while_its_order_is_in_flight_is_not_kept(
    settings: Settings,
) -> None:
    """A preview or a placement still running (busy) belongs to that ticket: it is
    removed once closed, and the next order gets another ticket."""
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await warmed(app, pilot)
        ticket, _ = await open_ticket(app, pilot, TicketFields(symbol="MSFT", quantity="1"))
        ticket.busy = True  # as Preview or Place sets it until the answer
        await pilot.press("escape")
        await wait_until(pilot, lambda: not ticket.is_attached, 5, "the busy ticket removed")
        assert not app.is_screen_installed(ticket)
        nxt = await warmed(app, pilot, other_than=ticket)
        assert nxt is not ticket
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


async def test_an_order_closed_before_its_ticket_started_leaves_nothing_running(
    settings: Settings,
) -> None:
    """o then Esc in one read of the keyboard (or a one-key order closed at once): the
    ticket is kept before its first refresh. What it would have started for that order
    (the symbol's lookup, its quote, the one-key preview) never runs for a closed ticket,
    and an order armed next gets no preview it did not ask for."""
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        warm = await warmed(app, pilot)
        previews: list[str] = []
        service = warm.trading
        real_preview = service.preview

        async def slow_preview(*args: Any, **kwargs: Any) -> Any:
            previews.append(kwargs["order_confirm_id"])
            await anyio.sleep(0.5)
            return await real_preview(*args, **kwargs)

        service.preview = slow_preview  # type: ignore[method-assign]
        order = TicketFields(account=MARGIN, symbol="MSFT", quantity="1", action="BUY")
        ticket = open_order_ticket(app, order, auto_preview=True)
        ticket.action_close()
        await pilot.pause(1.0)  # past the symbol lookup's debounce and a preview's answer
        assert warm_ticket(app) is ticket and not ticket.busy and ticket.preview is None
        assert previews == [] and "MSFT" not in app.live.quotes.watched
        # the next order, without one-key preview: nothing previewed, Place stays off
        again = open_order_ticket(app, order)
        await wait_until(pilot, lambda: again._routes and again.focused, 10, "settled")
        await pilot.pause(1.0)
        assert again is ticket and previews == [] and again.preview is None
        assert not again.can_place()
        again.action_close()
        await pilot.pause()
        assert "MSFT" not in app.live.quotes.watched  # its quote let go as it closed
        await app.live.disconnect()


async def test_a_new_ticket_closed_while_it_is_still_being_built_is_removed(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        kept = await warmed(app, pilot)
        app.theme = next(name for name in app.tstui_themes if name != app.theme)
        ticket = open_order_ticket(app, TicketFields(symbol="MSFT"))  # a new one, composing
        assert ticket is not kept and not ticket.is_mounted
        ticket.action_close()
        await wait_until(pilot, lambda: not ticket.is_attached, 5, "the ticket removed")
        assert app.is_running and not app.is_screen_installed(ticket)
        assert warm_ticket(app) is not ticket
        await app.live.disconnect()
