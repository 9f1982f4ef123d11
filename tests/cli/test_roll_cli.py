"""`tstui roll` on the real simulator: the issue-7 walk-through, resume after a crash, a
rejected close, dry runs and second runs that send nothing (the simulator's order count)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from tstui.cli import main

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

FUT = "SIM1000002F"
ROLL_INSTANT = "2026-12-11T15:00:00Z"  # @ES: ESZ26 -> ESH27


@pytest.fixture(autouse=True)
def _credentials(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = sim.credentials
    monkeypatch.setenv("CLIENT_ID", creds.client_id)
    monkeypatch.setenv("CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("REFRESH_TOKEN", creds.refresh_token)


async def cli(sim: SimServer, *argv: str, timeout: float = 20.0) -> int:
    """`tstui --base-url SIM ...` in a worker thread (it runs its own event loop)."""
    args = ["--base-url", sim.url, *argv]
    with anyio.fail_after(timeout):
        return await anyio.to_thread.run_sync(lambda: main(args), abandon_on_cancel=True)


def state(sim: SimServer) -> dict[str, Any]:
    result: dict[str, Any] = sim.control().get("state")["accounts"][FUT]
    return result


def order_count(sim: SimServer) -> int:
    return len(state(sim)["orders"])


def positions(sim: SimServer) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in state(sim)["positions"]:
        qty = Decimal(p["Quantity"])
        out[p["Symbol"]] = -abs(qty) if p.get("LongShort") == "Short" else qty
    return out


async def trade(sim: SimServer, action: str, qty: int, symbol: str = "ESZ26") -> None:
    code = await cli(
        sim, "order", "place", "--account", FUT, "--symbol", symbol, "--action", action,
        "--qty", str(qty), "--yes",
    )  # fmt: skip
    assert code == 0


def roll_entries(sim_state_dir: Any) -> list[dict[str, Any]]:
    from tstui.audit import AuditLog

    return [e for e in AuditLog.in_dir(sim_state_dir).entries() if e["kind"].startswith("roll.")]


async def test_issue_walkthrough_long_two(
    sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    await trade(sim, "BUY", 2)
    assert positions(sim) == {"ESZ26": Decimal(2)}
    sim.control().set_clock(ROLL_INSTANT)

    before = order_count(sim)
    assert await cli(sim, "roll", "--account", FUT, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "ESZ26 -> ESH27" in out and "dry run: nothing was sent" in out
    assert "SELL 2 ESZ26" in out and "BUY 2 ESH27" in out  # both legs' previews
    assert order_count(sim) == before

    assert await cli(sim, "roll", "--account", FUT, "--yes") == 0
    out = capsys.readouterr().out
    assert "close leg filled" in out and "open leg filled" in out and "verified" in out
    assert positions(sim) == {"ESH27": Decimal(2)}
    assert order_count(sim) == before + 2

    # A second run (and a dry run) find nothing to do and send nothing.
    assert await cli(sim, "roll", "--account", FUT, "--yes") == 0
    assert await cli(sim, "roll", "--dry-run") == 0  # default: every futures account
    assert "nothing to roll" in capsys.readouterr().out
    assert order_count(sim) == before + 2


async def test_short_position_rolls_short(sim: SimServer) -> None:
    await trade(sim, "SELL", 3)
    sim.control().set_clock(ROLL_INSTANT)
    assert await cli(sim, "roll", "--root", "ES", "--yes") == 0
    assert positions(sim) == {"ESH27": Decimal(-3)}


async def test_long_and_short_in_one_run(sim: SimServer) -> None:
    await trade(sim, "BUY", 2, "ESZ26")
    await trade(sim, "SELL", 1, "NQZ26")
    sim.control().set_clock(ROLL_INSTANT)
    assert await cli(sim, "roll", "--yes") == 0
    assert positions(sim) == {"ESH27": Decimal(2), "NQH27": Decimal(-1)}


async def test_without_yes_and_no_terminal_nothing_is_sent(sim: SimServer) -> None:
    await trade(sim, "BUY", 1)
    sim.control().set_clock(ROLL_INSTANT)
    before = order_count(sim)
    assert await cli(sim, "roll", "--account", FUT) == 1  # asks; no terminal answers no
    assert order_count(sim) == before
    assert positions(sim) == {"ESZ26": Decimal(1)}


async def test_other_root_filter_leaves_es_alone(sim: SimServer) -> None:
    await trade(sim, "BUY", 1)
    sim.control().set_clock(ROLL_INSTANT)
    before = order_count(sim)
    assert await cli(sim, "roll", "--root", "NQ", "--yes") == 0
    assert order_count(sim) == before


class Killed(BaseException):
    """Stands for the process dying: nothing may catch it."""


async def test_crash_after_close_fill_resumes_without_resending_close(
    sim: SimServer, sim_settings: Any
) -> None:
    from tstui.client.roll_broker import ApiRollBroker, AuditJournal, prepare_rolls
    from tstui.client.session import Session
    from tstui.domain.roll import RollRunner, RollRunnerSettings

    await trade(sim, "BUY", 2)
    sim.control().set_clock(ROLL_INSTANT)
    before = order_count(sim)
    journal = AuditJournal.in_dir(
        sim_settings.state_dir, env="sim", scope=sim_settings.endpoints.api_base
    )

    def die_after_close_fill(entry: dict[str, Any]) -> None:
        if entry["step"] == "close_fill" and entry["phase"] == "after":
            raise Killed

    with anyio.fail_after(20):
        async with Session.open(sim_settings) as session:
            work = await prepare_rolls(session.api, [FUT], None, journal.entries())
            (plan,) = work.agenda.start
            runner = RollRunner(
                ApiRollBroker(session.api),
                journal,
                plan,
                settings=RollRunnerSettings(poll_interval_s=0.05, fill_timeout_s=5),
                on_entry=die_after_close_fill,
            )
            with pytest.raises(Killed):
                await runner.run()
    assert positions(sim) == {}  # closed, not yet reopened
    assert order_count(sim) == before + 1

    assert await cli(sim, "roll", "--account", FUT, "--yes") == 0
    assert positions(sim) == {"ESH27": Decimal(2)}
    orders = state(sim)["orders"][before:]
    assert [(o["Legs"][0]["Symbol"], o["Legs"][0]["BuyOrSell"]) for o in orders] == [
        ("ESZ26", "Sell"),
        ("ESH27", "Buy"),
    ]  # the close was sent exactly once
    entries = roll_entries(sim_settings.state_dir)
    steps = [(e["payload"]["step"], e["payload"]["phase"]) for e in entries]
    assert steps.count(("place_close", "before")) == 1
    assert ("verify", "after") in steps


@pytest.fixture
def reject_closes(sim: SimServer) -> Iterator[Callable[[str], None]]:
    """Make the simulator reject placements (not previews) of the given symbol."""
    engine = sim.engine
    original_place = engine.place
    original_rejection = engine._rejection
    rejected: set[str] = set()
    placing = {"now": False}

    def place(intent: Any) -> Any:
        placing["now"] = True
        try:
            return original_place(intent)
        finally:
            placing["now"] = False

    def rejection(account: Any, inst: Any, intent: Any, **options: Any) -> str | None:
        if placing["now"] and intent.symbol in rejected:
            return "Insufficient buying power: requires 999999.00, available 0.00."
        return original_rejection(account, inst, intent, **options)

    engine.place = place  # type: ignore[method-assign]
    engine._rejection = rejection  # type: ignore[method-assign]
    yield rejected.add
    engine.place = original_place  # type: ignore[method-assign]
    engine._rejection = original_rejection  # type: ignore[method-assign]


async def test_rejected_close_stops_and_opens_nothing(
    sim: SimServer, reject_closes: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    await trade(sim, "BUY", 2)
    sim.control().set_clock(ROLL_INSTANT)
    reject_closes("ESZ26")
    before = order_count(sim)
    assert await cli(sim, "roll", "--account", FUT, "--yes") == 1
    err = capsys.readouterr().err
    assert "STOPPED" in err and "close order was rejected" in err
    assert "Insufficient buying power" in err and "nothing was opened in ESH27" in err
    orders = state(sim)["orders"][before:]
    assert [(o["Legs"][0]["Symbol"], o["Status"]) for o in orders] == [("ESZ26", "REJ")]
    assert positions(sim) == {"ESZ26": Decimal(2)}
    # The stopped roll blocks automatic retries: the next run sends nothing and says why.
    assert await cli(sim, "roll", "--account", FUT, "--yes") == 1
    assert "blocked" in capsys.readouterr().out
    assert order_count(sim) == before + 1


async def test_live_needs_confirm_live(sim: SimServer, capsys: pytest.CaptureFixture[str]) -> None:
    await trade(sim, "BUY", 1)
    sim.control().set_clock(ROLL_INSTANT)
    before = order_count(sim)
    assert await cli(sim, "roll", "--env", "live", "--account", FUT, "--yes") == 1
    assert "--confirm-live" in capsys.readouterr().err
    assert order_count(sim) == before
    args = ("roll", "--env", "live", "--account", FUT, "--yes", "--confirm-live")
    assert await cli(sim, *args) == 0
    assert positions(sim) == {"ESH27": Decimal(1)}
