"""Options settle at expiry on the simulator's clock.

At its expiry instant (21:00 UTC on the expiration date, the 16:00 ET close) an option
position settles on the underlying's price at that instant:

- in the money (a call's strike below the price, a put's above; at the money is out):
  exercised (long) or assigned (short) into the underlying at the strike: a long call buys
  100 shares a contract, a short call sells them, a long put sells, a short put buys
  (futures options deliver one future a contract);
- out of the money: it expires worthless.

Either way the option position closes at 0 (its premium is the realized P&L; an exercise
moves the stock at the strike, so the sum is the option's intrinsic value less its premium).
Each step is a filled order in the orders list and the history, routed "Exercise",
"Assignment" or "Expiration", so the record shows what happened. Settlement runs at the
start of each matching pass (``Engine.before_matching``), so it follows clock moves.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tstui.sim.engine import Engine
from tstui.sim.option_orders import OPTION_ASSETS, OptionSeries
from tstui.sim.records import SimOrder, SimPosition

_ZERO = Decimal(0)
EXERCISE, ASSIGNMENT, EXPIRATION = "Exercise", "Assignment", "Expiration"


def settle_expired(engine: Engine, now: datetime) -> None:
    """Settle every option position whose expiry instant has passed (under the engine's
    lock: called from ``Engine.process``)."""
    due: list[tuple[SimPosition, OptionSeries]] = []
    for pos in list(engine.positions.values()):
        if pos.asset_type not in OPTION_ASSETS:
            continue
        series = engine.option_series(pos.symbol, now)
        if series is not None and now >= series.expires_at:
            due.append((pos, series))
    for pos, series in sorted(due, key=lambda item: (item[1].expires_at, item[0].position_id)):
        settle(engine, pos, series)


def settle(engine: Engine, pos: SimPosition, series: OptionSeries) -> None:
    at = series.expires_at
    price = engine.quote_of(series.underlying, at)[0]
    in_the_money = series.intrinsic(price) > 0
    long = pos.quantity > 0
    contracts = abs(pos.quantity)
    route = (EXERCISE if long else ASSIGNMENT) if in_the_money else EXPIRATION
    # the option leaves at 0: what was paid (or received) for it is now realized
    close_action = "SELLTOCLOSE" if long else "BUYTOCLOSE"
    _book(
        engine,
        pos.account_id,
        series.symbol,
        series.asset_type,
        close_action,
        contracts,
        _ZERO,
        at,
        route,
    )
    if not in_the_money:
        return
    # a long call or a short put takes the underlying; a long put or a short call delivers it
    buys = series.is_call == long
    units = contracts * series.underlying_units
    held = engine.held(pos.account_id, series.underlying)
    inst = engine.instrument(series.underlying, at)
    asset = inst.asset_type if inst is not None else "STOCK"
    if asset == "FUTURE":
        action = "BUY" if buys else "SELL"
    elif buys:
        action = "BUYTOCOVER" if held < 0 else "BUY"
    else:
        action = "SELL" if held >= units else "SELLSHORT"
    _book(engine, pos.account_id, series.underlying, asset, action, units, series.strike, at, route)


def _book(
    engine: Engine,
    account_id: str,
    symbol: str,
    asset_type: str,
    action: str,
    quantity: Decimal,
    price: Decimal,
    at: datetime,
    route: str,
) -> None:
    """One settlement step as a filled order (through the engine's own fill: cash, day
    fills, positions and the order and position streams)."""
    order = SimOrder(
        "",  # the engine numbers it
        account_id,
        symbol,
        asset_type,
        action,
        "Market",
        quantity,
        "DAY",
        "OPN",
        at,
        route=route,
        open_or_close="Close" if action.endswith("TOCLOSE") else "Open",
    )
    engine.book_settlement(order, price, at)
