"""Building the engine: seeding, loading from and writing through to the --state store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from tstui.sim.engine import Engine
from tstui.sim.option_expiry import settle_expired
from tstui.sim.options_quotes import option_quote
from tstui.sim.persist import Store
from tstui.sim.records import SimOrder, SimPosition
from tstui.sim.seed import seed_engine

if TYPE_CHECKING:
    from tstui.sim.context import SimContext


def _meta(engine: Engine) -> dict[str, str]:
    return {
        "next_order_id": str(engine.next_order_id),
        "next_position_id": str(engine.next_position_id),
    }


def attach_store(engine: Engine, store: Store) -> None:
    def on_change(
        orders: Iterable[SimOrder], positions: Iterable[tuple[SimPosition, bool]]
    ) -> None:
        store.save(engine.accounts.values(), orders, positions, _meta(engine))

    engine.on_change = on_change


def attach_options(engine: Engine) -> None:
    """Plug the option market (quotes for option orders and positions) and expiry settlement
    into the engine, which cannot import them (they import it)."""

    def marks(symbol: str, at: datetime) -> tuple[Decimal, Decimal, Decimal] | None:
        found = option_quote(engine, symbol, at)
        if found is None:
            return None
        # no trade yet today: positions mark at the mid
        return (found.last if found.last > 0 else found.mid), found.bid, found.ask

    if engine.option_marks is None:  # once: a reload calls load_engine again
        engine.option_marks = marks
        engine.before_matching.append(lambda now: settle_expired(engine, now))


def load_engine(engine: Engine, store: Store | None) -> None:
    """Fill ``engine`` from the store, or seed it (and save the seed) when there is none."""
    attach_options(engine)
    with engine.lock:
        engine.orders.clear()
        engine.working.clear()
        engine.positions.clear()
        engine.confirm_ids.clear()
        if store is None or store.is_empty():
            engine.next_order_id, engine.next_position_id = 1_000_000_001, 5_000_001
            seed_engine(engine)
            if store is not None:
                store.save(
                    engine.accounts.values(),
                    engine.orders.values(),
                    [(p, False) for p in engine.positions.values()],
                    _meta(engine),
                )
            return
        accounts, orders, positions, meta = store.load()
        engine.accounts = {a.account_id: a for a in accounts}
        for order in orders:
            engine.orders[order.order_id] = order
            if order.is_working:
                engine.working[order.order_id] = order
            if order.confirm_id:
                engine.confirm_ids.add(order.confirm_id)
        engine.positions = {(p.account_id, p.symbol): p for p in positions}
        engine.next_order_id = int(meta.get("next_order_id", engine.next_order_id))
        engine.next_position_id = int(meta.get("next_position_id", engine.next_position_id))


def reload_engine(ctx: SimContext) -> None:
    """Admin restart: with a store, state comes back from disk; in memory it is kept."""
    if ctx.store is not None:
        load_engine(ctx.engine, ctx.store)
