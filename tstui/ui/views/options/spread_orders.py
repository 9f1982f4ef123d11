"""A multi-leg (``Legs``) order from the spread ticket: built here (``spread_request``),
checked here, previewed and placed through the app's trading service (its
``preview_request`` and ``place``: the one confirm-then-place path; see
``tstui.ui.trading.service``).

- Nothing is sent before the legs' rules (``validate_legs``) and the risk checks per leg and
  for the package (``check_legs_risk``) pass: errors block, warnings need an override. They
  run again just before placing (prices and positions move).
- The service audits the preview and the send, places only a preview it issued, in the same
  environment and not too old, sends exactly its request once (one OrderConfirmID per
  ticket) and reconciles an unknown outcome; nothing is ever resent.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from tstui.domain.orders import OrderRequest
from tstui.domain.orders.legs import validate_legs
from tstui.domain.orders.request import OrderLegRequest
from tstui.domain.orders.risk import check_legs_risk
from tstui.domain.orders.ticket import FieldError, blocking, plain_number, warnings_of
from tstui.ui.trading.service import TradingService, trading_service
from tstui.ui.trading.types import (
    PlacementRefused,
    PlaceOutcome,
    Preview,
    PreviewOutcome,
    risk_limits_for,
)
from tstui.ui.views.options.model import STOCK_MULTIPLIER, Spread

__all__ = [
    "PACKAGE_TYPES",
    "SpreadForm",
    "SpreadOrders",
    "leg_action",
    "spread_orders",
    "spread_request",
]

PACKAGE_TYPES: Final = ("Limit", "Market")
PACKAGE_DURATIONS: Final = ("DAY", "GTC")


@dataclass(frozen=True, slots=True)
class SpreadForm:
    """The spread ticket's fields as typed (strings: read here, with field-level messages)."""

    account: str = ""
    quantity: str = "1"
    order_type: str = "Limit"
    limit_price: str = ""  # the net price per share: + a debit, - a credit
    duration: str = "DAY"


def leg_action(buy: bool, contracts: Decimal, held: Decimal) -> str:
    """BUYTOCLOSE / SELLTOCLOSE when the account holds the opposite side at least this large,
    else BUYTOOPEN / SELLTOOPEN."""
    if buy:
        return "BUYTOCLOSE" if held < 0 and -held >= contracts else "BUYTOOPEN"
    return "SELLTOCLOSE" if held > 0 and held >= contracts else "SELLTOOPEN"


def spread_request(
    form: SpreadForm,
    spread: Spread,
    *,
    order_confirm_id: str,
    positions: Mapping[str, Decimal] | None = None,
) -> tuple[OrderRequest | None, list[FieldError]]:
    """The ``Legs`` order the form describes (None when an error blocks), and its issues."""
    issues: list[FieldError] = []
    if not form.account:
        issues.append(FieldError("account", "Choose an account"))
    quantity = plain_number(form.quantity)
    if quantity is None or quantity <= 0 or quantity != quantity.to_integral_value():
        issues.append(
            FieldError("quantity", f"Quantity {form.quantity!r} is not a whole number above 0")
        )
        quantity = None
    if form.order_type not in PACKAGE_TYPES:
        issues.append(FieldError("order_type", f"{form.order_type}: use Limit or Market"))
    if form.duration not in PACKAGE_DURATIONS:
        issues.append(FieldError("duration", f"{form.duration}: use DAY or GTC"))
    limit: Decimal | None = None
    if form.order_type == "Limit":
        limit = plain_number(form.limit_price)
        if limit is None:
            issues.append(
                FieldError("limit_price", f"Net price {form.limit_price!r} is not a number")
            )
        elif limit == 0 and len(spread) == 1:
            issues.append(FieldError("limit_price", "An option's limit price must be positive"))
    if not spread:
        issues.append(FieldError("Legs", "The spread has no legs"))
    if blocking(issues) or quantity is None:
        return None, issues
    held = positions or {}
    legs = tuple(
        OrderLegRequest(
            symbol=leg.symbol,
            quantity=abs(leg.ratio) * quantity,
            trade_action=leg_action(
                leg.is_buy, abs(leg.ratio) * quantity, held.get(leg.symbol.upper(), Decimal(0))
            ),
        )
        for leg in spread
    )
    try:
        request = OrderRequest(
            account_id=form.account,
            order_type=form.order_type,
            legs=legs,
            limit_price=limit,
            duration=form.duration,
            order_confirm_id=order_confirm_id,
        )
    except ValueError as exc:
        return None, [*issues, FieldError("order", str(exc))]
    return request, issues


class SpreadOrders:
    """See the module docstring. One per app (``spread_orders(app)``)."""

    def __init__(self, trading: TradingService) -> None:
        self.trading = trading

    @property
    def env(self) -> str:
        return self.trading.env

    def positions(self, account: str) -> dict[str, Decimal]:
        """The account's signed position by symbol (a closing leg is never size-capped)."""
        held: dict[str, Decimal] = {}
        for position in self.trading.context.positions.values():
            if position.account_id == account and position.symbol:
                symbol = position.symbol.upper()
                held[symbol] = held.get(symbol, Decimal(0)) + position.signed_quantity
        return held

    def check(
        self,
        request: OrderRequest,
        leg_prices: Mapping[str, Decimal | None],
        now: datetime,
        multiplier: Decimal = STOCK_MULTIPLIER,
    ) -> list[FieldError]:
        """The legs' rules, then risk per leg and for the package (no I/O); ``multiplier``:
        a contract's size (100 shares, a futures option's point value)."""
        issues = validate_legs(request, today=now.date())
        issues += check_legs_risk(
            request,
            leg_prices,
            risk_limits_for(self.trading.context.settings),
            self.trading.recent,
            now,
            positions=self.positions(request.account_id),
            multiplier=multiplier,
        )
        return issues

    async def preview(
        self,
        request: OrderRequest,
        leg_prices: Mapping[str, Decimal | None],
        multiplier: Decimal = STOCK_MULTIPLIER,
    ) -> PreviewOutcome:
        """Check, then the service's ``orderconfirm`` of the exact request (audited and
        registered there, so only its ``place()`` sends it). Never raises for API errors."""
        issues = self.check(request, leg_prices, self.trading.clock(), multiplier)
        return await self.trading.preview_request(
            request, last_price=None, point_value=multiplier, issues=issues
        )

    async def place(
        self,
        preview: Preview,
        leg_prices: Mapping[str, Decimal | None],
        *,
        override_warnings: bool = False,
    ) -> PlaceOutcome:
        """The legs' checks again (prices and positions move), then the service's ``place()``:
        the previewed payload, once. Raises PlacementRefused before sending anything."""
        request = preview.request
        multiplier = preview.point_value or STOCK_MULTIPLIER
        issues = self.check(request, leg_prices, self.trading.clock(), multiplier)
        errors = blocking(issues)
        if errors:
            raise PlacementRefused("; ".join(f"{e.field}: {e.message}" for e in errors))
        if warnings_of(issues) and not override_warnings:
            raise PlacementRefused("warnings need an explicit override")
        return await self.trading.place(preview, override_warnings=override_warnings)

    async def resolve_unknown(self, outcome: PlaceOutcome) -> PlaceOutcome:
        """The service's reconciliation (REST + the stream-fed book); never a resend."""
        return await self.trading.resolve_unknown(outcome)


_ADAPTERS: weakref.WeakKeyDictionary[object, SpreadOrders] = weakref.WeakKeyDictionary()


def spread_orders(app: Any) -> SpreadOrders:
    """The app's adapter, on the app's trading service."""
    adapter = _ADAPTERS.get(app)
    service = trading_service(app)
    if adapter is None or adapter.trading is not service:
        adapter = _ADAPTERS[app] = SpreadOrders(service)
    return adapter
