"""The shared header: app name, environment badge (SIM calm, LIVE red), account, clock."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tstui.domain.untrusted import safe_text
from tstui.ui.session.live import LiveData


def live_of(widget: Static | Horizontal) -> LiveData | None:
    live = getattr(widget.app, "live", None)
    return live if isinstance(live, LiveData) else None


class AppHeader(Horizontal):
    """One line; reads everything from ``app.live`` when it changes."""

    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $panel; }
    AppHeader > Static { width: auto; height: 1; padding: 0 1; }
    AppHeader > #hdr-title { text-style: bold; color: $accent; }
    AppHeader > #hdr-env { text-style: bold; }
    AppHeader > #hdr-env.-sim { background: $success 30%; color: $foreground; }
    AppHeader > #hdr-env.-live { background: $live-warning; color: white; }
    AppHeader > #hdr-account { width: 1fr; }
    AppHeader > #hdr-symbol { color: $accent; text-style: bold; }
    AppHeader > #hdr-policy { text-style: bold; color: $warning; }
    AppHeader > #hdr-policy.-live { background: $live-warning; color: white; }
    AppHeader > #hdr-clock { color: $text-muted; }
    """

    _clock_width = -1

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Held, not queried: a header on a ticket that closes (or a ticket built ahead that
        # is dropped) can tick or hear a change after its parts are gone.
        self._env = Static("SIM", id="hdr-env", classes="-sim")
        self._account = Static("", id="hdr-account")
        self._policy = Static("", id="hdr-policy")
        self._symbol = Static("", id="hdr-symbol")
        self._clock = Static("", id="hdr-clock")

    def compose(self) -> ComposeResult:
        yield Static("tstui", id="hdr-title")
        yield self._env
        yield self._account
        yield self._policy
        yield self._symbol
        yield self._clock

    def on_mount(self) -> None:
        self.refresh_state()
        self._tick()
        self.set_interval(1.0, self._tick)
        live = live_of(self)
        if live is not None:
            live.changed.subscribe(self, self._on_live_changed)

    def _on_live_changed(self, what: str) -> None:
        if what in ("env", "account", "accounts", "symbol", "settings"):
            self.refresh_state()

    def refresh_state(self) -> None:
        live = live_of(self)
        env = live.env if live is not None else "sim"
        badge = self._env
        self._show(badge, Text(" LIVE " if env == "live" else " SIM "))
        badge.set_class(env == "live", "-live")
        badge.set_class(env != "live", "-sim")
        self._show(self._account, self._account_text(live))
        # one-key sending ([trading.<env>] confirm = "hotkeys-send") is never silent
        one_key = live is not None and live.settings.confirm_policy == "hotkeys-send"
        policy = self._policy
        self._show(policy, Text("1-KEY SEND" if one_key else ""))
        policy.set_class(one_key and env == "live", "-live")
        policy.display = one_key
        symbol = live.current_symbol if live is not None else None
        # a symbol can come from the server (a position, an order): plain Text, never markup
        self._show(self._symbol, Text(f"⛓ {safe_text(symbol)}" if symbol else ""))

    def _show(self, part: Static, text: Text) -> None:
        """Draw ``text`` in ``part`` if it changed; lay the screen out again only when it no
        longer fits the part's width (a shorter text is drawn in place, with a blank after
        it, until some other layout fits the part to it). Each symbol linked (a cursor move
        on the blotter) reaches every header, the kept ticket's and hidden views' included,
        and a layout asked there is a whole-screen layout at that screen's next showing."""
        if str(part.content) == text.plain:  # drawn already
            return
        fixed = part is self._account  # 1fr: the width is the header's, not the text's
        # (not laid out yet, its width is 0: a first text always lays out)
        fits = text.cell_len <= part.content_size.width
        part.update(text, layout=not (fixed or fits))

    @staticmethod
    def _account_text(live: LiveData | None) -> Text:
        """Account ids and types come from the server: plain Text, never markup."""
        if live is None or not live.accounts:
            return Text("account: -")
        current = live.current_account
        if current is None:
            return Text(f"account: all ({len(live.accounts)})")
        for account in live.accounts:
            if account.account_id == current:
                return Text(f"account: {safe_text(current)} {safe_text(account.account_type)}")
        return Text(f"account: {safe_text(current)}")

    def _tick(self) -> None:
        now = datetime.now()
        utc = datetime.now(UTC)
        wide = self.size.width >= 100
        text = f"{now:%H:%M:%S}" + (f"  {utc:%H:%M} UTC" if wide else "")
        # the clock's width only changes with the layout mode: a same-width tick needs no
        # layout pass (one re-lays out the whole screen and repaints every table on it)
        same_width = len(text) == self._clock_width
        self._clock_width = len(text)
        self._clock.update(text, layout=not same_width)

    async def on_click(self, event: events.Click) -> None:
        widget = event.widget
        if widget is not None and widget.id == "hdr-account":
            await self.app.run_action("next_account")
        elif widget is not None and widget.id == "hdr-env":
            await self.app.run_action("toggle_env")
