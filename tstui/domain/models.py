"""All API models in one import: ``from tstui.domain.models import Order, Position, ...``.

The classes live in role modules (portfolio.accounts, .balances and .positions, orders.execution,
market.data, batch); this module re-exports them so callers need one name to remember.
"""

from __future__ import annotations

from tstui.domain.batch import Batch, ItemError, item_errors
from tstui.domain.market.data import (
    Bar,
    IncrementScheduleRow,
    MarketFlags,
    PriceFormat,
    QuantityFormat,
    Quote,
    SymbolDetail,
    TickBar,
)
from tstui.domain.orders.execution import (
    ConditionalOrder,
    ConfirmationLeg,
    MarketActivationRule,
    Order,
    OrderConfirmation,
    OrderLeg,
    OrderResult,
    Route,
    TimeActivationRule,
    TrailingStop,
)
from tstui.domain.parsing import ParseError
from tstui.domain.portfolio.accounts import Account, AccountDetail
from tstui.domain.portfolio.balances import (
    Balance,
    BalanceDetail,
    BODBalance,
    BODBalanceDetail,
    BODCurrencyDetail,
    CurrencyDetail,
)
from tstui.domain.portfolio.positions import Position

__all__ = [
    "Account",
    "AccountDetail",
    "BODBalance",
    "BODBalanceDetail",
    "BODCurrencyDetail",
    "Balance",
    "BalanceDetail",
    "Bar",
    "Batch",
    "ConditionalOrder",
    "ConfirmationLeg",
    "CurrencyDetail",
    "IncrementScheduleRow",
    "ItemError",
    "MarketActivationRule",
    "MarketFlags",
    "Order",
    "OrderConfirmation",
    "OrderLeg",
    "OrderResult",
    "ParseError",
    "Position",
    "PriceFormat",
    "QuantityFormat",
    "Quote",
    "Route",
    "SymbolDetail",
    "TickBar",
    "TimeActivationRule",
    "TrailingStop",
    "item_errors",
]
