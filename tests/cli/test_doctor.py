"""`tstui doctor` against the simulator (never the internet): what it finds and how it says it."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tstui.audit import AuditLog
from tstui.cli import main
from tstui.client.tokens import token_path
from tstui.config import state_dir

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def signed_in(sim: SimServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A config that names the simulator, and a token file written by a real sign-in."""
    creds = sim.credentials
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[api]\nbase_url = "{sim.url}"\nclient_id = "{creds.client_id}"\n')
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    assert main(["get", "accounts", "--json"]) == 0  # stores the tokens (0600)
    monkeypatch.delenv("REFRESH_TOKEN")
    return config


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["doctor", "--json", "--timeout", "3", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def by_name(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for c in checks}


def test_a_healthy_setup_passes_and_no_secret_is_printed(
    sim: SimServer, signed_in: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--timeout", "3"])
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert "FAIL" not in captured.out and "0 failed" in captured.out
    for line in ("ok    config ", "ok    api_key", "ok    tokens.sim", "ok    host.api"):
        assert line in captured.out
    assert "ok    clock" in captured.out  # the simulator's Date header is the wall clock
    stored = json.loads(token_path(state_dir(), "sim", sim.url).read_text())
    secrets = [sim.credentials.client_secret, stored["refresh_token"], stored["access_token"]]
    for secret in secrets:
        assert secret not in captured.out and secret not in captured.err

    code, checks = doctor(capsys)
    assert code == 0
    named = by_name(checks)
    assert named["host.api"]["status"] == "ok" and "host.signin" not in named  # one host
    assert named["tokens.sim"]["status"] == "ok"


def test_json_lines_have_one_shape(signed_in: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = doctor(capsys)
    assert code == 0
    assert {"config", "api_key", "tokens.sim", "tokens.live", "clock", "audit"} <= set(
        by_name(checks)
    )
    assert any(c["check"].startswith("terminal") for c in checks)
    for check in checks:
        assert set(check) == {"check", "status", "detail", "fix"}
        assert check["status"] in ("ok", "info", "warn", "fail")
        assert isinstance(check["detail"], str) and check["detail"]


def test_unknown_config_keys_are_named_and_a_bad_value_fails(
    signed_in: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = signed_in.read_text()
    signed_in.write_text(text + 'thme = "x"\n[stream]\nheartbeat_timeout = 3\n')
    code, checks = doctor(capsys)
    assert code == 0  # ignored keys are a warning
    keys = by_name(checks)["config.keys"]
    assert keys["status"] == "warn"
    assert "thme" in keys["detail"] and "stream.heartbeat_timeout" in keys["detail"]
    assert str(signed_in) in keys["fix"]

    signed_in.write_text(text.replace("[api]", 'env = "paper"\n[api]'))
    code, checks = doctor(capsys)
    assert code == 1
    config = by_name(checks)["config"]
    assert config["status"] == "fail" and "env" in config["detail"]
    assert by_name(checks)["api_key"]["status"] == "fail"  # the file's key is not read
    assert "tokens.sim" in by_name(checks)  # the other checks still ran


def test_a_token_file_readable_by_others_fails(
    sim: SimServer, signed_in: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = token_path(state_dir(), "sim", sim.url)
    path.chmod(0o644)
    code, checks = doctor(capsys)
    assert code == 1
    tokens = by_name(checks)["tokens.sim"]
    assert tokens["status"] == "fail" and "0644" in tokens["detail"]
    assert tokens["fix"] == f"chmod 600 {path}"


def test_an_unreachable_host_fails(signed_in: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, checks = doctor(capsys, "--base-url", f"http://127.0.0.1:{port}")
    assert code == 1
    named = by_name(checks)
    assert named["host.api"]["status"] == "fail" and "cannot reach" in named["host.api"]["detail"]
    assert named["clock"]["status"] == "warn"


def test_the_audit_log_health_and_unresolved_sends_are_reported(
    signed_in: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog.in_dir(state_dir())
    request = {
        "AccountID": "SIM1000001M",
        "Symbol": "MSFT",
        "Quantity": "4",
        "OrderType": "Market",
        "TradeAction": "BUY",
        "TimeInForce": {"Duration": "DAY"},
        "Route": "Intelligent",
        "OrderConfirmID": "Q" * 22,
    }
    log.append("order.place", env="sim", account="SIM1000001M", payload={"request": request})
    with log.path.open("ab") as fh:
        fh.write(b'{"at":"2026-')  # a torn tail
    code, checks = doctor(capsys)
    assert code == 0
    audit = by_name(checks)["audit"]
    assert audit["status"] == "warn" and "torn" in audit["detail"]
    unresolved = by_name(checks)["audit.unresolved.sim"]
    assert unresolved["status"] == "warn" and "BUY 4 MSFT Market" in unresolved["detail"]
    assert "tstui get orders" in unresolved["fix"]
    assert log.path.read_bytes().endswith(b'{"at":"2026-')  # doctor changes nothing


def test_terminal_findings_and_hints() -> None:
    from tstui.cli.doctor import check_terminal

    found = {c.check: c for c in check_terminal({"TERM": "dumb"})}
    assert found["terminal"].status == "warn" and "xterm-256color" in found["terminal"].fix
    assert found["terminal.ssh"].detail == "local session"

    remote = {"TERM": "xterm-256color", "SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22"}
    found = {c.check: c for c in check_terminal({**remote, "TMUX": "/tmp/tmux-1/default"})}
    assert found["terminal"].status == "ok" and found["terminal.colours"].detail == "256 colours"
    assert "--no-browser" in found["terminal.ssh"].detail
    assert "set-clipboard on" in found["terminal.clipboard"].fix

    found = {c.check: c for c in check_terminal({"TERM": "xterm-kitty", "COLORTERM": "truecolor"})}
    assert found["terminal.colours"].detail == "truecolor"
    assert found["terminal.clipboard"].status == "ok"
    assert all(c.status != "fail" for c in found.values())  # a terminal never fails doctor


def test_clock_skew_thresholds() -> None:
    from datetime import UTC, datetime, timedelta

    from tstui.cli.doctor import _clock, _Probe

    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

    def skewed(seconds: float) -> str:
        probe = _Probe("http://x", 200, 0.01, now + timedelta(seconds=seconds), now, None)
        return _clock(probe).status

    assert [skewed(s) for s in (0, 4, -30, 30, 120, -600)] == [
        "ok",
        "ok",
        "warn",
        "warn",
        "fail",
        "fail",
    ]
    assert "behind" in _clock(_Probe("u", 200, 0.0, now + timedelta(seconds=90), now, None)).detail
