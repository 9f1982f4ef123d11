"""A `tstui roll` process killed (os._exit, no cleanup) right after the close leg filled:
the next run completes the roll from the journal without resending the close."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

FUT = "SIM1000002F"

# The real CLI, with one change: the process dies the moment the journal holds the close
# fill. os._exit runs no finally blocks, flushes nothing: what a kill -9 would leave.
DIE_AFTER_CLOSE_FILL = textwrap.dedent(
    """
    import os, sys
    from tstui.client import roll_broker

    append = roll_broker.AuditJournal.append

    def append_then_die(self, entry):
        append(self, entry)
        if entry.get("step") == "close_fill" and entry.get("phase") == "after":
            os._exit(9)

    roll_broker.AuditJournal.append = append_then_die
    from tstui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def fut_state(sim: SimServer) -> dict[str, Any]:
    accounts: dict[str, Any] = sim.control().get("state")["accounts"]
    return dict(accounts[FUT])


def test_killed_after_close_fill_then_resumed(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = sim.credentials
    for name, value in (
        ("CLIENT_ID", creds.client_id),
        ("CLIENT_SECRET", creds.client_secret),
        ("REFRESH_TOKEN", creds.refresh_token),
    ):
        monkeypatch.setenv(name, value)
    base = ["--base-url", sim.url, "--account", FUT]
    order = ["order", "place", "--symbol", "ESZ26", "--action", "BUY", "--qty", "2", "--yes"]
    assert main([*base, *order]) == 0
    sim.control().set_clock("2026-12-11T15:00:00Z")  # @ES is now ESH27
    before = len(fut_state(sim)["orders"])

    killed = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_CLOSE_FILL, *base, "roll", "--yes"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 9, killed.stderr
    assert fut_state(sim)["positions"] == []  # closed, not reopened
    assert len(fut_state(sim)["orders"]) == before + 1

    capsys.readouterr()
    assert main([*base, "roll", "--yes"]) == 0
    state = fut_state(sim)
    held = {p["Symbol"]: Decimal(p["Quantity"]) for p in state["positions"]}
    assert held == {"ESH27": Decimal(2)}
    legs = [(o["Legs"][0]["Symbol"], o["Legs"][0]["BuyOrSell"]) for o in state["orders"][before:]]
    assert legs == [("ESZ26", "Sell"), ("ESH27", "Buy")]  # the close went out exactly once

    assert main([*base, "roll", "--yes"]) == 0  # and a third run sends nothing
    assert len(fut_state(sim)["orders"]) == before + 2
