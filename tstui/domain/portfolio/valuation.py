"""Position valuation and portfolio totals (pure Decimal arithmetic).

The API's own figures win when present (they are in the right currency and use the broker's
marks); the local computation only fills gaps:

- market value = last x signed quantity x point value
- cost = average price x |quantity| x point value
- unrealized P&L = (last - average price) x signed quantity x point value
- unrealized % = unrealized P&L / cost x 100

Point value: the caller's (from SymbolDetail.PriceFormat.PointValue), else the futures product
table for known roots, 100 for an option contract (its future's point value for a futures
option), else 1. Day P&L has no local formula (it needs the prior close): it is
the API's TodaysProfitLoss per position, or per account from the balances.
Totals simply add numbers; mixing account currencies is not converted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from tstui.domain.market import futures
from tstui.domain.options.symbology import is_futures_root, is_option_symbol, parse_option_symbol
from tstui.domain.portfolio.balances import Balance
from tstui.domain.portfolio.positions import Position

__all__ = [
    "PortfolioTotals",
    "PositionValue",
    "day_pl",
    "default_point_value",
    "portfolio_totals",
    "totals_by_account",
    "value_position",
    "value_positions",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PositionValue:
    account_id: str
    symbol: str
    asset_type: str | None
    quantity: Decimal  # signed: negative for short
    average_price: Decimal | None
    last: Decimal | None
    point_value: Decimal
    market_value: Decimal | None
    cost: Decimal | None
    unrealized_pl: Decimal | None
    unrealized_pl_pct: Decimal | None
    todays_pl: Decimal | None
    computed: bool  # some figure was computed locally (the API did not send it)


# Asset types an option symbol may come with ("" when the API did not say).
_OPTION_KINDS = frozenset({"STOCKOPTION", "INDEXOPTION", "FUTUREOPTION", "FUTURE", ""})
_SHARES_PER_CONTRACT = Decimal(100)


def default_point_value(symbol: str | None, asset_type: str | None) -> Decimal:
    """Futures product point value for known roots; an option contract's size (100 shares,
    or its future's point value for a futures option); else 1 (equities)."""
    kind = (asset_type or "").upper()
    if symbol and kind in _OPTION_KINDS and is_option_symbol(symbol):
        root = parse_option_symbol(symbol).root
        if is_futures_root(root):
            try:
                return futures.product(futures.parse_contract(root).root).point_value
            except ValueError:
                pass
        return _SHARES_PER_CONTRACT
    if symbol and kind in ("FUTURE", ""):
        try:
            return futures.product(futures.parse_contract(symbol).root).point_value
        except ValueError:
            pass
    return Decimal(1)


def value_position(
    position: Position, last: Decimal | None = None, point_value: Decimal | None = None
) -> PositionValue:
    """Value one position; `last` is used only when the position carries no Last."""
    qty = position.signed_quantity
    mark = position.last if position.last is not None else last
    pv = point_value or default_point_value(position.symbol, position.asset_type)
    avg = position.average_price
    computed = False

    market_value = position.market_value
    if market_value is None and mark is not None:
        market_value, computed = mark * qty * pv, True

    cost = abs(position.total_cost) if position.total_cost is not None else None
    if cost is None and avg is not None:
        cost, computed = abs(avg * qty * pv), True

    unrealized = position.unrealized_profit_loss
    if unrealized is None and mark is not None and avg is not None:
        unrealized, computed = (mark - avg) * qty * pv, True

    pct = position.unrealized_profit_loss_percent
    if pct is None and unrealized is not None and cost:
        pct, computed = unrealized / cost * _HUNDRED, True

    return PositionValue(
        account_id=position.account_id or "",
        symbol=position.symbol or "",
        asset_type=position.asset_type,
        quantity=qty,
        average_price=avg,
        last=mark,
        point_value=pv,
        market_value=market_value,
        cost=cost,
        unrealized_pl=unrealized,
        unrealized_pl_pct=pct,
        todays_pl=position.todays_profit_loss,
        computed=computed,
    )


@dataclass(frozen=True, slots=True)
class PortfolioTotals:
    positions: int
    market_value: Decimal
    cost: Decimal
    unrealized_pl: Decimal
    unrealized_pl_pct: Decimal | None  # unrealized / cost of the positions that have both
    todays_pl: Decimal
    incomplete: int  # positions lacking a market value or unrealized P&L (not in the sums)


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), _ZERO)


def portfolio_totals(values: Iterable[PositionValue]) -> PortfolioTotals:
    items = list(values)
    with_pl = [v for v in items if v.unrealized_pl is not None and v.cost]
    cost_with_pl = _sum(v.cost for v in with_pl)
    return PortfolioTotals(
        positions=len(items),
        market_value=_sum(v.market_value for v in items),
        cost=_sum(v.cost for v in items),
        unrealized_pl=_sum(v.unrealized_pl for v in items),
        unrealized_pl_pct=(
            _sum(v.unrealized_pl for v in with_pl) / cost_with_pl * _HUNDRED
            if cost_with_pl
            else None
        ),
        todays_pl=_sum(v.todays_pl for v in items),
        incomplete=sum(1 for v in items if v.market_value is None or v.unrealized_pl is None),
    )


def totals_by_account(values: Iterable[PositionValue]) -> dict[str, PortfolioTotals]:
    groups: dict[str, list[PositionValue]] = {}
    for value in values:
        groups.setdefault(value.account_id, []).append(value)
    return {account: portfolio_totals(items) for account, items in sorted(groups.items())}


def value_positions(
    positions: Iterable[Position],
    last_for: Callable[[str], Decimal | None] | None = None,
    point_value_for: Callable[[str], Decimal | None] | None = None,
) -> list[PositionValue]:
    """Value many positions; the optional lookups give a quote's last / a symbol's point value."""
    result = []
    for position in positions:
        symbol = position.symbol or ""
        result.append(
            value_position(
                position,
                last=last_for(symbol) if last_for else None,
                point_value=point_value_for(symbol) if point_value_for else None,
            )
        )
    return result


def day_pl(balances: Iterable[Balance]) -> Decimal | None:
    """Sum of the accounts' TodaysProfitLoss (None when no balance reports it)."""
    reported = [b.todays_profit_loss for b in balances if b.todays_profit_loss is not None]
    return sum(reported, _ZERO) if reported else None
