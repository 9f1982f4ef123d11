"""Every REST body and stream frame kind validates against the spec's JSON schemas.

Besides jsonschema validation, every key we send must be declared by the schema (a typo in a
field name would otherwise pass, since the spec allows additional properties).

Spec quirks patched here: ``TimeStamp`` and ``Expiration`` are declared ``type: object`` but
are RFC 3339 strings in every example and in the real API, so they are validated as strings;
the tick bar ``Status`` is an integer bit field (the spec models the bits as an object).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from sim_helpers import FUTURES, MARGIN, StreamReader, order_body

from tstui.sim.server import SimServer

SPEC_PATH = Path("/work/shared/tradestation-v3-openapi.json")
if not SPEC_PATH.exists():  # pragma: no cover
    SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "tradestation-v3-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    patched = copy.deepcopy(document)
    for name in ("TimeStamp", "Expiration"):
        patched["components"]["schemas"][name]["type"] = "string"
    for name in ("OrderLeg", "OrderLeg1"):  # an RFC 3339 string in the examples too
        patched["components"]["schemas"][name]["properties"]["ExpirationDate"]["type"] = "string"
    # the confirm example sends DisplayName, which the schema does not declare
    confirm = patched["components"]["schemas"]["OrderConfirmResponse"]["properties"]
    confirm["DisplayName"] = {"type": "string"}
    # StatusDefinition describes an integer bit field ("Integer value represeting values
    # through bit mappings") as an object of bits; the wire carries the integer.
    patched["components"]["schemas"]["StatusDefinition"] = {"type": "integer", "minimum": 0}
    return patched


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _declared(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(spec, schema)
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(_declared(spec, part))
    return props


def _undeclared(spec: dict[str, Any], body: Any, schema: dict[str, Any], path: str) -> list[str]:
    schema = _resolve(spec, schema)
    problems: list[str] = []
    if isinstance(body, dict):
        props = _declared(spec, schema)
        if not props:
            return problems
        for key, value in body.items():
            if key not in props:
                problems.append(f"{path}.{key}")
            else:
                problems += _undeclared(spec, value, props[key], f"{path}.{key}")
    elif isinstance(body, list) and "items" in schema:
        for i, item in enumerate(body):
            problems += _undeclared(spec, item, schema["items"], f"{path}[{i}]")
    return problems


def check(spec: dict[str, Any], name: str, body: Any, *, strict: bool = True) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "spec", Resource.from_contents(spec, default_specification=DRAFT7)
    )
    validator = jsonschema.Draft7Validator(
        {"$ref": f"spec#/components/schemas/{name}"}, registry=registry
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{name}: {errors[0].message} at {list(errors[0].path)}"
    extra = _undeclared(spec, body, {"$ref": f"#/components/schemas/{name}"}, name)
    assert not strict or not extra, f"undeclared fields: {extra}"


def test_rest_bodies(spec: dict[str, Any], server: SimServer, api: httpx.Client) -> None:
    both = f"{MARGIN},{FUTURES},NOPE"
    check(spec, "Accounts", api.get("/v3/brokerage/accounts").json())
    check(spec, "Balances", api.get(f"/v3/brokerage/accounts/{both}/balances").json())
    check(spec, "BalancesBOD", api.get(f"/v3/brokerage/accounts/{both}/bodbalances").json())
    check(spec, "Positions", api.get(f"/v3/brokerage/accounts/{both}/positions").json())
    check(spec, "Orders", api.get(f"/v3/brokerage/accounts/{both}/orders").json())
    history = api.get(
        f"/v3/brokerage/accounts/{both}/historicalorders?since=2026-10-01&pageSize=20"
    )
    check(spec, "HistoricalOrders", history.json())
    some_id = history.json()["Orders"][0]["OrderID"]
    by_id = api.get(
        f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/historicalorders/{some_id},1?since=2026-10-01"
    )
    check(spec, "HistoricalOrdersById", by_id.json())
    check(spec, "OrdersById", api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/1").json())
    for unit in ("Minute", "Daily", "Weekly", "Monthly"):
        bars = api.get(f"/v3/marketdata/barcharts/@ES?unit={unit}&barsback=5").json()
        check(spec, "Bars", bars)
    check(spec, "SymbolDetailsResponse", api.get("/v3/marketdata/symbols/MSFT,@ES,GCZ26,X").json())
    check(spec, "QuoteSnapshot", api.get("/v3/marketdata/quotes/MSFT,@CL,X").json())
    for route in api.get("/v3/orderexecution/routes").json()["Routes"]:
        check(spec, "Routes", route)  # the spec's "Routes" schema describes one route
    confirm = api.post("/v3/orderexecution/orderconfirm", json=order_body(OrderConfirmID="c1"))
    check(spec, "OrderConfirmResponses", confirm.json())
    placed = api.post(
        "/v3/orderexecution/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
    )
    check(spec, "OrderResponses", placed.json())
    order_id = placed.json()["Orders"][0]["OrderID"]
    rejected = api.post("/v3/orderexecution/orders", json=order_body(Quantity="0"))
    check(spec, "OrderResponses", rejected.json())
    replaced = api.put(f"/v3/orderexecution/orders/{order_id}", json={"LimitPrice": "1.01"})
    check(spec, "OrderResponse", replaced.json())
    check(spec, "OrderResponse", api.delete(f"/v3/orderexecution/orders/{order_id}").json())
    for response in (
        api.get("/v3/marketdata/barcharts/MSFT?unit=Hourly"),
        httpx.get(f"{server.url}/v3/brokerage/accounts"),
        api.delete("/v3/orderexecution/orders/42"),
    ):
        assert response.status_code in (400, 401, 404)
        check(spec, "ErrorResponse", response.json())


def test_brokerage_stream_frames(
    spec: dict[str, Any], server: SimServer, api: httpx.Client
) -> None:
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN},NOPE/orders") as response:
        assert response.headers["content-type"].startswith(
            "application/vnd.tradestation.streams.v3+json"
        )
        reader = StreamReader(response)
        snapshot = reader.snapshot()
        check(spec, "StreamOrderErrorResponse", snapshot[0])
        for frame in snapshot[1:]:
            check(spec, "Order1", frame)
        check(spec, "StreamStatus", {"StreamStatus": "EndSnapshot"})
        api.post("/v3/orderexecution/orders", json=order_body())
        check(spec, "Order1", reader.until(lambda f: f.get("Status") == "FLL"))
        check(spec, "Heartbeat3", reader.until(lambda f: "Heartbeat" in f))
    with api.stream("GET", f"/v3/brokerage/stream/accounts/{MARGIN}/positions") as response:
        reader = StreamReader(response)
        for frame in reader.snapshot():
            check(spec, "Position", frame)
        api.post(
            "/v3/orderexecution/orders",
            json=order_body(Symbol="AAPL", TradeAction="SELL", Quantity="50"),
        )
        deleted = reader.until(lambda f: f.get("Deleted") is True)
        assert set(deleted) == {"PositionID", "Deleted"}
        check(spec, "Position", deleted)
        check(spec, "Heartbeat3", reader.until(lambda f: "Heartbeat" in f))


def test_market_stream_frames(spec: dict[str, Any], server: SimServer, api: httpx.Client) -> None:
    with api.stream("GET", "/v3/marketdata/stream/quotes/MSFT,@ES,NOPE") as response:
        assert response.headers["content-type"].startswith(
            "application/vnd.tradestation.streams.v2+json"
        )
        reader = StreamReader(response)
        snapshot = [reader.next() for _ in range(3)]  # no EndSnapshot on quote streams
        assert snapshot[0] == {"Symbol": "NOPE", "Error": "Symbol NOPE not found."}
        for frame in snapshot:
            check(spec, "QuoteStream", frame)
        check(spec, "Heartbeat1", reader.until(lambda f: "Heartbeat" in f))
    with api.stream("GET", "/v3/marketdata/stream/barcharts/ESZ26?unit=Minute&barsback=3") as r:
        reader = StreamReader(r)
        for frame in reader.snapshot():
            check(spec, "Bar", frame)
        server.control().advance(60)
        check(spec, "Bar", reader.until(lambda f: f.get("BarStatus") == "Closed"))
        check(spec, "Heartbeat", reader.until(lambda f: "Heartbeat" in f))
    with api.stream("GET", "/v2/stream/tickbars/MSFT/10/3") as response:
        assert response.headers["content-type"].startswith(
            "application/vnd.tradestation.streams+json"
        )
        reader = StreamReader(response)
        for _ in range(3):
            frame = reader.next()
            assert isinstance(frame["Close"], float) and frame["TimeStamp"].startswith("/Date(")
            # The spec lists only Close/TotalVolume/Status/TimeStamp; the wire notes add
            # Open/High/Low and the tick and volume counts, so extras are allowed here.
            check(spec, "TickbarDefinition", frame, strict=False)
            assert {"Open", "High", "Low", "UpTicks", "DownTicks"} <= set(frame)
