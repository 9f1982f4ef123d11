"""`tstui order ... --json` prints the API's answers; `--body FILE|-` takes the order in
TradeStation's JSON and goes the same way as the flags (previewed, risk-checked, audited,
sent once); enum flags take any case and the documented spellings."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import CASH, MARGIN, export_seed, run_json, sim_orders

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    export_seed(sim, monkeypatch)
    return ["--base-url", sim.url, "--account", MARGIN]


def order_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": MARGIN,
        "Symbol": "MSFT",
        "Quantity": "3",
        "OrderType": "Limit",
        "LimitPrice": "400",
        "TradeAction": "BUY",
        "TimeInForce": {"Duration": "DAY"},
        "Route": "Intelligent",
        "OrderConfirmID": "bodyTest0001",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def write(tmp_path: Path, body: Any) -> str:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(body))
    return str(path)


def audit_entries(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["audit", "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_body_is_previewed_then_placed_once_and_audited(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, order_body())
    code, preview, err = run_json(capsys, "order", "confirm", "--body", path, *base)
    assert code == 0, err
    (confirmation,) = preview["Confirmations"]
    assert confirmation["SummaryMessage"] == "BUY 3 MSFT Limit DAY"
    before = {o["OrderID"] for o in sim_orders(sim)}

    code, answer, err = run_json(capsys, "order", "place", "--body", path, "--yes", *base)
    assert code == 0, err
    (placed,) = answer["Orders"]
    new = {o["OrderID"] for o in sim_orders(sim)} - before
    assert new == {placed["OrderID"]}  # sent once

    entries = audit_entries(capsys)
    previews = [e for e in entries if e["kind"] == "order.preview"]
    sends = [e for e in entries if e["kind"] == "order.place"]
    assert len(sends) == 1
    sent = sends[0]["payload"]["request"]
    # bound to the previewed payload: what was previewed is what was sent, id included
    assert sent == previews[-1]["payload"]["request"]
    assert sent["OrderConfirmID"] == "bodyTest0001"
    assert (sent["Symbol"], sent["Quantity"], sent["LimitPrice"]) == ("MSFT", "3", "400")
    results = [e for e in entries if e["kind"] == "order.place.result"]
    assert placed["OrderID"] in json.dumps(results[-1]["payload"])


def test_body_from_stdin(
    sim: SimServer,
    base: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = order_body(OrderType="market", LimitPrice=None, TradeAction="buy", Quantity=1)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(body)))
    code, answer, err = run_json(capsys, "order", "place", "--body", "-", "--yes", *base)
    assert code == 0, err
    (placed,) = answer["Orders"]
    (order,) = [o for o in sim_orders(sim) if o["OrderID"] == placed["OrderID"]]
    assert order["OrderType"] == "Market"  # lenient values become TradeStation's own


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"Type": "OCO", "Orders": [order_body()]}, "at least 2 orders"),
        (order_body(Legs=[{"Symbol": "MSFT", "Quantity": "1"}]), "Legs[0].TradeAction: missing"),
        (order_body(AdvancedOptions={"PegValue": "MID"}), "AdvancedOptions.PegValue"),
        (order_body(TradeAction="HOLD"), "valid: BUY, SELL"),
        (order_body(Quantity=None), "missing Quantity"),
        ([order_body()], "JSON object"),
        (order_body(OrderConfirmID="not valid!"), "OrderConfirmID"),
    ],
)
def test_bodies_that_are_refused_send_nothing(
    sim: SimServer,
    base: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: Any,
    says: str,
) -> None:
    before = len(sim_orders(sim))
    code, error, err = run_json(
        capsys, "order", "place", "--body", write(tmp_path, body), "--yes", *base
    )
    assert code == 1
    assert error["Error"] == "InvalidValue" and says in error["Message"]
    assert says in err and len(err.strip().splitlines()) == 1
    assert len(sim_orders(sim)) == before


def test_body_and_flags_do_not_mix(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, order_body())
    code, error, _ = run_json(capsys, "order", "confirm", "--body", path, "--qty", "9", *base)
    assert code == 1 and "--qty" in error["Message"]
    code, error, _ = run_json(capsys, "order", "confirm", "--symbol", "MSFT", *base)
    assert code == 1 and "--action" in error["Message"] and "--body" in error["Message"]


def test_body_that_is_not_json(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "order.json"
    path.write_text("{not json")
    code, error, _ = run_json(capsys, "order", "confirm", "--body", str(path), *base)
    assert code == 1 and "not JSON" in error["Message"]
    code, error, _ = run_json(capsys, "order", "confirm", "--body", str(tmp_path / "no"), *base)
    assert code == 1 and "--body" in error["Message"]


def test_body_limits_still_apply(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "limits.toml"
    config.write_text("[risk.sim]\nmax_quantity = 5\n")
    before = len(sim_orders(sim))
    path = write(tmp_path, order_body(Quantity="6"))
    code, error, err = run_json(
        capsys, "order", "place", "--body", path, "--yes", "--config", str(config), *base
    )
    assert code == 1 and "not sent" in error["Message"] and "quantity" in err
    assert len(sim_orders(sim)) == before


def test_refused_preview_prints_the_api_answer(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cash = ["--base-url", sim.url, "--account", CASH]
    args = ["order", "confirm", "--symbol", "NVDA", "--action", "sellshort", "--qty", "1"]
    code, answer, err = run_json(capsys, *args, *cash)
    assert code == 1
    assert answer.get("Errors") or answer.get("Error")  # the API's own answer
    assert "Short selling is not allowed" in json.dumps(answer)
    assert "Short selling is not allowed" in err


@pytest.mark.parametrize(
    ("action", "order_type", "tif", "price"),
    [
        ("buy", "limit", "gtc", ["--limit", "400"]),
        ("Buy", "LIMIT", "Day", ["--limit", "400"]),
        ("BUY", "stop-market", "day", ["--stop", "600"]),
        ("buy", "StopMarket", "DAY", ["--stop", "600"]),
        ("buy", "stop_limit", "ioc", ["--stop", "600", "--limit", "601"]),
        ("buy", "market", "gtc", []),
    ],
)
def test_enum_flags_in_any_case(
    base: list[str],
    capsys: pytest.CaptureFixture[str],
    action: str,
    order_type: str,
    tif: str,
    price: list[str],
) -> None:
    args = ["order", "confirm", "--symbol", "MSFT", "--qty", "1", "--action", action]
    code, answer, err = run_json(capsys, *args, "--type", order_type, "--tif", tif, *price, *base)
    assert code == 0, err
    (confirmation,) = answer["Confirmations"]
    assert confirmation["SummaryMessage"].startswith("BUY 1 MSFT")


@pytest.mark.parametrize(
    ("flag", "value", "valid"),
    [
        ("--type", "bogus", "Market, Limit, StopMarket, StopLimit"),
        ("--action", "purchase", "BUY, SELL, SELLSHORT, BUYTOCOVER"),
        ("--tif", "forever", "DAY, DYP, GTC"),
    ],
)
def test_a_wrong_enum_names_the_valid_ones(
    base: list[str], capsys: pytest.CaptureFixture[str], flag: str, value: str, valid: str
) -> None:
    args = {"--type": "Market", "--action": "BUY", "--tif": "DAY"} | {flag: value}
    argv = ["order", "confirm", "--symbol", "MSFT", "--qty", "1"]
    argv += [item for pair in args.items() for item in pair]
    assert main([*argv, *base]) == 2
    err = capsys.readouterr().err
    assert value in err and valid in err
    code, error, err = run_json(capsys, *argv, *base)  # and as an error object with --json
    assert code == 2 and error["Error"] == "UsageError" and valid in error["Message"]
    assert "usage:" in err


def test_bar_unit_any_case(base: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, body, _ = run_json(
        capsys, "get", "bars", "MSFT", "--unit", "daily", "--barsback", "2", *base
    )
    assert code == 0 and len(body["Bars"]) == 2


def test_replace_and_cancel_answers_and_prompt(
    base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    order = ["--symbol", "MSFT", "--action", "buy", "--qty", "2", "--type", "limit"]
    code, answer, err = run_json(capsys, "order", "place", *order, "--limit", "400", "--yes", *base)
    assert code == 0, err
    order_id = answer["Orders"][0]["OrderID"]
    # No terminal: the question is printed (readable) and answered no.
    assert main(["order", "replace", order_id, "--limit", "401.5", "--qty", "3", *base]) == 1
    err = capsys.readouterr().err
    assert f"Replace order {order_id}: quantity 3, limit 401.5?" in err
    assert "{" not in err
    code, answer, err = run_json(
        capsys, "order", "replace", order_id, "--limit", "401", "--yes", *base
    )
    assert code == 0, err
    assert answer["OrderID"] == order_id or order_id in json.dumps(answer)
    code, answer, err = run_json(capsys, "order", "cancel", order_id, "--yes", *base)
    assert code == 0, err
    assert order_id in json.dumps(answer)


def test_unanswered_question_is_not_sent_object(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(sim_orders(sim))
    order = ["--symbol", "MSFT", "--action", "buy", "--qty", "1"]
    code, error, err = run_json(capsys, "order", "place", *order, *base)  # no --yes, no tty
    assert code == 1 and error["Error"] == "NotSent"
    assert "not sent" in err
    assert len(sim_orders(sim)) == before
