"""An order's advanced options in the simulator: parsing the request's ``AdvancedOptions``,
the activation triggers, trailing-stop arithmetic and the order's ``AdvancedOptions`` codes.

What is modelled: ``TrailingStop`` (``Amount`` or ``Percent``, StopMarket only), price
activation rules (``MarketActivationRules``, at most 4), time activation rules
(``TimeActivationRules``: a time of day, the date is not used), ``AllOrNone``,
``ShowOnlyQuantity`` (Limit/StopLimit), ``NonDisplay``, ``BookOnly`` (equities on a direct
route) and ``AddLiquidity`` (with ``BookOnly``). ``DiscretionaryPrice`` and ``PegValue`` are
refused with a 400 naming the field, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from tstui.sim.clock import parse_iso
from tstui.sim.errors import BadRequest

MAX_PRICE_RULES = 4
PREDICATES = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
# GET /v3/orderexecution/activationtriggers: (key, name, what must print at the rule's price)
ACTIVATION_TRIGGERS: tuple[tuple[str, str, str], ...] = (
    ("STT", "Single Trade Tick", "one trade at or through the price"),
    ("STTN", "Single Trade Tick Within NBBO", "one trade inside the NBBO at or through the price"),
    ("SBA", "Single Bid/Ask Tick", "one ask (buys) or bid (sells) at or through the price"),
    ("SAB", "Single Ask/Bid Tick", "one bid (buys) or ask (sells) at or through the price"),
    ("DTT", "Double Trade Tick", "two trades in a row at or through the price"),
    ("DTTN", "Double Trade Tick Within NBBO", "two trades in a row inside the NBBO"),
    ("DBA", "Double Bid/Ask Tick", "two asks (buys) or bids (sells) in a row"),
    ("DAB", "Double Ask/Bid Tick", "two bids (buys) or asks (sells) in a row"),
    ("TTT", "Twice Trade Tick", "two trades, not necessarily in a row"),
    ("TTTN", "Twice Trade Tick Within NBBO", "two trades inside the NBBO, not in a row"),
    ("TBA", "Twice Bid/Ask Tick", "two asks (buys) or bids (sells), not necessarily in a row"),
    ("TAB", "Twice Ask/Bid Tick", "two bids (buys) or asks (sells), not necessarily in a row"),
)
TRIGGER_KEYS = tuple(key for key, _, _ in ACTIVATION_TRIGGERS)


def activation_triggers_api() -> dict[str, Any]:
    return {
        "ActivationTriggers": [
            {
                "Key": key,
                "Name": name,
                "Description": f"The rule holds once {what} prints (tick kind: {key}).",
            }
            for key, name, what in ACTIVATION_TRIGGERS
        ]
    }


@dataclass(frozen=True, slots=True)
class PriceRule:
    symbol: str
    predicate: str  # lt | lte | gt | gte
    trigger_key: str
    price: Decimal
    logic: str = "And"  # relation with the previous rule (ignored on the first)

    @property
    def ticks_needed(self) -> int:
        return 1 if self.trigger_key.startswith("S") else 2

    @property
    def consecutive(self) -> bool:
        return self.trigger_key.startswith("D")

    def side_of_quote(self, is_buy: bool) -> str:
        """Which price the rule watches: "last", "bid" or "ask"."""
        kind = self.trigger_key[1:3] if self.trigger_key[1:3] in ("BA", "AB") else "TT"
        if kind == "TT":
            return "last"
        if kind == "BA":
            return "ask" if is_buy else "bid"
        return "bid" if is_buy else "ask"

    def holds(self, value: Decimal) -> bool:
        return {
            "lt": value < self.price,
            "lte": value <= self.price,
            "gt": value > self.price,
            "gte": value >= self.price,
        }[self.predicate]

    def code(self) -> str:
        return f"{self.symbol}{PREDICATES[self.predicate]}{self.price}({self.trigger_key})"

    def to_api(self) -> dict[str, Any]:
        return {
            "RuleType": "Price",
            "Symbol": self.symbol,
            "Predicate": self.predicate.title(),
            "TriggerKey": self.trigger_key,
            "Price": str(self.price),
            "LogicOperator": self.logic,
        }


@dataclass(frozen=True, slots=True)
class Advanced:
    trail_amount: Decimal | None = None
    trail_percent: Decimal | None = None
    price_rules: tuple[PriceRule, ...] = ()
    time_rules: tuple[time, ...] = ()  # times of day, UTC
    all_or_none: bool = False
    show_only: Decimal | None = None
    non_display: bool = False
    book_only: bool = False
    add_liquidity: bool = False

    @property
    def trailing(self) -> bool:
        return self.trail_amount is not None or self.trail_percent is not None

    @property
    def conditional(self) -> bool:
        return bool(self.price_rules or self.time_rules)


NO_ADVANCED = Advanced()


def parse_decimal(raw: Any, where: str) -> Decimal:
    """A finite number from a request field (a 400 naming ``where`` otherwise)."""
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise BadRequest(f"{where} must be a number.") from None
    if not value.is_finite():
        raise BadRequest(f"{where} must be a number.")
    return value


def parse_trailing(raw: dict[str, Any], where: str) -> tuple[Decimal | None, Decimal | None]:
    amount, percent = raw.get("Amount"), raw.get("Percent")
    if amount is not None and percent is not None:
        raise BadRequest(f"{where}: Amount and Percent are mutually exclusive.")
    if amount is None and percent is None:
        raise BadRequest(f"{where} needs Amount or Percent.")
    if amount is not None:
        value = parse_decimal(amount, f"{where}.Amount")
        if value <= 0:
            raise BadRequest(f"{where}.Amount must be greater than zero.")
        return value, None
    value = parse_decimal(percent, f"{where}.Percent")
    if not 0 < value < 100:
        raise BadRequest(f"{where}.Percent must be between 0 and 100.")
    return None, value


def parse_price_rules(raw: list[Any], where: str) -> tuple[PriceRule, ...]:
    if len(raw) > MAX_PRICE_RULES:
        raise BadRequest(f"{where}: at most {MAX_PRICE_RULES} rules.")
    rules: list[PriceRule] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        for key in ("RuleType", "Symbol", "Predicate", "TriggerKey", "Price"):
            if key not in item:
                raise BadRequest(f"{at}.{key} is required.")
        if item["RuleType"] != "Price":
            raise BadRequest(f"{at}.RuleType must be Price.")
        predicate = str(item["Predicate"]).lower()
        if predicate not in PREDICATES:
            raise BadRequest(f"{at}.Predicate must be one of Lt, Lte, Gt, Gte.")
        price = parse_decimal(item["Price"], f"{at}.Price")
        if price <= 0:
            raise BadRequest(f"{at}.Price must be greater than zero.")
        rules.append(
            PriceRule(
                str(item["Symbol"]).strip().upper(),
                predicate,
                str(item["TriggerKey"]),
                price,
                str(item.get("LogicOperator", "And")),
            )
        )
    return tuple(rules)


def parse_time_rules(raw: list[Any], where: str) -> tuple[time, ...]:
    times: list[time] = []
    for i, item in enumerate(raw):
        if "TimeUtc" not in item:
            raise BadRequest(f"{where}[{i}].TimeUtc is required.")
        try:
            stamp = parse_iso(str(item["TimeUtc"]))
        except ValueError:
            raise BadRequest(f"{where}[{i}].TimeUtc must be an RFC 3339 time.") from None
        times.append(stamp.timetz().replace(tzinfo=None))
    return tuple(times)


def parse_advanced(raw: dict[str, Any] | None, where: str, order_type: str) -> Advanced:
    """The request's ``AdvancedOptions`` (types already checked): a 400 naming the field for
    anything the simulator does not model or that does not fit the order type."""
    if not raw:
        return NO_ADVANCED
    for field in ("DiscretionaryPrice", "PegValue"):
        if field in raw:
            raise BadRequest(f"{where}.{field} is not supported by the simulator.")
    trail_amount = trail_percent = None
    if "TrailingStop" in raw:
        if order_type != "StopMarket":
            raise BadRequest(f"{where}.TrailingStop is only valid on StopMarket orders.")
        trail_amount, trail_percent = parse_trailing(raw["TrailingStop"], f"{where}.TrailingStop")
    show_only = None
    if "ShowOnlyQuantity" in raw:
        if order_type not in ("Limit", "StopLimit"):
            raise BadRequest(f"{where}.ShowOnlyQuantity is only valid on Limit and StopLimit.")
        show_only = parse_decimal(raw["ShowOnlyQuantity"], f"{where}.ShowOnlyQuantity")
        if show_only <= 0 or show_only != show_only.to_integral_value():
            raise BadRequest(f"{where}.ShowOnlyQuantity must be a whole number above zero.")
    if raw.get("AddLiquidity") and not raw.get("BookOnly"):
        raise BadRequest(f"{where}.AddLiquidity needs BookOnly.")
    return Advanced(
        trail_amount,
        trail_percent,
        parse_price_rules(raw.get("MarketActivationRules", []), f"{where}.MarketActivationRules"),
        parse_time_rules(raw.get("TimeActivationRules", []), f"{where}.TimeActivationRules"),
        bool(raw.get("AllOrNone", False)),
        show_only,
        bool(raw.get("NonDisplay", False)),
        bool(raw.get("BookOnly", False)),
        bool(raw.get("AddLiquidity", False)),
    )


def instrument_problem(advanced: Advanced, asset_type: str, route: str | None) -> str | None:
    """Options the instrument or route cannot take (a 400 naming the field)."""
    equities_only = (
        ("AllOrNone", advanced.all_or_none),
        ("NonDisplay", advanced.non_display),
        ("BookOnly", advanced.book_only),
        ("AddLiquidity", advanced.add_liquidity),
    )
    for name, used in equities_only:
        if used and asset_type != "STOCK":
            return f"AdvancedOptions.{name} is valid for equities only."
    if advanced.book_only and (route is None or route == "Intelligent"):
        return "AdvancedOptions.BookOnly needs a direct Route (not Intelligent)."
    return None


def first_activation(times: tuple[time, ...], placed: datetime) -> datetime | None:
    """When the time rules allow the order out: every rule's next occurrence of its time of
    day at or after placement, the latest of them (the date of a rule is not used)."""
    if not times:
        return None
    due: list[datetime] = []
    for moment in times:
        at = placed.replace(
            hour=moment.hour, minute=moment.minute, second=moment.second, microsecond=0
        )
        due.append(at if at >= placed.replace(microsecond=0) else at + timedelta(days=1))
    return max(due)


def trail_stop(
    is_buy: bool, best: Decimal, amount: Decimal | None, percent: Decimal | None, tick: Decimal
) -> Decimal:
    """The trigger ``amount`` (or ``percent``) behind the best price, on tick, rounded away
    from the market (a sell's trigger down, a buy's up)."""
    offset = amount if amount is not None else best * (percent or Decimal(0)) / 100
    raw = best + offset if is_buy else best - offset
    rounding = ROUND_CEILING if is_buy else ROUND_FLOOR
    ticks = (raw / tick).to_integral_value(rounding=rounding)
    return max(tick, ticks * tick)


def codes(
    *,
    order_type: str,
    advanced: Advanced,
    group_id: str | None,
) -> str:
    """The order's ``AdvancedOptions`` string, ``;``-terminated codes as TradeStation sends
    them (e.g. ``STPTRG=STT;TRL=5%;``)."""
    parts: list[str] = []
    if order_type in ("StopMarket", "StopLimit"):
        parts.append("STPTRG=STT")
    if advanced.trail_amount is not None:
        parts.append(f"TRL={advanced.trail_amount}")
    if advanced.trail_percent is not None:
        parts.append(f"TRL={advanced.trail_percent}%")
    if group_id is not None:
        parts.append(f"OCA={group_id}")
    if advanced.price_rules:
        text = advanced.price_rules[0].code()
        for rule in advanced.price_rules[1:]:
            text += ("&" if rule.logic == "And" else "|") + rule.code()
        parts.append(f"CND={text}")
    for moment in advanced.time_rules:
        parts.append(f"TIM={moment.strftime('%H:%M:%S')}")
    if advanced.all_or_none:
        parts.append("AON")
    if advanced.show_only is not None:
        parts.append(f"SHWQTY={advanced.show_only}")
    if advanced.non_display:
        parts.append("NON")
    if advanced.book_only:
        parts.append("BKO")
    if advanced.add_liquidity:
        parts.append("PSO")
    return "".join(f"{p};" for p in parts)


def advanced_fields(advanced: Advanced) -> dict[str, Any]:
    """The order object's own fields for the options (TrailingStop, activation rules...)."""
    body: dict[str, Any] = {}
    if advanced.trail_amount is not None:
        body["TrailingStop"] = {"Amount": str(advanced.trail_amount)}
    if advanced.trail_percent is not None:
        body["TrailingStop"] = {"Percent": str(advanced.trail_percent)}
    if advanced.price_rules:
        body["MarketActivationRules"] = [rule.to_api() for rule in advanced.price_rules]
    if advanced.time_rules:
        body["TimeActivationRules"] = [
            {"TimeUtc": f"0001-01-01T{moment.strftime('%H:%M:%S')}Z"}
            for moment in advanced.time_rules
        ]
    if advanced.show_only is not None:
        body["ShowOnlyQuantity"] = str(advanced.show_only)
    return body
