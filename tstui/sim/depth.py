"""The simulated order book behind the market-depth streams: price levels around the touch.

The book is a pure function of (seed, symbol, sim time, the price path), like every other
price in the simulator: the touch is the quote's bid and ask (``quotes.bid_ask``), each level
below the bid and above the ask is one tick further out, and each level holds one or more
participants' quotes whose sizes are hashed from the level's price and a short time bucket.
So the book moves with the market (the touch follows the last price) and its sizes change
every few sim seconds, while a frozen clock gives a frozen book.

The touch level's total size is the quote's ``BidSize`` / ``AskSize``, so the quote and the
depth streams agree about the inside market. ``maxlevels`` counts price levels per side.

The simulator's own resting limit orders join the book at their prices (``resting``): a buy
limit below the ask adds to the bid size there, a sell limit above the bid to the ask size,
as the participant ``TSIM``; so an order placed from the ladder shows in its depth too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tstui.sim.clock import iso
from tstui.sim.instruments import Instrument
from tstui.sim.market import PricePaths
from tstui.sim.quotes import bid_ask, touch_sizes
from tstui.sim.records import WAITING_FOR_PARENT, WAITING_FOR_RULES, SimOrder

DEFAULT_LEVELS = 20  # the spec's default for maxlevels
MAX_LEVELS = 100  # a bound of ours: deeper requests get the levels the book has
SIZE_BUCKET_SECONDS = 2  # sizes change this often (sim seconds)
STOCK_VENUES = ("NSDQ", "ARCX", "BATS", "EDGX", "IEXG", "NYSE", "MEMX")
OWN_PARTICIPANT = "TSIM"  # the simulator's own resting orders
Resting = dict[tuple[str, Decimal], int]  # ("Bid" | "Ask", price) -> resting quantity


@dataclass(frozen=True, slots=True)
class Participant:
    """One participant's quote at a price (a row of the market-depth quotes stream)."""

    name: str
    size: int
    order_count: int
    time: datetime


@dataclass(frozen=True, slots=True)
class Level:
    side: str  # "Bid" | "Ask"
    price: Decimal
    participants: tuple[Participant, ...]

    @property
    def total_size(self) -> int:
        return sum(p.size for p in self.participants)


@dataclass(frozen=True, slots=True)
class Book:
    bids: tuple[Level, ...]  # best (highest) first
    asks: tuple[Level, ...]  # best (lowest) first


def _unit(*parts: object) -> float:
    """A deterministic float in [0, 1) from the parts."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _split(total: int, shares: list[float], lot: int) -> list[int]:
    """``total`` split in proportion to ``shares``, in whole lots, none empty."""
    lots = max(len(shares), total // lot)
    weight = sum(shares)
    counts = [max(1, int(lots * s / weight)) for s in shares]
    counts[0] += lots - sum(counts)
    if counts[0] < 1:  # rounding took too much from the first: even it out
        counts = [1] * (len(shares) - 1) + [lots - len(shares) + 1]
    return [c * lot for c in counts]


def _level(
    seed: int, inst: Instrument, side: str, price: Decimal, depth: int, now: datetime
) -> Level:
    bucket = int(now.timestamp() // SIZE_BUCKET_SECONDS)
    key = (seed, inst.priced_symbol, side, str(price))
    stock = inst.asset_type == "STOCK"
    lot = 100 if stock else 1
    if depth == 0:
        total = int(touch_sizes(inst)[0 if side == "Bid" else 1])
    else:
        # deeper levels hold more, with noise that changes every bucket
        base = (3 + depth) * (2 if stock else 4)
        total = int(base * (0.4 + 1.2 * _unit(*key, bucket, "size"))) * lot
        total = max(lot, total)
    if stock:
        count = 1 + int(3 * _unit(*key, bucket // 5, "n"))
        start = int(len(STOCK_VENUES) * _unit(*key, "venue"))
        names = [STOCK_VENUES[(start + i) % len(STOCK_VENUES)] for i in range(count)]
    else:
        names = [inst.exchange]  # a futures book is the exchange's own, not per participant
    count = min(len(names), max(1, total // lot))
    names = names[:count]
    shares = [0.5 + _unit(*key, bucket, "share", i) for i in range(count)]
    sizes = _split(total, shares, lot)
    participants = []
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        orders = 1 + int((size // lot - 1) * _unit(*key, bucket, "orders", i) * 0.5)
        age = timedelta(seconds=int(30 * _unit(*key, bucket, "age", i)))
        participants.append(Participant(name, size, orders, now - age))
    participants.sort(key=lambda p: (-p.size, p.name))
    return Level(side, price, tuple(participants))


def _with_resting(level: Level, resting: Resting, now: datetime) -> Level:
    size = resting.get((level.side, level.price), 0)
    if size <= 0:
        return level
    own = Participant(OWN_PARTICIPANT, size, 1, now)
    participants = sorted((*level.participants, own), key=lambda p: (-p.size, p.name))
    return Level(level.side, level.price, tuple(participants))


def book(
    paths: PricePaths,
    inst: Instrument,
    now: datetime,
    levels: int,
    resting: Resting | None = None,
) -> Book:
    """The book at ``now``: ``levels`` price levels a side (fewer bids near a zero price),
    with ``resting`` orders added at their prices."""
    bid, ask = bid_ask(inst, paths.price_at(inst, now))
    tick = inst.tick
    own = resting or {}
    bids = tuple(
        _with_resting(_level(paths.seed, inst, "Bid", bid - tick * i, i, now), own, now)
        for i in range(levels)
        if bid - tick * i > 0
    )
    asks = tuple(
        _with_resting(_level(paths.seed, inst, "Ask", ask + tick * i, i, now), own, now)
        for i in range(levels)
    )
    return Book(bids, asks)


def resting_orders(orders: Iterable[SimOrder], inst: Instrument) -> Resting:
    """The working limit orders of ``inst`` (its contract, for a continuous symbol) that rest
    in a book: their remaining quantity by side and price."""
    symbols = {inst.symbol, inst.priced_symbol}
    out: Resting = {}
    for order in orders:
        if (
            order.symbol not in symbols
            or order.limit_price is None
            or order.legs
            or order.status in (WAITING_FOR_PARENT, WAITING_FOR_RULES)
            or not order.is_working
            or (order.order_type != "Limit" and not order.triggered)
        ):
            continue
        left = int(order.quantity - order.filled_quantity)
        if left > 0:
            key = ("Bid" if order.is_buy else "Ask", order.limit_price)
            out[key] = out.get(key, 0) + left
    return out


def quotes_frame(inst: Instrument, depth: Book) -> dict[str, Any]:
    """A ``MarketDepthQuote`` frame: one entry per price, side and participant."""

    def rows(levels: tuple[Level, ...]) -> list[dict[str, Any]]:
        return [
            {
                "TimeStamp": iso(p.time),
                "Side": level.side,
                "Price": inst.fmt(level.price),
                "Size": str(p.size),
                "OrderCount": p.order_count,
                "Name": p.name,
            }
            for level in levels
            for p in level.participants
        ]

    return {"Bids": rows(depth.bids), "Asks": rows(depth.asks)}


def aggregates_frame(inst: Instrument, depth: Book) -> dict[str, Any]:
    """A ``MarketDepthAggregate`` frame: one entry per price and side."""

    def rows(levels: tuple[Level, ...]) -> list[dict[str, Any]]:
        out = []
        for level in levels:
            sizes = [p.size for p in level.participants]
            times = [p.time for p in level.participants]
            out.append(
                {
                    "EarliestTime": iso(min(times)),
                    "LatestTime": iso(max(times)),
                    "Side": level.side,
                    "Price": inst.fmt(level.price),
                    "TotalSize": str(sum(sizes)),
                    "BiggestSize": str(max(sizes)),
                    "SmallestSize": str(min(sizes)),
                    "NumParticipants": len(sizes),
                    "TotalOrderCount": sum(p.order_count for p in level.participants),
                }
            )
        return out

    return {"Bids": rows(depth.bids), "Asks": rows(depth.asks)}
