"""The callback listener (a real loopback socket) and the paste fallback."""

from __future__ import annotations

import asyncio
import socket

import anyio
import pytest

from tstui.client.callback import (
    CallbackListener,
    code_from_paste,
    redirect_port,
    wait_for_callback,
)
from tstui.client.errors import CallbackTimeout, OAuthError

pytestmark = pytest.mark.anyio

STATE = "expected-state-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def browser_get(port: int, target: str) -> tuple[int, str]:
    """What the browser does after the redirect (raw socket: nothing logs the URL)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def test_redirect_port() -> None:
    assert redirect_port("http://localhost:3000") == 3000
    assert redirect_port("http://localhost") == 80
    assert redirect_port("http://localhost:31022/cb") == 31022


async def test_listener_captures_the_code_at_the_redirect_port() -> None:
    port = free_port()
    with anyio.fail_after(5):
        async with CallbackListener(f"http://localhost:{port}", STATE) as listener:
            assert listener.port == port
            status, page = await browser_get(port, f"/?code=the-code&state={STATE}")
            assert await listener.wait(2) == "the-code"
    assert status == 200 and "close this tab" in page and "the-code" not in page


async def test_foreign_state_gets_an_error_page_and_the_wait_goes_on() -> None:
    port = free_port()
    with anyio.fail_after(5):
        async with CallbackListener(f"http://localhost:{port}", STATE) as listener:
            status, page = await browser_get(port, "/?code=stolen&state=other")
            assert status == 400 and "another login" in page
            status, _ = await browser_get(port, "/favicon.ico")
            assert status == 404
            status, _ = await browser_get(port, f"/?code=good&state={STATE}")
            assert await listener.wait(2) == "good"


async def test_error_redirect_raises_oauth_error() -> None:
    port = free_port()
    with anyio.fail_after(5):
        waiter = asyncio.create_task(wait_for_callback(f"http://localhost:{port}", STATE, 3))
        for _ in range(100):
            try:
                status, _ = await browser_get(
                    port, f"/?error=access_denied&error_description=User+said+no&state={STATE}"
                )
                break
            except OSError:
                await asyncio.sleep(0.01)  # listener not up yet
        with pytest.raises(OAuthError) as caught:
            await waiter
    assert status == 200
    assert caught.value.error == "access_denied" and "User said no" in caught.value.description


async def test_timeout_is_clean_and_frees_the_port() -> None:
    port = free_port()
    with anyio.fail_after(5), pytest.raises(CallbackTimeout, match="no redirect"):
        await wait_for_callback(f"http://localhost:{port}", STATE, 0.1)
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", port))


async def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(OAuthError, match="paste the URL"):
            await wait_for_callback(f"http://localhost:{port}", STATE, 1)


def test_paste_whole_url() -> None:
    url = f"http://localhost:3000/?code=abc-DEF_1&state={STATE}"
    assert code_from_paste(f"  {url}\n", STATE) == "abc-DEF_1"
    assert code_from_paste(f"'{url}'", STATE) == "abc-DEF_1"


def test_paste_query_only_and_bare_code() -> None:
    assert code_from_paste(f"?code=q1&state={STATE}", STATE) == "q1"
    assert code_from_paste(f"code=q2&state={STATE}", STATE) == "q2"
    assert code_from_paste(" bare-code-123 ", STATE) == "bare-code-123"
    assert code_from_paste("http://localhost:3000/?code=nostate", STATE) == "nostate"


def test_paste_checks_state_and_errors() -> None:
    with pytest.raises(OAuthError, match="another login"):
        code_from_paste("http://localhost:3000/?code=x&state=nope", STATE)
    with pytest.raises(OAuthError) as caught:
        code_from_paste(f"http://localhost:3000/?error=access_denied&state={STATE}", STATE)
    assert caught.value.error == "access_denied"
    for bad in ("", "two words", "http://localhost:3000/?state=x"):
        with pytest.raises(OAuthError):
            code_from_paste(bad, STATE)
