"""The audit log: an append-only JSONL file of everything that touched an order or the env.

One line per event (preview, place, place result, cancel, replace, env switch, roll step),
written with a single ``os.write`` on an ``O_APPEND`` descriptor so a killed process leaves
whole lines behind. The roll journal reads its own entries back from here to resume.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tstui.output import to_jsonable

AUDIT_FILE = "audit.jsonl"

# Keys whose values are secrets whatever they hold; values are replaced, never logged.
_SECRET_KEY = re.compile(r"token|secret|password|code_verifier|authorization|^code$", re.I)
REDACTED = "[redacted]"


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


class AuditLog:
    """Append and read the JSONL audit file (created 0600: it names accounts and orders)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, state_dir: Path) -> AuditLog:
        return cls(state_dir / AUDIT_FILE)

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
        line = (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)  # the roll resumes from these lines after a crash
        finally:
            os.close(fd)
        return record

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every whole entry; a torn last line (a crash mid-write) is skipped, not fatal."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as fh:  # a torn UTF-8 tail
            for line in fh:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield record


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


def _entry_day(record: Mapping[str, Any]) -> date | None:
    try:
        return datetime.fromisoformat(str(record["at"]).replace("Z", "+00:00")).date()
    except (KeyError, ValueError):
        return None
