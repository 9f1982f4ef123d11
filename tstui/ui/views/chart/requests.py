"""What a chart shows (ChartRequest) and the ways to open one: from any screen, and the
palette's "chart: open SYMBOL 5-minute" entries for held symbols, continuous futures and
their current front contracts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App

from tstui.domain.market.futures import PRODUCTS, front_contract
from tstui.ui.shell.commands import PaletteCommand


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """What to chart. ``tick=True``: v2 tick bars of ``interval`` ticks (no unit)."""

    symbol: str = "@ES"
    unit: str = "Minute"
    interval: int = 5
    bars_back: int = 120
    tick: bool = False

    @property
    def label(self) -> str:
        if self.tick:
            return f"{self.interval}-tick"
        if self.unit == "Minute":
            return f"{self.interval}-minute"
        name = self.unit.lower()
        return name if self.interval == 1 else f"{self.interval}-{name}"


@runtime_checkable
class ChartOpener(Protocol):
    """The chart screen as this module sees it (importing it here would be a cycle)."""

    def open(self, request: ChartRequest) -> None: ...


def open_chart(app: App[Any], request: ChartRequest) -> None:
    """Switch to the chart view and show `request` (from any screen or the palette)."""
    app.switch_mode("chart")
    screen = app.screen
    if isinstance(screen, ChartOpener):  # the chart screen, named without loading plotext
        screen.open(request)


def chart_symbols(
    app: App[Any], extra: Iterable[str | None] = (), at: datetime | None = None
) -> list[str]:
    """Symbols worth a palette entry: positions, continuous futures and their front
    contracts at ``at`` (now: "chart: open ESZ26 5-minute"), anything extra."""
    live = getattr(app, "live", None)
    held = sorted({p.symbol for p in live.positions.values() if p.symbol}) if live else []
    found = [s for s in extra if s]
    when = at or datetime.now(UTC)
    futures = [s for root in PRODUCTS for s in (f"@{root}", front_contract(root, when))]
    out: list[str] = []
    for symbol in [*found, *held, *futures]:
        if symbol not in out:
            out.append(symbol)
    return out


def chart_commands(app: App[Any], symbols: Iterable[str] | None = None) -> list[PaletteCommand]:
    """ "chart: open SYMBOL 5-minute" for held and continuous symbols, usable from any screen
    (the app's palette can ``yield from chart_commands(self)``)."""
    wanted = chart_symbols(app) if symbols is None else list(symbols)
    out = []
    for symbol in wanted:
        request = ChartRequest(symbol=symbol)
        label = f"open {symbol} {request.label}"
        out.append(PaletteCommand("chart", label, partial(open_chart, app, request)))
    return out
