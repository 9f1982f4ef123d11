"""Initial accounts, positions, today's orders and ~120 days of order history (per seed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from tstui.domain.market import futures
from tstui.sim.engine import Engine
from tstui.sim.instruments import FUTURES_COMMISSION
from tstui.sim.market import _unit_hash
from tstui.sim.records import (
    ACCOUNT_CASH,
    ACCOUNT_FUTURES,
    ACCOUNT_MARGIN,
    SimAccount,
    SimOrder,
    SimPosition,
)

HISTORY_DAYS = 120


def seed_engine(engine: Engine) -> None:
    now = engine.clock.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # option approval levels (tstui.sim.option_orders): margin 5, cash 2, futures 5
    engine.accounts = {
        ACCOUNT_MARGIN: SimAccount(
            ACCOUNT_MARGIN, "Margin", Decimal(150_000), Decimal(0), option_level=5
        ),
        ACCOUNT_FUTURES: SimAccount(
            ACCOUNT_FUTURES, "Futures", Decimal(250_000), Decimal(0), option_level=5
        ),
        ACCOUNT_CASH: SimAccount(ACCOUNT_CASH, "Cash", Decimal(25_000), Decimal(0), option_level=2),
    }
    holdings = [
        (ACCOUNT_MARGIN, "MSFT", Decimal(100), 40),
        (ACCOUNT_MARGIN, "AAPL", Decimal(50), 75),
        (ACCOUNT_CASH, "NVDA", Decimal(20), 20),
    ]
    # the margin account's positions were bought in the history: round trips there end before
    bought = {(a, s): today - timedelta(days=d) + timedelta(hours=15) for a, s, _, d in holdings}
    _seed_history(engine, today, bought)
    for account_id, symbol, qty, days_ago in holdings:
        opened = today - timedelta(days=days_ago) + timedelta(hours=15)
        price = engine.quote_of(symbol, opened)[0]
        if account_id != ACCOUNT_CASH:  # the cash account's order list stays empty (tests)
            buy = _order(engine, account_id, symbol, "BUY", int(qty), "Market", opened, "FLL")
            engine.orders[buy.order_id] = buy  # filled at ``price``, the position's average
        pos = SimPosition(
            str(engine.next_position_id), account_id, symbol, "STOCK", qty, price, opened
        )
        engine.next_position_id += 1
        engine.positions[(account_id, symbol)] = pos
        account = engine.accounts[account_id]
        engine.accounts[account_id] = replace(account, cash=account.cash - qty * price)
    for account_id, account in engine.accounts.items():
        engine.accounts[account_id] = replace(account, bod_cash=account.cash)
    _seed_today(engine, today, now)


def _order(
    engine: Engine,
    account_id: str,
    symbol: str,
    action: str,
    qty: int,
    order_type: str,
    opened: datetime,
    status: str,
    limit: Decimal | None = None,
    filled_qty: int | None = None,
) -> SimOrder:
    """One order; ``filled_qty`` below ``qty`` with status FLP is a partial fill (the rest was
    cancelled: "UROut"). Filled orders fill at the market (or the limit) when opened."""
    inst = engine.instrument(symbol, opened)
    asset = inst.asset_type if inst else "STOCK"
    price = engine.quote_of(symbol, opened)[0]
    filled = status in ("FLL", "FLP")
    executed = Decimal(qty if filled_qty is None else filled_qty) if filled else Decimal(0)
    per_contract = FUTURES_COMMISSION if asset == "FUTURE" else Decimal(0)
    order = SimOrder(
        str(engine.next_order_id),
        account_id,
        symbol,
        asset,
        action,
        order_type,
        Decimal(qty),
        "DAY" if status != "OPN" else "GTC",
        status,
        opened,
        limit_price=limit,
        filled_quantity=executed,
        filled_price=(limit or price) if filled else None,
        closed_at=None if status == "OPN" else opened + timedelta(minutes=3),
        reject_reason="Insufficient buying power." if status == "REJ" else None,
        commission=per_contract * executed,
        expires_at=opened + timedelta(days=90) if status == "OPN" else None,
    )
    engine.next_order_id += 1
    return order


# Round trips of the history, by kind. "partial" enters with an order that fills only part of
# its quantity (status FLP); "reverse" (futures) goes through flat to the other side in one
# order and back (stocks would need SellShort for that: they make a simple trip instead).
_KINDS = ("simple", "simple", "scale_in", "scale_out", "partial", "reverse")
_STOCKS = ("SPY", "NVDA", "MSFT", "AAPL")
_ROOTS = ("ES", "NQ", "CL", "GC")
_OPEN = {("STOCK", True): "BUY", ("STOCK", False): "SELLSHORT"}
_CLOSE = {("STOCK", True): "SELL", ("STOCK", False): "BUYTOCOVER"}


def _weekdays_after(day: datetime, count: int) -> datetime:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _seed_history(engine: Engine, today: datetime, busy: dict[tuple[str, str], datetime]) -> None:
    """~120 days of orders: round trips (stocks and futures, long and short, scale-in,
    scale-out, partial fills; futures with commissions), plus cancelled and rejected orders.

    Every round trip ends flat before the next one on the same account and symbol starts, and
    none straddles the 90-day edge of the historical orders endpoint, so the fills the API can
    show always pair up. ``busy`` marks (account, symbol) held from a time on (the seeded
    positions): no round trip there after it.
    """
    free_from: dict[tuple[str, str], datetime] = {}
    edge = today - timedelta(days=90)
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() >= 5:
            continue
        for slot in range(2):
            h = _unit_hash(engine.seed, "trip", days_ago, slot)
            futures_trip = slot == 1
            if futures_trip and h > 0.8:
                continue  # fewer futures trips than stock trips
            start = day + timedelta(hours=14, minutes=30 + int(h * 240))
            if futures_trip:
                account_id = ACCOUNT_FUTURES
                symbol = futures.front_contract(_ROOTS[int(h * 89) % 4], start)
                unit = 1
            else:
                account_id, symbol = ACCOUNT_MARGIN, _STOCKS[int(h * 97) % 4]
                unit = 10 * (1 + int(h * 13) % 5)
            key = (account_id, symbol)
            held_from = busy.get(key)
            hold_days = int(h * 1000) % 3  # 0: the same day, else 1-2 weekdays later
            end = _weekdays_after(day, hold_days) + timedelta(hours=14, minutes=int(h * 400))
            end = max(end, start + timedelta(minutes=25))
            if (
                (key in free_from and free_from[key] > start)
                or (held_from is not None and end >= held_from)
                or end >= today
                or (start < edge <= end)
            ):
                continue
            _round_trip(engine, account_id, symbol, unit, start, end, h)
            free_from[key] = end + timedelta(minutes=10)
        h = _unit_hash(engine.seed, "noise", days_ago)
        opened = day + timedelta(hours=14, minutes=int(h * 360))
        symbol = _STOCKS[int(h * 31) % 4]
        status = "CAN" if h < 0.7 else "REJ"
        price = engine.quote_of(symbol, opened)[0]
        limit = (price * Decimal("0.97")).quantize(Decimal("0.01"))
        order = _order(engine, ACCOUNT_MARGIN, symbol, "BUY", 10, "Limit", opened, status, limit)
        engine.orders[order.order_id] = order


def _round_trip(
    engine: Engine,
    account_id: str,
    symbol: str,
    unit: int,
    start: datetime,
    end: datetime,
    h: float,
) -> None:
    inst = engine.instrument(symbol, start)
    asset = inst.asset_type if inst else "STOCK"
    long = int(h * 7919) % 3 != 0  # two longs for each short
    opening = _OPEN.get((asset, long), "BUY" if long else "SELL")
    closing = _CLOSE.get((asset, long), "SELL" if long else "BUY")
    kind = _KINDS[int(h * 4513) % len(_KINDS)]
    middle = start + (end - start) / 2
    orders: list[SimOrder] = []

    def add(action: str, qty: int, at: datetime, filled: int | None = None) -> None:
        status = "FLL" if filled is None else "FLP"
        kind_of = "Market" if int(at.timestamp()) % 2 else "Limit"
        price = engine.quote_of(symbol, at)[0]
        limit = price if kind_of == "Limit" else None
        orders.append(
            _order(engine, account_id, symbol, action, qty, kind_of, at, status, limit, filled)
        )

    if kind == "scale_in":
        add(opening, unit, start)
        add(opening, unit, middle)
        add(closing, 2 * unit, end)
    elif kind == "scale_out":
        add(opening, 2 * unit, start)
        add(closing, unit, middle)
        add(closing, unit, end)
    elif kind == "reverse" and asset == "FUTURE":
        add(opening, unit, start)
        add(closing, 2 * unit, middle)  # closes the position and opens the other side
        add(opening, unit, end)
    elif kind == "partial":
        ordered = 3 * unit
        filled = ordered - unit  # two thirds filled; the rest was cancelled (FLP)
        add(opening, ordered, start, filled)
        add(closing, filled, end)
    else:
        add(opening, unit, start)
        add(closing, unit, end)
    for order in orders:
        engine.orders[order.order_id] = order


def _seed_today(engine: Engine, today: datetime, now: datetime) -> None:
    earlier = max(today, now - timedelta(hours=2))
    spy = engine.quote_of("SPY")[0]
    front = futures.front_contract("ES", now)
    es = engine.quote_of(front)[0]
    seeded = [
        _order(engine, ACCOUNT_MARGIN, "AAPL", "BUY", 10, "Market", earlier, "FLL"),
        _order(engine, ACCOUNT_MARGIN, "NVDA", "BUY", 25, "Limit", earlier, "CAN", Decimal(100)),
        _order(
            engine,
            ACCOUNT_MARGIN,
            "SPY",
            "BUY",
            5,
            "Limit",
            earlier,
            "OPN",
            (spy * Decimal("0.9")).quantize(Decimal("0.01")),
        ),
        _order(
            engine,
            ACCOUNT_FUTURES,
            front,
            "BUY",
            1,
            "Limit",
            earlier,
            "OPN",
            (es * Decimal("0.9") / Decimal("0.25")).to_integral_value() * Decimal("0.25"),
        ),
    ]
    for order in seeded:
        engine.orders[order.order_id] = order
        if order.is_working:
            engine.working[order.order_id] = order
