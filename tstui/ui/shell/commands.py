"""Command palette: every action as ``category: action``, from the app and the active screen.

An object takes part by having ``palette_commands() -> Iterable[PaletteCommand]``; the app's
commands come first, then those of the screen the palette was opened from (and, when that is
a modal, of the base screen under it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from tstui.domain.untrusted import safe_text


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    category: str
    action: str
    callback: Callable[[], Any]
    help: str = ""

    @property
    def text(self) -> str:
        # Actions can name a symbol or account the server sent: one harmless line.
        return safe_text(f"{self.category}: {self.action}", limit=120)


def _prompt(matcher: Matcher, text: str) -> Content:
    """The palette parses a ``str`` prompt as markup: text with a bracket is shown as plain
    Content (unhighlighted); without one, the matcher's highlight is safe to use."""
    return Content(text) if "[" in text else matcher.highlight(text)


@runtime_checkable
class HasPaletteCommands(Protocol):
    def palette_commands(self) -> Iterable[PaletteCommand]: ...


def collect_commands(*sources: object) -> list[PaletteCommand]:
    """Commands from each source that has ``palette_commands``; first text wins on a clash."""
    seen: set[str] = set()
    out: list[PaletteCommand] = []
    for source in sources:
        if not isinstance(source, HasPaletteCommands):
            continue
        try:
            commands = list(source.palette_commands())
        except Exception:  # a broken screen hook must not break the palette
            continue
        for command in commands:
            if command.text not in seen:
                seen.add(command.text)
                out.append(command)
    return out


class TstuiCommands(Provider):
    """The app's provider (see ``TstuiApp.COMMANDS``)."""

    def _sources(self) -> Iterator[object]:
        yield self.app
        yield from reversed(self.app.screen_stack)
        yield self.screen

    def _commands(self) -> list[PaletteCommand]:
        return collect_commands(*self._sources())

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                Content(command.text),
                command.callback,
                text=command.text,
                help=escape(safe_text(command.help)) or None,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(
                    score,
                    _prompt(matcher, command.text),
                    command.callback,
                    text=command.text,
                    help=escape(safe_text(command.help)) or None,
                )
