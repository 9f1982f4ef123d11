"""Blotter widget in a tiny host app: rendering, cursor, selection, load time, coalescing."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import anyio
import pytest
from order_factory import T0, filled, order
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES

from tstui.domain.models import Order
from tstui.domain.orders.book import OrderBook, PendingOrder
from tstui.ui.views.orders.blotter import Blotter

pytestmark = pytest.mark.anyio


def make_orders(n: int) -> list[Order]:
    return [order(f"{1000 + i}", opened_date_time=T0 + timedelta(milliseconds=i)) for i in range(n)]


class Host(App[None]):
    def __init__(self, book: OrderBook, flush_interval: float = 0.0) -> None:
        super().__init__()
        self.book = book
        self.flush_interval = flush_interval
        self.highlighted: list[str | None] = []
        self.updated: list[str | None] = []
        self.selected: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield Blotter(self.book, flush_interval=self.flush_interval, id="blotter")

    def on_blotter_row_highlighted(self, message: Blotter.RowHighlighted) -> None:
        self.highlighted.append(message.order_id)

    def on_blotter_row_selected(self, message: Blotter.RowSelected) -> None:
        self.selected.append(message.order_id)

    def on_blotter_selected_order_updated(self, message: Blotter.SelectedOrderUpdated) -> None:
        self.updated.append(message.key)


async def settle(pilot: Pilot[None], blotter: Blotter) -> int:
    """Wait until start-up paints (focus, scrollbars) are over; returns the repaint count."""
    with anyio.fail_after(30):  # only bounds a hang
        while True:
            count = blotter.repaint_count
            await pilot.pause(0.1)
            if blotter.repaint_count == count:
                return count


async def wait_painted(pilot: Pilot[None], blotter: Blotter, after: int, rows: int) -> None:
    with anyio.fail_after(30):  # only bounds a hang
        while blotter.repaint_count <= after or blotter.painted_rows != rows:
            await pilot.pause(0.01)


async def test_rows_render_with_header_and_status_colours() -> None:
    book = OrderBook()
    book.apply_many(make_orders(3))
    book.apply(order("2000", status="REJ", opened_date_time=T0 - timedelta(hours=1)))
    app = Host(book)
    async with app.run_test(size=(160, 20)) as pilot:
        blotter = app.query_one(Blotter)
        blotter.refresh_from_book()
        await wait_painted(pilot, blotter, 0, 4)
        assert "Order ID" in blotter.render_line(0).text
        lines = [blotter.render_line(y).text for y in range(1, 5)]
        assert [line.split()[-1] for line in lines] == ["1002", "1001", "1000", "2000"]
        assert "0/100" in lines[0] and "400" in lines[0] and "Sent" in lines[0]
        working = blotter.get_component_rich_style("blotter--working", partial=True)
        rejected = blotter.get_component_rich_style("blotter--rejected", partial=True)
        assert working.color is not None and rejected.color is not None
        assert working.color != rejected.color
        for theme in BUILTIN_THEMES:  # every built-in theme has the variables we use
            app.theme = theme
            await pilot.pause()
            assert blotter.get_component_rich_style("blotter--rejected", partial=True).color
            assert "1002" in blotter.render_line(1).text


async def test_cursor_keys_and_highlight_messages() -> None:
    book = OrderBook()
    book.apply_many(make_orders(100))
    app = Host(book)
    async with app.run_test(size=(160, 12)) as pilot:
        blotter = app.query_one(Blotter)
        blotter.refresh_from_book()
        blotter.focus()
        await pilot.pause()
        assert blotter.selected_order_id == "1099"
        await pilot.press("down", "down")
        assert blotter.selected_order_id == "1097" and blotter.cursor_row == 2
        await pilot.press("up")
        assert blotter.selected_order_id == "1098"
        await pilot.press("end")
        assert blotter.selected_order_id == "1000" and blotter.cursor_row == 99
        assert blotter.scroll_y > 0
        await pilot.press("home")
        assert blotter.cursor_row == 0 and blotter.scroll_y == 0
        await pilot.press("pagedown")
        assert blotter.cursor_row == blotter.page_height
        await pilot.press("pageup")
        assert blotter.cursor_row == 0
        await pilot.pause()
        assert app.highlighted[:4] == ["1099", "1098", "1097", "1098"]
        assert app.highlighted[-1] == "1099"
        await pilot.press("down", "enter")
        await pilot.click(Blotter, offset=(5, 3))  # the third data row (y=0 is the header)
        await pilot.pause()
        assert app.selected == ["1098"] and blotter.selected_order_id == "1097"


async def test_offscreen_changes_do_not_repaint() -> None:
    book = OrderBook()
    orders = make_orders(500)
    book.apply_many(orders)
    app = Host(book)
    async with app.run_test(size=(160, 20)) as pilot:
        blotter = app.query_one(Blotter)
        blotter.refresh_from_book()
        await wait_painted(pilot, blotter, 0, blotter.page_height)
        painted = await settle(pilot, blotter)
        book.apply(filled(orders[0], "1", "400.00"))  # the oldest order: bottom of the view
        assert blotter.refresh_from_book() is False
        assert blotter.refresh_from_book() is False  # nothing new: one version check
        await pilot.pause(0.05)
        assert blotter.repaint_count == painted
        book.apply(filled(orders[-1], "1", "400.00"))  # the newest: top row
        assert blotter.refresh_from_book() is True
        await pilot.pause(0.05)
        assert blotter.repaint_count > painted
        assert "1/100" in blotter.render_line(1).text


async def test_selection_sticks_to_order_and_updates_are_reported() -> None:
    book = OrderBook()
    orders = make_orders(10)
    book.apply_many(orders)
    app = Host(book)
    async with app.run_test(size=(160, 20)) as pilot:
        blotter = app.query_one(Blotter)
        blotter.refresh_from_book()
        assert blotter.select_key("1005")
        book.apply_many(
            order(f"9{i}", opened_date_time=T0 + timedelta(minutes=1 + i)) for i in range(3)
        )
        book.apply(filled(orders[5], "100", "400.00", status="FLL"))
        blotter.refresh_from_book()
        await pilot.pause()
        assert blotter.selected_order_id == "1005" and blotter.cursor_row == 7
        assert app.updated == ["1005"]
        book.add_pending("c1", PendingOrder("c1", "SIM1000001M", "SPY", Decimal(1), "BUY", T0))
        blotter.refresh_from_book()
        assert blotter.selected_order_id == "1005"
        assert blotter.select_key("pending:c1")
        assert blotter.selected_order_id is None
        row = blotter.render_line(1 + blotter.cursor_row).text
        assert "?c1" in row and "Unknown" in row


async def test_20k_orders_load_quickly() -> None:
    orders = make_orders(20_000)
    book = OrderBook()
    app = Host(book)
    async with app.run_test(size=(160, 40)) as pilot:
        blotter = app.query_one(Blotter)
        await pilot.pause()
        before = blotter.repaint_count
        start = time.perf_counter()
        book.apply_many(orders)
        blotter.refresh_from_book()
        await wait_painted(pilot, blotter, before, blotter.page_height)
        elapsed = blotter.last_paint_at - start
        assert blotter.row_count == 20_000
        assert elapsed < 2.0, elapsed
        assert "20999" in blotter.render_line(1).text


async def test_burst_is_coalesced_into_few_repaints() -> None:
    orders = make_orders(2_000)
    book = OrderBook()
    book.apply_many(orders)
    app = Host(book, flush_interval=0.1)
    async with app.run_test(size=(160, 40)) as pilot:
        blotter = app.query_one(Blotter)
        await wait_painted(pilot, blotter, 0, blotter.page_height)
        before = await settle(pilot, blotter)
        burst_started = time.monotonic()
        for i in range(5_000):
            o = orders[-1 - (i % 30)]  # the visible rows
            book.apply(filled(o, str(1 + i // 30), "400.00"))
            if i % 250 == 0:
                await anyio.sleep(0.005)
        burst_s = time.monotonic() - burst_started
        last = book.get(orders[-1].order_id)
        assert last is not None
        with anyio.fail_after(30):  # only bounds a hang
            while blotter.rows[0] is not last or blotter.repaint_count == before:
                await pilot.pause(0.02)
        await pilot.pause(0.05)
        assert f"{last.filled_quantity}/100" in blotter.render_line(1).text
        # coalesced: at most one repaint per flush interval while the burst lasted (plus the
        # one after it), never one per update; a loaded machine stretches the burst, not the
        # rule (about 10 repaints when the burst takes its usual ~0.5 s)
        repaints = blotter.repaint_count - before
        assert repaints <= burst_s / 0.1 + 5, (repaints, burst_s)
        assert repaints < 5_000 / 30  # fewer repaints than rounds over the visible rows
        # nothing changed: the timer does not repaint
        settled = blotter.repaint_count
        await pilot.pause(0.35)
        assert blotter.repaint_count == settled


async def test_a_change_is_shown_once_the_book_goes_quiet() -> None:
    """The flush interval bounds repaints while the book keeps changing; once it is quiet
    for a tick the last change is shown at once, not an interval later (burst figure)."""
    orders = make_orders(50)
    book = OrderBook()
    book.apply_many(orders)
    app = Host(book, flush_interval=30.0)  # an interval no test waits for
    async with app.run_test(size=(160, 40)) as pilot:
        blotter = app.query_one(Blotter)
        await wait_painted(pilot, blotter, 0, blotter.page_height)
        await settle(pilot, blotter)
        top = orders[-1]
        book.apply(filled(top, "7", "400.00"))
        with anyio.fail_after(10):  # 30 s without the quiet flush
            while blotter.rows[0] is not book.get(top.order_id):
                await pilot.pause(0.02)
        await pilot.pause(0.05)
        assert "7/100" in blotter.render_line(1).text
