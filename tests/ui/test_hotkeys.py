"""One-key trading against the simulator: the keys of `hotkey_bindings()` on a screen that
offers a `trade_target()`, the confirm policy ("always" opens the previewing ticket,
"hotkeys-send" places a clean preview at once), presets, flatten, reverse, cancel, audit."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from textual.app import App
from textual.binding import BindingType
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import (
    FUTURES,
    MARGIN,
    SIZE,
    place_enabled,
    sim_orders,
    started,
    text_of,
    wait_for_screen,
    wait_until,
    with_risk,
)

from tstui.config import Settings, TradingSettings, parse_settings
from tstui.domain.models import Position
from tstui.domain.orders.risk import RiskLimits
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.base import BaseScreen
from tstui.ui.trading.hotkeys import hotkey_bindings
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.trading.types import TradeTarget

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


class TargetScreen(BaseScreen):
    """A view offering one row, as the board, the ladder and the positions do."""

    BINDINGS: ClassVar[list[BindingType]] = hotkey_bindings()

    def __init__(self, target: TradeTarget | None) -> None:
        super().__init__()
        self.target = target

    def trade_target(self) -> TradeTarget | None:
        return self.target


def one_key(settings: Settings, **trading: Any) -> Settings:
    policy = trading.pop("policy", "hotkeys-send")
    return replace(
        settings, trading=TradingSettings(confirm={"sim": policy, "live": "always"}, **trading)
    )


def recording_app(settings: Settings) -> TstuiApp:
    """The app, keeping every notification's text (a shown one expires; under load, before
    a check could read it)."""
    app = TstuiApp(settings)
    said: list[str] = []
    shown = app.notify

    def notify(message: Any, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        shown(message, *args, **kwargs)

    app.said = said  # type: ignore[attr-defined]
    app.notify = notify  # type: ignore[method-assign]
    return app


def notified(app: App[Any], text: str) -> bool:
    return any(text in said for said in getattr(app, "said", ()))


def audit(settings: Settings) -> list[dict[str, Any]]:
    lines = (settings.state_dir / "audit.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


async def showing(app: TstuiApp, pilot: Pilot[Any], target: TradeTarget | None) -> TargetScreen:
    await started(app, pilot)
    screen = TargetScreen(target)
    app.push_screen(screen)
    return await wait_for_screen(app, pilot, TargetScreen)


async def test_always_opens_the_previewing_ticket_and_sends_nothing(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(one_key(settings, policy="always"))
    async with app.run_test(size=SIZE) as pilot:
        await showing(app, pilot, TradeTarget("MSFT"))
        before = len(sim_orders(sim.url, MARGIN))
        await pilot.press("alt+b")
        ticket = await wait_for_screen(app, pilot, OrderTicket)
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        fields = ticket.form.fields()
        info = ticket.form.info
        assert info is not None and info.quote is not None and info.quote.ask is not None
        assert (fields.account, fields.symbol, fields.action, fields.quantity) == (
            MARGIN,
            "MSFT",
            "BUY",
            "100",
        )
        assert fields.order_type == "Limit"
        # one tick through the ask (the snapshot the ticket previewed from may have moved on)
        assert Decimal(fields.limit_price) == ticket.preview.request.limit_price
        assert place_enabled(ticket)  # a person presses Place
        assert len(sim_orders(sim.url, MARGIN)) == before  # nothing sent yet
        await pilot.press("escape")
        await app.live.disconnect()
    kinds = [e["kind"] for e in audit(app.live.settings)]
    assert "hotkey.buy" in kinds and "order.preview" in kinds and "order.place" not in kinds


async def test_hotkeys_send_places_a_clean_preview_at_once(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(one_key(settings, tick_offset=2))
    async with app.run_test(size=SIZE) as pilot:
        screen = await showing(app, pilot, TradeTarget("ESZ26"))
        before = {o["OrderID"] for o in sim_orders(sim.url, FUTURES)}
        await pilot.press("alt+q")  # presets: future 1 -> 2
        await wait_until(pilot, lambda: notified(app, "Quantity preset: 2"), 5, "the preset")
        await pilot.press("alt+s")
        await wait_until(pilot, lambda: notified(app, "Order: Placed"), 10, "the placement")
        assert app.screen is screen  # no ticket: the policy sends a clean preview at once
        # the futures account was picked (the margin account cannot trade futures)
        (order,) = [o for o in sim_orders(sim.url, FUTURES) if o["OrderID"] not in before]
        assert (
            order["Legs"][0]["BuyOrSell"] == "Sell" and order["Legs"][0]["QuantityOrdered"] == "2"
        )
        assert order["OrderType"] == "Limit"
        header = screen.query_one("#hdr-policy", Static)
        assert header.display and "1-KEY SEND" in str(header.content)
        await app.live.disconnect()
    kinds = [e["kind"] for e in audit(app.live.settings)]
    assert kinds.index("hotkey.sell") < kinds.index("order.preview") < kinds.index("order.place")
    assert kinds.count("order.place") == 1


async def test_flatten_and_reverse_a_position(sim: SimServer, settings: Settings) -> None:
    app = recording_app(one_key(settings))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await wait_until(
            pilot,
            lambda: any(p.symbol == "MSFT" for p in app.live.positions.values()),
            10,
            "the MSFT position",
        )
        msft = next(p for p in app.live.positions.values() if p.symbol == "MSFT")
        screen = await showing(app, pilot, TradeTarget("MSFT", position=msft))
        seeded = {o["OrderID"] for o in sim_orders(sim.url, MARGIN)}
        await pilot.press("alt+r")  # a stock reverses in two orders: refused, nothing sent
        await wait_until(pilot, lambda: notified(app, "two orders"), 5, "the refusal")
        await pilot.press("alt+x")
        await wait_until(pilot, lambda: notified(app, "Order: Placed"), 10, "the flatten")
        sent = [o for o in sim_orders(sim.url, MARGIN) if o["OrderID"] not in seeded]
        assert [o["Legs"][0]["QuantityOrdered"] for o in sent] == ["100"]
        assert sent[0]["Legs"][0]["BuyOrSell"] == "Sell"
        await wait_until(
            pilot,
            lambda: (
                not any(
                    p.symbol == "MSFT" and p.account_id == MARGIN
                    for p in app.live.positions.values()
                )
            ),
            10,
            "the position closed (a marketable limit fills)",
        )
        # a futures position turns the other way in one order of twice its size
        long_es = Position(
            "es",
            account_id=FUTURES,
            symbol="ESZ26",
            asset_type="FUTURE",
            quantity=Decimal(3),
            long_short="Long",
        )
        screen.target = TradeTarget("ESZ26", position=long_es)
        before = {o["OrderID"] for o in sim_orders(sim.url, FUTURES)}

        def new_orders() -> list[dict[str, Any]]:
            return [o for o in sim_orders(sim.url, FUTURES) if o["OrderID"] not in before]

        await pilot.press("alt+r")
        await wait_until(pilot, lambda: len(new_orders()) == 1, 10, "the reverse order")
        (reverse,) = new_orders()
        assert (reverse["Legs"][0]["BuyOrSell"], reverse["Legs"][0]["QuantityOrdered"]) == (
            "Sell",
            "6",
        )
        await app.live.disconnect()


async def test_hotkeys_send_opens_the_ticket_when_the_preview_is_not_clean(
    sim: SimServer, settings: Settings
) -> None:
    limits = RiskLimits(max_quantity=Decimal(10), duplicate_window_s=0)
    app = recording_app(one_key(with_risk(settings, limits)))
    async with app.run_test(size=SIZE) as pilot:
        await showing(app, pilot, TradeTarget("AAPL"))
        before = len(sim_orders(sim.url, MARGIN))
        await pilot.press("alt+b")  # 100 shares: above the 10-share cap
        ticket = await wait_for_screen(app, pilot, OrderTicket)
        await wait_until(pilot, lambda: "above the limit" in text_of(ticket, "issues"), 10)
        assert notified(app, "Not sent")
        assert not place_enabled(ticket)
        assert len(sim_orders(sim.url, MARGIN)) == before
        await pilot.press("escape")
        await app.live.disconnect()


async def test_cancel_the_symbols_orders_and_no_target(sim: SimServer, settings: Settings) -> None:
    app = recording_app(one_key(settings))
    async with app.run_test(size=SIZE) as pilot:
        screen = await showing(app, pilot, None)
        seeded = {o["OrderID"] for o in sim_orders(sim.url, MARGIN)}
        await pilot.press("alt+b")
        await wait_until(pilot, lambda: notified(app, "Select a symbol first"), 5)
        screen.target = TradeTarget("MSFT", price=Decimal("100.00"))  # a resting buy
        await pilot.press("alt+b")
        await wait_until(pilot, lambda: notified(app, "Order: Placed"), 10, "the order")
        (order,) = [o for o in sim_orders(sim.url, MARGIN) if o["OrderID"] not in seeded]
        await wait_until(
            pilot, lambda: app.live.order_book.get(order["OrderID"]) is not None, 10, "the row"
        )
        await pilot.press("alt+k")
        await wait_until(
            pilot,
            lambda: any(
                o["OrderID"] == order["OrderID"] and o["Status"] in ("CAN", "OUT")
                for o in sim_orders(sim.url, MARGIN)
            ),
            10,
            "the cancel",
        )
        await app.live.disconnect()
    kinds = [e["kind"] for e in audit(app.live.settings)]
    assert "hotkey.cancel" in kinds and "order.cancel" in kinds


def test_live_stays_always_unless_its_own_line_says_otherwise() -> None:
    loose = parse_settings({"trading": {"sim": {"confirm": "hotkeys-send"}}})
    assert loose.confirm_policy == "hotkeys-send"
    assert loose.with_env("live").confirm_policy == "always"
    explicit = parse_settings({"trading": {"live": {"confirm": "hotkeys-send"}}})
    assert explicit.with_env("live").confirm_policy == "hotkeys-send"
    assert parse_settings({}).confirm_policy == "always"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"sim": {"confirm": "never"}}, "trading.sim.confirm"),
        ({"presets": {"future": [0]}}, "trading.presets.future"),
        ({"presets": {"bonds": [1]}}, "trading.presets.bonds"),
        ({"tick_offset": 1.5}, "trading.tick_offset"),
    ],
)
def test_a_bad_trading_table_names_its_key(table: dict[str, Any], key: str) -> None:
    from tstui.config import ConfigError

    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_settings({"trading": table})
