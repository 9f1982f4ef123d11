"""schemathesis against a live simulator, over the corrected spec (spec_support).

For every REST operation the simulator serves, schemathesis derives requests from the spec:
its coverage phase (boundary values, missing and mistyped fields, undeclared methods; a fixed
list) and its fuzzing phase (valid and schema-breaking requests from Hypothesis with a fixed
seed and a bounded number of examples). Every answer must show: no 5xx; a status code the
spec documents for the operation (or 429, our documented rate limit; 405 with ``Allow`` for
an undeclared method); a body and content type conforming to the documented response;
schema-breaking input refused with a 4xx; and every refusal in TradeStation's shape
``{"Error", "Message"}`` (``StatusCode`` added on v2), never a stack trace.

Bounded on purpose: streams are left to the conformance test (an endless body cannot be
read whole); the admin and sign-in routes are not in the spec; and the run asserts how many
orders it placed. One check is left out: ``positive_data_acceptance`` expects every
schema-valid request to succeed, but the spec types ``since``, account and symbol lists,
search criteria and prices as free strings while its descriptions give them a grammar,
which the simulator enforces (with 400s that the other checks validate).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sim_helpers import FUTURES, MARGIN, START, get_token
from spec_support import Json, corrected_spec, served_operations

from tstui.sim.server import SimServer

SEED = 20_261_206
FUZZ_EXAMPLES = 12  # per operation and generation mode
MAX_COVERAGE_CASES = 250  # per operation (the list is fixed; this keeps a bound on it)
MAX_ORDERS_PLACED = 400
STREAM_MEDIA = "application/vnd.tradestation.streams"
ERROR_KEYS = {"Error", "Message"}
# The session sends the bearer token, so schemathesis neither generates nor breaks it; unknown
# query parameters are ignored by the simulator (as by most HTTP APIs), so none are invented.
CONFIG = {
    "seed": SEED,
    "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
}
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _is_stream(operation: Json) -> bool:
    content = operation["responses"].get("200", {}).get("content", {})
    return any(media.startswith(STREAM_MEDIA) for media in content)


def rest_spec(base_url: str) -> Json:
    """The corrected spec, cut down to the REST operations the simulator serves."""
    spec = corrected_spec()
    served, _ = served_operations(spec)
    paths: Json = {}
    for path, item in spec["paths"].items():
        kept = {
            method: operation
            for method, operation in item.items()
            if (method, path) in served and not _is_stream(operation)
        }
        if kept:
            paths[path] = kept
    spec["paths"] = paths
    spec["servers"] = [{"url": base_url}]
    _use_sim_accounts(spec)
    return spec


def _use_sim_accounts(node: Any) -> None:
    """The examples' account ids become the simulator's, so the generated requests reach its
    accounts (and orders get placed), not only its "account not found" answers."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example" and value in ("61999124,68910124", "123456782"):
                node[key] = f"{MARGIN},{FUTURES}" if "," in value else MARGIN
            elif key == "AccountID" and value == "123456782":
                node[key] = MARGIN
            else:
                _use_sim_accounts(value)
    elif isinstance(node, list):
        for item in node:
            _use_sim_accounts(item)


def tradestation_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Refusals are TradeStation's {"Error", "Message"} (v2 adds StatusCode), never a trace."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict), f"error body is not an object: {response.text[:200]}"
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"StatusCode"}, body
    assert isinstance(body["Message"], str) and "Traceback" not in body["Message"], body
    return True


def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """The spec's codes for the operation, plus 429 (our documented rate limit)."""
    if case.method.upper() != case.operation.method.upper():
        return None  # an undeclared method: schemathesis's unsupported_method check (405)
    allowed = set(case.operation.definition.raw["responses"]) | {"429"}
    assert str(response.status_code) in allowed, (
        f"{case.method} {case.path}: {response.status_code} not in {sorted(allowed)}"
    )
    return True


EXTRA_CHECKS = [tradestation_error_shape, documented_status]


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[SimServer, requests.Session]]:
    with SimServer(seed=7, start=START, speed=0, heartbeat_seconds=0.2) as server:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {get_token(server)}"
        yield server, session
        session.close()


def _schema(base_url: str) -> Any:
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_dict(rest_spec(base_url), config=config)


def _validate(case: Any, base_url: str, session: requests.Session) -> None:
    response = case.call(base_url=base_url, session=session, timeout=10)
    case.validate_response(
        response, additional_checks=EXTRA_CHECKS, excluded_checks=[positive_data_acceptance]
    )


def _coverage(schema: Any, operation: Any, base_url: str, session: requests.Session) -> int:
    """Run the operation's coverage cases; returns how many ran."""
    generator = CoverageGenerator(
        operation=operation,
        generation_modes=list(MODES),
        generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
        auth_storage=None,
        override=Override(),
        feedback=NO_FEEDBACK,
    )
    count = 0
    for case in generator:
        _validate(case, base_url, session)
        count += 1
        if count >= MAX_COVERAGE_CASES:
            break
    return count


def _fuzz(operation: Any, mode: Any, base_url: str, session: requests.Session) -> None:
    @seed(SEED)
    @settings(
        max_examples=FUZZ_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        _validate(case, base_url, session)

    run()


def test_schemathesis_finds_nothing(live: tuple[SimServer, requests.Session]) -> None:
    server, session = live
    # CPU seconds of this process (the fuzzer and the simulator's threads): a budget that a
    # busy machine (other test workers) does not eat into, as wall time did
    started = time.process_time()
    orders_before = len(server.engine.orders)
    schema = _schema(server.url)
    operations = [result.ok() for result in schema.get_all_operations()]
    served, _ = served_operations(corrected_spec())
    assert {(op.method.lower(), op.path) for op in operations} == {
        op for op in served if not _is_stream(corrected_spec()["paths"][op[1]][op[0]])
    }
    failures: list[str] = []
    unbreakable: set[str] = set()
    coverage_cases = 0
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        try:
            coverage_cases += _coverage(schema, operation, server.url, session)
        except (Exception, BaseExceptionGroup) as exc:  # one report per phase, then go on
            failures.append(f"{name} [coverage]: {exc}")
        for mode in MODES:
            try:
                _fuzz(operation, mode, server.url, session)
            except Unsatisfiable:
                # only free-form strings here: nothing can break this operation's schema
                assert mode is schemathesis.GenerationMode.NEGATIVE
                unbreakable.add(name)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{name} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
    assert coverage_cases > 500  # the coverage phase did run
    assert len(operations) - len(unbreakable) >= 5, sorted(unbreakable)  # and negative fuzzing
    assert len(server.engine.orders) - orders_before <= MAX_ORDERS_PLACED
    assert time.process_time() - started < 60
