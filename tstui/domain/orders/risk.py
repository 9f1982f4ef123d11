"""Local pre-trade risk checks, configured per environment.

Which checks block and which only warn (the defaults; each can be changed per check through
`RiskLimits.severities`):

- hard limits (severity "error": the ticket cannot be placed):
  ``max_quantity`` (quantity above the limit) and ``max_notional`` (quantity x price x point
  value above the limit). They are the fat-finger protection the user configured on purpose;
  an override button would defeat them. Raise the limit in the config to trade bigger.
- warnings (shown, the user may override):
  ``warn_quantity`` / ``warn_notional`` (softer thresholds), ``price_band`` (limit/stop more
  than N % away from last: fast markets and stale quotes make this a judgement call),
  ``duplicate`` (the same account/symbol/action/quantity/type placed within N seconds: scaling
  in is legitimate, and an accidental resend of the *same intent* is already stopped by the
  API's OrderConfirmID guard), and ``notional_unknown`` (a notional limit is set but no price
  is known to check it against, e.g. a market order without a last price).
- margin (futures): ``max_margin`` (error) / ``warn_margin`` (warning) when the caller knows the
  initial margin per contract; ``margin_unknown`` (warning) when a margin cap is set but not.

Size caps come from the order's asset class (`RiskLimits.size_limits`): futures in contracts
and margin, stocks in shares and notional. Only the part of an order that opens or adds to a
position is size-capped: an order that reduces or closes one (a flatten, a bracket's exits, a
BUYTOCOVER) is never blocked by a quantity, notional or margin cap; the price band and the
duplicate guard still apply. Pass `position_quantity` (signed, negative short) to tell;
without it only the closing trade actions (BUYTOCOVER, SELLTOCLOSE, BUYTOCLOSE) are known to
reduce. `check_group_risk` checks every order of a group or OSO tree: an OSO's children are
checked against the position the parent leaves, so a bracket's exits are closing orders.

Option orders with `Legs` (`check_legs_risk`): every leg is checked as an order of its own
(contracts against the `option` size caps, notional = contracts x the leg's price x the
multiplier; a stock leg against the `stock` caps), each finding under its leg's path
("Legs[1].Quantity"). The package is checked as a whole: the duplicate guard on all its legs,
the net limit within the price band of the legs' own market, and its worst loss at expiry
(from its payoff, after the net price paid or received) against the option notional caps
(`max_notional` / `warn_notional`: what the package can lose); a package whose loss is
unbounded (more calls sold than bought and covered) gets the ``unlimited_loss`` warning.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

from tstui.domain.orders.request import OrderGroupRequest, OrderRequest, format_decimal
from tstui.domain.orders.risk_limits import CHECKS, DEFAULT_SEVERITIES, RiskLimits, asset_class
from tstui.domain.orders.ticket import FieldError, infer_asset_type
from tstui.domain.portfolio.valuation import default_point_value

__all__ = [
    "CHECKS",
    "DEFAULT_SEVERITIES",
    "RecentOrders",
    "RiskLimits",
    "check_group_risk",
    "check_legs_risk",
    "check_risk",
    "opening_quantity",
]

# Trade actions that can only reduce a position (the broker refuses them otherwise).
CLOSING_ACTIONS: Final = frozenset({"BUYTOCOVER", "SELLTOCLOSE", "BUYTOCLOSE"})
_API_FIELD: Final = {"quantity": "Quantity", "limit_price": "LimitPrice", "stop_price": "StopPrice"}


def duplicate_key(req: OrderRequest) -> Hashable:
    """What makes two orders "the same order" for the duplicate guard (prices excluded; an
    option package's legs included)."""
    return (req.account_id, req.symbol, req.trade_action, req.quantity, req.order_type, req.legs)


class RecentOrders:
    """Orders sent recently (key + time), for the duplicate guard. Bounded; not thread-safe.

    Call `record(req, now)` when an order is sent (placed), not when it is previewed.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: deque[tuple[Hashable, str, datetime]] = deque(maxlen=max_entries)

    def record(self, req: OrderRequest, now: datetime) -> None:
        self._entries.append((duplicate_key(req), req.order_confirm_id, now))

    def last_sent(self, req: OrderRequest) -> datetime | None:
        """When the latest other intent with the same duplicate key was sent (or None)."""
        key = duplicate_key(req)
        for entry_key, confirm_id, at in reversed(self._entries):
            if entry_key == key and confirm_id != req.order_confirm_id:
                return at
        return None

    def __len__(self) -> int:
        return len(self._entries)


def _check_price(req: OrderRequest, last_price: Decimal | None) -> Decimal | None:
    """Price used for the notional: the order's own price, else last (market orders)."""
    if req.limit_price is not None:
        return req.limit_price
    if req.stop_price is not None:
        return req.stop_price
    return last_price


def opening_quantity(req: OrderRequest, position_quantity: Decimal | None) -> Decimal:
    """The part of `req` that opens or adds to a position (0: it only reduces one).

    `position_quantity` is the account's signed position in the symbol (None: unknown, then
    only a closing trade action counts as reducing). A reversal opens what exceeds the position.
    """
    if req.trade_action in CLOSING_ACTIONS:
        return Decimal(0)
    if position_quantity is None or position_quantity == 0:
        return req.quantity
    if (position_quantity > 0) == req.is_buy:
        return req.quantity  # same side: adds
    return max(Decimal(0), req.quantity - abs(position_quantity))


def check_risk(
    req: OrderRequest,
    last_price: Decimal | None,
    point_value: Decimal | None,
    limits: RiskLimits,
    recent: RecentOrders | None,
    now: datetime,
    *,
    position_quantity: Decimal | None = None,
    asset_type: str | None = None,
    margin_per_contract: Decimal | None = None,
    where: str = "",
) -> list[FieldError]:
    """Run every configured check; each finding's severity comes from `limits.severity()`.

    `point_value` is the symbol's PointValue (futures; None or 1 for equities); notional =
    quantity x price x point value, with the price taken from the order (limit, else stop),
    else `last_price` for market orders. `asset_type` picks the size caps (inferred for known
    futures contracts when not given); `position_quantity` tells whether the order reduces a
    position (see the module docstring); `margin_per_contract` feeds the margin caps. `where`
    (e.g. "OSOs[0].Orders[1].") prefixes the field of each finding with the leg's API path.
    """
    issues: list[FieldError] = []

    def add(check: str, fld: str, message: str) -> None:
        name = f"{where}{_API_FIELD.get(fld, fld)}" if where else fld
        issues.append(FieldError(name, message, limits.severity(check), check))

    kind = asset_type or infer_asset_type(req.symbol)
    size = limits.size_limits(kind)
    if point_value is None and asset_class(kind) == "option":
        point_value = default_point_value(req.symbol, kind)  # 100 shares a contract
    qty = opening_quantity(req, position_quantity)
    # What the order opens; the whole order when it opens all of it.
    what = (
        f"Quantity {format_decimal(qty)}"
        if qty == req.quantity
        else f"The {format_decimal(qty)} this order opens"
    )
    if qty > 0 and size.max_quantity is not None and qty > size.max_quantity:
        add(
            "max_quantity",
            "quantity",
            f"{what} is above the limit of {format_decimal(size.max_quantity)}",
        )
    elif qty > 0 and size.warn_quantity is not None and qty > size.warn_quantity:
        add(
            "warn_quantity",
            "quantity",
            f"{what} is above {format_decimal(size.warn_quantity)}",
        )

    if qty > 0 and (size.max_notional is not None or size.warn_notional is not None):
        price = _check_price(req, last_price)
        if price is None:
            add("notional_unknown", "order", "No price known: the notional limit is not checked")
        else:
            notional = abs(qty * price * (point_value or Decimal(1)))
            shown = f"{notional:,.2f}"
            if size.max_notional is not None and notional > size.max_notional:
                add(
                    "max_notional",
                    "quantity",
                    f"Notional {shown} is above the limit of {size.max_notional:,.2f}",
                )
            elif size.warn_notional is not None and notional > size.warn_notional:
                add(
                    "warn_notional",
                    "quantity",
                    f"Notional {shown} is above {size.warn_notional:,.2f}",
                )

    if qty > 0 and (size.max_margin is not None or size.warn_margin is not None):
        if margin_per_contract is None:
            add(
                "margin_unknown", "order", "Initial margin unknown: the margin limit is not checked"
            )
        else:
            margin = qty * margin_per_contract
            shown = f"{margin:,.2f}"
            if size.max_margin is not None and margin > size.max_margin:
                add(
                    "max_margin",
                    "quantity",
                    f"Initial margin {shown} is above the limit of {size.max_margin:,.2f}",
                )
            elif size.warn_margin is not None and margin > size.warn_margin:
                add(
                    "warn_margin",
                    "quantity",
                    f"Initial margin {shown} is above {size.warn_margin:,.2f}",
                )

    if limits.price_band_pct is not None and last_price is not None and last_price > 0:
        for fld, price in (("limit_price", req.limit_price), ("stop_price", req.stop_price)):
            if price is None:
                continue
            distance = abs(price - last_price) / last_price * 100
            if distance > limits.price_band_pct:
                add(
                    "price_band",
                    fld,
                    f"{format_decimal(price)} is {distance:.1f}% from last "
                    f"{format_decimal(last_price)} (band {format_decimal(limits.price_band_pct)}%)",
                )

    if recent is not None and limits.duplicate_window_s > 0:
        sent_at = recent.last_sent(req)
        if sent_at is not None:
            age = (now - sent_at).total_seconds()
            if 0 <= age <= limits.duplicate_window_s:
                add(
                    "duplicate",
                    "order",
                    f"The same order ({req.trade_action} {format_decimal(qty)} {req.symbol}) "
                    f"was sent {age:.0f} s ago",
                )
    return issues


def _signed(req: OrderRequest) -> Decimal:
    return req.quantity if req.is_buy else -req.quantity


def check_group_risk(
    body: OrderRequest | OrderGroupRequest,
    last_price: Decimal | None,
    point_value: Decimal | None,
    limits: RiskLimits,
    recent: RecentOrders | None,
    now: datetime,
    *,
    position_quantity: Decimal | None = None,
    asset_type: str | None = None,
    margin_per_contract: Decimal | None = None,
) -> list[FieldError]:
    """`check_risk` on every order a body may send, each finding naming its leg's path.

    An order's OSO children are checked against the position its fill leaves (an unknown
    position counts as flat there: the children at least close what the parent opened), so a
    bracket's exits never hit a size cap. In a BRK/OCO group only one order can fill: each is
    checked against the same position; a NORMAL group's orders add up in order.
    """
    issues: list[FieldError] = []

    def visit(order: OrderRequest, position: Decimal | None, where: str, log: bool) -> None:
        issues.extend(
            check_risk(
                order,
                last_price,
                point_value,
                limits,
                recent if log else None,
                now,
                position_quantity=position,
                asset_type=asset_type,
                margin_per_contract=margin_per_contract,
                where=where,
            )
        )
        after = (position or Decimal(0)) + _signed(order)
        for g_index, group in enumerate(order.osos):
            walk(group, after, f"{where}OSOs[{g_index}].", log=False)

    def walk(group: OrderGroupRequest, position: Decimal | None, where: str, log: bool) -> None:
        for o_index, order in enumerate(group.orders):
            visit(order, position, f"{where}Orders[{o_index}].", log)
            if group.type == "NORMAL" and position is not None:
                position += _signed(order)

    if isinstance(body, OrderRequest):
        visit(body, position_quantity, "", log=True)
    else:
        walk(body, position_quantity, "", log=True)
    return issues


def check_legs_risk(
    req: OrderRequest,
    leg_prices: Mapping[str, Decimal | None],
    limits: RiskLimits,
    recent: RecentOrders | None,
    now: datetime,
    *,
    positions: Mapping[str, Decimal] | None = None,
    multiplier: Decimal = Decimal(100),
) -> list[FieldError]:
    """The checks of an order with `Legs`, per leg and for the package (module docstring).

    `leg_prices` maps a leg's symbol to its price (last or mid; None or absent: unknown),
    `positions` a symbol to the account's signed position in it (absent: flat; None for the
    mapping: unknown, then only the closing actions count as reducing), `multiplier` the
    contract's size (100 for stock options, the future's point value for futures options).
    """
    from tstui.domain.orders.legs import contract_of, leg_orders  # option orders only

    if not req.legs:
        return check_risk(req, None, None, limits, recent, now)
    issues: list[FieldError] = []
    for index, (leg, single) in enumerate(zip(req.legs, leg_orders(req), strict=True)):
        is_option = contract_of(leg.symbol) is not None
        issues += check_risk(
            single,
            leg_prices.get(leg.symbol),
            multiplier if is_option else None,
            limits,
            None,
            now,
            position_quantity=(
                None if positions is None else positions.get(leg.symbol, Decimal(0))
            ),
            asset_type="STOCKOPTION" if is_option else "STOCK",
            where=f"Legs[{index}].",
        )
    issues += _package_band(req, leg_prices, limits)
    issues += _package_risk(req, leg_prices, limits, positions, multiplier)
    if recent is not None and limits.duplicate_window_s > 0:
        sent_at = recent.last_sent(req)
        if sent_at is not None:
            age = (now - sent_at).total_seconds()
            if 0 <= age <= limits.duplicate_window_s:
                issues.append(
                    FieldError(
                        "order",
                        f"The same {len(req.legs)}-leg order was sent {age:.0f} s ago",
                        limits.severity("duplicate"),
                        "duplicate",
                    )
                )
    return issues


def _package_debit(
    req: OrderRequest, leg_prices: Mapping[str, Decimal | None], multiplier: Decimal
) -> Decimal | None:
    """Dollars paid to open the whole order (negative: received): the net limit, else the
    legs' own prices; None when neither is known."""
    from tstui.domain.orders.legs import contract_of

    if req.limit_price is not None and req.order_type == "Limit":
        return req.limit_price * req.quantity * multiplier
    total = Decimal(0)
    for leg in req.legs:
        price = leg_prices.get(leg.symbol)
        if price is None:
            return None
        size = multiplier if contract_of(leg.symbol) is not None else Decimal(1)
        total += (price if leg.is_buy else -price) * leg.quantity * size
    return total


def _package_band(
    req: OrderRequest, leg_prices: Mapping[str, Decimal | None], limits: RiskLimits
) -> list[FieldError]:
    """The net limit against the legs' own market: the price band, as for a single order's
    limit against last (per package unit: each leg's price x its ratio, buys less sells)."""
    from tstui.domain.orders.legs import contract_of

    band = limits.price_band_pct
    if band is None or req.limit_price is None or req.quantity <= 0:
        return []
    net = Decimal(0)
    for leg in req.legs:
        price = leg_prices.get(leg.symbol)
        if price is None:
            return []
        ratio = leg.quantity / req.quantity
        if contract_of(leg.symbol) is None:
            ratio /= 100  # a stock leg's shares per package unit, priced per share
        net += price * ratio if leg.is_buy else -price * ratio
    if net == 0:
        return []
    distance = abs(req.limit_price - net) / abs(net) * 100
    if distance <= band:
        return []
    return [
        FieldError(
            "LimitPrice",
            f"Net {format_decimal(req.limit_price)} is {distance:.1f}% from the legs' "
            f"{net.quantize(Decimal('0.01'))} (band {format_decimal(band)}%)",
            limits.severity("price_band"),
            "price_band",
        )
    ]


def _package_risk(
    req: OrderRequest,
    leg_prices: Mapping[str, Decimal | None],
    limits: RiskLimits,
    positions: Mapping[str, Decimal] | None,
    multiplier: Decimal,
) -> list[FieldError]:
    from tstui.domain.options.payoff import risk_reward
    from tstui.domain.orders.legs import leg_orders, payoff_legs

    singles = leg_orders(req)
    opens = any(
        opening_quantity(single, None if positions is None else positions.get(single.symbol))
        for single in singles
    )
    legs = payoff_legs(req, multiplier)
    if not opens or legs is None:
        return []  # a package that only closes is never capped; an unknown payoff is not judged
    issues: list[FieldError] = []
    debit = _package_debit(req, leg_prices, multiplier)
    outcome = risk_reward(legs, debit or Decimal(0))
    if outcome.loss_unbounded:
        issues.append(
            FieldError(
                "Legs",
                "The package's loss is unbounded if the underlying rises (more calls sold "
                "than bought)",
                limits.severity("unlimited_loss"),
                "unlimited_loss",
            )
        )
        return issues
    size = limits.size_limits("STOCKOPTION")
    if debit is None or outcome.max_loss is None:
        if size.max_notional is not None or size.warn_notional is not None:
            issues.append(
                FieldError(
                    "LimitPrice",
                    "No price known: the package's loss is not checked against the limit",
                    limits.severity("notional_unknown"),
                    "notional_unknown",
                )
            )
        return issues
    loss = -outcome.max_loss
    shown = f"{loss:,.2f}"
    if size.max_notional is not None and loss > size.max_notional:
        issues.append(
            FieldError(
                "LimitPrice",
                f"The package can lose {shown}, above the limit of {size.max_notional:,.2f}",
                limits.severity("max_notional"),
                "max_notional",
            )
        )
    elif size.warn_notional is not None and loss > size.warn_notional:
        issues.append(
            FieldError(
                "LimitPrice",
                f"The package can lose {shown}, above {size.warn_notional:,.2f}",
                limits.severity("warn_notional"),
                "warn_notional",
            )
        )
    return issues
