"""`tstui get ...` and `tstui stream ...`: one-shot REST calls and streams."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from tstui.cli.common import account_ids, emit, emit_errors, open_session, wants_json
from tstui.output import dumps, format_cell

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings

Getter = Callable[["Session", "Settings", argparse.Namespace], Awaitable[int]]


async def run_get(settings: Settings, args: argparse.Namespace) -> int:
    async with open_session(settings) as session:
        return await _GETTERS[args.what](session, settings, args)


async def _accounts(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    accounts = await session.api.get_accounts()
    emit(
        args,
        accounts,
        ("Account", "Type", "Currency", "Status", "Alias"),
        lambda a: (a.account_id, a.account_type, a.currency, a.status, a.alias),
        empty="no accounts",
    )
    return 0


async def _balances(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    batch = await session.api.get_balances(await account_ids(session, settings))
    emit(
        args,
        batch.items,
        ("Account", "Type", "Cash", "Equity", "Market value", "Buying power", "Today P&L"),
        lambda b: (
            b.account_id,
            b.account_type,
            b.cash_balance,
            b.equity,
            b.market_value,
            b.buying_power,
            b.todays_profit_loss,
        ),
        empty="no balances",
    )
    emit_errors(batch.errors)
    return 1 if batch.errors and not batch.items else 0


async def _bodbalances(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    batch = await session.api.get_bod_balances(await account_ids(session, settings))

    def row(b: Any) -> tuple[Any, ...]:
        d = b.detail
        return (
            b.account_id,
            b.account_type,
            getattr(d, "account_balance", None),
            getattr(d, "net_cash", None),
            getattr(d, "day_trading_marginable_buying_power", None),
        )

    emit(
        args,
        batch.items,
        ("Account", "Type", "Account balance", "Net cash", "Day-trade BP"),
        row,
        empty="no beginning-of-day balances",
    )
    emit_errors(batch.errors)
    return 1 if batch.errors and not batch.items else 0


async def _positions(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    batch = await session.api.get_positions(await account_ids(session, settings))
    emit(
        args,
        batch.items,
        ("Account", "Symbol", "L/S", "Qty", "Avg price", "Last", "Mkt value", "Unreal P&L"),
        lambda p: (
            p.account_id,
            p.symbol,
            p.long_short,
            p.quantity,
            p.average_price,
            p.last,
            p.market_value,
            p.unrealized_profit_loss,
        ),
        empty="no positions",
    )
    emit_errors(batch.errors)
    return 1 if batch.errors and not batch.items else 0


def _order_row(o: Any) -> tuple[Any, ...]:
    return (
        o.opened_date_time,
        o.order_id,
        o.account_id,
        o.symbol,
        o.side,
        f"{format_cell(o.filled_quantity)}/{format_cell(o.quantity)}",
        o.order_type,
        o.limit_price if o.limit_price is not None else o.stop_price,
        o.status,
        o.filled_price,
    )


_ORDER_HEADERS = (
    "Opened",
    "Order",
    "Account",
    "Symbol",
    "Side",
    "Filled/Qty",
    "Type",
    "Price",
    "Status",
    "Avg fill",
)


async def _orders(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    batch = await session.api.get_orders(await account_ids(session, settings))
    emit(args, batch.items, _ORDER_HEADERS, _order_row, empty="no orders today")
    emit_errors(batch.errors)
    return 1 if batch.errors and not batch.items else 0


async def _historical(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    since = date.fromisoformat(args.since)
    batch = await session.api.get_historical_orders(await account_ids(session, settings), since)
    emit(args, batch.items, _ORDER_HEADERS, _order_row, empty=f"no orders since {since}")
    emit_errors(batch.errors)
    return 1 if batch.errors and not batch.items else 0


def _bar_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"unit": args.unit, "interval": args.interval}
    if args.barsback is not None:
        kwargs["barsback"] = args.barsback
    for key in ("firstdate", "lastdate"):
        if getattr(args, key, None):
            kwargs[key] = getattr(args, key)
    return kwargs


_BAR_HEADERS = ("Time", "Open", "High", "Low", "Close", "Volume", "Status")


def _bar_row(b: Any) -> tuple[Any, ...]:
    return (b.timestamp, b.open, b.high, b.low, b.close, b.total_volume, b.bar_status)


async def _bars(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    bars = await session.api.get_bars(args.symbol, **_bar_kwargs(args))
    emit(args, bars, _BAR_HEADERS, _bar_row, empty="no bars")
    return 0


async def _symbol(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    batch = await session.api.get_symbols(args.symbol)
    emit(
        args,
        batch.items,
        (
            "Symbol",
            "Description",
            "Type",
            "Exchange",
            "Tick",
            "Point value",
            "Expires",
            "Underlying",
        ),
        lambda s: (
            s.symbol,
            s.description,
            s.asset_type,
            s.exchange,
            s.tick_size,
            s.point_value,
            s.expiration_date,
            s.underlying,
        ),
        empty="no symbols",
    )
    emit_errors(batch.errors)
    return 1 if batch.errors else 0


async def _quotes(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    symbols = [s for arg in args.symbols for s in arg.split(",") if s]
    batch = await session.api.get_quotes(symbols)
    emit(
        args,
        batch.items,
        ("Symbol", "Last", "Bid", "Ask", "Net chg", "Volume", "Time"),
        lambda q: (q.symbol, q.last, q.bid, q.ask, q.net_change, q.volume, q.trade_time),
        empty="no quotes",
    )
    emit_errors(batch.errors)
    return 1 if batch.errors else 0


async def _routes(session: Session, settings: Settings, args: argparse.Namespace) -> int:
    routes = await session.api.get_routes()
    emit(
        args,
        routes,
        ("Route", "Name", "Asset types"),
        lambda r: (r.id, r.name, ",".join(r.asset_types)),
        empty="no routes",
    )
    return 0


_GETTERS: dict[str, Getter] = {
    "accounts": _accounts,
    "balances": _balances,
    "bodbalances": _bodbalances,
    "positions": _positions,
    "orders": _orders,
    "historical-orders": _historical,
    "bars": _bars,
    "symbol": _symbol,
    "quotes": _quotes,
    "routes": _routes,
}


async def run_stream(settings: Settings, args: argparse.Namespace) -> int:
    """Print each event until --count data events, --seconds, or Ctrl-C."""
    async with open_session(settings) as session:
        stream = await _open_stream(session, settings, args)
        deadline = time.monotonic() + args.seconds if args.seconds else None
        seen = 0
        try:
            async for event in _until(stream, deadline):
                is_data = _print_event(event, args)
                seen += is_data
                if args.count is not None and seen >= args.count:
                    break
        finally:
            await stream.aclose()
    return 0


async def _open_stream(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    api = session.api
    what = args.what
    if what == "bars":
        kwargs = _bar_kwargs(args)
        kwargs.pop("firstdate", None)
        kwargs.pop("lastdate", None)
        return api.stream_bars(args.symbol, **kwargs)
    if what == "quotes":
        return api.stream_quotes([s for arg in args.symbols for s in arg.split(",") if s])
    if what == "tickbars":
        return api.stream_tickbars(args.symbol, args.interval, args.barsback)
    ids = await account_ids(session, settings)
    return api.stream_orders(ids) if what == "orders" else api.stream_positions(ids)


async def _until(stream: Any, deadline: float | None) -> AsyncIterator[Any]:
    import anyio

    if deadline is None:
        async for event in stream:
            yield event
        return
    with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
        async for event in stream:
            yield event


def _print_event(event: Any, args: argparse.Namespace) -> int:
    """Print one event; state changes go to stderr for people. Returns 1 for data events."""
    from tstui.client.streams import StreamState
    from tstui.domain.frames import StreamErrorFrame

    if isinstance(event, StreamState):
        if wants_json(args):
            print(dumps({"StreamState": event.state, "Detail": event.detail}), flush=True)
        else:
            print(f"# {event.stream}: {event.state} {event.detail}".rstrip(), file=sys.stderr)
        return 0
    if isinstance(event, StreamErrorFrame):
        print(f"tstui: stream error {event.error}: {event.message}", file=sys.stderr)
        return 0
    print(dumps(event) if wants_json(args) else _human(event), flush=True)
    return 1


def _human(event: Any) -> str:
    import dataclasses

    if not dataclasses.is_dataclass(event):
        return str(event)
    parts = []
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if value not in (None, (), "") and not dataclasses.is_dataclass(value):
            parts.append(f"{field.name}={format_cell(value)}")
    return f"{type(event).__name__} " + " ".join(parts)
