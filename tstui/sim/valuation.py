"""Day-based valuation: where today's P&L starts, and what beginning-of-day equity holds.

"Today" is the simulator clock's UTC day: a position opened before its start was held
overnight, so today's P&L counts from the start-of-day price, not its average price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tstui.sim.engine import Engine
    from tstui.sim.records import SimAccount, SimPosition


def day_reference(engine: Engine, pos: SimPosition) -> Decimal | None:
    """The start-of-day price of a position held overnight; None if it was opened today."""
    day_start = engine.today_start()
    if pos.opened_at >= day_start:
        return None
    return engine.quote_of(pos.symbol, day_start)[0]


def todays_pl(engine: Engine, account: SimAccount, positions: list[SimPosition]) -> Decimal:
    """Realized today plus each position's move since the start of the day (or its fill)."""
    total = account.realized
    for pos in positions:
        inst = engine.instrument(pos.symbol)
        point_value = inst.point_value if inst else Decimal(1)
        reference = day_reference(engine, pos) or pos.average_price
        total += (engine.quote_of(pos.symbol)[0] - reference) * pos.quantity * point_value
    return total


def bod_securities_value(engine: Engine, account_id: str) -> Decimal:
    """Stock held overnight at the start-of-day price: the part of beginning-of-day equity
    that is not cash (futures add open trade equity, not value)."""
    day_start = engine.today_start()
    total = Decimal(0)
    for pos in engine.positions_of(account_id):
        if pos.asset_type == "STOCK" and pos.opened_at < day_start:
            total += pos.quantity * engine.quote_of(pos.symbol, day_start)[0]
    return total
