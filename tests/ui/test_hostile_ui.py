"""The running app with hostile server text (issue 16): every view, the order detail panel,
the chart, the API log, the palette, and the toasts of a stream Error frame and of a 400.

The simulator makes its text hostile (POST /_sim/hostile, real HTTP); the app must keep
running, and no rendered line may hold a control character, an escape, a bidi override or a
line a raw newline forged. What is on screen is read from the compositor, as a terminal would
get it (toasts and modals included).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from test_hostile_sim import ALL_HOSTILE, HOSTILE, dangerous, forged_lines, set_hostile
from textual.app import App, ComposeResult
from textual.widgets import Static
from ui_support import SIZE, started, wait_until

from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.trading.dialogs import ReplaceOrderScreen
from tstui.ui.trading.ticket import OrderTicket
from tstui.ui.views.chart.symbol_panel import SymbolPanel
from tstui.ui.views.overview.balances import DataPanel

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def screen_text(app: App[Any]) -> str:
    """The whole screen as the terminal would get it (text only, every layer)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def assert_screen_safe(app: App[Any], where: str) -> str:
    assert app.is_running, f"{where}: the app closed"
    text = screen_text(app)
    assert dangerous(text) == [], f"{where}: {sorted(set(dangerous(text)))}"
    assert forged_lines(text) == [], where
    for notification in app._notifications:
        shown = f"{notification.title}\n{notification.message}"
        assert not notification.markup, where
        assert dangerous(shown.replace("\n", " ", 1)) == [], where
    return text


def showing(app: App[Any], view: str) -> bool:
    return bool(getattr(app.screen, "VIEW", None) == view)


async def tour(app: TstuiApp, pilot: Pilot[Any], *, streams_ok: bool) -> dict[str, str]:
    """Every view once; returns what each showed."""
    seen: dict[str, str] = {}
    await started(app, pilot, orders_live=streams_ok)
    balances = app.screen.query_one("#balances-panel", DataPanel)
    await wait_until(
        pilot, lambda: balances.last_good_at or balances.error, 10, "the balances panel"
    )
    seen["overview"] = assert_screen_safe(app, "overview")
    for key, view in (("2", "positions"), ("3", "orders"), ("4", "chart")):
        await pilot.press(key)
        await wait_until(pilot, lambda v=view: showing(app, v), 10, view)
        await pilot.pause(0.5)
        if view == "orders":
            await pilot.press("down", "up")  # a row highlighted: the detail panel shows it
            await pilot.pause(0.3)
        if view == "chart":
            panel = app.screen.query_one(SymbolPanel)
            await wait_until(pilot, lambda p=panel: p.detail or p.error, 10, "symbol details")
        seen[view] = assert_screen_safe(app, view)
    await pilot.press("ctrl+l")  # the API log
    await pilot.pause(0.7)
    seen["api log"] = assert_screen_safe(app, "api log")
    await pilot.press("ctrl+l", "ctrl+p")
    await pilot.pause(0.3)
    await pilot.press(*"chart")
    await pilot.pause(0.5)
    seen["palette"] = assert_screen_safe(app, "palette")
    await pilot.press("escape")
    await pilot.pause(0.2)
    return seen


async def test_hostile_text_everywhere_keeps_the_app_up_and_the_screen_clean(
    sim: SimServer, settings: Settings
) -> None:
    set_hostile(sim.url, ALL_HOSTILE, stream_errors=2)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        seen = await tour(app, pilot, streams_ok=True)
        # the hostile text did arrive, made visible (not dropped): ␛ for ESC, <U+202E> ...
        assert "T1␛]0;pwned␇" in seen["positions"] or "T1␛" in seen["positions"]
        assert "T4<U+202E>" in seen["orders"] or "T4<U+202E>" in seen["chart"]
        assert "TIF " in seen["orders"]  # the detail panel showed the highlighted order
        # 1. a stream Error frame {"Error": "Failed", "Message": "feed <hostile>"}: shown, and
        #    the stream carries on
        await wait_until(
            pilot, lambda: "feed" in (app.live.last_error or ""), 15, "the stream error"
        )
        assert "x[/]y" in (app.live.last_error or "")
        assert_screen_safe(app, "stream error toast")
        await wait_until(
            pilot, lambda: app.live.stream_health["orders"].state == "live", 15, "orders live"
        )
        # the order ticket prefilled from a hostile row, and a chart of a hostile position
        await pilot.press("3")
        await wait_until(pilot, lambda: showing(app, "orders"), 10, "orders")
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderTicket), 10, "the ticket")
        await pilot.pause(1.0)
        assert "T1␛" in assert_screen_safe(app, "order ticket")
        await pilot.press("escape")
        # the cancel and replace dialogs of a working order (the filter shows working only)
        await pilot.press("w")
        await pilot.pause(0.5)
        for key, kind in (("c", ConfirmScreen), ("e", ReplaceOrderScreen)):
            await pilot.press(key)
            await wait_until(pilot, lambda k=kind: isinstance(app.screen, k), 10, key)
            await pilot.pause(0.5)
            assert "␛" in assert_screen_safe(app, f"dialog {key}")
            await pilot.press("escape")
            await wait_until(pilot, lambda: showing(app, "orders"), 10, "back to orders")
        await pilot.press("2")
        await wait_until(pilot, lambda: showing(app, "positions"), 10, "positions")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "chart"), 10, "chart of a position")
        await pilot.pause(1.0)
        assert "␛" in assert_screen_safe(app, "chart of a hostile symbol")
        # 2. a 400 on balances whose Message holds markup and escapes
        fault = {"group": "balances", "status": 400, "count": 3}
        httpx.post(sim.url + "/_sim/faults/http", json=fault)
        await pilot.press("1")
        await wait_until(pilot, lambda: showing(app, "overview"), 10, "overview")
        await pilot.press("r")
        panel = app.screen.query_one("#balances-panel", DataPanel)
        await wait_until(pilot, lambda: panel.error is not None, 15, "the 400 in the panel")
        assert "T5 x[/]y" in (panel.error or "")
        text = assert_screen_safe(app, "balances 400")
        assert "last good" in text
        assert app.crash is None and app.return_code is None
    assert app.crash is None


async def test_every_string_field_hostile_ids_and_codes_too(
    sim: SimServer, settings: Settings
) -> None:
    """keys="*": ids, enum codes, symbols, everything textual. Requests built from those ids
    fail (404), which must show as errors, not close the app."""
    set_hostile(sim.url, ALL_HOSTILE, keys="*")
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        seen = await tour(app, pilot, streams_ok=False)
        assert all("T1" in a.account_id for a in app.live.accounts)  # the ids carry it
        assert seen["overview"].strip()
        assert app.is_running and app.crash is None


async def test_every_field_but_the_ids_hostile_with_live_streams(
    sim: SimServer, settings: Settings
) -> None:
    """keys="*" sparing the ids: statuses, order types, durations, sides, asset and account
    types, currencies... all hostile while the streams and requests still work."""
    set_hostile(sim.url, ALL_HOSTILE, keys="*", spare=["AccountID", "OrderID", "PositionID"])
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        seen = await tour(app, pilot, streams_ok=False)
        orders = app.live.order_book.orders()
        assert orders and all("T1" in str(o.status) for o in orders)  # codes carry it too
        assert "T1␛" in seen["orders"]
        assert app.is_running and app.crash is None


_GENERATED = st.text(st.characters(codec=None), min_size=1, max_size=40)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_GENERATED)
def test_generated_server_text_in_the_running_app(
    text: str, sim: SimServer, settings: Settings
) -> None:
    async def run() -> None:
        set_hostile(sim.url, text, stream_errors=1)
        app = TstuiApp(settings)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await started(app, pilot)
            await pilot.pause(0.5)
            assert_screen_safe(app, "overview")
            for key in ("2", "3"):
                await pilot.press(key)
                await pilot.pause(0.6)
                assert_screen_safe(app, f"view {key}")
        assert app.crash is None

    anyio.run(run)


# -- the probe itself ---------------------------------------------------------------------


class _Raw(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Text(HOSTILE["clear"] + HOSTILE["bidi"]))


async def test_the_screen_probe_sees_raw_escapes() -> None:
    """Without the boundary, the escape would reach the terminal: the probe must see it."""
    app = _Raw()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        found = dangerous(screen_text(app))
    assert "U+001B" in found and "U+202E" in found


async def test_a_toast_with_markup_and_escapes_is_literal() -> None:
    from tstui.ui.shell.guard import AppGuard

    class Guarded(AppGuard, App[None]):
        pass

    app = Guarded()
    async with app.run_test(size=(80, 12), notifications=True) as pilot:
        app.notify(ALL_HOSTILE, title="feed x[/]y", severity="error")
        await pilot.pause(0.3)
        text = assert_screen_safe(app, "toast")
        assert "x[/]y" in text and "␛" in text
    assert app.return_code in (None, 0)


async def test_a_worker_error_is_shown_and_the_app_goes_on(
    sim: SimServer, settings: Settings
) -> None:
    app = TstuiApp(settings)

    async def broken() -> None:
        raise RuntimeError("refresh went wrong x[/]y \x1b[2J")

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        app.run_worker(broken(), name="balances refresh", exit_on_error=False)
        await wait_until(
            pilot, lambda: "refresh went wrong" in (app.live.last_error or ""), 5, "the error"
        )
        assert (app.live.last_error or "").startswith("balances refresh: RuntimeError")
        assert app.live.last_error_at is not None
        assert_screen_safe(app, "worker error")
        await pilot.pause(0.3)
        assert app.is_running and app.crash is None
    await anyio.sleep(0)
