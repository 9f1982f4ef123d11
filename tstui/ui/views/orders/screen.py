"""The Orders view: the live blotter over LiveData's OrderBook, filters, detail, history.

Keys (ids `orders.*`): w/f/n/j/* status group (working, filled, cancelled, rejected, all),
s symbol filter from the selected row (again: off), / search, c cancel selected (a parent
asks whether its OSO children go too), C cancel all working (with the count and progress),
e replace qty/price, h history since a date, r refresh from REST, Esc clears a step (prompt,
search, history, symbol filter). Highlighting a row links its symbol.
The account filter follows the app's account selection (a / A). Stream health and
reconciliation belong to the shell (status bar, LiveData); this screen only shows the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tstui.client.errors import TradeStationError
from tstui.domain.models import Order
from tstui.domain.orders import format_decimal
from tstui.domain.orders.book import BlotterFilter, GroupFilter, OrderBook, PendingOrder
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.bulk_cancel import cancel_progress, request_cancel_many
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.linking import link_row_symbol
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.shell.plain import plain
from tstui.ui.trading.dialogs import (
    request_cancel,
    run_replace,
    trade_action_of,
    working_orders,
)
from tstui.ui.trading.service import trading_service
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.orders.blotter import Blotter
from tstui.ui.views.orders.detail import OrderDetail
from tstui.ui.widgets.steady_input import SteadyInput

__all__ = ["HISTORY_DAYS", "BlotterScreen", "parse_since"]

# The ticket opens from the app's `order.*` keys; importing it here registers its binding ids
# (ticket.*) for the help screen and the [keymap] check when the app starts.
TICKET_SCREEN = OrderTicket

HISTORY_DAYS = 90
_COUNT_WIDTH = 16  # "100000 of 100000": the count box keeps its width as filters change
# The status filters share one compact footer entry ("wfnj* Status"): one each cut the footer.
_SHOW = Binding.Group("Status", compact=True)
_GROUP_LABELS: dict[GroupFilter, str] = {
    "all": "All",
    "working": "Working",
    "filled": "Filled",
    "cancelled": "Cancelled",
    "rejected": "Rejected",
    "pending": "Unknown",
}


def parse_since(text: str, today: date) -> date:
    """A since-date for the history: YYYY-MM-DD or a day count ("7"); at most 90 days back."""
    text = text.strip()
    if text.isdigit():
        since = today - timedelta(days=int(text))
    else:
        try:
            since = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r}: use YYYY-MM-DD or a number of days") from None
    if since > today:
        raise ValueError(f"{since.isoformat()} is in the future")
    if (today - since).days > HISTORY_DAYS:
        earliest = today - timedelta(days=HISTORY_DAYS)
        raise ValueError(f"at most {HISTORY_DAYS} days back (earliest {earliest.isoformat()})")
    return since


class BlotterScreen(BaseScreen):
    VIEW = "orders"
    TITLE = "Orders"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "group('working')", "Working", group=_SHOW, id="orders.working"),
        Binding("f", "group('filled')", "Filled", group=_SHOW, id="orders.filled"),
        Binding("n", "group('cancelled')", "Cancelled", group=_SHOW, id="orders.cancelled"),
        # r is refresh/reload wherever it exists; rejected is j ("re-j-ected")
        Binding("j", "group('rejected')", "Rejected", group=_SHOW, id="orders.rejected"),
        Binding("asterisk", "group('all')", "All", group=_SHOW, id="orders.all"),
        Binding("s", "symbol_filter", "Symbol", id="orders.symbol"),
        Binding("slash", "search", "Search", id="orders.search"),
        Binding("c", "cancel_selected", "Cancel", id="orders.cancel"),
        Binding("C", "cancel_all", "Cancel all", id="orders.cancel_all"),
        Binding("e", "replace", "Replace", id="orders.replace"),
        Binding("h", "history", "History", id="orders.history"),
        Binding("r", "reconcile", "Refresh", show=False, id="orders.refresh"),
        Binding("escape", "clear", "Clear", show=False, id="orders.clear"),
    ]
    DEFAULT_CSS = """
    BlotterScreen #blotter-bar { height: 1; padding: 0 1; background: $panel; }
    BlotterScreen #blotter-filters { width: 1fr; }
    BlotterScreen #blotter-count { width: auto; color: $text-muted; }
    BlotterScreen #blotter-prompt { display: none; }
    BlotterScreen #blotter-prompt.-shown { display: block; }
    BlotterScreen .-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.group: GroupFilter = "all"
        self.symbol: str | None = None
        self.search = ""
        self.history_book: OrderBook | None = None
        self.history_since: date | None = None
        self._prompt_for: str = ""
        self._bar = ("", "")  # the filters and count texts shown

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="blotter-bar"):
            yield Static("", id="blotter-filters")
            yield Static("", id="blotter-count")
        yield SteadyInput(id="blotter-prompt", compact=True)
        yield Blotter(None, id="blotter")
        yield Blotter(None, id="history", flush_interval=0, classes="-hidden")
        yield OrderDetail(id="order-detail")

    def on_mount(self) -> None:
        if not self.app.is_running:
            return  # closed with the app while mounting (built ahead, or the key before a quit)
        self._bind_book()
        self.query_one("#blotter", Blotter).focus()
        self.live.changed.subscribe(self, self._live_changed)

    def _live_changed(self, what: str) -> None:
        if what == "cancel":
            progress = cancel_progress(self.app)
            ids = frozenset(progress.requested) if progress is not None else frozenset()
            self.blotter.mark_cancel_sent(ids)

    # ------------------------------------------------------------------ data
    @property
    def blotter(self) -> Blotter:
        return self.query_one("#blotter", Blotter)

    @property
    def showing_history(self) -> bool:
        return not self.query_one("#history", Blotter).has_class("-hidden")

    def _active(self) -> Blotter:
        return self.query_one("#history" if self.showing_history else "#blotter", Blotter)

    def _bind_book(self) -> None:
        """(Re)attach the live book (LiveData replaces it on an env switch) and apply filters."""
        blotter = self.blotter
        if blotter.book is not self.live.order_book:
            blotter.book = self.live.order_book
        self._apply_filter()

    def _filter(self) -> BlotterFilter:
        return BlotterFilter(
            group=self.group,
            symbol=self.symbol,
            account=self.live.current_account,
            search=self.search,
        )

    def _apply_filter(self) -> None:
        flt = self._filter()
        for book in (self.live.order_book, self.history_book):
            if book is not None:
                book.set_filter(flt)
        self._active().refresh_from_book()
        self._show_bar()
        self._show_detail()

    def _show_bar(self) -> None:
        flt = self._filter()
        parts = [_GROUP_LABELS[flt.group]]
        parts.append(f"symbol {flt.symbol or 'any'}")
        parts.append(f"account {flt.account or 'all'}")
        if flt.search:
            parts.append(f"search '{flt.search}'")
        if self.showing_history and self.history_since is not None:
            parts.insert(0, f"HISTORY since {self.history_since.isoformat()}")
        filters = "  ·  ".join(parts)
        book = self._active().book
        shown = len(book.view()) if book is not None else 0
        total = (len(book) + book.pending_count) if book is not None else 0
        count = f"{shown} of {total}".rjust(_COUNT_WIDTH)  # one width: no layout pass
        # Every flush passes here: a bar that did not change is not redrawn, and only the
        # count's width (an auto-width box) needs a layout pass of the screen.
        if filters != self._bar[0]:
            self.query_one("#blotter-filters", Static).update(plain(filters), layout=False)
        if count != self._bar[1]:
            relayout = len(count) != len(self._bar[1])
            self.query_one("#blotter-count", Static).update(count, layout=relayout)
        self._bar = (filters, count)

    def _show_detail(self) -> None:
        blotter = self._active()
        row = blotter.selected_row
        book = blotter.book
        detail = self.query_one(OrderDetail)
        if isinstance(row, Order) and book is not None:
            detail.show(row, book.fills_for(row.order_id))
        else:
            detail.show(row if isinstance(row, PendingOrder) else None)

    def on_books_changed(self, message: BooksChanged) -> None:
        if message.full or self.blotter.book is not self.live.order_book:
            self._bind_book()
            return
        self.blotter.refresh_from_book()
        self._show_bar()
        selected = self.blotter.selected_key
        if selected is not None and selected in message.orders:
            self._show_detail()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._apply_filter()

    def on_env_changed(self, message: EnvChanged) -> None:
        self._close_history()
        self._bind_book()

    @on(Blotter.RowHighlighted)
    @on(Blotter.SelectedOrderUpdated)
    def _row_changed(self) -> None:
        self._show_detail()

    @on(Blotter.UserHighlighted)
    def _row_chosen(self) -> None:
        row = self._active().selected_row
        if row is not None:
            link_row_symbol(self.live, row.symbol)  # the chart, ladder and ticket follow it

    # ------------------------------------------------------------------ filters
    def action_group(self, group: GroupFilter) -> None:
        self.group = group
        self._apply_filter()

    def action_symbol_filter(self) -> None:
        row = self._active().selected_row
        if self.symbol is not None:
            self.symbol = None
        elif row is not None:
            self.symbol = row.symbol
        self._apply_filter()

    def action_search(self) -> None:
        self._prompt("search", self.search, "search: id, symbol, status... (Enter applies)")

    def action_history(self) -> None:
        if self.showing_history:
            self._close_history()
            return
        default = (datetime.now(UTC).date() - timedelta(days=7)).isoformat()
        self._prompt("history", default, "history since YYYY-MM-DD or days back (max 90)")

    def _prompt(self, purpose: str, value: str, placeholder: str) -> None:
        prompt = self.query_one("#blotter-prompt", Input)
        self._prompt_for = purpose
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.add_class("-shown")
        prompt.focus()

    @on(Input.Submitted, "#blotter-prompt")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        prompt = self.query_one("#blotter-prompt", Input)
        purpose, self._prompt_for = self._prompt_for, ""
        prompt.remove_class("-shown")
        if purpose == "search":
            self.search = event.value.strip()
            self._apply_filter()
        elif purpose == "history":
            try:
                since = parse_since(event.value, datetime.now(UTC).date())
            except ValueError as exc:
                self.notify(f"History: {exc}", severity="warning")
                return
            self._load_history(since)
        self._active().focus()

    def action_clear(self) -> None:
        """Esc, one step at a time: close the prompt (a search prompt also drops the search),
        then the search, then history mode, then the symbol filter."""
        prompt = self.query_one("#blotter-prompt", Input)
        if prompt.has_class("-shown"):
            prompt.remove_class("-shown")
            if self._prompt_for == "search":
                self.search = ""
                self._apply_filter()
            self._prompt_for = ""
            self._active().focus()
        elif self.search:
            self.search = ""
            self._apply_filter()
        elif self.showing_history:
            self._close_history()
        elif self.symbol is not None:
            self.symbol = None
            self._apply_filter()

    def action_reconcile(self) -> None:
        """r: read every order from REST now (heals a missed stream frame)."""
        if self.showing_history and self.history_since is not None:
            self._load_history(self.history_since)
            return
        self.notify("Refreshing orders from the server…", timeout=2)
        self.run_worker(
            self.live.reconcile_orders(),
            group="orders-refresh",
            exclusive=True,
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ history
    @work(group="orders-history", exclusive=True, exit_on_error=False)
    async def _load_history(self, since: date) -> None:
        self.notify(f"Loading orders since {since.isoformat()}...", timeout=2)
        try:
            batch = await self.live.api.get_historical_orders(self.live.account_ids, since)
        except (TradeStationError, RuntimeError) as exc:
            self.live.report_error("order history", exc)
            return
        book = OrderBook()
        book.apply_many(batch.items, "rest")
        self.history_book, self.history_since = book, since
        history = self.query_one("#history", Blotter)
        history.book = book
        self.blotter.add_class("-hidden")
        history.remove_class("-hidden")
        self._apply_filter()
        history.focus()
        for error in batch.errors:
            self.notify(f"History {error.id}: {error.message or error.error}", severity="warning")

    def _close_history(self) -> None:
        history = self.query_one("#history", Blotter)
        history.add_class("-hidden")
        history.book = None
        self.history_book = self.history_since = None
        self.blotter.remove_class("-hidden")
        self._apply_filter()
        self.blotter.focus()

    # ------------------------------------------------------------------ order actions
    def ticket_prefill(self, intent: str) -> TicketFields | None:
        """The app's order keys: a new order like the selected one (its account and symbol;
        "new" also keeps side, quantity, type and prices). None when no order is selected."""
        order = self.selected_order()
        if order is None:
            return None
        base = TicketFields(account=order.account_id or "", symbol=order.symbol)
        if intent != "new":
            return base  # buy / sell: the ticket sets the action
        return replace(
            base,
            action=trade_action_of(order),
            quantity=format_decimal(order.quantity),
            order_type=order.order_type or "Market",
            limit_price=format_decimal(order.limit_price) if order.limit_price else "",
            stop_price=format_decimal(order.stop_price) if order.stop_price else "",
        )

    @on(Blotter.RowSelected)
    def _row_selected(self) -> None:
        """Enter on a working order opens the replace dialog."""
        order = self.selected_order()
        if order is not None and order.is_working:
            self._open_replace(order)

    def selected_order(self) -> Order | None:
        row = self._active().selected_row
        return row if isinstance(row, Order) else None

    def working_orders(self) -> list[Order]:
        """Working orders matching the account filter (what "cancel all" cancels)."""
        return working_orders(self.live.order_book, self.live.current_account)

    def action_cancel_selected(self) -> None:
        """Cancel the selected order; a parent asks about its working OSO children, and a
        parent that no longer works (filled) offers to cancel those children."""
        order = self.selected_order()
        if order is not None and not order.is_working:
            book = self._active().book or self.live.order_book
            children = [o for o in book.linked_children(order.order_id) if o.is_working]
            if children:
                request_cancel(self.app, trading_service(self.app), children)
                return
        if order is None or not order.is_working:
            self.notify("Select a working order to cancel.", severity="warning")
            return
        request_cancel(self.app, trading_service(self.app), [order])

    def action_cancel_all(self) -> None:
        request_cancel_many(self.app, self.working_orders())

    def action_replace(self) -> None:
        order = self.selected_order()
        if order is None or not order.is_working:
            self.notify("Select a working order to replace.", severity="warning")
            return
        self._open_replace(order)

    @work(group="orders-replace", exclusive=True, exit_on_error=False)
    async def _open_replace(self, order: Order) -> None:
        await run_replace(self.app, trading_service(self.app), order)

    # ------------------------------------------------------------------ palette
    def palette_commands(self) -> Iterable[PaletteCommand]:
        for group, label in _GROUP_LABELS.items():
            yield PaletteCommand(
                "orders", f"show {label.lower()}", partial(self.action_group, group)
            )
        yield PaletteCommand("orders", "cancel selected", self.action_cancel_selected)
        yield PaletteCommand("orders", "cancel all working (shown account)", self.action_cancel_all)
        yield PaletteCommand("orders", "replace selected", self.action_replace)
        yield PaletteCommand("orders", "history since a date", self.action_history)
        yield PaletteCommand("orders", "search", self.action_search)
