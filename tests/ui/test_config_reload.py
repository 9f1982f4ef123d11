"""ctrl+r (config.reload) reaches the trading service: the reloaded file's confirm policy,
presets and risk limits are the ones the next one-key order uses, and the header's one-key
badge follows the policy."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_hotkeys import TargetScreen, notified, recording_app
from textual.widgets import Static
from ui_support import FUTURES, SIZE, sim_orders, started, wait_for_screen, wait_until

from tstui.config import Settings, load_settings
from tstui.ui.trading.service import trading_service
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.trading.types import TradeTarget

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

ALWAYS = """\
[trading.sim]
confirm = "always"
[trading.presets]
future = [1, 2]
"""
ONE_KEY = """\
[trading.sim]
confirm = "hotkeys-send"
[trading.presets]
future = [3, 6]
[risk.sim.future]
max_quantity = 5
"""


async def test_reload_gives_the_trading_service_the_new_policy_and_presets(
    sim: SimServer, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSTUI_STATE_DIR", str(settings.state_dir))  # a reload reads it
    path = tmp_path / "config.toml"
    path.write_text(ALWAYS, encoding="utf-8")
    loaded = load_settings(path)
    app = recording_app(
        replace(settings, config_file=path, trading=loaded.trading, risk=loaded.risk)
    )
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        screen = TargetScreen(TradeTarget("ESZ26"))
        app.push_screen(screen)
        await wait_for_screen(app, pilot, TargetScreen)
        badge = screen.query_one("#hdr-policy", Static)
        assert not badge.display
        before = {o["OrderID"] for o in sim_orders(sim.url, FUTURES)}

        path.write_text(ONE_KEY, encoding="utf-8")
        await pilot.press("ctrl+r")  # config.reload
        await wait_until(pilot, lambda: notified(app, "Reloaded"), 5, "the reload")
        service = trading_service(app)
        assert service.context.settings.confirm_policy == "hotkeys-send"
        limits = service.context.settings.risk_limits
        assert limits.size_limits("FUTURE").max_quantity == Decimal(5)
        assert badge.display and "1-KEY SEND" in str(badge.content)

        await pilot.press("alt+s")  # the new policy sends a clean preview at once
        await wait_until(pilot, lambda: notified(app, "Order: Placed"), 10, "the placement")
        assert not isinstance(app.screen, OrderTicket)
        (order,) = [o for o in sim_orders(sim.url, FUTURES) if o["OrderID"] not in before]
        assert order["Legs"][0]["QuantityOrdered"] == "3"  # the new first future preset
        assert app.live.env == "sim" and app.live.settings.base_url == sim.url  # session kept

        await pilot.press("alt+q")  # preset 6: over the reloaded limit of 5 futures
        await wait_until(pilot, lambda: notified(app, "Quantity preset: 6"), 5, "the preset")
        await pilot.press("alt+s")  # not clean: the ticket opens with the reason, nothing sent
        await wait_for_screen(app, pilot, OrderTicket)
        assert len(sim_orders(sim.url, FUTURES)) == len(before) + 1
        await app.live.disconnect()
