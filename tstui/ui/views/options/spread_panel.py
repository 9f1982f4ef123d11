"""The spread panel: the legs being built, the net debit or credit, max profit and loss and
the break-evens (the domain's payoff math, checked against the server's riskreward when it
answered), above the payoff diagram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tstui.domain.options.payoff import RiskReward
from tstui.domain.options.symbology import OptionType
from tstui.domain.orders import format_decimal
from tstui.domain.untrusted import safe_text
from tstui.ui.views.options.model import Spread, spread_name
from tstui.ui.views.options.payoff_plot import PayoffFigure, PayoffPlot

__all__ = ["ServerCheck", "SpreadPanel", "money", "spread_text"]


def money(value: Decimal | None, *, unbounded: str = "unlimited") -> str:
    """Dollars with cents and sign: ``+250.00``; None is unbounded."""
    if value is None:
        return unbounded
    return f"{value:+,.2f}"


@dataclass(frozen=True, slots=True)
class ServerCheck:
    """What the server's riskreward said of the same spread, and whether it agrees."""

    agrees: bool
    text: str


def spread_text(
    spread: Spread,
    *,
    net: Decimal | None,
    quantity: int,
    risk: RiskReward | None,
    server: ServerCheck | None,
    profit_style: str = "",
    loss_style: str = "",
    compact: bool = False,
    multiplier: Decimal = Decimal(100),
    prices: Mapping[tuple[OptionType, Decimal], Decimal | None] | None = None,
    greeks: Mapping[str, Decimal | None] | None = None,
) -> Text:
    """The panel's lines (``compact``: the legs on the title's line, for small screens), each
    leg with its price (``prices`` by right and strike) and the spread's greeks per share.
    Symbols come from the chain (server text): made safe."""
    prices = prices or {}
    out = Text(no_wrap=True, overflow="ellipsis")
    if not spread:
        out.append("No legs yet.\n", style="bold")
        out.append(
            "b / s buy or sell the option under the cursor;\n"
            "v vertical, t straddle, g strangle,\nf butterfly, i iron condor "
            "(w: width, r: reverse)."
        )
        return out
    out.append(f"{spread_name(spread).capitalize()} x{quantity}", style="bold")
    if compact:  # one line: +1 445P -1 450P ... (strikes and sides we read, not symbols)
        for leg in spread:
            style = profit_style if leg.is_buy else loss_style
            out.append(" ")
            out.append(f"{leg.ratio:+d} {format_decimal(leg.strike)}{leg.right.letter}", style)
        out.append("\n")
    else:
        out.append("\n")
        for leg in spread:
            verb = "Buy " if leg.is_buy else "Sell"
            style = profit_style if leg.is_buy else loss_style
            out.append(f" {verb} {abs(leg.ratio)} ", style=style)
            out.append(safe_text(leg.symbol, limit=24))
            price = prices.get((leg.right, leg.strike))
            out.append(f" {price:.2f}\n" if price is not None else "\n")
    if net is None:
        out.append("Net: no price yet\n")
    else:
        kind = "debit" if net > 0 else "credit" if net < 0 else "even"
        out.append(f"Net {kind} {abs(net):.2f}")
        out.append(f" ({money(-net * multiplier * quantity)})\n")
    shown = [
        f"{symbol} {value:+.3f}"
        for name, symbol in (("delta", "Δ"), ("gamma", "Γ"), ("theta", "Θ"), ("vega", "V"))
        if (value := (greeks or {}).get(name)) is not None
    ]
    if shown and not compact:
        out.append(" ".join(shown) + "\n", style="dim")
    if risk is not None:
        out.append("Max profit ")
        out.append(money(risk.max_profit), style=profit_style)
        out.append("  Max loss ")
        out.append(money(risk.max_loss), style=loss_style)
        out.append("\n")
        evens = ", ".join(f"{e.quantize(Decimal('0.01'))}" for e in risk.break_evens) or "none"
        out.append(f"Break-even {evens}\n")
    if server is not None:
        out.append(safe_text(server.text), style="" if server.agrees else loss_style)
    return out


class SpreadPanel(Vertical):
    DEFAULT_CSS = """
    SpreadPanel { width: 44; height: 1fr; border-left: solid $panel-border; padding: 0 0 0 1; }
    SpreadPanel #spread-text { height: auto; max-height: 12; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="spread-text")
        yield PayoffPlot(id="payoff")

    def show(self, text: Text, figure: PayoffFigure) -> None:
        self.query_one("#spread-text", Static).update(text)
        self.query_one(PayoffPlot).show(figure)
