"""A screen's frame comes in the next loop turn after a quiet period, never two within a
period (tstui.ui.shell.frame_pacer)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.screen import Screen
from ui_support import TICKET_SIZE, started, wait_until

from tstui.config import Settings
from tstui.domain.orders.ticket import TicketFields
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.frame_pacer import FramePacer
from tstui.ui.trading.ticket import open_order_ticket

pytestmark = pytest.mark.anyio


class FakeScreen:
    """What the pacer uses of a Screen: whether it runs, and its update."""

    def __init__(self) -> None:
        self.is_running = True
        self.updates: list[float] = []

    def _on_timer_update(self) -> None:
        self.updates.append(asyncio.get_running_loop().time())


async def test_a_frame_after_a_quiet_period_is_drawn_in_the_next_loop_turn() -> None:
    screen = FakeScreen()
    pacer = FramePacer(screen, period=0.2)  # type: ignore[arg-type]
    pacer.resume()
    pacer.resume()  # one frame asked for, however many changes ask
    assert pacer.pending and screen.updates == []
    await asyncio.sleep(0)
    assert len(screen.updates) == 1 and not pacer.pending
    # a change right after that frame waits for the period; Textual's timer waited one to two
    loop = asyncio.get_running_loop()
    pacer.resume()
    await asyncio.sleep(0.05)
    assert len(screen.updates) == 1 and pacer.pending
    await asyncio.sleep(0.3)
    assert len(screen.updates) == 2
    assert screen.updates[1] - screen.updates[0] >= 0.2 - 0.01
    await asyncio.sleep(0.25)  # quiet for longer than a period: the next is at once again
    before = loop.time()
    pacer.resume()
    await asyncio.sleep(0)
    assert len(screen.updates) == 3 and screen.updates[2] - before < 0.1


async def test_pause_withdraws_the_frame_and_a_closed_screen_gets_none() -> None:
    screen = FakeScreen()
    pacer = FramePacer(screen, period=0.2)  # type: ignore[arg-type]
    pacer.resume()
    pacer.pause()  # the screen is laying out: it draws itself
    await asyncio.sleep(0.01)
    assert screen.updates == [] and not pacer.pending
    screen.is_running = False
    pacer.resume()
    await asyncio.sleep(0.01)
    assert screen.updates == []


async def test_views_and_the_ticket_draw_through_the_pacer(settings: Settings) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        view = app.screen
        assert isinstance(view._update_timer, FramePacer)
        frames_before = view._update_timer.last_frame_at
        view.refresh()
        await wait_until(
            pilot, lambda: view._update_timer.last_frame_at > frames_before, 5, "a frame"
        )
        ticket = open_order_ticket(app, TicketFields(symbol="MSFT"))
        await wait_until(pilot, lambda: app.screen is ticket and ticket.prefilled, 10)
        pacer = ticket._update_timer
        assert isinstance(pacer, FramePacer)
        await wait_until(pilot, lambda: pacer.last_frame_at > frames_before, 5, "its frame")
        await app.live.disconnect()


async def test_a_dialog_over_a_view_does_not_keep_the_frames_coming(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view under a dialog marks itself dirty at each of its updates (Textual's way of
    passing its changes to the dialog's frame); asked again at every idle that followed, the
    two screens drew ~50 frames a second each while nothing changed."""
    updates: list[str] = []
    update = Screen._on_timer_update

    def counting(screen: Screen[Any]) -> None:
        updates.append(type(screen).__name__)
        update(screen)

    monkeypatch.setattr(Screen, "_on_timer_update", counting)
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f1")  # the key help, a dialog over the overview
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", 10)
        await pilot.pause(0.3)
        updates.clear()
        await asyncio.sleep(1.0)
        assert len(updates) < 30, updates  # the loop: ~100 in a second
        await app.live.disconnect()


def test_every_screen_of_the_app_draws_through_the_pacer() -> None:
    """A screen left on Textual's timer would bring the late frames back (a new dialog too)."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import tstui.ui
    from tstui.ui.shell.frame_pacer import PacedFrames

    screens = []
    for info in pkgutil.walk_packages(tstui.ui.__path__, "tstui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and issubclass(cls, Screen):
                screens.append(cls)
    assert len(screens) >= 20  # the views, the ticket and every dialog were found
    assert [cls.__qualname__ for cls in screens if not issubclass(cls, PacedFrames)] == []
