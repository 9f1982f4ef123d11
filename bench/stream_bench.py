"""Figure 5, stream ingest: SupervisedStream -> typed events vs raw aiter_lines + json.loads.

Both sides read the same simulator order stream (the simulator runs in its own process): wait
for the snapshot's EndSnapshot, ask the simulator for a burst of ``frames`` order frames
(``/_sim/orders/burst``), and time until the last one has been consumed.

- raw: ``httpx`` ``aiter_lines()`` + ``json.loads`` per line (the floor: no typing at all).
- client: ``TradeStationAPI.stream_orders`` (byte splitting, control frames, watchdog, and a
  typed ``Order`` per line: the exact msgspec fast path of ``tstui.client.fastwire``, else
  ``json`` + ``parse_order_frame``) consumed as the app does (``async for`` over
  ``stream.batches()``, a list per chunk read, each looped over).

Runs are interleaved (raw, client, raw, client...) so machine noise hits both alike; the
ratio is the median of each client run's rate against the raw run just before it
(:func:`bench.report.paired_ratio`).
Run: ``python -m bench.stream_bench [--frames N] [--runs R] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import time
from typing import Any

import httpx

from bench.report import Figure, median, paired_ratio, ratio_row, render, spread
from bench.simproc import ACCOUNTS, SimProcess

TARGET = 1.1
STREAM_MEDIA = "application/vnd.tradestation.streams.v3+json"


async def _access_token(sim: SimProcess) -> str:
    from tstui.client.session import Session

    async with Session.open(sim.settings(), environ=sim.environ()) as session:
        return await session.auth.access_token()


async def _burst(client: httpx.AsyncClient, url: str, frames: int) -> None:
    response = await client.post(f"{url}/_sim/orders/burst", json={"frames": frames})
    response.raise_for_status()


async def raw_once(
    sim: SimProcess, token: str, frames: int, account: str, sample: list[str] | None = None
) -> float:
    """Seconds for ``frames`` order frames via aiter_lines + json.loads (the burst's lines
    are kept in ``sample`` when one is given, up to 5,000)."""
    url = f"{sim.url}/v3/brokerage/stream/accounts/{account}/orders"
    headers = {"Authorization": f"Bearer {token}", "Accept": STREAM_MEDIA}
    timeout = httpx.Timeout(None, connect=10.0)
    async with (
        httpx.AsyncClient(timeout=timeout) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        response.raise_for_status()
        count = 0
        start = 0.0
        async for line in response.aiter_lines():
            if not line:
                continue
            obj = json.loads(line)
            if start:
                if "OrderID" in obj:
                    count += 1
                    if sample is not None and len(sample) < 5000:
                        sample.append(line)
                    if count >= frames:
                        return time.perf_counter() - start
            elif obj.get("StreamStatus") == "EndSnapshot":
                start = time.perf_counter()
                await _burst(client, sim.url, frames)
    raise RuntimeError(f"raw stream ended after {count} of {frames} frames")


async def client_once(sim: SimProcess, frames: int, account: str) -> tuple[float, int]:
    """Seconds for ``frames`` typed Order events via the client; also the malformed count."""
    from tstui.client.session import Session
    from tstui.client.streams import StreamState
    from tstui.domain.models import Order

    async with (
        Session.open(sim.settings(), environ=sim.environ()) as session,
        httpx.AsyncClient() as admin,
    ):
        stream = session.api.stream_orders([account])
        count = 0
        start = 0.0
        try:
            async for batch in stream.batches():  # as the app's LiveData reads its streams
                for event in batch:
                    if type(event) is Order:
                        if start:
                            count += 1
                            if count >= frames:
                                return time.perf_counter() - start, stream.malformed_count
                    elif isinstance(event, StreamState) and event.state == "snapshot_complete":
                        start = time.perf_counter()
                        await _burst(admin, sim.url, frames)
        finally:
            await stream.aclose()
    raise RuntimeError(f"client stream ended after {count} of {frames} frames")


def measure_stream(frames: int = 200_000, runs: int = 3, seed_orders: int = 2000) -> Figure:
    """Median messages/s of both sides and their ratio (target >= 1.1x raw)."""
    account = ACCOUNTS[0]
    with SimProcess(heartbeat=1.0) as sim:
        sim.control.seed_orders(account, seed_orders)
        token = asyncio.run(_access_token(sim))
        raw: list[float] = []
        client: list[float] = []
        malformed = 0
        asyncio.run(client_once(sim, min(frames, 5000), account))  # warm both paths up
        sample: list[str] = []
        asyncio.run(raw_once(sim, token, min(frames, 5000), account, sample))
        for _ in range(runs):
            raw.append(frames / asyncio.run(raw_once(sim, token, frames, account)))
            seconds, bad = asyncio.run(client_once(sim, frames, account))
            client.append(frames / seconds)
            malformed += bad
    raw_rate, client_rate = median(raw), median(client)
    costs = per_line_costs(sample)
    ratio = paired_ratio(raw, client)  # each client run against the raw run just before it
    return Figure(
        5,
        f"Stream ingest ({frames:,} order frames from the simulator, median of {runs} pairs)",
        (
            (
                "client (typed Orders)",
                f"{client_rate:10,.0f} msg/s  runs {spread(client, '{:,.0f}')}",
            ),
            ("raw aiter_lines+json", f"{raw_rate:10,.0f} msg/s  runs {spread(raw, '{:,.0f}')}"),
        ),
        f"{ratio:.2f}x raw",
        f">= {TARGET:.1f}x raw",
        ratio >= TARGET and malformed == 0,
        notes=(
            f"client/raw: {ratio_row(raw, client)}",
            "per line, in-process, same lines (the floor): json.loads "
            f"{costs['json']:.2f} us; msgspec into wire records {costs['wire']:.2f} us; "
            f"typed Order (msgspec + the domain's frozen dataclasses) {costs['typed']:.2f} us, "
            f"of which building the domain objects {costs['typed'] - costs['wire']:.2f} us",
            *(() if malformed == 0 else (f"{malformed} frames counted malformed",)),
        ),
        data={"client": client, "raw": raw, "ratio": ratio, "per_line_us": costs},
    )


def per_line_costs(lines: list[str], repeats: int = 5) -> dict[str, float]:
    """Microseconds per line (best of ``repeats``) of the three decodings, results dropped
    at once as a stream consumer's would be."""
    from tstui.client import fastwire

    if not lines:
        return {"json": 0.0, "wire": 0.0, "typed": 0.0}
    texts = lines * max(1, 20_000 // len(lines))
    raw = [t.encode() for t in texts]

    def best(fn: Any, items: list[Any]) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for item in items:
                fn(item)
            times.append(time.perf_counter() - start)
        return min(times) / len(items) * 1e6

    return {
        "json": best(json.loads, texts),
        "wire": best(fastwire._decode_order, raw),
        "typed": best(fastwire.decode_order_line, raw),
    }


def profile_client(frames: int = 100_000) -> str:
    """cProfile of the client side only (top functions by own time)."""
    with SimProcess(heartbeat=1.0) as sim:
        sim.control.seed_orders(ACCOUNTS[0], 2000)
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(client_once(sim, frames, ACCOUNTS[0]))
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stream_bench")
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the client side")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile_client(args.frames))
        return 0
    figure: Any = measure_stream(args.frames, args.runs)
    print(render(figure))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
