"""Preview -> place once for a multi-leg (``Legs``) order: an adapter on the app's trading
service, by the same rules (see ``tstui.ui.trading.service``).

The service previews what the single ticket's fields describe; a spread is a request built
here, so this adapter does the same steps for it on the service's own parts: its audit trail
(the entry before a send must be written, or nothing is sent), its recent orders (the
duplicate guard), its environment and its reconciliation of an unknown outcome.

- Nothing is sent before the legs' rules (``validate_legs``) and the risk checks per leg and
  for the package (``check_legs_risk``) pass: errors block, warnings need an override.
- ``place()`` takes only a ``Preview`` this adapter issued, in the same environment, not too
  old, and sends exactly its request once (one OrderConfirmID per ticket). A second place of
  the same intent raises ``PlacementRefused``; a failed send is never retried.
- An unknown outcome puts a pending row in the order book and reconciles through the
  service's ``resolve_unknown``; it is never resent.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from tstui.client.errors import OrderOutcomeUnknown, TradeStationError
from tstui.domain.models import OrderResult
from tstui.domain.orders import OrderRequest
from tstui.domain.orders.book import PendingOrder
from tstui.domain.orders.legs import validate_legs
from tstui.domain.orders.request import OrderLegRequest
from tstui.domain.orders.risk import check_legs_risk
from tstui.domain.orders.ticket import FieldError, blocking, plain_number, warnings_of
from tstui.ui.session.unresolved import unresolved_repeat
from tstui.ui.trading.changes import error_text
from tstui.ui.trading.service import PREVIEW_TTL_S, TradingService, trading_service
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
        self._issued: dict[str, Preview] = {}
        self._sent: set[str] = set()

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
        """Check, then ``orderconfirm`` the exact request. Never raises for the API's errors."""
        now = self.trading.clock()
        issues = self.check(request, leg_prices, now, multiplier)
        if blocking(issues):
            return PreviewOutcome(None, tuple(issues))
        trail = self.trading.trail
        try:
            confirmations = tuple(await self.trading.context.api.confirm_order(request))
        except TradeStationError as exc:
            message = error_text(exc)
            trail.after("order.preview", request.account_id, request=request, error=message)
            return PreviewOutcome(request, tuple(issues), error=message)
        preview = Preview(
            request=request,
            confirmations=confirmations,
            warnings=tuple(warnings_of(issues)),
            env=self.env,
            at=now,
            last_price=request.limit_price,
            point_value=multiplier,
        )
        try:
            trail.before(
                "order.preview", request.account_id, request=request, confirmations=confirmations
            )
        except OSError as exc:
            return PreviewOutcome(request, tuple(issues), error=f"audit log not writable ({exc})")
        self._issued[request.order_confirm_id] = preview
        return PreviewOutcome(request, tuple(issues), preview)

    def check_placeable(
        self,
        preview: Preview,
        leg_prices: Mapping[str, Decimal | None],
        *,
        override_warnings: bool,
    ) -> list[FieldError]:
        """Why ``preview`` cannot be placed now (raises PlacementRefused); its warnings. The
        contract size is the preview's (its ``point_value``)."""
        request = preview.request
        confirm_id = request.order_confirm_id
        if self._issued.get(confirm_id) is not preview:
            raise PlacementRefused("this preview was not issued here (or was superseded)")
        if preview.env != self.env:
            raise PlacementRefused(f"the environment changed to {self.env.upper()} since preview")
        now = self.trading.clock()
        age = (now - preview.at).total_seconds()
        if age > PREVIEW_TTL_S:
            raise PlacementRefused(f"the preview is {age:.0f} s old: preview again")
        if confirm_id in self._sent or self.trading.was_sent(confirm_id):
            raise PlacementRefused("this order was already sent (it is never sent twice)")
        refusal = unresolved_repeat(self.trading.audit, self.env, request)
        if refusal is not None:
            raise PlacementRefused(refusal)
        multiplier = preview.point_value or STOCK_MULTIPLIER
        issues = self.check(request, leg_prices, now, multiplier)
        errors = blocking(issues)
        if errors:
            raise PlacementRefused("; ".join(f"{e.field}: {e.message}" for e in errors))
        warnings = list(preview.warnings)
        warnings += [w for w in warnings_of(issues) if w not in warnings]
        if warnings and not override_warnings:
            raise PlacementRefused("warnings need an explicit override")
        return warnings

    async def place(
        self,
        preview: Preview,
        leg_prices: Mapping[str, Decimal | None],
        *,
        override_warnings: bool = False,
    ) -> PlaceOutcome:
        """Send the previewed request once. Raises PlacementRefused before sending anything."""
        warnings = self.check_placeable(preview, leg_prices, override_warnings=override_warnings)
        request = preview.request
        account = request.account_id
        book = self.trading.context.order_book
        known_before = frozenset(o.order_id for o in book.orders() if o.account_id == account)
        trail = self.trading.trail
        try:
            trail.before(
                "order.place",
                account,
                request=request,
                overridden_warnings=[w.message for w in warnings],
            )
        except OSError as exc:
            raise PlacementRefused(f"the audit log is not writable ({exc}); not sent") from None
        self._sent.add(request.order_confirm_id)
        try:
            results = await self.trading.context.api.place_order(request)
        except OrderOutcomeUnknown as exc:
            return self._unknown(request, exc, known_before)
        except TradeStationError as exc:
            # refused, or provably not sent: the same OrderConfirmID covers a deliberate re-place
            self._sent.discard(request.order_confirm_id)
            message = error_text(exc)
            trail.after("order.place.error", account, request=request, error=message)
            return PlaceOutcome("failed", request, message)
        trail.after("order.place.result", account, request=request, results=results)
        self.trading.recent.record(request, self.trading.clock())
        result = results[0] if results else OrderResult(None, "no answer", "EMPTY")
        every = tuple(results)
        if result.ok and result.order_id:
            return PlaceOutcome("placed", request, result.message, result, results=every)
        reason = result.message or result.error or "rejected"
        return PlaceOutcome("rejected", request, reason, result, results=every)

    def _unknown(
        self, request: OrderRequest, exc: OrderOutcomeUnknown, known_before: frozenset[str]
    ) -> PlaceOutcome:
        pending = PendingOrder(
            confirm_id=request.order_confirm_id,
            account_id=request.account_id,
            symbol=request.symbol,
            quantity=request.quantity,
            action=request.trade_action,
            placed_at=self.trading.clock(),
            order_type=request.order_type,
            limit_price=request.limit_price,
        )
        self.trading.context.order_book.add_pending(request.order_confirm_id, pending)
        self.trading.trail.after(
            "order.place.unknown", request.account_id, request=request, reason=exc.reason
        )
        message = f"unknown: reconciling ({exc.reason}); the order is not resent"
        return PlaceOutcome("unknown", request, message, pending=pending, known_before=known_before)

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
