"""The audit log: an append-only JSONL file of everything that touched an order or the env.

One line per event (preview, place, place result, cancel, replace, env switch, roll step),
written with a single ``os.write`` on an ``O_APPEND`` descriptor so a killed process leaves
whole lines behind. The roll journal reads its own entries back from here to resume.

A write cut short (power loss, a full disk) can still leave a last line without its newline.
Before every append the tail is checked under an exclusive ``flock``: a torn tail is closed
with a newline and copied into an ``audit.recovered`` record, so the next record starts on a
fresh line instead of being glued onto the torn one (and lost). Nothing is ever removed from
the file. Readers skip any line that is not a JSON object, but salvage a whole record glued
onto a torn line by an older version.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tstui.output import to_jsonable

AUDIT_FILE = "audit.jsonl"
RECOVERED_KIND = "audit.recovered"
RECOVERED_TEXT_LIMIT = 64 * 1024  # characters of a torn tail kept in its recovery record

# Keys whose values are secrets whatever they hold; values are replaced, never logged.
_SECRET_KEY = re.compile(r"token|secret|password|code_verifier|authorization|^code$", re.I)
REDACTED = "[redacted]"
_RECORD_START = '{"at":'  # how every record begins (see AuditEntry.to_json)
_TAIL_CHUNK = 4096


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking key's value replaced."""
    if isinstance(value, Mapping):
        return {
            str(k): (REDACTED if _SECRET_KEY.search(str(k)) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    kind: str
    env: str
    account: str | None
    payload: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "kind": self.kind,
            "env": self.env,
            "account": self.account,
            "payload": redact(to_jsonable(self.payload)),
        }


@dataclass(frozen=True, slots=True)
class AuditHealth:
    """What a full read of the log found (for `tstui audit` and `tstui doctor`)."""

    records: int = 0
    recovered: int = 0  # audit.recovered records: torn tails already closed
    unreadable: int = 0  # lines that are not a record (the torn lines themselves, garbage)
    salvaged: int = 0  # whole records found glued after a torn line
    torn_tail: bool = False  # the file ends without a newline right now
    problems: tuple[str, ...] = field(default=())


def _encode(record: Mapping[str, Any]) -> bytes:
    return (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def _parse_line(line: str) -> tuple[dict[str, Any] | None, bool]:
    """(record, salvaged): the line's record, or one glued after a torn prefix."""
    text = line.strip()
    if not text:
        return None, False
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        record = None
    if isinstance(record, dict):
        return record, False
    # A torn record with a whole one appended onto it: the last record start that parses
    # to the end of the line is the glued record.
    decoder = json.JSONDecoder()
    start = text.rfind(_RECORD_START)
    while start > 0:
        try:
            found, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            found, end = None, -1
        if isinstance(found, dict) and end == len(text):
            return found, True
        start = text.rfind(_RECORD_START, 0, start)
    return None, False


def _last_newline(fd: int, size: int) -> int:
    """Offset just after the last newline before ``size`` (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - _TAIL_CHUNK)
        chunk = os.pread(fd, end - start, start)
        index = chunk.rfind(b"\n")
        if index >= 0:
            return start + index + 1
        end = start
    return 0


class AuditLog:
    """Append and read the JSONL audit file (created 0600: it names accounts and orders)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, state_dir: Path) -> AuditLog:
        return cls(state_dir / AUDIT_FILE)

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)

    def append(
        self,
        kind: str,
        *,
        env: str,
        account: str | None = None,
        payload: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        entry = AuditEntry(at or datetime.now(UTC), kind, env, account, payload or {})
        record = entry.to_json()
        line = _encode(record)
        fd = self._open()
        try:
            # Exclusive while the tail is checked and the line written: two writers never
            # both "recover" the same tail, and no reader mistakes a write for a torn tail.
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._close_torn_tail(fd)
            _write_whole(fd, line)
            os.fsync(fd)  # the roll resumes from these lines after a crash
        finally:
            os.close(fd)  # also releases the lock
        return record

    def recover(self) -> bool:
        """Close a torn tail now (what every append does first); True when there was one."""
        if not self.path.exists():
            return False
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            closed = self._close_torn_tail(fd)
            if closed:
                os.fsync(fd)
            return closed
        finally:
            os.close(fd)

    def _close_torn_tail(self, fd: int) -> bool:
        size = os.fstat(fd).st_size
        if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
            return False
        start = _last_newline(fd, size)
        torn = os.pread(fd, size - start, start)
        text = torn.decode("utf-8", errors="backslashreplace")
        recovery = AuditEntry(
            datetime.now(UTC),
            RECOVERED_KIND,
            "",  # the torn record's environment is not known
            None,
            {
                "offset": start,
                "bytes": len(torn),
                "torn": text[:RECOVERED_TEXT_LIMIT],
                "truncated": len(text) > RECOVERED_TEXT_LIMIT,
            },
        ).to_json()
        # One write: the newline that ends the torn line, then its recovery record. The torn
        # bytes stay where they are (an audit log is never rewritten); readers skip them.
        _write_whole(fd, b"\n" + _encode(recovery))
        return True

    def entries(self, *, kinds: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
        """Every readable record, oldest first; torn and garbage lines are skipped.

        ``kinds``: prefixes such as ``"order."``; other lines are skipped before they are
        parsed (the log grows for months and several commands read it at start).
        """
        prefixes = tuple(kinds)
        for record, _ in self._scan(prefixes):
            if record is not None:
                yield record

    def _scan(self, prefixes: tuple[str, ...] = ()) -> Iterator[tuple[dict[str, Any] | None, bool]]:
        if not self.path.exists():
            return
        markers = tuple(f'"kind":"{p}' for p in prefixes)
        with self.path.open(encoding="utf-8", errors="replace") as fh:  # a torn UTF-8 tail
            for line in fh:
                if markers and not any(m in line for m in markers):
                    continue
                record, salvaged = _parse_line(line)
                kind = str(record.get("kind", "")) if record is not None else ""
                if record is not None and prefixes and not kind.startswith(prefixes):
                    continue
                yield record, salvaged

    def health(self) -> AuditHealth:
        """Read the whole log and count what is wrong with it (nothing is changed)."""
        records = recovered = unreadable = salvaged = 0
        problems: list[str] = []
        try:
            for record, was_salvaged in self._scan():
                if record is None:
                    unreadable += 1
                    continue
                records += 1
                salvaged += was_salvaged
                recovered += record.get("kind") == RECOVERED_KIND
            torn = self._ends_torn()
        except OSError as exc:
            problems.append(f"cannot read {self.path}: {exc.strerror or exc}")
            torn = False
        return AuditHealth(records, recovered, unreadable, salvaged, torn, tuple(problems))

    def _ends_torn(self) -> bool:
        if not self.path.exists():
            return False
        with self.path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"


def _write_whole(fd: int, data: bytes) -> None:
    """One ``os.write``; a short write (a full disk) is an error, never a silent tear."""
    written = os.write(fd, data)
    if written != len(data):
        raise OSError(f"audit log: only {written} of {len(data)} bytes written (disk full?)")


_SESSION_LOCKS: dict[Path, int] = {}


def hold_session_lock(log: AuditLog) -> None:
    """Mark this process as one that may be sending orders logged in ``log``, until it exits.

    A shared ``flock`` on a file beside the log, held for the life of the process (the kernel
    drops it when the process dies, ``kill -9`` included). `others_alive` tells whether any
    other tstui process holds it: if none does, no send logged in the file can still be in
    flight, so every intent without an outcome was cut off.
    """
    path = log.path.with_name(log.path.name + ".sessions")
    if path in _SESSION_LOCKS:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        except OSError:
            os.close(fd)
            return
        _SESSION_LOCKS[path] = fd


def others_alive(log: AuditLog) -> bool:
    """True when another tstui process holds the session lock of ``log`` (or it is unknown)."""
    path = log.path.with_name(log.path.name + ".sessions")
    fd = _SESSION_LOCKS.get(path)
    own = fd is not None
    if fd is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return True  # cannot tell: assume someone may be sending
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if own:  # a failed conversion drops the shared lock (Linux): take it back
                fcntl.flock(fd, fcntl.LOCK_SH)
            return True
        fcntl.flock(fd, fcntl.LOCK_SH if own else fcntl.LOCK_UN)
        return False
    finally:
        if not own:
            os.close(fd)


def filter_entries(
    entries: Iterable[dict[str, Any]],
    *,
    kinds: Iterable[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> list[dict[str, Any]]:
    wanted = {k.lower() for k in kinds}
    out = []
    for record in entries:
        kind = str(record.get("kind", ""))
        if wanted and kind.lower() not in wanted and kind.split(".")[0].lower() not in wanted:
            continue
        day = _entry_day(record)
        if since and (day is None or day < since):
            continue
        if until and (day is None or day > until):
            continue
        out.append(record)
    return out


def entry_time(record: Mapping[str, Any]) -> datetime | None:
    """When the record was written (aware; a naive time is taken as UTC), None if unreadable."""
    try:
        moment = datetime.fromisoformat(str(record["at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _entry_day(record: Mapping[str, Any]) -> date | None:
    moment = entry_time(record)
    return moment.date() if moment is not None else None
