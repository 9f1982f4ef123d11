"""The depth view (6) against the simulator: the ladder at the tick, working orders at their
prices, a limit at the cursor through the ticket's preview and place, cancel at a price, the
linked symbol, a dropped stream that recovers, and refusals shown in the view."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sim_tokens import access_token
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import (
    MARGIN,
    SIZE,
    place,
    preview,
    rendered_text,
    sim_orders,
    sim_post,
    started,
    wait_until,
)

from tstui.config import Settings, TradingSettings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.depth.ladder import DepthLadder
from tstui.ui.views.depth.screen import DepthScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio
CENT = Decimal("0.01")


async def open_depth(app: TstuiApp, pilot: Pilot[Any], symbol: str = "MSFT") -> DepthLadder:
    await started(app, pilot)
    app.select_account(MARGIN)
    app.live.link_symbol(symbol)
    await pilot.press("6")
    await wait_until(pilot, lambda: isinstance(app.screen, DepthScreen), 5, "the depth view")
    screen = app.screen
    assert isinstance(screen, DepthScreen)
    ladder = screen.ladder
    await wait_until(
        pilot,
        lambda: ladder.frames > 0 and ladder.detail is not None and bool(ladder.body.rows),
        10,
        "the first book",
    )
    # the last trade comes from the quote hub, on its own stream
    await wait_until(pilot, lambda: any(r.last for r in ladder.body.rows), 10, "the last trade")
    return ladder


def rest_order(sim: SimServer, price: Decimal, qty: str = "10", action: str = "BUY") -> str:
    body = {
        "AccountID": MARGIN,
        "Symbol": "MSFT",
        "Quantity": qty,
        "OrderType": "Limit",
        "LimitPrice": str(price),
        "TradeAction": action,
        "TimeInForce": {"Duration": "DAY"},
    }
    headers = {"Authorization": f"Bearer {access_token(sim)}"}
    answer = httpx.post(f"{sim.url}/v3/orderexecution/orders", json=body, headers=headers)
    order_id: str = answer.json()["Orders"][0]["OrderID"]
    return order_id


def shown_message(ladder: DepthLadder) -> str:
    widget = ladder.query_one("#depth-message", Static)
    assert widget.has_class("-shown") and widget.has_class("-error")
    return str(widget.content)


def row_at(ladder: DepthLadder, price: Decimal) -> Any:
    return next((r for r in ladder.body.rows if r.price == price), None)


async def test_rows_at_the_tick_with_the_book_and_a_working_order(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        ladder = await open_depth(app, pilot)
        rows = ladder.body.rows
        assert len(rows) == ladder.body.row_count
        assert all(a.price - b.price == CENT for a, b in pairwise(rows))
        best_bid, best_ask = ladder.model.best_bid, ladder.model.best_ask
        assert best_bid is not None and best_ask is not None
        assert best_ask - best_bid == 2 * CENT  # the sim's one-tick-each-side spread
        bid_row = row_at(ladder, best_bid)
        assert bid_row.best_bid and bid_row.bid_size == Decimal(200)  # the quote's BidSize
        assert sum(1 for r in rows if r.last) == 1  # the last trade is marked
        price = best_bid - 5 * CENT
        rest_order(sim, price, qty="30")
        await wait_until(
            pilot, lambda: row_at(ladder, price).buy_quantity == 30, 10, "the order row"
        )
        text = rendered_text(ladder.body)
        line = next(ln for ln in text.splitlines() if f"{price:.2f}" in ln)
        assert "30 LMT" in line and line.index("30 LMT") < line.index(f"{price:.2f}")
        assert "▶" in text
        assert app.live.current_symbol == "MSFT"
        await pilot.press("pageup", "pageup")  # the market off the window: a pointer to it
        await pilot.pause()
        assert "market ↓" in rendered_text(ladder.body).splitlines()[0]
        await pilot.press("home")
        await pilot.pause()
        assert ladder.model.cursor == ladder.model.reference()
        assert "market" not in rendered_text(ladder.body).splitlines()[0]


async def test_limit_at_the_cursor_previews_then_places(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=(140, 48)) as pilot:
        ladder = await open_depth(app, pilot)
        start = ladder.model.cursor
        assert start is not None
        await pilot.press("down", "down", "down", "down")
        price = start - 4 * CENT
        assert ladder.model.cursor == price
        assert app.live.current_symbol == "MSFT"  # moving the cursor links nothing
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 5, "the ticket")
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        await wait_until(pilot, lambda: ticket.form.info is not None, 5, "symbol details")
        fields = ticket.form.fields()
        assert (fields.symbol, fields.action, fields.order_type) == ("MSFT", "BUY", "Limit")
        assert Decimal(fields.limit_price) == price and fields.quantity == "100"
        assert not sim_orders(sim.url, MARGIN) or all(
            o.get("LimitPrice") != f"{price:.2f}" for o in sim_orders(sim.url, MARGIN)
        )  # nothing is sent before the preview and the place
        await preview(ticket, pilot)
        await place(ticket, pilot)
        assert ticket.outcome is not None and ticket.outcome.kind == "placed"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DepthScreen), 5)
        await wait_until(
            pilot, lambda: row_at(ladder, price).buy_quantity == 100, 10, "the new order"
        )
        placed = [o for o in sim_orders(sim.url, MARGIN) if o.get("LimitPrice") == f"{price:.2f}"]
        assert len(placed) == 1


async def test_stop_keys_prefill_a_stop_ticket(sim: SimServer, settings: Settings) -> None:
    presets = {"stock": (7, 70, 700), "future": (1,), "option": (1,)}
    app = TstuiApp(replace(settings, trading=TradingSettings(presets=presets)))
    async with app.run_test(size=(140, 48)) as pilot:
        ladder = await open_depth(app, pilot)
        await pilot.press("up", "up", "right_square_bracket")
        screen = app.screen
        assert isinstance(screen, DepthScreen)
        target = screen.trade_target()  # what one-key trading acts on: the cursor's price
        assert target is not None and target.symbol == "MSFT"
        assert target.price == ladder.model.cursor and target.bid == ladder.model.best_bid
        # no account: one-key trading picks one that can trade the symbol (a future from the
        # equities account would be refused at preview)
        assert target.account_id is None and target.last is not None
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 5, "the ticket")
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        await wait_until(pilot, lambda: ticket.form.info is not None, 5, "symbol details")
        fields = ticket.form.fields()
        # the second of the config's stock presets ([trading.presets])
        assert (fields.action, fields.order_type, fields.quantity) == ("BUY", "StopMarket", "70")
        assert ladder.model.cursor is not None
        assert Decimal(fields.stop_price) == ladder.model.cursor and not fields.limit_price


async def test_cancel_at_the_cursor_asks_then_cancels_each_once(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        ladder = await open_depth(app, pilot)
        best_bid = ladder.model.best_bid
        assert best_bid is not None
        price = best_bid - 3 * CENT
        ids = {rest_order(sim, price, qty="5"), rest_order(sim, price, qty="7")}
        other = rest_order(sim, price - CENT, qty="9")
        await wait_until(pilot, lambda: row_at(ladder, price).buy_quantity == 12, 10)
        await pilot.press("c")  # nothing at the cursor (the market): nothing asked
        await pilot.pause(0.2)
        assert isinstance(app.screen, DepthScreen)
        steps = int((ladder.model.cursor - price) / CENT)  # type: ignore[operator]
        await pilot.press(*["down"] * steps, "c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: row_at(ladder, price).buy_quantity == 0, 10, "the cancels")
        statuses = {o["OrderID"]: o["Status"] for o in sim_orders(sim.url, MARGIN)}
        assert {statuses[i] for i in ids} == {"CAN"} and statuses[other] != "CAN"
        deletes = [r for r in app.live.call_log if r.method == "DELETE"]
        assert sorted(r.path.rsplit("/", 1)[-1] for r in deletes) == sorted(ids)


async def test_typed_symbol_links_and_the_ladder_follows_the_link(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        ladder = await open_depth(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"@es", "enter")
        await wait_until(pilot, lambda: ladder.trade_symbol not in (None, "@ES", "MSFT"), 10)
        assert app.live.current_symbol == "@ES" and ladder.symbol == "@ES"
        await wait_until(pilot, lambda: ladder.model.tick == Decimal("0.25") and ladder.frames > 0)
        await wait_until(pilot, lambda: bool(ladder.body.rows))
        rows = ladder.body.rows
        assert rows[0].price - rows[1].price == Decimal("0.25")
        app.live.link_symbol("AAPL")  # linked elsewhere (board, positions): followed
        await wait_until(pilot, lambda: ladder.symbol == "AAPL" and ladder.frames > 0, 10)


async def test_a_dropped_stream_recovers_with_its_health_shown(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        ladder = await open_depth(app, pilot)
        await wait_until(pilot, lambda: ladder.health.state == "live", 5)
        frames = ladder.frames
        seen: list[str] = []
        original = ladder._set_health

        def spy(state: Any, detail: str) -> None:
            seen.append(state)
            original(state, detail)

        ladder._set_health = spy  # type: ignore[method-assign]
        sim_post(sim.url, "/_sim/faults/goaway", {"stream": "marketdepth"})
        await wait_until(pilot, lambda: ladder.frames > frames, 10, "a book after the reconnect")
        await wait_until(pilot, lambda: ladder.health.state == "live", 5)
        assert "reconnecting" in seen
        status = str(ladder.query_one("#depth-status").render())
        assert "depth live" in status


async def test_no_matrix_scope_is_a_clear_message_not_a_crash(
    sim: SimServer, sim_settings: Settings
) -> None:
    from tstui.client.demo import demo_sign_in

    narrow = replace(sim_settings, scopes="openid offline_access MarketData ReadAccount Trade")
    await demo_sign_in(narrow)
    app = TstuiApp(narrow)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: isinstance(app.screen, DepthScreen), 5)
        screen = app.screen
        assert isinstance(screen, DepthScreen)
        ladder = screen.ladder
        await wait_until(pilot, lambda: ladder.refused is not None, 10, "the refusal")
        message = shown_message(ladder)
        assert "401" in message and "Matrix scope" in message
        assert "add Matrix to scopes in [api]" in message  # the config did not ask for it
        assert ladder.health.state == "failed" and app.is_running
        await pilot.press("down", "pageup", "home", "l")  # keys on a refused ladder: no crash
        await wait_until(pilot, lambda: ladder.refused is not None, 10, "refused again")
        assert isinstance(app.screen, DepthScreen) and app.is_running


async def test_no_entitlement_403_names_what_is_missing(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        sim_post(sim.url, "/_sim/faults/http", {"group": "streams", "status": 403, "count": 2})
        await pilot.press("6")
        await wait_until(pilot, lambda: isinstance(app.screen, DepthScreen), 5)
        screen = app.screen
        assert isinstance(screen, DepthScreen)
        ladder = screen.ladder
        await wait_until(pilot, lambda: ladder.refused is not None, 10, "the refusal")
        message = shown_message(ladder)
        assert "403 Forbidden" in message and "entitlement" in message


async def test_hostile_server_text_in_the_ladder_and_its_refusal(
    sim: SimServer, settings: Settings
) -> None:
    from test_hostile_sim import HOSTILE, set_hostile
    from test_hostile_ui import assert_screen_safe

    # all but the lone surrogate: the client's "stream failed" warning logs the server's
    # message, and pytest-xdist cannot ship a log record holding one between processes
    text = " ".join(value for name, value in HOSTILE.items() if name != "surrogate")
    set_hostile(sim.url, text, stream_errors=1)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        app.live.link_symbol("MSFT")
        await pilot.press("6")
        await wait_until(pilot, lambda: isinstance(app.screen, DepthScreen), 5)
        screen = app.screen
        assert isinstance(screen, DepthScreen)
        ladder = screen.ladder
        await wait_until(pilot, lambda: ladder.frames > 0, 10, "a book")
        await pilot.pause(0.5)
        assert_screen_safe(app, "depth")
        # a refusal whose Message is hostile: shown, made visible, never markup
        sim_post(sim.url, "/_sim/faults/http", {"group": "streams", "status": 403, "count": 3})
        await pilot.press("l")  # reopen (the per-participant stream)
        await wait_until(pilot, lambda: ladder.refused is not None, 10, "the refusal")
        await pilot.pause(0.3)
        assert "T5 x[/]y" in shown_message(ladder)
        assert "T1␛" in assert_screen_safe(app, "depth refusal")
        assert app.is_running


async def test_a_quiet_stream_shows_the_age_of_its_last_frame(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        ladder = await open_depth(app, pilot)
        await wait_until(pilot, lambda: ladder.health.state == "live", 5)
        ladder.health.heartbeat_s = 0.2  # the sim's heartbeats here are 0.5 s apart, not 5
        sim_post(sim.url, "/_sim/faults/stall", {"stream": "marketdepth", "seconds": 1.8})
        await wait_until(pilot, lambda: "depth stale" in ladder.status_text(), 5, "the stale label")
        await wait_until(pilot, lambda: "depth live ·" in ladder.status_text(), 10, "live again")
