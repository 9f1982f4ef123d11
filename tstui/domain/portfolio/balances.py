"""Real-time and beginning-of-day balances (``/v3/brokerage/accounts/{ids}/balances`` and
``.../bodbalances``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from tstui.domain.parsing import (
    mappings,
    opt_decimal,
    opt_int,
    opt_mapping,
    opt_str,
    require_str,
)

__all__ = [
    "BODBalance",
    "BODBalanceDetail",
    "BODCurrencyDetail",
    "Balance",
    "BalanceDetail",
    "CurrencyDetail",
]


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
        detail = opt_mapping(get("BalanceDetail"))
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
                CurrencyDetail.from_api(item) for item in mappings(get("CurrencyDetails"))
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
        detail = opt_mapping(get("BalanceDetail"))
        return cls(
            account_id=require_str(data, "AccountID"),
            account_type=opt_str(get("AccountType")),
            detail=BODBalanceDetail.from_api(detail) if detail is not None else None,
            currency_details=tuple(
                BODCurrencyDetail.from_api(item) for item in mappings(get("CurrencyDetails"))
            ),
        )
