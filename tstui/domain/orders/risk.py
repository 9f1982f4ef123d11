"""Local pre-trade risk checks, configured per environment.

Which checks block and which only warn (the defaults; each can be changed per check through
`RiskLimits.severities`):

- hard limits (severity "error": the ticket cannot be placed):
  ``max_quantity`` (quantity above the limit) and ``max_notional`` (quantity x price x point
  value above the limit). They are the fat-finger protection the user configured on purpose;
  an override button would defeat them. Raise the limit in the config to trade bigger.
- warnings (shown, the user may override):
  ``warn_quantity`` / ``warn_notional`` (softer thresholds), ``price_band`` (limit/stop more
  than N % away from last: fast markets and stale quotes make this a judgement call),
  ``duplicate`` (the same account/symbol/action/quantity/type placed within N seconds: scaling
  in is legitimate, and an accidental resend of the *same intent* is already stopped by the
  API's OrderConfirmID guard), and ``notional_unknown`` (a notional limit is set but no price
  is known to check it against, e.g. a market order without a last price).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from datetime import datetime
from decimal import Decimal

from tstui.domain.orders.request import OrderRequest, format_decimal
from tstui.domain.orders.risk_limits import CHECKS, DEFAULT_SEVERITIES, RiskLimits
from tstui.domain.orders.ticket import FieldError

__all__ = ["CHECKS", "DEFAULT_SEVERITIES", "RecentOrders", "RiskLimits", "check_risk"]


def duplicate_key(req: OrderRequest) -> Hashable:
    """What makes two orders "the same order" for the duplicate guard (prices excluded)."""
    return (req.account_id, req.symbol, req.trade_action, req.quantity, req.order_type)


class RecentOrders:
    """Orders sent recently (key + time), for the duplicate guard. Bounded; not thread-safe.

    Call `record(req, now)` when an order is sent (placed), not when it is previewed.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: deque[tuple[Hashable, str, datetime]] = deque(maxlen=max_entries)

    def record(self, req: OrderRequest, now: datetime) -> None:
        self._entries.append((duplicate_key(req), req.order_confirm_id, now))

    def last_sent(self, req: OrderRequest) -> datetime | None:
        """When the latest other intent with the same duplicate key was sent (or None)."""
        key = duplicate_key(req)
        for entry_key, confirm_id, at in reversed(self._entries):
            if entry_key == key and confirm_id != req.order_confirm_id:
                return at
        return None

    def __len__(self) -> int:
        return len(self._entries)


def _check_price(req: OrderRequest, last_price: Decimal | None) -> Decimal | None:
    """Price used for the notional: the order's own price, else last (market orders)."""
    if req.limit_price is not None:
        return req.limit_price
    if req.stop_price is not None:
        return req.stop_price
    return last_price


def check_risk(
    req: OrderRequest,
    last_price: Decimal | None,
    point_value: Decimal | None,
    limits: RiskLimits,
    recent: RecentOrders | None,
    now: datetime,
) -> list[FieldError]:
    """Run every configured check; each finding's severity comes from `limits.severity()`.

    `point_value` is the symbol's PointValue (futures; None or 1 for equities); notional =
    quantity x price x point value, with the price taken from the order (limit, else stop),
    else `last_price` for market orders.
    """
    issues: list[FieldError] = []

    def add(check: str, fld: str, message: str) -> None:
        issues.append(FieldError(fld, message, limits.severity(check), check))

    qty = req.quantity
    if limits.max_quantity is not None and qty > limits.max_quantity:
        add(
            "max_quantity",
            "quantity",
            f"Quantity {format_decimal(qty)} is above the limit of "
            f"{format_decimal(limits.max_quantity)}",
        )
    elif limits.warn_quantity is not None and qty > limits.warn_quantity:
        add(
            "warn_quantity",
            "quantity",
            f"Quantity {format_decimal(qty)} is above {format_decimal(limits.warn_quantity)}",
        )

    if limits.max_notional is not None or limits.warn_notional is not None:
        price = _check_price(req, last_price)
        if price is None:
            add("notional_unknown", "order", "No price known: the notional limit is not checked")
        else:
            notional = abs(qty * price * (point_value or Decimal(1)))
            shown = f"{notional:,.2f}"
            if limits.max_notional is not None and notional > limits.max_notional:
                add(
                    "max_notional",
                    "quantity",
                    f"Notional {shown} is above the limit of {limits.max_notional:,.2f}",
                )
            elif limits.warn_notional is not None and notional > limits.warn_notional:
                add(
                    "warn_notional",
                    "quantity",
                    f"Notional {shown} is above {limits.warn_notional:,.2f}",
                )

    if limits.price_band_pct is not None and last_price is not None and last_price > 0:
        for fld, price in (("limit_price", req.limit_price), ("stop_price", req.stop_price)):
            if price is None:
                continue
            distance = abs(price - last_price) / last_price * 100
            if distance > limits.price_band_pct:
                add(
                    "price_band",
                    fld,
                    f"{format_decimal(price)} is {distance:.1f}% from last "
                    f"{format_decimal(last_price)} (band {format_decimal(limits.price_band_pct)}%)",
                )

    if recent is not None and limits.duplicate_window_s > 0:
        sent_at = recent.last_sent(req)
        if sent_at is not None:
            age = (now - sent_at).total_seconds()
            if 0 <= age <= limits.duplicate_window_s:
                add(
                    "duplicate",
                    "order",
                    f"The same order ({req.trade_action} {format_decimal(qty)} {req.symbol}) "
                    f"was sent {age:.0f} s ago",
                )
    return issues
