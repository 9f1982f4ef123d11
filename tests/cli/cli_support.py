"""What the CLI tests share: the seed's env vars for a simulator, and reading the output.

Imported by its name (test folders are not packages)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from sim_tokens import access_token as access_token  # re-exported for the CLI tests

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

MARGIN = "SIM1000001M"
FUTURES = "SIM1000002F"
CASH = "SIM1000003C"


def export_seed(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The three lines `tstui sim` prints, exported: no login step needed."""
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """`tstui ... --json`: exit status, the one JSON document on stdout, stderr."""
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON document, got {captured.out!r}"
    return code, json.loads(lines[0]), captured.err


def ndjson(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def sim_orders(sim: SimServer, account: str = MARGIN) -> list[dict[str, Any]]:
    """The simulator's own view of an account's orders (its admin API)."""
    accounts: dict[str, Any] = sim.control().get("state")["accounts"]
    orders: list[dict[str, Any]] = accounts[account]["orders"]
    return orders
