"""Token files: one per env and API base, mode 0600 in a 0700 dir, atomic, secrets hidden."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tstui.client.tokens import TokenSet, TokenStore, token_path

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def tokens(refresh: str = "refresh-secret-1") -> TokenSet:
    return TokenSet.from_response(
        {"access_token": "access-secret-1", "refresh_token": refresh, "expires_in": 1200}, NOW
    )


def test_path_is_per_env_and_per_api_base(tmp_path: Path) -> None:
    sim = token_path(tmp_path, "sim", "https://sim-api.tradestation.com")
    live = token_path(tmp_path, "live", "https://api.tradestation.com")
    local_a = token_path(tmp_path, "sim", "http://127.0.0.1:8001")
    local_b = token_path(tmp_path, "sim", "http://127.0.0.1:8002")
    assert len({sim, live, local_a, local_b}) == 4
    assert sim.parent == tmp_path / "tokens"
    assert sim.name.startswith("sim-sim-api.tradestation.com-")
    assert token_path(tmp_path, "sim", "http://127.0.0.1:8001/") == local_a


def test_save_load_round_trip_with_modes(tmp_path: Path) -> None:
    store = TokenStore(token_path(tmp_path / "state", "sim", "http://127.0.0.1:1"))
    assert store.load() is None
    store.save(tokens())
    assert store.load() == tokens()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert [p.name for p in store.path.parent.iterdir()] == [store.path.name]  # no temp left


def test_save_replaces_atomically_and_keeps_mode(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t" / "x.json")
    store.save(tokens("one"))
    store.path.chmod(0o644)  # even if someone loosened it, the rewrite is 0600 again
    store.save(tokens("two"))
    assert json.loads(store.path.read_text())["refresh_token"] == "two"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_damaged_file_loads_as_none_and_delete(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "x.json")
    store.path.write_text("{not json")
    assert store.load() is None
    assert store.delete() is True
    assert store.delete() is False


def test_repr_hides_secrets() -> None:
    text = repr(tokens()) + str(tokens())
    assert "secret" not in text and "***" in text


def test_refresh_keeps_old_refresh_token_and_due_time() -> None:
    fresh = TokenSet.from_response(
        {"access_token": "a2", "expires_in": 1200}, NOW, previous_refresh_token="r1"
    )
    assert fresh.refresh_token == "r1"
    assert fresh.refresh_due_at(0.85) == NOW + timedelta(seconds=1020)
    seed = TokenSet.from_refresh_token("r-env")
    assert seed.access_token == "" and seed.expires_at < NOW
