"""The option chain view on the simulator: centred strikes, expirations, columns, the linked or
typed underlying."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from test_hostile_sim import ALL_HOSTILE, set_hostile
from test_hostile_ui import assert_screen_safe
from textual.pilot import Pilot
from textual.widgets import Input, Static
from ui_support import SIZE, rendered_text, wait_for_screen, wait_until

from tstui.config import Settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.views.options.chain_table import ChainTable
from tstui.ui.views.options.expiration_picker import ExpiryPicker
from tstui.ui.views.options.model import COLUMN_SETS
from tstui.ui.views.options.screen import OptionChainScreen
from tstui.ui.views.options.spread_ticket import SpreadTicket
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


async def open_options(app: TstuiApp, pilot: Pilot[Any]) -> OptionChainScreen:
    await wait_for_screen(app, pilot, OverviewScreen, timeout=15)
    await pilot.press("8")  # view.options
    return await wait_for_screen(app, pilot, OptionChainScreen, lambda s: s.query(ChainTable))


def chain_ready(screen: OptionChainScreen, strikes: int | None = None) -> bool:
    """The chain streams, the underlying's price is known and the window is full."""
    window = screen.table.window
    wanted = 2 * (strikes or screen.prefs.strikes) + 1
    return (
        screen.stream_state == "live"
        and screen.book.underlying_price is not None
        and len(window.rows) == wanted
        and window.atm_index is not None
    )


async def test_chain_shows_strikes_centred_on_the_money(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(app, pilot)
        assert screen.underlying == "MSFT"  # nothing linked, nothing remembered: the default
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the MSFT chain")
        table = screen.table
        window = table.window
        price = screen.book.underlying_price
        assert price is not None and window.atm_index is not None
        strikes = [row.strike for row in window.rows]
        atm = strikes[window.atm_index]
        # the money's row is the strike nearest the price, with as many strikes each side
        assert all(abs(atm - price) <= abs(k - price) for k in strikes)
        assert window.atm_index == screen.prefs.strikes == len(strikes) // 2
        assert all(row.call is not None and row.put is not None for row in window.rows)
        assert table.cursor_strike == atm  # the cursor starts at the money
        shown = rendered_text(table)
        assert "CALLS" in shown and "PUTS" in shown and "►" in shown
        atm_call = window.rows[window.atm_index].call
        assert atm_call is not None and atm_call.symbol.startswith("MSFT ")
        assert atm_call.bid is not None and atm_call.ask is not None
        assert atm_call.bid <= atm_call.ask

        # k cycles the column sets, remembered in the state dir
        await pilot.press("k")
        await wait_until(pilot, lambda: table.columns == COLUMN_SETS[1][1], 5, "columns")
        assert "Delta" in rendered_text(table)
        saved = json.loads((signed_in.state_dir / "options.json").read_text())
        assert saved["columns"] == 1 and saved["underlying"] == "MSFT"

        # - shows fewer strikes each side (the stream restarts with its strikeProximity)
        await pilot.press("minus")
        fewer = screen.prefs.strikes
        assert fewer < 8
        await wait_until(pilot, lambda: chain_ready(screen, fewer), 15, "fewer strikes")

        # ] steps to the next expiration; e lists them
        first = screen.expiration
        assert first is not None and len(screen.expirations) > 1
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: screen.expiration == screen.expirations[1], 5)
        await wait_until(pilot, lambda: chain_ready(screen, fewer), 15, "the next expiration")
        row = screen.table.window.rows[0]
        assert row.call is not None and row.call.expiration == screen.expirations[1].date
        await pilot.press("e")
        picker = await wait_for_screen(app, pilot, ExpiryPicker)
        await pilot.press("up", "enter")  # back to the first one
        await wait_until(pilot, lambda: app.screen is screen, 5)
        assert picker.expirations == screen.expirations
        await wait_until(pilot, lambda: screen.expiration == first, 5)

        # a typed underlying
        await pilot.press("slash")
        field = screen.query_one("#options-symbol", Input)
        field.value = ""
        await pilot.press(*"aapl", "enter")
        await wait_until(pilot, lambda: screen.underlying == "AAPL", 5)
        await wait_until(pilot, lambda: chain_ready(screen, fewer), 15, "the AAPL chain")
        assert app.live.current_symbol == "AAPL"  # linked for the chart, the ladder...
        status = str(screen.query_one("#options-status", Static).content)
        assert "AAPL" in status and "live" in status


async def test_chain_follows_the_linked_symbol(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(app, pilot)
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the MSFT chain")
        app.live.link_symbol("NVDA")
        await wait_until(pilot, lambda: screen.underlying == "NVDA", 5, "the linked symbol")
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the NVDA chain")
        # an option symbol links its underlying
        atm = screen.table.cursor_row()
        assert atm is not None and atm.call is not None
        app.live.link_symbol("SPY 261218C600")
        await wait_until(pilot, lambda: screen.underlying == "SPY", 5, "the option's root")


async def test_an_underlying_without_options_says_so(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(app, pilot)
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the MSFT chain")
        screen.open("NOPE", typed=True)
        await wait_until(pilot, lambda: screen.error is not None, 10, "the refusal")
        assert screen.error is not None and screen.error.startswith("no options for NOPE")
        assert screen.table.window.rows == () and screen.expirations == ()
        status = screen.query_one("#options-status", Static)
        assert status.has_class("-error") and "NOPE" in str(status.content)
        assert app.live.current_symbol != "NOPE"  # not linked: it lists no options
        await pilot.press("e")  # nothing to pick: a note, no picker
        await pilot.pause()
        assert app.screen is screen
        app.live.link_symbol("AAPL")  # the next link moves the chain again
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the AAPL chain")
        assert screen.underlying == "AAPL" and screen.error is None


async def test_hostile_option_text_stays_plain(sim: SimServer, settings: Settings) -> None:
    """Hostile symbols in the chain's frames (and everywhere else): the chain, the spread
    panel and the spread ticket show them made harmless, and the app stays up."""
    set_hostile(sim.url, ALL_HOSTILE)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_options(app, pilot)
        await wait_until(
            pilot, lambda: screen.table.window.atm_index is not None, 15, "a hostile chain"
        )
        assert_screen_safe(app, "options chain")
        await pilot.press("v")
        await wait_until(pilot, lambda: len(screen.spread) == 2, 5, "the vertical")
        assert "T1" in screen.spread[0].symbol  # the server's text did arrive
        await pilot.pause(0.5)
        assert "T1␛" in assert_screen_safe(app, "spread panel")
        await pilot.press("enter")
        await wait_for_screen(app, pilot, SpreadTicket)
        assert "T1␛" in assert_screen_safe(app, "spread ticket")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 5)
        assert app.crash is None


async def test_a_hidden_chain_streams_nothing(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(app, pilot)
        await wait_until(pilot, lambda: chain_ready(screen), 15, "the MSFT chain")
        await pilot.press("e")  # a dialog on top: the chain goes on
        await wait_for_screen(app, pilot, ExpiryPicker)
        assert screen.chain_worker.is_running
        await pilot.press("escape")
        await pilot.press("1")  # another view: the chain stream stops
        await wait_until(pilot, lambda: screen.stream_state == "paused", 5, "paused")
        await wait_until(pilot, lambda: not screen.chain_worker.is_running, 5, "stopped")
        assert screen.table.window.rows  # the last chain stays for the way back
        await pilot.press("8")
        await wait_until(pilot, lambda: chain_ready(screen), 15, "live again")
        assert screen.chain_worker.is_running
