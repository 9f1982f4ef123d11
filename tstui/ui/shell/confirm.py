"""Confirmation modals: a plain yes/no, and a typed confirmation (type ``LIVE`` to go live).

Both dismiss with a bool. The typed one accepts only the exact word; anything else cancels.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain, plain_lines


class ConfirmScreen(PacedFrames, ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self, title: str, message: str, *, yes: str = "Yes", no: str = "No", danger: bool = False
    ) -> None:
        super().__init__()
        self._title, self._message = title, message
        self._yes, self._no, self._danger = yes, no, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box" + (" -danger" if self._danger else "")):
            # Messages quote orders, symbols and hosts: literal text, never markup.
            yield Label(plain(self._title), classes="confirm-title")
            yield Static(plain_lines(self._message))
            with Horizontal(classes="confirm-buttons"):
                yield Button(self._no, id="no")
                yield Button(self._yes, id="yes", variant="error" if self._danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TypedConfirmScreen(PacedFrames, ModalScreen[bool]):
    """Type ``expected`` (e.g. LIVE) and press Enter; anything else, or Escape, cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel")
    ]

    def __init__(self, title: str, message: str, *, expected: str = "LIVE") -> None:
        super().__init__()
        self._title, self._message, self.expected = title, message, expected

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box -danger"):
            # Messages quote orders, symbols and hosts: literal text, never markup.
            yield Label(plain(self._title), classes="confirm-title")
            yield Static(plain_lines(self._message))
            yield Static(f"Type [b]{self.expected}[/b] and press Enter (Escape cancels):")
            yield Input(placeholder=self.expected, id="typed")
            with Horizontal(classes="confirm-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Confirm", id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#typed", Input).focus()

    def _decide(self) -> None:
        self.dismiss(self.query_one("#typed", Input).value.strip() == self.expected)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._decide()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self._decide()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
