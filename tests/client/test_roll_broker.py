"""The API-backed roll broker, the audit-log journal and front months, on the simulator."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from order_factory import order_request
from sim_sessions import token_api

from tstui.audit import AuditLog
from tstui.client.api import TradeStationAPI
from tstui.client.roll_broker import (
    ApiRollBroker,
    AuditJournal,
    describe_entry,
    front_months,
    prepare_rolls,
    read_front_months,
)
from tstui.domain.orders import OrderRequest
from tstui.domain.roll import (
    LegNotSent,
    LegOutcomeUnknown,
    LegPreview,
    LegRejected,
    LegStatus,
    RollRunner,
    RollRunnerSettings,
    journal_entry,
    resume_state,
)

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

FUT = "SIM1000002F"
ROLL_INSTANT = "2026-12-11T15:00:00Z"
D = Decimal


def request(symbol: str, action: str, qty: int) -> OrderRequest:
    """A market order on the futures account."""
    return order_request(FUT, symbol, action, qty)


@pytest.fixture
async def api(sim: SimServer, sim_settings: Settings) -> AsyncIterator[TradeStationAPI]:
    async with token_api(sim, sim_settings) as api:
        yield api


def sim_clock(sim: SimServer) -> Callable[[], datetime]:
    """The simulator's (frozen) time plus the real time elapsed: a runner clock that agrees
    with the server's OpenedDateTime yet still moves, so fill deadlines expire."""
    base = datetime.fromisoformat(sim.control().now().replace("Z", "+00:00"))
    start = time.monotonic()
    return lambda: base + timedelta(seconds=time.monotonic() - start)


async def test_confirm_place_status_positions(api: TradeStationAPI) -> None:
    broker = ApiRollBroker(api)
    preview = await broker.confirm(request("ESZ26", "BUY", 2))
    assert isinstance(preview, LegPreview)
    assert "ESZ26" in preview.summary and preview.estimated_price is not None
    with pytest.raises(LegRejected, match="Continuous"):
        await broker.confirm(request("@ES", "BUY", 1))

    req = request("ESZ26", "BUY", 2)
    order_id = await broker.place(req)
    assert broker.placed == [order_id]
    with pytest.raises(LegRejected, match="Duplicate"):
        await broker.place(req)  # the same intent again: the API's duplicate guard refuses
    status = await broker.order_status(FUT, order_id)
    assert status == LegStatus(order_id, "FLL", D(2), "")
    assert (await broker.net_positions(FUT)) == {"ESZ26": D(2)}

    await broker.place(request("NQZ26", "SELL", 3))
    assert (await broker.net_positions(FUT)) == {"ESZ26": D(2), "NQZ26": D(-3)}
    with pytest.raises(LegRejected, match="not valid"):
        await broker.place(request("ZZZ99", "BUY", 1))
    missing = await broker.order_status(FUT, "999999999")
    assert missing.status == "" and missing.filled_quantity == 0


async def test_a_refused_token_is_a_leg_not_sent_and_the_next_send_works(
    sim: SimServer, api: TradeStationAPI
) -> None:
    broker = ApiRollBroker(api)
    req = request("ESZ26", "BUY", 1)
    assert (await broker.net_positions(FUT)) == {}  # the client now holds an access token
    await anyio.to_thread.run_sync(sim.control().expire_tokens)  # which the server forgets
    with pytest.raises(LegNotSent, match="nothing was applied"):
        await broker.place(req)
    assert broker.placed == [] and (await broker.net_positions(FUT)) == {}
    order_id = await broker.place(req)  # the token was refreshed by the 401
    assert broker.placed == [order_id]


async def test_find_order_matches_shape_and_skips_known_or_ambiguous(
    sim: SimServer, api: TradeStationAPI
) -> None:
    placed_at = sim_clock(sim)()
    req = request("ESZ26", "BUY", 2)
    first = (await api.place_order(req))[0].order_id  # its answer "lost": unknown to the broker
    assert first is not None
    broker = ApiRollBroker(api)
    found = await broker.find_order(req, placed_at)
    assert found is not None and found.order_id == first and found.status == "FLL"
    assert await broker.find_order(req, placed_at) is None  # now known: never claimed twice
    # Other shapes never match.
    fresh = ApiRollBroker(api)
    assert await fresh.find_order(request("ESZ26", "SELL", 2), placed_at) is None
    assert await fresh.find_order(request("ESZ26", "BUY", 3), placed_at) is None
    assert await fresh.find_order(request("ESH27", "BUY", 2), placed_at) is None
    # Too old (outside the skew window).
    assert await fresh.find_order(req, placed_at + timedelta(hours=1)) is None
    # Two identical candidates: ambiguous -> None (the runner then stops for a person).
    await api.place_order(request("ESZ26", "BUY", 2))
    assert await ApiRollBroker(api).find_order(req, placed_at) is None


async def test_front_months(sim: SimServer, api: TradeStationAPI) -> None:
    assert await front_months(api, ["ES", "@NQ"]) == {"ES": "ESZ26", "NQ": "NQZ26"}
    sim.control().set_clock(ROLL_INSTANT)
    fronts, problems = await read_front_months(api, ["es", "ZZ"])
    assert fronts == {"ES": "ESH27"}
    assert problems and any("ZZ" in p for p in problems)
    assert await front_months(api, []) == {}


def test_audit_journal_round_trip_env_scope_and_lock(tmp_path: Path) -> None:
    log = AuditLog.in_dir(tmp_path)
    sim_a = AuditJournal(log, env="sim", scope="http://a")
    at = datetime.fromisoformat("2026-12-11T15:00:00+00:00")
    entry = journal_entry("SIM1000002F/ESZ26>ESH27/L2/1", "place_close", "before", at, {"x": 1})
    sim_a.append(entry)
    log.append("order.place", env="sim", payload={"kind": "roll"})  # another kind: ignored
    AuditJournal(log, env="live").append({**entry, "roll_id": "LIVE/1"})
    AuditJournal(log, env="sim", scope="http://b").append({**entry, "roll_id": "B/1"})

    again = AuditJournal.in_dir(tmp_path, env="sim", scope="http://a")  # a new process
    entries = again.entries()
    assert [e["roll_id"] for e in entries] == ["SIM1000002F/ESZ26>ESH27/L2/1"]
    assert resume_state(entries, entry["roll_id"]).pending_step == "place_close"
    records = [r for r in log.entries() if r["kind"] == "roll.place_close"]
    assert records[0]["account"] == "SIM1000002F" and records[0]["env"] == "sim"
    assert len(AuditJournal(log, env="sim").entries()) == 2  # unscoped: both sim journals

    with sim_a.lock() as held:
        assert held
        with again.lock() as second:
            assert not second  # one roller per journal at a time
    with again.lock() as held_after:
        assert held_after


def test_describe_entry_lines() -> None:
    at = datetime.fromisoformat("2026-12-11T15:00:00+00:00")
    rid = "A/ESZ26>ESH27/L2/1"
    line = describe_entry(journal_entry(rid, "place_close", "after", at, {"order_id": "7"}))
    assert line == f"{rid}: close leg placed: order 7"
    stop = journal_entry(rid, "stop", "after", at, {"reason": "close_rejected", "message": "m"})
    assert describe_entry(stop) == f"{rid}: STOPPED (close_rejected): m"
    assert describe_entry(journal_entry(rid, "confirm", "before", at)) is None


class AnswerLost(ApiRollBroker):
    """Sends the order for real, then loses the answer (a reset after the server accepted)."""

    lose: str = ""

    async def place(self, req: OrderRequest) -> str:
        if req.symbol != self.lose:
            return await super().place(req)
        self.lose = ""
        await self.api.place_order(req)
        raise LegOutcomeUnknown("connection reset after sending")


async def test_runner_reconciles_a_lost_placement_without_resending(
    sim: SimServer, api: TradeStationAPI, tmp_path: Path
) -> None:
    await ApiRollBroker(api).place(request("ESZ26", "BUY", 2))
    sim.control().set_clock(ROLL_INSTANT)
    before = len(sim.control().get("state")["accounts"][FUT]["orders"])
    journal = AuditJournal.in_dir(tmp_path, env="sim")
    work = await prepare_rolls(api, [FUT], ["ES"], journal.entries())
    (plan,) = work.agenda.start
    broker = AnswerLost(api)
    broker.lose = "ESZ26"
    seen: list[dict[str, Any]] = []
    runner = RollRunner(
        broker,
        journal,
        plan,
        settings=RollRunnerSettings(poll_interval_s=0.05, fill_timeout_s=5),
        on_entry=seen.append,
        clock=sim_clock(sim),
    )
    with anyio.fail_after(20):
        outcome = await runner.run()
    assert outcome.done, outcome.message
    assert broker.lose == ""  # the answer of the close was lost...
    places = [(e["step"], e["phase"]) for e in seen if e["step"] == "place_close"]
    assert places == [("place_close", "before"), ("place_close", "after")]  # ...sent once
    orders = sim.control().get("state")["accounts"][FUT]["orders"][before:]
    assert [(o["Legs"][0]["Symbol"], o["Status"]) for o in orders] == [
        ("ESZ26", "FLL"),
        ("ESH27", "FLL"),
    ]


async def test_cancel_once_and_an_ended_old_order_found_in_the_history(
    sim: SimServer, api: TradeStationAPI
) -> None:
    """The seeded futures account rests a GTC limit opened days ago: once cancelled it leaves
    today's list, and the broker still tells its status (from the historical orders)."""
    sim.control().set_clock(ROLL_INSTANT)
    broker = ApiRollBroker(api)
    working = [o for o in (await api.get_orders([FUT])).items if o.is_working]
    old = next(o for o in working if o.opened_date_time and o.opened_date_time.day != 11)
    assert (await broker.order_status(FUT, old.order_id)).status in ("OPN", "ACK", "DON")
    await broker.cancel(old.order_id)
    status = await broker.order_status(FUT, old.order_id)
    assert (status.order_id, status.status) == (old.order_id, "CAN")
    with pytest.raises(LegRejected):  # already cancelled: refused, never retried
        await broker.cancel(old.order_id)


async def test_prepare_rolls_plans_working_orders_and_limit_legs(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    from tstui.domain.roll import LegStyle

    await ApiRollBroker(api).place(request("ESZ26", "BUY", 1))
    sim.control().set_clock(ROLL_INSTANT)
    work = await prepare_rolls(
        api, [FUT], ["ES"], [], style=LegStyle("Limit", 4), working_action="cancel"
    )
    (plan,) = work.agenda.start
    assert plan.close_leg.order_type == plan.open_leg.order_type == "Limit"
    assert plan.working and {w.action for w in plan.working} == {"cancel"}
    assert all(w.description.split()[2] == "ESZ26" for w in plan.working)
