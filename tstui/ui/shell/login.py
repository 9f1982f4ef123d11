"""Login: client id/secret (config/env or typed, secret masked), the authorize URL (copyable
via OSC 52), a browser when local, and whichever comes first of the loopback callback or a
pasted redirect URL/code. Dismisses with the Settings that now have tokens (None = cancelled).
Never shows a token or the secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import webbrowser
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static
from textual.worker import Worker

from tstui.client.auth import OAuthSettings, PendingAuthorization, new_authorization
from tstui.client.callback import code_from_paste, wait_for_callback
from tstui.client.demo import demo_sign_in
from tstui.client.errors import TradeStationError
from tstui.client.session import Session
from tstui.config import Settings
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain, plain_lines

CALLBACK_TIMEOUT_S = 300.0
DemoLauncher = Callable[[], Settings]


def is_local_session() -> bool:
    """No SSH markers: a browser on this machine can reach the loopback redirect."""
    return not (os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def oauth_settings(settings: Settings) -> OAuthSettings:
    return OAuthSettings(
        client_id=settings.client_id or "",
        client_secret=settings.client_secret or "",
        signin_base=settings.endpoints.signin_base,
        redirect_uri=settings.redirect_uri,
        scopes=settings.scopes,
        use_pkce=settings.use_pkce,
    )


async def complete_login(settings: Settings, pending: PendingAuthorization, code: str) -> None:
    """Exchange the code and persist the tokens in this environment's token store."""
    async with Session.open(settings) as session:
        await session.finish_login(pending, code)


class LoginScreen(PacedFrames, Screen[Settings | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "sign_in", "Sign in", id="login.sign_in"),
        Binding("ctrl+o", "demo", "Demo", id="login.demo"),
        Binding("ctrl+y", "copy_url", "Copy URL", id="login.copy_url"),
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        demo_launcher: DemoLauncher | None = None,
        reason: str | None = None,
        can_cancel: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self.demo_launcher = demo_launcher
        self.reason = reason
        self.can_cancel = can_cancel
        self.pending: PendingAuthorization | None = None
        self._oauth: Settings | None = None
        self._callback_worker: Worker[Any] | None = None
        self._done = False

    @property
    def demo_available(self) -> bool:
        no_credentials = not (self.settings.client_id and self.settings.client_secret)
        return self.demo or self.demo_launcher is not None or no_credentials

    @property
    def authorize_url(self) -> str | None:
        return self.pending.url if self.pending else None

    def compose(self) -> ComposeResult:
        env = self.settings.env.upper()
        with VerticalScroll(id="login-box", classes=f"-{self.settings.env}"):
            yield Label(f"Sign in to TradeStation  ({env})", id="login-title", markup=False)
            yield Static(  # the reason quotes a server's error: literal text
                plain(self.reason or f"API: {self.settings.endpoints.api_base}"),
                id="login-reason",
            )
            yield Input(
                self.settings.client_id or "", placeholder="client id (API key)", id="client-id"
            )
            yield Input(
                self.settings.client_secret or "",
                placeholder="client secret",
                password=True,
                id="client-secret",
            )
            with Horizontal(classes="login-buttons"):
                yield Button("Sign in", id="sign-in", variant="primary")
                if self.demo_available:
                    yield Button("Demo", id="demo", variant="success")
                yield Button("Copy URL", id="copy-url", disabled=True)
                if self.can_cancel:
                    yield Button("Cancel", id="cancel")
            yield Static("", id="auth-url", markup=False)
            yield Input(
                placeholder="paste the redirected URL or the code, then Enter",
                id="paste",
                disabled=True,
            )
            yield Static("", id="login-progress")
        yield Footer()

    def on_mount(self) -> None:
        target = "#client-id" if not self.settings.client_id else "#sign-in"
        self.query_one(target).focus()

    # ------------------------------------------------------------------ helpers
    def progress(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#login-progress", Static)
        widget.update(plain(text))  # often an exception's text (from the sign-in server)
        widget.set_class(error, "-error")

    def _typed_settings(self) -> Settings | None:
        client_id = self.query_one("#client-id", Input).value.strip()
        secret = self.query_one("#client-secret", Input).value.strip()
        if not client_id:
            self.progress("client id: required (the API key of your TradeStation app)", error=True)
            return None
        if not secret:
            self.progress("client secret: required", error=True)
            return None
        return self.settings.with_overrides(client_id=client_id, client_secret=secret)

    # ------------------------------------------------------------------ sign in
    @on(Button.Pressed, "#sign-in")
    def action_sign_in(self) -> None:
        settings = self._typed_settings()
        if settings is None:
            return
        self._oauth = settings
        self.pending = pending = new_authorization(oauth_settings(settings))
        url = plain_lines(f"Open this URL to sign in:\n{pending.url}", limit=None)
        self.query_one("#auth-url", Static).update(url)
        self.query_one("#copy-url", Button).disabled = False
        paste = self.query_one("#paste", Input)
        paste.disabled = False
        paste.value = ""
        paste.focus()
        if is_local_session():
            self.progress("Browser opened; waiting for the redirect (or paste it below)…")
            self._open_browser(pending.url)
        else:
            self.progress(
                "Remote session: open the URL on your computer, then paste the "
                "redirected URL (or the code) below."
            )
        if self._callback_worker is not None:
            self._callback_worker.cancel()
        self._callback_worker = self._wait_callback(settings, pending)

    @work(thread=True, group="login-browser", exit_on_error=False)
    def _open_browser(self, url: str) -> None:
        with contextlib.suppress(Exception):  # no browser: the URL is on screen, copyable
            webbrowser.open(url)

    @work(group="login-callback", exclusive=True, exit_on_error=False)
    async def _wait_callback(self, settings: Settings, pending: PendingAuthorization) -> None:
        try:
            code = await wait_for_callback(settings.redirect_uri, pending.state, CALLBACK_TIMEOUT_S)
        except asyncio.CancelledError:
            raise
        except TradeStationError as exc:
            if not self._done and self.pending is pending:
                self.progress(f"Loopback redirect: {exc}. Paste the redirected URL instead.")
            return
        if self.pending is pending and not self._done:
            await self._finish(settings, pending, code)

    @on(Input.Submitted, "#paste")
    def _pasted(self, event: Input.Submitted) -> None:
        pending, settings = self.pending, self._oauth
        if pending is None or settings is None:
            return
        try:
            code = code_from_paste(event.value, pending.state)
        except TradeStationError as exc:
            self.progress(f"Pasted text: {exc}", error=True)
            return
        if self._callback_worker is not None:
            self._callback_worker.cancel()
        self._exchange(settings, pending, code)

    @work(group="login-exchange", exclusive=True, exit_on_error=False)
    async def _exchange(self, settings: Settings, pending: PendingAuthorization, code: str) -> None:
        await self._finish(settings, pending, code)

    async def _finish(self, settings: Settings, pending: PendingAuthorization, code: str) -> None:
        self.progress("Exchanging the code for tokens…")
        try:
            await complete_login(settings, pending, code)
        except TradeStationError as exc:
            self.progress(f"Sign-in failed: {exc}", error=True)
            return
        except Exception as exc:  # never a traceback on screen
            self.progress(f"Sign-in failed: {type(exc).__name__}", error=True)
            return
        self._done = True
        self.progress("Signed in.")
        self.dismiss(settings)

    @on(Button.Pressed, "#copy-url")
    def action_copy_url(self) -> None:
        if self.pending is not None:
            self.app.copy_to_clipboard(self.pending.url)
            self.notify("Authorize URL copied (OSC 52)", timeout=3)

    # ------------------------------------------------------------------ demo / cancel
    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        if not self.demo_available:
            self.progress("Demo: start tstui with --demo", error=True)
            return
        self._run_demo()

    @work(group="login-exchange", exclusive=True, exit_on_error=False)
    async def _run_demo(self) -> None:
        self.progress("Starting the simulator demo sign-in…")
        settings = self.settings
        try:
            if not self.demo and self.demo_launcher is not None:
                settings = await asyncio.to_thread(self.demo_launcher)
            await demo_sign_in(settings)
        except Exception as exc:
            self.progress(f"Demo sign-in failed: {exc}", error=True)
            return
        self._done = True
        self.dismiss(settings)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.can_cancel:
            if self._callback_worker is not None:
                self._callback_worker.cancel()
            self.dismiss(None)
