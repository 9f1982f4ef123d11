"""OAuth 2.0 authorization code flow (+ PKCE S256 and state) and the token lifecycle.

:class:`Authenticator` hands out access tokens: it refreshes lazily at ~85% of the lifetime
under one ``asyncio.Lock`` (N concurrent callers -> one refresh), refreshes once after a 401,
persists a rotated refresh token atomically, and turns ``invalid_grant`` into
:class:`LoginRequired` (it never starts a browser by itself).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from tstui.client.errors import LoginRequired, OAuthError, TransportError
from tstui.client.tokens import TokenSet, TokenStore

log = logging.getLogger("tstui.client.auth")

AUDIENCE = "https://api.tradestation.com"
DEFAULT_SCOPES = "openid MarketData profile ReadAccount Trade offline_access Matrix OptionSpreads"
REFRESH_AT_FRACTION = 0.85
# OAuth errors that mean "this refresh token is dead": only a new login helps.
_DEAD_GRANT_ERRORS = frozenset({"invalid_grant", "unauthorized_client"})


class TokenProvider(Protocol):
    """What the request path and the streams need from auth (Authenticator, or a fake)."""

    async def access_token(self) -> str: ...

    async def refresh_after_401(self, stale_access_token: str) -> str: ...


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    client_id: str
    client_secret: str = field(repr=False)
    signin_base: str
    redirect_uri: str = "http://localhost:3000"
    scopes: str = DEFAULT_SCOPES
    audience: str = AUDIENCE
    use_pkce: bool = True

    @property
    def authorize_url(self) -> str:
        return f"{self.signin_base.rstrip('/')}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.signin_base.rstrip('/')}/oauth/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.signin_base.rstrip('/')}/oauth/revoke"


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """One login attempt: the URL to open, and what the redirect must be checked against."""

    url: str = field(repr=False)
    state: str = field(repr=False)
    code_verifier: str | None = field(repr=False)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) as in RFC 7636."""
    verifier = secrets.token_urlsafe(64)  # 86 chars of [A-Za-z0-9_-], inside 43..128
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def new_authorization(settings: OAuthSettings) -> PendingAuthorization:
    """A fresh authorize URL with a random ``state`` (and PKCE challenge when enabled)."""
    state = secrets.token_urlsafe(24)
    params = {
        "response_type": "code",
        "client_id": settings.client_id,
        "audience": settings.audience,
        "redirect_uri": settings.redirect_uri,
        "scope": settings.scopes,
        "state": state,
    }
    verifier: str | None = None
    if settings.use_pkce:
        verifier, challenge = pkce_pair()
        params["code_challenge"] = challenge
        params["code_challenge_method"] = "S256"
    url = f"{settings.authorize_url}?{urlencode(params)}"
    return PendingAuthorization(url=url, state=state, code_verifier=verifier)


def redact(text: str, *secret_values: str | None) -> str:
    """``text`` with every occurrence of the given secrets replaced (server text may echo)."""
    for value in secret_values:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


async def _token_request(
    client: httpx.AsyncClient,
    url: str,
    form: dict[str, str],
    secret_values: tuple[str | None, ...],
) -> dict[str, Any]:
    """POST a form to the token/revoke endpoint; map OAuth errors; never echo secrets."""
    try:
        response = await client.post(url, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise TransportError(f"sign-in server unreachable: {type(exc).__name__}") from None
    try:
        body: Any = response.json() if response.content else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.is_success:
        return dict(body)
    error = str(body.get("error") or body.get("Error") or f"http_{response.status_code}")
    description = redact(
        str(body.get("error_description") or body.get("Message") or "")[:300], *secret_values
    )
    log.warning("token endpoint answered %s (%s)", response.status_code, error)
    if error in _DEAD_GRANT_ERRORS:
        raise LoginRequired(f"{error}: {description or 'refresh token rejected'}; log in again")
    raise OAuthError(error, description)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def exchange_code(
    settings: OAuthSettings,
    client: httpx.AsyncClient,
    code: str,
    code_verifier: str | None,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> TokenSet:
    """Trade an authorization code (single use) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
        "code": code,
        "redirect_uri": settings.redirect_uri,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    secrets_ = (settings.client_secret, code, code_verifier)
    data = await _token_request(client, settings.token_url, form, secrets_)
    if "access_token" not in data:
        raise OAuthError("invalid_response", "token answer without access_token")
    if not data.get("refresh_token"):
        raise OAuthError("invalid_response", "no refresh token (is offline_access in scopes?)")
    log.info("login complete; tokens received")
    return TokenSet.from_response(data, now())


class Authenticator:
    """Access tokens on demand for one environment/API base; see the module docstring."""

    def __init__(
        self,
        settings: OAuthSettings,
        store: TokenStore,
        client: httpx.AsyncClient,
        *,
        fallback_refresh_token: str | None = None,
        refresh_at_fraction: float = REFRESH_AT_FRACTION,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self._client = client
        # The seed's REFRESH_TOKEN env var: used when the store is empty, or when the stored
        # token is rejected and the env one differs (a newer export).
        self._fallback = fallback_refresh_token or None
        self._fraction = refresh_at_fraction
        self._now = now
        self._lock = asyncio.Lock()
        self._refresh_task: asyncio.Future[TokenSet] | None = None
        self._tokens: TokenSet | None = None
        self._loaded = False
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"Authenticator(client_id=***, store={self.store!r})"

    def _current(self) -> TokenSet | None:
        if not self._loaded:
            self._loaded = True
            stored = self.store.load()
            if stored is None and self._fallback:
                stored = TokenSet.from_refresh_token(self._fallback)
            self._tokens = stored
        return self._tokens

    @property
    def has_refresh_token(self) -> bool:
        tokens = self._current()
        return bool(tokens and tokens.refresh_token)

    def _usable(self, tokens: TokenSet | None) -> bool:
        return bool(
            tokens and tokens.access_token and self._now() < tokens.refresh_due_at(self._fraction)
        )

    async def access_token(self) -> str:
        """A valid access token, refreshing first when due (one refresh for N callers)."""
        tokens = self._current()
        if tokens is not None and self._usable(tokens):
            return tokens.access_token
        async with self._lock:
            tokens = self._current()  # another caller may have refreshed while we waited
            if tokens is not None and self._usable(tokens):
                return tokens.access_token
            return (await self._refresh_shielded()).access_token

    async def refresh_after_401(self, stale_access_token: str) -> str:
        """The server refused ``stale_access_token``: refresh unless someone already did."""
        async with self._lock:
            tokens = self._current()
            if tokens and tokens.access_token and tokens.access_token != stale_access_token:
                return tokens.access_token
            return (await self._refresh_shielded()).access_token

    async def _refresh_shielded(self) -> TokenSet:
        """Run the refresh in a task a cancelled caller cannot stop: once the server has
        rotated the refresh token, the new one must reach the store or the login is lost.
        A caller arriving while it runs (its first waiter was cancelled) joins it."""
        task = self._refresh_task
        if task is None or task.done():
            task = self._refresh_task = asyncio.ensure_future(self._refresh_locked())
            # an orphaned task's failure is reported to whoever awaits it next, not logged
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await asyncio.shield(task)

    async def _refresh_locked(self) -> TokenSet:
        tokens = self._current()
        # Another tstui process (CLI next to the TUI) may have refreshed and rotated the
        # refresh token since we loaded it; ours would then be dead. Adopt the newer file.
        stored = self.store.load()
        if stored is not None and tokens is not None and stored != tokens:
            self._tokens = tokens = stored
            if self._usable(stored):
                return stored
        if tokens is None or not tokens.refresh_token:
            raise LoginRequired("not logged in: run `tstui login` (or export REFRESH_TOKEN)")
        try:
            fresh = await self._refresh_with(tokens.refresh_token)
        except LoginRequired:
            if not self._fallback or self._fallback == tokens.refresh_token:
                raise
            log.info("stored refresh token rejected; trying the REFRESH_TOKEN env var")
            fresh = await self._refresh_with(self._fallback)
        self._install(fresh)
        return fresh

    async def _refresh_with(self, refresh_token: str) -> TokenSet:
        s = self.settings
        form = {
            "grant_type": "refresh_token",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "refresh_token": refresh_token,
        }
        data = await _token_request(
            self._client, s.token_url, form, (s.client_secret, refresh_token)
        )
        if "access_token" not in data:
            raise OAuthError("invalid_response", "token answer without access_token")
        self.refresh_count += 1
        fresh = TokenSet.from_response(data, self._now(), previous_refresh_token=refresh_token)
        rotated = fresh.refresh_token != refresh_token
        log.info("access token refreshed%s", " (refresh token rotated)" if rotated else "")
        return fresh

    def _install(self, tokens: TokenSet) -> None:
        self._tokens = tokens
        self._loaded = True
        self.store.save(tokens)  # atomic: a rotated refresh token is never half-written

    def install_login(self, tokens: TokenSet) -> None:
        """Adopt tokens from a completed login (persisted at once)."""
        self._install(tokens)

    async def login_with_code(self, code: str, pending: PendingAuthorization) -> TokenSet:
        """Exchange a redirect's code for tokens and persist them."""
        tokens = await exchange_code(
            self.settings, self._client, code, pending.code_verifier, now=self._now
        )
        async with self._lock:
            self._install(tokens)
        return tokens

    async def revoke(self) -> bool:
        """Revoke the refresh token at the server (best effort) and delete the token file.

        Returns True when the server confirmed the revocation. The file is deleted either way:
        logging out must not depend on the network.
        """
        async with self._lock:
            tokens = self._current()
            confirmed = False
            if tokens and tokens.refresh_token:
                s = self.settings
                form = {
                    "client_id": s.client_id,
                    "client_secret": s.client_secret,
                    "token": tokens.refresh_token,
                }
                try:
                    await _token_request(
                        self._client, s.revoke_url, form, (s.client_secret, tokens.refresh_token)
                    )
                    confirmed = True
                    log.info("refresh token revoked")
                except (OAuthError, LoginRequired, TransportError) as exc:
                    log.warning("revoke failed (%s); deleting the local token anyway", exc)
            self.store.delete()
            self._tokens = None
            self._loaded = True
            self._fallback = None
            return confirmed
