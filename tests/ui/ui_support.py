"""Helpers shared by the UI tests: waiting on the app, reading what widgets show, poking the
simulator's admin API, and driving the order ticket (fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

import anyio
import httpx
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from tstui.config import Settings
from tstui.domain.models import Order
from tstui.domain.orders.risk import RiskLimits
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.base import BaseScreen
from tstui.ui.trading.ticket import OrderTicket, open_order_ticket

SIZE = (120, 40)
TICKET_SIZE = (140, 48)  # room for the ticket's form, preview and result side by side
MARGIN = "SIM1000001M"
FUTURES = "SIM1000002F"
CASH = "SIM1000003C"
NO_LIMITS = RiskLimits(duplicate_window_s=0.0)

S = TypeVar("S", bound=Screen[Any])


def with_risk(settings: Settings, risk: RiskLimits) -> Settings:
    return replace(settings, risk={"sim": risk, "live": risk})


# -- waiting ----------------------------------------------------------------------------

# A wait only bounds how long a test hangs when something is broken; one that passes early
# costs nothing. On a loaded CI machine (``-n auto`` on 2 cores) a screen or a round trip to
# the simulator can take many seconds, so no wait gives up before this.
MIN_WAIT_S = 30.0


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    try:
        with anyio.fail_after(max(timeout, MIN_WAIT_S)):
            while not predicate():
                await pilot.pause(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or predicate}") from None


async def wait_for_screen(
    app: TstuiApp,
    pilot: Pilot[Any],
    kind: type[S],
    ready: Callable[[S], object] | None = None,
    timeout: float = 10.0,
) -> S:
    """Wait until the app shows a ``kind`` screen for which ``ready(screen)`` holds."""

    def shown() -> bool:
        screen = app.screen
        # mounted: composed and its on_mount ran (its widgets hold their first values)
        return (
            isinstance(screen, kind)
            and screen.is_mounted
            and (ready is None or bool(ready(screen)))
        )

    await wait_until(pilot, shown, timeout, f"a {kind.__name__}")
    screen = app.screen
    assert isinstance(screen, kind)
    # a screen that was just pushed is laid out on the next refresh: clicks need regions
    await wait_until(pilot, lambda: screen.region.area > 0, timeout, "the screen's layout")
    await pilot.pause()
    return screen


async def started(
    app: TstuiApp,
    pilot: Pilot[Any],
    main: type[Screen[Any]] = BaseScreen,
    *,
    orders_live: bool = True,
) -> None:
    """Connected: accounts loaded, a ``main`` view showing and (unless told) the orders
    stream live."""
    await wait_until(pilot, lambda: isinstance(app.screen, main), 15, "a main screen")
    await wait_until(pilot, lambda: bool(app.live.accounts), 10, "accounts")
    if orders_live:
        await wait_until(
            pilot, lambda: app.live.stream_health["orders"].state == "live", 10, "orders stream"
        )


# -- reading the screen -----------------------------------------------------------------


def recording_app(settings: Settings) -> TstuiApp:
    """The app, keeping every notification's text (`said`): a shown one expires after its
    timeout, which under load can pass before a check reads it."""
    app = TstuiApp(settings)
    kept: list[str] = []
    shown = app.notify

    def notify(message: Any, *args: Any, **kwargs: Any) -> None:
        kept.append(str(message))
        shown(message, *args, **kwargs)

    app.said = kept  # type: ignore[attr-defined]
    app.notify = notify  # type: ignore[method-assign]
    return app


def said(app: TstuiApp) -> list[str]:
    """Every notification a `recording_app` showed, oldest first."""
    kept: list[str] = app.said  # type: ignore[attr-defined]
    return kept


def rendered_text(widget: Widget) -> str:
    """What the widget shows on screen right now (its rendered lines)."""
    width, height = widget.outer_size
    return "\n".join(s.text for s in widget.render_lines(Region(0, 0, width, height)))


# -- the simulator ----------------------------------------------------------------------


def authorize_redirect(url: str) -> str:
    """What the browser lands on: the simulator's sign-in redirects programmatically."""
    with httpx.Client(follow_redirects=False, timeout=5.0) as client:
        response = client.get(url)
    assert response.status_code in (302, 303, 307), response.status_code
    return response.headers["location"]


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


# -- the order ticket -------------------------------------------------------------------


async def open_ticket(
    app: TstuiApp, pilot: Pilot[Any], fields: TicketFields, intent: str = "new"
) -> tuple[OrderTicket, list[Any]]:
    """Open a ticket, wait for the symbol details; returns it and the list its result lands in."""
    results: list[Any] = []
    ticket = open_order_ticket(app, fields, intent=intent, on_result=results.append)
    await wait_until(pilot, lambda: app.screen is ticket and ticket.prefilled, what="the ticket")
    await pilot.pause()
    if fields.symbol:
        await wait_until(
            pilot,
            lambda: ticket.form.info is not None and ticket.form.info.symbol == fields.symbol,
            what="symbol details",
        )
    return ticket, results


async def wait_for_ticket(app: TstuiApp, pilot: Pilot[Any]) -> OrderTicket:
    """The ticket a key opened, once its form holds the prefill (read it no earlier)."""
    return await wait_for_screen(app, pilot, OrderTicket, lambda ticket: ticket.prefilled)


def limit_below(last: Decimal, pct: str = "0.98") -> str:
    """``pct`` of the last price, on the cent: a buy limit that rests."""
    return str((last * Decimal(pct)).quantize(Decimal("0.01")))


async def open_limit_ticket(
    app: TstuiApp, pilot: Pilot[Any], account: str, symbol: str, qty: str, pct: str = "0.98"
) -> tuple[OrderTicket, list[Any], str]:
    """A BUY Limit ticket with its limit at ``pct`` of the last price (not previewed yet);
    returns the ticket, the list its result lands in, and the limit."""
    fields = TicketFields(
        account=account, symbol=symbol, action="BUY", quantity=qty, order_type="Limit"
    )
    ticket, results = await open_ticket(app, pilot, fields)
    assert ticket.form.info is not None and ticket.form.info.last is not None
    limit = limit_below(ticket.form.info.last, pct)
    ticket.query_one("#limit_price", Input).value = limit
    return ticket, results, limit


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
