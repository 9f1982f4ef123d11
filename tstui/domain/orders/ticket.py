"""Order ticket validation: raw form strings -> an `OrderRequest` plus field-level issues.

`parse_ticket` is total: whatever strings it gets, it returns (request or None, issues) and
never raises. Every issue names the `TicketFields` attribute it is about (or "order" for the
ticket as a whole) so a form can put the message next to the field. Errors block; warnings are
shown and may be overridden. The request is None exactly when there is at least one error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any, Final

from tstui.domain.enums import DURATIONS_NEEDING_EXPIRATION, EQUITY_ONLY_DURATIONS
from tstui.domain.market import futures
from tstui.domain.market.data import SymbolDetail
from tstui.domain.market.ticks import increment_at, is_on_tick, round_to_tick
from tstui.domain.options.symbology import is_futures_root, is_option_symbol, parse_option_symbol
from tstui.domain.orders.request import (
    DURATIONS,
    ORDER_TYPES,
    OrderRequest,
    actions_for,
    closing_action,
    format_decimal,
    new_order_confirm_id,
    opening_action,
)
from tstui.domain.orders.risk_limits import Severity
from tstui.domain.portfolio.positions import Position

__all__ = [
    "FieldError",
    "Severity",
    "TicketFields",
    "add_to_position_fields",
    "blocking",
    "close_position_fields",
    "has_errors",
    "infer_asset_type",
    "off_tick_message",
    "parse_ticket",
    "validate_ticket",
    "warnings_of",
]


# Magnitudes beyond these are typing accidents, not orders (and keep Decimal maths cheap).
_MAX_MAGNITUDE: Final = Decimal(10) ** 12
_ORDER_TYPE_BY_KEY: Final = {t.lower(): t for t in ORDER_TYPES}
_NEEDS_LIMIT: Final = frozenset({"Limit", "StopLimit"})
_NEEDS_STOP: Final = frozenset({"StopMarket", "StopLimit"})
_SEPARATORS: Final = re.compile(r"[\s_\-]+")
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_GROUPED: Final = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation or risk finding. `check` identifies the rule (e.g. "max_notional")."""

    field: str
    message: str
    severity: Severity = "error"
    check: str = ""


def has_errors(issues: Iterable[FieldError]) -> bool:
    return any(issue.severity == "error" for issue in issues)


def blocking(issues: Iterable[FieldError]) -> list[FieldError]:
    return [issue for issue in issues if issue.severity == "error"]


def warnings_of(issues: Iterable[FieldError]) -> list[FieldError]:
    return [issue for issue in issues if issue.severity == "warning"]


@dataclass(frozen=True, slots=True)
class TicketFields:
    """The ticket form's raw text, one attribute per field (names used in `FieldError.field`)."""

    account: str = ""
    symbol: str = ""
    action: str = ""
    quantity: str = ""
    order_type: str = "Market"
    limit_price: str = ""
    stop_price: str = ""
    duration: str = "DAY"
    route: str = ""
    expiration: str = ""  # GTD/GDP only: YYYY-MM-DD or an RFC 3339 timestamp


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def plain_number(raw: str) -> Decimal | None:
    """A typed number as a trader writes it: plain ASCII decimals ("1500", "1,500.25", "-0.5"),
    thousands grouped by commas or not; None for exponents, NaN, "1,5" or out of range."""
    text = raw.strip()
    text = text.replace(",", "") if _GROUPED.fullmatch(text) else text
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    value = Decimal(text)
    return value if abs(value) < _MAX_MAGNITUDE else None


def _number(raw: str, field: str, label: str, issues: list[FieldError]) -> Decimal | None:
    if not raw:
        issues.append(FieldError(field, f"{label} is required"))
        return None
    value = plain_number(raw)
    if value is None:
        text = raw.replace(",", "") if _GROUPED.fullmatch(raw) else raw
        too_large = bool(_PLAIN_NUMBER.fullmatch(text))
        issues.append(
            FieldError(
                field,
                f"{label} {raw} is too large" if too_large else f"{label} {raw!r} is not a number",
            )
        )
    return value


def _resolve_asset_type(
    symbol: str, asset_type: str | None, detail: SymbolDetail | None
) -> str | None:
    if asset_type:
        return asset_type.upper()
    from_detail = detail.asset_type if detail is not None else None
    if from_detail:
        return str(from_detail).upper()
    return infer_asset_type(symbol)


def infer_asset_type(symbol: str) -> str | None:
    """``FUTURE`` for a contract of a known futures product, ``STOCKOPTION`` /
    ``FUTUREOPTION`` for an option symbol (read by the symbology), else None (unknown)."""
    if is_option_symbol(symbol):
        root = parse_option_symbol(symbol).root
        return "FUTUREOPTION" if is_futures_root(root) else "STOCKOPTION"
    try:
        root = futures.parse_contract(symbol).root
    except ValueError:
        return None
    return "FUTURE" if root in futures.PRODUCTS else None


def _tick_increment(
    detail: SymbolDetail | None, asset_type: str | None, symbol: str, price: Decimal
) -> Decimal | None:
    if detail is not None:
        inc = increment_at(detail.price_format, price)
        if inc is not None:
            return inc
    if asset_type == "FUTURE":
        try:
            return futures.product(futures.parse_contract(symbol).root).tick_size
        except ValueError:
            return None
    return None


def _check_quantity(raw: str, issues: list[FieldError]) -> Decimal | None:
    qty = _number(raw, "quantity", "Quantity", issues)
    if qty is None:
        return None
    if qty <= 0:
        issues.append(FieldError("quantity", "Quantity must be positive"))
        return None
    if qty != qty.to_integral_value():
        issues.append(FieldError("quantity", "Quantity must be a whole number"))
        return None
    return qty


def _check_price(
    raw: str,
    field: str,
    label: str,
    ctx: tuple[SymbolDetail | None, str | None, str],
    issues: list[FieldError],
) -> Decimal | None:
    detail, asset_type, symbol = ctx
    price = _number(raw, field, label, issues)
    if price is None:
        return None
    if price <= 0:
        if asset_type == "FUTURE":  # futures can trade at or below zero (CL did in 2020)
            issues.append(FieldError(field, f"{label} is not positive", "warning"))
        else:
            issues.append(FieldError(field, f"{label} must be positive"))
            return None
    increment = _tick_increment(detail, asset_type, symbol, price)
    if increment is not None and not is_on_tick(price, increment):
        issues.append(FieldError(field, f"{label} {off_tick_message(price, increment)}"))
        return None
    return price


def off_tick_message(price: Decimal, increment: Decimal) -> str:
    """The off-tick text: `<price> is not on the <increment> tick (nearest <below> or <above>)`."""
    below = round_to_tick(price, increment, "down")
    above = round_to_tick(price, increment, "up")
    return (
        f"{format_decimal(price)} is not on the {format_decimal(increment)} tick"
        f" (nearest {format_decimal(below)} or {format_decimal(above)})"
    )


def _check_expiration(raw: str, issues: list[FieldError]) -> datetime | None:
    if not raw:
        issues.append(FieldError("expiration", "GTD/GDP orders need an expiration date"))
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(datetime.fromisoformat(raw).date(), time(), UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError):
        issues.append(FieldError("expiration", f"{raw!r} is not a date (YYYY-MM-DD)"))
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _canonical(value: str, choices: Sequence[str]) -> str | None:
    key = _SEPARATORS.sub("", value).lower()
    for choice in choices:
        if _SEPARATORS.sub("", choice).lower() == key:
            return choice
    return None


def parse_ticket(
    fields: TicketFields,
    symbol_detail: SymbolDetail | None = None,
    asset_type: str | None = None,
    *,
    order_confirm_id: str | None = None,
    routes: Sequence[str] | None = None,
) -> tuple[OrderRequest | None, list[FieldError]]:
    """Validate a ticket; returns (request, issues) and never raises.

    `symbol_detail` (a domain SymbolDetail, optional) gives the asset type and the price
    increment; without it futures contracts of known roots use the product tick size.
    `routes`, when given, restricts the route field to those names (case-insensitive).
    """
    try:
        return _parse(fields, symbol_detail, asset_type, order_confirm_id, routes)
    except Exception as exc:  # pragma: no cover - belt and braces: the parser must be total
        return None, [FieldError("order", f"could not validate the ticket ({type(exc).__name__})")]


def _parse(
    fields: TicketFields,
    detail: SymbolDetail | None,
    asset_type_hint: str | None,
    order_confirm_id: str | None,
    routes: Sequence[str] | None,
) -> tuple[OrderRequest | None, list[FieldError]]:
    issues: list[FieldError] = []
    account = _text(fields.account)
    if not account:
        issues.append(FieldError("account", "Account is required"))

    symbol = _text(fields.symbol).upper()
    if not symbol:
        issues.append(FieldError("symbol", "Symbol is required"))
    elif futures.is_continuous(symbol):
        issues.append(
            FieldError("symbol", f"{symbol} is a continuous symbol: trade a contract month")
        )
    detail_symbol = _text(detail.symbol).upper() if detail is not None else ""
    if detail_symbol and symbol and detail_symbol != symbol:
        issues.append(
            FieldError("symbol", f"details shown are for {detail_symbol}, not {symbol}", "warning")
        )
        detail = None
    asset_type = _resolve_asset_type(symbol, _text(asset_type_hint) or None, detail)

    allowed = actions_for(asset_type)
    action = _canonical(_text(fields.action), allowed)
    if not _text(fields.action):
        issues.append(FieldError("action", "Trade action is required"))
    elif action is None:
        issues.append(
            FieldError(
                "action",
                f"{_text(fields.action)!r} is not a trade action for "
                f"{asset_type or 'this symbol'} (use {', '.join(allowed)})",
            )
        )

    quantity = _check_quantity(_text(fields.quantity), issues)

    order_type = _ORDER_TYPE_BY_KEY.get(_SEPARATORS.sub("", _text(fields.order_type)).lower())
    if order_type is None:
        issues.append(
            FieldError(
                "order_type",
                f"{_text(fields.order_type)!r} is not an order type (use {', '.join(ORDER_TYPES)})",
            )
        )
    ctx = (detail, asset_type, symbol)
    limit = stop = None
    if order_type in _NEEDS_LIMIT:
        limit = _check_price(_text(fields.limit_price), "limit_price", "Limit price", ctx, issues)
    if order_type in _NEEDS_STOP:
        stop = _check_price(_text(fields.stop_price), "stop_price", "Stop price", ctx, issues)
    if order_type == "StopLimit" and limit is not None and stop is not None and action:
        if action.startswith("BUY") and limit < stop:
            issues.append(
                FieldError(
                    "limit_price",
                    "Buy stop-limit with the limit below the stop may never fill",
                    "warning",
                )
            )
        if action.startswith("SELL") and limit > stop:
            issues.append(
                FieldError(
                    "limit_price",
                    "Sell stop-limit with the limit above the stop may never fill",
                    "warning",
                )
            )

    duration = _canonical(_text(fields.duration).upper() or "DAY", DURATIONS)
    expiration = None
    if duration is None:
        issues.append(
            FieldError(
                "duration",
                f"{_text(fields.duration)!r} is not a time in force (use {', '.join(DURATIONS)})",
            )
        )
    elif duration in EQUITY_ONLY_DURATIONS and asset_type not in (None, "STOCK"):
        issues.append(FieldError("duration", f"{duration} is only valid for equities"))
    elif duration in DURATIONS_NEEDING_EXPIRATION:
        expiration = _check_expiration(_text(fields.expiration), issues)

    route: str | None = _text(fields.route) or None
    if route is not None and routes is not None:
        known = {r.lower(): r for r in routes}
        if route.lower() not in known:
            issues.append(FieldError("route", f"unknown route {route!r}"))
        else:
            route = known[route.lower()]

    if any(issue.severity == "error" for issue in issues):
        return None, issues
    assert action is not None and quantity is not None and order_type is not None
    assert duration is not None
    try:
        request = OrderRequest(
            account_id=account,
            symbol=symbol,
            quantity=quantity,
            order_type=order_type,
            trade_action=action,
            order_confirm_id=order_confirm_id or new_order_confirm_id(),
            duration=duration,
            limit_price=limit,
            stop_price=stop,
            route=route,
            expiration=expiration,
        )
    except ValueError as exc:
        issues.append(FieldError("order", str(exc)))
        return None, issues
    return request, issues


def close_position_fields(position: Position) -> TicketFields:
    """A prefilled market ticket that flattens `position` (the user still previews it)."""
    qty = abs(position.quantity) if position.quantity is not None else Decimal(0)
    return TicketFields(
        account=position.account_id or "",
        symbol=position.symbol or "",
        action=closing_action(position),
        quantity=format_decimal(qty) if qty else "",
        order_type="Market",
    )


def add_to_position_fields(position: Position, quantity: str = "") -> TicketFields:
    """A prefilled ticket that adds to `position` in its own direction ("buy more")."""
    return TicketFields(
        account=position.account_id or "",
        symbol=position.symbol or "",
        action=opening_action("Short" if position.is_short else "Long", position.asset_type),
        quantity=quantity,
        order_type="Market",
    )


def validate_ticket(
    fields: TicketFields,
    symbol_detail: SymbolDetail | None = None,
    asset_type: str | None = None,
    *,
    routes: Sequence[str] | None = None,
) -> list[FieldError]:
    """Only the issues of `parse_ticket` (for forms that validate as the user types)."""
    return parse_ticket(fields, symbol_detail, asset_type, routes=routes)[1]
