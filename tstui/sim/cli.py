"""``tstui sim``: run the simulator in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from tstui.sim.clock import parse_iso


def add_sim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=7, help="price path seed")
    parser.add_argument("--state", type=Path, default=None, help="sqlite file to persist to")
    parser.add_argument("--speed", type=float, default=1.0, help="sim seconds per real second")
    parser.add_argument("--start", default=None, help="starting sim time (ISO 8601)")
    parser.add_argument("--heartbeat", type=float, default=5.0, help=argparse.SUPPRESS)


def run_sim(args: argparse.Namespace) -> int:
    # Late: the server pulls in uvicorn and starlette, which `tstui get ...` never needs.
    from tstui.sim.server import SimServer

    try:
        start = parse_iso(args.start) if args.start else None
    except ValueError:
        print(f"tstui sim: --start {args.start!r} is not an ISO time", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    server = SimServer(
        seed=args.seed,
        start=start,
        speed=args.speed,
        heartbeat_seconds=getattr(args, "heartbeat", 5.0),
        state_path=args.state,
        host=args.host,
        port=args.port,
    )
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            creds = server.credentials
            print(f"tstui simulator listening on {server.url}")
            print(f"CLIENT_ID={creds.client_id}")
            print(f"CLIENT_SECRET={creds.client_secret}")
            print(f"REFRESH_TOKEN={creds.refresh_token}", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def run_cli(argv: Sequence[str] | argparse.Namespace | None = None) -> int:
    if isinstance(argv, argparse.Namespace):
        return run_sim(argv)
    parser = argparse.ArgumentParser(prog="tstui sim", description="Run the tstui simulator.")
    add_sim_arguments(parser)
    return run_sim(parser.parse_args(argv))
