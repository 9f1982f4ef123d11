"""The client's option endpoints as the chain view uses them: the expirations, the chain
stream (its ``Spread`` frames folded per contract and turned into ``OptionQuote``s; connection
states as plain strings) and the server's riskreward of a spread, compared with the domain's
payoff math."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tstui.client.errors import TradeStationError
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.options.payoff import RiskReward
from tstui.domain.options.symbology import parse_option_type
from tstui.domain.options.wire import (
    OptionSpread,
    RiskRewardAnalysis,
    RiskRewardLeg,
    RiskRewardRequest,
)
from tstui.domain.untrusted import safe_text
from tstui.ui.views.options.model import STOCK_MULTIPLIER, Expiration, OptionQuote, Spread
from tstui.ui.views.options.spread_panel import ServerCheck, money

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI

__all__ = [
    "ChainStreamError",
    "check_server_risk",
    "contract_multiplier",
    "load_expirations",
    "quote_of",
    "server_risk_reward",
    "stream_chain",
]

CENT = Decimal("0.01")


class ChainStreamError(Exception):
    """The chain stream sent an error frame (the view shows it and reconnects)."""


async def contract_multiplier(api: TradeStationAPI, underlying: str) -> Decimal:
    """Units of the underlying one contract moves: a futures option's point value (ES: 50),
    else 100 shares (also when the lookup fails: the chain still shows)."""
    try:
        batch = await api.get_symbols([underlying])
    except TradeStationError:
        return STOCK_MULTIPLIER
    detail = batch.items[0] if batch.items else None
    if detail is not None and (detail.asset_type or "").upper() == "FUTURE":
        point = detail.point_value
        if point is not None and point > 0:
            return point
    return STOCK_MULTIPLIER


async def load_expirations(api: TradeStationAPI, underlying: str) -> list[Expiration]:
    listed = await api.get_option_expirations(underlying)
    found = {e.date: Expiration(e.date, safe_text(e.type or "", limit=12)) for e in listed}
    return [found[day] for day in sorted(found)]


def quote_of(spread: OptionSpread) -> OptionQuote | None:
    """One contract's frame as the view's quote (None: a multi-leg spread, or no contract)."""
    if len(spread.legs) != 1:
        return None
    leg = spread.legs[0]
    contract = leg.contract
    expiration: date | None
    if contract is not None:
        right, strike, expiration = contract.option_type, contract.strike, contract.expiration
    else:  # a symbol we cannot read: the leg's own fields, if it has them
        try:
            right = parse_option_type(leg.option_type or spread.side or "")
        except ValueError:
            return None
        if leg.strike_price is None:
            return None
        strike = leg.strike_price
        expiration = leg.expiration.date() if leg.expiration is not None else None
    return OptionQuote(
        symbol=leg.symbol,
        right=right,
        strike=strike,
        expiration=expiration,
        bid=spread.bid,
        ask=spread.ask,
        last=spread.last,
        mid=spread.mid,
        iv=spread.implied_volatility,
        delta=spread.delta,
        gamma=spread.gamma,
        theta=spread.theta,
        vega=spread.vega,
        open_interest=spread.daily_open_interest,
        volume=spread.volume,
    )


async def stream_chain(
    api: TradeStationAPI, underlying: str, expiration: date, strikes: int
) -> AsyncIterator[OptionQuote | str]:
    """The chain of single contracts at ``expiration``, ``strikes`` each side of the money:
    each contract's latest quote (partial frames merged), or a connection state name."""
    from tstui.client.streams import StreamState  # the client loads after the first paint

    latest: dict[tuple[str, ...], OptionSpread] = {}
    stream = api.stream_option_chain(
        underlying, expiration=expiration, strike_proximity=strikes, spread_type="Single"
    )
    async with stream:
        async for event in stream:
            if isinstance(event, OptionSpread):
                merged = latest[event.key].merge(event) if event.key in latest else event
                latest[event.key] = merged
                quote = quote_of(merged)
                if quote is not None and quote.expiration in (None, expiration):
                    yield quote
            elif isinstance(event, StreamState):
                yield event.state
            elif isinstance(event, StreamErrorFrame):
                raise ChainStreamError(safe_text(event.message or event.error))


async def server_risk_reward(
    api: TradeStationAPI, spread: Spread, net: Decimal, quantity: int
) -> RiskRewardAnalysis:
    """``POST riskreward`` for ``quantity`` of ``spread`` at the net price ``net`` (signed)."""
    request = RiskRewardRequest(
        spread_price=net.quantize(CENT),
        legs=tuple(
            RiskRewardLeg(leg.symbol, abs(leg.ratio) * quantity, "BUY" if leg.is_buy else "SELL")
            for leg in spread
        ),
    )
    return await api.get_option_risk_reward(request)


def _near(a: Decimal | None, b: Decimal | None, tolerance: Decimal = CENT) -> bool:
    return (a is None) == (b is None) and (a is None or b is None or abs(a - b) <= tolerance)


def check_server_risk(local: RiskReward, server: RiskRewardAnalysis, price: Decimal) -> ServerCheck:
    """Whether the server's max gain, max loss and break-evens match ours (to the cent), both
    at the net ``price`` the server was sent (the panel's own numbers follow the mids)."""
    gain = None if server.max_gain_is_infinite else server.adjusted_max_gain
    loss = None if server.max_loss_is_infinite else server.adjusted_max_loss
    evens = sorted(server.breakeven_points)
    same = (
        _near(local.max_profit, gain)
        and _near(local.max_loss, loss)
        and len(evens) == len(local.break_evens)
        and all(_near(a, b) for a, b in zip(sorted(local.break_evens), evens, strict=True))
    )
    if same:
        return ServerCheck(True, f"riskreward (server) at {price:.2f}: agrees")
    shown = ", ".join(str(e.quantize(CENT)) for e in evens) or "none"
    return ServerCheck(
        False,
        f"riskreward (server) at {price:.2f} differs: max gain {money(gain)}, max loss "
        f"{money(loss)}, break-even {shown}",
    )
