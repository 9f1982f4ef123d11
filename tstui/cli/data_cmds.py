"""`tstui get ...`: one-shot REST reads.

Every read asks the client for the response body as the API sent it (``*_body``): `--json`
prints that body, one JSON document; the human table is that same body parsed with the
domain models. Several requests behind one command (account batches, pages, symbol batches)
come back as one envelope of the same shape (see ``tstui.client.api.merge_envelopes``).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tstui.cli.common import (
    account_ids,
    emit_errors,
    open_session,
    print_json,
    print_rows,
    wants_json,
)
from tstui.output import format_cell

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.config import Settings

Fetch = Callable[["Session", "Settings", argparse.Namespace], Awaitable[Any]]
Row = Callable[[Any], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Listing:
    """One `get` command: how to fetch the body, where its items are, how to show them.

    ``key`` is the envelope's list (None: the body is a bare array, as the v2 symbol calls
    answer); ``names``: that list holds plain strings, not objects (crypto pair names).
    ``every_item_matters``: a per-item error fails the command even when other items came
    back (asked-for symbols); otherwise only when nothing came back (accounts).
    """

    fetch: Fetch
    key: str | None
    parse: Callable[[Any], Any]
    headers: tuple[str, ...]
    row: Row
    empty: str
    every_item_matters: bool = False
    names: bool = False

    def items_of(self, body: Any) -> list[Any]:
        from tstui.client.api import bare_items, symbol_names
        from tstui.domain.batch import envelope_items

        if self.key is None:
            return bare_items(body)
        if self.names:
            return symbol_names(body, self.key)
        return list(envelope_items(body, self.key))


async def run_get(settings: Settings, args: argparse.Namespace) -> int:
    from tstui.cli.options_parser import GETS

    if args.what in GETS:
        from tstui.cli.options_cmds import run_option_get  # options: their own shapes

        return await run_option_get(settings, args)
    listing = _listing(args.what)
    async with open_session(settings) as session:
        body = await listing.fetch(session, settings, args)
    return show_body(body, listing, args)


def show_body(body: Any, listing: Listing, args: argparse.Namespace) -> int:
    """Print the body (`--json`) or its table, per-item errors on stderr; the exit status."""
    from tstui.domain.batch import envelope_errors

    raw_items = listing.items_of(body)
    errors = envelope_errors(body) if listing.key is not None else ()
    if wants_json(args):
        print_json(body)
    else:
        items = [listing.parse(item) for item in raw_items]
        print_rows(listing.headers, [listing.row(item) for item in items], empty=listing.empty)
    emit_errors(errors)
    if errors and (listing.every_item_matters or not raw_items):
        return 1
    return 0


# -- fetching -------------------------------------------------------------------------------


def _symbols(args: argparse.Namespace, name: str) -> list[str]:
    return [s for arg in getattr(args, name) for s in arg.split(",") if s.strip()]


_SINCE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})/(\d{2})/(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{2})-(\d{2})-(\d{4})$"), (3, 1, 2)),
    (re.compile(r"^(\d{2})/(\d{2})/(\d{4})$"), (3, 1, 2)),
)


def parse_since(text: str) -> date:
    """The date forms TradeStation's ``since`` takes: YYYY-MM-DD, MM-DD-YYYY, with - or /."""
    value = text.strip()
    for pattern, (y, m, d) in _SINCE_FORMS:
        match = pattern.match(value)
        if match:
            try:
                return date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                break
    raise ValueError(f"--since {text!r}: use YYYY-MM-DD or MM-DD-YYYY")


def bar_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"unit": args.unit, "interval": args.interval}
    if args.barsback is not None:
        kwargs["barsback"] = args.barsback
    for key in ("firstdate", "lastdate"):
        if getattr(args, key, None):
            kwargs[key] = getattr(args, key)
    return kwargs


async def _accounts(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_accounts_body()


async def _balances(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_balances_body(await account_ids(session, settings))


async def _bodbalances(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_bod_balances_body(await account_ids(session, settings))


async def _positions(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_positions_body(await account_ids(session, settings))


async def _orders(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    ids = await account_ids(session, settings)
    return await session.api.get_orders_body(ids, args.order_ids or None)


async def _historical(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    ids = await account_ids(session, settings)
    since = parse_since(args.since)
    return await session.api.get_historical_orders_body(ids, since, args.order_ids or None)


async def _bars(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_bars_body(args.symbol, **bar_kwargs(args))


async def _symbol(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_symbols_body(_symbols(args, "symbol"))


async def _quotes(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_quotes_body(_symbols(args, "symbols"))


async def _routes(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_routes_body()


async def _cryptopairs(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.get_crypto_symbol_names_body()


async def _suggest(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.suggest_symbols_body(args.text, top=args.top, odata_filter=args.filter)


async def _search(session: Session, settings: Settings, args: argparse.Namespace) -> Any:
    return await session.api.search_symbols_body(args.criteria)


# -- rows -------------------------------------------------------------------------------------


def order_row(o: Any) -> tuple[Any, ...]:
    return (
        o.opened_date_time,
        o.order_id,
        o.account_id,
        o.display_symbol,  # an option package: every leg's symbol
        o.side,
        f"{format_cell(o.filled_quantity)}/{format_cell(o.quantity)}",
        o.order_type,
        o.limit_price if o.limit_price is not None else o.stop_price,
        o.status,
        o.filled_price,
    )


ORDER_HEADERS = (
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


def _bod_row(b: Any) -> tuple[Any, ...]:
    d = b.detail
    return (
        b.account_id,
        b.account_type,
        getattr(d, "account_balance", None),
        getattr(d, "net_cash", None),
        getattr(d, "day_trading_marginable_buying_power", None),
    )


def _listing(what: str) -> Listing:
    """The listing of `tstui get <what>`, built on use with its own model alone: `--help`
    imports no model, and `tstui get accounts` never builds the order or market-data ones."""
    match what:
        case "accounts":
            from tstui.domain.portfolio.accounts import Account

            return Listing(
                _accounts,
                "Accounts",
                Account.from_api,
                ("Account", "Type", "Currency", "Status", "Alias"),
                lambda a: (a.account_id, a.account_type, a.currency, a.status, a.alias),
                "no accounts",
            )
        case "balances":
            from tstui.domain.portfolio.balances import Balance

            return Listing(
                _balances,
                "Balances",
                Balance.from_api,
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
                "no balances",
            )
        case "bodbalances":
            from tstui.domain.portfolio.balances import BODBalance

            return Listing(
                _bodbalances,
                "BODBalances",
                BODBalance.from_api,
                ("Account", "Type", "Account balance", "Net cash", "Day-trade BP"),
                _bod_row,
                "no beginning-of-day balances",
            )
        case "positions":
            from tstui.domain.portfolio.positions import Position

            return Listing(
                _positions,
                "Positions",
                Position.from_api,
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
                "no positions",
            )
        case "orders" | "historical-orders":
            from tstui.domain.orders.execution import Order

            if what == "orders":
                return Listing(
                    _orders, "Orders", Order.from_api, ORDER_HEADERS, order_row, "no orders today"
                )
            return Listing(
                _historical, "Orders", Order.from_api, ORDER_HEADERS, order_row, "no orders"
            )
        case "bars":
            from tstui.domain.market.data import Bar

            return Listing(
                _bars,
                "Bars",
                Bar.from_api,
                ("Time", "Open", "High", "Low", "Close", "Volume", "Status"),
                lambda b: (
                    b.timestamp,
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.total_volume,
                    b.bar_status,
                ),
                "no bars",
            )
        case "symbol":
            from tstui.domain.market.data import SymbolDetail

            return Listing(
                _symbol,
                "Symbols",
                SymbolDetail.from_api,
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
                "no symbols",
                every_item_matters=True,
            )
        case "quotes":
            from tstui.domain.market.data import Quote

            return Listing(
                _quotes,
                "Quotes",
                Quote.from_api,
                ("Symbol", "Last", "Bid", "Ask", "Net chg", "Volume", "Time"),
                lambda q: (q.symbol, q.last, q.bid, q.ask, q.net_change, q.volume, q.trade_time),
                "no quotes",
                every_item_matters=True,
            )
        case "routes":
            from tstui.domain.orders.execution import Route

            return Listing(
                _routes,
                "Routes",
                Route.from_api,
                ("Route", "Name", "Asset types"),
                lambda r: (r.id, r.name, ",".join(r.asset_types)),
                "no routes",
            )
        case "cryptopairs":
            return Listing(
                _cryptopairs,
                "SymbolNames",
                str,
                ("Symbol",),
                lambda name: (name,),
                "no crypto pairs",
                names=True,
            )
        case "suggest" | "search":
            from tstui.domain.market.data import SymbolMatch

            return Listing(
                _suggest if what == "suggest" else _search,
                None,
                SymbolMatch.from_api,
                ("Symbol", "Description", "Category", "Exchange", "Country", "Currency"),
                lambda m: (m.name, m.description, m.category, m.exchange, m.country, m.currency),
                "no matching symbols",
            )
    raise KeyError(what)
