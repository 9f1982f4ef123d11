"""Order request parsing: structural problems are 400s, business problems rejections."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from tstui.sim.advanced import (
    NO_ADVANCED,
    TRIGGER_KEYS,
    Advanced,
    PriceRule,
    parse_advanced,
    parse_decimal,
    parse_price_rules,
    parse_time_rules,
    parse_trailing,
)
from tstui.sim.clock import parse_iso
from tstui.sim.errors import BadRequest, NotFound
from tstui.sim.records import DURATIONS, ORDER_TYPES

__all__ = ["BadRequest", "NotFound", "OrderIntent", "ReplaceIntent", "parse_order"]


# The JSON types of the spec's request bodies (OrderRequest, OrderReplaceRequest): "string",
# "boolean", a tuple of allowed strings, an object's fields, or [item] for an array. A value
# of another type (or null: the spec declares no field nullable) is a 400 naming the field;
# fields the spec does not have are ignored.
Shape = str | tuple[Any, ...] | dict[str, Any] | list[Any]
REQUIRED = "*required"  # in an object's shape: the fields it must have
NOT_REQUIRED_WITH = "*not_required_with"  # (field, required fields it makes optional)
_ACTIVATION_RULE: dict[str, Shape] = {
    "RuleType": "string",
    "Symbol": "string",
    "Predicate": "string",
    "TriggerKey": TRIGGER_KEYS,
    "Price": "string",
    "LogicOperator": ("And", "Or"),
}
_TIME_RULE: dict[str, Shape] = {"TimeUtc": "string"}
_TRAILING_STOP: dict[str, Shape] = {"Amount": "string", "Percent": "string"}
_ADVANCED: dict[str, Shape] = {
    "AddLiquidity": "boolean",
    "AllOrNone": "boolean",
    "BookOnly": "boolean",
    "DiscretionaryPrice": "string",
    "MarketActivationRules": [_ACTIVATION_RULE],
    "NonDisplay": "boolean",
    "PegValue": "string",
    "ShowOnlyQuantity": "string",
    "TimeActivationRules": [_TIME_RULE],
    "TrailingStop": _TRAILING_STOP,
}
ORDER_SHAPE: dict[str, Shape] = {
    "AccountID": "string",
    "AdvancedOptions": _ADVANCED,
    "BuyingPowerWarning": "string",
    "Legs": [
        {
            "Quantity": "string",
            "Symbol": "string",
            "TradeAction": "string",
            REQUIRED: ("Symbol", "Quantity", "TradeAction"),
        }
    ],
    "LimitPrice": "string",
    "OrderConfirmID": "string",
    "OrderType": ORDER_TYPES,
    "Quantity": "string",
    "Route": "string",
    "StopPrice": "string",
    "Symbol": "string",
    "TimeInForce": {"Duration": "string", "Expiration": "string", REQUIRED: ("Duration",)},
    "TradeAction": "string",
    REQUIRED: ("AccountID", "TimeInForce", "OrderType", "Quantity", "Symbol", "TradeAction"),
    # a multi-leg order names its symbols, quantities and actions in its Legs (the spec's
    # "Vertical Option Spread" example sends none at the top)
    NOT_REQUIRED_WITH: ("Legs", ("Quantity", "Symbol", "TradeAction")),
}
GROUP_TYPES = ("NORMAL", "BRK", "OCO")
GROUP_SHAPE: dict[str, Shape] = {
    "Orders": [ORDER_SHAPE],
    "Type": GROUP_TYPES,
    REQUIRED: ("Type", "Orders"),
}
ORDER_SHAPE["OSOs"] = [GROUP_SHAPE]
REPLACE_SHAPE: dict[str, Shape] = {
    "LimitPrice": "string",
    "StopPrice": "string",
    "OrderType": "string",
    "Quantity": "string",
    "AdvancedOptions": {
        "ShowOnlyQuantity": "string",
        "TrailingStop": _TRAILING_STOP,
        "MarketActivationRules": {"ClearAll": "boolean", "Rules": [_ACTIVATION_RULE]},
        "TimeActivationRules": {"ClearAll": "boolean", "Rules": [_TIME_RULE]},
    },
}
_MAX_DEPTH = 8  # OSOs nest orders in orders: a body nested deeper is refused, not recursed


def check_shape(value: Any, shape: Shape, where: str, depth: int = 0) -> None:
    """Raise BadRequest naming the first field whose JSON type differs from ``shape``."""
    if depth > _MAX_DEPTH:
        raise BadRequest(f"{where} is nested too deeply.")
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise BadRequest(f"{where or 'The request body'} must be a JSON object.")
        trigger, optional = shape.get(NOT_REQUIRED_WITH, ("", ()))
        waived = optional if trigger in value else ()
        for key in shape.get(REQUIRED, ()):
            if key not in value and key not in waived:
                raise BadRequest(f"{where}.{key} is required." if where else f"{key} is required.")
        for key, inner in shape.items():
            if key not in (REQUIRED, NOT_REQUIRED_WITH) and key in value:
                field = f"{where}.{key}" if where else key
                if value[key] is None:  # the spec declares no field nullable
                    raise BadRequest(f"{field} must not be null.")
                check_shape(value[key], inner, field, depth + 1)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise BadRequest(f"{where} must be an array.")
        for i, item in enumerate(value):
            check_shape(item, shape[0], f"{where}[{i}]", depth + 1)
    elif isinstance(shape, tuple):
        if value not in shape:
            raise BadRequest(f"{where} must be one of {', '.join(shape)}.")
    elif shape == "boolean":
        if not isinstance(value, bool):
            raise BadRequest(f"{where} must be true or false.")
    elif not isinstance(value, str):
        raise BadRequest(f"{where} must be a string.")


@dataclass(frozen=True, slots=True)
class LegIntent:
    """One leg of a multi-leg (option) order, as requested."""

    symbol: str
    quantity: Decimal
    trade_action: str


@dataclass(frozen=True, slots=True)
class OrderIntent:
    account_id: str
    symbol: str
    quantity: Decimal
    order_type: str
    trade_action: str
    duration: str
    limit_price: Decimal | None
    stop_price: Decimal | None
    route: str | None
    confirm_id: str | None
    expiration: datetime | None
    advanced: Advanced = NO_ADVANCED
    # OSOs: groups (type, orders) sent when this order fills
    osos: tuple[tuple[str, tuple[OrderIntent, ...]], ...] = ()
    # a multi-leg order's legs (2 or more; a single leg is read as a plain order): the
    # top-level symbol is the first leg's, the quantity and action are not used
    legs: tuple[LegIntent, ...] = ()


def _text(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"{key} is required.")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRequest(f"{key} has an invalid value.")
    return str(value).strip()


def decimal_field(
    body: dict[str, Any], key: str, *, required: bool = False, where: str = ""
) -> Decimal | None:
    try:
        text = _text(body, key, required=required)
        if text is None or text == "":
            if required:
                raise BadRequest(f"{key} is required.")
            return None
        return parse_decimal(text, key)
    except BadRequest as exc:
        raise BadRequest(f"{where}{exc}") from None


def parse_order(body: Any) -> OrderIntent:
    check_shape(body, ORDER_SHAPE, "")
    return _order(body, "")


def parse_group(body: Any) -> tuple[str, list[OrderIntent]]:
    """``{"Type", "Orders"}`` of /ordergroupconfirm and /ordergroups."""
    check_shape(body, GROUP_SHAPE, "")
    kind, orders = _group(body, "")
    return kind, list(orders)


def _group(group: dict[str, Any], where: str) -> tuple[str, tuple[OrderIntent, ...]]:
    """A (checked) ``{"Type", "Orders"}``: a request's group or one of an order's OSOs."""
    orders = group["Orders"]
    if not orders:
        raise BadRequest(f"{where}Orders must hold at least one order.")
    if group["Type"] in ("BRK", "OCO") and len(orders) < 2:
        raise BadRequest(f"{where}Orders: a {group['Type']} group needs at least two orders.")
    return str(group["Type"]), tuple(
        _order(o, f"{where}Orders[{i}].") for i, o in enumerate(orders)
    )


def _order(body: dict[str, Any], where: str) -> OrderIntent:
    """One order of a (checked) body; ``where`` prefixes the field named in an error."""
    try:
        intent = _fields(body, _legs(body.get("Legs")))
    except BadRequest as exc:
        raise BadRequest(f"{where}{exc}") from None
    advanced = parse_advanced(
        body.get("AdvancedOptions"), f"{where}AdvancedOptions", intent.order_type
    )
    osos = tuple(_group(g, f"{where}OSOs[{i}].") for i, g in enumerate(body.get("OSOs", [])))
    return replace(intent, advanced=advanced, osos=osos)


def _legs(raw: Any) -> tuple[LegIntent, ...]:
    """A (checked) ``Legs`` array; actions in any case (the spec's examples send
    ``BuyToOpen``)."""
    if raw is None:
        return ()
    if not raw:
        raise BadRequest("Legs must hold at least one leg.")
    legs: list[LegIntent] = []
    for i, leg in enumerate(raw):
        quantity = decimal_field(leg, "Quantity", required=True, where=f"Legs[{i}].")
        assert quantity is not None
        symbol = str(leg["Symbol"]).strip().upper()
        legs.append(LegIntent(symbol, quantity, str(leg["TradeAction"]).strip().upper()))
    return tuple(legs)


def _fields(body: dict[str, Any], legs: tuple[LegIntent, ...] = ()) -> OrderIntent:
    account = _text(body, "AccountID") or ""
    if legs:  # the legs say what is traded; a single leg is a plain order
        first = legs[0]
        symbol, quantity, action = first.symbol, first.quantity, first.trade_action
    else:
        symbol = (_text(body, "Symbol") or "").upper()
        found = decimal_field(body, "Quantity", required=True)
        assert found is not None
        quantity = found
        action = (_text(body, "TradeAction") or "").upper()
    order_type = _text(body, "OrderType") or ""
    if order_type not in ORDER_TYPES:
        raise BadRequest(f"OrderType must be one of {', '.join(ORDER_TYPES)}.")
    tif = body.get("TimeInForce")
    if not isinstance(tif, dict) or not isinstance(tif.get("Duration"), str):
        raise BadRequest("TimeInForce.Duration is required.")
    duration = tif["Duration"].upper()
    if duration not in DURATIONS:
        raise BadRequest(f"Duration {duration!r} is not valid.")
    expiration = None
    if duration in ("GTD", "GDP"):
        raw = tif.get("Expiration")
        if not isinstance(raw, str):
            raise BadRequest("TimeInForce.Expiration is required for GTD and GDP orders.")
        try:
            expiration = parse_iso(raw)
        except ValueError:
            raise BadRequest("TimeInForce.Expiration must be an RFC 3339 time.") from None
    confirm_id = _text(body, "OrderConfirmID", required=False)
    if confirm_id is not None and not 1 <= len(confirm_id) <= 22:
        raise BadRequest("OrderConfirmID must be 1 to 22 characters.")
    return OrderIntent(
        account,
        symbol,
        quantity,
        order_type,
        action,
        duration,
        decimal_field(body, "LimitPrice"),
        decimal_field(body, "StopPrice"),
        _text(body, "Route", required=False),
        confirm_id,
        expiration,
        legs=legs if len(legs) > 1 else (),
    )


@dataclass(frozen=True, slots=True)
class ReplaceIntent:
    quantity: Decimal | None
    order_type: str | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    # AdvancedOptions: None leaves the option as it is
    trailing: tuple[Decimal | None, Decimal | None] | None = None
    show_only: Decimal | None = None
    price_rules: tuple[PriceRule, ...] | None = None
    time_rules: tuple[time, ...] | None = None


def _replaced_rules(raw: dict[str, Any], where: str) -> list[Any] | None:
    """``{"ClearAll", "Rules"}``: the new rules (empty to clear), None when unchanged."""
    if raw.get("ClearAll"):
        return []
    return list(raw["Rules"]) if "Rules" in raw else None


def parse_replace(body: Any) -> ReplaceIntent:
    check_shape(body, REPLACE_SHAPE, "")
    order_type = _text(body, "OrderType", required=False)
    if order_type is not None and order_type not in ORDER_TYPES:
        raise BadRequest(f"OrderType must be one of {', '.join(ORDER_TYPES)}.")
    advanced = body.get("AdvancedOptions", {})
    where = "AdvancedOptions"
    trailing = None
    if "TrailingStop" in advanced:
        trailing = parse_trailing(advanced["TrailingStop"], f"{where}.TrailingStop")
    show_only = None
    if "ShowOnlyQuantity" in advanced:
        show_only = decimal_field(advanced, "ShowOnlyQuantity")
        if show_only is None or show_only <= 0 or show_only != show_only.to_integral_value():
            raise BadRequest(f"{where}.ShowOnlyQuantity must be a whole number above zero.")
    price_rules = time_rules = None
    market = _replaced_rules(advanced.get("MarketActivationRules", {}), where)
    if market is not None:
        price_rules = parse_price_rules(market, f"{where}.MarketActivationRules.Rules")
    timed = _replaced_rules(advanced.get("TimeActivationRules", {}), where)
    if timed is not None:
        time_rules = parse_time_rules(timed, f"{where}.TimeActivationRules.Rules")
    intent = ReplaceIntent(
        decimal_field(body, "Quantity"),
        order_type,
        decimal_field(body, "LimitPrice"),
        decimal_field(body, "StopPrice"),
        trailing,
        show_only,
        price_rules,
        time_rules,
    )
    if intent == ReplaceIntent(None, None, None, None):
        raise BadRequest(
            "Nothing to replace: send Quantity, OrderType, LimitPrice, StopPrice or"
            " AdvancedOptions."
        )
    if intent.quantity is not None and intent.quantity <= 0:
        raise BadRequest("Quantity must be positive.")
    return intent
