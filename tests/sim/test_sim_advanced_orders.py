"""Order groups and advanced orders in the simulator, driven through the API and the admin
price and clock controls (frozen clock): OCO, BRK with partial fills, OSO, trailing stops,
every activation trigger, time rules, partial fills, and the refusals of what is not
modelled."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sim_helpers import FUTURES, MARGIN, StreamReader, order_body

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

EXECUTION = "/v3/orderexecution"
CENT = Decimal("0.01")


def _quote(api: httpx.Client, symbol: str) -> dict[str, Decimal]:
    quote = api.get(f"/v3/marketdata/quotes/{symbol}").json()["Quotes"][0]
    return {key: Decimal(quote[key]) for key in ("Last", "Bid", "Ask")}


def _orders(api: httpx.Client, *ids: str, account: str = MARGIN) -> dict[str, dict[str, Any]]:
    path = f"/v3/brokerage/accounts/{account}/orders/{','.join(ids)}"
    found = api.get(path).json()["Orders"]
    return {o["OrderID"]: o for o in found}


def _status(api: httpx.Client, order_id: str, account: str = MARGIN) -> str:
    return str(_orders(api, order_id, account=account)[order_id]["Status"])


def _held(api: httpx.Client, symbol: str, account: str = MARGIN) -> Decimal:
    positions = api.get(f"/v3/brokerage/accounts/{account}/positions").json()["Positions"]
    return sum((Decimal(p["Quantity"]) for p in positions if p["Symbol"] == symbol), Decimal(0))


def _ids(answer: dict[str, Any]) -> list[str]:
    assert "Errors" not in answer, answer
    return [entry["OrderID"] for entry in answer["Orders"]]


def _place(api: httpx.Client, body: dict[str, Any]) -> list[str]:
    response = api.post(f"{EXECUTION}/orders", json=body)
    assert response.status_code == 200, response.text
    return _ids(response.json())


def _group(api: httpx.Client, kind: str, *orders: dict[str, Any]) -> list[str]:
    response = api.post(f"{EXECUTION}/ordergroups", json={"Type": kind, "Orders": list(orders)})
    assert response.status_code == 200, response.text
    return _ids(response.json())


def _links(order: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["OrderID"], c["Relationship"]) for c in order.get("ConditionalOrders", [])}


def _buy_fully(api: httpx.Client, control: SimControl, symbol: str, quantity: int) -> None:
    """A market buy of more than the touch: it fills over several seconds."""
    (order_id,) = _place(api, order_body(Symbol=symbol, Quantity=str(quantity)))
    for _ in range(10):
        if _status(api, order_id) == "FLL":
            return
        control.advance(1)
    raise AssertionError("the buy never filled")


# ----- OCO --------------------------------------------------------------------------------
def test_oco_fill_cancels_the_sibling(api: httpx.Client, control: SimControl) -> None:
    last = _quote(api, "MSFT")["Last"]
    up, down = last + 2, last - 2
    confirm = api.post(
        f"{EXECUTION}/ordergroupconfirm",
        json={
            "Type": "OCO",
            "Orders": [
                order_body(OrderType="StopMarket", StopPrice=str(up)),
                order_body(OrderType="StopMarket", StopPrice=str(down), TradeAction="SELLSHORT"),
            ],
        },
    )
    assert confirm.status_code == 200 and len(confirm.json()["Confirmations"]) == 2
    buy, short = _group(
        api,
        "OCO",
        order_body(OrderType="StopMarket", StopPrice=str(up)),
        order_body(OrderType="StopMarket", StopPrice=str(down), TradeAction="SELLSHORT"),
    )
    orders = _orders(api, buy, short)
    assert _links(orders[buy]) == {(short, "OCO")} and _links(orders[short]) == {(buy, "OCO")}
    assert orders[buy]["GroupName"] == orders[short]["GroupName"] == f"OCO {buy}"
    assert orders[short]["AdvancedOptions"] == f"STPTRG=STT;OCA={buy};"
    control.set_price("MSFT", str(up + 1))
    orders = _orders(api, buy, short)
    assert orders[buy]["Status"] == "FLL"
    assert orders[short]["Status"] == "CAN"
    control.set_price("MSFT", str(down - 1))  # the cancelled sibling never fills
    assert _status(api, short) == "CAN"


def test_oco_partial_fill_reduces_the_sibling(api: httpx.Client, control: SimControl) -> None:
    _buy_fully(api, control, "MSFT", 400)  # 500 held with the seeded 100
    last = _quote(api, "MSFT")["Last"]
    target = last + 1
    far = last + 50
    sell, other = _group(
        api,
        "OCO",
        order_body(OrderType="Limit", TradeAction="SELL", Quantity="500", LimitPrice=str(target)),
        order_body(OrderType="Limit", TradeAction="SELL", Quantity="500", LimitPrice=str(far)),
    )
    control.set_price("MSFT", str(target + 2))  # the bid is at the target: 200 of 500 trade
    orders = _orders(api, sell, other)
    assert orders[sell]["Status"] == "FPR" and orders[sell]["Legs"][0]["ExecQuantity"] == "200"
    assert orders[other]["Status"] == "OPN"
    assert orders[other]["Legs"][0]["QuantityOrdered"] == "300"


# ----- BRK and partial fills ----------------------------------------------------------------
def test_bracket_exits_follow_partial_fills(api: httpx.Client, control: SimControl) -> None:
    _buy_fully(api, control, "MSFT", 500)  # 600 held
    last = _quote(api, "MSFT")["Last"]
    target, stop = last + 1, last - 5
    exits = [
        order_body(OrderType="Limit", TradeAction="SELL", Quantity="500", LimitPrice=str(target)),
        order_body(OrderType="StopMarket", TradeAction="SELL", Quantity="500", StopPrice=str(stop)),
    ]
    limit, stop_id = _group(api, "BRK", *exits)
    orders = _orders(api, limit, stop_id)
    assert _links(orders[limit]) == {(stop_id, "BRK")}
    assert orders[limit]["Legs"][0]["OpenOrClose"] == "Close"

    def check_exits_within_position() -> None:
        held = _held(api, "MSFT") - 100  # the 100 outside the bracket
        for order in _orders(api, limit, stop_id).values():
            if order["Status"] in ("OPN", "FPR"):
                assert Decimal(order["Legs"][0]["QuantityRemaining"]) <= held

    control.set_price("MSFT", str(target + 2))
    orders = _orders(api, limit, stop_id)
    assert orders[limit]["Status"] == "FPR" and orders[limit]["Legs"][0]["ExecQuantity"] == "200"
    assert orders[stop_id]["Legs"][0]["QuantityOrdered"] == "300"
    check_exits_within_position()
    control.advance(1)
    control.set_price("MSFT", str(target + 2))
    orders = _orders(api, limit, stop_id)
    assert orders[limit]["Legs"][0]["ExecQuantity"] == "400"
    assert orders[stop_id]["Legs"][0]["QuantityOrdered"] == "100"
    check_exits_within_position()
    control.set_price("MSFT", str(stop - 10))  # a gap through the stop: it fills at the market
    orders = _orders(api, limit, stop_id)
    assert orders[stop_id]["Status"] == "FLL"
    assert Decimal(orders[stop_id]["FilledPrice"]) == stop - 10 - CENT
    assert orders[limit]["Status"] == "FLP"  # partly filled, then out: nothing left to close
    assert _held(api, "MSFT") == 100


def test_bracket_must_close_a_position(api: httpx.Client) -> None:
    response = api.post(
        f"{EXECUTION}/ordergroups",
        json={
            "Type": "BRK",
            "Orders": [
                order_body(Symbol="SPY", TradeAction="SELL", OrderType="Limit", LimitPrice="900"),
                order_body(Symbol="SPY", TradeAction="SELL", OrderType="StopMarket", StopPrice="1"),
            ],
        },
    )
    assert response.status_code == 400
    assert response.json()["Message"].startswith("Orders[0].TradeAction")
    mixed = api.post(
        f"{EXECUTION}/ordergroups",
        json={
            "Type": "BRK",
            "Orders": [
                order_body(TradeAction="SELL", OrderType="Limit", LimitPrice="900"),
                order_body(Symbol="AAPL", TradeAction="SELL", OrderType="Market"),
            ],
        },
    )
    assert mixed.status_code == 400 and mixed.json()["Message"].startswith("Orders[1].Symbol")
    too_many = api.post(  # 100 MSFT held
        f"{EXECUTION}/ordergroups",
        json={
            "Type": "BRK",
            "Orders": [
                order_body(TradeAction="SELL", OrderType="Limit", LimitPrice="900"),
                order_body(TradeAction="SELL", Quantity="101", OrderType="Market"),
            ],
        },
    )
    assert too_many.status_code == 400
    assert too_many.json()["Message"].startswith("Orders[1].Quantity")


def test_partial_fills_average_and_keep_books_consistent(
    api: httpx.Client, control: SimControl, server: SimServer
) -> None:
    cash_before = Decimal(
        api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()["Balances"][0]["CashBalance"]
    )
    ask = _quote(api, "MSFT")["Ask"]
    with httpx.Client(base_url=server.url, headers=api.headers, timeout=10) as stream_api:
        (order_id,) = _place(api, order_body(OrderType="Limit", Quantity="700", LimitPrice="1"))
        url = f"/v3/brokerage/stream/accounts/{MARGIN}/orders/{order_id}"
        with stream_api.stream("GET", url) as response:
            reader = StreamReader(response)
            reader.snapshot()
            control.set_price("MSFT", "0.99")  # the ask at the limit: 300 (its size) trade
            first = reader.until(lambda f: f.get("Status") == "FPR")
            assert first["Legs"][0]["ExecQuantity"] == "300"
            assert first["FilledPrice"] == "1.00"
            control.set_price("MSFT", "0.89")  # lower, but the touch is spent this second
            assert _status(api, order_id) == "FPR"
            control.advance(1)  # 300 more at the ask, 0.90
            second = reader.until(lambda f: f["Legs"][0]["ExecQuantity"] == "600")
            assert second["Status"] == "FPR"
            assert Decimal(second["FilledPrice"]) == Decimal("0.95")
            control.advance(0.5)  # the touch has not refilled yet
            assert _status(api, order_id) == "FPR"
            control.advance(0.5)
            done = reader.until(lambda f: f.get("Status") == "FLL")
    price = done["FilledPrice"]
    assert done["Legs"][0]["ExecQuantity"] == "700" and done["Legs"][0]["QuantityRemaining"] == "0"
    fills = Decimal(300) * Decimal("1.00") + Decimal(300) * Decimal("0.90")
    last = _quote(api, "MSFT")["Ask"]
    fills += 100 * last
    assert Decimal(price) == (fills / 700).quantize(Decimal("0.000001")).normalize()
    cash_after = Decimal(
        api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()["Balances"][0]["CashBalance"]
    )
    assert cash_before - cash_after == fills.quantize(CENT)
    assert _held(api, "MSFT") == 800
    assert ask > 1  # the market was far above the limit before the move


def test_cancel_after_a_partial_fill_is_flp(api: httpx.Client, control: SimControl) -> None:
    (order_id,) = _place(api, order_body(OrderType="Limit", Quantity="500", LimitPrice="1"))
    control.set_price("MSFT", "0.99")
    assert _status(api, order_id) == "FPR"
    assert api.delete(f"{EXECUTION}/orders/{order_id}").status_code == 200
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "FLP" and order["Legs"][0]["ExecQuantity"] == "300"


def test_small_market_orders_still_fill_at_once(api: httpx.Client) -> None:
    for account, symbol, quantity in ((MARGIN, "SPY", "300"), (FUTURES, "ESZ26", "12")):
        body = order_body(AccountID=account, Symbol=symbol, Quantity=quantity)
        (order_id,) = _place(api, body)
        assert _status(api, order_id, account) == "FLL"


def test_all_or_none_waits_for_the_whole_quantity(api: httpx.Client, control: SimControl) -> None:
    body = order_body(
        OrderType="Limit", Quantity="400", LimitPrice="1", AdvancedOptions={"AllOrNone": True}
    )
    (order_id,) = _place(api, body)
    order = _orders(api, order_id)[order_id]
    assert order["AdvancedOptions"] == "AON;"
    control.set_price("MSFT", "0.99")
    assert _status(api, order_id) == "OPN"  # 400 never shows at a 300 touch


# ----- OSO ----------------------------------------------------------------------------------
def _oso_entry(last: Decimal, quantity: str, entry_limit: Decimal) -> dict[str, Any]:
    return order_body(
        Symbol="SPY",
        Quantity=quantity,
        OrderType="Limit",
        LimitPrice=str(entry_limit),
        OSOs=[
            {
                "Type": "BRK",
                "Orders": [
                    order_body(
                        Symbol="SPY",
                        Quantity=quantity,
                        TradeAction="SELL",
                        OrderType="Limit",
                        LimitPrice=str(last + 20),
                    ),
                    order_body(
                        Symbol="SPY",
                        Quantity=quantity,
                        TradeAction="SELL",
                        OrderType="StopMarket",
                        StopPrice=str(entry_limit - 20),
                    ),
                ],
            }
        ],
    )


def test_oso_children_wait_for_the_parent_fill(api: httpx.Client, control: SimControl) -> None:
    last = _quote(api, "SPY")["Last"]
    entry = last - 5
    parent, target, stop = _place(api, _oso_entry(last, "10", entry))
    orders = _orders(api, parent, target, stop)
    assert _links(orders[parent]) == {(target, "OSO"), (stop, "OSO")}
    assert _links(orders[target]) == {(parent, "OSP"), (stop, "BRK")}
    assert orders[target]["Status"] == orders[stop]["Status"] == "OSO"
    control.set_price("SPY", str(last + 25))  # above the target: the children wait
    assert _status(api, target) == "OSO" and _status(api, parent) == "OPN"
    control.set_price("SPY", str(entry - CENT))  # the ask reaches the entry
    orders = _orders(api, parent, target, stop)
    assert orders[parent]["Status"] == "FLL"
    assert orders[target]["Status"] == orders[stop]["Status"] == "OPN"
    assert orders[stop]["Legs"][0]["OpenOrClose"] == "Close"
    control.set_price("SPY", str(last + 21))
    orders = _orders(api, target, stop)
    assert orders[target]["Status"] == "FLL" and orders[stop]["Status"] == "CAN"
    assert _held(api, "SPY") == 0


def test_cancelled_parent_cancels_or_sizes_its_children(
    api: httpx.Client, control: SimControl
) -> None:
    last = _quote(api, "SPY")["Last"]
    parent, target, stop = _place(api, _oso_entry(last, "10", last - 5))
    api.delete(f"{EXECUTION}/orders/{parent}")
    statuses = {i: o["Status"] for i, o in _orders(api, parent, target, stop).items()}
    assert statuses == {parent: "CAN", target: "CAN", stop: "CAN"}
    # a parent cancelled after a partial fill sends its children for the filled quantity
    parent, target, stop = _place(api, _oso_entry(last, "400", last - 5))
    control.set_price("SPY", str(last - 6))
    assert _status(api, parent) == "FPR" and _status(api, stop) == "OSO"
    api.delete(f"{EXECUTION}/orders/{parent}")
    orders = _orders(api, parent, target, stop)
    assert orders[parent]["Status"] == "FLP"
    for child in (target, stop):
        assert orders[child]["Status"] == "OPN"
        assert orders[child]["Legs"][0]["QuantityOrdered"] == "300"


def test_a_rejected_child_rejects_the_whole_tree(api: httpx.Client) -> None:
    body = order_body(
        OrderType="Limit",
        LimitPrice="1",
        OSOs=[{"Type": "NORMAL", "Orders": [order_body(OrderType="Limit", LimitPrice="1.001")]}],
    )
    answer = api.post(f"{EXECUTION}/orders", json=body).json()
    assert "Orders" not in answer
    (error,) = answer["Errors"]
    assert error["Message"].startswith("OSOs[0].Orders[0]: LimitPrice")
    assert _status(api, error["OrderID"]) == "REJ"


def test_osos_and_links_on_the_orders_stream(api: httpx.Client, server: SimServer) -> None:
    last = _quote(api, "SPY")["Last"]
    with httpx.Client(base_url=server.url, headers=api.headers, timeout=10) as stream_api:
        url = f"/v3/brokerage/stream/accounts/{MARGIN}/orders"
        with stream_api.stream("GET", url) as response:
            reader = StreamReader(response)
            reader.snapshot()
            parent, target, stop = _place(api, _oso_entry(last, "10", last - 5))
            frame = reader.until(lambda f: f.get("OrderID") == stop)
    assert frame["Status"] == "OSO"
    assert _links(frame) == {(parent, "OSP"), (target, "BRK")}
    assert frame["AdvancedOptions"] == f"STPTRG=STT;OCA={target};"


# ----- trailing stops -------------------------------------------------------------------------
def test_trailing_stop_ratchets_and_fills_through_a_gap(
    api: httpx.Client, control: SimControl
) -> None:
    control.set_price("MSFT", "400.00")
    body = order_body(
        OrderType="StopMarket",
        TradeAction="SELL",
        Quantity="100",
        AdvancedOptions={"TrailingStop": {"Amount": "2.50"}},
    )
    (order_id,) = _place(api, body)
    order = _orders(api, order_id)[order_id]
    assert order["StopPrice"] == "397.50" and order["TrailingStop"] == {"Amount": "2.50"}
    assert order["AdvancedOptions"] == "STPTRG=STT;TRL=2.50;"
    for price, stop in (("403.00", "400.50"), ("401.00", "400.50"), ("404.20", "401.70")):
        control.set_price("MSFT", price)  # up: the trigger follows; down: it stays
        assert _orders(api, order_id)[order_id]["StopPrice"] == stop
    control.set_price("MSFT", "390.00")  # a gap through 401.70: filled at the market's bid
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "FLL" and order["FilledPrice"] == "389.99"
    assert _held(api, "MSFT") == 0


def test_trailing_stop_by_percent_for_a_buy(api: httpx.Client, control: SimControl) -> None:
    control.set_price("AAPL", "200.00")
    body = order_body(
        Symbol="AAPL",
        OrderType="StopMarket",
        Quantity="5",
        AdvancedOptions={"TrailingStop": {"Percent": "1.5"}},
    )
    (order_id,) = _place(api, body)
    assert _orders(api, order_id)[order_id]["StopPrice"] == "203.00"
    control.set_price("AAPL", "190.00")  # a buy trails under the lowest price: 192.85
    assert _orders(api, order_id)[order_id]["StopPrice"] == "192.85"
    control.set_price("AAPL", "192.00")
    assert _orders(api, order_id)[order_id]["StopPrice"] == "192.85"
    control.set_price("AAPL", "192.85")
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "FLL" and order["FilledPrice"] == "192.86"


# ----- activation rules -----------------------------------------------------------------------
RULE_PRICE = Decimal("300.00")
# watched side for a buy: (a last price where only that side holds ">= RULE_PRICE" or, for
# the bid, where the others hold and the bid does not)
HITS = {
    "last": [RULE_PRICE, RULE_PRICE + 2 * CENT, RULE_PRICE + 4 * CENT],
    "ask": [RULE_PRICE - CENT, RULE_PRICE + CENT, RULE_PRICE + 3 * CENT],
    "bid": [RULE_PRICE + CENT, RULE_PRICE + 3 * CENT, RULE_PRICE + 5 * CENT],
}
MISS = {"last": RULE_PRICE - CENT, "ask": RULE_PRICE - 2 * CENT, "bid": RULE_PRICE}
SIDES = {"TT": "last", "BA": "ask", "AB": "bid"}


def _conditional(rules: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"MarketActivationRules": rules}
    options.update(more)
    return order_body(OrderType="Limit", LimitPrice="1.00", AdvancedOptions=options)


def _rule(key: str, symbol: str = "AAPL", predicate: str = "Gte", **more: str) -> dict[str, Any]:
    rule = {
        "RuleType": "Price",
        "Symbol": symbol,
        "Predicate": predicate,
        "TriggerKey": key,
        "Price": str(RULE_PRICE),
    }
    rule.update(more)
    return rule


@pytest.mark.parametrize(
    "key", ["STT", "STTN", "SBA", "SAB", "DTT", "DTTN", "DBA", "DAB", "TTT", "TTTN", "TBA", "TAB"]
)
def test_each_activation_trigger(api: httpx.Client, control: SimControl, key: str) -> None:
    side = SIDES["TT" if key[1:3] not in SIDES else key[1:3]]
    miss, hits = str(MISS[side]), [str(h) for h in HITS[side]]
    control.set_price("AAPL", miss)
    (order_id,) = _place(api, _conditional([_rule(key)]))
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "DON" and order["MarketActivationRules"][0]["TriggerKey"] == key
    assert order["AdvancedOptions"] == f"CND=AAPL>={RULE_PRICE}({key});"
    if key.startswith("S"):
        sequence = [(hits[0], "OPN")]
    elif key.startswith("D"):  # two in a row: a miss in between starts over
        sequence = [(hits[0], "DON"), (miss, "DON"), (hits[1], "DON"), (hits[2], "OPN")]
    else:  # twice, in a row or not
        sequence = [(hits[0], "DON"), (miss, "DON"), (hits[1], "OPN")]
    for price, expected in sequence:
        control.set_price("AAPL", price)
        assert _status(api, order_id) == expected, (price, expected)


def test_activation_triggers_list(api: httpx.Client) -> None:
    triggers = api.get(f"{EXECUTION}/activationtriggers").json()["ActivationTriggers"]
    assert [t["Key"] for t in triggers] == [
        "STT", "STTN", "SBA", "SAB", "DTT", "DTTN", "DBA", "DAB", "TTT", "TTTN", "TBA", "TAB"
    ]  # fmt: skip
    assert all(t["Name"] and t["Description"] for t in triggers)


@pytest.mark.parametrize(
    ("predicate", "holds", "fails"),
    [("Lt", "299.99", "300.00"), ("Lte", "300.00", "300.01"), ("Gt", "300.01", "300.00")],
)
def test_predicates(
    api: httpx.Client, control: SimControl, predicate: str, holds: str, fails: str
) -> None:
    control.set_price("AAPL", fails)
    (order_id,) = _place(api, _conditional([_rule("STT", predicate=predicate)]))
    assert _status(api, order_id) == "DON"
    control.set_price("AAPL", holds)
    assert _status(api, order_id) == "OPN"


@pytest.mark.parametrize(("logic", "fires_on_one"), [("And", False), ("Or", True)])
def test_logic_operator(
    api: httpx.Client, control: SimControl, logic: str, fires_on_one: bool
) -> None:
    control.set_price("AAPL", "290.00")
    control.set_price("NVDA", "290.00")
    rules = [_rule("STT"), _rule("STT", symbol="NVDA", LogicOperator=logic)]
    (order_id,) = _place(api, _conditional(rules))
    control.set_price("AAPL", "301.00")
    assert _status(api, order_id) == ("OPN" if fires_on_one else "DON")
    control.set_price("NVDA", "301.00")
    assert _status(api, order_id) == "OPN"


def test_time_rule_waits_for_its_time_of_day(api: httpx.Client, control: SimControl) -> None:
    # the clock starts at 15:00 UTC; the rule's date is not used
    rules = [{"TimeUtc": "2020-01-01T15:10:00Z"}]  # (tokens live 20 sim minutes)
    (order_id,) = _place(api, order_body(AdvancedOptions={"TimeActivationRules": rules}))
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "DON" and order["AdvancedOptions"] == "TIM=15:10:00;"
    assert order["TimeActivationRules"] == [{"TimeUtc": "0001-01-01T15:10:00Z"}]
    control.advance(9 * 60)
    assert _status(api, order_id) == "DON"
    control.advance(60)
    assert _status(api, order_id) == "FLL"  # a market order: out and filled at once


def test_replace_clears_the_rules(api: httpx.Client, control: SimControl) -> None:
    control.set_price("AAPL", "290.00")
    (order_id,) = _place(api, _conditional([_rule("STT")]))
    change = {"AdvancedOptions": {"MarketActivationRules": {"ClearAll": True}}}
    assert api.put(f"{EXECUTION}/orders/{order_id}", json=change).status_code == 200
    order = _orders(api, order_id)[order_id]
    assert order["Status"] == "OPN" and "MarketActivationRules" not in order


# ----- refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"AdvancedOptions": {"PegValue": "MID"}}, "AdvancedOptions.PegValue"),
        ({"AdvancedOptions": {"DiscretionaryPrice": "0.05"}}, "AdvancedOptions.DiscretionaryPrice"),
        ({"AdvancedOptions": {"BookOnly": True}}, "AdvancedOptions.BookOnly"),
        (
            {"AccountID": FUTURES, "Symbol": "ESZ26", "AdvancedOptions": {"AllOrNone": True}},
            "AdvancedOptions.AllOrNone",
        ),
        (
            {"AdvancedOptions": {"TrailingStop": {"Amount": "1", "Percent": "1"}}},
            "AdvancedOptions.TrailingStop",
        ),
        (
            {"OrderType": "Limit", "LimitPrice": "1", "AdvancedOptions": {"TrailingStop": {}}},
            "AdvancedOptions.TrailingStop",
        ),
        ({"AdvancedOptions": {"ShowOnlyQuantity": "5"}}, "AdvancedOptions.ShowOnlyQuantity"),
        (
            {"AdvancedOptions": {"MarketActivationRules": [_rule("STT")] * 5}},
            "AdvancedOptions.MarketActivationRules",
        ),
        (
            {"AdvancedOptions": {"MarketActivationRules": [_rule("STT", symbol="NOPE")]}},
            "AdvancedOptions.MarketActivationRules[0].Symbol",
        ),
        ({"Legs": []}, "Legs"),  # multi-leg orders: tests/sim/test_sim_option_orders.py
        (
            {"OSOs": [{"Type": "BRK", "Orders": [order_body(Symbol="SPY")]}]},
            "OSOs[0].Orders",
        ),
    ],
)
def test_what_is_not_modelled_is_refused_by_name(
    api: httpx.Client, fields: dict[str, Any], named: str
) -> None:
    before = len(api.get(f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/orders").json()["Orders"])
    for path in ("orderconfirm", "orders"):
        response = api.post(f"{EXECUTION}/{path}", json=order_body(**fields))
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["Error"] == "BadRequest" and body["Message"].startswith(named), body
    after = len(api.get(f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/orders").json()["Orders"])
    assert after == before


def test_group_body_problems_are_400s(api: httpx.Client) -> None:
    for body, named in (
        ({"Type": "OCO", "Orders": [order_body()]}, "Orders"),
        ({"Type": "XYZ", "Orders": [order_body()]}, "Type"),
        ({"Type": "OCO", "Orders": [order_body(), order_body(Quantity=1)]}, "Orders[1]"),
    ):
        for path in ("ordergroupconfirm", "ordergroups"):
            response = api.post(f"{EXECUTION}/{path}", content=json.dumps(body))
            assert response.status_code == 400, response.text
            assert response.json()["Message"].startswith(named)


def test_replace_a_trailing_amount(api: httpx.Client, control: SimControl) -> None:
    control.set_price("MSFT", "400.00")
    body = order_body(
        OrderType="StopMarket",
        TradeAction="SELL",
        AdvancedOptions={"TrailingStop": {"Amount": "2"}},
    )
    (order_id,) = _place(api, body)
    control.set_price("MSFT", "405.00")
    assert _orders(api, order_id)[order_id]["StopPrice"] == "403.00"
    change = {"AdvancedOptions": {"TrailingStop": {"Percent": "1"}}}
    assert api.put(f"{EXECUTION}/orders/{order_id}", json=change).status_code == 200
    order = _orders(api, order_id)[order_id]  # 1% under the best price so far, 405.00
    assert order["StopPrice"] == "400.95" and order["TrailingStop"] == {"Percent": "1"}
    assert order["AdvancedOptions"] == "STPTRG=STT;TRL=1%;"
    limit = api.put(
        f"{EXECUTION}/orders/{order_id}",
        json={
            "OrderType": "Limit",
            "LimitPrice": "1",
            "AdvancedOptions": change["AdvancedOptions"],
        },
    )
    assert limit.status_code == 400
    assert limit.json()["Message"].startswith("AdvancedOptions.TrailingStop")


def test_an_expired_parent_cancels_its_waiting_children(
    api: httpx.Client, control: SimControl
) -> None:
    last = _quote(api, "SPY")["Last"]
    body = _oso_entry(last, "10", last - 50)  # DAY orders, far from the market
    parent, target, stop = _place(api, body)
    control.set_clock("2026-12-01T21:00:01Z")  # past the 21:00 UTC close
    orders = {o["OrderID"]: o["Status"] for o in control.state()["accounts"][MARGIN]["orders"]}
    assert [orders[i] for i in (parent, target, stop)] == ["EXP", "CAN", "CAN"]


def test_oco_and_brk_orders_share_an_account(api: httpx.Client) -> None:
    body = {
        "Type": "OCO",
        "Orders": [
            order_body(OrderType="Limit", LimitPrice="1"),
            order_body(AccountID=FUTURES, Symbol="ESZ26", OrderType="Limit", LimitPrice="1"),
        ],
    }
    response = api.post(f"{EXECUTION}/ordergroups", json=body)
    assert response.status_code == 400
    assert response.json()["Message"].startswith("Orders[1].AccountID")


def test_normal_group_orders_are_not_linked(api: httpx.Client) -> None:
    ids = _group(
        api,
        "NORMAL",
        order_body(OrderType="Limit", LimitPrice="1"),
        order_body(Symbol="AAPL", OrderType="Limit", LimitPrice="1"),
    )
    for order in _orders(api, *ids).values():
        assert "ConditionalOrders" not in order and "GroupName" not in order
        assert order["Status"] == "OPN"


@pytest.mark.parametrize(
    ("parse", "body", "message"),
    [
        ("group", {"Type": "OCO", "Orders": []}, "Orders must hold at least one order."),
        ("group", {"Type": "BRK", "Orders": [order_body()]}, "Orders: a BRK group needs at"),
        (
            "order",
            order_body(OSOs=[{"Type": "NORMAL", "Orders": []}]),
            "OSOs[0].Orders must hold at least one order.",
        ),
        (
            "group",
            {
                "Type": "OCO",
                "Orders": [
                    order_body(),
                    order_body(OSOs=[{"Type": "OCO", "Orders": [order_body()]}]),
                ],
            },
            "Orders[1].OSOs[0].Orders: a OCO group needs at",
        ),
        ("order", order_body(Quantity="ten"), "Quantity must be a number."),
        ("order", order_body(LimitPrice="NaN"), "LimitPrice must be a number."),
        (
            "order",
            order_body(OrderType="StopMarket", AdvancedOptions={"TrailingStop": {"Amount": "x"}}),
            "AdvancedOptions.TrailingStop.Amount must be a number.",
        ),
    ],
)
def test_intake_refusals_name_the_field_where_it_sits(
    parse: str, body: dict[str, Any], message: str
) -> None:
    """A request's group and an order's OSOs are checked alike, and every number alike, each
    refusal prefixed with where the field sits."""
    from tstui.sim.errors import BadRequest
    from tstui.sim.intake import parse_group, parse_order

    with pytest.raises(BadRequest) as refused:
        (parse_group if parse == "group" else parse_order)(body)
    assert str(refused.value).startswith(message)
