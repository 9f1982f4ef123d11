"""The roll state machine as a pure reducer over journal entries.

Journal entries are plain JSON-ready dicts (the audit log stores them as JSONL lines):

    {"kind": "roll", "roll_id": ..., "step": ..., "phase": "before"|"after", "at": ISO, "data": {}}

A step's "before" entry is written before it is attempted and its "after" entry once its
outcome is known. An "after" entry moves the roll to the step's state:

    plan -> planned, preview -> previewed, confirm -> confirmed, place_close -> close_placed,
    close_fill -> close_filled, place_open -> open_placed, open_fill -> open_filled,
    verify -> verified, stop -> stopped (terminal, data: reason + message)

A "before" without its "after" is `RollProgress.pending_step`: for the two ``place_*`` steps it
means the leg *may* have reached the broker, so it must be reconciled (looked for) before any
resend. A ``place_*`` "after" with ``"not_sent": true`` (refused before it was applied, e.g. a
401) closes the "before" and does not count as an attempt: the leg is simply still to send.
Entries of other kinds or other rolls, and malformed entries, are ignored.

Working orders of the old contract (see `tstui.domain.roll.working`) have their own steps,
which do not move the state: ``cancel_working`` (before the close leg) and ``place_working``
(the moved order, once the open leg filled), each with ``data.order_id`` = the old order's id.
Their "after" data land in `RollProgress.working_results` under ``"<step>:<order id>"``; a
"before" without its "after" is `working_pending` (a cancel or a placement that may have been
sent: looked at, never resent).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal

from tstui.domain.roll.plan import RollPlan

__all__ = [
    "ENTRY_KIND",
    "STEP_STATES",
    "RollAgenda",
    "RollProgress",
    "RollState",
    "StopReason",
    "advance",
    "finished_roll_ids",
    "journal_entry",
    "resume_state",
    "roll_agenda",
    "roll_progresses",
]

ENTRY_KIND: Final = "roll"
Phase = Literal["before", "after"]
StopReason = Literal[
    "preview_failed",
    "declined",
    "position_changed",
    "close_rejected",
    "close_partial",
    "open_rejected",
    "open_partial",
    "unknown_outcome",
    "verify_failed",
    "working_cancel_failed",
]
WORKING_STEPS: Final = frozenset({"cancel_working", "place_working"})


class RollState(StrEnum):
    PLANNED = "planned"
    PREVIEWED = "previewed"
    CONFIRMED = "confirmed"
    CLOSE_PLACED = "close_placed"
    CLOSE_FILLED = "close_filled"
    OPEN_PLACED = "open_placed"
    OPEN_FILLED = "open_filled"
    VERIFIED = "verified"
    STOPPED = "stopped"


STEP_STATES: Final[Mapping[str, RollState]] = {
    "plan": RollState.PLANNED,
    "preview": RollState.PREVIEWED,
    "confirm": RollState.CONFIRMED,
    "place_close": RollState.CLOSE_PLACED,
    "close_fill": RollState.CLOSE_FILLED,
    "place_open": RollState.OPEN_PLACED,
    "open_fill": RollState.OPEN_FILLED,
    "verify": RollState.VERIFIED,
    "stop": RollState.STOPPED,
}
_ORDER: Final = list(RollState)
# Stops after which orders may exist: they block further rolls of the same old contract.
_STOPS_THAT_SENT: Final = frozenset(
    {"close_rejected", "close_partial", "open_rejected", "open_partial", "unknown_outcome",
     "verify_failed"}
)  # fmt: skip


def journal_entry(
    roll_id: str, step: str, phase: Phase, at: datetime, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "kind": ENTRY_KIND,
        "roll_id": roll_id,
        "step": step,
        "phase": phase,
        "at": at.isoformat(),
        "data": dict(data or {}),
    }


@dataclass(frozen=True, slots=True)
class RollProgress:
    """Where a roll stands according to its journal entries."""

    roll_id: str
    plan: RollPlan | None = None
    state: RollState | None = None  # None: the journal knows nothing of this roll
    pending_step: str | None = None  # a "before" without its "after"
    pending_since: str | None = None  # ISO time of that "before"
    close_order_id: str | None = None
    open_order_id: str | None = None
    place_attempts: Mapping[str, int] = field(default_factory=dict)  # leg -> sends tried
    stop_reason: str | None = None
    stop_message: str | None = None
    previews: Mapping[str, Any] = field(default_factory=dict)
    working_results: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    working_pending: str | None = None  # "<step>:<order id>" of a working step in flight
    working_pending_since: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (RollState.VERIFIED, RollState.STOPPED)

    @property
    def may_have_sent(self) -> bool:
        """True when an order of this roll may exist at the broker."""
        if self.pending_step in ("place_close", "place_open"):
            return True
        if self.working_pending is not None and self.working_pending.startswith("place_"):
            return True
        if self.close_order_id is not None or self.open_order_id is not None:
            return True
        if self.state == RollState.STOPPED:
            return self.stop_reason in _STOPS_THAT_SENT
        return self.at_least(RollState.CLOSE_PLACED)

    def at_least(self, state: RollState) -> bool:
        if self.state is None or self.state == RollState.STOPPED:
            return False
        return _ORDER.index(self.state) >= _ORDER.index(state)

    def describe(self) -> str:
        label = self.plan.describe() if self.plan else self.roll_id
        if self.state == RollState.STOPPED:
            return f"{label}: stopped ({self.stop_reason}): {self.stop_message}"
        pending = f", {self.pending_step} in progress" if self.pending_step else ""
        return f"{label}: {self.state or 'not started'}{pending}"


def advance(progress: RollProgress, entry: Mapping[str, Any]) -> RollProgress:
    """Apply one journal entry (the reducer). Entries for other rolls are ignored."""
    if entry.get("kind") != ENTRY_KIND or entry.get("roll_id") != progress.roll_id:
        return progress
    if progress.state == RollState.STOPPED:
        return progress  # terminal
    step, phase = entry.get("step"), entry.get("phase")
    data = entry.get("data")
    data = data if isinstance(data, Mapping) else {}
    if isinstance(step, str) and step in WORKING_STEPS:
        return _advance_working(progress, step, phase, data, entry.get("at"))
    if not isinstance(step, str) or step not in STEP_STATES:
        return progress
    if phase == "before":
        changes: dict[str, Any] = {"pending_step": step, "pending_since": entry.get("at")}
        if step.startswith("place_"):
            leg = step.removeprefix("place_")
            attempts = dict(progress.place_attempts)
            attempts[leg] = attempts.get(leg, 0) + 1
            changes["place_attempts"] = attempts
        return dataclasses.replace(progress, **changes)
    if phase != "after":
        return progress
    changes = {"state": STEP_STATES[step]}
    if progress.pending_step == step:
        changes.update(pending_step=None, pending_since=None)
    if step == "plan":
        try:
            changes["plan"] = RollPlan.from_dict(data)
        except ValueError:
            return progress
    elif step == "preview":
        changes["previews"] = dict(data)
    elif step in ("place_close", "place_open"):
        if data.get("not_sent") is True:  # refused before it was applied: not an attempt
            leg = step.removeprefix("place_")
            attempts = dict(progress.place_attempts)
            attempts[leg] = max(0, attempts.get(leg, 0) - 1)
            return dataclasses.replace(
                progress, pending_step=None, pending_since=None, place_attempts=attempts
            )
        order_id = data.get("order_id")
        if not isinstance(order_id, str) or not order_id:
            return progress  # an "after" without an order id is not a placement
        changes["close_order_id" if step == "place_close" else "open_order_id"] = order_id
    elif step == "stop":
        changes.update(
            stop_reason=str(data.get("reason", "unknown")),
            stop_message=str(data.get("message", "")),
        )
    return dataclasses.replace(progress, **changes)


def _advance_working(
    progress: RollProgress, step: str, phase: Any, data: Mapping[str, Any], at: Any
) -> RollProgress:
    order_id = data.get("order_id")
    if not isinstance(order_id, str) or not order_id:
        return progress
    key = f"{step}:{order_id}"
    if phase == "before":
        return dataclasses.replace(
            progress, working_pending=key, working_pending_since=at if isinstance(at, str) else None
        )
    if phase != "after":
        return progress
    cleared: dict[str, Any] = {}
    if progress.working_pending == key:
        cleared = {"working_pending": None, "working_pending_since": None}
    if data.get("not_sent") is True:  # refused before it was applied: still to do
        return dataclasses.replace(progress, **cleared)
    results = dict(progress.working_results)
    results[key] = dict(data)
    return dataclasses.replace(progress, working_results=results, **cleared)


def resume_state(entries: Iterable[Mapping[str, Any]], roll_id: str) -> RollProgress:
    """Fold a roll's journal entries into its progress (state None if it has none)."""
    progress = RollProgress(roll_id)
    for entry in entries:
        progress = advance(progress, entry)
    return progress


def roll_progresses(entries: Iterable[Mapping[str, Any]]) -> dict[str, RollProgress]:
    """Progress of every roll in the journal, in order of first appearance."""
    found: dict[str, RollProgress] = {}
    for entry in entries:
        if entry.get("kind") != ENTRY_KIND:
            continue
        rid = entry.get("roll_id")
        if not isinstance(rid, str):
            continue
        found[rid] = advance(found.get(rid) or RollProgress(rid), entry)
    return found


def finished_roll_ids(entries: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Ids of rolls that reached verified or stopped (for `plan_rolls(finished_roll_ids=)`)."""
    return frozenset(rid for rid, p in roll_progresses(entries).items() if p.finished)


@dataclass(frozen=True, slots=True)
class RollAgenda:
    """What a roll run should do given fresh plans and the journal."""

    resume: tuple[RollProgress, ...]  # unfinished rolls from the journal: continue these first
    start: tuple[RollPlan, ...]  # new rolls
    blocked: tuple[tuple[RollPlan, RollProgress], ...]  # held back by a stopped earlier roll

    @property
    def empty(self) -> bool:
        return not (self.resume or self.start or self.blocked)


def roll_agenda(
    plans: Iterable[RollPlan],
    entries: Iterable[Mapping[str, Any]],
    *,
    keep: Callable[[RollPlan], bool] | None = None,
    retry_stopped: bool = False,
) -> RollAgenda:
    """Merge fresh plans with the journal.

    - Unfinished rolls in the journal are resumed (even if their old position is gone: the
      close may have filled before a crash). `keep` filters them like the plans (--account...).
    - A plan whose roll is unfinished in the journal is the same roll: it is not started twice.
    - A plan for an account/contract whose latest roll stopped after sending an order is
      blocked until the user retries explicitly (`retry_stopped`), so a half-done roll is
      never "fixed" automatically.
    """
    progresses = roll_progresses(entries)
    resume = tuple(
        p
        for p in progresses.values()
        if not p.finished and p.plan is not None and (keep is None or keep(p.plan))
    )
    resuming = {p.roll_id for p in resume}
    latest_by_contract: dict[tuple[str, str], RollProgress] = {}
    for progress in progresses.values():
        if progress.plan is not None:
            key = (progress.plan.account_id, progress.plan.old_symbol)
            latest_by_contract[key] = progress
    start: list[RollPlan] = []
    blocked: list[tuple[RollPlan, RollProgress]] = []
    for plan in plans:
        if keep is not None and not keep(plan):
            continue
        if plan.roll_id in resuming:
            continue
        previous = progresses.get(plan.roll_id)
        if previous is not None and previous.state == RollState.VERIFIED:
            continue  # this very roll already completed (stale positions): nothing to do
        while plan.roll_id in progresses:  # an earlier attempt stopped: this is a new one
            plan = plan.next_attempt()
        latest = latest_by_contract.get((plan.account_id, plan.old_symbol))
        if (
            latest is not None
            and latest.state == RollState.STOPPED
            and latest.stop_reason in _STOPS_THAT_SENT
            and not retry_stopped
        ):
            blocked.append((plan, latest))
            continue
        start.append(plan)
    return RollAgenda(resume=resume, start=tuple(start), blocked=tuple(blocked))
