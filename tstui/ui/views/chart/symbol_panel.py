"""Symbol details beside the chart: description, exchange, point value, tick size, expiration,
and for a continuous future (``@ES``) the contract it currently means (``Underlying``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tstui.domain.market.futures import is_continuous
from tstui.domain.models import SymbolDetail
from tstui.domain.untrusted import safe_text
from tstui.ui.session.health import format_clock
from tstui.ui.shell.plain import plain

__all__ = ["SymbolPanel"]


def _decimal(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text


class SymbolPanel(Static):
    """Shows one SymbolDetail, a loading line, or an error with the last good time."""

    DEFAULT_CSS = """
    SymbolPanel {
        width: 30;
        height: auto;
        padding: 0 1;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
    }
    SymbolPanel.-error { border: round $error; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.detail: SymbolDetail | None = None
        self.last_good_at: datetime | None = None
        self.error: str | None = None
        self.border_title = "Symbol"

    @property
    def current_contract(self) -> str | None:
        """For ``@ROOT``: the contract it refers to now (None for other symbols)."""
        if self.detail is None or not is_continuous(self.detail.symbol):
            return None
        return self.detail.underlying or None

    def show_loading(self, symbol: str) -> None:
        self.error = None
        self.remove_class("-error")
        if self.detail is None or self.detail.symbol != symbol:
            self.detail = None
            self.update(Text(f"{safe_text(symbol)}\nloading details…", style="dim"))

    def show_detail(self, detail: SymbolDetail, at: datetime) -> None:
        self.detail, self.last_good_at, self.error = detail, at, None
        self.remove_class("-error")
        self.update(self._table(detail))

    def show_error(self, symbol: str, message: str) -> None:
        """Keep the last details (if any) and say what failed and when data was last good."""
        self.error = message
        self.add_class("-error")
        lines = Text()
        if self.detail is not None and self.detail.symbol == symbol:
            lines.append(f"{safe_text(self.detail.symbol)}\n", style="bold")
        else:
            lines.append(f"{safe_text(symbol)}\n", style="bold")
        lines.append(f"details: {safe_text(message)}\n", style="red")
        lines.append(f"last good {format_clock(self.last_good_at)}", style="dim")
        self.update(lines)

    def _table(self, d: SymbolDetail) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        # Every value is server text: plain Text cells (a str cell is parsed as markup).
        grid.add_row(plain(d.symbol, "bold"), "")
        if d.description:
            grid.add_row("Name", plain(d.description))
        rows: list[tuple[str, str | None]] = [
            ("Type", d.asset_type),
            ("Exchange", d.exchange),
            ("Currency", d.currency),
            ("Point value", _decimal(d.point_value)),
            ("Tick size", _decimal(d.tick_size)),
            ("Expires", d.expiration_date.date().isoformat() if d.expiration_date else None),
        ]
        for label, value in rows:
            if value:
                grid.add_row(label, plain(value))
        if is_continuous(d.symbol):
            current = Text(safe_text(d.underlying) or "unknown", style="bold")
            grid.add_row("Contract", current)
        return grid
