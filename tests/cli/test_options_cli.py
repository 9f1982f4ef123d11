"""Options on the command line against the simulator: `get expirations|strikes|spreadtypes|
riskreward`, `stream chain|option-quotes`, and option orders through `order confirm|place`
(`--legs` or `--body` with Legs): the API's JSON as sent with --json, tables and lines for
people, the legs' rules and risk checks before anything is sent."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import MARGIN, export_seed, ndjson, run_json, sim_orders

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

# The simulator's clock starts on 2026-12-01: these MSFT series are listed, strikes every 5.
MONTHLY = "2026-12-18"
CALL_450 = "MSFT 261218C450"
CALL_460 = "MSFT 261218C460"
PUT_430 = "MSFT 261218P430"
PUT_420 = "MSFT 261218P420"
VERTICAL = f"{CALL_450}:1:BUYTOOPEN,{CALL_460}:1:SELLTOOPEN"


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    export_seed(sim, monkeypatch)
    return ["--base-url", sim.url, "--account", MARGIN]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_get_expirations_strikes_and_spread_types(
    base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, body, err = run_json(capsys, "get", "expirations", "MSFT", *base)
    assert code == 0, err
    dates = [e["Date"] for e in body["Expirations"]]
    assert f"{MONTHLY}T00:00:00Z" in dates and dates == sorted(dates)
    code, out, err = run(capsys, "get", "expirations", "MSFT", *base)
    assert code == 0, err
    assert MONTHLY in out and "Monthly" in out and "Weekly" in out

    code, body, err = run_json(
        capsys, "get", "strikes", "MSFT", "--spread-type", "Vertical", "--interval", "2",
        "--expiration", "12/18/2026", *base,
    )  # fmt: skip
    assert code == 0, err
    assert body["SpreadType"] == "Vertical"
    assert all(len(row) == 2 and float(row[1]) - float(row[0]) == 10 for row in body["Strikes"])
    code, out, err = run(capsys, "get", "strikes", "MSFT", "--expiration", MONTHLY, *base)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Single strikes" and lines[1].strip() == "Strike"
    assert any(line.strip() == "450" for line in lines)

    code, out, err = run(capsys, "get", "spreadtypes", *base)
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert rows["Vertical"] == ["yes", "no"] and rows["Calendar"] == ["no", "yes"]
    code, _, err = run(capsys, "get", "strikes", "MSFT", "--expiration", "18.12.2026", *base)
    assert code != 0 and "--expiration '18.12.2026': use YYYY-MM-DD" in err


def test_get_riskreward_from_a_file_or_stdin(
    base: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {
        "SpreadPrice": 2.5,
        "Legs": [
            {"Symbol": CALL_450, "Quantity": 1, "TradeAction": "BUY"},
            {"Symbol": CALL_460, "Quantity": 1, "TradeAction": "SELL"},
        ],
    }
    path = tmp_path / "rr.json"
    path.write_text(json.dumps(body))
    code, answer, err = run_json(capsys, "get", "riskreward", "--body", str(path), *base)
    assert code == 0, err
    assert answer == {
        "MaxGainIsInfinite": False, "AdjustedMaxGain": "750", "MaxLossIsInfinite": False,
        "AdjustedMaxLoss": "-250", "BreakevenPoints": ["452.5"],
    }  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(body)))
    code, out, err = run(capsys, "get", "riskreward", "--body", "-", *base)
    assert code == 0, err
    assert out.splitlines() == ["Max gain     750", "Max loss     -250", "Break-evens  452.5"]
    naked = {"SpreadPrice": 4, "Legs": [{"Symbol": CALL_450, "Quantity": 1, "TradeAction": "SELL"}]}
    path.write_text(json.dumps(naked))
    code, out, err = run(capsys, "get", "riskreward", "--body", str(path), *base)
    assert code == 0, err
    assert "Max loss     unlimited" in out.splitlines()
    # A bad body is refused before anything is sent, naming the field.
    path.write_text(json.dumps({**body, "Legs": [{**body["Legs"][0], "TradeAction": "BUYTOOPEN"}]}))
    code, out, err = run(capsys, "get", "riskreward", "--body", str(path), *base)
    assert code != 0 and out == ""
    assert "--body: Legs[0].TradeAction: use BUY or SELL" in err


def test_stream_chain_as_sent_and_as_lines(
    base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stream", "chain", "MSFT", "--expiration", MONTHLY, "--strikes", "2", *base]
    code, out, err = run(capsys, *argv, "--count", "4", "--seconds", "10", "--json")
    assert code == 0, err
    frames = ndjson(out)
    assert len(frames) == 4
    for frame in frames:  # the Spread objects as the API sent them
        (leg,) = frame["Legs"]
        assert leg["Symbol"].startswith("MSFT 261218") and leg["Expiration"].startswith(MONTHLY)
        assert isinstance(frame["DailyOpenInterest"], int) and isinstance(frame["Bid"], str)
    code, out, err = run(capsys, *argv, "--count", "2", "--seconds", "10", "--side", "Put")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("MSFT 261218P") and " bid " in line and " delta " in line
               for line in lines)  # fmt: skip
    assert "# option chain: connected" in err


def test_stream_option_quotes_of_a_spread(
    base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stream", "option-quotes", "--leg", CALL_450, "--leg", f"{CALL_460}:-1", *base]
    code, out, err = run(capsys, *argv, "--count", "1", "--seconds", "10")
    assert code == 0, err
    (line,) = out.splitlines()
    assert line.startswith(f"+1 {CALL_450} -1 {CALL_460} Call bid ")
    code, out, err = run(capsys, *argv, "--count", "1", "--seconds", "10", "--json")
    assert code == 0, err
    (frame,) = ndjson(out)
    assert [(leg["Symbol"], leg["Ratio"]) for leg in frame["Legs"]] == [
        (CALL_450, 1),
        (CALL_460, -1),
    ]
    code, _, err = run(capsys, "stream", "option-quotes", "--leg", f"{CALL_450}:x", *base)
    assert code != 0 and "the ratio 'x' is not a number" in err


def _orders_of(sim: SimServer) -> list[dict[str, Any]]:
    return sim_orders(sim, MARGIN)


def test_order_confirm_and_place_a_vertical_with_legs(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, body, err = run_json(
        capsys, "order", "confirm", "--legs", VERTICAL, "--limit", "4.10", *base
    )
    assert code == 0, err
    (confirmation,) = body["Confirmations"]  # the API's answer, as sent
    assert {leg["Symbol"] for leg in confirmation["Legs"]} == {CALL_450, CALL_460}
    before = len(_orders_of(sim))
    code, out, err = run(
        capsys, "order", "place", "--legs", VERTICAL, "--limit", "6", "--yes", *base
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        f"Limit at net 6 (debit): BUYTOOPEN 1 {CALL_450} / SELLTOOPEN 1 {CALL_460}"
    )
    assert out.splitlines()[-1].startswith("placed ")
    assert len(_orders_of(sim)) == before + 1  # one package, one order
    code, body, err = run_json(capsys, "get", "positions", *base)
    assert code == 0, err
    held = {p["Symbol"]: p for p in body["Positions"]}
    assert held[CALL_450]["LongShort"] == "Long" and held[CALL_460]["LongShort"] == "Short"
    code, out, err = run(capsys, "get", "orders", *base)
    assert code == 0, err
    assert f"{CALL_450} / {CALL_460}" in out  # a package shows every leg
    code, entries, err = run_json(capsys, "audit", "--kind", "order.place")
    assert code == 0, err
    placed = entries  # one audit entry: the placement
    sent = placed["payload"]["request"]
    assert [leg["Symbol"] for leg in sent["Legs"]] == [CALL_450, CALL_460]
    assert "Symbol" not in sent and sent["LimitPrice"] == "6"


def test_a_single_option_by_symbol_is_sent_as_its_one_leg(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["order", "place", "--symbol", CALL_450, "--action", "buy-to-open", "--qty", "2"]
    code, answer, err = run_json(capsys, *argv, "--type", "Limit", "--limit", "30", "--yes", *base)
    assert code == 0, err
    (result,) = answer["Orders"]
    code, body, err = run_json(capsys, "get", "orders", result["OrderID"], *base)
    (order,) = body["Orders"]
    (leg,) = order["Legs"]
    assert (leg["Symbol"], leg["QuantityOrdered"], leg["BuyOrSell"]) == (CALL_450, "2", "Buy")
    code, entries, err = run_json(capsys, "audit", "--kind", "order.place")
    assert entries["payload"]["request"]["Legs"] == [
        {"Symbol": CALL_450, "Quantity": "2", "TradeAction": "BUYTOOPEN"}
    ]
    # An equity action on a contract is refused before anything is sent.
    before = len(_orders_of(sim))
    code, _, err = run_json(capsys, "order", "place", *argv[2:4], "--action", "BUY", "--qty",
                            "1", "--yes", *base)  # fmt: skip
    assert code != 0 and "Legs[0].TradeAction: BUY is not an option trade action" in err
    assert len(_orders_of(sim)) == before


def test_order_body_with_legs_a_credit_spread(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = {
        "OrderType": "Limit",
        "LimitPrice": "-0.05",  # a credit: sell the higher put, buy the lower
        "TimeInForce": {"Duration": "DAY"},
        "Legs": [
            {"Symbol": PUT_430, "Quantity": "2", "TradeAction": "SellToOpen"},
            {"Symbol": PUT_420, "Quantity": "2", "TradeAction": "BuyToOpen"},
        ],
    }
    path = tmp_path / "spread.json"
    path.write_text(json.dumps(body))
    code, answer, err = run_json(capsys, "order", "place", "--body", str(path), "--yes", *base)
    assert code == 0, err
    (result,) = answer["Orders"]
    order = next(o for o in _orders_of(sim) if o.get("OrderID") == result["OrderID"])
    assert order is not None
    code, positions, err = run_json(capsys, "get", "positions", *base)
    held = {p["Symbol"]: int(p["Quantity"]) for p in positions["Positions"]}
    assert held[PUT_430] == -2 and held[PUT_420] == 2
    # --body holds the whole order: legs flags with it are refused.
    code, _, err = run(capsys, "order", "place", "--body", str(path), "--legs", VERTICAL, *base)
    assert code != 0 and "drop --legs" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--legs", f"{CALL_450}:1:BUY"],
         "error: Legs[0].TradeAction: BUY is not an option trade action"),
        (["--legs", f"{CALL_450}:1:BUYTOOPEN,{CALL_450}:1:SELLTOOPEN"],
         f"error: Legs[1].Symbol: {CALL_450} is already Legs[0]"),
        (["--legs", "MSFT 261120C450:1:BUYTOOPEN"],
         "error: Legs[0].Symbol: MSFT 261120C450 expired on 2026-11-20"),
        (["--legs", f"{CALL_450}:1:BUYTOOPEN,AAPL 261218C200:1:SELLTOOPEN"],
         "error: Legs: All legs trade one underlying (AAPL, MSFT given)"),
        (["--legs", VERTICAL, "--type", "StopMarket", "--stop", "5"],
         "error: OrderType: A multi-leg order is Market or Limit, not StopMarket"),
        (["--legs", f"{CALL_450}:1"], "--legs: Legs[0]: "),
        (["--legs", VERTICAL, "--symbol", "MSFT"], "drop --symbol"),
        (["--legs", VERTICAL, "--type", "Limit"], "--type Limit needs --limit (the net price"),
    ],
)  # fmt: skip
def test_bad_legs_are_refused_before_anything_is_sent(
    sim: SimServer,
    base: list[str],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    before = len(_orders_of(sim))
    code, out, err = run(capsys, "order", "place", *argv, "--yes", *base)
    assert code != 0 and message in err, err
    assert "placed" not in out
    assert len(_orders_of(sim)) == before


def test_risk_for_legs_and_the_package(
    sim: SimServer, base: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A naked short call: the loss is unbounded: a warning (previewed, not blocked).
    code, _, err = run(capsys, "order", "confirm", "--legs", f"{CALL_460}:1:SELLTOOPEN", *base)
    assert code == 0, err
    assert "warning: Legs: The package's loss is unbounded" in err
    # Caps per leg (contracts) and for the package (what it can lose) block the send.
    config = tmp_path / "risk.toml"
    config.write_text("[risk.sim.option]\nmax_quantity = 5\nmax_notional = 1000\n")
    before = len(_orders_of(sim))
    too_many = VERTICAL.replace(":1:", ":6:")
    code, _, err = run(
        capsys, "order", "place", "--legs", too_many, "--limit", "1", "--yes",
        "--config", str(config), *base,
    )  # fmt: skip
    assert code != 0
    assert "error: Legs[0].Quantity: Quantity 6 is above the limit of 5" in err
    assert "error: Legs[1].Quantity: Quantity 6 is above the limit of 5" in err
    code, _, err = run(
        capsys, "order", "place", "--legs", VERTICAL.replace(":1:", ":3:"), "--limit", "4",
        "--yes", "--config", str(config), *base,
    )  # fmt: skip
    assert code != 0
    assert "error: LimitPrice: The package can lose 1,200.00, above the limit of 1,000.00" in err
    # Each leg's notional takes its price from the option market (contracts x price x 100).
    config.write_text("[risk.sim.option]\nmax_notional = 300\n")
    code, _, err = run(
        capsys, "order", "place", "--legs", VERTICAL, "--limit", "2", "--yes",
        "--config", str(config), *base,
    )  # fmt: skip
    assert code != 0
    assert "error: Legs[0].Quantity: Notional " in err and "No price known" not in err
    assert "error: LimitPrice: The package can lose 200.00" not in err  # 200 is within 300
    assert len(_orders_of(sim)) == before


def test_server_text_in_option_output_is_made_safe(capsys: pytest.CaptureFixture[str]) -> None:
    from tstui.cli import options_cmds
    from tstui.domain.options.wire import OptionSpread

    hostile = "MSFT\x1b]0;pwned\x07 261218C450\n\u202e"
    line = options_cmds.spread_line(
        OptionSpread.from_api({"Legs": [{"Symbol": hostile}], "Bid": "1", "Side": "\x1b[2J"})
    )
    assert line is not None and "\x1b" not in line and "\n" not in line and "\u202e" not in line
    assert options_cmds._show("strikes", {"SpreadType": "Fly\x1b[2J\r", "Strikes": [["1"]]}) == 0
    assert options_cmds._show("spreadtypes", {"SpreadTypes": [{"Name": "X\x1b[31m\nY"}]}) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "Y" in out
