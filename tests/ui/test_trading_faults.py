"""Trading under faults: reset after accept, a dropped fill frame, GoAway during a burst."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from order_factory import order_request
from ui_support import (
    MARGIN,
    TICKET_SIZE,
    open_limit_ticket,
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
    wait_until,
)

from tstui.config import Settings, StreamSettings
from tstui.domain.orders import OrderRequest
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.service import PlacementRefused, trading_service

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def notified(app: TstuiApp, text: str) -> bool:
    """A notification says ``text`` (a placed order closes its ticket with one)."""
    return any(text in message for message in said(app))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The trading settings, but reconcile only when told (or after a resync), so each test
    controls when it happens."""
    stream = StreamSettings(heartbeat_timeout_s=2.0, reconcile_interval_s=600.0)
    return replace(settings, stream=stream)


def buy_limit(symbol: str, qty: int, price: Decimal) -> OrderRequest:
    return order_request(MARGIN, symbol, "BUY", qty, "Limit", limit_price=price)


async def test_reset_after_accept_gives_exactly_one_order(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        trading_service(app).reconcile_poll_s = 0.1
        ticket, results, _ = await open_limit_ticket(app, pilot, MARGIN, "SPY", "7")
        await preview(ticket, pilot)
        before = {o["OrderID"] for o in sim_orders(sim.url, MARGIN)}
        sim_post(sim.url, "/_sim/faults/reset-after-accept", {"count": 1})
        await place(ticket, pilot)
        outcome = ticket.outcome
        assert outcome is not None and outcome.kind == "reconciled", outcome
        created = [o for o in sim_orders(sim.url, MARGIN) if o["OrderID"] not in before]
        assert len(created) == 1  # the server has exactly one order, never a resend
        assert outcome.order_id is not None and outcome.order_id == created[0]["OrderID"]
        # found: the ticket closes, a notification names the order; nothing is resent
        assert notified(app, outcome.order_id) and notified(app, "outcome was unknown")
        await wait_until(pilot, lambda: app.screen is not ticket, 5, "the ticket closed")
        assert not app.live.order_book.pending  # the placeholder row resolved
        await pilot.press("escape")
        await wait_until(pilot, lambda: results, 5)
        assert results[0].order_id == outcome.order_id
        await app.live.disconnect()
    kinds = [json.loads(line)["kind"] for line in (settings.state_dir / "audit.jsonl").open()]
    assert kinds.count("order.place") == 1
    assert "order.place.unknown" in kinds and "order.place.reconciled" in kinds


async def test_unknown_outcome_shows_pending_then_the_reconciled_order(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        trading = trading_service(app)
        trading.reconcile_poll_s = 0.1
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", quantity="3")
        ticket, _ = await open_ticket(app, pilot, fields)
        await preview(ticket, pilot)
        confirm_id = ticket.order_confirm_id
        app.live.stop_streams()  # only the orders endpoint can tell what happened
        sim_post(sim.url, "/_sim/faults/reset-after-accept", {"count": 1})
        sim_post(
            sim.url, "/_sim/faults/latency", {"seconds": 1.5}
        )  # slow REST: long enough to watch it
        await pilot.press("f8")
        await wait_until(
            pilot, lambda: "unknown: reconciling" in text_of(ticket, "result"), what="unknown"
        )
        assert list(app.live.order_book.pending) == [confirm_id]  # the blotter's pending row
        assert not place_enabled(ticket) and ticket.query_one("#preview-btn").disabled
        await wait_until(
            pilot, lambda: ticket.outcome is not None and ticket.outcome.kind == "reconciled", 10
        )
        assert not app.live.order_book.pending
        assert ticket.outcome is not None and ticket.outcome.order_id
        assert notified(app, ticket.outcome.order_id)
        assert order_in_book(app, ticket.outcome.order_id) is not None
        # the intent was sent once: the service refuses to send it again, whatever the caller
        assert ticket.preview is not None
        with pytest.raises(PlacementRefused, match="already sent"):
            await trading.place(ticket.preview)
        await app.live.disconnect()


async def test_dropped_fill_frame_is_repaired_by_reconciliation(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        quote = (await app.live.api.get_quotes(["NVDA"])).items[0]
        assert quote.last is not None
        limit = (quote.last * Decimal("0.98")).quantize(Decimal("0.01"))
        [result] = await app.live.api.place_order(buy_limit("NVDA", 4, limit))
        order_id = result.order_id
        assert order_id is not None
        await wait_until(pilot, lambda: order_in_book(app, order_id) is not None, 10)
        sim_post(sim.url, "/_sim/faults/drop", {"stream": "orders", "count": 1})
        sim_post(sim.url, "/_sim/price", {"symbol": "NVDA", "price": str(limit - 1)})
        truth = {o["OrderID"]: o["Status"] for o in sim_orders(sim.url, MARGIN)}
        assert truth[order_id] == "FLL"
        await pilot.pause(0.6)  # heartbeats keep coming; the fill frame never does
        assert getattr(order_in_book(app, order_id), "status", "") != "FLL"
        await app.live.reconcile_orders()  # what LiveData's periodic reconcile runs
        await pilot.pause(0.3)
        order = order_in_book(app, order_id)
        assert order is not None and order.status == "FLL"
        assert sum(f.qty for f in app.live.order_book.fills_for(order_id)) == 4
        await app.live.disconnect()


async def test_goaway_during_a_burst_loses_no_order(sim: SimServer, settings: Settings) -> None:
    app = recording_app(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        api = app.live.api
        sim_post(sim.url, "/_sim/orders/burst", {"account": MARGIN, "frames": 3000})
        placed: list[str] = []
        for i in range(6):
            [result] = await api.place_order(buy_limit("AAPL", i + 1, Decimal("100.00")))
            assert result.order_id
            placed.append(result.order_id)
            if i == 2:
                sim_post(sim.url, "/_sim/faults/goaway", {"stream": "orders"})
            await asyncio.sleep(0.02)
        await wait_until(
            pilot,
            lambda: (
                app.live.stream_health["orders"].state == "live"
                and all(order_in_book(app, oid) is not None for oid in placed)
            ),
            15,
            "every order after the GoAway",
        )
        truth = {
            o["OrderID"]: o["Status"]
            for o in sim_orders(sim.url, MARGIN)
            if o["Status"] not in ("FLL", "CAN", "REJ", "EXP", "OUT") or o["OrderID"] in placed
        }
        await wait_until(
            pilot,
            lambda: all(
                getattr(order_in_book(app, oid), "status", None) == status
                for oid, status in truth.items()
            ),
            10,
            "the book to match the server",
        )
        opens = [c for c in app.live.call_log if c.method == "STREAM" and "orders" in c.path]
        assert len(opens) >= 2  # the GoAway really reconnected the stream
        await app.live.disconnect()
