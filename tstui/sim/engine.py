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

from tstui.sim.advanced import (
    Advanced,
    advanced_fields,
    first_activation,
    instrument_problem,
    trail_stop,
)
from tstui.sim.clock import SimClock
from tstui.sim.errors import BadRequest, NotFound
from tstui.sim.instruments import FUTURES_COMMISSION, FUTURES_MARGIN, Instrument, lookup
from tstui.sim.intake import OrderIntent, ReplaceIntent
from tstui.sim.market import PricePaths
from tstui.sim.matching import expiry_for, group_problem, match_price, rejection
from tstui.sim.option_orders import (
    OPTION_COMMISSION,
    Book,
    OptionSeries,
    confirmation_fields,
    is_option,
    leg_touch,
    net_price,
    open_or_close,
    option_instrument,
    option_price_problem,
    option_rejection,
    order_legs,
    package_legs,
    series_of,
    spread_name,
    stock_action,
)
from tstui.sim.quotes import bid_ask, touch_sizes
from tstui.sim.records import (
    OCO_RELATIONS,
    WAITING_FOR_PARENT,
    WAITING_FOR_RULES,
    SimAccount,
    SimOrder,
    SimPosition,
)
from tstui.sim.valuation import DayFill, symbol_day_pl, todays_pl
from tstui.sim.views import (
    Quote,
    account_totals,
    balance_to_api,
    order_to_api,
    position_to_api,
)

TOUCH_REFILL = timedelta(seconds=1)  # the size at the touch trades again a second later
# an option's (last, bid, ask) at an instant, None when not listed or expired: the sim's
# option market (tstui.sim.options_quotes) plugged in by tstui.sim.lifecycle, which may
# import the engine (the engine may not import it)
OptionMarks = Callable[[str, datetime], Quote | None]


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
        self.option_marks: OptionMarks | None = None
        # run at the start of each matching pass (option expiry settlement, tstui.sim.lifecycle)
        self.before_matching: list[Callable[[datetime], None]] = []

    # ----- market -----------------------------------------------------------------------
    def instrument(self, symbol: str, at: datetime | None = None) -> Instrument | None:
        """A stock or futures symbol the market data serves (options have their own)."""
        return lookup(symbol, at or self.clock.now())

    def tradable(self, symbol: str, at: datetime | None = None) -> Instrument | None:
        """What orders and positions trade: ``instrument``, or an option ("MSFT 261218C450")
        on one of them."""
        when = at or self.clock.now()
        found = lookup(symbol, when)
        if found is None and " " in symbol:
            series = series_of(symbol, when)
            found = option_instrument(series, when) if series is not None else None
        return found

    def quote_of(self, symbol: str, at: datetime | None = None) -> Quote:
        when = at or self.clock.now()
        inst = self.tradable(symbol, when)
        if inst is None:
            zero = Decimal(0)
            return zero, zero, zero
        if is_option(inst):
            return self._option_quote(symbol, when)
        last = self.paths.price_at(inst, when)
        bid, ask = bid_ask(inst, last)
        return last, bid, ask

    def option_series(self, symbol: str, at: datetime | None = None) -> OptionSeries | None:
        return series_of(symbol, at or self.clock.now())

    def _option_quote(self, symbol: str, when: datetime) -> Quote:
        """The option market's quote; past expiry (or with no market plugged in) the option
        is worth its intrinsic value at the expiry instant (what it settles on)."""
        marks = self.option_marks(symbol, when) if self.option_marks is not None else None
        if marks is not None:
            return marks
        series = series_of(symbol, when)
        if series is None:
            zero = Decimal(0)
            return zero, zero, zero
        spot = self.quote_of(series.underlying, min(when, series.expires_at))[0]
        value = series.intrinsic(spot)
        return value, value, value

    def option_listed(self, symbol: str) -> bool:
        """Whether the option market lists ``symbol`` now (and it has not expired)."""
        if self.option_marks is None:
            return True
        return self.option_marks(symbol, self.clock.now()) is not None

    def held(self, account_id: str, symbol: str) -> Decimal:
        position = self.positions.get((account_id, symbol))
        return position.quantity if position else Decimal(0)

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
        return order_to_api(order, self.tradable(order.symbol, order.opened_at))

    def position_api(self, pos: SimPosition) -> dict[str, Any]:
        return position_to_api(
            pos,
            self.tradable(pos.symbol),
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
        """One order (with its OSOs): the answer lists every order created."""
        with self.lock:
            account = self.accounts.get(intent.account_id)
            if account is None:
                return _error_body(None, f"Account {intent.account_id} is not valid.")
            self._check_tree(intent, "")
            return _answer(self._enter([intent], ""))

    def place_group(self, kind: str, intents: list[OrderIntent]) -> dict[str, Any]:
        """/ordergroups: each order is placed on its own (a rejected one does not stop the
        others); the accepted ones of an OCO or BRK group are linked to each other."""
        with self.lock:
            self._check_group(kind, intents)
            return _answer(self._enter(intents, kind))

    def _check_group(self, kind: str, intents: list[OrderIntent]) -> None:
        for i, intent in enumerate(intents):
            self._check_tree(intent, f"Orders[{i}].")
        first = intents[0]
        held = None
        if kind == "BRK":
            position = self.positions.get((first.account_id, first.symbol))
            held = position.quantity if position else Decimal(0)
        problem = group_problem(kind, intents, "", held)
        if problem is not None:
            raise BadRequest(problem)

    def _check_tree(self, intent: OrderIntent, where: str) -> None:
        """400s for what no order of this tree may carry (options the instrument or route
        cannot take, an OSO group that does not hold together)."""
        inst = self.tradable(intent.symbol)
        if inst is not None:
            problem = instrument_problem(intent.advanced, inst.asset_type, intent.route)
            if problem is not None:
                raise BadRequest(f"{where}{problem}")
        if intent.legs and intent.osos:
            raise BadRequest(f"{where}OSOs: a multi-leg order cannot send orders (OSOs).")
        for i, rule in enumerate(intent.advanced.price_rules):
            if self.instrument(rule.symbol) is None:
                raise BadRequest(
                    f"{where}AdvancedOptions.MarketActivationRules[{i}].Symbol:"
                    f" {rule.symbol} is not a valid symbol."
                )
        for g, (kind, children) in enumerate(intent.osos):
            at = f"{where}OSOs[{g}]."
            problem = group_problem(kind, list(children), at, None)
            if problem is not None:
                raise BadRequest(problem)
            for c, child in enumerate(children):
                self._check_tree(child, f"{at}Orders[{c}].")

    def _enter(
        self, intents: list[OrderIntent], kind: str
    ) -> tuple[list[tuple[SimOrder, str]], list[dict[str, Any]]]:
        """Create, link and send the top-level orders (each with its OSO tree)."""
        now = self.clock.now()
        placed: list[tuple[SimOrder, str]] = []
        errors: list[dict[str, Any]] = []
        accepted: list[tuple[OrderIntent, str]] = []
        for intent in intents:
            account = self.accounts.get(intent.account_id)
            if account is None:
                errors.append(_error_entry(None, f"Account {intent.account_id} is not valid."))
                continue
            if intent.confirm_id is not None:
                if intent.confirm_id in self.confirm_ids:
                    errors.append(
                        _error_entry(None, "Duplicate OrderConfirmID: order already placed.")
                    )
                    continue
                self.confirm_ids.add(intent.confirm_id)
            order_id = self._new_order_id()
            reason = self._tree_rejection(account, intent, "")
            if reason is not None:
                order = self._new_order(intent, order_id, now, "REJ", (), None)
                self._store(replace(order, reject_reason=reason, closed_at=now))
                errors.append(_error_entry(order_id, reason))
                continue
            accepted.append((intent, order_id))
        ids = [order_id for _, order_id in accepted]
        linked = kind in OCO_RELATIONS and len(ids) > 1
        group_name = f"{kind} {ids[0]}" if linked else None
        tops: list[SimOrder] = []
        for intent, order_id in accepted:
            siblings = tuple((o, kind) for o in ids if o != order_id) if linked else ()
            tree = self._tree(intent, order_id, now, "ACK", siblings, group_name)
            for order in tree:
                self._store(order)
                placed.append((order, _sent_message(order)))
            tops.append(tree[0])
        for top in tops:
            current = self.orders[top.order_id]
            if current.status == "ACK":
                self._go_live(current, now)
        return placed, errors

    def _tree_rejection(self, account: SimAccount, intent: OrderIntent, where: str) -> str | None:
        """Why this order (or one of its OSOs: then the whole tree) must be rejected."""
        inst = self.tradable(intent.symbol)
        reason = self._rejection(account, inst, intent, check_funds=not where)
        if reason is not None:
            return f"{where}{reason}" if where else reason
        for g, (_, children) in enumerate(intent.osos):
            for c, child in enumerate(children):
                child_account = self.accounts.get(child.account_id)
                at = f"OSOs[{g}].Orders[{c}]: " if not where else f"{where}OSOs[{g}].Orders[{c}]: "
                if child_account is None:
                    return f"{at}Account {child.account_id} is not valid."
                found = self._tree_rejection(child_account, child, at)
                if found is not None:
                    return found
        return None

    def _tree(
        self,
        intent: OrderIntent,
        order_id: str,
        now: datetime,
        status: str,
        links: tuple[tuple[str, str], ...],
        group_name: str | None,
    ) -> list[SimOrder]:
        """The order and its OSO children (waiting for it), linked both ways."""
        child_links: list[tuple[str, str]] = []
        pending: list[tuple[OrderIntent, str, tuple[tuple[str, str], ...], str | None]] = []
        for kind, children in intent.osos:
            ids = [self._new_order_id() for _ in children]
            linked = kind in OCO_RELATIONS
            name = f"{kind} {ids[0]}" if linked else None
            for child_id, child in zip(ids, children, strict=True):
                siblings = tuple((o, kind) for o in ids if o != child_id) if linked else ()
                pending.append((child, child_id, ((order_id, "OSP"), *siblings), name))
                child_links.append((child_id, "OSO"))
        order = self._new_order(intent, order_id, now, status, (*links, *child_links), group_name)
        tree = [order]
        for child, child_id, child_rel, name in pending:
            tree += self._tree(child, child_id, now, WAITING_FOR_PARENT, child_rel, name)
        return tree

    def _new_order(
        self,
        intent: OrderIntent,
        order_id: str,
        now: datetime,
        status: str,
        links: tuple[tuple[str, str], ...],
        group_name: str | None,
    ) -> SimOrder:
        inst = self.tradable(intent.symbol)
        rules = intent.advanced.price_rules
        quantity, spread = intent.quantity, None
        legs: tuple[tuple[str, Decimal, str], ...] = ()
        if intent.legs:
            package = package_legs(intent.legs)
            if not isinstance(package, str):  # a rejected package keeps its first leg's size
                quantity, built = package
                legs = tuple((leg.symbol, leg.ratio, leg.trade_action) for leg in built)
                spread = spread_name(built, [self.option_series(leg.symbol) for leg in built])
        expires = expiry_for(intent.duration, now, intent.expiration)
        for symbol in [leg[0] for leg in legs] or [intent.symbol]:
            series = self.option_series(symbol)
            if series is not None:  # an option order ends when its option does
                expires = series.expires_at if expires is None else min(expires, series.expires_at)
        return SimOrder(
            order_id,
            intent.account_id,
            intent.symbol,
            inst.asset_type if inst else "STOCK",
            intent.trade_action,
            intent.order_type,
            quantity,
            intent.duration,
            status,
            now,
            intent.limit_price,
            None if intent.advanced.trailing else intent.stop_price,
            intent.route or "Intelligent",
            self._open_or_close(intent.account_id, intent.symbol, intent.trade_action),
            confirm_id=intent.confirm_id,
            expires_at=expires,
            links=links,
            group_name=group_name,
            advanced=intent.advanced,
            rule_counts=(0,) * len(rules),
            rule_marks=("",) * len(rules),
            activate_at=first_activation(intent.advanced.time_rules, now),
            legs=legs,
            spread=spread,
        )

    def _go_live(self, order: SimOrder, now: datetime) -> None:
        """A placed order, or an OSO child whose parent filled: held while its activation
        rules wait (DON), else sent (a condition met first streams CND)."""
        order = replace(
            order,
            open_or_close=self._open_or_close(order.account_id, order.symbol, order.trade_action),
        )
        if order.advanced.conditional:
            order, fired = self._evaluate_rules(order, now, {})
            if not fired:
                self._store(replace(order, status=WAITING_FOR_RULES))
                return
            self._store(replace(order, status="CND"))
        self._send(order, now)

    def _send(self, order: SimOrder, now: datetime) -> None:
        if order.advanced.trailing:
            last = self.quote_of(order.symbol, now)[0]
            order = replace(order, trail_best=last, stop_price=self._trail_price(order, last))
        self._store(replace(order, status="OPN"))
        self._match(self.orders[order.order_id], now, {})
        current = self.orders[order.order_id]
        if current.is_working and current.duration in ("IOC", "FOK"):
            self._close(current, now, "CAN")

    def confirm(self, intent: OrderIntent) -> dict[str, Any]:
        with self.lock:
            account = self.accounts.get(intent.account_id)
            if account is None:
                raise BadRequest(f"Account {intent.account_id} is not valid.")
            self._check_tree(intent, "")
            return {"Confirmations": self._confirm_tree(intent, "", child=False)}

    def confirm_group(self, kind: str, intents: list[OrderIntent]) -> dict[str, Any]:
        with self.lock:
            self._check_group(kind, intents)
            confirmations: list[dict[str, Any]] = []
            for i, intent in enumerate(intents):
                confirmations += self._confirm_tree(intent, f"Orders[{i}].", child=False)
            return {"Confirmations": confirmations}

    def _confirm_tree(
        self, intent: OrderIntent, where: str, *, child: bool
    ) -> list[dict[str, Any]]:
        account = self.accounts.get(intent.account_id)
        if account is None:
            raise BadRequest(f"{where}AccountID: account {intent.account_id} is not valid.")
        inst = self.tradable(intent.symbol)
        reason = self._rejection(account, inst, intent, check_funds=not child)
        if reason is not None or inst is None:
            message = reason or "Unknown symbol."
            raise BadRequest(f"{where.rstrip('.')}: {message}" if where else message)
        found = [self._confirmation(account, inst, intent)]
        for g, (_, children) in enumerate(intent.osos):
            for c, kid in enumerate(children):
                found += self._confirm_tree(kid, f"{where}OSOs[{g}].Orders[{c}].", child=True)
        return found

    def _book_of(self, account_id: str) -> Book:
        return Book(
            self.clock.now(),
            self.tradable,
            self.option_series,
            self.quote_of,
            lambda symbol: self.held(account_id, symbol),
        )

    def _confirmation(
        self, account: SimAccount, inst: Instrument, intent: OrderIntent
    ) -> dict[str, Any]:
        if intent.legs or is_option(inst):
            body = self._plain_confirmation(account, inst, intent)
            body.update(confirmation_fields(intent, self._book_of(account.account_id)))
            return body
        return self._plain_confirmation(account, inst, intent)

    def _plain_confirmation(
        self, account: SimAccount, inst: Instrument, intent: OrderIntent
    ) -> dict[str, Any]:
        _, bid, ask = self.quote_of(intent.symbol)
        est = (
            intent.limit_price
            or (None if intent.advanced.trailing else intent.stop_price)
            or (ask if intent.trade_action in ("BUY", "BUYTOCOVER") else bid)
        )
        commission = FUTURES_COMMISSION * intent.quantity if inst.is_future else Decimal(0)
        cost = est * intent.quantity * (Decimal(1) if not inst.is_future else Decimal(0))
        if inst.is_future:
            cost = FUTURES_MARGIN[inst.root] * intent.quantity
        debit = cost + commission
        body: dict[str, Any] = {
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
        for name, used in (
            ("AllOrNone", intent.advanced.all_or_none),
            ("BookOnly", intent.advanced.book_only),
            ("AddLiquidity", intent.advanced.add_liquidity),
            ("NonDisplay", intent.advanced.non_display),
        ):
            if used:
                body[name] = True
        if intent.advanced.show_only is not None:
            # an integer here (the confirm response declares one), a string on the order
            body["ShowOnlyQuantity"] = int(intent.advanced.show_only)
        trailing = advanced_fields(intent.advanced).get("TrailingStop")
        if trailing is not None:
            body["TrailingStop"] = trailing
        return body

    def replace_order(self, order_id: str, change: ReplaceIntent) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise NotFound(f"Order {order_id} was not found.")
            if not order.is_working:
                raise BadRequest(f"Order {order_id} cannot be replaced: status {order.status}.")
            order_type = change.order_type or order.order_type
            if order.legs and order_type not in ("Market", "Limit"):
                raise BadRequest("OrderType: a multi-leg order is Market or Limit.")
            advanced = self._replaced_options(order, change, order_type)
            updated = replace(
                order,
                quantity=change.quantity or order.quantity,
                order_type=order_type,
                limit_price=change.limit_price or order.limit_price,
                stop_price=change.stop_price or order.stop_price,
                advanced=advanced,
            )
            if change.price_rules is not None:
                count = len(change.price_rules)
                updated = replace(updated, rule_counts=(0,) * count, rule_marks=("",) * count)
            if change.time_rules is not None:
                now = self.clock.now()
                updated = replace(updated, activate_at=first_activation(change.time_rules, now))
            live = order.status not in (WAITING_FOR_PARENT, WAITING_FOR_RULES)
            if advanced.trailing and live and updated.trail_best is not None:
                updated = replace(
                    updated, stop_price=self._trail_price(updated, updated.trail_best)
                )
            inst = self.tradable(order.symbol)
            reason = self._price_problem(inst, updated)
            if reason is not None:
                raise BadRequest(reason)
            if updated.quantity <= updated.filled_quantity:
                raise BadRequest("Quantity must exceed the filled quantity.")
            is_stop = order_type in ("StopMarket", "StopLimit")
            if is_stop and updated.stop_price is None and not advanced.trailing:
                raise BadRequest(f"StopPrice is required for a {order_type} order.")
            back = order.status if not live else ("FPR" if order.filled_quantity else "OPN")
            self._store(replace(order, status="RSN"))
            self._store(replace(updated, status=back, triggered=False))
            self._advance(self.orders[order_id], self.clock.now(), {})
            return {"OrderID": order_id, "Message": "Cancel/Replace order sent."}

    def _replaced_options(
        self, order: SimOrder, change: ReplaceIntent, order_type: str
    ) -> Advanced:
        advanced = order.advanced
        where = "AdvancedOptions"
        if change.trailing is not None:
            if order_type != "StopMarket":
                raise BadRequest(f"{where}.TrailingStop is only valid on StopMarket orders.")
            amount, percent = change.trailing
            advanced = replace(advanced, trail_amount=amount, trail_percent=percent)
        if change.show_only is not None:
            if order_type not in ("Limit", "StopLimit"):
                raise BadRequest(f"{where}.ShowOnlyQuantity is only valid on Limit and StopLimit.")
            advanced = replace(advanced, show_only=change.show_only)
        if change.price_rules is not None:
            for i, rule in enumerate(change.price_rules):
                if self.instrument(rule.symbol) is None:
                    raise BadRequest(
                        f"{where}.MarketActivationRules.Rules[{i}].Symbol:"
                        f" {rule.symbol} is not a valid symbol."
                    )
            advanced = replace(advanced, price_rules=change.price_rules)
        if change.time_rules is not None:
            advanced = replace(advanced, time_rules=change.time_rules)
        sending = order.status not in (WAITING_FOR_PARENT, WAITING_FOR_RULES)
        if sending and (change.price_rules or change.time_rules):
            raise BadRequest(f"{where}: activation rules cannot be added to an order already sent.")
        return advanced

    def cancel(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise NotFound(f"Order {order_id} was not found.")
            if not order.is_working:
                raise BadRequest(f"Order {order_id} cannot be cancelled: status {order.status}.")
            now = self.clock.now()
            self._store(replace(order, status="UCN"))
            self._close(self.orders[order_id], now, "CAN")
            return {"OrderID": order_id, "Message": "Cancel request sent"}

    def _close(self, order: SimOrder, now: datetime, status: str) -> None:
        """End a working order (cancel, expiry, OCO): FLP when part of it filled. Its OSO
        children that still wait are sent for the quantity filled, or cancelled when none."""
        final = "FLP" if order.filled_quantity > 0 else status
        self._store(replace(order, status=final, closed_at=now))
        self._release_children(self.orders[order.order_id], now)

    def _release_children(self, parent: SimOrder, now: datetime) -> None:
        waiting = [
            child
            for child in (self.orders.get(i) for i in parent.oso_children)
            if child is not None and child.status == WAITING_FOR_PARENT
        ]
        if parent.filled_quantity == 0:
            for child in waiting:
                self._close(child, now, "CAN")
            return
        # every child sized first: the first one sent may fill at once and take its quantity
        # off its (still waiting) OCO siblings
        for child in waiting:
            if child.quantity > parent.filled_quantity:
                capped = replace(child, quantity=parent.filled_quantity)
                self.orders[child.order_id] = self.working[child.order_id] = capped
        for child in waiting:
            current = self.orders[child.order_id]
            if current.status == WAITING_FOR_PARENT:
                self._go_live(current, now)

    # ----- validation -------------------------------------------------------------------
    def _price_problem(self, inst: Instrument | None, order: SimOrder) -> str | None:
        if inst is None:
            return None
        if order.legs or is_option(inst):
            return option_price_problem(
                order.limit_price, order.stop_price, package=bool(order.legs)
            )
        for name, value in (("LimitPrice", order.limit_price), ("StopPrice", order.stop_price)):
            if value is not None and not inst.on_tick(value):
                return f"{name} {value} is not a multiple of the tick size {inst.tick}."
        return None

    def _rejection(
        self,
        account: SimAccount,
        inst: Instrument | None,
        intent: OrderIntent,
        *,
        check_funds: bool = True,
    ) -> str | None:
        positions = [p for p in self.positions.values() if p.account_id == account.account_id]
        totals = account_totals(account, positions, self.tradable, self.quote_of)
        if intent.legs or is_option(inst):
            return self._option_rejection(account, intent, totals["buying_power"], check_funds)
        position = self.positions.get((account.account_id, intent.symbol))
        held = position.quantity if position else Decimal(0)
        quote = self.quote_of(intent.symbol) if inst else None
        return rejection(
            account, inst, intent, totals["buying_power"], held, quote, check_funds=check_funds
        )

    def _option_rejection(
        self, account: SimAccount, intent: OrderIntent, buying_power: Decimal, check_funds: bool
    ) -> str | None:
        if intent.quantity <= 0 or intent.quantity != intent.quantity.to_integral_value():
            return "Quantity must be a whole number greater than zero."
        if intent.route and intent.route != "Intelligent":
            return f"Route {intent.route} is not valid for options."
        for i, symbol in enumerate([leg.symbol for leg in intent.legs] or [intent.symbol]):
            if self.option_series(symbol) is not None and not self.option_listed(symbol):
                where = f"Legs[{i}]." if intent.legs else ""
                return f"{where}Symbol: {symbol} is not a listed option (or it has expired)."
        book = self._book_of(account.account_id)
        return option_rejection(account, intent, book, buying_power, check_funds=check_funds)

    def _open_or_close(self, account_id: str, symbol: str, trade_action: str) -> str:
        if trade_action.endswith(("TOOPEN", "TOCLOSE")):
            return open_or_close(trade_action)
        position = self.positions.get((account_id, symbol))
        held = position.quantity if position else Decimal(0)
        buying = trade_action in ("BUY", "BUYTOCOVER")
        return "Close" if (held < 0 and buying) or (held > 0 and not buying) else "Open"

    # ----- matching ---------------------------------------------------------------------
    def process(self) -> None:
        """Settle expired options, expire due orders, fire activation rules and match working
        orders."""
        with self.lock:
            now = self.clock.now()
            for step in list(self.before_matching):
                step(now)
            quotes: dict[str, Quote] = {}  # one quote a symbol for the pass (prices hold)
            for order_id in list(self.working):
                order = self.orders[order_id]  # fresh: an earlier fill may have changed it
                if not order.is_working:
                    continue
                if order.expires_at is not None and now >= order.expires_at:
                    self._close(order, now, "EXP")
                else:
                    self._advance(order, now, quotes)

    def _quote_at(self, symbol: str, now: datetime, quotes: dict[str, Quote]) -> Quote:
        """``quote_of(symbol, now)``, computed once a symbol into ``quotes``."""
        quote = quotes.get(symbol)
        if quote is None:
            quote = quotes[symbol] = self.quote_of(symbol, now)
        return quote

    def _advance(self, order: SimOrder, now: datetime, quotes: dict[str, Quote]) -> None:
        if order.status == WAITING_FOR_PARENT or not order.is_working:
            return
        if order.status == WAITING_FOR_RULES:
            order, fired = self._evaluate_rules(order, now, quotes)
            if fired:
                self._store(replace(order, status="CND"))
                self._send(self.orders[order.order_id], now)
            return
        self._match(order, now, quotes)

    def _evaluate_rules(
        self, order: SimOrder, now: datetime, quotes: dict[str, Quote]
    ) -> tuple[SimOrder, bool]:
        """Count this tick for each price rule (once per price and instant) and say whether
        the rules (joined by their LogicOperator) and the time rules now allow the order."""
        counts, marks = list(order.rule_counts), list(order.rule_marks)
        met: list[bool] = []
        for i, rule in enumerate(order.advanced.price_rules):
            if counts[i] < rule.ticks_needed:
                last, bid, ask = self._quote_at(rule.symbol, now, quotes)
                side = rule.side_of_quote(order.is_buy)
                value = {"last": last, "bid": bid, "ask": ask}[side]
                mark = f"{now.isoformat()}|{value}"
                if mark != marks[i]:
                    marks[i] = mark
                    if rule.holds(value):
                        counts[i] += 1
                    elif rule.consecutive:
                        counts[i] = 0
            met.append(counts[i] >= rule.ticks_needed)
        price_ok = met[0] if met else True
        for rule, hit in zip(order.advanced.price_rules[1:], met[1:], strict=True):
            price_ok = (price_ok and hit) if rule.logic == "And" else (price_ok or hit)
        time_ok = order.activate_at is None or now >= order.activate_at
        if tuple(counts) != order.rule_counts or tuple(marks) != order.rule_marks:
            order = replace(order, rule_counts=tuple(counts), rule_marks=tuple(marks))
            self.orders[order.order_id] = order  # bookkeeping only: nothing to publish
            self.working[order.order_id] = order
        return order, price_ok and time_ok

    def _trail_price(self, order: SimOrder, best: Decimal) -> Decimal:
        inst = self.tradable(order.symbol)
        tick = inst.tick if inst else Decimal("0.01")
        advanced = order.advanced
        return trail_stop(order.is_buy, best, advanced.trail_amount, advanced.trail_percent, tick)

    def _trail(self, order: SimOrder, last: Decimal) -> SimOrder:
        """Ratchet a trailing stop behind the best price since it went out, never back."""
        best = order.trail_best if order.trail_best is not None else last
        best = min(best, last) if order.is_buy else max(best, last)
        stop = self._trail_price(order, best)
        if order.stop_price is not None:
            stop = min(stop, order.stop_price) if order.is_buy else max(stop, order.stop_price)
        if stop != order.stop_price:
            order = replace(order, trail_best=best, stop_price=stop)
            self._store(order)  # the order reports its current trigger
        elif best != order.trail_best:
            order = replace(order, trail_best=best)
            self.orders[order.order_id] = self.working[order.order_id] = order
        return order

    def _match(self, order: SimOrder, now: datetime, quotes: dict[str, Quote]) -> None:
        if not order.is_working or order.status in (WAITING_FOR_PARENT, WAITING_FOR_RULES):
            return
        if order.legs:
            self._match_package(order, now, quotes)
            return
        quote = self._quote_at(order.symbol, now, quotes)
        if order.advanced.trailing and not order.triggered and quote[0] > 0:
            order = self._trail(order, quote[0])
        triggered, price = match_price(order, quote)
        if triggered and not order.triggered:
            order = replace(order, triggered=True)
            self.orders[order.order_id] = order
            self.working[order.order_id] = order
        if price is None:
            return
        quantity = self._executable(order, now)
        if quantity > 0:
            self._fill(order, price, quantity, now)

    def _executable(self, order: SimOrder, now: datetime) -> Decimal:
        """How much fills now: at most the size at the touch, which refills once a second
        (so a larger order fills in several executions, a second apart)."""
        if order.last_exec_at is not None and now < order.last_exec_at + TOUCH_REFILL:
            return Decimal(0)
        inst = self.tradable(order.symbol, now)
        if inst is None:
            return Decimal(0)
        bid_size, ask_size = touch_sizes(inst)
        size = ask_size if order.is_buy else bid_size
        whole_only = order.advanced.all_or_none or order.duration == "FOK"
        if whole_only and order.remaining > size:
            return Decimal(0)
        return min(order.remaining, size)

    def _match_package(self, order: SimOrder, now: datetime, quotes: dict[str, Quote]) -> None:
        """A package fills whole, in one execution, at the market net (buys at the ask, sells
        at the bid) once that net is at or below its limit (tstui.sim.option_orders)."""
        legs = order_legs(order)
        leg_quotes = [self._quote_at(leg.symbol, now, quotes) for leg in legs]
        if any(ask <= 0 for _, _, ask in leg_quotes):
            return  # a leg without a market (expired, unknown)
        prices = [leg_touch(leg, quote) for leg, quote in zip(legs, leg_quotes, strict=True)]
        net = net_price(legs, prices)
        if order.order_type == "Limit" and net > (order.limit_price or Decimal(0)):
            return
        qty = order.remaining
        filled = replace(
            order,
            status="FLL",
            filled_quantity=order.filled_quantity + qty,
            filled_price=net,
            leg_prices=tuple(prices),
            closed_at=now,
            last_exec_at=now,
        )
        moves = []
        for leg, price in zip(legs, prices, strict=True):
            inst = self.tradable(leg.symbol, now)
            view = replace(
                order,
                symbol=leg.symbol,
                asset_type=inst.asset_type if inst else "STOCK",
                trade_action=stock_action(leg.trade_action)
                if not is_option(inst)
                else leg.trade_action,
                legs=(),
            )
            commission, moved = self._book(view, price, leg.ratio * qty, now)
            filled = replace(filled, commission=filled.commission + commission)
            moves.append((view, moved, price, leg.ratio * qty))
        self._store(filled)
        for view, moved, price, leg_qty in moves:
            self._move_position(view, *moved, price, leg_qty, now)
        self._after_execution(self.orders[order.order_id], qty, now)

    def _book(
        self, order: SimOrder, price: Decimal, qty: Decimal, now: datetime, *, charged: bool = True
    ) -> tuple[Decimal, tuple[SimPosition | None, tuple[str, str], Decimal, Decimal]]:
        """The cash side of an execution (account, today's fills): (commission, what
        ``_move_position`` needs next)."""
        inst = self.tradable(order.symbol, now)
        pv = inst.point_value if inst else Decimal(1)
        signed = qty if order.is_buy else -qty
        commission = Decimal(0)
        if not charged:
            pass
        elif order.asset_type == "FUTURE":
            commission = FUTURES_COMMISSION * qty
        elif is_option(inst):
            commission = OPTION_COMMISSION * qty
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
        else:  # stock and options are paid for in full (an option's premium x its multiplier)
            cash -= signed * price * pv
        fill = DayFill(now.date(), signed, price, commission, cash - account.cash)
        self.day_fills.setdefault(key, []).append(fill)
        self.accounts[order.account_id] = replace(
            account,
            cash=cash,
            realized=account.realized + realized,
            commission=account.commission + commission,
        )
        return commission, (pos, key, held, new_qty)

    def book_settlement(self, order: SimOrder, price: Decimal, at: datetime) -> None:
        """A fill outside matching (an option's exercise, assignment or expiry,
        tstui.sim.option_expiry): ``order`` (not stored yet) fills whole at ``price``."""
        order = replace(order, order_id=self._new_order_id())
        self._fill(order, price, order.quantity, at, charged=False)  # no commission

    def _fill(
        self, order: SimOrder, price: Decimal, qty: Decimal, now: datetime, *, charged: bool = True
    ) -> None:
        commission, (pos, key, held, new_qty) = self._book(order, price, qty, now, charged=charged)
        filled_qty = order.filled_quantity + qty
        average = (order.filled_price or Decimal(0)) * order.filled_quantity + price * qty
        done = filled_qty >= order.quantity
        filled = replace(
            order,
            status="FLL" if done else "FPR",
            filled_quantity=filled_qty,
            filled_price=average / filled_qty,
            closed_at=now if done else None,
            commission=order.commission + commission,
            last_exec_at=now,
        )
        self._store(filled)
        self._move_position(order, pos, key, held, new_qty, price, qty, now)
        self._after_execution(self.orders[order.order_id], qty, now)

    def _after_execution(self, order: SimOrder, qty: Decimal, now: datetime) -> None:
        """OCO/BRK siblings: a fill cancels them, a partial fill takes its quantity off them.
        OSO children are sent once the parent has filled."""
        for sibling_id in order.oca_siblings:
            sibling = self.orders.get(sibling_id)
            if sibling is None or not sibling.is_working:
                continue
            reduced = sibling.quantity - qty
            if order.status == "FLL" or reduced <= sibling.filled_quantity:
                self._close(sibling, now, "CAN")
            else:
                self._store(replace(sibling, quantity=reduced))
        if order.status == "FLL":
            self._release_children(order, now)

    def _move_position(
        self,
        order: SimOrder,
        pos: SimPosition | None,
        key: tuple[str, str],
        held: Decimal,
        new_qty: Decimal,
        price: Decimal,
        qty: Decimal,
        now: datetime,
    ) -> None:
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
            account_totals(account, positions, self.tradable, self.quote_of),
            todays_pl(self, account_id),
        )

    def positions_of(self, account_id: str) -> list[SimPosition]:
        return [p for p in self.positions.values() if p.account_id == account_id]

    def today_start(self) -> datetime:
        now = self.clock.now()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    def history_floor(self) -> datetime:
        return self.today_start() - timedelta(days=90)


def _error_entry(order_id: str | None, message: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Error": "FAILED", "Message": message}
    if order_id is not None:
        entry["OrderID"] = order_id
    return entry


def _error_body(order_id: str | None, message: str) -> dict[str, Any]:
    return {"Errors": [_error_entry(order_id, message)]}


def _sent_message(order: SimOrder) -> str:
    price = f" @ {order.limit_price}" if order.limit_price is not None else ""
    if order.legs:  # a package: its spread type and legs
        legs = ", ".join(f"{_side(a)} {r} {s}" for s, r, a in order.legs)
        what = f"{order.spread or 'Spread'} {order.quantity} x ({legs})"
        return f"Sent order: {what} {order.order_type}{price}"
    side = _side(order.trade_action)
    return f"Sent order: {side} {order.quantity} {order.symbol} {order.order_type}{price}"


def _side(trade_action: str) -> str:
    """``Buy``, ``Sellshort``; the option actions read ``Buy to Open``..."""
    for verb in ("BUY", "SELL"):
        for end in ("TOOPEN", "TOCLOSE"):
            if trade_action == verb + end:
                return f"{verb.title()} to {end[2:].title()}"
    return trade_action.title()


def _answer(
    entered: tuple[list[tuple[SimOrder, str]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """``{"Orders": [{"OrderID", "Message"}], "Errors": [...]}``, each key when not empty."""
    placed, errors = entered
    body: dict[str, Any] = {}
    if placed:
        body["Orders"] = [{"OrderID": o.order_id, "Message": m} for o, m in placed]
    if errors:
        body["Errors"] = errors
    return body
