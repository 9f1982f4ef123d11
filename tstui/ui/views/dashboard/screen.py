"""Dashboard: the quote board, a chart of the linked symbol and the depth ladder side by side
over the positions, on one screen at 160x45 and up. Smaller terminals get the board and the
positions, with the keys of the single views named (4 chart, 6 ladder): each pane needs its
width to be useful, and a squeezed ladder misleads more than a missing one.

The panes are the views' own widgets: choosing a symbol in any of them links it (the header
shows it), and the chart and the ladder follow the link."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.linking import link_row_symbol
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.trading.types import TradeTarget
from tstui.ui.views.dashboard.linked_chart import LinkedChart
from tstui.ui.views.depth.ladder import DepthLadder
from tstui.ui.views.positions.table import PositionsTable, build_rows, with_totals
from tstui.ui.views.watchlist.board import QuoteBoard

__all__ = ["FULL_HEIGHT", "FULL_WIDTH", "DashboardScreen"]

FULL_WIDTH, FULL_HEIGHT = 160, 45  # the size at which all panes fit at their useful widths
COMPACT_HINT = (
    "board + positions at this size; 160x45 adds the chart and the ladder (4 chart, 6 ladder)"
)


class DashboardScreen(BaseScreen):
    VIEW: ClassVar[str] = "dashboard"
    AUTO_FOCUS = "#dash-quote-board #board-table"
    DEFAULT_CSS = """
    DashboardScreen #dash-hint { height: 1; color: $text-muted; padding: 0 1; display: none; }
    DashboardScreen.-compact #dash-hint { display: block; }
    DashboardScreen #dash-top { height: 1fr; }
    DashboardScreen #dash-board { width: 68; height: 1fr; }
    DashboardScreen #dash-chart { width: 1fr; height: 1fr; }
    DashboardScreen #dash-ladder { width: 46; height: 1fr; }
    DashboardScreen #dash-positions { height: 11; }
    DashboardScreen.-compact #dash-board { width: 1fr; }
    DashboardScreen.-compact #dash-chart { display: none; }
    DashboardScreen.-compact #dash-ladder { display: none; }
    DashboardScreen.-compact #dash-positions { height: 8; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static(COMPACT_HINT, id="dash-hint")
        with Horizontal(id="dash-top"):
            with Vertical(id="dash-board"):
                yield from self.compose_board()
            yield LinkedChart(id="dash-chart")
            yield Vertical(id="dash-ladder")  # the ladder mounts while the pane shows
        yield PositionsTable(id="dash-positions")

    def compose_board(self) -> ComposeResult:
        yield QuoteBoard(id="dash-quote-board")

    @property
    def linked_chart(self) -> LinkedChart:
        return self.query_one(LinkedChart)

    @property
    def positions(self) -> PositionsTable:
        return self.query_one("#dash-positions", PositionsTable)

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)
        self._show_positions()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        super().on_screen_resume(event)
        self._fit(self.app.size.width, self.app.size.height)

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        self._show_panes(False)  # another view shows: no streams for these panes

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        compact = width < FULL_WIDTH or height < FULL_HEIGHT
        self.set_class(compact, "-compact")
        self._show_panes(not compact)

    def _show_panes(self, shown: bool) -> None:
        """The chart and the ladder stream only while they show. The ladder is mounted and
        removed (its depth streams are scarce: TradeStation allows 10 open), the chart
        paused (it keeps its bars for a quick return)."""
        self.linked_chart.set_active(shown)
        slot = self.query_one("#dash-ladder", Vertical)
        ladders = slot.query(DepthLadder)
        if shown and not ladders:
            slot.mount(DepthLadder(id="dash-depth-ladder"))
        elif not shown and ladders:
            ladders.remove()

    @property
    def ladder(self) -> DepthLadder | None:
        found = self.query("#dash-depth-ladder").results(DepthLadder)
        return next(iter(found), None)

    # ---- positions -------------------------------------------------------------------
    def on_books_changed(self, message: BooksChanged) -> None:
        if message.full or message.positions:
            self._show_positions()

    def on_account_changed(self, message: AccountChanged) -> None:
        self._show_positions()

    def on_env_changed(self, message: EnvChanged) -> None:
        self._show_positions()
        self.linked_chart.follow()

    def stop_session_work(self) -> None:
        self.linked_chart.stop()

    def _show_positions(self) -> None:
        wanted = set(self.live.account_ids)
        held = [p for p in self.live.positions.values() if p.account_id in wanted]
        self.positions.set_rows(with_totals(build_rows(held, {})))

    def on_virtual_table_row_highlighted(self, message: PositionsTable.RowHighlighted) -> None:
        if message.control is not self.positions or message.key is None:
            return
        if not self.positions.has_focus:  # the first row highlights itself: not a choice
            return
        rows = self.positions.rows
        row = rows[message.index] if 0 <= message.index < len(rows) else None
        position = getattr(row, "position", None)  # the totals row has none
        if position is not None:
            link_row_symbol(self.live, position.symbol)  # plain symbols only (server text)

    def _focused_pane(self) -> Widget | None:
        """The pane holding the focus (a board row, the ladder's cursor, the positions)."""
        if self.focused is None:
            return None
        for node in self.focused.ancestors_with_self:
            if isinstance(node, (QuoteBoard, DepthLadder, PositionsTable)):
                return node
        return None

    def ticket_prefill(self, intent: str) -> TicketFields | None:
        """The focused pane decides; else the ticket starts from the linked symbol."""
        pane = self._focused_pane()
        if isinstance(pane, QuoteBoard):
            return pane.ticket_prefill(intent)
        if isinstance(pane, DepthLadder):
            return pane.ticket_fields(intent if intent in ("buy", "sell") else None)
        return None

    def trade_target(self) -> TradeTarget | None:
        """One-key trading acts on the focused pane's row or cursor."""
        pane = self._focused_pane()
        if isinstance(pane, (QuoteBoard, DepthLadder)):
            return pane.trade_target()
        return None
