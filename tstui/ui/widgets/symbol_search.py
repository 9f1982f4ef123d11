"""Symbol search: an input that asks the v2 suggest endpoint as you type.

Suggestions (symbol, description, exchange) list under the input, debounced so a fast typist
costs one request, in an exclusive worker group of this widget (a newer request cancels an
older one). Down moves into the list, Enter picks; Enter in the input takes the typed text
when the API knows it (a suggestion of that name, or a symbol-details lookup), and an unknown
symbol is refused with a clear message instead of being passed on. Esc cancels.

Posts :class:`SymbolSearch.Submitted` (``symbol``, ``match``) and :class:`SymbolSearch.Cancelled`.
Server text (descriptions) is shown through ``safe_text``.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tstui.domain.market.data import SymbolMatch
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.plain import plain

__all__ = ["SymbolSearch"]

DEBOUNCE_S = 0.2
TOP = 8


def describe(match: SymbolMatch) -> str:
    """``MSFT  Microsoft Corp  NASDAQ`` (one safe line)."""
    parts = [match.name, match.description or "", match.exchange or ""]
    return safe_text("  ".join(p for p in parts if p), limit=80)


class SymbolSearch(Vertical):
    """See the module docstring. ``value``: the initial text; ``verify``: check a typed
    symbol with the API before submitting it (off: any well-formed text is submitted);
    ``input_id``: an id for the inner Input (a caller that queries it by id).

    Closed it is one line (the input); the suggestions and the status line show while there
    is something to show (classes ``-open`` and ``-message``, for a caller's CSS)."""

    DEFAULT_CSS = """
    SymbolSearch { height: auto; max-height: 12; }
    SymbolSearch > Input.symbol-search--input,
    SymbolSearch > Input.symbol-search--input:focus {
        height: 1; border: none; padding: 0 1;
    }
    SymbolSearch > Input.symbol-search--input:focus { background: $boost; }
    SymbolSearch > OptionList { height: auto; max-height: 8; display: none; border: none; }
    SymbolSearch.-open > OptionList { display: block; }
    SymbolSearch > .symbol-search--status {
        height: 1; color: $text-muted; padding: 0 1; display: none;
    }
    SymbolSearch.-message > .symbol-search--status { display: block; }
    SymbolSearch > .symbol-search--status.-error { color: $error; text-style: bold; }
    """
    BINDINGS: ClassVar[list[Any]] = []

    class Submitted(Message):
        def __init__(self, search: SymbolSearch, symbol: str, match: SymbolMatch | None) -> None:
            super().__init__()
            self.search = search
            self.symbol = symbol
            self.match = match

        @property
        def control(self) -> SymbolSearch:
            return self.search

    class Cancelled(Message):
        def __init__(self, search: SymbolSearch) -> None:
            super().__init__()
            self.search = search

        @property
        def control(self) -> SymbolSearch:
            return self.search

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "symbol (type to search)",
        verify: bool = True,
        top: int = TOP,
        debounce_s: float = DEBOUNCE_S,
        input_id: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = value
        self._placeholder = placeholder
        self._input_id = input_id
        self.verify = verify
        self.top = top
        self.debounce_s = debounce_s
        self.matches: list[SymbolMatch] = []
        self.message = ""
        self.searched_for = ""  # the text the shown suggestions answer
        self.busy = False
        self._timer: Timer | None = None
        # a value the program set (the chart's symbol, a link): its Changed asks nothing
        self._quiet: str | None = value or None

    def compose(self) -> ComposeResult:
        yield Input(
            self._initial,
            placeholder=self._placeholder,
            id=self._input_id,
            classes="symbol-search--input",
        )
        yield OptionList(classes="symbol-search--list")
        yield Static("", classes="symbol-search--status")

    @property
    def input(self) -> Input:
        return self.query_one(".symbol-search--input", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(".symbol-search--list", OptionList)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        """Set by the program (not typed): closes the suggestions and asks for none."""
        self.reset(text)

    def focus_input(self, select: bool = True) -> None:
        self.input.focus()
        if select:
            self.input.select_all()

    def reset(self, value: str = "") -> None:
        """Empty suggestions and message, ``value`` in the input (for reuse)."""
        self._cancel_timer()
        self.workers.cancel_group(self, "symbol-suggest")
        if value != self.input.value:
            self._quiet = value  # its Changed arrives later, maybe with the input focused
            self.input.value = value
        self._show([], "")

    # ---- asking the API --------------------------------------------------------------
    def _live(self) -> Any:
        live = getattr(self.app, "live", None)
        return live if live is not None and getattr(live, "connected", False) else None

    @on(Input.Changed, ".symbol-search--input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._cancel_timer()
        if event.value != self.input.value:
            return  # superseded: the newer value's Changed follows
        text = event.value.strip()
        quiet, self._quiet = self._quiet, None
        if not text or event.value == quiet or not self.input.has_focus:
            self._show([], "")  # a value set by the program (the chart's symbol) asks nothing
            return
        self._timer = self.set_timer(self.debounce_s, lambda: self._suggest(text))

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _suggest(self, text: str) -> None:
        self._timer = None
        self.run_worker(
            self._fetch(text), group="symbol-suggest", exclusive=True, exit_on_error=False
        )

    async def _fetch(self, text: str) -> None:
        live = self._live()
        if live is None:
            self._show([], "not connected: no suggestions", error=True)
            return
        self.busy = True
        try:
            found = await live.api.suggest_symbols(text, top=self.top)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed lookup is a message, never a crash
            self._show([], f"search failed: {exc}", error=True)
            return
        finally:
            self.busy = False
        if text != self.input.value.strip():
            return  # the user typed on while we waited
        self.searched_for = text
        if found:
            self._show(found, f"{len(found)} match{'es' if len(found) != 1 else ''}")
        else:
            self._show([], f"No symbol matches {safe_text(text, limit=40)!r}", error=True)

    def _show(self, matches: list[SymbolMatch], message: str, *, error: bool = False) -> None:
        self.matches = list(matches)
        self.message = message
        options = self.options
        options.clear_options()
        options.add_options(Option(plain(describe(m)), id=str(i)) for i, m in enumerate(matches))
        self.set_class(bool(matches), "-open")
        if matches and options.has_focus:
            options.highlighted = 0  # fresh answers while the user is in the list
        status = self.query_one(".symbol-search--status", Static)
        status.update(plain(message))
        status.set_class(error, "-error")
        self.set_class(bool(message), "-message")

    # ---- choosing --------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.post_message(self.Cancelled(self))
        elif event.key == "down" and self.input.has_focus and self.matches:
            event.stop()
            event.prevent_default()
            self.options.focus()
            self.options.highlighted = 0
        elif event.key == "up" and self.options.has_focus and self.options.highlighted == 0:
            event.stop()
            event.prevent_default()
            self.input.focus()

    @on(OptionList.OptionSelected, ".symbol-search--list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        if 0 <= index < len(self.matches):
            match = self.matches[index]
            self.input.value = match.name
            self._submit(match.name, match)

    @on(Input.Submitted, ".symbol-search--input")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = " ".join(event.value.split()).upper()
        if not text:
            return
        exact = next((m for m in self.matches if m.name.upper() == text), None)
        if exact is not None or not self.verify:
            self._submit(text, exact)
            return
        self._cancel_timer()
        self.run_worker(
            self._check(text), group="symbol-suggest", exclusive=True, exit_on_error=False
        )

    async def _check(self, text: str) -> None:
        """Is ``text`` a symbol? The suggestions did not name it exactly: ask for details."""
        live = self._live()
        if live is None:
            self._submit(text, None)  # nothing to check against: the caller's stream will say
            return
        self.busy = True
        try:
            batch = await live.api.get_symbols([text])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._show(self.matches, f"cannot check {safe_text(text, limit=40)}: {exc}", error=True)
            return
        finally:
            self.busy = False
        if batch.items:
            self._submit(text, None)
        else:
            self._show(
                self.matches,
                f"Unknown symbol {safe_text(text, limit=40)!r}: pick one from the list",
                error=True,
            )

    def _submit(self, symbol: str, match: SymbolMatch | None) -> None:
        self._show([], "")
        self.post_message(self.Submitted(self, symbol, match))
