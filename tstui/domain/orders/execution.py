"""Orders, order legs, routes, confirmations and placement results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self, final

from tstui.domain._build import positional_builder
from tstui.domain.enums import StatusGroup, is_final, status_group
from tstui.domain.parsing import (
    is_mapping,
    opt_bool,
    opt_datetime,
    opt_decimal,
    opt_str,
    require_str,
    str_tuple,
)

__all__ = [
    "ConditionalOrder",
    "ConfirmationLeg",
    "MarketActivationRule",
    "Order",
    "OrderConfirmation",
    "OrderLeg",
    "OrderResult",
    "Route",
    "TimeActivationRule",
    "TrailingStop",
]

_ZERO = Decimal(0)
# Short names for the two hot from_api bodies below, which skip the call for absent keys
# (``None if (v := get(K)) is None else _d(v)``) and for plain strings: about 25% faster.
_s = opt_str
_d = opt_decimal
_t = opt_datetime


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if type(value) is not list:
        return []
    return [item for item in value if is_mapping(item)]


@final
@dataclass(frozen=True, slots=True)
class OrderLeg:
    symbol: str | None = None
    buy_or_sell: str | None = None  # Buy, Sell, SellShort, BuyToCover
    quantity_ordered: Decimal | None = None
    exec_quantity: Decimal | None = None
    quantity_remaining: Decimal | None = None
    execution_price: Decimal | None = None
    asset_type: str | None = None
    open_or_close: str | None = None
    option_type: str | None = None
    strike_price: Decimal | None = None
    expiration_date: datetime | None = None
    underlying: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> OrderLeg:
        get = data.get
        return _new_leg(  # positional, in field order (see _build.py: hot path)
            v if type(v := get("Symbol")) is str and v else _s(v),
            v if type(v := get("BuyOrSell")) is str and v else _s(v),
            None if (v := get("QuantityOrdered")) is None else _d(v),
            None if (v := get("ExecQuantity")) is None else _d(v),
            None if (v := get("QuantityRemaining")) is None else _d(v),
            None if (v := get("ExecutionPrice")) is None else _d(v),
            v if type(v := get("AssetType")) is str and v else _s(v),
            v if type(v := get("OpenOrClose")) is str and v else _s(v),
            None if (v := get("OptionType")) is None else _s(v),
            None if (v := get("StrikePrice")) is None else _d(v),
            None if (v := get("ExpirationDate")) is None else _t(v),
            None if (v := get("Underlying")) is None else _s(v),
        )

    @property
    def is_option(self) -> bool:
        """An option contract's leg (its AssetType says so, or it carries an OptionType)."""
        return self.option_type is not None or (self.asset_type or "").upper() in OPTION_ASSETS


OPTION_ASSETS = frozenset({"STOCKOPTION", "INDEXOPTION", "FUTUREOPTION", "CURRENCYOPTION"})
_new_leg = positional_builder(OrderLeg)


@dataclass(frozen=True, slots=True)
class ConditionalOrder:
    """A linked order of a group: ``relationship`` is BRK, OSP (parent), OSO (child) or OCO."""

    order_id: str | None = None
    relationship: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            order_id=opt_str(data.get("OrderID")), relationship=opt_str(data.get("Relationship"))
        )


@dataclass(frozen=True, slots=True)
class TrailingStop:
    amount: Decimal | None = None
    percent: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(amount=opt_decimal(data.get("Amount")), percent=opt_decimal(data.get("Percent")))


@dataclass(frozen=True, slots=True)
class MarketActivationRule:
    rule_type: str | None = None
    symbol: str | None = None
    predicate: str | None = None
    trigger_key: str | None = None
    price: Decimal | None = None
    logic_operator: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            rule_type=opt_str(get("RuleType")),
            symbol=opt_str(get("Symbol")),
            predicate=opt_str(get("Predicate")),
            trigger_key=opt_str(get("TriggerKey")),
            price=opt_decimal(get("Price")),
            logic_operator=opt_str(get("LogicOperator")),
        )


@dataclass(frozen=True, slots=True)
class TimeActivationRule:
    """Only the time of day of ``time_utc`` matters (the API sends the date as 0001-01-01)."""

    time_utc: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(time_utc=opt_datetime(data.get("TimeUtc")))


@final
@dataclass(frozen=True, slots=True)
class Order:
    """An order as reported by the orders endpoints and the orders stream (a whole object)."""

    order_id: str
    account_id: str | None = None
    status: str | None = None  # a code such as OPN, FLL; unknown codes are kept
    status_description: str | None = None
    order_type: str | None = None  # Market, Limit, StopMarket, StopLimit
    duration: str | None = None
    legs: tuple[OrderLeg, ...] = ()
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    filled_price: Decimal | None = None
    opened_date_time: datetime | None = None
    closed_date_time: datetime | None = None
    good_till_date: datetime | None = None
    commission_fee: Decimal | None = None
    currency: str | None = None
    routing: str | None = None
    reject_reason: str | None = None
    group_name: str | None = None
    advanced_options: str | None = None
    conditional_orders: tuple[ConditionalOrder, ...] = ()
    trailing_stop: TrailingStop | None = None
    market_activation_rules: tuple[MarketActivationRule, ...] = ()
    time_activation_rules: tuple[TimeActivationRule, ...] = ()
    price_used_for_buying_power: Decimal | None = None
    conversion_rate: Decimal | None = None
    show_only_quantity: Decimal | None = None
    spread: str | None = None
    unbundled_route_fee: Decimal | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Order:
        get = data.get
        legs = get("Legs")
        conditional = get("ConditionalOrders")
        trailing = get("TrailingStop")
        market_rules = get("MarketActivationRules")
        time_rules = get("TimeActivationRules")
        order_id = get("OrderID")
        if type(order_id) is not str or not order_id:
            order_id = require_str(data, "OrderID")
        return _new_order(  # positional, in field order (see _build.py: hot path)
            order_id,
            v if type(v := get("AccountID")) is str and v else _s(v),
            v if type(v := get("Status")) is str and v else _s(v),
            v if type(v := get("StatusDescription")) is str and v else _s(v),
            v if type(v := get("OrderType")) is str and v else _s(v),
            v if type(v := get("Duration")) is str and v else _s(v),
            tuple([_leg(leg) for leg in legs if is_mapping(leg)]) if type(legs) is list else (),
            None if (v := get("LimitPrice")) is None else _d(v),
            None if (v := get("StopPrice")) is None else _d(v),
            None if (v := get("FilledPrice")) is None else _d(v),
            None if (v := get("OpenedDateTime")) is None else _t(v),
            None if (v := get("ClosedDateTime")) is None else _t(v),
            None if (v := get("GoodTillDate")) is None else _t(v),
            None if (v := get("CommissionFee")) is None else _d(v),
            v if type(v := get("Currency")) is str and v else _s(v),
            v if type(v := get("Routing")) is str and v else _s(v),
            None if (v := get("RejectReason")) is None else _s(v),
            None if (v := get("GroupName")) is None else _s(v),
            None if (v := get("AdvancedOptions")) is None else _s(v),
            tuple(ConditionalOrder.from_api(item) for item in _mappings(conditional))
            if conditional
            else (),
            TrailingStop.from_api(trailing) if is_mapping(trailing) else None,
            tuple(MarketActivationRule.from_api(item) for item in _mappings(market_rules))
            if market_rules
            else (),
            tuple(TimeActivationRule.from_api(item) for item in _mappings(time_rules))
            if time_rules
            else (),
            None if (v := get("PriceUsedForBuyingPower")) is None else _d(v),
            None if (v := get("ConversionRate")) is None else _d(v),
            None if (v := get("ShowOnlyQuantity")) is None else _d(v),
            None if (v := get("Spread")) is None else _s(v),
            None if (v := get("UnbundledRouteFee")) is None else _d(v),
        )

    # -- conveniences (first leg: single-leg orders are the norm) ---------------------------

    @property
    def symbol(self) -> str:
        return (self.legs[0].symbol or "") if self.legs else ""

    @property
    def is_multi_leg(self) -> bool:
        """An option package (a spread, a covered order): several legs filled together."""
        return len(self.legs) > 1

    @property
    def display_symbol(self) -> str:
        """The symbol, or a package's legs' symbols joined by " / " (for tables and lines)."""
        if len(self.legs) > 1:
            return " / ".join(leg.symbol or "?" for leg in self.legs)
        return self.symbol

    @property
    def side(self) -> str:
        """The first leg's ``BuyOrSell`` (Buy, Sell, SellShort, BuyToCover), or ""."""
        return (self.legs[0].buy_or_sell or "") if self.legs else ""

    @property
    def quantity(self) -> Decimal:
        if not self.legs:
            return _ZERO
        qty = self.legs[0].quantity_ordered
        return qty if qty is not None else _ZERO

    @property
    def filled_quantity(self) -> Decimal:
        if not self.legs:
            return _ZERO
        qty = self.legs[0].exec_quantity
        return qty if qty is not None else _ZERO

    @property
    def remaining_quantity(self) -> Decimal:
        """What can still fill: the leg's ``QuantityRemaining`` (0 once final), else derived."""
        if self.status is not None and is_final(self.status):
            return _ZERO
        if self.legs and self.legs[0].quantity_remaining is not None:
            return self.legs[0].quantity_remaining
        return max(self.quantity - self.filled_quantity, _ZERO)

    @property
    def status_group(self) -> StatusGroup:
        return status_group(self.status)

    @property
    def is_final(self) -> bool:
        return is_final(self.status)

    @property
    def is_working(self) -> bool:
        return status_group(self.status) == "working"


_new_order = positional_builder(Order)
_leg = OrderLeg.from_api


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    name: str | None = None
    asset_types: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=require_str(data, "Id"),
            name=opt_str(data.get("Name")),
            asset_types=str_tuple(data.get("AssetTypes")),
        )


@dataclass(frozen=True, slots=True)
class ConfirmationLeg:
    symbol: str | None = None
    quantity: Decimal | None = None
    trade_action: str | None = None
    option_type: str | None = None
    strike_price: Decimal | None = None
    expiration_date: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            symbol=opt_str(get("Symbol")),
            quantity=opt_decimal(get("Quantity")),
            trade_action=opt_str(get("TradeAction")),
            option_type=opt_str(get("OptionType")),
            strike_price=opt_decimal(get("StrikePrice")),
            expiration_date=opt_datetime(get("ExpirationDate")),
        )


@dataclass(frozen=True, slots=True)
class OrderConfirmation:
    """What ``orderconfirm`` estimates for an order (nothing is placed)."""

    account_id: str | None = None
    order_confirm_id: str | None = None
    summary_message: str | None = None
    estimated_price: Decimal | None = None
    estimated_cost: Decimal | None = None
    estimated_commission: Decimal | None = None
    debit_credit_estimated_cost: Decimal | None = None
    initial_margin_display: str | None = None
    route: str | None = None
    duration: str | None = None
    expiration: datetime | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    currency: str | None = None
    account_currency: str | None = None
    product_currency: str | None = None
    order_asset_category: str | None = None
    underlying: str | None = None
    all_or_none: bool | None = None
    legs: tuple[ConfirmationLeg, ...] = ()
    spread: str | None = None  # an option package's spread type ("Vertical"...)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        tif = get("TimeInForce")
        tif = tif if is_mapping(tif) else {}
        return cls(
            account_id=opt_str(get("AccountID")),
            order_confirm_id=opt_str(get("OrderConfirmID")),
            summary_message=opt_str(get("SummaryMessage")),
            estimated_price=opt_decimal(get("EstimatedPrice")),
            estimated_cost=opt_decimal(get("EstimatedCost")),
            estimated_commission=opt_decimal(get("EstimatedCommission")),
            debit_credit_estimated_cost=opt_decimal(get("DebitCreditEstimatedCost")),
            initial_margin_display=opt_str(get("InitialMarginDisplay")),
            route=opt_str(get("Route")),
            duration=opt_str(tif.get("Duration")),
            expiration=opt_datetime(tif.get("Expiration")),
            limit_price=opt_decimal(get("LimitPrice")),
            stop_price=opt_decimal(get("StopPrice")),
            currency=opt_str(get("Currency")),
            account_currency=opt_str(get("AccountCurrency")),
            product_currency=opt_str(get("ProductCurrency")),
            order_asset_category=opt_str(get("OrderAssetCategory")),
            underlying=opt_str(get("Underlying")),
            all_or_none=opt_bool(get("AllOrNone")),
            legs=tuple(ConfirmationLeg.from_api(leg) for leg in _mappings(get("Legs"))),
            spread=opt_str(get("Spread")),
        )


@dataclass(frozen=True, slots=True)
class OrderResult:
    """One answer of place/replace/cancel: ``error`` is set when this order failed."""

    order_id: str | None
    message: str
    error: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, failed: bool = False) -> Self:
        error = opt_str(data.get("Error"))
        if failed and error is None:
            error = "FAILED"
        return cls(
            order_id=opt_str(data.get("OrderID")),
            message=opt_str(data.get("Message")) or "",
            error=error,
        )

    @property
    def ok(self) -> bool:
        return self.error is None
