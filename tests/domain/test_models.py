"""Domain models built from spec-shaped payloads: Decimal money, UTC times, tolerance."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain import enums
from tstui.domain.models import (
    Account,
    Balance,
    Bar,
    Batch,
    BODBalance,
    ItemError,
    Order,
    OrderConfirmation,
    OrderLeg,
    OrderResult,
    ParseError,
    Position,
    Quote,
    Route,
    SymbolDetail,
    TickBar,
)
from tstui.domain.parsing import opt_bool, opt_date, opt_datetime, opt_decimal, opt_int, opt_str

D = Decimal

ORDER_EXAMPLE: dict[str, Any] = {
    "AccountID": "123456782",
    "CommissionFee": "0",
    "ConditionalOrders": [{"Relationship": "OCO", "OrderID": "286179863"}],
    "Currency": "USD",
    "Duration": "GTC",
    "GoodTillDate": "2021-02-15T00:00:00Z",
    "GroupName": "OCO 2706452145",
    "Legs": [
        {
            "OpenOrClose": "Close",
            "QuantityOrdered": "10",
            "ExecQuantity": "4",
            "QuantityRemaining": "6",
            "BuyOrSell": "Sell",
            "Symbol": "MSFT",
            "AssetType": "STOCK",
        }
    ],
    "OrderID": "286179864",
    "OpenedDateTime": "2020-11-17T16:34:37Z",
    "OrderType": "StopMarket",
    "PriceUsedForBuyingPower": "215.06",
    "Routing": "Intelligent",
    "Status": "FPR",
    "StatusDescription": "Partial Fill (Alive)",
    "StopPrice": "130",
    "AdvancedOptions": "STPTRG=STT;TRL=5%;",
    "TrailingStop": {"Percent": "5.0"},
    "MarketActivationRules": [
        {"RuleType": "Price", "Symbol": "EDZ22", "Predicate": "gt", "TriggerKey": "STTN",
         "Price": "10000.01"}
    ],
    "TimeActivationRules": [{"TimeUtc": "0001-01-01T23:59:59Z"}],
    "UnbundledRouteFee": "0",
}  # fmt: skip


# -- parsing helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4500.25", D("4500.25")),
        ("-0.5", D("-0.5")),
        ("0", D("0")),
        (12, D(12)),
        (0.1, D("0.1")),
        (D("1.5"), D("1.5")),
        ("", None),
        (None, None),
        ("abc", None),
        ("NaN", None),
        ("Infinity", None),
        (float("nan"), None),
        (True, None),
        ([], None),
    ],
)
def test_opt_decimal(raw: Any, expected: Decimal | None) -> None:
    assert opt_decimal(raw) == expected
    assert opt_decimal(raw) == expected  # second time through the cache


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06-03T13:30:00Z", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("2024-06-03T09:30:00-04:00", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("2024-06-03T13:30:00", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("2024-06-03T13:30:00.1234567Z", datetime(2024, 6, 3, 13, 30, 0, 123456, tzinfo=UTC)),
        ("/Date(1717421400000)/", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("/Date(1717421400000-0500)/", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("1717421400", datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        (1717421400000, datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        (1717421400, datetime(2024, 6, 3, 13, 30, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("yesterday", None),
        (True, None),
    ],
)
def test_opt_datetime_is_aware_utc(raw: Any, expected: datetime | None) -> None:
    result = opt_datetime(raw)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


def test_small_helpers() -> None:
    assert opt_str("") is None and opt_str(5) == "5" and opt_str(True) is None
    assert opt_int("3") == 3 and opt_int("3.0") == 3 and opt_int("x") is None
    assert opt_int(True) is None and opt_int(None) is None
    assert opt_bool("true") is True and opt_bool("False") is False and opt_bool("?") is None
    assert opt_date("2024-06-03") == date(2024, 6, 3)
    assert opt_date("2024-06-03T23:30:00-04:00") == date(2024, 6, 4)


# -- accounts, balances, positions ---------------------------------------------------------


def test_account_with_detail() -> None:
    account = Account.from_api(
        {
            "AccountID": "SIM1000001M",
            "AccountType": "Margin",
            "Alias": "Main",
            "Currency": "USD",
            "Status": "Active",
            "AccountDetail": {
                "DayTradingQualified": True,
                "OptionApprovalLevel": 2,
                "PatternDayTrader": False,
            },
        }
    )
    assert account.account_id == "SIM1000001M"
    assert account.account_type == enums.AccountType.MARGIN
    assert account.alt_id is None
    assert account.detail is not None
    assert account.detail.option_approval_level == 2
    assert account.detail.pattern_day_trader is False
    assert account.detail.is_stock_locate_eligible is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.alias = "x"  # type: ignore[misc]


def test_balance_equities_and_futures() -> None:
    balance = Balance.from_api(
        {
            "AccountID": "1",
            "AccountType": "Futures",
            "CashBalance": "100000.5",
            "Equity": "101000",
            "BuyingPower": 250000,
            "BalanceDetail": {"DayTrades": "2", "RealizedProfitLoss": "-12.5"},
            "CurrencyDetails": [{"Currency": "USD", "InitialMargin": "1000"}, "junk"],
        }
    )
    assert balance.cash_balance == D("100000.5")
    assert balance.buying_power == D(250000)
    assert balance.market_value is None
    assert balance.detail is not None and balance.detail.day_trades == 2
    assert balance.detail.realized_profit_loss == D("-12.5")
    assert [c.initial_margin for c in balance.currency_details] == [D(1000)]
    bod = BODBalance.from_api(
        {"AccountID": "1", "BalanceDetail": {"NetCash": "5", "DayTrades": "0"}}
    )
    assert bod.detail is not None and bod.detail.net_cash == D(5)
    assert bod.currency_details == ()


def test_position_signed_quantity() -> None:
    long = Position.from_api(
        {"PositionID": "p1", "Symbol": "MSFT", "Quantity": "10", "LongShort": "Long",
         "AveragePrice": "216.68", "Timestamp": "2020-11-16T16:53:37Z"}
    )  # fmt: skip
    assert long.signed_quantity == D(10) and not long.is_short
    assert long.timestamp == datetime(2020, 11, 16, 16, 53, 37, tzinfo=UTC)
    short_negative = Position.from_api({"PositionID": "p2", "Quantity": "-3", "LongShort": "Short"})
    short_positive = Position.from_api({"PositionID": "p3", "Quantity": "3", "LongShort": "Short"})
    assert short_negative.signed_quantity == short_positive.signed_quantity == D(-3)
    unsigned = Position.from_api({"PositionID": "p4", "Quantity": "-2"})
    assert unsigned.signed_quantity == D(-2)
    assert Position.from_api({"PositionID": "p5"}).signed_quantity == D(0)


# -- orders ------------------------------------------------------------------------------


def test_order_from_spec_example() -> None:
    order = Order.from_api(ORDER_EXAMPLE)
    assert order.order_id == "286179864"
    assert order.symbol == "MSFT" and order.side == "Sell"
    assert order.quantity == D(10) and order.filled_quantity == D(4)
    assert order.remaining_quantity == D(6)
    assert order.status == enums.OrderStatus.FPR
    assert order.status_group == "working" and not order.is_final and order.is_working
    assert order.stop_price == D(130) and order.limit_price is None
    assert order.opened_date_time == datetime(2020, 11, 17, 16, 34, 37, tzinfo=UTC)
    assert order.conditional_orders[0].relationship == "OCO"
    assert order.trailing_stop is not None and order.trailing_stop.percent == D("5.0")
    assert order.market_activation_rules[0].price == D("10000.01")
    time_rule = order.time_activation_rules[0].time_utc
    assert time_rule is not None and (time_rule.hour, time_rule.minute) == (23, 59)
    assert order.legs[0].open_or_close == "Close"


def test_order_unknown_status_and_missing_fields() -> None:
    order = Order.from_api({"OrderID": "1", "Status": "ZZZ", "Legs": None})
    assert order.status == "ZZZ"
    assert order.status_group == "other" and not order.is_final
    assert order.legs == () and order.symbol == "" and order.side == ""
    assert order.quantity == D(0) and order.remaining_quantity == D(0)
    assert order.account_id is None and order.opened_date_time is None
    with pytest.raises(ParseError):
        Order.from_api({"Status": "OPN"})


def test_order_remaining_quantity_is_zero_once_final() -> None:
    payload = {**ORDER_EXAMPLE, "Status": "CAN"}
    assert Order.from_api(payload).remaining_quantity == D(0)
    leg = {"QuantityOrdered": "5", "ExecQuantity": "2"}
    derived = Order.from_api({"OrderID": "2", "Status": "OPN", "Legs": [leg]})
    assert derived.remaining_quantity == D(3)


# Every field of the hot-path models (built positionally) must land in its own attribute.
def _distinct_payload(model: type, keys: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    payload: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    hints = {f.name: str(f.type) for f in dataclasses.fields(model)}
    for n, (name, key) in enumerate(keys.items(), start=1):
        hint = hints[name]
        if hint.startswith("Decimal"):
            payload[key], expected[name] = f"{n}.{n:02d}", D(f"{n}.{n:02d}")
        elif hint.startswith("datetime"):
            moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n)
            payload[key], expected[name] = moment.isoformat(), moment
        elif hint.startswith("int"):
            payload[key], expected[name] = n, n
        elif hint.startswith("bool"):
            payload[key], expected[name] = n % 2 == 0, n % 2 == 0
        else:
            payload[key], expected[name] = f"s{n}", f"s{n}"
    return payload, expected


FIELD_KEYS: dict[type, dict[str, str]] = {
    OrderLeg: {
        "symbol": "Symbol", "buy_or_sell": "BuyOrSell", "quantity_ordered": "QuantityOrdered",
        "exec_quantity": "ExecQuantity", "quantity_remaining": "QuantityRemaining",
        "execution_price": "ExecutionPrice", "asset_type": "AssetType",
        "open_or_close": "OpenOrClose", "option_type": "OptionType",
        "strike_price": "StrikePrice", "expiration_date": "ExpirationDate",
        "underlying": "Underlying",
    },
    Order: {
        "order_id": "OrderID", "account_id": "AccountID", "status": "Status",
        "status_description": "StatusDescription", "order_type": "OrderType",
        "duration": "Duration", "limit_price": "LimitPrice", "stop_price": "StopPrice",
        "filled_price": "FilledPrice", "opened_date_time": "OpenedDateTime",
        "closed_date_time": "ClosedDateTime", "good_till_date": "GoodTillDate",
        "commission_fee": "CommissionFee", "currency": "Currency", "routing": "Routing",
        "reject_reason": "RejectReason", "group_name": "GroupName",
        "advanced_options": "AdvancedOptions",
        "price_used_for_buying_power": "PriceUsedForBuyingPower",
        "conversion_rate": "ConversionRate", "show_only_quantity": "ShowOnlyQuantity",
        "spread": "Spread", "unbundled_route_fee": "UnbundledRouteFee",
    },
    Position: {
        "position_id": "PositionID", "account_id": "AccountID", "symbol": "Symbol",
        "asset_type": "AssetType", "quantity": "Quantity", "long_short": "LongShort",
        "average_price": "AveragePrice", "last": "Last", "bid": "Bid", "ask": "Ask",
        "conversion_rate": "ConversionRate", "day_trade_requirement": "DayTradeRequirement",
        "expiration_date": "ExpirationDate", "initial_requirement": "InitialRequirement",
        "maintenance_margin": "MaintenanceMargin", "mark_to_market_price": "MarkToMarketPrice",
        "market_value": "MarketValue", "timestamp": "Timestamp",
        "todays_profit_loss": "TodaysProfitLoss", "total_cost": "TotalCost",
        "unrealized_profit_loss": "UnrealizedProfitLoss",
        "unrealized_profit_loss_percent": "UnrealizedProfitLossPercent",
        "unrealized_profit_loss_qty": "UnrealizedProfitLossQty",
    },
    Quote: {
        "symbol": "Symbol", "last": "Last", "bid": "Bid", "ask": "Ask", "bid_size": "BidSize",
        "ask_size": "AskSize", "last_size": "LastSize", "last_venue": "LastVenue",
        "open": "Open", "high": "High", "low": "Low", "close": "Close",
        "previous_close": "PreviousClose", "net_change": "NetChange",
        "net_change_pct": "NetChangePct", "volume": "Volume",
        "previous_volume": "PreviousVolume", "vwap": "VWAP", "trade_time": "TradeTime",
        "high_52_week": "High52Week", "high_52_week_timestamp": "High52WeekTimestamp",
        "low_52_week": "Low52Week", "low_52_week_timestamp": "Low52WeekTimestamp",
        "min_price": "MinPrice", "max_price": "MaxPrice",
        "daily_open_interest": "DailyOpenInterest", "first_notice_date": "FirstNoticeDate",
        "last_trading_date": "LastTradingDate", "tick_size_tier": "TickSizeTier",
    },
    Bar: {
        "timestamp": "TimeStamp", "open": "Open", "high": "High", "low": "Low",
        "close": "Close", "total_volume": "TotalVolume", "epoch": "Epoch",
        "bar_status": "BarStatus", "is_realtime": "IsRealtime",
        "is_end_of_history": "IsEndOfHistory", "open_interest": "OpenInterest",
        "total_ticks": "TotalTicks", "up_ticks": "UpTicks", "down_ticks": "DownTicks",
        "up_volume": "UpVolume", "down_volume": "DownVolume",
    },
}  # fmt: skip


@pytest.mark.parametrize("model", list(FIELD_KEYS), ids=lambda m: m.__name__)
def test_every_field_maps_to_its_own_attribute(model: Any) -> None:
    payload, expected = _distinct_payload(model, FIELD_KEYS[model])
    obj = model.from_api(payload)
    for name, value in expected.items():
        assert getattr(obj, name) == value, name
    # built positionally, yet equal to the same object built by keyword
    assert obj == dataclasses.replace(obj)
    assert hash(obj) == hash(dataclasses.replace(obj))


# -- market data -------------------------------------------------------------------------


def test_bar_from_spec_example_and_required_fields() -> None:
    bar = Bar.from_api(
        {"High": "218.32", "Low": "212.42", "Open": "214.02", "Close": "216.39",
         "TimeStamp": "2020-11-04T21:00:00Z", "TotalVolume": "42311777", "DownTicks": 231021,
         "IsRealtime": False, "Epoch": 1604523600000, "BarStatus": "Closed"}
    )  # fmt: skip
    assert bar.close == D("216.39") and bar.total_volume == D(42311777)
    assert bar.timestamp == datetime(2020, 11, 4, 21, 0, tzinfo=UTC) and bar.is_closed
    by_epoch = Bar.from_api({"Open": "1", "High": "1", "Low": "1", "Close": "1", "Epoch": 0})
    assert by_epoch.timestamp == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(ParseError):
        Bar.from_api({"Open": "1", "High": "1", "Low": "1", "TimeStamp": "2020-11-04T21:00:00Z"})
    with pytest.raises(ParseError):
        Bar.from_api({"Open": "1", "High": "1", "Low": "1", "Close": "1"})


def test_tickbar_numbers_and_status_flags() -> None:
    tick = TickBar.from_api(
        {"Open": 4500.25, "High": 4501, "Low": 4499.75, "Close": 4500.5, "TotalVolume": 12,
         "UpTicks": 3, "DownTicks": 2, "TimeStamp": "/Date(1717421400000)/", "Status": 0b110}
    )  # fmt: skip
    assert (tick.open, tick.high, tick.low, tick.close) == (
        D("4500.25"), D(4501), D("4499.75"), D("4500.5"),
    )  # fmt: skip
    assert tick.timestamp == datetime(2024, 6, 3, 13, 30, tzinfo=UTC)
    assert tick.flags == {"REAL_TIME_DATA", "HISTORICAL_DATA"}
    assert tick.is_realtime and tick.is_historical and not tick.is_end_of_history
    only_close = TickBar.from_api({"Close": 0, "TimeStamp": 1717421400, "Status": 1 << 29})
    assert only_close.open == only_close.high == only_close.low == D(0)
    assert only_close.is_end_of_history


def test_symbol_detail_price_format() -> None:
    detail = SymbolDetail.from_api(
        {"Symbol": "@ES", "AssetType": "FUTURE", "Root": "ES", "Underlying": "ESH27",
         "PriceFormat": {"Format": "Decimal", "Decimals": "2", "Increment": "0.25",
                         "PointValue": "50", "IncrementStyle": "Simple"},
         "QuantityFormat": {"Format": "Decimal", "Decimals": "0", "Increment": "1",
                            "MinimumTradeQuantity": "1"}}
    )  # fmt: skip
    assert detail.tick_size == D("0.25") and detail.point_value == D(50)
    assert detail.underlying == "ESH27"
    assert detail.price_format is not None and detail.price_format.decimals == 2
    assert detail.quantity_format is not None
    assert detail.quantity_format.minimum_trade_quantity == D(1)
    schedule = SymbolDetail.from_api(
        {"Symbol": "X", "PriceFormat": {"IncrementStyle": "Schedule", "IncrementSchedule": [
            {"Increment": "0.0001", "StartsAt": "0"}, {"Increment": "0.01", "StartsAt": "1"}]}}
    )  # fmt: skip
    assert schedule.price_format is not None
    assert schedule.price_format.increment_at(D("0.5")) == D("0.0001")
    assert schedule.price_format.increment_at(D("12")) == D("0.01")
    bare = SymbolDetail.from_api({"Symbol": "Y"})
    assert bare.price_format is None and bare.tick_size is None


def test_quote_and_merge() -> None:
    quote = Quote.from_api(
        {"Symbol": "MSFT", "Last": "212.85", "Ask": "212.87", "Bid": "212.85",
         "TradeTime": "2020-11-18T15:19:14Z", "Restrictions": [],
         "MarketFlags": {"IsDelayed": False, "IsHalted": False}}
    )  # fmt: skip
    assert quote.mid == D("212.86")
    assert quote.market_flags is not None and quote.market_flags.is_halted is False
    assert quote.restrictions == ()
    update = Quote.from_api({"Symbol": "MSFT", "Last": "213"})
    merged = quote.merge(update)
    assert merged.last == D(213) and merged.bid == D("212.85")
    assert merged.trade_time == quote.trade_time
    other = Quote.from_api({"Symbol": "AAPL"})
    assert quote.merge(other) is other


# -- execution results -------------------------------------------------------------------


def test_route_confirmation_and_results() -> None:
    route = Route.from_api({"Id": "AMEX", "AssetTypes": ["STOCK"], "Name": "AMEX"})
    assert route == Route("AMEX", "AMEX", ("STOCK",))
    confirmation = OrderConfirmation.from_api(
        {"OrderAssetCategory": "EQUITY", "Route": "Intelligent",
         "TimeInForce": {"Duration": "GTC"}, "AccountID": "123456782",
         "OrderConfirmID": "7CMygnFJXk+ihrJJfOPmVQ", "EstimatedPrice": "216.32",
         "EstimatedCost": "2163.2", "EstimatedCommission": "0",
         "SummaryMessage": "Buy 10 MSFT @ Market"}
    )  # fmt: skip
    assert confirmation.duration == "GTC" and confirmation.estimated_cost == D("2163.2")
    assert confirmation.summary_message == "Buy 10 MSFT @ Market"
    assert OrderConfirmation.from_api({}).legs == ()
    ok = OrderResult.from_api({"OrderID": "286179829", "Message": "Sent order"})
    failed = OrderResult.from_api({"OrderID": "1", "Message": "no"}, failed=True)
    assert ok.ok and not failed.ok and failed.error == "FAILED"


def test_item_error_and_batch() -> None:
    error = ItemError.from_api({"AccountID": "9", "Error": "Forbidden", "Message": "Bad acct"})
    assert (error.id, error.error, error.message) == ("9", "Forbidden", "Bad acct")
    assert "9" in str(error) and "Bad acct" in str(error)
    symbol_error = ItemError.from_api({"Symbol": "INVALID", "Error": "FAILED, INVALID SYMBOL"})
    assert symbol_error.id == "INVALID" and symbol_error.message == "FAILED, INVALID SYMBOL"
    batch: Batch[int] = Batch((1, 2), (error,))
    assert list(batch) == [1, 2] and len(batch) == 2 and not batch.ok
    assert batch.merged(Batch((3,))).items == (1, 2, 3)


def test_required_fields_raise_parse_error_not_key_error() -> None:
    for model in (Account, Balance, BODBalance, Position, Order, Quote, SymbolDetail, Route):
        with pytest.raises(ParseError):
            model.from_api({})
    assert issubclass(ParseError, ValueError)


# -- enums ---------------------------------------------------------------------------------


def test_status_groups_and_finality() -> None:
    groups: dict[str, list[str | None]] = {
        "working": ["ACK", "DON", "OPN", "FPR", "UCN", "RSN", "RJC", "LAT", "CND", "OSO", "SUS"],
        "filled": ["FLL", "FLP"],
        "cancelled": ["CAN", "EXP", "OUT", "TSC", "UCH"],
        "rejected": ["REJ"],
        "other": ["BRO", "OTHER", "NEWCODE", None],
    }
    for group, codes in groups.items():
        for code in codes:
            assert enums.status_group(code) == group, code
    for code in ["FLL", "FLP", "CAN", "REJ", "EXP", "OUT", "TSC", "BRO", "UCH"]:
        assert enums.is_final(code), code
    not_final: list[str | None] = ["ACK", "OPN", "FPR", "RJC", "NEWCODE", None]
    for code in not_final:
        assert not enums.is_final(code)
    assert all(code in enums.STATUS_DESCRIPTIONS for code in enums.OrderStatus)
    assert enums.status_description("FLL") == "Filled"
    assert enums.status_description("NEWCODE") == "NEWCODE"


def test_trade_actions_per_asset_type() -> None:
    assert enums.valid_trade_actions("STOCK") == {"BUY", "SELL", "SELLSHORT", "BUYTOCOVER"}
    assert enums.valid_trade_actions("future") == {"BUY", "SELL"}
    assert "BUYTOOPEN" in enums.valid_trade_actions("STOCKOPTION")
    assert enums.valid_trade_actions("BOND") == frozenset()
    assert enums.is_buy("BUYTOCOVER") and enums.is_buy("Buy") and not enums.is_buy("SELLSHORT")
    assert str(enums.Duration.MIN1) == "1" and "GTD" in enums.DURATIONS_NEEDING_EXPIRATION


def test_offsets_normalised_to_utc() -> None:
    moment = opt_datetime("2024-06-03T15:30:00+02:00")
    assert moment == datetime(2024, 6, 3, 13, 30, tzinfo=UTC)
    assert moment is not None and moment.utcoffset() == timedelta(0)


def test_envelopes_tolerate_bare_arrays_and_nulls() -> None:
    from tstui.domain.batch import envelope_batch, envelope_errors, envelope_items

    routes = [{"Id": "A"}, {"Id": "B"}, "junk"]
    assert [r["Id"] for r in envelope_items(routes, "Routes")] == ["A", "B"]
    assert envelope_items(routes, "Errors") == []
    assert envelope_items({"Routes": None}, "Routes") == []
    assert envelope_items("nonsense", "Routes") == []
    assert envelope_errors({"Errors": [{"Symbol": "X", "Error": "E"}]})[0].id == "X"
    batch = envelope_batch({"Routes": [{"Id": "A"}]}, "Routes", Route.from_api)
    assert batch.items == (Route("A"),) and batch.ok
