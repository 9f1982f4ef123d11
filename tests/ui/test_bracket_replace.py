"""Replacing one exit of a bracket from the Orders view keeps every exit closing what is open.

TradeStation does not update a bracket as one transaction: after part of the position went
elsewhere, the exits still say the old quantity. Replacing one of them shows the steps that
bring both in line, asks once, and sends each step once (audited with its reason).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from test_blotter_screen import orders_view
from textual.widgets import Input, Static
from ui_support import MARGIN, TICKET_SIZE, sim_orders, started, wait_for_screen, wait_until

from tstui.audit import AuditLog
from tstui.config import Settings
from tstui.domain.orders import OrderGroupRequest, OrderRequest, parse_body
from tstui.sim.server import SimServer
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.trading.dialogs import ReplaceOrderScreen

pytestmark = pytest.mark.anyio


def _held(app: TstuiApp, symbol: str) -> Decimal:
    return sum(
        (
            p.signed_quantity
            for p in app.live.positions.values()
            if p.account_id == MARGIN and p.symbol == symbol
        ),
        Decimal(0),
    )


def _exit(kind: str, price: Decimal) -> dict[str, Any]:
    order: dict[str, Any] = {
        "AccountID": MARGIN,
        "Symbol": "MSFT",
        "Quantity": "100",
        "TradeAction": "SELL",
        "TimeInForce": {"Duration": "GTC"},
        "Route": "Intelligent",
    }
    if kind == "target":
        order.update(OrderType="Limit", LimitPrice=f"{price:.2f}")
    else:
        order.update(OrderType="StopMarket", StopPrice=f"{price:.2f}")
    return order


async def test_replacing_one_exit_resizes_its_sibling(sim: SimServer, settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await wait_until(pilot, lambda: _held(app, "MSFT") == 100, 10, "100 MSFT held")
        api = app.live.api
        last = (await api.get_quotes(["MSFT"])).items[0].last
        assert last is not None
        group = parse_body(
            {"Type": "BRK", "Orders": [_exit("target", last * 2), _exit("stop", last / 2)]}
        )
        assert isinstance(group, OrderGroupRequest)
        target, stop = (r.order_id for r in await api.place_group(group))
        # 40 of the 100 go elsewhere: both exits still say 100
        sell = parse_body(
            {
                "AccountID": MARGIN,
                "Symbol": "MSFT",
                "Quantity": "40",
                "OrderType": "Market",
                "TradeAction": "SELL",
                "TimeInForce": {"Duration": "DAY"},
                "Route": "Intelligent",
            }
        )
        assert isinstance(sell, OrderRequest)
        await api.place_order(sell)
        await wait_until(pilot, lambda: _held(app, "MSFT") == 60, 10, "60 MSFT held")
        screen = await orders_view(app, pilot)
        await wait_until(
            pilot,
            lambda: all(
                (o := app.live.order_book.get(i)) is not None and o.is_working
                for i in (target, stop)
            ),
            10,
            "both exits working",
        )
        new_price = f"{last * Decimal('1.9'):.2f}"
        screen.blotter.select_key(target)
        await pilot.press("e")
        dialog = await wait_for_screen(app, pilot, ReplaceOrderScreen)
        dialog.query_one("#limit_price", Input).value = new_price
        await pilot.pause()
        await pilot.press("f5", "f8")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the steps")
        message = " ".join(str(w.content) for w in app.screen.query(Static))
        assert target in message and stop in message
        await pilot.press("y")

        def exits() -> dict[str, dict[str, Any]]:
            orders = sim_orders(sim.url, MARGIN)
            return {o["OrderID"]: o for o in orders if o["OrderID"] in (target, stop)}

        await wait_until(
            pilot,
            lambda: all(Decimal(o["Legs"][0]["QuantityOrdered"]) == 60 for o in exits().values()),
            10,
            "both exits resized to the 60 held",
        )
        assert Decimal(exits()[target]["LimitPrice"]) == Decimal(new_price)
        kinds = [e["kind"] for e in AuditLog.in_dir(settings.state_dir).entries()]
        assert kinds.count("order.replace") == 2  # one request per leg, each audited once
        await app.live.disconnect()
