"""Market depth (view 6): the price ladder of the linked symbol, full height.

The ladder is :class:`~tstui.ui.views.depth.ladder.DepthLadder` (any screen can compose one:
the dashboard does); this screen adds the palette entries and hands the app's ticket keys
(``o``/``B``/``S``) the ladder's symbol and cursor price.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual.app import ComposeResult

from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.trading.types import TradeTarget
from tstui.ui.views.depth.ladder import DepthLadder


class DepthScreen(BaseScreen):
    VIEW: ClassVar[str] = "depth"
    TITLE = "Depth"
    AUTO_FOCUS = "LadderBody"

    def compose_body(self) -> ComposeResult:
        yield DepthLadder(id="depth-ladder")

    @property
    def ladder(self) -> DepthLadder:
        return self.query_one("#depth-ladder", DepthLadder)

    def ticket_prefill(self, intent: str) -> TicketFields | None:
        side = intent if intent in ("buy", "sell") else None
        return self.ladder.ticket_fields(side)

    def trade_target(self) -> TradeTarget | None:
        """One-key trading (``tstui.ui.trading``) acts at the ladder's cursor."""
        return self.ladder.trade_target()

    def stop_session_work(self) -> None:
        self.ladder.stop()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        ladder = self.ladder
        yield PaletteCommand("depth", "centre on the market", ladder.action_centre)
        yield PaletteCommand("depth", "switch level 2 / aggregates", ladder.action_source)
        yield PaletteCommand("depth", "cancel orders at the cursor", ladder.action_cancel_here)
        for side, kind, label in (
            ("buy", "Limit", "buy limit at the cursor"),
            ("sell", "Limit", "sell limit at the cursor"),
            ("buy", "StopMarket", "buy stop at the cursor"),
            ("sell", "StopMarket", "sell stop at the cursor"),
        ):
            yield PaletteCommand("depth", label, partial(ladder.action_order, side, kind))
