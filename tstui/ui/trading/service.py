"""The UI's trading service: validate -> preview -> place once, cancel, replace; all audited.

Rules this module enforces (so no screen can get them wrong):

- Nothing is sent before `parse_ticket` + `check_risk` pass: errors block, always.
- `place()` only takes a `Preview` that *this* service issued, in the same environment, not too
  old, and sends its exact request (the previewed payload) once. Warnings need
  `override_warnings=True`. A second `place()` of the same intent raises `PlacementRefused`.
- One OrderConfirmID per intent (the ticket keeps one for its lifetime), so even a deliberate
  re-place after a provable non-send is covered by the API's duplicate guard.
- An unknown outcome (timeout / reset after sending) is never resent: a pending row goes into
  the OrderBook and `resolve_unknown()` reconciles with REST until the order shows up.
- Every preview, placement, result, unknown outcome, cancel and replace goes to the audit log
  with env + account. The entry *before* a send must be written, or nothing is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from tstui.audit import AuditLog
from tstui.client.errors import OrderOutcomeUnknown, TradeStationError
from tstui.config import Settings
from tstui.domain.models import Order, OrderResult, Route
from tstui.domain.orders import OrderRequest, ReplaceRequest
from tstui.domain.orders.book import PendingOrder
from tstui.domain.orders.bracket_sync import SyncStep, linked_exits, sync_bracket
from tstui.domain.orders.groups import validate_order
from tstui.domain.orders.placement import find_placed_order
from tstui.domain.orders.risk import RecentOrders, check_group_risk
from tstui.domain.orders.ticket import FieldError, TicketFields, blocking, parse_ticket, warnings_of
from tstui.ui.session.unresolved import unresolved_repeat
from tstui.ui.trading.bracket import BracketFields, attach_bracket, bracket_field_of, tick_rule
from tstui.ui.trading.changes import AuditTrail, change_order, error_text
from tstui.ui.trading.types import (
    ActionOutcome,
    PlacementRefused,
    PlaceOutcome,
    Preview,
    PreviewOutcome,
    SymbolInfo,
    TicketIntent,
    TradingContext,
    held_quantity,
    load_symbol_info,
    risk_limits_for,
)

__all__ = [
    "ActionOutcome",
    "PlaceOutcome",
    "PlacementRefused",
    "Preview",
    "PreviewOutcome",
    "SymbolInfo",
    "TicketIntent",
    "TradingContext",
    "TradingService",
    "reload_trading_settings",
    "risk_limits_for",
    "trading_service",
]

PREVIEW_TTL_S = 300.0
RECONCILE_TIMEOUT_S = 60.0
RECONCILE_POLL_S = 0.5
_utc_now = partial(datetime.now, UTC)


class TradingService:
    """See the module docstring. One per app (`trading_service(app)`); follows env switches."""

    def __init__(
        self,
        context: TradingContext,
        *,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        reconcile_timeout_s: float = RECONCILE_TIMEOUT_S,
        reconcile_poll_s: float = RECONCILE_POLL_S,
    ) -> None:
        self.context = context
        self.clock = clock
        self.sleep = sleep
        self.reconcile_timeout_s = reconcile_timeout_s
        self.reconcile_poll_s = reconcile_poll_s
        self._recent: dict[str, RecentOrders] = {}
        self._issued: dict[str, Preview] = {}
        self._sent: set[str] = set()
        self._claimed: set[str] = set()
        self._routes: dict[str, tuple[Route, ...]] = {}
        self.trail = AuditTrail(lambda: self.context.settings)

    # ------------------------------------------------------------------ context
    @property
    def env(self) -> str:
        return self.context.settings.env

    @property
    def audit(self) -> AuditLog:
        return self.trail.log

    @property
    def recent(self) -> RecentOrders:
        return self._recent.setdefault(self.env, RecentOrders())

    def default_account(self) -> str:
        ctx = self.context
        if ctx.current_account:
            return ctx.current_account
        return ctx.accounts[0].account_id if ctx.accounts else ""

    def was_sent(self, order_confirm_id: str) -> bool:
        return order_confirm_id in self._sent

    # ------------------------------------------------------------------ reference data
    async def load_symbol(self, symbol: str) -> SymbolInfo:
        """Details + quote for the ticket; failures become `error` (never raised)."""
        return await load_symbol_info(self.context.api, symbol)

    async def route_ids(self, asset_type: str | None = None) -> tuple[str, ...]:
        """Route ids from the routes endpoint (cached per env; () on failure), restricted to
        the routes that take `asset_type` when it is known."""
        if self.env not in self._routes:
            try:
                self._routes[self.env] = tuple(await self.context.api.get_routes())
            except TradeStationError:
                return ()
        kind = (asset_type or "").upper()
        return tuple(
            r.id
            for r in self._routes[self.env]
            if not kind or not r.asset_types or kind in {t.upper() for t in r.asset_types}
        )

    # ------------------------------------------------------------------ validation
    def validate(
        self,
        fields: TicketFields,
        info: SymbolInfo | None,
        *,
        order_confirm_id: str,
        routes: Sequence[str] | None = None,
        bracket: BracketFields | None = None,
    ) -> tuple[OrderRequest | None, list[FieldError]]:
        """parse_ticket (+ the bracket's exits and activation rule) + risk on every order of
        the group; no I/O. The request is None when an error blocks. Issues about a
        bracket's legs name the form field (bracket_target, bracket_stop...)."""
        detail = (
            info.detail
            if info is not None and info.symbol == fields.symbol.strip().upper()
            else None
        )
        request, issues = parse_ticket(
            fields,
            detail,
            detail.asset_type if detail else None,
            order_confirm_id=order_confirm_id,
            routes=routes or None,
        )
        if request is None:
            return None, issues
        last = info.last if detail is not None and info is not None else None
        if bracket is not None and bracket.shapes_entry:
            known = info if detail is not None else None
            built, bracket_issues = attach_bracket(request, bracket, known)
            issues += bracket_issues
            if built is None:
                return None, issues
            request = built
            # the entry's own fields were checked by parse_ticket: only the new parts here
            issues += [
                replace(issue, field=bracket_field_of(issue.field))
                for issue in validate_order(
                    request,
                    increment=tick_rule(known),
                    reference_price=last,
                    asset_type=detail.asset_type if detail else None,
                )
                if issue.field.startswith(("OSOs[", "AdvancedOptions"))
            ]
        point = detail.point_value if detail is not None else None
        issues += self._risk(request, last, point)
        return (None if blocking(issues) else request), issues

    def _risk(
        self, request: OrderRequest, last: Decimal | None, point: Decimal | None
    ) -> list[FieldError]:
        """Risk on the order and on each of its OSO children (a bracket's exits close)."""
        limits = risk_limits_for(self.context.settings)
        issues = check_group_risk(
            request,
            last,
            point,
            limits,
            self.recent,
            self.clock(),
            position_quantity=held_quantity(self.context, request.account_id, request.symbol),
        )
        return [replace(i, field=bracket_field_of(i.field)) for i in issues]

    # ------------------------------------------------------------------ preview
    async def preview(
        self,
        fields: TicketFields,
        info: SymbolInfo | None,
        *,
        order_confirm_id: str,
        routes: Sequence[str] | None = None,
        bracket: BracketFields | None = None,
    ) -> PreviewOutcome:
        """Validate, then `orderconfirm` (one confirmation per order of the group: the entry
        and its OSO children). Errors (validation or API) come back, never raise."""
        request, issues = self.validate(
            fields, info, order_confirm_id=order_confirm_id, routes=routes, bracket=bracket
        )
        if request is None:
            return PreviewOutcome(None, tuple(issues))
        return await self.preview_request(
            request,
            last_price=info.last if info is not None else None,
            point_value=info.point_value if info is not None else None,
            issues=issues,
        )

    async def preview_request(
        self,
        request: OrderRequest,
        *,
        last_price: Decimal | None,
        point_value: Decimal | None,
        issues: Sequence[FieldError] = (),
    ) -> PreviewOutcome:
        """``orderconfirm`` for a request a screen built and checked itself (a multi-leg
        spread): audited and registered like a ticket's preview, so `place()` takes it.
        ``issues``: its own checks' findings (an error here means nothing is sent)."""
        issues = list(issues)
        if blocking(issues):
            return PreviewOutcome(None, tuple(issues))
        try:
            confirmations = tuple(await self.context.api.confirm_order(request))
        except TradeStationError as exc:
            message = error_text(exc)
            self.trail.after("order.preview", request.account_id, request=request, error=message)
            return PreviewOutcome(request, tuple(issues), error=message)
        preview = Preview(
            request=request,
            confirmations=confirmations,
            warnings=tuple(warnings_of(issues)),
            env=self.env,
            at=self.clock(),
            last_price=last_price,
            point_value=point_value,
        )
        try:
            self.trail.before(
                "order.preview", request.account_id, request=request, confirmations=confirmations
            )
        except OSError as exc:
            return PreviewOutcome(request, tuple(issues), error=f"audit log not writable ({exc})")
        self._issued[request.order_confirm_id] = preview
        return PreviewOutcome(request, tuple(issues), preview)

    # ------------------------------------------------------------------ place
    def check_placeable(self, preview: Preview, *, override_warnings: bool) -> list[FieldError]:
        """Why `preview` cannot be placed now (raises PlacementRefused); returns its warnings."""
        request = preview.request
        confirm_id = request.order_confirm_id
        if self._issued.get(confirm_id) is not preview:
            raise PlacementRefused("this preview was not issued here (or was superseded)")
        if preview.env != self.env:
            raise PlacementRefused(f"the environment changed to {self.env.upper()} since preview")
        age = (self.clock() - preview.at).total_seconds()
        if age > PREVIEW_TTL_S:
            raise PlacementRefused(f"the preview is {age:.0f} s old: preview again")
        if confirm_id in self._sent:
            raise PlacementRefused("this order was already sent (it is never sent twice)")
        refusal = unresolved_repeat(self.audit, self.env, request)  # any run's sends
        if refusal is not None:
            raise PlacementRefused(refusal)
        # A package (legs) is checked leg by leg and as a whole by its own rules (preview and
        # again just before place, by the spread ticket); the single-order checks would read
        # it as its first leg at the net price: warnings the preview never showed.
        issues = (
            [] if request.legs else self._risk(request, preview.last_price, preview.point_value)
        )
        errors = blocking(issues)
        if errors:
            raise PlacementRefused("; ".join(f"{e.field}: {e.message}" for e in errors))
        warnings = list(preview.warnings)
        warnings += [w for w in warnings_of(issues) if w not in warnings]
        if warnings and not override_warnings:
            raise PlacementRefused("warnings need an explicit override")
        return warnings

    async def place(self, preview: Preview, *, override_warnings: bool = False) -> PlaceOutcome:
        """Send the previewed request once. Raises PlacementRefused before sending anything."""
        warnings = self.check_placeable(preview, override_warnings=override_warnings)
        request = preview.request
        account = request.account_id
        known_before = frozenset(
            o.order_id for o in self.context.order_book.orders() if o.account_id == account
        )
        try:
            self.trail.before(
                "order.place",
                account,
                request=request,
                overridden_warnings=[w.message for w in warnings],
            )
        except OSError as exc:
            raise PlacementRefused(f"the audit log is not writable ({exc}); not sent") from None
        self._sent.add(request.order_confirm_id)
        try:
            results = await self.context.api.place_order(request)
        except OrderOutcomeUnknown as exc:
            return self._unknown(request, exc, known_before)
        except TradeStationError as exc:
            # refused by the server (4xx) or provably not sent: a re-place reuses this
            # OrderConfirmID, which the server's duplicate guard covers.
            self._sent.discard(request.order_confirm_id)
            message = error_text(exc)
            self.trail.after("order.place.error", account, request=request, error=message)
            return PlaceOutcome("failed", request, message)
        self.trail.after("order.place.result", account, request=request, results=results)
        self.recent.record(request, self.clock())
        return self._placed(request, results)

    def _placed(self, request: OrderRequest, results: Sequence[OrderResult]) -> PlaceOutcome:
        result = results[0] if results else OrderResult(None, "no answer", "EMPTY")
        every = tuple(results)
        if result.ok and result.order_id:
            self._claimed.update(oid for r in every if r.ok and (oid := r.order_id))
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
            placed_at=self.clock(),
            order_type=request.order_type,
            limit_price=request.limit_price,
            stop_price=request.stop_price,
        )
        self.context.order_book.add_pending(request.order_confirm_id, pending)
        self.trail.after(
            "order.place.unknown", request.account_id, request=request, reason=exc.reason
        )
        message = f"unknown: reconciling ({exc.reason}); the order is not resent"
        return PlaceOutcome("unknown", request, message, pending=pending, known_before=known_before)

    async def resolve_unknown(self, outcome: PlaceOutcome) -> PlaceOutcome:
        """Poll REST (and watch the stream-fed book) until the unknown placement shows up."""
        if outcome.kind != "unknown" or outcome.pending is None:
            return outcome
        request, pending = outcome.request, outcome.pending
        env = self.env
        book = self.context.order_book
        deadline = asyncio.get_running_loop().time() + self.reconcile_timeout_s
        while True:
            if self.env != env:  # switched: the API and book are another env's, no verdict
                return self._abandoned(outcome, env)
            found = self._match(outcome)
            if found is None:
                try:
                    batch = await self.context.api.get_orders([request.account_id])
                    book.reconcile(batch.items)
                except TradeStationError:
                    pass  # keep trying until the deadline; the pending row stays visible
                found = self._match(outcome)
            if found is not None:
                return self._reconciled(outcome, found)
            if asyncio.get_running_loop().time() >= deadline:
                break
            await self.sleep(self.reconcile_poll_s)
        book.resolve_pending(request.order_confirm_id, None)
        self.trail.after("order.place.not_found", request.account_id, request=request)
        message = (
            f"no order appeared within {self.reconcile_timeout_s:.0f} s: most likely it was not "
            "placed. It was NOT resent; check the blotter before placing again."
        )
        return PlaceOutcome("not_found", request, message, pending=pending)

    def _abandoned(self, outcome: PlaceOutcome, env: str) -> PlaceOutcome:
        request = outcome.request
        with contextlib.suppress(OSError):  # under the order's env, not the current one
            self.audit.append(
                "order.place.unresolved",
                env=env,
                account=request.account_id,
                payload={"order_confirm_id": request.order_confirm_id, "reason": "env switch"},
            )
        message = (
            f"the environment changed while reconciling: check the {env.upper()} orders. "
            "It was NOT resent."
        )
        return PlaceOutcome("not_found", request, message, pending=outcome.pending)

    def _match(self, outcome: PlaceOutcome) -> Order | None:
        assert outcome.pending is not None
        book = self.context.order_book
        resolved = book.resolved.get(outcome.request.order_confirm_id)
        if resolved is not None and resolved not in self._claimed:
            order = book.get(resolved)
            if order is not None:
                return order
        excluded = outcome.known_before | self._claimed
        # The ids known before the send decide what is new: no dependence on the server clock.
        return find_placed_order(book.orders(), outcome.request, None, excluded)

    def _reconciled(self, outcome: PlaceOutcome, order: Order) -> PlaceOutcome:
        request = outcome.request
        self._claimed.add(order.order_id)
        self.context.order_book.resolve_pending(request.order_confirm_id, order.order_id)
        self.recent.record(request, self.clock())
        self.trail.after(
            "order.place.reconciled",
            request.account_id,
            request=request,
            order_id=order.order_id,
            status=order.status,
        )
        text = f"found by reconciliation: order {order.order_id} ({order.status})"
        if order.status_group == "rejected":
            text += f", rejected: {order.reject_reason or 'no reason given'}"
        return PlaceOutcome("reconciled", request, text, OrderResult(order.order_id, text))

    # ------------------------------------------------------------------ cancel / replace
    async def cancel(self, order: Order) -> ActionOutcome:
        return await change_order(
            self.context, self.trail, order, "order.cancel", {}, self.context.api.cancel_order
        )

    async def cancel_all(self, orders: Sequence[Order]) -> list[ActionOutcome]:
        """Cancel exactly these orders (the list the user confirmed), one request each, in
        order. Each is read again from the book first: one that stopped working meanwhile (a
        bracket's exit the server cancelled with its parent) is not sent a cancel."""
        book = self.context.order_book
        outcomes = []
        for order in orders:
            current = book.get(order.order_id) or order
            if current.is_working:
                outcomes.append(await self.cancel(current))
        return outcomes

    async def replace(
        self, order: Order, change: ReplaceRequest, *, reason: str | None = None
    ) -> ActionOutcome:
        async def send(order_id: str) -> OrderResult:
            return await self.context.api.replace_order(order_id, change)

        extra: dict[str, Any] = {"change": change.to_api()}
        if reason:
            extra["reason"] = reason
        return await change_order(self.context, self.trail, order, "order.replace", extra, send)

    # ------------------------------------------------------------------ brackets
    def bracket_steps(
        self, order: Order, change: ReplaceRequest
    ) -> tuple[list[SyncStep], list[FieldError]]:
        """What replacing one leg of a bracket takes so every working exit still closes
        exactly the open position (TradeStation does not update a bracket as one
        transaction). No steps: not a bracket leg, or the siblings are already right (then a
        plain replace is all there is to send)."""
        exits = linked_exits(self.context.order_book.orders(), order.order_id)
        if len(exits) < 2 or order.account_id is None or order.symbol is None:
            return [], []
        held = abs(held_quantity(self.context, order.account_id, order.symbol))
        steps, issues = sync_bracket(exits, held, changed_id=order.order_id, change=change)
        return (steps if len(steps) > 1 else []), issues

    async def apply_steps(self, steps: Sequence[SyncStep]) -> list[ActionOutcome]:
        """Send each step once, audited with its reason; stop at the first one that did not
        go through (the next steps assumed it had)."""
        outcomes: list[ActionOutcome] = []
        book = self.context.order_book
        for step in steps:
            order = book.get(step.order_id)
            if order is None:
                outcomes.append(ActionOutcome("failed", step.order_id, "no longer in the book"))
                break
            if step.change is not None:
                outcome = await self.replace(order, step.change, reason=step.reason)
            else:
                outcome = await change_order(
                    self.context,
                    self.trail,
                    order,
                    "order.cancel",
                    {"reason": step.reason},
                    self.context.api.cancel_order,
                )
            outcomes.append(outcome)
            if outcome.kind != "sent":
                break
        return outcomes


_SERVICES: weakref.WeakKeyDictionary[object, TradingService] = weakref.WeakKeyDictionary()


def trading_service(app: object) -> TradingService:
    """The app's TradingService (created on first use, bound to `app.live`)."""
    service = _SERVICES.get(app)
    if service is None:
        context: TradingContext = getattr(app, "live")  # noqa: B009 - TstuiApp.live
        service = _SERVICES[app] = TradingService(context)
    return service


def reload_trading_settings(app: object, fresh: Settings) -> None:
    """ctrl+r: the reloaded file's ``[trading]`` (confirm policy, presets, tick offset), risk
    limits and bracket templates reach the settings the service reads (its context,
    ``app.live``); the session's env, account and endpoints stay as they are. A preview
    already shown is checked again at place time against the new limits."""
    live = getattr(app, "live")  # noqa: B009 - TstuiApp.live, as trading_service reads it
    live.settings = replace(
        live.settings, trading=fresh.trading, risk=fresh.risk, brackets=fresh.brackets
    )
    live.changed.publish("settings")  # the header's one-key badge follows the policy
