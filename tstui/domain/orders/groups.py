"""Order groups, OSO brackets and advanced options: building them and checking them (pure).

The models (import them from `tstui.domain.orders`):

- `OrderGroupRequest(type="BRK"|"OCO"|"NORMAL", orders=(...))`: body of `ordergroupconfirm` /
  `ordergroups`, and one entry of an order's `OSOs`. `to_api()` / `from_api(body)`.
- `OrderRequest(..., osos=(group, ...), advanced_options=AdvancedOptions(...))`: an order with
  children sent when it fills and its advanced options (`TrailingStop(amount=|percent=)`,
  `MarketActivationRule`, `TimeActivationRule`, `show_only_quantity`, `all_or_none`,
  `add_liquidity`, `book_only`, `non_display`).
- `parse_body(json_mapping)` -> `OrderRequest | OrderGroupRequest`: a user's body file in
  TradeStation's JSON (a group when it has `Type` + `Orders`); ValueError naming the field.

Building a bracket (`ExitSpec.ticks(8)` or `ExitSpec.at(Decimal("4510.25"))`):

- `build_bracket(entry, target=, stop=, increment=, reference_price=)` -> the entry carrying one
  OSO: a `BRK` group (target Limit + stop StopMarket, or a trailing stop) or, with one exit
  only, a `NORMAL` group. Offsets in ticks count from the entry's price (limit, else stop,
  else `reference_price` for a market entry), towards profit for the target and towards loss
  for the stop. Children's OrderConfirmIDs derive from the entry's (a resend reuses them).
- `build_exit_bracket(account_id=, symbol=, position_quantity=, ...)` -> a `BRK` group that
  closes an existing position (signed quantity: negative is short), offsets from
  `reference_price` (usually the position's average price or last).

Checking (never raises; returns `FieldError`s like the ticket, "error" blocks):

- `validate_order(req, increment=, reference_price=, asset_type=)`: one order and, recursively,
  its OSOs; `validate_group(group, ..., position_quantity=)`: a group body.
- Findings name the field as an API path: "LimitPrice", "OSOs[0].Orders[1].StopPrice",
  "Orders[0].AdvancedOptions.TrailingStop", "OSOs[0].Orders[0].Quantity"... and `check` names
  the rule: "off_tick", "wrong_side", "exit_side", "exit_quantity", "exit_symbol",
  "trailing_stop", "activation_rule", "show_only_quantity", "equity_only", "group_shape".
  `bracket_role(path)` tells "entry", "target" or "stop" for a built bracket's paths.

Rules: prices on the tick (`increment` is a Decimal, a function price -> increment for a
schedule, or None when unknown); a bracket's exits are on the other side of the entry, on the
same symbol, for no more than the entry's quantity; a target above a long entry (below a short
one), a stop below it (above); a trailing stop needs no StopPrice and takes Amount XOR Percent;
at most 4 market activation rules and 1 time rule; ShowOnlyQuantity positive, at most the
quantity (a multiple of 100 for stocks).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from tstui.domain.market.ticks import is_on_tick, step
from tstui.domain.orders.advanced import (
    LOGIC_OPERATORS,
    MAX_MARKET_RULES,
    MAX_TIME_RULES,
    PREDICATES,
    TRIGGER_KEYS,
    AdvancedOptions,
    TrailingStop,
)
from tstui.domain.orders.request import (
    OrderGroupRequest,
    OrderRequest,
    derived_order_confirm_id,
    format_decimal,
    new_order_confirm_id,
)
from tstui.domain.orders.ticket import FieldError, off_tick_message

__all__ = [
    "ExitSpec",
    "TickRule",
    "bracket_role",
    "build_bracket",
    "build_exit_bracket",
    "exit_action",
    "group_orders",
    "increment_for",
    "parse_body",
    "validate_group",
    "validate_order",
]

# A tick increment: one for every price, one per price (an increment schedule), or unknown.
TickRule = Decimal | Callable[[Decimal], Decimal | None] | None

_EXIT_OF: Final[Mapping[str, str]] = {
    "BUY": "SELL",
    "SELL": "BUY",
    "SELLSHORT": "BUYTOCOVER",
    "BUYTOOPEN": "SELLTOCLOSE",
    "SELLTOOPEN": "BUYTOCLOSE",
}
_EQUITY_ONLY: Final = (
    ("add_liquidity", "AddLiquidity"),
    ("book_only", "BookOnly"),
    ("non_display", "NonDisplay"),
)
_ROLE_RE: Final = re.compile(r"^OSOs\[0\]\.Orders\[(\d+)\]\.")


def increment_for(rule: TickRule, price: Decimal) -> Decimal | None:
    """The increment `rule` gives at `price`."""
    if rule is None or isinstance(rule, Decimal):
        return rule
    return rule(price)


# -- building ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExitSpec:
    """Where an exit goes: `offset_ticks` from the entry (positive, the direction is implied by
    target/stop and the side) or an absolute `price`. Exactly one is set."""

    offset_ticks: int | None = None
    price: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.offset_ticks is None) == (self.price is None):
            raise ValueError("an exit is either a tick offset or a price")
        if self.offset_ticks is not None and self.offset_ticks <= 0:
            raise ValueError(f"a tick offset must be positive, not {self.offset_ticks}")

    @classmethod
    def ticks(cls, count: int) -> ExitSpec:
        return cls(offset_ticks=count)

    @classmethod
    def at(cls, price: Decimal) -> ExitSpec:
        return cls(price=price)

    def resolve(self, base: Decimal | None, direction: int, rule: TickRule) -> Decimal:
        """The price: `base` moved `direction` (+1 up, -1 down) by the ticks, or `price`."""
        if self.price is not None:
            return self.price
        assert self.offset_ticks is not None
        if base is None:
            raise ValueError("a tick offset needs the entry's price (or a last price)")
        increment = increment_for(rule, base)
        if increment is None:
            raise ValueError("a tick offset needs the symbol's tick size")
        return step(base, direction * self.offset_ticks, increment)


def exit_action(entry_action: str) -> str:
    """The trade action that closes what `entry_action` opens (BUY -> SELL, SELLSHORT ->
    BUYTOCOVER, BUYTOOPEN -> SELLTOCLOSE...); ValueError for a closing action."""
    try:
        return _EXIT_OF[entry_action]
    except KeyError:
        raise ValueError(f"{entry_action} closes a position: it cannot carry a bracket") from None


def _entry_price(entry: OrderRequest, reference_price: Decimal | None) -> Decimal | None:
    if entry.limit_price is not None:
        return entry.limit_price
    if entry.stop_price is not None:
        return entry.stop_price
    return reference_price


def _exit_orders(
    *,
    account_id: str,
    symbol: str,
    quantity: Decimal,
    action: str,
    exits_long: bool,
    base: Decimal | None,
    target: ExitSpec | None,
    stop: ExitSpec | None,
    trailing: TrailingStop | None,
    increment: TickRule,
    duration: str,
    confirm_root: str,
    route: str | None,
) -> OrderGroupRequest:
    if target is None and stop is None and trailing is None:
        raise ValueError("a bracket needs a target, a stop or a trailing stop")
    up = 1 if exits_long else -1  # the target's direction from the entry
    orders: list[OrderRequest] = []
    if target is not None:
        orders.append(
            OrderRequest(
                account_id=account_id,
                symbol=symbol,
                quantity=quantity,
                order_type="Limit",
                trade_action=action,
                limit_price=target.resolve(base, up, increment),
                duration=duration,
                route=route,
                order_confirm_id=derived_order_confirm_id(confirm_root, "target"),
            )
        )
    if stop is not None or trailing is not None:
        orders.append(
            OrderRequest(
                account_id=account_id,
                symbol=symbol,
                quantity=quantity,
                order_type="StopMarket",
                trade_action=action,
                stop_price=None if stop is None else stop.resolve(base, -up, increment),
                duration=duration,
                route=route,
                advanced_options=None
                if trailing is None
                else AdvancedOptions(trailing_stop=trailing),
                order_confirm_id=derived_order_confirm_id(confirm_root, "stop"),
            )
        )
    return OrderGroupRequest(type="BRK" if len(orders) == 2 else "NORMAL", orders=tuple(orders))


def build_bracket(
    entry: OrderRequest,
    *,
    target: ExitSpec | None = None,
    stop: ExitSpec | None = None,
    trailing: TrailingStop | None = None,
    increment: TickRule = None,
    reference_price: Decimal | None = None,
    exit_duration: str | None = None,
) -> OrderRequest:
    """`entry` with its exits attached as an OSO (replacing any OSOs it had).

    Both exits -> one `BRK` group (linked OCO once sent); one exit -> a `NORMAL` group.
    `trailing` makes the stop a trailing stop (with `stop`, its StopPrice is the initial
    trigger; without, the trail alone sets it). Raises ValueError when the exits cannot be
    placed (no price to count ticks from, a closing entry). Check the result with
    `validate_order`.
    """
    action = exit_action(entry.trade_action)
    group = _exit_orders(
        account_id=entry.account_id,
        symbol=entry.symbol,
        quantity=entry.quantity,
        action=action,
        exits_long=entry.is_buy,
        base=_entry_price(entry, reference_price),
        target=target,
        stop=stop,
        trailing=trailing,
        increment=increment,
        duration=exit_duration or entry.duration,
        confirm_root=entry.order_confirm_id,
        route=entry.route,
    )
    return entry.with_changes(osos=(group,), order_confirm_id=entry.order_confirm_id)


def build_exit_bracket(
    *,
    account_id: str,
    symbol: str,
    position_quantity: Decimal,
    asset_type: str | None = None,
    target: ExitSpec | None = None,
    stop: ExitSpec | None = None,
    trailing: TrailingStop | None = None,
    reference_price: Decimal | None = None,
    increment: TickRule = None,
    duration: str = "GTC",
    quantity: Decimal | None = None,
    confirm_id: str | None = None,
    route: str | None = None,
) -> OrderGroupRequest:
    """A `BRK` group (or a lone exit as `NORMAL`) closing a position already held.

    `position_quantity` is signed (negative: short); `quantity` defaults to all of it. Offsets
    count from `reference_price`. Raises ValueError for a flat position.
    """
    if position_quantity == 0:
        raise ValueError("no position to bracket")
    exits_long = position_quantity > 0
    kind = (asset_type or "").upper()
    if kind == "STOCK":
        action = "SELL" if exits_long else "BUYTOCOVER"
    elif kind in ("STOCKOPTION", "INDEXOPTION"):
        action = "SELLTOCLOSE" if exits_long else "BUYTOCLOSE"
    else:
        action = "SELL" if exits_long else "BUY"
    size = abs(position_quantity) if quantity is None else quantity
    return _exit_orders(
        account_id=account_id,
        symbol=symbol,
        quantity=size,
        action=action,
        exits_long=exits_long,
        base=reference_price,
        target=target,
        stop=stop,
        trailing=trailing,
        increment=increment,
        duration=duration,
        confirm_root=confirm_id or new_order_confirm_id(),
        route=route,
    )


def parse_body(data: Any, *, fresh_ids: bool = True) -> OrderRequest | OrderGroupRequest:
    """A body in TradeStation's JSON: a group (`Type` + `Orders`) or one order (maybe with
    OSOs). Missing OrderConfirmIDs get fresh ones unless `fresh_ids` is False. ValueError
    names the field."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise ValueError("expected a JSON object (an order, or a group with Type and Orders)")
    if "Orders" in data or "Type" in data:
        return OrderGroupRequest.from_api(data, fresh_ids=fresh_ids)
    return OrderRequest.from_api(data, fresh_ids=fresh_ids)


def group_orders(body: OrderRequest | OrderGroupRequest) -> tuple[OrderRequest, ...]:
    """Every order a body may send, parents before children."""
    return body.all_orders()


def bracket_role(path: str) -> str:
    """ "entry", "target" or "stop" for a field path of a `build_bracket` result."""
    match = _ROLE_RE.match(path)
    if match is None:
        return "entry"
    return "target" if path.endswith("LimitPrice") else "stop" if "Stop" in path else "exit"


# -- checking ---------------------------------------------------------------------------------


def _tick_issues(req: OrderRequest, rule: TickRule, where: str) -> list[FieldError]:
    issues: list[FieldError] = []
    for key, price in (("LimitPrice", req.limit_price), ("StopPrice", req.stop_price)):
        if price is None:
            continue
        increment = increment_for(rule, price)
        if increment is not None and not is_on_tick(price, increment):
            issues.append(
                FieldError(f"{where}{key}", off_tick_message(price, increment), "error", "off_tick")
            )
    return issues


def _advanced_issues(
    req: OrderRequest, rule: TickRule, asset_type: str | None, where: str
) -> list[FieldError]:
    options = req.advanced_options
    if options is None:
        return []
    issues: list[FieldError] = []
    base = f"{where}AdvancedOptions."

    def add(path: str, message: str, check: str) -> None:
        issues.append(FieldError(base + path, message, "error", check))

    trailing = options.trailing_stop
    if trailing is not None:
        if (trailing.amount is None) == (trailing.percent is None):
            add(
                "TrailingStop",
                "A trailing stop takes Amount or Percent (exactly one)",
                "trailing_stop",
            )
        if trailing.amount is not None:
            if trailing.amount <= 0:
                add("TrailingStop.Amount", "The trailing amount must be positive", "trailing_stop")
            elif req.stop_price is not None or req.limit_price is not None:
                anchor = req.stop_price or req.limit_price
                assert anchor is not None
                increment = increment_for(rule, anchor)
                if increment is not None and not is_on_tick(trailing.amount, increment):
                    add(
                        "TrailingStop.Amount",
                        f"The trailing amount {format_decimal(trailing.amount)} is not a whole "
                        f"number of {format_decimal(increment)} ticks",
                        "off_tick",
                    )
        if trailing.percent is not None and not (0 < trailing.percent < 100):
            add(
                "TrailingStop.Percent",
                "The trailing percent must be between 0 and 100",
                "trailing_stop",
            )
        if req.order_type != "StopMarket":
            issues.append(
                FieldError(
                    f"{where}OrderType",
                    f"A trailing stop is a StopMarket order, not {req.order_type}",
                    "error",
                    "trailing_stop",
                )
            )
    if len(options.market_rules) > MAX_MARKET_RULES:
        add(
            "MarketActivationRules",
            f"At most {MAX_MARKET_RULES} market activation rules "
            f"({len(options.market_rules)} given)",
            "activation_rule",
        )
    for index, market_rule in enumerate(options.market_rules):
        at = f"MarketActivationRules[{index}]."
        if market_rule.rule_type != "Price":
            add(at + "RuleType", "The only rule type is Price", "activation_rule")
        if not market_rule.symbol:
            add(at + "Symbol", "A market rule needs a symbol", "activation_rule")
        if market_rule.predicate not in PREDICATES:
            add(at + "Predicate", "Use Lt, Lte, Gt or Gte", "activation_rule")
        if market_rule.trigger_key not in TRIGGER_KEYS:
            add(
                at + "TriggerKey",
                f"Unknown trigger key; use one of {', '.join(TRIGGER_KEYS)}",
                "activation_rule",
            )
        if (
            market_rule.logic_operator is not None
            and market_rule.logic_operator not in LOGIC_OPERATORS
        ):
            add(at + "LogicOperator", "Use And or Or", "activation_rule")
        if index > 0 and market_rule.logic_operator is None:
            add(
                at + "LogicOperator",
                "Say And or Or to link this rule to the previous one",
                "activation_rule",
            )
        if market_rule.symbol == req.symbol:
            increment = increment_for(rule, market_rule.price)
            if increment is not None and not is_on_tick(market_rule.price, increment):
                add(
                    at + "Price",
                    f"{format_decimal(market_rule.price)} is not on the "
                    f"{format_decimal(increment)} tick",
                    "off_tick",
                )
    if len(options.time_rules) > MAX_TIME_RULES:
        add(
            "TimeActivationRules",
            f"At most {MAX_TIME_RULES} time activation rule",
            "activation_rule",
        )
    shown = options.show_only_quantity
    if shown is not None:
        if shown <= 0 or shown != shown.to_integral_value():
            add(
                "ShowOnlyQuantity",
                "Show-only quantity must be a positive whole number",
                "show_only_quantity",
            )
        elif shown > req.quantity:
            add(
                "ShowOnlyQuantity",
                "Show-only quantity is above the order's quantity",
                "show_only_quantity",
            )
        elif (asset_type or "").upper() == "STOCK" and shown % 100 != 0:
            add(
                "ShowOnlyQuantity",
                "For stocks, show-only quantity is a multiple of 100",
                "show_only_quantity",
            )
        if req.order_type not in ("Limit", "StopLimit"):
            add(
                "ShowOnlyQuantity",
                "Show-only quantity applies to Limit and StopLimit orders",
                "show_only_quantity",
            )
    kind = (asset_type or "").upper()
    if kind and kind != "STOCK":
        for attribute, key in _EQUITY_ONLY:
            if getattr(options, attribute):
                add(key, f"{key} is for equities only", "equity_only")
        if options.all_or_none and kind not in ("STOCKOPTION", "INDEXOPTION"):
            add("AllOrNone", "AllOrNone is for equities and options only", "equity_only")
    if options.add_liquidity and not options.book_only:
        add("AddLiquidity", "AddLiquidity needs BookOnly", "equity_only")
    return issues


def _side_issues(
    exit_order: OrderRequest,
    anchor: Decimal | None,
    exits_long: bool,
    where: str,
    anchor_name: str,
) -> list[FieldError]:
    """A long's target above `anchor` and its stop below it (a short's the other way)."""
    if anchor is None:
        return []
    issues: list[FieldError] = []
    side = "long" if exits_long else "short"
    if exit_order.order_type == "Limit" and exit_order.limit_price is not None:
        price = exit_order.limit_price
        wrong = price <= anchor if exits_long else price >= anchor
        if wrong:
            relation = "above" if exits_long else "below"
            issues.append(
                FieldError(
                    f"{where}LimitPrice",
                    f"Target {format_decimal(price)} must be {relation} the {anchor_name} "
                    f"{format_decimal(anchor)} for a {side}: it would fill at once",
                    "error",
                    "wrong_side",
                )
            )
    if exit_order.stop_price is not None:
        price = exit_order.stop_price
        wrong = price >= anchor if exits_long else price <= anchor
        if wrong:
            relation = "below" if exits_long else "above"
            issues.append(
                FieldError(
                    f"{where}StopPrice",
                    f"Stop {format_decimal(price)} must be {relation} the {anchor_name} "
                    f"{format_decimal(anchor)} for a {side}: it would trigger at once",
                    "error",
                    "wrong_side",
                )
            )
    return issues


def _exit_group_issues(
    group: OrderGroupRequest,
    *,
    symbol: str,
    exit_is_buy: bool,
    max_quantity: Decimal | None,
    anchor: Decimal | None,
    anchor_name: str,
    where: str,
) -> list[FieldError]:
    issues: list[FieldError] = []
    for index, order in enumerate(group.orders):
        at = f"{where}Orders[{index}]."
        if order.symbol != symbol:
            issues.append(
                FieldError(
                    f"{at}Symbol",
                    f"A bracket's exits trade {symbol}, not {order.symbol}",
                    "error",
                    "exit_symbol",
                )
            )
        if order.is_buy != exit_is_buy:
            issues.append(
                FieldError(
                    f"{at}TradeAction",
                    f"A bracket's exits {'buy' if exit_is_buy else 'sell'}: "
                    f"{order.trade_action} would add to the position",
                    "error",
                    "exit_side",
                )
            )
            continue
        if max_quantity is not None and order.quantity > max_quantity:
            issues.append(
                FieldError(
                    f"{at}Quantity",
                    f"Exit quantity {format_decimal(order.quantity)} is above the "
                    f"{format_decimal(max_quantity)} it closes",
                    "error",
                    "exit_quantity",
                )
            )
        issues += _side_issues(order, anchor, not exit_is_buy, at, anchor_name)
    return issues


def validate_order(
    req: OrderRequest,
    *,
    increment: TickRule = None,
    reference_price: Decimal | None = None,
    asset_type: str | None = None,
    where: str = "",
) -> list[FieldError]:
    """Ticks, advanced options and the OSOs (a bracket's exits checked against the entry).

    `reference_price` (last) stands in for a market entry's price when checking sides.
    """
    issues = _tick_issues(req, increment, where)
    issues += _advanced_issues(req, increment, asset_type, where)
    entry_price = _entry_price(req, reference_price)
    for g_index, group in enumerate(req.osos):
        g_where = f"{where}OSOs[{g_index}]."
        for o_index, child in enumerate(group.orders):
            issues += validate_order(
                child,
                increment=increment,
                reference_price=reference_price,
                asset_type=asset_type,
                where=f"{g_where}Orders[{o_index}].",
            )
        if group.type == "BRK":
            issues += _exit_group_issues(
                group,
                symbol=req.symbol,
                exit_is_buy=not req.is_buy,
                max_quantity=req.quantity,
                anchor=entry_price,
                anchor_name=(
                    "entry"
                    if req.limit_price is not None or req.stop_price is not None
                    else "last price"
                ),
                where=g_where,
            )
    return issues


def validate_group(
    group: OrderGroupRequest,
    *,
    increment: TickRule = None,
    reference_price: Decimal | None = None,
    asset_type: str | None = None,
    position_quantity: Decimal | None = None,
) -> list[FieldError]:
    """Every order of a group body; a `BRK` group must close one position.

    With `position_quantity` (signed, 0 when flat) a BRK group's exits must reduce it and
    not exceed it; `reference_price` (last) checks target above / stop below for a long.
    """
    issues: list[FieldError] = []
    for index, order in enumerate(group.orders):
        issues += validate_order(
            order,
            increment=increment,
            reference_price=reference_price,
            asset_type=asset_type,
            where=f"Orders[{index}].",
        )
    if group.type == "BRK":
        first = group.orders[0]
        exit_is_buy = first.is_buy
        if position_quantity is not None:
            if position_quantity == 0:
                issues.append(
                    FieldError(
                        "Orders",
                        f"A bracket closes a position: no {first.symbol} position is held",
                        "error",
                        "group_shape",
                    )
                )
            else:
                exit_is_buy = position_quantity < 0
        held = abs(position_quantity) if position_quantity else None
        issues += _exit_group_issues(
            group,
            symbol=first.symbol,
            exit_is_buy=exit_is_buy,
            max_quantity=held,
            anchor=reference_price,
            anchor_name="last price",
            where="",
        )
    return issues
