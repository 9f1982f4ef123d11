"""The TUI side of cut-off sends: looked up when the session connects, repeats refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from ui_support import MARGIN, sim_orders, started, wait_until

from tstui.audit import AuditLog
from tstui.client.intents import RESOLVED_KIND, unresolved_intents
from tstui.domain.orders import OrderRequest
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.service import PlacementRefused, trading_service

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def place_behind_our_back(sim: SimServer, request: OrderRequest) -> str:
    """What a cut-off send leaves at the broker: the order exists, tstui never heard back."""
    creds = sim.credentials
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        token = client.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "refresh_token": creds.refresh_token,
            },
        ).json()["access_token"]
        answer = client.post(
            "/v3/orderexecution/orders",
            json=request.to_api(),
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
    return str(answer.json()["Orders"][0]["OrderID"])


def recording_notify(app: TstuiApp) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    original = app.notify

    def notify(message: str, **options: Any) -> None:
        seen.append({"message": message, **options})
        original(message, **options)

    app.notify = notify  # type: ignore[method-assign]
    return seen


async def test_a_send_cut_off_in_an_earlier_run_is_resolved_when_the_session_connects(
    sim: SimServer, settings: Settings
) -> None:
    request = OrderRequest(
        account_id=MARGIN,
        symbol="MSFT",
        quantity=Decimal(9),
        order_type="Market",
        trade_action="BUY",
        order_confirm_id="K" * 22,
    )
    log = AuditLog.in_dir(settings.state_dir)
    at = datetime.now(UTC) - timedelta(seconds=30)
    log.append(
        "order.place", env="sim", account=MARGIN, payload={"request": request.to_api()}, at=at
    )
    order_id = place_behind_our_back(sim, request)
    count = len(sim_orders(sim.url, MARGIN))

    app = TstuiApp(settings)
    notes = recording_notify(app)
    async with app.run_test() as pilot:
        await started(app, pilot, orders_live=False)
        await wait_until(
            pilot, lambda: any("Earlier order" in n.get("title", "") for n in notes), 15
        )
        (note,) = [n for n in notes if "Earlier order" in n.get("title", "")]
        assert f"it was placed: order {order_id}" in note["message"]
        assert note["markup"] is False  # server text is never parsed as markup
        await app.live.disconnect()
    resolved = [e for e in log.entries() if e["kind"] == RESOLVED_KIND]
    assert [e["payload"]["order_id"] for e in resolved] == [order_id]
    assert unresolved_intents(log.entries(), "sim") == []
    assert len(sim_orders(sim.url, MARGIN)) == count  # nothing was resent


async def test_a_repeat_of_an_unresolved_send_is_refused_until_it_is_resolved(
    sim: SimServer, settings: Settings
) -> None:
    settings = replace(settings)
    app = TstuiApp(settings)
    async with app.run_test() as pilot:
        await started(app, pilot, orders_live=False)
        trading = trading_service(app)
        fields = TicketFields(account=MARGIN, symbol="MSFT", action="BUY", quantity="3")
        info = await trading.load_symbol("MSFT")
        outcome = await trading.preview(fields, info, order_confirm_id="P" * 22)
        assert outcome.preview is not None
        # the same order, sent by another run that was cut off (another OrderConfirmID)
        earlier = replace(outcome.preview.request, order_confirm_id="E" * 22)
        log = trading.audit
        log.append("order.place", env="sim", account=MARGIN, payload={"request": earlier.to_api()})
        count = len(sim_orders(sim.url, MARGIN))
        with pytest.raises(PlacementRefused, match="never sent twice") as refused:
            await trading.place(outcome.preview)
        assert "session connects" in str(refused.value)
        assert len(sim_orders(sim.url, MARGIN)) == count
        assert not trading.was_sent("P" * 22)  # refused before anything left

        (intent,) = unresolved_intents(log.entries(), "sim")
        log.append(RESOLVED_KIND, env="sim", account=MARGIN, payload={"key": intent.key})
        placed = await trading.place(outcome.preview)
        assert placed.kind == "placed", placed
        assert len(sim_orders(sim.url, MARGIN)) == count + 1
        await app.live.disconnect()
