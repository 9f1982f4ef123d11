"""A widget that shows a prebuilt canvas, rebuilt by a timer only when marked dirty.

Building the canvas (a plotext chart) is not free, so updates only mark the widget dirty and
a timer rebuilds at most every ``redraw_interval`` seconds (or less often, when the subclass
asks for more spacing). A resize or a theme change marks it dirty too; a hidden widget stays
dirty and draws when its screen is shown again. Subclasses build the canvas in ``redraw``
(ending with ``_painted``) and their theme-derived style in ``build_style``.
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.timer import Timer
from textual.widget import Widget

__all__ = ["REDRAW_INTERVAL_S", "ThrottledCanvas"]

StyleT = TypeVar("StyleT")
REDRAW_INTERVAL_S = 0.3  # at most ~3 redraws per second


class ThrottledCanvas(Widget, Generic[StyleT]):
    """The dirty flag, the redraw timer, the theme subscription and the cached style."""

    def __init__(
        self,
        *,
        redraw_interval: float = REDRAW_INTERVAL_S,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.redraw_interval = redraw_interval
        self.redraw_count = 0
        self._canvas = Text("")
        self._canvas_size = (0, 0)
        self._dirty = True
        self._drawn_at = 0.0
        self._timer: Timer | None = None
        self._style: StyleT | None = None

    def mark_dirty(self) -> None:
        self._dirty = True

    # ---- what subclasses provide -------------------------------------------------------
    def redraw(self) -> None:
        """Build the canvas now and call ``_painted`` with it (the timer calls this)."""
        raise NotImplementedError

    def build_style(self) -> StyleT:
        """The drawing style from the current theme (cached until the theme changes)."""
        raise NotImplementedError

    def redraw_spacing(self) -> float:
        """The least time between two drawings."""
        return self.redraw_interval

    # ---- the mechanism -----------------------------------------------------------------
    def chart_style(self) -> StyleT:
        if self._style is None:
            self._style = self.build_style()
        return self._style

    def _painted(self, canvas: Text, width: int, height: int) -> None:
        self._canvas = canvas
        self._canvas_size = (width, height)
        self._drawn_at = time.monotonic()
        self._dirty = False
        self.redraw_count += 1
        self.refresh()

    def on_mount(self) -> None:
        self._timer = self.set_interval(self.redraw_interval / 3, self._tick)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self._style = None
        self._dirty = True

    def on_resize(self, event: events.Resize) -> None:
        self._dirty = True

    def _tick(self) -> None:
        if not (self._dirty and self.display and self.size.width and self.size.height):
            return
        if not self.screen.is_current:
            return  # hidden: stay dirty, draw when shown again
        if time.monotonic() - self._drawn_at >= self.redraw_spacing():
            self.redraw()

    def render(self) -> Text:
        if self._canvas_size != (self.size.width, self.size.height):
            self._dirty = True  # drawn on the next tick; show the old canvas meanwhile
        return self._canvas
