"""A big orders snapshot leaves the garbage collector's full passes (LoadSettler)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from ui_support import started, wait_until

from tstui.config import Settings
from tstui.ui.session.collector import LoadSettler
from tstui.ui.shell.app import TstuiApp


class _Held:
    """A tracked object (an instance with a __dict__), like an order in the book."""


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's collector as it was


def scanned(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_a_big_load_is_frozen_once_per_doubling(thawed: None) -> None:
    settler = LoadSettler(min_orders=100)
    held = _Held()
    assert scanned(held)
    assert not settler.loaded(99)  # small: a full pass is cheap
    assert scanned(held)
    assert settler.loaded(100)
    assert not scanned(held) and gc.get_freeze_count() > 0
    later = _Held()
    assert not settler.loaded(150)  # not doubled: no new freeze
    assert scanned(later)
    assert settler.loaded(200)
    assert not scanned(later)
    settler.reset()  # a new book (env switch) settles again from its first snapshot
    assert settler.frozen_at == 0


def test_young_garbage_is_collected_before_the_freeze(thawed: None) -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    ref_count = len(gc.get_referrers(cycle))
    del cycle
    assert ref_count >= 1
    before = gc.get_freeze_count()
    LoadSettler(min_orders=1).loaded(1)
    assert not any(type(o) is list and o and o[0] is o for o in gc.get_objects())
    assert gc.get_freeze_count() > before


@pytest.mark.anyio
async def test_the_orders_snapshot_is_settled(settings: Settings, thawed: None) -> None:
    app = TstuiApp(settings)
    app.live._settler.min_orders = 1  # the simulator's day holds a handful of orders
    async with app.run_test() as pilot:
        await started(app, pilot)
        await wait_until(pilot, lambda: app.live._settler.frozen_at > 0, 10, "a freeze")
        # the blotter's sorted index was built while loading, before the freeze
        assert app.live.order_book._view._indexed
        orders = app.live.order_book.orders()
        assert orders and app.live._settler.frozen_at <= len(orders)
        # the snapshot's orders are not walked by later full passes (one the stream replaced
        # since is new, and walked)
        walked = {id(o) for o in gc.get_objects()}
        assert any(id(order) not in walked for order in orders)
