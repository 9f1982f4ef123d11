"""One session = Settings -> endpoints + token store + authenticator + HTTP + typed API.

``async with Session.open(settings, on_call=...) as s: await s.api.get_accounts()``

Tokens come from the store (one file per env and API base); when it is empty, the seed's
``REFRESH_TOKEN`` env var is used with no login step (and ``CLIENT_ID`` / ``CLIENT_SECRET``
when the settings carry none).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tstui.client.auth import Authenticator, OAuthSettings, PendingAuthorization, new_authorization
from tstui.client.callback import CallbackListener, code_from_paste
from tstui.client.errors import AuthError
from tstui.client.http import DEFAULT_TIMEOUT, CallRecord, HttpSession
from tstui.client.tls import context_for
from tstui.client.tokens import TokenStore, token_path

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.config import Settings


class Session:
    """Owns the one ``httpx.AsyncClient`` shared by auth, REST and streams."""

    def __init__(
        self,
        settings: Settings,
        *,
        state_dir: Path | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
        client: httpx.AsyncClient | None = None,
        environ: Mapping[str, str] | None = None,
        http_options: Mapping[str, Any] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.settings = settings
        self.endpoints = settings.endpoints
        client_id = settings.client_id or env.get("CLIENT_ID") or ""
        client_secret = settings.client_secret or env.get("CLIENT_SECRET") or ""
        if not client_id:
            raise AuthError("no API key: set CLIENT_ID (and CLIENT_SECRET) or api.client_id")
        self.oauth = OAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            signin_base=self.endpoints.signin_base,
            redirect_uri=settings.redirect_uri,
            scopes=settings.scopes,
            use_pkce=settings.use_pkce,
        )
        directory = state_dir if state_dir is not None else settings.state_dir
        self.store = TokenStore(token_path(directory, settings.env, self.endpoints.api_base))
        self._owns_client = client is None
        if client is None:
            verify = context_for((self.endpoints.api_base, self.endpoints.signin_base))
            client = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, verify=verify)
        self.client = client
        self.auth = Authenticator(
            self.oauth,
            self.store,
            self.client,
            fallback_refresh_token=env.get("REFRESH_TOKEN") or None,
        )
        options: dict[str, Any] = {"heartbeat_timeout": settings.stream.heartbeat_timeout_s}
        options.update(http_options or {})
        self.http = HttpSession(
            self.endpoints.api_base, self.auth, client=self.client, on_call=on_call, **options
        )
        from tstui.client.api import TradeStationAPI  # late: api.py builds on this module

        self.api: TradeStationAPI = TradeStationAPI(self.http)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        state_dir: Path | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
        client: httpx.AsyncClient | None = None,
        environ: Mapping[str, str] | None = None,
        http_options: Mapping[str, Any] | None = None,
    ) -> Session:
        """A session to use with ``async with`` (nothing touches the network until a call)."""
        return cls(
            settings,
            state_dir=state_dir,
            on_call=on_call,
            client=client,
            environ=environ,
            http_options=http_options,
        )

    def __repr__(self) -> str:
        return f"Session(env={self.settings.env!r}, api_base={self.endpoints.api_base!r})"

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    @property
    def logged_in(self) -> bool:
        """True when a refresh token is available (store or REFRESH_TOKEN)."""
        return self.auth.has_refresh_token

    # -- login / logout -----------------------------------------------------------------

    def begin_login(self) -> PendingAuthorization:
        """A fresh authorize URL (state + PKCE); open it in a browser or print it."""
        return new_authorization(self.oauth)

    def callback_listener(
        self, pending: PendingAuthorization, *, port: int | None = None
    ) -> CallbackListener:
        """Start this (``async with``) before opening the browser, then ``await .wait(t)``."""
        return CallbackListener(self.oauth.redirect_uri, pending.state, port=port)

    async def finish_login(self, pending: PendingAuthorization, code: str) -> None:
        """Exchange the code and store the tokens."""
        await self.auth.login_with_code(code, pending)

    async def finish_login_from_paste(self, pending: PendingAuthorization, text: str) -> None:
        """The over-SSH path: the whole redirected URL or the bare code."""
        await self.finish_login(pending, code_from_paste(text, pending.state))

    async def login_via_callback(
        self, pending: PendingAuthorization, timeout: float = 300.0
    ) -> None:
        """Wait for the browser redirect at the redirect URI's port, then finish the login.

        Prefer ``callback_listener`` when the browser opens after this call starts.
        """
        async with self.callback_listener(pending) as listener:
            code = await listener.wait(timeout)
        await self.finish_login(pending, code)

    async def logout(self) -> bool:
        """Revoke the refresh token (True if the server confirmed) and delete the token file."""
        return await self.auth.revoke()
