"""What a roll needs from the outside world: the broker and the journal (Protocols).

The client-backed broker adapts `TradeStationAPI` (orderconfirm, place, orders, positions)
and maps its errors: a refusal -> `LegRejected`, `OrderOutcomeUnknown` -> `LegOutcomeUnknown`.
The audit log (JSONL) implements `RollJournal`. `MemoryJournal` serves tests and dry runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from tstui.domain.orders.request import OrderRequest, format_decimal
from tstui.domain.roll.plan import RollPlan

__all__ = [
    "DryRun",
    "LegNotSent",
    "LegOutcomeUnknown",
    "LegPreview",
    "LegRejected",
    "LegStatus",
    "MemoryJournal",
    "RollBroker",
    "RollJournal",
    "dry_run",
    "plan_requests",
]


class LegRejected(Exception):
    """The API refused the request (4xx, or a 200 carrying an Errors entry)."""


class LegOutcomeUnknown(Exception):
    """The request may or may not have been applied (timeout, connection reset)."""


class LegNotSent(Exception):
    """The request was refused before anything was applied (an expired sign-in, now refreshed;
    a connection that never opened). A person may send it again: the next run does."""


@dataclass(frozen=True, slots=True)
class LegPreview:
    """What `orderconfirm` said about one leg."""

    summary: str
    estimated_price: Decimal | None = None
    estimated_cost: Decimal | None = None
    commission: Decimal | None = None

    def to_dict(self) -> dict[str, str | None]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else format_decimal(value)

        return {
            "summary": self.summary,
            "estimated_price": text(self.estimated_price),
            "estimated_cost": text(self.estimated_cost),
            "commission": text(self.commission),
        }


@dataclass(frozen=True, slots=True)
class LegStatus:
    order_id: str
    status: str  # an order status code: OPN, FLL, FLP, REJ, ...
    filled_quantity: Decimal
    message: str = ""  # e.g. the reject reason


class RollBroker(Protocol):
    """The I/O a roll needs; the client-backed implementation adapts TradeStationAPI."""

    async def confirm(self, req: OrderRequest) -> LegPreview:
        """orderconfirm; raises LegRejected when the API refuses the order."""
        ...

    async def place(self, req: OrderRequest) -> str:
        """Place once (never retried); the new order id. Raises LegRejected/LegOutcomeUnknown."""
        ...

    async def order_status(self, account_id: str, order_id: str) -> LegStatus: ...

    async def cancel(self, order_id: str) -> None:
        """Cancel once (never retried): raises LegRejected/LegNotSent/LegOutcomeUnknown. The
        outcome shows later on the order (`order_status`)."""
        ...

    async def find_order(self, req: OrderRequest, placed_after: datetime) -> LegStatus | None:
        """The order `req` created, if any: same account, symbol, action and quantity, opened
        at or after `placed_after` (allow for some clock skew)."""
        ...

    async def net_positions(self, account_id: str) -> Mapping[str, Decimal]:
        """Signed quantity per symbol (negative = short); symbols without a position absent."""
        ...


class RollJournal(Protocol):
    """Durable append-only storage (the audit log). `append` must persist before returning."""

    def append(self, entry: dict[str, Any]) -> None: ...

    def entries(self) -> list[dict[str, Any]]: ...


class MemoryJournal:
    """An in-memory journal (tests, dry runs)."""

    def __init__(self, entries: list[dict[str, Any]] | None = None) -> None:
        self._entries = list(entries or [])

    def append(self, entry: dict[str, Any]) -> None:
        self._entries.append(dict(entry))

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries)


@dataclass(frozen=True, slots=True)
class DryRun:
    plan: RollPlan
    previews: Mapping[str, LegPreview | str]  # leg -> preview, or the rejection message


async def dry_run(broker: RollBroker, plan: RollPlan) -> DryRun:
    """Preview both legs and every moved working order ("move:<order id>"); sends no order
    and writes no journal entry."""
    previews: dict[str, LegPreview | str] = {}
    for name, req in plan_requests(plan):
        try:
            previews[name] = await broker.confirm(req)
        except LegRejected as exc:
            previews[name] = str(exc)
    return DryRun(plan, previews)


def plan_requests(plan: RollPlan) -> list[tuple[str, OrderRequest]]:
    """What a roll may place, by name: "close", "open", then "move:<order id>" for each move."""
    found: list[tuple[str, OrderRequest]] = [("close", plan.close_leg), ("open", plan.open_leg)]
    for working in plan.working:
        if working.action == "move" and working.replacement is not None:
            found.append((f"move:{working.order_id}", working.replacement))
    return found
