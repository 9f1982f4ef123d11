"""Orders: requests, validation, risk, the order book and execution records (pure).

`OrderRequest` / `ReplaceRequest` are what the client sends; `parse_ticket` turns the ticket
form's strings into an `OrderRequest` plus field-level issues. Groups, OSO brackets and
advanced options (trailing stops, activation rules): `tstui.domain.orders.groups` (its
docstring is the guide). See those modules for details.

The names below load on first use: importing one submodule (the config reads
``tstui.domain.orders.risk_limits``) must not load every order model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tstui.domain.orders.advanced import (
        AdvancedOptions,
        MarketActivationRule,
        TimeActivationRule,
        TrailingStop,
    )
    from tstui.domain.orders.groups import (
        ExitSpec,
        bracket_role,
        build_bracket,
        build_exit_bracket,
        exit_action,
        parse_body,
        validate_group,
        validate_order,
    )
    from tstui.domain.orders.request import (
        DURATIONS,
        GROUP_TYPES,
        ORDER_TYPES,
        TRADE_ACTIONS,
        OrderGroupRequest,
        OrderLegRequest,
        OrderRequest,
        ReplaceRequest,
        actions_for,
        closing_action,
        derived_order_confirm_id,
        format_decimal,
        is_valid_order_confirm_id,
        new_order_confirm_id,
        opening_action,
        order_price,
    )
    from tstui.domain.orders.ticket import (
        FieldError,
        Severity,
        TicketFields,
        add_to_position_fields,
        blocking,
        close_position_fields,
        has_errors,
        parse_ticket,
        validate_ticket,
        warnings_of,
    )

__all__ = [
    "DURATIONS",
    "GROUP_TYPES",
    "ORDER_TYPES",
    "TRADE_ACTIONS",
    "AdvancedOptions",
    "ExitSpec",
    "FieldError",
    "MarketActivationRule",
    "OrderGroupRequest",
    "OrderLegRequest",
    "OrderRequest",
    "ReplaceRequest",
    "Severity",
    "TicketFields",
    "TimeActivationRule",
    "TrailingStop",
    "actions_for",
    "add_to_position_fields",
    "blocking",
    "bracket_role",
    "build_bracket",
    "build_exit_bracket",
    "close_position_fields",
    "closing_action",
    "derived_order_confirm_id",
    "exit_action",
    "format_decimal",
    "has_errors",
    "is_valid_order_confirm_id",
    "new_order_confirm_id",
    "opening_action",
    "order_price",
    "parse_body",
    "parse_ticket",
    "validate_group",
    "validate_order",
    "validate_ticket",
    "warnings_of",
]

_LAZY: dict[str, str] = {
    "AdvancedOptions": "tstui.domain.orders.advanced",
    "DURATIONS": "tstui.domain.orders.request",
    "ExitSpec": "tstui.domain.orders.groups",
    "FieldError": "tstui.domain.orders.ticket",
    "GROUP_TYPES": "tstui.domain.orders.request",
    "MarketActivationRule": "tstui.domain.orders.advanced",
    "ORDER_TYPES": "tstui.domain.orders.request",
    "OrderGroupRequest": "tstui.domain.orders.request",
    "OrderLegRequest": "tstui.domain.orders.request",
    "OrderRequest": "tstui.domain.orders.request",
    "ReplaceRequest": "tstui.domain.orders.request",
    "Severity": "tstui.domain.orders.ticket",
    "TRADE_ACTIONS": "tstui.domain.orders.request",
    "TicketFields": "tstui.domain.orders.ticket",
    "TimeActivationRule": "tstui.domain.orders.advanced",
    "TrailingStop": "tstui.domain.orders.advanced",
    "actions_for": "tstui.domain.orders.request",
    "add_to_position_fields": "tstui.domain.orders.ticket",
    "blocking": "tstui.domain.orders.ticket",
    "bracket_role": "tstui.domain.orders.groups",
    "build_bracket": "tstui.domain.orders.groups",
    "build_exit_bracket": "tstui.domain.orders.groups",
    "close_position_fields": "tstui.domain.orders.ticket",
    "closing_action": "tstui.domain.orders.request",
    "derived_order_confirm_id": "tstui.domain.orders.request",
    "exit_action": "tstui.domain.orders.groups",
    "format_decimal": "tstui.domain.orders.request",
    "has_errors": "tstui.domain.orders.ticket",
    "is_valid_order_confirm_id": "tstui.domain.orders.request",
    "new_order_confirm_id": "tstui.domain.orders.request",
    "opening_action": "tstui.domain.orders.request",
    "order_price": "tstui.domain.orders.request",
    "parse_body": "tstui.domain.orders.groups",
    "parse_ticket": "tstui.domain.orders.ticket",
    "validate_group": "tstui.domain.orders.groups",
    "validate_order": "tstui.domain.orders.groups",
    "validate_ticket": "tstui.domain.orders.ticket",
    "warnings_of": "tstui.domain.orders.ticket",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
