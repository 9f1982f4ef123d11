"""`tstui roll` with working orders in the old contract (a GTC stop and a target) and with
limit legs, end to end on the simulator: listed in the plan, moved (cancel + place, each once,
journaled) or cancelled, never resent."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from test_roll_cli import FUT, ROLL_INSTANT, cli, order_count, positions, roll_entries, state, trade

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _credentials(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)


def orders(sim: SimServer) -> dict[str, dict[str, Any]]:
    return {o["OrderID"]: o for o in state(sim)["orders"]}


async def rest(
    sim: SimServer, kind: str, price_flag: str, price: Decimal, action: str = "SELL", qty: int = 2
) -> str:
    """A GTC order resting in ESZ26; its order id."""
    before = set(orders(sim))
    code = await cli(
        sim, "order", "place", "--account", FUT, "--symbol", "ESZ26", "--action", action,
        "--qty", str(qty), "--type", kind, price_flag, str(price), "--tif", "GTC", "--yes",
    )  # fmt: skip
    assert code == 0
    (new,) = set(orders(sim)) - before
    return new


async def es_last(sim: SimServer, symbol: str) -> Decimal:
    import json

    from tstui.cli import main

    args = ["--base-url", sim.url, "get", "quotes", symbol, "--json"]

    def run() -> Decimal:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(args) == 0
        return Decimal(json.loads(out.getvalue())["Quotes"][0]["Last"])

    with anyio.fail_after(20):
        return await anyio.to_thread.run_sync(run)


async def test_working_orders_are_listed_then_moved_to_the_new_contract(
    sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    await trade(sim, "BUY", 2)
    sim.control().set_clock(ROLL_INSTANT)
    old_last = await es_last(sim, "ESZ26")
    stop_id = await rest(sim, "stopmarket", "--stop", old_last - 40)
    target_id = await rest(sim, "limit", "--limit", old_last + 40)
    capsys.readouterr()

    before = order_count(sim)
    assert await cli(sim, "roll", "--account", FUT, "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"working order {stop_id} Sell 2 ESZ26 StopMarket" in out
    assert "keep working in ESZ26" in out and "--working move" in out
    assert await cli(sim, "roll", "--account", FUT, "--dry-run", "--working", "move") == 0
    out = capsys.readouterr().out
    assert f"move:{stop_id} SELL 2 ESH27 StopMarket" in out  # the moved order is previewed
    assert order_count(sim) == before

    assert await cli(sim, "roll", "--account", FUT, "--yes", "--working", "move", timeout=90) == 0
    out = capsys.readouterr().out
    assert f"working order {stop_id}: CAN" in out and f"working order {target_id} moved" in out
    assert positions(sim) == {"ESH27": Decimal(2)}
    now = orders(sim)
    assert now[stop_id]["Status"] == "CAN" and now[target_id]["Status"] == "CAN"
    # The seeded account also rests a Buy 1 limit in ESZ26: it moves along.
    new = [o for oid, o in now.items() if oid not in {stop_id, target_id} and
           o["Legs"][0]["Symbol"] == "ESH27" and o["Status"] in ("ACK", "OPN", "DON") and
           o["Legs"][0]["BuyOrSell"] == "Sell"]  # fmt: skip
    by_type = {o["OrderType"]: o for o in new}
    assert set(by_type) == {"StopMarket", "Limit"}
    new_last = await es_last(sim, "ESH27")
    stop_distance = new_last - Decimal(by_type["StopMarket"]["StopPrice"])
    target_distance = Decimal(by_type["Limit"]["LimitPrice"]) - new_last
    # The same distance from the market as planned (quotes move a little meanwhile).
    assert abs(stop_distance - 40) <= 5 and abs(target_distance - 40) <= 5
    assert all(o["Legs"][0]["QuantityOrdered"] == "2" for o in new)
    # Two legs and three moved orders: nothing sent twice.
    assert order_count(sim) == before + 5
    kinds = [e["kind"] for e in roll_entries(sim_state_dir())]
    assert kinds.count("roll.cancel_working") == 6 and kinds.count("roll.place_working") == 6

    # A second run sends nothing.
    assert await cli(sim, "roll", "--account", FUT, "--yes", "--working", "move") == 0
    assert order_count(sim) == before + 5


def sim_state_dir() -> Any:
    import os
    from pathlib import Path

    return Path(os.environ["TSTUI_STATE_DIR"])


async def test_cancel_working_and_limit_legs(
    sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    await trade(sim, "SELL", 1)
    sim.control().set_clock(ROLL_INSTANT)
    old_last = await es_last(sim, "ESZ26")
    stop_id = await rest(sim, "stopmarket", "--stop", old_last + 30, action="BUY", qty=1)
    before = set(orders(sim))
    argv = ["roll", "--account", FUT, "--yes", "--working", "cancel", "--legs", "limit",
            "--offset-ticks", "8"]  # fmt: skip
    assert await cli(sim, *argv) == 0
    assert positions(sim) == {"ESH27": Decimal(-1)}
    now = orders(sim)
    assert now[stop_id]["Status"] == "CAN"
    legs = [now[oid] for oid in set(now) - before]
    assert sorted(o["OrderType"] for o in legs) == ["Limit", "Limit"]
    assert "cancelled" in capsys.readouterr().out
