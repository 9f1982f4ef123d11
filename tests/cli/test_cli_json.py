"""`tstui get ... --json` prints TradeStation's own JSON: the envelope, PascalCase keys,
numbers as strings, one document; merged pages and batches keep every item and every error;
failures print the API's error object (or a local one) and exit non-zero."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest
from cli_support import CASH, FUTURES, MARGIN, access_token, export_seed, run_json, sim_orders

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def url(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    export_seed(sim, monkeypatch)
    return sim.url


def test_envelopes_as_the_api_sends_them(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, _ = run_json(capsys, "get", "accounts", "--base-url", url)
    assert code == 0
    assert set(body) == {"Accounts"}
    assert {a["AccountID"] for a in body["Accounts"]} == {MARGIN, FUTURES, CASH}
    code, body, _ = run_json(capsys, "get", "balances", "--base-url", url)
    assert code == 0 and set(body) <= {"Balances", "Errors"}
    margin = next(b for b in body["Balances"] if b["AccountID"] == MARGIN)
    assert isinstance(margin["Equity"], str) and isinstance(margin["BuyingPower"], str)
    assert "BalanceDetail" in margin  # nested objects kept whole, not flattened or renamed
    code, body, _ = run_json(capsys, "get", "positions", "--account", MARGIN, "--base-url", url)
    assert code == 0
    position = body["Positions"][0]
    assert {"PositionID", "Symbol", "Quantity", "AveragePrice", "LongShort"} <= set(position)
    assert all(not key[0].islower() for key in position)  # PascalCase, never our field names
    code, body, _ = run_json(capsys, "get", "quotes", "MSFT,AAPL", "--base-url", url)
    assert code == 0 and [q["Symbol"] for q in body["Quotes"]] == ["MSFT", "AAPL"]
    code, body, _ = run_json(capsys, "get", "routes", "--base-url", url)
    assert code == 0 and body["Routes"]


def test_the_body_is_printed_exactly(
    sim: SimServer, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the server answered, field for field and in its order (unknown fields kept)."""
    code, body, _ = run_json(capsys, "get", "bars", "MSFT", "--barsback", "3", "--base-url", url)
    assert code == 0
    direct = httpx.get(
        f"{url}/v3/marketdata/barcharts/MSFT",
        params={"unit": "Minute", "interval": "1", "barsback": "3"},
        headers={"Authorization": f"Bearer {access_token(sim)}"},
    ).json()
    assert body == direct
    assert list(body["Bars"][0]) == list(direct["Bars"][0])  # key order as sent


def test_per_item_errors_are_kept(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, err = run_json(
        capsys, "get", "positions", "--account", f"{MARGIN},NOPE123", "--base-url", url
    )
    assert code == 0  # some accounts answered: the refused one is reported, not fatal
    assert body["Positions"] and {p["AccountID"] for p in body["Positions"]} == {MARGIN}
    assert [e["AccountID"] for e in body["Errors"]] == ["NOPE123"]
    assert "NOPE123" in err
    code, body, err = run_json(capsys, "get", "quotes", "MSFT", "NOPE", "--base-url", url)
    assert code == 1  # an asked-for symbol is missing
    assert [q["Symbol"] for q in body["Quotes"]] == ["MSFT"]
    assert [e["Symbol"] for e in body["Errors"]] == ["NOPE"]


def test_pages_merge_into_one_envelope(
    sim: SimServer, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over 600 orders: several pages (NextToken) merged, every order once, no token left."""
    sim.control().post("orders/seed", {"account": CASH, "count": 700})
    expected = {o["OrderID"] for o in sim_orders(sim, CASH)}
    assert len(expected) > 600  # more than one page of the CLI's 600
    code, body, _ = run_json(capsys, "get", "orders", "--account", CASH, "--base-url", url)
    assert code == 0
    ids = [o["OrderID"] for o in body["Orders"]]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert "NextToken" not in body


def test_orders_by_id(sim: SimServer, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, today, _ = run_json(capsys, "get", "orders", "--account", MARGIN, "--base-url", url)
    known = [o["OrderID"] for o in today["Orders"]][:2]
    assert len(known) == 2
    code, body, _ = run_json(
        capsys, "get", "orders", *known, "--account", MARGIN, "--base-url", url
    )
    assert code == 0 and sorted(o["OrderID"] for o in body["Orders"]) == sorted(known)
    since = ("--since", "11-05-2026", "--account", MARGIN, "--base-url", url)
    code, history, _ = run_json(capsys, "get", "historical-orders", *since)
    old_id = history["Orders"][-1]["OrderID"]  # an order of an earlier day
    code, body, _ = run_json(
        capsys,
        "get",
        "historical-orders",
        old_id,
        *since,
    )
    assert code == 0
    assert [o["OrderID"] for o in body["Orders"]] == [old_id]


def test_symbol_lookups(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, _ = run_json(capsys, "get", "cryptopairs", "--base-url", url)
    assert code == 0 and "BTCUSD" in body["SymbolNames"]
    code, body, _ = run_json(capsys, "get", "suggest", "MSF", "--top", "5", "--base-url", url)
    assert code == 0 and isinstance(body, list)  # v2 answers a bare array
    assert any(s["Name"] == "MSFT" for s in body)
    code, body, _ = run_json(capsys, "get", "search", "N=MSFT&C=Stock", "--base-url", url)
    assert code == 0 and [s["Name"] for s in body] == ["MSFT"]
    assert main(["get", "suggest", "MSF", "--base-url", url]) == 0  # and the table for people
    out = capsys.readouterr().out
    assert "MSFT" in out and "Microsoft" in out


def test_api_error_object_and_exit_status(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, err = run_json(
        capsys, "get", "bars", "MSFT", "--barsback", "999999", "--base-url", url
    )
    assert code == 1
    assert set(body) == {"Error", "Message"} and body["Error"] == "BadRequest"
    assert "barsback" in body["Message"]
    assert err.startswith("tstui: ") and len(err.strip().splitlines()) == 1


def test_local_failures_are_error_objects(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, err = run_json(
        capsys, "get", "historical-orders", "--since", "someday", "--base-url", url
    )
    assert code == 1 and body["Error"] == "InvalidValue" and "YYYY-MM-DD" in body["Message"]
    assert len(err.strip().splitlines()) == 1
    code, body, err = run_json(capsys, "get", "accounts", "--base-url", "http://127.0.0.1:9")
    assert code == 1 and body["Error"] == "TransportError"
    assert "Traceback" not in err


def test_no_credentials_is_an_error_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, body, err = run_json(capsys, "get", "accounts", "--base-url", "http://127.0.0.1:9")
    assert code != 0 and body["Error"] and "CLIENT_ID" in body["Message"]
    assert json.dumps(body) and "Traceback" not in err


def test_human_tables_stay(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "balances", "--base-url", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["Account", "Type", "Cash"]
    assert "{" not in out


def test_a_lone_surrogate_in_a_body_still_prints() -> None:
    """JSON may carry "\\ud800"; the printed document stays valid and encodable."""
    from tstui.cli.common import wire_json

    body = json.loads('{"Symbols": [{"Description": "x\\ud800y", "Name": "é"}]}')
    text = wire_json(body)
    text.encode("utf-8")
    assert json.loads(text) == body
    assert wire_json({"Name": "é"}) == '{"Name":"é"}'  # readable when it can be
