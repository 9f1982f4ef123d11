"""The real `RollBroker` on `TradeStationAPI`, the audit-log roll journal, front months.

- `ApiRollBroker`: orderconfirm -> `LegPreview`; placement once (never retried) with a
  refusal (an ``Errors`` entry inside a 200, or a 4xx) -> `LegRejected`, a 401 or a connection
  that never opened -> `LegNotSent` (nothing applied; the next run sends it) and an ambiguous
  failure (`OrderOutcomeUnknown`) -> `LegOutcomeUnknown`; order status by id; an order found
  by its shape (account, symbol, side, quantity, type, opened after a time) to reconcile a
  placement whose answer was lost; net positions per symbol; a cancel (for the old
  contract's working orders) sent once, with the same error mapping.
- `AuditJournal`: roll journal entries stored in the audit log as kind ``roll.<step>`` with
  the entry as the payload (one ``os.write`` on an O_APPEND file: a killed process leaves
  whole lines). Reads back only entries of its environment (and scope, when given).
- `front_months(api, roots)`: ``{"ES": "ESH27"}`` from ``Symbols[0].Underlying`` of ``@ES``.
- `prepare_rolls(..., style=, working_action=)`: plans with the accounts' working orders in
  the old contracts (moved at the same distance from the last prices, cancelled or kept) and
  Market or Limit legs.
- `describe_entry(entry)`: one human line per journal entry (CLI and TUI progress).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog
from tstui.client.api import HISTORY_DAYS
from tstui.client.errors import ApiError, OrderOutcomeUnknown, TransportError, Unauthorized
from tstui.domain.market import futures
from tstui.domain.orders import OrderRequest
from tstui.domain.roll import (
    ENTRY_KIND,
    LegNotSent,
    LegOutcomeUnknown,
    LegPreview,
    LegRejected,
    LegStatus,
    LegStyle,
    RollAgenda,
    RollPlan,
    WorkingAction,
    finished_roll_ids,
    plan_rolls,
    roll_agenda,
    roll_progresses,
)

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.domain.models import Order

__all__ = [
    "ApiRollBroker",
    "AuditJournal",
    "RollBrokerError",
    "RollWork",
    "describe_entry",
    "front_months",
    "prepare_rolls",
    "read_front_months",
]

_ZERO = Decimal(0)
HISTORY_PAUSE_S = 3.0
_SIDES = {"BUY": ("buy",), "SELL": ("sell",)}


class RollBrokerError(Exception):
    """A read the roll depends on came back incomplete (e.g. an account error in a 200)."""


def _side_matches(order: Order, action: str) -> bool:
    side = (order.side or "").lower()
    wanted = _SIDES.get(action.upper(), (action.lower(),))
    return side in wanted


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ApiRollBroker:
    """`RollBroker` backed by the REST API.

    `clock_skew` widens the "opened at or after" window of `find_order` (the server's clock
    and ours differ; the simulator's clock can be anywhere). A shape match that is ambiguous
    (two candidates) answers None: the runner then resends with the *same* OrderConfirmID,
    which the API refuses if the first send had arrived, so nothing is ever doubled.
    """

    def __init__(
        self,
        api: TradeStationAPI,
        *,
        clock_skew: timedelta = timedelta(minutes=5),
        known_order_ids: Iterable[str] = (),
    ) -> None:
        self.api = api
        self.clock_skew = clock_skew
        self.known_order_ids = set(known_order_ids)  # orders that are not a lost placement
        self.placed: list[str] = []  # order ids placed through this broker (tests, display)
        self._history_looked_up: dict[str, float] = {}

    async def confirm(self, req: OrderRequest) -> LegPreview:
        try:
            confirmations = await self.api.confirm_order(req)
        except ApiError as exc:
            raise LegRejected(exc.message or str(exc)) from None
        if not confirmations:
            raise LegRejected("orderconfirm returned no confirmation")
        c = confirmations[0]
        cost = c.debit_credit_estimated_cost
        return LegPreview(
            summary=c.summary_message or f"{req.trade_action} {req.quantity} {req.symbol}",
            estimated_price=c.estimated_price,
            estimated_cost=cost if cost is not None else c.estimated_cost,
            commission=c.estimated_commission,
        )

    async def place(self, req: OrderRequest) -> str:
        try:
            results = await self.api.place_order(req)
        except OrderOutcomeUnknown as exc:
            raise LegOutcomeUnknown(str(exc)) from None
        except (Unauthorized, TransportError) as exc:  # refused at the door / never left
            raise LegNotSent(getattr(exc, "message", "") or str(exc)) from None
        except ApiError as exc:
            raise LegRejected(exc.message or str(exc)) from None
        refused = [r for r in results if not r.ok]
        if refused:
            raise LegRejected("; ".join(r.message or r.error or "rejected" for r in refused))
        for result in results:
            if result.order_id:
                self.placed.append(result.order_id)
                self.known_order_ids.add(result.order_id)
                return result.order_id
        raise LegOutcomeUnknown("the placement answer carried no order id")

    async def cancel(self, order_id: str) -> None:
        try:
            result = await self.api.cancel_order(order_id)
        except OrderOutcomeUnknown as exc:
            raise LegOutcomeUnknown(str(exc)) from None
        except (Unauthorized, TransportError) as exc:
            raise LegNotSent(getattr(exc, "message", "") or str(exc)) from None
        except ApiError as exc:
            raise LegRejected(exc.message or str(exc)) from None
        if not result.ok:
            raise LegRejected(result.message or result.error or "cancel refused")

    async def order_status(self, account_id: str, order_id: str) -> LegStatus:
        batch = await self.api.get_orders([account_id], [order_id])
        for order in batch.items:
            if order.order_id == order_id:
                return LegStatus(
                    order_id=order_id,
                    status=order.status or "",
                    filled_quantity=order.filled_quantity,
                    message=order.reject_reason or "",
                )
        # An old GTC order that just ended may be listed only among the historical orders
        # (looked up at most every few seconds: that endpoint has a tight rate limit).
        now = time.monotonic()
        if now - self._history_looked_up.get(order_id, -HISTORY_PAUSE_S) < HISTORY_PAUSE_S:
            return LegStatus(order_id, "", _ZERO, "order not listed yet")
        self._history_looked_up[order_id] = now
        # A week inside the 90-day window: the server's "today" may be ahead of ours.
        since = self.api.clock().astimezone(UTC).date() - timedelta(days=HISTORY_DAYS - 7)
        try:
            history = await self.api.get_historical_orders([account_id], since, [order_id])
        except ApiError:
            history = None
        for order in history.items if history is not None else ():
            if order.order_id == order_id:
                return LegStatus(
                    order_id=order_id,
                    status=order.status or "",
                    filled_quantity=order.filled_quantity,
                    message=order.reject_reason or "",
                )
        detail = "; ".join(f"{e.error}: {e.message}" for e in batch.errors)
        return LegStatus(order_id, "", _ZERO, detail or "order not listed yet")

    async def find_order(self, req: OrderRequest, placed_after: datetime) -> LegStatus | None:
        since = _aware(placed_after) - self.clock_skew
        batch = await self.api.get_orders([req.account_id])
        if batch.errors and not batch.items:
            first = batch.errors[0]
            raise RollBrokerError(f"orders of {req.account_id}: {first.error}: {first.message}")
        candidates = [
            o
            for o in batch.items
            if o.order_id not in self.known_order_ids
            and (o.account_id in (None, "", req.account_id))
            and o.symbol.upper() == req.symbol.upper()
            and _side_matches(o, req.trade_action)
            and o.quantity == req.quantity
            and (o.order_type or "").lower() == req.order_type.lower()
            and o.opened_date_time is not None
            and _aware(o.opened_date_time) >= since
        ]
        if len(candidates) != 1:
            return None
        found = candidates[0]
        self.known_order_ids.add(found.order_id)
        return LegStatus(
            found.order_id, found.status or "", found.filled_quantity, found.reject_reason or ""
        )

    async def net_positions(self, account_id: str) -> Mapping[str, Decimal]:
        batch = await self.api.get_positions([account_id])
        if batch.errors:
            first = batch.errors[0]
            raise RollBrokerError(f"positions of {account_id}: {first.error}: {first.message}")
        net: dict[str, Decimal] = {}
        for position in batch.items:
            if position.symbol:
                key = position.symbol.upper()
                net[key] = net.get(key, _ZERO) + position.signed_quantity
        return {symbol: qty for symbol, qty in net.items() if qty != 0}


class AuditJournal:
    """`RollJournal` in the audit log: kind ``roll.<step>``, payload = the journal entry."""

    def __init__(self, log: AuditLog, *, env: str, scope: str | None = None) -> None:
        self.log = log
        self.env = env
        self.scope = scope  # e.g. the API base: keeps two simulators' rolls apart

    @classmethod
    def in_dir(cls, state_dir: Any, *, env: str, scope: str | None = None) -> AuditJournal:
        return cls(AuditLog.in_dir(state_dir), env=env, scope=scope)

    def append(self, entry: dict[str, Any]) -> None:
        roll_id = str(entry.get("roll_id", ""))
        payload = dict(entry)
        if self.scope is not None:
            payload["scope"] = self.scope
        # AuditLog.append fsyncs: the entry is durable on return, as the journal promises.
        self.log.append(
            f"{ENTRY_KIND}.{entry.get('step', 'unknown')}",
            env=self.env,
            account=roll_id.split("/", 1)[0] or None,
            payload=payload,
        )

    @contextmanager
    def lock(self) -> Iterator[bool]:
        """Hold the journal's roll lock (non-blocking): yields False when another process or
        task is rolling with this journal right now."""
        path = self.log.path.with_name(self.log.path.name + ".roll.lock")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for record in self.log.entries():
            if record.get("env") != self.env or not str(record.get("kind", "")).startswith(
                ENTRY_KIND + "."
            ):
                continue
            payload = record.get("payload")
            if not isinstance(payload, dict) or payload.get("kind") != ENTRY_KIND:
                continue
            if self.scope is not None and payload.get("scope", self.scope) != self.scope:
                continue
            out.append(payload)
        return out


async def read_front_months(
    api: TradeStationAPI, roots: Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """(front contract per root, problems) from the ``@ROOT`` symbol details."""
    wanted = sorted({r.upper().lstrip("@") for r in roots if r.strip()})
    if not wanted:
        return {}, []
    batch = await api.get_symbols([f"@{r}" for r in wanted])
    fronts: dict[str, str] = {}
    for detail in batch.items:
        root = detail.symbol.upper().lstrip("@")
        underlying = (detail.underlying or "").upper()
        if root in wanted and underlying:
            try:
                futures.parse_contract(underlying)
            except ValueError:
                continue
            fronts[root] = underlying
    problems = [f"{e.id or '?'}: {e.error}: {e.message}" for e in batch.errors]
    problems += [
        f"@{r}: no front contract in its symbol details" for r in wanted if r not in fronts
    ]
    return fronts, problems


async def front_months(api: TradeStationAPI, roots: Iterable[str]) -> dict[str, str]:
    """``{"ES": "ESH27"}``: roots whose details are missing are left out."""
    fronts, _ = await read_front_months(api, roots)
    return fronts


_STEP_TEXT = {
    ("plan", "after"): "planned",
    ("preview", "before"): "previewing both legs",
    ("confirm", "after"): "confirmed",
    ("place_close", "before"): "placing the close leg",
    ("close_fill", "before"): "waiting for the close fill",
    ("place_open", "before"): "placing the open leg",
    ("open_fill", "before"): "waiting for the open fill",
    ("verify", "before"): "checking positions",
}


def describe_entry(entry: Mapping[str, Any]) -> str | None:
    """One line for a journal entry, or None for entries not worth showing."""
    step, phase = entry.get("step"), entry.get("phase")
    data = entry.get("data")
    data = data if isinstance(data, Mapping) else {}
    label = str(entry.get("roll_id", ""))
    text = _STEP_TEXT.get((str(step), str(phase)))
    if step == "preview" and phase == "after":
        parts = []
        for leg in ("close", "open"):
            preview = data.get(leg)
            if isinstance(preview, Mapping):
                parts.append(f"{leg}: {preview.get('summary')} ~{preview.get('estimated_price')}")
        text = "previewed (" + "; ".join(parts) + ")"
    elif step in ("place_close", "place_open") and phase == "after":
        leg = str(step).removeprefix("place_")
        if data.get("order_id"):
            how = " (found after a lost answer)" if data.get("reconciled") else ""
            text = f"{leg} leg placed: order {data['order_id']}{how}"
        else:
            text = f"{leg} leg refused: {data.get('error', '')}"
    elif step in ("close_fill", "open_fill") and phase == "after":
        leg = str(step).removesuffix("_fill")
        text = f"{leg} leg filled: order {data.get('order_id')} ({data.get('filled')})"
    elif step == "verify" and phase == "after":
        shown = ", ".join(f"{k} {v}" for k, v in data.items())
        text = f"verified: {shown}"
    elif step == "stop":
        text = f"STOPPED ({data.get('reason')}): {data.get('message')}"
    elif step == "cancel_working":
        order_id = data.get("order_id")
        if phase == "before":
            text = f"cancelling working order {order_id}"
        elif data.get("error"):
            text = f"working order {order_id}: cancel refused: {data.get('error')}"
        else:
            text = f"working order {order_id}: {data.get('status')}"
    elif step == "place_working":
        order_id = data.get("order_id")
        if phase == "before":
            text = f"placing the moved order for {order_id}"
        elif data.get("new_order_id"):
            how = " (found after a lost answer)" if data.get("reconciled") else ""
            text = f"working order {order_id} moved: order {data['new_order_id']}{how}"
        else:
            why = data.get("error") or data.get("message") or "not placed"
            text = f"working order {order_id} NOT moved: {why}"
    if text is None:
        return None
    return f"{label}: {text}"


@dataclass(frozen=True, slots=True)
class RollWork:
    """What a roll run has to do: the agenda plus anything that kept a root from planning."""

    agenda: RollAgenda
    problems: tuple[str, ...]
    fronts: Mapping[str, str]
    known_order_ids: frozenset[str]


async def prepare_rolls(
    api: TradeStationAPI,
    account_ids: Sequence[str],
    roots: Collection[str] | None,
    entries: list[dict[str, Any]],
    *,
    retry_stopped: bool = False,
    style: LegStyle | None = None,
    working_action: WorkingAction = "keep",
) -> RollWork:
    """Positions + front months + the journal -> the agenda (resume first, then new rolls).

    Each plan lists its account's working orders in the old contract with `working_action`
    (priced from the last quotes of both contracts); `style` prices the legs (a Limit style
    without a quote for a contract leaves that roll out, with a problem line).
    """
    wanted = {r.upper().lstrip("@") for r in roots} if roots else None
    accounts = set(account_ids)
    problems: list[str] = []
    batch = await api.get_positions(list(account_ids)) if account_ids else None
    positions = list(batch.items) if batch is not None else []
    if batch is not None:
        problems += [f"{e.id or '?'}: {e.error}: {e.message}" for e in batch.errors]
    held_roots: set[str] = set()
    for position in positions:
        if (position.asset_type or "FUTURE").upper() not in ("FUTURE", "FUTURES"):
            continue
        try:
            root = futures.parse_contract(position.symbol or "").root
        except ValueError:
            continue
        if wanted is None or root in wanted:
            held_roots.add(root)
    fronts, front_problems = await read_front_months(api, held_roots)
    problems += front_problems
    orders: list[Order] = []
    if positions and account_ids:
        order_batch = await api.get_orders(list(account_ids))
        orders = [o for o in order_batch.items if o.is_working]
        problems += [f"{e.id or '?'}: {e.error}: {e.message}" for e in order_batch.errors]
    symbols = sorted(
        {p.symbol.upper() for p in positions if p.symbol} | {s.upper() for s in fronts.values()}
    )
    prices: dict[str, Decimal] = {}
    if symbols:
        quotes = await api.get_quotes(symbols)
        prices = {q.symbol.upper(): q.last for q in quotes.items if q.last is not None}
    plans: list[RollPlan] = []
    for root, front in sorted(fronts.items()):
        try:
            plans += plan_rolls(
                positions,
                {root: front},
                {root} if wanted is None else {root} & wanted,
                finished_roll_ids=finished_roll_ids(entries),
                style=style,
                prices=prices,
                working_orders=orders,
                working_action=working_action,
            )
        except ValueError as exc:
            problems.append(f"{root}: {exc}")

    def keep(plan: RollPlan) -> bool:
        return plan.account_id in accounts and (wanted is None or plan.root in wanted)

    agenda = roll_agenda(plans, entries, keep=keep, retry_stopped=retry_stopped)
    known = {
        oid
        for progress in roll_progresses(entries).values()
        for oid in (progress.close_order_id, progress.open_order_id)
        if oid
    }
    return RollWork(agenda, tuple(problems), fronts, frozenset(known))
