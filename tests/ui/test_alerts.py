"""Alerts on the simulator: a resting order that fills is told, a price alert fires once when
the quote crosses it, alerts set from the prompt are saved without losing the rest of the
config, and the panel lists what fired with its time."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from order_factory import order_request
from ui_support import MARGIN, SIZE, recording_app, said, sim_post, started, wait_until

from tstui.config import AlertSettings, Settings, load_settings
from tstui.domain.market.alerts import parse_alert
from tstui.ui.alerts.center import alert_center
from tstui.ui.alerts.panel import AlertsScreen, NewAlertScreen
from tstui.ui.shell.app import TstuiApp

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def told(app: TstuiApp, needle: str) -> list[str]:
    return [message for message in said(app) if needle in message]


async def test_a_resting_order_that_fills_is_told(sim: SimServer, signed_in: Settings) -> None:
    app = recording_app(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        center = alert_center(app)
        await wait_until(pilot, lambda: center._armed, 10, "alerts armed")
        quote = await app.live.api.get_quotes(["NVDA"])
        last = quote.items[0].last
        assert last is not None
        limit = (last - 2).quantize(Decimal("0.01"))
        request = order_request(MARGIN, "NVDA", "BUY", 3, "Limit", limit_price=limit)
        placed = await app.live.api.place_order(request)
        order_id = placed.results[0].order_id if hasattr(placed, "results") else None
        await wait_until(pilot, lambda: app.live.working_count() >= 1, 10, "resting")
        assert not told(app, "Filled")  # resting: nothing to tell yet
        sim_post(sim.url, "/_sim/price", {"symbol": "NVDA", "price": str(limit - 1)})
        await wait_until(pilot, lambda: told(app, "Filled: Buy 3 NVDA"), 10, "fill notice")
        assert any(e.kind == "fill" for e in center.events)
        # one notice per fill, however many frames or reconciles repeat the status
        await pilot.pause(1.0)
        assert len(told(app, "Filled: Buy 3 NVDA")) == 1, order_id
        await app.live.disconnect()


async def test_price_alert_fires_once_when_crossing(sim: SimServer, signed_in: Settings) -> None:
    quote_settings = replace(signed_in, alerts=AlertSettings(bell=True))
    app = recording_app(quote_settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        center = alert_center(app)
        sim_post(sim.url, "/_sim/price", {"symbol": "MSFT", "price": "400"})
        # another pane keeps watching MSFT, so quotes go on after the alert is gone
        unwatch = app.live.quotes.watch(["MSFT"], lambda quote: None)
        assert center.add(parse_alert("MSFT above 410"))
        await wait_until(pilot, lambda: center.last_price("MSFT") == Decimal("400"), 10, "quote")
        sim_post(sim.url, "/_sim/price", {"symbol": "MSFT", "price": "411"})
        await wait_until(pilot, lambda: told(app, "MSFT crossed above 410"), 10, "the alert")
        assert center.alerts == []  # fired: gone
        sim_post(sim.url, "/_sim/price", {"symbol": "MSFT", "price": "405"})
        sim_post(sim.url, "/_sim/price", {"symbol": "MSFT", "price": "412"})
        await wait_until(pilot, lambda: center.last_price("MSFT") == Decimal("412"), 10, "412")
        assert len(told(app, "MSFT crossed above 410")) == 1
        unwatch()
        # the panel lists it with its time
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, AlertsScreen), 5, "the panel")
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        lines = screen.lines()
        assert lines and "price" in lines[0] and "MSFT crossed above 410" in lines[0]
        assert lines[0][:8].count(":") == 2  # HH:MM:SS
        await pilot.press("escape")
        await app.live.disconnect()


async def test_alert_from_the_prompt_is_saved_keeping_the_rest(
    sim: SimServer, signed_in: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'theme = "tstui-light"\n\n[keymap]\n"view.chart" = "g"\n\n'
        '[alerts]\nbell = true\nprice = ["AAPL below 100"]\n',
        encoding="utf-8",
    )
    loaded = load_settings(config)
    assert loaded.alerts.bell and [a.text() for a in loaded.alerts.price] == ["AAPL below 100"]
    app = TstuiApp(replace(signed_in, config_file=config, alerts=loaded.alerts))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app.live.link_symbol("MSFT")
        await pilot.press("exclamation_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, NewAlertScreen), 5, "the prompt")
        prompt = app.screen
        assert isinstance(prompt, NewAlertScreen)
        field = prompt.query_one("#alert-text")
        assert getattr(field, "value", "") == "MSFT above "  # the linked symbol
        await pilot.press("x", "enter")  # a bad one: a message, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, NewAlertScreen)
        await pilot.press("backspace", *"500", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, NewAlertScreen), 5, "set")
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        assert data["alerts"]["price"] == ["AAPL below 100", "MSFT above 500"]
        assert data["alerts"]["bell"] is True
        assert data["theme"] == "tstui-light" and data["keymap"] == {"view.chart": "g"}
        assert [a.text() for a in alert_center(app).alerts] == ["AAPL below 100", "MSFT above 500"]
        await app.live.disconnect()
