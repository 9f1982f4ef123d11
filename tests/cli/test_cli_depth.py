"""`tstui stream depth SYMBOL [--aggregates] [--levels N]` against the simulator: NDJSON frames
as sent with --json, one readable line per book without it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest
from cli_support import export_seed, ndjson
from sim_tokens import access_token

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def url(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    export_seed(sim, monkeypatch)
    return sim.url


def test_json_is_the_frames_as_sent(
    url: str, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stream", "depth", "MSFT", "--levels", "3", "--json", "--count", "1"]
    assert main([*argv, "--seconds", "15", "--base-url", url]) == 0
    (book,) = ndjson(capsys.readouterr().out)
    # the clock is frozen: the simulator's own first frame is the same book, byte for byte
    token = access_token(sim)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        path = "/v3/marketdata/stream/marketdepth/quotes/MSFT?maxlevels=3"
        with api.stream("GET", path) as response:
            sent = json.loads(next(line for line in response.iter_lines() if line.strip()))
    assert book == sent
    assert len({row["Price"] for row in book["Bids"]}) == 3
    assert all(set(row) >= {"Price", "Size", "OrderCount", "Name"} for row in book["Asks"])


def test_aggregates_human_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["stream", "depth", "@ES", "--aggregates", "--levels", "2", "--count", "1"]
    assert main([*argv, "--base-url", url]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    bids, asks = line.split(" | ")
    bid_prices = [Decimal(cell) for cell in bids.split()[1::2]]
    ask_prices = [Decimal(cell) for cell in asks.split()[1::2]]
    assert bids.startswith("bids ") and asks.startswith("asks ")
    assert bid_prices[0] - bid_prices[1] == Decimal("0.25")  # best first, one tick apart
    assert ask_prices[1] - ask_prices[0] == Decimal("0.25")
    assert ask_prices[0] - bid_prices[0] == Decimal("0.50")  # the sim's spread
    assert all(cell.startswith("x") for cell in bids.split()[2::2])


def test_bad_levels_is_one_clear_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stream", "depth", "MSFT", "--levels", "0", "--base-url", url])
    err = capsys.readouterr().err
    assert code != 0 and "maxlevels" in err and "Traceback" not in err


def test_no_matrix_scope_is_one_line_naming_it(
    url: str, sim: SimServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth = sim.ctx.oauth
    code = oauth.issue_code("http://localhost:3000", "openid offline_access MarketData", None)
    narrow = oauth.exchange_code(code, "http://localhost:3000", None)["refresh_token"]
    monkeypatch.setenv("REFRESH_TOKEN", str(narrow))
    code_ = main(["stream", "depth", "MSFT", "--seconds", "10", "--base-url", url])
    err = capsys.readouterr().err
    assert code_ != 0 and "401" in err and "Matrix scope" in err
    assert "Traceback" not in err
