"""The roll review modal and the automated roller, on the real simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from order_factory import order_request
from sim_sessions import token_api
from textual.app import App
from textual.widgets import Button
from ui_support import wait_until

from tstui.client.roll_broker import ApiRollBroker, prepare_rolls
from tstui.config import RollSettings
from tstui.domain.models import Position
from tstui.domain.roll import RollOutcome, RollRunnerSettings, build_plan
from tstui.ui.roll.auto import attach_auto_roller, journal_for
from tstui.ui.roll.review import AutoRoller, RollReviewScreen, open_roll_review

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

FUT = "SIM1000002F"
ROLL_INSTANT = "2026-12-11T15:00:00Z"
FAST = RollRunnerSettings(poll_interval_s=0.05, fill_timeout_s=5, verify_timeout_s=5)


@pytest.fixture
async def api(sim: SimServer, sim_settings: Settings) -> AsyncIterator[TradeStationAPI]:
    async with token_api(sim, sim_settings) as api:
        yield api


async def hold(api: TradeStationAPI, action: str, qty: int, symbol: str = "ESZ26") -> None:
    await ApiRollBroker(api).place(order_request(FUT, symbol, action, qty))


def order_count(sim: SimServer) -> int:
    return len(sim.control().get("state")["accounts"][FUT]["orders"])


async def net(api: TradeStationAPI) -> dict[str, Decimal]:
    return dict(await ApiRollBroker(api).net_positions(FUT))


def roller_for(settings: Settings, api: TradeStationAPI, said: list[str], **kw: Any) -> AutoRoller:
    return AutoRoller(
        lambda: settings,
        lambda: api,
        announce=lambda message, severity: said.append(f"{severity}: {message}"),
        runner_settings=FAST,
        **kw,
    )


async def test_auto_roller_rolls_once_when_checked_repeatedly(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    settings = replace(sim_settings, roll=RollSettings(auto_roots=("ES",)))
    await hold(api, "BUY", 2)
    said: list[str] = []
    roller = roller_for(settings, api, said)
    with anyio.fail_after(30):
        assert await roller.check() == []  # ESZ26 is still the front month
        sim.control().set_clock(ROLL_INSTANT)
        before = order_count(sim)
        first, second = await asyncio.gather(roller.check(), roller.check())
        outcomes = first + second
        assert len(outcomes) == 1 and outcomes[0].done  # the overlapping check did nothing
        for _ in range(3):
            assert await roller.check() == []
        # A fresh app (new roller, same journal) does not roll again either.
        assert await roller_for(settings, api, []).check() == []
    assert order_count(sim) == before + 2
    assert await net(api) == {"ESH27": Decimal(2)}
    assert any("close leg filled" in s for s in said)
    assert any("verified" in s for s in said)


async def test_auto_roller_off_by_default_and_in_live(sim_settings: Settings) -> None:
    def no_api() -> TradeStationAPI:
        raise AssertionError("a disabled roller must not touch the API")

    said: list[str] = []
    off = AutoRoller(lambda: sim_settings, no_api, announce=lambda m, s: said.append(m))
    assert not off.enabled and "auto_roots" in (off.disabled_reason() or "")
    assert await off.check() == []
    live = replace(sim_settings, env="live", roll=RollSettings(auto_roots=("ES",)))
    guarded = AutoRoller(lambda: live, no_api, announce=lambda m, s: said.append(m))
    assert not guarded.enabled and "allow_live" in (guarded.disabled_reason() or "")
    assert await guarded.check() == []
    allowed = replace(live, roll=RollSettings(auto_roots=("ES",), allow_live=True))
    assert AutoRoller(lambda: allowed, no_api, announce=lambda m, s: None).enabled
    assert said == []


def test_market_date_change_detection(sim_settings: Settings) -> None:
    days: list[date | None] = [None, date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 11)]
    roller = AutoRoller(
        lambda: sim_settings,
        lambda: None,  # type: ignore[arg-type,return-value]
        announce=lambda m, s: None,
        market_date=lambda: days.pop(0),
    )
    assert [roller.market_date_changed() for _ in range(4)] == [False, False, False, True]


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[RollOutcome | None] = []
        self.notes: list[str] = []

    def notify(self, message: str, **kw: Any) -> None:
        self.notes.append(message)
        super().notify(message, **kw)


async def test_review_modal_previews_then_rolls_step_by_step(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    await hold(api, "SELL", 1)
    sim.control().set_clock(ROLL_INSTANT)
    journal = journal_for(sim_settings)
    work = await prepare_rolls(api, [FUT], ["ES"], journal.entries())
    (plan,) = work.agenda.start
    before = order_count(sim)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = RollReviewScreen(plan, api, journal, settings=FAST)
        await app.push_screen(screen, app.results.append)
        go = screen.query_one("#roll-go", Button)
        await wait_until(pilot, lambda: not go.disabled, 15)
        assert order_count(sim) == before  # previews send nothing
        assert "est. price" in str(screen.query_one("#leg-close").render())
        await pilot.pause()
        body = screen.query_one("#roll-body").region
        for button in screen.query(Button):  # 80x24: both buttons wholly on screen
            assert screen.region.contains_region(button.region), button.id
            assert not body.overlaps(button.region), button.id  # the body scrolls instead
        await pilot.press("f8")  # roll.go
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running, 15)
        assert screen.outcome is not None and screen.outcome.done
        lines = screen.progress_lines
        assert lines.index("placing the close leg") < lines.index("placing the open leg")
        assert lines[-1].startswith("verified")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.results, 15)
    assert app.results[0] is screen.outcome
    assert await net(api) == {"ESH27": Decimal(-1)}
    assert order_count(sim) == before + 2


async def test_review_modal_refused_preview_cannot_send(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    plan = build_plan("SIM1000001M", "ESZ26", "ESH27", Decimal(1), Decimal(0))  # equities acct
    before = order_count(sim)
    app = Host()
    async with app.run_test(size=(110, 40)) as pilot:
        screen = RollReviewScreen(plan, api, journal_for(sim_settings), settings=FAST)
        await app.push_screen(screen, app.results.append)
        await wait_until(pilot, lambda: screen.previews, 15)
        assert screen.query_one("#roll-go", Button).disabled
        assert "PREVIEW REFUSED" in str(screen.query_one("#leg-close").render())
        await pilot.press("f8")  # roll.go: refused, says why, sends nothing
        await pilot.pause()
        assert screen.outcome is None and not screen.running
        assert any("not possible" in note for note in app.notes)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.results, 15)
    assert app.results == [None]
    assert order_count(sim) == before


class FakeLive:
    def __init__(self, settings: Settings, api: TradeStationAPI) -> None:
        self.settings, self.api, self.env = settings, api, settings.env
        self.errors: list[str] = []
        self.positions: dict[str, Position] = {}

    def report_error(self, where: str, exc: BaseException | str) -> None:
        self.errors.append(f"{where}: {exc}")


async def test_open_roll_review_for_a_position(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    await hold(api, "BUY", 1)
    position = Position(position_id="p", account_id=FUT, symbol="ESZ26", quantity=Decimal(1))
    live: Any = FakeLive(sim_settings, api)
    app = Host()
    async with app.run_test(size=(110, 40)) as pilot:
        assert await open_roll_review(app, live, position) is None  # still the front month
        assert await open_roll_review(app, live, None) is None
        sim.control().set_clock(ROLL_INSTANT)
        screen = await open_roll_review(app, live, position)
        assert screen is not None and screen.plan.new_symbol == "ESH27"
        await pilot.pause()
        assert app.screen is screen
    assert live.errors == []


async def test_attached_roller_runs_from_its_timers_once(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    settings = replace(sim_settings, roll=RollSettings(auto_roots=("ES",), check_interval_s=1.0))
    await hold(api, "BUY", 2)
    sim.control().set_clock(ROLL_INSTANT)
    before = order_count(sim)
    live: Any = FakeLive(settings, api)
    app = Host()
    async with app.run_test(size=(110, 40)) as pilot:
        roller = attach_auto_roller(app, live)
        roller.runner_settings = FAST
        await wait_until(pilot, lambda: any("done" in n for n in app.notes), 15)
        checks = roller.checks
        await wait_until(pilot, lambda: roller.checks >= checks + 1, 5)  # the timer again
        await app.workers.wait_for_complete()
    assert order_count(sim) == before + 2
    assert await net(api) == {"ESH27": Decimal(2)}
    assert any(n.startswith("auto roll (start)") for n in app.notes)


async def test_review_modal_working_orders_and_limit_legs(
    sim: SimServer, sim_settings: Settings, api: TradeStationAPI
) -> None:
    """The old contract's working orders are listed with a choice; legs can be Limit."""
    from textual.widgets import Select

    from tstui.domain.orders import OrderRequest, new_order_confirm_id

    await hold(api, "BUY", 1)
    sim.control().set_clock(ROLL_INSTANT)
    (quote,) = (await api.get_quotes(["ESZ26"])).items
    assert quote.last is not None
    stop = OrderRequest(
        account_id=FUT, symbol="ESZ26", quantity=Decimal(1), order_type="StopMarket",
        trade_action="SELL", stop_price=quote.last - 30, duration="GTC",
        order_confirm_id=new_order_confirm_id(),
    )  # fmt: skip
    stop_id = await ApiRollBroker(api).place(stop)
    journal = journal_for(sim_settings)
    work = await prepare_rolls(api, [FUT], ["ES"], journal.entries(), working_action="move")
    (plan,) = work.agenda.start
    assert stop_id in {w.order_id for w in plan.working}
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = RollReviewScreen(plan, api, journal, settings=FAST)
        await app.push_screen(screen, app.results.append)
        go = screen.query_one("#roll-go", Button)
        await wait_until(pilot, lambda: not go.disabled, 15)
        listing = str(screen.query_one("#roll-working-list").render())
        assert f"working order {stop_id}" in listing and "move to ESH27" in listing
        # The user chooses: cancel the working orders, limit legs 4 ticks through the last.
        screen.query_one("#roll-working", Select).value = "cancel"
        await pilot.pause()
        assert "cancel" in str(screen.query_one("#roll-working-list").render())
        assert {w.action for w in screen.plan.working} == {"cancel"}
        screen.query_one("#roll-legs", Select).value = "limit:4"
        await wait_until(pilot, lambda: screen.plan.close_leg.order_type == "Limit", 15)
        await wait_until(pilot, lambda: not go.disabled, 15)
        assert "Limit" in str(screen.query_one("#leg-close").render())
        await pilot.press("f8")
        await wait_until(pilot, lambda: screen.outcome is not None and not screen.running, 20)
        assert screen.outcome is not None and screen.outcome.done, screen.outcome.message
        assert any(
            line.startswith(f"working order {stop_id}: CAN") for line in screen.progress_lines
        )
        assert screen.query_one("#roll-legs", Select).disabled
    assert await net(api) == {"ESH27": Decimal(1)}
    orders = {o.order_id: o for o in (await api.get_orders([FUT])).items}
    assert orders[stop_id].status == "CAN"
