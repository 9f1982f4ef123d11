"""The order ticket on the simulator: preview discipline, place once, risk checks, results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.app import App
from textual.widgets import Button, Checkbox, Input, Label
from ui_support import (
    CASH,
    FUTURES,
    MARGIN,
    TICKET_SIZE,
    open_limit_ticket,
    open_ticket,
    order_in_book,
    place,
    place_enabled,
    preview,
    sim_post,
    started,
    text_of,
    wait_until,
    with_risk,
)

from tstui.client.errors import OrderOutcomeUnknown, TransportError
from tstui.config import Settings
from tstui.domain.batch import Batch
from tstui.domain.models import Account, OrderConfirmation, OrderResult, Position
from tstui.domain.orders.book import OrderBook
from tstui.domain.orders.risk import RiskLimits
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.themes import TRADING_VARIABLES
from tstui.ui.trading.service import PlacementRefused, TradingService, trading_service
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.trading.ticket_form import TicketForm
from tstui.ui.views.positions.screen import PositionsScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def notified(app: App[Any], text: str) -> bool:
    """A notification says ``text`` (a placed order closes its ticket with one)."""
    return any(text in str(n.message) for n in app._notifications)


async def test_preview_edit_disables_place_then_place_once(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket, results, _ = await open_limit_ticket(app, pilot, MARGIN, "MSFT", "1")
        await pilot.pause()
        assert not place_enabled(ticket)  # nothing previewed yet
        await preview(ticket, pilot)
        assert "BUY 1 MSFT Limit" in text_of(ticket, "preview")
        assert "Estimated price" in text_of(ticket, "preview")
        assert place_enabled(ticket)
        ticket.query_one("#quantity", Input).value = "2"
        await pilot.pause()
        assert not place_enabled(ticket)  # the form no longer matches the preview
        await preview(ticket, pilot)
        assert place_enabled(ticket)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        order_id = ticket.outcome.order_id
        # placed: the ticket closes with its order, and a notification names it
        await wait_until(pilot, lambda: results, 5, "the ticket result")
        assert results[0].order_id == order_id and app.screen is not ticket
        assert order_id and notified(app, f"order {order_id}")
        with pytest.raises(PlacementRefused, match="already sent"):  # never twice
            assert ticket.preview is not None
            await trading_service(app).place(ticket.preview)
        await wait_until(pilot, lambda: app.live.order_book.get(order_id) is not None, 10)
        await app.live.disconnect()


async def test_limit_order_fills_when_the_price_crosses(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        ticket, _, limit = await open_limit_ticket(app, pilot, MARGIN, "AAPL", "3")
        await preview(ticket, pilot)
        await place(ticket, pilot)
        order_id = ticket.outcome.order_id if ticket.outcome else None
        assert order_id
        await wait_until(pilot, lambda: order_in_book(app, order_id) is not None, 10)
        assert order_in_book(app, order_id).status_group == "working"  # type: ignore[union-attr]
        sim_post(sim.url, "/_sim/price", {"symbol": "AAPL", "price": str(Decimal(limit) - 1)})
        await wait_until(
            pilot,
            lambda: getattr(order_in_book(app, order_id), "status", "") == "FLL",
            10,
            "the fill",
        )
        fills = app.live.order_book.fills_for(order_id)
        assert sum(f.qty for f in fills) == 3
        await app.live.disconnect()


async def test_rejected_order_shows_its_reason(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        # 150 NVDA fit the cash account's buying power at the preview...
        fields = TicketFields(account=CASH, symbol="NVDA", action="BUY", quantity="150")
        ticket, results = await open_ticket(app, pilot, fields)
        await preview(ticket, pilot)
        assert place_enabled(ticket), text_of(ticket, "preview")
        # ...but not once the price jumped: the server rejects the placement
        sim_post(sim.url, "/_sim/price", {"symbol": "NVDA", "price": "200"})
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "rejected"
        assert "Insufficient buying power" in text_of(ticket, "result")
        assert not place_enabled(ticket)
        rejected_id = ticket.outcome.order_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: results, 5)
        assert results == [None]
        await wait_until(pilot, lambda: order_in_book(app, rejected_id) is not None, 10)
        order = order_in_book(app, rejected_id)
        assert order is not None and order.status == "REJ"
        assert "Insufficient buying power" in (order.reject_reason or "")
        await app.live.disconnect()


async def test_preview_refusal_is_shown_and_nothing_can_be_placed(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=CASH, symbol="NVDA", action="SELLSHORT", quantity="1")
        ticket, _ = await open_ticket(app, pilot, fields)
        await preview(ticket, pilot)
        assert "Short selling is not allowed" in text_of(ticket, "preview")
        assert not place_enabled(ticket)
        await app.live.disconnect()


async def test_risk_limits_block_and_warnings_need_an_override(
    settings: Settings,
) -> None:
    limits = RiskLimits(max_quantity=Decimal(10), price_band_pct=Decimal(1), duplicate_window_s=0)
    app = TstuiApp(with_risk(settings, limits))
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest supported terminal
        await started(app, pilot)
        ticket, _, _ = await open_limit_ticket(app, pilot, MARGIN, "MSFT", "11", "0.9")
        calls_before = len(app.live.call_log)
        await pilot.press("f5")
        await pilot.pause(0.3)
        issues = text_of(ticket, "issues")
        assert "error: Quantity 11 is above the limit of 10" in issues  # label not repeated
        assert ticket.preview is None and not place_enabled(ticket)
        new_calls = list(app.live.call_log)[: len(app.live.call_log) - calls_before]
        assert not any("orderconfirm" in c.path for c in new_calls)  # blocked before any request
        # within the hard limit, the price band only warns: preview works, Place needs override
        ticket.query_one("#quantity", Input).value = "10"
        await preview(ticket, pilot)
        assert ticket.preview is not None
        assert "warning: Limit:" in text_of(ticket, "issues")
        assert not place_enabled(ticket)
        await pilot.press("f8")  # ticket.place: refused, and it says why
        await pilot.pause()
        assert "Override warnings" in text_of(ticket, "result") and ticket.outcome is None
        override = ticket.query_one("#override", Checkbox)
        assert override.display
        await pilot.pause()
        body = ticket.query_one("#ticket-body").region
        for widget_id in ("preview-btn", "place", "result"):  # docked: always in view at 80x24
            region = ticket.query_one(f"#{widget_id}").region
            assert ticket.region.contains_region(region) and not body.overlaps(region), widget_id
        assert body.contains_region(override.region)  # scrolled into view with the warnings
        override.value = True
        await pilot.pause()
        assert place_enabled(ticket)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        await app.live.disconnect()
    entries = [json.loads(line) for line in (settings.state_dir / "audit.jsonl").open()]
    placed = [e for e in entries if e["kind"] == "order.place"]
    assert placed and placed[-1]["payload"]["overridden_warnings"]
    assert placed[-1]["env"] == "sim" and placed[-1]["account"] == MARGIN
    kinds = {e["kind"] for e in entries}
    assert {"order.preview", "order.place", "order.place.result"} <= kinds


async def test_futures_ticket_steps_by_tick_and_offers_future_actions(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        fields = TicketFields(account=FUTURES, symbol="ESZ26", order_type="Limit")
        ticket, _ = await open_ticket(app, pilot, fields, intent="sell")
        assert ticket.form.fields().action == "SELL"
        price = ticket.query_one("#limit_price", Input)
        price.value = "4500.00"
        price.focus()
        await pilot.press("up")
        assert price.value == "4500.25"
        await pilot.press("down", "down")
        assert price.value == "4499.75"
        # the buttons show the futures presets ([trading.presets] future = 1, 2, 5)
        five = next(b for b in ticket.query(".preset").results(Button) if str(b.label) == "5")
        await pilot.click(f"#{five.id}")
        assert ticket.form.fields().quantity == "5"
        await pilot.press("f2")
        assert ticket.form.fields().action == "BUY"
        assert "tick 0.25" in text_of(ticket, "symbol-info")
        ticket.query_one("#limit_price", Input).value = "4500.10"
        await pilot.press("f5")
        await pilot.pause(0.2)
        assert "not on the 0.25 tick" in text_of(ticket, "issues")
        await app.live.disconnect()


async def test_o_opens_a_ticket_anywhere_and_x_flattens_a_position(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 5, "the ticket")
        await pilot.pause(0.2)
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        assert ticket.form.fields().account == app.live.all_account_ids[0]
        await pilot.press("escape")
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 5)
        positions = app.screen
        assert isinstance(positions, PositionsScreen)
        await wait_until(pilot, lambda: positions.table.row_count > 1, 10, "positions")
        for index, row in enumerate(positions.table.rows):
            position = getattr(row, "position", None)
            if position is not None and position.symbol == "MSFT":
                positions.table.move_cursor(index)
                break
        assert positions.selected_position is not None
        assert positions.selected_position.symbol == "MSFT"
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 5, "the ticket")
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        await wait_until(pilot, lambda: ticket.form.info is not None, 5)
        fields = ticket.form.fields()
        assert (fields.account, fields.symbol, fields.action, fields.quantity) == (
            MARGIN,
            "MSFT",
            "SELL",
            "100",
        )
        await preview(ticket, pilot)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        await wait_until(
            pilot,
            lambda: (
                not any(
                    p.symbol == "MSFT" and p.account_id == MARGIN
                    for p in app.live.positions.values()
                )
            ),
            10,
            "the flat position",
        )
        await app.live.disconnect()


# -- without a server: LIVE styling and the service's refusals --------------------------------


@dataclass
class FakeContext:
    """A TradingContext with a scripted API (confirm works; everything else is offline)."""

    settings: Settings
    api: Any = None
    order_book: OrderBook = field(default_factory=OrderBook)
    accounts: list[Account] = field(default_factory=lambda: [Account("123456", "Margin")])
    current_account: str | None = None
    positions: dict[str, Position] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.api = FakeApi()


class FakeApi:
    async def confirm_order(self, req: Any) -> list[OrderConfirmation]:
        return [OrderConfirmation(account_id=req.account_id, summary_message="ok")]

    async def get_routes(self) -> list[Any]:
        raise TransportError("offline")

    async def get_symbols(self, symbols: Any) -> Any:
        raise TransportError("offline")

    async def place_order(self, req: Any) -> list[OrderResult]:
        return [OrderResult("1", "sent")]


MARKET_BUY = TicketFields(account="123456", symbol="XYZ", action="BUY", quantity="1")


async def test_live_ticket_is_red_and_names_the_environment(tmp_path: Path) -> None:
    context = FakeContext(Settings(env="live", state_dir=tmp_path))
    ticket = OrderTicket(TradingService(context), MARKET_BUY)

    class Host(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(TRADING_VARIABLES)  # $live-warning etc., as TstuiApp has them

        def on_mount(self) -> None:
            self.push_screen(ticket)

    async with Host().run_test(size=TICKET_SIZE) as pilot:
        await wait_until(pilot, lambda: bool(ticket.query(TicketForm)), 5)
        await pilot.pause()
        assert ticket.query_one("#ticket-box").has_class("-live")
        assert "LIVE" in str(ticket.query_one("#ticket-title", Label).content)
        assert ticket.query_one("#place", Button).variant == "error"


async def test_a_ticket_opened_in_sim_neither_previews_nor_places_after_a_switch(
    tmp_path: Path,
) -> None:
    context = FakeContext(Settings(env="sim", state_dir=tmp_path))
    ticket = OrderTicket(TradingService(context), MARKET_BUY)

    class Host(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(TRADING_VARIABLES)

        def on_mount(self) -> None:
            self.push_screen(ticket)

    async with Host().run_test(size=TICKET_SIZE) as pilot:
        await wait_until(pilot, lambda: bool(ticket.query(TicketForm)), 5)
        await pilot.pause()
        ticket.action_preview()
        await wait_until(pilot, lambda: ticket.preview is not None, 5, "the SIM preview")
        ticket.query_one("#override", Checkbox).value = True  # no price: a notional warning
        await pilot.pause()
        assert ticket.can_place()
        context.settings = replace(context.settings, env="live")  # switched under the ticket
        assert not ticket.can_place()
        ticket.preview = None
        ticket.action_preview()
        await pilot.pause()
        assert ticket.preview is None and not ticket.busy
        assert "LIVE" in text_of(ticket, "result")


async def test_the_service_refuses_foreign_stale_and_repeated_placements(tmp_path: Path) -> None:
    context = FakeContext(Settings(env="sim", state_dir=tmp_path))
    now = [datetime(2026, 12, 1, 15, 0, tzinfo=UTC)]
    service = TradingService(context, clock=lambda: now[0])
    other = TradingService(context, clock=lambda: now[0])
    outcome = await service.preview(MARKET_BUY, None, order_confirm_id="A1")
    assert outcome.preview is not None
    foreign = await other.preview(MARKET_BUY, None, order_confirm_id="A2")
    assert foreign.preview is not None
    with pytest.raises(PlacementRefused, match="not issued here"):
        await service.place(foreign.preview)
    superseded = outcome.preview
    again = await service.preview(MARKET_BUY, None, order_confirm_id="A1")
    assert again.preview is not None
    with pytest.raises(PlacementRefused, match="superseded"):
        await service.place(superseded)
    now[0] += timedelta(minutes=10)
    with pytest.raises(PlacementRefused, match="old"):
        await service.place(again.preview)
    fresh = await service.preview(MARKET_BUY, None, order_confirm_id="A1")
    assert fresh.preview is not None
    context.settings = replace(context.settings, env="live")
    with pytest.raises(PlacementRefused, match="environment changed"):
        await service.place(fresh.preview)
    context.settings = replace(context.settings, env="sim")
    with pytest.raises(PlacementRefused, match="override"):  # no price: notional unknown
        await service.place(fresh.preview)
    placed = await service.place(fresh.preview, override_warnings=True)
    assert placed.kind == "placed" and placed.order_id == "1"
    with pytest.raises(PlacementRefused, match="already sent"):
        await service.place(fresh.preview)
    # the same order again within the duplicate window: a warning that needs the override
    twin = await service.preview(MARKET_BUY, None, order_confirm_id="B1")
    assert twin.preview is not None
    assert "duplicate" in {w.check for w in twin.preview.warnings}
    # nothing was sent without its audit entry first
    kinds = [json.loads(line)["kind"] for line in (tmp_path / "audit.jsonl").open()]
    assert kinds.count("order.place") == 1
    assert kinds.index("order.place") + 1 == kinds.index("order.place.result")


async def test_an_env_switch_during_reconciliation_gives_no_verdict(tmp_path: Path) -> None:
    context = FakeContext(Settings(env="sim", state_dir=tmp_path))

    async def lost(req: Any) -> list[OrderResult]:
        raise OrderOutcomeUnknown("POST", "/v3/orderexecution/orders", "ReadTimeout")

    async def no_orders(ids: Any, order_ids: Any = None) -> Batch[Any]:
        return Batch()

    async def switch(seconds: float) -> None:
        context.settings = replace(context.settings, env="live")

    context.api.place_order = lost
    context.api.get_orders = no_orders
    service = TradingService(context, sleep=switch, reconcile_timeout_s=60.0)
    shown = await service.preview(MARKET_BUY, None, order_confirm_id="U1")
    assert shown.preview is not None
    unknown = await service.place(shown.preview, override_warnings=True)
    assert unknown.kind == "unknown"
    final = await service.resolve_unknown(unknown)
    assert final.kind == "not_found" and "environment changed" in final.message
    entries = [json.loads(line) for line in (tmp_path / "audit.jsonl").open()]
    assert not any(e["env"] == "live" for e in entries)  # nothing filed under LIVE
    assert entries[-1]["kind"] == "order.place.unresolved" and entries[-1]["env"] == "sim"


async def test_a_sell_that_only_reduces_the_position_is_not_size_capped(
    settings: Settings,
) -> None:
    # The margin account holds 100 MSFT: with a 10-share cap, selling all 100 closes and is
    # never blocked; selling 111 opens 11 short beyond flat, and that part is capped.
    limits = RiskLimits(max_quantity=Decimal(10), duplicate_window_s=0)
    app = TstuiApp(with_risk(settings, limits))
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await wait_until(
            pilot,
            lambda: any(p.symbol == "MSFT" for p in app.live.positions.values()),
            10,
            "the MSFT position",
        )
        for quantity, capped in (("100", False), ("111", True)):
            fields = TicketFields(
                account=MARGIN, symbol="MSFT", action="SELL", quantity=quantity, order_type="Market"
            )
            ticket, _ = await open_ticket(app, pilot, fields)
            await preview(ticket, pilot)
            issues = text_of(ticket, "issues")
            assert ("above the limit" in issues) is capped, issues
            assert (ticket.preview is None) is capped
            await pilot.press("escape")
            await pilot.pause()
        await app.live.disconnect()
