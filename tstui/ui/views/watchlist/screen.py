"""Quote board (view 5): the active watchlist streaming, see :mod:`.board`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult

from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.trading.types import TradeTarget
from tstui.ui.views.watchlist.board import QuoteBoard

__all__ = ["WatchlistScreen"]


class WatchlistScreen(BaseScreen):
    VIEW: ClassVar[str] = "watchlist"
    AUTO_FOCUS = "#board-table"

    def compose_body(self) -> ComposeResult:
        yield QuoteBoard(id="quote-board")

    @property
    def board(self) -> QuoteBoard:
        return self.query_one(QuoteBoard)

    def ticket_prefill(self, intent: str) -> TicketFields | None:
        return self.board.ticket_prefill(intent)

    def trade_target(self) -> TradeTarget | None:
        return self.board.trade_target()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        return self.board.palette_commands()
