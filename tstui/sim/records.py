"""The simulator's brokerage records (frozen; the engine swaps in updated copies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tstui.sim.advanced import NO_ADVANCED, Advanced

ACCOUNT_MARGIN = "SIM1000001M"
ACCOUNT_FUTURES = "SIM1000002F"
ACCOUNT_CASH = "SIM1000003C"

STATUS_DESCRIPTIONS: dict[str, str] = {
    "ACK": "Received",
    "DON": "Queued",
    "OPN": "Sent",
    "FPR": "Partial Fill (Alive)",
    "FLL": "Filled",
    "FLP": "Partial Fill (UROut)",
    "UCN": "Cancel Sent",
    "CAN": "Canceled",
    "RSN": "Replace Sent",
    "UCH": "Replaced",
    "REJ": "Rejected",
    "EXP": "Expired",
    "OUT": "UROut",
    "CND": "Condition Met",
    "OSO": "OSO Order",
}
# an OCO/BRK sibling or an OSO child linked to this order (ConditionalOrders' Relationship)
OCO_RELATIONS = frozenset({"OCO", "BRK"})
WAITING_FOR_PARENT = "OSO"  # an OSO child until its parent fills
WAITING_FOR_RULES = "DON"  # an order held until its activation rules fire
FINAL_STATUSES = frozenset({"FLL", "FLP", "CAN", "REJ", "EXP", "OUT", "TSC", "BRO", "UCH"})
ORDER_TYPES = ("Market", "Limit", "StopMarket", "StopLimit")
STOCK_ACTIONS = {"BUY": "Buy", "SELL": "Sell", "SELLSHORT": "SellShort", "BUYTOCOVER": "BuyToCover"}
FUTURE_ACTIONS = {"BUY": "Buy", "SELL": "Sell"}
# options (tstui.sim.option_orders): BuyOrSell on an order leg is Buy or Sell
OPTION_ACTIONS = {
    "BUYTOOPEN": "Buy",
    "BUYTOCLOSE": "Buy",
    "SELLTOOPEN": "Sell",
    "SELLTOCLOSE": "Sell",
}
BUY_ACTIONS = frozenset({"BUY", "BUYTOCOVER", "BUYTOOPEN", "BUYTOCLOSE"})
DURATIONS = ("DAY", "DYP", "GTC", "GCP", "GTD", "GDP", "OPG", "CLO", "IOC", "FOK", "1", "3", "5")


@dataclass(frozen=True, slots=True)
class SimAccount:
    account_id: str
    account_type: str  # "Margin" | "Futures" | "Cash"
    cash: Decimal
    bod_cash: Decimal
    realized: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    option_level: int = 0  # AccountDetail.OptionApprovalLevel (tstui.sim.option_orders)

    @property
    def trades_futures(self) -> bool:
        return self.account_type == "Futures"


@dataclass(frozen=True, slots=True)
class SimOrder:
    order_id: str
    account_id: str
    symbol: str
    asset_type: str  # "STOCK" | "FUTURE" | "STOCKOPTION" | "FUTUREOPTION"
    trade_action: str
    order_type: str
    quantity: Decimal
    duration: str
    status: str
    opened_at: datetime
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    route: str = "Intelligent"
    open_or_close: str = "Open"
    filled_quantity: Decimal = Decimal(0)
    filled_price: Decimal | None = None
    closed_at: datetime | None = None
    reject_reason: str | None = None
    confirm_id: str | None = None
    commission: Decimal = Decimal(0)
    expires_at: datetime | None = None
    triggered: bool = False  # a stop-limit whose stop was hit
    # linked orders: (order id, relationship: OCO | BRK | OSP (parent) | OSO (child))
    links: tuple[tuple[str, str], ...] = ()
    group_name: str | None = None  # "OCO 1000000123": the OCO/BRK group it belongs to
    advanced: Advanced = NO_ADVANCED
    trail_best: Decimal | None = None  # a trailing stop's best price since it went out
    rule_counts: tuple[int, ...] = ()  # price rules: qualifying ticks seen so far
    rule_marks: tuple[str, ...] = ()  # price rules: the last tick counted (no double count)
    activate_at: datetime | None = None  # time rules: when they allow the order out
    last_exec_at: datetime | None = None  # the last execution (the touch refills each second)
    # a multi-leg package: (symbol, ratio per unit, trade action) a leg, ``quantity`` units
    # at a signed net price (tstui.sim.option_orders); plain tuples so --state stores them
    legs: tuple[tuple[str, Decimal, str], ...] = ()
    leg_prices: tuple[Decimal, ...] = ()  # each leg's average execution price
    spread: str | None = None  # the package's spread type ("Vertical", ...)

    @property
    def is_buy(self) -> bool:
        return self.trade_action in BUY_ACTIONS

    @property
    def is_working(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def oca_siblings(self) -> list[str]:
        return [order_id for order_id, rel in self.links if rel in OCO_RELATIONS]

    @property
    def oso_children(self) -> list[str]:
        return [order_id for order_id, rel in self.links if rel == "OSO"]

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled_quantity


@dataclass(frozen=True, slots=True)
class SimPosition:
    position_id: str
    account_id: str
    symbol: str
    asset_type: str
    quantity: Decimal  # negative when short
    average_price: Decimal
    opened_at: datetime
