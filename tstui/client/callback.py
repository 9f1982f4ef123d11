"""Capture the OAuth redirect: a one-shot loopback listener, or a pasted URL/code.

Choice on a ``state`` mismatch at the listener: answer an error page and keep waiting until the
timeout. A stale browser tab or an old login attempt can hit the port; its code is never
accepted, and the real redirect can still arrive. An ``error=`` redirect with our state (or
none) ends the wait with :class:`OAuthError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from urllib.parse import parse_qs, urlsplit

from tstui.client.errors import CallbackTimeout, OAuthError

log = logging.getLogger("tstui.client.callback")

_MAX_REQUEST_BYTES = 16 * 1024
_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>tstui</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p></body></html>"
)


_NOT_HERE = "This port only takes the tstui login redirect."
_FOREIGN = (
    "This redirect belongs to another login attempt. Start the login again from tstui, "
    "or use the newest browser tab."
)


def redirect_port(redirect_uri: str) -> int:
    parts = urlsplit(redirect_uri)
    if parts.port is not None:
        return parts.port
    return 443 if parts.scheme == "https" else 80


def _check_params(params: dict[str, list[str]], expected_state: str) -> str | None:
    """The code if ``params`` is a valid redirect for us; raise OAuthError; None = not ours."""
    state = params.get("state", [None])[0]
    state_ok = state is not None and secrets.compare_digest(state, expected_state)
    if "error" in params:
        if state is not None and not state_ok:
            raise OAuthError("state_mismatch", "the redirect's state does not match this login")
        error = params["error"][0]
        raise OAuthError(error, params.get("error_description", [""])[0][:300])
    code = params.get("code", [None])[0]
    if not code:
        return None
    if not state_ok:
        raise OAuthError("state_mismatch", "the redirect's state does not match this login")
    return code


class CallbackListener:
    """One-shot HTTP listener on 127.0.0.1 at the redirect URI's port.

    Start it before the browser opens (``async with``), then ``await wait(timeout)``.
    """

    def __init__(self, redirect_uri: str, expected_state: str, *, port: int | None = None):
        self.redirect_uri = redirect_uri
        self.port = redirect_port(redirect_uri) if port is None else port
        self._state = expected_state
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[str] | None = None

    async def __aenter__(self) -> CallbackListener:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._result = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        except OSError as exc:
            raise OAuthError(
                "listener_failed",
                f"cannot listen on 127.0.0.1:{self.port} ({exc.strerror}); paste the URL instead",
            ) from None
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.debug("callback listener on 127.0.0.1:%d", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def wait(self, timeout: float) -> str:
        """The authorization code; OAuthError on an error redirect; CallbackTimeout."""
        if self._result is None:
            raise RuntimeError("CallbackListener.start() was not called")
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self._result)
        except TimeoutError:
            raise CallbackTimeout(
                f"no redirect reached port {self.port} in {timeout:g} s"
            ) from None
        finally:
            await self.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        outcome: str | OAuthError | None = None
        try:
            async with asyncio.timeout(10):
                head = await reader.readuntil(b"\r\n\r\n")
            status, title, text, outcome = self._answer(head[:_MAX_REQUEST_BYTES])
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, title, text = "400 Bad Request", "Bad request", "Unreadable request."
        except ConnectionError:
            writer.close()
            return
        import html  # here: its entity table costs every start ~1.5 ms; only a browser needs it

        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        header = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError):
            writer.write(header.encode("ascii") + body)
            await writer.drain()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
        # Resolve only after the page went out, so the browser sees it before we shut down.
        result = self._result
        if outcome is not None and result is not None and not result.done():
            if isinstance(outcome, OAuthError):
                result.set_exception(outcome)
            else:
                result.set_result(outcome)

    def _answer(self, head: bytes) -> tuple[str, str, str, str | OAuthError | None]:
        """The page for one request, and the outcome (code or error) when it is our redirect."""
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) < 2 or parts[0] != "GET":
            return "405 Method Not Allowed", "Not here", _NOT_HERE, None
        params = parse_qs(urlsplit(parts[1]).query, keep_blank_values=False)
        if self._result is None or self._result.done():
            return "410 Gone", "Already done", "This login is finished; close this tab.", None
        try:
            code = _check_params(params, self._state)
        except OAuthError as exc:
            if exc.error == "state_mismatch":
                log.warning("callback with a foreign state ignored; still waiting")
                return "400 Bad Request", "Login not accepted", _FOREIGN, None
            return "200 OK", "Login failed", f"The sign-in server said: {exc.error}.", exc
        if code is None:
            return "404 Not Found", "Not here", _NOT_HERE, None
        log.info("authorization code received by the callback listener")
        return "200 OK", "Logged in", "tstui has your login. You can close this tab.", code


async def wait_for_callback(
    redirect_uri: str, expected_state: str, timeout: float, *, port: int | None = None
) -> str:
    """Listen once at the redirect URI's port and return the code (see the module docstring)."""
    async with CallbackListener(redirect_uri, expected_state, port=port) as listener:
        return await listener.wait(timeout)


def code_from_paste(text: str, expected_state: str) -> str:
    """The code from a pasted redirected URL (state checked when present) or a bare code."""
    text = text.strip().strip("'\"")
    if not text:
        raise OAuthError("invalid_request", "nothing pasted")
    looks_like_url = "://" in text or text.startswith(("?", "/")) or "code=" in text
    if not looks_like_url and "error=" not in text:
        if any(ch.isspace() for ch in text) or "&" in text:
            raise OAuthError("invalid_request", "that does not look like a code or a URL")
        return text
    parts = urlsplit(text if "://" in text or text.startswith("/") else "/?" + text.lstrip("?"))
    params = parse_qs(parts.query, keep_blank_values=False)
    state = params.get("state", [None])[0]
    if "error" in params:
        raise OAuthError(params["error"][0], params.get("error_description", [""])[0][:300])
    code = params.get("code", [None])[0]
    if not code:
        raise OAuthError("invalid_request", "no code= in the pasted URL")
    if state is not None and not secrets.compare_digest(state, expected_state):
        raise OAuthError("state_mismatch", "the pasted URL belongs to another login attempt")
    return code
