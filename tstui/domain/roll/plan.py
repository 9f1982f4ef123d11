"""Futures roll planning: which positions sit in a contract that is no longer the front month.

A `RollPlan` closes the position in the old contract and reopens the same quantity, same
direction, in the front contract, with two market orders, or two limit orders a few ticks
through the last price (`LegStyle`). It also lists the account's working orders in the old
contract and what the roll does with each (move, cancel, keep: `tstui.domain.roll.working`).
Everything in a plan is deterministic from (account, old contract, new contract, quantity,
direction, attempt): the roll id and both legs' OrderConfirmIDs (and the moved orders'), so a
plan rebuilt after a crash is the same plan and a resent leg carries the same OrderConfirmID
(the API's duplicate guard then refuses a second order).

`attempt` starts at 1 and goes up only when an earlier roll with the same key has *finished*
(verified or stopped) and the position is back (e.g. the user bought the old contract again):
pass the finished roll ids from the journal as `finished_roll_ids`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from tstui.domain.market import futures
from tstui.domain.orders.execution import Order
from tstui.domain.orders.request import OrderRequest, derived_order_confirm_id, format_decimal
from tstui.domain.portfolio.positions import Position
from tstui.domain.roll.working import (
    LegStyle,
    WorkingAction,
    WorkingOrderPlan,
    leg_price,
    plan_working_orders,
)

__all__ = [
    "Direction",
    "RollPlan",
    "build_plan",
    "is_later_contract",
    "leg_confirm_id",
    "plan_rolls",
    "roll_id",
]

Direction = Literal["long", "short"]
LegName = Literal["close", "open"]


def roll_id(
    account_id: str, old: str, new: str, quantity: Decimal, direction: Direction, attempt: int
) -> str:
    """Readable and deterministic: ``SIM1000002F/ESZ26>ESH27/L2/1``."""
    side = "L" if direction == "long" else "S"
    return f"{account_id}/{old}>{new}/{side}{format_decimal(quantity)}/{attempt}"


def leg_confirm_id(rid: str, leg: LegName) -> str:
    """The OrderConfirmID of a roll leg: the same for every resend of that leg."""
    return derived_order_confirm_id("tstui-roll", rid, leg)


def is_later_contract(candidate: str, than: str) -> bool:
    """True when contract `candidate` expires after `than` (same root assumed)."""
    a, b = futures.parse_contract(candidate), futures.parse_contract(than)
    return (a.year, a.month) > (b.year, b.month)


@dataclass(frozen=True, slots=True)
class RollPlan:
    roll_id: str
    account_id: str
    root: str
    old_symbol: str
    new_symbol: str
    quantity: Decimal  # positive
    direction: Direction
    close_leg: OrderRequest
    open_leg: OrderRequest
    old_position_before: Decimal  # signed quantity in the old contract when planned
    new_position_before: Decimal  # signed quantity already held in the new contract
    attempt: int = 1
    working: tuple[WorkingOrderPlan, ...] = ()  # the old contract's working orders

    @property
    def signed_quantity(self) -> Decimal:
        return self.quantity if self.direction == "long" else -self.quantity

    def leg(self, name: LegName) -> OrderRequest:
        return self.close_leg if name == "close" else self.open_leg

    def expected_positions(self) -> dict[str, Decimal]:
        """Signed quantities the account should hold in both contracts once rolled."""
        return {
            self.old_symbol: self.old_position_before - self.signed_quantity,
            self.new_symbol: self.new_position_before + self.signed_quantity,
        }

    def next_attempt(self) -> RollPlan:
        """The same roll as a new attempt (new roll id and OrderConfirmIDs, same prices)."""
        rid = roll_id(
            self.account_id,
            self.old_symbol,
            self.new_symbol,
            self.quantity,
            self.direction,
            self.attempt + 1,
        )
        working = tuple(
            dataclasses.replace(
                w,
                replacement=w.replacement.with_changes(
                    order_confirm_id=derived_order_confirm_id("tstui-roll", rid, "move", w.order_id)
                ),
            )
            if w.replacement is not None
            else w
            for w in self.working
        )
        return dataclasses.replace(
            self,
            roll_id=rid,
            attempt=self.attempt + 1,
            close_leg=self.close_leg.with_changes(order_confirm_id=leg_confirm_id(rid, "close")),
            open_leg=self.open_leg.with_changes(order_confirm_id=leg_confirm_id(rid, "open")),
            working=working,
        )

    def with_leg_style(self, style: LegStyle, prices: Mapping[str, Decimal]) -> RollPlan:
        """The same roll with its legs priced per `style` (ValueError: no price for a Limit).

        For a plan not started yet (the review's choice); a journaled plan never changes.
        """
        tick = _tick_size(self.old_symbol)

        def priced(req: OrderRequest) -> OrderRequest:
            limit: Decimal | None = None
            if style.order_type == "Limit":
                last = prices.get(req.symbol)
                if last is None or tick is None:
                    raise ValueError(f"no last price for {req.symbol}: cannot price a limit leg")
                limit = leg_price(req.trade_action, last, tick, style.offset_ticks)
            return dataclasses.replace(req, order_type=style.order_type, limit_price=limit)

        return dataclasses.replace(
            self, close_leg=priced(self.close_leg), open_leg=priced(self.open_leg)
        )

    def with_working_action(self, action: WorkingAction, order_id: str | None = None) -> RollPlan:
        """The plan with `action` for one working order (`order_id`) or all of them."""
        return dataclasses.replace(
            self,
            working=tuple(
                w.with_action(action) if order_id in (None, w.order_id) else w for w in self.working
            ),
        )

    def describe(self) -> str:
        q = format_decimal(self.quantity)

        def leg(req: OrderRequest) -> str:
            price = f" {format_decimal(req.limit_price)}" if req.limit_price is not None else ""
            kind = "" if req.order_type == "Market" else f" {req.order_type}{price}"
            return f"{req.trade_action} {q} {req.symbol}{kind}"

        return (
            f"{self.account_id}: roll {self.direction} {q} {self.old_symbol} -> {self.new_symbol}"
            f" ({leg(self.close_leg)}, {leg(self.open_leg)})"
        )

    def describe_working(self) -> list[str]:
        """One line per working order of the old contract: what the roll does with it."""
        lines = []
        for w in self.working:
            if w.action == "move" and w.replacement is not None:
                r = w.replacement
                price = " ".join(
                    f"{name} {format_decimal(value)}"
                    for name, value in (("limit", r.limit_price), ("stop", r.stop_price))
                    if value is not None
                )
                what = f"move to {r.symbol} ({price})"
            elif w.action == "cancel":
                what = "cancel"
            else:
                what = f"keep working in {self.old_symbol}"
            note = f" [{w.note}]" if w.note and w.action != "keep" else ""
            lines.append(f"working order {w.order_id} {w.description}: {what}{note}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (journaled with the "plan" step)."""
        return {
            "roll_id": self.roll_id,
            "account_id": self.account_id,
            "root": self.root,
            "old_symbol": self.old_symbol,
            "new_symbol": self.new_symbol,
            "quantity": format_decimal(self.quantity),
            "direction": self.direction,
            "close_leg": self.close_leg.to_api(),
            "open_leg": self.open_leg.to_api(),
            "old_position_before": format_decimal(self.old_position_before),
            "new_position_before": format_decimal(self.new_position_before),
            "attempt": self.attempt,
            "working": [w.to_dict() for w in self.working],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RollPlan:
        """Inverse of `to_dict`; raises ValueError on a malformed record."""
        try:
            direction = data["direction"]
            if direction not in ("long", "short"):
                raise ValueError(f"bad direction {direction!r}")
            return cls(
                roll_id=str(data["roll_id"]),
                account_id=str(data["account_id"]),
                root=str(data["root"]),
                old_symbol=str(data["old_symbol"]),
                new_symbol=str(data["new_symbol"]),
                quantity=Decimal(str(data["quantity"])),
                direction=direction,
                close_leg=OrderRequest.from_api(data["close_leg"]),
                open_leg=OrderRequest.from_api(data["open_leg"]),
                old_position_before=Decimal(str(data["old_position_before"])),
                new_position_before=Decimal(str(data["new_position_before"])),
                attempt=int(data["attempt"]),
                working=tuple(WorkingOrderPlan.from_dict(w) for w in data.get("working") or ()),
            )
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"not a roll plan record: {exc!r}") from None


def build_plan(
    account_id: str,
    old_symbol: str,
    new_symbol: str,
    signed_old: Decimal,
    signed_new: Decimal,
    attempt: int = 1,
    *,
    style: LegStyle | None = None,
    prices: Mapping[str, Decimal] | None = None,
    working_orders: Iterable[Order] = (),
    working_action: WorkingAction = "keep",
) -> RollPlan:
    """The plan rolling the whole `signed_old` position from `old_symbol` into `new_symbol`.

    `style` prices the legs (Market by default; Limit needs `prices`, the last price per
    contract: ValueError without). `working_orders` (the account's orders) become the plan's
    working-order list with `working_action`.
    """
    direction: Direction = "long" if signed_old > 0 else "short"
    quantity = abs(signed_old)
    rid = roll_id(account_id, old_symbol, new_symbol, quantity, direction, attempt)
    leg_style = style or LegStyle()
    last_prices = prices or {}
    tick = _tick_size(old_symbol)

    def leg(name: LegName, symbol: str, action: str) -> OrderRequest:
        limit: Decimal | None = None
        if leg_style.order_type == "Limit":
            last = last_prices.get(symbol)
            if last is None or tick is None:
                raise ValueError(
                    f"no last price or tick size for {symbol}: cannot price a limit leg"
                )
            limit = leg_price(action, last, tick, leg_style.offset_ticks)
        return OrderRequest(
            account_id=account_id,
            symbol=symbol,
            quantity=quantity,
            order_type=leg_style.order_type,
            trade_action=action,
            limit_price=limit,
            order_confirm_id=leg_confirm_id(rid, name),
        )

    working = plan_working_orders(
        working_orders,
        roll_id=rid,
        account_id=account_id,
        old_symbol=old_symbol,
        new_symbol=new_symbol,
        last_old=last_prices.get(old_symbol),
        last_new=last_prices.get(new_symbol),
        increment=tick,
        action=working_action,
    )

    return RollPlan(
        roll_id=rid,
        account_id=account_id,
        root=futures.parse_contract(old_symbol).root,
        old_symbol=old_symbol,
        new_symbol=new_symbol,
        quantity=quantity,
        direction=direction,
        close_leg=leg("close", old_symbol, "SELL" if direction == "long" else "BUY"),
        open_leg=leg("open", new_symbol, "BUY" if direction == "long" else "SELL"),
        old_position_before=signed_old,
        new_position_before=signed_new,
        attempt=attempt,
        working=working,
    )


def _tick_size(symbol: str) -> Decimal | None:
    try:
        return futures.product(futures.parse_contract(symbol).root).tick_size
    except ValueError:
        return None


def _net_positions(positions: Iterable[Position]) -> dict[tuple[str, str], Decimal]:
    net: dict[tuple[str, str], Decimal] = {}
    for position in positions:
        if not position.account_id or not position.symbol:
            continue
        key = (position.account_id, position.symbol.upper())
        net[key] = net.get(key, Decimal(0)) + position.signed_quantity
    return net


def plan_rolls(
    positions: Iterable[Position],
    front_by_root: Mapping[str, str],
    roots: Collection[str] | None = None,
    account: str | None = None,
    *,
    finished_roll_ids: Collection[str] = (),
    style: LegStyle | None = None,
    prices: Mapping[str, Decimal] | None = None,
    working_orders: Iterable[Order] = (),
    working_action: WorkingAction = "keep",
) -> list[RollPlan]:
    """Plans for every futures position held in a contract *before* its root's front month.

    `front_by_root` maps a root ("ES") to its front contract ("ESH27"), e.g. read from
    `Symbols[0].Underlying` of ``@ES``. Roots missing from it are left alone, and so is a
    position in a contract *later* than the front month (never roll backwards). `roots` and
    `account` filter. Positions of the same account and contract are netted first.
    `style`, `prices`, `working_orders` and `working_action`: see `build_plan`.
    """
    orders = list(working_orders)
    wanted_roots = {r.upper() for r in roots} if roots is not None else None
    net = _net_positions(
        p for p in positions if (p.asset_type or "FUTURE").upper() in ("FUTURE", "FUTURES")
    )
    plans: list[RollPlan] = []
    for (account_id, symbol), signed in sorted(net.items()):
        if signed == 0 or (account is not None and account_id != account):
            continue
        try:
            contract = futures.parse_contract(symbol)
        except ValueError:
            continue
        if wanted_roots is not None and contract.root not in wanted_roots:
            continue
        front = (front_by_root.get(contract.root) or "").upper()
        if not front or front == symbol:
            continue
        try:
            if not is_later_contract(front, symbol):
                continue
        except ValueError:
            continue
        signed_new = net.get((account_id, front), Decimal(0))
        attempt = 1
        while True:
            plan = build_plan(
                account_id,
                symbol,
                front,
                signed,
                signed_new,
                attempt,
                style=style,
                prices=prices,
                working_orders=orders,
                working_action=working_action,
            )
            if plan.roll_id not in finished_roll_ids:
                break
            attempt += 1
        plans.append(plan)
    return plans
