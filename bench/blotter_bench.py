"""Blotter benchmarks (issue 8, figures 2, 3 and 5), measured side by side in one run.

- `measure_blotter_load`: 20k orders visible in the blotter widget (orders applied to the book,
  flushed, first frame painted) against a plain DataTable `add_rows` of the same rows
  (formatted to strings, added, first frame painted). Median of runs; target <= 1/8.
- `measure_burst_inprocess`: N order updates applied to the book as fast as possible while
  the widget's flush timer runs; time from the last update until the widget has painted the
  final state (target < 1 s) and repaints per second (target <= 10). The simulator-driven
  burst (stream -> book) wraps the same measurement.
- `measure_memory`: peak RSS of a fresh process with the app and 20k orders shown.

Run: `python -m bench.blotter_bench` (prints the figures; `--json` for a dict).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable

from tstui.domain.models import Order
from tstui.domain.orders.book import OrderBook
from tstui.ui.views.orders.blotter import BLOTTER_COLUMNS, Blotter

__all__ = [
    "make_orders",
    "measure_blotter_load",
    "measure_burst_inprocess",
    "measure_memory",
]

T0 = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
SIZE = (160, 50)
_SYMBOLS = ("MSFT", "AAPL", "SPY", "NVDA", "ESZ26", "NQZ26", "CLF27", "GCG27")
_STATUSES = ("OPN", "FLL", "CAN", "REJ", "FPR", "ACK")


def make_orders(n: int) -> list[Order]:
    """`n` realistic orders, built through `Order.from_api` from wire-shaped dicts."""
    orders = []
    for i in range(n):
        status = _STATUSES[i % len(_STATUSES)]
        qty = 1 + i % 500
        done = qty if status == "FLL" else (qty // 2 if status == "FPR" else 0)
        wire: dict[str, Any] = {
            "OrderID": str(900_000_000 + i),
            "AccountID": "SIM1000001M" if i % 3 else "SIM1000002F",
            "Status": status,
            "StatusDescription": status,
            "OrderType": "Limit",
            "Duration": "DAY",
            "LimitPrice": f"{100 + i % 900}.{i % 100:02d}",
            "FilledPrice": f"{100 + i % 900}.{i % 100:02d}" if done else "0",
            "OpenedDateTime": (T0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Routing": "Intelligent",
            "Legs": [
                {
                    "Symbol": _SYMBOLS[i % len(_SYMBOLS)],
                    "BuyOrSell": "Buy" if i % 2 else "Sell",
                    "QuantityOrdered": str(qty),
                    "ExecQuantity": str(done),
                    "QuantityRemaining": str(qty - done),
                }
            ],
        }
        orders.append(Order.from_api(wire))
    return orders


def _plain_cells(order: Order) -> tuple[str, ...]:
    prices = "/".join(str(p) for p in (order.limit_price, order.stop_price) if p is not None)
    opened = order.opened_date_time
    return (
        opened.strftime("%m-%d %H:%M:%S") if opened else "",
        order.order_id,
        order.account_id or "",
        order.symbol,
        order.side,
        f"{order.filled_quantity}/{order.quantity}",
        order.order_type or "",
        prices,
        order.duration or "",
        order.routing or "",
        order.status_description or order.status or "",
        str(order.filled_price or ""),
    )


class _PaintedTable(DataTable[str]):
    """A plain DataTable that records when it last painted (same probe as the blotter)."""

    last_paint_at = 0.0
    repaint_count = 0

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        self.repaint_count += 1
        self.last_paint_at = time.perf_counter()
        return strips


class _Host(App[None]):
    def __init__(self, widget: Blotter | _PaintedTable) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def _wait(condition: Any, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the widget never painted")
        await asyncio.sleep(0.002)


async def _blotter_load_once(orders: list[Order]) -> float:
    book = OrderBook()
    blotter = Blotter(book, flush_interval=0)
    async with _Host(blotter).run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = blotter.repaint_count
        start = time.perf_counter()
        book.apply_many(orders)
        blotter.refresh_from_book()
        await _wait(lambda: blotter.repaint_count > before and blotter.painted_rows > 0)
        assert blotter.row_count == len(orders)
        return blotter.last_paint_at - start


async def _datatable_load_once(orders: list[Order]) -> float:
    table = _PaintedTable()
    async with _Host(table).run_test(size=SIZE) as pilot:
        table.add_columns(*(c.label for c in BLOTTER_COLUMNS))
        await pilot.pause()
        before = table.repaint_count
        start = time.perf_counter()
        table.add_rows(_plain_cells(o) for o in orders)
        await _wait(lambda: table.repaint_count > before and table.row_count == len(orders))
        return table.last_paint_at - start


def measure_blotter_load(n: int = 20_000, runs: int = 3) -> dict[str, Any]:
    """Median time until `n` orders are visible: blotter vs DataTable.add_rows."""
    orders = make_orders(n)
    blotter_runs: list[float] = []
    table_runs: list[float] = []
    for _ in range(runs):  # interleaved, so machine noise hits both sides alike
        blotter_runs.append(asyncio.run(_blotter_load_once(orders)))
        table_runs.append(asyncio.run(_datatable_load_once(orders)))
    blotter_s = statistics.median(blotter_runs)
    table_s = statistics.median(table_runs)
    ratio = blotter_s / table_s
    return {
        "figure": "blotter load",
        "n": n,
        "runs": runs,
        "blotter_s": blotter_s,
        "datatable_s": table_s,
        "ratio": ratio,
        "target": "ratio <= 0.125",
        "meets_target": ratio <= 0.125,
        "blotter_runs_s": blotter_runs,
        "datatable_runs_s": table_runs,
    }


async def _burst_once(
    n_orders: int, n_updates: int, flush_interval: float, chunk: int
) -> dict[str, float]:
    orders = make_orders(n_orders)
    book = OrderBook()
    book.apply_many(orders)
    # prebuilt frames: each update raises one order's filled quantity (the visible rows too)
    updates: list[Order] = []
    for i in range(n_updates):
        o = orders[(n_orders - 1 - i) % n_orders]
        leg = replace(o.legs[0], exec_quantity=Decimal(1000 + i))
        updates.append(replace(o, legs=(leg,), status="FPR", filled_price=Decimal("101.25")))
    updates.append(replace(updates[0], status="FLL"))  # the last frame hits the top row
    blotter = Blotter(book, flush_interval=flush_interval)
    async with _Host(blotter).run_test(size=SIZE) as pilot:
        blotter.refresh_from_book()
        await _wait(lambda: blotter.painted_rows > 0)
        await pilot.pause()
        repaints0, flushes0 = blotter.repaint_count, blotter.flush_count
        start = time.perf_counter()
        for i, update in enumerate(updates):
            book.apply(update)
            if i % chunk == chunk - 1:
                await asyncio.sleep(0)  # a stream worker yields between network reads
        last = time.perf_counter()
        final = book.version
        await _wait(lambda: blotter.flushed_version == final and blotter.last_paint_at > last)
        shown = blotter.last_paint_at
        assert blotter.rows[0] is book.get(updates[-1].order_id)
        elapsed = shown - start
        return {
            "updates": float(len(updates)),
            "apply_s": last - start,
            "updates_per_s": len(updates) / (last - start),
            "final_state_after_s": shown - last,
            "repaints": float(blotter.repaint_count - repaints0),
            "flushes": float(blotter.flush_count - flushes0),
            "repaints_per_s": (blotter.repaint_count - repaints0) / elapsed,
        }


def measure_burst_inprocess(
    n_updates: int = 20_000,
    n_orders: int = 2_000,
    flush_interval: float = 0.25,
    chunk: int = 50,
    runs: int = 3,
) -> dict[str, Any]:
    """Book + widget part of the burst figure (the simulator stream is added by the lead)."""
    results = [
        asyncio.run(_burst_once(n_orders, n_updates, flush_interval, chunk)) for _ in range(runs)
    ]
    final_s = statistics.median(r["final_state_after_s"] for r in results)
    rps = statistics.median(r["repaints_per_s"] for r in results)
    return {
        "figure": "burst (in-process)",
        "updates": n_updates,
        "runs": runs,
        "final_state_after_s": final_s,
        "repaints_per_s": rps,
        "updates_per_s": statistics.median(r["updates_per_s"] for r in results),
        "target": "final state < 1 s, repaints/s <= 10",
        "meets_target": final_s < 1.0 and rps <= 10,
        "runs_detail": results,
    }


async def _memory_child(n: int) -> None:
    orders = make_orders(n)
    await _blotter_load_once(orders)


def _peak_rss_mb() -> float:
    from bench.memory_bench import peak_rss_mb  # VmHWM: ru_maxrss survives exec on Linux

    return peak_rss_mb()


def measure_memory(n: int = 20_000) -> dict[str, Any]:
    """Peak RSS of a fresh interpreter that shows `n` orders in the blotter."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.blotter_bench", "--memory-child", str(n)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    peak = float(proc.stdout.strip().splitlines()[-1])
    return {
        "figure": "memory",
        "n": n,
        "peak_rss_mb": peak,
        "target": "peak RSS <= 150 MB",
        "meets_target": peak <= 150,
    }


def _verdict(ok: bool) -> str:
    return "meets target" if ok else "misses target"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.blotter_bench")
    parser.add_argument("-n", type=int, default=20_000, help="orders to load")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        asyncio.run(_memory_child(args.memory_child))
        print(f"{_peak_rss_mb():.1f}")
        return 0
    load = measure_blotter_load(args.n, args.runs)
    burst = measure_burst_inprocess(n_updates=args.n, runs=args.runs)
    memory = measure_memory(args.n)
    if args.json:
        print(json.dumps({"load": load, "burst": burst, "memory": memory}, indent=2))
        return 0
    print(f"Blotter load ({args.n} orders, median of {args.runs})")
    print(f"  blotter   {load['blotter_s'] * 1000:8.1f} ms")
    print(f"  DataTable {load['datatable_s'] * 1000:8.1f} ms  (add_rows baseline)")
    print(f"  ratio     {load['ratio']:.4f}  target <= 0.125  {_verdict(load['meets_target'])}")
    print(f"Burst, in-process ({args.n} updates, median of {args.runs})")
    print(f"  final state shown {burst['final_state_after_s'] * 1000:.0f} ms after the last update")
    print(f"  repaints/s {burst['repaints_per_s']:.1f}  ({burst['updates_per_s']:.0f} updates/s)")
    print(f"  target < 1 s and <= 10 repaints/s  {_verdict(burst['meets_target'])}")
    print(f"Memory ({args.n} orders shown)")
    print(f"  peak RSS {memory['peak_rss_mb']:.1f} MB  target <= 150 MB")
    print(f"  {_verdict(memory['meets_target'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
