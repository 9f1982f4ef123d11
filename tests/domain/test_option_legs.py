"""Option orders with Legs: the request's wire form, the legs rules and the risk per leg and
for the package (tstui.domain.orders.request / legs / risk)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain.models import Order, OrderConfirmation, Position
from tstui.domain.orders import OrderRequest, parse_body
from tstui.domain.orders.legs import (
    leg_orders,
    legs_underlying,
    parse_legs_text,
    payoff_legs,
    validate_legs,
)
from tstui.domain.orders.placement import find_placed_order, has_shape
from tstui.domain.orders.request import OrderLegRequest, spread_quantity
from tstui.domain.orders.risk import RecentOrders, RiskLimits, check_legs_risk
from tstui.domain.orders.risk_limits import SizeLimits

D = Decimal
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TODAY = NOW.date()

# The spec's own multi-leg examples (POST /v3/orderexecution/orders).
IRON_CONDOR: dict[str, Any] = {
    "AccountID": "123456782", "OrderType": "Limit", "LimitPrice": "-20",
    "TimeInForce": {"Duration": "GTC"},
    "Legs": [
        {"Symbol": "SPY 261219C420", "TradeAction": "SELLTOOPEN", "Quantity": "1"},
        {"Symbol": "SPY 261219C430", "TradeAction": "BUYTOOPEN", "Quantity": "1"},
        {"Symbol": "SPY 261219P380", "TradeAction": "SELLTOOPEN", "Quantity": "1"},
        {"Symbol": "SPY 261219P370", "TradeAction": "BUYTOOPEN", "Quantity": "1"},
    ],
}  # fmt: skip
COVERED: dict[str, Any] = {
    "AccountID": "123456782", "OrderType": "Limit", "LimitPrice": "350",
    "TimeInForce": {"Duration": "GTC"},
    "Legs": [
        {"Symbol": "MSFT", "TradeAction": "BuyToOpen", "Quantity": 100},
        {"Symbol": "MSFT 261219P300", "TradeAction": "BuyToOpen", "Quantity": 1},
    ],
}  # fmt: skip


def vertical(
    qty: str = "1", price: str | None = "1.25", order_type: str = "Limit", **extra: Any
) -> OrderRequest:
    body: dict[str, Any] = {
        "AccountID": "SIM1", "OrderType": order_type, "TimeInForce": {"Duration": "DAY"},
        "Legs": [
            {"Symbol": "MSFT 261218C450", "Quantity": qty, "TradeAction": "BUYTOOPEN"},
            {"Symbol": "MSFT 261218C460", "Quantity": qty, "TradeAction": "SELLTOOPEN"},
        ],
        "OrderConfirmID": "abc123",
        **extra,
    }  # fmt: skip
    if price is not None:
        body["LimitPrice"] = price
    result = parse_body(body)
    assert isinstance(result, OrderRequest)
    return result


def test_a_legs_body_round_trips_and_sends_only_the_legs() -> None:
    order = parse_body(IRON_CONDOR)
    assert isinstance(order, OrderRequest)
    assert [leg.trade_action for leg in order.legs] == [
        "SELLTOOPEN", "BUYTOOPEN", "SELLTOOPEN", "BUYTOOPEN",
    ]  # fmt: skip
    assert order.limit_price == D(-20) and order.is_multi_leg
    # What a single-symbol reader sees is derived from the legs...
    assert (order.symbol, order.trade_action, order.quantity) == ("SPY 261219C420", "SELLTOOPEN", 1)
    body = order.to_api()
    # ...and not sent: the body is the spec's example, quantities as strings.
    assert not {"Symbol", "Quantity", "TradeAction"} & set(body)
    assert body["Legs"] == IRON_CONDOR["Legs"]
    assert parse_body(body) == order
    # A Legs list is hashable in the payload key, and part of it.
    changed = order.with_changes(legs=order.legs[:2])
    assert changed.payload_key() != order.payload_key()
    assert changed.order_confirm_id != order.order_confirm_id


def test_leg_spellings_numbers_and_the_spread_quantity() -> None:
    covered = parse_body(COVERED)
    assert isinstance(covered, OrderRequest)
    assert [leg.trade_action for leg in covered.legs] == ["BUYTOOPEN", "BUYTOOPEN"]
    assert covered.to_api()["Legs"][0] == {
        "Symbol": "MSFT", "Quantity": "100", "TradeAction": "BUYTOOPEN",
    }  # fmt: skip
    assert covered.quantity == 1  # 100 shares and one put: one package
    assert vertical("5").quantity == 5
    ratio = (
        OrderLegRequest(symbol="MSFT 261218C450", quantity=D(2), trade_action="BUYTOOPEN"),
        OrderLegRequest(symbol="MSFT 261218C460", quantity=D(4), trade_action="SELLTOOPEN"),
    )
    assert spread_quantity(ratio) == 2


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([], r"^Legs: expected a list of legs"),
        ("nope", r"^Legs: expected a list"),
        ([{"Symbol": "X 261218C1", "Quantity": "0", "TradeAction": "BUYTOOPEN"}],
         r"^Legs\[0\]\.Quantity: must be a positive whole number"),
        ([{"Symbol": "X 261218C1", "Quantity": "1.5", "TradeAction": "BUYTOOPEN"}],
         r"^Legs\[0\]\.Quantity: must be a positive whole"),
        ([{"Symbol": "X 261218C1", "Quantity": "1", "TradeAction": "HOLD"}],
         r"^Legs\[0\]\.TradeAction: 'HOLD' is not a trade action"),
        ([{"Symbol": "X 261218C1", "Quantity": "1"}], r"^Legs\[0\]\.TradeAction: missing"),
        ([{"Symbol": "X 261218C1", "Quantity": "1", "TradeAction": "BUYTOOPEN", "Ratio": 1}],
         r"^Legs\[0\]\.Ratio: not supported"),
        (["MSFT"], r"^Legs\[0\]: expected an object"),
    ],
)  # fmt: skip
def test_bad_legs_name_their_field(legs: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_body({**IRON_CONDOR, "Legs": legs})


def test_a_single_order_still_needs_its_symbol_and_keeps_its_wire_form() -> None:
    with pytest.raises(ValueError, match=r"^Symbol: missing"):
        parse_body({"AccountID": "A", "OrderType": "Market", "Quantity": "1", "TradeAction": "BUY"})
    plain = parse_body(
        {"AccountID": "A", "Symbol": "MSFT", "Quantity": "1", "OrderType": "Market",
         "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"}, "OrderConfirmID": "x1"}
    )  # fmt: skip
    assert isinstance(plain, OrderRequest) and plain.legs == ()
    assert list(plain.to_api()) == [
        "AccountID", "Symbol", "Quantity", "OrderType", "TradeAction", "TimeInForce",
        "OrderConfirmID",
    ]  # fmt: skip


def test_parse_legs_text() -> None:
    legs = parse_legs_text("msft 261218C450:1:buy-to-open, MSFT 261218C460:1:SellToOpen")
    assert [(leg.symbol, leg.quantity, leg.trade_action) for leg in legs] == [
        ("MSFT 261218C450", 1, "BUYTOOPEN"),
        ("MSFT 261218C460", 1, "SELLTOOPEN"),
    ]
    with pytest.raises(ValueError, match=r"^Legs\[1\]: 'MSFT 261218C460:1' is not SYMBOL"):
        parse_legs_text("MSFT 261218C450:1:BUYTOOPEN,MSFT 261218C460:1")
    with pytest.raises(ValueError, match=r"^Legs\[0\]\.Quantity"):
        parse_legs_text("MSFT 261218C450:x:BUYTOOPEN")
    with pytest.raises(ValueError, match="expected SYMBOL:QUANTITY:ACTION"):
        parse_legs_text("MSFT 261218C450:1:BUYTOOPEN,")


def _checks(issues: list[Any]) -> list[tuple[str, str]]:
    return [(i.field, i.check) for i in issues]


def test_validate_legs_rules_name_the_field() -> None:
    assert validate_legs(vertical(), today=TODAY) == []
    assert validate_legs(parse_body(IRON_CONDOR), today=TODAY) == []  # type: ignore[arg-type]
    assert validate_legs(parse_body(COVERED), today=TODAY) == []  # type: ignore[arg-type]
    bad = parse_body(
        {**IRON_CONDOR, "TimeInForce": {"Duration": "1"}, "OrderType": "StopMarket",
         "StopPrice": "1", "LimitPrice": None,
         "Legs": [
             {"Symbol": "SPY 251219C420", "TradeAction": "SELL", "Quantity": "1"},
             {"Symbol": "QQQ 261219C430", "TradeAction": "BUYTOOPEN", "Quantity": "1"},
             {"Symbol": "SPY 251219C420", "TradeAction": "BUYTOCLOSE", "Quantity": "1"},
             {"Symbol": "IBM", "TradeAction": "BUY", "Quantity": "100"},
             {"Symbol": "SPY 261219P370", "TradeAction": "BUYTOOPEN", "Quantity": "1"},
         ]}
    )  # fmt: skip
    assert isinstance(bad, OrderRequest)
    assert sorted(_checks(validate_legs(bad, today=TODAY))) == sorted([
        ("Legs", "legs_shape"),  # five legs
        ("Legs[0].TradeAction", "option_action"),
        ("Legs[0].Symbol", "expired"),
        ("Legs[2].Symbol", "legs_shape"),  # twice
        ("Legs[2].Symbol", "expired"),
        ("Legs", "legs_underlying"),  # SPY and QQQ
        ("OrderType", "legs_shape"),
        ("TimeInForce.Duration", "legs_shape"),
    ])  # fmt: skip
    stock_only = parse_body({**COVERED, "Legs": [COVERED["Legs"][0]]})
    assert _checks(validate_legs(stock_only)) == [("Legs", "legs_shape")]  # type: ignore[arg-type]
    other_stock = parse_body({**COVERED, "Legs": [{**COVERED["Legs"][0], "Symbol": "IBM"},
                                                  COVERED["Legs"][1]]})  # fmt: skip
    assert _checks(validate_legs(other_stock)) == [  # type: ignore[arg-type]
        ("Legs[0].Symbol", "legs_underlying")
    ]
    single = parse_body({**IRON_CONDOR, "LimitPrice": "-1", "Legs": IRON_CONDOR["Legs"][1:2]})
    assert _checks(validate_legs(single)) == [("LimitPrice", "legs_price")]  # type: ignore[arg-type]
    assert _checks(validate_legs(vertical(price="1.255"), increment=D("0.01"))) == [
        ("LimitPrice", "off_tick")
    ]
    assert validate_legs(vertical(price="-1.25"), increment=D("0.05")) == []  # a credit


def test_leg_views_for_risk_and_payoff() -> None:
    order = vertical("3")
    singles = leg_orders(order)
    assert [(o.symbol, o.quantity, o.trade_action, o.order_type) for o in singles] == [
        ("MSFT 261218C450", 3, "BUYTOOPEN", "Market"),
        ("MSFT 261218C460", 3, "SELLTOOPEN", "Market"),
    ]
    assert legs_underlying(order.legs) == "MSFT"
    legs = payoff_legs(order)
    assert legs is not None and [leg.quantity for leg in legs] == [3, -3]
    covered = parse_body(COVERED)
    assert isinstance(covered, OrderRequest)
    stock_leg = payoff_legs(covered)
    assert stock_leg is not None and stock_leg[0].option_type is None


OPTION_LIMITS = RiskLimits(
    per_class={
        "option": SizeLimits(max_quantity=D(10), warn_quantity=D(5), max_notional=D(5000)),
        "stock": SizeLimits(max_quantity=D(1000)),
    }
)


def test_risk_per_leg_names_the_leg() -> None:
    prices = {"MSFT 261218C450": D("3.00"), "MSFT 261218C460": D("1.50")}
    issues = check_legs_risk(vertical("6", "1.50"), prices, OPTION_LIMITS, None, NOW)
    assert _checks(issues) == [
        ("Legs[0].Quantity", "warn_quantity"),
        ("Legs[1].Quantity", "warn_quantity"),
    ]
    issues = check_legs_risk(vertical("11", "1.50"), prices, OPTION_LIMITS, None, NOW)
    assert ("Legs[0].Quantity", "max_quantity") in _checks(issues)
    assert all(i.severity == "error" for i in issues if i.check.startswith("max_"))
    # A leg that closes what the account holds is never size-capped.
    closing = parse_body(
        {"AccountID": "SIM1", "OrderType": "Market", "TimeInForce": {"Duration": "DAY"},
         "Legs": [{"Symbol": "MSFT 261218C450", "Quantity": "11", "TradeAction": "SELLTOCLOSE"}]}
    )  # fmt: skip
    assert isinstance(closing, OrderRequest)
    assert check_legs_risk(closing, prices, OPTION_LIMITS, None, NOW) == []


def test_risk_for_the_package_max_loss_unbounded_and_duplicates() -> None:
    prices = {"MSFT 261218C450": D("3.00"), "MSFT 261218C460": D("1.50")}
    # A debit vertical loses at most what it costs: 4 x 1.50 x 100 = 600.
    small = RiskLimits(per_class={"option": SizeLimits(max_notional=D(500))})
    issues = check_legs_risk(vertical("4", "1.50"), prices, small, None, NOW)
    package = [i for i in issues if i.field == "LimitPrice"]
    assert [(i.check, i.message) for i in package] == [
        ("max_notional", "The package can lose 600.00, above the limit of 500.00")
    ]
    # A credit vertical (sold the lower strike) loses the width minus the credit: (10-1) x 100.
    credit = OrderRequest(
        account_id="SIM1", order_type="Limit", limit_price=D("-1"), order_confirm_id="c1",
        legs=(
            OrderLegRequest(symbol="MSFT 261218C450", quantity=D(1), trade_action="SELLTOOPEN"),
            OrderLegRequest(symbol="MSFT 261218C460", quantity=D(1), trade_action="BUYTOOPEN"),
        ),
    )  # fmt: skip
    loose = RiskLimits(per_class={"option": SizeLimits(warn_notional=D(800))})
    (finding,) = [i for i in check_legs_risk(credit, prices, loose, None, NOW) if i.check]
    assert finding.message == "The package can lose 900.00, above 800.00"
    assert finding.severity == "warning"
    # A naked short call: unbounded loss, a warning whatever the caps.
    naked = OrderRequest(
        account_id="SIM1", order_type="Market", order_confirm_id="n1",
        legs=(OrderLegRequest(symbol="MSFT 261218C450", quantity=D(1), trade_action="SELLTOOPEN"),),
    )  # fmt: skip
    assert _checks(check_legs_risk(naked, prices, RiskLimits(), None, NOW)) == [
        ("Legs", "unlimited_loss")
    ]
    # Market package, legs' prices unknown: the cap cannot be checked, and says so.
    unknown = check_legs_risk(vertical(price=None, order_type="Market"), {}, small, None, NOW)
    assert ("LimitPrice", "notional_unknown") in _checks(unknown)
    # The duplicate guard takes the whole package.
    recent = RecentOrders()
    first = vertical()
    recent.record(first, NOW - timedelta(seconds=3))
    again = first.with_changes(order_confirm_id="other1")
    assert ("order", "duplicate") in _checks(
        check_legs_risk(again, prices, RiskLimits(), recent, NOW)
    )
    different = vertical("2").with_changes(order_confirm_id="other2")
    assert ("order", "duplicate") not in _checks(
        check_legs_risk(different, prices, RiskLimits(), recent, NOW)
    )


def _option_order(order_id: str, legs: list[tuple[str, str, str]]) -> Order:
    return Order.from_api(
        {
            "OrderID": order_id, "AccountID": "SIM1", "Status": "FLL", "OrderType": "Limit",
            "LimitPrice": "1.25", "Spread": "Vertical",
            "Legs": [
                {"Symbol": sym, "BuyOrSell": side, "QuantityOrdered": qty, "ExecQuantity": qty,
                 "AssetType": "STOCKOPTION", "OptionType": "CALL", "StrikePrice": sym[-3:],
                 "ExpirationDate": "2026-12-18T00:00:00Z", "OpenOrClose": "Open",
                 "Underlying": "MSFT"}
                for sym, side, qty in legs
            ],
        }
    )  # fmt: skip


def test_option_orders_confirmations_and_positions_parse_their_option_fields() -> None:
    order = _option_order("9", [("MSFT 261218C460", "Sell", "1"), ("MSFT 261218C450", "Buy", "1")])
    assert order.is_multi_leg and order.spread == "Vertical"
    leg = order.legs[1]
    assert leg.is_option and leg.strike_price == D(450) and leg.option_type == "CALL"
    assert leg.expiration_date == datetime(2026, 12, 18, tzinfo=UTC)
    assert leg.underlying == "MSFT" and leg.open_or_close == "Open"
    # The reconcile after a lost answer finds a package by its legs, in any order.
    assert has_shape(order, vertical())
    other = _option_order("8", [("MSFT 261218C450", "Buy", "1"), ("MSFT 261218C470", "Sell", "1")])
    assert find_placed_order([other, order], vertical(), None, set()) is order

    confirmation = OrderConfirmation.from_api(
        {"OrderConfirmID": "abc", "OrderAssetCategory": "STOCKOPTION", "Spread": "Vertical",
         "EstimatedPrice": "1.25", "DebitCreditEstimatedCost": "125",
         "Legs": [{"Symbol": "MSFT 261218C450", "Quantity": "1", "TradeAction": "BUYTOOPEN",
                   "StrikePrice": "450", "OptionType": "CALL",
                   "ExpirationDate": "2026-12-18T00:00:00Z"}]}
    )  # fmt: skip
    assert confirmation.spread == "Vertical" and confirmation.legs[0].strike_price == D(450)
    assert confirmation.legs[0].expiration_date == datetime(2026, 12, 18, tzinfo=UTC)

    position = Position.from_api(
        {"PositionID": "p1", "Symbol": "MSFT 261218P432.5", "AssetType": "STOCKOPTION",
         "Quantity": "-2", "LongShort": "Short", "ExpirationDate": "2026-12-18T00:00:00Z"}
    )  # fmt: skip
    contract = position.option
    assert contract is not None and contract.strike == D("432.5") and not contract.is_call
    assert contract.expiration == date(2026, 12, 18) and contract.root == "MSFT"
    assert Position.from_api({"PositionID": "p2", "Symbol": "MSFT"}).option is None


def test_option_symbols_are_known_as_options_and_futures_options_may_say_buy() -> None:
    from tstui.domain.orders.ticket import infer_asset_type

    assert infer_asset_type("MSFT 261218C450") == "STOCKOPTION"
    assert infer_asset_type("ESZ26 C6000") == "FUTUREOPTION"
    assert infer_asset_type("ESZ26") == "FUTURE" and infer_asset_type("MSFT") is None
    futures_spread = OrderRequest(
        account_id="SIM2", order_type="Limit", limit_price=D(5), order_confirm_id="f1",
        legs=(
            OrderLegRequest(symbol="ESZ26 C6000", quantity=D(1), trade_action="BUY"),
            OrderLegRequest(symbol="ESZ26 C6100", quantity=D(1), trade_action="SELLTOOPEN"),
        ),
    )  # fmt: skip
    assert validate_legs(futures_spread, today=TODAY) == []
    stock = vertical().with_changes(
        legs=(OrderLegRequest(symbol="MSFT 261218C450", quantity=D(1), trade_action="BUY"),)
    )
    assert _checks(validate_legs(stock)) == [("Legs[0].TradeAction", "option_action")]


def test_the_net_limit_within_the_price_band_of_the_legs_market() -> None:
    prices = {"MSFT 261218C450": D("3.00"), "MSFT 261218C460": D("1.50")}  # net 1.50 a spread
    banded = RiskLimits(price_band_pct=D(5))
    assert check_legs_risk(vertical("2", "1.55"), prices, banded, None, NOW) == []
    (finding,) = check_legs_risk(vertical("2", "2.00"), prices, banded, None, NOW)
    assert (finding.field, finding.check, finding.severity) == (
        "LimitPrice",
        "price_band",
        "warning",
    )
    assert finding.message == "Net 2 is 33.3% from the legs' 1.50 (band 5%)"
    credit = OrderRequest(
        account_id="SIM1", order_type="Limit", limit_price=D("-1.00"), order_confirm_id="c2",
        legs=(
            OrderLegRequest(symbol="MSFT 261218C450", quantity=D(1), trade_action="SELLTOOPEN"),
            OrderLegRequest(symbol="MSFT 261218C460", quantity=D(1), trade_action="BUYTOOPEN"),
        ),
    )  # fmt: skip
    assert [i.message for i in check_legs_risk(credit, prices, banded, None, NOW)] == [
        "Net -1 is 33.3% from the legs' -1.50 (band 5%)"
    ]
    # Unknown leg prices: nothing to compare with.
    assert check_legs_risk(vertical("2", "2.00"), {}, banded, None, NOW) == []


def test_option_round_trips_and_valuation_count_100_shares_a_contract() -> None:
    from tstui.domain.portfolio.journal import Journal, fills_from_order
    from tstui.domain.portfolio.valuation import default_point_value, value_position

    assert default_point_value("MSFT 261218C450", "STOCKOPTION") == 100
    assert default_point_value("MSFT 261218C450", None) == 100
    assert default_point_value("ESZ26 C6000", "FUTUREOPTION") == 50  # the future's
    assert default_point_value("MSFT", "STOCK") == 1 and default_point_value("ESZ26", None) == 50

    def filled(order_id: str, side: str, price: str) -> Order:
        return Order.from_api(
            {"OrderID": order_id, "AccountID": "SIM1", "Status": "FLL",
             "ClosedDateTime": f"2026-12-0{order_id}T15:00:00Z",
             "Legs": [{"Symbol": "MSFT 261218C450", "BuyOrSell": side, "AssetType": "STOCKOPTION",
                       "QuantityOrdered": "2", "ExecQuantity": "2", "ExecutionPrice": price}]}
        )  # fmt: skip

    journal = Journal()
    for order in (filled("1", "Buy", "2.00"), filled("2", "Sell", "3.50")):
        for fill in fills_from_order(order):
            journal.add(fill)
    (trip,) = journal.round_trips
    assert trip.gross == D(300)  # (3.50 - 2.00) x 2 contracts x 100
    held = Position.from_api(
        {"PositionID": "p", "Symbol": "MSFT 261218C450", "AssetType": "STOCKOPTION",
         "Quantity": "2", "LongShort": "Long", "AveragePrice": "2.00", "Last": "3.00"}
    )  # fmt: skip
    value = value_position(held)
    assert value.market_value == D(600) and value.unrealized_pl == D(200)


def test_a_single_option_order_notional_counts_100_shares_without_details() -> None:
    from tstui.domain.orders.risk import check_risk

    order = OrderRequest(
        account_id="SIM1", symbol="MSFT 261218C450", quantity=D(3), order_type="Limit",
        trade_action="BUYTOOPEN", limit_price=D("2.50"), order_confirm_id="s1",
    )  # fmt: skip
    caps = RiskLimits(per_class={"option": SizeLimits(max_notional=D(700))})
    (finding,) = check_risk(order, None, None, caps, None, NOW)
    assert (finding.check, finding.message) == (
        "max_notional",
        "Notional 750.00 is above the limit of 700.00",
    )
