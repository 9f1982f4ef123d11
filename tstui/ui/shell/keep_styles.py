"""A screen that is not restyled whole when it shows again as it was styled.

Textual restyles every widget of a screen each time the screen is shown (a view switch, a
dialog closed), in case the theme changed while it was hidden: tens of ms under load, for
nothing when the theme, the app's classes (env, dark) and the screen's own are as they were.
A class set on a widget restyles that widget anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

__all__ = ["KeepsStyles"]


class KeepsStyles(_ScreenBase):
    """Call ``styles_settled()`` when the screen's styles are known to be current (it is
    hidden, or laid out off screen); its next whole restyle is skipped if nothing it depends
    on changed since."""

    _styled_as: tuple[object, ...] | None = None

    def _style_state(self) -> tuple[object, ...]:
        return (self.app.theme, frozenset(self.app.classes), frozenset(self.classes))

    def styles_settled(self) -> None:
        self._styled_as = self._style_state()

    def update_node_styles(self, animate: bool = True) -> None:
        styled_as, self._styled_as = self._styled_as, None
        if styled_as is not None and styled_as == self._style_state():
            return
        super().update_node_styles(animate)
