"""Orders: requests, validation, risk, the order book and execution records (pure).

`OrderRequest` / `ReplaceRequest` are what the client sends; `parse_ticket` turns the ticket
form's strings into an `OrderRequest` plus field-level issues. Groups, OSO brackets and
advanced options (trailing stops, activation rules): `tstui.domain.orders.groups` (its
docstring is the guide). See those modules for details.
"""

from __future__ import annotations

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
