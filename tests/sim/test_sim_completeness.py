"""Every field the spec's example shows for an object is in the simulator's objects of the same
kind (REST bodies and stream frames alike).

Real TradeStation sends every field of its examples even when zero or empty, and clients
exist that fail when one is missing. Objects are compared by *kind* (the account type of a
balance, the asset type of a position, continuous futures vs stocks for symbol details...),
because the spec's examples differ by kind. A few fields only exist on some objects (a stop
price on stop orders, option fields on option legs): ``CONDITIONAL`` says when each is due, and
the sim's objects are checked against that too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sim_helpers import CASH, FUTURES, MARGIN, START, StreamReader, get_token, order_body
from spec_support import Json, raw_spec

from tstui.sim.server import SimServer

Rule = Callable[[Json], bool]
NEVER: Rule = lambda obj: False  # noqa: E731
FINAL = {"FLL", "FLP", "CAN", "REJ", "EXP", "OUT", "TSC", "BRO", "UCH"}


def _executed(leg: Json) -> bool:
    return Decimal(leg.get("ExecQuantity", "0")) > 0


# Per object path: fields of the examples that belong to some objects only, and when the
# simulator must send them.
CONDITIONAL: dict[str, dict[str, Rule]] = {
    "": {
        "NextToken": NEVER,  # only with pageSize, while more pages remain (test_sim_rest)
    },
    "Orders[]": {
        # advanced order features (activation rules, trailing stops, OCO/bracket groups):
        # the simulator takes no such orders, so it never has these to send
        "AdvancedOptions": NEVER,
        "ConditionalOrders": NEVER,
        "GroupName": NEVER,
        "MarketActivationRules": NEVER,
        "TimeActivationRules": NEVER,
        "TrailingStop": NEVER,
        "LimitPrice": lambda o: o["OrderType"] in ("Limit", "StopLimit"),
        "StopPrice": lambda o: o["OrderType"] in ("StopMarket", "StopLimit"),
        "GoodTillDate": lambda o: o["Duration"] in ("GTC", "GCP", "GTD", "GDP"),
        "FilledPrice": lambda o: any(_executed(leg) for leg in o["Legs"]),
        "ClosedDateTime": lambda o: o["Status"] in FINAL,
    },
    "Orders[].Legs[]": {
        "ExecutionPrice": _executed,
        "ExpirationDate": lambda leg: leg["AssetType"] != "STOCK",
        "Underlying": lambda leg: leg["AssetType"] != "STOCK",
        "OptionType": lambda leg: "OPTION" in leg["AssetType"],
        "StrikePrice": lambda leg: "OPTION" in leg["AssetType"],
    },
    "Symbols[].PriceFormat": {
        "Decimals": lambda f: f["Format"] == "Decimal",
        "Fraction": lambda f: f["Format"] in ("Fraction", "SubFraction"),
        "SubFraction": lambda f: f["Format"] == "SubFraction",
    },
}
# A placement answers Orders for what was accepted and Errors for what was refused.
PLACEMENT_CONDITIONAL = {"": {"Errors": NEVER, "Orders": NEVER}}


def kind_of(key: str, item: Json) -> str:
    """Which example an envelope item (or a stream data frame) is compared with."""
    if key == "Errors":
        return "error"
    if key in ("Accounts", "Balances", "BODBalances"):
        return str(item.get("AccountType"))
    if key == "Positions":
        return str(item.get("AssetType"))
    if key == "Symbols":
        continuous = str(item.get("Symbol", "")).startswith("@")
        return f"{item.get('AssetType')}{'@' if continuous else ''}"
    return "any"


def frame_kind(key: str, frame: Json) -> str:
    if "Heartbeat" in frame:
        return "heartbeat"
    if "StreamStatus" in frame:
        return "status"
    if "Error" in frame:
        return "item-error" if ("AccountID" in frame or "Symbol" in frame) else "error"
    if frame.get("Deleted") is True:
        return "deleted"
    return kind_of(key, frame)


def _walk(node: Any, kind: str, path: str) -> Iterator[tuple[str, str, Json]]:
    if isinstance(node, dict):
        yield kind, path, node
        for key, value in node.items():
            yield from _walk(value, kind, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, kind, f"{path}[]")


def rest_objects(body: Any) -> Iterator[tuple[str, str, Json]]:
    """(kind, path, object) for every JSON object of an envelope body."""
    if not isinstance(body, dict):
        return
    yield "envelope", "", body
    for key, value in body.items():
        if isinstance(value, list):
            for item in value:
                yield from _walk(item, f"{key}:{kind_of(key, item)}", f"{key}[]")


def frame_objects(key: str, frame: Json) -> Iterator[tuple[str, str, Json]]:
    """Stream frames share the paths of their REST envelope items ("Orders[]", ...)."""
    kind = frame_kind(key, frame)
    if kind in ("heartbeat", "status", "error", "item-error", "deleted"):
        yield from _walk(frame, kind, "")
    else:
        yield from _walk(frame, f"{key}:{kind}", f"{key}[]")


def _examples(operation: Json) -> list[Any]:
    found = []
    for content in operation["responses"]["200"].get("content", {}).values():
        if "example" in content:
            found.append(content["example"])
        found += [e["value"] for e in (content.get("examples") or {}).values()]
    return found


# operation -> the envelope key its stream frames belong to (None for REST envelopes)
OPERATIONS: dict[tuple[str, str], str | None] = {
    ("get", "/v3/brokerage/accounts"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/balances"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/bodbalances"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/positions"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/orders"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/orders/{orderIds}"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/historicalorders"): None,
    ("get", "/v3/brokerage/accounts/{accounts}/historicalorders/{orderIds}"): None,
    ("get", "/v3/marketdata/barcharts/{symbol}"): None,
    ("get", "/v3/marketdata/symbols/{symbols}"): None,
    ("get", "/v3/marketdata/quotes/{symbols}"): None,
    ("get", "/v3/marketdata/symbollists/cryptopairs/symbolnames"): None,
    ("get", "/v3/orderexecution/routes"): None,
    ("post", "/v3/orderexecution/orderconfirm"): None,
    ("post", "/v3/orderexecution/orders"): None,
    ("put", "/v3/orderexecution/orders/{orderID}"): None,
    ("delete", "/v3/orderexecution/orders/{orderID}"): None,
    ("get", "/v3/brokerage/stream/accounts/{accounts}/orders"): "Orders",
    ("get", "/v3/brokerage/stream/accounts/{accounts}/orders/{ordersIds}"): "Orders",
    ("get", "/v3/brokerage/stream/accounts/{accounts}/positions"): "Positions",
    ("get", "/v3/marketdata/stream/quotes/{symbols}"): "Quotes",
    ("get", "/v3/marketdata/stream/barcharts/{symbol}"): "Bars",
}


def required_fields(
    spec: Json, operation: tuple[str, str], frames_of: str | None
) -> dict[tuple[str, str], set[str]]:
    """(kind, path) -> the union of the fields the operation's examples show there."""
    method, path = operation
    fields: dict[tuple[str, str], set[str]] = defaultdict(set)
    for example in _examples(spec["paths"][path][method]):
        if frames_of is None:
            objects = list(rest_objects(example))
        else:  # a stream example is one frame, or a list of frames
            frames = example if isinstance(example, list) else [example]
            objects = [o for f in frames for o in frame_objects(frames_of, f)]
        for kind, where, obj in objects:
            fields[(kind, where)] |= set(obj)
    return fields


def missing_fields(
    required: dict[tuple[str, str], set[str]],
    objects: list[tuple[str, str, Json]],
    conditional: dict[str, dict[str, Rule]],
) -> list[str]:
    problems = []
    for kind, where, obj in objects:
        for name in sorted(required.get((kind, where), set()) - set(obj)):
            rule = conditional.get(where, {}).get(name)
            if rule is None or rule(obj):
                problems.append(f"{kind} {where or '(body)'}: {name} missing in {obj}")
    return problems


@pytest.fixture(scope="module")
def spec() -> Json:
    return raw_spec()  # as published: the examples are what the sim must carry


@pytest.fixture(scope="module")
def observed() -> Iterator[dict[tuple[str, str], list[tuple[str, str, Json]]]]:
    """Drive one simulator through every kind of object and collect what it sends."""
    seen: dict[tuple[str, str], list[tuple[str, str, Json]]] = defaultdict(list)
    with SimServer(seed=7, start=START, speed=0, heartbeat_seconds=0.2) as server:
        headers = {"Authorization": f"Bearer {get_token(server)}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as api:
            _drive(server, api, seen)
    yield seen


def _rest(
    seen: dict[tuple[str, str], list[tuple[str, str, Json]]],
    operation: tuple[str, str],
    response: httpx.Response,
) -> Any:
    assert response.status_code == 200, (operation, response.text)
    body = response.json()
    seen[operation] += list(rest_objects(body))
    return body


def _drive(
    server: SimServer,
    api: httpx.Client,
    seen: dict[tuple[str, str], list[tuple[str, str, Json]]],
) -> None:
    every = f"{MARGIN},{FUTURES},{CASH}"
    front = api.get("/v3/marketdata/symbols/@ES").json()["Symbols"][0]["Underlying"]
    orders_stream = "/v3/brokerage/stream/accounts/{accounts}/orders"
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{every},NOPE/orders") as stream:
        reader = StreamReader(stream)
        frames = reader.snapshot()
        for body in (
            order_body(AccountID=FUTURES, Symbol=front, Quantity="1"),
            order_body(OrderType="Limit", LimitPrice="1.00", TimeInForce={"Duration": "GTC"}),
            order_body(OrderType="StopMarket", StopPrice="9999.00"),
            order_body(OrderType="StopLimit", StopPrice="9999.00", LimitPrice="9999.00"),
            order_body(AccountID=CASH, Symbol="NVDA", TradeAction="SELL", Quantity="5"),
            order_body(Quantity="0"),  # refused: an order in REJ
        ):
            placed = _rest(
                seen,
                ("post", "/v3/orderexecution/orders"),
                api.post("/v3/orderexecution/orders", json=body),
            )
            frames.append(reader.until(lambda f: "OrderID" in f and "Legs" in f))
            assert placed
        frames.append(reader.until(lambda f: "Heartbeat" in f))
        for frame in frames:
            seen[("get", orders_stream)] += list(frame_objects("Orders", frame))
    working = [
        o
        for o in api.get(f"/v3/brokerage/accounts/{MARGIN}/orders").json()["Orders"]
        if o["Status"] == "OPN"
    ]
    replaced = api.put(
        f"/v3/orderexecution/orders/{working[0]['OrderID']}", json={"LimitPrice": "1.01"}
    )
    _rest(seen, ("put", "/v3/orderexecution/orders/{orderID}"), replaced)
    cancelled = api.delete(f"/v3/orderexecution/orders/{working[0]['OrderID']}")
    _rest(seen, ("delete", "/v3/orderexecution/orders/{orderID}"), cancelled)
    _rest(
        seen,
        ("post", "/v3/orderexecution/orderconfirm"),
        api.post("/v3/orderexecution/orderconfirm", json=order_body(OrderConfirmID="c1")),
    )
    by_id = ",".join(o["OrderID"] for o in working)
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN},NOPE/orders/{by_id}") as stream:
        reader = StreamReader(stream)
        for frame in [*reader.snapshot(), reader.until(lambda f: "Heartbeat" in f)]:
            seen[("get", f"{orders_stream}/{{ordersIds}}")] += list(frame_objects("Orders", frame))
    base = "/v3/brokerage/accounts"
    for suffix in ("balances", "bodbalances", "positions", "orders"):
        _rest(
            seen,
            ("get", f"{base}/{{accounts}}/{suffix}"),
            api.get(f"{base}/{every},NOPE/{suffix}"),
        )
    _rest(seen, ("get", base), api.get(base))
    history = _rest(
        seen,
        ("get", f"{base}/{{accounts}}/historicalorders"),
        api.get(f"{base}/{every}/historicalorders", params={"since": "2026-10-01"}),
    )
    ids = ",".join(o["OrderID"] for o in history["Orders"][:20])
    _rest(
        seen,
        ("get", f"{base}/{{accounts}}/historicalorders/{{orderIds}}"),
        api.get(f"{base}/{every}/historicalorders/{ids},1", params={"since": "2026-10-01"}),
    )
    today = ",".join(o["OrderID"] for o in api.get(f"{base}/{every}/orders").json()["Orders"])
    _rest(
        seen,
        ("get", f"{base}/{{accounts}}/orders/{{orderIds}}"),
        api.get(f"{base}/{every}/orders/{today},1"),
    )
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{every},NOPE/positions") as stream:
        reader = StreamReader(stream)
        frames = reader.snapshot()
        api.post(
            "/v3/orderexecution/orders",
            json=order_body(Symbol="AAPL", TradeAction="SELL", Quantity="50"),
        )
        frames.append(reader.until(lambda f: f.get("Deleted") is True))
        frames.append(reader.until(lambda f: "Heartbeat" in f))
        for frame in frames:
            seen[("get", "/v3/brokerage/stream/accounts/{accounts}/positions")] += list(
                frame_objects("Positions", frame)
            )
    market = "/v3/marketdata"
    for unit in ("Minute", "Daily"):
        _rest(
            seen,
            ("get", f"{market}/barcharts/{{symbol}}"),
            api.get(f"{market}/barcharts/MSFT", params={"unit": unit, "barsback": 3}),
        )
    _rest(
        seen,
        ("get", f"{market}/symbols/{{symbols}}"),
        api.get(f"{market}/symbols/MSFT,@ES,{front},@GC,NOPE"),
    )
    _rest(seen, ("get", f"{market}/quotes/{{symbols}}"), api.get(f"{market}/quotes/MSFT,@ES,NOPE"))
    _rest(
        seen,
        ("get", f"{market}/symbollists/cryptopairs/symbolnames"),
        api.get(f"{market}/symbollists/cryptopairs/symbolnames"),
    )
    _rest(seen, ("get", "/v3/orderexecution/routes"), api.get("/v3/orderexecution/routes"))
    with api.stream("GET", f"{market}/stream/quotes/MSFT,@ES,NOPE") as stream:
        reader = StreamReader(stream)
        frames = [reader.next() for _ in range(3)]
        server.control().set_price("MSFT", "401.00")
        frames.append(reader.until(lambda f: f.get("Last") == "401.00"))
        frames.append(reader.until(lambda f: "Heartbeat" in f))
        for frame in frames:
            seen[("get", f"{market}/stream/quotes/{{symbols}}")] += list(
                frame_objects("Quotes", frame)
            )
    with api.stream("GET", f"{market}/stream/barcharts/MSFT?unit=Minute&barsback=2") as stream:
        reader = StreamReader(stream)
        frames = [reader.next(), reader.next()]
        frames.append(reader.until(lambda f: "Heartbeat" in f))
        for frame in frames:
            seen[("get", f"{market}/stream/barcharts/{{symbol}}")] += list(
                frame_objects("Bars", frame)
            )


@pytest.mark.parametrize("operation", list(OPERATIONS), ids=lambda op: f"{op[0]} {op[1]}")
def test_sim_objects_carry_every_field_of_the_spec_examples(
    spec: Json,
    observed: dict[tuple[str, str], list[tuple[str, str, Json]]],
    operation: tuple[str, str],
) -> None:
    required = required_fields(spec, operation, OPERATIONS[operation])
    objects = observed[operation]
    assert objects, f"the scenario never called {operation}"
    conditional = dict(CONDITIONAL)
    if operation == ("post", "/v3/orderexecution/orders"):
        conditional = {**conditional, **PLACEMENT_CONDITIONAL}
    problems = missing_fields(required, objects, conditional)
    assert not problems, "\n".join(problems[:10])
    # every example kind the simulator can produce was compared with at least one object
    kinds = {(kind, where) for kind, where, _ in objects}
    unmatched = {key for key in required if key not in kinds and not _not_carried(*key)}
    assert not unmatched, f"example objects with no simulator counterpart: {unmatched}"


def _not_carried(kind: str, where: str) -> bool:
    """Example objects the simulator has no counterpart for: those inside a field it never
    sends (see CONDITIONAL), and the stream-wide frames the stream tests drive."""
    for parent, rules in CONDITIONAL.items():
        for name, rule in rules.items():
            inside = f"{parent}.{name}" if parent else name
            if rule is NEVER and (
                where == inside or where.startswith((f"{inside}.", f"{inside}["))
            ):
                return True
    return kind in {
        "error",  # a stream-wide Error frame (GoAway, token expiry): test_sim_streams
        "status",  # StreamStatus frames: test_sim_streams
    }


def test_positions_carry_margin_fields_for_stocks_too(
    observed: dict[tuple[str, str], list[tuple[str, str, Json]]],
) -> None:
    positions = [
        obj
        for kind, where, obj in observed[("get", "/v3/brokerage/accounts/{accounts}/positions")]
        if where == "Positions[]"
    ]
    stocks = [p for p in positions if p["AssetType"] == "STOCK"]
    futures = [p for p in positions if p["AssetType"] == "FUTURE"]
    assert stocks and futures
    assert all(p["InitialRequirement"] == p["MaintenanceMargin"] == "0" for p in stocks)
    assert all(Decimal(p["InitialRequirement"]) > 0 for p in futures)
