"""The audit log: whole lines survive a damaged file; secret-looking keys are redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tstui.audit import RECOVERED_KIND, REDACTED, AuditLog, hold_session_lock, others_alive


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


TORN = '{"at":"2026-12-01T15:00:00Z","kind":"order.place","env":"sim","payload":{"req'


def _cut_write(log: AuditLog, text: str = TORN) -> None:
    """What a write cut short by a power loss or a full disk leaves: no newline at the end."""
    with log.path.open("ab") as fh:
        fh.write(text.encode())


def test_a_torn_tail_is_recovered_and_the_next_record_starts_on_a_fresh_line(
    tmp_path: Path,
) -> None:
    log = AuditLog.in_dir(tmp_path)
    log.append("order.preview", env="sim", account="A1", payload={"n": 1})
    _cut_write(log)
    log.append("order.place", env="sim", account="A1", payload={"n": 2})
    log.append("order.place.result", env="sim", account="A1", payload={"n": 3})

    entries = list(log.entries())
    assert [e["kind"] for e in entries] == [
        "order.preview",
        RECOVERED_KIND,
        "order.place",
        "order.place.result",
    ]
    recovered = entries[1]["payload"]
    assert recovered["torn"] == TORN  # the torn bytes are kept, not dropped
    assert recovered["bytes"] == len(TORN.encode())
    assert [e["payload"]["n"] for e in entries if "n" in e["payload"]] == [1, 2, 3]
    raw = log.path.read_bytes()
    assert raw.endswith(b"\n") and raw.count(TORN.encode()) == 1  # nothing was rewritten
    health = log.health()
    assert (health.recovered, health.unreadable, health.torn_tail) == (1, 1, False)


def test_a_torn_tail_is_recovered_once_however_many_writers_follow(tmp_path: Path) -> None:
    log = AuditLog.in_dir(tmp_path)
    _cut_write(log, "garbage with \u00e9 and no end")
    assert log.recover() is True
    assert log.recover() is False
    log.append("env.switch", env="live")
    kinds = [e["kind"] for e in log.entries()]
    assert kinds == [RECOVERED_KIND, "env.switch"]


def test_a_record_glued_onto_a_torn_line_by_an_older_version_is_salvaged(
    tmp_path: Path,
) -> None:
    log = AuditLog.in_dir(tmp_path)
    glued = {"at": "2026-12-01T15:00:01Z", "kind": "order.place.result", "env": "sim"}
    with log.path.open("ab") as fh:
        fh.write((TORN + json.dumps(glued, separators=(",", ":")) + "\n").encode())
        fh.write(b"\x00\xffnot json at all\n")
    log.append("order.cancel", env="sim", payload={"order_id": "1"})
    assert [e["kind"] for e in log.entries()] == ["order.place.result", "order.cancel"]
    assert [e["kind"] for e in log.entries(kinds=("order.cancel",))] == ["order.cancel"]
    health = log.health()
    assert (health.salvaged, health.unreadable) == (1, 1)


def test_tstui_audit_reports_the_recovered_tail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tstui.cli import main
    from tstui.config import state_dir

    log = AuditLog.in_dir(state_dir())
    log.append("order.place", env="sim", account="A1\x1b[2J", payload={"n": "\u202e1"})
    _cut_write(log, TORN + "\x1b]0;owned\x07")  # the torn text is shown, never obeyed
    assert main(["audit"]) == 0
    captured = capsys.readouterr()
    assert "1 torn line(s) recovered" in captured.err
    assert RECOVERED_KIND in captured.out and "\x1b" not in captured.out
    assert "\u202e" not in captured.out
    log.append("order.place.result", env="sim", account="A1", payload={"n": 2})
    assert main(["audit", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["kind"] for e in lines] == ["order.place", RECOVERED_KIND, "order.place.result"]
    assert lines[1]["payload"]["torn"].startswith(TORN)


def test_the_session_lock_tells_whether_another_process_may_be_sending(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    log = AuditLog.in_dir(tmp_path)
    assert others_alive(log) is False
    hold_session_lock(log)
    assert others_alive(log) is False  # this process alone
    holder = subprocess.Popen(
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
        assert others_alive(log) is True
        assert others_alive(log) is True  # asking does not lose this process's own lock
    finally:
        holder.kill()
        holder.wait()
    assert others_alive(log) is False  # a killed process holds nothing
