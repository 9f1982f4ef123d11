"""The scriptable CLI against the simulator: the seed's env-var workflow, get and stream."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def seed_env(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The three lines `tstui sim` prints, exported: no login step needed."""
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    return sim.url


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_get_accounts_json_with_seed_env_vars(
    seed_env: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get", "accounts", "--base-url", seed_env, "--json"]) == 0
    (body,) = json_lines(capsys.readouterr().out)
    assert {a["AccountID"] for a in body["Accounts"]} >= set(sim.accounts)


def test_get_tables_for_people(seed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    for what in ("accounts", "balances", "bodbalances", "positions", "orders", "routes"):
        assert main(["--base-url", seed_env, "get", what]) == 0, what
        out = capsys.readouterr().out
        assert out.strip(), what
    assert main(["get", "quotes", "MSFT", "AAPL", "--base-url", seed_env]) == 0
    out = capsys.readouterr().out
    assert "MSFT" in out and "AAPL" in out


def test_get_bars_and_symbol(seed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["get", "bars", "MSFT", "--unit", "Minute", "--interval", "5", "--barsback", "10"]
    assert main([*args, "--base-url", seed_env, "--json"]) == 0
    (body,) = json_lines(capsys.readouterr().out)
    assert len(body["Bars"]) == 10
    assert main(["get", "symbol", "@ES", "--base-url", seed_env, "--json"]) == 0
    (body,) = json_lines(capsys.readouterr().out)
    (detail,) = body["Symbols"]
    assert detail["Underlying"] == "ESZ26"


def test_historical_orders_since(seed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    for since in ("2026-10-01", "10-01-2026", "2026/10/01"):  # the forms the API takes
        argv = ["get", "historical-orders", "--since", since, "--base-url", seed_env, "--json"]
        assert main(argv) == 0, since
        (body,) = json_lines(capsys.readouterr().out)
        assert body["Orders"] and all(o["OrderID"] for o in body["Orders"])


def test_stream_quotes_stops_after_count(seed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stream", "quotes", "MSFT", "--count", "1", "--base-url", seed_env, "--json"]) == 0
    captured = capsys.readouterr()
    frames = json_lines(captured.out)
    assert frames and frames[0]["Symbol"] == "MSFT"
    assert "# quotes: connected" in captured.err  # connection states are for people: stderr


def test_errors_are_one_line_without_traceback(
    seed_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["get", "bars", "MSFT", "--barsback", "999999", "--base-url", seed_env])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("tstui: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_no_credentials_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["get", "accounts", "--base-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code != 0 and "CLIENT_ID" in err and "Traceback" not in err


def test_bad_config_names_file_and_key(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text('env = "paper"\n')
    assert main(["--config", str(bad), "get", "accounts"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "env" in err
