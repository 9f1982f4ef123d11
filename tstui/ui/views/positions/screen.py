"""Positions: live from the app's positions stream, only changed rows rebuilt per flush.

Keys open a prefilled order ticket (TRADING's ``open_order_ticket``; until it exists, a
notice). Futures contracts older than their ``@ROOT`` front month (``Underlying`` from the
symbol details, refreshed every minute) carry a roll marker; ``positions_needing_roll()``
lists them for the roll helper.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.domain.market.futures import parse_contract, root_of
from tstui.domain.models import Position
from tstui.domain.orders.ticket import TicketFields, add_to_position_fields, close_position_fields
from tstui.ui.session.health import format_clock
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.bulk_cancel import request_cancel_many
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.linking import link_row_symbol
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.shell.plain import plain
from tstui.ui.trading.dialogs import working_orders
from tstui.ui.trading.types import TradeTarget
from tstui.ui.views.chart.screen import ChartRequest, chart_commands, open_chart
from tstui.ui.views.positions.table import (
    PositionRow,
    PositionsTable,
    build_rows,
    roll_target,
    with_totals,
)
from tstui.ui.widgets.steady_input import SteadyInput

__all__ = ["PositionsScreen"]


FRONT_REFRESH_S = 60.0


class PositionsScreen(BaseScreen):
    VIEW = "positions"
    TITLE = "Positions"
    AUTO_FOCUS = "PositionsTable"
    DEFAULT_CSS = """
    #positions-status { height: 1; padding: 0 1; color: $text-muted; }
    #positions-status.-error { color: $error; text-style: bold; }
    #positions-filter { display: none; height: 1; border: none; padding: 0 1; }
    #positions-filter.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "ticket('buy_more')", "Buy more", id="positions.buy_more"),
        Binding("x", "ticket('close')", "Close", id="positions.close"),
        # one meaning per key across views: r refreshes, c cancels, Enter opens the chart
        Binding("R", "roll", "Roll", id="positions.roll"),
        Binding("c", "cancel_symbol", "Cancel", id="positions.cancel"),
        Binding("r", "reconcile", "Refresh", show=False, id="positions.refresh"),
        Binding("enter", "chart", "Chart", id="positions.chart"),
        Binding("slash", "filter", "Filter", id="positions.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="positions.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fronts: dict[str, str] = {}  # root -> current contract of @ROOT
        self.filter_text = ""
        self.last_update_at: datetime | None = None
        self._rows: dict[str, PositionRow] = {}
        self._front_wake = asyncio.Event()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="positions-status")
        yield SteadyInput(placeholder="filter: symbol or account", id="positions-filter")
        yield PositionsTable(id="positions-table")

    @property
    def table(self) -> PositionsTable:
        return self.query_one(PositionsTable)

    def on_mount(self) -> None:
        self.live.changed.subscribe(self, self._live_changed)
        self._rebuild_all()
        self._start_front_worker()

    def _start_front_worker(self) -> None:
        # A callable, not a coroutine (see OverviewScreen._start).
        worker: Worker[None] = self.run_worker(
            self._front_loop,
            group="positions-front",
            exclusive=True,
            exit_on_error=False,
        )
        self.front_worker = worker

    # ---- data ------------------------------------------------------------------------
    def on_books_changed(self, message: BooksChanged) -> None:
        if message.full:
            self._rebuild_all()
            return
        if not message.positions:
            return
        wanted = set(self.live.account_ids)
        for pid in message.positions:
            position = self.live.positions.get(pid)
            if position is None or position.account_id not in wanted:
                self._rows.pop(pid, None)
            else:
                self._rows[pid] = build_rows([position], self.fronts)[0]
                if _root(position) not in (None, *self.fronts):
                    self._front_wake.set()  # a new futures root: look up its front month
        self._show()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._rebuild_all()

    def on_env_changed(self, message: EnvChanged) -> None:
        self.fronts = {}
        self._rebuild_all()
        self._start_front_worker()

    def _rebuild_all(self) -> None:
        wanted = set(self.live.account_ids)
        positions = [p for p in self.live.positions.values() if p.account_id in wanted]
        self._rows = {row.key: row for row in build_rows(positions, self.fronts)}
        if self._missing_roots():
            self._front_wake.set()
        self._show()

    def _show(self) -> None:
        rows = sorted(self._rows.values(), key=_row_order)
        needle = self.filter_text.casefold()
        if needle:
            rows = [
                r
                for r in rows
                if needle in (r.position.symbol or "").casefold()
                or needle in (r.position.account_id or "").casefold()
            ]
        self.table.set_rows(with_totals(rows))
        self.last_update_at = datetime.now(UTC)
        self._update_status()

    def _live_changed(self, what: str) -> None:
        if what in ("health", "error"):
            self._update_status()

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        health = self.live.stream_health.get("positions")
        state = health.label() if health is not None else "stopped"
        bad = state.startswith(("failed", "stale", "reconnecting"))
        count = len(self._rows)
        parts = [f"{count} position{'s' if count != 1 else ''}", f"stream {state}"]
        if bad:
            parts.append(f"last good {format_clock(self.last_good_at)}")
        elif self.last_update_at is not None:
            parts.append(f"updated {format_clock(self.last_update_at)}")
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        rolls = len(self.positions_needing_roll())
        if rolls:
            parts.append(f"⟳ {rolls} to roll (R)")
        status = self.query_one("#positions-status", Static)
        status.set_class(bad, "-error")
        status.update(plain(" · ".join(parts)))  # the filter is typed text

    @property
    def last_good_at(self) -> datetime | None:
        health = self.live.stream_health.get("positions")
        return health.last_event if health is not None else None

    # ---- futures front months (roll marker) -------------------------------------------
    def _held_roots(self) -> set[str]:
        return {root for p in self.live.positions.values() if (root := _root(p)) is not None}

    def _missing_roots(self) -> set[str]:
        return self._held_roots() - set(self.fronts)

    async def _front_loop(self) -> None:
        """Look up ``@ROOT`` for held futures now, then every minute or when a root appears."""
        while True:
            self._front_wake.clear()
            roots = self._held_roots()
            try:
                if roots:
                    await self.refresh_fronts(roots)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug here must not end the loop silently
                self.live.report_error("front months", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._front_wake.wait(), FRONT_REFRESH_S)

    async def refresh_fronts(self, roots: Iterable[str]) -> None:
        """Fetch the Underlying of each ``@ROOT``; errors are shown, the old fronts kept."""
        try:
            batch = await self.live.api.get_symbols(f"@{root}" for root in sorted(roots))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.live.report_error("front months", exc)
            return
        fronts = dict(self.fronts)
        for detail in batch.items:
            if detail.underlying:
                fronts[root_of(detail.symbol)] = detail.underlying
        if fronts != self.fronts:
            self.fronts = fronts
            self._rebuild_all()

    def positions_needing_roll(self) -> list[Position]:
        """Futures positions (selected accounts) whose contract is older than the front."""
        return [r.position for r in self._rows.values() if r.roll_to]

    def roll_target_of(self, position: Position) -> str | None:
        return roll_target(position.symbol, self.fronts)

    # ---- trading hooks ---------------------------------------------------------------
    @property
    def selected_position(self) -> Position | None:
        return self.table.selected_position

    def trade_target(self) -> TradeTarget | None:
        """One-key trading (alt+b/s/x/r/k) acts on the selected position."""
        position = self.selected_position
        if position is None or not position.symbol:
            return None
        return TradeTarget(
            position.symbol,
            asset_type=position.asset_type,
            bid=position.bid,
            ask=position.ask,
            last=position.last,
            position=position,
            account_id=position.account_id,
        )

    def ticket_prefill(self, intent: str) -> TicketFields | None:
        """ "close" -> flatten, "buy_more" -> add in the position's direction, else the
        row's account + symbol (the ticket sets the action). None: no row selected."""
        position = self.selected_position
        if position is None:
            return None
        if intent == "close":
            return close_position_fields(position)
        if intent == "buy_more":
            return add_to_position_fields(position)
        return TicketFields(account=position.account_id or "", symbol=position.symbol or "")

    def action_ticket(self, intent: str) -> None:
        prefill = self.ticket_prefill(intent)
        if prefill is None:
            self.notify("Select a position first.", severity="warning", timeout=3)
            return
        # The app's ticket action asks this screen for ticket_prefill(intent) itself.
        open_ticket = getattr(self.app, "action_ticket", None)
        if callable(open_ticket):
            open_ticket(intent)
        else:
            self.notify("The order ticket is not available.", severity="warning", timeout=4)

    def action_roll(self) -> None:
        position = self.selected_position
        target = self.roll_target_of(position) if position is not None else None
        if position is None or target is None:
            self.notify("The selected position needs no roll.", timeout=3)
            return
        roll = getattr(self.app, "action_roll_position", None)
        if callable(roll):
            roll(position)
        else:
            self.notify(f"Roll {position.symbol} → {target}: the roll helper is not available yet.")

    def action_chart(self) -> None:
        position = self.selected_position
        if position is not None and position.symbol:
            open_chart(self.app, ChartRequest(symbol=position.symbol))

    @on(PositionsTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_chart()  # Enter on a row (the focused table answers Enter itself)

    @on(PositionsTable.UserHighlighted)
    def _row_chosen(self) -> None:
        position = self.selected_position
        if position is not None:
            link_row_symbol(self.live, position.symbol)  # the chart, ladder and ticket follow

    def action_cancel_symbol(self) -> None:
        """c: cancel the working orders of the selected position's symbol and account."""
        position = self.selected_position
        if position is None:
            self.notify("Select a position first.", severity="warning", timeout=3)
            return
        orders = [
            o
            for o in working_orders(self.live.order_book, position.account_id)
            if o.symbol == position.symbol
        ]
        if not orders:
            self.notify(f"No working orders for {position.symbol}.", timeout=3, markup=False)
            return
        request_cancel_many(self.app, orders)

    def action_reconcile(self) -> None:
        """r: read the positions from REST now."""
        if not self.live.connected:
            return
        self.notify("Refreshing positions from the server…", timeout=2)
        live = self.live
        self.run_worker(
            live.reconcile_positions(live.api, live.all_account_ids),
            group="positions-refresh",
            exclusive=True,
            exit_on_error=False,
        )

    # ---- filter ----------------------------------------------------------------------
    def action_filter(self) -> None:
        field = self.query_one("#positions-filter", Input)
        field.add_class("-shown")
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#positions-filter", Input)
        field.value = ""
        field.remove_class("-shown")
        self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "positions-filter":
            self.filter_text = event.value.strip()
            self._show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "positions-filter":
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.table.focus()

    # ---- palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield PaletteCommand("positions", "filter …", self.action_filter)
        yield PaletteCommand(
            "positions", "buy more (selected)", lambda: self.action_ticket("buy_more")
        )
        yield PaletteCommand("positions", "close (selected)", lambda: self.action_ticket("close"))
        yield PaletteCommand("positions", "roll (selected)", self.action_roll)
        symbols = sorted({r.position.symbol for r in self._rows.values() if r.position.symbol})
        yield from chart_commands(self.app, symbols)


def _root(position: Position) -> str | None:
    """The futures root of a contract position ("ES" for ESZ26), None for anything else."""
    try:
        return parse_contract(position.symbol or "").root
    except ValueError:
        return None


def _row_order(row: PositionRow) -> tuple[str, str, str]:
    return (row.position.account_id or "", row.position.symbol or "", row.key)
