"""Session end to end: env-var tokens, login via callback, refresh, calls, streams, logout.

Most tests run against the simulator (tstui.sim, real HTTP on loopback); one runs the full
flow against httpx.MockTransport to pin down exactly what reaches the wire.
"""

from __future__ import annotations

import asyncio
import json
import logging
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from client_support import RESYNC_STATES
from sim_sessions import FAST, token_session

from tstui.client.errors import AuthError, LoginRequired
from tstui.client.http import CallRecord
from tstui.client.session import Session
from tstui.client.streams import StreamState, SupervisedStream
from tstui.config import Settings

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def browser_get(port: int, target: str) -> tuple[int, dict[str, str]]:
    """What a browser does (raw socket: the test's own requests must not log the code)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    writer.write(request.encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    lines = raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}


async def sim_browser_login(session: Session, sim_url: str) -> list[str]:
    """Authorize at the simulator and deliver the redirect to a real callback listener.

    The simulator only allows the default redirect URIs (port 3000...), so the listener binds
    a free port and the "browser" maps localhost:3000 to it. Returns the secrets it saw.
    """
    pending = session.begin_login()
    async with session.callback_listener(pending, port=0) as listener:
        authorize = urlsplit(pending.url)
        assert f"{authorize.scheme}://{authorize.netloc}" == sim_url
        status, headers = await browser_get(
            authorize.port or 80, f"{authorize.path}?{authorize.query}"
        )
        assert status == 302  # no text/html in Accept: the sim redirects at once
        location = urlsplit(headers["location"])
        assert f"{location.scheme}://{location.netloc}" == "http://localhost:3000"
        code = parse_qs(location.query)["code"][0]
        assert (await browser_get(listener.port, f"/?{location.query}"))[0] == 200
        received = await listener.wait(5)
    assert received == code
    await session.finish_login(pending, code)
    return [code, pending.state, pending.code_verifier or ""]


async def states_until_resynced(
    stream: SupervisedStream[Any], on_snapshot: Callable[[], Awaitable[object]]
) -> list[str]:
    """The stream's states until it resyncs; ``on_snapshot`` runs at each snapshot_complete."""
    states: list[str] = []
    async with stream:
        async for event in stream:
            if isinstance(event, StreamState):
                states.append(event.state)
                if event.state == "snapshot_complete":
                    await on_snapshot()
                if event.state == "resynced":
                    break
    return states


def stored_secrets(session: Session) -> list[str]:
    data = json.loads(session.store.path.read_text())
    return [data["access_token"], data["refresh_token"]]


async def test_env_refresh_token_works_with_no_login(
    sim: SimServer, sim_settings: Settings
) -> None:
    calls: list[CallRecord] = []
    with anyio.fail_after(10):
        async with token_session(sim, sim_settings, on_call=calls.append) as s:
            assert s.logged_in
            accounts = await s.api.get_accounts()
    assert {a.account_id for a in accounts} == set(sim.accounts)
    assert [c.status for c in calls] == [200]
    assert stat.S_IMODE(s.store.path.stat().st_mode) == 0o600
    assert str(s.store.path).startswith(str(sim_settings.state_dir))


async def test_missing_api_key_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(env="sim", base_url="http://127.0.0.1:9", state_dir=tmp_path)
    with pytest.raises(AuthError, match="CLIENT_ID"):
        Session.open(settings, environ={})


async def test_not_logged_in_raises_login_required(tmp_path: Path) -> None:
    settings = Settings(env="sim", base_url="http://127.0.0.1:9", client_id="k", state_dir=tmp_path)
    async with Session.open(settings, environ={}) as s:
        assert not s.logged_in
        with anyio.fail_after(10), pytest.raises(LoginRequired):
            await s.api.get_accounts()


async def test_login_refresh_calls_stream_logout_without_leaking_secrets(
    sim: SimServer, sim_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    control = sim.control()
    seen: list[str] = [sim.credentials.client_secret]
    with anyio.fail_after(20):
        async with Session.open(sim_settings, environ={}, http_options=FAST) as s:
            seen += await sim_browser_login(s, sim.url)
            seen += stored_secrets(s)
            accounts = await s.api.get_accounts()
            assert len(accounts) == 3

            # Every access token dies at the server: the next call refreshes once and retries.
            await control.apost("tokens/expire")
            refreshes = s.auth.refresh_count
            balances = await s.api.get_balances([a.account_id for a in accounts])
            assert len(balances.items) == 3
            assert s.auth.refresh_count == refreshes + 1
            seen += stored_secrets(s)

            # A stream survives a GoAway and reports its health.
            stream = s.api.stream_orders([accounts[0].account_id])
            states = await states_until_resynced(
                stream, lambda: control.apost("faults/goaway", {"stream": "orders"})
            )
            assert states == RESYNC_STATES

            assert await s.logout() is True
            assert not s.store.path.exists()
            with pytest.raises(LoginRequired):
                await s.api.get_accounts()

    client_logs = [
        r for r in caplog.records if not r.name.startswith(("tstui.sim", "uvicorn", "starlette"))
    ]
    assert any(r.name.startswith("tstui.client") for r in client_logs)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in client_logs)
    for secret in filter(None, seen):
        assert secret not in text


async def test_revoked_refresh_token_means_login_required_not_a_browser(
    sim: SimServer, sim_settings: Settings
) -> None:
    with anyio.fail_after(10):
        async with token_session(sim, sim_settings) as s:
            await s.api.get_accounts()
            await sim.control().apost("tokens/revoke")
            await sim.control().apost("tokens/expire")
            with pytest.raises(LoginRequired):
                await s.api.get_accounts()


async def test_stream_survives_token_expiry(sim: SimServer, sim_settings: Settings) -> None:
    with anyio.fail_after(15):
        async with token_session(sim, sim_settings, http_options=FAST) as s:
            stream = s.api.stream_quotes(["MSFT"])
            states = await states_until_resynced(
                stream, lambda: sim.control().apost("tokens/expire")
            )
            assert s.auth.refresh_count == 2  # the env token, then after the expiry
            assert "reconnecting" in states


async def test_mock_wire_flow_is_exact(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The same flow on a MockTransport: form fields, bearer headers, one refresh."""
    caplog.set_level(logging.DEBUG)
    hits: list[tuple[str, str]] = []
    issued = {"n": 0}

    async def server(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            hits.append((path, form["grant_type"]))
            issued["n"] += 1
            body: dict[str, Any] = {"access_token": f"AT-{issued['n']}-zz", "expires_in": 1200}
            body["refresh_token"] = f"RT-{issued['n']}-zz"
            return httpx.Response(200, json=body)
        if path == "/oauth/revoke":
            hits.append((path, "revoke"))
            return httpx.Response(200, json={})
        hits.append((path, request.headers["Authorization"]))
        if request.headers["Authorization"] == "Bearer AT-1-zz":
            return httpx.Response(401, json={"Error": "Unauthorized", "Message": "expired"})
        return httpx.Response(200, json={"Accounts": []})

    settings = Settings(
        env="sim",
        base_url="http://ts.test",
        client_id="cid",
        client_secret="CS-secret-zz",
        state_dir=tmp_path,
    )
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    async with Session.open(settings, client=client, environ={}) as s:
        pending = s.begin_login()
        await s.finish_login_from_paste(
            pending, f"http://localhost:3000/?code=CODE-zz&state={pending.state}"
        )
        results = await asyncio.gather(*(s.api.get_accounts() for _ in range(5)))
        assert results == [[]] * 5
        await s.logout()
    grants = [h for h in hits if h[0] == "/oauth/token"]
    assert grants == [("/oauth/token", "authorization_code"), ("/oauth/token", "refresh_token")]
    assert ("/oauth/revoke", "revoke") in hits
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("CS-secret-zz", "CODE-zz", "AT-1-zz", "AT-2-zz", "RT-1-zz", "RT-2-zz"):
        assert secret not in text
    assert pending.code_verifier and pending.code_verifier not in text
