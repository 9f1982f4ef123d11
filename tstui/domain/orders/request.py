"""Order requests as sent to ``orderconfirm`` / ``orders`` (POST) and replace (PUT).

An `OrderRequest` is always well-formed for the wire: its constructor refuses a shape the API
would reject for structural reasons (non-positive or fractional quantity, a price the order
type does not take or lacks, an invalid OrderConfirmID). Validation of *user input* with
field-level messages lives in `tstui.domain.orders.ticket.parse_ticket`. Import both from the facade
`tstui.domain.orders`.

An order may carry `advanced_options` (trailing stop, activation rules...: see
`tstui.domain.orders.advanced`) and `osos`, the groups sent when it fills (`OrderGroupRequest`,
defined here because a group holds orders and an order holds groups; builders and validation:
`tstui.domain.orders.groups`).

An option order may carry `legs` (`OrderLegRequest`: symbol, quantity, trade action each), the
spec's `Legs`: one leg for a single option, several for a spread filled as one package at the
net `LimitPrice` (negative for a credit). Such an order's `symbol`, `quantity` and
`trade_action` are derived from its legs (the first leg's symbol and action, the number of
spreads: the legs' greatest common quantity) and are not sent: the body carries `Legs` only,
as the spec's spread examples do. Rules for legs (one underlying, option actions, expiry,
order type): `tstui.domain.orders.legs`.

`OrderConfirmID` is the API's duplicate guard: one per order *intent*. `new_order_confirm_id()`
makes a random one for a ticket; `derived_order_confirm_id()` makes a deterministic one (the
roll derives each leg's from the roll id, so a resumed roll reuses it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import secrets
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from tstui.domain.enums import DURATIONS_NEEDING_EXPIRATION, parse_trade_action, valid_trade_actions
from tstui.domain.orders.advanced import AdvancedOptions, opt_number
from tstui.domain.portfolio.positions import Position

__all__ = [
    "DURATIONS",
    "GROUP_TYPES",
    "ORDER_TYPES",
    "TRADE_ACTIONS",
    "OrderGroupRequest",
    "OrderLegRequest",
    "OrderRequest",
    "ReplaceRequest",
    "actions_for",
    "closing_action",
    "derived_order_confirm_id",
    "format_decimal",
    "is_valid_order_confirm_id",
    "new_order_confirm_id",
    "opening_action",
    "order_price",
]

ORDER_TYPES: Final[tuple[str, ...]] = ("Market", "Limit", "StopMarket", "StopLimit")
DURATIONS: Final[tuple[str, ...]] = (
    "DAY", "DYP", "GTC", "GCP", "GTD", "GDP", "OPG", "CLO", "IOC", "FOK", "1", "3", "5",
)  # fmt: skip
TRADE_ACTIONS: Final[tuple[str, ...]] = (
    "BUY", "SELL", "SELLSHORT", "BUYTOCOVER", "BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN",
    "SELLTOCLOSE",
)  # fmt: skip
GROUP_TYPES: Final[tuple[str, ...]] = ("BRK", "OCO", "NORMAL")
_REQUEST_KEYS: Final = frozenset(
    {
        "AccountID", "Symbol", "Quantity", "OrderType", "TradeAction", "TimeInForce",
        "LimitPrice", "StopPrice", "Route", "OrderConfirmID", "AdvancedOptions", "OSOs", "Legs",
    }
)  # fmt: skip
_LEG_KEYS: Final = frozenset({"Symbol", "Quantity", "TradeAction"})
SHARES_PER_CONTRACT: Final = 100
_NEEDS_LIMIT: Final = frozenset({"Limit", "StopLimit"})
_NEEDS_STOP: Final = frozenset({"StopMarket", "StopLimit"})
_CONFIRM_ID_RE: Final = re.compile(r"^[A-Za-z0-9]{1,22}$")
_CONFIRM_ID_LEN: Final = 22
_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

Side = Literal["Long", "Short"]


# -- OrderConfirmID -------------------------------------------------------------------------


def new_order_confirm_id() -> str:
    """A fresh random OrderConfirmID: 22 chars of [A-Za-z0-9] (about 130 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(_CONFIRM_ID_LEN))


def derived_order_confirm_id(*parts: str) -> str:
    """A deterministic OrderConfirmID from `parts` (same parts -> same id), 22 alnum chars."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(_CONFIRM_ID_LEN):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def is_valid_order_confirm_id(value: str) -> bool:
    return bool(_CONFIRM_ID_RE.match(value))


# -- numbers on the wire ----------------------------------------------------------------------


def format_decimal(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 4500.50 -> "4500.5", 1E+2 -> "100"."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def _wire_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the request ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLegRequest:
    """One leg of an option order (spec `OrderRequestLegs`): a contract (or, for a covered
    order, the underlying), how many, and which way (BUYTOOPEN...)."""

    symbol: str
    quantity: Decimal
    trade_action: str

    def to_api(self) -> dict[str, str]:
        return {
            "Symbol": self.symbol,
            "Quantity": format_decimal(self.quantity),
            "TradeAction": self.trade_action,
        }

    @classmethod
    def from_api(cls, data: Any, *, where: str = "") -> OrderLegRequest:
        """Parse one leg; the trade action in any documented spelling ("BuyToOpen"); a
        ValueError names the field (`where` prefixes it, e.g. "Legs[1].")."""
        if not isinstance(data, Mapping):
            name = where.rstrip(".") or "leg"
            raise ValueError(f"{name}: expected an object with Symbol, Quantity and TradeAction")
        unknown = sorted(str(key) for key in data if key not in _LEG_KEYS)
        if unknown:
            raise ValueError(f"{where}{unknown[0][:40]}: not supported by tstui")
        for key in ("Symbol", "Quantity", "TradeAction"):
            if data.get(key) in (None, ""):
                raise ValueError(f"{where}{key}: missing")
        symbol = data["Symbol"]
        if not isinstance(symbol, str) or not symbol.strip():
            raise ValueError(f"{where}Symbol: expected a symbol")
        action = data["TradeAction"]
        if not isinstance(action, str):
            raise ValueError(f"{where}TradeAction: expected a trade action")
        try:
            action = parse_trade_action(action)
        except ValueError:
            raise ValueError(
                f"{where}TradeAction: {action[:40]!r} is not a trade action "
                f"(use {', '.join(TRADE_ACTIONS)})"
            ) from None
        quantity = _field_decimal(data["Quantity"], f"{where}Quantity")
        if quantity <= 0 or quantity != quantity.to_integral_value():
            raise ValueError(f"{where}Quantity: must be a positive whole number")
        return cls(symbol=symbol.strip().upper(), quantity=quantity, trade_action=action)

    @property
    def is_buy(self) -> bool:
        return self.trade_action.startswith("BUY")


def spread_quantity(legs: Sequence[OrderLegRequest]) -> Decimal:
    """How many spreads `legs` are: the greatest common quantity (5 and 10 -> 5 of 1x2). Next
    to option legs, a stock leg counts in 100-share units (a contract's worth: 100 shares and
    one covered call are one package)."""
    from tstui.domain.options.symbology import is_option_symbol  # only for orders with legs

    has_options = any(is_option_symbol(leg.symbol) for leg in legs)
    count = 0
    for leg in legs:
        units = int(leg.quantity)
        if has_options and units % SHARES_PER_CONTRACT == 0 and not is_option_symbol(leg.symbol):
            units //= SHARES_PER_CONTRACT
        count = math.gcd(count, units)
    return Decimal(count)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest:
    """One order as the API takes it (both for orderconfirm and for placement): a single
    symbol, or an option order's `legs` (then symbol, quantity and trade action are derived
    from the legs: see the module docstring)."""

    account_id: str
    symbol: str = ""
    quantity: Decimal = Decimal(0)
    order_type: str
    trade_action: str = ""
    order_confirm_id: str
    duration: str = "DAY"
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    route: str | None = None
    expiration: datetime | None = None
    advanced_options: AdvancedOptions | None = None
    osos: tuple[OrderGroupRequest, ...] = ()
    legs: tuple[OrderLegRequest, ...] = ()

    def __post_init__(self) -> None:
        if self.legs and all(isinstance(leg, OrderLegRequest) for leg in self.legs):
            # The legs are the order: what a single-symbol reader sees is derived from them.
            first = self.legs[0]
            object.__setattr__(self, "symbol", first.symbol)
            object.__setattr__(self, "trade_action", first.trade_action)
            object.__setattr__(self, "quantity", spread_quantity(self.legs))
        problems = _shape_problems(self)
        if problems:
            raise ValueError("invalid order request: " + "; ".join(problems))

    def to_api(self) -> dict[str, Any]:
        """The request body (spec `OrderRequest`): numbers as normalised strings."""
        time_in_force: dict[str, str] = {"Duration": self.duration}
        if self.expiration is not None:
            time_in_force["Expiration"] = _wire_datetime(self.expiration)
        body: dict[str, Any] = {"AccountID": self.account_id}
        if not self.legs:
            body["Symbol"] = self.symbol
            body["Quantity"] = format_decimal(self.quantity)
        body["OrderType"] = self.order_type
        if not self.legs:
            body["TradeAction"] = self.trade_action
        body["TimeInForce"] = time_in_force
        if self.limit_price is not None:
            body["LimitPrice"] = format_decimal(self.limit_price)
        if self.stop_price is not None:
            body["StopPrice"] = format_decimal(self.stop_price)
        if self.route:
            body["Route"] = self.route
        if self.advanced_options is not None and not self.advanced_options.is_empty:
            body["AdvancedOptions"] = self.advanced_options.to_api()
        if self.osos:
            body["OSOs"] = [group.to_api() for group in self.osos]
        if self.legs:
            body["Legs"] = [leg.to_api() for leg in self.legs]
        body["OrderConfirmID"] = self.order_confirm_id
        return body

    @classmethod
    def from_api(
        cls, data: Mapping[str, Any], *, where: str = "", fresh_ids: bool = False
    ) -> OrderRequest:
        """Inverse of `to_api` (journaled requests, `--body` files); raises ValueError.

        The message names the field (`where` prefixes it, e.g. "Orders[1]."). A key tstui does
        not model is refused rather than dropped. With `fresh_ids`, an order without an
        OrderConfirmID gets a new one (a body file written by hand).

        With `Legs`, the legs are the order: a top-level Symbol, Quantity and TradeAction are
        optional (the spec's single-option example names the underlying there) and are not
        sent again (`to_api` sends the legs).
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"{where or 'order'}: expected an object")
        unknown = sorted(str(key) for key in data if key not in _REQUEST_KEYS)
        if unknown:
            raise ValueError(f"{where}{unknown[0][:40]}: not supported by tstui")
        tif = data.get("TimeInForce") or {}
        if not isinstance(tif, Mapping):
            raise ValueError(f"{where}TimeInForce: expected an object")
        raw_legs = data.get("Legs")
        if raw_legs is not None and (not isinstance(raw_legs, list) or not raw_legs):
            raise ValueError(f"{where}Legs: expected a list of legs")
        legs = tuple(
            OrderLegRequest.from_api(leg, where=f"{where}Legs[{i}].")
            for i, leg in enumerate(raw_legs or ())
        )
        required = ("AccountID", "OrderType") if legs else _SINGLE_REQUIRED
        for key in required:
            if data.get(key) in (None, ""):
                raise ValueError(f"{where}{key}: missing")
        confirm_id = data.get("OrderConfirmID")
        if confirm_id in (None, ""):
            if not fresh_ids:
                raise ValueError(f"{where}OrderConfirmID: missing")
            confirm_id = new_order_confirm_id()
        expiration = tif.get("Expiration")
        advanced = data.get("AdvancedOptions")
        osos = data.get("OSOs") or []
        if not isinstance(osos, list):
            raise ValueError(f"{where}OSOs: expected a list")
        try:
            return cls(
                account_id=str(data["AccountID"]),
                symbol="" if legs else str(data["Symbol"]),
                quantity=Decimal(0)
                if legs
                else _field_decimal(data["Quantity"], f"{where}Quantity"),
                order_type=str(data["OrderType"]),
                trade_action="" if legs else str(data["TradeAction"]),
                legs=legs,
                order_confirm_id=str(confirm_id),
                duration=str(tif.get("Duration", "DAY")),
                limit_price=opt_number(data.get("LimitPrice"), f"{where}LimitPrice"),
                stop_price=opt_number(data.get("StopPrice"), f"{where}StopPrice"),
                route=str(data["Route"]) if data.get("Route") else None,
                expiration=(
                    datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
                    if expiration
                    else None
                ),
                advanced_options=(
                    None
                    if advanced is None
                    else AdvancedOptions.from_api(advanced, f"{where}AdvancedOptions")
                ),
                osos=tuple(
                    OrderGroupRequest.from_api(
                        group, where=f"{where}OSOs[{i}].", fresh_ids=fresh_ids
                    )
                    for i, group in enumerate(osos)
                ),
            )
        except (TypeError, InvalidOperation) as exc:
            raise ValueError(f"{where or 'order'}: not an order request body: {exc!r}") from None
        except ValueError as exc:
            text = str(exc)
            if text.startswith("invalid order request"):
                raise ValueError(f"{where or 'order'}: {text}") from None
            raise

    def payload_key(self) -> Hashable:
        """Everything that defines the order except its OrderConfirmID (hashable, comparable).

        The ticket binds "Place" to the key of the previewed request: any edit changes the key
        (the OSO children's ids are left out too, their content is in).
        """
        body = self.to_api()
        del body["OrderConfirmID"]
        tif = body.pop("TimeInForce")
        nested = {key: body.pop(key) for key in ("AdvancedOptions", "OSOs", "Legs") if key in body}
        extra = tuple(
            (key, json.dumps(_without_confirm_ids(value), sort_keys=True))
            for key, value in sorted(nested.items())
        )
        return (
            *sorted(body.items()),
            *sorted(("TimeInForce." + k, v) for k, v in tif.items()),
            *extra,
        )

    @property
    def is_trailing_stop(self) -> bool:
        options = self.advanced_options
        return options is not None and options.trailing_stop is not None

    def all_orders(self) -> tuple[OrderRequest, ...]:
        """This order then every OSO child, depth first (what one placement may send)."""
        found: list[OrderRequest] = [self]
        for group in self.osos:
            for child in group.orders:
                found.extend(child.all_orders())
        return tuple(found)

    def with_changes(self, **changes: Any) -> OrderRequest:
        """A copy with `changes`; keeps the OrderConfirmID only if the payload is unchanged.

        Pass `order_confirm_id=` explicitly to force one.
        """
        updated = dataclasses.replace(self, **changes)
        if "order_confirm_id" in changes or updated.payload_key() == self.payload_key():
            return updated
        return dataclasses.replace(updated, order_confirm_id=new_order_confirm_id())

    @property
    def is_buy(self) -> bool:
        return self.trade_action.startswith("BUY")

    @property
    def is_multi_leg(self) -> bool:
        """More than one leg: a spread (or a covered order) filled as one package."""
        return len(self.legs) > 1


_SINGLE_REQUIRED: Final = ("AccountID", "Symbol", "Quantity", "OrderType", "TradeAction")


def _field_decimal(value: Any, where: str) -> Decimal:
    number = opt_number(value, where)
    if number is None:
        raise ValueError(f"{where}: expected a number, not {str(value)[:40]!r}")
    return number


def _without_confirm_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_confirm_ids(v) for k, v in value.items() if k != "OrderConfirmID"}
    if isinstance(value, list):
        return [_without_confirm_ids(v) for v in value]
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderGroupRequest:
    """A group of orders (spec `GroupOrderRequest`, and the `OSOs` entries of an order).

    `BRK`: the exits of one position (target + stop), linked OCO. `OCO`: one's fill cancels
    (or, partially filled, reduces) the others. `NORMAL`: no link (as an OSO: orders sent when
    the parent fills). Structural shape only is enforced here (a known type, at least one
    order, two for BRK/OCO); side, price and tick checks: `groups.validate_group`.
    """

    type: str
    orders: tuple[OrderRequest, ...]

    def __post_init__(self) -> None:
        if self.type not in GROUP_TYPES:
            raise ValueError(f"Type: unknown group type {self.type!r} (use BRK, OCO or NORMAL)")
        minimum = 1 if self.type == "NORMAL" else 2
        if len(self.orders) < minimum:
            raise ValueError(f"Orders: a {self.type} group needs at least {minimum} orders")

    def to_api(self) -> dict[str, Any]:
        return {"Type": self.type, "Orders": [order.to_api() for order in self.orders]}

    @classmethod
    def from_api(cls, data: Any, *, where: str = "", fresh_ids: bool = False) -> OrderGroupRequest:
        """Parse `{"Type", "Orders"}`; raises ValueError naming the field (prefix `where`)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{where or 'group'}: expected an object with Type and Orders")
        unknown = sorted(str(key) for key in data if key not in ("Type", "Orders"))
        if unknown:
            raise ValueError(f"{where}{unknown[0][:40]}: not supported by tstui")
        orders = data.get("Orders")
        if not isinstance(orders, list):
            raise ValueError(f"{where}Orders: expected a list of orders")
        kind = data.get("Type")
        if not isinstance(kind, str):
            raise ValueError(f"{where}Type: expected BRK, OCO or NORMAL")
        parsed = tuple(
            OrderRequest.from_api(order, where=f"{where}Orders[{i}].", fresh_ids=fresh_ids)
            for i, order in enumerate(orders)
        )
        try:
            return cls(type=kind, orders=parsed)
        except ValueError as exc:
            raise ValueError(f"{where}{exc}") from None

    def payload_key(self) -> Hashable:
        return (self.type, *(order.payload_key() for order in self.orders))

    def all_orders(self) -> tuple[OrderRequest, ...]:
        found: list[OrderRequest] = []
        for order in self.orders:
            found.extend(order.all_orders())
        return tuple(found)


def _shape_problems(req: OrderRequest) -> list[str]:
    problems: list[str] = []
    if not req.account_id:
        problems.append("account_id is empty")
    if not req.symbol:
        problems.append("symbol is empty")
    qty = req.quantity
    if not isinstance(qty, Decimal) or not qty.is_finite() or qty <= 0 or qty != qty.to_integral():
        problems.append(f"quantity must be a positive whole Decimal, not {qty!r}")
    if req.order_type not in ORDER_TYPES:
        problems.append(f"unknown order type {req.order_type!r}")
    if req.trade_action not in TRADE_ACTIONS:
        problems.append(f"unknown trade action {req.trade_action!r}")
    if req.duration not in DURATIONS:
        problems.append(f"unknown duration {req.duration!r}")
    trailing = req.advanced_options is not None and req.advanced_options.trailing_stop is not None
    for name, needed_by in (("limit_price", _NEEDS_LIMIT), ("stop_price", _NEEDS_STOP)):
        price = getattr(req, name)
        # A trailing stop's trigger comes from the market and its offset: no StopPrice needed.
        exempt = trailing and name == "stop_price"
        if req.order_type in needed_by and price is None and not exempt:
            problems.append(f"{req.order_type} needs {name}")
        if req.order_type not in needed_by and price is not None:
            problems.append(f"{req.order_type} takes no {name}")
        if price is not None and (not isinstance(price, Decimal) or not price.is_finite()):
            problems.append(f"{name} must be a finite Decimal")
    for index, leg in enumerate(req.legs):
        if not isinstance(leg, OrderLegRequest):
            problems.append(f"legs[{index}] is not an OrderLegRequest")
            continue
        lq = leg.quantity
        if not isinstance(lq, Decimal) or not lq.is_finite() or lq <= 0 or lq != lq.to_integral():
            problems.append(f"legs[{index}].quantity must be a positive whole Decimal")
        if not leg.symbol:
            problems.append(f"legs[{index}].symbol is empty")
        if leg.trade_action not in TRADE_ACTIONS:
            problems.append(f"legs[{index}]: unknown trade action {leg.trade_action!r}")
    if req.duration in DURATIONS_NEEDING_EXPIRATION and req.expiration is None:
        problems.append(f"{req.duration} needs an expiration")
    if req.expiration is not None and req.expiration.tzinfo is None:
        problems.append("expiration must be timezone-aware")
    if not is_valid_order_confirm_id(req.order_confirm_id):
        problems.append("order_confirm_id must be 1-22 chars of [A-Za-z0-9]")
    return problems


def order_price(req: OrderRequest) -> Decimal | None:
    """The price the order names: limit for Limit/StopLimit, stop for StopMarket, else None."""
    if req.limit_price is not None:
        return req.limit_price
    return req.stop_price


# -- replace ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceRequest:
    """Changes to a working order (spec `OrderReplaceRequest`); at least one field is set."""

    quantity: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    order_type: str | None = None  # the API only allows changing it to "Market"

    def __post_init__(self) -> None:
        if all(v is None for v in (self.quantity, self.limit_price, self.stop_price)) and (
            self.order_type is None
        ):
            raise ValueError("a replace needs at least one changed field")
        qty = self.quantity
        if qty is not None and (not qty.is_finite() or qty <= 0 or qty != qty.to_integral()):
            raise ValueError(f"quantity must be a positive whole number, not {qty}")
        if self.order_type is not None and self.order_type != "Market":
            raise ValueError("an order's type can only be changed to Market")
        for price in (self.limit_price, self.stop_price):
            if price is not None and not price.is_finite():
                raise ValueError("prices must be finite")

    def to_api(self) -> dict[str, str]:
        body: dict[str, str] = {}
        if self.quantity is not None:
            body["Quantity"] = format_decimal(self.quantity)
        if self.limit_price is not None:
            body["LimitPrice"] = format_decimal(self.limit_price)
        if self.stop_price is not None:
            body["StopPrice"] = format_decimal(self.stop_price)
        if self.order_type is not None:
            body["OrderType"] = self.order_type
        return body


# -- actions for positions ------------------------------------------------------------------


def _asset_type(asset_type: str | None) -> str:
    return (asset_type or "STOCK").upper()


def opening_action(side: Side, asset_type: str | None) -> str:
    """Trade action that opens (or adds to) a `side` position: "buy more" / "sell more"."""
    kind = _asset_type(asset_type)
    if kind in ("STOCKOPTION", "INDEXOPTION"):
        return "BUYTOOPEN" if side == "Long" else "SELLTOOPEN"
    if kind == "STOCK":
        return "BUY" if side == "Long" else "SELLSHORT"
    return "BUY" if side == "Long" else "SELL"


def closing_action(position: Position) -> str:
    """Trade action that reduces `position` (a domain Position): the "flatten" ticket's action."""
    kind = _asset_type(position.asset_type)
    is_long = not position.is_short
    if kind in ("STOCKOPTION", "INDEXOPTION"):
        return "SELLTOCLOSE" if is_long else "BUYTOCLOSE"
    if kind == "STOCK":
        return "SELL" if is_long else "BUYTOCOVER"
    return "SELL" if is_long else "BUY"


def actions_for(asset_type: str | None) -> tuple[str, ...]:
    """Trade actions valid for an asset type, in display order (all of them when unknown)."""
    valid = valid_trade_actions(asset_type)
    return tuple(a for a in TRADE_ACTIONS if a in valid) if valid else TRADE_ACTIONS
