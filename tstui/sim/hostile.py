"""Hostile server text, for tests: ``POST /_sim/hostile`` makes the API's text fields evil.

Body: ``{"text": "...", "keys": [...] | "*", "spare": [...], "stream_errors": N}``.

- ``text`` is appended to every selected string value of every API response (REST bodies and
  stream lines under ``/v2/`` and ``/v3/``); ``""`` turns the mode off.
- ``keys`` selects the JSON keys: by default the descriptive ones (``DEFAULT_KEYS``: alias,
  descriptions, reject reasons, messages, symbols...); ``"*"`` means every string that is not
  a number, a time, or a stream control value, ids and enum codes included.
- ``spare``: keys never rewritten (e.g. the ids with ``"*"``, so requests built from them
  still reach their account).
- ``stream_errors``: that many ``{"Error": "Failed", "Message": "feed <text>"}`` frames are
  sent, one before each of the next stream chunks.

The rewrite is an ASGI middleware of the simulator's app (``HostileText``, registered by
``server.build_app`` around ``SimContext.hostile``; the admin API sets the mode), so the client
still meets the hostile text over real HTTP, exactly as a server would send it. It is
deterministic: the same text lands on the same fields every time. OAuth and ``/_sim/``
responses are never touched.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tstui.sim.errors import BadRequest

__all__ = ["DEFAULT_KEYS", "HostileMode", "HostileText"]

DEFAULT_KEYS: Final = (
    "Alias",
    "Description",
    "StatusDescription",
    "RejectReason",
    "Message",
    "SummaryMessage",
    "Symbol",
    "Underlying",
    "Name",
    "Exchange",
    "Routing",
)
# Never rewritten, even for "*": the client's stream protocol (and nothing a trader reads).
_CONTROL_KEYS: Final = frozenset({"StreamStatus", "Heartbeat", "Error"})


def _is_data(value: str) -> bool:
    """Numbers and times are not text: "*" leaves them as they are, so they still parse."""
    if not value:
        return True
    try:
        Decimal(value)
        return True
    except InvalidOperation:
        pass
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


class HostileMode:
    """What the rewrite does now: off while ``text`` is empty (set by ``POST /_sim/hostile``)."""

    def __init__(self) -> None:
        self.text = ""
        self.keys: frozenset[str] | None = frozenset(DEFAULT_KEYS)  # None = "*"
        self.spare: frozenset[str] = frozenset()
        self._stream_errors = 0
        self._lock = threading.Lock()

    def configure(
        self, text: str, keys: frozenset[str] | None, spare: frozenset[str], stream_errors: int
    ) -> None:
        with self._lock:
            self.text, self.keys, self.spare = text, keys, spare
            self._stream_errors = stream_errors

    def configure_from(self, body: dict[str, Any]) -> dict[str, Any]:
        """The admin body (see the module docstring): a ``BadRequest`` for a bad field."""
        text, keys = body.get("text"), body.get("keys", list(DEFAULT_KEYS))
        spare, errors = body.get("spare", []), body.get("stream_errors", 0)
        if not isinstance(text, str):
            raise BadRequest("text must be a string")
        if keys != "*" and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
            raise BadRequest('keys must be a list of JSON keys or "*"')
        if not (isinstance(spare, list) and all(isinstance(k, str) for k in spare)):
            raise BadRequest("spare must be a list of JSON keys")
        if isinstance(errors, bool) or not isinstance(errors, int) or errors < 0:
            raise BadRequest("stream_errors must be a count")
        chosen = None if keys == "*" else frozenset(keys)
        self.configure(text, chosen, frozenset(spare), errors)
        return {"ok": True, "keys": "*" if chosen is None else sorted(chosen)}

    def take_stream_error(self) -> bool:
        with self._lock:
            if self._stream_errors > 0:
                self._stream_errors -= 1
                return True
            return False

    # ------------------------------------------------------------------ rewriting
    def taint(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.taint(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.taint(v, key) for v in value]
        if isinstance(value, str) and key not in _CONTROL_KEYS and key not in self.spare:
            chosen = not _is_data(value) if self.keys is None else key in self.keys
            if chosen:
                return value + self.text
        return value

    def line(self, raw: bytes) -> bytes:
        if not raw.strip():
            return raw
        try:
            parsed = json.loads(raw)
        except ValueError:  # a malformed-frame fault stays malformed
            return raw
        # ensure_ascii: a lone surrogate travels as its \\ud800 escape, as a server could send
        return json.dumps(self.taint(parsed)).encode()


class HostileText:
    """The ASGI middleware: rewrites JSON bodies and stream lines while ``mode.text`` is set."""

    def __init__(self, app: ASGIApp, mode: HostileMode) -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        text = self.mode.text
        if scope["type"] != "http" or not text or not path.startswith(("/v2/", "/v3/")):
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._sender(send))

    def _sender(self, send: Send) -> Send:
        """A sized body (REST, or a stream's error answer) is rewritten whole; a chunked one
        (a stream) line by line: which one is known from the response's first message."""
        chosen: Send | None = None

        async def sender(message: Message) -> None:
            nonlocal chosen
            if chosen is None and message["type"] == "http.response.start":
                sized = any(n.lower() == b"content-length" for n, _ in message.get("headers", []))
                chosen = self._body_sender(send) if sized else self._stream_sender(send)
            await (chosen or send)(message)

        return sender

    def _body_sender(self, send: Send) -> Send:
        """A whole REST body: rewritten once complete, with its Content-Length fixed."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def sender(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = self.mode.line(b"".join(chunks))
            headers = [
                (name, str(len(body)).encode() if name.lower() == b"content-length" else value)
                for name, value in start.get("headers", [])
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        return sender

    def _stream_sender(self, send: Send) -> Send:
        """A chunked stream: each complete line rewritten; a torn line waits for its end."""
        pending = b""

        async def sender(message: Message) -> None:
            nonlocal pending
            if message["type"] != "http.response.body":
                await send(message)
                return
            data = pending + message.get("body", b"")
            complete, _, pending = data.rpartition(b"\n")
            out = b""
            if complete:
                out = b"\n".join(self.mode.line(ln) for ln in complete.split(b"\n")) + b"\n"
            if out and self.mode.take_stream_error():
                frame = {"Error": "Failed", "Message": "feed " + self.mode.text}
                out = json.dumps(frame).encode() + b"\n" + out
            more = bool(message.get("more_body", False))
            if not more:
                out, pending = out + self.mode.line(pending), b""
            await send({**message, "body": out})

        return sender
