"""`tstui order ...`, `tstui get orders`, `tstui audit` against the simulator, in-process.

Also: no token or secret in any file under the state dir except the 0600 token store.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    return ["--base-url", sim.url, "--account", MARGIN, "--json"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[Any], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    return code, lines, captured.err


def order_args(qty: str = "1", order_type: str = "Limit", limit: str | None = "400") -> list[str]:
    args = ["--symbol", "MSFT", "--action", "BUY", "--qty", qty, "--type", order_type]
    return [*args, "--limit", limit] if limit else args


def orders_by_id(capsys: pytest.CaptureFixture[str], base: list[str]) -> dict[str, Any]:
    code, [body], err = run(capsys, "get", "orders", *base)
    assert code == 0, err
    return {o["OrderID"]: o for o in body["Orders"]}


def status_of(order: dict[str, Any]) -> str:
    return str(order["Status"])


def test_confirm_shows_the_confirmation(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    code, [body], err = run(capsys, "order", "confirm", *order_args(), *base)
    assert code == 0, err
    (confirmation,) = body["Confirmations"]  # the API's answer, as sent
    assert confirmation["SummaryMessage"] == "BUY 1 MSFT Limit DAY"
    assert confirmation["EstimatedPrice"] == "400.00"
    assert confirmation["EstimatedCommission"] is not None


def test_place_lists_working_then_cancel(
    sim: SimServer, capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, [body], err = run(capsys, "order", "place", *order_args("2"), "--yes", *base)
    assert code == 0, err
    (result,) = body["Orders"]
    order_id = result["OrderID"]
    assert order_id and "Errors" not in body
    order = orders_by_id(capsys, base)[order_id]
    assert status_of(order) in ("ACK", "OPN", "DON")
    code, [answer], err = run(capsys, "order", "cancel", order_id, "--yes", *base)
    assert code == 0, err
    assert order_id in json.dumps(answer)  # the cancel answer as the API sent it
    assert status_of(orders_by_id(capsys, base)[order_id]) == "CAN"
    code, entries, err = run(capsys, "audit", "--json")
    assert code == 0, err
    kinds = [e["kind"] for e in entries]
    assert "order.place" in kinds and "order.place.result" in kinds and "order.cancel" in kinds
    placed = [e for e in entries if e["kind"] == "order.place.result"]
    assert placed[-1]["env"] == "sim" and placed[-1]["account"] == MARGIN
    assert order_id in json.dumps(placed[-1]["payload"])


def test_market_order_becomes_a_position(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    def msft_quantity() -> int:
        code, [body], err = run(capsys, "get", "positions", *base)
        assert code == 0, err
        return sum(int(p["Quantity"]) for p in body["Positions"] if p["Symbol"] == "MSFT")

    before = msft_quantity()
    code, [body], err = run(
        capsys, "order", "place", *order_args("5", "Market", None), "--yes", *base
    )
    (result,) = body["Orders"]
    assert code == 0 and result["OrderID"], err
    assert status_of(orders_by_id(capsys, base)[result["OrderID"]]) == "FLL"
    assert msft_quantity() == before + 5


def test_rejection_exits_non_zero_with_the_reason(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    cash = [*base[:2], "--account", "SIM1000003C", "--json"]
    args = ["--symbol", "NVDA", "--action", "SELLSHORT", "--qty", "1"]
    code, _, err = run(capsys, "order", "confirm", *args, *cash)
    assert code != 0 and "Short selling is not allowed" in err


def test_no_secret_outside_the_token_store(
    sim: SimServer, capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    run(capsys, "order", "place", *order_args(), "--yes", *base)
    run(capsys, "audit", "--json")
    state = tmp_path / "state"
    files = [p for p in state.rglob("*") if p.is_file()]
    assert (state / "audit.jsonl") in files
    token_files = [p for p in files if p.suffix == ".json" and "token" in p.read_text()]
    assert token_files, files
    access_tokens = []
    for path in token_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = json.loads(path.read_text())
        access_tokens += [v for k, v in data.items() if "token" in k and isinstance(v, str)]
    creds = sim.credentials
    secrets = [creds.client_secret, creds.refresh_token, *access_tokens]
    for path in files:
        if path in token_files:
            continue
        text = path.read_text(errors="replace")
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {path.name}"
    assert capsys.readouterr().out == ""
