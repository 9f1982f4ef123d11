"""The ticket's bracket section: raw form strings -> the entry with its exits attached (OSO).

`BracketFields` holds what the form shows (strings, like `TicketFields`): a target and a stop
as tick offsets from the entry (or as prices), a trailing stop, and an activation rule for the
entry (a price condition and/or a time of day, UTC). `attach_bracket` turns them into the
domain's models (`build_bracket`, `AdvancedOptions`) and names every problem after the form
field it is about, so the form marks the right input. Nothing here sends anything.

A template (`BracketTemplate`, kept in the config's ``[brackets.<name>]`` tables) fills the
target / stop / trail offsets in ticks: ``es-scalp`` is +8 / -6 ticks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import time
from decimal import Decimal
from typing import Final, Literal

from tstui.config import BracketTemplate
from tstui.domain.market.ticks import increment_at
from tstui.domain.orders import format_decimal
from tstui.domain.orders.advanced import (
    PREDICATES,
    TRIGGER_KEYS,
    AdvancedOptions,
    MarketActivationRule,
    TimeActivationRule,
    TrailingStop,
)
from tstui.domain.orders.groups import ExitSpec, bracket_role, build_bracket
from tstui.domain.orders.request import OrderRequest
from tstui.domain.orders.ticket import FieldError, plain_number
from tstui.ui.trading.types import SymbolInfo

__all__ = [
    "BRACKET_FIELD_LABELS",
    "BracketFields",
    "BracketUnit",
    "attach_bracket",
    "bracket_field_of",
    "from_template",
    "tick_rule",
]

BracketUnit = Literal["ticks", "price"]
BRACKET_FIELD_LABELS: Final[dict[str, str]] = {
    "bracket_target": "Target",
    "bracket_stop": "Stop loss",
    "bracket_trail": "Trail",
    "entry_trail": "Trail",
    "activate_price": "Activate at",
    "activate_time": "Activate time",
}
_PERCENT: Final = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")
_TIME: Final = re.compile(r"^\s*([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?\s*$")


@dataclass(frozen=True, slots=True)
class BracketFields:
    """The bracket section as typed. `enabled` False: a plain order (the other fields kept).

    `target` / `stop` are whole ticks from the entry's price (unit "ticks") or prices (unit
    "price"); empty leaves that exit out. `trail` makes the stop trail by that many ticks (or
    that price amount), or by a percentage ("0.5%"). `activate_*` hold the entry until the
    symbol's price (`activate_key`, e.g. STT: last trade) is `activate_predicate` the price,
    and/or until `activate_time` (HH:MM, UTC).
    """

    enabled: bool = False
    unit: BracketUnit = "ticks"
    entry_trail: str = ""  # a StopMarket entry that trails itself (ticks, or "0.5%")
    target: str = ""
    stop: str = ""
    trail: str = ""
    template: str = ""
    activate_key: str = ""
    activate_predicate: str = "Gte"
    activate_price: str = ""
    activate_time: str = ""

    @property
    def shapes_entry(self) -> bool:
        """Anything here changes the order sent: exits, an activation rule or a trail."""
        return self.enabled or self.has_activation or bool(self.entry_trail.strip())

    @property
    def has_activation(self) -> bool:
        return bool(self.activate_key and self.activate_price.strip()) or bool(
            self.activate_time.strip()
        )


def from_template(fields: BracketFields, template: BracketTemplate) -> BracketFields:
    """`fields` with the template's offsets (in ticks); the activation rule is kept."""

    def ticks(value: int | None) -> str:
        return "" if value is None else str(value)

    return replace(
        fields,
        enabled=True,
        unit="ticks",
        target=ticks(template.target_ticks),
        stop=ticks(template.stop_ticks),
        trail=ticks(template.trail_ticks),
        template=template.name,
    )


def tick_rule(info: SymbolInfo | None) -> Callable[[Decimal], Decimal | None] | None:
    """The symbol's tick increment at any price (None when the symbol is unknown)."""
    detail = info.detail if info is not None else None
    if detail is None:
        return None
    price_format = detail.price_format

    def at(price: Decimal) -> Decimal | None:
        return increment_at(price_format, price)

    return at


def _exit(text: str, unit: BracketUnit, field: str, issues: list[FieldError]) -> ExitSpec | None:
    text = text.strip()
    if not text:
        return None
    label = BRACKET_FIELD_LABELS[field]
    value = plain_number(text.lstrip("+-") if unit == "ticks" else text)
    if value is None:
        issues.append(FieldError(field, f"{label}: {text[:20]!r} is not a number"))
        return None
    if unit == "price":
        if value <= 0:
            issues.append(FieldError(field, f"{label}: the price must be positive"))
            return None
        return ExitSpec.at(value)
    if value != value.to_integral_value() or value <= 0:
        issues.append(FieldError(field, f"{label}: a whole number of ticks above 0"))
        return None
    return ExitSpec.ticks(int(value))


def _trailing(
    text: str, unit: BracketUnit, info: SymbolInfo | None, base: Decimal | None,
    issues: list[FieldError], field: str = "bracket_trail",
) -> TrailingStop | None:  # fmt: skip
    text = text.strip()
    if not text:
        return None
    percent = _PERCENT.match(text)
    if percent is not None:
        share = Decimal(percent.group(1))
        if not 0 < share < 100:
            issues.append(FieldError(field, "Trail: a percentage between 0 and 100"))
            return None
        return TrailingStop(percent=share)
    value = plain_number(text)
    if value is None or value <= 0:
        issues.append(FieldError(field, f"Trail: {text[:20]!r} is not a positive number (or %)"))
        return None
    if unit == "price":
        return TrailingStop(amount=value)
    if value != value.to_integral_value():
        issues.append(FieldError(field, "Trail: a whole number of ticks (or a %)"))
        return None
    rule = tick_rule(info)
    if base is None:
        issues.append(FieldError(field, "Trail in ticks needs a price to count from (no last)"))
        return None
    increment = rule(base) if rule is not None else None
    if increment is None:
        issues.append(FieldError(field, "Trail in ticks needs the symbol's tick size"))
        return None
    return TrailingStop(amount=increment * value)


def _activation(
    fields: BracketFields, symbol: str, issues: list[FieldError]
) -> AdvancedOptions | None:
    market: list[MarketActivationRule] = []
    timed: list[TimeActivationRule] = []
    price_text = fields.activate_price.strip()
    if fields.activate_key and price_text:
        price = plain_number(price_text)
        if fields.activate_key not in TRIGGER_KEYS:
            issues.append(FieldError("activate_price", "Activate at: unknown trigger"))
        elif fields.activate_predicate not in PREDICATES:
            issues.append(FieldError("activate_price", "Activate at: unknown comparison"))
        elif price is None or price <= 0:
            issues.append(FieldError("activate_price", "Activate at: not a positive price"))
        else:
            market.append(
                MarketActivationRule(
                    symbol=symbol,
                    predicate=fields.activate_predicate,
                    price=price,
                    trigger_key=fields.activate_key,
                )
            )
    elif price_text:
        issues.append(FieldError("activate_price", "Activate at: choose a trigger (STT: last)"))
    time_text = fields.activate_time.strip()
    if time_text:
        match = _TIME.match(time_text)
        if match is None:
            issues.append(FieldError("activate_time", "Activate time: HH:MM (UTC)"))
        else:
            hour, minute, second = (int(g) if g else 0 for g in match.groups())
            timed.append(TimeActivationRule(time(hour, minute, second)))
    if not market and not timed:
        return None
    return AdvancedOptions(market_rules=tuple(market), time_rules=tuple(timed))


def bracket_field_of(path: str) -> str:
    """The form field an issue's API path is about (``OSOs[0].Orders[1].StopPrice`` ->
    ``bracket_stop``); plain ticket field names pass through."""
    if "ActivationRules" in path:
        return "activate_time" if "Time" in path else "activate_price"
    if path.startswith("AdvancedOptions.TrailingStop"):
        return "entry_trail"
    if path.startswith("OSOs["):
        if "TrailingStop" in path:
            return "bracket_trail"
        role = bracket_role(path)
        return "bracket_target" if role == "target" else "bracket_stop"
    return path


def attach_bracket(
    entry: OrderRequest, fields: BracketFields, info: SymbolInfo | None
) -> tuple[OrderRequest | None, list[FieldError]]:
    """The entry with its activation rule and (when enabled) its exits; errors name fields.

    The entry's OrderConfirmID is kept; the exits' derive from it (one intent, one id tree).
    """
    issues: list[FieldError] = []
    request = entry
    options = _activation(fields, entry.symbol, issues)
    if fields.entry_trail.strip():  # the entry itself trails (a StopMarket: no exits needed)
        base = entry.stop_price or (info.last if info is not None else None)
        trail = _trailing(fields.entry_trail, "ticks", info, base, issues, "entry_trail")
        if trail is not None:
            options = replace(options or AdvancedOptions(), trailing_stop=trail)
    if options is not None:
        request = request.with_changes(
            advanced_options=options, order_confirm_id=entry.order_confirm_id
        )
    if not fields.enabled:
        return (None if issues else request), issues
    last = info.last if info is not None else None
    base = entry.limit_price or entry.stop_price or last
    target = _exit(fields.target, fields.unit, "bracket_target", issues)
    stop = _exit(fields.stop, fields.unit, "bracket_stop", issues)
    trailing = _trailing(fields.trail, fields.unit, info, base, issues)
    if issues:
        return None, issues
    if target is None and stop is None and trailing is None:
        return None, [FieldError("bracket_target", "Bracket: give a target, a stop or a trail")]
    try:
        built = build_bracket(
            request,
            target=target,
            stop=stop,
            trailing=trailing,
            increment=tick_rule(info),
            reference_price=last,
        )
    except ValueError as exc:
        return None, [FieldError("bracket_target", f"Bracket: {exc}")]
    return built, issues


def _trail_text(trailing: TrailingStop) -> str:
    if trailing.amount is not None:
        return format_decimal(trailing.amount)
    return f"{format_decimal(trailing.percent or Decimal(0))}%"


def describe_group(request: OrderRequest, info: SymbolInfo | None) -> list[str]:
    """Every order the placement sends, the entry first, each exit with its distance from the
    entry in ticks and in money (quantity x point value), then the bracket's reward / risk."""
    entry_price = request.limit_price or request.stop_price or (info.last if info else None)
    point = (info.point_value if info is not None else None) or Decimal(1)
    rule = tick_rule(info)
    increment = rule(entry_price) if rule is not None and entry_price is not None else None
    own_price = request.limit_price or request.stop_price
    at = f" @ {format_decimal(own_price)}" if own_price is not None else ""
    lines = [
        f"Entry  {request.trade_action} {format_decimal(request.quantity)} {request.symbol} "
        f"{request.order_type}{at} {request.duration}"
    ]
    options = request.advanced_options
    if options is not None:
        for rule_ in options.market_rules:
            lines.append(
                f"  held until {rule_.trigger_key} {rule_.predicate} {format_decimal(rule_.price)}"
            )
        for timed in options.time_rules:
            lines.append(f"  held until {timed.time_utc.strftime('%H:%M:%S')} UTC")
        if options.trailing_stop is not None:
            lines.append(f"  trailing {_trail_text(options.trailing_stop)} behind the market")
    money: dict[str, Decimal] = {}
    for group in request.osos:
        for child in group.orders:
            role = "target" if child.order_type == "Limit" else "stop"
            price = child.limit_price if role == "target" else child.stop_price
            parts = [f"  {role:<6} {child.trade_action} {format_decimal(child.quantity)}"]
            if price is not None:
                parts.append(f"@ {format_decimal(price)}")
            if price is not None and entry_price is not None:
                distance = price - entry_price
                if increment:
                    parts.append(f"{distance / increment:+.0f} ticks")
                amount = abs(distance) * child.quantity * point
                money[role] = amount
                parts.append(f"{'+' if role == 'target' else '-'}{format_decimal(amount)}")
            trailing = child.advanced_options.trailing_stop if child.advanced_options else None
            if trailing is not None:
                parts.append(f"trailing {_trail_text(trailing)}")
            parts.append(f"({child.order_type}, {group.type})")
            lines.append(" ".join(parts))
    if "target" in money and "stop" in money and money["stop"] > 0:
        ratio = money["target"] / money["stop"]
        lines.append(
            f"  reward {format_decimal(money['target'])} / risk {format_decimal(money['stop'])}"
            f" (ratio {ratio:.2f})"
        )
    return lines
