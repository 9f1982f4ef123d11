"""NDJSON framing for one stream: bytes -> data items, control frames acted on, bad lines
counted (see :mod:`tstui.client.streams` for the supervisor that owns the connection).

Per chunk one ``bytes.split`` and one list; per line an optional exact ``fast_decode(bytes)``
(item or None), else one ``json`` decode, a size check and ``parse``. A chunk boundary
anywhere (inside a line or a UTF-8 character) is harmless.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from tstui.domain.control_frames import EndSnapshot, GoAway, StreamErrorFrame, classify_control

log = logging.getLogger("tstui.client.streams")

T = TypeVar("T")

MAX_LINE_BYTES = 8 * 1024 * 1024
_DECODE = json.JSONDecoder().decode
_V2_TRAILERS = (b"END", b"ERROR")  # old v2 streams close with a bare text line


StateName: TypeAlias = Literal[
    "connecting", "connected", "snapshot_complete", "reconnecting", "resynced", "failed"
]


@dataclass(frozen=True, slots=True)
class StreamState:
    """Connection health for a UI (see :class:`tstui.client.streams.SupervisedStream` for
    when each is emitted)."""

    stream: str
    state: StateName
    detail: str = ""
    attempt: int = 0


class LineFramer(Generic[T]):
    """Turns one stream's bytes into items. ``state(name)`` makes the stream-state item for
    the first ``EndSnapshot`` of a connection ("resynced" once ``reconnected`` is set).
    The supervisor reads ``go_away`` and ``token_rejected`` after each chunk.

    ``raw_frames``: every JSON object line is passed on as decoded (data, ``Heartbeat``,
    ``StreamStatus`` and ``Error`` frames alike, for output that must be the wire's own);
    control frames are still acted on, and the stream states still come.

    ``sends_end_snapshot=False`` is for streams whose spec has no ``EndSnapshot`` (quotes):
    the first lines of a connection complete its snapshot instead, so the stream still
    reaches "live" (and "resynced" after a reconnect).
    """

    def __init__(
        self,
        name: str,
        parse: Callable[[dict[str, Any]], T],
        fast_decode: Callable[[bytes], T | None] | None,
        state: Callable[[StateName], StreamState],
        *,
        raw_frames: bool = False,
        sends_end_snapshot: bool = True,
    ) -> None:
        self.name = name
        self._sends_end_snapshot = sends_end_snapshot
        # Raw framing passes data frames on as decoded, and _control puts control frames out
        # itself, so the per-line loop has no raw branch (the typed path pays nothing for it).
        self._parse = _as_decoded if raw_frames else parse
        self._fast = None if raw_frames else fast_decode
        self._state = state
        self._raw = raw_frames
        self.malformed_count = 0
        self.go_away = False
        self.token_rejected = False
        self.reconnected = False
        self._snapshot_done = False
        self._pending = b""
        self._skip_to_newline = False

    def new_connection(self) -> None:
        self._pending = b""
        self._skip_to_newline = False
        self._snapshot_done = False

    def feed(self, chunk: bytes) -> list[Any]:
        """Split bytes into lines and turn each complete line into an item."""
        if self._pending:
            chunk = self._pending + chunk
        lines = chunk.split(b"\n")
        self._pending = lines.pop()
        if self._skip_to_newline:
            if not lines:
                self._pending = b""
                return []
            self._skip_to_newline = False
            lines[0] = b""  # the tail of an oversized line
        if len(self._pending) > MAX_LINE_BYTES:
            self._pending = b""
            self._skip_to_newline = True
            self._malformed("line too long")
        out: list[Any] = []
        append = out.append
        parse = self._parse
        fast = self._fast
        decode = _DECODE
        for line in lines:
            if len(line) < 2:
                continue  # b"" or b"\r" (keep-alive newlines)
            if fast is not None:
                try:
                    item = fast(line)
                except Exception:  # the generic path decides
                    item = None
                if item is not None:
                    append(item)
                    continue
            try:
                obj = decode(line.decode())  # faster than loads(bytes); bad UTF-8 is a ValueError
            except ValueError:
                self._odd_line(line, out)
                continue
            if type(obj) is not dict:
                self._malformed("not an object")
                continue
            # Control frames are small; the size check keeps big data frames off this path.
            if len(obj) <= 4 and self._control(obj, out):
                if self.go_away:
                    break
                continue
            try:
                append(parse(obj))
            except Exception:
                self._malformed("unparseable object")
        if lines and not self._snapshot_done and not self._sends_end_snapshot:
            self._snapshot_done = True  # no EndSnapshot on this stream: the first frames are it
            append(self._state("resynced" if self.reconnected else "snapshot_complete"))
        return out

    def _control(self, obj: dict[str, Any], out: list[Any]) -> bool:
        """Act on a control/error frame (the domain classifies it); False when it is data."""
        if not ("Heartbeat" in obj or "StreamStatus" in obj or obj.get("Error")):
            return False
        if self._raw:
            out.append(obj)  # the frame as sent comes before anything it brings about
        frame = classify_control(obj)
        if isinstance(frame, EndSnapshot):
            if not self._snapshot_done:  # once per connection
                self._snapshot_done = True
                out.append(self._state("resynced" if self.reconnected else "snapshot_complete"))
        elif isinstance(frame, GoAway):
            self.go_away = True
        elif isinstance(frame, StreamErrorFrame):
            if frame.item_id is None and frame.error == "Unauthorized":
                self.token_rejected = True  # surfaced, and the reconnect refreshes first
            if not self._raw:  # raw: the frame as sent is already out
                out.append(frame)
        return True  # a Heartbeat: the bytes already fed the watchdog

    def _odd_line(self, line: bytes, out: list[Any]) -> None:
        text = line.strip()
        if text.startswith(_V2_TRAILERS):
            # v2 trailer ("END", "ERROR - ..."): the server closes next; EOF reconnects.
            if text.startswith(b"ERROR"):
                message = text.decode("utf-8", "replace")[:200]
                out.append(StreamErrorFrame(error="Error", message=message, item_id=None))
            return
        self._malformed("not JSON")

    def _malformed(self, why: str) -> None:
        self.malformed_count += 1
        n = self.malformed_count
        if n <= 10 or n % 1000 == 0:  # content is never logged: it could hold anything
            log.warning("stream %s: skipped a malformed line (%s; %d so far)", self.name, why, n)


def _as_decoded(obj: dict[str, Any]) -> Any:
    return obj
