"""Unresolved intents: order sends in the audit log with no recorded outcome, looked up later.

An *intent* is a send that the audit log shows leaving (``order.place``, ``order.cancel``,
``order.replace``, or a roll's ``place_close`` / ``place_open`` "before") with no outcome after
it. A process killed mid-send (``kill -9``, a power loss) leaves exactly that. Outcomes are:

- placement: ``order.place.result``, ``.error``, ``.reconciled``, ``.not_found``
  (``order.place.unknown`` and ``order.place.unresolved`` are *not* outcomes);
- cancel / replace: ``<kind>.result``, and ``<kind>.error`` unless the error says the
  outcome is unknown (the CLI records an ambiguous send that way); ``<kind>.unknown`` is not;
- any intent: an ``order.resolved`` record written here, naming the intent's ``key``.

`resolve_intents` looks each unresolved intent of one environment up at the broker and
records what it found as ``order.resolved``; it never sends anything. Placements are found
by their shape (the API's orders carry no OrderConfirmID), with `find_placed_order`, the
matcher of the ticket and of `tstui order place`: first among orders opened since shortly
before the send, then (a server whose clock is far from ours, like a simulator) by shape
alone. Orders the log already tied to another send are never taken. Cancels and replaces
are looked up by order id. A roll leg is only looked up and reported: the roll journal is
left alone and `tstui roll` reconciles the leg itself (it never resends it either).

While another tstui process runs (`tstui.audit.others_alive`), an intent younger than
`IN_FLIGHT_S` may still be in flight there and is left for later.

`blocking_intent` is the repeat guard: a new placement with the same shape as an unresolved
one is refused until that one is resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from tstui.audit import AuditLog, entry_time, others_alive
from tstui.domain.untrusted import safe_text

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.domain.models import Order
    from tstui.domain.orders import OrderRequest

# Every CLI command that talks to an account reads the log at start: the order and roll
# models are imported only when there is something to look at.
ENTRY_KIND: Final = "roll"  # tstui.domain.roll.ENTRY_KIND

__all__ = [
    "IN_FLIGHT_S",
    "RESOLVED_KIND",
    "Intent",
    "Resolution",
    "blocking_intent",
    "refusal_message",
    "resolve_intents",
    "unresolved_intents",
]

RESOLVED_KIND: Final = "order.resolved"
# Longer than a send can take in another process: the HTTP timeout plus the TUI's 60 s
# reconciliation of a lost answer.
IN_FLIGHT_S: Final = 120.0
HISTORY_DAYS: Final = 90  # the historical orders endpoint reaches this far back
AUDIT_KINDS: Final = ("order.", ENTRY_KIND + ".")
_ROLL_SENDS: Final = ("place_close", "place_open")

IntentKind = Literal["place", "cancel", "replace", "roll"]
Outcome = Literal["found", "not_found", "unresolved"]


@dataclass(frozen=True, slots=True)
class Intent:
    """One send without an outcome in the audit log."""

    key: str  # names the intent in its ``order.resolved`` record
    kind: IntentKind
    env: str
    account: str | None
    at: datetime | None  # when the send was logged (just before it left)
    index: int  # position of its record among the records read
    request: OrderRequest | None = None  # placements and roll legs
    order_id: str | None = None  # cancels and replaces
    roll_id: str | None = None
    step: str | None = None

    def describe(self) -> str:
        """One line for people (values from the log are made display-safe)."""
        when = self.at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.at else "at an unknown time"
        if self.request is not None:
            r = self.request
            price = "".join(
                f" {label} {value}"
                for label, value in (("limit", r.limit_price), ("stop", r.stop_price))
                if value is not None
            )
            what = f"{r.trade_action} {r.quantity} {r.symbol} {r.order_type}{price}"
            if self.kind == "roll":
                leg = (self.step or "").removeprefix("place_")
                head = f"roll {self.roll_id}: {leg} leg {what}"
            else:
                head = f"placement {what} (account {r.account_id})"
        else:
            head = f"{self.kind} of order {self.order_id}"
        return safe_text(f"{head}, sent {when}", limit=None)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the lookup of one intent found (``unresolved``: nothing could be decided)."""

    intent: Intent
    outcome: Outcome
    message: str
    order_id: str | None = None
    status: str | None = None
    match: str | None = None  # "window", "shape" or "id"

    @property
    def resolved(self) -> bool:
        return self.outcome != "unresolved"


# ------------------------------------------------------------------------- reading the log


def _payload(record: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = record.get("payload")
    return payload if isinstance(payload, Mapping) else {}


def _confirm_id(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("order_confirm_id")
    if not value:
        request = payload.get("request")
        value = request.get("OrderConfirmID") if isinstance(request, Mapping) else None
    return str(value) if value else None


def _request(payload: Mapping[str, Any]) -> OrderRequest | None:
    from tstui.domain.orders import OrderRequest

    body = payload.get("request")
    if not isinstance(body, Mapping):
        return None
    try:
        return OrderRequest.from_api(body)
    except (ValueError, TypeError, KeyError):
        return None


def _order_ids(value: Any) -> set[str]:
    """Every order id a payload names, at any depth."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("order_id", "OrderID") and isinstance(item, str) and item:
                found.add(item)
            else:
                found |= _order_ids(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= _order_ids(item)
    return found


def _is_outcome(kind: str, payload: Mapping[str, Any]) -> bool:
    if kind in ("order.place.result", "order.place.error"):
        return True
    if kind in ("order.place.reconciled", "order.place.not_found"):
        return True
    if kind in ("order.cancel.result", "order.replace.result"):
        return True
    if kind in ("order.cancel.error", "order.replace.error"):
        # the CLI records an ambiguous cancel/replace as an error whose text says so
        return "outcome unknown" not in str(payload.get("error", ""))
    return False


def unresolved_intents(
    records: Iterable[Mapping[str, Any]], env: str, *, scope: str | None = None
) -> list[Intent]:
    """Sends of ``env`` with no outcome after them, oldest first (pure: reads nothing).

    ``scope``: the API base of the caller; roll entries journaled for another base are left
    out (they cannot be looked up here).
    """
    records = list(records)
    open_: dict[str, Intent] = {}  # intent key -> intent
    handles: dict[str, str] = {}  # "place:<OrderConfirmID>" / "cancel:<order id>" -> key
    resolved_keys: set[str] = set()
    roll_entries: list[Mapping[str, Any]] = []

    def close(handle: str) -> None:
        key = handles.pop(handle, None)
        if key is not None:
            open_.pop(key, None)

    for index, record in enumerate(records):
        if record.get("env") != env:
            continue
        kind = str(record.get("kind", ""))
        payload = _payload(record)
        account = str(record["account"]) if record.get("account") else None
        stamp = str(record.get("at"))
        if kind == RESOLVED_KIND:
            key = payload.get("key")
            if isinstance(key, str):
                open_.pop(key, None)
                resolved_keys.add(key)
        elif kind.startswith(ENTRY_KIND + "."):
            if payload.get("kind") == ENTRY_KIND and (
                scope is None or payload.get("scope", scope) == scope
            ):
                roll_entries.append({**payload, "_index": index})
        elif kind == "order.place":
            confirm_id = _confirm_id(payload)
            request = _request(payload)
            if confirm_id and request is not None:
                handle = f"place:{confirm_id}"
                close(handle)  # a re-place with the same OrderConfirmID is a new send
                key = handles[handle] = f"{handle}@{stamp}"
                open_[key] = Intent(key, "place", env, account, entry_time(record), index, request)
        elif kind.startswith("order.place."):
            confirm_id = _confirm_id(payload)
            if confirm_id and _is_outcome(kind, payload):
                close(f"place:{confirm_id}")
        else:
            _fold_change(kind, payload, record, index, env, account, open_, handles, close)
    intents = list(open_.values())
    intents += _roll_intents(roll_entries, env, resolved_keys)
    return sorted(intents, key=lambda i: i.index)


def _fold_change(
    kind: str,
    payload: Mapping[str, Any],
    record: Mapping[str, Any],
    index: int,
    env: str,
    account: str | None,
    open_: dict[str, Intent],
    handles: dict[str, str],
    close: Callable[[str], None],
) -> None:
    """A cancel or replace record: opens its intent, or closes it with an outcome."""
    order_id = payload.get("order_id")
    if not isinstance(order_id, str) or not order_id:
        return
    changes: tuple[Literal["cancel", "replace"], ...] = ("cancel", "replace")
    for change in changes:
        base = f"order.{change}"
        handle = f"{change}:{order_id}"
        if kind == base:
            close(handle)
            key = handles[handle] = f"{handle}@{record.get('at')}"
            open_[key] = Intent(
                key, change, env, account, entry_time(record), index, order_id=order_id
            )
        elif kind.startswith(base + ".") and _is_outcome(kind, payload):
            close(handle)


def _roll_intents(
    entries: Sequence[Mapping[str, Any]], env: str, resolved_keys: set[str]
) -> list[Intent]:
    if not entries:
        return []
    from tstui.domain.roll import roll_progresses

    indexes = {
        (e.get("roll_id"), e.get("step"), e.get("at")): int(e["_index"])
        for e in entries
        if e.get("phase") == "before"
    }
    out: list[Intent] = []
    for roll_id, progress in roll_progresses(entries).items():
        step = progress.pending_step
        if progress.finished or step not in _ROLL_SENDS or progress.plan is None:
            continue
        key = f"roll:{roll_id}:{step}:{progress.pending_since}"
        if key in resolved_keys:
            continue
        leg = progress.plan.leg("close" if step == "place_close" else "open")
        moment = entry_time({"at": progress.pending_since}) if progress.pending_since else None
        index = indexes.get((roll_id, step, progress.pending_since), len(entries))
        out.append(
            Intent(
                key,
                "roll",
                env,
                leg.account_id,
                moment,
                index,
                request=leg,
                roll_id=roll_id,
                step=step,
            )
        )
    return out


def blocking_intent(
    records: Iterable[Mapping[str, Any]], env: str, request: OrderRequest
) -> Intent | None:
    """An unresolved placement of the same order as ``request`` (shape, account, route...)."""
    wanted = request.payload_key()
    for intent in unresolved_intents(records, env):
        if intent.kind != "place" or intent.request is None:
            continue
        if intent.request.payload_key() == wanted:
            return intent
    return None


def refusal_message(intent: Intent, how_to_resolve: str) -> str:
    """Why a repeat is refused and what to do (the CLI and the TUI say how to resolve)."""
    return (
        f"refused: the same order was sent before and its outcome is still unknown "
        f"({intent.describe()}); it is never sent twice. {how_to_resolve}"
    )


# ------------------------------------------------------------------------- looking up


class _Lookup:
    """Orders per account, fetched once per resolution run."""

    def __init__(self, api: TradeStationAPI, today: date) -> None:
        self.api = api
        self.today = today
        self._today: dict[str, tuple[Order, ...]] = {}
        self._history: dict[tuple[str, date], tuple[Order, ...]] = {}
        self._accounts: list[str] | None = None

    async def accounts(self) -> list[str]:
        if self._accounts is None:
            self._accounts = [a.account_id for a in await self.api.get_accounts()]
        return self._accounts

    async def today_orders(self, account: str) -> tuple[Order, ...]:
        if account not in self._today:
            batch = await self.api.get_orders([account])
            if batch.errors and not batch.items:
                first = batch.errors[0]
                raise LookupError(f"orders of {account}: {first.error}: {first.message}")
            self._today[account] = batch.items
        return self._today[account]

    async def history(self, account: str, since: date) -> tuple[Order, ...]:
        key = (account, since)
        if key not in self._history:
            batch = await self.api.get_historical_orders([account], since)
            if batch.errors and not batch.items:
                first = batch.errors[0]
                raise LookupError(f"order history of {account}: {first.error}: {first.message}")
            self._history[key] = batch.items
        return self._history[key]


def _claimed(records: Sequence[Mapping[str, Any]], intent: Intent) -> set[str]:
    """Order ids that cannot be this intent's order: named before it was sent, or the result
    of another send."""
    ids: set[str] = set()
    for index, record in enumerate(records):
        if index < intent.index:
            ids |= _order_ids(_payload(record))
            continue
        if _tied_to_another_send(record, intent):
            ids |= _order_ids(_payload(record))
    return ids


def _tied_to_another_send(record: Mapping[str, Any], intent: Intent) -> bool:
    kind = str(record.get("kind", ""))
    payload = _payload(record)
    own_confirm_id = intent.request.order_confirm_id if intent.request else None
    if kind.startswith("order.place."):
        return _confirm_id(payload) != own_confirm_id
    if kind == RESOLVED_KIND:
        return payload.get("key") != intent.key
    if kind.startswith(ENTRY_KIND + "."):
        return payload.get("roll_id") != intent.roll_id
    return False


async def _find_placement(
    lookup: _Lookup, records: Sequence[Mapping[str, Any]], intent: Intent
) -> tuple[Order | None, str | None]:
    from tstui.domain.orders.placement import find_placed_order

    assert intent.request is not None
    request = intent.request
    claimed = _claimed(records, intent)
    orders = list(await lookup.today_orders(request.account_id))
    sent_day = intent.at.date() if intent.at else lookup.today - timedelta(days=1)
    if sent_day < lookup.today:  # sent on an earlier day: it may have left today's list
        since = max(sent_day, lookup.today - timedelta(days=HISTORY_DAYS))
        orders += [
            o
            for o in await lookup.history(request.account_id, since)
            if o.order_id not in {p.order_id for p in orders}
        ]
    found = find_placed_order(orders, request, intent.at, claimed)
    if found is not None:
        return found, "window"
    # A server whose clock is far from ours (a simulator): the shape alone decides.
    found = find_placed_order(orders, request, None, claimed)
    return found, "shape" if found is not None else None


async def _find_by_id(lookup: _Lookup, intent: Intent) -> Order | None:
    assert intent.order_id is not None
    accounts = [intent.account] if intent.account else await lookup.accounts()
    for account in accounts:
        for order in await lookup.today_orders(account):
            if order.order_id == intent.order_id:
                return order
    return None


def _status(order: Order) -> str:
    text = order.status or "?"
    if order.status_description:
        text += f" {order.status_description}"
    if order.reject_reason:
        text += f", {order.reject_reason}"
    return safe_text(text, limit=120)


async def _resolve_one(
    lookup: _Lookup, records: Sequence[Mapping[str, Any]], intent: Intent
) -> Resolution:
    what = intent.describe()
    if intent.kind in ("cancel", "replace"):
        order = await _find_by_id(lookup, intent)
        if order is None:
            return Resolution(
                intent, "not_found", f"{what}: order not in today's orders; check it by hand"
            )
        status = _status(order)
        return Resolution(
            intent,
            "found",
            f"{what}: order {safe_text(order.order_id)} is now {status}",
            order.order_id,
            order.status,
            "id",
        )
    order, match = await _find_placement(lookup, records, intent)
    if intent.kind == "roll":
        then = "`tstui roll` reconciles this leg and carries on (it is never resent)"
        if order is None:
            text = f"{what}: no such order found; {then}"
            return Resolution(intent, "not_found", text)
        text = f"{what}: found order {safe_text(order.order_id)} ({_status(order)}); {then}"
        return Resolution(intent, "found", text, order.order_id, order.status, match)
    if order is None:
        return Resolution(
            intent,
            "not_found",
            f"{what}: no matching order at the broker: it was most likely not placed "
            "(it was not resent)",
        )
    how = (
        " (matched by shape alone: not opened near the send time by the server's clock; "
        "check that it is this one)"
        if match == "shape"
        else ""
    )
    return Resolution(
        intent,
        "found",
        f"{what}: it was placed: order {safe_text(order.order_id)} ({_status(order)}){how}",
        order.order_id,
        order.status,
        match,
    )


def _record(log: AuditLog, resolution: Resolution) -> None:
    intent = resolution.intent
    payload: dict[str, Any] = {
        "key": intent.key,
        "intent": intent.kind,
        "found": resolution.outcome == "found",
        "order_id": resolution.order_id,
        "status": resolution.status,
        "match": resolution.match,
        "message": resolution.message,
    }
    if intent.request is not None:
        payload["order_confirm_id"] = intent.request.order_confirm_id
    if intent.kind in ("cancel", "replace"):
        payload["target_order_id"] = intent.order_id
    if intent.roll_id:
        payload.update(roll_id=intent.roll_id, step=intent.step)
    log.append(RESOLVED_KIND, env=intent.env, account=intent.account, payload=payload)


async def resolve_intents(
    api: TradeStationAPI,
    log: AuditLog,
    env: str,
    *,
    scope: str | None = None,
    now: datetime | None = None,
    logged_before: datetime | None = None,
) -> list[Resolution]:
    """Look every unresolved intent of ``env`` up, record each verdict, return them all.

    Intents that could not be decided (a lookup failed, or the send may still be in flight in
    another tstui) come back ``unresolved`` with the reason, and nothing is recorded for them.
    ``logged_before``: leave out intents logged from then on (a long-running caller's own
    sends, which it reconciles itself). Never sends an order request. Reads only the log when
    nothing is unresolved.
    """
    from tstui.client.errors import TradeStationError

    records = list(log.entries(kinds=AUDIT_KINDS))
    intents = [
        i
        for i in unresolved_intents(records, env, scope=scope)
        if logged_before is None or i.at is None or i.at < logged_before
    ]
    if not intents:
        return []
    moment = now or datetime.now(UTC)
    busy = others_alive(log)
    lookup = _Lookup(api, moment.date())
    out: list[Resolution] = []
    for intent in intents:
        age = (moment - intent.at).total_seconds() if intent.at else IN_FLIGHT_S
        if busy and age < IN_FLIGHT_S:
            text = (
                f"{intent.describe()}: no outcome yet; another tstui is running and may "
                "still be sending it: looked up later"
            )
            out.append(Resolution(intent, "unresolved", text))
            continue
        try:
            resolution = await _resolve_one(lookup, records, intent)
        except (TradeStationError, LookupError) as exc:
            reason = safe_text(str(exc) or type(exc).__name__, limit=200)
            text = f"{intent.describe()}: could not be looked up ({reason})"
            out.append(Resolution(intent, "unresolved", text))
            continue
        try:
            _record(log, resolution)
        except OSError as exc:
            text = f"{resolution.message} (not recorded: the audit log is not writable: {exc})"
            out.append(Resolution(intent, "unresolved", text))
            continue
        out.append(resolution)
    return out
