"""The CLI's human output with hostile server text: no escape, control character or bidi
override reaches stdout/stderr, no forged row, exit status by outcome; ``--json`` keeps the
values whole. The server text is made hostile through the simulator (POST /_sim/hostile)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_sim import ALL_HOSTILE, HOSTILE, dangerous, forged_lines, set_hostile

from tstui.cli import main
from tstui.cli.errors import describe_error
from tstui.client.errors import ApiError
from tstui.output import format_cell, render_table

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

GETS = [
    ["get", "accounts"],
    ["get", "balances"],
    ["get", "bodbalances"],
    ["get", "positions"],
    ["get", "orders"],
    ["get", "historical-orders", "--since", "2026-11-20"],
    ["get", "routes"],
    ["get", "symbol", "MSFT"],
    ["get", "symbol", "@ES"],
    ["get", "quotes", "MSFT", "AAPL"],
    ["get", "bars", "MSFT", "--unit", "Minute", "--interval", "5", "--barsback", "3"],
]


@pytest.fixture
def seed_env(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)
    return sim.url


def _problems(out: str, err: str) -> list[str]:
    found = []
    for name, text in (("stdout", out), ("stderr", err)):
        if bad := dangerous(text):
            found.append(f"{name}: {sorted(set(bad))}")
        if forged := forged_lines(text):
            found.append(f"{name}: forged lines {forged}")
    return found


def _run(url: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main([*args, "--base-url", url])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


IDS = ["AccountID", "OrderID", "PositionID"]
MODES: dict[str, dict[str, object]] = {
    "default": {},  # descriptive text: alias, descriptions, messages, symbols
    "all but ids": {"keys": "*", "spare": IDS},  # enum codes, types, currencies too
    "*": {"keys": "*"},  # ids too: follow-up requests fail, and must fail cleanly
}


@pytest.mark.parametrize("keys", list(MODES))
def test_every_get_table_is_safe(
    seed_env: str, capsys: pytest.CaptureFixture[str], keys: str
) -> None:
    set_hostile(seed_env, ALL_HOSTILE, **MODES[keys])
    problems: dict[str, list[str]] = {}
    for args in GETS:
        status, out, err = _run(seed_env, args, capsys)
        assert status in (0, 1), (args, status, err)  # an outcome, never a crash (2+)
        assert "Traceback" not in err, args
        if keys != "*":  # ids intact: every command still answers
            assert status == 0 and out.strip(), (args, err)
            if args[1] not in ("balances", "bodbalances", "bars"):  # (no text fields there)
                assert "T1" in out, args  # the hostile text did arrive, made visible
        if found := _problems(out, err):
            problems[" ".join(args)] = found
    assert problems == {}


def test_server_error_line_is_safe(seed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    set_hostile(seed_env, ALL_HOSTILE)
    httpx.post(seed_env + "/_sim/faults/http", json={"group": "balances", "status": 400})
    status, out, err = _run(seed_env, ["get", "balances"], capsys)
    assert status == 1
    assert err.startswith("tstui: ") and "T5 x[/]y" in err  # the message, shown literally
    assert len(err.strip().splitlines()) == 1  # one line: the raw newline did not split it
    assert _problems(out, err) == []


def test_json_keeps_the_hostile_values_whole(
    seed_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ALL_HOSTILE  # the lone surrogate too: it travels as its \u escape
    set_hostile(seed_env, text)
    status, out, _ = _run(seed_env, ["get", "accounts", "--json"], capsys)
    assert status == 0
    records = [json.loads(line) for line in out.split("\n") if line.strip()]  # (not NEL)
    aliases = [v for r in records for k, v in _pairs(r) if k.lower() == "alias"]
    assert len(aliases) == 3 and all(str(alias).endswith(text) for alias in aliases)


def _pairs(value: object) -> list[tuple[str, object]]:
    """Every key/value pair in a JSON document, at any depth (wire envelope or flat)."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()] + [
            p for v in value.values() for p in _pairs(v)
        ]
    if isinstance(value, list):
        return [p for v in value for p in _pairs(v)]
    return []


# -- the boundary functions themselves, with any text ------------------------------------

_ANY_TEXT = st.text(
    st.characters(codec=None, exclude_categories=()), min_size=0, max_size=60
) | st.sampled_from(list(HOSTILE.values()))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_ANY_TEXT, _ANY_TEXT), min_size=1, max_size=4))
def test_any_text_in_a_table_stays_in_its_cell(rows: list[tuple[str, str]]) -> None:
    table = render_table(("Symbol", "Qty"), [(a, Decimal(1)) for a, _ in rows])
    lines = table.splitlines()
    assert len(lines) == 2 + len(rows)  # header, rule, one line per row: nothing forged
    assert dangerous(table) == []
    table.encode("utf-8")  # a lone surrogate would raise here


@settings(max_examples=300)
@given(_ANY_TEXT)
def test_any_text_in_an_error_line_is_one_safe_line(text: str) -> None:
    line = describe_error(ApiError(400, "BadRequest", text))
    assert "\n" not in line and dangerous(line) == []
    line.encode("utf-8")
    cell = format_cell(text)
    assert "\n" not in cell and dangerous(cell) == []


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_ANY_TEXT)
def test_generated_server_text_through_the_cli(
    text: str, sim: SimServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = sim.credentials
    for name, value in (
        ("CLIENT_ID", creds.client_id),
        ("CLIENT_SECRET", creds.client_secret),
        ("REFRESH_TOKEN", creds.refresh_token),
    ):
        monkeypatch.setenv(name, value)
    set_hostile(sim.url, text, keys="*", spare=IDS)
    for args in (["get", "accounts"], ["get", "orders"], ["get", "symbol", "MSFT"]):
        status, out, err = _run(sim.url, args, capsys)
        assert status in (0, 1), (args, err)
        assert _problems(out, err) == [], args
