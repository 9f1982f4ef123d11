"""Figure 4, scale: 100k orders in a fresh process running the real app.

The simulator runs in its own process with ``orders`` seeded orders; a fresh child process
runs TstuiApp (headless, ``run_test``, 160x50) against it with the Orders view open from the
start, so the snapshot streams into a showing blotter. Measured in the child:

- visible: from the moment the orders stream's snapshot ended (its ``EndSnapshot``, the
  stream state "snapshot_complete") to the blotter's first paint showing every order
  (target <= 1.5 s);
- scrolling: ``pagedown`` presses (and back with ``pageup``), each from the key to the
  blotter's first paint with the cursor where the key put it (target p95 <= 30 ms a step);
- peak RSS of the child (VmHWM) at the end (target <= 200 MB).

Run: ``python -m bench.scale_bench [--orders N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.report import Figure, peak_rss_mb, percentile, render
from bench.simproc import ACCOUNTS, SimProcess
from tstui.cli.demo_sims import child_environ

VISIBLE_TARGET_S = 1.5
SCROLL_P95_MS = 30.0
RSS_TARGET_MB = 200.0
SEED_BATCH = 25_000  # < the simulated day at the start (10:00 New York): all of them today


async def _child(url: str, orders: int, steps: int) -> dict[str, Any]:
    from tstui.config import Settings, StreamSettings
    from tstui.sim import CLIENT_ID, CLIENT_SECRET
    from tstui.ui.shell.app import TstuiApp
    from tstui.ui.views.orders.blotter import Blotter
    from tstui.ui.views.orders.screen import BlotterScreen

    settings = Settings(
        env="sim",
        base_url=url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        stream=StreamSettings(heartbeat_timeout_s=30.0),
        state_dir=Path(os.environ["TSTUI_STATE_DIR"]),
    )
    app = TstuiApp(settings)
    snapshot_end: list[float] = []
    deadline = time.monotonic() + 300
    async with app.run_test(size=(160, 50)) as pilot:
        live = app.live
        on_state = live._on_state

        def noting(name: str, event: Any) -> None:
            if name == "orders" and event.state == "snapshot_complete" and not snapshot_end:
                snapshot_end.append(time.perf_counter())
            on_state(name, event)

        live._on_state = noting  # type: ignore[method-assign]
        await pilot.press("3")
        while not isinstance(app.screen, BlotterScreen):
            await asyncio.sleep(0.005)
        blotter = app.screen.query_one("#blotter", Blotter)
        book = live.order_book
        while not snapshot_end:  # the snapshot's frames are in the book before its end
            if time.monotonic() > deadline:
                raise TimeoutError(f"no end of the snapshot ({len(book)} orders so far)")
            await asyncio.sleep(0.002)
        if len(book) < orders:
            raise RuntimeError(f"the snapshot held {len(book)} orders, {orders} expected")
        # Visible: the first paint after the blotter took in the book as the snapshot left it.
        version = book.version
        while blotter.flushed_version < version or blotter.painted_rows == 0:
            if time.monotonic() > deadline:
                raise TimeoutError("the blotter never showed the snapshot")
            await asyncio.sleep(0.002)
        await pilot.pause()  # the paint that follows that flush
        visible_s = max(0.0, blotter.last_paint_at - snapshot_end[0])
        blotter.focus()
        await pilot.pause(0.3)
        # Every paint of the blotter with the cursor it drew: ``pilot.press`` returns only once
        # the app is idle, after any later repaint, so ``last_paint_at`` then is the last paint
        # of the step, not the first that showed it.
        paints: list[tuple[float, int]] = []
        render_lines = blotter.render_lines

        def noting_paint(crop: Any) -> Any:
            strips = render_lines(crop)
            paints.append((blotter.last_paint_at, blotter.cursor_row))
            return strips

        blotter.render_lines = noting_paint  # type: ignore[method-assign]
        steps_ms: list[float] = []
        for index in range(steps):
            key = "pagedown" if (index // 10) % 2 == 0 else "pageup"
            paints.clear()
            before = blotter.cursor_row
            start = time.perf_counter()
            await pilot.press(key)
            target = blotter.cursor_row  # where the key put the cursor
            if target == before:
                continue  # at the end already (a small book): nothing to show, no paint
            shown = [at for at, row in paints if at > start and row == target]
            while not shown:
                if time.perf_counter() - start > 5:
                    raise TimeoutError("a scroll step never painted")
                await asyncio.sleep(0.0005)
                shown = [at for at, row in paints if at > start and row == target]
            steps_ms.append((shown[0] - start) * 1000)
        rows = blotter.row_count
        await live.disconnect()
    return {"visible_s": visible_s, "steps_ms": steps_ms, "rows": rows}


def seed_today(sim: SimProcess, orders: int) -> int:
    """Seed ``orders`` orders the snapshot will hold: the simulator opens a seeded batch one
    second apart back from now, and a snapshot carries only today's and working orders, so
    batches stay shorter than the simulated day so far."""
    created = 0
    while created < orders:
        created += sim.control.seed_orders(ACCOUNTS[0], min(SEED_BATCH, orders - created))
    return created


def measure_scale(orders: int = 100_000, steps: int = 60) -> Figure:
    with SimProcess(heartbeat=1.0) as sim:
        created = seed_today(sim, orders)
        env = {
            **child_environ(),
            "TSTUI_STATE_DIR": str(sim.state_dir / "child"),
            "TSTUI_CONFIG": str(sim.state_dir / "config.toml"),
            **SimProcess.environ(),
        }
        cmd = [sys.executable, "-m", "bench.scale_bench", "--child", sim.url, str(created)]
        cmd += ["--steps", str(steps)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"scale child failed: {proc.stderr[-1200:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    visible, steps_ms, peak = result["visible_s"], result["steps_ms"], result["peak_mb"]
    p95 = percentile(steps_ms, 95)
    meets = visible <= VISIBLE_TARGET_S and p95 <= SCROLL_P95_MS and peak <= RSS_TARGET_MB
    return Figure(
        4,
        f"Scale ({result['rows']:,} orders, fresh process, the Orders view open)",
        (
            ("snapshot end -> blotter visible", f"{visible * 1000:7.0f} ms"),
            (
                "scroll step (page down/up) to paint",
                f"p50 {percentile(steps_ms, 50):5.1f}  p95 {p95:5.1f}  "
                f"max {max(steps_ms):5.1f} ms  ({len(steps_ms)} steps)",
            ),
            ("peak RSS", f"{peak:7.1f} MB"),
        ),
        f"visible {visible:.2f} s, scroll p95 {p95:.0f} ms, {peak:.0f} MB",
        f"<= {VISIBLE_TARGET_S} s, <= {SCROLL_P95_MS:.0f} ms, <= {RSS_TARGET_MB:.0f} MB",
        meets,
        data={**result, "scroll_p95_ms": p95},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_bench")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--child", nargs=2, metavar=("URL", "ORDERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = asyncio.run(_child(args.child[0], int(args.child[1]), args.steps))
        print(json.dumps({**result, "peak_mb": peak_rss_mb()}))
        return 0
    print(render(measure_scale(args.orders, args.steps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
