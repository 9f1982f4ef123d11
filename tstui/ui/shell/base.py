"""The base Screen every main view derives from: header, body, API log, status bar, footer.

Subclasses override :meth:`compose_body` (not ``compose``), may add ``BINDINGS`` (each with a
dotted ``id``), ``palette_commands()`` and the message handlers ``on_books_changed``,
``on_account_changed`` and ``on_env_changed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from tstui.ui.shell.apilog import ApiLogPanel
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.footer import NARROW_WIDTH, ShellFooter
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.header import AppHeader
from tstui.ui.shell.keep_styles import KeepsStyles
from tstui.ui.shell.messages import BooksChanged
from tstui.ui.shell.status import StatusBar

if TYPE_CHECKING:
    from tstui.ui.session.live import LiveData


class LiveApp(Protocol):
    """What a view needs of the app: its live data (naming the app class would be a cycle)."""

    live: LiveData


class BaseScreen(PacedFrames, KeepsStyles, Screen[None]):
    VIEW: ClassVar[str] = ""
    """The app mode this screen is the base of ("overview", "positions", "orders", "chart")."""

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        with Horizontal(id="main"):
            with Vertical(id="body"):
                yield from self.compose_body()
            shown = bool(getattr(self.app, "api_log_shown", False))
            yield ApiLogPanel(id="api-log", classes="-shown" if shown else "")
        yield StatusBar(id="status-bar")
        yield ShellFooter()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets (override)."""
        yield Static(self.VIEW or type(self).__name__, classes="placeholder")

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """Commands this screen adds to the palette while it is active (override)."""
        return ()

    @property
    def live(self) -> LiveData:
        return cast(LiveApp, self.app).live

    @on(events.Resize)
    def _track_width(self, event: events.Resize) -> None:
        """Narrow terminals lay the API log out under the view (see tstui.tcss)."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Hidden screens get no flushes: redraw everything when shown again."""
        self.post_message(BooksChanged(full=True))

    @on(events.ScreenSuspend)
    def _remember_style_state(self) -> None:
        self.styles_settled()  # shown again as it was, it is not restyled whole

    def stop_session_work(self) -> None:
        """The session is about to close (env switch): stop workers that use it (override).
        ``on_env_changed`` follows once the new session is up."""

    def set_api_log(self, shown: bool) -> None:
        panel = self.query_one(ApiLogPanel)
        panel.set_class(shown, "-shown")
        if shown:
            panel.refresh_lines()
