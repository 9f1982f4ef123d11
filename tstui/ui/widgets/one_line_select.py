"""A Select whose current value is one widget that draws its own line.

Textual's ``SelectCurrent`` is a row of three Statics (the label, a down and an up arrow), so
a closed Select puts four widgets on screen. The order ticket has eight Selects: a third of
the widgets that its layout and first frame go through each time it opens. Here the current
value draws its label and arrow itself. It is still Textual's Select in everything else
(options, overlay, keys, messages, and the ``SelectCurrent``, ``-has-value`` and
``-expanded`` hooks for CSS). A label is plain text, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay, SelectType

__all__ = ["OneLineSelect"]

DOWN, UP = "▼", "▲"


class OneLineCurrent(SelectCurrent):
    """The current value: ``label ... ▼`` on one line (``▲`` while the list is open)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"one-line-current--muted"}
    DEFAULT_CSS = """
    OneLineCurrent > .one-line-current--muted { color: $foreground 50%; }
    """

    def compose(self) -> ComposeResult:
        yield from ()

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = label is not Select.NULL
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1  # no children to measure: the line is the content

    def render(self) -> Text:
        # Its colour only, blended on this widget's background (which focus changes).
        muted = Style(color=self.get_component_rich_style("one-line-current--muted").color)
        label = self.label
        if isinstance(label, NoSelection):
            text = Text(self.placeholder, style=muted)
        elif isinstance(label, Text):
            text = label.copy()
        else:
            text = Text(str(label))
        expanded = isinstance(self.parent, Select) and self.parent.expanded
        width = max(self.content_size.width - 2, 0)  # the arrow and the space before it
        text.truncate(width, overflow="ellipsis", pad=True)
        text.append(" ")
        text.append(UP if expanded else DOWN, style=muted)
        text.no_wrap = True
        return text


class OneLineSelect(Select[SelectType]):
    """Textual's Select, its current value drawn by :class:`OneLineCurrent`."""

    def compose(self) -> ComposeResult:
        yield OneLineCurrent(self.prompt)
        yield SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def watch_expanded(self, expanded: bool) -> None:
        # Runs after Select's own watcher: the arrow turns with the list.
        self.query(OneLineCurrent).refresh()
