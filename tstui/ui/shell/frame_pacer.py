"""A screen's frames: one as soon as something changed, never two within a 60 fps period.

Textual draws a screen from a 60 fps interval timer that is paused while nothing changed.
Resumed after a pause, that timer ticks at once, then skips to the next period boundary but
one: the frame after it comes 17 to 33 ms later. A key pressed just after a stream's repaint
waited that long for its own frame (half the tail of the key-to-paint figures, measured).
``PacedFrames`` gives a screen a pacer that keeps Textual's spacing (a period between
frames) without the skip: a change after a quiet period is drawn in the next loop turn.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

from textual.screen import UPDATE_PERIOD

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

__all__ = ["FramePacer", "PacedFrames"]


class FramePacer:
    """What Textual's Screen asks of its update timer (``resume``/``pause``): ``resume``
    asks for a frame, drawn at once when the last one is a period old, else when it is;
    ``pause`` withdraws the request (the screen drew, or is laying out and will)."""

    def __init__(self, screen: Screen[Any], period: float = UPDATE_PERIOD) -> None:
        self._screen = screen
        self.period = period
        self.last_frame_at = -math.inf  # loop time of the last frame asked of the screen
        self._pending: asyncio.Handle | None = None

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def resume(self) -> None:
        if self._pending is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self.last_frame_at + self.period - loop.time()
        self._pending = loop.call_later(wait, self._due) if wait > 0 else loop.call_soon(self._due)

    def pause(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _due(self) -> None:
        self._pending = None
        self.last_frame_at = asyncio.get_running_loop().time()
        screen = self._screen
        if not screen.is_running:
            return
        # Called here, outside the screen's message queue, as Textual's timer calls it from
        # its own task: through the queue, the idle that follows a message re-asked for a
        # frame whenever a view under a dialog kept itself dirty (a frame loop at 50/s).
        # The loop runs this in the context resume() was called in: the screen's own.
        try:
            screen._on_timer_update()  # private Textual API (8.2)
        except Exception as error:
            screen.app._handle_exception(error)


class PacedFrames(_ScreenBase):
    """A Screen whose frames come from a :class:`FramePacer` instead of Textual's timer."""

    _frame_pacer: FramePacer | None = None

    # Screen's is a Timer; Screen only calls resume() and pause() on it.
    @property
    def _update_timer(self) -> FramePacer:  # type: ignore[override]
        if self._frame_pacer is None:
            self._frame_pacer = FramePacer(self)
        return self._frame_pacer
