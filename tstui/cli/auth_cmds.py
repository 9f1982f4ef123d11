"""`tstui login` and `tstui logout`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import webbrowser
from typing import TYPE_CHECKING

from tstui.cli.common import open_session

if TYPE_CHECKING:
    from tstui.config import Settings


def _read_line_later() -> asyncio.Future[str]:
    """stdin in a daemon thread: a pending read must not keep the process alive at exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def reader() -> None:
        line = sys.stdin.readline()
        if not future.done():
            loop.call_soon_threadsafe(lambda: None if future.done() else future.set_result(line))

    threading.Thread(target=reader, name="tstui-paste", daemon=True).start()
    return future


async def login(settings: Settings, args: argparse.Namespace) -> int:
    from tstui.client.errors import CallbackTimeout

    async with open_session(settings) as session:
        pending = session.begin_login()
        print(f"Sign in to TradeStation ({settings.env.upper()}):\n\n  {pending.url}\n")
        try:
            listener = session.callback_listener(pending)
            await listener.start()
        except OSError as exc:
            print(f"(cannot listen on {settings.redirect_uri}: {exc.strerror}; paste instead)")
            listener = None
        try:
            if not args.no_browser:
                webbrowser.open(pending.url)
            print(
                "Waiting for the browser to come back; over SSH, paste the redirected URL "
                "(or the code) here and press Enter."
            )
            code = await _first_code(listener, pending.state, args.timeout)
        finally:
            if listener is not None:
                await listener.close()
        if code is None:
            raise CallbackTimeout(
                f"no sign-in within {args.timeout:.0f} s; run `tstui login` again"
            )
        await session.finish_login(pending, code)
    print(f"Logged in ({settings.env.upper()}); tokens saved with mode 0600.")
    return 0


async def _first_code(listener: object, state: str, timeout: float) -> str | None:
    """The code from whichever comes first: the loopback redirect or a pasted line."""
    from tstui.client.callback import CallbackListener, code_from_paste

    waiters: dict[asyncio.Future[str], bool] = {}  # future -> came from a paste
    if isinstance(listener, CallbackListener):
        waiters[asyncio.ensure_future(listener.wait(timeout))] = False
    if sys.stdin.isatty() or not waiters:
        waiters[_read_line_later()] = True
    done, pending = await asyncio.wait(waiters, timeout=timeout, return_when="FIRST_COMPLETED")
    for future in pending:
        future.cancel()
    for future in done:
        value = future.result()
        if not waiters[future]:
            return value
        if value.strip():
            return code_from_paste(value.strip(), state)
    return None


async def logout(settings: Settings, args: argparse.Namespace) -> int:
    async with open_session(settings) as session:
        revoked = await session.logout()
    if revoked:
        print("Logged out: refresh token revoked and the token file deleted.")
    else:
        print("Token file deleted (the server did not confirm the revoke).")
    return 0
