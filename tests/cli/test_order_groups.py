"""`tstui order bracket` and `order confirm|place --body` for groups, OSOs and advanced options,
end to end against the simulator: checked (fields named), previewed, sent once as one group,
audited; `--json` prints the API's answers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import FUTURES, MARGIN, export_seed, run_json, sim_orders

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    export_seed(sim, monkeypatch)
    return ["--base-url", sim.url]


def api_orders(capsys: pytest.CaptureFixture[str], base: list[str], account: str) -> list[Any]:
    code, body, err = run_json(capsys, "get", "orders", *base, "--account", account)
    assert code == 0, err
    orders: list[Any] = body["Orders"]
    return orders


def last_price(capsys: pytest.CaptureFixture[str], base: list[str], symbol: str) -> Decimal:
    code, body, err = run_json(capsys, "get", "quotes", symbol, *base)
    assert code == 0, err
    return Decimal(body["Quotes"][0]["Last"])


def audit(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["audit", "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def write(tmp_path: Path, body: Any) -> str:
    path = tmp_path / "group.json"
    path.write_text(json.dumps(body))
    return str(path)


def es_order(action: str, order_type: str, **prices: str) -> dict[str, Any]:
    body = {
        "AccountID": FUTURES, "Symbol": "ESZ26", "Quantity": "1", "OrderType": order_type,
        "TradeAction": action, "TimeInForce": {"Duration": "GTC"},
    }  # fmt: skip
    body.update(prices)
    return body


def test_bracket_from_tick_offsets_is_placed_as_one_oso(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    last = last_price(capsys, base, "ESZ26")
    before = {o["OrderID"] for o in sim_orders(sim, FUTURES)}
    argv = ["order", "bracket", "--symbol", "ESZ26", "--action", "buy", "--qty", "2",
            "--target-ticks", "8", "--stop-ticks", "6", "--exit-tif", "GTC", "--yes",
            "--account", FUTURES]  # fmt: skip
    code, answer, err = run_json(capsys, *argv, *base)
    assert code == 0, err
    assert answer["Orders"] and all("OrderID" in o for o in answer["Orders"])
    # One request made the entry and (once it filled) its two exits, linked as a bracket.
    orders = [o for o in api_orders(capsys, base, FUTURES) if o["OrderID"] not in before]
    by_type = {o["OrderType"]: o for o in orders}
    assert set(by_type) >= {"Market", "Limit", "StopMarket"}
    target, stop = by_type["Limit"], by_type["StopMarket"]
    assert Decimal(target["LimitPrice"]) > last > Decimal(stop["StopPrice"])
    assert Decimal(target["LimitPrice"]) - Decimal(stop["StopPrice"]) == Decimal("3.5")
    target_links = {(c["Relationship"], c["OrderID"]) for c in target["ConditionalOrders"]}
    assert ("BRK", stop["OrderID"]) in target_links or ("OCO", stop["OrderID"]) in target_links
    # Audited as one order with its OSOs: the sent request is the previewed one.
    entries = audit(capsys)
    previews = [e for e in entries if e["kind"] == "order.preview"]
    sends = [e for e in entries if e["kind"] == "order.place"]
    assert len(sends) == 1 and sends[0]["payload"]["request"] == previews[-1]["payload"]["request"]
    (oso,) = sends[0]["payload"]["request"]["OSOs"]
    assert oso["Type"] == "BRK" and len(oso["Orders"]) == 2
    # Its outcome is on record: the next start finds no unresolved send.
    from tstui.audit import AuditLog
    from tstui.client.intents import unresolved_intents
    from tstui.config import state_dir

    assert unresolved_intents(AuditLog.in_dir(state_dir()).entries(), "sim") == []


def test_bracket_preview_prints_every_order_and_sends_nothing(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(sim_orders(sim, FUTURES))
    argv = ["order", "bracket", "--symbol", "ESZ26", "--action", "sell", "--qty", "1",
            "--type", "limit", "--limit", "7000", "--target-ticks", "8", "--trail-amount", "2",
            "--preview", "--account", FUTURES]  # fmt: skip
    assert main([*argv, *base]) == 0
    out = capsys.readouterr().out
    assert "SELL 1 ESZ26 Limit limit 7000" in out
    assert "then (BRK):" in out
    assert "BUY 1 ESZ26 Limit limit 6998" in out
    assert "BUY 1 ESZ26 StopMarket trailing 2" in out
    assert len(sim_orders(sim, FUTURES)) == before


def test_wrong_side_stop_is_refused_naming_the_field(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(sim_orders(sim, FUTURES))
    argv = ["order", "bracket", "--symbol", "ESZ26", "--action", "buy", "--qty", "1",
            "--type", "limit", "--limit", "4000", "--target-ticks", "8", "--stop-loss", "4001",
            "--yes", "--account", FUTURES]  # fmt: skip
    assert main([*argv, *base]) == 1
    err = capsys.readouterr().err
    assert "OSOs[0].Orders[1].StopPrice: Stop 4001 must be below the entry 4000" in err
    assert "not sent" in err
    assert len(sim_orders(sim, FUTURES)) == before


def test_bracket_flag_mistakes_are_one_line(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["order", "bracket", "--symbol", "ESZ26", "--action", "buy", "--qty", "1",
              "--account", FUTURES, "--yes"]  # fmt: skip
    for extra, says in [
        ([], "a bracket needs"),
        (["--target", "4500", "--target-ticks", "4"], "not both"),
        (["--stop-ticks", "0"], "positive number of ticks"),
        (["--trail-amount", "1", "--trail-percent", "1"], "not both"),
        (["--target", "abc"], "not a number"),
    ]:
        code, error, _ = run_json(capsys, *common, *extra, *base)
        assert code == 1 and says in error["Message"], (extra, error)


def test_oco_group_body_is_confirmed_then_placed_as_one_group(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = last_price(capsys, base, "ESZ26")
    # Long 0: two opening sells far above, one cancels the other.
    body = {"Type": "OCO", "Orders": [
        es_order("SELL", "Limit", LimitPrice=str(last + 100)),
        es_order("SELL", "Limit", LimitPrice=str(last + 120)),
    ]}  # fmt: skip
    path = write(tmp_path, body)
    code, preview, err = run_json(capsys, "order", "confirm", "--body", path, *base)
    assert code == 0, err
    assert len(preview["Confirmations"]) == 2
    before = {o["OrderID"] for o in sim_orders(sim, FUTURES)}
    code, answer, err = run_json(capsys, "order", "place", "--body", path, "--yes", *base)
    assert code == 0, err
    placed = [o["OrderID"] for o in answer["Orders"]]
    assert len(placed) == 2
    assert {o["OrderID"] for o in sim_orders(sim, FUTURES)} - before == set(placed)
    orders = {o["OrderID"]: o for o in api_orders(capsys, base, FUTURES)}
    assert orders[placed[0]]["ConditionalOrders"] == [{"OrderID": placed[1], "Relationship": "OCO"}]
    entries = audit(capsys)
    sends = [e for e in entries if e["kind"] == "order.place"]
    # Journaled as the placement of its first order, the whole group with it.
    assert len(sends) == 1 and sends[0]["payload"]["group"]["Type"] == "OCO"
    first_id = sends[0]["payload"]["request"]["OrderConfirmID"]
    results = [e for e in entries if e["kind"] == "order.place.result"]
    assert results[-1]["payload"]["order_confirm_id"] == first_id
    from tstui.client.intents import unresolved_intents

    assert unresolved_intents(entries, "sim") == []


def test_brk_group_for_a_held_position_with_a_wrong_side_leg_is_refused(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = last_price(capsys, base, "ESZ26")
    assert main(["order", "place", "--symbol", "ESZ26", "--action", "buy", "--qty", "1",
                 "--account", FUTURES, "--yes", *base]) == 0  # fmt: skip
    capsys.readouterr()
    wrong = {"Type": "BRK", "Orders": [
        es_order("SELL", "Limit", LimitPrice=str(last + 20)),
        es_order("SELL", "StopMarket", StopPrice=str(last + 10)),
    ]}  # fmt: skip
    before = len(sim_orders(sim, FUTURES))
    assert main(["order", "place", "--body", write(tmp_path, wrong), "--yes", *base]) == 1
    err = capsys.readouterr().err
    assert "Orders[1].StopPrice: Stop" in err and "below the last price" in err
    assert len(sim_orders(sim, FUTURES)) == before


def test_bracket_for_the_position_held(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Futures short via SELL.
    assert main(["order", "place", "--symbol", "ESZ26", "--action", "sell", "--qty", "2",
                 "--account", FUTURES, "--yes", *base]) == 0  # fmt: skip
    capsys.readouterr()
    before = {o["OrderID"] for o in sim_orders(sim, FUTURES)}
    argv = ["order", "bracket", "--position", "--symbol", "ESZ26", "--target-ticks", "40",
            "--stop-ticks", "40", "--yes", "--account", FUTURES]  # fmt: skip
    code, answer, err = run_json(capsys, *argv, *base)
    assert code == 0, err
    placed = {o["OrderID"] for o in answer["Orders"]}
    assert len(placed) == 2
    new = [o for o in api_orders(capsys, base, FUTURES) if o["OrderID"] in placed]
    assert {o["Legs"][0]["BuyOrSell"] for o in new} == {"Buy"}
    assert {o["OrderType"] for o in new} == {"Limit", "StopMarket"}
    assert {o["OrderID"] for o in sim_orders(sim, FUTURES)} - before == placed


def test_advanced_options_body_trailing_stop(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {**es_order("SELL", "StopMarket"),
            "AdvancedOptions": {"TrailingStop": {"Amount": "5"}}}  # fmt: skip
    code, preview, err = run_json(
        capsys, "order", "confirm", "--body", write(tmp_path, body), *base
    )
    assert code == 0, err
    assert preview["Confirmations"]
    bad = {**body, "AdvancedOptions": {"TrailingStop": {"Amount": "5", "Percent": "1"}}}
    assert main(["order", "place", "--body", write(tmp_path, bad), "--yes", *base]) == 1
    assert "AdvancedOptions.TrailingStop: A trailing stop takes Amount or Percent" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"Type": "OCO", "Orders": [es_order("SELL", "Limit", LimitPrice="7000")]},
         "at least 2 orders"),
        ({"Type": "OCO", "Orders": [es_order("SELL", "Limit", LimitPrice="7000"),
                                    {**es_order("SELL", "Limit", LimitPrice="7100"), "Legs": []}]},
         "Orders[1].Legs: expected a list of legs"),
        ({**es_order("SELL", "Limit", LimitPrice="7000"), "AdvancedOptions": {"PegValue": "MID"}},
         "AdvancedOptions.PegValue: not supported"),
        ({"Type": "NORMAL", "Orders": [{**es_order("SELL", "Limit"), "LimitPrice": "7x"}]},
         "Orders[0].LimitPrice: expected a number"),
    ],
)  # fmt: skip
def test_group_bodies_that_are_refused_send_nothing(
    sim: SimServer,
    base: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: Any,
    says: str,
) -> None:
    before = len(sim_orders(sim, FUTURES)) + len(sim_orders(sim, MARGIN))
    code, error, err = run_json(
        capsys, "order", "place", "--body", write(tmp_path, body), "--yes", *base
    )
    assert code == 1
    assert error["Error"] == "InvalidValue" and says in error["Message"], error
    assert len(err.strip().splitlines()) == 1
    assert len(sim_orders(sim, FUTURES)) + len(sim_orders(sim, MARGIN)) == before


def test_replacing_one_leg_keeps_the_bracket_in_step_after_a_partial_close(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    held_before = _es_position(capsys, base)
    # Flat first so the numbers are ours, then long 2 with a bracket for the position.
    if held_before:
        action = "sell" if held_before > 0 else "buy"
        assert main(["order", "place", "--symbol", "ESZ26", "--action", action, "--qty",
                     str(abs(held_before)), "--account", FUTURES, "--yes", *base]) == 0  # fmt: skip
    assert main(["order", "place", "--symbol", "ESZ26", "--action", "buy", "--qty", "2",
                 "--account", FUTURES, "--yes", *base]) == 0  # fmt: skip
    capsys.readouterr()
    argv = ["order", "bracket", "--position", "--symbol", "ESZ26", "--target-ticks", "40",
            "--stop-ticks", "40", "--yes", "--account", FUTURES]  # fmt: skip
    code, answer, err = run_json(capsys, *argv, *base)
    assert code == 0, err
    target_id, stop_id = (o["OrderID"] for o in answer["Orders"])
    # One contract is closed outside the bracket: both exits still say 2.
    assert main(["order", "place", "--symbol", "ESZ26", "--action", "sell", "--qty", "1",
                 "--account", FUTURES, "--yes", *base]) == 0  # fmt: skip
    capsys.readouterr()
    orders = {o["OrderID"]: o for o in api_orders(capsys, base, FUTURES)}
    new_stop = Decimal(orders[stop_id]["StopPrice"]) - 1
    code, answer, err = run_json(
        capsys, "order", "replace", stop_id, "--stop", str(new_stop), "--yes", *base
    )
    assert code == 0, err
    assert "keep its exits in step" in err and len(answer["Results"]) == 2
    orders = {o["OrderID"]: o for o in api_orders(capsys, base, FUTURES)}
    assert orders[stop_id]["Legs"][0]["QuantityOrdered"] == "1"
    assert Decimal(orders[stop_id]["StopPrice"]) == new_stop
    assert orders[target_id]["Legs"][0]["QuantityOrdered"] == "1"
    reasons = [e["payload"].get("reason") for e in audit(capsys) if e["kind"] == "order.replace"]
    assert reasons[-2:] == ["your change; 1 left to close", "1 left to close (was 2)"]


def _es_position(capsys: pytest.CaptureFixture[str], base: list[str]) -> int:
    code, body, err = run_json(capsys, "get", "positions", *base, "--account", FUTURES)
    assert code == 0, err
    total = 0
    for p in body["Positions"]:
        if p["Symbol"] == "ESZ26":
            qty = int(Decimal(p["Quantity"]))
            total += -abs(qty) if p.get("LongShort") == "Short" else abs(qty)
    return total


def test_a_group_whose_answer_is_lost_is_found_not_resent(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    last = last_price(capsys, base, "ESZ26")
    body = {"Type": "OCO", "Orders": [
        es_order("SELL", "Limit", LimitPrice=str(last + 100)),
        es_order("SELL", "Limit", LimitPrice=str(last + 120)),
    ]}  # fmt: skip
    before = {o["OrderID"] for o in sim_orders(sim, FUTURES)}
    httpx.post(f"{sim.url}/_sim/faults/reset-after-accept", json={"count": 1})
    code, answer, err = run_json(
        capsys, "order", "place", "--body", write(tmp_path, body), "--yes", *base
    )
    assert code == 0, err
    assert "not resending" in err
    new = {o["OrderID"] for o in sim_orders(sim, FUTURES)} - before
    assert len(new) == 2  # the group reached the simulator once
    assert {o["OrderID"] for o in answer["Orders"]} == new
    from tstui.client.intents import unresolved_intents

    assert unresolved_intents(audit(capsys), "sim") == []
