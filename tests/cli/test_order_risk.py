"""Risk limits end to end (issue 15): an order that only reduces a position is never blocked
by a size cap; the same order opening a position is; futures are capped in contracts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_support import FUTURES, MARGIN, export_seed, sim_orders

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


@pytest.fixture
def base(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    export_seed(sim, monkeypatch)
    return ["--base-url", sim.url]


def config(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "risk.toml"
    path.write_text(text)
    return ["--config", str(path)]


def order(base: list[str], account: str, symbol: str, action: str, qty: int) -> list[str]:
    return ["order", "place", "--symbol", symbol, "--action", action, "--qty", str(qty),
            "--account", account, "--yes", *base]  # fmt: skip


def test_closing_is_never_size_capped_opening_is(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generous = config(tmp_path, "[risk.sim]\nmax_quantity = 100\n")
    assert main([*order(base, MARGIN, "NVDA", "sellshort", 40), *generous]) == 0
    tight = config(tmp_path, "[risk.sim]\nmax_quantity = 5\n")
    capsys.readouterr()
    before = len(sim_orders(sim))
    # Opening 40 more is above the cap of 5: refused before any request.
    assert main([*order(base, MARGIN, "NVDA", "sellshort", 40), *tight]) == 1
    assert "quantity: Quantity 40 is above the limit of 5" in capsys.readouterr().err
    assert len(sim_orders(sim)) == before
    # Covering the 40 short is a closing order: sent despite the cap.
    assert main([*order(base, MARGIN, "NVDA", "buytocover", 40), *tight]) == 0
    assert len(sim_orders(sim)) == before + 1


def test_futures_caps_count_contracts_not_notional(
    sim: SimServer, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The LIVE defaults' shape in SIM: 500,000 of notional would block a 2-lot ES; the futures
    # table caps contracts instead.
    limits = config(
        tmp_path,
        "[risk.sim]\nmax_quantity = 100\nmax_notional = 500000\n"
        "[risk.sim.future]\nmax_quantity = 2\n",
    )
    held = [p for p in sim.control().get("state")["accounts"][FUTURES]["positions"]
            if p["Symbol"] == "ESZ26"]  # fmt: skip
    assert held == []  # the seed holds no ESZ26: the first buy opens
    assert main([*order(base, FUTURES, "ESZ26", "buy", 2), *limits]) == 0
    assert main([*order(base, FUTURES, "ESZ26", "buy", 3), *limits]) == 1
    assert "above the limit of 2" in capsys.readouterr().err
    # Flattening the 2-lot (and whatever the seed held) is never capped.
    assert main([*order(base, FUTURES, "ESZ26", "sell", 2), *limits]) == 0
