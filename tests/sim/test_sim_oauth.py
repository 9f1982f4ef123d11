"""OAuth provider: code flow with PKCE, single-use codes, refresh, revoke, 401 bodies."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from sim_helpers import START

from tstui.sim.clock import SimClock
from tstui.sim.oauth import CLIENT_ID, OAuthState
from tstui.sim.server import SimServer

REDIRECT = "http://localhost:3000"
SCOPE = "openid MarketData profile ReadAccount Trade offline_access"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize(sim: SimServer, **extra: str) -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": sim.credentials.client_id,
        "redirect_uri": REDIRECT,
        "audience": "https://api.tradestation.com",
        "scope": SCOPE,
        "state": "st-1",
        **extra,
    }
    return httpx.get(f"{sim.url}/authorize", params=params)


def _code(response: httpx.Response) -> str:
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _exchange(sim: SimServer, code: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": sim.credentials.client_id,
        "client_secret": sim.credentials.client_secret,
        "code": code,
        "redirect_uri": REDIRECT,
        **extra,
    }
    return httpx.post(f"{sim.url}/oauth/token", data=data)


def test_code_flow_with_pkce_then_api_call(server: SimServer) -> None:
    verifier = "v" * 50
    code = _code(
        _authorize(server, code_challenge=_challenge(verifier), code_challenge_method="S256")
    )
    response = _exchange(server, code, code_verifier=verifier)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1200
    assert body["refresh_token"] and body["id_token"] and "openid" in body["scope"]
    accounts = httpx.get(
        f"{server.url}/v3/brokerage/accounts",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert accounts.status_code == 200
    refreshed = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": server.credentials.client_id,
            "client_secret": server.credentials.client_secret,
            "refresh_token": body["refresh_token"],
        },
    )
    assert refreshed.status_code == 200 and "access_token" in refreshed.json()


def _jwt_part(part: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def _assert_id_token(token: str, issued_at: datetime) -> None:
    header, claims, signature = token.split(".")
    assert _jwt_part(header) == {"alg": "HS256", "typ": "JWT"}
    payload = _jwt_part(claims)
    assert payload["sub"] and payload["aud"] == CLIENT_ID
    assert payload["iss"] == "https://signin.tradestation.com/"
    assert payload["iat"] == int(issued_at.timestamp())
    assert payload["exp"] == payload["iat"] + 1200
    assert len(base64.urlsafe_b64decode(signature + "=")) == 32  # an HMAC-SHA256


def test_refresh_grant_answers_like_the_real_token_endpoint(server: SimServer) -> None:
    code = _code(_authorize(server))
    first = _exchange(server, code).json()
    _assert_id_token(first["id_token"], START)
    server.control().advance(60)
    refreshed = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": server.credentials.client_id,
            "client_secret": server.credentials.client_secret,
            "refresh_token": first["refresh_token"],
        },
    )
    assert refreshed.status_code == 200
    assert refreshed.headers["cache-control"] == "no-store"
    body = refreshed.json()
    # default keys do not rotate refresh tokens: the refresh answer carries none
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "id_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1200
    assert body["scope"] == SCOPE
    _assert_id_token(body["id_token"], datetime(2026, 12, 1, 15, 1, tzinfo=UTC))
    assert body["id_token"] != first["id_token"]


def test_no_id_token_without_openid_in_the_granted_scope() -> None:
    state = OAuthState(SimClock(START, 0), 1200)
    code = state.issue_code("http://localhost:3000", "ReadAccount offline_access", None)
    granted = state.exchange_code(code, "http://localhost:3000", None)
    assert "id_token" not in granted
    refreshed = state.refresh(str(granted["refresh_token"]))
    assert set(refreshed) == {"access_token", "token_type", "expires_in", "scope"}


def test_pkce_failure_and_code_reuse(server: SimServer) -> None:
    code = _code(_authorize(server, code_challenge=_challenge("right" * 10)))
    bad = _exchange(server, code, code_verifier="wrong" * 10)
    assert bad.status_code == 403 and bad.json()["error"] == "invalid_grant"
    code = _code(_authorize(server))
    assert _exchange(server, code).status_code == 200
    reused = _exchange(server, code)
    assert reused.status_code == 403 and reused.json()["error"] == "invalid_grant"


def test_code_expires_after_five_sim_minutes(server: SimServer) -> None:
    code = _code(_authorize(server))
    server.control().advance(301)
    assert _exchange(server, code).status_code == 403


def test_bad_client_and_bad_requests(server: SimServer) -> None:
    code = _code(_authorize(server))
    wrong = _exchange(server, code, client_secret="nope")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert _authorize(server, client_id="other").status_code == 400
    assert _authorize(server, redirect_uri="http://evil.example").status_code == 400
    no_openid = _authorize(server, scope="MarketData")
    assert "error=invalid_scope" in no_openid.headers["location"]
    missing = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": server.credentials.client_id,
            "client_secret": server.credentials.client_secret,
        },
    )
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_browser_gets_consent_page(server: SimServer) -> None:
    page = _authorize(server).request  # programmatic first: already a redirect
    assert page is not None
    response = httpx.get(
        f"{server.url}/authorize",
        params={
            "client_id": server.credentials.client_id,
            "redirect_uri": REDIRECT,
            "scope": SCOPE,
            "state": "st-1",
        },
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200 and "Allow" in response.text
    href = response.text.split('href="')[1].split('"')[0].replace("&amp;", "&")
    allowed = httpx.get(f"{server.url}{href}", headers={"Accept": "text/html"})
    assert _code(allowed)


def test_revoke_kills_refresh_tokens(server: SimServer) -> None:
    creds = server.credentials
    revoked = httpx.post(
        f"{server.url}/oauth/revoke",
        data={
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "token": creds.refresh_token,
        },
    )
    assert revoked.status_code == 200
    again = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
    )
    assert again.status_code == 403 and again.json()["error"] == "invalid_grant"


def test_401_bodies(server: SimServer, api: httpx.Client) -> None:
    url = f"{server.url}/v3/brokerage/accounts"
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json()["Error"] == "Unauthorized" and response.json()["Message"]
    assert api.get("/v3/brokerage/accounts").status_code == 200
    server.control().advance(1200)  # access tokens live 20 sim minutes
    expired = api.get("/v3/brokerage/accounts")
    assert expired.status_code == 401 and "expired" in expired.json()["Message"]


def test_admin_token_expiry_and_revocation(server: SimServer, api: httpx.Client) -> None:
    server.control().expire_tokens()
    assert api.get("/v3/brokerage/accounts").status_code == 401
    server.control().revoke_tokens()
    response = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": server.credentials.client_id,
            "client_secret": server.credentials.client_secret,
            "refresh_token": server.credentials.refresh_token,
        },
    )
    assert response.status_code == 403
