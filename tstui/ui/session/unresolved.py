"""When the TUI's session connects: resolve sends that an earlier run left without an outcome.

The lookup is `tstui.client.intents.resolve_intents` (never a resend); each verdict is told
in a notification (plain text: server strings are never parsed as markup). Sends this app
made itself are left out: its trading service reconciles those.
"""

from __future__ import annotations

import weakref
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tstui.audit import AuditLog, hold_session_lock
from tstui.domain.untrusted import safe_text

if TYPE_CHECKING:
    from textual.app import App

    from tstui.domain.orders import OrderRequest
    from tstui.ui.session.live import LiveData

# What the TUI tells a user whose repeat was refused.
HOW_TO_RESOLVE_IN_TUI = (
    "tstui looks it up each time the session connects (restart, or switch the environment "
    "and back), and `tstui get orders` in a shell does too"
)
# app -> when its first session connected: sends logged from then on are the app's own
_FIRST_CONNECT: weakref.WeakKeyDictionary[Any, datetime] = weakref.WeakKeyDictionary()


async def resolve_at_session_start(app: App[Any], live: LiveData) -> None:
    from tstui.client.intents import resolve_intents

    started = _FIRST_CONNECT.setdefault(app, datetime.now(UTC))
    settings = live.settings
    log = AuditLog.in_dir(settings.state_dir)
    hold_session_lock(log)  # this process may send: a CLI started meanwhile must know
    if not live.connected:
        return
    session = live.session
    try:
        resolutions = await resolve_intents(
            session.api,
            log,
            settings.env,
            scope=settings.endpoints.api_base,
            logged_before=started,
        )
    except Exception as exc:  # the app must not fall over for a lookup
        if not live.connected or live.session is not session:
            return  # the session closed under it (env switch): the next connect looks again
        text = safe_text(str(exc) or type(exc).__name__)
        app.notify(
            f"Earlier sends without an outcome were not looked up: {text}",
            title="Unresolved orders",
            severity="warning",
            timeout=15,
            markup=False,
        )
        return
    for resolution in resolutions:
        app.notify(
            resolution.message,
            title="Earlier order resolved" if resolution.resolved else "Order still unresolved",
            severity="information" if resolution.resolved else "warning",
            timeout=30,
            markup=False,
        )


def unresolved_repeat(log: AuditLog, env: str, request: OrderRequest) -> str | None:
    """Why ``request`` is refused when the same order, sent before by any run, has no outcome
    yet (None: it is not a repeat of an unresolved send)."""
    from tstui.client.intents import AUDIT_KINDS, blocking_intent, refusal_message

    try:
        records = list(log.entries(kinds=AUDIT_KINDS))
    except OSError as exc:
        return f"the audit log is not readable ({exc}); not sent"
    earlier = blocking_intent(records, env, request)
    return None if earlier is None else refusal_message(earlier, HOW_TO_RESOLVE_IN_TUI)
