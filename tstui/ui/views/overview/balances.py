"""Overview panels: real-time balances, beginning-of-day balances, day P&L.

A ``DataPanel`` never goes blank and never spins: it shows its content with the time it was
fetched, or the error with the last good time (keeping the last good content below it), and
the per-account errors a 200 response carried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Static

from tstui.domain.untrusted import safe_text
from tstui.ui.session.health import format_clock
from tstui.ui.shell.plain import plain
from tstui.ui.widgets.text_grid import Cell, text_grid

if TYPE_CHECKING:
    # For typing only: the panels draw before any data, and the domain's models cost ~30 ms
    # to import on the way to the first paint (they load with the session).
    from tstui.domain.models import Balance, BODBalance, ItemError
    from tstui.domain.portfolio.valuation import PortfolioTotals

__all__ = [
    "DataPanel",
    "PLColours",
    "balances_table",
    "bod_table",
    "pl_summary",
]


@dataclass(frozen=True, slots=True)
class PLColours:
    profit: str = "green"
    loss: str = "red"

    def of(self, value: Decimal | None) -> str:
        if value is None or value == 0:
            return ""
        return self.profit if value > 0 else self.loss


def _money(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def _pl(value: Decimal | None, colours: PLColours) -> Text:
    return Text(_money(value, signed=True), style=colours.of(value))


def _plain(value: str | None) -> Text:
    """Server text, made safe, in a cell."""
    return plain(value, limit=40)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Text:
    """Money columns right-aligned; the account and its type left."""
    right = [bool(i) and header != "Type" for i, header in enumerate(headers)]
    return text_grid(rows, header=headers, right=right)


def balances_table(balances: Sequence[Balance], colours: PLColours) -> Text:
    # No type column (the BOD panel has it): seven money columns overflow 80 columns.
    headers = ("Account", "Equity", "Cash", "Buying pwr", "Mkt value", "Day P&L")
    rows = [
        (
            _plain(b.account_id),
            _money(b.equity),
            _money(b.cash_balance),
            _money(b.buying_power),
            _money(b.market_value),
            _pl(b.todays_profit_loss, colours),
        )
        for b in sorted(balances, key=lambda b: b.account_id)
    ]
    return _table(headers, rows)


def bod_table(bods: Sequence[BODBalance], now: Mapping[str, Balance], colours: PLColours) -> Text:
    """BOD figures and the equity change since the start of the day (from `now`)."""
    headers = ("Account", "Type", "BOD equity", "BOD balance", "Net cash", "Δ equity")
    rows: list[tuple[Cell, ...]] = []
    for bod in sorted(bods, key=lambda b: b.account_id):
        detail = bod.detail
        equity = detail.equity if detail else None
        current = now.get(bod.account_id)
        change = (
            current.equity - equity
            if current is not None and current.equity is not None and equity is not None
            else None
        )
        rows.append(
            (
                _plain(bod.account_id),
                _plain(bod.account_type),
                _money(equity),
                _money(detail.account_balance if detail else None),
                _money(detail.net_cash if detail else None),
                _pl(change, colours),
            )
        )
    return _table(headers, rows)


def pl_summary(
    balances: Sequence[Balance], totals: PortfolioTotals | None, colours: PLColours
) -> Text:
    """Day P&L of the shown accounts, realized/unrealized, and the positions' open P&L."""
    realized = [b.detail.realized_profit_loss for b in balances if b.detail]
    unrealized = [b.detail.unrealized_profit_loss for b in balances if b.detail]
    from tstui.domain.portfolio.valuation import day_pl

    rows: list[tuple[Cell, ...]] = [
        (
            Text("Day P&L", style="bold"),
            _pl(day_pl(balances), colours),
            "Realized",
            _pl(_sum(realized), colours),
        ),
        ("Unrealized", _pl(_sum(unrealized), colours)),
    ]
    if totals is not None:
        rows.append(
            (
                f"Positions ({totals.positions})",
                _pl(totals.unrealized_pl, colours),
                "Mkt value",
                _money(totals.market_value),
            )
        )
    return text_grid(rows, right=(False, True, False, True))  # money right-aligned


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


class DataPanel(Static):
    """A titled panel with content + fetch time, or an error + last good time."""

    DEFAULT_CSS = """
    DataPanel {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        margin: 0 0 0 0;
        text-wrap: nowrap;  /* figures: a line too wide is cut at the edge, never folded */
        text-overflow: clip;
    }
    DataPanel.-error { border: round $error; border-subtitle-color: $error; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(Text("waiting for the first update…", style="dim"), id=id)
        self.border_title = title
        self.last_good_at: datetime | None = None
        self.error: str | None = None
        self.item_errors: tuple[ItemError, ...] = ()
        self._content: RenderableType | None = None

    def show(
        self,
        content: RenderableType,
        at: datetime,
        item_errors: Sequence[ItemError] = (),
        note: str = "",
    ) -> None:
        self._content, self.last_good_at, self.error = content, at, None
        self.item_errors = tuple(item_errors)
        self.remove_class("-error")
        self.border_subtitle = f"{note}updated {format_clock(at)}"
        self._render_body()

    def update_content(self, content: RenderableType) -> None:
        """New content from data already shown (e.g. a figure derived from newer inputs):
        the fetch time and any error stay as they are."""
        self._content = content
        self._render_body()

    def show_error(self, message: str) -> None:
        """Keep the last good content; say what failed and since when data is old."""
        self.error = message
        self.add_class("-error")
        self.border_subtitle = f"error · last good {format_clock(self.last_good_at)}"
        self._render_body()

    def _render_body(self) -> None:
        parts: list[RenderableType] = []
        if self.error is not None:
            parts.append(
                Text(
                    f"⚠ {safe_text(self.error)} (last good {format_clock(self.last_good_at)})",
                    style="red",
                )
            )
        for item in self.item_errors:
            label = safe_text(item.id) or "?"
            said = f"{safe_text(item.error)} {safe_text(item.message)}".rstrip()
            parts.append(Text(f"⚠ {label}: {said}", style="yellow"))
        if self._content is not None:
            parts.append(self._content)
        elif self.error is None:
            parts.append(Text("waiting for the first update…", style="dim"))
        # The figures alone (the usual case) stay one Text, which Textual counts and cuts
        # without rendering it; error lines go in a Group, where they wrap (never cropped).
        content = parts[0] if len(parts) == 1 else Group(*parts)
        width = self.content_size.width
        if not width:
            self.update(content)
            return
        # New figures at the same height repaint this panel alone: a layout (Static.update's
        # default) lays out and repaints the whole screen, and the P&L changes with every tick.
        self.update(content, layout=False)
        if self.get_content_height(self.container_size, self.app.size, width) != (
            self.content_size.height
        ):
            self.refresh(layout=True)
