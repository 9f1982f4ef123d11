"""Account overview: real-time balances on a timer, beginning-of-day balances, day P&L.

The refresh loop is one worker (group "overview-balances"): fetch, then sleep the configured
interval (``stream.balances_refresh_s``), so calls never overlap and the timer re-arms only
after a run. It runs while the screen is showing (the Balances quota is 250 calls / 5 min);
a fill (positions changed) wakes it early, but never sooner than MIN_GAP_S after the last run.
BOD balances are fetched when a session opens or the account selection changes (or failed before).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import ScreenResume, ScreenSuspend
from textual.worker import Worker

from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.messages import AccountChanged, BooksChanged
from tstui.ui.views.overview.balances import (
    DataPanel,
    PLColours,
    balances_table,
    bod_table,
    pl_summary,
)

if TYPE_CHECKING:
    # For typing only: the overview draws before any data (see balances.py).
    from tstui.domain.models import Balance, BODBalance

__all__ = ["OverviewScreen"]


MIN_GAP_S = 3.0
RETRY_FLOOR_S = 5.0


class OverviewScreen(BaseScreen):
    VIEW = "overview"
    TITLE = "Account overview"
    DEFAULT_CSS = """
    #overview-panels { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="overview.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.balances: dict[str, Balance] = {}
        self.refresh_count = 0
        self._bod_needed = True
        self._wake = asyncio.Event()
        self._last_run = 0.0
        self._error_reported = False
        self._quantities: dict[str, Decimal] = {}
        self._bods: tuple[BODBalance, ...] = ()
        self._colours_of: tuple[str, PLColours] | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="overview-panels"):
            yield DataPanel("Balances (real time)", id="balances-panel")
            yield DataPanel("Beginning of day", id="bod-panel")
            yield DataPanel("Day P&L", id="pl-panel")

    def _panel(self, panel_id: str) -> DataPanel:
        return self.query_one(f"#{panel_id}", DataPanel)

    # ---- lifecycle -------------------------------------------------------------------
    def on_mount(self) -> None:
        # A new session's accounts start the first round at once, inside the connect: the
        # EnvChanged message that follows it comes one busy loop turn (~25 ms) later.
        self.live.changed.subscribe(self, self._live_changed)
        self._start()

    @on(ScreenResume)
    def _resumed(self) -> None:
        self._start()

    @on(ScreenSuspend)
    def _suspended(self) -> None:
        self.workers.cancel_group(self, "overview-balances")

    def _start(self) -> None:
        # A callable, not a coroutine: a worker cancelled before it starts leaves no
        # un-awaited coroutine behind. The annotation pins Textual's generic result type.
        self.balances_worker: Worker[None] = self.run_worker(
            self._balances_loop,
            group="overview-balances",
            exclusive=True,
            exit_on_error=False,
        )

    def on_account_changed(self, message: AccountChanged) -> None:
        self._bod_needed = True
        self._last_run = 0.0
        if self.is_current:
            self._start()  # hidden: the ScreenResume handler starts it (with the BOD)

    def stop_session_work(self) -> None:
        self.workers.cancel_group(self, "overview-balances")

    def _live_changed(self, what: str) -> None:
        if what == "accounts":  # a new session: the old one's figures are gone
            self.balances = {}
            self._bods = ()
            self._quantities.clear()
            self.on_account_changed(AccountChanged(self.live.current_account))

    def on_books_changed(self, message: BooksChanged) -> None:
        if message.positions or message.full:
            self._show_pl()
        # A full flush names no ids: every position we know of, or knew of, may have moved.
        ids = {*self._quantities, *self.live.positions} if message.full else message.positions
        if self._quantities_changed(ids):
            self._wake.set()  # a fill moves cash and equity: refresh soon

    def _quantities_changed(self, ids: Iterable[str]) -> bool:
        """True when a position opened, closed or changed size (a fill), not on a price tick
        (the positions stream updates Last all the time)."""
        changed = False
        for pid in ids:
            position = self.live.positions.get(pid)
            quantity = position.quantity if position is not None else None
            if self._quantities.get(pid) != quantity:
                changed = True
                if quantity is None:
                    self._quantities.pop(pid, None)
                else:
                    self._quantities[pid] = quantity
        return changed

    def action_refresh(self) -> None:
        self._bod_needed = True
        self._last_run = 0.0
        self._wake.set()

    # ---- the refresh loop ------------------------------------------------------------
    async def _balances_loop(self) -> None:
        while True:
            gap = MIN_GAP_S - (time.monotonic() - self._last_run)
            if gap > 0:
                await asyncio.sleep(gap)
            self._wake.clear()
            self._last_run = time.monotonic()
            try:
                ok = await self.refresh_balances()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug here must not end the loop silently
                self.live.report_error("overview", exc)
                ok = False
            interval = self.live.settings.stream.balances_refresh_s
            timeout = interval if ok else max(RETRY_FLOOR_S, min(interval, 15.0))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def refresh_balances(self) -> bool:
        """One round: balances (+ BOD when needed). Errors go to the panels; True if all ok."""
        ids = self.live.account_ids
        if not ids:
            return True
        if self._bod_needed:  # both at once: the panels fill together, one round trip sooner
            ok, bod_ok = await asyncio.gather(self._fetch_balances(ids), self._fetch_bod(ids))
            self._bod_needed = not bod_ok
            ok = ok and bod_ok
        else:
            ok = await self._fetch_balances(ids)
        self.refresh_count += 1
        if ok:
            self._error_reported = False
        return ok

    async def _fetch_balances(self, ids: list[str]) -> bool:
        panel = self._panel("balances-panel")
        try:
            batch = await self.live.api.get_balances(ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the panel shows it; the loop goes on
            self._failed(panel, "balances", exc)
            return False
        self.balances = {b.account_id: b for b in batch.items}
        interval = self.live.settings.stream.balances_refresh_s
        panel.show(
            balances_table(batch.items, self._colours()),
            datetime.now(UTC),
            batch.errors,
            note=f"every {interval:g}s · ",
        )
        self._show_pl()
        self._show_bod_change()
        return True

    def _show_bod_change(self) -> None:
        """Δ equity is BOD against the latest real-time balances: redraw it on every refresh."""
        if not self._bods:
            return
        wanted = set(self.live.account_ids)
        bods = [b for b in self._bods if b.account_id in wanted]
        self._panel("bod-panel").update_content(bod_table(bods, self.balances, self._colours()))

    async def _fetch_bod(self, ids: list[str]) -> bool:
        panel = self._panel("bod-panel")
        try:
            batch = await self.live.api.get_bod_balances(ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(panel, "BOD balances", exc)
            return False
        self._bods = batch.items
        panel.show(
            bod_table(batch.items, self.balances, self._colours()), datetime.now(UTC), batch.errors
        )
        return True

    def _failed(self, panel: DataPanel, what: str, exc: BaseException) -> None:
        text = str(exc) or type(exc).__name__
        panel.show_error(text)
        if not self._error_reported:  # one notification per failure streak
            self._error_reported = True
            self.live.report_error(what, text)

    # ---- P&L -------------------------------------------------------------------------
    def _show_pl(self) -> None:
        if not self.is_mounted:
            return
        wanted = set(self.live.account_ids)
        positions = [p for p in self.live.positions.values() if p.account_id in wanted]
        balances = [b for a, b in self.balances.items() if a in wanted]
        panel = self._panel("pl-panel")
        if not balances and not positions and panel.last_good_at is None:
            return  # nothing yet (this runs before the first paint too)
        from tstui.domain.portfolio.valuation import portfolio_totals, value_position

        values = [value_position(p) for p in positions]
        panel.show(
            pl_summary(balances, portfolio_totals(values), self._colours()), datetime.now(UTC)
        )

    def _colours(self) -> PLColours:
        # Per theme: Textual builds every CSS variable of the theme to answer (~0.4 ms), and
        # the P&L panel is drawn again at every positions update.
        theme = self.app.theme
        if self._colours_of is None or self._colours_of[0] != theme:
            variables = self.app.get_css_variables()
            default = PLColours()
            colours = PLColours(
                profit=variables.get("profit", default.profit),
                loss=variables.get("loss", default.loss),
            )
            self._colours_of = (theme, colours)
        return self._colours_of[1]

    # ---- palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield PaletteCommand("overview", "refresh balances", self.action_refresh)
