"""API log panel: method, path, status and latency of every call, newest first, no secrets."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tstui.domain.untrusted import safe_text
from tstui.ui.session.live import LiveData

MAX_SHOWN = 500


def safe_path(path: str) -> str:
    """The path without any query string (values there may be codes or tokens)."""
    return path.split("?", 1)[0].split("#", 1)[0]


def short_path(path: str) -> str:
    """The path as the log shows it: without the query, the "/v3" prefix and all but the first
    of a comma list ("/brokerage/accounts/SIM1+2/orders"): the end of the path says what the
    call was, and at 80 columns it was cut off."""
    path = safe_path(path)
    if path.startswith("/v3/"):
        path = path[3:]
    parts = []
    for part in path.split("/"):
        items = part.split(",")
        parts.append(f"{items[0]}+{len(items) - 1}" if len(items) > 1 else part)
    return "/".join(parts)


def format_call(record: Any) -> Text:
    status = getattr(record, "status", None)
    latency = getattr(record, "latency_s", None)
    at = getattr(record, "at", None)
    style = "green" if isinstance(status, int) and status < 400 else "bold red"
    line = Text(no_wrap=True, overflow="ellipsis")
    if at is not None:
        line.append(f"{at.astimezone():%H:%M:%S} ", "dim")
    line.append(f"{safe_text(getattr(record, 'method', '?'), limit=8):<6} ", "bold")
    line.append(f"{safe_text(status) if status is not None else 'ERR':>3} ", style)
    if latency is not None:
        line.append(f"{latency * 1000:>6.0f}ms ", "dim")
    # A path can carry a symbol the server sent (quotes, bars): made harmless like any text.
    line.append(safe_text(short_path(str(getattr(record, "path", "")))))
    return line


class ApiLogPanel(Vertical):
    """Hidden by default; the app toggles ``display`` on every screen's panel."""

    DEFAULT_CSS = """
    ApiLogPanel { width: 56; max-width: 55%; border-left: solid $primary; display: none; }
    ApiLogPanel.-shown { display: block; }
    ApiLogPanel > #apilog-title { height: 1; background: $panel; text-style: bold; }
    ApiLogPanel > VerticalScroll { height: 1fr; }
    ApiLogPanel #apilog-lines { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dirty = True

    def compose(self) -> ComposeResult:
        yield Static("API log (newest first)", id="apilog-title")
        with VerticalScroll():
            yield Static("", id="apilog-lines")

    def on_mount(self) -> None:
        live = getattr(self.app, "live", None)
        if isinstance(live, LiveData):
            live.changed.subscribe(self, self._on_live_changed)
        self.set_interval(0.5, self._maybe_refresh)

    def _on_live_changed(self, what: str) -> None:
        if what in ("calls", "env"):
            self._dirty = True

    def _maybe_refresh(self) -> None:
        if self._dirty and self.display:
            self.refresh_lines()

    def refresh_lines(self) -> None:
        self._dirty = False
        live = getattr(self.app, "live", None)
        records = list(live.call_log)[:MAX_SHOWN] if isinstance(live, LiveData) else []
        body = (
            Text("\n", no_wrap=True, overflow="ellipsis").join(format_call(r) for r in records)
            if records
            else Text("no calls")
        )
        self.query_one("#apilog-lines", Static).update(body)

    def lines(self) -> list[str]:
        """Plain text of the shown lines (for tests)."""
        live = getattr(self.app, "live", None)
        if not isinstance(live, LiveData):
            return []
        return [format_call(r).plain for r in list(live.call_log)[:MAX_SHOWN]]
