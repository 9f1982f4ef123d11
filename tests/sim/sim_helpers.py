"""Helpers shared by the simulator tests (imported by name: tests are not a package)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from sim_clock import SIM_START
from sim_tokens import access_token as get_token  # noqa: F401 (re-exported)

START = SIM_START
MARGIN, FUTURES, CASH = "SIM1000001M", "SIM1000002F", "SIM1000003C"


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "AccountID": MARGIN,
        "Symbol": "MSFT",
        "Quantity": "10",
        "OrderType": "Market",
        "TradeAction": "BUY",
        "TimeInForce": {"Duration": "DAY"},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def last_price(api: httpx.Client, symbol: str) -> float:
    quotes = api.get(f"/v3/marketdata/quotes/{symbol}").json()["Quotes"]
    return float(quotes[0]["Last"])


class StreamReader:
    """Reads NDJSON frames from an open sync stream."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.iter_lines()

    def next(self) -> dict[str, Any]:
        for line in self.lines:
            if line.strip():
                parsed: dict[str, Any] = json.loads(line)
                return parsed
        raise AssertionError("stream ended")

    def raw(self) -> str:
        for line in self.lines:
            if line.strip():
                return line
        raise AssertionError("stream ended")

    def until(self, match: Callable[[dict[str, Any]], bool], limit: int = 200) -> dict[str, Any]:
        for _ in range(limit):
            frame = self.next()
            if match(frame):
                return frame
        raise AssertionError("frame not seen")

    def snapshot(self) -> list[dict[str, Any]]:
        """The frames before EndSnapshot (orders, positions and bar streams send one)."""
        frames: list[dict[str, Any]] = []
        while True:
            frame = self.next()
            if frame.get("StreamStatus") == "EndSnapshot":
                return frames
            # the snapshot goes out in one piece: a heartbeat first means none is coming
            assert "Heartbeat" not in frame, "no EndSnapshot on this stream"
            frames.append(frame)
