"""The brokerage engine: accounts, orders, matching, positions, balances (one lock).

Placement answers like the real API: a structurally bad body is a 400; a business rejection
(zero/negative/fractional quantity, unknown or continuous symbol, wrong asset type for the
account, missing or off-tick price, insufficient buying power) is a 200 with an ``Errors``
entry *and* an order in ``REJ`` with ``RejectReason`` (visible in lists and streams). A
repeated ``OrderConfirmID`` and an unknown account are 200s with an ``Errors`` entry and no
order. Accepted orders go ``ACK`` -> ``OPN`` and then ``FLL`` when they match.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from tstui.sim.clock import SimClock
from tstui.sim.instruments import FUTURES_COMMISSION, FUTURES_MARGIN, Instrument, lookup
from tstui.sim.intake import BadRequest, NotFound, OrderIntent, ReplaceIntent
from tstui.sim.market import PricePaths
from tstui.sim.matching import expiry_for, match_price, rejection
from tstui.sim.quotes import bid_ask
from tstui.sim.records import SimAccount, SimOrder, SimPosition
from tstui.sim.valuation import DayFill, symbol_day_pl, todays_pl
from tstui.sim.views import (
    Quote,
    account_totals,
    balance_to_api,
    order_to_api,
    position_to_api,
)


class EngineEvent(NamedTuple):
    kind: str  # "order" | "position" | "market"
    account_id: str
    body: dict[str, Any]


class Engine:
    def __init__(self, clock: SimClock, seed: int) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.seed = seed
        self.paths = PricePaths(seed)
        self.accounts: dict[str, SimAccount] = {}
        self.orders: dict[str, SimOrder] = {}
        self.working: dict[str, SimOrder] = {}
        self.positions: dict[tuple[str, str], SimPosition] = {}
        # today's fills per (account, symbol): day P&L and BOD figures (tstui.sim.valuation)
        self.day_fills: dict[tuple[str, str], list[DayFill]] = {}
        self.confirm_ids: set[str] = set()
        self.next_order_id = 1_000_000_001
        self.next_position_id = 5_000_001
        self.listeners: list[Callable[[EngineEvent], None]] = []
        self.on_change: Callable[[Iterable[SimOrder], Iterable[Any]], None] | None = None

    # ----- market -----------------------------------------------------------------------
    def instrument(self, symbol: str, at: datetime | None = None) -> Instrument | None:
        return lookup(symbol, at or self.clock.now())

    def quote_of(self, symbol: str, at: datetime | None = None) -> Quote:
        inst = self.instrument(symbol, at)
        if inst is None:
            zero = Decimal(0)
            return zero, zero, zero
        last = self.paths.price_at(inst, at or self.clock.now())
        bid, ask = bid_ask(inst, last)
        return last, bid, ask

    def set_price(self, symbol: str, price: Decimal) -> None:
        with self.lock:
            inst = self.instrument(symbol)
            if inst is None:
                raise NotFound(f"Unknown symbol {symbol}.")
            if not inst.on_tick(price):
                raise BadRequest(f"Price {price} is not a multiple of the tick {inst.tick}.")
            self.paths.set_price(inst, self.clock.now(), price)
            self._emit(EngineEvent("market", "", {"Symbol": inst.priced_symbol}))
            self.process()

    # ----- events and persistence -------------------------------------------------------
    def _emit(self, event: EngineEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def _store(self, order: SimOrder, *, publish: bool = True) -> None:
        self.orders[order.order_id] = order
        if order.is_working:
            self.working[order.order_id] = order
        else:
            self.working.pop(order.order_id, None)
        if publish:
            self._emit(EngineEvent("order", order.account_id, self.order_api(order)))
        if self.on_change is not None:
            self.on_change((order,), ())

    def order_api(self, order: SimOrder) -> dict[str, Any]:
        return order_to_api(order, self.instrument(order.symbol, order.opened_at))

    def position_api(self, pos: SimPosition) -> dict[str, Any]:
        return position_to_api(
            pos,
            self.instrument(pos.symbol),
            self.quote_of(pos.symbol),
            symbol_day_pl(self, pos.account_id, pos.symbol),
        )

    def _confirm_id(self, intent: OrderIntent) -> str:
        """A confirm without an OrderConfirmID gets one, as from the real API (22 characters,
        a function of the seed, the request and the sim time: deterministic)."""
        seen = f"{self.seed}|{intent}|{self.clock.now().isoformat()}".encode()
        return base64.b64encode(hashlib.sha256(seen).digest()).decode()[:22]

    def _new_order_id(self) -> str:
        order_id = str(self.next_order_id)
        self.next_order_id += 1
        return order_id

    # ----- order entry ------------------------------------------------------------------
    def place(self, intent: OrderIntent) -> dict[str, Any]:
        with self.lock:
            now = self.clock.now()
            account = self.accounts.get(intent.account_id)
            if account is None:
                return _error_body(None, f"Account {intent.account_id} is not valid.")
            if intent.confirm_id is not None:
                if intent.confirm_id in self.confirm_ids:
                    return _error_body(None, "Duplicate OrderConfirmID: order already placed.")
                self.confirm_ids.add(intent.confirm_id)
            inst = self.instrument(intent.symbol)
            order = SimOrder(
                self._new_order_id(),
                account.account_id,
                intent.symbol,
                inst.asset_type if inst else "STOCK",
                intent.trade_action,
                intent.order_type,
                intent.quantity,
                intent.duration,
                "ACK",
                now,
                intent.limit_price,
                intent.stop_price,
                intent.route or "Intelligent",
                self._open_or_close(account.account_id, intent),
                confirm_id=intent.confirm_id,
                expires_at=expiry_for(intent.duration, now, intent.expiration),
            )
            reason = self._rejection(account, inst, intent)
            if reason is not None:
                self._store(replace(order, status="REJ", reject_reason=reason, closed_at=now))
                return _error_body(order.order_id, reason)
            self._store(order)
            self._store(replace(order, status="OPN"))
            self._match(self.orders[order.order_id], now)
            current = self.orders[order.order_id]
            if current.is_working and current.duration in ("IOC", "FOK"):
                self._store(replace(current, status="CAN", closed_at=now))
            price = f" @ {intent.limit_price}" if intent.limit_price is not None else ""
            side = intent.trade_action.title()
            message = (
                f"Sent order: {side} {intent.quantity} {intent.symbol} {intent.order_type}{price}"
            )
            return {"Orders": [{"OrderID": order.order_id, "Message": message}]}

    def confirm(self, intent: OrderIntent) -> dict[str, Any]:
        with self.lock:
            account = self.accounts.get(intent.account_id)
            if account is None:
                raise BadRequest(f"Account {intent.account_id} is not valid.")
            inst = self.instrument(intent.symbol)
            reason = self._rejection(account, inst, intent)
            if reason is not None or inst is None:
                raise BadRequest(reason or "Unknown symbol.")
            _, bid, ask = self.quote_of(intent.symbol)
            est = (
                intent.limit_price
                or intent.stop_price
                or (ask if intent.trade_action in ("BUY", "BUYTOCOVER") else bid)
            )
            commission = FUTURES_COMMISSION * intent.quantity if inst.is_future else Decimal(0)
            cost = est * intent.quantity * (Decimal(1) if not inst.is_future else Decimal(0))
            if inst.is_future:
                cost = FUTURES_MARGIN[inst.root] * intent.quantity
            debit = cost + commission
            return {
                "Confirmations": [
                    {
                        "AccountID": account.account_id,
                        "DisplayName": account.account_id,
                        "OrderConfirmID": intent.confirm_id or self._confirm_id(intent),
                        "SummaryMessage": (
                            f"{intent.trade_action} {intent.quantity} {inst.symbol} "
                            f"{intent.order_type} {intent.duration}"
                        ),
                        "EstimatedPrice": inst.fmt(est),
                        "EstimatedCost": f"{cost:.2f}",
                        "EstimatedCommission": f"{commission:.2f}",
                        "DebitCreditEstimatedCost": f"{debit:.2f}",
                        "Route": intent.route or "Intelligent",
                        "TimeInForce": {"Duration": intent.duration},
                        "LimitPrice": inst.fmt(intent.limit_price) if intent.limit_price else "",
                        "StopPrice": inst.fmt(intent.stop_price) if intent.stop_price else "",
                        "OrderAssetCategory": "FUTURE" if inst.is_future else "EQUITY",
                        "Currency": "USD",
                        "AccountCurrency": "USD",
                    }
                ]
            }

    def replace_order(self, order_id: str, change: ReplaceIntent) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise NotFound(f"Order {order_id} was not found.")
            if not order.is_working:
                raise BadRequest(f"Order {order_id} cannot be replaced: status {order.status}.")
            updated = replace(
                order,
                quantity=change.quantity or order.quantity,
                order_type=change.order_type or order.order_type,
                limit_price=change.limit_price or order.limit_price,
                stop_price=change.stop_price or order.stop_price,
            )
            inst = self.instrument(order.symbol)
            reason = self._price_problem(inst, updated)
            if reason is not None:
                raise BadRequest(reason)
            if updated.quantity <= updated.filled_quantity:
                raise BadRequest("Quantity must exceed the filled quantity.")
            self._store(replace(order, status="RSN"))
            self._store(replace(updated, status="OPN", triggered=False))
            self._match(self.orders[order_id], self.clock.now())
            return {"OrderID": order_id, "Message": "Cancel/Replace order sent."}

    def cancel(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise NotFound(f"Order {order_id} was not found.")
            if not order.is_working:
                raise BadRequest(f"Order {order_id} cannot be cancelled: status {order.status}.")
            now = self.clock.now()
            self._store(replace(order, status="UCN"))
            self._store(replace(order, status="CAN", closed_at=now))
            return {"OrderID": order_id, "Message": "Cancel request sent"}

    # ----- validation -------------------------------------------------------------------
    def _price_problem(self, inst: Instrument | None, order: SimOrder) -> str | None:
        if inst is None:
            return None
        for name, value in (("LimitPrice", order.limit_price), ("StopPrice", order.stop_price)):
            if value is not None and not inst.on_tick(value):
                return f"{name} {value} is not a multiple of the tick size {inst.tick}."
        return None

    def _rejection(
        self, account: SimAccount, inst: Instrument | None, intent: OrderIntent
    ) -> str | None:
        positions = [p for p in self.positions.values() if p.account_id == account.account_id]
        totals = account_totals(account, positions, self.instrument, self.quote_of)
        position = self.positions.get((account.account_id, intent.symbol))
        held = position.quantity if position else Decimal(0)
        quote = self.quote_of(intent.symbol) if inst else None
        return rejection(account, inst, intent, totals["buying_power"], held, quote)

    def _open_or_close(self, account_id: str, intent: OrderIntent) -> str:
        position = self.positions.get((account_id, intent.symbol))
        held = position.quantity if position else Decimal(0)
        buying = intent.trade_action in ("BUY", "BUYTOCOVER")
        return "Close" if (held < 0 and buying) or (held > 0 and not buying) else "Open"

    # ----- matching ---------------------------------------------------------------------
    def process(self) -> None:
        """Expire due orders and match working ones at the current price."""
        with self.lock:
            now = self.clock.now()
            for order in list(self.working.values()):
                if order.expires_at is not None and now >= order.expires_at:
                    self._store(replace(order, status="EXP", closed_at=now))
                else:
                    self._match(order, now)

    def _match(self, order: SimOrder, now: datetime) -> None:
        if not order.is_working:
            return
        quote = self.quote_of(order.symbol, now)
        triggered, price = match_price(order, quote)
        if triggered and not order.triggered:
            order = replace(order, triggered=True)
            self.orders[order.order_id] = order
            self.working[order.order_id] = order
        if price is not None:
            self._fill(order, price, now)

    def _fill(self, order: SimOrder, price: Decimal, now: datetime) -> None:
        inst = self.instrument(order.symbol, now)
        pv = inst.point_value if inst else Decimal(1)
        qty = order.remaining
        signed = qty if order.is_buy else -qty
        commission = FUTURES_COMMISSION * qty if order.asset_type == "FUTURE" else Decimal(0)
        account = self.accounts[order.account_id]
        key = (order.account_id, order.symbol)
        pos = self.positions.get(key)
        held = pos.quantity if pos else Decimal(0)
        realized = Decimal(0)
        if pos is not None and held * signed < 0:
            closing = min(abs(held), qty)
            direction = Decimal(1) if held > 0 else Decimal(-1)
            realized = (price - pos.average_price) * closing * direction * pv
        new_qty = held + signed
        cash = account.cash - commission
        if order.asset_type == "FUTURE":
            cash += realized
        else:
            cash -= signed * price
        fill = DayFill(now.date(), signed, price, commission, cash - account.cash)
        self.day_fills.setdefault(key, []).append(fill)
        self.accounts[order.account_id] = replace(
            account,
            cash=cash,
            realized=account.realized + realized,
            commission=account.commission + commission,
        )
        filled = replace(
            order,
            status="FLL",
            filled_quantity=order.quantity,
            filled_price=price,
            closed_at=now,
            commission=order.commission + commission,
        )
        self._store(filled)
        if new_qty == 0:
            if pos is not None:
                del self.positions[key]
                self._emit(
                    EngineEvent(
                        "position",
                        order.account_id,
                        {"PositionID": pos.position_id, "Deleted": True},
                    )
                )
                self._changed_position(pos, deleted=True)
            return
        if pos is None or held * new_qty < 0:  # new or flipped: the fill price is the average
            position_id = pos.position_id if pos else str(self.next_position_id)
            if pos is None:
                self.next_position_id += 1
            pos = SimPosition(
                position_id, order.account_id, order.symbol, order.asset_type, new_qty, price, now
            )
        elif abs(new_qty) > abs(held):
            average = (pos.average_price * abs(held) + price * qty) / abs(new_qty)
            pos = replace(pos, quantity=new_qty, average_price=average.quantize(Decimal("0.0001")))
        else:
            pos = replace(pos, quantity=new_qty)
        self.positions[key] = pos
        self._emit(EngineEvent("position", order.account_id, self.position_api(pos)))
        self._changed_position(pos, deleted=False)

    def _changed_position(self, pos: SimPosition, *, deleted: bool) -> None:
        if self.on_change is not None:
            self.on_change((), ((pos, deleted),))

    # ----- reads ------------------------------------------------------------------------
    def balance_api(self, account_id: str) -> dict[str, Any]:
        account = self.accounts[account_id]
        positions = [p for p in self.positions.values() if p.account_id == account_id]
        return balance_to_api(
            account,
            account_totals(account, positions, self.instrument, self.quote_of),
            todays_pl(self, account_id),
        )

    def positions_of(self, account_id: str) -> list[SimPosition]:
        return [p for p in self.positions.values() if p.account_id == account_id]

    def today_start(self) -> datetime:
        now = self.clock.now()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    def history_floor(self) -> datetime:
        return self.today_start() - timedelta(days=90)


def _error_body(order_id: str | None, message: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Error": "FAILED", "Message": message}
    if order_id is not None:
        entry["OrderID"] = order_id
    return {"Errors": [entry]}
