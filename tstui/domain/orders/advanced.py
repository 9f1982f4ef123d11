"""An order's `AdvancedOptions` (trailing stop, activation rules, display and routing flags).

The models are lenient on purpose: they hold whatever a form or a body file gave, and
`tstui.domain.orders.groups.validate_order` reports every problem as a field-level issue
(Amount XOR Percent, at most 4 market rules, prices on tick...). `to_api` writes the spec's
shape (`AdvancedOptions` of `OrderRequest`), `from_api` reads it back (ValueError naming the
field on a wrong type).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Final

__all__ = [
    "LOGIC_OPERATORS",
    "MAX_MARKET_RULES",
    "MAX_TIME_RULES",
    "PREDICATES",
    "TRIGGER_KEYS",
    "ActivationTrigger",
    "AdvancedOptions",
    "MarketActivationRule",
    "TimeActivationRule",
    "TrailingStop",
    "opt_number",
]

PREDICATES: Final[tuple[str, ...]] = ("Lt", "Lte", "Gt", "Gte")
TRIGGER_KEYS: Final[tuple[str, ...]] = (
    "STT", "STTN", "SBA", "SAB", "DTT", "DTTN", "DBA", "DAB", "TTT", "TTTN", "TBA", "TAB",
)  # fmt: skip
LOGIC_OPERATORS: Final[tuple[str, ...]] = ("And", "Or")
MAX_MARKET_RULES: Final = 4
MAX_TIME_RULES: Final = 1


def _text(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def opt_number(value: Any, where: str) -> Decimal | None:
    """A body's number field: None when absent or empty, else a finite Decimal (ValueError
    naming ``where`` otherwise). `OrderRequest.from_api` reads its prices with it too."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: expected a number, not {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise ValueError(f"{where}: expected a finite number")
    return number


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError(f"{where}: expected true or false")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailingStop:
    """Trail the stop `amount` (price units) or `percent` behind the best price: exactly one."""

    amount: Decimal | None = None
    percent: Decimal | None = None

    def to_api(self) -> dict[str, str]:
        body: dict[str, str] = {}
        if self.amount is not None:
            body["Amount"] = _text(self.amount)
        if self.percent is not None:
            body["Percent"] = _text(self.percent)
        return body

    @classmethod
    def from_api(cls, data: Any, where: str = "AdvancedOptions.TrailingStop") -> TrailingStop:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected an object")
        return cls(
            amount=opt_number(data.get("Amount"), f"{where}.Amount"),
            percent=opt_number(data.get("Percent"), f"{where}.Percent"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketActivationRule:
    """Hold the order until `symbol`'s price (per `trigger_key`) is `predicate` `price`.

    `logic_operator` ("And"/"Or") links the rule to the previous one; ignored on the first.
    """

    symbol: str
    predicate: str
    price: Decimal
    trigger_key: str = "STT"
    logic_operator: str | None = None
    rule_type: str = "Price"

    def to_api(self) -> dict[str, str]:
        body = {
            "RuleType": self.rule_type,
            "Symbol": self.symbol,
            "Predicate": self.predicate,
            "TriggerKey": self.trigger_key,
            "Price": _text(self.price),
        }
        if self.logic_operator is not None:
            body["LogicOperator"] = self.logic_operator
        return body

    @classmethod
    def from_api(cls, data: Any, where: str) -> MarketActivationRule:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected an object")
        price = opt_number(data.get("Price"), f"{where}.Price")
        if price is None:
            raise ValueError(f"{where}.Price: missing")
        operator = data.get("LogicOperator")
        return cls(
            symbol=str(data.get("Symbol", "")),
            predicate=str(data.get("Predicate", "")),
            price=price,
            trigger_key=str(data.get("TriggerKey", "STT")),
            logic_operator=None if operator is None else str(operator),
            rule_type=str(data.get("RuleType", "Price")),
        )


@dataclass(frozen=True, slots=True)
class TimeActivationRule:
    """Hold the order until this time of day (UTC); the API's date part is not used."""

    time_utc: time

    def to_api(self) -> dict[str, str]:
        # The spec wants an RFC 3339 timestamp whose date part is ignored.
        stamp = datetime.combine(datetime(2000, 1, 1).date(), self.time_utc.replace(tzinfo=None))
        return {"TimeUtc": stamp.strftime("%Y-%m-%dT%H:%M:%SZ")}

    @classmethod
    def from_api(cls, data: Any, where: str) -> TimeActivationRule:
        if not isinstance(data, Mapping) or not isinstance(data.get("TimeUtc"), str):
            raise ValueError(f"{where}.TimeUtc: expected a time such as 2000-01-01T14:30:00Z")
        text = str(data["TimeUtc"]).strip()
        try:
            if "T" in text:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    moment = moment.astimezone(UTC)
                return cls(moment.time().replace(tzinfo=None))
            return cls(time.fromisoformat(text))
        except ValueError:
            raise ValueError(f"{where}.TimeUtc: not a time: {text[:40]!r}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvancedOptions:
    """The request's `AdvancedOptions`; everything optional, empty means "send nothing"."""

    trailing_stop: TrailingStop | None = None
    market_rules: tuple[MarketActivationRule, ...] = ()
    time_rules: tuple[TimeActivationRule, ...] = ()
    show_only_quantity: Decimal | None = None
    all_or_none: bool = False
    add_liquidity: bool = False
    book_only: bool = False
    non_display: bool = False

    @property
    def is_empty(self) -> bool:
        return self.to_api() == {}

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.trailing_stop is not None:
            body["TrailingStop"] = self.trailing_stop.to_api()
        if self.market_rules:
            body["MarketActivationRules"] = [rule.to_api() for rule in self.market_rules]
        if self.time_rules:
            body["TimeActivationRules"] = [rule.to_api() for rule in self.time_rules]
        if self.show_only_quantity is not None:
            body["ShowOnlyQuantity"] = _text(self.show_only_quantity)
        for key, flag in (
            ("AllOrNone", self.all_or_none),
            ("AddLiquidity", self.add_liquidity),
            ("BookOnly", self.book_only),
            ("NonDisplay", self.non_display),
        ):
            if flag:
                body[key] = True
        return body

    @classmethod
    def from_api(cls, data: Any, where: str = "AdvancedOptions") -> AdvancedOptions:
        """Parse a request body's `AdvancedOptions`; an option we do not model is refused."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected an object")
        known = {
            "TrailingStop",
            "MarketActivationRules",
            "TimeActivationRules",
            "ShowOnlyQuantity",
            "AllOrNone",
            "AddLiquidity",
            "BookOnly",
            "NonDisplay",
        }
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            # Never drop an option silently: the user meant it.
            raise ValueError(f"{where}.{unknown[0][:40]}: not supported by tstui")
        trailing = data.get("TrailingStop")
        return cls(
            trailing_stop=(
                None
                if trailing is None
                else TrailingStop.from_api(trailing, f"{where}.TrailingStop")
            ),
            market_rules=tuple(
                MarketActivationRule.from_api(rule, f"{where}.MarketActivationRules[{i}]")
                for i, rule in enumerate(_list(data, "MarketActivationRules", where))
            ),
            time_rules=tuple(
                TimeActivationRule.from_api(rule, f"{where}.TimeActivationRules[{i}]")
                for i, rule in enumerate(_list(data, "TimeActivationRules", where))
            ),
            show_only_quantity=opt_number(
                data.get("ShowOnlyQuantity"), f"{where}.ShowOnlyQuantity"
            ),
            all_or_none=_bool(data.get("AllOrNone", False), f"{where}.AllOrNone"),
            add_liquidity=_bool(data.get("AddLiquidity", False), f"{where}.AddLiquidity"),
            book_only=_bool(data.get("BookOnly", False), f"{where}.BookOnly"),
            non_display=_bool(data.get("NonDisplay", False), f"{where}.NonDisplay"),
        )


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"{where}.{key}: expected a list")
    return value


@dataclass(frozen=True, slots=True)
class ActivationTrigger:
    """One `GET /activationtriggers` entry: the `TriggerKey` and what it means."""

    key: str
    name: str | None
    description: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ActivationTrigger:
        name, description = data.get("Name"), data.get("Description")
        return cls(
            key=str(data.get("Key") or ""),
            name=None if name in (None, "") else str(name),
            description=None if description in (None, "") else str(description),
        )
