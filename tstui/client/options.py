"""The option endpoints of the API: expirations, strikes, spread types, risk/reward, and the
chain and option-quotes streams (a mixin of :class:`tstui.client.api.TradeStationAPI`).

As everywhere in the API, each read has a ``*_body`` twin that returns the JSON as the API
sent it (for ``--json``), and the typed method parses that body (models:
:mod:`tstui.domain.options.wire`). The reads are GETs (retried as documented); risk/reward
is a POST that changes nothing (``post_json``: not retried but after a 401). The streams go
through the same supervision as the quote stream; their spec lists no ``EndSnapshot`` (the
frames are ``Spread`` objects only), so the first frames of a connection complete its
snapshot, as for quotes. The models load on the first option call (the API class is imported
by every command; most never touch options).

Dates (``expiration``, ``expiration2``) are sent as the spec's examples write them,
``MM-DD-YYYY``; a text date is passed on as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from tstui.client.errors import BadRequest
from tstui.domain.untrusted import safe_text

if TYPE_CHECKING:
    from tstui.client.http import HttpSession
    from tstui.client.streams import SupervisedStream
    from tstui.domain.options.wire import (
        Expiration,
        OptionQuoteLeg,
        OptionSpreadEvent,
        RiskRewardAnalysis,
        RiskRewardRequest,
        SpreadType,
        Strikes,
    )

__all__ = ["MAX_QUOTE_LEGS", "OPTIONS_STREAM", "OptionsAPI", "option_date"]

OPTIONS_STREAM: Final = "application/vnd.tradestation.streams.v2+json"
MAX_QUOTE_LEGS: Final = 4  # legs of one option-quotes stream (a condor's)
_BASE: Final = "/v3/marketdata/options"
_STREAM_BASE: Final = "/v3/marketdata/stream/options"


def option_date(value: date | datetime | str) -> str:
    """A date parameter as the spec's examples write it: ``12-17-2021`` (text as given)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%m-%d-%Y")
    return str(value).strip()


def _underlying(symbol: str) -> str:
    """The underlying as one path segment. (The same rule as ``api.quote_segment``, which
    this module cannot import: ``api`` imports this mixin.)"""
    text = symbol.strip()
    if not text:
        raise BadRequest(400, "BadRequest", "no underlying symbol given")
    try:
        return quote(text, safe="@")
    except UnicodeEncodeError:
        raise BadRequest(
            400, "BadRequest", f"{safe_text(text, limit=40)}: not valid text, cannot be sent"
        ) from None


def _number(value: Decimal | float | int) -> str:
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite():
        raise BadRequest(400, "BadRequest", f"{value}: not a finite number")
    text = format(number.normalize(), "f")
    return text if number != 0 else "0"


def _interval(value: int | None) -> str | None:
    if value is None:
        return None
    if value < 1:
        raise BadRequest(400, "BadRequest", "strikeInterval must be 1 or more")
    return str(value)


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


class OptionsAPI:
    """Option reads and streams; ``self.http`` is the API's :class:`HttpSession`."""

    http: HttpSession

    # -- expirations, strikes, spread types ----------------------------------------------

    async def get_option_expirations_body(
        self, underlying: str, *, strike_price: Decimal | None = None
    ) -> Any:
        """The underlying's expirations (only those listing ``strike_price`` when given)."""
        params = None if strike_price is None else {"strikePrice": _number(strike_price)}
        return await self.http.get_json(f"{_BASE}/expirations/{_underlying(underlying)}", params)

    async def get_option_expirations(
        self, underlying: str, *, strike_price: Decimal | None = None
    ) -> list[Expiration]:
        from tstui.domain.options.wire import parse_expirations

        body = await self.get_option_expirations_body(underlying, strike_price=strike_price)
        return parse_expirations(body)

    async def get_option_strikes_body(
        self,
        underlying: str,
        *,
        spread_type: str | None = None,
        strike_interval: int | None = None,
        expiration: date | datetime | str | None = None,
        expiration2: date | datetime | str | None = None,
    ) -> Any:
        """Strikes of ``spread_type`` (default Single) at ``expiration`` (default the next);
        ``expiration2`` for Calendar and Diagonal."""
        params: dict[str, str | None] = {
            "spreadType": spread_type,
            "strikeInterval": _interval(strike_interval),
            "expiration": None if expiration is None else option_date(expiration),
            "expiration2": None if expiration2 is None else option_date(expiration2),
        }
        clean = {key: value for key, value in params.items() if value is not None}
        path = f"{_BASE}/strikes/{_underlying(underlying)}"
        return await self.http.get_json(path, clean or None)

    async def get_option_strikes(
        self,
        underlying: str,
        *,
        spread_type: str | None = None,
        strike_interval: int | None = None,
        expiration: date | datetime | str | None = None,
        expiration2: date | datetime | str | None = None,
    ) -> Strikes:
        from tstui.domain.options.wire import Strikes

        body = await self.get_option_strikes_body(
            underlying,
            spread_type=spread_type,
            strike_interval=strike_interval,
            expiration=expiration,
            expiration2=expiration2,
        )
        return Strikes.from_api(body)

    async def get_option_spread_types_body(self) -> Any:
        return await self.http.get_json(f"{_BASE}/spreadtypes")

    async def get_option_spread_types(self) -> list[SpreadType]:
        from tstui.domain.options.wire import parse_spread_types

        return parse_spread_types(await self.get_option_spread_types_body())

    # -- risk/reward ---------------------------------------------------------------------

    async def get_option_risk_reward_body(
        self, request: RiskRewardRequest | Mapping[str, Any]
    ) -> Any:
        """Analyse a spread (POST, changes nothing). A mapping is sent as given (a user's
        ``--body``, already checked by :meth:`RiskRewardRequest.from_api`)."""
        body = dict(request) if isinstance(request, Mapping) else request.to_api()
        return await self.http.post_json(f"{_BASE}/riskreward", json=body)

    async def get_option_risk_reward(
        self, request: RiskRewardRequest | Mapping[str, Any]
    ) -> RiskRewardAnalysis:
        from tstui.domain.options.wire import RiskRewardAnalysis

        return RiskRewardAnalysis.from_api(await self.get_option_risk_reward_body(request))

    # -- streams -------------------------------------------------------------------------

    def stream_option_chain(
        self,
        underlying: str,
        *,
        expiration: date | datetime | str | None = None,
        expiration2: date | datetime | str | None = None,
        strike_proximity: int | None = None,
        spread_type: str | None = None,
        risk_free_rate: Decimal | None = None,
        price_center: Decimal | None = None,
        strike_interval: int | None = None,
        enable_greeks: bool | None = None,
        strike_range: str | None = None,
        option_type: str | None = None,
    ) -> SupervisedStream[OptionSpreadEvent]:
        """The chain of ``spread_type`` spreads around ``price_center`` (default: last),
        ``strike_proximity`` spreads above and below it (the API's default 5)."""
        from tstui.domain.options.wire import parse_spread_frame

        if strike_proximity is not None and strike_proximity < 1:
            raise BadRequest(400, "BadRequest", "strikeProximity must be 1 or more")
        params: dict[str, str | None] = {
            "expiration": None if expiration is None else option_date(expiration),
            "expiration2": None if expiration2 is None else option_date(expiration2),
            "strikeProximity": None if strike_proximity is None else str(strike_proximity),
            "spreadType": spread_type,
            "riskFreeRate": None if risk_free_rate is None else _number(risk_free_rate),
            "priceCenter": None if price_center is None else _number(price_center),
            "strikeInterval": _interval(strike_interval),
            "enableGreeks": _flag(enable_greeks),
            "strikeRange": strike_range,
            "optionType": option_type,
        }
        clean = {key: value for key, value in params.items() if value is not None}
        return self.http.stream(
            f"{_STREAM_BASE}/chains/{_underlying(underlying)}",
            clean or None,
            parse_spread_frame,
            name="option chain",
            media_type=OPTIONS_STREAM,
            sends_end_snapshot=False,  # the spec's chain stream sends Spread frames only
        )

    def stream_option_quotes(
        self,
        legs: Sequence[OptionQuoteLeg],
        *,
        risk_free_rate: Decimal | None = None,
        enable_greeks: bool | None = None,
    ) -> SupervisedStream[OptionSpreadEvent]:
        """Quotes and greeks of one spread made of ``legs`` (a single contract: one leg)."""
        from tstui.domain.options.wire import parse_spread_frame, quote_leg_params

        if not legs:
            raise BadRequest(400, "BadRequest", "no legs given")
        if len(legs) > MAX_QUOTE_LEGS:
            raise BadRequest(400, "BadRequest", f"at most {MAX_QUOTE_LEGS} legs per stream")
        params: dict[str, str] = dict(quote_leg_params(legs))
        if risk_free_rate is not None:
            params["riskFreeRate"] = _number(risk_free_rate)
        if enable_greeks is not None:
            params["enableGreeks"] = "true" if enable_greeks else "false"
        return self.http.stream(
            f"{_STREAM_BASE}/quotes",
            params,
            parse_spread_frame,
            name="option quotes",
            media_type=OPTIONS_STREAM,
            sends_end_snapshot=False,  # as the chain: Spread frames only
        )
