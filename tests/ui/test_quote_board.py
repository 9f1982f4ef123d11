"""The quote board (view 5) against the simulator: quotes stream in and render, cells flash,
sort, filter, add/remove/reorder saved to the config file (the rest of it kept), Enter charts
the row, a highlighted row links its symbol, o/B/S prefill the ticket."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_support import SIZE, rendered_text, wait_for_screen, wait_until

from tstui.config import Settings, load_settings
from tstui.domain.models import Quote
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.chart.screen import ChartScreen
from tstui.ui.views.watchlist.board import (
    REPAINT_INTERVAL_S,
    BoardTable,
    QuoteBoard,
    fit_columns,
)
from tstui.ui.views.watchlist.screen import WatchlistScreen
from tstui.ui.widgets.symbol_search import SymbolSearch
from tstui.watchlists import DEMO_SYMBOLS

pytestmark = pytest.mark.anyio

USER_FILE = """\
# my settings
theme = "tstui-dark"  # keep me

[watchlists]
active = "main"

[watchlists.lists]
main = ["MSFT", "AAPL", "@ES", "SPY"]
other = ["NVDA"]

# chart periods
[chart]
sma_period = 30
"""


@pytest.fixture
def config_file(signed_in: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    file_settings = load_settings(path)
    return replace(signed_in, watchlists=file_settings.watchlists, config_file=path), path


async def open_board(app: TstuiApp, pilot: Pilot[Any]) -> QuoteBoard:
    await wait_until(pilot, lambda: bool(app.live.accounts), 15, "accounts")
    await pilot.press("5")
    screen = await wait_for_screen(app, pilot, WatchlistScreen)
    board = screen.board
    await wait_until(
        pilot,
        lambda: (
            all(r.quote is not None for r in board.table.rows)
            and len(board.table.rows) == len(board.symbols)
        ),
        10,
        "quotes on every row",
    )
    return board


def shown_symbols(board: QuoteBoard) -> list[str]:
    return [row.symbol for row in board.table.rows]


async def test_quotes_stream_in_render_and_flash(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        assert shown_symbols(board) == list(DEMO_SYMBOLS)  # the demo list, @ES included
        assert app.live.stream_health["quotes"].state == "live"
        text = rendered_text(board.table)
        assert "Symbol" in text and "Volume" in text and "@ES" in text
        es = app.live.quotes.latest("@ES")
        assert es is not None and es.bid is not None
        assert f"{es.bid:,}" in text

        # a quote moving up flashes its cells up, then the flash goes
        before = board.table.repaint_count
        last = es.last or Decimal(0)
        app.live.quotes.ingest(Quote("@ES", last=last + 1, bid=(es.bid or last) + 1))
        board.flush()  # what the 10 Hz timer does (called here: no race with the flash's end)
        flashes = dict(board._rows["@ES"].flashes)
        assert flashes["last"] == 1 and flashes["bid"] == 1, flashes
        await wait_until(pilot, lambda: board.table.repaint_count > before, 2, "a repaint")
        app.live.quotes.ingest(Quote("@ES", last=last - 1))
        board.flush()
        assert dict(board._rows["@ES"].flashes).get("last") == -1
        cells = board.table.row_cells(board._rows["@ES"])
        assert cells[1][1] == board.table.styles_.flash_down  # Last, in the theme's down colour
        assert board.table.styles_.flash_down.bgcolor is not None
        await wait_until(pilot, lambda: not board._rows["@ES"].flashes, 3, "the flash to end")


async def test_sort_filter_and_narrow_columns(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        await pilot.press("greater_than_sign")  # sort by symbol
        assert board.sort_by == "symbol"
        assert shown_symbols(board) == sorted(DEMO_SYMBOLS)
        await pilot.press("greater_than_sign")  # by last
        lasts = [r.quote.last for r in board.table.rows if r.quote and r.quote.last]
        assert lasts == sorted(lasts) and board.sort_by == "last"
        await pilot.press("tilde")
        lasts = [r.quote.last for r in board.table.rows if r.quote and r.quote.last]
        assert lasts == sorted(lasts, reverse=True)
        assert "Last▼" in rendered_text(board.query_one("#board-title"))

        await pilot.press("slash", "@")
        await wait_until(pilot, lambda: shown_symbols(board) != [], 2)
        assert sorted(shown_symbols(board)) == ["@CL", "@ES", "@GC", "@NQ"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(shown_symbols(board)) == len(DEMO_SYMBOLS) and board.filter_text == ""

    keys = [c.key for c in fit_columns(78)]
    assert keys[:2] == ["symbol", "last"] and {"pct", "bid", "ask"} <= set(keys)
    assert sum(c.width + 1 for c in fit_columns(78)) <= 78


async def test_narrow_terminal_keeps_the_essential_columns(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        await pilot.pause()
        text = rendered_text(board.table)
        header = text.splitlines()[0]
        for label in ("Symbol", "Last", "Chg%", "Bid", "Ask"):
            assert label in header, header
        assert board.table.row_width <= board.table.size.width


async def test_add_remove_reorder_saved_keeping_the_file(
    config_file: tuple[Settings, Path],
) -> None:
    settings, path = config_file
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        assert shown_symbols(board) == ["MSFT", "AAPL", "@ES", "SPY"]

        # add: search as you type, the suggestion list names description and exchange
        await pilot.press("plus")
        search = board.query_one(SymbolSearch)
        await pilot.press(*"nvd")
        await wait_until(pilot, lambda: bool(search.matches), 5, "suggestions")
        await wait_until(pilot, lambda: "NVIDIA" in rendered_text(search.options), 3, "shown")
        assert "NASDAQ" in rendered_text(search.options)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: "NVDA" in shown_symbols(board), 5, "NVDA added")
        await wait_until(pilot, lambda: board._rows["NVDA"].quote is not None, 5, "its quote")
        assert load_settings(path).watchlists.symbols() == ("MSFT", "AAPL", "@ES", "SPY", "NVDA")

        # an unknown symbol is refused with a message, nothing added
        await pilot.press("plus", *"zzzq", "enter")
        await wait_until(pilot, lambda: "Unknown symbol" in search.message, 5, "refusal")
        await pilot.press("escape")
        assert "ZZZQ" not in board.symbols

        # reorder: NVDA (selected after adding) up one
        assert board.selected_symbol == "NVDA"
        await pilot.press("shift+up")
        assert shown_symbols(board) == ["MSFT", "AAPL", "@ES", "NVDA", "SPY"]
        # remove AAPL
        board.table.select_key("AAPL")
        await pilot.press("delete")
        assert shown_symbols(board) == ["MSFT", "@ES", "NVDA", "SPY"]
        # the other list
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: shown_symbols(board) == ["NVDA"], 5, "the other list")

    saved = load_settings(path)
    assert saved.watchlists.active == "other"
    assert saved.watchlists.symbols("main") == ("MSFT", "@ES", "NVDA", "SPY")
    text = path.read_text()
    for kept in ("# my settings", 'theme = "tstui-dark"  # keep me', "# chart periods"):
        assert kept in text
    assert saved.chart.sma_period == 30


async def test_opening_the_board_follows_the_link_and_sets_none(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.live.accounts), 15, "accounts")
        app.live.link_symbol("SPY")
        board = await open_board(app, pilot)
        await wait_until(pilot, lambda: board.selected_symbol == "SPY", 3, "cursor on SPY")
        await pilot.pause(0.3)
        assert app.live.current_symbol == "SPY"  # filling the table linked nothing
        app.live.link_symbol("@NQ")  # linked elsewhere: the board's cursor follows
        await wait_until(pilot, lambda: board.selected_symbol == "@NQ", 3, "cursor on @NQ")


async def test_enter_charts_highlight_links_and_ticket_prefill(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        table = board.query_one(BoardTable)
        table.focus()
        await pilot.pause(0.3)
        assert app.live.current_symbol is None  # opening the board links nothing
        await pilot.press("down")  # AAPL
        await wait_until(pilot, lambda: app.live.current_symbol == "AAPL", 2, "linked")

        # B: buy at the ask, S: sell at the bid, o: the last
        quote = app.live.quotes.latest("AAPL")
        assert quote is not None
        for key, price in (("B", quote.ask), ("S", quote.bid), ("o", quote.last)):
            await pilot.press(key)
            ticket = await wait_for_screen(app, pilot, OrderTicket)
            fields = ticket.form.fields()
            assert fields.symbol == "AAPL" and fields.order_type == "Limit"
            fresh = board._shown["AAPL"]
            wanted = {"B": fresh.ask, "S": fresh.bid, "o": fresh.last}[key]
            assert fields.limit_price in (str(wanted), str(price)), (key, fields)
            await pilot.press("escape")
            await wait_for_screen(app, pilot, WatchlistScreen)

        # @ES trades its current contract
        table.select_key("@ES")
        await pilot.pause(0.2)
        prefill = board.ticket_prefill("buy")
        assert prefill is not None and prefill.symbol.startswith("ES")

        # Enter charts the row
        table.focus()
        table.select_key("SPY")
        await pilot.press("enter")
        chart = await wait_for_screen(app, pilot, ChartScreen)
        assert chart.request.symbol == "SPY" and app.live.current_symbol == "SPY"


async def test_repaints_stay_under_ten_a_second_at_high_quote_rates(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        table = board.table
        hub = app.live.quotes
        start_paints, start = table.repaint_count, time.perf_counter()
        price = Decimal(100)
        while time.perf_counter() - start < 1.5:
            for symbol in DEMO_SYMBOLS:
                price += Decimal("0.01")
                hub.ingest(Quote(symbol, last=price, bid=price, ask=price + 1))
            await pilot.pause(0.005)
        elapsed = time.perf_counter() - start
        paints = table.repaint_count - start_paints
        assert paints >= 2, paints  # it does repaint while quotes flow
        assert paints / elapsed <= 1 / REPAINT_INTERVAL_S + 1, (paints, elapsed)


async def test_a_filter_that_looks_like_markup_is_shown_literally(signed_in: Settings) -> None:
    """Typed text in the title is literal: "[/x]" once ended the app (a markup error)."""
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(app, pilot)
        await pilot.press("slash", "left_square_bracket", "slash", "x", "right_square_bracket")
        await wait_until(pilot, lambda: board.filter_text == "[/x]", 2, "the filter")
        await pilot.pause()
        assert "[/x]" in rendered_text(board.query_one("#board-title"))
    assert app.return_code in (None, 0)
