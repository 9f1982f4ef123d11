"""Helpers shared by the trading UI tests (ticket, blotter screen, faults)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import anyio
import httpx
from textual.pilot import Pilot
from textual.widgets import Button, Static

from tstui.config import Settings
from tstui.domain.models import Order
from tstui.domain.risk import RiskLimits
from tstui.domain.ticket import TicketFields
from tstui.ui.app import TstuiApp
from tstui.ui.base import BaseScreen
from tstui.ui.screens.order_ticket import OrderTicket, open_order_ticket
from tstui.ui.screens.ticket_form import TicketForm

SIZE = (140, 48)
MARGIN = "SIM1000001M"
FUTURES = "SIM1000002F"
CASH = "SIM1000003C"
NO_LIMITS = RiskLimits(duplicate_window_s=0.0)


def with_risk(settings: Settings, risk: RiskLimits) -> Settings:
    return replace(settings, risk={"sim": risk, "live": risk})


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    try:
        with anyio.fail_after(timeout):
            while not predicate():
                await pilot.pause(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or predicate}") from None


async def started(app: TstuiApp, pilot: Pilot[Any]) -> None:
    """Connected, accounts loaded, a main view showing and the orders stream live."""
    await wait_until(pilot, lambda: isinstance(app.screen, BaseScreen), 15, "a main screen")
    await wait_until(pilot, lambda: bool(app.live.accounts), 10, "accounts")
    await wait_until(
        pilot, lambda: app.live.stream_health["orders"].state == "live", 10, "orders stream"
    )


def sim_post(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    with httpx.Client(timeout=10.0) as client:
        response = client.post(url + path, json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def sim_orders(url: str, account: str) -> list[dict[str, Any]]:
    with httpx.Client(timeout=10.0) as client:
        state = client.get(url + "/_sim/state").json()
    orders: list[dict[str, Any]] = state["accounts"][account]["orders"]
    return orders


async def open_ticket(
    app: TstuiApp, pilot: Pilot[Any], fields: TicketFields, intent: str = "new"
) -> tuple[OrderTicket, list[Any]]:
    """Open a ticket, wait for the symbol details; returns it and the list its result lands in."""
    results: list[Any] = []
    ticket = open_order_ticket(app, fields, intent=intent, on_result=results.append)
    await wait_until(
        pilot, lambda: app.screen is ticket and bool(ticket.query(TicketForm)), 5, "the ticket"
    )
    await pilot.pause()
    if fields.symbol:
        await wait_until(
            pilot,
            lambda: ticket.form.info is not None and ticket.form.info.symbol == fields.symbol,
            5,
            "symbol details",
        )
    return ticket, results


def text_of(ticket: OrderTicket, widget_id: str) -> str:
    return str(ticket.query_one(f"#{widget_id}", Static).content)


def place_enabled(ticket: OrderTicket) -> bool:
    return not ticket.query_one("#place", Button).disabled


async def preview(ticket: OrderTicket, pilot: Pilot[Any]) -> None:
    """Press F5 and wait for the preview (or its refusal) to come back."""
    before = text_of(ticket, "preview")
    await pilot.press("f5")
    await wait_until(
        pilot,
        lambda: not ticket.busy and (text_of(ticket, "preview") != before or ticket.issues),
        10,
        "the preview",
    )
    await pilot.pause()


async def place(ticket: OrderTicket, pilot: Pilot[Any]) -> None:
    assert place_enabled(ticket), text_of(ticket, "issues")
    await pilot.press("f8")
    await wait_until(
        pilot,
        lambda: ticket.outcome is not None and ticket.outcome.kind != "unknown",
        15,
        "the placement outcome",
    )
    await pilot.pause()


def order_in_book(app: TstuiApp, order_id: str | None) -> Order | None:
    return app.live.order_book.get(order_id) if order_id else None
