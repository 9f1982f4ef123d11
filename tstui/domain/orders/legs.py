"""Option orders with `Legs`: reading legs typed by a user, and the rules a legs order follows.

An `OrderRequest` with `legs` (`OrderLegRequest`s) is one option contract or a package (a
spread, or a covered order with a stock leg) filled at one net `LimitPrice`: positive for a
debit, negative for a credit, as the spec's examples send it. The shape (positive whole
quantities, known trade actions) is the request's own check; the rules here are about what
the legs mean, each finding naming its field as an API path like the group checks do
("Legs[1].TradeAction", "Legs", "OrderType", "LimitPrice"):

- at most `MAX_LEGS` legs, no symbol twice, at most one stock leg (the options' underlying);
- every option leg on one underlying, symbols read by `tstui.domain.options.symbology` only;
- option legs take the option actions (BUYTOOPEN, BUYTOCLOSE, SELLTOOPEN, SELLTOCLOSE);
- no expired contract (given today's date);
- a package is Market or Limit (no stop orders), takes no OSOs and no advanced options but
  AllOrNone; a single option's limit is positive; the net price is on the tick if one is known;
- no duration that is for equities only (1, 3, 5 minutes, OPG).

Risk per leg and for the package: `tstui.domain.orders.risk.check_legs_risk`, which reads the
legs as single orders (`leg_orders`) and the package's payoff at expiry (`payoff_legs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from tstui.domain.enums import EQUITY_ONLY_DURATIONS
from tstui.domain.market.ticks import is_on_tick
from tstui.domain.options.payoff import PayoffLeg
from tstui.domain.options.symbology import OptionSymbol, is_futures_root, parse_option_symbol
from tstui.domain.orders.request import (
    OrderLegRequest,
    OrderRequest,
    format_decimal,
)
from tstui.domain.orders.ticket import FieldError, off_tick_message

__all__ = [
    "MAX_LEGS",
    "OPTION_ACTIONS",
    "contract_of",
    "describe_legs",
    "leg_orders",
    "legs_underlying",
    "parse_legs_text",
    "payoff_legs",
    "validate_legs",
]

MAX_LEGS: Final = 4
OPTION_ACTIONS: Final[tuple[str, ...]] = ("BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE")
_FUTURE_ACTIONS: Final[tuple[str, ...]] = ("BUY", "SELL")
_PACKAGE_TYPES: Final = ("Market", "Limit")


def contract_of(symbol: str) -> OptionSymbol | None:
    """The option contract `symbol` names, or None (a stock leg, or not an option symbol)."""
    try:
        return parse_option_symbol(symbol)
    except ValueError:
        return None


def legs_underlying(legs: Sequence[OrderLegRequest]) -> str | None:
    """The underlying of the option legs (their root), or None when there is none or several."""
    roots = {c.root for c in (contract_of(leg.symbol) for leg in legs) if c is not None}
    return next(iter(roots)) if len(roots) == 1 else None


def parse_legs_text(text: str) -> tuple[OrderLegRequest, ...]:
    """Legs as typed on a command line: ``SYMBOL:QUANTITY:ACTION`` separated by commas, e.g.
    ``SPY 251219C420:1:SELLTOOPEN,SPY 251219C430:1:BUYTOOPEN`` (the action in any documented
    spelling, ``BuyToOpen``, ``buy-to-open``). ValueError names the leg that is wrong."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or not all(parts):
        raise ValueError("legs: expected SYMBOL:QUANTITY:ACTION[,SYMBOL:QUANTITY:ACTION...]")
    legs: list[OrderLegRequest] = []
    for index, part in enumerate(parts):
        fields = [field.strip() for field in part.split(":")]
        if len(fields) != 3 or not all(fields):
            raise ValueError(
                f"Legs[{index}]: {part[:60]!r} is not SYMBOL:QUANTITY:ACTION "
                "(e.g. 'SPY 251219C420:1:BUYTOOPEN')"
            )
        symbol, quantity, action = fields
        legs.append(
            OrderLegRequest.from_api(
                {"Symbol": symbol, "Quantity": quantity, "TradeAction": action},
                where=f"Legs[{index}].",
            )
        )
    return tuple(legs)


def leg_orders(req: OrderRequest) -> tuple[OrderRequest, ...]:
    """Each leg as a single market order of its own (for the per-leg risk checks)."""
    return tuple(
        OrderRequest(
            account_id=req.account_id,
            symbol=leg.symbol,
            quantity=leg.quantity,
            order_type="Market",
            trade_action=leg.trade_action,
            order_confirm_id=req.order_confirm_id,
            duration=req.duration if req.duration not in EQUITY_ONLY_DURATIONS else "DAY",
            expiration=req.expiration,
        )
        for leg in req.legs
    )


def payoff_legs(
    req: OrderRequest, multiplier: Decimal = Decimal(100)
) -> tuple[PayoffLeg, ...] | None:
    """The legs at expiry (signed quantities, whole order), or None when a leg is neither an
    option contract nor the options' underlying (then its payoff is unknown)."""
    root = legs_underlying(req.legs)
    out: list[PayoffLeg] = []
    for leg in req.legs:
        sign = 1 if leg.is_buy else -1
        contract = contract_of(leg.symbol)
        if contract is not None:
            out.append(
                PayoffLeg(
                    sign * int(leg.quantity), contract.option_type, contract.strike, multiplier
                )
            )
        elif root is not None and leg.symbol == root:
            out.append(PayoffLeg(sign * int(leg.quantity), None, None, Decimal(1)))
        else:
            return None
    return tuple(out)


def validate_legs(
    req: OrderRequest,
    *,
    today: date | None = None,
    increment: Decimal | None = None,
) -> list[FieldError]:
    """The rules of the module docstring for an order with legs ([] without legs).

    `today` (UTC date) enables the expiry check; `increment` the net price's tick check.
    """
    if not req.legs:
        return []
    issues: list[FieldError] = []

    def add(path: str, message: str, check: str) -> None:
        issues.append(FieldError(path, message, "error", check))

    if len(req.legs) > MAX_LEGS:
        add("Legs", f"At most {MAX_LEGS} legs ({len(req.legs)} given)", "legs_shape")
    first_at: dict[str, int] = {}
    roots: set[str] = set()
    stock_legs: list[int] = []
    for index, leg in enumerate(req.legs):
        at = f"Legs[{index}]."
        if leg.symbol in first_at:
            add(
                at + "Symbol", f"{leg.symbol} is already Legs[{first_at[leg.symbol]}]", "legs_shape"
            )
        first_at.setdefault(leg.symbol, index)
        contract = contract_of(leg.symbol)
        if contract is None:
            stock_legs.append(index)
            continue
        roots.add(contract.root)
        # Futures options may also say BUY/SELL, as futures do (TradeStation takes both).
        allowed = OPTION_ACTIONS + (_FUTURE_ACTIONS if is_futures_root(contract.root) else ())
        if leg.trade_action not in allowed:
            add(
                at + "TradeAction",
                f"{leg.trade_action} is not an option trade action (use {', '.join(allowed)})",
                "option_action",
            )
        if today is not None and contract.expiration < today:
            add(
                at + "Symbol",
                f"{leg.symbol} expired on {contract.expiration.isoformat()}",
                "expired",
            )
    if len(roots) > 1:
        add(
            "Legs",
            f"All legs trade one underlying ({', '.join(sorted(roots))} given)",
            "legs_underlying",
        )
    elif not roots:
        add("Legs", "Legs are for option orders: no leg is an option symbol", "legs_shape")
    if roots and len(stock_legs) > 1:
        add("Legs", "At most one stock leg (the options' underlying)", "legs_shape")
    root = next(iter(roots)) if len(roots) == 1 else None
    for index in stock_legs:
        leg = req.legs[index]
        if root is not None and leg.symbol != root:
            add(
                f"Legs[{index}].Symbol",
                f"{leg.symbol} is neither an option symbol (ROOT YYMMDD[C|P]STRIKE) nor the "
                f"underlying {root}",
                "legs_underlying",
            )
    if req.is_multi_leg and req.order_type not in _PACKAGE_TYPES:
        add(
            "OrderType",
            f"A multi-leg order is Market or Limit, not {req.order_type}",
            "legs_shape",
        )
    price = req.limit_price
    if price is not None and not req.is_multi_leg and price <= 0:
        add("LimitPrice", "An option's limit price must be positive", "legs_price")
    if price is not None and increment is not None and not is_on_tick(abs(price), increment):
        add("LimitPrice", off_tick_message(price, increment), "off_tick")
    if req.duration in EQUITY_ONLY_DURATIONS:
        add("TimeInForce.Duration", f"{req.duration} is only valid for equities", "legs_shape")
    if req.osos:
        add("OSOs", "An order with legs carries no OSOs", "legs_shape")
    options = req.advanced_options
    if options is not None and (
        options.trailing_stop is not None
        or options.market_rules
        or options.time_rules
        or options.show_only_quantity is not None
        or options.add_liquidity
        or options.book_only
        or options.non_display
    ):
        add(
            "AdvancedOptions",
            "An order with legs takes no advanced options but AllOrNone",
            "legs_shape",
        )
    return issues


def describe_legs(req: OrderRequest) -> str:
    """``BUYTOOPEN 1 SPY 251219C420 / SELLTOOPEN 1 SPY 251219C430`` (for previews)."""
    return " / ".join(
        f"{leg.trade_action} {format_decimal(leg.quantity)} {leg.symbol}" for leg in req.legs
    )
