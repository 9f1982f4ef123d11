"""The expiration picker: the listed expirations (date, type, days left) in a list; Enter
picks one, Escape keeps the current. Dismisses with the chosen ``Expiration`` or None."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain
from tstui.ui.views.options.model import Expiration

__all__ = ["ExpiryPicker"]


class ExpiryPicker(PacedFrames, ModalScreen[Expiration | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="expiry.cancel"),
    ]
    DEFAULT_CSS = """
    ExpiryPicker { align: center middle; }
    ExpiryPicker #expiration-box { width: 44; height: auto; max-height: 80%;
                                        border: thick $primary; background: $surface; }
    ExpiryPicker OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, expirations: Sequence[Expiration], current: Expiration | None) -> None:
        super().__init__()
        self.expirations = tuple(expirations)
        self.current = current

    def compose(self) -> ComposeResult:
        today = datetime.now(UTC).date()
        with Vertical(id="expiration-box"):
            yield Label("Expiration")
            # the type is the server's text: a Text prompt, never markup
            yield OptionList(
                *(Option(plain(e.label(today)), id=str(i)) for i, e in enumerate(self.expirations)),
                id="expiration-list",
            )

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if self.current in self.expirations:
            option_list.highlighted = self.expirations.index(self.current)
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.expirations[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
