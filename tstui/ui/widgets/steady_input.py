"""An Input whose typing does not lay the whole screen out again.

At every value, Textual's Input sets its virtual width (the value's width plus the cursor: how
far it can scroll), and ``virtual_size`` is a reactive that asks the screen for a layout:
each character typed, and each field a ticket's opening fills, was a layout of every widget on
the screen (~13 ms for the order ticket under load). An Input only reads its virtual width
back for its own scroll bounds, it has no scrollbar, and the compositor does not take a
scrolling widget's virtual size from the layout; so here it is set without that request. An
Input sized by its content (``width: auto``) still asks, as Textual's does.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Input

__all__ = ["SteadyInput"]


class SteadyInput(Input):
    def _watch_value(self, value: str) -> None:
        # Set first, quietly: Textual's watcher then assigns the same size, a no-op.
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
