"""The Orders view on the simulator: live rows, filters, detail, cancel / cancel all / replace,
history since a date."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static
from ui_support import (
    CASH,
    MARGIN,
    TICKET_SIZE,
    open_limit_ticket,
    order_in_book,
    place,
    preview,
    sim_orders,
    sim_post,
    started,
    wait_for_screen,
    wait_until,
)

from tstui.config import Settings
from tstui.domain.models import Order
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.trading.dialogs import ReplaceOrderScreen
from tstui.ui.views.orders.blotter import Blotter
from tstui.ui.views.orders.detail import OrderDetail
from tstui.ui.views.orders.screen import BlotterScreen, parse_since

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def orders_view(app: TstuiApp, pilot: Pilot[Any]) -> BlotterScreen:
    await pilot.press("3")
    screen = await wait_for_screen(app, pilot, BlotterScreen, timeout=5)
    await wait_until(pilot, lambda: screen.blotter.row_count > 0, 5, "rows")
    return screen


def shown_ids(screen: BlotterScreen) -> list[str]:
    return [r.order_id for r in screen.blotter.rows if isinstance(r, Order)]


def detail_text(screen: BlotterScreen) -> str:
    return str(screen.query_one(OrderDetail).content)


async def place_limit(app: TstuiApp, pilot: Pilot[Any], symbol: str, qty: str) -> str:
    """Place a buy limit 2% under last through the ticket; returns the order id."""
    ticket, _, _ = await open_limit_ticket(app, pilot, MARGIN, symbol, qty)
    await preview(ticket, pilot)
    await place(ticket, pilot)
    assert ticket.outcome is not None and ticket.outcome.order_id
    await pilot.press("escape")
    await pilot.pause()
    return ticket.outcome.order_id


async def test_place_see_it_stream_in_and_cancel_it(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        screen = await orders_view(app, pilot)
        order_id = await place_limit(app, pilot, "MSFT", "2")
        await wait_until(pilot, lambda: order_id in shown_ids(screen), 10, "the new row")
        assert screen.blotter.select_key(order_id)
        await pilot.pause()
        assert f"Order {order_id}" in detail_text(screen)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5)
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: getattr(order_in_book(app, order_id), "status", "") == "CAN",
            10,
            "the cancel",
        )
        await wait_until(pilot, lambda: " CAN " in detail_text(screen), 5, "detail refresh")
        await pilot.press("w")  # working only: the cancelled order is gone from the view
        await pilot.pause()
        assert order_id not in shown_ids(screen)
        await pilot.press("n")
        await pilot.pause()
        assert order_id in shown_ids(screen)
        assert all(r.status_group == "cancelled" for r in screen.blotter.rows)
        await app.live.disconnect()
    entries = (settings.state_dir / "audit.jsonl").read_text()
    assert '"order.cancel"' in entries and '"order.cancel.result"' in entries


async def test_filters_search_and_reject_reason(sim: SimServer, settings: Settings) -> None:
    # a rejected order today: the cash account cannot sell short
    sim_post(sim.url, "/_sim/faults/clear")
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        screen = await orders_view(app, pilot)
        await app.live.api.place_order(_short_in_cash())
        await wait_until(
            pilot, lambda: any(r.status_group == "rejected" for r in screen.blotter.rows), 10
        )
        await pilot.press("j")
        await pilot.pause()
        rows = screen.blotter.rows
        assert rows and all(r.status_group == "rejected" for r in rows)
        screen.blotter.select_key(shown_ids(screen)[0])
        await pilot.pause()
        assert "Reject reason:" in detail_text(screen)
        await pilot.press("asterisk")
        await pilot.press("slash")
        await pilot.press(*"AAPL", "enter")
        await pilot.pause()
        assert screen.search == "AAPL"
        assert shown_ids(screen) and all(r.symbol == "AAPL" for r in screen.blotter.rows)
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert screen.search == ""
        screen.blotter.select_key(shown_ids(screen)[-1])
        symbol = screen.blotter.selected_row.symbol  # type: ignore[union-attr]
        await pilot.press("s")
        await pilot.pause()
        assert all(r.symbol == symbol for r in screen.blotter.rows)
        await pilot.press("s")
        app.action_next_account()  # the app's account selection filters the blotter
        await pilot.pause(0.3)
        account = app.live.current_account
        assert account and all(r.account_id == account for r in screen.blotter.rows)
        assert f"account {account}" in str(screen.query_one("#blotter-filters", Static).content)
        await app.live.disconnect()


def _short_in_cash() -> Any:
    from tstui.domain.orders import OrderRequest, new_order_confirm_id

    return OrderRequest(
        account_id=CASH,
        symbol="NVDA",
        quantity=Decimal(1),
        order_type="Market",
        trade_action="SELLSHORT",
        order_confirm_id=new_order_confirm_id(),
    )


async def test_cancel_all_working_and_replace(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        screen = await orders_view(app, pilot)
        first = await place_limit(app, pilot, "MSFT", "1")
        second = await place_limit(app, pilot, "AAPL", "1")
        await wait_until(pilot, lambda: {first, second} <= set(shown_ids(screen)), 10)
        # replace: quantity 1 -> 4 through review + explicit send
        screen.blotter.select_key(first)
        await pilot.press("e")
        dialog = await wait_for_screen(app, pilot, ReplaceOrderScreen)
        dialog.query_one("#quantity", Input).value = "4"
        await pilot.pause()
        assert not dialog.can_send()  # not reviewed yet
        await pilot.press("f5")
        await pilot.pause()
        assert dialog.can_send()
        dialog.query_one("#quantity", Input).value = "5"
        await pilot.pause()
        assert not dialog.can_send()  # edited after the review
        await pilot.press("f5", "f8")
        await wait_until(
            pilot, lambda: getattr(order_in_book(app, first), "quantity", 0) == 5, 10, "replace"
        )
        working = screen.working_orders()
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5)
        message = " ".join(str(w.content) for w in app.screen.query(Static))
        assert f"Cancel {len(working)} working order" in message
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.working_orders(), 15, "all cancelled")
        truth = [o for o in sim_orders(sim.url, MARGIN) if o["OrderID"] in (first, second)]
        assert {o["Status"] for o in truth} == {"CAN"}
        await app.live.disconnect()


async def test_history_since_a_date(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        screen = await orders_view(app, pilot)
        live_count = len(app.live.order_book)
        await pilot.press("h")
        prompt = screen.query_one("#blotter-prompt", Input)
        prompt.value = "30"
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.showing_history, 10, "the history")
        history = screen.query_one("#history", Blotter)
        assert history.book is not None and len(history.book) > live_count
        assert "HISTORY since" in str(screen.query_one("#blotter-filters", Static).content)
        await pilot.press("h")
        await pilot.pause()
        assert not screen.showing_history
        await app.live.disconnect()


def test_since_date_parsing() -> None:
    from datetime import date

    today = date(2026, 12, 1)
    assert parse_since("7", today) == date(2026, 11, 24)
    assert parse_since("2026-10-01", today) == date(2026, 10, 1)
    with pytest.raises(ValueError, match="at most 90 days"):
        parse_since("2026-08-01", today)
    with pytest.raises(ValueError, match="future"):
        parse_since("2026-12-02", today)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_since("last week", today)
