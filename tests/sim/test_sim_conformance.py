"""Every operation the simulator serves answers what the official spec documents.

One simulator is driven through every operation: successes, per-item errors, bad input, a
missing token, a rate limit, and on each stream every frame kind (data, Heartbeat,
StreamStatus EndSnapshot/GoAway, Error). Each REST body and each stream frame is validated
against the corrected spec (``spec_support.CORRECTIONS``) with jsonschema, ``#/...`` refs
resolved inside the spec document, and strictly: a key the schema does not declare fails.
The operations driven must be exactly the operations the simulator routes, so a new route
cannot go untested.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sim_helpers import CASH, FUTURES, MARGIN, START, get_token, last_price, order_body
from spec_support import (
    CORRECTIONS,
    Checker,
    Json,
    _at,
    corrected_spec,
    operation_of,
    raw_spec,
    response_schema,
    served_operations,
)

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

Operation = tuple[str, str]
ERROR_KEYS = {"Error", "Message"}
V2_TRAILERS = ("END", "ERROR - ")  # bare v2 stream trailer lines (the wire notes)


@dataclass
class Exchange:
    operation: Operation
    status: int
    body: Any = None  # a REST body
    lines: list[str] | None = None  # a stream's lines, as sent


def frame_kind(line: str) -> str:
    try:
        frame = json.loads(line)
    except ValueError:
        return "trailer"
    if "Heartbeat" in frame:
        return "Heartbeat"
    if "StreamStatus" in frame:
        return str(frame["StreamStatus"])  # EndSnapshot | GoAway
    if "Error" in frame and not {"AccountID", "Symbol"} & set(frame):
        return "GoAway" if frame["Error"] == "GoAway" else "Error"
    if "Error" in frame:
        return "ItemError"
    return "data"


class Driver:
    def __init__(self, server: SimServer, spec: Json) -> None:
        self.server, self.spec = server, spec
        self.control = SimControl(server.url)
        self.api = httpx.Client(base_url=server.url, timeout=10)
        self.renew_token()
        self.exchanges: list[Exchange] = []

    def renew_token(self) -> None:
        self.api.headers["Authorization"] = f"Bearer {get_token(self.server)}"

    def call(self, method: str, url: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = None if auth else {"Authorization": ""}
        response = self.api.request(method, url, headers=headers, **kwargs)
        operation = operation_of(self.spec, method, response.request.url.path)
        self.exchanges.append(Exchange(operation, response.status_code, response.json()))
        return response

    def stream(self, url: str, act: Callable[[int, str], None], *, limit: int = 120) -> list[str]:
        """Read a stream to its end, calling ``act(n, line)`` after its n-th line."""
        lines: list[str] = []
        with self.api.stream("GET", url) as response:
            operation = operation_of(self.spec, "get", response.request.url.path)
            if response.status_code != 200:
                response.read()
                self.exchanges.append(Exchange(operation, response.status_code, response.json()))
                return lines
            for line in response.iter_lines():
                if line.strip():
                    lines.append(line)
                    act(len(lines), line)
                    assert len(lines) < limit, f"{url} never ended"
        self.exchanges.append(Exchange(operation, 200, lines=lines))
        return lines


def drive_advanced(d: Driver) -> None:
    """Groups, OSOs, trailing stops, activation rules and a partial fill, before the orders
    lists and streams below show them (ConditionalOrders, AdvancedOptions, rules...)."""
    execution = "/v3/orderexecution"
    d.call("GET", f"{execution}/activationtriggers")
    last = last_price(d.api, "MSFT")
    target = f"{last + 5:.2f}"
    exits = [
        order_body(OrderType="Limit", TradeAction="SELL", LimitPrice=target, Quantity="50"),
        order_body(
            OrderType="StopMarket",
            TradeAction="SELL",
            Quantity="50",
            AdvancedOptions={"TrailingStop": {"Percent": "2"}},
        ),
    ]
    bracket = {"Type": "BRK", "Orders": exits}
    d.call("POST", f"{execution}/ordergroupconfirm", json=bracket)
    d.call("POST", f"{execution}/ordergroupconfirm", json={"Type": "BRK", "Orders": []})  # 400
    d.call("POST", f"{execution}/ordergroups", json=bracket)
    d.call("POST", f"{execution}/ordergroups", json={"Type": "OCO"})  # 400
    oco = {  # one of the two is refused inside the 200 (off tick), the other placed
        "Type": "OCO",
        "Orders": [
            order_body(OrderType="Limit", LimitPrice="1.001"),
            order_body(OrderType="Limit", LimitPrice="1.00", AdvancedOptions={"AllOrNone": True}),
        ],
    }
    d.call("POST", f"{execution}/ordergroups", json=oco)
    entry = order_body(
        Quantity="10",
        OrderType="Limit",
        LimitPrice="1.00",
        AdvancedOptions={"ShowOnlyQuantity": "5"},
        OSOs=[{"Type": "BRK", "Orders": [dict(o, Quantity="10") for o in exits]}],
    )
    d.call("POST", f"{execution}/orderconfirm", json=entry)
    d.call("POST", f"{execution}/orders", json=entry)
    conditional = order_body(
        OrderType="Limit",
        LimitPrice="1.00",
        AdvancedOptions={
            "MarketActivationRules": [
                {
                    "RuleType": "Price",
                    "Symbol": "AAPL",
                    "Predicate": "Gt",
                    "TriggerKey": "DTT",
                    "Price": "99999",
                },
                {
                    "RuleType": "Price",
                    "Symbol": "MSFT",
                    "Predicate": "Lt",
                    "TriggerKey": "SBA",
                    "Price": "1",
                    "LogicOperator": "Or",
                },
            ],
            "TimeActivationRules": [{"TimeUtc": "0001-01-01T20:30:00Z"}],
        },
    )
    d.call("POST", f"{execution}/orders", json=conditional)
    d.call("POST", f"{execution}/orders", json=order_body(Quantity="500"))  # fills in parts
    d.call("POST", f"{execution}/orders", json=order_body(AdvancedOptions={"PegValue": "MID"}))


def drive_rest(d: Driver) -> None:
    drive_advanced(d)
    every = f"{MARGIN},{FUTURES},{CASH}"
    base = "/v3/brokerage/accounts"
    d.call("GET", base)
    for suffix in ("balances", "bodbalances", "positions", "orders"):
        d.call("GET", f"{base}/{every},NOPE/{suffix}")
    d.call("GET", f"{base}/{MARGIN}/positions", params={"symbol": "MSFT,NVDA"})
    too_many = ",".join(f"A{i}" for i in range(26))
    d.call("GET", f"{base}/{too_many}/balances")  # 400: more than 25 accounts
    history = d.call("GET", f"{base}/{every}/historicalorders", params={"since": "2026-10-01"})
    paged = d.call(
        "GET", f"{base}/{every}/historicalorders", params={"since": "10-01-2026", "pageSize": 5}
    )
    assert "NextToken" in paged.json()
    d.call("GET", f"{base}/{MARGIN}/historicalorders", params={"since": "someday"})  # 400
    d.call(
        "GET", f"{base}/{MARGIN}/historicalorders", params={"since": "2026-10-01", "pageSize": 0}
    )
    old = ",".join(o["OrderID"] for o in history.json()["Orders"][:5])
    d.call("GET", f"{base}/{every}/historicalorders/{old},1", params={"since": "2026-10-01"})
    d.call("GET", f"{base}/{every}/historicalorders/{old}")  # 400: since is required
    today = ",".join(o["OrderID"] for o in d.api.get(f"{base}/{every}/orders").json()["Orders"])
    d.call("GET", f"{base}/{every}/orders/{today},1")
    d.call("GET", f"{base}/{every}/orders/" + ",".join(str(i) for i in range(51)))  # 400
    market = "/v3/marketdata"
    for unit, back in (("Minute", 5), ("Daily", 3), ("Weekly", 2), ("Monthly", 2)):
        d.call("GET", f"{market}/barcharts/@ES", params={"unit": unit, "barsback": back})
    d.call("GET", f"{market}/barcharts/MSFT", params={"unit": "Hourly"})  # 400
    d.call("GET", f"{market}/barcharts/NOPE")  # 404
    d.call("GET", f"{market}/symbols/MSFT,@ES,GCZ26,NOPE")
    d.call("GET", f"{market}/quotes/MSFT,@CL,NOPE")
    d.call("GET", f"{market}/symbollists/cryptopairs/symbolnames")
    d.call("GET", "/v2/data/symbols/suggest/MS", params={"$top": 3})
    d.call("GET", "/v2/data/symbols/suggest/E", params={"$filter": "Category eq 'Future'"})
    d.call("GET", "/v2/data/symbols/suggest/MS", params={"$top": "many"})  # 400
    d.call("GET", "/v2/data/symbols/search/C=FU&R=ES")
    d.call("GET", "/v2/data/symbols/search/N=ZZZZ")  # 404
    d.call("GET", "/v2/data/symbols/search/Q=1")  # 400
    d.call("GET", "/v3/orderexecution/routes")
    execution = "/v3/orderexecution"
    d.call("POST", f"{execution}/orderconfirm", json=order_body(OrderConfirmID="conf-1"))
    d.call("POST", f"{execution}/orderconfirm", json={"AccountID": MARGIN})  # 400
    d.call("POST", f"{execution}/orders", json=order_body())
    limit = d.call(
        "POST", f"{execution}/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
    )
    d.call("POST", f"{execution}/orders", json=order_body(Quantity="0"))  # refused inside a 200
    d.call("POST", f"{execution}/orders", content=b"{not json")  # 400
    order_id = limit.json()["Orders"][0]["OrderID"]
    d.call("PUT", f"{execution}/orders/{order_id}", json={"LimitPrice": "1.01"})
    d.call("PUT", f"{execution}/orders/{order_id}", json={"LimitPrice": "abc"})  # 400
    d.call("DELETE", f"{execution}/orders/{order_id}")
    d.call("DELETE", f"{execution}/orders/{order_id}")  # 400: already final
    d.call("DELETE", f"{execution}/orders/42")  # 404
    d.call("PUT", f"{execution}/orders/42", json={"LimitPrice": "1.01"})  # 404
    drive_options(d)
    unauthorized = [  # a missing token, on every operation
        ("GET", base),
        ("GET", f"{base}/{MARGIN}/balances"),
        ("GET", f"{base}/{MARGIN}/bodbalances"),
        ("GET", f"{base}/{MARGIN}/positions"),
        ("GET", f"{base}/{MARGIN}/orders"),
        ("GET", f"{base}/{MARGIN}/orders/1"),
        ("GET", f"{base}/{MARGIN}/historicalorders?since=2026-10-01"),
        ("GET", f"{base}/{MARGIN}/historicalorders/1?since=2026-10-01"),
        ("GET", f"{market}/barcharts/MSFT"),
        ("GET", f"{market}/symbols/MSFT"),
        ("GET", f"{market}/quotes/MSFT"),
        ("GET", f"{market}/symbollists/cryptopairs/symbolnames"),
        ("GET", "/v2/data/symbols/suggest/MS"),
        ("GET", "/v2/data/symbols/search/N=MSFT"),
        ("GET", f"{execution}/routes"),
        ("GET", f"{execution}/activationtriggers"),
        ("POST", f"{execution}/ordergroupconfirm"),
        ("POST", f"{execution}/ordergroups"),
        ("POST", f"{execution}/orderconfirm"),
        ("POST", f"{execution}/orders"),
        ("PUT", f"{execution}/orders/1"),
        ("DELETE", f"{execution}/orders/1"),
        ("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders"),
        ("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/orders/1"),
        ("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/positions"),
        ("GET", f"{market}/stream/quotes/MSFT"),
        ("GET", f"{market}/stream/barcharts/MSFT"),
        ("GET", "/v2/stream/tickbars/MSFT/1/1"),
        ("GET", f"{market}/stream/marketdepth/quotes/MSFT"),
        ("GET", f"{market}/stream/marketdepth/aggregates/MSFT"),
        ("GET", f"{market}/options/expirations/MSFT"),
        ("GET", f"{market}/options/strikes/MSFT"),
        ("GET", f"{market}/options/spreadtypes"),
        ("POST", f"{market}/options/riskreward"),
        ("GET", f"{market}/stream/options/chains/MSFT"),
        ("GET", f"{market}/stream/options/quotes?legs[0].Symbol={OPTION}"),
    ]
    for method, url in unauthorized:
        assert d.call(method, url, auth=False).status_code == 401
    for _ in range(31):  # quote snapshots: 30 a minute, then 429
        last = d.call("GET", f"{market}/quotes/MSFT")
    assert last.status_code == 429


OPTION = "MSFT 261218C420"  # listed at START (the monthly), on the 5-point grid


def drive_options(d: Driver) -> None:
    options = "/v3/marketdata/options"
    d.call("GET", f"{options}/expirations/MSFT")
    d.call("GET", f"{options}/expirations/MSFT", params={"strikePrice": 420})
    d.call("GET", f"{options}/expirations/NOPE")  # 400
    d.call(
        "GET", f"{options}/strikes/MSFT", params={"spreadType": "Butterfly", "strikeInterval": 2}
    )
    d.call("GET", f"{options}/strikes/MSFT", params={"spreadType": "Calendar"})  # 400: expiration2
    d.call("GET", f"{options}/spreadtypes")
    legs = [
        {"Symbol": OPTION, "Quantity": 1, "TradeAction": "BUY"},
        {"Symbol": "MSFT 261218C430", "Quantity": 1, "TradeAction": "SELL"},
    ]
    d.call("POST", f"{options}/riskreward", json={"SpreadPrice": 4.1, "Legs": legs})
    d.call("POST", f"{options}/riskreward", json={"SpreadPrice": 1, "Legs": []})  # 400


def drive_streams(d: Driver) -> None:
    brokerage = f"/v3/brokerage/stream/accounts/{MARGIN},NOPE"
    market = "/v3/marketdata/stream"
    working = d.api.post(
        "/v3/orderexecution/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
    ).json()["Orders"][0]["OrderID"]
    streams: list[tuple[str, str, Callable[[], None]]] = [
        ("orders", f"{brokerage}/orders", lambda: _post(d, order_body())),
        (
            "orders",
            f"{brokerage}/orders/{working},1",
            lambda: _put(d, working, {"LimitPrice": "1.02"}),
        ),
        (
            "positions",
            f"{brokerage}/positions?changes=true",
            lambda: _post(d, order_body(Symbol="AAPL", TradeAction="SELL", Quantity="50")),
        ),
        ("quotes", f"{market}/quotes/MSFT,NOPE", lambda: d.control.set_price("MSFT", "402.00")),
        (
            "bars",
            f"{market}/barcharts/MSFT?unit=Minute&barsback=3",
            lambda: d.control.advance(60),
        ),
        ("tickbars", "/v2/stream/tickbars/MSFT/10/3", lambda: d.control.advance(60)),
        (
            "marketdepth",
            f"{market}/marketdepth/quotes/MSFT?maxlevels=5",
            lambda: d.control.set_price("MSFT", "403.00"),
        ),
        (
            "marketdepth",
            f"{market}/marketdepth/aggregates/@ES",
            lambda: d.control.advance(5),
        ),
        (
            "quotes",
            f"{market}/options/chains/MSFT?strikeProximity=3&spreadType=Vertical",
            lambda: d.control.set_price("MSFT", "404.00"),
        ),
        (
            "quotes",
            f"{market}/options/quotes?legs[0].Symbol={OPTION}&legs[1].Symbol=MSFT&legs[1].Ratio=100",
            lambda: d.control.set_price("MSFT", "405.00"),
        ),
    ]
    for kind, url, change in streams:
        # one run ends with GoAway, one with an expired token
        for ending in (lambda k=kind: d.control.goaway(k), d.control.expire_tokens):
            ended: list[bool] = []

            def act(
                n: int,
                line: str,
                change: Callable[[], None] = change,
                end: Any = ending,
                ended: list[bool] = ended,
            ) -> None:
                if n == 1:
                    change()
                # end once past the snapshot and a heartbeat went by (every kind seen)
                if n >= 14 and not ended and frame_kind(line) == "Heartbeat":
                    ended.append(True)
                    end()

            d.stream(url, act)
            d.renew_token()
    d.stream(f"{market}/barcharts/MSFT?unit=Hourly", lambda n, line: None)  # 400
    d.stream(f"{market}/barcharts/NOPE", lambda n, line: None)  # 404
    d.stream("/v2/stream/tickbars/MSFT/10/11", lambda n, line: None)  # 400
    d.stream(f"{market}/marketdepth/quotes/MSFT?maxlevels=0", lambda n, line: None)  # 400
    d.stream(f"{market}/marketdepth/aggregates/NOPE", lambda n, line: None)  # 400
    d.stream(f"{market}/options/chains/MSFT?expiration=01-02-2020", lambda n, line: None)  # 400
    d.stream(f"{market}/options/quotes?legs[1].Symbol={OPTION}", lambda n, line: None)  # 400
    oauth = d.server.ctx.oauth  # a token without the Matrix scope: 401
    code = oauth.issue_code("http://localhost:3000", "openid MarketData", None)
    d.api.headers["Authorization"] = "Bearer " + str(
        oauth.exchange_code(code, "http://localhost:3000", None)["access_token"]
    )
    d.stream(f"{market}/marketdepth/quotes/MSFT", lambda n, line: None)
    d.stream(f"{market}/marketdepth/aggregates/MSFT", lambda n, line: None)
    d.renew_token()
    positions = f"/v3/brokerage/stream/accounts/{MARGIN}/positions"
    d.stream(f"{positions}?changes=maybe", lambda n, line: None)


def _post(d: Driver, body: Json) -> None:
    assert d.api.post("/v3/orderexecution/orders", json=body).status_code == 200


def _put(d: Driver, order_id: str, body: Json) -> None:
    assert d.api.put(f"/v3/orderexecution/orders/{order_id}", json=body).status_code == 200


@pytest.fixture(scope="module")
def spec() -> Json:
    return corrected_spec()


@pytest.fixture(scope="module")
def exchanges(spec: Json) -> Iterator[list[Exchange]]:
    with SimServer(seed=7, start=START, speed=0, heartbeat_seconds=0.1) as server:
        driver = Driver(server, spec)
        try:
            drive_rest(driver)
            drive_streams(driver)
        finally:
            driver.api.close()
        yield driver.exchanges


def _served() -> list[Operation]:
    return sorted(served_operations(corrected_spec())[0])


# What each stream must be seen sending (beyond its data frames), and why.
STREAM_KINDS: dict[str, set[str]] = {
    "/v3/brokerage/stream/accounts/{accounts}/orders": {
        "Heartbeat",
        "EndSnapshot",
        "GoAway",
        "Error",
        "ItemError",
    },
    "/v3/brokerage/stream/accounts/{accounts}/orders/{ordersIds}": {
        "Heartbeat",
        "EndSnapshot",
        "GoAway",
        "Error",
        "ItemError",
    },
    "/v3/brokerage/stream/accounts/{accounts}/positions": {
        "Heartbeat",
        "EndSnapshot",
        "GoAway",
        "Error",
        "ItemError",
    },
    # the spec lists no StreamStatus on quotes: GoAway is an Error frame there
    "/v3/marketdata/stream/quotes/{symbols}": {"Heartbeat", "GoAway", "Error", "ItemError"},
    # EndSnapshot after the history bars: the wire notes (the spec lists none)
    "/v3/marketdata/stream/barcharts/{symbol}": {"Heartbeat", "EndSnapshot", "GoAway", "Error"},
    # v2: heartbeats (the wire notes), and the trailer lines END / ERROR - ... end it
    "/v2/stream/tickbars/{symbol}/{interval}/{barsBack}": {"Heartbeat", "trailer"},
    # depth: like quotes (no StreamStatus), and no per-item errors (one symbol per stream)
    "/v3/marketdata/stream/marketdepth/quotes/{symbol}": {"Heartbeat", "GoAway", "Error"},
    "/v3/marketdata/stream/marketdepth/aggregates/{symbol}": {"Heartbeat", "GoAway", "Error"},
    # options: like quotes (the spec lists the Spread frame only: no StreamStatus)
    "/v3/marketdata/stream/options/chains/{underlying}": {"Heartbeat", "GoAway", "Error"},
    "/v3/marketdata/stream/options/quotes": {"Heartbeat", "GoAway", "Error"},
}


@pytest.mark.parametrize("operation", _served(), ids=lambda op: f"{op[0]} {op[1]}")
def test_every_response_conforms(
    spec: Json, exchanges: list[Exchange], operation: Operation
) -> None:
    checker = Checker(spec)
    mine = [e for e in exchanges if e.operation == operation]
    statuses = {e.status for e in mine}
    assert 200 in statuses and statuses - {200}, f"needs a success and an error: {statuses}"
    problems: list[str] = []
    for exchange in mine:
        schema = response_schema(spec, operation, exchange.status)  # the status is documented
        if exchange.status >= 400:
            body = exchange.body
            assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"StatusCode"}, body
        if exchange.lines is None:
            problems += [f"{exchange.status}: {p}" for p in checker.problems(schema, exchange.body)]
            continue
        kinds = set()
        for line in exchange.lines:
            kind = frame_kind(line)
            kinds.add(kind)
            if kind == "trailer":
                assert line.startswith(V2_TRAILERS) and operation[1].startswith("/v2/"), line
                continue
            problems += [
                f"frame {line[:80]}: {p}" for p in checker.problems(schema, json.loads(line))
            ]
        exchange.body = kinds
    assert not problems, "\n".join(problems[:10])
    streamed = [e for e in mine if e.lines is not None]
    if operation[1] in STREAM_KINDS:
        seen = set().union(*(e.body for e in streamed))
        assert {"data"} | STREAM_KINDS[operation[1]] <= seen, seen
        assert seen <= {"data"} | STREAM_KINDS[operation[1]], seen
    else:
        assert not streamed


def test_the_driven_operations_are_exactly_the_served_ones(
    spec: Json, exchanges: list[Exchange]
) -> None:
    served, unknown = served_operations(spec)
    assert not unknown, f"routes the spec does not have: {unknown}"
    assert {e.operation for e in exchanges} == served


def test_corrections_are_needed_and_applied(spec: Json) -> None:
    """Each correction changes the document (a stale one would silently do nothing)."""
    original = raw_spec()
    for correction in CORRECTIONS:
        before = json.dumps(_at(original, correction.pointer), sort_keys=True)
        after = json.dumps(_at(spec, correction.pointer), sort_keys=True)
        assert before != after, correction.why
