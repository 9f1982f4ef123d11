"""The fault-matrix harness: the real TstuiApp (LiveData inside App.run_test) on a simulator
with fast heartbeats, the simulator's truth (GET /_sim/state) and convergence checks.

Imported by name (tests are not a package), so the module name is unique in the suite.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
from textual.pilot import Pilot

from tstui.client.demo import demo_sign_in
from tstui.config import Settings, StreamSettings
from tstui.domain.enums import status_group
from tstui.domain.orders import OrderRequest, new_order_confirm_id
from tstui.sim.server import SimServer
from tstui.ui.shell.app import TstuiApp

MARGIN = "SIM1000001M"
SIZE = (120, 40)
HEARTBEAT_S = 0.2  # simulator heartbeats
WATCHDOG_S = 1.0  # client: silence before a reconnect
RECONCILE_S = 1.5  # client: REST orders reconcile interval
CONVERGE_S = 12.0  # the bound every fault must recover within


@dataclass
class Harness:
    sim: SimServer
    app: TstuiApp
    pilot: Pilot[int]
    health_log: list[tuple[str, str, str]] = field(default_factory=list)
    rest_fixes: list[str] = field(default_factory=list)
    fault_at: float = 0.0

    @property
    def live(self) -> Any:
        return self.app.live

    def states(self, stream: str = "orders") -> list[str]:
        return [state for name, state, _ in self.health_log if name == stream]

    def details(self, stream: str = "orders") -> list[str]:
        return [detail for name, _, detail in self.health_log if name == stream]

    async def wait(self, predicate: Callable[[], object], timeout: float, what: str) -> float:
        """Seconds until ``predicate()`` holds (fails the test after ``timeout``)."""
        start = time.perf_counter()
        try:
            with anyio.fail_after(timeout):
                while not predicate():
                    await self.pilot.pause(0.05)
        except TimeoutError:
            raise AssertionError(f"not within {timeout:g} s: {what}") from None
        return time.perf_counter() - start

    async def live_streams(self) -> None:
        await self.wait(
            lambda: all(h.state == "live" for h in self.live.stream_health.values()),
            CONVERGE_S,
            "both streams live",
        )

    async def place(self, symbol: str = "MSFT", qty: int = 10, limit: str | None = None) -> Any:
        req = OrderRequest(
            account_id=MARGIN,
            symbol=symbol,
            quantity=Decimal(qty),
            order_type="Limit" if limit else "Market",
            trade_action="BUY",
            order_confirm_id=new_order_confirm_id(),
            limit_price=Decimal(limit) if limit else None,
        )
        return await self.live.api.place_order(req)

    async def truth(self) -> dict[str, Any]:
        return await self.sim.control().astate()

    async def diff(self) -> Diff:
        return compare(await self.truth(), self.live)

    def mark(self) -> None:
        """The moment the fault is injected: ``converge`` reports the time since then."""
        self.fault_at = time.perf_counter()
        self.health_log.clear()

    async def converge(self, timeout: float = CONVERGE_S) -> tuple[float, Diff]:
        """Poll until both streams are live and the books agree with the simulator's truth;
        returns (seconds since ``mark()``, the last diff)."""
        start = self.fault_at or time.perf_counter()
        deadline = time.perf_counter() + timeout
        while True:
            diff = await self.diff()
            streams_live = all(h.state == "live" for h in self.live.stream_health.values())
            if diff.ok and streams_live:
                return time.perf_counter() - start, diff
            if time.perf_counter() > deadline:
                raise AssertionError(f"books did not converge in {timeout:g} s: {diff}")
            await self.pilot.pause(0.1)


@dataclass
class Diff:
    lost: list[str]  # in the simulator (visible to the client) but missing or stale
    duplicated: list[str]  # in the client but not (or more than once) in the simulator
    positions: list[str]  # position ids whose quantity differs (or missing / extra)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.positions)


def _visible(order: dict[str, Any], today: str) -> bool:
    """What the client is meant to hold: working orders and orders opened today."""
    return status_group(order["Status"]) == "working" or order["OpenedDateTime"][:10] >= today


def _filled(order: dict[str, Any]) -> Decimal:
    return sum((Decimal(leg.get("ExecQuantity", "0")) for leg in order["Legs"]), Decimal(0))


def compare(truth: dict[str, Any], live: Any) -> Diff:
    today = truth["now"][:10]
    book = live.order_book
    sim_orders: dict[str, dict[str, Any]] = {}
    dupes: list[str] = []
    sim_positions: dict[str, Decimal] = {}
    for account in truth["accounts"].values():
        for order in account["orders"]:
            if order["OrderID"] in sim_orders:
                dupes.append(order["OrderID"])
            sim_orders[order["OrderID"]] = order
        for pos in account["positions"]:
            sim_positions[pos["PositionID"]] = Decimal(pos["Quantity"])
    lost = []
    for oid, order in sim_orders.items():
        if not _visible(order, today):
            continue
        mine = book.get(oid)
        if mine is None or mine.status != order["Status"] or mine.filled_quantity != _filled(order):
            lost.append(oid)
    dupes += [o.order_id for o in book.orders() if o.order_id not in sim_orders]
    keys = [getattr(row, "order_id", None) for row in book.view()]
    dupes += [k for k in set(keys) if k is not None and keys.count(k) > 1]
    mine_pos = {pid: p.quantity for pid, p in live.positions.items()}
    bad_pos = sorted(
        pid
        for pid in set(mine_pos) | set(sim_positions)
        if mine_pos.get(pid) != sim_positions.get(pid)
    )
    return Diff(sorted(lost), sorted(dupes), bad_pos)


def fault_settings(sim: SimServer, state_dir: Path, **stream: float) -> Settings:
    creds = sim.credentials
    options = {"heartbeat_timeout_s": WATCHDOG_S, "reconcile_interval_s": RECONCILE_S, **stream}
    return Settings(
        env="sim",
        base_url=sim.url,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        stream=StreamSettings(**options),
        state_dir=state_dir,
    )


def fast_sim(start: datetime, **kwargs: Any) -> SimServer:
    return SimServer(seed=7, start=start, speed=0.0, heartbeat_seconds=HEARTBEAT_S, **kwargs)


@asynccontextmanager
async def running_app(
    sim: SimServer, settings: Settings, *, sign_in: bool = True, wait_live: bool = True
) -> AsyncIterator[Harness]:
    """The app on ``sim`` with its streams live and the books converged; health is logged."""
    if sign_in:
        await demo_sign_in(settings)
    app = TstuiApp(settings)
    live = app.live
    harness_log: list[tuple[str, str, str]] = []
    original_set_health = live._set_health

    def record(name: str, state: Any, detail: str) -> None:
        harness_log.append((name, str(state), detail))
        original_set_health(name, state, detail)

    live._set_health = record
    async with app.run_test(size=SIZE) as pilot:
        harness = Harness(sim, app, pilot, harness_log)
        original_reconcile = live.order_book.reconcile

        def reconcile(orders: Any, **kwargs: Any) -> Any:
            changes = original_reconcile(orders, **kwargs)
            harness.rest_fixes.extend(c.order_id for c in changes)
            return changes

        live.order_book.reconcile = reconcile
        if wait_live:
            await harness.wait(lambda: bool(live.accounts), CONVERGE_S, "accounts loaded")
            await harness.live_streams()
            await harness.converge()
        try:
            yield harness
        finally:
            await live.disconnect()
