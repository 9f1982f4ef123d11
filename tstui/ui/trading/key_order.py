"""Keys in order: a key reaches the widget that has focus once the keys before it were handled.

Textual's App forwards a key to the focused widget's own queue and goes on with its next
message. A key nobody in the widget handles (Tab) bubbles up through every ancestor's queue
and only then runs the App's bindings (``focus_next``): keys that arrived in the same read
(``440``, Tab, ``435`` typed during an SSH stall) were already forwarded to the old focused
widget, which then held ``440435``. The ticket and the replace dialog are where that costs
money, so the trading package carries the fix; it applies to every screen of the app.

`KeysInOrder` (a mixin of the app, ahead of ``App`` in its bases) holds the keys that arrive
while one is in flight, and follows the one in flight up the ancestors it may bubble through
(a callback queued behind it in each ancestor's queue, up to the App's); the next key is
routed only then, to whatever has focus by then. A key that is never answered (a widget
removed on the way) is let go after `KEY_RELEASE_S` so input never stalls.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    _AppBase = App[Any]
    _ScreenBase = Screen[Any]
else:
    _AppBase = object
    _ScreenBase = object

__all__ = ["KEY_RELEASE_S", "EarlyKeys", "KeysInOrder"]

KEY_RELEASE_S = 1.0


class KeysInOrder(_AppBase):
    """See the module docstring."""

    _key_in_flight: events.Key | None = None
    _key_timer: Timer | None = None

    @property
    def _key_backlog(self) -> deque[events.Key]:
        backlog: deque[events.Key] | None = self.__dict__.get("_keys_held")
        if backlog is None:
            backlog = self.__dict__["_keys_held"] = deque()
        return backlog

    def key_arrived(self) -> None:
        """A key came in from the terminal (the app's idle collector listens: override)."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.key_arrived()
            if self._key_in_flight is not None or self._key_backlog:
                self._key_backlog.append(event)
                return
            await self._route_key(event)
            return
        await super().on_event(event)

    async def _route_key(self, event: events.Key) -> None:
        # the App's own routing: priority bindings here, else forwarded to the focused widget
        await super().on_event(event)
        if not event.is_forwarded:
            return  # handled here and now (a priority binding): nothing to wait for
        target: MessagePump = self.focused or self.screen
        self._key_in_flight = event
        self._key_timer = self.set_timer(KEY_RELEASE_S, partial(self._key_done, event))
        self._follow(event, target)

    def _follow(self, event: events.Key, node: MessagePump | None) -> None:
        """Queue a look behind ``event`` in ``node``'s queue; from there, in its parent's."""
        if self._key_in_flight is not event:
            return
        while node is not None and node is not self:
            parent = node._parent
            if node.call_later(self._follow, event, parent):
                return
            node = parent  # closed: the key cannot be there any more
        # every widget the key could bubble through has handled it: the App's turn last
        if not self.call_later(self._key_done, event):
            self._key_in_flight = None  # the app is closing: no key goes anywhere now

    async def _key_done(self, event: events.Key) -> None:
        if self._key_in_flight is not event:
            return
        self._key_in_flight = None
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        backlog = self._key_backlog
        while backlog and self._key_in_flight is None:
            await self._route_key(backlog.popleft())


class EarlyKeys(_ScreenBase):
    """For a modal that sets its own focus once it is laid out (the ticket, the replace
    dialog): printable keys that reach it before `release_early_keys()` (typed right after the
    key that opened it, in the same burst) are kept, then typed into the field focused then.
    Auto-focus is off, so no other field takes them meanwhile."""

    AUTO_FOCUS = ""

    def on_key(self, event: events.Key) -> None:
        if not (event.is_printable and event.character):
            return
        if not self.__dict__.get("_early_released"):
            self.__dict__.setdefault("_early_keys", []).append(event.character)
            event.stop()
            return
        target = self.__dict__.get("_early_target")
        if self.focused in (None, target) and isinstance(target, Input):
            # After the release: sent here while no field had the focus yet (it lands in the
            # next loop turn), whether or not it has landed by now, the key is the field's.
            # (A key that came through the field itself never gets here: it types them.)
            self._type_early(target, event.character)
            event.stop()

    def hold_early_keys(self) -> None:
        """Keys are kept again until the next `release_early_keys()` (a modal shown again
        for another order starts as a new one)."""
        for name in ("_early_released", "_early_target", "_early_keys"):
            self.__dict__.pop(name, None)
        held = self.__dict__.pop("_select_on_focus_back", None)
        if isinstance(held, Input):
            held.select_on_focus = True

    def release_early_keys(self, target: object) -> None:
        """Type the kept keys into ``target`` (the widget just given focus: ``focus()``
        applies later, so it is named here); anything else than a text field drops them."""
        self.__dict__["_early_released"] = True
        self.__dict__["_early_target"] = target
        text = "".join(self.__dict__.pop("_early_keys", []))
        if text and isinstance(target, Input):
            self._type_early(target, text)

    def _type_early(self, target: Input, text: str) -> None:
        target.insert_text_at_cursor(text)
        if target.select_on_focus and not target.has_focus:
            # The focus being applied would select the text and the next key replace it: not
            # this once. Given back when the field has taken the focus (on_descendant_focus),
            # however late that lands.
            target.select_on_focus = False
            self.__dict__["_select_on_focus_back"] = target

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Posted by the field once it handled its Focus (and did not select): restore.
        held = self.__dict__.get("_select_on_focus_back")
        if isinstance(held, Input) and event.widget is held:
            del self.__dict__["_select_on_focus_back"]
            held.select_on_focus = True
