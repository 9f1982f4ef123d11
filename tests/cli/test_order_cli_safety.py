"""`tstui order place` safety: risk limits before any request, lost answers reconciled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

MARGIN = "SIM1000001M"


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    monkeypatch.setattr("tstui.cli.order_cmds.RECONCILE_PAUSE_S", 0.05)
    return ["--base-url", sim.url, "--account", MARGIN, "--json"]


def sim_orders(sim: SimServer) -> list[dict[str, Any]]:
    state = httpx.get(f"{sim.url}/_sim/state").json()
    orders: list[dict[str, Any]] = state["accounts"][MARGIN]["orders"]
    return orders


def place(base: list[str], *extra: str) -> int:
    args = ["order", "place", "--symbol", "AAPL", "--action", "BUY", "--type", "Market"]
    return main([*base, *args, *extra, "--yes"])


def test_lost_answer_is_reconciled_not_resent(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {o["OrderID"] for o in sim_orders(sim)}
    httpx.post(f"{sim.url}/_sim/faults/reset-after-accept", json={"count": 1})
    assert place(base, "--qty", "3") == 0
    captured = capsys.readouterr()
    assert "not resending" in captured.err
    (body,) = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    (result,) = body["Orders"]  # no answer came: the placement answer's shape, what was found
    new = {o["OrderID"] for o in sim_orders(sim)} - before
    assert len(new) == 1  # exactly one order reached the simulator: no resend
    assert result["OrderID"] in new
    assert main([*base, "audit", "--kind", "order.place.reconciled"]) == 0
    assert result["OrderID"] in capsys.readouterr().out


def test_hard_limit_blocks_before_any_request(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "limits.toml"
    config.write_text("[risk.sim]\nmax_quantity = 5\n")
    before = len(sim_orders(sim))
    assert place([*base, "--config", str(config)], "--qty", "6") != 0
    err = capsys.readouterr().err
    assert "quantity" in err and "not sent" in err
    assert len(sim_orders(sim)) == before


def test_duplicate_within_the_window_warns(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert place(base, "--qty", "2") == 0
    capsys.readouterr()
    assert place(base, "--qty", "2") == 0  # --yes accepts warnings, hard limits still block
    err = capsys.readouterr().err
    assert "warning" in err.lower() and "order" in err.lower()


def test_refused_cancel_is_one_line_and_audited(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base, "order", "cancel", "999999999", "--yes"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("tstui: ") and len(err.strip().splitlines()) == 1
    assert main([*base, "audit", "--kind", "order.cancel.error"]) == 0
    assert "999999999" in capsys.readouterr().out
