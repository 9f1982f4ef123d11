"""LiveData's stream worker gives the event loop a turn during a burst: frames that arrive
queued are handed over without a suspension, and a key pressed meanwhile waited for all of
them (10-25 ms chunks under the latency bench's burst)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from order_factory import T0, order
from textual.app import App

from tstui.config import Settings
from tstui.domain.models import Order
from tstui.ui.session import live as live_module
from tstui.ui.session.live import LiveData

pytestmark = pytest.mark.anyio

FRAMES = 3_000


async def queued(orders: list[Order]) -> AsyncIterator[Order]:
    for item in orders:  # never suspends: a burst already read off the socket
        yield item


async def test_a_burst_is_ingested_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_module, "YIELD_AFTER_S", 0.0)  # every check yields: deterministic
    app: App[Any] = App()
    async with app.run_test():
        live = LiveData(app, Settings(), on_books=lambda *a: None, on_error=lambda t: None)
        orders = [order(str(i), opened_date_time=T0 + timedelta(seconds=i)) for i in range(FRAMES)]
        turns = 0
        done = False

        async def ticker() -> None:
            nonlocal turns
            while not done:
                turns += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        start = turns
        await live._consume("orders", queued(orders))
        during = turns - start
        done = True
        await task
        assert len(live.order_book) == FRAMES
        assert during >= FRAMES // live_module.YIELD_CHECK_EVERY - 1
