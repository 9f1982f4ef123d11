"""Initial accounts, positions, today's orders and ~120 days of order history (per seed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from tstui.domain.market import futures
from tstui.sim.engine import Engine
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
    engine.accounts = {
        ACCOUNT_MARGIN: SimAccount(ACCOUNT_MARGIN, "Margin", Decimal(150_000), Decimal(0)),
        ACCOUNT_FUTURES: SimAccount(ACCOUNT_FUTURES, "Futures", Decimal(250_000), Decimal(0)),
        ACCOUNT_CASH: SimAccount(ACCOUNT_CASH, "Cash", Decimal(25_000), Decimal(0)),
    }
    _seed_history(engine, today)
    holdings = [
        (ACCOUNT_MARGIN, "MSFT", Decimal(100), 40),
        (ACCOUNT_MARGIN, "AAPL", Decimal(50), 75),
        (ACCOUNT_CASH, "NVDA", Decimal(20), 20),
    ]
    for account_id, symbol, qty, days_ago in holdings:
        opened = today - timedelta(days=days_ago) + timedelta(hours=15)
        price = engine.quote_of(symbol, opened)[0]
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
) -> SimOrder:
    inst = engine.instrument(symbol, opened)
    asset = inst.asset_type if inst else "STOCK"
    price = engine.quote_of(symbol, opened)[0]
    filled = status == "FLL"
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
        filled_quantity=Decimal(qty) if filled else Decimal(0),
        filled_price=(limit or price) if filled else None,
        closed_at=None if status == "OPN" else opened + timedelta(minutes=3),
        reject_reason="Insufficient buying power." if status == "REJ" else None,
        expires_at=opened + timedelta(days=90) if status == "OPN" else None,
    )
    engine.next_order_id += 1
    return order


def _seed_history(engine: Engine, today: datetime) -> None:
    stocks = ("MSFT", "AAPL", "SPY", "NVDA")
    roots = ("ES", "NQ", "CL", "GC")
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() >= 5:
            continue
        for n in range(3):
            h = _unit_hash(engine.seed, "hist", days_ago, n)
            opened = day + timedelta(hours=14, minutes=int(h * 360))
            if n < 2:
                account_id, symbol = ACCOUNT_MARGIN, stocks[int(h * 97) % 4]
                qty = 10 * (1 + int(h * 13) % 10)
            else:
                account_id = ACCOUNT_FUTURES
                symbol = futures.front_contract(roots[int(h * 89) % 4], opened)
                qty = 1 + int(h * 7) % 3
            status = "FLL" if h < 0.7 else ("CAN" if h < 0.9 else "REJ")
            action = "BUY" if int(h * 1000) % 2 == 0 else "SELL"
            kind = "Market" if status == "FLL" and h < 0.4 else "Limit"
            price = engine.quote_of(symbol, opened)[0]
            limit = None if kind == "Market" else price
            order = _order(engine, account_id, symbol, action, qty, kind, opened, status, limit)
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
