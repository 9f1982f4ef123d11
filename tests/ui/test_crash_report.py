"""No silent exit: an unexpected exception in the TUI ends with a short message on stderr, a
crash report in ``<state dir>/crash`` without secrets, and exit status 1.

The real entry point (``tstui`` -> run_tui -> run_app) runs in a child interpreter on Textual's
headless driver, signed in to a simulator; a timer inside the app raises an exception whose
message and locals hold the client secret and the refresh token.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tstui.cli.demo_sims import child_environ
from tstui.ui.shell.crash import crash_message, redact_text, write_crash_report

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

HEADLESS = "textual.drivers.headless_driver:HeadlessDriver"
SECRET = "client-secret-value-0451"

CHILD = """
import os, sys
from tstui.ui.shell.app import TstuiApp

mounted = TstuiApp.on_mount

def on_mount(self):
    mounted(self)
    def boom():
        refresh_token = os.environ["REFRESH_TOKEN"]  # a local a traceback could show
        raise RuntimeError(
            f"boom x[/]y \\x1b[2J refresh_token={refresh_token} with {os.environ['CLIENT_SECRET']}"
        )
    self.set_timer(1.0, boom)

TstuiApp.on_mount = on_mount
from tstui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_unexpected_error_gives_status_1_a_message_and_a_clean_report(
    sim: SimServer, tmp_path: Path
) -> None:
    state = tmp_path / "child-state"
    refresh = sim.credentials.refresh_token
    env = {
        **child_environ(),
        "TEXTUAL_DRIVER": HEADLESS,
        "TSTUI_STATE_DIR": str(state),
        "TSTUI_CONFIG": str(tmp_path / "none.toml"),
        "CLIENT_ID": sim.credentials.client_id,
        "CLIENT_SECRET": SECRET,  # not the simulator's: the sign-in may fail, the crash not
        "REFRESH_TOKEN": refresh,
        "COLUMNS": "100",
        "LINES": "30",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--base-url", sim.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("tstui: stopped by an unexpected error (RuntimeError: boom x[/]y")
    assert "crash report: " in last
    assert "Traceback" not in done.stderr and "\x1b[2J" not in done.stderr
    for secret in (SECRET, refresh):
        assert secret not in done.stderr and secret not in done.stdout

    reports = list((state / "crash").glob("crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in last
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    report = reports[0].read_text()
    assert "Traceback (most recent call last)" in report and "RuntimeError: boom" in report
    assert "textual " in report and "python " in report  # the versions
    assert "refresh_token=[redacted]" in report
    for secret in (SECRET, refresh):
        assert secret not in report


def test_report_and_message_redact_known_and_shaped_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIENT_SECRET", "very-secret-value")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    (tokens / "sim-x.json").write_text('{"refresh_token": "rt-from-file-123", "scope": "x"}')

    class FakeSettings:
        client_secret = "settings-secret-999"
        state_dir = tmp_path

    try:
        raise ValueError(
            "very-secret-value rt-from-file-123 settings-secret-999 "
            "Authorization: Bearer abc.def.ghi ?code=the-code-1&state=s"
        )
    except ValueError as exc:
        path = write_crash_report(exc, tmp_path, settings=FakeSettings())
        error = exc
    text = path.read_text()
    for secret in ("very-secret-value", "rt-from-file-123", "settings-secret-999", "abc.def"):
        assert secret not in text
    assert "the-code-1" not in text and "state=s" in text
    message = crash_message(error, path)
    assert "very-secret-value" not in message and "\n" not in message
    assert redact_text("status_code=400 encode=x") == "status_code=400 encode=x"
    os.remove(path)
