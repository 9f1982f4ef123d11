"""The OAuth provider's state: codes, access tokens (sim-clock lifetimes), refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from tstui.sim.clock import SimClock

CLIENT_ID = "tstui-sim-client"
CLIENT_SECRET = "tstui-sim-secret"
REFRESH_TOKEN = "tstui-sim-refresh"
ALLOWED_REDIRECTS = frozenset(
    {
        "http://localhost",
        "http://localhost:80",
        "http://localhost:3000",
        "http://localhost:3001",
        "http://localhost:8080",
        "http://localhost:31022",
    }
)
CODE_TTL = timedelta(minutes=5)
ISSUER = "https://signin.tradestation.com/"  # the real sign-in host, whatever port we serve on
SIM_USER = "auth0|tstui-sim-user"
# Signs the simulator's id_tokens (HS256): a real signature, but of no value outside the sim.
_ID_TOKEN_KEY = b"tstui-simulator-id-token-key"


class OAuthFailure(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    refresh_token: str = REFRESH_TOKEN

    def __repr__(self) -> str:  # never show secrets
        return f"Credentials(client_id={self.client_id!r}, client_secret=***, refresh_token=***)"


@dataclass(frozen=True, slots=True)
class _Code:
    redirect_uri: str
    scope: str
    challenge: str | None
    issued: datetime


def normalize_redirect(uri: str) -> str:
    return uri.rstrip("/")


class OAuthState:
    def __init__(self, clock: SimClock, token_ttl_seconds: float) -> None:
        self.clock = clock
        self.ttl = timedelta(seconds=token_ttl_seconds)
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, datetime] = {}
        self._granted: dict[str, frozenset[str]] = {}  # access token -> its scopes
        self._refresh: dict[str, str] = {
            REFRESH_TOKEN: "openid offline_access MarketData ReadAccount Trade profile Matrix"
        }

    def check_client(self, client_id: str | None, secret: str | None) -> None:
        if client_id != CLIENT_ID or (secret is not None and secret != CLIENT_SECRET):
            raise OAuthFailure(401, "invalid_client", "Unknown client or wrong client secret.")

    def issue_code(self, redirect_uri: str, scope: str, challenge: str | None) -> str:
        code = secrets.token_urlsafe(18)
        with self._lock:
            self._codes[code] = _Code(redirect_uri, scope, challenge, self.clock.now())
        return code

    def exchange_code(
        self, code: str, redirect_uri: str | None, verifier: str | None
    ) -> dict[str, object]:
        with self._lock:
            grant = self._codes.pop(code, None)  # single use, even when the exchange fails
        if grant is None or self.clock.now() - grant.issued > CODE_TTL:
            raise OAuthFailure(403, "invalid_grant", "Invalid or expired authorization code.")
        if redirect_uri is None or normalize_redirect(redirect_uri) != grant.redirect_uri:
            raise OAuthFailure(403, "invalid_grant", "redirect_uri does not match.")
        if grant.challenge is not None:
            if not verifier:
                raise OAuthFailure(400, "invalid_request", "code_verifier is required.")
            digest = hashlib.sha256(verifier.encode()).digest()
            computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if computed != grant.challenge:
                raise OAuthFailure(403, "invalid_grant", "PKCE verification failed.")
        body = self._access_body(grant.scope)
        if "offline_access" in grant.scope.split():
            refresh = secrets.token_urlsafe(24)
            with self._lock:
                self._refresh[refresh] = grant.scope
            body["refresh_token"] = refresh
        return body

    def refresh(self, token: str | None) -> dict[str, object]:
        with self._lock:
            scope = self._refresh.get(token or "")
        if scope is None:
            raise OAuthFailure(403, "invalid_grant", "Unknown or revoked refresh token.")
        return self._access_body(scope)

    def _access_body(self, scope: str) -> dict[str, object]:
        """The token endpoint's answer for both grants; ``id_token`` whenever the granted
        scope includes openid (the real endpoint sends it on refresh too)."""
        token = secrets.token_urlsafe(24)
        now = self.clock.now()
        with self._lock:
            self._access[token] = now + self.ttl
            self._granted[token] = frozenset(scope.split())
        body: dict[str, object] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.ttl.total_seconds()),
            "scope": scope,
        }
        if "openid" in scope.split():
            body["id_token"] = id_token(now, self.ttl)
        return body

    def revoke_all(self) -> None:
        """Revoking revokes every refresh token of the key, like the real API."""
        with self._lock:
            self._refresh.clear()

    def expire_all(self) -> None:
        with self._lock:
            self._access.clear()
            self._granted.clear()

    def has_scope(self, header: str | None, scope: str) -> bool:
        """Whether the bearer token in ``header`` was granted ``scope`` (e.g. ``Matrix``)."""
        _, _, token = (header or "").partition(" ")
        with self._lock:
            return scope in self._granted.get(token.strip(), frozenset())

    def access_problem(self, header: str | None) -> str | None:
        """None when the Authorization header carries a valid access token."""
        if not header:
            return "Authorization header is missing."
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "Authorization header is malformed."
        with self._lock:
            expires = self._access.get(token.strip())
        if expires is None:
            return "Invalid access token."
        if self.clock.now() >= expires:
            return "Access token has expired."
        return None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def id_token(issued: datetime, ttl: timedelta) -> str:
    """A compact JWS (header.payload.signature, base64url) with the OpenID claims clients
    read: sub, aud (our client id), iss, iat and exp (sim-clock seconds)."""
    iat = int(issued.timestamp())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "sub": SIM_USER,
        "aud": CLIENT_ID,
        "iss": ISSUER,
        "iat": iat,
        "exp": iat + int(ttl.total_seconds()),
        "name": "Sim User",
        "nickname": "simuser",
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(_ID_TOKEN_KEY, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"
