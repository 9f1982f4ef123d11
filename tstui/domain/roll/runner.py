"""Runs one roll step by step against a broker, journaling before and after every step.

Safety rules the runner keeps (tests in tests/domain/test_roll.py):

- Every step is journaled ("before", then "after" once its outcome is known); a run after a
  crash folds the journal (`resume_state`) and continues from there.
- A leg whose "place" has a "before" but no "after" may have reached the broker: the runner
  first asks the broker for it (`find_order`). Found: the placement is recorded and the roll
  goes on. Not found: the roll stops for a person (`unknown_outcome`); the program never
  sends a leg twice (`max_place_attempts` is 1; a larger value would resend with the *same*
  OrderConfirmID, leaving the API's duplicate guard as the only protection).
- A send refused before anything was applied (`LegNotSent`: an expired sign-in, now refreshed)
  is journaled as not sent and the run ends without a terminal state: the next run (a person
  running the roll again) sends the leg, with the same OrderConfirmID.
- An ambiguous send (timeout, reset: `LegOutcomeUnknown` or any unexpected exception) is
  reconciled at once; if the order cannot be found yet the run ends *without* an "after" so
  the next run reconciles again. Nothing is ever resent blindly.
- The open leg is placed only after the close leg filled completely. A close that is rejected,
  cancelled or only partly filled stops the roll (terminal) with a message; nothing is opened.
- Before the close is sent the old position is checked again; if it changed, the roll stops
  without sending anything.
- Waiting for a fill or for positions times out without a terminal state: run again later.
- Exceptions from the broker's read calls propagate; the journal stays consistent.
- Working orders of the old contract planned "move" or "cancel" are cancelled (each once,
  journaled) after approval and before the close leg, and the roll waits until each is final;
  the old position is checked again after that (a stop that filled meanwhile stops the roll).
  A cancel whose outcome is unknown is looked at on the next run, never resent.
- Once the open leg filled, each "move" is placed in the new contract (journaled, sent once;
  a lost answer is reconciled, and if the order cannot be found it is reported, not resent),
  then the positions are verified. An order that filled instead of cancelling is not moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tstui.domain.enums import is_final
from tstui.domain.orders.request import OrderRequest, format_decimal
from tstui.domain.roll.broker import (
    LegNotSent,
    LegPreview,
    LegRejected,
    LegStatus,
    RollBroker,
    RollJournal,
    plan_requests,
)
from tstui.domain.roll.machine import (
    RollProgress,
    RollState,
    StopReason,
    advance,
    journal_entry,
    resume_state,
)
from tstui.domain.roll.plan import LegName, RollPlan
from tstui.domain.roll.working import WorkingOrderPlan

__all__ = ["RollOutcome", "RollRunner", "RollRunnerSettings"]

_ZERO = Decimal(0)
_REJECTED: dict[str, StopReason] = {"close": "close_rejected", "open": "open_rejected"}
_CANCELLED = frozenset({"CAN", "UCH", "EXP", "OUT", "TSC"})


@dataclass(frozen=True, slots=True)
class RollRunnerSettings:
    fill_timeout_s: float = 30.0
    verify_timeout_s: float = 15.0
    poll_interval_s: float = 0.5
    max_place_attempts: int = 1  # sends per leg; never resend by default (safety rule)


@dataclass(frozen=True, slots=True)
class RollOutcome:
    progress: RollProgress
    message: str

    @property
    def done(self) -> bool:
        return self.progress.state == RollState.VERIFIED

    @property
    def stopped(self) -> bool:
        return self.progress.state == RollState.STOPPED


def _utcnow() -> datetime:
    return datetime.now(UTC)


Approve = Callable[[RollPlan, Mapping[str, LegPreview]], Awaitable[bool]]


class RollRunner:
    """Advances one roll to verified, stopped, or a resumable wait.

    `approve` is asked once the previews are in (None: approved, e.g. `--yes`). `on_entry` sees
    every journal entry right after it is appended (progress display, announcements).
    """

    def __init__(
        self,
        broker: RollBroker,
        journal: RollJournal,
        plan: RollPlan,
        *,
        settings: RollRunnerSettings | None = None,
        approve: Approve | None = None,
        on_entry: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.broker = broker
        self.journal = journal
        self.plan = plan
        self.settings = settings or RollRunnerSettings()
        self._approve = approve
        self._on_entry = on_entry
        self._clock = clock
        self._sleep = sleep
        self.progress = resume_state(journal.entries(), plan.roll_id)
        if self.progress.plan is not None:
            self.plan = self.progress.plan  # a journaled roll continues exactly as planned

    # -- journal ----------------------------------------------------------------------------

    def _record(self, step: str, phase: str, data: Mapping[str, Any] | None = None) -> None:
        entry = journal_entry(
            self.plan.roll_id,
            step,
            "before" if phase == "before" else "after",
            self._clock(),
            data,
        )
        self.journal.append(entry)
        self.progress = advance(self.progress, entry)
        if self._on_entry is not None:
            self._on_entry(entry)

    def _stop(self, reason: StopReason, message: str) -> RollOutcome:
        self._record("stop", "after", {"reason": reason, "message": message})
        return RollOutcome(self.progress, f"{self.plan.describe()}: STOPPED: {message}")

    def _waiting(self, message: str) -> RollOutcome:
        return RollOutcome(self.progress, f"{self.plan.describe()}: {message}")

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> RollOutcome:
        if self.progress.state is None:
            self._record("plan", "after", self.plan.to_dict())
        while True:
            state = self.progress.state
            if state == RollState.VERIFIED:
                return RollOutcome(
                    self.progress, f"{self.plan.describe()}: done{self._working_summary()}"
                )
            if state == RollState.STOPPED:
                return RollOutcome(
                    self.progress, f"{self.plan.describe()}: stopped: {self.progress.stop_message}"
                )
            if not self.progress.at_least(RollState.CLOSE_PLACED) and (
                self.progress.pending_step != "place_close"
            ):
                outcome = await self._preview_and_approve()
                if outcome is None:
                    outcome = await self._place("close")
            elif state == RollState.CLOSE_PLACED:
                outcome = await self._wait_fill("close")
            elif state == RollState.CLOSE_FILLED:
                outcome = await self._place("open")
            elif state == RollState.OPEN_PLACED:
                outcome = await self._wait_fill("open")
            elif state == RollState.OPEN_FILLED:
                outcome = await self._move_working()
                if outcome is None:
                    outcome = await self._verify()
            else:  # CONFIRMED with a pending close placement: reconcile it
                outcome = await self._place("close")
            if outcome is not None:
                return outcome

    async def _preview_and_approve(self) -> RollOutcome | None:
        """(Re)preview both legs and ask; nothing has been sent at this point."""
        self._record("preview", "before")
        previews: dict[str, LegPreview] = {}
        for name, req in plan_requests(self.plan):
            try:
                previews[name] = await self.broker.confirm(req)
            except LegRejected as exc:
                what = (
                    f"the moved order for working order {name.removeprefix('move:')}"
                    if name.startswith("move:")
                    else f"the {name} leg"
                )
                return self._stop(
                    "preview_failed", f"{what}: preview refused ({exc}); nothing was sent"
                )
        self._record("preview", "after", {k: v.to_dict() for k, v in previews.items()})
        self._record("confirm", "before")
        if self._approve is not None and not await self._approve(self.plan, previews):
            return self._stop("declined", "declined by the user; nothing was sent")
        self._record("confirm", "after")
        outcome = await self._check_old_position()
        if outcome is not None or not self._to_cancel():
            return outcome
        outcome = await self._cancel_working()
        if outcome is not None:
            return outcome
        return await self._check_old_position()  # a working order may have filled meanwhile

    async def _check_old_position(self) -> RollOutcome | None:
        held = (await self.broker.net_positions(self.plan.account_id)).get(
            self.plan.old_symbol, _ZERO
        )
        if held != self.plan.old_position_before:
            ended = [
                f"{key.split(':', 1)[1]} {data.get('status')}"
                for key, data in self.progress.working_results.items()
                if key.startswith("cancel_working:")
            ]
            sent = (
                f"no leg was sent; working orders ended: {', '.join(ended)} (none moved)"
                if ended
                else "nothing was sent"
            )
            return self._stop(
                "position_changed",
                f"{self.plan.old_symbol} position is {format_decimal(held)}, planned for "
                f"{format_decimal(self.plan.old_position_before)}; {sent}",
            )
        return None

    async def _place(self, leg: LegName) -> RollOutcome | None:
        req = self.plan.leg(leg)
        step = f"place_{leg}"
        if self.progress.pending_step == step:
            found = await self._reconcile(req)
            if found is not None:
                self._record(step, "after", {"order_id": found.order_id, "reconciled": True})
                return None
            if self.progress.place_attempts.get(leg, 0) >= self.settings.max_place_attempts:
                return self._stop(
                    "unknown_outcome",
                    f"the {leg} leg ({req.trade_action} {format_decimal(req.quantity)} "
                    f"{req.symbol}) may have been sent but cannot be found; check the orders, "
                    "then `tstui roll --retry` starts a new attempt if nothing was placed",
                )
        resend = self.progress.place_attempts.get(leg, 0) > 0
        self._record(step, "before", {"order_confirm_id": req.order_confirm_id, **req.to_api()})
        try:
            order_id = await self.broker.place(req)
        except LegNotSent as exc:
            self._record(step, "after", {"error": str(exc), "not_sent": True})
            return self._waiting(
                f"the {leg} leg was not sent ({exc}); nothing was applied: run the roll again "
                "to send it"
            )
        except LegRejected as exc:
            self._record(step, "after", {"error": str(exc)})
            if resend:
                return self._stop(
                    "unknown_outcome",
                    f"the resent {leg} leg was refused ({exc}); the first send may have "
                    "reached the broker: check the orders",
                )
            return self._stop(_REJECTED[leg], self._rejected_message(leg, str(exc)))
        except Exception as exc:  # ambiguous: LegOutcomeUnknown, reset, timeout, bug...
            found = await self._reconcile(req)
            if found is None:
                return self._waiting(
                    f"the {leg} leg's outcome is unknown ({type(exc).__name__}); "
                    "run again to reconcile (it will not be sent blindly)"
                )
            order_id = found.order_id
        self._record(step, "after", {"order_id": order_id})
        return None

    async def _reconcile(self, req: OrderRequest) -> LegStatus | None:
        """Ask the broker for the order a (possibly) sent leg created."""
        try:
            sent_at = datetime.fromisoformat(self.progress.pending_since or "")
        except ValueError:  # no usable time in the journal: look back a whole day
            sent_at = self._clock() - timedelta(days=1)
        return await self.broker.find_order(req, sent_at - timedelta(seconds=5))

    def _rejected_message(self, leg: LegName, reason: str) -> str:
        p = self.plan
        if leg == "close":
            return f"the close order was rejected ({reason}); nothing was opened in {p.new_symbol}"
        return (
            f"the open order was rejected ({reason}): {p.old_symbol} is closed but "
            f"{format_decimal(p.quantity)} {p.new_symbol} ({p.direction}) still need opening"
        )

    async def _wait_fill(self, leg: LegName) -> RollOutcome | None:
        order_id = self.progress.close_order_id if leg == "close" else self.progress.open_order_id
        assert order_id is not None
        step = f"{leg}_fill"
        if self.progress.pending_step != step:
            self._record(step, "before", {"order_id": order_id})
        deadline = self._clock() + timedelta(seconds=self.settings.fill_timeout_s)
        wanted = self.plan.quantity
        while True:
            status = await self.broker.order_status(self.plan.account_id, order_id)
            filled = status.filled_quantity
            # FLL means the whole order filled; FLP counts only if the quantity is all there.
            if status.status == "FLL" or (status.status == "FLP" and filled >= wanted):
                self._record(
                    step,
                    "after",
                    {"order_id": order_id, "status": status.status, "filled": str(filled)},
                )
                return None
            if is_final(status.status):
                return self._unfilled_stop(leg, status)
            if self._clock() >= deadline:
                return self._waiting(
                    f"{leg} order {order_id} is {status.status} "
                    f"({format_decimal(filled)}/{format_decimal(wanted)} filled); run again"
                )
            await self._sleep(self.settings.poll_interval_s)

    def _unfilled_stop(self, leg: LegName, status: LegStatus) -> RollOutcome:
        p = self.plan
        filled, q = format_decimal(status.filled_quantity), format_decimal(p.quantity)
        why = f"{status.status}{': ' + status.message if status.message else ''}"
        if status.filled_quantity > 0:
            if leg == "close":
                return self._stop(
                    "close_partial",
                    f"the close order {status.order_id} ended {why} with {filled} of {q} "
                    f"filled; nothing was opened in {p.new_symbol}: resolve by hand",
                )
            return self._stop(
                "open_partial",
                f"the open order {status.order_id} ended {why} with {filled} of {q} filled "
                f"in {p.new_symbol}: the rest needs opening by hand",
            )
        return self._stop(_REJECTED[leg], self._rejected_message(leg, why))

    async def _verify(self) -> RollOutcome | None:
        if self.progress.pending_step != "verify":
            self._record("verify", "before")
        expected = self.plan.expected_positions()
        deadline = self._clock() + timedelta(seconds=self.settings.verify_timeout_s)
        while True:
            held = await self.broker.net_positions(self.plan.account_id)
            seen = {symbol: held.get(symbol, _ZERO) for symbol in expected}
            if seen == expected:
                self._record("verify", "after", {k: format_decimal(v) for k, v in seen.items()})
                return None
            if self._clock() >= deadline:
                shown = ", ".join(f"{k} {format_decimal(v)}" for k, v in seen.items())
                want = ", ".join(f"{k} {format_decimal(v)}" for k, v in expected.items())
                return self._stop(
                    "verify_failed",
                    f"both legs filled but positions show {shown}, expected {want}",
                )
            await self._sleep(self.settings.poll_interval_s)

    # -- working orders of the old contract ---------------------------------------------------

    def _to_cancel(self) -> list[WorkingOrderPlan]:
        return [w for w in self.plan.working if w.action in ("move", "cancel")]

    async def _wait_final(self, order_id: str) -> LegStatus | None:
        deadline = self._clock() + timedelta(seconds=self.settings.fill_timeout_s)
        while True:
            status = await self.broker.order_status(self.plan.account_id, order_id)
            if is_final(status.status):
                return status
            if self._clock() >= deadline:
                return None
            await self._sleep(self.settings.poll_interval_s)

    def _record_cancelled(self, order_id: str, status: LegStatus) -> None:
        self._record(
            "cancel_working",
            "after",
            {
                "order_id": order_id,
                "status": status.status,
                "filled": format_decimal(status.filled_quantity),
            },
        )

    async def _cancel_working(self) -> RollOutcome | None:
        """Cancel every working order planned move/cancel; wait until each is final."""
        for working in self._to_cancel():
            key = f"cancel_working:{working.order_id}"
            if key in self.progress.working_results:
                continue
            if self.progress.working_pending != key:
                self._record("cancel_working", "before", {"order_id": working.order_id})
                try:
                    await self.broker.cancel(working.order_id)
                except LegNotSent as exc:
                    self._record(
                        "cancel_working",
                        "after",
                        {"order_id": working.order_id, "error": str(exc), "not_sent": True},
                    )
                    return self._waiting(
                        f"the cancel of working order {working.order_id} was not sent ({exc}); "
                        "nothing was applied: run the roll again"
                    )
                except LegRejected as exc:
                    status = await self.broker.order_status(self.plan.account_id, working.order_id)
                    if is_final(status.status):  # already gone: filled or cancelled
                        self._record_cancelled(working.order_id, status)
                        continue
                    self._record(
                        "cancel_working", "after", {"order_id": working.order_id, "error": str(exc)}
                    )
                    return self._stop(
                        "working_cancel_failed",
                        f"working order {working.order_id} ({working.description}) could not "
                        f"be cancelled ({exc}); nothing was closed or opened",
                    )
                except Exception:  # ambiguous: the order's status below tells
                    pass
            # Sent now, or in an earlier run: the order's status says what happened.
            final = await self._wait_final(working.order_id)
            if final is None:
                return self._waiting(
                    f"the cancel of working order {working.order_id} is not confirmed yet; "
                    "run again (it is looked at, not resent)"
                )
            self._record_cancelled(working.order_id, final)
        return None

    async def _move_working(self) -> RollOutcome | None:
        """Place each moved order in the new contract (once the new position is open)."""
        for working in self.plan.working:
            req = working.replacement
            if working.action != "move" or req is None:
                continue
            cancelled = self.progress.working_results.get(f"cancel_working:{working.order_id}")
            if cancelled is None or cancelled.get("status") not in _CANCELLED:
                continue  # it filled (or was never cancelled): nothing to move
            key = f"place_working:{working.order_id}"
            if key in self.progress.working_results:
                continue
            if self.progress.working_pending == key:
                found = await self._find_working(req)
                data: dict[str, Any] = {"order_id": working.order_id}
                if found is not None:
                    data.update(new_order_id=found.order_id, reconciled=True)
                else:
                    data.update(
                        not_found=True,
                        message="may have been sent but cannot be found; not resent",
                    )
                self._record("place_working", "after", data)
                continue
            self._record(
                "place_working",
                "before",
                {"order_id": working.order_id, "request": req.to_api()},
            )
            try:
                new_id = await self.broker.place(req)
            except LegNotSent as exc:
                self._record(
                    "place_working",
                    "after",
                    {"order_id": working.order_id, "error": str(exc), "not_sent": True},
                )
                return self._waiting(
                    f"the moved order for {working.order_id} was not sent ({exc}); run again"
                )
            except LegRejected as exc:
                self._record(
                    "place_working", "after", {"order_id": working.order_id, "error": str(exc)}
                )
                continue
            except Exception as exc:  # ambiguous: reconcile, never resend
                found = await self._find_working(req)
                if found is None:
                    return self._waiting(
                        f"the moved order for {working.order_id}: outcome unknown "
                        f"({type(exc).__name__}); run again to reconcile (not resent)"
                    )
                new_id = found.order_id
            self._record(
                "place_working", "after", {"order_id": working.order_id, "new_order_id": new_id}
            )
        return None

    async def _find_working(self, req: OrderRequest) -> LegStatus | None:
        try:
            sent_at = datetime.fromisoformat(self.progress.working_pending_since or "")
        except ValueError:
            sent_at = self._clock() - timedelta(days=1)
        return await self.broker.find_order(req, sent_at - timedelta(seconds=5))

    def _working_summary(self) -> str:
        parts: list[str] = []
        results = self.progress.working_results
        for working in self.plan.working:
            placed = results.get(f"place_working:{working.order_id}")
            cancelled = results.get(f"cancel_working:{working.order_id}")
            if working.action == "keep":
                parts.append(f"{working.order_id} still working in {self.plan.old_symbol}")
            elif cancelled is not None and cancelled.get("status") not in _CANCELLED:
                parts.append(f"{working.order_id} ended {cancelled.get('status')}, not moved")
            elif working.action == "cancel":
                parts.append(f"{working.order_id} cancelled")
            elif placed is not None and placed.get("new_order_id"):
                parts.append(f"{working.order_id} moved to {placed['new_order_id']}")
            elif placed is not None:
                why = placed.get("error") or placed.get("message") or "not placed"
                parts.append(f"{working.order_id} cancelled but NOT moved ({why})")
        return f"; working orders: {', '.join(parts)}" if parts else ""
