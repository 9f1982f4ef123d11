"""The simulator's listening socket: keep-alive responses must not wait on delayed ACKs."""

from __future__ import annotations

import socket
import statistics
import time

from tstui.sim.server import SimServer


def _get(conn: socket.socket, path: str) -> bytes:
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: sim\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return body


def test_keep_alive_requests_are_not_held_by_nagle() -> None:
    """Without TCP_NODELAY on accepted sockets, every request after the first on a
    connection took ~40 ms (Nagle against the client's delayed ACK); now ~1 ms."""
    with SimServer(speed=0) as sim, socket.create_connection((sim.host, sim.port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _get(conn, "/_sim/clock")
        took = []
        for _ in range(7):
            start = time.perf_counter()
            assert b'"now"' in _get(conn, "/_sim/clock")
            took.append(time.perf_counter() - start)
    assert statistics.median(took) < 0.025, took
