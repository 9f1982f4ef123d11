"""At the start of a CLI command that talks to an account: resolve cut-off sends.

Reads the audit log (nothing else) and, only when a send there has no outcome, opens a session
to look it up (`tstui.client.intents`). What is found is recorded in the audit log and told on
stderr, one line per send; a lookup that fails is told too and never stops the command itself
(a repeat of an unresolved placement is refused later, by `tstui order place`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tstui.audit import AuditLog, hold_session_lock

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tstui.client.intents import Resolution
    from tstui.config import Settings
    from tstui.domain.orders import OrderRequest

HOW_TO_RESOLVE = (
    "tstui looks it up at the start of any command that talks to the account (e.g. "
    "`tstui get orders`) and records what it finds; `tstui doctor` lists what is unresolved"
)

# Verdicts reached by this command's own start-up lookup (one CLI command per process; reset
# at every start so in-process callers, e.g. tests, see only their own command's).
_RESOLVED_AT_START: list[Resolution] = []


def resolve_at_start(settings: Settings) -> list[Resolution]:
    """Mark this process as a possible sender, then resolve what earlier runs left open."""
    from tstui.client.intents import AUDIT_KINDS, unresolved_intents

    _RESOLVED_AT_START.clear()
    log = AuditLog.in_dir(settings.state_dir)
    hold_session_lock(log)
    scope = settings.endpoints.api_base
    if not unresolved_intents(log.entries(kinds=AUDIT_KINDS), settings.env, scope=scope):
        return []  # the common case: no session, no request
    import asyncio

    try:
        resolutions = asyncio.run(_resolve(settings, log))
    except Exception as exc:  # e.g. not signed in: the command itself will say so too
        from tstui.cli.errors import describe_error

        print(f"tstui: unresolved sends not looked up: {describe_error(exc)}", file=sys.stderr)
        return []
    for resolution in resolutions:
        verdict = "resolved" if resolution.resolved else "still unresolved"
        print(f"tstui: {verdict}: {resolution.message}", file=sys.stderr)
    _RESOLVED_AT_START.extend(r for r in resolutions if r.resolved)
    return resolutions


def repeat_refusal(
    settings: Settings, request: OrderRequest, records: Iterable[Mapping[str, object]]
) -> str | None:
    """Why a placement of ``request`` is refused, or None.

    Refused while the same order's earlier send is unresolved, and also when this very
    command just resolved it: whoever re-runs a placement after a crash (a script's retry
    loop, say) reads the verdict before a second order can go out.
    """
    from tstui.client.intents import blocking_intent, refusal_message

    earlier = blocking_intent(records, settings.env, request)
    if earlier is not None:
        return refusal_message(earlier, HOW_TO_RESOLVE)
    wanted = request.payload_key()
    for resolution in _RESOLVED_AT_START:
        previous = resolution.intent.request
        if resolution.intent.kind != "place" or previous is None:
            continue
        if resolution.intent.env == settings.env and previous.payload_key() == wanted:
            verdict = "found" if resolution.outcome == "found" else "not found"
            return (
                f"refused: the same order's earlier send was just looked up ({verdict}, see "
                "above); it is not sent again in the same command. Run the command again to "
                "place a new order."
            )
    return None


async def _resolve(settings: Settings, log: AuditLog) -> list[Resolution]:
    from tstui.cli.common import open_session
    from tstui.client.intents import resolve_intents

    async with open_session(settings) as session:
        return await resolve_intents(
            session.api, log, settings.env, scope=settings.endpoints.api_base
        )
