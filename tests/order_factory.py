"""Order factories shared by the domain, client and UI tests (test folders are not packages:
this module is imported by its name, from the ``tests`` folder on ``sys.path``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tstui.domain.models import Order, OrderLeg
from tstui.domain.orders import OrderRequest, new_order_confirm_id

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def order(
    oid: str,
    *,
    symbol: str = "MSFT",
    side: str = "Buy",
    quantity: Decimal = Decimal(100),
    filled_quantity: Decimal = Decimal(0),
    **fields: Any,
) -> Order:
    """A real `Order` as `from_api` would build it (single leg)."""
    leg = OrderLeg(
        symbol=symbol,
        buy_or_sell=side,
        quantity_ordered=quantity,
        exec_quantity=filled_quantity,
        quantity_remaining=quantity - filled_quantity,
    )
    base: dict[str, Any] = {
        "account_id": "SIM1000001M",
        "status": "OPN",
        "order_type": "Limit",
        "duration": "DAY",
        "limit_price": Decimal("400.00"),
        "opened_date_time": T0,
        "routing": "Intelligent",
    }
    base.update(fields)
    return Order(order_id=oid, legs=(leg,), **base)


def filled(o: Order, qty: str, avg: str, status: str = "FPR") -> Order:
    leg = replace(o.legs[0], exec_quantity=Decimal(qty))
    return replace(o, legs=(leg,), filled_price=Decimal(avg), status=status)


def order_request(
    account_id: str,
    symbol: str,
    action: str,
    qty: int | Decimal | str,
    order_type: str = "Market",
    *,
    order_confirm_id: str | None = None,
    **fields: Any,
) -> OrderRequest:
    """An `OrderRequest` with a fresh confirm id unless ``order_confirm_id`` is given."""
    return OrderRequest(
        account_id=account_id,
        symbol=symbol,
        quantity=Decimal(qty),
        order_type=order_type,
        trade_action=action,
        order_confirm_id=order_confirm_id or new_order_confirm_id(),
        **fields,
    )
