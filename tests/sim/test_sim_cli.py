"""`tstui sim` entry point: prints the URL and credentials, serves, stops on SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

import httpx

from tstui.sim.cli import add_sim_arguments


def test_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_sim_arguments(parser)
    args = parser.parse_args(
        ["--port", "0", "--seed", "3", "--speed", "0", "--start", "2026-12-01T15:00:00Z"]
    )
    assert (args.port, args.seed, args.speed, args.host) == (0, 3, 0.0, "127.0.0.1")


def test_sim_process_prints_credentials_and_serves() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tstui.sim",
            "--port",
            "0",
            "--speed",
            "0",
            "--start",
            "2026-12-01T15:00:00Z",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("tstui simulator listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        values = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert set(values) == {"CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"}
        token = httpx.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": values["CLIENT_ID"],
                "client_secret": values["CLIENT_SECRET"],
                "refresh_token": values["REFRESH_TOKEN"],
            },
        ).json()["access_token"]
        accounts = httpx.get(
            f"{url}/v3/brokerage/accounts", headers={"Authorization": f"Bearer {token}"}
        )
        assert accounts.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
