"""Order requests, ticket validation and tick helpers (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.domain.market.data import PriceFormat, SymbolDetail
from tstui.domain.market.ticks import increment_at, is_on_tick, round_to_tick, step
from tstui.domain.orders import (
    OrderRequest,
    ReplaceRequest,
    closing_action,
    derived_order_confirm_id,
    format_decimal,
    is_valid_order_confirm_id,
    new_order_confirm_id,
    opening_action,
)
from tstui.domain.orders.ticket import (
    FieldError,
    TicketFields,
    close_position_fields,
    has_errors,
    parse_ticket,
)
from tstui.domain.portfolio.positions import Position

D = Decimal


def req(**changes: Any) -> OrderRequest:
    base: dict[str, Any] = {
        "account_id": "SIM1000001M",
        "symbol": "MSFT",
        "quantity": D(10),
        "order_type": "Limit",
        "trade_action": "BUY",
        "order_confirm_id": "abc123",
        "limit_price": D("412.50"),
    }
    base.update(changes)
    return OrderRequest(**base)


def fields(**changes: str) -> TicketFields:
    base = {"account": "SIM1000001M", "symbol": "MSFT", "action": "BUY", "quantity": "10"}
    base.update(changes)
    return TicketFields(**base)


def issues_for(issues: list[FieldError], field: str) -> list[FieldError]:
    return [i for i in issues if i.field == field]


# -- ticks ------------------------------------------------------------------------------------


def test_tick_grid_helpers() -> None:
    inc = D("0.25")
    assert is_on_tick(D("4500.75"), inc)
    assert not is_on_tick(D("4500.10"), inc)
    assert is_on_tick(D("-1.50"), inc)  # negative futures prices stay on grid
    assert is_on_tick(D("4500.10"), None)  # unknown increment: no opinion
    assert round_to_tick(D("4500.10"), inc) == D("4500.00")
    assert round_to_tick(D("4500.13"), inc) == D("4500.25")
    assert round_to_tick(D("4500.01"), inc, "up") == D("4500.25")
    assert round_to_tick(D("4500.24"), inc, "down") == D("4500.00")
    assert str(step(D("4500"), 2, inc)) == "4500.50"
    assert step(D("4500.10"), 1, inc) == D("4500.25")  # first step lands on the next tick
    assert step(D("4500.10"), -1, inc) == D("4500.00")
    assert step(D("0.05"), -3, D("0.01")) == D("0.02")


def test_increment_from_price_format_simple_and_schedule() -> None:
    simple = {"IncrementStyle": "Simple", "Increment": "0.25"}
    assert increment_at(simple) == D("0.25")
    schedule = {
        "IncrementStyle": "Schedule",
        "IncrementSchedule": [
            {"StartsAt": "0", "Increment": "0.0001"},
            {"StartsAt": "1", "Increment": "0.01"},
        ],
    }
    assert increment_at(schedule, D("0.5")) == D("0.0001")
    assert increment_at(schedule, D("12.34")) == D("0.01")
    assert increment_at(schedule) == D("0.0001")
    assert increment_at(None) is None
    assert increment_at({"Increment": "garbage"}) is None
    model = PriceFormat.from_api(simple)
    assert increment_at(model, D(1)) == D("0.25")


# -- OrderRequest -----------------------------------------------------------------------------


def test_to_api_matches_spec_shape() -> None:
    body = req(quantity=D("10.00"), limit_price=D("412.50")).to_api()
    assert body == {
        "AccountID": "SIM1000001M",
        "Symbol": "MSFT",
        "Quantity": "10",
        "OrderType": "Limit",
        "TradeAction": "BUY",
        "TimeInForce": {"Duration": "DAY"},
        "LimitPrice": "412.5",
        "OrderConfirmID": "abc123",
    }
    gtd = req(duration="GTD", expiration=datetime(2027, 1, 15, tzinfo=UTC), route="ARCA")
    assert gtd.to_api()["TimeInForce"] == {"Duration": "GTD", "Expiration": "2027-01-15T00:00:00Z"}
    assert gtd.to_api()["Route"] == "ARCA"
    assert OrderRequest.from_api(gtd.to_api()) == gtd


def test_number_formatting_has_no_exponent() -> None:
    assert format_decimal(D("1E+2")) == "100"
    assert format_decimal(D("0.000")) == "0"
    assert format_decimal(D("-0")) == "0"
    assert format_decimal(D("4500.2500")) == "4500.25"


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": D(0)},
        {"quantity": D("1.5")},
        {"order_type": "Bogus"},
        {"order_type": "Market"},  # keeps a limit price it does not take
        {"order_type": "StopLimit"},  # lacks the stop price
        {"order_confirm_id": ""},
        {"order_confirm_id": "x" * 23},
        {"order_confirm_id": "has-dash"},
        {"duration": "GTD"},  # without expiration
        {"trade_action": "HODL"},
    ],
)
def test_malformed_request_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        req(**changes)


def test_payload_key_and_with_changes_bind_the_confirm_id_to_the_payload() -> None:
    a = req()
    assert a.payload_key() == req(order_confirm_id="other").payload_key()
    assert a.payload_key() != req(limit_price=D("412.75")).payload_key()
    same = a.with_changes(limit_price=D("412.500"))  # numerically the same payload
    assert same.order_confirm_id == a.order_confirm_id
    edited = a.with_changes(quantity=D(11))
    assert edited.order_confirm_id != a.order_confirm_id
    assert is_valid_order_confirm_id(edited.order_confirm_id)
    hash(a.payload_key())


def test_confirm_ids() -> None:
    ids = {new_order_confirm_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(is_valid_order_confirm_id(i) and len(i) == 22 for i in ids)
    a = derived_order_confirm_id("roll", "x", "close")
    assert a == derived_order_confirm_id("roll", "x", "close")
    assert a != derived_order_confirm_id("roll", "x", "open")
    assert is_valid_order_confirm_id(a)


def test_replace_request() -> None:
    assert ReplaceRequest(limit_price=D("101.50")).to_api() == {"LimitPrice": "101.5"}
    assert ReplaceRequest(quantity=D(5), order_type="Market").to_api() == {
        "Quantity": "5",
        "OrderType": "Market",
    }
    for bad in ({}, {"quantity": D(0)}, {"order_type": "Limit"}, {"quantity": D("0.5")}):
        with pytest.raises(ValueError):
            ReplaceRequest(**bad)


def test_actions_for_positions() -> None:
    def pos(asset: str, qty: str, side: str) -> Position:
        return Position(
            position_id="1",
            account_id="A",
            symbol="X",
            asset_type=asset,
            quantity=D(qty),
            long_short=side,
        )

    assert closing_action(pos("STOCK", "10", "Long")) == "SELL"
    assert closing_action(pos("STOCK", "-10", "Short")) == "BUYTOCOVER"
    assert closing_action(pos("FUTURE", "-2", "Short")) == "BUY"
    assert closing_action(pos("FUTURE", "2", "Long")) == "SELL"
    assert closing_action(pos("STOCKOPTION", "1", "Long")) == "SELLTOCLOSE"
    assert opening_action("Short", "STOCK") == "SELLSHORT"
    assert opening_action("Short", "FUTURE") == "SELL"
    assert opening_action("Long", "FUTURE") == "BUY"
    flat = close_position_fields(pos("STOCK", "-10", "Short"))
    assert (flat.action, flat.quantity, flat.order_type) == ("BUYTOCOVER", "10", "Market")
    request, issues = parse_ticket(flat, asset_type="STOCK")
    assert request is not None and not issues


# -- parse_ticket -----------------------------------------------------------------------------


def test_valid_limit_ticket_parses() -> None:
    request, issues = parse_ticket(
        fields(order_type="limit", limit_price="412.50", duration="gtc"), order_confirm_id="X1"
    )
    assert issues == []
    assert request is not None
    assert (request.order_type, request.duration, request.limit_price) == (
        "Limit",
        "GTC",
        D("412.50"),
    )
    assert request.order_confirm_id == "X1"


@pytest.mark.parametrize(
    ("qty", "fragment"),
    [
        ("", "required"),
        ("0", "positive"),
        ("-3", "positive"),
        ("1.5", "whole"),
        ("ten", "not a number"),
        ("NaN", "not a number"),
        ("1e3", "not a number"),
        ("1,5", "not a number"),
        ("1_000", "not a number"),
        ("1 0", "not a number"),
        ("١٢", "not a number"),
        ("99999999999999", "too large"),
    ],
)
def test_quantity_errors_name_the_field(qty: str, fragment: str) -> None:
    request, issues = parse_ticket(fields(quantity=qty))
    assert request is None
    [issue] = issues_for(issues, "quantity")
    assert fragment in issue.message and issue.severity == "error"


def test_grouped_thousands_are_accepted() -> None:
    request, issues = parse_ticket(fields(quantity="1,000"))
    assert request is not None and request.quantity == D(1000) and issues == []


def test_prices_required_per_type() -> None:
    _, issues = parse_ticket(fields(order_type="Limit"))
    assert [i.field for i in issues] == ["limit_price"]
    _, issues = parse_ticket(fields(order_type="StopMarket"))
    assert [i.field for i in issues] == ["stop_price"]
    _, issues = parse_ticket(fields(order_type="Stop Limit"))
    assert sorted(i.field for i in issues) == ["limit_price", "stop_price"]
    request, issues = parse_ticket(fields(order_type="Market", limit_price="999"))
    assert request is not None and request.limit_price is None  # irrelevant field ignored


def test_prices_must_be_on_tick_from_symbol_details() -> None:
    detail = SymbolDetail.from_api(
        {
            "Symbol": "ESZ26",
            "AssetType": "FUTURE",
            "PriceFormat": {"Format": "Decimal", "Increment": "0.25", "PointValue": "50"},
        }
    )
    base = fields(symbol="ESZ26", action="SELL", quantity="1", order_type="Limit")
    _, issues = parse_ticket(base.__class__(**{**_asdict(base), "limit_price": "4500.10"}), detail)
    [issue] = issues
    assert issue.field == "limit_price"
    assert "0.25" in issue.message and "4500 or 4500.25" in issue.message
    request, issues = parse_ticket(
        base.__class__(**{**_asdict(base), "limit_price": "4500.75"}), detail
    )
    assert request is not None and issues == []
    # Without details a known futures root still uses the product tick.
    _, issues = parse_ticket(base.__class__(**{**_asdict(base), "limit_price": "4500.1"}))
    assert [i.field for i in issues] == ["limit_price"]


def _asdict(f: TicketFields) -> dict[str, str]:
    return {name: getattr(f, name) for name in TicketFields.__dataclass_fields__}


def test_action_must_fit_the_asset_type() -> None:
    _, issues = parse_ticket(fields(symbol="ESZ26", action="SELLSHORT"))
    [issue] = issues
    assert issue.field == "action" and "FUTURE" in issue.message
    request, issues = parse_ticket(fields(action="buy to cover"), asset_type="STOCK")
    assert request is not None and request.trade_action == "BUYTOCOVER"
    _, issues = parse_ticket(fields(action=""))
    assert [i.field for i in issues] == ["action"]


def test_duration_rules() -> None:
    _, issues = parse_ticket(fields(duration="forever"))
    assert [i.field for i in issues] == ["duration"]
    _, issues = parse_ticket(fields(symbol="ESZ26", duration="1"))
    assert [i.field for i in issues] == ["duration"]  # minute durations are equities only
    _, issues = parse_ticket(fields(duration="GTD"))
    assert [i.field for i in issues] == ["expiration"]
    request, issues = parse_ticket(fields(duration="GTD", expiration="2027-01-15"))
    assert request is not None
    assert request.expiration == datetime(2027, 1, 15, tzinfo=UTC)


def test_stop_limit_sanity_is_a_warning() -> None:
    request, issues = parse_ticket(
        fields(order_type="StopLimit", stop_price="410", limit_price="405")
    )
    assert request is not None  # warnings do not block
    [issue] = issues
    assert issue.severity == "warning" and issue.field == "limit_price"


def test_symbol_account_and_route_checks() -> None:
    _, issues = parse_ticket(fields(account="", symbol=""))
    assert sorted(i.field for i in issues) == ["account", "symbol"]
    _, issues = parse_ticket(fields(symbol="@ES"))
    assert any(i.field == "symbol" and "continuous" in i.message for i in issues)
    _, issues = parse_ticket(fields(route="NOWHERE"), routes=["Intelligent", "ARCA"])
    assert [i.field for i in issues] == ["route"]
    request, _ = parse_ticket(fields(route="arca"), routes=["Intelligent", "ARCA"])
    assert request is not None and request.route == "ARCA"


def test_negative_price_rules() -> None:
    _, issues = parse_ticket(fields(order_type="Limit", limit_price="-1"))
    assert [i.severity for i in issues] == ["error"]
    request, issues = parse_ticket(
        fields(symbol="CLF27", action="BUY", order_type="Limit", limit_price="-1.50")
    )
    assert request is not None and [i.severity for i in issues] == ["warning"]


text_or_garbage = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "1", "-1", "1e999999", "NaN", "sNaN", "Infinity", "1,000", "0.25"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        TicketFields,
        account=text_or_garbage,
        symbol=st.one_of(text_or_garbage, st.sampled_from(["ESZ26", "MSFT", "@ES"])),
        action=st.one_of(text_or_garbage, st.sampled_from(["BUY", "SELL", "SELLSHORT"])),
        quantity=text_or_garbage,
        order_type=st.one_of(text_or_garbage, st.sampled_from(["Limit", "StopLimit"])),
        limit_price=text_or_garbage,
        stop_price=text_or_garbage,
        duration=st.one_of(text_or_garbage, st.sampled_from(["GTD", "DAY", "1"])),
        route=text_or_garbage,
        expiration=text_or_garbage,
    )
)
def test_parse_ticket_is_total(ticket: TicketFields) -> None:
    request, issues = parse_ticket(ticket)
    assert (request is None) == has_errors(issues)
    if request is not None:
        request.to_api()
