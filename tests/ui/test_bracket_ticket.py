"""Brackets end to end on the simulator: the ticket's template key -> preview of every order
of the group -> place (the whole group, once) -> partial fills -> the tree in the blotter ->
cancelling a parent asks about its children."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select
from ui_support import (
    FUTURES,
    TICKET_SIZE,
    open_ticket,
    order_in_book,
    place,
    place_enabled,
    preview,
    recording_app,
    said,
    sim_orders,
    sim_post,
    started,
    text_of,
    wait_for_screen,
    wait_until,
)

from tstui.config import Settings
from tstui.domain.models import Order
from tstui.domain.orders import format_decimal as fmt
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.trading.dialogs import CancelParentScreen
from tstui.ui.trading.service import trading_service
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.orders.blotter import Blotter
from tstui.ui.views.orders.screen import BlotterScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def notified(app: TstuiApp, text: str) -> bool:
    """A notification says ``text`` (a placed order closes its ticket with one)."""
    return any(text in message for message in said(app))


TICK = Decimal("0.25")  # ES


async def es_ticket(app: TstuiApp, pilot: Pilot[Any], qty: str, below: int) -> OrderTicket:
    """A BUY Limit ESZ26 ticket, its limit ``below`` ticks under the last price."""
    fields = TicketFields(
        account=FUTURES, symbol="ESZ26", action="BUY", quantity=qty, order_type="Limit"
    )
    ticket, _ = await open_ticket(app, pilot, fields)
    assert ticket.form.info is not None and ticket.form.info.last is not None
    last = (ticket.form.info.last / TICK).to_integral_value() * TICK
    ticket.query_one("#limit_price", Input).value = str(last - below * TICK)
    await pilot.pause()
    return ticket


def audit(settings: Settings) -> list[dict[str, Any]]:
    path = settings.state_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def cells(blotter: Blotter, order_id: str) -> dict[str, str]:
    """The shown cells of one row, by column key."""
    index = blotter.index_of(order_id)
    assert index is not None, order_id
    row = blotter.rows[index]
    return {
        c.key: text for c, (text, _) in zip(blotter.columns, blotter.row_cells(row), strict=True)
    }


async def test_template_key_preview_place_partial_fills_and_tree(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket = await es_ticket(app, pilot, "15", below=40)
        limit = Decimal(ticket.query_one("#limit_price", Input).value)

        # F6: the es-scalp template (+8 / -6 ticks) in one key; F6 again: custom, then off
        await pilot.press("f6")
        await pilot.pause()
        bracket = ticket.form.bracket_fields()
        assert (bracket.enabled, bracket.template, bracket.target, bracket.stop) == (
            True,
            "es-scalp",
            "8",
            "6",
        )
        await preview(ticket, pilot)
        shown = text_of(ticket, "preview")
        assert f"Entry  BUY 15 ESZ26 Limit @ {fmt(limit)}" in shown
        assert f"target SELL 15 @ {fmt(limit + 8 * TICK)} +8 ticks" in shown
        assert f"stop   SELL 15 @ {fmt(limit - 6 * TICK)} -6 ticks" in shown
        assert "(StopMarket, BRK)" in shown and "reward 1500 / risk 1125" in shown
        assert "Group: 3 orders" in shown  # one confirmation per order of the group
        assert place_enabled(ticket)

        # wider exits so the market's drift cannot reach them; an edit unbinds the preview
        ticket.query_one("#bracket_target", Input).value = "40"
        stop = ticket.query_one("#bracket_stop", Input)
        stop.value = "39"
        stop.focus()
        await pilot.press("up")  # one tick further
        assert stop.value == "40"
        await pilot.pause()
        assert not place_enabled(ticket)
        await preview(ticket, pilot)
        assert f"target SELL 15 @ {fmt(limit + 40 * TICK)} +40 ticks" in text_of(ticket, "preview")
        assert ticket.preview is not None
        previewed = ticket.preview.request
        await place(ticket, pilot)
        outcome = ticket.outcome
        assert outcome is not None and outcome.kind == "placed", text_of(ticket, "result")
        assert outcome.request is previewed  # the previewed group, exactly
        parent_id, *exit_ids = outcome.group_order_ids
        assert len(exit_ids) == 2 and all(notified(app, i) for i in exit_ids)
        await pilot.press("f8")  # never twice
        await pilot.pause()
        sends = [e for e in audit(settings) if e["kind"] == "order.place"]
        assert len(sends) == 1
        body = sends[0]["payload"]["request"]
        assert body["OSOs"][0]["Type"] == "BRK"
        assert [o["OrderType"] for o in body["OSOs"][0]["Orders"]] == ["Limit", "StopMarket"]
        await pilot.press("escape")

        # the Orders view: the entry on top, its exits under it (waiting for the fill)
        await pilot.press("3")
        screen = await wait_for_screen(app, pilot, BlotterScreen, timeout=5)
        blotter = screen.blotter
        await wait_until(
            pilot, lambda: all(blotter.index_of(i) is not None for i in outcome.group_order_ids)
        )
        top = blotter.index_of(parent_id)
        assert top is not None
        assert [blotter.rows[top + k].order_id for k in (1, 2)] == exit_ids  # type: ignore[union-attr]
        assert cells(blotter, parent_id)["link"] == "OSP"
        assert cells(blotter, exit_ids[0])["symbol"] == "├ ESZ26"
        assert cells(blotter, exit_ids[1])["symbol"] == "└ ESZ26"
        assert cells(blotter, exit_ids[1])["link"] == "OSO BRK"

        # the market comes down to the limit: 12 of 15 fill at the touch, then the rest
        sim_post(sim.url, "/_sim/price", {"symbol": "ESZ26", "price": str(limit - 4 * TICK)})

        def parent() -> Order | None:
            return order_in_book(app, parent_id)

        await wait_until(pilot, lambda: getattr(parent(), "status", "") == "FPR", 10, "partial")
        await wait_until(pilot, lambda: cells(blotter, parent_id)["qty"] == "12/15", 5)
        assert cells(blotter, parent_id)["avg"] != ""
        sim_post(sim.url, "/_sim/clock", {"advance_seconds": 1.5})
        await wait_until(pilot, lambda: getattr(parent(), "status", "") == "FLL", 10, "filled")
        await wait_until(pilot, lambda: cells(blotter, parent_id)["qty"] == "15/15", 5)
        fills = app.live.order_book.fills_for(parent_id)
        assert [f.qty for f in fills] == [12, 3]
        await wait_until(
            pilot,
            lambda: all(getattr(order_in_book(app, i), "is_working", False) for i in exit_ids),
            10,
            "the exits working",
        )
        assert cells(blotter, exit_ids[0])["symbol"] == "├ ESZ26"

        # "c" on the filled entry offers to cancel its working exits
        assert blotter.select_key(parent_id)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5)
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: all(getattr(order_in_book(app, i), "status", "") == "CAN" for i in exit_ids),
            10,
            "the exits cancelled",
        )
        await app.live.disconnect()


async def test_cancelling_a_working_parent_asks_about_its_children(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket = await es_ticket(app, pilot, "1", below=40)
        ticket.query_one("#bracket_template", Select).value = "custom"
        ticket.query_one("#bracket_unit", Select).value = "price"
        limit = Decimal(ticket.query_one("#limit_price", Input).value)
        ticket.query_one("#bracket_target", Input).value = str(limit + 10)
        ticket.query_one("#bracket_stop", Input).value = str(limit + 5)  # the wrong side
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause(0.3)
        assert not place_enabled(ticket)
        assert "Stop loss" in text_of(ticket, "issues"), text_of(ticket, "issues")
        assert ticket.query_one("#bracket_stop", Input).has_class("-error")
        ticket.query_one("#bracket_stop", Input).value = str(limit - 5)
        await pilot.pause()
        await preview(ticket, pilot)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        parent_id, *exit_ids = ticket.outcome.group_order_ids
        await pilot.press("escape")
        await pilot.press("3")
        screen = await wait_for_screen(app, pilot, BlotterScreen, timeout=5)
        await wait_until(
            pilot, lambda: all(screen.blotter.index_of(i) is not None for i in exit_ids), 10
        )
        assert screen.blotter.select_key(parent_id)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelParentScreen), 5)
        dialog = app.screen
        assert isinstance(dialog, CancelParentScreen)
        assert [o.order_id for o in dialog.linked] == exit_ids
        await pilot.press("escape")  # keep: nothing sent
        await pilot.pause()
        assert not [e for e in audit(settings) if e["kind"] == "order.cancel"]
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelParentScreen), 5)
        await pilot.press("g")  # the parent and its children
        await wait_until(
            pilot,
            lambda: all(
                getattr(order_in_book(app, i), "status", "") == "CAN"
                for i in (parent_id, *exit_ids)
            ),
            10,
            "all cancelled",
        )
        cancels = [e for e in audit(settings) if e["kind"] == "order.cancel"]
        assert len(cancels) >= 1  # the parent first; the server may cancel the rest itself
        assert cancels[0]["payload"]["order_id"] == parent_id
        await app.live.disconnect()


async def test_a_bracket_whose_outcome_is_unknown_is_reconciled_never_resent(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        trading_service(app).reconcile_poll_s = 0.1
        ticket = await es_ticket(app, pilot, "2", below=40)
        await pilot.press("f6")  # es-scalp
        await pilot.pause()
        await preview(ticket, pilot)
        before = {o["OrderID"] for o in sim_orders(sim.url, FUTURES)}
        sim_post(sim.url, "/_sim/faults/reset-after-accept", {"count": 1})
        await place(ticket, pilot)
        outcome = ticket.outcome
        assert outcome is not None and outcome.kind == "reconciled", outcome
        created = [o for o in sim_orders(sim.url, FUTURES) if o["OrderID"] not in before]
        assert len(created) == 3  # the entry and its two exits, once
        assert outcome.order_id in {o["OrderID"] for o in created}
        await wait_until(pilot, lambda: app.screen is not ticket, 5, "the ticket closed")
        await pilot.press("f8")
        await pilot.pause()
        await app.live.disconnect()
    kinds = [e["kind"] for e in audit(settings)]
    assert kinds.count("order.place") == 1
    assert "order.place.unknown" in kinds and "order.place.reconciled" in kinds


async def test_trailing_stop_and_activation_rule_reach_the_server(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket = await es_ticket(app, pilot, "1", below=40)
        limit = Decimal(ticket.query_one("#limit_price", Input).value)
        ticket.query_one("#bracket_template", Select).value = "custom"
        ticket.query_one("#bracket_target", Input).value = "20"
        ticket.query_one("#bracket_trail", Input).value = "8"  # a trailing stop, 2 points
        ticket.query_one("#activate_key", Select).value = "STT"
        ticket.query_one("#activate_predicate", Select).value = "Lte"
        ticket.query_one("#activate_price", Input).value = str(limit + 1)
        ticket.query_one("#activate_time", Input).value = "14:30"
        await pilot.pause()
        await preview(ticket, pilot)
        shown = text_of(ticket, "preview")
        assert f"held until STT Lte {fmt(limit + 1)}" in shown
        assert "held until 14:30:00 UTC" in shown
        assert "trailing 2 (StopMarket, BRK)" in shown, shown
        await place(ticket, pilot)
        outcome = ticket.outcome
        assert outcome is not None and outcome.kind == "placed", text_of(ticket, "result")
        parent_id, _, stop_id = outcome.group_order_ids
        await wait_until(
            pilot,
            lambda: (
                order_in_book(app, parent_id) is not None
                and order_in_book(app, stop_id) is not None
            ),
            10,
        )
        entry = order_in_book(app, parent_id)
        stop = order_in_book(app, stop_id)
        assert entry is not None and stop is not None
        assert [r.trigger_key for r in entry.market_activation_rules] == ["STT"]
        assert stop.trailing_stop is not None and stop.trailing_stop.amount == Decimal(2)
        assert "TRL" in (stop.advanced_options or "")
        await app.live.disconnect()
