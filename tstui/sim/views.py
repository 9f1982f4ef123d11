"""Brokerage records -> v3 JSON bodies (numbers as strings, RFC 3339 times)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from tstui.sim.advanced import advanced_fields, codes
from tstui.sim.clock import iso
from tstui.sim.instruments import FUTURES_MARGIN, Instrument
from tstui.sim.option_orders import OPTION_ASSETS, series_of, stock_action
from tstui.sim.records import (
    FUTURE_ACTIONS,
    OPTION_ACTIONS,
    STATUS_DESCRIPTIONS,
    STOCK_ACTIONS,
    SimAccount,
    SimOrder,
    SimPosition,
)

Quote = tuple[Decimal, Decimal, Decimal]  # last, bid, ask
PriceOf = Callable[[str], Quote]
InstrumentOf = Callable[[str], Instrument | None]
CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _price(order: SimOrder, value: Decimal | None, inst: Instrument | None) -> str:
    if value is None:
        return "0"
    return inst.fmt(value) if inst else str(value)


def _average(value: Decimal, inst: Instrument | None) -> str:
    """An average fill price: the instrument's decimals when exact, else up to six."""
    if inst is not None and value == Decimal(inst.fmt(value)):
        return inst.fmt(value)
    return str(value.quantize(Decimal("0.000001")).normalize())


def _buy_or_sell(asset_type: str, trade_action: str) -> str:
    if trade_action in OPTION_ACTIONS:
        if asset_type in OPTION_ASSETS:
            return OPTION_ACTIONS[trade_action]
        trade_action = stock_action(trade_action)  # a package's stock leg
    actions = FUTURE_ACTIONS if asset_type == "FUTURE" else STOCK_ACTIONS
    return actions.get(trade_action, STOCK_ACTIONS.get(trade_action, "Buy"))


def _leg(
    order: SimOrder, symbol: str, action: str, ratio: Decimal, price: str | None
) -> dict[str, Any]:
    """One of the order's legs: a plain order's only one, or a package's (``ratio`` of its
    units), with the option fields on an option leg."""
    series = series_of(symbol, order.opened_at) if " " in symbol else None
    asset_type = series.asset_type if series is not None else order.asset_type
    if order.legs and series is None:
        asset_type = "STOCK"
    leg: dict[str, Any] = {
        "AssetType": asset_type,
        "BuyOrSell": _buy_or_sell(asset_type, action),
        "ExecQuantity": str(order.filled_quantity * ratio),
        "OpenOrClose": (
            order.open_or_close
            if not order.legs
            else ("Open" if action in ("BUYTOOPEN", "SELLTOOPEN", "BUY", "SELLSHORT") else "Close")
        ),
        "QuantityOrdered": str(order.quantity * ratio),
        "QuantityRemaining": str(order.remaining * ratio if order.is_working else Decimal(0)),
        "Symbol": symbol,
    }
    if price is not None:
        leg["ExecutionPrice"] = price
    if series is not None:
        leg["OptionType"] = series.wire_type
        leg["StrikePrice"] = str(series.strike)
        leg["ExpirationDate"] = f"{series.expiration.isoformat()}T00:00:00Z"
        leg["Underlying"] = series.underlying
    return leg


def _legs(order: SimOrder, inst: Instrument | None) -> list[dict[str, Any]]:
    if order.legs:
        return [
            _leg(
                order,
                symbol,
                action,
                ratio,
                f"{order.leg_prices[i]:.2f}" if i < len(order.leg_prices) else None,
            )
            for i, (symbol, ratio, action) in enumerate(order.legs)
        ]
    price = _average(order.filled_price, inst) if order.filled_price is not None else None
    leg = _leg(order, order.symbol, order.trade_action, Decimal(1), price)
    if order.asset_type == "FUTURE" and inst is not None:
        leg["Underlying"] = inst.root
        if inst.expiration is not None:
            leg["ExpirationDate"] = f"{inst.expiration.isoformat()}T00:00:00Z"
    return [leg]


def order_to_api(order: SimOrder, inst: Instrument | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": order.account_id,
        "CommissionFee": money(order.commission),
        "Currency": "USD",
        "Duration": order.duration,
        "Legs": _legs(order, inst),
        "OpenedDateTime": iso(order.opened_at),
        "OrderID": order.order_id,
        "OrderType": order.order_type,
        "PriceUsedForBuyingPower": _price(
            order, order.limit_price or order.stop_price or order.filled_price, inst
        ),
        "Routing": order.route,
        "Status": order.status,
        "StatusDescription": STATUS_DESCRIPTIONS.get(order.status, order.status),
        "UnbundledRouteFee": "0",
    }
    if order.filled_price is not None:
        body["FilledPrice"] = _average(order.filled_price, inst)
    if order.limit_price is not None:
        body["LimitPrice"] = _price(order, order.limit_price, inst)
    if order.stop_price is not None:
        body["StopPrice"] = _price(order, order.stop_price, inst)
    if order.closed_at is not None:
        body["ClosedDateTime"] = iso(order.closed_at)
    if order.reject_reason:
        body["RejectReason"] = order.reject_reason
    if order.duration in ("GTC", "GCP", "GTD", "GDP") and order.expires_at is not None:
        body["GoodTillDate"] = iso(order.expires_at)
    group_id = order.group_name.split(" ")[-1] if order.group_name else None
    advanced = codes(order_type=order.order_type, advanced=order.advanced, group_id=group_id)
    if advanced:
        body["AdvancedOptions"] = advanced
    if order.links:
        body["ConditionalOrders"] = [
            {"Relationship": rel, "OrderID": linked} for linked, rel in order.links
        ]
    if order.group_name:
        body["GroupName"] = order.group_name
    if order.spread:
        body["Spread"] = order.spread
    body.update(advanced_fields(order.advanced))
    return body


def position_to_api(
    pos: SimPosition, inst: Instrument | None, quote: Quote, todays_pl: Decimal | None = None
) -> dict[str, Any]:
    """``todays_pl``: the P&L since the start of the day (tstui.sim.valuation); without it,
    the unrealized P&L stands in."""
    last, bid, ask = quote
    pv = inst.point_value if inst else Decimal(1)
    fmt = inst.fmt if inst else str
    qty = pos.quantity
    cost = pos.average_price * qty * pv
    unrealized = (last - pos.average_price) * qty * pv
    pct = (unrealized / abs(cost) * 100).quantize(CENT) if cost else Decimal(0)
    body: dict[str, Any] = {
        "AccountID": pos.account_id,
        # the spec's positions know no FUTUREOPTION: a futures option reads as its future's
        "AssetType": "FUTURE" if pos.asset_type == "FUTUREOPTION" else pos.asset_type,
        "AveragePrice": fmt(pos.average_price),
        "Bid": fmt(bid),
        "Ask": fmt(ask),
        "ConversionRate": "1",
        "DayTradeRequirement": "0",
        "Last": fmt(last),
        "LongShort": "Long" if qty > 0 else "Short",
        "MarkToMarketPrice": fmt(pos.average_price),
        "MarketValue": money(last * qty * pv),
        "PositionID": pos.position_id,
        "Quantity": str(qty),
        "Symbol": pos.symbol,
        "Timestamp": iso(pos.opened_at),
        "TodaysProfitLoss": money(unrealized if todays_pl is None else todays_pl),
        "TotalCost": money(cost),
        "UnrealizedProfitLoss": money(unrealized),
        "UnrealizedProfitLossPercent": str(pct),
        "UnrealizedProfitLossQty": fmt((last - pos.average_price) * (1 if qty > 0 else -1)),
        # always sent, "0" for stocks, as in the spec's own example (clients rely on them)
        "InitialRequirement": "0",
        "MaintenanceMargin": "0",
    }
    if pos.asset_type == "FUTURE" and inst is not None:
        margin = FUTURES_MARGIN.get(inst.root, Decimal(0)) * abs(qty)
        body["InitialRequirement"] = money(margin)
        body["MaintenanceMargin"] = money(margin * Decimal("0.9"))
        body["DayTradeRequirement"] = money(margin / 4)
        if inst.expiration is not None:
            body["ExpirationDate"] = f"{inst.expiration.isoformat()}T00:00:00Z"
    if pos.asset_type in OPTION_ASSETS and inst is not None and inst.expiration is not None:
        body["ExpirationDate"] = f"{inst.expiration.isoformat()}T00:00:00Z"
    return body


def account_totals(
    account: SimAccount, positions: Iterable[SimPosition], instrument: InstrumentOf, price: PriceOf
) -> dict[str, Decimal]:
    market_value = unrealized = margin = cost = options_value = Decimal(0)
    futures_unrealized = Decimal(0)
    for pos in positions:
        inst = instrument(pos.symbol)
        pv = inst.point_value if inst else Decimal(1)
        last = price(pos.symbol)[0]
        unrealized += (last - pos.average_price) * pos.quantity * pv
        cost += pos.average_price * pos.quantity * pv
        if pos.asset_type == "FUTURE":
            futures_unrealized += (last - pos.average_price) * pos.quantity * pv
            margin += FUTURES_MARGIN.get(inst.root if inst else "", Decimal(0)) * abs(pos.quantity)
        else:  # stock, and options at their premium x the multiplier
            market_value += last * pos.quantity * pv
            if pos.asset_type in OPTION_ASSETS:
                options_value += last * pos.quantity * pv
    if account.trades_futures:  # futures options are paid for: their value is equity
        equity = account.cash + futures_unrealized + options_value
        buying_power = max(Decimal(0), equity - margin)
    else:
        equity = account.cash + market_value
        if account.account_type == "Margin":  # Reg T: twice the equity, less what is held
            buying_power = max(Decimal(0), 2 * equity - abs(market_value))
        else:
            buying_power = max(Decimal(0), account.cash)
    return {
        "equity": equity,
        "market_value": market_value,
        "unrealized": unrealized,
        "margin": margin,
        "cost": cost,
        "buying_power": buying_power,
        "options_value": options_value,
    }


def balance_to_api(
    account: SimAccount, totals: dict[str, Decimal], todays_pl: Decimal | None = None
) -> dict[str, Any]:
    futures = account.trades_futures
    detail: dict[str, Any] = {
        "CostOfPositions": money(totals["cost"]),
        "DayTradeExcess": money(totals["buying_power"]),
        "DayTrades": "0",
        "MaintenanceRate": "0",
        "OptionBuyingPower": money(totals["buying_power"] if not futures else Decimal(0)),
        "OptionsMarketValue": money(totals.get("options_value", Decimal(0))),
        "OvernightBuyingPower": money(totals["buying_power"]),
        "RealizedProfitLoss": money(account.realized),
        "RequiredMargin": money(totals["margin"]),
        "UnrealizedProfitLoss": money(totals["unrealized"]),
        "UnsettledFunds": "0.00",
    }
    body: dict[str, Any] = {
        "AccountID": account.account_id,
        "AccountType": account.account_type,
        "BuyingPower": money(totals["buying_power"]),
        "CashBalance": money(account.cash),
        "Commission": money(account.commission),
        "Equity": money(totals["equity"]),
        "MarketValue": money(totals["market_value"]),
        "TodaysProfitLoss": money(
            totals["unrealized"] + account.realized if todays_pl is None else todays_pl
        ),
        "UnclearedDeposit": "0.00",
        "BalanceDetail": detail,
    }
    if futures:
        detail.update(
            DayTradeMargin=money(totals["margin"] / 4),
            DayTradeOpenOrderMargin="0.00",
            InitialMargin=money(totals["margin"]),
            MaintenanceMargin=money(totals["margin"] * Decimal("0.9")),
            MarginRequirement=money(totals["margin"]),
            OpenOrderMargin="0.00",
            SecurityOnDeposit="0.00",
            TodayRealTimeTradeEquity=money(totals["unrealized"]),
            TradeEquity=money(totals["unrealized"]),
        )
        body["CurrencyDetails"] = [
            {
                "Currency": "USD",
                "AccountConversionRate": "1",
                "AccountMarginRequirement": money(totals["margin"]),
                "CashBalance": money(account.cash),
                "Commission": money(account.commission),
                "InitialMargin": money(totals["margin"]),
                "MaintenanceMargin": money(totals["margin"] * Decimal("0.9")),
                "RealizedProfitLoss": money(account.realized),
                "UnrealizedProfitLoss": money(totals["unrealized"]),
            }
        ]
    return body


def bod_balance_to_api(
    account: SimAccount, securities: Decimal = Decimal(0), start_cash: Decimal | None = None
) -> dict[str, Any]:
    """``start_cash``: cash at the start of the day (tstui.sim.valuation); defaults to the
    figure stored with the account."""
    start = account.bod_cash if start_cash is None else start_cash
    cash = money(start)
    body: dict[str, Any] = {
        "AccountID": account.account_id,
        "AccountType": account.account_type,
        "BalanceDetail": {
            "AccountBalance": cash,
            "CashAvailableToWithdraw": cash,
            "DayTrades": "0",
            "DayTradingMarginableBuyingPower": money(start * 4),
            "Equity": money(start + securities),
            "NetCash": cash,
            "OpenTradeEquity": "0.00",
            "OptionBuyingPower": cash,
            "OptionValue": "0.00",
            "OvernightBuyingPower": money(start * 2),
        },
    }
    if account.trades_futures:
        body["BalanceDetail"]["SecurityOnDeposit"] = "0.00"
        body["CurrencyDetails"] = [
            {
                "Currency": "USD",
                "AccountMarginRequirement": "0.00",
                "AccountOpenTradeEquity": "0.00",
                "AccountSecurities": "0.00",
                "CashBalance": cash,
                "MarginRequirement": "0.00",
                "OpenTradeEquity": "0.00",
                "Securities": "0.00",
            }
        ]
    return body


def account_to_api(account: SimAccount) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": account.account_id,
        "AccountType": account.account_type,
        "Alias": {"Margin": "Sim Margin", "Futures": "Sim Futures", "Cash": "Sim Cash"}.get(
            account.account_type, "Sim"
        ),
        "Currency": "USD",
        "Status": "Active",
    }
    if not account.trades_futures:
        body["AccountDetail"] = {
            "DayTradingQualified": True,
            "EnrolledInRegTProgram": False,
            "IsStockLocateEligible": False,
            "OptionApprovalLevel": account.option_level,
            "PatternDayTrader": False,
            "RequiresBuyingPowerWarning": False,
        }
    return body
