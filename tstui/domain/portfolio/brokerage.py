"""Accounts, balances and positions (``/v3/brokerage/...``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, final

from tstui.domain._build import positional_builder
from tstui.domain.parsing import (
    is_mapping,
    opt_bool,
    opt_datetime,
    opt_decimal,
    opt_int,
    opt_str,
    require_str,
)

if TYPE_CHECKING:
    from tstui.domain.options.symbology import OptionSymbol

__all__ = [
    "Account",
    "AccountDetail",
    "BODBalance",
    "BODBalanceDetail",
    "BODCurrencyDetail",
    "Balance",
    "BalanceDetail",
    "CurrencyDetail",
    "Position",
]

_EMPTY: Mapping[str, Any] = {}


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if is_mapping(value) else None


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if is_mapping(item)]


@dataclass(frozen=True, slots=True)
class AccountDetail:
    day_trading_qualified: bool | None = None
    enrolled_in_reg_t_program: bool | None = None
    is_stock_locate_eligible: bool | None = None
    option_approval_level: int | None = None
    pattern_day_trader: bool | None = None
    requires_buying_power_warning: bool | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            day_trading_qualified=opt_bool(get("DayTradingQualified")),
            enrolled_in_reg_t_program=opt_bool(get("EnrolledInRegTProgram")),
            is_stock_locate_eligible=opt_bool(get("IsStockLocateEligible")),
            option_approval_level=opt_int(get("OptionApprovalLevel")),
            pattern_day_trader=opt_bool(get("PatternDayTrader")),
            requires_buying_power_warning=opt_bool(get("RequiresBuyingPowerWarning")),
        )


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    account_type: str | None = None  # Cash, Margin, Futures, DVP (kept as sent)
    alias: str | None = None
    alt_id: str | None = None
    currency: str | None = None
    status: str | None = None
    detail: AccountDetail | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        detail = _mapping(get("AccountDetail"))
        return cls(
            account_id=require_str(data, "AccountID"),
            account_type=opt_str(get("AccountType")),
            alias=opt_str(get("Alias")),
            alt_id=opt_str(get("AltID")),
            currency=opt_str(get("Currency")),
            status=opt_str(get("Status")),
            detail=AccountDetail.from_api(detail) if detail is not None else None,
        )


@dataclass(frozen=True, slots=True)
class BalanceDetail:
    cost_of_positions: Decimal | None = None
    day_trade_excess: Decimal | None = None
    day_trade_margin: Decimal | None = None
    day_trade_open_order_margin: Decimal | None = None
    day_trades: int | None = None
    initial_margin: Decimal | None = None
    maintenance_margin: Decimal | None = None
    maintenance_rate: Decimal | None = None
    margin_requirement: Decimal | None = None
    open_order_margin: Decimal | None = None
    option_buying_power: Decimal | None = None
    options_market_value: Decimal | None = None
    overnight_buying_power: Decimal | None = None
    realized_profit_loss: Decimal | None = None
    required_margin: Decimal | None = None
    security_on_deposit: Decimal | None = None
    today_real_time_trade_equity: Decimal | None = None
    trade_equity: Decimal | None = None
    unrealized_profit_loss: Decimal | None = None
    unsettled_funds: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            cost_of_positions=opt_decimal(get("CostOfPositions")),
            day_trade_excess=opt_decimal(get("DayTradeExcess")),
            day_trade_margin=opt_decimal(get("DayTradeMargin")),
            day_trade_open_order_margin=opt_decimal(get("DayTradeOpenOrderMargin")),
            day_trades=opt_int(get("DayTrades")),
            initial_margin=opt_decimal(get("InitialMargin")),
            maintenance_margin=opt_decimal(get("MaintenanceMargin")),
            maintenance_rate=opt_decimal(get("MaintenanceRate")),
            margin_requirement=opt_decimal(get("MarginRequirement")),
            open_order_margin=opt_decimal(get("OpenOrderMargin")),
            option_buying_power=opt_decimal(get("OptionBuyingPower")),
            options_market_value=opt_decimal(get("OptionsMarketValue")),
            overnight_buying_power=opt_decimal(get("OvernightBuyingPower")),
            realized_profit_loss=opt_decimal(get("RealizedProfitLoss")),
            required_margin=opt_decimal(get("RequiredMargin")),
            security_on_deposit=opt_decimal(get("SecurityOnDeposit")),
            today_real_time_trade_equity=opt_decimal(get("TodayRealTimeTradeEquity")),
            trade_equity=opt_decimal(get("TradeEquity")),
            unrealized_profit_loss=opt_decimal(get("UnrealizedProfitLoss")),
            unsettled_funds=opt_decimal(get("UnsettledFunds")),
        )


@dataclass(frozen=True, slots=True)
class CurrencyDetail:
    """Per-currency balance lines of a futures account."""

    currency: str | None = None
    account_conversion_rate: Decimal | None = None
    account_margin_requirement: Decimal | None = None
    cash_balance: Decimal | None = None
    commission: Decimal | None = None
    initial_margin: Decimal | None = None
    maintenance_margin: Decimal | None = None
    realized_profit_loss: Decimal | None = None
    unrealized_profit_loss: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            currency=opt_str(get("Currency")),
            account_conversion_rate=opt_decimal(get("AccountConversionRate")),
            account_margin_requirement=opt_decimal(get("AccountMarginRequirement")),
            cash_balance=opt_decimal(get("CashBalance")),
            commission=opt_decimal(get("Commission")),
            initial_margin=opt_decimal(get("InitialMargin")),
            maintenance_margin=opt_decimal(get("MaintenanceMargin")),
            realized_profit_loss=opt_decimal(get("RealizedProfitLoss")),
            unrealized_profit_loss=opt_decimal(get("UnrealizedProfitLoss")),
        )


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: str
    account_type: str | None = None
    buying_power: Decimal | None = None
    cash_balance: Decimal | None = None
    commission: Decimal | None = None
    equity: Decimal | None = None
    market_value: Decimal | None = None
    todays_profit_loss: Decimal | None = None
    uncleared_deposit: Decimal | None = None
    detail: BalanceDetail | None = None
    currency_details: tuple[CurrencyDetail, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        detail = _mapping(get("BalanceDetail"))
        return cls(
            account_id=require_str(data, "AccountID"),
            account_type=opt_str(get("AccountType")),
            buying_power=opt_decimal(get("BuyingPower")),
            cash_balance=opt_decimal(get("CashBalance")),
            commission=opt_decimal(get("Commission")),
            equity=opt_decimal(get("Equity")),
            market_value=opt_decimal(get("MarketValue")),
            todays_profit_loss=opt_decimal(get("TodaysProfitLoss")),
            uncleared_deposit=opt_decimal(get("UnclearedDeposit")),
            detail=BalanceDetail.from_api(detail) if detail is not None else None,
            currency_details=tuple(
                CurrencyDetail.from_api(item) for item in _mappings(get("CurrencyDetails"))
            ),
        )


@dataclass(frozen=True, slots=True)
class BODBalanceDetail:
    account_balance: Decimal | None = None
    cash_available_to_withdraw: Decimal | None = None
    day_trades: int | None = None
    day_trading_marginable_buying_power: Decimal | None = None
    equity: Decimal | None = None
    net_cash: Decimal | None = None
    open_trade_equity: Decimal | None = None
    option_buying_power: Decimal | None = None
    option_value: Decimal | None = None
    overnight_buying_power: Decimal | None = None
    security_on_deposit: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            account_balance=opt_decimal(get("AccountBalance")),
            cash_available_to_withdraw=opt_decimal(get("CashAvailableToWithdraw")),
            day_trades=opt_int(get("DayTrades")),
            day_trading_marginable_buying_power=opt_decimal(get("DayTradingMarginableBuyingPower")),
            equity=opt_decimal(get("Equity")),
            net_cash=opt_decimal(get("NetCash")),
            open_trade_equity=opt_decimal(get("OpenTradeEquity")),
            option_buying_power=opt_decimal(get("OptionBuyingPower")),
            option_value=opt_decimal(get("OptionValue")),
            overnight_buying_power=opt_decimal(get("OvernightBuyingPower")),
            security_on_deposit=opt_decimal(get("SecurityOnDeposit")),
        )


@dataclass(frozen=True, slots=True)
class BODCurrencyDetail:
    currency: str | None = None
    account_margin_requirement: Decimal | None = None
    account_open_trade_equity: Decimal | None = None
    account_securities: Decimal | None = None
    cash_balance: Decimal | None = None
    margin_requirement: Decimal | None = None
    open_trade_equity: Decimal | None = None
    securities: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            currency=opt_str(get("Currency")),
            account_margin_requirement=opt_decimal(get("AccountMarginRequirement")),
            account_open_trade_equity=opt_decimal(get("AccountOpenTradeEquity")),
            account_securities=opt_decimal(get("AccountSecurities")),
            cash_balance=opt_decimal(get("CashBalance")),
            margin_requirement=opt_decimal(get("MarginRequirement")),
            open_trade_equity=opt_decimal(get("OpenTradeEquity")),
            securities=opt_decimal(get("Securities")),
        )


@dataclass(frozen=True, slots=True)
class BODBalance:
    account_id: str
    account_type: str | None = None
    detail: BODBalanceDetail | None = None
    currency_details: tuple[BODCurrencyDetail, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        detail = _mapping(get("BalanceDetail"))
        return cls(
            account_id=require_str(data, "AccountID"),
            account_type=opt_str(get("AccountType")),
            detail=BODBalanceDetail.from_api(detail) if detail is not None else None,
            currency_details=tuple(
                BODCurrencyDetail.from_api(item) for item in _mappings(get("CurrencyDetails"))
            ),
        )


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
