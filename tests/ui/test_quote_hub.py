"""The quote hub: batches at the API's symbol limit, restarts only what changed (debounced),
merges partial frames, reports health; and against the simulator, quotes arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from decimal import Decimal
from typing import Any

import pytest
from textual.app import App
from ui_support import SIZE, started, wait_until

from tstui.client.streams import StreamState
from tstui.config import Settings
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.models import Quote
from tstui.ui.session.health import HealthState
from tstui.ui.session.quotes import QuoteHub, merge, pack
from tstui.ui.shell.app import TstuiApp

pytestmark = pytest.mark.anyio


class FakeQuotes:
    """Records each stream it opens; a stream stays open (and counts as closed when the hub
    cancels it) and yields what the test puts in its queue."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, ...]] = []
        self.closed: list[tuple[str, ...]] = []
        self.queues: dict[tuple[str, ...], asyncio.Queue[Any]] = {}

    def stream_quotes(self, symbols: Iterable[str]) -> AsyncIterator[Any]:
        key = tuple(symbols)
        self.opened.append(key)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self.queues[key] = queue
        return self._run(key, queue)

    async def _run(self, key: tuple[str, ...], queue: asyncio.Queue[Any]) -> AsyncIterator[Any]:
        try:
            yield StreamState("quotes", "connecting")
            yield StreamState("quotes", "snapshot_complete")
            while True:
                yield await queue.get()
        finally:
            self.closed.append(key)


class Harness:
    def __init__(self, app: App[Any], **options: Any) -> None:
        self.health: list[tuple[str, HealthState, str]] = []
        self.errors: list[str] = []
        self.hub = QuoteHub(
            app,
            set_health=lambda n, s, d: self.health.append((n, s, d)),
            report_error=lambda w, e: self.errors.append(f"{w}: {e}"),
            **options,
        )


def names(n: int, prefix: str = "S") -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)]


def test_pack_fills_slots_in_order_and_keeps_unchanged_slots() -> None:
    first = pack([], names(250), 100)
    assert [len(b) for b in first] == [100, 100, 50]
    # one symbol gone from the first slot, two new: the first refills, the others keep
    watched = [s for s in names(250) if s != "S010"] + ["X1", "X2"]
    second = pack(first, watched, 100)
    assert second[1] == first[1]
    assert "S010" not in second[0] and "X1" in second[0]
    assert second[2] == (*first[2], "X2")
    # everything in the middle slot gone: the slot stays empty, the last keeps its stream
    third = pack(second, [s for s in watched if s not in second[1]], 100)
    assert third[1] == () and third[2] == second[2]
    assert pack(third, [], 100) == []


def test_the_batch_size_is_the_apis_limit() -> None:
    from tstui.client.api import MAX_QUOTES as API_LIMIT
    from tstui.ui.session.quotes import MAX_QUOTES

    assert MAX_QUOTES == API_LIMIT


def test_fast_merge_equals_the_generic_merge() -> None:
    known = Quote("ES", last=Decimal(1), bid=Decimal(2), volume=Decimal(5), last_venue="X")
    update = Quote("ES", last=Decimal(3), ask=Decimal(4), restrictions=("A",))
    assert merge(known, update) == known.merge(update)
    assert merge(known, update).volume == Decimal(5) and merge(known, update).last == 3
    other = Quote("NQ", last=Decimal(9))
    assert merge(known, other) is other


async def test_batches_at_the_limit_and_restart_only_what_changed() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        h = Harness(app, batch_size=100, debounce_s=0.05)
        api = FakeQuotes()
        h.hub.start(api)
        seen: list[Quote] = []
        h.hub.watch(names(250), seen.append)
        unwatch_extra = h.hub.watch(["s000", "extra"], seen.append)  # one change, debounced
        await wait_until(pilot, lambda: len(api.opened) == 3, 2, "three streams")
        await pilot.pause(0.1)
        assert sorted(len(b) for b in api.opened) == [51, 100, 100]
        assert h.hub.restarts == 3
        assert all(len(b) <= 100 for b in h.hub.batches)
        await wait_until(pilot, lambda: h.health[-1][1] == "live", 2, "live")
        assert h.health[-1] == ("quotes", "live", "3 streams")

        # removing a symbol that another pane still watches changes nothing
        before = list(api.opened)
        unwatch = h.hub.watch(["S005"], seen.append)
        unwatch()
        await pilot.pause(0.2)
        assert api.opened == before

        # the extra symbol goes: only its stream reconnects, and quietly (no "connecting"
        # between the two live states: a restart on purpose is not a lost stream)
        seen_health = len(h.health)
        unwatch_extra()
        await wait_until(pilot, lambda: len(api.opened) == 4, 2, "one restart")
        await pilot.pause(0.2)
        assert all(state == "live" for _, state, _ in h.health[seen_health:]), h.health
        assert len(api.closed) == 1 and "EXTRA" in api.closed[0]
        assert "EXTRA" not in api.opened[-1] and len(api.opened[-1]) == 50
        h.hub.stop()
        await wait_until(pilot, lambda: len(api.closed) == 4, 2, "all closed")
        assert h.health[-1] == ("quotes", "stopped", "")


async def test_partial_frames_merge_and_reach_each_watcher() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        h = Harness(app, debounce_s=0.01)
        api = FakeQuotes()
        h.hub.start(api)
        a: list[Quote] = []
        b: list[Quote] = []
        errors: list[tuple[str, str]] = []
        h.hub.watch(["MSFT", "NOPE"], a.append, on_error=lambda s, m: errors.append((s, m)))
        h.hub.watch(["MSFT"], b.append)
        await wait_until(pilot, lambda: bool(api.opened), 2, "the stream")
        queue = api.queues[api.opened[-1]]
        queue.put_nowait(Quote("MSFT", last=Decimal(420), bid=Decimal("419.9")))
        queue.put_nowait(Quote("MSFT", last=Decimal("420.5")))  # only the changed field
        queue.put_nowait(StreamErrorFrame("Error", "Symbol NOPE not found.", "NOPE"))
        await wait_until(pilot, lambda: len(b) == 2 and errors, 2, "quotes")
        assert a == b and a[-1].last == Decimal("420.5") and a[-1].bid == Decimal("419.9")
        assert h.hub.latest("msft") == a[-1]
        age = h.hub.age("MSFT")
        assert age is not None and 0 <= age < 5 and h.hub.received_at("MSFT") is not None
        assert errors == [("NOPE", "Symbol NOPE not found.")]
        assert h.hub.error("nope") == "Symbol NOPE not found." and not h.errors

        # a watcher that raises is reported; the others still get the quote
        def broken(quote: Quote) -> None:
            raise ValueError("boom")

        h.hub.watch(["MSFT"], broken)
        h.hub.ingest(Quote("MSFT", ask=Decimal(421)))
        assert b[-1].ask == Decimal(421) and h.errors == ["quotes watcher: boom"]


async def test_no_streams_before_start_and_a_restart_reopens_the_set() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        h = Harness(app, debounce_s=0.01)
        api = FakeQuotes()
        h.hub.watch(["AAPL"], lambda q: None)
        await pilot.pause(0.1)
        assert api.opened == [] and h.health == []  # never watched on a session: no entry
        h.hub.start(api)
        await wait_until(pilot, lambda: api.opened == [("AAPL",)], 2, "the stream")
        h.hub.stop()
        h.hub.start(api)
        await wait_until(pilot, lambda: len(api.opened) == 2, 2, "reopened")


async def test_quotes_stream_from_the_simulator(signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        got: list[Quote] = []
        app.live.quotes.watch(["MSFT", "@ES", "BOGUS1"], got.append)
        await wait_until(pilot, lambda: {q.symbol for q in got} >= {"MSFT", "@ES"}, 10, "quotes")
        await wait_until(pilot, lambda: app.live.quotes.error("BOGUS1") is not None, 5, "error")
        quote = app.live.quotes.latest("@ES")
        assert quote is not None and quote.bid is not None and quote.ask is not None
        health = app.live.stream_health["quotes"]
        await wait_until(pilot, lambda: health.state == "live", 5, "quotes live")
