"""Futures roll: planning, the journaled state machine and resumption against a fake broker."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain.orders import OrderRequest, is_valid_order_confirm_id
from tstui.domain.portfolio.brokerage import Position
from tstui.domain.roll import (
    LegNotSent,
    LegOutcomeUnknown,
    LegPreview,
    LegRejected,
    LegStatus,
    MemoryJournal,
    RollOutcome,
    RollPlan,
    RollRunner,
    RollRunnerSettings,
    RollState,
    dry_run,
    finished_roll_ids,
    plan_rolls,
    resume_state,
    roll_agenda,
)

pytestmark = pytest.mark.anyio

D = Decimal
FUT = "SIM1000002F"
FUT2 = "SIM1000004F"
START = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)
FRONT = {"ES": "ESH27", "NQ": "NQH27"}


class Crash(BaseException):
    """Stands for the process being killed: nothing in the runner may catch it."""


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeOrder:
    order_id: str
    req: OrderRequest
    status: str
    filled: Decimal
    created: datetime


class FakeBroker:
    """In-memory broker with the API's OrderConfirmID duplicate guard.

    `behaviour[symbol]`: "fill" (default), "reject", "partial", "working", "reset_before"
    (LegOutcomeUnknown, nothing created), "accept_then_reset" (created and filled, then
    LegOutcomeUnknown), "accept_then_crash" (created and filled, then the process dies),
    "reject_confirm" (orderconfirm refuses).
    """

    def __init__(self, positions: dict[str, dict[str, Decimal]], clock: Clock) -> None:
        self.positions = positions
        self.clock = clock
        self.orders: dict[str, FakeOrder] = {}
        self.seen_confirm_ids: set[str] = set()
        self.place_calls: list[OrderRequest] = []
        self.confirm_calls: list[OrderRequest] = []
        self.behaviour: dict[str, str] = {}

    def _fill(self, order: FakeOrder, qty: Decimal) -> None:
        book = self.positions.setdefault(order.req.account_id, {})
        signed = qty if order.req.is_buy else -qty
        book[order.req.symbol] = book.get(order.req.symbol, D(0)) + signed
        order.filled += qty

    async def confirm(self, req: OrderRequest) -> LegPreview:
        self.confirm_calls.append(req)
        if self.behaviour.get(req.symbol) == "reject_confirm":
            raise LegRejected("symbol not tradable")
        return LegPreview(f"{req.trade_action} {req.quantity} {req.symbol} @ Market", D(4500))

    async def place(self, req: OrderRequest) -> str:
        self.place_calls.append(req)
        if req.order_confirm_id in self.seen_confirm_ids:
            raise LegRejected("duplicate OrderConfirmID")
        how = self.behaviour.get(req.symbol, "fill")
        if how == "reset_before":
            raise LegOutcomeUnknown("connection reset")
        if how == "not_sent":
            raise LegNotSent("the access token was refused; the sign-in is refreshed")
        self.seen_confirm_ids.add(req.order_confirm_id)
        if how == "reject":
            raise LegRejected("market closed")
        order = FakeOrder(f"ORD{len(self.orders) + 1}", req, "OPN", D(0), self.clock.now)
        self.orders[order.order_id] = order
        if how in ("fill", "accept_then_reset", "accept_then_crash"):
            self._fill(order, req.quantity)
            order.status = "FLL"
        elif how == "partial":
            self._fill(order, req.quantity - 1)
            order.status = "FLP"
        if how == "accept_then_reset":
            raise LegOutcomeUnknown("read timeout")
        if how == "accept_then_crash":
            raise Crash
        return order.order_id

    async def order_status(self, account_id: str, order_id: str) -> LegStatus:
        order = self.orders[order_id]
        return LegStatus(order_id, order.status, order.filled, "")

    async def find_order(self, req: OrderRequest, placed_after: datetime) -> LegStatus | None:
        for order in self.orders.values():
            o = order.req
            if (o.account_id, o.symbol, o.trade_action, o.quantity) == (
                req.account_id,
                req.symbol,
                req.trade_action,
                req.quantity,
            ) and order.created >= placed_after:
                return LegStatus(order.order_id, order.status, order.filled)
        return None

    async def net_positions(self, account_id: str) -> Mapping[str, Decimal]:
        return {s: q for s, q in self.positions.get(account_id, {}).items() if q != 0}

    def as_positions(self) -> list[Position]:
        return [
            Position(
                position_id=f"{account}-{symbol}",
                account_id=account,
                symbol=symbol,
                asset_type="FUTURE",
                quantity=qty,
                long_short="Long" if qty > 0 else "Short",
            )
            for account, book in self.positions.items()
            for symbol, qty in book.items()
            if qty != 0
        ]

    def sent(self, symbol: str) -> list[OrderRequest]:
        return [o.req for o in self.orders.values() if o.req.symbol == symbol]


class CrashingJournal(MemoryJournal):
    """Persists the entry, then dies when `crash_on(entry)` says so (once)."""

    def __init__(self, crash_on: Callable[[dict[str, Any]], bool]) -> None:
        super().__init__()
        self.crash_on: Callable[[dict[str, Any]], bool] | None = crash_on

    def append(self, entry: dict[str, Any]) -> None:
        super().append(entry)
        if self.crash_on is not None and self.crash_on(entry):
            self.crash_on = None
            raise Crash


def at(step: str, phase: str) -> Callable[[dict[str, Any]], bool]:
    return lambda entry: entry["step"] == step and entry["phase"] == phase


def make(positions: dict[str, dict[str, Decimal]]) -> tuple[FakeBroker, Clock]:
    clock = Clock()
    return FakeBroker(positions, clock), clock


def only_plan(broker: FakeBroker) -> RollPlan:
    [plan] = plan_rolls(broker.as_positions(), FRONT)
    return plan


async def run(
    broker: FakeBroker,
    journal: MemoryJournal,
    plan: RollPlan,
    settings: RollRunnerSettings | None = None,
    **kw: Any,
) -> RollOutcome:
    clock = broker.clock
    settings = settings or RollRunnerSettings()
    runner = RollRunner(
        broker, journal, plan, clock=clock, sleep=clock.sleep, settings=settings, **kw
    )
    return await runner.run()


def steps(journal: MemoryJournal) -> list[str]:
    return [f"{e['step']}:{e['phase']}" for e in journal.entries()]


# -- planning ---------------------------------------------------------------------------------


def test_plan_long_and_short_across_accounts() -> None:
    broker, _ = make(
        {
            FUT: {"ESZ26": D(2), "NQZ26": D(-3), "ESH27": D(1), "MSFT": D(5)},
            FUT2: {"ESZ26": D(-1), "GCG27": D(1)},  # GC has no front given: left alone
        }
    )
    plans = plan_rolls(broker.as_positions(), FRONT)
    summary = [(p.account_id, p.old_symbol, p.new_symbol, p.direction, p.quantity) for p in plans]
    assert summary == [
        (FUT, "ESZ26", "ESH27", "long", D(2)),
        (FUT, "NQZ26", "NQH27", "short", D(3)),
        (FUT2, "ESZ26", "ESH27", "short", D(1)),
    ]
    long_es, short_nq, _ = plans
    assert (long_es.close_leg.trade_action, long_es.open_leg.trade_action) == ("SELL", "BUY")
    assert (short_nq.close_leg.trade_action, short_nq.open_leg.trade_action) == ("BUY", "SELL")
    assert long_es.close_leg.order_type == "Market" and long_es.close_leg.symbol == "ESZ26"
    assert long_es.new_position_before == D(1)
    assert long_es.expected_positions() == {"ESZ26": D(0), "ESH27": D(3)}
    assert [p.account_id for p in plan_rolls(broker.as_positions(), FRONT, account=FUT2)] == [FUT2]
    assert [p.root for p in plan_rolls(broker.as_positions(), FRONT, roots={"nq"})] == ["NQ"]


def test_plan_ids_are_deterministic_and_legs_have_their_own_confirm_ids() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    a, b = only_plan(broker), only_plan(broker)
    assert a == b
    assert a.roll_id == f"{FUT}/ESZ26>ESH27/L2/1"
    ids = {a.close_leg.order_confirm_id, a.open_leg.order_confirm_id}
    assert len(ids) == 2 and all(is_valid_order_confirm_id(i) for i in ids)
    assert RollPlan.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    [again] = plan_rolls(broker.as_positions(), FRONT, finished_roll_ids={a.roll_id})
    assert again.attempt == 2 and again.close_leg.order_confirm_id not in ids


def test_never_rolls_backwards_or_the_front_itself() -> None:
    broker, _ = make({FUT: {"ESM27": D(1), "ESH27": D(2)}})
    assert plan_rolls(broker.as_positions(), FRONT) == []


# -- the state machine ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "close", "open_"), [(D(2), "SELL", "BUY"), (D(-2), "BUY", "SELL")]
)
async def test_roll_completes_long_and_short(held: Decimal, close: str, open_: str) -> None:
    broker, _ = make({FUT: {"ESZ26": held}})
    journal = MemoryJournal()
    outcome = await run(broker, journal, only_plan(broker))
    assert outcome.done, outcome.message
    assert broker.positions[FUT] == {"ESZ26": D(0), "ESH27": held}
    assert [(r.trade_action, r.symbol) for r in broker.place_calls] == [
        (close, "ESZ26"),
        (open_, "ESH27"),
    ]
    assert steps(journal) == [
        "plan:after", "preview:before", "preview:after", "confirm:before", "confirm:after",
        "place_close:before", "place_close:after", "close_fill:before", "close_fill:after",
        "place_open:before", "place_open:after", "open_fill:before", "open_fill:after",
        "verify:before", "verify:after",
    ]  # fmt: skip
    json.dumps(journal.entries())  # the audit log can store every entry as a JSON line
    assert resume_state(journal.entries(), outcome.progress.roll_id).state == RollState.VERIFIED


async def test_several_accounts_through_the_agenda() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}, FUT2: {"ESZ26": D(-1), "NQZ26": D(4)}})
    journal = MemoryJournal()
    agenda = roll_agenda(plan_rolls(broker.as_positions(), FRONT), journal.entries())
    assert len(agenda.start) == 3 and not agenda.resume
    for plan in agenda.start:
        assert (await run(broker, journal, plan)).done
    assert broker.positions == {
        FUT: {"ESZ26": D(0), "ESH27": D(2)},
        FUT2: {"ESZ26": D(0), "ESH27": D(-1), "NQZ26": D(0), "NQH27": D(4)},
    }


async def test_rerun_after_completion_sends_nothing() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    journal = MemoryJournal()
    plan = only_plan(broker)
    assert (await run(broker, journal, plan)).done
    calls = (len(broker.place_calls), len(broker.confirm_calls))
    entries = journal.entries()
    assert (
        plan_rolls(broker.as_positions(), FRONT, finished_roll_ids=finished_roll_ids(entries)) == []
    )
    assert roll_agenda([], entries).empty
    again = await run(broker, journal, plan)  # even the same plan run again: a no-op
    assert again.done
    assert (len(broker.place_calls), len(broker.confirm_calls)) == calls
    assert len(journal.entries()) == len(entries)


async def test_dry_run_sends_nothing() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    result = await dry_run(broker, plan)
    assert set(result.previews) == {"close", "open"}
    assert isinstance(result.previews["close"], LegPreview)
    assert broker.place_calls == [] and broker.orders == {}
    broker.behaviour["ESH27"] = "reject_confirm"
    assert (await dry_run(broker, plan)).previews["open"] == "symbol not tradable"


async def test_crash_between_close_fill_and_open_leg_resumes_without_resending_close() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    journal = CrashingJournal(at("close_fill", "after"))
    with pytest.raises(Crash):
        await run(broker, journal, plan)
    assert broker.positions[FUT] == {"ESZ26": D(0)}  # closed, nothing open yet
    # Next run: the old position is gone, so planning finds nothing; the journal resumes it.
    assert plan_rolls(broker.as_positions(), FRONT) == []
    agenda = roll_agenda([], journal.entries())
    [progress] = agenda.resume
    assert progress.state == RollState.CLOSE_FILLED and progress.plan == plan
    outcome = await run(broker, journal, progress.plan)
    assert outcome.done, outcome.message
    assert len(broker.sent("ESZ26")) == 1 and len(broker.sent("ESH27")) == 1
    assert [r.symbol for r in broker.place_calls] == ["ESZ26", "ESH27"]
    assert broker.positions[FUT] == {"ESZ26": D(0), "ESH27": D(2)}


async def test_crash_after_place_before_persisted_stops_for_a_person() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    journal = CrashingJournal(at("place_open", "before"))  # dies before the open is sent
    with pytest.raises(Crash):
        await run(broker, journal, plan)
    assert resume_state(journal.entries(), plan.roll_id).pending_step == "place_open"
    outcome = await run(broker, journal, plan)  # not found: may or may not have been sent
    assert outcome.stopped and outcome.progress.stop_reason == "unknown_outcome"
    assert "--retry" in outcome.message
    assert [r for r in broker.place_calls if r.symbol == "ESH27"] == []  # never resent


async def crashed_after_the_close_was_accepted() -> tuple[
    FakeBroker, Clock, RollPlan, MemoryJournal
]:
    """A roll whose process died right after the broker accepted (and filled) the close leg,
    before the answer was journaled; the broker behaves normally again."""
    broker, clock = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    broker.behaviour["ESZ26"] = "accept_then_crash"
    journal = MemoryJournal()
    with pytest.raises(Crash):
        await run(broker, journal, plan)
    broker.behaviour.clear()
    return broker, clock, plan, journal


async def test_crash_after_broker_accepted_finds_the_order_instead_of_resending() -> None:
    broker, _, plan, journal = await crashed_after_the_close_was_accepted()
    outcome = await run(broker, journal, plan)
    assert outcome.done, outcome.message
    assert len(broker.place_calls) == 2  # one close (found on resume) + one open
    assert len(broker.sent("ESZ26")) == 1
    place_after = [e for e in journal.entries() if e["step"] == "place_close"][-1]
    assert place_after["data"]["reconciled"] is True


async def test_ambiguous_send_is_reconciled_at_once() -> None:
    broker, _ = make({FUT: {"ESZ26": D(-1)}})
    broker.behaviour["ESZ26"] = "accept_then_reset"
    outcome = await run(broker, MemoryJournal(), only_plan(broker))
    assert outcome.done, outcome.message
    assert len(broker.sent("ESZ26")) == 1 and len(broker.place_calls) == 2


async def test_unknown_outcome_waits_then_stops_without_resending() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    journal = MemoryJournal()
    broker.behaviour["ESZ26"] = "reset_before"
    first = await run(broker, journal, plan)
    assert not first.done and not first.stopped and "unknown" in first.message
    second = await run(broker, journal, plan)  # still nothing found: ask a person
    assert second.stopped and second.progress.stop_reason == "unknown_outcome"
    assert len(broker.place_calls) == 1 and broker.orders == {}


@pytest.mark.parametrize("leg", ["close", "open"])
async def test_a_leg_refused_before_it_was_applied_is_sent_by_the_next_run(leg: str) -> None:
    """A 401 on a leg: nothing applied, nothing resent by this run; running the roll again
    (a person's decision) sends it, with the same OrderConfirmID, and the roll completes."""
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    symbol = plan.old_symbol if leg == "close" else plan.new_symbol
    journal = MemoryJournal()
    broker.behaviour[symbol] = "not_sent"
    first = await run(broker, journal, plan)
    assert not first.done and not first.stopped
    assert f"the {leg} leg was not sent" in first.message and "run the roll again" in first.message
    assert len(broker.sent(symbol)) == 0
    del broker.behaviour[symbol]  # the sign-in was refreshed
    second = await run(broker, journal, plan)
    assert second.done, second.message
    leg_calls = [r for r in broker.place_calls if r.symbol == symbol]
    assert len(leg_calls) == 2 and len({r.order_confirm_id for r in leg_calls}) == 1
    assert len(broker.sent(symbol)) == 1


async def test_a_larger_attempt_budget_resends_only_with_the_same_id() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    journal = MemoryJournal()
    broker.behaviour["ESZ26"] = "reset_before"
    settings = RollRunnerSettings(max_place_attempts=2)
    await run(broker, journal, plan, settings)
    second = await run(broker, journal, plan, settings)
    assert not second.done and not second.stopped
    assert {r.order_confirm_id for r in broker.place_calls} == {plan.close_leg.order_confirm_id}
    assert len(broker.place_calls) == 2


async def test_rejected_close_stops_and_blocks_until_retried() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    broker.behaviour["ESZ26"] = "reject"
    journal = MemoryJournal()
    plan = only_plan(broker)
    outcome = await run(broker, journal, plan)
    assert outcome.stopped and outcome.progress.stop_reason == "close_rejected"
    assert "market closed" in outcome.message and "nothing was opened" in outcome.message
    assert broker.sent("ESH27") == [] and [r.symbol for r in broker.place_calls] == ["ESZ26"]
    # A rerun of the stopped roll sends nothing.
    assert (await run(broker, journal, plan)).stopped
    assert len(broker.place_calls) == 1
    # Fresh planning sees ESZ26 again: blocked unless the user retries explicitly.
    entries = journal.entries()
    plans = plan_rolls(broker.as_positions(), FRONT, finished_roll_ids=finished_roll_ids(entries))
    agenda = roll_agenda(plans, entries)
    assert agenda.start == () and len(agenda.blocked) == 1
    retry = roll_agenda(plans, entries, retry_stopped=True)
    [new_plan] = retry.start
    assert new_plan.attempt == 2
    broker.behaviour.clear()
    assert (await run(broker, journal, new_plan)).done


async def test_partial_close_stops_and_opens_nothing() -> None:
    broker, _ = make({FUT: {"ESZ26": D(3)}})
    broker.behaviour["ESZ26"] = "partial"
    outcome = await run(broker, MemoryJournal(), only_plan(broker))
    assert outcome.stopped and outcome.progress.stop_reason == "close_partial"
    assert "2 of 3" in outcome.message
    assert broker.sent("ESH27") == []
    assert broker.positions[FUT] == {"ESZ26": D(1)}


async def test_rejected_open_stops_with_what_to_do() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    broker.behaviour["ESH27"] = "reject"
    outcome = await run(broker, MemoryJournal(), only_plan(broker))
    assert outcome.stopped and outcome.progress.stop_reason == "open_rejected"
    assert "still need opening" in outcome.message


async def test_working_close_waits_and_a_later_run_completes() -> None:
    broker, clock = make({FUT: {"ESZ26": D(2)}})
    broker.behaviour["ESZ26"] = "working"
    journal = MemoryJournal()
    plan = only_plan(broker)
    outcome = await run(broker, journal, plan)
    assert not outcome.done and not outcome.stopped and "OPN" in outcome.message
    order = broker.orders["ORD1"]
    broker._fill(order, D(2))
    order.status = "FLL"
    clock.now += timedelta(minutes=5)
    assert (await run(broker, journal, plan)).done
    assert len(broker.sent("ESZ26")) == 1


async def test_declined_or_changed_position_sends_nothing_and_does_not_block() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    journal = MemoryJournal()
    plan = only_plan(broker)

    async def no(plan: RollPlan, previews: Mapping[str, LegPreview]) -> bool:
        return False

    outcome = await run(broker, journal, plan, approve=no)
    assert outcome.stopped and outcome.progress.stop_reason == "declined"
    assert broker.place_calls == []
    broker.positions[FUT]["ESZ26"] = D(1)  # the user traded in between
    agenda = roll_agenda([plan], journal.entries())
    [stale] = agenda.start  # not blocked: nothing was ever sent
    changed = await run(broker, journal, stale)
    assert changed.stopped and changed.progress.stop_reason == "position_changed"
    assert broker.place_calls == []


async def test_preview_refusal_stops_before_sending() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    broker.behaviour["ESH27"] = "reject_confirm"
    outcome = await run(broker, MemoryJournal(), only_plan(broker))
    assert outcome.stopped and outcome.progress.stop_reason == "preview_failed"
    assert broker.place_calls == []


def test_reducer_ignores_foreign_and_malformed_entries() -> None:
    broker, _ = make({FUT: {"ESZ26": D(2)}})
    plan = only_plan(broker)
    rid = plan.roll_id
    entries: list[dict[str, Any]] = [
        {"kind": "order", "roll_id": rid, "step": "plan", "phase": "after"},
        {"kind": "roll", "roll_id": rid, "step": "plan", "phase": "after", "data": plan.to_dict()},
        {"kind": "roll", "roll_id": rid, "step": "bogus", "phase": "after"},
        {"kind": "roll", "roll_id": rid, "step": "place_close", "phase": "after", "data": {}},
        {"kind": "roll", "roll_id": "other", "step": "stop", "phase": "after"},
        {"kind": "roll", "roll_id": rid, "step": "place_close", "phase": "before", "at": "x"},
        {"kind": "roll", "roll_id": rid, "step": "confirm", "phase": "sideways"},
    ]
    progress = resume_state(entries, rid)
    assert progress.state == RollState.PLANNED and progress.plan == plan
    assert progress.pending_step == "place_close" and progress.may_have_sent
    assert progress.place_attempts == {"close": 1}


async def test_pending_send_without_a_usable_time_still_reconciles() -> None:
    broker, clock, plan, journal = await crashed_after_the_close_was_accepted()
    entries = journal.entries()
    entries[-1] = {**entries[-1], "at": "garbage"}  # the pending place_close "before"
    clock.now += timedelta(hours=2)
    outcome = await run(broker, MemoryJournal(entries), plan)
    assert outcome.done, outcome.message
    assert len(broker.sent("ESZ26")) == 1
