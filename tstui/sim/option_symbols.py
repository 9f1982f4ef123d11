"""Option contracts on the plain market-data routes: quotes, symbol details, the quote stream.

TradeStation answers ``GET /v3/marketdata/quotes/MSFT 261218C450`` (and ``symbols/...``, and
the quote stream) for an option as for a stock, in the same ``Quote`` / ``SymbolDetail``
shapes. Here those bodies are built from the option market's model
(``options_quotes.option_quote``), so they agree with the chain and what orders fill at. An
option the simulator does not list, or one that has expired, gets None: the routes answer it
with the per-symbol error they give any unknown symbol.

Prices carry two decimals (the option tick is 0.01 under 3.00, 0.05 from there: the
``PriceFormat`` says so with an ``IncrementSchedule``). The model has no listing history, so
the 52-week range is read from the model's value at weekly closes over the longest life a
sim series has (``HISTORY_WEEKS``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tstui.domain.options.symbology import OptionType, format_strike
from tstui.sim.clock import iso
from tstui.sim.engine import Engine
from tstui.sim.market import day_start
from tstui.sim.options_quotes import OptionQuote, model_value, option_quote
from tstui.sim.options_series import option_contract, product_root, underlying_instrument
from tstui.sim.quotes import previous_close_time

STOCK_OPTION_EXCHANGE = "OPRA"  # the consolidated US options feed
HISTORY_WEEKS = 26  # monthlies are listed six months out: no series is older
_TICK_SCHEDULE = [
    {"Increment": "0.01", "StartsAt": "0"},
    {"Increment": "0.05", "StartsAt": "3"},
]


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}"


def _asset_type(q: OptionQuote) -> str:
    return "FUTUREOPTION" if q.contract.is_future_option else "STOCKOPTION"


def _exchange(engine: Engine, q: OptionQuote, now: datetime) -> str:
    """OPRA for stock options; a futures option trades where its future does."""
    if not q.contract.is_future_option:
        return STOCK_OPTION_EXCHANGE
    inst = underlying_instrument(engine, q.contract.root, now)
    return inst.exchange if inst is not None else "CME"


def _midnight(q: OptionQuote) -> str:
    return f"{q.contract.expiration.isoformat()}T00:00:00Z"


def _year_range(
    engine: Engine, q: OptionQuote, now: datetime
) -> tuple[tuple[Decimal, datetime], tuple[Decimal, datetime]]:
    """(high, when), (low, when): the model's value at the weekly closes behind ``now`` and
    today's own range."""
    points = [(q.high, now), (q.low, now)]
    inst = underlying_instrument(engine, q.contract.root, now)
    if inst is not None:
        close = previous_close_time(now)
        for week in range(HISTORY_WEEKS):
            at = close - timedelta(days=7 * week)
            spot = engine.paths.price_at(inst, at)
            value = Decimal(repr(model_value(q.contract, spot, at))).quantize(Decimal("0.01"))
            points.append((max(Decimal(0), value), at))
    high = max(points, key=lambda p: p[0])
    low = min(points, key=lambda p: p[0])
    return high, low


def option_quote_body(engine: Engine, symbol: str, now: datetime) -> dict[str, Any] | None:
    """The ``Quote`` of a listed, unexpired option at ``now``; None otherwise."""
    q = option_quote(engine, symbol, now)
    if q is None:
        return None
    change = q.last - q.previous_close
    pct = (change / q.previous_close * 100).quantize(Decimal("0.01")) if q.previous_close else 0
    (high52, high_at), (low52, low_at) = _year_range(engine, q, now)
    before = option_quote(engine, q.symbol, previous_close_time(now))
    return {
        "Symbol": q.symbol,
        "Open": _fmt(q.open),
        "High": _fmt(q.high),
        "Low": _fmt(q.low),
        "PreviousClose": _fmt(q.previous_close),
        "Last": _fmt(q.last),
        "Ask": _fmt(q.ask),
        "AskSize": str(q.ask_size),
        "Bid": _fmt(q.bid),
        "BidSize": str(q.bid_size),
        "NetChange": _fmt(change),
        "NetChangePct": str(pct),
        "High52Week": _fmt(high52),
        "High52WeekTimestamp": iso(day_start(high_at)),
        "Low52Week": _fmt(low52),
        "Low52WeekTimestamp": iso(day_start(low_at)),
        "Volume": str(q.volume),
        "PreviousVolume": str(before.volume if before is not None else 0),
        "Close": _fmt(q.last),
        "DailyOpenInterest": str(q.open_interest),
        "TradeTime": iso(now),
        "LastSize": "1",
        "LastVenue": _exchange(engine, q, now),
        "VWAP": _fmt(((q.high + q.low + q.last) / 3).quantize(Decimal("0.01"))),
        "MarketFlags": {
            "IsBats": False,
            "IsDelayed": False,
            "IsHalted": False,
            "IsHardToBorrow": False,
        },
        "Restrictions": [],
        "TickSizeTier": "0",
        "LastTradingDate": _midnight(q),
    }


def option_symbol_detail(engine: Engine, symbol: str, now: datetime) -> dict[str, Any] | None:
    """The ``SymbolDetail`` of a listed, unexpired option at ``now``; None otherwise."""
    q = option_quote(engine, symbol, now)
    if q is None:
        return None
    contract = q.contract
    kind = "Call" if contract.option_type is OptionType.CALL else "Put"
    strike = format_strike(contract.strike)
    if contract.is_future_option:
        description = f"{contract.root} {strike} {kind} [{contract.expiration:%b %d %Y}]"
    else:
        description = f"{contract.root} {contract.expiration:%b %d %Y} {strike} {kind}"
    return {
        "AssetType": _asset_type(q),
        "Country": "United States",
        "Currency": "USD",
        "Description": description,
        "Exchange": _exchange(engine, q, now),
        "ExpirationDate": _midnight(q),
        "OptionType": kind.upper(),
        "Symbol": q.symbol,
        "Root": product_root(contract.root),
        "StrikePrice": strike,
        "Underlying": contract.root,
        "PriceFormat": {
            "Format": "Decimal",
            "Decimals": "2",
            "IncrementStyle": "Schedule",
            "IncrementSchedule": [dict(row) for row in _TICK_SCHEDULE],
            "PointValue": str(q.multiplier),
        },
        "QuantityFormat": {
            "Format": "Decimal",
            "Decimals": "0",
            "IncrementStyle": "Simple",
            "Increment": "1",
            "MinimumTradeQuantity": "1",
        },
    }


def quotable(engine: Engine, symbol: str) -> bool:
    """Whether the quote routes serve ``symbol`` now: a stock or futures symbol, or a listed
    option that has not expired."""
    now = engine.clock.now()
    return engine.instrument(symbol, now) is not None or (
        option_contract(engine, symbol, now) is not None
    )
