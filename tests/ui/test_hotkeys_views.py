"""One-key trading from the real views: the app binds the keys once; the positions view
offers its selected position, and a view without a selection says where the keys work."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from test_hotkeys import notified, one_key, recording_app
from ui_support import MARGIN, SIZE, sim_orders, started, wait_for_screen, wait_until

from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.positions.screen import PositionsScreen
from tstui.ui.views.watchlist.screen import WatchlistScreen

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def test_flatten_from_the_positions_view_previews_the_selected_position(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(one_key(settings, policy="always"))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        await pilot.press("alt+b")  # the overview offers no row
        await wait_until(pilot, lambda: notified(app, "One-key trading works from"), 5)

        await pilot.press("2")
        screen = await wait_for_screen(app, pilot, PositionsScreen)
        await wait_until(pilot, lambda: screen.selected_position is not None, 10, "a position")
        position = screen.selected_position
        assert position is not None and position.quantity
        before = len(sim_orders(sim.url, MARGIN))
        await pilot.press("alt+x")
        ticket = await wait_for_screen(app, pilot, OrderTicket)
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        fields = ticket.form.fields()
        assert fields.symbol == position.symbol
        assert fields.account == position.account_id
        assert Decimal(fields.quantity) == abs(Decimal(position.quantity))
        assert fields.action == ("SELL" if Decimal(position.quantity) > 0 else "BUYTOCOVER")
        assert len(sim_orders(sim.url, MARGIN)) == before  # "always": a person sends
        await pilot.press("escape")
        await app.live.disconnect()


async def test_buy_from_the_board_previews_the_row_at_its_ask(
    sim: SimServer, settings: Settings
) -> None:
    app = recording_app(one_key(settings, policy="always"))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        await pilot.press("5")
        screen = await wait_for_screen(app, pilot, WatchlistScreen)
        board = screen.board
        await wait_until(
            pilot, lambda: board.selected_symbol is not None and board.table.rows, 10, "rows"
        )
        await wait_until(pilot, lambda: app.live.quotes.latest("MSFT") is not None, 10, "quotes")
        board.table.move_cursor([r.symbol for r in board.table.rows].index("MSFT"))
        await pilot.pause()
        await pilot.press("alt+b")
        ticket = await wait_for_screen(app, pilot, OrderTicket)
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        fields = ticket.form.fields()
        assert (fields.symbol, fields.action, fields.order_type) == ("MSFT", "BUY", "Limit")
        await pilot.press("escape")
        await app.live.disconnect()


async def test_an_env_switch_during_a_one_key_action_sends_nothing(
    sim: SimServer, settings: Settings
) -> None:
    """SIM's hotkeys-send never acts on LIVE: the environment is checked after each await."""
    from tstui.ui.trading.service import trading_service

    app = recording_app(one_key(settings, policy="hotkeys-send"))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        await pilot.press("2")
        screen = await wait_for_screen(app, pilot, PositionsScreen)
        await wait_until(pilot, lambda: screen.selected_position is not None, 10, "a position")
        service = trading_service(app)
        load = service.load_symbol

        async def switching(symbol: str) -> Any:
            info = await load(symbol)
            # as a switch would (the base URL stays the loopback simulator)
            app.live.settings = app.live.settings.with_env("live")
            return info

        service.load_symbol = switching  # type: ignore[method-assign]
        before = len(sim_orders(sim.url, MARGIN))
        await pilot.press("alt+x")
        await wait_until(pilot, lambda: notified(app, "environment changed"), 10)
        assert len(sim_orders(sim.url, MARGIN)) == before
        assert not isinstance(app.screen, OrderTicket)
