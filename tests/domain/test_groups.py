"""Order groups, OSO brackets and advanced options: models, builders and validation."""

from __future__ import annotations

import json
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tstui.domain.orders import (
    AdvancedOptions,
    ExitSpec,
    MarketActivationRule,
    OrderGroupRequest,
    OrderRequest,
    TimeActivationRule,
    TrailingStop,
    bracket_role,
    build_bracket,
    build_exit_bracket,
    exit_action,
    parse_body,
    validate_group,
    validate_order,
)

TICK = Decimal("0.25")


def entry(
    action: str = "BUY", price: str | None = "4500", qty: int = 2, **kw: object
) -> OrderRequest:
    return OrderRequest(
        account_id="SIM1",
        symbol="ESZ26",
        quantity=Decimal(qty),
        order_type="Limit" if price is not None else "Market",
        trade_action=action,
        limit_price=None if price is None else Decimal(price),
        order_confirm_id="EntryId1",
        **kw,  # type: ignore[arg-type]
    )


def test_bracket_from_tick_offsets_is_an_oso_with_a_brk_group() -> None:
    order = build_bracket(entry(), target=ExitSpec.ticks(8), stop=ExitSpec.ticks(6), increment=TICK)
    body = order.to_api()
    assert body["LimitPrice"] == "4500"
    (oso,) = body["OSOs"]
    assert oso["Type"] == "BRK"
    target, stop = oso["Orders"]
    assert (target["OrderType"], target["TradeAction"], target["LimitPrice"]) == (
        "Limit",
        "SELL",
        "4502",
    )
    assert (stop["OrderType"], stop["TradeAction"], stop["StopPrice"]) == (
        "StopMarket",
        "SELL",
        "4498.5",
    )
    assert target["Quantity"] == stop["Quantity"] == "2"
    # Children's ids derive from the entry's: the same intent rebuilt gives the same body.
    again = build_bracket(entry(), target=ExitSpec.ticks(8), stop=ExitSpec.ticks(6), increment=TICK)
    assert again.to_api() == body
    assert validate_order(order, increment=TICK) == []


def test_short_entry_mirrors_the_offsets() -> None:
    order = build_bracket(
        entry("SELL"), target=ExitSpec.ticks(4), stop=ExitSpec.ticks(4), increment=TICK
    )
    target, stop = order.osos[0].orders
    assert target.trade_action == stop.trade_action == "BUY"
    assert target.limit_price == Decimal("4499.00")
    assert stop.stop_price == Decimal("4501.00")


def test_stock_short_exits_buy_to_cover() -> None:
    assert exit_action("SELLSHORT") == "BUYTOCOVER"
    assert exit_action("BUYTOOPEN") == "SELLTOCLOSE"
    with pytest.raises(ValueError, match="closes a position"):
        exit_action("BUYTOCOVER")


def test_market_entry_counts_ticks_from_the_last_price_and_needs_one() -> None:
    with pytest.raises(ValueError, match="entry's price"):
        build_bracket(entry(price=None), target=ExitSpec.ticks(8), increment=TICK)
    order = build_bracket(
        entry(price=None), target=ExitSpec.ticks(8), increment=TICK, reference_price=Decimal("4510")
    )
    # One exit only: a NORMAL OSO, not a BRK.
    assert order.osos[0].type == "NORMAL"
    assert order.osos[0].orders[0].limit_price == Decimal("4512.00")


def test_wrong_side_stop_is_an_error_naming_the_field() -> None:
    order = build_bracket(
        entry(), target=ExitSpec.ticks(8), stop=ExitSpec.at(Decimal("4501")), increment=TICK
    )
    issues = validate_order(order, increment=TICK)
    assert [(i.field, i.check, i.severity) for i in issues] == [
        ("OSOs[0].Orders[1].StopPrice", "wrong_side", "error")
    ]
    assert "below the entry 4500" in issues[0].message
    assert bracket_role(issues[0].field) == "stop"


def test_wrong_side_target_for_a_short() -> None:
    order = build_bracket(
        entry("SELL"),
        target=ExitSpec.at(Decimal("4500.25")),
        stop=ExitSpec.ticks(4),
        increment=TICK,
    )
    issues = validate_order(order, increment=TICK)
    assert [(i.field, i.check) for i in issues] == [("OSOs[0].Orders[0].LimitPrice", "wrong_side")]
    assert bracket_role(issues[0].field) == "target"


def test_off_tick_prices_are_errors_everywhere_in_the_tree() -> None:
    order = build_bracket(
        entry(), target=ExitSpec.at(Decimal("4502.1")), stop=ExitSpec.ticks(4), increment=TICK
    )
    issues = validate_order(order, increment=TICK)
    assert [(i.field, i.check) for i in issues] == [("OSOs[0].Orders[0].LimitPrice", "off_tick")]
    assert "nearest 4502 or 4502.25" in issues[0].message


def test_schedule_increment_is_a_function_of_price() -> None:
    def stock_tick(price: Decimal) -> Decimal:
        return Decimal("0.01") if price >= 1 else Decimal("0.0001")

    order = OrderRequest(
        account_id="SIM1", symbol="AAPL", quantity=Decimal(100), order_type="Limit",
        trade_action="BUY", limit_price=Decimal("190.005"), order_confirm_id="A1",
    )  # fmt: skip
    assert [i.check for i in validate_order(order, increment=stock_tick)] == ["off_tick"]


def test_exit_side_and_quantity_of_an_oso_bracket() -> None:
    parent = entry()
    same_side = parent.with_changes(
        osos=(
            OrderGroupRequest(
                type="BRK",
                orders=(
                    entry("BUY", "4510", qty=3).with_changes(order_confirm_id="T1"),
                    entry("SELL", "4510", qty=3).with_changes(order_confirm_id="T2"),
                ),
            ),
        ),
        order_confirm_id=parent.order_confirm_id,
    )
    checks = {(i.field, i.check) for i in validate_order(same_side, increment=TICK)}
    assert ("OSOs[0].Orders[0].TradeAction", "exit_side") in checks
    assert ("OSOs[0].Orders[1].Quantity", "exit_quantity") in checks


def test_trailing_stop_needs_no_stop_price_and_takes_amount_xor_percent() -> None:
    order = build_bracket(
        entry(),
        target=ExitSpec.ticks(8),
        trailing=TrailingStop(amount=Decimal("1.5")),
        increment=TICK,
    )
    stop = order.osos[0].orders[1]
    assert stop.stop_price is None
    assert stop.to_api()["AdvancedOptions"] == {"TrailingStop": {"Amount": "1.5"}}
    assert validate_order(order, increment=TICK) == []

    both = stop.with_changes(
        advanced_options=AdvancedOptions(
            trailing_stop=TrailingStop(amount=Decimal(1), percent=Decimal(1))
        )
    )
    neither = stop.with_changes(advanced_options=AdvancedOptions(trailing_stop=TrailingStop()))
    off_tick = stop.with_changes(
        stop_price=Decimal("4490"),
        advanced_options=AdvancedOptions(trailing_stop=TrailingStop(amount=Decimal("0.1"))),
    )
    assert [i.field for i in validate_order(both)] == ["AdvancedOptions.TrailingStop"]
    assert [i.field for i in validate_order(neither)] == ["AdvancedOptions.TrailingStop"]
    assert [i.check for i in validate_order(off_tick, increment=TICK)] == ["off_tick"]
    # A limit order cannot trail.
    limit_trail = entry().with_changes(
        advanced_options=AdvancedOptions(trailing_stop=TrailingStop(percent=Decimal(2)))
    )
    assert [i.field for i in validate_order(limit_trail)] == ["OrderType"]
    # Without a trailing stop a StopMarket still needs its StopPrice (structural).
    with pytest.raises(ValueError, match="needs stop_price"):
        stop.with_changes(advanced_options=None)


def test_activation_rules_at_most_four_linked_and_on_tick() -> None:
    rule = MarketActivationRule(
        symbol="ESZ26", predicate="Gte", price=Decimal("4510"), trigger_key="STT"
    )
    linked = MarketActivationRule(
        symbol="ESZ26", predicate="Lt", price=Decimal("4520"), logic_operator="And"
    )
    ok = entry().with_changes(
        advanced_options=AdvancedOptions(
            market_rules=(rule, linked), time_rules=(TimeActivationRule(time(14, 30)),)
        )
    )
    assert validate_order(ok, increment=TICK) == []
    five = ok.with_changes(advanced_options=AdvancedOptions(market_rules=(rule,) + (linked,) * 4))
    assert [i.field for i in validate_order(five, increment=TICK)] == [
        "AdvancedOptions.MarketActivationRules"
    ]
    bad = MarketActivationRule(
        symbol="ESZ26", predicate="Eq", price=Decimal("4510.1"), trigger_key="XYZ"
    )
    fields = [
        i.field
        for i in validate_order(
            ok.with_changes(advanced_options=AdvancedOptions(market_rules=(rule, bad))),
            increment=TICK,
        )
    ]
    assert fields == [
        "AdvancedOptions.MarketActivationRules[1].Predicate",
        "AdvancedOptions.MarketActivationRules[1].TriggerKey",
        "AdvancedOptions.MarketActivationRules[1].LogicOperator",
        "AdvancedOptions.MarketActivationRules[1].Price",
    ]


def test_show_only_quantity_and_equity_only_flags() -> None:
    stock = OrderRequest(
        account_id="SIM1", symbol="AAPL", quantity=Decimal(500), order_type="Limit",
        trade_action="BUY", limit_price=Decimal("190"), order_confirm_id="A1",
    )  # fmt: skip
    odd = stock.with_changes(advanced_options=AdvancedOptions(show_only_quantity=Decimal(150)))
    assert [i.check for i in validate_order(odd, asset_type="STOCK")] == ["show_only_quantity"]
    fine = stock.with_changes(
        advanced_options=AdvancedOptions(
            show_only_quantity=Decimal(100), all_or_none=True, add_liquidity=True, book_only=True
        )
    )
    assert validate_order(fine, asset_type="STOCK") == []
    future = entry().with_changes(advanced_options=AdvancedOptions(all_or_none=True))
    assert [i.field for i in validate_order(future, asset_type="FUTURE")] == [
        "AdvancedOptions.AllOrNone"
    ]


def test_exit_bracket_for_a_short_position_and_group_checks() -> None:
    group = build_exit_bracket(
        account_id="SIM1",
        symbol="ESZ26",
        position_quantity=Decimal(-2),
        asset_type="FUTURE",
        target=ExitSpec.ticks(8),
        stop=ExitSpec.ticks(6),
        reference_price=Decimal("4500"),
        increment=TICK,
    )
    assert group.type == "BRK"
    assert [(o.trade_action, o.order_type) for o in group.orders] == [
        ("BUY", "Limit"),
        ("BUY", "StopMarket"),
    ]
    assert group.orders[0].limit_price == Decimal("4498.00")
    assert group.orders[1].stop_price == Decimal("4501.50")
    assert validate_group(group, increment=TICK, reference_price=Decimal("4500"),
                          position_quantity=Decimal(-2)) == []  # fmt: skip
    # Last moved through the stop: the stop is now on the wrong side of the market.
    moved = validate_group(group, increment=TICK, reference_price=Decimal("4502"),
                           position_quantity=Decimal(-2))  # fmt: skip
    assert [(i.field, i.check) for i in moved] == [("Orders[1].StopPrice", "wrong_side")]
    # Bigger than the position, or on a long position: refused with the field.
    checks = {(i.field, i.check) for i in validate_group(group, position_quantity=Decimal(1))}
    assert ("Orders[0].TradeAction", "exit_side") in checks
    flat = validate_group(group, position_quantity=Decimal(0))
    assert [i.check for i in flat] == ["group_shape"]
    assert [i.check for i in validate_group(group, position_quantity=Decimal(-1))] == [
        "exit_quantity",
        "exit_quantity",
    ]


def test_stock_exit_bracket_actions() -> None:
    group = build_exit_bracket(
        account_id="SIM1", symbol="AAPL", position_quantity=Decimal(-5950), asset_type="STOCK",
        target=ExitSpec.at(Decimal("180")), stop=ExitSpec.at(Decimal("200")),
    )  # fmt: skip
    assert {o.trade_action for o in group.orders} == {"BUYTOCOVER"}
    assert group.orders[0].quantity == Decimal(5950)


def test_parse_body_group_and_order_round_trip() -> None:
    built = build_bracket(
        entry(duration="GTC"),
        target=ExitSpec.ticks(8),
        trailing=TrailingStop(percent=Decimal("0.5")),
        increment=TICK,
    )
    assert parse_body(json.dumps(built.to_api())) == built
    group = OrderGroupRequest(type="OCO", orders=built.osos[0].orders)
    assert parse_body(group.to_api()) == group


def test_parse_body_names_the_bad_field_and_refuses_what_it_does_not_model() -> None:
    body: dict[str, Any] = {
        "Type": "OCO",
        "Orders": [
            {"AccountID": "SIM1", "Symbol": "ESZ26", "Quantity": "1", "OrderType": "Limit",
             "TradeAction": "SELL", "TimeInForce": {"Duration": "GTC"}, "LimitPrice": "45x"},
            {"AccountID": "SIM1", "Symbol": "ESZ26", "Quantity": "1", "OrderType": "Limit",
             "TradeAction": "SELL", "TimeInForce": {"Duration": "GTC"}, "LimitPrice": "4510"},
        ],
    }  # fmt: skip
    with pytest.raises(ValueError, match=r"^Orders\[0\]\.LimitPrice: expected a number"):
        parse_body(body)
    body["Orders"][0]["LimitPrice"] = "4490"
    body["Orders"][1]["BuyingPowerWarning"] = "Enforce"
    with pytest.raises(ValueError, match=r"^Orders\[1\]\.BuyingPowerWarning: not supported"):
        parse_body(body)
    del body["Orders"][1]["BuyingPowerWarning"]
    body["Orders"][1]["Legs"] = []  # legs are modelled: an empty list is named, not dropped
    with pytest.raises(ValueError, match=r"^Orders\[1\]\.Legs: expected a list of legs"):
        parse_body(body)
    del body["Orders"][1]["Legs"]
    body["Orders"][1]["AdvancedOptions"] = {"PegValue": "MID"}
    with pytest.raises(ValueError, match=r"^Orders\[1\]\.AdvancedOptions\.PegValue"):
        parse_body(body)
    del body["Orders"][1]["AdvancedOptions"]
    parsed = parse_body(body)
    assert isinstance(parsed, OrderGroupRequest)
    # Missing confirm ids got fresh, distinct ones.
    ids = {o.order_confirm_id for o in parsed.orders}
    assert len(ids) == 2
    with pytest.raises(ValueError, match="Type: unknown group type"):
        parse_body({"Type": "XYZ", "Orders": body["Orders"]})
    with pytest.raises(ValueError, match="at least 2 orders"):
        parse_body({"Type": "BRK", "Orders": body["Orders"][:1]})
    with pytest.raises(ValueError, match="not JSON"):
        parse_body("{")


def test_payload_key_changes_with_children_but_not_their_ids() -> None:
    one = build_bracket(entry(), target=ExitSpec.ticks(8), stop=ExitSpec.ticks(6), increment=TICK)
    other = build_bracket(entry(), target=ExitSpec.ticks(9), stop=ExitSpec.ticks(6), increment=TICK)
    assert one.payload_key() != other.payload_key()
    renamed = one.with_changes(
        osos=(
            OrderGroupRequest(
                type="BRK",
                orders=tuple(o.with_changes(order_confirm_id="X" + str(i)) for i, o in
                             enumerate(one.osos[0].orders)),
            ),
        ),
        order_confirm_id=one.order_confirm_id,
    )  # fmt: skip
    assert renamed.payload_key() == one.payload_key()
    hash(one.payload_key())


@given(
    base_ticks=st.integers(min_value=4000, max_value=40000),
    target=st.integers(min_value=1, max_value=400),
    stop=st.integers(min_value=1, max_value=400),
    buy=st.booleans(),
    qty=st.integers(min_value=1, max_value=50),
)
def test_any_tick_offset_bracket_is_valid_and_round_trips(
    base_ticks: int, target: int, stop: int, buy: bool, qty: int
) -> None:
    price = TICK * base_ticks
    order = build_bracket(
        entry("BUY" if buy else "SELL", str(price), qty),
        target=ExitSpec.ticks(target),
        stop=ExitSpec.ticks(stop),
        increment=TICK,
    )
    assert validate_order(order, increment=TICK) == []
    t, s = order.osos[0].orders
    assert t.limit_price is not None and s.stop_price is not None
    assert abs(t.limit_price - price) == TICK * target
    assert abs(s.stop_price - price) == TICK * stop
    assert parse_body(order.to_api()) == order


# -- keeping a bracket's exits consistent (bracket_sync) --------------------------------------


def api_order(
    order_id: str, ordered: int, filled: int, sibling: str, status: str = "OPN", kind: str = "Limit"
) -> Any:
    from tstui.domain.models import Order

    return Order.from_api(
        {
            "OrderID": order_id, "AccountID": "SIM1", "Status": status, "OrderType": kind,
            "Legs": [{"Symbol": "ESZ26", "BuyOrSell": "Sell", "QuantityOrdered": str(ordered),
                      "ExecQuantity": str(filled), "QuantityRemaining": str(ordered - filled)}],
            "ConditionalOrders": [{"OrderID": sibling, "Relationship": "BRK"}],
        }
    )  # fmt: skip


def test_a_partial_fill_of_the_target_shrinks_the_stop() -> None:
    from tstui.domain.orders.bracket_sync import linked_exits, sync_bracket

    target = api_order("T", 3, 1, "S", status="FPR")
    stop = api_order("S", 3, 0, "T", kind="StopMarket")
    other = api_order("X", 5, 0, "Y")
    exits = linked_exits([target, stop, other], "T")
    assert [o.order_id for o in exits] == ["S", "T"]
    steps, issues = sync_bracket(exits, Decimal(2))
    assert issues == []
    assert [(s.order_id, s.action, s.change and s.change.quantity) for s in steps] == [
        ("S", "replace", Decimal(2))
    ]


def test_replacing_one_leg_after_partial_fills_keeps_the_total_right() -> None:
    from tstui.domain.orders import ReplaceRequest
    from tstui.domain.orders.bracket_sync import sync_bracket

    target = api_order("T", 3, 1, "S", status="FPR")
    stop = api_order("S", 2, 0, "T", kind="StopMarket")
    # Moving the stop's price only: nothing else to do (the stop already covers the 2 open).
    move = ReplaceRequest(stop_price=Decimal("4490"))
    steps, issues = sync_bracket([stop, target], Decimal(2), changed_id="S", change=move)
    assert issues == [] and [(s.order_id, s.reason) for s in steps] == [("S", "your change")]
    # A stop bigger than the open position is an error naming the quantity.
    steps, issues = sync_bracket(
        [stop, target], Decimal(2), changed_id="S", change=ReplaceRequest(quantity=Decimal(3))
    )
    assert [(i.field, i.check) for i in issues] == [("quantity", "exit_quantity")]
    # Entry filled more (open 4 now): the other exit grows to cover it, filled part kept.
    steps, _ = sync_bracket([stop, target], Decimal(4), changed_id="S", change=move)
    assert [(s.order_id, s.change and s.change.quantity) for s in steps] == [
        ("S", Decimal(4)),
        ("T", Decimal(5)),
    ]
    assert steps[0].change is not None and steps[0].change.stop_price == Decimal("4490")


def test_a_closed_position_cancels_the_remaining_exits() -> None:
    from tstui.domain.orders.bracket_sync import sync_bracket

    steps, _ = sync_bracket([api_order("S", 2, 0, "T")], Decimal(0))
    assert [(s.order_id, s.action) for s in steps] == [("S", "cancel")]


@given(
    ordered=st.integers(min_value=1, max_value=20),
    fills=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=5)), max_size=12),
)
def test_exits_never_exceed_the_open_position(ordered: int, fills: list[tuple[bool, int]]) -> None:
    """Any sequence of partial fills of either exit, synced after each: both exits' remaining
    equal the open position, never more, and no exit fills more than it was sized."""
    from tstui.domain.orders.bracket_sync import sync_bracket

    open_qty = ordered
    state = {"T": [ordered, 0], "S": [ordered, 0]}  # ordered, filled
    for on_target, amount in fills:
        name = "T" if on_target else "S"
        size, filled = state[name]
        amount = min(amount, size - filled, open_qty)
        state[name][1] += amount
        open_qty -= amount
        exits = [
            api_order(n, state[n][0], state[n][1], "S" if n == "T" else "T",
                      status="OPN" if state[n][0] > state[n][1] else "FLL")
            for n in ("S", "T")
        ]  # fmt: skip
        steps, issues = sync_bracket(exits, Decimal(open_qty))
        assert issues == []
        for step in steps:
            if step.action == "cancel":
                state[step.order_id][0] = state[step.order_id][1]
            else:
                assert step.change is not None and step.change.quantity is not None
                state[step.order_id][0] = int(step.change.quantity)
        for n in ("S", "T"):
            size, filled = state[n]
            assert filled <= size
            assert size - filled <= open_qty
            if open_qty and size > filled:
                assert size - filled == open_qty
