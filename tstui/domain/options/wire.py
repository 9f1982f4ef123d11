"""The option endpoints' JSON as typed, frozen models (parsed leniently, like market data).

- ``GET /v3/marketdata/options/expirations/{underlying}`` -> :func:`parse_expirations`
  (:class:`Expiration`: a date and its type, Weekly/Monthly/Quarterly/EOM/Other);
- ``GET .../options/strikes/{underlying}`` -> :class:`Strikes` (one tuple of strikes per
  spread: one strike for Single, three for a Butterfly...);
- ``GET .../options/spreadtypes`` -> :func:`parse_spread_types` (:class:`SpreadType`);
- ``POST .../options/riskreward``: the body is a :class:`RiskRewardRequest` (legs BUY/SELL with
  whole quantities and the spread's price), the answer a :class:`RiskRewardAnalysis`;
- the streams ``.../stream/options/chains/{underlying}`` and ``.../stream/options/quotes``
  send :class:`OptionSpread` frames (quotes, greeks, probabilities and the spread's
  :class:`SpreadLeg` s) among the usual control frames: :func:`parse_spread_frame`. The legs
  of an option-quotes stream are :class:`OptionQuoteLeg` (a symbol and a signed ratio).

Every parser is total on optional fields (a missing or malformed value is None, see
:mod:`tstui.domain.parsing`); only what an object cannot exist without raises
:class:`~tstui.domain.parsing.ParseError` (an expiration without a date, a spread without
legs). Request models raise ValueError naming the field (``Legs[1].Quantity``), as the order
requests do. Numbers are Decimal; option symbols are read by :mod:`.symbology` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeAlias

from tstui.domain.control_frames import (
    ControlFrame,
    StreamErrorFrame,
    classify_control,
    frame_object,
)
from tstui.domain.options.symbology import OptionSymbol, parse_option_symbol
from tstui.domain.parsing import (
    ParseError,
    is_mapping,
    opt_bool,
    opt_date,
    opt_datetime,
    opt_decimal,
    opt_int,
    opt_str,
)

__all__ = [
    "RISK_REWARD_ACTIONS",
    "Expiration",
    "OptionQuoteLeg",
    "OptionSpread",
    "OptionSpreadEvent",
    "RiskRewardAnalysis",
    "RiskRewardLeg",
    "RiskRewardRequest",
    "SpreadLeg",
    "SpreadType",
    "Strikes",
    "parse_expirations",
    "parse_spread_frame",
    "parse_spread_types",
    "quote_leg_params",
]

RISK_REWARD_ACTIONS: Final[tuple[str, ...]] = ("BUY", "SELL")
_RR_KEYS: Final = frozenset({"SpreadPrice", "Legs"})
_RR_LEG_KEYS: Final = frozenset({"Symbol", "Quantity", "TradeAction"})
_INT32: Final = 2**31 - 1


def _items(body: Any, key: str) -> list[Mapping[str, Any]]:
    values = body.get(key) if is_mapping(body) else None
    return [item for item in values if is_mapping(item)] if isinstance(values, list) else []


# -- expirations, spread types, strikes ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expiration:
    """One listed expiration: the day the contracts expire and its kind (``Weekly``,
    ``Monthly``, ``Quarterly``, ``EOM``, ``Other``; unknown kinds are kept)."""

    date: date
    type: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Expiration:
        day = opt_date(data.get("Date"))
        if day is None:
            raise ParseError("expiration without Date")
        return cls(date=day, type=opt_str(data.get("Type")))


def parse_expirations(body: Any) -> list[Expiration]:
    """The ``Expirations`` of an answer, in the order sent; an item without a date is skipped."""
    out: list[Expiration] = []
    for item in _items(body, "Expirations"):
        try:
            out.append(Expiration.from_api(item))
        except ParseError:
            continue
    return out


@dataclass(frozen=True, slots=True)
class SpreadType:
    """A spread type the chain and strikes endpoints take: several strikes (`strike_interval`
    applies), several expirations (Calendar, Diagonal: `expiration2` applies)."""

    name: str
    strike_interval: bool = False
    expiration_interval: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> SpreadType:
        name = opt_str(data.get("Name"))
        if name is None:
            raise ParseError("spread type without Name")
        return cls(
            name=name,
            strike_interval=bool(opt_bool(data.get("StrikeInterval"))),
            expiration_interval=bool(opt_bool(data.get("ExpirationInterval"))),
        )


def parse_spread_types(body: Any) -> list[SpreadType]:
    out: list[SpreadType] = []
    for item in _items(body, "SpreadTypes"):
        try:
            out.append(SpreadType.from_api(item))
        except ParseError:
            continue
    return out


@dataclass(frozen=True, slots=True)
class Strikes:
    """The strikes of a spread type: one tuple per spread, ascending as sent (an empty tuple
    when the underlying has no options or none fit the query)."""

    spread_type: str | None
    strikes: tuple[tuple[Decimal, ...], ...]

    @classmethod
    def from_api(cls, body: Any) -> Strikes:
        data: Mapping[str, Any] = body if is_mapping(body) else {}
        rows = data.get("Strikes")
        parsed: list[tuple[Decimal, ...]] = []
        for row in rows if isinstance(rows, list) else ():
            values = row if isinstance(row, list) else [row]
            numbers = tuple(n for n in (opt_decimal(v) for v in values) if n is not None)
            if numbers:
                parsed.append(numbers)
        return cls(spread_type=opt_str(data.get("SpreadType")), strikes=tuple(parsed))

    @property
    def single(self) -> tuple[Decimal, ...]:
        """Every distinct strike of every spread, ascending (the chain's rows for Single)."""
        return tuple(sorted({strike for row in self.strikes for strike in row}))


# -- risk/reward ------------------------------------------------------------------------------


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a whole number")
    number = opt_decimal(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(f"{where}: expected a whole number, not {str(value)[:40]!r}")
    return int(number)


@dataclass(frozen=True, slots=True)
class RiskRewardLeg:
    """One leg of a risk/reward request: a contract (or the underlying), how many (never 0)
    and ``BUY`` or ``SELL`` (this endpoint takes only those two)."""

    symbol: str
    quantity: int
    trade_action: str

    def __post_init__(self) -> None:
        if not self.symbol.strip():
            raise ValueError("Symbol: missing")
        if self.quantity == 0 or abs(self.quantity) > _INT32:
            raise ValueError("Quantity: must be a whole number other than 0")
        if self.trade_action not in RISK_REWARD_ACTIONS:
            raise ValueError(f"TradeAction: use BUY or SELL, not {self.trade_action[:20]!r}")

    def to_api(self) -> dict[str, Any]:
        return {"Symbol": self.symbol, "Quantity": self.quantity, "TradeAction": self.trade_action}

    @classmethod
    def from_api(cls, data: Any, *, where: str = "") -> RiskRewardLeg:
        if not is_mapping(data):
            raise ValueError(f"{where.rstrip('.') or 'leg'}: expected an object")
        unknown = sorted(str(key) for key in data if key not in _RR_LEG_KEYS)
        if unknown:
            raise ValueError(f"{where}{unknown[0][:40]}: not a field of a risk/reward leg")
        symbol = data.get("Symbol")
        if not isinstance(symbol, str) or not symbol.strip():
            raise ValueError(f"{where}Symbol: missing")
        if data.get("Quantity") is None:
            raise ValueError(f"{where}Quantity: missing")
        action = data.get("TradeAction")
        if not isinstance(action, str) or action.strip().upper() not in RISK_REWARD_ACTIONS:
            raise ValueError(f"{where}TradeAction: use BUY or SELL")
        try:
            return cls(
                symbol=symbol.strip(),
                quantity=_whole(data["Quantity"], f"{where}Quantity"),
                trade_action=action.strip().upper(),
            )
        except ValueError as exc:
            text = str(exc)
            raise ValueError(text if text.startswith(where) else f"{where}{text}") from None


@dataclass(frozen=True, slots=True)
class RiskRewardRequest:
    """The body of ``POST .../options/riskreward`` (spec ``RiskRewardAnalysisInput``): the
    spread's quoted price and its legs (one expiration: Calendar/Diagonal are not analysed)."""

    spread_price: Decimal
    legs: tuple[RiskRewardLeg, ...]

    def __post_init__(self) -> None:
        if not self.legs:
            raise ValueError("Legs: at least one leg")
        if not self.spread_price.is_finite():
            raise ValueError("SpreadPrice: must be a finite number")

    def to_api(self) -> dict[str, Any]:
        # SpreadPrice is a JSON number in the spec (a double), not a string like prices.
        price = self.spread_price
        number: int | float = int(price) if price == price.to_integral_value() else float(price)
        return {"SpreadPrice": number, "Legs": [leg.to_api() for leg in self.legs]}

    @classmethod
    def from_api(cls, data: Any) -> RiskRewardRequest:
        """Read a request body (a ``--body`` file); ValueError names the field."""
        if not is_mapping(data):
            raise ValueError("expected a JSON object with SpreadPrice and Legs")
        unknown = sorted(str(key) for key in data if key not in _RR_KEYS)
        if unknown:
            raise ValueError(f"{unknown[0][:40]}: not a field of a risk/reward request")
        raw_price = data.get("SpreadPrice")
        price = None if isinstance(raw_price, bool) else opt_decimal(raw_price)
        if price is None:
            raise ValueError("SpreadPrice: expected a number")
        legs = data.get("Legs")
        if not isinstance(legs, list) or not legs:
            raise ValueError("Legs: expected a list of legs")
        return cls(
            spread_price=price,
            legs=tuple(
                RiskRewardLeg.from_api(leg, where=f"Legs[{i}].") for i, leg in enumerate(legs)
            ),
        )


@dataclass(frozen=True, slots=True)
class RiskRewardAnalysis:
    """The answer of ``riskreward`` (spec ``RiskRewardAnalysisResult``): the most the spread
    can gain and lose (None when infinite or not sent; a loss is negative) and its
    break-even prices of the underlying."""

    max_gain_is_infinite: bool | None = None
    adjusted_max_gain: Decimal | None = None
    max_loss_is_infinite: bool | None = None
    adjusted_max_loss: Decimal | None = None
    breakeven_points: tuple[Decimal, ...] = ()

    @classmethod
    def from_api(cls, body: Any) -> RiskRewardAnalysis:
        data: Mapping[str, Any] = body if is_mapping(body) else {}
        points = data.get("BreakevenPoints")
        return cls(
            max_gain_is_infinite=opt_bool(data.get("MaxGainIsInfinite")),
            adjusted_max_gain=opt_decimal(data.get("AdjustedMaxGain")),
            max_loss_is_infinite=opt_bool(data.get("MaxLossIsInfinite")),
            adjusted_max_loss=opt_decimal(data.get("AdjustedMaxLoss")),
            breakeven_points=tuple(
                p for p in (opt_decimal(v) for v in points or ()) if p is not None
            )
            if isinstance(points, list)
            else (),
        )


# -- the chain and option-quote streams ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpreadLeg:
    """One leg of a streamed spread: its contract, signed ratio (> 0 buys), strike, expiry,
    ``Call``/``Put`` and asset type (``StockOption``...)."""

    symbol: str
    ratio: int | None = None
    strike_price: Decimal | None = None
    expiration: datetime | None = None
    option_type: str | None = None
    asset_type: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> SpreadLeg:
        symbol = opt_str(data.get("Symbol"))
        if symbol is None:
            raise ParseError("spread leg without Symbol")
        get = data.get
        return cls(
            symbol=symbol,
            ratio=opt_int(get("Ratio")),
            strike_price=opt_decimal(get("StrikePrice")),
            expiration=opt_datetime(get("Expiration")),
            option_type=opt_str(get("OptionType")),
            asset_type=opt_str(get("AssetType")),
        )

    @property
    def contract(self) -> OptionSymbol | None:
        """The contract the symbol names (None: the underlying, or not an option symbol)."""
        try:
            return parse_option_symbol(self.symbol)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class OptionSpread:
    """One frame of the chain or option-quotes stream (spec ``Spread``): a single contract
    or a spread, keyed by its legs' symbols. Greeks, probabilities and values are per share
    as sent; frames may carry only some fields: fold them with :meth:`merge`."""

    legs: tuple[SpreadLeg, ...]
    side: str | None = None  # Call, Put, Both
    strikes: tuple[Decimal, ...] = ()
    bid: Decimal | None = None
    ask: Decimal | None = None
    mid: Decimal | None = None
    last: Decimal | None = None
    bid_size: int | None = None
    ask_size: int | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    close: Decimal | None = None
    previous_close: Decimal | None = None
    net_change: Decimal | None = None
    net_change_pct: Decimal | None = None
    volume: int | None = None
    daily_open_interest: int | None = None
    delta: Decimal | None = None
    gamma: Decimal | None = None
    theta: Decimal | None = None
    vega: Decimal | None = None
    rho: Decimal | None = None
    implied_volatility: Decimal | None = None
    intrinsic_value: Decimal | None = None
    extrinsic_value: Decimal | None = None
    theoretical_value: Decimal | None = None
    theoretical_value_iv: Decimal | None = None
    probability_itm: Decimal | None = None
    probability_otm: Decimal | None = None
    probability_be: Decimal | None = None
    probability_itm_iv: Decimal | None = None
    probability_otm_iv: Decimal | None = None
    probability_be_iv: Decimal | None = None
    standard_deviation: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> OptionSpread:
        raw_legs = data.get("Legs")
        legs = tuple(
            SpreadLeg.from_api(leg)
            for leg in (raw_legs if isinstance(raw_legs, list) else ())
            if is_mapping(leg) and opt_str(leg.get("Symbol")) is not None
        )
        if not legs:
            raise ParseError("spread without Legs")
        get = data.get
        strikes = get("Strikes")
        d = opt_decimal
        return cls(
            legs=legs,
            side=opt_str(get("Side")),
            strikes=tuple(s for s in (d(v) for v in strikes) if s is not None)
            if isinstance(strikes, list)
            else (),
            bid=d(get("Bid")),
            ask=d(get("Ask")),
            mid=d(get("Mid")),
            last=d(get("Last")),
            bid_size=opt_int(get("BidSize")),
            ask_size=opt_int(get("AskSize")),
            open=d(get("Open")),
            high=d(get("High")),
            low=d(get("Low")),
            close=d(get("Close")),
            previous_close=d(get("PreviousClose")),
            net_change=d(get("NetChange")),
            net_change_pct=d(get("NetChangePct")),
            volume=opt_int(get("Volume")),
            daily_open_interest=opt_int(get("DailyOpenInterest")),
            delta=d(get("Delta")),
            gamma=d(get("Gamma")),
            theta=d(get("Theta")),
            vega=d(get("Vega")),
            rho=d(get("Rho")),
            implied_volatility=d(get("ImpliedVolatility")),
            intrinsic_value=d(get("IntrinsicValue")),
            extrinsic_value=d(get("ExtrinsicValue")),
            theoretical_value=d(get("TheoreticalValue")),
            theoretical_value_iv=d(get("TheoreticalValue_IV")),
            probability_itm=d(get("ProbabilityITM")),
            probability_otm=d(get("ProbabilityOTM")),
            probability_be=d(get("ProbabilityBE")),
            probability_itm_iv=d(get("ProbabilityITM_IV")),
            probability_otm_iv=d(get("ProbabilityOTM_IV")),
            probability_be_iv=d(get("ProbabilityBE_IV")),
            standard_deviation=d(get("StandardDeviation")),
        )

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies the spread across frames: its legs' symbols, in order."""
        return tuple(leg.symbol for leg in self.legs)

    @property
    def symbol(self) -> str:
        """The first leg's symbol (a single contract's own)."""
        return self.legs[0].symbol

    @property
    def contract(self) -> OptionSymbol | None:
        """A single contract's option symbol, read (None for a spread or the underlying)."""
        return self.legs[0].contract if len(self.legs) == 1 else None

    def merge(self, update: OptionSpread) -> OptionSpread:
        """This spread with every field ``update`` carries (non-None, non-empty) taking its
        value; a frame for another spread replaces it."""
        if update.key != self.key:
            return update
        values = {
            name: new if (new := getattr(update, name)) not in (None, ()) else getattr(self, name)
            for name in _SPREAD_FIELDS
        }
        return OptionSpread(**values)


_SPREAD_FIELDS: Final[tuple[str, ...]] = tuple(f.name for f in fields(OptionSpread))

OptionSpreadEvent: TypeAlias = OptionSpread | ControlFrame | StreamErrorFrame


def parse_spread_frame(data: Any) -> OptionSpreadEvent:
    """A chain or option-quotes stream line -> OptionSpread | control | StreamErrorFrame;
    ParseError (counted as malformed by the stream) for anything else."""
    data = frame_object(data)
    if "Legs" in data and "Error" not in data:
        return OptionSpread.from_api(data)
    control = classify_control(data)
    if control is not None:
        return control
    return OptionSpread.from_api(data)


@dataclass(frozen=True, slots=True)
class OptionQuoteLeg:
    """One leg of an option-quotes stream: a contract (or the underlying) and its ratio,
    positive to buy, negative to sell (a butterfly: 1, -2, 1)."""

    symbol: str
    ratio: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if not self.symbol.strip():
            raise ValueError("a leg needs a symbol")
        if not self.ratio.is_finite() or self.ratio == 0:
            raise ValueError(f"{self.symbol}: the ratio must be a number other than 0")

    @classmethod
    def parse(cls, text: str) -> OptionQuoteLeg:
        """``SYMBOL`` or ``SYMBOL:RATIO`` (``MSFT 261218C450:-2``); ValueError otherwise."""
        symbol, sep, ratio_text = text.rpartition(":") if ":" in text else (text, "", "")
        try:
            ratio = Decimal(ratio_text.strip()) if sep else Decimal(1)
        except InvalidOperation:
            raise ValueError(
                f"{text[:60]!r}: the ratio {ratio_text[:20]!r} is not a number"
            ) from None
        return cls(symbol=symbol.strip().upper(), ratio=ratio)


def quote_leg_params(legs: Sequence[OptionQuoteLeg]) -> dict[str, str]:
    """The query of an option-quotes stream: ``legs[0].Symbol``, ``legs[0].Ratio``, ... with
    sequential indexes from zero (the spec's rule)."""
    params: dict[str, str] = {}
    for index, leg in enumerate(legs):
        params[f"legs[{index}].Symbol"] = leg.symbol
        ratio = leg.ratio
        params[f"legs[{index}].Ratio"] = (
            str(int(ratio))
            if ratio == ratio.to_integral_value()
            else format(ratio.normalize(), "f")
        )
    return params
