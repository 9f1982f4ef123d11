"""The status bar: each stream's health, a cancel-all's progress, the last error, rate-limit
headroom."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from tstui.domain.untrusted import safe_text
from tstui.ui.session.live import LiveData
from tstui.ui.session.quotes import HEALTH_NAME as QUOTES
from tstui.ui.shell.bulk_cancel import cancel_progress

_STYLE = {
    "live": "bold green",
    "snapshot": "yellow",
    "connecting": "yellow",
    "reconnecting": "bold yellow",
    "stale": "bold red",
    "failed": "bold red",
    "stopped": "dim",
}


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    _shown: Text | None = None

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(1.0, self.refresh_state)
        live = self._live()
        if live is not None:
            live.changed.subscribe(self, self._on_live_changed)

    def _live(self) -> LiveData | None:
        live = getattr(self.app, "live", None)
        return live if isinstance(live, LiveData) else None

    def _on_live_changed(self, what: str) -> None:
        if what != "calls":
            self.refresh_state()

    def refresh_state(self) -> None:
        text = self.render_status()
        if text == self._shown:
            return  # nothing new: not even a repaint
        self._shown = text
        # One line as wide as the screen whatever it says (long text ends in an ellipsis):
        # a new text never changes its size, and the layout Static.update asks for by
        # default re-lays out the whole screen, every table on it repainting (the quote
        # board went over its ten repaints a second at a stream's state change).
        self.update(text, layout=False)

    def render_status(self) -> Text:
        live = self._live()
        text = Text(no_wrap=True, overflow="ellipsis")
        if live is None:
            return text.append("not connected", "dim")
        now = datetime.now(UTC)
        stale_after = live.settings.stream.heartbeat_timeout_s
        for name, health in live.stream_health.items():
            if name == QUOTES and not live.quotes.needed:
                continue  # nothing watched: stopped on purpose, not broken
            label = health.label(now, stale_after)
            state = label.split()[0]
            late = state == "live" and label != "live"  # a heartbeat late: the age shows
            text.append(f"{name} ", "dim")
            text.append(safe_text(label), "bold yellow" if late else _STYLE.get(state, ""))
            text.append("  ")
        progress = cancel_progress(self.app)
        if progress is not None and progress.shown():
            bad = progress.failed or progress.unknown
            style = "bold red" if bad else ("green" if progress.finished else "bold yellow")
            text.append(progress.label(), style)
            text.append("  ")
        limit = live.rate_limit
        if limit is not None:
            remaining = getattr(limit, "remaining", None)
            total = getattr(limit, "limit", None)
            if remaining is not None:
                text.append(f"quota {safe_text(limit.group)} ", "dim")
                low = total is not None and remaining < total * 0.2
                text.append(
                    f"{remaining}/{total}" if total else str(remaining), "bold red" if low else ""
                )
                text.append("  ")
        if live.last_error:
            at = live.last_error_at
            when = f"{at.astimezone():%H:%M:%S} " if at else ""
            text.append(f"! {when}{safe_text(live.last_error, limit=200)}", "bold red")
        return text
