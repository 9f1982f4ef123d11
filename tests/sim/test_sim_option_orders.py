"""Option orders in the simulator, through the API (frozen clock): single-leg opens and
closes at the touch, multi-leg packages at their signed net price (debit > 0, credit < 0),
the confirmation of a package, option positions at 100 a contract, the refusals (equity
actions on options and option actions on stock, closing what is not held) and the account's
option approval level."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sim_helpers import CASH, MARGIN, START, StreamReader, get_token
from spec_support import Checker, corrected_spec, operation_of, response_schema

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

EXECUTION = "/v3/orderexecution"
CALL_420, CALL_430 = "MSFT 261218C420", "MSFT 261218C430"
PUT_400, PUT_420 = "MSFT 261218P400", "MSFT 261218P420"
HUNDRED = Decimal(100)
COMMISSION = Decimal("0.60")  # per contract


def _option(symbol: str, action: str, qty: str = "1", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": MARGIN,
        "Symbol": symbol,
        "Quantity": qty,
        "OrderType": "Market",
        "TradeAction": action,
        "TimeInForce": {"Duration": "DAY"},
    }
    body.update(extra)
    return body


def _package(*legs: tuple[str, str, str], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": MARGIN,
        "OrderType": "Market",
        "TimeInForce": {"Duration": "DAY"},
        "Legs": [{"Symbol": s, "Quantity": q, "TradeAction": a} for s, a, q in legs],
    }
    body.update(extra)
    return body


def _place(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"{EXECUTION}/orders", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _placed(api: httpx.Client, body: dict[str, Any]) -> str:
    answer = _place(api, body)
    assert "Errors" not in answer, answer
    return str(answer["Orders"][0]["OrderID"])


def _refused(api: httpx.Client, body: dict[str, Any]) -> str:
    answer = _place(api, body)
    assert "Orders" not in answer, answer
    return str(answer["Errors"][0]["Message"])


def _order(api: httpx.Client, order_id: str, account: str = MARGIN) -> dict[str, Any]:
    found = api.get(f"/v3/brokerage/accounts/{account}/orders/{order_id}").json()["Orders"]
    return dict(found[0])


def _positions(api: httpx.Client, account: str = MARGIN) -> dict[str, dict[str, Any]]:
    body = api.get(f"/v3/brokerage/accounts/{account}/positions").json()
    return {p["Symbol"]: p for p in body["Positions"]}


def _cash(api: httpx.Client, account: str = MARGIN) -> Decimal:
    body = api.get(f"/v3/brokerage/accounts/{account}/balances").json()
    return Decimal(body["Balances"][0]["CashBalance"])


def _touch(server: SimServer, symbol: str) -> tuple[Decimal, Decimal, Decimal]:
    return server.engine.quote_of(symbol)


def _set_level(server: SimServer, account: str, level: int) -> None:
    engine = server.engine
    with engine.lock:
        engine.accounts[account] = replace(engine.accounts[account], option_level=level)


def test_single_leg_opens_at_the_ask_and_closes_at_the_bid(
    api: httpx.Client, server: SimServer
) -> None:
    cash = _cash(api)
    _, _, ask = _touch(server, CALL_420)
    bought = _order(api, _placed(api, _option(CALL_420, "BUYTOOPEN", "2")))
    assert bought["Status"] == "FLL"
    assert Decimal(bought["FilledPrice"]) == ask
    (leg,) = bought["Legs"]
    assert leg["AssetType"] == "STOCKOPTION"
    assert (leg["BuyOrSell"], leg["OpenOrClose"]) == ("Buy", "Open")
    assert (leg["OptionType"], leg["StrikePrice"], leg["Underlying"]) == ("CALL", "420", "MSFT")
    assert leg["ExpirationDate"] == "2026-12-18T00:00:00Z"
    position = _positions(api)[CALL_420]
    assert position["AssetType"] == "STOCKOPTION"
    assert Decimal(position["Quantity"]) == 2
    assert Decimal(position["TotalCost"]) == ask * 2 * HUNDRED  # 100 shares a contract
    assert _cash(api) == cash - ask * 2 * HUNDRED - 2 * COMMISSION

    _, bid, _ = _touch(server, CALL_420)
    sold = _order(api, _placed(api, _option(CALL_420, "SELLTOCLOSE", "2")))
    assert Decimal(sold["FilledPrice"]) == bid
    assert (sold["Legs"][0]["BuyOrSell"], sold["Legs"][0]["OpenOrClose"]) == ("Sell", "Close")
    assert CALL_420 not in _positions(api)
    assert _cash(api) == cash + (bid - ask) * 2 * HUNDRED - 4 * COMMISSION


def test_the_spec_single_option_form_reads_its_one_leg(api: httpx.Client) -> None:
    """The spec's "Single Option Order": top-level Symbol/TradeAction of the stock, the
    option in one leg with a mixed-case action."""
    body = _option(
        "MSFT", "BUY", Legs=[{"Symbol": PUT_400, "Quantity": "3", "TradeAction": "BuyToOpen"}]
    )
    order = _order(api, _placed(api, body))
    assert [leg["Symbol"] for leg in order["Legs"]] == [PUT_400]
    assert order["Legs"][0]["QuantityOrdered"] == "3"
    assert Decimal(_positions(api)[PUT_400]["Quantity"]) == 3


def test_equity_actions_on_options_and_option_actions_on_stock_are_refused(
    api: httpx.Client,
) -> None:
    message = _refused(api, _option(CALL_420, "BUY"))
    assert "TradeAction BUY is not valid for STOCKOPTION" in message
    assert "BUYTOOPEN" in message
    message = _refused(api, _option("MSFT", "BUYTOOPEN", "10"))
    assert "TradeAction BUYTOOPEN is not valid for STOCK" in message
    message = _refused(api, _option("MSFT 261218C421", "BUYTOOPEN"))  # off the strike grid
    assert "not a listed option" in message


def test_closing_needs_a_position_on_the_right_side(api: httpx.Client) -> None:
    message = _refused(api, _option(CALL_420, "SELLTOCLOSE"))
    assert "TradeAction SELLTOCLOSE" in message and "no long contracts" in message
    _placed(api, _option(CALL_420, "BUYTOOPEN"))
    message = _refused(api, _option(CALL_420, "BUYTOCLOSE"))  # long, not short
    assert "no short contracts" in message
    message = _refused(api, _option(CALL_420, "SELLTOCLOSE", "2"))
    assert "only 1 long" in message
    package = _package((CALL_420, "SELLTOCLOSE", "1"), (CALL_430, "SELLTOCLOSE", "1"))
    message = _refused(api, package)
    assert message.startswith("Legs[1].TradeAction SELLTOCLOSE")


def test_a_vertical_fills_whole_at_its_net_debit_once_the_market_reaches_the_limit(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    legs = ((CALL_420, "BUYTOOPEN", "2"), (CALL_430, "SELLTOOPEN", "2"))
    market_net = _touch(server, CALL_420)[2] - _touch(server, CALL_430)[1]
    assert market_net > 0  # a bull call spread is a debit
    limit = market_net - Decimal("1.00")
    confirm = api.post(
        f"{EXECUTION}/orderconfirm", json=_package(*legs, OrderType="Limit", LimitPrice=str(limit))
    ).json()["Confirmations"][0]
    assert confirm["Spread"] == "Vertical"
    assert confirm["OrderAssetCategory"] == "STOCKOPTION"
    assert Decimal(confirm["EstimatedPrice"]) == limit
    assert Decimal(confirm["DebitCreditEstimatedCost"]) == limit * 2 * HUNDRED + 4 * COMMISSION
    assert [(leg["Symbol"], leg["Quantity"], leg["OptionType"]) for leg in confirm["Legs"]] == [
        (CALL_420, "2", "CALL"),
        (CALL_430, "2", "CALL"),
    ]

    cash = _cash(api)
    order_id = _placed(api, _package(*legs, OrderType="Limit", LimitPrice=str(limit)))
    working = _order(api, order_id)
    assert working["Status"] == "OPN"
    assert working["Spread"] == "Vertical"
    assert Decimal(working["LimitPrice"]) == limit
    assert [leg["QuantityOrdered"] for leg in working["Legs"]] == ["2", "2"]
    assert CALL_420 not in _positions(api)

    control.set_price("MSFT", "425.00")  # the spread cheapens below the limit
    buy_ask = _touch(server, CALL_420)[2]
    sell_bid = _touch(server, CALL_430)[1]
    filled = _order(api, order_id)
    assert filled["Status"] == "FLL"
    net = Decimal(filled["FilledPrice"])
    assert net == buy_ask - sell_bid <= limit  # at the market net, no worse than the limit
    assert [Decimal(leg["ExecutionPrice"]) for leg in filled["Legs"]] == [buy_ask, sell_bid]
    assert [leg["ExecQuantity"] for leg in filled["Legs"]] == ["2", "2"]
    positions = _positions(api)
    assert Decimal(positions[CALL_420]["Quantity"]) == 2
    assert Decimal(positions[CALL_430]["Quantity"]) == -2
    assert positions[CALL_430]["LongShort"] == "Short"
    assert _cash(api) == cash - net * 2 * HUNDRED - 4 * COMMISSION


def test_a_credit_is_a_negative_net_price(api: httpx.Client, server: SimServer) -> None:
    """A bear call spread (sell the lower strike) takes in a credit: a limit of -X asks for a
    credit of at least X (the spec's Iron Condor (Sell Entry) example sends -20)."""
    legs = ((CALL_420, "SELLTOOPEN", "1"), (CALL_430, "BUYTOOPEN", "1"))
    market_net = _touch(server, CALL_430)[2] - _touch(server, CALL_420)[1]
    assert market_net < 0
    greedy = _placed(api, _package(*legs, OrderType="Limit", LimitPrice=str(market_net - 1)))
    assert _order(api, greedy)["Status"] == "OPN"  # asks for a dollar more than the market pays
    filled = _order(
        api, _placed(api, _package(*legs, OrderType="Limit", LimitPrice=str(market_net)))
    )
    assert filled["Status"] == "FLL"
    assert Decimal(filled["FilledPrice"]) == market_net
    market = _order(api, _placed(api, _package(*legs)))
    assert market["Status"] == "FLL" and Decimal(market["FilledPrice"]) == market_net


def test_an_iron_condor_is_named_and_filled_as_one_package(api: httpx.Client) -> None:
    legs = (
        ("MSFT 261218P400", "BUYTOOPEN", "1"),
        ("MSFT 261218P410", "SELLTOOPEN", "1"),
        ("MSFT 261218C480", "SELLTOOPEN", "1"),
        ("MSFT 261218C490", "BUYTOOPEN", "1"),
    )
    order = _order(api, _placed(api, _package(*legs)))
    assert order["Spread"] == "IronCondor"
    assert order["Status"] == "FLL"
    assert Decimal(order["FilledPrice"]) < 0  # sold for a credit
    assert {s for s, _, _ in legs} <= set(_positions(api))


@pytest.mark.parametrize(
    ("account", "level", "legs", "needed"),
    [
        (
            CASH,
            2,
            ((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1")),
            "a spread (level 3",
        ),
        (CASH, 2, ((PUT_400, "SELLTOOPEN", "1"),), "naked short puts (level 4"),
        (MARGIN, 3, ((CALL_420, "SELLTOOPEN", "2"),), "naked short calls (level 5"),
        (MARGIN, 4, ((CALL_420, "SELLTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1")), "level 5"),
        (MARGIN, 1, ((CALL_420, "BUYTOOPEN", "1"),), "buying calls or puts (level 2"),
        (MARGIN, 0, ((PUT_420, "BUYTOOPEN", "1"),), "protective puts (level 1"),
    ],
)
def test_orders_beyond_the_approval_level_are_refused(
    api: httpx.Client,
    server: SimServer,
    account: str,
    level: int,
    legs: tuple[tuple[str, str, str], ...],
    needed: str,
) -> None:
    _set_level(server, account, level)
    message = _refused(api, _package(*legs, AccountID=account))
    assert f"Option approval level {level} of account {account}" in message
    assert needed in message


def test_the_approval_level_shows_on_the_account_and_allows_what_it_covers(
    api: httpx.Client, server: SimServer
) -> None:
    accounts = {a["AccountID"]: a for a in api.get("/v3/brokerage/accounts").json()["Accounts"]}
    assert accounts[MARGIN]["AccountDetail"]["OptionApprovalLevel"] == 5
    assert accounts[CASH]["AccountDetail"]["OptionApprovalLevel"] == 2
    _set_level(server, MARGIN, 1)  # covered calls: the account holds 100 MSFT
    _placed(api, _option(CALL_430, "SELLTOOPEN", "1"))
    _placed(api, _option(PUT_400, "BUYTOOPEN", "1"))  # a protective put on those shares
    _placed(api, _option(CALL_430, "BUYTOCLOSE", "1"))  # closing is always allowed
    _set_level(server, CASH, 2)
    _placed(api, _option(CALL_420, "BUYTOOPEN", "1", AccountID=CASH))


def test_package_refusals_name_the_leg(api: httpx.Client) -> None:
    mixed = _package((CALL_420, "BUYTOOPEN", "1"), ("AAPL 261218C230", "SELLTOOPEN", "1"))
    assert "same underlying" in _refused(api, mixed)
    stop = _package((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1"))
    stop.update(OrderType="StopMarket", StopPrice="1.00")
    assert "Market or Limit" in _refused(api, stop)
    wrong = _package((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELL", "1"))
    assert _refused(api, wrong).startswith("Legs[1].TradeAction SELL is not valid")
    response = api.post(
        f"{EXECUTION}/orders",
        json=_package((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1"))
        | {"Legs": [{"Symbol": CALL_420, "TradeAction": "BUYTOOPEN"}]},
    )
    assert response.status_code == 400
    assert "Legs[0].Quantity is required" in response.json()["Message"]


def test_option_positions_mark_to_the_option_market(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    _placed(api, _option(CALL_420, "BUYTOOPEN", "3"))
    control.set_price("MSFT", "470.00")
    position = _positions(api)[CALL_420]
    last = _touch(server, CALL_420)[0]
    average = Decimal(position["AveragePrice"])
    assert Decimal(position["Last"]) == last
    assert Decimal(position["MarketValue"]) == last * 3 * HUNDRED
    unrealized = (last - average) * 3 * HUNDRED
    assert Decimal(position["UnrealizedProfitLoss"]) == unrealized > 0
    balance = api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()["Balances"][0]
    assert Decimal(balance["BalanceDetail"]["OptionsMarketValue"]) == last * 3 * HUNDRED


def test_option_bodies_conform_to_the_spec(api: httpx.Client) -> None:
    """The confirmation, the order, the positions and the balances of option trades, against
    the (corrected) spec's schemas, strictly (no undeclared field)."""
    spec = corrected_spec()
    checker = Checker(spec)
    spread = _package(
        (CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1"), OrderType="Limit"
    )
    spread["LimitPrice"] = "50.00"
    order_id = _placed(api, spread)
    _placed(api, _option(PUT_400, "BUYTOOPEN"))
    calls = [
        ("POST", f"{EXECUTION}/orderconfirm", spread),
        ("GET", f"/v3/brokerage/accounts/{MARGIN}/orders/{order_id}", None),
        ("GET", f"/v3/brokerage/accounts/{MARGIN}/orders", None),
        ("GET", f"/v3/brokerage/accounts/{MARGIN}/positions", None),
        ("GET", f"/v3/brokerage/accounts/{MARGIN}/balances", None),
        ("GET", "/v3/brokerage/accounts", None),
    ]
    for method, url, body in calls:
        response = api.request(method, url, json=body)
        assert response.status_code == 200, response.text
        operation = operation_of(spec, method, response.request.url.path)
        schema = response_schema(spec, operation, 200)
        assert checker.problems(schema, response.json()) == [], url


def test_a_working_package_is_replaced_at_a_new_net(api: httpx.Client, server: SimServer) -> None:
    legs = ((CALL_420, "SELLTOOPEN", "1"), (CALL_430, "BUYTOOPEN", "1"))
    market_net = _touch(server, CALL_430)[2] - _touch(server, CALL_420)[1]  # a credit, < 0
    order_id = _placed(api, _package(*legs, OrderType="Limit", LimitPrice=str(market_net - 1)))
    path = f"{EXECUTION}/orders/{order_id}"
    stop = api.put(path, json={"OrderType": "StopMarket", "StopPrice": "1.00"})
    assert stop.status_code == 400 and "Market or Limit" in stop.json()["Message"]
    off_tick = api.put(path, json={"LimitPrice": str(market_net - Decimal("0.005"))})
    assert off_tick.status_code == 400 and "tick size 0.01" in off_tick.json()["Message"]
    assert _order(api, order_id)["Status"] == "OPN"
    assert api.put(path, json={"LimitPrice": str(market_net)}).status_code == 200
    filled = _order(api, order_id)
    assert filled["Status"] == "FLL"
    assert Decimal(filled["FilledPrice"]) == market_net


def test_a_single_option_limit_is_on_the_option_tick(api: httpx.Client) -> None:
    """0.01 under 3.00, 0.05 from 3.00 (as the option market quotes)."""
    message = _refused(api, _option(CALL_420, "BUYTOOPEN", OrderType="Limit", LimitPrice="3.02"))
    assert "LimitPrice 3.02 is not a multiple of the tick size 0.05" in message
    _placed(api, _option(CALL_420, "BUYTOOPEN", OrderType="Limit", LimitPrice="2.99"))


def test_a_buy_write_is_a_covered_package_with_a_stock_leg(
    api: httpx.Client, server: SimServer
) -> None:
    """Stock and its option in one order (the spec's "Covered/Married Stock"): the stock leg
    counts 100 shares a unit, its action read as a stock action; covered, so level 1."""
    _set_level(server, MARGIN, 1)
    shares = Decimal(_positions(api)["MSFT"]["Quantity"])
    odd = _package(("MSFT", "BUYTOOPEN", "150"), (CALL_430, "SELLTOOPEN", "1"))
    assert "lots of 100 shares" in _refused(api, odd)
    legs = (("MSFT", "BUYTOOPEN", "200"), (CALL_430, "SELLTOOPEN", "2"))
    net = _touch(server, "MSFT")[2] - _touch(server, CALL_430)[1]
    order = _order(api, _placed(api, _package(*legs)))
    assert order["Spread"] == "Covered"
    assert Decimal(order["FilledPrice"]) == net
    assert [
        (leg["AssetType"], leg["BuyOrSell"], leg["QuantityOrdered"]) for leg in order["Legs"]
    ] == [
        ("STOCK", "Buy", "200"),
        ("STOCKOPTION", "Sell", "2"),
    ]
    positions = _positions(api)
    assert Decimal(positions["MSFT"]["Quantity"]) == shares + 200
    assert Decimal(positions[CALL_430]["Quantity"]) == -2


def test_packages_and_option_positions_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    legs = ((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1"))
    with SimServer(start=START, speed=0, state_path=path) as sim, _signed_in(sim) as api:
        filled = _order(api, _placed(api, _package(*legs)))
    with SimServer(start=START, speed=0, state_path=path) as sim, _signed_in(sim) as api:
        again = _order(api, filled["OrderID"])
        assert again == filled
        assert Decimal(_positions(api)[CALL_430]["Quantity"]) == -1
        accounts = api.get("/v3/brokerage/accounts").json()["Accounts"]
        assert accounts[0]["AccountDetail"]["OptionApprovalLevel"] == 5


def _signed_in(sim: SimServer) -> httpx.Client:
    token = get_token(sim)
    return httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_bracket_closes_an_option_position(
    api: httpx.Client, server: SimServer, control: SimControl
) -> None:
    """BRK exits of a long call: SELLTOCLOSE is a sell, so the bracket closes the long."""
    _placed(api, _option(CALL_420, "BUYTOOPEN", "2"))
    last = _touch(server, CALL_420)[0]
    target = str((last + 5).quantize(Decimal("0.05")))
    stop = str((last - 5).quantize(Decimal("0.05")))
    exits = [
        _option(CALL_420, "SELLTOCLOSE", "2", OrderType="Limit", LimitPrice=target),
        _option(CALL_420, "SELLTOCLOSE", "2", OrderType="StopMarket", StopPrice=stop),
    ]
    response = api.post(f"{EXECUTION}/ordergroups", json={"Type": "BRK", "Orders": exits})
    assert response.status_code == 200, response.text
    target_id, stop_id = [o["OrderID"] for o in response.json()["Orders"]]
    control.set_price("MSFT", "470.00")  # the call rallies through the target
    assert _order(api, target_id)["Status"] == "FLL"
    assert _order(api, stop_id)["Status"] == "CAN"
    assert CALL_420 not in _positions(api)
    # and a short one: BUYTOCLOSE buys
    _placed(api, _option(PUT_400, "SELLTOOPEN", "1"))
    covers = [
        _option(PUT_400, "BUYTOCLOSE", "1", OrderType="Limit", LimitPrice="0.01"),
        _option(PUT_400, "BUYTOCLOSE", "1", OrderType="StopMarket", StopPrice="40.00"),
    ]
    response = api.post(f"{EXECUTION}/ordergroups", json={"Type": "BRK", "Orders": covers})
    assert response.status_code == 200, response.text


def test_the_streams_carry_the_package_and_its_positions(
    api: httpx.Client, server: SimServer
) -> None:
    base = f"/v3/brokerage/stream/accounts/{MARGIN}"
    legs = ((CALL_420, "BUYTOOPEN", "1"), (CALL_430, "SELLTOOPEN", "1"))
    with (
        httpx.Client(base_url=server.url, headers=api.headers, timeout=10) as streams,
        streams.stream("GET", f"{base}/orders") as orders,
        streams.stream("GET", f"{base}/positions") as positions,
    ):
        order_frames, position_frames = StreamReader(orders), StreamReader(positions)
        order_frames.snapshot()
        position_frames.snapshot()
        order_id = _placed(api, _package(*legs))
        filled = order_frames.until(
            lambda f: f.get("OrderID") == order_id and f.get("Status") == "FLL"
        )
        assert filled["Spread"] == "Vertical"
        assert [leg["Symbol"] for leg in filled["Legs"]] == [CALL_420, CALL_430]
        seen: dict[str, dict[str, Any]] = {}
        while len(seen) < 2:
            frame = position_frames.until(lambda f: f.get("Symbol") in (CALL_420, CALL_430))
            seen[frame["Symbol"]] = frame
        assert {s: f["AssetType"] for s, f in seen.items()} == {
            CALL_420: "STOCKOPTION",
            CALL_430: "STOCKOPTION",
        }
        assert (seen[CALL_420]["LongShort"], seen[CALL_430]["LongShort"]) == ("Long", "Short")
