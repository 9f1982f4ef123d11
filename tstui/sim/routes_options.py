"""Option market data routes: expirations, strikes, spread types, risk/reward, and the chain
and option-quote streams (``Spread`` frames).

The two streams send what the quote stream sends: data, ``Heartbeat`` and errors, no
``StreamStatus`` (the spec lists only the ``Spread`` frame for them, and no EndSnapshot);
GoAway is ``{"Error": "GoAway"}``. They share the quote stream's fault kind ("quotes"), so
injected GoAway, stalls, drops and malformed lines reach them too. A data frame is sent when
a spread's Bid, Ask, Last or Volume changes; a spread whose series expires stops updating.
Bad input answers 400 (the spec documents no 404 for these operations). Each operation has
its own rate-limit category ("optionexpirations", ... "optionquotes"): the wire notes give
each option endpoint its own 90 a minute, which applies once ``ratelimit.QUOTAS`` lists them.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from math import gcd
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tstui.domain.options import spreads
from tstui.domain.options.payoff import PayoffLeg, risk_reward
from tstui.domain.options.symbology import (
    OptionSymbol,
    OptionType,
    format_strike,
    parse_option_symbol,
)
from tstui.sim.common import bearer_token, endpoint, json_body
from tstui.sim.context import SimContext
from tstui.sim.engine import EngineEvent
from tstui.sim.instruments import Instrument
from tstui.sim.intake import BadRequest
from tstui.sim.options_quotes import model_value
from tstui.sim.options_series import (
    MULTIPLIER,
    expirations,
    is_futures_underlying,
    is_optionable,
    multiplier_of,
    option_contract,
    strikes,
    underlying_instrument,
)
from tstui.sim.options_spread import price_legs, spread_body
from tstui.sim.streams import MARKET_GO_AWAY, TOKEN_EXPIRED, V2_MARKET, encode, stream_response

MAX_PROXIMITY = 50
MAX_CONCURRENT = 10  # open streams per option stream operation (the spec)
REFRESH_SECONDS = 1.0
MAX_LEGS = 4
_LEG_PARAM = re.compile(r"^legs\[(\d+)\]\.(symbol|ratio)$", re.IGNORECASE)
_CHANGE_KEYS = ("Bid", "Ask", "Last", "Volume")


# ----- query parsing ------------------------------------------------------------------------
def parse_expiration(text: str, name: str = "expiration") -> date:
    """``12-17-2021`` (the spec's examples), ``2021-12-17`` or an RFC 3339 date-time."""
    raw = text.strip()
    for pattern in ("%m-%d-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        raise BadRequest(f"{name} {text!r} is not a valid date.") from None


def _int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer.") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}.")
    return value


def _float(params: dict[str, str], name: str, low: float, high: float) -> float | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number.") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise BadRequest(f"{name} must be between {low} and {high}.")
    return value


def _bool(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false.")
    return raw.lower() == "true"


def _choice(params: dict[str, str], name: str, choices: Sequence[str]) -> str:
    raw = params.get(name, choices[0])
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise BadRequest(f"{name} must be one of {', '.join(choices)}.")


def _spread_type(params: dict[str, str]) -> spreads.SpreadTypeInfo:
    try:
        return spreads.spread_type(params.get("spreadType", "Single"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _underlying(ctx: SimContext, name: str, now: datetime) -> Instrument:
    inst = underlying_instrument(ctx.engine, name, now) if is_optionable(name) else None
    if inst is None:
        raise BadRequest(f"{name} is not an underlying with listed options.")
    return inst


def _expirations_for(
    params: dict[str, str], info: spreads.SpreadTypeInfo, now: datetime, underlying: str
) -> tuple[date, date | None]:
    listed = [d for d, _ in expirations(now, underlying)]
    if not listed:
        raise BadRequest(f"{underlying} has no listed option expirations.")
    raw = params.get("expiration")
    first = parse_expiration(raw) if raw is not None else listed[0]
    if first not in listed:
        raise BadRequest(f"expiration {raw} is not a valid expiration date.")
    second: date | None = None
    raw2 = params.get("expiration2")
    if raw2 is not None and not info.expiration_interval:
        parse_expiration(raw2, "expiration2")  # still refused when malformed
    if info.expiration_interval:
        if raw2 is None:
            raise BadRequest(f"expiration2 is required for {info.name} spreads.")
        second = parse_expiration(raw2, "expiration2")
        if second not in listed or second <= first:
            raise BadRequest("expiration2 must be a valid expiration date after expiration.")
    return first, second


def _fmt(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ----- risk/reward ------------------------------------------------------------------------------
def risk_reward_answer(ctx: SimContext, body: Any, now: datetime) -> dict[str, Any]:
    """``POST /v3/marketdata/options/riskreward``. ``SpreadPrice`` is per share of one unit of
    the spread (the legs' quantities over their common divisor). It is a debit for a package
    that costs money at the market and a credit for one that pays (a negative price is always
    a credit), so a short iron condor quoted at 1.20 reads as 1.20 received."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    extra = set(body) - {"SpreadPrice", "Legs"}
    if extra:
        raise BadRequest(f"Unknown field(s): {', '.join(sorted(extra))}.")
    price_raw, legs_raw = body.get("SpreadPrice"), body.get("Legs")
    if isinstance(price_raw, bool) or not isinstance(price_raw, int | float):
        raise BadRequest("SpreadPrice must be a number.")
    if not isinstance(legs_raw, list) or not 1 <= len(legs_raw) <= MAX_LEGS:
        raise BadRequest(f"Legs must be an array of 1 to {MAX_LEGS} legs.")
    try:
        price = Decimal(repr(price_raw))
    except InvalidOperation:
        raise BadRequest("SpreadPrice must be a number.") from None
    if not price.is_finite():
        raise BadRequest("SpreadPrice must be a number.")
    legs: list[PayoffLeg] = []
    contracts: list[OptionSymbol] = []
    units: list[int] = []
    market_value = 0.0
    for i, leg in enumerate(legs_raw):
        where = f"Legs[{i}]"
        if not isinstance(leg, dict):
            raise BadRequest(f"{where} must be an object.")
        extra = set(leg) - {"Symbol", "Quantity", "TradeAction"}
        if extra:
            raise BadRequest(f"{where}: unknown field(s) {', '.join(sorted(extra))}.")
        symbol, quantity, action = leg.get("Symbol"), leg.get("Quantity"), leg.get("TradeAction")
        if not isinstance(symbol, str) or not symbol.strip():
            raise BadRequest(f"{where}.Symbol is required.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise BadRequest(f"{where}.Quantity must be a positive integer.")
        if action not in ("BUY", "SELL"):
            raise BadRequest(f"{where}.TradeAction must be BUY or SELL.")
        signed = quantity if action == "BUY" else -quantity
        try:
            contract: OptionSymbol | None = parse_option_symbol(symbol)
        except ValueError:
            contract = None
        if contract is not None and is_optionable(contract.root):
            contracts.append(contract)
            multiplier = multiplier_of(contract.root)
            legs.append(PayoffLeg(signed, contract.option_type, contract.strike, multiplier))
            units.append(quantity)
            inst = underlying_instrument(ctx.engine, contract.root, now)
            if inst is not None:
                spot = ctx.engine.paths.price_at(inst, now)
                market_value += signed * model_value(contract, spot, now)
        elif is_optionable(symbol) and not is_futures_underlying(symbol):
            inst = underlying_instrument(ctx.engine, symbol, now)
            assert inst is not None
            legs.append(PayoffLeg(signed, None, None, Decimal(1)))
            units.append(max(1, quantity // int(MULTIPLIER)))
            market_value += signed * float(ctx.engine.paths.price_at(inst, now)) / 100
        else:
            raise BadRequest(f"{where}.Symbol {symbol} is not a stock or an option.")
    if not contracts:
        raise BadRequest("At least one leg must be an option.")
    if len({c.expiration for c in contracts}) > 1:
        raise BadRequest("Risk/reward needs every leg at the same expiration.")
    if len({c.root for c in contracts}) > 1:
        raise BadRequest("Every leg must be on the same underlying.")
    unit = 0
    for count in units:
        unit = gcd(unit, count)
    magnitude = abs(price) * max(1, unit) * multiplier_of(contracts[0].root)
    credit = price < 0 or (price > 0 and market_value < 0)
    result = risk_reward(legs, -magnitude if credit else magnitude)
    return {
        "MaxGainIsInfinite": result.max_profit is None,
        "AdjustedMaxGain": _fmt(result.max_profit) if result.max_profit is not None else "0",
        "MaxLossIsInfinite": result.max_loss is None,
        "AdjustedMaxLoss": _fmt(result.max_loss) if result.max_loss is not None else "0",
        "BreakevenPoints": [_fmt(p) for p in result.break_evens],
    }


# ----- streams ------------------------------------------------------------------------------
class _SpreadFeed:
    """Shared by the chain and the option quotes stream: re-prices its spreads once a second
    (a chain is dozens of model evaluations, on the event loop) and sends those that changed."""

    kind = "quotes"
    end_snapshot = False
    go_away = encode(MARKET_GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self._sent: dict[str, dict[str, Any]] = {}
        self._refreshed = 0.0

    def bodies(self, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        raise NotImplementedError

    def snapshot(self) -> list[dict[str, Any]]:
        found = self.bodies(self.ctx.engine.clock.now())
        self._sent = dict(found)
        self._refreshed = time.monotonic()
        return [body for _, body in found]

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        now = time.monotonic()
        if now - self._refreshed < REFRESH_SECONDS:
            return []
        self._refreshed = now
        out = []
        for key, body in self.bodies(self.ctx.engine.clock.now()):
            previous = self._sent.get(key, {})
            if any(body.get(k) != previous.get(k) for k in _CHANGE_KEYS):
                out.append(body)
                self._sent[key] = body
        return out

    def burst(self) -> list[bytes]:
        return []


class ChainFeed(_SpreadFeed):
    def __init__(
        self,
        ctx: SimContext,
        underlying: str,
        chain: list[tuple[str, tuple[tuple[str, int], ...]]],
        *,
        strike_range: str,
        rate: float | None,
        greeks: bool,
    ) -> None:
        super().__init__(ctx)
        self.underlying, self.chain = underlying, chain
        self.strike_range, self.rate, self.greeks = strike_range, rate, greeks

    def bodies(self, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for side, specs in self.chain:
            legs = price_legs(self.ctx.engine, specs, now)
            if legs is None:
                continue
            body = spread_body(
                self.ctx.engine, legs, now, side=side, rate=self.rate, greeks=self.greeks
            )
            intrinsic = Decimal(body["IntrinsicValue"])
            if self.strike_range == "ITM" and intrinsic <= 0:
                continue
            if self.strike_range == "OTM" and intrinsic != 0:
                continue
            out.append(("|".join(s for s, _ in specs), body))
        return out


class LegsFeed(_SpreadFeed):
    def __init__(
        self, ctx: SimContext, specs: list[tuple[str, int]], *, rate: float | None, greeks: bool
    ) -> None:
        super().__init__(ctx)
        self.specs, self.rate, self.greeks = specs, rate, greeks

    def bodies(self, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        legs = price_legs(self.ctx.engine, self.specs, now)
        if legs is None:
            return []
        options = [leg.quote for leg in legs if leg.quote is not None]
        kinds = {q.contract.option_type for q in options}
        side = str(kinds.pop()) if len(kinds) == 1 else "Both"
        body = spread_body(
            self.ctx.engine, legs, now, side=side, rate=self.rate, greeks=self.greeks
        )
        return [("legs", body)]


def build_chain(
    underlying: str,
    info: spreads.SpreadTypeInfo,
    listed: list[Decimal],
    center: Decimal,
    proximity: int,
    interval: int,
    option_type: str,
    first: date,
    second: date | None,
) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """(Side, legs) of every spread in the chain: ``proximity`` strike sets below the price
    centre and as many above, calls before puts at each."""
    groups = spreads.strike_groups(info.name, listed, interval)
    below = [g for g in groups if sum(g) / len(g) <= center][-proximity:]
    above = [g for g in groups if sum(g) / len(g) > center][:proximity]
    sides: list[OptionType] = (
        [OptionType.CALL, OptionType.PUT]
        if option_type == "All"
        else [OptionType.CALL if option_type == "Call" else OptionType.PUT]
    )
    if info.both_sides:
        sides = [OptionType.CALL]
    chain = []
    for group in [*below, *above]:
        for side in sides:
            legs = spreads.build_spread(
                info.name, underlying, first, group, side, expiration2=second
            )
            chain.append(
                (
                    spreads.spread_side(info.name, side),
                    tuple((leg.symbol, leg.ratio) for leg in legs),
                )
            )
    return chain


def parse_legs(params: dict[str, str]) -> list[tuple[str, int]]:
    found: dict[int, dict[str, str]] = {}
    for key, value in params.items():
        match = _LEG_PARAM.match(key)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2).lower()] = value
    if not found:
        raise BadRequest("legs[0].Symbol is required.")
    if sorted(found) != list(range(len(found))):
        raise BadRequest("Leg indexes must be sequential, starting at zero.")
    if len(found) > MAX_LEGS:
        raise BadRequest(f"At most {MAX_LEGS} legs may be requested.")
    legs = []
    for index in range(len(found)):
        leg = found[index]
        symbol = leg.get("symbol", "").strip().upper()
        if not symbol:
            raise BadRequest(f"legs[{index}].Symbol is required.")
        raw_ratio = leg.get("ratio", "1")
        try:
            number = Decimal(raw_ratio)
        except InvalidOperation:
            raise BadRequest(f"legs[{index}].Ratio must be a number.") from None
        if not number.is_finite() or number != number.to_integral_value() or number == 0:
            raise BadRequest(f"legs[{index}].Ratio must be a non-zero whole number.")
        legs.append((symbol, int(number)))
    return legs


def _limited(ctx: SimContext, name: str, feed: _SpreadFeed, token: str | None) -> Response:
    """The stream, counted under ``name`` while it is open; 429 past ``MAX_CONCURRENT``."""
    if ctx.open_streams.get(name, 0) >= MAX_CONCURRENT:
        body = {"Error": "TooManyRequests", "Message": "Too many concurrent streams."}
        return JSONResponse(body, 429, headers={"Retry-After": "1"})
    response = stream_response(ctx, feed, V2_MARKET, token)
    if not isinstance(response, StreamingResponse):
        return response
    inner = response.body_iterator

    async def counted() -> AsyncIterator[Any]:
        # counted once the body starts: a response never sent never leaks a slot
        ctx.stream_opened(name, +1)
        try:
            async for chunk in inner:
                yield chunk
        finally:
            ctx.stream_opened(name, -1)

    response.body_iterator = counted()
    return response


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine
    base = "/v3/marketdata/options"

    @endpoint(ctx, "marketdata", "optionexpirations")
    async def get_expirations(request: Request) -> Response:
        now = engine.clock.now()
        inst = _underlying(ctx, request.path_params["underlying"], now)
        params = dict(request.query_params)
        strike = _float(params, "strikePrice", 0.0, 1e9)
        listed = strikes(engine, inst.symbol, now)
        found = expirations(now, inst.symbol)
        if strike is not None and Decimal(repr(strike)) not in listed:
            found = []
        body = [{"Date": f"{d.isoformat()}T00:00:00Z", "Type": kind} for d, kind in found]
        return JSONResponse({"Expirations": body})

    @endpoint(ctx, "marketdata", "optionstrikes")
    async def get_strikes(request: Request) -> Response:
        now = engine.clock.now()
        inst = _underlying(ctx, request.path_params["underlying"], now)
        params = dict(request.query_params)
        info = _spread_type(params)
        interval = _int(params, "strikeInterval", 1, 1, 1000)
        _expirations_for(params, info, now, inst.symbol)
        groups = spreads.strike_groups(info.name, strikes(engine, inst.symbol, now), interval)
        return JSONResponse(
            {"SpreadType": info.name, "Strikes": [[format_strike(k) for k in g] for g in groups]}
        )

    @endpoint(ctx, "marketdata", "optionspreadtypes")
    async def get_spread_types(request: Request) -> Response:
        body = [
            {
                "Name": info.name,
                "StrikeInterval": info.strike_interval,
                "ExpirationInterval": info.expiration_interval,
            }
            for info in spreads.SPREAD_TYPES
        ]
        return JSONResponse({"SpreadTypes": body})

    @endpoint(ctx, "marketdata", "optionriskreward")
    async def post_risk_reward(request: Request) -> Response:
        body = await json_body(request)
        return JSONResponse(risk_reward_answer(ctx, body, engine.clock.now()))

    @endpoint(ctx, "streams", "optionchains")
    async def stream_chain(request: Request) -> Response:
        now = engine.clock.now()
        inst = _underlying(ctx, request.path_params["underlying"], now)
        params = dict(request.query_params)
        info = _spread_type(params)
        first, second = _expirations_for(params, info, now, inst.symbol)
        if inst.is_future and info.name in ("Covered", "Collar"):
            raise BadRequest(f"{info.name} spreads are not available on futures options.")
        proximity = _int(params, "strikeProximity", 5, 1, MAX_PROXIMITY)
        interval = _int(params, "strikeInterval", 1, 1, 1000)
        rate = _float(params, "riskFreeRate", -0.05, 1.0)
        center_raw = _float(params, "priceCenter", 0.0, 1e9)
        greeks = _bool(params, "enableGreeks", True)
        strike_range = _choice(params, "strikeRange", ("All", "ITM", "OTM"))
        option_type = _choice(params, "optionType", ("All", "Call", "Put"))
        center = Decimal(repr(center_raw)) if center_raw else engine.paths.price_at(inst, now)
        chain = build_chain(
            inst.symbol,
            info,
            strikes(engine, inst.symbol, now),
            center,
            proximity,
            interval,
            option_type,
            first,
            second,
        )
        feed = ChainFeed(
            ctx, inst.symbol, chain, strike_range=strike_range, rate=rate, greeks=greeks
        )
        return _limited(ctx, "optionchains", feed, bearer_token(request))

    @endpoint(ctx, "streams", "optionquotes")
    async def stream_quotes(request: Request) -> Response:
        now = engine.clock.now()
        params = dict(request.query_params)
        legs = parse_legs(params)
        rate = _float(params, "riskFreeRate", -0.05, 1.0)
        greeks = _bool(params, "enableGreeks", True)
        roots = set()
        for symbol, _ in legs:
            contract = option_contract(engine, symbol, now)
            if contract is not None:
                roots.add(contract.root)
            elif is_optionable(symbol):
                roots.add(symbol)
            else:
                raise BadRequest(f"{symbol} is not a listed option or an underlying.")
        if len(roots) != 1:
            raise BadRequest("Every leg must be on the same underlying.")
        if all(option_contract(engine, s, now) is None for s, _ in legs):
            raise BadRequest("At least one leg must be an option.")
        feed = LegsFeed(ctx, legs, rate=rate, greeks=greeks)
        return _limited(ctx, "optionquotes", feed, bearer_token(request))

    return [
        Route(base + "/expirations/{underlying}", get_expirations),
        Route(base + "/strikes/{underlying}", get_strikes),
        Route(base + "/spreadtypes", get_spread_types),
        Route(base + "/riskreward", post_risk_reward, methods=["POST"]),
        Route("/v3/marketdata/stream/options/chains/{underlying}", stream_chain),
        Route("/v3/marketdata/stream/options/quotes", stream_quotes),
    ]
