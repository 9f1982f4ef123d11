"""Sends cut off by `kill -9` are looked up at the next start, recorded, and never resent.

The main test runs a real `tstui order place` as a child process against the simulator and
SIGKILLs it after the simulator applied the order (its answer was lost and the child was
still looking for it), then runs the CLI again in this process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tstui.audit import AuditLog
from tstui.cli import main
from tstui.client.intents import RESOLVED_KIND, blocking_intent, unresolved_intents
from tstui.config import state_dir
from tstui.domain.orders import OrderRequest

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

MARGIN = "SIM1000001M"
ORDER = ["order", "place", "--symbol", "AAPL", "--action", "BUY", "--qty", "13"]


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    return ["--base-url", sim.url, "--account", MARGIN]


def orders_of(sim: SimServer) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = sim.control().state()["accounts"][MARGIN]["orders"]
    return orders


def audit_records() -> list[dict[str, Any]]:
    return list(AuditLog.in_dir(state_dir()).entries())


def kill_after_accept(sim: SimServer, base: list[str]) -> str:
    """Start a placement, SIGKILL it once the simulator holds the order; the new order id.

    The simulator applies the POST and then drops the connection (the answer is lost); every
    request is slowed so the child is still looking for the order when it is killed.
    """
    control = sim.control()
    before = {o["OrderID"] for o in orders_of(sim)}
    control.latency(0.6)
    control.reset_after_accept(1)
    child = subprocess.Popen(
        [sys.executable, "-m", "tstui", *base, *ORDER, "--yes"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        new: set[str] = set()
        while not new:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the simulator never received the order"
            new = {o["OrderID"] for o in orders_of(sim)} - before
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    control.clear_faults()
    (order_id,) = new
    return order_id


def test_killed_placement_is_found_audited_and_a_repeat_refused_until_then(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    order_id = kill_after_accept(sim, base)
    kinds = [r["kind"] for r in audit_records()]
    assert kinds[-2:] == ["order.place", "order.place.unknown"]  # cut off mid-reconcile
    (open_intent,) = unresolved_intents(audit_records(), "sim")
    assert open_intent.kind == "place" and open_intent.account == MARGIN
    count = len(orders_of(sim))

    # The lookup cannot be done (the orders endpoint refuses): the repeat is refused.
    sim.control().http_fault("orders", 400, count=1)
    assert main([*base, *ORDER, "--yes"]) != 0
    err = capsys.readouterr().err
    assert "still unresolved" in err and "could not be looked up" in err
    assert "refused" in err and "never sent twice" in err and "tstui get orders" in err
    assert len(orders_of(sim)) == count  # nothing was sent
    assert not any(r["kind"] == RESOLVED_KIND for r in audit_records())

    # The repeat again, the lookup works: the order is found and recorded, and this repeat
    # is still refused (its user reads the verdict before a second order can go out).
    assert main([*base, *ORDER, "--yes"]) != 0
    err = capsys.readouterr().err
    assert f"resolved: placement BUY 13 AAPL Market (account {MARGIN})" in err
    assert f"it was placed: order {order_id}" in err
    assert "just looked up (found" in err and "Run the command again" in err
    resolved = [r for r in audit_records() if r["kind"] == RESOLVED_KIND]
    assert len(resolved) == 1
    payload = resolved[0]["payload"]
    assert payload["found"] is True and payload["order_id"] == order_id
    assert payload["order_confirm_id"] == open_intent.request.order_confirm_id  # type: ignore[union-attr]
    assert unresolved_intents(audit_records(), "sim") == []
    assert len(orders_of(sim)) == count  # looked up, never resent

    # Resolved once: the next start is silent (stdout stays JSON), and a repeat is an
    # ordinary new order again.
    assert main([*base, "get", "orders", "--json"]) == 0
    captured = capsys.readouterr()
    assert "resolved" not in captured.err
    assert all(json.loads(line) for line in captured.out.splitlines())
    assert main([*base, *ORDER, "--yes"]) == 0
    assert len(orders_of(sim)) == count + 1
    assert "refused" not in capsys.readouterr().err


def _record(kind: str, payload: dict[str, Any], at: str = "2026-12-01T15:00:00Z") -> dict[str, Any]:
    return {"at": at, "kind": kind, "env": "sim", "account": MARGIN, "payload": payload}


def _request(confirm_id: str, qty: str = "5") -> OrderRequest:
    return OrderRequest(
        account_id=MARGIN,
        symbol="MSFT",
        quantity=Decimal(qty),
        order_type="Market",
        trade_action="BUY",
        order_confirm_id=confirm_id,
    )


def test_which_records_count_as_an_outcome() -> None:
    a, b, c = (_request(x).to_api() for x in ("A" * 22, "B" * 22, "C" * 22))
    records = [
        _record("order.place", {"request": a}),
        _record("order.place.result", {"order_confirm_id": "A" * 22, "results": []}),
        _record("order.place", {"request": b}),
        _record("order.place.unknown", {"order_confirm_id": "B" * 22, "reason": "reset"}),
        _record("order.place", {"request": c}),
        _record("order.place.unresolved", {"order_confirm_id": "C" * 22, "reason": "env"}),
        _record("order.cancel", {"order_id": "11"}),
        _record("order.cancel.error", {"order_id": "11", "error": "x: outcome unknown after"}),
        _record("order.replace", {"order_id": "12", "change": {}}),
        _record("order.replace.result", {"order_id": "12", "result": {}}),
        _record("order.cancel", {"order_id": "13"}),
        _record("order.cancel.error", {"order_id": "13", "error": "refused: not working"}),
    ]
    open_ = unresolved_intents(records, "sim")
    assert [(i.kind, i.order_id or i.request.order_confirm_id[0]) for i in open_] == [  # type: ignore[union-attr]
        ("place", "B"),
        ("place", "C"),
        ("cancel", "11"),
    ]
    assert unresolved_intents(records, "live") == []
    # the repeat guard compares the whole order, not the OrderConfirmID
    assert blocking_intent(records, "sim", _request("D" * 22)) is not None
    assert blocking_intent(records, "sim", _request("D" * 22, qty="6")) is None
    # a verdict closes exactly its intent; a later send with the same id is a new intent
    key = open_[0].key
    later = [
        *records,
        _record(RESOLVED_KIND, {"key": key, "found": False}),
        _record("order.place", {"request": b}, at="2026-12-01T15:05:00Z"),
    ]
    again = [i for i in unresolved_intents(later, "sim") if i.request is not None]
    assert [i.key for i in again] == [
        "place:" + "C" * 22 + "@2026-12-01T15:00:00Z",
        "place:" + "B" * 22 + "@2026-12-01T15:05:00Z",
    ]


FUT = "SIM1000002F"
# The real CLI, except that the process dies the moment the close leg reached the broker,
# before the journal could record it: the roll's "place_close" has a "before" and no "after".
DIE_AFTER_CLOSE_SENT = """
import os, sys
from tstui.client import roll_broker

place = roll_broker.ApiRollBroker.place

async def place_then_die(self, req):
    await place(self, req)
    os._exit(9)

roll_broker.ApiRollBroker.place = place_then_die
from tstui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_cut_off_roll_leg_is_reported_and_left_to_the_roll(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    base = ["--base-url", sim.url, "--account", FUT]
    buy = ["order", "place", "--symbol", "ESZ26", "--action", "BUY", "--qty", "2", "--yes"]
    assert main([*base, *buy]) == 0
    sim.control().set_clock("2026-12-11T15:00:00Z")  # @ES is now ESH27
    state = sim.control().state()["accounts"][FUT]
    before = len(state["orders"])

    killed = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_CLOSE_SENT, *base, "roll", "--yes"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 9, killed.stderr
    state = sim.control().state()["accounts"][FUT]
    (close,) = state["orders"][before:]
    (open_intent,) = unresolved_intents(audit_records(), "sim")
    assert open_intent.kind == "roll" and open_intent.step == "place_close"

    capsys.readouterr()
    assert main([*base, "get", "positions", "--json"]) == 0
    err = capsys.readouterr().err
    assert f"found order {close['OrderID']}" in err and "`tstui roll` reconciles" in err
    (verdict,) = [r for r in audit_records() if r["kind"] == RESOLVED_KIND]
    assert verdict["payload"]["roll_id"] == open_intent.roll_id
    roll_kinds = [r["kind"] for r in audit_records() if r["kind"].startswith("roll.")]
    assert roll_kinds[-1] == "roll.place_close"  # the journal was left to the roll

    assert main([*base, "roll", "--yes"]) == 0  # the roll reconciles the leg and finishes
    state = sim.control().state()["accounts"][FUT]
    legs = [(o["Legs"][0]["Symbol"], o["Legs"][0]["BuyOrSell"]) for o in state["orders"][before:]]
    assert legs == [("ESZ26", "Sell"), ("ESH27", "Buy")]  # the close went out exactly once
    assert unresolved_intents(audit_records(), "sim") == []


def test_a_cut_off_cancel_is_looked_up_by_its_order_id(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    limit = ["--type", "Limit", "--limit", "100.00"]  # far below the market: stays working
    before = {o["OrderID"] for o in orders_of(sim)}
    assert main([*base, *ORDER, *limit, "--yes"]) == 0
    (order_id,) = {o["OrderID"] for o in orders_of(sim)} - before
    # what `tstui order cancel` leaves when killed after its "before" record
    log = AuditLog.in_dir(state_dir())
    log.append("order.cancel", env="sim", account=MARGIN, payload={"order_id": order_id})
    (intent,) = unresolved_intents(audit_records(), "sim")
    assert intent.kind == "cancel"

    assert main([*base, "get", "orders", "--json"]) == 0
    err = capsys.readouterr().err
    assert f"resolved: cancel of order {order_id}" in err
    assert f"order {order_id} is now OPN" in err  # the cancel never arrived: still working
    (verdict,) = [r for r in audit_records() if r["kind"] == RESOLVED_KIND]
    assert verdict["payload"]["found"] is True and verdict["payload"]["status"] == "OPN"


def test_a_fresh_send_is_left_alone_while_another_tstui_runs(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.in_dir(state_dir())
    request = {
        "AccountID": MARGIN,
        "Symbol": "AAPL",
        "Quantity": "13",
        "OrderType": "Market",
        "TradeAction": "BUY",
        "TimeInForce": {"Duration": "DAY"},
        "OrderConfirmID": "F" * 22,
    }
    log.append("order.place", env="sim", account=MARGIN, payload={"request": request})
    holder = subprocess.Popen(  # another tstui process, alive: it may be sending right now
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from tstui.audit import AuditLog, "
            "hold_session_lock; hold_session_lock(AuditLog(Path(sys.argv[1]))); "
            "print('held', flush=True); time.sleep(60)",
            str(log.path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert main([*base, "get", "orders", "--json"]) == 0
        err = capsys.readouterr().err
        assert "still unresolved" in err and "another tstui is running" in err
        assert main([*base, *ORDER, "--yes"]) != 0  # and its repeat is refused meanwhile
        assert "refused" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert main([*base, "get", "orders", "--json"]) == 0  # the other one is gone: look it up
    assert "resolved: placement BUY 13 AAPL Market" in capsys.readouterr().err
    assert [r["payload"]["found"] for r in audit_records() if r["kind"] == RESOLVED_KIND] == [False]
