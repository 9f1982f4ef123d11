"""``python -m tstui.sim.demo_pair``: the two simulators behind ``tstui --demo``, in a child.

The demo's SIM simulator and its LIVE stand-in run here, in their own interpreter, so they boot
while the TUI imports Textual and never compete with the UI for its GIL. Protocol:

- stdout: one JSON line as soon as both listening sockets are bound, before the servers are
  built (the web stack and the seeding take a few hundred milliseconds):
  ``{"sim": URL, "live": URL, "client_id": ..., "client_secret": ...}``. A request sent before
  a server answers waits in the kernel's backlog, so the TUI loads its client and signs in
  while this process boots. On failure before that line: one JSON line ``{"error": TEXT}``
  and exit status 1; after it, the reason goes to stderr and the sockets close (a request
  then fails to connect instead of waiting).
- the SIM simulator serves first; the LIVE stand-in is built at its first connection or
  after ``LIVE_BUILD_AFTER_S``, whichever comes first: the first screen only needs SIM.
- stdin: the parent holds it open. EOF (the parent closed it, exited or died) stops both
  simulators, so a killed TUI never leaves a server behind. SIGTERM/SIGINT do the same.
"""

from __future__ import annotations

import json
import select
import signal
import socket
import sys
import threading
import traceback
from contextlib import ExitStack
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from tstui.sim.listening import listen, url_of

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

SIM_SEED = 7
LIVE_STAND_IN_SEED = 8
HOST = "127.0.0.1"
LIVE_BUILD_AFTER_S = 2.0  # unasked, the LIVE stand-in boots once the first screen is up


def serve(stdin: TextIO, stdout: TextIO) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    with ExitStack() as stack:
        try:
            sim_sock = stack.enter_context(listen(HOST))
            live_sock = stack.enter_context(listen(HOST))
            from tstui.sim.oauth import Credentials

            credentials = Credentials()
        except Exception as exc:
            stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
            stdout.flush()
            return 1
        ready = {
            "sim": url_of(sim_sock),
            "live": url_of(live_sock),
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        }
        stdout.write(json.dumps(ready) + "\n")
        stdout.flush()
        threading.Thread(target=_stop_at_eof, args=(stdin, stop), daemon=True).start()
        servers = _Servers(stop)
        stack.callback(servers.stop_all)
        try:
            from tstui.sim.server import SimServer

            sim = servers.start(SimServer(seed=SIM_SEED), sim_sock)
            _warm_up(sim.host, sim.port)
        except Exception:
            traceback.print_exc()  # to the log; closing the sockets tells the TUI
            return 1
        live = threading.Thread(target=servers.start_on_demand, args=(live_sock,), daemon=True)
        live.start()
        stop.wait()
    return 0


class _Servers:
    """The servers started so far, stopped together (from whichever thread started them)."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._lock = threading.Lock()
        self._running: list[SimServer] = []

    def start(self, server: SimServer, sock: socket.socket) -> SimServer:
        with self._lock:  # held while it starts: stop_all never misses a server
            if self._stop.is_set():
                raise RuntimeError("stopping")
            server.start(sock)
            self._running.append(server)
        return server

    def start_on_demand(self, sock: socket.socket) -> None:
        """The LIVE stand-in, at its first caller (or after ``LIVE_BUILD_AFTER_S``)."""
        try:
            select.select([sock], [], [], LIVE_BUILD_AFTER_S)
            if self._stop.is_set():
                return
            from tstui.sim.server import SimServer

            self.start(SimServer(seed=LIVE_STAND_IN_SEED), sock)
        except Exception:
            if self._stop.is_set():
                return  # stopped while it was being built
            traceback.print_exc()
            sock.close()  # its callers fail to connect rather than wait

    def stop_all(self) -> None:
        with self._lock:
            running, self._running = self._running, []
        for server in running:
            server.stop()


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
    # A streamed answer runs in one of anyio's task groups, and anyio loads its asyncio
    # backend at the first (~18 ms of this server's only thread, which the TUI's first
    # screen waited on with its two streams and balances queued behind): load it now.
    import anyio

    anyio.run(anyio.sleep, 0)


def _stop_at_eof(stdin: TextIO, stop: threading.Event) -> None:
    while stdin.readline():
        pass
    stop.set()


if __name__ == "__main__":
    sys.exit(serve(sys.stdin, sys.stdout))
