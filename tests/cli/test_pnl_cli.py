"""`tstui pnl` against the simulator's seeded history, checked against figures computed here
from the simulator's own orders by cash flow (no FIFO matching: an independent way)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import CASH, FUTURES, MARGIN, export_seed, run_json

from tstui.cli import main
from tstui.sim.instruments import lookup

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

SIGN = {"Buy": 1, "BuyToCover": 1, "Sell": -1, "SellShort": -1}


@pytest.fixture
def sim() -> Iterator[SimServer]:
    """The simulator on today's date: `tstui pnl` reads the 90 days before the wall clock's
    today, and the seeded history is laid out around the simulator's today."""
    from tstui.sim.server import SimServer

    start = datetime.now(UTC).replace(second=0, microsecond=0)
    with SimServer(seed=7, start=start, speed=0.0, heartbeat_seconds=0.5) as server:
        yield server


@pytest.fixture
def url(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    export_seed(sim, monkeypatch)
    return sim.url


def _when(order: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(order.get("ClosedDateTime") or order["OpenedDateTime"])


def closed_campaigns(sim: SimServer, account: str) -> list[dict[str, Any]]:
    """Each stretch of filled orders of one symbol from flat back to flat: its orders, its
    realized net (cash in - cash out - commissions) and the day it went flat. Only the 90
    days the historical orders endpoint reaches (the simulator holds 120)."""
    state = sim.control().get("state")
    orders: list[dict[str, Any]] = state["accounts"][account]["orders"]
    edge = datetime.fromisoformat(state["now"]).date() - timedelta(days=90)
    filled = sorted(
        (
            o
            for o in orders
            if D(o["Legs"][0]["ExecQuantity"]) > 0
            and datetime.fromisoformat(o["OpenedDateTime"]).date() >= edge
        ),
        key=lambda o: _when(o),
    )
    open_now: dict[str, list[dict[str, Any]]] = defaultdict(list)
    position: dict[str, D] = defaultdict(D)
    campaigns = []
    for order in filled:
        leg = order["Legs"][0]
        symbol = leg["Symbol"]
        position[symbol] += SIGN[leg["BuyOrSell"]] * D(leg["ExecQuantity"])
        open_now[symbol].append(order)
        if position[symbol] == 0:
            chosen = open_now.pop(symbol)
            inst = lookup(symbol, _when(chosen[0]))
            point_value = inst.point_value if inst else D(1)
            net = sum(
                (
                    -SIGN[o["Legs"][0]["BuyOrSell"]]
                    * D(o["Legs"][0]["ExecQuantity"])
                    * D(o["Legs"][0]["ExecutionPrice"])
                    * point_value
                    - D(o["CommissionFee"])
                    for o in chosen
                ),
                D(0),
            )
            campaigns.append(
                {
                    "symbol": symbol,
                    "orders": chosen,
                    "net": net,
                    "day": _when(order).date(),
                    "point_value": point_value,
                }
            )
    return campaigns


def test_totals_per_symbol_match_the_cash_flow_of_the_simulators_fills(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    expected: dict[str, D] = defaultdict(D)
    trades = 0
    for account in (MARGIN, FUTURES):
        for campaign in closed_campaigns(sim, account):
            expected[campaign["symbol"]] += campaign["net"]
            trades += 1
    assert len(expected) >= 8 and any(s.startswith("ES") for s in expected)
    code, body, err = run_json(
        capsys, "pnl", "--by", "symbol", "--account", f"{MARGIN},{FUTURES}", "--base-url", url
    )
    assert code == 0, err
    assert body["By"] == "symbol" and body["Version"] == 1
    got = {row["Symbol"]: D(row["Net"]) for row in body["Rows"]}
    assert got == {s: v.quantize(D("0.01")) for s, v in expected.items()}
    summary = body["Summary"]
    assert D(summary["NetProfit"]) == sum(expected.values(), D(0)).quantize(D("0.01"))
    # FIFO splits a campaign into one trip per (entry, exit) pair: at least one per campaign
    assert summary["Trades"] >= trades and summary["Wins"] + summary["Losses"] <= summary["Trades"]
    assert D(summary["Commission"]) > 0  # futures pay 1.50 a contract a side


def test_a_scale_in_campaign_gives_two_fifo_trips(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hand-matched: two entries, one exit -> (q1 @ p1 -> exit) and (q2 @ p2 -> exit)."""
    campaign = next(
        c
        for c in closed_campaigns(sim, MARGIN)
        if len(c["orders"]) == 3
        and c["orders"][0]["Legs"][0]["BuyOrSell"] == c["orders"][1]["Legs"][0]["BuyOrSell"]
    )
    first, second, exit_ = (o["Legs"][0] for o in campaign["orders"])
    symbol, day = campaign["symbol"], campaign["day"].isoformat()
    code, body, err = run_json(
        capsys, "pnl", "--since", day, "--until", day, "--symbol", symbol, "--account", MARGIN,
        "--base-url", url,
    )  # fmt: skip
    assert code == 0, err
    trips = [r for r in body["Rows"] if r["ExitPrice"] == exit_["ExecutionPrice"]]
    direction = 1 if first["BuyOrSell"] == "Buy" else -1
    expect = [
        (
            leg["ExecQuantity"],
            leg["ExecutionPrice"],
            D(leg["ExecQuantity"])
            * (D(exit_["ExecutionPrice"]) - D(leg["ExecutionPrice"]))
            * direction,
        )
        for leg in (first, second)
    ]
    assert [(t["Quantity"], t["EntryPrice"], D(t["Net"])) for t in trips] == expect
    assert all(t["Side"] == ("Long" if direction > 0 else "Short") for t in trips)
    assert all(r["ExitTime"].startswith(day) for r in body["Rows"])


def test_a_partial_fill_counts_only_what_was_executed(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = next(c for c in closed_campaigns(sim, FUTURES) if c["orders"][0]["Status"] == "FLP")
    entry, exit_ = campaign["orders"]
    leg = entry["Legs"][0]
    assert D(leg["ExecQuantity"]) < D(leg["QuantityOrdered"])
    day = campaign["day"].isoformat()
    code, body, err = run_json(
        capsys, "pnl", "--since", day, "--until", day, "--symbol", campaign["symbol"],
        "--account", FUTURES, "--base-url", url,
    )  # fmt: skip
    assert code == 0, err
    (trip,) = [r for r in body["Rows"] if r["EntryPrice"] == leg["ExecutionPrice"]]
    assert trip["Quantity"] == leg["ExecQuantity"]
    assert D(trip["Commission"]) == D(entry["CommissionFee"]) + D(exit_["CommissionFee"])
    assert D(trip["Net"]) == campaign["net"]
    assert D(trip["PointValue"]) == campaign["point_value"] > 1


def test_by_day_csv_and_the_human_table(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    per_day: dict[date, D] = defaultdict(D)
    mixed: set[date] = set()  # realized on more than one day (scale-out, reversal)
    campaigns = closed_campaigns(sim, FUTURES)
    for campaign in campaigns:
        later = {_when(o).date() for o in campaign["orders"][1:]}  # every possible exit
        if len(later) > 1:
            mixed |= later
        per_day[campaign["day"]] += campaign["net"]
    assert main(["pnl", "--by", "day", "--csv", "--account", FUTURES, "--base-url", url]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["Date", "Trades", "Wins", "Losses", "Gross", "Comm", "Net"]
    got = {date.fromisoformat(r[0]): D(r[6]) for r in rows[1:]}
    assert sum(got.values()) == sum(per_day.values(), D(0)).quantize(D("0.01"))
    plain_days = {d: v.quantize(D("0.01")) for d, v in per_day.items() if d not in mixed}
    assert len(plain_days) > 10
    assert {d: v for d, v in got.items() if d in plain_days} == plain_days
    assert main(["pnl", "--account", FUTURES, "--base-url", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["Account", "Symbol", "Side"]
    assert "Win rate" in out and "Profit factor" in out and "Max drawdown" in out


def test_trade_rows_json_shape_and_open_positions_stay_out(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, body, _ = run_json(capsys, "pnl", "--account", CASH, "--base-url", url)
    # the cash account holds NVDA bought before the history: nothing realized
    assert code == 0 and body["Rows"] == [] and body["Summary"]["Trades"] == 0
    assert body["Summary"]["WinRate"] is None and body["Summary"]["NetProfit"] == "0.00"
    assert body["UnmatchedCloses"] == 0
    # selling those shares closes a position whose entry the 90 days do not hold: no round
    # trip, and no short position made up either
    sell = ["order", "place", "--symbol", "NVDA", "--action", "sell", "--qty", "20"]
    assert main([*sell, "--type", "market", "--yes", "--account", CASH, "--base-url", url]) == 0
    capsys.readouterr()
    code, body, err = run_json(capsys, "pnl", "--account", CASH, "--base-url", url)
    assert code == 0 and body["Rows"] == [] and body["UnmatchedCloses"] == 1
    assert "1 closing fill(s) had no entry" in err
    code, body, _ = run_json(capsys, "pnl", "--account", MARGIN, "--base-url", url)
    row = body["Rows"][0]
    assert set(row) == {
        "AccountID", "Symbol", "Side", "Quantity", "EntryTime", "EntryPrice", "ExitTime",
        "ExitPrice", "PointValue", "Gross", "Commission", "Net", "DurationSeconds",
    }  # fmt: skip
    assert all(isinstance(row[k], str) for k in ("Quantity", "Gross", "Net", "EntryPrice"))
    assert set(body["Summary"]) >= {
        "WinRate",
        "AverageWin",
        "AverageLoss",
        "ProfitFactor",
        "MaxDrawdown",
    }


def test_bad_dates_are_one_line_errors(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, body, err = run_json(capsys, "pnl", "--since", "last week", "--base-url", url)
    assert code == 1 and body["Error"] == "InvalidValue" and "YYYY-MM-DD" in body["Message"]
    assert main(["pnl", "--since", "2026-11-20", "--until", "2026-11-01", "--base-url", url]) == 1
    err = capsys.readouterr().err
    assert "after --until" in err and len(err.strip().splitlines()) == 1


def test_a_reversal_through_flat_in_one_order(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Buy 1, Sell 2 (flat, then short 1), Buy 1: a long trip, then a short trip that was
    opened by the same order that closed the long one."""
    campaign = next(
        c
        for c in closed_campaigns(sim, FUTURES)
        if len(c["orders"]) == 3
        and D(c["orders"][1]["Legs"][0]["ExecQuantity"])
        == 2 * D(c["orders"][0]["Legs"][0]["ExecQuantity"])
        and c["orders"][0]["Legs"][0]["BuyOrSell"] == c["orders"][2]["Legs"][0]["BuyOrSell"]
    )
    first, middle, last = (o["Legs"][0] for o in campaign["orders"])
    day = _when(campaign["orders"][2]).date().isoformat()
    start = _when(campaign["orders"][0]).date().isoformat()
    code, body, err = run_json(
        capsys, "pnl", "--since", start, "--until", day, "--symbol", campaign["symbol"],
        "--account", FUTURES, "--base-url", url,
    )  # fmt: skip
    assert code == 0, err
    rows = [
        r
        for r in body["Rows"]
        if r["EntryPrice"] in (first["ExecutionPrice"], middle["ExecutionPrice"])
        and r["ExitPrice"] in (middle["ExecutionPrice"], last["ExecutionPrice"])
        and r["ExitTime"] in (_iso(campaign["orders"][1]), _iso(campaign["orders"][2]))
    ]
    long_first = first["BuyOrSell"] == "Buy"
    assert [(r["Side"], r["EntryPrice"], r["ExitPrice"], r["Quantity"]) for r in rows] == [
        ("Long" if long_first else "Short", first["ExecutionPrice"], middle["ExecutionPrice"],
         first["ExecQuantity"]),
        ("Short" if long_first else "Long", middle["ExecutionPrice"], last["ExecutionPrice"],
         first["ExecQuantity"]),
    ]  # fmt: skip
    # the middle order's commission is shared by the two trips: together they are the campaign
    assert sum(D(r["Net"]) for r in rows) == campaign["net"].quantize(D("0.01"))


def _iso(order: dict[str, Any]) -> str:
    return _when(order).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_hostile_server_text_stays_harmless(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from test_hostile_sim import ALL_HOSTILE, dangerous, forged_lines, set_hostile

    set_hostile(url, ALL_HOSTILE)  # symbols, among others, carry escapes, bidi, newlines
    for extra in ([], ["--by", "symbol"], ["--csv"]):
        assert main(["pnl", "--account", MARGIN, *extra, "--base-url", url]) == 0, extra
        captured = capsys.readouterr()
        assert "T1" in captured.out, extra  # the hostile symbols did arrive, made visible
        assert dangerous(captured.out + captured.err) == [], extra
        assert forged_lines(captured.out) == [], extra
