"""The app's order actions: the ticket from any view, cancel all working, roll a position.

A mixin of :class:`tstui.ui.shell.app.TstuiApp` (kept apart so the app module stays about the
shell); every action refuses politely when no session is open. It brings `KeysInOrder` along:
keys typed in a burst reach the field that has focus after the keys before them (key_order).
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import replace
from typing import TYPE_CHECKING

from tstui.ui.shell.base import BaseScreen
from tstui.ui.trading.key_order import KeysInOrder

if TYPE_CHECKING:
    # imported by the actions, not at startup: the first paint needs no domain model
    from tstui.domain.models import Position
    from tstui.domain.orders.ticket import TicketFields
    from tstui.ui.session.live import LiveData

WARM_TICKET_AFTER_CONNECT_S = 1.0
TICKET_MODULE = "tstui.ui.trading.ticket"


class TradingActions(KeysInOrder):
    live: LiveData

    def action_ticket(self, intent: str = "new") -> None:
        """Open the order ticket, prefilled by the showing screen's ``ticket_prefill(intent)``.

        Intents: "new", "buy", "sell", "close" (flatten), or a screen's own (e.g. "buy_more").
        Only from a main view (never on top of another modal) and only when connected.
        """
        from tstui.domain.orders.ticket import TicketFields
        from tstui.ui.trading.ticket import open_order_ticket

        screen = self.screen
        if not isinstance(screen, BaseScreen):
            return
        if not self.live.connected:
            self.notify("Not connected: no order ticket.", severity="warning")
            return
        prefill: TicketFields | None = None
        hook = getattr(screen, "ticket_prefill", None)
        if callable(hook):
            prefill = hook(intent)
        if (prefill is None or not prefill.symbol) and self.live.current_symbol:
            # nothing chosen here: the linked symbol (board, chart, ladder...) it is
            prefill = replace(prefill or TicketFields(), symbol=self.live.current_symbol)
        open_order_ticket(self, prefill, intent=intent)

    def warm_ticket_soon(self) -> None:
        """After a connect: the next order ticket is built once the first screen is full
        (see trading.ticket.warm_order_ticket), so the ticket key answers within a frame."""
        self.set_timer(WARM_TICKET_AFTER_CONNECT_S, self._warm_ticket)

    def _warm_ticket(self) -> None:
        self.run_worker(self._load_and_warm_ticket(), group="warm-ticket", exit_on_error=False)

    async def _load_and_warm_ticket(self) -> None:
        # The ticket's modules (~50 ms of imports) are loaded in a thread once the first
        # screen is full (the app's view preload): waited for here off the event loop, never
        # imported on it, nor between the connect and the first full screen.
        await asyncio.to_thread(importlib.import_module, TICKET_MODULE)
        from tstui.ui.trading.ticket import warm_order_ticket

        warm_order_ticket(self)

    def action_hot(self, kind: str) -> None:
        """One-key trading on the showing screen's ``trade_target()`` (see trading.hotkeys):
        buy / sell / flatten / reverse / cancel / preset."""
        from tstui.ui.trading.hotkeys import run_hotkey

        run_hotkey(self, kind)

    def action_roll_position(self, position: Position) -> None:
        """The positions screen's Roll key: review both legs and their previews, then roll."""
        from tstui.ui.roll.review import open_roll_review

        self.run_worker(
            open_roll_review(self, self.live, position), group="roll-review", exit_on_error=False
        )

    def action_cancel_all_working(self) -> None:
        """Cancel every working order of the selected account (all accounts: every one)."""
        from tstui.ui.trading.dialogs import request_cancel, working_orders
        from tstui.ui.trading.service import trading_service

        if not self.live.connected:
            self.notify("Not connected.", severity="warning")
            return
        orders = working_orders(self.live.order_book, self.live.current_account)
        request_cancel(self, trading_service(self), orders)
