"""Tokens and where they live: one file per environment and API base, mode 0600.

The file holds the refresh token (and the current access token, so a short CLI call does not
spend a refresh). It is written atomically (temp file + ``os.replace``) so a crash never leaves
a half-written refresh token behind: a lost rotated refresh token means a new browser login.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class TokenSet:
    """Access + refresh token; ``repr`` shows only whether each is present."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scope: str = ""
    issued_at: datetime | None = None

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={'***' if self.access_token else '-'}, "
            f"refresh_token={'***' if self.refresh_token else '-'}, "
            f"expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"
        )

    @classmethod
    def from_response(
        cls, data: dict[str, Any], now: datetime, previous_refresh_token: str = ""
    ) -> TokenSet:
        """Build from a token endpoint answer; keep the old refresh token if none came back."""
        expires_in = float(data.get("expires_in") or 1200)
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or previous_refresh_token),
            expires_at=now + timedelta(seconds=expires_in),
            scope=str(data.get("scope") or ""),
            issued_at=now,
        )

    @classmethod
    def from_refresh_token(cls, refresh_token: str) -> TokenSet:
        """Only a refresh token (e.g. the seed's REFRESH_TOKEN): the access token is expired."""
        return cls(access_token="", refresh_token=refresh_token, expires_at=_EPOCH)

    def refresh_due_at(self, fraction: float) -> datetime:
        """When to refresh: ``fraction`` of the lifetime after issue (expiry if unknown)."""
        if self.issued_at is None:
            return self.expires_at
        return self.issued_at + (self.expires_at - self.issued_at) * fraction

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "scope": self.scope,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        issued = data.get("issued_at")
        return cls(
            access_token=str(data.get("access_token") or ""),
            refresh_token=str(data["refresh_token"]),
            expires_at=datetime.fromisoformat(str(data["expires_at"])),
            scope=str(data.get("scope") or ""),
            issued_at=datetime.fromisoformat(issued) if issued else None,
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def token_path(state_dir: Path, env: str, api_base: str) -> Path:
    """``<state_dir>/tokens/<env>-<host>-<hash>.json``: one file per env and API base.

    The readable host slug helps a human; the hash keeps two bases on one host apart.
    """
    parts = urlsplit(api_base)
    host = (parts.hostname or "local") + (f"-{parts.port}" if parts.port else "")
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", host)[:60]
    digest = hashlib.sha256(api_base.rstrip("/").encode()).hexdigest()[:10]
    env_slug = re.sub(r"[^A-Za-z0-9]+", "_", env)
    return state_dir / "tokens" / f"{env_slug}-{slug}-{digest}.json"


class TokenStore:
    """Load/save one :class:`TokenSet` at ``path`` (file 0600, directory 0700)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"TokenStore({str(self.path)!r})"

    def load(self) -> TokenSet | None:
        """The stored tokens, or None when there is no (readable, well-formed) file."""
        try:
            raw = self.path.read_text(encoding="utf-8")
            return TokenSet.from_json(json.loads(raw))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged file is as good as none: the user logs in again

    def save(self, tokens: TokenSet) -> None:
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
        tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        # O_EXCL + 0600 at creation: the secret is never readable by others, not even briefly.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(tokens.to_json(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def delete(self) -> bool:
        """Remove the file; True if there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
