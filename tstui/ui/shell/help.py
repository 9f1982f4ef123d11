"""Help: every binding with its id, current keys and description (remap ids in [keymap])."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tstui.domain.untrusted import safe_text
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.keymap import BindingInfo, binding_infos, current_keys, owner_display
from tstui.ui.shell.plain import plain

__all__ = ["HelpScreen", "key_display"]

_NAMED = {
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_display(app: App[Any], keys: str) -> str:
    """Textual key names ("question_mark,f1", "ctrl+p", "left_square_bracket") as a user
    types them ("? / F1", "ctrl+p", "[")."""
    shown: list[str] = []
    for key in (k.strip() for k in keys.split(",")):
        if not key:
            continue
        *modifiers, base = key.split("+")
        if re.fullmatch(r"f\d{1,2}", base):
            name = base.upper()
        elif base in _NAMED:
            name = _NAMED[base]
        else:
            name = app.get_key_display(Binding(base, "", show=False))
        shown.append("+".join([*modifiers, name]))
    return " / ".join(shown)


class HelpScreen(PacedFrames, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close")
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 104; max-width: 100%; height: 90%; border: thick $primary;
                            background: $surface; }
    HelpScreen #help-title { height: auto; padding: 0 1; text-style: bold; }
    HelpScreen DataTable { height: 1fr; }
    """

    def __init__(self, keymap: Mapping[str, str], config_file: str | None) -> None:
        super().__init__()
        self._keymap = keymap
        self._config_file = config_file

    def compose(self) -> ComposeResult:
        where = self._config_file or "the config file"
        with Vertical():
            yield Static(  # the path and the keys come from the config file: literal text
                plain(
                    f"Key bindings — remap any id in the [keymap] table of {where}; "
                    "ctrl+p opens the command palette. Escape closes."
                ),
                id="help-title",
            )
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Short key and owner names: all four columns fit an 80-column terminal.
        table.add_columns("id", "keys", "action", "where")
        for info in self.rows():
            keys = key_display(self.app, current_keys(info.id, info.key, self._keymap))
            cells = (info.id, keys, info.description or info.action, owner_display(info.owner))
            # A str cell is parsed as markup: keys from the config are escaped (and made safe).
            table.add_row(*(escape(safe_text(cell)) for cell in cells))
        table.focus()

    def rows(self) -> list[BindingInfo]:
        return sorted(binding_infos().values(), key=lambda i: i.id)

    def action_close(self) -> None:
        self.dismiss(None)
