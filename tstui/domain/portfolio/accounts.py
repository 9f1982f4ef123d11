"""Accounts (``/v3/brokerage/accounts``): what each account is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from tstui.domain.parsing import (
    opt_bool,
    opt_int,
    opt_mapping,
    opt_str,
    require_str,
)

__all__ = [
    "Account",
    "AccountDetail",
]


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
        detail = opt_mapping(get("AccountDetail"))
        return cls(
            account_id=require_str(data, "AccountID"),
            account_type=opt_str(get("AccountType")),
            alias=opt_str(get("Alias")),
            alt_id=opt_str(get("AltID")),
            currency=opt_str(get("Currency")),
            status=opt_str(get("Status")),
            detail=AccountDetail.from_api(detail) if detail is not None else None,
        )
