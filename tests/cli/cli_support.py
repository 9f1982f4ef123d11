"""What the CLI tests share: the seed's env vars for a simulator, and reading the output.

Imported by its name (test folders are not packages)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

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


def access_token(sim: SimServer) -> str:
    """A token for talking to the simulator directly (to compare with what the CLI prints)."""
    creds = sim.credentials
    response = httpx.post(
        f"{sim.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
    )
    assert response.status_code == 200, response.status_code
    return str(response.json()["access_token"])
