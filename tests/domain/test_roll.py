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
from tstui.domain.portfolio.positions import Position
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


# -- working orders of the old contract, limit legs (issue 15) -------------------------------


PRICES = {"ESZ26": D("6000.25"), "ESH27": D("6055.75")}


class WorkingBroker(FakeBroker):
    """FakeBroker with resting orders that can be cancelled (or that fill first)."""

    def __init__(self, positions: dict[str, dict[str, Decimal]], clock: Clock) -> None:
        super().__init__(positions, clock)
        self.calls: list[str] = []
        self.cancel_behaviour: dict[str, str] = {}  # order id -> "fill_first" | "not_sent"

    def rest(self, order_id: str, req: OrderRequest) -> None:
        self.orders[order_id] = FakeOrder(order_id, req, "OPN", D(0), self.clock.now)

    async def place(self, req: OrderRequest) -> str:
        self.calls.append(f"place {req.symbol} {req.order_type}")
        if req.order_type == "Market":
            return await super().place(req)
        # A resting order: accepted, working, not filled.
        if req.order_confirm_id in self.seen_confirm_ids:
            raise LegRejected("duplicate OrderConfirmID")
        self.seen_confirm_ids.add(req.order_confirm_id)
        order_id = f"ORD{len(self.orders) + 1}"
        self.orders[order_id] = FakeOrder(order_id, req, "OPN", D(0), self.clock.now)
        return order_id

    async def find_order(self, req: OrderRequest, placed_after: datetime) -> LegStatus | None:
        for order in self.orders.values():
            o = order.req
            if o.to_api() == req.to_api() and order.created >= placed_after:
                return LegStatus(order.order_id, order.status, order.filled)
        return None

    async def cancel(self, order_id: str) -> None:
        self.calls.append(f"cancel {order_id}")
        order = self.orders[order_id]
        how = self.cancel_behaviour.get(order_id)
        if how == "not_sent":
            raise LegNotSent("sign-in refreshed")
        if how == "fill_first":  # the stop triggered just before the cancel arrived
            self._fill(order, order.req.quantity)
            order.status = "FLL"
            raise LegRejected("order already filled")
        order.status = "CAN"

    def api_orders(self) -> list[Any]:
        from tstui.domain.models import Order

        return [
            Order.from_api(
                {
                    "OrderID": o.order_id, "AccountID": o.req.account_id, "Status": o.status,
                    "OrderType": o.req.order_type, "Duration": o.req.duration,
                    "LimitPrice": None if o.req.limit_price is None else str(o.req.limit_price),
                    "StopPrice": None if o.req.stop_price is None else str(o.req.stop_price),
                    "Legs": [{"Symbol": o.req.symbol,
                              "BuyOrSell": "Buy" if o.req.is_buy else "Sell",
                              "QuantityOrdered": str(o.req.quantity), "ExecQuantity": "0",
                              "QuantityRemaining": str(o.req.quantity)}],
                }
            )
            for o in self.orders.values()
        ]  # fmt: skip


def resting(symbol: str, kind: str, action: str, qty: int, **prices: str) -> OrderRequest:
    return OrderRequest(
        account_id=FUT, symbol=symbol, quantity=D(qty), order_type=kind, trade_action=action,
        duration="GTC", order_confirm_id="rest" + kind,
        limit_price=D(prices["limit"]) if "limit" in prices else None,
        stop_price=D(prices["stop"]) if "stop" in prices else None,
    )  # fmt: skip


def working_setup(action: str = "move") -> tuple[WorkingBroker, RollPlan]:
    clock = Clock()
    broker = WorkingBroker({FUT: {"ESZ26": D(2)}}, clock)
    broker.rest("STOP1", resting("ESZ26", "StopMarket", "SELL", 2, stop="5950.00"))
    broker.rest("TGT1", resting("ESZ26", "Limit", "SELL", 2, limit="6050.50"))
    broker.rest("OTHER", resting("NQZ26", "Limit", "SELL", 1, limit="21000"))
    [plan] = plan_rolls(
        broker.as_positions(), FRONT, prices=PRICES, working_orders=broker.api_orders(),
        working_action=action,  # type: ignore[arg-type]
    )  # fmt: skip
    return broker, plan


def test_the_plan_lists_the_old_contracts_working_orders_at_the_same_distance() -> None:
    _, plan = working_setup()
    assert [(w.order_id, w.action) for w in plan.working] == [("STOP1", "move"), ("TGT1", "move")]
    stop, target = (w.replacement for w in plan.working)
    assert stop is not None and target is not None
    # Shifted by 6055.75 - 6000.25 = 55.50, same side, quantity, type and duration.
    assert (stop.symbol, stop.trade_action, stop.stop_price, stop.duration) == (
        "ESH27", "SELL", D("6005.50"), "GTC")  # fmt: skip
    assert target.limit_price == D("6106.00") and target.quantity == D(2)
    assert stop.order_confirm_id != target.order_confirm_id
    assert RollPlan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
    lines = plan.describe_working()
    assert (
        lines[0]
        == "working order STOP1 Sell 2 ESZ26 StopMarket stop 5950 GTC: move to ESH27 (stop 6005.5)"
    )
    kept = plan.with_working_action("keep")
    assert [w.action for w in kept.working] == ["keep", "keep"]
    assert "keep working in ESZ26" in kept.describe_working()[1]
    # A new attempt gets new confirm ids for the moved orders too.
    again = plan.next_attempt()
    assert again.working[0].replacement is not None
    assert again.working[0].replacement.order_confirm_id != stop.order_confirm_id
    # Without prices a working order cannot be moved: "move" falls back to cancel.
    broker, _ = working_setup()
    [blind] = plan_rolls(
        broker.as_positions(), FRONT, working_orders=broker.api_orders(), working_action="move"
    )
    assert {w.action for w in blind.working} == {"cancel"}
    assert blind.working[0].note == "no last price for both contracts"


async def test_roll_moves_working_orders_cancel_first_place_after_the_open() -> None:
    broker, plan = working_setup()
    journal = MemoryJournal()
    outcome = await run(broker, journal, plan)
    assert outcome.done, outcome.message
    assert broker.calls == [
        "cancel STOP1", "cancel TGT1", "place ESZ26 Market", "place ESH27 Market",
        "place ESH27 StopMarket", "place ESH27 Limit",
    ]  # fmt: skip
    assert broker.orders["STOP1"].status == "CAN" and broker.orders["OTHER"].status == "OPN"
    moved = [o for o in broker.orders.values() if o.req.symbol == "ESH27" and o.status == "OPN"]
    assert sorted(str(o.req.stop_price or o.req.limit_price) for o in moved) == [
        "6005.50", "6106.00"]  # fmt: skip
    assert "STOP1 moved to" in outcome.message and "TGT1 moved to" in outcome.message
    order = steps(journal)
    assert order.index("cancel_working:after") < order.index("place_close:before")
    assert order.index("place_working:after") < order.index("verify:before")


async def test_cancel_only_and_keep() -> None:
    broker, plan = working_setup("cancel")
    outcome = await run(broker, MemoryJournal(), plan)
    assert outcome.done and "STOP1 cancelled" in outcome.message
    assert [c for c in broker.calls if "StopMarket" in c or "Limit" in c] == []
    broker, plan = working_setup("keep")
    outcome = await run(broker, MemoryJournal(), plan)
    assert outcome.done and "STOP1 still working in ESZ26" in outcome.message
    assert not any(c.startswith("cancel") for c in broker.calls)


async def test_a_stop_that_fills_before_its_cancel_stops_the_roll() -> None:
    broker, plan = working_setup()
    broker.cancel_behaviour["STOP1"] = "fill_first"
    outcome = await run(broker, MemoryJournal(), plan)
    assert outcome.stopped and outcome.progress.stop_reason == "position_changed"
    assert not any(c.startswith("place") for c in broker.calls)  # nothing closed or opened
    assert "working orders ended: STOP1 FLL, TGT1 CAN (none moved)" in outcome.message


async def test_a_crash_after_sending_a_moved_order_is_reconciled_not_resent() -> None:
    broker, plan = working_setup()
    journal = CrashingJournal(at("place_working", "before"))

    real_place = broker.place

    async def place_then_crash(req: OrderRequest) -> str:
        order_id = await real_place(req)
        if req.symbol == "ESH27" and req.order_type == "StopMarket":
            raise Crash
        return order_id

    # The crash comes with the journal entry *before* the send: nothing was sent; a rerun sends.
    with pytest.raises(Crash):
        await run(broker, journal, plan)
    outcome = await run(broker, journal, plan)
    assert outcome.done, outcome.message
    # Now the send itself dies after reaching the broker: the rerun finds it, never resends.
    broker2, plan2 = working_setup()
    broker2.place = place_then_crash  # type: ignore[method-assign]
    real_place = WorkingBroker.place.__get__(broker2)
    journal2 = MemoryJournal()
    with pytest.raises(Crash):
        await run(broker2, journal2, plan2)
    outcome = await run(broker2, journal2, plan2)
    assert outcome.done, outcome.message
    stops_sent = [c for c in broker2.calls if c == "place ESH27 StopMarket"]
    assert len(stops_sent) == 1
    assert "STOP1 moved to" in outcome.message


async def test_a_cancel_refused_at_the_door_waits_for_the_next_run() -> None:
    broker, plan = working_setup()
    broker.cancel_behaviour["TGT1"] = "not_sent"
    journal = MemoryJournal()
    outcome = await run(broker, journal, plan)
    assert not outcome.done and not outcome.stopped and "run the roll again" in outcome.message
    assert not any(c.startswith("place") for c in broker.calls)
    del broker.cancel_behaviour["TGT1"]
    outcome = await run(broker, journal, plan)
    assert outcome.done, outcome.message
    assert broker.calls.count("cancel STOP1") == 1  # the first cancel was not sent again


def test_limit_legs_with_an_offset() -> None:
    from tstui.domain.roll.working import LegStyle

    broker, _ = make({FUT: {"ESZ26": D(2)}})
    [plan] = plan_rolls(broker.as_positions(), FRONT, style=LegStyle("Limit", 2), prices=PRICES)
    assert (plan.close_leg.order_type, plan.close_leg.limit_price) == ("Limit", D("5999.75"))
    assert (plan.open_leg.order_type, plan.open_leg.limit_price) == ("Limit", D("6056.25"))
    assert "SELL 2 ESZ26 Limit 5999.75" in plan.describe()
    with pytest.raises(ValueError, match="cannot price a limit leg"):
        plan_rolls(broker.as_positions(), FRONT, style=LegStyle("Limit", 2))
    with pytest.raises(ValueError):
        LegStyle("Limit", -1)


async def test_a_moved_order_whose_preview_is_refused_stops_before_anything_is_sent() -> None:
    broker, plan = working_setup()
    real_confirm = broker.confirm

    async def confirm(req: OrderRequest) -> LegPreview:
        if req.symbol == "ESH27" and req.order_type == "StopMarket":
            raise LegRejected("stop price on the wrong side of the market")
        return await real_confirm(req)

    broker.confirm = confirm  # type: ignore[method-assign]
    result = await dry_run(broker, plan)
    assert set(result.previews) == {"close", "open", "move:STOP1", "move:TGT1"}
    assert result.previews["move:STOP1"] == "stop price on the wrong side of the market"
    outcome = await run(broker, MemoryJournal(), plan)
    assert outcome.stopped and outcome.progress.stop_reason == "preview_failed"
    assert "moved order for working order STOP1" in outcome.message
    assert broker.calls == []  # no cancel, no leg
    # Cancelling instead needs no preview of a new order.
    outcome = await run(broker, MemoryJournal(), plan.with_working_action("cancel"))
    assert outcome.done
