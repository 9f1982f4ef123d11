"""The trade journal from the API: every fill of the last 90 days, matched into round trips.

TradeStation has no P&L history endpoint. Its historical orders (90 days back, paged with
``NextToken``) and today's orders carry per leg the executed quantity and average price and per
order the commission; :mod:`tstui.domain.portfolio.journal` turns those into fills and FIFO
round trips. An order can be in both lists (opened on an earlier day and still working): the
newest snapshot, today's, wins. Futures fills are multiplied by the contract's point value:
``PriceFormat.PointValue`` of the symbol details, or the product table of
:mod:`tstui.domain.market.futures` for a contract the API no longer describes (expired).

The whole window is always loaded, whatever dates the caller shows: a trip closed inside a
date range may have been opened before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from tstui.client.errors import TradeStationError
from tstui.domain.batch import ItemError
from tstui.domain.orders.execution import Order
from tstui.domain.portfolio.journal import Fill, FillTracker, Journal
from tstui.domain.portfolio.valuation import default_point_value

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI

__all__ = ["HISTORY_WINDOW_DAYS", "LoadedJournal", "build_journal", "load_journal"]

HISTORY_WINDOW_DAYS = 90  # the historical orders endpoint reaches no further back


@dataclass
class LoadedJournal:
    """A journal, the tracker that made its fills (feed it later snapshots of the same orders:
    it adds only what they executed since) and what the API refused on the way."""

    journal: Journal
    tracker: FillTracker
    point_values: dict[str, Decimal]
    since: date
    orders: int
    errors: list[ItemError] = field(default_factory=list)

    def add_order(self, order: Order, *, at: datetime | None = None) -> list[Fill]:
        """A newer snapshot of an order (the orders stream): its new fills into the journal.
        A partial fill still working has no closed time yet: it is stamped ``at`` (now)."""
        when = at if order.closed_date_time is None else None
        fills = self.tracker.fills(order, at=when)
        for item in fills:
            self.journal.add(item)
        return fills

    def point_value(self, symbol: str, asset_type: str | None) -> Decimal:
        known = self.point_values.get(symbol)
        return known if known is not None else default_point_value(symbol, asset_type)


def _order_time(order: Order) -> datetime:
    return order.closed_date_time or order.opened_date_time or datetime.min.replace(tzinfo=UTC)


def _futures_symbols(orders: Iterable[Order]) -> list[str]:
    symbols = {
        leg.symbol
        for order in orders
        for leg in order.legs
        if leg.symbol and (leg.asset_type or "").upper() == "FUTURE" and (leg.exec_quantity or 0)
    }
    return sorted(symbols)


def build_journal(
    orders: Sequence[Order],
    point_values: dict[str, Decimal] | None = None,
    *,
    since: date,
    errors: Sequence[ItemError] = (),
) -> LoadedJournal:
    """Orders (any order) -> the journal, fills applied in the time they happened."""
    loaded = LoadedJournal(
        journal=Journal(),
        tracker=FillTracker(),
        point_values=dict(point_values or {}),
        since=since,
        orders=len(orders),
        errors=list(errors),
    )
    loaded.tracker = FillTracker(loaded.point_value)
    fills: list[Fill] = []
    for order in sorted(orders, key=_order_time):
        fills += loaded.tracker.fills(order)
    loaded.journal.add_all(fills)
    return loaded


async def load_orders(
    api: TradeStationAPI, account_ids: Sequence[str], since: date, *, page_size: int = 600
) -> tuple[list[Order], list[ItemError]]:
    """Historical orders since ``since`` (every page) and today's, one snapshot per order id
    (today's wins: it is the newer one)."""
    history = await api.get_historical_orders(account_ids, since, page_size=page_size)
    today = await api.get_orders(account_ids, page_size=page_size)
    by_id: dict[str, Order] = {order.order_id: order for order in history.items}
    by_id.update((order.order_id, order) for order in today.items)
    return list(by_id.values()), [*history.errors, *today.errors]


async def load_point_values(
    api: TradeStationAPI, symbols: Sequence[str], errors: list[ItemError] | None = None
) -> dict[str, Decimal]:
    """PointValue per futures symbol from the symbol details; symbols the API does not know
    (expired contracts) are left out: the product table stands in for them. A refused
    lookup (a malformed symbol) is noted in ``errors`` and the product table used for all."""
    if not symbols:
        return {}
    try:
        details = await api.get_symbols(symbols)
    except TradeStationError as exc:
        if errors is not None:
            errors.append(ItemError(None, "PointValue", f"symbol details: {exc}"))
        return {}
    return {detail.symbol: detail.point_value for detail in details.items if detail.point_value}


async def load_journal(
    api: TradeStationAPI,
    account_ids: Sequence[str],
    *,
    today: date | None = None,
    page_size: int = 600,
) -> LoadedJournal:
    """Every fill of the accounts in the last 90 days, as a journal of round trips."""
    current = today or api.clock().astimezone(UTC).date()
    since = current - timedelta(days=HISTORY_WINDOW_DAYS)
    orders, errors = await load_orders(api, account_ids, since, page_size=page_size)
    point_values = await load_point_values(api, _futures_symbols(orders), errors)
    return build_journal(orders, point_values, since=since, errors=errors)
