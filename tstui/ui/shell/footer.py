"""The footer every main view shows: the screen's own keys first, the app's views as one compact
group ("123456789 Views") after Help and Quit; at narrow widths a compact footer without the
env, account, order, cancel-all and palette keys (at 80 columns the list was cut mid-word with
the screen's own keys hidden; ``?`` lists every key)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["NARROW_WIDTH", "ShellFooter"]

NARROW_WIDTH = 120
# App-wide actions left out of a narrow footer (still bound; help and the palette list them).
NARROW_HIDDEN = frozenset({"toggle_env", "next_account", "ticket('new')", "cancel_all"})


def _action_name(action: str) -> str:
    """ "app.toggle_env" -> "toggle_env" (the arguments stay: ticket('new') is the app's)."""
    head, paren, args = action.partition("(")
    return head.rsplit(".", 1)[-1] + paren + args


class ShellFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._narrow: bool | None = None
        self._shown: tuple[object, ...] | None = None  # what the keys were composed from

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual recomposes the footer at every focus change and view switch (~25 keys
        created, styled and mounted each time); it is done only when what the footer shows
        would change: the keys, their state, or the width class."""
        shown = (
            self._is_narrow(),
            *(
                (binding, enabled, tooltip)
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show
            ),
        )
        if shown == self._shown and self._bindings_ready:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # the recompose Textual scheduled will show these

    def _is_narrow(self) -> bool:
        return self.app.size.width < NARROW_WIDTH

    def compose(self) -> ComposeResult:
        narrow = self._narrow = self._is_narrow()
        self.compact = narrow
        # the docked palette key overlapped the cut keys; ^p is in help and still works
        self.show_command_palette = not narrow
        for widget in super().compose():
            action = getattr(widget, "action", None)  # a key of the footer (not a label)
            if narrow and isinstance(action, str) and _action_name(action) in NARROW_HIDDEN:
                continue
            if isinstance(widget, FooterKey):
                # A key starts compact and is then bound to the footer's (not compact): each
                # of the two class flips restyled the whole key, twice per key per recompose,
                # and the footer recomposes at every view switch and focus change.
                widget.set_reactive(FooterKey.compact, narrow)
                widget.set_class(narrow, "-compact", update=False)
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        if self._narrow is not None and self._is_narrow() != self._narrow:
            self.call_after_refresh(self.recompose)
        else:
            self.call_after_refresh(self._drop_overflow)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._drop_overflow)

    def _drop_overflow(self) -> None:
        """Hide the entries that do not fit whole (and all after them): a key is either shown
        or left out, never cut mid-word (the view keys come last, so they go first)."""
        children = [c for c in self.children if not c.has_class("-command-palette")]
        palette = [c for c in self.children if c.has_class("-command-palette")]
        right = self.region.right - sum(p.region.width for p in palette)
        cut = False
        for child in children:
            if not cut and child.display and child.region.right > right:
                cut = True
            if cut:
                child.display = False
