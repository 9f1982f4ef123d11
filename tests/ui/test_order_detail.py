"""The blotter's detail panel redraws only what changed, and lays the screen out only when its
line count (its scrollbar) changes: it is shown again at every cursor move and flush."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult

from tstui.domain.models import Order, OrderLeg
from tstui.ui.views.orders.detail import OrderDetail

pytestmark = pytest.mark.anyio


def order(oid: str, status: str = "OPN") -> Order:
    leg = OrderLeg(symbol="MSFT", buy_or_sell="Buy")
    return Order(order_id=oid, account_id="SIM1", status=status, legs=(leg,))


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield OrderDetail()


async def test_detail_updates_only_on_change_and_lays_out_on_new_line_counts() -> None:
    app = Host()
    async with app.run_test() as pilot:
        detail = app.query_one(OrderDetail)
        calls: list[bool] = []
        update = detail.update

        def noting(content: Any = "", *, layout: bool = True) -> None:
            calls.append(layout)
            update(content, layout=layout)

        detail.update = noting  # type: ignore[method-assign]
        detail.show(order("1"))
        assert calls == [True]  # the first text: its line count is new
        detail.show(order("1"))
        assert calls == [True]  # the same text: nothing to redraw
        detail.show(order("2", "FLL"))
        assert calls == [True, False]  # another order, as many lines: a repaint only
        assert "Order 2" in str(detail.content)
        detail.show(None)
        assert calls == [True, False, True]  # fewer lines: laid out again
        await pilot.pause()
