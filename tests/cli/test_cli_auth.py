"""`tstui login` / `tstui logout` through the simulator's real OAuth pages."""

from __future__ import annotations

import re
import socket
import stat
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

# Ports a default TradeStation key accepts as callback URLs (the simulator checks the list).
CALLBACK_PORTS = (3000, 3001, 8080, 31022)


def free_callback_port() -> int:
    for port in CALLBACK_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no allowed callback port is free")


def write_config(tmp_path: Path, sim: SimServer, port: int) -> Path:
    creds = sim.credentials
    path = tmp_path / "config.toml"
    path.write_text(
        "[api]\n"
        f'client_id = "{creds.client_id}"\n'
        f'client_secret = "{creds.client_secret}"\n'
        f'redirect_uri = "http://localhost:{port}"\n'
    )
    return path


def test_login_via_loopback_callback_then_logout(
    sim: SimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, sim, free_callback_port())
    argv = ["--config", str(config), "--base-url", sim.url]
    codes: list[int] = []
    worker = threading.Thread(
        target=lambda: codes.append(main([*argv, "login", "--no-browser", "--timeout", "20"]))
    )
    worker.start()
    printed = ""
    deadline = time.monotonic() + 10
    while "authorize?" not in printed and time.monotonic() < deadline:
        time.sleep(0.05)
        printed += capsys.readouterr().out
    match = re.search(r"(http://\S+/authorize\?\S+)", printed)
    assert match, printed
    # The "browser": the simulator redirects a programmatic caller straight to the callback.
    redirect = httpx.get(match.group(1), headers={"Accept": "application/json"})
    assert redirect.status_code == 302
    landing = httpx.get(redirect.headers["location"])
    assert landing.status_code == 200
    worker.join(15)
    assert codes == [0]
    out = capsys.readouterr().out
    assert "Logged in (SIM)" in out

    token_files = list((tmp_path / "state" / "tokens").glob("*.json"))
    assert len(token_files) == 1
    assert stat.S_IMODE(token_files[0].stat().st_mode) == 0o600
    stored = token_files[0].read_text()
    assert stored not in out  # the CLI never prints a token

    assert main([*argv, "get", "accounts", "--json"]) == 0
    assert "SIM1000001M" in capsys.readouterr().out
    assert main([*argv, "logout"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert not token_files[0].exists()
    assert main([*argv, "get", "accounts"]) != 0
    assert "tstui login" in capsys.readouterr().err


def test_login_times_out_cleanly(
    sim: SimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, sim, free_callback_port())
    code = main(
        [
            "--config",
            str(config),
            "--base-url",
            sim.url,
            "login",
            "--no-browser",
            "--timeout",
            "0.5",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "no sign-in within" in err and "Traceback" not in err
