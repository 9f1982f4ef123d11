"""The audit log: whole lines survive a damaged file; secret-looking keys are redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tstui.audit import REDACTED, AuditLog


def test_a_torn_line_with_broken_utf8_is_skipped_not_fatal(tmp_path: Path) -> None:
    log = AuditLog.in_dir(tmp_path)
    log.append("order.place", env="sim", account="A1", payload={"symbol": "MSFT"})
    with log.path.open("ab") as fh:
        fh.write('{"kind":"order.place","note":"\u00e9'.encode()[:-1])  # cut inside a char
        fh.write(b"\n")
    log.append("order.place.result", env="sim", account="A1", payload={"ok": True})
    kinds = [entry["kind"] for entry in log.entries()]
    assert kinds == ["order.place", "order.place.result"]


def test_secret_keys_are_redacted_at_any_depth(tmp_path: Path) -> None:
    log = AuditLog.in_dir(tmp_path)
    log.append(
        "login",
        env="live",
        payload={"refresh_token": "rt-1", "nested": [{"client_secret": "cs-1", "code": "c-1"}]},
    )
    text = log.path.read_text(encoding="utf-8")
    assert "rt-1" not in text and "cs-1" not in text and "c-1" not in text
    assert text.count(REDACTED) == 3
    assert (log.path.stat().st_mode & 0o777) == 0o600


def test_demo_audit_is_read_with_the_demo_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tstui.cli import main
    from tstui.config import state_dir

    AuditLog.in_dir(state_dir() / "demo").append("order.place", env="sim", payload={"x": 1})
    assert main(["audit", "--json"]) == 0
    assert capsys.readouterr().out.strip() == ""
    assert main(["--demo", "audit", "--json"]) == 0
    assert '"order.place"' in capsys.readouterr().out
