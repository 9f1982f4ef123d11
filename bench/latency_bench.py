"""Figure 3, key-to-paint latency under load: the time from a key press to the frame that
shows its result, with 20k orders in the blotter while the simulator bursts order updates
and streams quotes.

Method (in-process, ``App.run_test()`` + ``Pilot``, headless, 160x50): the simulator runs in
its own process with ``orders`` seeded orders; the real TstuiApp connects to it and loads
them. Load while measuring: a thread asks the simulator for order bursts back to back
(``/_sim/orders/burst``, 2,000 frames each, through the app's own orders stream into the
book and the blotter), and every instrument the simulator knows (190 symbols, it has no more)
is watched through the app's QuoteHub, as the quote board watches its list: two multiplexed
quote streams, decoded, merged and handed to a callback in the app's event loop (the board
itself is not the view being measured, so no widget paints them).

Each measured key: ``t0 = perf_counter()``, then ``pilot.press(key)``. ``App._display`` (the
call that hands each composed frame to the driver; headless, it is not written to a
terminal) is wrapped: at every frame the key's condition is checked, and the first frame
that shows the result ends the measurement. Results:
- view switch: ``3`` (orders: the blotter painted its rows) and ``1`` (the overview);
- cursor move: ``down`` (the blotter's cursor on the next row, painted);
- filter keystroke: ``w`` (working orders only, painted) and ``*`` (all again);
- ticket open: ``o`` (the order ticket on screen); ``escape`` closes it (not measured).
p95 and p99 over every key press (target p95 <= 50 ms, p99 <= 100 ms).

Run: ``python -m bench.latency_bench [--orders N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bench.report import Figure, percentile, render
from bench.simproc import ACCOUNTS, SIM_START, SimProcess

SIZE = (160, 50)
P95_MS = 50.0
P99_MS = 100.0
BURST_FRAMES = 2_000


def quote_symbols() -> list[str]:
    """Every instrument the simulator knows at the bench's start (190)."""
    from tstui.sim.instruments import STOCKS, lookup

    now = datetime.fromisoformat(SIM_START)
    futures = [
        f"{root}{month}{year:02d}"
        for root in ("ES", "NQ", "CL", "GC")
        for year in range(now.year % 100 - 3, now.year % 100 + 4)
        for month in "FGHJKMNQUVXZ"
    ]
    names = [*STOCKS, "@ES", "@NQ", "@CL", "@GC", *futures]
    return [s for s in names if lookup(s, now) is not None][:200]


class FrameProbe:
    """Wraps ``app._display``: the first frame at which ``condition()`` holds is noted."""

    def __init__(self, app: Any) -> None:
        self.condition: Callable[[], bool] | None = None
        self.at = 0.0
        self.frames = 0
        inner = app._display

        def display(screen: Any, renderable: Any) -> None:
            inner(screen, renderable)
            if renderable is None:
                return
            self.frames += 1
            cond = self.condition
            if cond is not None and cond():
                self.at = time.perf_counter()
                self.condition = None

        app._display = display

    async def measure(self, pilot: Any, key: str, condition: Callable[[], bool]) -> float:
        self.at = 0.0
        start = time.perf_counter()
        self.condition = condition
        await pilot.press(key)
        deadline = start + 10
        while not self.at:
            if time.perf_counter() > deadline:
                self.condition = None
                raise TimeoutError(
                    f"latency bench: no frame showed the result of {key!r} "
                    f"(screen {type(pilot.app.screen).__name__}, focus {pilot.app.focused!r})"
                )
            await asyncio.sleep(0.001)
        return self.at - start


async def _until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"latency bench: timed out waiting for {what}")
        await asyncio.sleep(0.005)


def _burster(sim: SimProcess, stop: threading.Event, sent: list[int]) -> None:
    control = sim.control
    while not stop.is_set():
        control.burst(ACCOUNTS[0], BURST_FRAMES)
        sent[0] += BURST_FRAMES
        stop.wait(0.05)


async def _run(sim: SimProcess, orders: int, rounds: int) -> dict[str, Any]:
    from tstui.ui.shell.app import TstuiApp
    from tstui.ui.trading.ticket import OrderTicket
    from tstui.ui.views.orders.blotter import Blotter
    from tstui.ui.views.orders.screen import BlotterScreen
    from tstui.ui.views.overview.screen import OverviewScreen

    app = TstuiApp(sim.settings())
    samples: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        live = app.live
        await _until(lambda: live.stream_health["orders"].state == "live", 60, "orders live")
        await _until(lambda: len(live.order_book) >= orders, 60, "every order")
        probe = FrameProbe(app)
        board: dict[str, Any] = {}
        quotes = [0]
        symbols = quote_symbols()

        def on_quote(quote: Any) -> None:
            board[quote.symbol] = quote
            quotes[0] += 1

        unwatch = live.quotes.watch(symbols, on_quote)
        stop, sent = threading.Event(), [0]
        burster = threading.Thread(target=_burster, args=(sim, stop, sent), daemon=True)
        burster.start()
        await pilot.pause(0.5)
        quotes0, frames0, started = quotes[0], probe.frames, time.perf_counter()

        def blotter() -> Blotter:
            return app.screen.query_one("#blotter", Blotter)

        def on_orders(t0: float) -> Callable[[], bool]:
            return lambda: (
                isinstance(app.screen, BlotterScreen)
                and blotter().painted_rows > 0
                and blotter().last_paint_at > t0
            )

        def cursor_moved(before: str | None, t0: float) -> Callable[[], bool]:
            # By key, not index: the cursor follows its order when a burst reorders rows.
            return lambda: blotter().selected_key != before and blotter().last_paint_at > t0

        def group_shown(screen: object, group: str, t0: float) -> Callable[[], bool]:
            return lambda: getattr(screen, "group", "") == group and blotter().last_paint_at > t0

        async def key(name: str, key_name: str, condition: Callable[[], bool]) -> None:
            samples.setdefault(name, []).append(await probe.measure(pilot, key_name, condition))

        try:
            for _ in range(rounds):
                await key("view switch", "3", on_orders(time.perf_counter()))
                # Start each round near the top: the filter keys keep the cursor on its
                # order, which can sit on the last row (where "down" shows nothing new).
                blotter().focus()
                blotter().move_cursor(5)
                await pilot.pause()
                for _ in range(3):
                    before = blotter().selected_key
                    await key("cursor move", "down", cursor_moved(before, time.perf_counter()))
                screen = app.screen
                await key(
                    "filter keystroke", "w", group_shown(screen, "working", time.perf_counter())
                )
                await key(
                    "filter keystroke", "asterisk", group_shown(screen, "all", time.perf_counter())
                )
                await key("ticket open", "o", lambda: isinstance(app.screen, OrderTicket))
                await pilot.press("escape")
                await _until(lambda: isinstance(app.screen, BlotterScreen), 10, "ticket closed")
                await key("view switch", "1", lambda: isinstance(app.screen, OverviewScreen))
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            await asyncio.to_thread(burster.join, 30)
            unwatch()
        rows = len(live.order_book)
        await live.disconnect()
    return {
        "samples": samples,
        "quotes_per_s": (quotes[0] - quotes0) / elapsed,
        "symbols_quoted": len(board),
        "symbols": len(symbols),
        "burst_frames": sent[0],
        "frames_per_s": (probe.frames - frames0) / elapsed,
        "elapsed_s": elapsed,
        "orders": rows,
    }


def measure_latency(orders: int = 20_000, rounds: int = 12) -> Figure:
    with SimProcess(heartbeat=1.0, speed=1.0) as sim:
        os.environ.setdefault("REFRESH_TOKEN", SimProcess.environ()["REFRESH_TOKEN"])
        created = sim.control.seed_orders(ACCOUNTS[0], orders)
        result = asyncio.run(_run(sim, created, rounds))
    samples: dict[str, list[float]] = result["samples"]
    every = [s * 1000 for values in samples.values() for s in values]
    p95, p99 = percentile(every, 95), percentile(every, 99)
    rows = [
        (
            name,
            f"p50 {percentile([v * 1000 for v in values], 50):6.1f}  "
            f"p95 {percentile([v * 1000 for v in values], 95):6.1f}  "
            f"max {max(values) * 1000:6.1f} ms  ({len(values)} presses)",
        )
        for name, values in samples.items()
    ]
    rows.append(("every key", f"p95 {p95:6.1f}  p99 {p99:6.1f} ms  ({len(every)} presses)"))
    return Figure(
        3,
        f"Key-to-paint latency under load ({result['orders']:,} orders in the blotter)",
        tuple(rows),
        f"p95 {p95:.0f} ms, p99 {p99:.0f} ms",
        f"p95 <= {P95_MS:.0f} ms, p99 <= {P99_MS:.0f} ms",
        p95 <= P95_MS and p99 <= P99_MS,
        notes=(
            f"load: {result['burst_frames'] / result['elapsed_s']:,.0f} order frames/s burst "
            f"by the simulator; {result['quotes_per_s']:,.0f} quotes/s for "
            f"{result['symbols_quoted']}/{result['symbols']} symbols through the app's "
            "QuoteHub (the board's feed; the board is not the view measured)",
            f"{result['frames_per_s']:.1f} frames/s composed while measuring",
        ),
        data={**result, "p95_ms": p95, "p99_ms": p99},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency_bench")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args(argv)
    print(render(measure_latency(args.orders, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
