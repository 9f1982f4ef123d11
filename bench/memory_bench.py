"""Figure 5, memory: peak RSS of a fresh process running the app with 20k orders loaded.

The simulator runs in its own process with ``orders`` seeded orders; a fresh child process
runs the real TstuiApp (headless, ``run_test``) against it, waits until the orders stream has
delivered every order into LiveData's book and the Orders view's blotter shows all of them,
and prints its peak RSS (VmHWM; ``ru_maxrss`` elsewhere). For scale, a bare
``import textual`` process is measured the same way.

Run: ``python -m bench.memory_bench [--orders N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time

from bench.report import Figure, render
from bench.simproc import ACCOUNTS, SimProcess
from tstui.cli.demo_sims import child_environ

TARGET_MB = 150.0
# Read VmHWM like the child does (ru_maxrss would carry the parent's high-water mark).
BASELINE = (
    "import textual; "
    "print([int(l.split()[1]) / 1024 for l in open('/proc/self/status') "
    "if l.startswith('VmHWM:')][0])"
)


def peak_rss_mb() -> float:
    """This process's peak RSS. On Linux VmHWM: ``ru_maxrss`` keeps the high-water mark of
    the process image before ``exec`` (a child of a big parent would report the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def _child(url: str, orders: int) -> None:
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
        stream=StreamSettings(heartbeat_timeout_s=15.0),
        state_dir=__import__("pathlib").Path(os.environ["TSTUI_STATE_DIR"]),
    )
    app = TstuiApp(settings)
    deadline = time.monotonic() + 120
    async with app.run_test(size=(160, 50)) as pilot:
        live = app.live
        while len(live.order_book) < orders or live.stream_health["orders"].state != "live":
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(live.order_book)} orders arrived")
            await asyncio.sleep(0.02)
        await pilot.press("3")
        while not isinstance(app.screen, BlotterScreen):
            await asyncio.sleep(0.01)
        blotter = app.screen.query_one("#blotter", Blotter)
        while blotter.row_count < orders or blotter.painted_rows == 0:
            if time.monotonic() > deadline:
                raise TimeoutError("the blotter never showed every order")
            await asyncio.sleep(0.02)
        await pilot.pause(0.3)
        print(f"rows {blotter.row_count}")
        await live.disconnect()


def measure_memory(orders: int = 20_000) -> Figure:
    with SimProcess(heartbeat=1.0) as sim:
        created = sim.control.seed_orders(ACCOUNTS[0], orders)
        env = {
            **child_environ(),
            "TSTUI_STATE_DIR": str(sim.state_dir / "child"),
            "TSTUI_CONFIG": str(sim.state_dir / "config.toml"),
            **SimProcess.environ(),
        }
        cmd = [sys.executable, "-m", "bench.memory_bench", "--child", sim.url, str(created)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
        if proc.returncode != 0:
            raise RuntimeError(f"memory child failed: {proc.stderr[-1200:]}")
        lines = proc.stdout.split()
        peak, rows = float(lines[-1]), int(lines[lines.index("rows") + 1])
        base = subprocess.run(
            [sys.executable, "-c", BASELINE], capture_output=True, text=True, timeout=60, env=env
        )
        base_mb = float(base.stdout.split()[-1])
    return Figure(
        5,
        f"Memory (fresh process: the app with {rows:,} orders in the book and the blotter)",
        (
            ("peak RSS, tstui + orders", f"{peak:6.1f} MB"),
            (
                'peak RSS, "import textual"',
                f"{base_mb:6.1f} MB  (for scale)",
            ),
        ),
        f"{peak:.1f} MB",
        f"<= {TARGET_MB:.0f} MB",
        peak <= TARGET_MB,
        data={"peak_mb": peak, "baseline_mb": base_mb, "rows": rows},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_bench")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("URL", "ORDERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_child(args.child[0], int(args.child[1])))
        print(f"{peak_rss_mb():.1f}")
        return 0
    print(render(measure_memory(args.orders)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
