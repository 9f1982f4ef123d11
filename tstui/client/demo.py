"""Log in without a human, through the real authorize -> redirect -> token exchange.

Only servers that redirect a non-browser caller straight back (our simulator does) allow
this; TradeStation's sign-in page needs a person, so the TUI and CLI use it for `--demo`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tstui.client.callback import code_from_paste
from tstui.client.errors import AuthError

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings


async def demo_sign_in(settings: Settings) -> None:
    """Sign in to the demo's simulator unless this environment's tokens still work: its
    sign-in redirects a non-browser caller at once, so no human is needed."""
    from tstui.client.session import Session  # late: this module is loaded before it

    async with Session.open(settings) as session:
        if not session.logged_in:
            await headless_login(session)


async def headless_login(session: Session) -> None:
    """Follow the authorize URL with plain HTTP, take the code from the redirect, store tokens."""
    pending = session.begin_login()
    response = await session.client.get(
        pending.url, headers={"Accept": "application/json"}, follow_redirects=False
    )
    location = response.headers.get("location")
    if response.status_code not in (301, 302, 303, 307) or not location:
        raise AuthError(
            f"the sign-in server wants a person (HTTP {response.status_code}); "
            "use `tstui login` instead"
        )
    await session.finish_login(pending, code_from_paste(location, pending.state))
