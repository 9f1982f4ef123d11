"""The client's option endpoints as the chain view uses them: expirations, the chain stream
(frames become ``OptionQuote``s, connection states plain strings) and the server's
riskreward of a spread, compared with the domain's payoff math."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

from tstui.domain.options.payoff import RiskReward
from tstui.ui.views.options.model import Expiration, OptionQuote, Spread
from tstui.ui.views.options.spread_panel import ServerCheck

__all__ = ["check_server_risk", "load_expirations", "server_risk_reward", "stream_chain"]

_MISSING = "the client's option methods have not landed yet"


async def load_expirations(api: Any, underlying: str) -> list[Expiration]:
    raise RuntimeError(_MISSING)


async def stream_chain(
    api: Any, underlying: str, expiration: date, strikes: int
) -> AsyncIterator[OptionQuote | str]:
    raise RuntimeError(_MISSING)
    yield ""  # pragma: no cover - makes this an async generator


async def server_risk_reward(
    api: Any, spread: Spread, net: Decimal, quantity: int
) -> RiskReward | None:
    return None


def check_server_risk(local: RiskReward, server: RiskReward) -> ServerCheck:
    agrees = local == server
    return ServerCheck(agrees, "riskreward: agrees" if agrees else "riskreward differs")
