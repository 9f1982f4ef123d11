"""Open positions (``/v3/brokerage/accounts/{ids}/positions`` and its stream)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, final

from tstui.domain._build import positional_builder
from tstui.domain.parsing import (
    opt_datetime,
    opt_decimal,
    opt_str,
    require_str,
)

if TYPE_CHECKING:
    from tstui.domain.options.symbology import OptionSymbol

__all__ = [
    "Position",
]


@final
@dataclass(frozen=True, slots=True)
class Position:
    """An open position. ``quantity`` is as sent (negative for shorts on the real API)."""

    position_id: str
    account_id: str | None = None
    symbol: str | None = None
    asset_type: str | None = None
    quantity: Decimal | None = None
    long_short: str | None = None  # "Long" | "Short"
    average_price: Decimal | None = None
    last: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    conversion_rate: Decimal | None = None
    day_trade_requirement: Decimal | None = None
    expiration_date: datetime | None = None
    initial_requirement: Decimal | None = None
    maintenance_margin: Decimal | None = None
    mark_to_market_price: Decimal | None = None
    market_value: Decimal | None = None
    timestamp: datetime | None = None
    todays_profit_loss: Decimal | None = None
    total_cost: Decimal | None = None
    unrealized_profit_loss: Decimal | None = None
    unrealized_profit_loss_percent: Decimal | None = None
    unrealized_profit_loss_qty: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Position:
        get = data.get
        return _new_position(  # positional, in field order (hot path: see _build.py)
            require_str(data, "PositionID"),
            opt_str(get("AccountID")),
            opt_str(get("Symbol")),
            opt_str(get("AssetType")),
            opt_decimal(get("Quantity")),
            opt_str(get("LongShort")),
            opt_decimal(get("AveragePrice")),
            opt_decimal(get("Last")),
            opt_decimal(get("Bid")),
            opt_decimal(get("Ask")),
            opt_decimal(get("ConversionRate")),
            opt_decimal(get("DayTradeRequirement")),
            opt_datetime(get("ExpirationDate")),
            opt_decimal(get("InitialRequirement")),
            opt_decimal(get("MaintenanceMargin")),
            opt_decimal(get("MarkToMarketPrice")),
            opt_decimal(get("MarketValue")),
            opt_datetime(get("Timestamp")),
            opt_decimal(get("TodaysProfitLoss")),
            opt_decimal(get("TotalCost")),
            opt_decimal(get("UnrealizedProfitLoss")),
            opt_decimal(get("UnrealizedProfitLossPercent")),
            opt_decimal(get("UnrealizedProfitLossQty")),
        )

    @property
    def is_short(self) -> bool:
        if self.long_short is not None:
            return self.long_short.lower() == "short"
        return self.quantity is not None and self.quantity < 0

    @property
    def option(self) -> OptionSymbol | None:
        """The option contract held (None: not an option symbol), read by the symbology."""
        from tstui.domain.options.symbology import parse_option_symbol  # only when asked

        if not self.symbol:
            return None
        try:
            return parse_option_symbol(self.symbol)
        except ValueError:
            return None

    @property
    def signed_quantity(self) -> Decimal:
        """Quantity with the sign of the direction: positive long, negative short (0 if unknown)."""
        qty = abs(self.quantity) if self.quantity is not None else Decimal(0)
        return -qty if self.is_short else qty


_new_position = positional_builder(Position)
