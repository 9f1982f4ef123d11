"""The simulator's listening socket: keep-alive responses must not wait on delayed ACKs."""

from __future__ import annotations

import socket
import statistics
import time

import pytest

from tstui.sim.listening import listen, url_of
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


def test_a_request_sent_before_the_server_starts_waits_for_it() -> None:
    """The demo binds first and reports its URL at once: a caller that connects before the
    server exists is answered once it starts, on the same socket (the kernel's backlog)."""
    sock = listen()
    host, port = sock.getsockname()[:2]
    assert url_of(sock) == f"http://{host}:{port}"
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(b"GET /_sim/clock HTTP/1.1\r\nHost: sim\r\n\r\n")
        sim = SimServer(speed=0).start(sock)
        try:
            assert sim.port == port
            assert b'"now"' in _get_reply(conn)
        finally:
            sim.stop()
    with pytest.raises(OSError):  # the server closed the socket it was given
        socket.create_connection((host, port), timeout=2).close()


def _get_reply(conn: socket.socket) -> bytes:
    data = b""
    while b'"now"' not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data
