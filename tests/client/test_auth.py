"""OAuth: PKCE + state in the authorize URL, code exchange, lazy refresh, rotation, revoke."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tstui.client.auth import (
    AUDIENCE,
    DEFAULT_SCOPES,
    Authenticator,
    OAuthSettings,
    new_authorization,
)
from tstui.client.errors import LoginRequired, OAuthError
from tstui.client.tokens import TokenSet, TokenStore

pytestmark = pytest.mark.anyio

SETTINGS = OAuthSettings(
    client_id="demo-key", client_secret="demo-secret-xyz", signin_base="https://signin.test"
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class SignIn:
    """A fake token endpoint: counts refreshes, can rotate, reject, or be slow."""

    def __init__(self, *, rotate: bool = False, delay: float = 0.0) -> None:
        self.rotate = rotate
        self.delay = delay
        self.forms: list[dict[str, str]] = []
        self.dead: set[str] = set()
        self.issued = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.forms.append(form)
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.url.path == "/oauth/revoke":
            return httpx.Response(200, json={})
        if form.get("refresh_token") in self.dead:
            return httpx.Response(
                403, json={"error": "invalid_grant", "error_description": "revoked"}
            )
        self.issued += 1
        body: dict[str, Any] = {"access_token": f"access-{self.issued}", "expires_in": 1200}
        if form["grant_type"] == "authorization_code" or self.rotate:
            body["refresh_token"] = f"refresh-{self.issued}"
        return httpx.Response(200, json=body)

    @property
    def refreshes(self) -> int:
        return sum(1 for f in self.forms if f.get("grant_type") == "refresh_token")


def make_auth(
    tmp_path: Path, signin: SignIn, *, stored: TokenSet | None = None, **kwargs: Any
) -> tuple[Authenticator, TokenStore, Clock]:
    store = TokenStore(tmp_path / "tokens" / "t.json")
    if stored is not None:
        store.save(stored)
    clock = Clock()
    client = httpx.AsyncClient(transport=httpx.MockTransport(signin))
    return Authenticator(SETTINGS, store, client, now=clock, **kwargs), store, clock


def test_authorize_url_has_scopes_audience_state_and_pkce() -> None:
    pending = new_authorization(SETTINGS)
    url = urlsplit(pending.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://signin.test/authorize"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["response_type"] == "code" and q["client_id"] == "demo-key"
    assert q["audience"] == AUDIENCE == "https://api.tradestation.com"
    assert q["scope"] == DEFAULT_SCOPES and "offline_access" in q["scope"].split()
    assert q["redirect_uri"] == "http://localhost:3000"
    assert q["state"] == pending.state and len(pending.state) >= 20
    assert pending.code_verifier is not None and 43 <= len(pending.code_verifier) <= 128
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert q["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert q["code_challenge_method"] == "S256"
    assert "demo-secret" not in pending.url
    assert new_authorization(SETTINGS).state != pending.state
    assert "state" not in repr(pending) or pending.state not in repr(pending)


def test_pkce_can_be_turned_off() -> None:
    settings = OAuthSettings("k", "s", "https://signin.test", use_pkce=False)
    pending = new_authorization(settings)
    assert pending.code_verifier is None and "code_challenge" not in pending.url


async def test_login_with_code_sends_verifier_and_persists(tmp_path: Path) -> None:
    signin = SignIn()
    auth, store, _ = make_auth(tmp_path, signin)
    pending = new_authorization(SETTINGS)
    await auth.login_with_code("the-code", pending)
    form = signin.forms[0]
    assert form["grant_type"] == "authorization_code" and form["code"] == "the-code"
    assert form["code_verifier"] == pending.code_verifier
    assert form["redirect_uri"] == SETTINGS.redirect_uri
    assert form["client_secret"] == "demo-secret-xyz"
    saved = store.load()
    assert saved is not None and saved.refresh_token == "refresh-1"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert await auth.access_token() == "access-1"  # fresh: no refresh
    assert signin.refreshes == 0


async def test_lazy_refresh_at_85_percent(tmp_path: Path) -> None:
    signin = SignIn()
    auth, _, clock = make_auth(tmp_path, signin)
    await auth.login_with_code("c", new_authorization(SETTINGS))
    clock.now += timedelta(seconds=1000)  # 83%: still fine
    assert await auth.access_token() == "access-1"
    clock.now += timedelta(seconds=30)  # 85.8%: refresh
    assert await auth.access_token() == "access-2"
    assert signin.refreshes == 1


async def test_concurrent_callers_share_one_refresh(tmp_path: Path) -> None:
    signin = SignIn(delay=0.05)
    auth, _, _ = make_auth(tmp_path, signin, fallback_refresh_token="env-refresh")
    tokens = await asyncio.gather(*(auth.access_token() for _ in range(25)))
    assert set(tokens) == {"access-1"}
    assert signin.refreshes == 1
    assert signin.forms[0]["refresh_token"] == "env-refresh"


async def test_a_cancelled_refresh_still_stores_the_rotated_token(tmp_path: Path) -> None:
    signin = SignIn(rotate=True, delay=0.1)
    auth, store, _ = make_auth(tmp_path, signin, fallback_refresh_token="r0")
    caller = asyncio.ensure_future(auth.access_token())
    await asyncio.sleep(0.03)  # the refresh request is in flight
    caller.cancel()  # e.g. a stream shutting down mid-refresh
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert await auth.access_token() == "access-1"  # joins the same refresh, no second one
    assert signin.refreshes == 1
    assert json.loads(store.path.read_text())["refresh_token"] == "refresh-1"


async def test_refresh_after_401_only_once_for_the_same_stale_token(tmp_path: Path) -> None:
    signin = SignIn()
    auth, _, _ = make_auth(tmp_path, signin, fallback_refresh_token="r")
    stale = await auth.access_token()
    new = await asyncio.gather(*(auth.refresh_after_401(stale) for _ in range(5)))
    assert set(new) == {"access-2"} and signin.refreshes == 2


async def test_rotated_refresh_token_is_persisted(tmp_path: Path) -> None:
    signin = SignIn(rotate=True)
    auth, store, _ = make_auth(tmp_path, signin, fallback_refresh_token="r0")
    await auth.access_token()
    assert json.loads(store.path.read_text())["refresh_token"] == "refresh-1"
    await auth.refresh_after_401("access-1")
    assert signin.forms[-1]["refresh_token"] == "refresh-1"
    assert json.loads(store.path.read_text())["refresh_token"] == "refresh-2"


async def test_invalid_grant_means_login_required(tmp_path: Path) -> None:
    signin = SignIn()
    signin.dead.add("stored-r")
    stored = TokenSet.from_refresh_token("stored-r")
    auth, _, _ = make_auth(tmp_path, signin, stored=stored)
    with pytest.raises(LoginRequired) as caught:
        await auth.access_token()
    assert "stored-r" not in str(caught.value)


async def test_no_token_at_all_means_login_required(tmp_path: Path) -> None:
    auth, _, _ = make_auth(tmp_path, SignIn())
    assert not auth.has_refresh_token
    with pytest.raises(LoginRequired, match="tstui login"):
        await auth.access_token()


async def test_env_refresh_token_rescues_a_dead_stored_one(tmp_path: Path) -> None:
    signin = SignIn()
    signin.dead.add("old")
    auth, store, _ = make_auth(
        tmp_path, signin, stored=TokenSet.from_refresh_token("old"), fallback_refresh_token="new"
    )
    assert await auth.access_token() == "access-1"
    saved = store.load()
    assert saved is not None and saved.refresh_token == "new"


async def test_oauth_errors_are_redacted(tmp_path: Path) -> None:
    async def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"error": "invalid_request", "error_description": "bad demo-secret-xyz"}
        )

    store = TokenStore(tmp_path / "t.json")
    client = httpx.AsyncClient(transport=httpx.MockTransport(echo))
    auth = Authenticator(SETTINGS, store, client, fallback_refresh_token="r")
    with pytest.raises(OAuthError) as caught:
        await auth.access_token()
    assert "demo-secret-xyz" not in str(caught.value) and caught.value.error == "invalid_request"


async def test_revoke_posts_the_refresh_token_and_deletes_the_file(tmp_path: Path) -> None:
    signin = SignIn()
    auth, store, _ = make_auth(tmp_path, signin)
    await auth.login_with_code("c", new_authorization(SETTINGS))
    assert await auth.revoke() is True
    revoke = signin.forms[-1]
    assert revoke == {
        "client_id": "demo-key",
        "client_secret": "demo-secret-xyz",
        "token": "refresh-1",
    }
    assert not store.path.exists()
    with pytest.raises(LoginRequired):
        await auth.access_token()


async def test_revoke_deletes_the_file_even_offline(tmp_path: Path) -> None:
    async def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    store = TokenStore(tmp_path / "t.json")
    store.save(TokenSet.from_refresh_token("r"))
    client = httpx.AsyncClient(transport=httpx.MockTransport(down))
    auth = Authenticator(SETTINGS, store, client)
    assert await auth.revoke() is False
    assert not store.path.exists()


def test_settings_repr_hides_the_secret() -> None:
    assert "demo-secret-xyz" not in repr(SETTINGS)


async def test_tokens_rotated_by_another_process_are_adopted(tmp_path: Path) -> None:
    signin = SignIn(rotate=True)
    auth, store, clock = make_auth(tmp_path, signin, fallback_refresh_token="r0")
    await auth.access_token()  # refresh-1 stored
    other = TokenSet.from_response(
        {"access_token": "other-access", "refresh_token": "other-refresh", "expires_in": 1200},
        clock.now,
    )
    store.save(other)  # e.g. `tstui get` ran and rotated the token meanwhile
    signin.dead.add("refresh-1")
    assert await auth.refresh_after_401("access-1") == "other-access"
    clock.now += timedelta(seconds=1100)
    assert await auth.access_token() == "access-2"
    assert signin.forms[-1]["refresh_token"] == "other-refresh"
