"""The alerts panel (``N``): alerts fired with their times, the price alerts set; and the
new-alert prompt (``!``), prefilled with the linked symbol."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tstui.domain.market.alerts import PriceAlert, parse_alert
from tstui.ui.alerts.center import AlertCenter, alert_center
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain

__all__ = ["AlertsScreen", "NewAlertScreen", "open_alerts", "open_new_alert"]

_STYLE = {"warning": "bold yellow", "error": "bold red", "information": ""}


class AlertsScreen(PacedFrames, ModalScreen[None]):
    """Fired alerts, newest first, and the price alerts set (Delete removes the highlighted)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,N", "close", "Close", id="alerts.close"),
        Binding("delete,d", "remove", "Remove alert", id="alerts.remove"),
        Binding("exclamation_mark", "new", "New alert", id="alerts.new_here"),
    ]
    DEFAULT_CSS = """
    AlertsScreen { align: center middle; }
    AlertsScreen > Vertical { width: 90; max-width: 100%; height: 80%; border: round $primary;
                              background: $surface; padding: 0 1; }
    AlertsScreen .alerts-title { text-style: bold; }
    AlertsScreen #alerts-set { height: auto; max-height: 8; }
    AlertsScreen #alerts-fired { height: 1fr; }
    """

    def __init__(self, center: AlertCenter) -> None:
        super().__init__()
        self.center = center

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Price alerts set (Delete removes, ! adds)", classes="alerts-title")
            yield OptionList(id="alerts-set")
            yield Label("Fired (newest first)", classes="alerts-title")
            with VerticalScroll(id="alerts-fired"):
                yield Static("", id="alerts-fired-lines")

    def on_mount(self) -> None:
        self.center.changed.append(self.redraw)
        self.redraw()
        self.query_one(OptionList).focus()

    def on_unmount(self) -> None:
        if self.redraw in self.center.changed:
            self.center.changed.remove(self.redraw)

    def redraw(self) -> None:
        options = self.query_one("#alerts-set", OptionList)
        options.clear_options()
        alerts = self.center.alerts
        options.add_options(
            [Option(plain(a.text()), id=str(i)) for i, a in enumerate(alerts)]
            or [Option("none: press ! to set one", disabled=True)]
        )
        lines = Text(no_wrap=True, overflow="ellipsis")
        for n, event in enumerate(self.center.events):
            if n:
                lines.append("\n")
            lines.append(f"{event.at.astimezone():%H:%M:%S} ", "dim")
            lines.append(f"{event.kind:<8}", _STYLE.get(event.severity, ""))
            lines.append(event.text)  # made display-safe where the event was made
        self.query_one("#alerts-fired-lines", Static).update(lines or Text("nothing yet"))

    def lines(self) -> list[str]:
        """The fired lines as shown (for tests)."""
        text = self.query_one("#alerts-fired-lines", Static).render()
        return str(text).splitlines()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_remove(self) -> None:
        options = self.query_one("#alerts-set", OptionList)
        index = options.highlighted
        alerts = self.center.alerts
        if index is None or index >= len(alerts):
            return
        alert = alerts[index]
        if self.center.remove(alert):
            self.notify(f"Removed: {alert.text()}", timeout=3, markup=False)

    def action_new(self) -> None:
        open_new_alert(self.app)


class NewAlertScreen(PacedFrames, ModalScreen[PriceAlert | None]):
    """One line: ``MSFT above 450``, ``@ES below 5600``, ``AAPL move 2%``; Enter sets it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="alerts.cancel_new"),
    ]
    DEFAULT_CSS = """
    NewAlertScreen { align: center middle; }
    NewAlertScreen > Vertical { width: 70; max-width: 100%; height: auto; border: thick $primary;
                                background: $surface; padding: 1 2; }
    NewAlertScreen #alert-error { color: $error; }
    NewAlertScreen #alert-hint { color: $text-muted; }
    """

    def __init__(self, center: AlertCenter, symbol: str | None) -> None:
        super().__init__()
        self.center = center
        self.symbol = symbol

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New price alert", classes="confirm-title")
            yield Static(
                "SYMBOL above PRICE · SYMBOL below PRICE · SYMBOL move PCT% [from PRICE]",
                id="alert-hint",
                markup=False,
            )
            yield Input(value=f"{self.symbol} above " if self.symbol else "", id="alert-text")
            yield Static("", id="alert-error")

    def on_mount(self) -> None:
        field = self.query_one("#alert-text", Input)
        field.focus()
        field.cursor_position = len(field.value)
        if self.symbol:
            last = self.center.last_price(self.symbol)
            if last is not None:
                hint = self.query_one("#alert-hint", Static)
                hint.update(plain(f"{self.symbol} last {last} · {hint.content}"))

    @on(Input.Submitted, "#alert-text")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        symbol = text.split()[0].upper() if text.split() else ""
        try:
            alert = parse_alert(text, last=self.center.last_price(symbol) if symbol else None)
        except ValueError as exc:
            self.query_one("#alert-error", Static).update(plain(str(exc)))
            return
        if not self.center.add(alert):
            self.query_one("#alert-error", Static).update(plain(f"Already set: {alert.text()}"))
            return
        last = self.center.last_price(alert.symbol)
        note = ""
        if last is not None and alert.kind != "move" and alert.beyond(last):
            note = f" ({alert.symbol} is at {last} already: it fires on the next cross)"
        self.notify(f"Alert set: {alert.text()}{note}", timeout=5, markup=False)
        self.dismiss(alert)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_alerts(app: App[Any]) -> None:
    if not any(isinstance(s, AlertsScreen) for s in app.screen_stack):
        app.push_screen(AlertsScreen(alert_center(app)))


def open_new_alert(app: App[Any]) -> None:
    """The prompt, prefilled with the linked symbol (the one a row or the chart chose)."""
    live = getattr(app, "live", None)
    symbol = getattr(live, "current_symbol", None)
    app.push_screen(NewAlertScreen(alert_center(app), symbol))
