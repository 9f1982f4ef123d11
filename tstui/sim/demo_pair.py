"""``python -m tstui.sim.demo_pair``: the two simulators behind ``tstui --demo``, in a child.

The demo's SIM simulator and its LIVE stand-in run here, in their own interpreter, so they boot
while the TUI imports Textual and never compete with the UI for its GIL. Protocol:

- stdout: one JSON line once both serve and have answered a request (their lazy imports done):
  ``{"sim": URL, "live": URL, "client_id": ..., "client_secret": ...}``;
  on failure one JSON line ``{"error": TEXT}`` and exit status 1.
- stdin: the parent holds it open. EOF (the parent closed it, exited or died) stops both
  simulators, so a killed TUI never leaves a server behind. SIGTERM/SIGINT do the same.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from contextlib import ExitStack
from types import FrameType
from typing import TextIO

SIM_SEED = 7
LIVE_STAND_IN_SEED = 8


def serve(stdin: TextIO, stdout: TextIO) -> int:
    from tstui.sim.server import SimServer

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    with ExitStack() as stack:
        try:
            sim = stack.enter_context(SimServer(seed=SIM_SEED))
            live = stack.enter_context(SimServer(seed=LIVE_STAND_IN_SEED))
            for server in (sim, live):
                _warm_up(server.host, server.port)
        except Exception as exc:
            stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
            stdout.flush()
            return 1
        ready = {
            "sim": sim.url,
            "live": live.url,
            "client_id": sim.credentials.client_id,
            "client_secret": sim.credentials.client_secret,
        }
        stdout.write(json.dumps(ready) + "\n")
        stdout.flush()
        watcher = threading.Thread(target=_stop_at_eof, args=(stdin, stop), daemon=True)
        watcher.start()
        stop.wait()
    return 0


def _warm_up(host: str, port: int) -> None:
    """One throwaway request (a token call with no grant: a 400), so the first real sign-in
    does not pay for the server's lazy imports. A raw socket: an HTTP client costs more."""
    body = b"grant_type="
    request = (
        b"POST /oauth/token HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    with socket.create_connection((host, port), timeout=5) as conn:
        conn.sendall(request)
        while conn.recv(65536):
            pass


def _stop_at_eof(stdin: TextIO, stop: threading.Event) -> None:
    while stdin.readline():
        pass
    stop.set()


if __name__ == "__main__":
    sys.exit(serve(sys.stdin, sys.stdout))
