"""Orders: requests, validation, risk, the order book and execution records (pure).

`OrderRequest` / `ReplaceRequest` are what the client sends; `parse_ticket` turns the ticket
form's strings into an `OrderRequest` plus field-level issues. See those modules for details.
"""

from __future__ import annotations

from tstui.domain.orders.request import (
    DURATIONS,
    ORDER_TYPES,
    TRADE_ACTIONS,
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
    "ORDER_TYPES",
    "TRADE_ACTIONS",
    "FieldError",
    "OrderRequest",
    "ReplaceRequest",
    "Severity",
    "TicketFields",
    "actions_for",
    "add_to_position_fields",
    "blocking",
    "close_position_fields",
    "closing_action",
    "derived_order_confirm_id",
    "format_decimal",
    "has_errors",
    "is_valid_order_confirm_id",
    "new_order_confirm_id",
    "opening_action",
    "order_price",
    "parse_ticket",
    "validate_ticket",
    "warnings_of",
]
