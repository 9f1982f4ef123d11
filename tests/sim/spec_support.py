"""The official spec, corrected where it contradicts itself, and validation against it.

Shared by the conformance test and the schemathesis run (imported by name: tests are not a
package). ``corrected_spec()`` applies ``CORRECTIONS``: each fixes a place where the spec's own
examples (or the wire notes, which win over the spec) disagree with its schemas. Nothing is
skipped: every operation keeps its schemas.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tstui.sim.server import build_app

SPEC_PATH = Path("/work/shared/tradestation-v3-openapi.json")
if not SPEC_PATH.exists():  # pragma: no cover
    SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "tradestation-v3-openapi.json"
METHODS = ("get", "post", "put", "delete")
Json = dict[str, Any]


def _at(document: Json, pointer: str) -> Any:
    node: Any = document
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def pointer_to(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _set_type(kind: str) -> Callable[[Json], None]:
    def change(schema: Json) -> None:
        schema["type"] = kind

    return change


def _declare(**properties: Json) -> Callable[[Json], None]:
    def change(schema: Json) -> None:
        schema.setdefault("properties", {}).update(properties)

    return change


def _unwrap_array(schema: Json) -> None:
    items = schema.pop("items")
    schema.pop("type")
    schema.update(items)


def _any_of(*refs: str) -> Callable[[Json], None]:
    def change(schema: Json) -> None:
        members = schema.pop("oneOf", None) or schema.pop("anyOf", None) or [dict(schema)]
        for key in list(schema):
            del schema[key]
        schema["anyOf"] = [*members, *({"$ref": f"#/components/schemas/{r}"} for r in refs)]

    return change


def _wrap_routes(schema: Json) -> None:
    route = dict(schema)
    schema.clear()
    schema.update({"type": "object", "properties": {"Routes": {"type": "array", "items": route}}})


@dataclass(frozen=True)
class Correction:
    pointer: str  # JSON pointer into the spec document
    change: Callable[[Json], None]
    why: str


_STREAM = "application/vnd.tradestation.streams.v2+json"
_SCHEMAS = "/components/schemas"
CORRECTIONS: tuple[Correction, ...] = (
    *(
        Correction(
            f"{_SCHEMAS}/{name}",
            _set_type("string"),
            "declared type: object, an RFC 3339 string in every example",
        )
        for name in ("TimeStamp", "Expiration", "TimeUtc", "TimeUtc1", "ExpirationDate")
    ),
    *(
        Correction(
            f"{_SCHEMAS}/{leg}/properties/ExpirationDate",
            _set_type("string"),
            "declared type: object, an RFC 3339 string in the orders examples",
        )
        for leg in ("OrderLeg", "OrderLeg1")
    ),
    Correction(
        f"{_SCHEMAS}/StatusDefinition",
        lambda schema: (schema.clear(), schema.update({"type": "integer", "minimum": 0})),
        "described as an integer bit field, modelled as an object of bits",
    ),
    Correction(
        f"{_SCHEMAS}/OrderConfirmResponse",
        _declare(DisplayName={"type": "string"}),
        "the confirm example sends DisplayName, the schema does not declare it",
    ),
    *(
        Correction(
            pointer_to(
                "paths", path, "post", "responses", "200", "content", "application/json", "schema"
            ),
            _unwrap_array,
            "declared an array of envelopes; the example (and the API) answer one envelope",
        )
        for path in (
            "/v3/orderexecution/orderconfirm",
            "/v3/orderexecution/orders",
            "/v3/orderexecution/ordergroupconfirm",
            "/v3/orderexecution/ordergroups",
        )
    ),
    Correction(
        f"{_SCHEMAS}/Routes",
        _wrap_routes,
        'describes one route; the example (and the API) answer {"Routes": [route, ...]}',
    ),
    Correction(
        pointer_to(
            "paths",
            "/v3/marketdata/stream/barcharts/{symbol}",
            "get",
            "responses",
            "200",
            "content",
            _STREAM,
            "schema",
        ),
        _any_of("StreamStatus"),
        "oneOf can never hold (a heartbeat or error also matches Bar, which requires nothing):"
        " anyOf; and the wire notes say the history bars end with an EndSnapshot",
    ),
    *(
        Correction(
            pointer_to(
                "paths",
                f"/v3/marketdata/stream/marketdepth/{kind}/{{symbol}}",
                "get",
                "responses",
                "200",
                "content",
                _STREAM,
                "schema",
            ),
            _any_of(),
            "oneOf can never hold (the depth frame, Heartbeat2 and the stream error require no"
            " field, so every frame matches all three): anyOf",
        )
        for kind in ("quotes", "aggregates")
    ),
    *(
        Correction(
            pointer_to("paths", path, "get", "responses", "200", "content", _STREAM, "schema"),
            _any_of("Heartbeat1", "StreamErrorResponse"),
            "lists only the Spread frame; the wire notes: heartbeats and errors on every stream",
        )
        for path in (
            "/v3/marketdata/stream/options/chains/{underlying}",
            "/v3/marketdata/stream/options/quotes",
        )
    ),
    Correction(
        pointer_to(
            "paths",
            "/v2/stream/tickbars/{symbol}/{interval}/{barsBack}",
            "get",
            "responses",
            "200",
            "content",
            "application/vnd.tradestation.streams+json",
            "schema",
        ),
        _any_of("Heartbeat"),
        "the wire notes: heartbeats on every stream",
    ),
    Correction(
        f"{_SCHEMAS}/TickbarDefinition",
        _declare(
            **{
                name: {"type": "number"}
                for name in (
                    "Open",
                    "High",
                    "Low",
                    "OpenInterest",
                    "TotalTicks",
                    "UpTicks",
                    "DownTicks",
                    "UnchangedTicks",
                    "UpVolume",
                    "DownVolume",
                    "UnchangedVolume",
                )
            }
        ),
        "the wire notes: tick bar frames carry Open/High/Low and the tick and volume counts",
    ),
    Correction(
        f"{_SCHEMAS}/Error",
        _declare(Error={"type": "string"}),
        "the v2 error object: the simulator adds TradeStation's Error title to it, so one"
        " shape {Error, Message} serves every route",
    ),
)


@functools.cache
def _corrected_text() -> str:
    document: Json = json.loads(SPEC_PATH.read_text())
    for correction in CORRECTIONS:
        correction.change(_at(document, correction.pointer))
    return json.dumps(document)


def corrected_spec() -> Json:
    """A fresh copy of the corrected spec (callers may change it)."""
    loaded: Json = json.loads(_corrected_text())
    return loaded


def raw_spec() -> Json:
    loaded: Json = json.loads(SPEC_PATH.read_text())
    return loaded


# ----- operations --------------------------------------------------------------------------
def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def spec_operations(spec: Json) -> set[tuple[str, str]]:
    return {(m, p) for p, item in spec["paths"].items() for m in item if m in METHODS}


def served_operations(spec: Json) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The spec operations the simulator's app routes, and the API routes it serves that the
    spec does not have (sign-in and the admin API excluded)."""
    from tstui.sim.server import SimServer

    by_shape = {(m, _shape(p)): (m, p) for m, p in spec_operations(spec)}
    sim = SimServer(speed=0)  # never started: only its routing table is read
    served: set[tuple[str, str]] = set()
    unknown: set[tuple[str, str]] = set()
    for route in build_app(sim.ctx).routes:
        path = getattr(route, "path", "")
        if path.startswith(("/_sim", "/oauth", "/authorize")):
            continue
        for method in getattr(route, "methods", None) or {"GET"}:
            key = (method.lower(), _shape(path))
            if method == "HEAD":
                continue
            if key in by_shape:
                served.add(by_shape[key])
            else:
                unknown.add((method.lower(), path))
    return served, unknown


def operation_of(spec: Json, method: str, url_path: str) -> tuple[str, str]:
    """The spec operation a request path belongs to."""
    for m, template in spec_operations(spec):
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if m == method.lower() and re.match(pattern, url_path):
            return m, template
    raise AssertionError(f"no spec operation for {method} {url_path}")


# ----- validation --------------------------------------------------------------------------
def response_schema(spec: Json, operation: tuple[str, str], status: int) -> Json:
    method, path = operation
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path}: status {status} is not documented"
    content = responses[str(status)].get("content", {})
    assert content, f"{method} {path} {status}: no body documented"
    ((_, media),) = list(content.items())[:1]
    schema: Json = media["schema"]
    return schema


def _rebased(node: Any) -> Any:
    """A copy whose local refs ("#/...") point into the spec resource ("spec#/...")."""
    if isinstance(node, dict):
        return {
            k: f"spec{v}" if k == "$ref" and str(v).startswith("#") else _rebased(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebased(v) for v in node]
    return node


class Checker:
    """Validates bodies against the corrected spec: JSON Schema (refs resolved inside the
    spec document) plus *strictness*: every key sent must be declared by the schema (the spec
    allows additional properties, so a misspelt field would otherwise pass)."""

    def __init__(self, spec: Json) -> None:
        self.spec = spec
        self.registry: Registry[Any] = Registry().with_resource(
            "spec", Resource.from_contents(spec, default_specification=DRAFT4)
        )
        self._validators: dict[str, Any] = {}

    def validator(self, schema: Json) -> Any:
        key = json.dumps(schema, sort_keys=True)
        found = self._validators.get(key)
        if found is None:
            # The schema's "#/..." refs resolve against the spec document it is placed in.
            named = f"urn:check:{len(self._validators)}"
            resource = Resource.from_contents(
                {**_rebased(schema), "id": named}, default_specification=DRAFT4
            )
            registry = self.registry.with_resource(named, resource)
            found = jsonschema.Draft4Validator({"$ref": named}, registry=registry)
            self._validators[key] = found
        return found

    def problems(self, schema: Json, body: Any) -> list[str]:
        errors = sorted(self.validator(schema).iter_errors(body), key=lambda e: list(e.path))
        found = [f"{e.message} at {list(e.absolute_path)}" for e in errors[:3]]
        return found or self.undeclared(schema, body, "")

    def _resolve(self, schema: Json) -> Json:
        while "$ref" in schema:
            resolved: Json = _at(self.spec, schema["$ref"].lstrip("#"))
            schema = resolved
        return schema

    def undeclared(self, schema: Json, body: Any, where: str) -> list[str]:
        schema = self._resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:  # the best fitting valid alternative decides
                fits = [
                    self.undeclared(option, body, where)
                    for option in schema[key]
                    if not list(self.validator(option).iter_errors(body))
                ]
                return min(fits, key=len) if fits else [f"{where}: no alternative fits"]
        problems: list[str] = []
        if isinstance(body, dict):
            declared = self._properties(schema)
            if not declared:
                return problems
            for key, value in body.items():
                if key not in declared:
                    problems.append(f"{where}.{key} is not declared")
                else:
                    problems += self.undeclared(declared[key], value, f"{where}.{key}")
        elif isinstance(body, list) and "items" in schema:
            for i, item in enumerate(body):
                problems += self.undeclared(schema["items"], item, f"{where}[{i}]")
        return problems

    def _properties(self, schema: Json) -> Json:
        schema = self._resolve(schema)
        declared: Json = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            declared.update(self._properties(part))
        return declared
