"""Deterministic prices: each symbol follows a pure function of (seed, symbol, time).

The path is a sum of sinusoids at several periods (minutes to months) plus hashed per-minute
noise, so any instant can be priced in O(1) with no state; this makes 57,600-bar histories
cheap and makes every run with the same seed and clock identical. ``set_price`` (admin) moves
the market by a multiplicative adjustment that applies from that instant on.
"""

from __future__ import annotations

import hashlib
import math
import threading
from bisect import bisect_right
from datetime import UTC, datetime
from decimal import Decimal

from tstui.sim.instruments import Instrument

_COMPONENTS = (  # (period seconds, log amplitude)
    (300.0, 0.0006),
    (1800.0, 0.0015),
    (7200.0, 0.003),
    (86400.0 * 1.3, 0.008),
    (86400.0 * 6.7, 0.02),
    (86400.0 * 31.0, 0.04),
    (86400.0 * 170.0, 0.08),
)
_NOISE = 0.0005


_MASK = 2**64 - 1


def _key(*parts: object) -> int:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _unit_hash(*parts: object) -> float:
    """A deterministic float in [0, 1) from the parts."""
    return _key(*parts) / 2**64


def _mix(x: int) -> float:
    """splitmix64 finaliser -> [0, 1): the cheap hash on the hot path (per-minute noise)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return (x ^ (x >> 31)) / 2**64


class PricePaths:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._phases: dict[str, tuple[tuple[float, float, float], ...]] = {}
        self._keys: dict[str, int] = {}
        # symbol -> sorted [(epoch seconds, cumulative factor)]
        self._adjust: dict[str, list[tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def _components(self, symbol: str) -> tuple[tuple[float, float, float], ...]:
        comps = self._phases.get(symbol)
        if comps is None:
            comps = tuple(
                (
                    period * (0.8 + 0.4 * _unit_hash(self.seed, symbol, "p", i)),
                    amp,
                    2 * math.pi * _unit_hash(self.seed, symbol, "f", i),
                )
                for i, (period, amp) in enumerate(_COMPONENTS)
            )
            self._phases[symbol] = comps
        return comps

    def _noise(self, symbol: str, t: float) -> float:
        # Linear interpolation between per-minute hashed values keeps the path continuous.
        key = self._keys.get(symbol)
        if key is None:
            key = self._keys[symbol] = _key(self.seed, symbol, "noise")
        minute = math.floor(t / 60.0)
        frac = t / 60.0 - minute
        a = _mix(key ^ (minute & _MASK)) - 0.5
        b = _mix(key ^ ((minute + 1) & _MASK)) - 0.5
        return 2 * _NOISE * (a + (b - a) * frac)

    def _factor(self, symbol: str, t: float) -> float:
        steps = self._adjust.get(symbol)
        if not steps:
            return 1.0
        index = bisect_right(steps, (t, math.inf))
        return steps[index - 1][1] if index else 1.0

    def raw(self, inst: Instrument, t: float) -> float:
        symbol = inst.priced_symbol
        log_move = sum(
            amp * math.sin(2 * math.pi * t / period + phase)
            for period, amp, phase in self._components(symbol)
        )
        return (
            inst.base_price * math.exp(log_move + self._noise(symbol, t)) * self._factor(symbol, t)
        )

    def price_at(self, inst: Instrument, at: datetime | float) -> Decimal:
        t = at if isinstance(at, float) else at.timestamp()
        value = self.raw(inst, t)
        ticks = max(1, round(value / float(inst.tick)))
        return inst.tick * ticks

    def set_price(self, inst: Instrument, at: datetime, price: Decimal) -> None:
        """Move the market so that ``inst`` trades at ``price`` from ``at`` on."""
        t = at.timestamp()
        with self._lock:
            current = self.raw(inst, t)
            symbol = inst.priced_symbol
            factor = self._factor(symbol, t) * float(price) / current
            kept = [s for s in self._adjust.get(symbol, []) if s[0] < t]
            self._adjust[symbol] = [*kept, (t, factor)]  # swapped whole: readers never lock


def day_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def volume_for(seed: int, symbol: str, bucket: int, base: int) -> int:
    return int(base * (0.5 + _mix(_volume_key(seed, symbol) ^ (bucket & _MASK))))


_VOLUME_KEYS: dict[tuple[int, str], int] = {}


def _volume_key(seed: int, symbol: str) -> int:
    key = _VOLUME_KEYS.get((seed, symbol))
    if key is None:
        key = _VOLUME_KEYS[(seed, symbol)] = _key(seed, symbol, "volume")
    return key
