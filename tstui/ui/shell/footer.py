"""The footer every main view shows, as one widget: the screen's own keys first, the app's
views as one compact group ("123456789 Views") after Help and Quit, the palette key at the
right; at narrow widths a compact line without the env, account, order, cancel-all and
palette keys (``?`` lists every key).

Textual's own footer is a container of one widget per key (~25), composed empty and then
recomposed once the bindings are known, and again at every view switch and focus change:
~25 ms of the way to the first full screen. Here the keys are one line of styled text, laid
out again only when what it shows changes (the keys, their state, the width). An entry is
shown whole or not at all (the view keys come last, so they go first); a click on an entry
presses its key, and hovering one shows its tooltip, as on Textual's footer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen

__all__ = ["NARROW_WIDTH", "FooterEntry", "ShellFooter", "footer_entries"]

NARROW_WIDTH = 120
# App-wide actions left out of a narrow footer (still bound; help and the palette list them).
NARROW_HIDDEN = frozenset({"toggle_env", "next_account", "ticket('new')", "cancel_all"})
PALETTE_SEPARATOR = "▏"


def _action_name(action: str) -> str:
    """ "app.toggle_env" -> "toggle_env" (the arguments stay: ticket('new') is the app's)."""
    head, paren, args = action.partition("(")
    return head.rsplit(".", 1)[-1] + paren + args


@dataclass(frozen=True, slots=True)
class FooterKey:
    """One key of an entry: what a click presses and how the key is shown."""

    key: str
    display: str
    enabled: bool
    tooltip: str


@dataclass(frozen=True, slots=True)
class FooterEntry:
    """One entry of the footer: a key and its description, or a compact group of keys that
    share one (``123456789 Views``); ``palette`` is the command palette's key, shown apart."""

    keys: tuple[FooterKey, ...]
    description: str
    grouped: bool = False
    palette: bool = False


def footer_entries(
    bindings: Iterable[tuple[Binding, bool, str]],
    key_display: Callable[[Binding], str],
    *,
    narrow: bool,
    palette: tuple[Binding, bool, str] | None,
) -> tuple[FooterEntry, ...]:
    """The entries for the shown ``bindings`` (binding, enabled, tooltip), in their order: one
    per action (its first key), consecutive keys of one group with more than one key as one
    entry (as Textual's footer groups them); ``key_display(binding)`` is the key as shown."""

    def key_of(binding: Binding, enabled: bool, tooltip: str) -> FooterKey:
        return FooterKey(binding.key, key_display(binding), enabled, tooltip or binding.description)

    firsts: dict[str, tuple[Binding, bool, str]] = {}
    for binding, enabled, tooltip in bindings:
        if narrow and _action_name(binding.action) in NARROW_HIDDEN:
            continue
        firsts.setdefault(binding.action, (binding, enabled, tooltip))
    entries: list[FooterEntry] = []
    for group, members in groupby(firsts.values(), lambda item: item[0].group):
        items = list(members)
        keys = [key_of(*item) for item in items]
        if group is not None and len(items) > 1:
            entries.append(FooterEntry(tuple(keys), group.description, grouped=True))
        else:
            entries += [
                FooterEntry((key,), b.description)
                for key, (b, _, _) in zip(keys, items, strict=True)
            ]
    if palette is not None and not narrow:
        entries.append(FooterEntry((key_of(*palette),), palette[0].description, palette=True))
    return tuple(entries)


def _width(pieces: Sequence[tuple[str, FooterKey | None]]) -> int:
    """Cells the pieces take on screen (a wide character takes two)."""
    return sum(cell_len(part) for part, _ in pieces)


_DIM = Style(dim=True)


@dataclass(frozen=True, slots=True)
class _Styles:
    """The line's styles, read from the component classes once a draw."""

    key: Style
    text: Style
    hover: Style


@dataclass(frozen=True, slots=True)
class _Span:
    """Where one key of the line is: columns ``start``..``end`` (exclusive)."""

    start: int
    end: int
    key: FooterKey


class ShellFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "shell-footer--key",
        "shell-footer--description",
        "shell-footer--hover",
    }
    DEFAULT_CSS = """
    ShellFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .shell-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .shell-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .shell-footer--hover { background: $block-hover-background; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._entries: tuple[FooterEntry, ...] = ()
        self._spans: tuple[_Span, ...] = ()
        self._shown: tuple[FooterEntry, ...] = ()
        self._hover: FooterKey | None = None

    @property
    def entries(self) -> tuple[FooterEntry, ...]:
        """Every entry for the screen's bindings, shown or not (see ``shown_entries``)."""
        return self._entries

    @property
    def shown_entries(self) -> tuple[FooterEntry, ...]:
        """The entries that fitted the width at the last render (each one whole)."""
        return self._shown

    @property
    def narrow(self) -> bool:
        return self.app.size.width < NARROW_WIDTH

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual announces new bindings at every focus change and view switch: the line is
        drawn again only when the entries it shows would change."""
        if screen is not self.screen:
            return
        active = screen.active_bindings
        shown = (
            (binding, enabled, tooltip)
            for _, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = (found[1], found[2], found[3])
        entries = footer_entries(
            shown, self.app.get_key_display, narrow=self.narrow, palette=palette
        )
        if entries != self._entries:
            self._entries = entries
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.bindings_changed(self.screen)  # the width class may hide or show entries
        self.refresh()

    def render(self) -> Text:
        line, self._spans, self._shown = self._line(self.size.width)
        return line

    def _line(self, width: int) -> tuple[Text, tuple[_Span, ...], tuple[FooterEntry, ...]]:
        narrow = self.narrow
        styles = _Styles(
            key=self.get_component_rich_style("shell-footer--key"),
            text=self.get_component_rich_style("shell-footer--description"),
            hover=self.get_component_rich_style("shell-footer--hover", partial=True),
        )
        palette = [e for e in self._entries if e.palette]
        tail = self._pieces(palette[0], narrow) if palette else []
        tail_width = _width(tail) + cell_len(PALETTE_SEPARATOR) if tail else 0
        room = width - tail_width
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[_Span] = []
        shown: list[FooterEntry] = []
        for entry in self._entries:
            if entry.palette:
                continue
            pieces = self._pieces(entry, narrow)
            if line.cell_len + _width(pieces) > room:
                break  # this entry and the ones after it: never cut one mid-word
            self._append(line, pieces, spans, styles)
            shown.append(entry)
        if tail and line.cell_len <= room:
            line.append(" " * (room - line.cell_len))
            line.append(PALETTE_SEPARATOR, _DIM)
            self._append(line, tail, spans, styles)
            shown += palette
        return line, tuple(spans), tuple(shown)

    @staticmethod
    def _pieces(entry: FooterEntry, narrow: bool) -> list[tuple[str, FooterKey | None]]:
        """The entry's text in pieces: each key (with the key it presses) and the rest, as
        Textual's footer spaces them (" r Refresh " wide, "r Refresh " narrow)."""
        if entry.grouped:  # " 123456789 Views": the keys side by side, then what they are
            keys: list[tuple[str, FooterKey | None]] = [(k.display, k) for k in entry.keys]
            return [(" ", None), *keys, (f" {entry.description} ", None)]
        key = entry.keys[0]
        shown = key.display if narrow else f" {key.display} "
        if not entry.description:
            return [(shown, key), (" ", None)] if narrow else [(shown, key)]
        described = f" {entry.description} " if narrow else f"{entry.description} "
        return [(shown, key), (described, None)]

    def _append(
        self,
        line: Text,
        pieces: Sequence[tuple[str, FooterKey | None]],
        spans: list[_Span],
        styles: _Styles,
    ) -> None:
        for part, key in pieces:
            style = styles.key if key is not None else styles.text
            if key is not None and not key.enabled:
                style += _DIM
            if key is not None and key == self._hover:
                style += styles.hover
            start = line.cell_len
            line.append(part, style)
            if key is not None:
                spans.append(_Span(start, line.cell_len, key))

    def key_at(self, x: int) -> FooterKey | None:
        """The key drawn at column ``x`` (None between keys)."""
        for span in self._spans:
            if span.start <= x < span.end:
                return span.key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        event.stop()
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_on(self.key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_on(None)

    def _hover_on(self, key: FooterKey | None) -> None:
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None else None
            self.refresh()
