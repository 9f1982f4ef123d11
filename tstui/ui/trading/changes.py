"""Audit trail and order changes (cancel / replace) for the trading service.

`AuditTrail.before()` writes an entry that must exist before a request leaves (an OSError
propagates: the caller then sends nothing); `after()` records what already happened and never
raises (a full disk must not hide an outcome), keeping failures in `failures`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tstui.audit import AuditLog
from tstui.client.errors import ApiError, OrderOutcomeUnknown, TradeStationError
from tstui.config import Settings
from tstui.domain.models import Order, OrderResult
from tstui.domain.orders import OrderRequest
from tstui.ui.trading.types import ActionOutcome, TradingContext

__all__ = ["AuditTrail", "change_order", "error_text"]


def error_text(exc: TradeStationError) -> str:
    """The server's message when it sent one, else the error's own text."""
    if isinstance(exc, ApiError) and exc.message:
        return exc.message
    return str(exc) or type(exc).__name__


class AuditTrail:
    def __init__(self, settings: Callable[[], Settings]) -> None:
        self._settings = settings
        self.failures: list[str] = []

    @property
    def log(self) -> AuditLog:
        return AuditLog.in_dir(self._settings().state_dir)

    def before(self, kind: str, account: str | None, **payload: Any) -> None:
        body = {k: (v.to_api() if isinstance(v, OrderRequest) else v) for k, v in payload.items()}
        self.log.append(kind, env=self._settings().env, account=account, payload=body)

    def after(self, kind: str, account: str | None, **payload: Any) -> None:
        try:
            self.before(kind, account, **payload)
        except OSError as exc:
            self.failures.append(f"{kind}: {exc}")


async def change_order(
    context: TradingContext,
    trail: AuditTrail,
    order: Order,
    kind: str,
    extra: dict[str, Any],
    send: Callable[[str], Awaitable[OrderResult]],
) -> ActionOutcome:
    """Audit, send once, audit the answer. An unknown outcome is reconciled, never resent.
    Only a working order can be changed: anything else is refused before any request."""
    oid, account = order.order_id, order.account_id
    if not order.is_working:
        return ActionOutcome("failed", oid, f"not working ({order.status})")
    try:
        trail.before(kind, account, order_id=oid, symbol=order.symbol, **extra)
    except OSError as exc:
        return ActionOutcome("failed", oid, f"audit log not writable ({exc}); not sent")
    try:
        result = await send(oid)
    except OrderOutcomeUnknown as exc:
        trail.after(kind + ".unknown", account, order_id=oid, reason=exc.reason)
        await _refresh(context, order)
        return ActionOutcome("unknown", oid, f"unknown ({exc.reason}); reconciled, not resent")
    except TradeStationError as exc:
        trail.after(kind + ".result", account, order_id=oid, error=error_text(exc))
        return ActionOutcome("failed", oid, error_text(exc))
    trail.after(kind + ".result", account, order_id=oid, result=result)
    if not result.ok:
        return ActionOutcome("failed", oid, result.message or result.error or "refused")
    return ActionOutcome("sent", oid, result.message or "sent")


async def _refresh(context: TradingContext, order: Order) -> None:
    """Fetch the order from REST into the book (after an ambiguous cancel/replace)."""
    accounts = [order.account_id] if order.account_id else [a.account_id for a in context.accounts]
    try:
        batch = await context.api.get_orders(accounts, [order.order_id])
    except TradeStationError:
        return
    context.order_book.reconcile(batch.items)
