"""Crash reports: an unexpected exception ends the TUI with a short message and a file.

The report goes to ``<state dir>/crash/crash-<UTC time>-<pid>.txt`` (mode 0600): the time,
the versions (tstui, Python, Textual, Rich, platform), the exception and its traceback
without local variables. Secrets never reach it: the values of the client secret and of
every token this machine knows (the settings, ``CLIENT_SECRET`` / ``REFRESH_TOKEN`` and the
token files) are replaced wherever they appear, and so are ``token=...``, ``code=...``,
``secret=...`` and ``Bearer ...`` forms. Stdlib only: it must work when everything else broke.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["CRASH_DIR", "crash_message", "redact_text", "write_crash_report"]

CRASH_DIR = "crash"
REDACTED = "[redacted]"
_SECRET_ENV = ("CLIENT_SECRET", "REFRESH_TOKEN", "ACCESS_TOKEN")
_SECRET_KEY = re.compile(r"token|secret|password|code_verifier|authorization|^code$", re.I)
# key=value / "key": "value" / key: value forms whose key names a secret
_SECRET_PAIR = re.compile(
    r"""(?P<key>\b(?:access_token|refresh_token|id_token|token|client_secret|secret|password"""
    r"""|code_verifier|authorization|code)\b["']?\s*[:=]\s*["']?)(?P<value>[^\s"'&,;)}\]]+)""",
    re.I,
)
_BEARER = re.compile(r"(Bearer\s+)[^\s\"',;]+", re.I)
_MIN_SECRET = 6  # shorter "secrets" (test stubs, empty values) would blank ordinary words


def _versions() -> Iterator[str]:
    from importlib import metadata  # ~8 ms (zipfile, email, csv): only a crash needs it

    for name in ("tstui", "textual", "rich", "httpx"):
        try:
            yield f"{name} {metadata.version(name)}"
        except metadata.PackageNotFoundError:
            yield f"{name} (not installed)"
    yield f"python {platform.python_version()} ({sys.executable})"
    yield f"platform {platform.platform()}"


def _token_file_secrets(state_dir: Path | None) -> Iterator[str]:
    if state_dir is None:
        return
    for path in sorted((state_dir / "tokens").glob("*.json")):
        try:
            data: Any = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            for key, value in data.items():
                if _SECRET_KEY.search(str(key)) and isinstance(value, str):
                    yield value


def known_secrets(settings: Any = None) -> set[str]:
    """Every secret value this process could have seen: never written to a report."""
    found: set[str] = set()
    for name in _SECRET_ENV:
        found.add(os.environ.get(name, ""))
    if settings is not None:
        found.add(str(getattr(settings, "client_secret", "") or ""))
        state_dir = getattr(settings, "state_dir", None)
        found.update(_token_file_secrets(state_dir if isinstance(state_dir, Path) else None))
    return {s for s in found if len(s) >= _MIN_SECRET}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret value and every secret-looking pair replaced."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= _MIN_SECRET:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_PAIR.sub(lambda m: m.group("key") + REDACTED, text)


def _report(error: BaseException, where: str) -> str:
    lines = [
        f"tstui crash report, {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"where: {where}",
        *_versions(),
        f"argv: {' '.join(sys.argv[1:])}",
        "",
        # no locals: a frame's variables can hold tokens, secrets and whole responses
        *traceback.format_exception(type(error), error, error.__traceback__),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def write_crash_report(
    error: BaseException, state_dir: Path, *, settings: Any = None, where: str = "tui"
) -> Path:
    """Write the report (0600, in a 0700 directory); returns its path. Raises OSError."""
    directory = state_dir / CRASH_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"crash-{stamp}-{os.getpid()}.txt"
    text = redact_text(_report(error, where), known_secrets(settings))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as out:
        out.write(text)
    return path


def crash_message(
    error: BaseException, report: Path | None, secrets: Iterable[str] | None = None
) -> str:
    """The short line for the terminal once the screen is restored (``secrets``: the values
    to hide; by default those of the environment)."""
    from tstui.domain.untrusted import safe_text  # stdlib only: fine even mid-crash

    hidden = known_secrets() if secrets is None else secrets
    said = safe_text(redact_text(str(error), hidden), limit=200)
    what = f"{type(error).__name__}: {said}" if said else type(error).__name__
    where = f"crash report: {report}" if report is not None else "no crash report could be written"
    return f"tstui: stopped by an unexpected error ({what}); {where}"
