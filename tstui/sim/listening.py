"""A simulator's listening socket, bound before the server that will answer on it exists.

Binding is cheap and needs nothing but ``socket``: the demo's child binds first and reports its
URLs at once, so the TUI's first requests wait in the kernel's backlog while the server boots.
"""

from __future__ import annotations

import socket

BACKLOG = 128


def listen(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A non-blocking TCP socket listening on ``host:port`` (0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto says
    # TCP, and without it every keep-alive response waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
