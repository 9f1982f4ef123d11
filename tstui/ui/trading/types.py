"""Value types of the trading service (`service`): previews, outcomes, symbol info."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from tstui.client.api import TradeStationAPI
from tstui.client.errors import TradeStationError
from tstui.config import Settings
from tstui.domain.models import (
    Account,
    OrderConfirmation,
    OrderResult,
    Position,
    Quote,
    SymbolDetail,
)
from tstui.domain.orders import OrderRequest
from tstui.domain.orders.book import OrderBook, PendingOrder
from tstui.domain.orders.risk_limits import RiskLimits
from tstui.domain.orders.ticket import FieldError

__all__ = [
    "ActionKind",
    "ActionOutcome",
    "PlaceKind",
    "PlaceOutcome",
    "PlacementRefused",
    "Preview",
    "PreviewOutcome",
    "SymbolInfo",
    "TicketIntent",
    "TradeTarget",
    "TradingContext",
    "load_symbol_info",
    "risk_limits_for",
]

TicketIntent = Literal["new", "buy", "sell", "close"]
PlaceKind = Literal["placed", "rejected", "failed", "unknown", "reconciled", "not_found"]
ActionKind = Literal["sent", "failed", "unknown"]


class TradingContext(Protocol):
    """What the service needs from the app (LiveData satisfies it)."""

    @property
    def api(self) -> TradeStationAPI: ...
    @property
    def order_book(self) -> OrderBook: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def accounts(self) -> list[Account]: ...
    @property
    def current_account(self) -> str | None: ...
    @property
    def positions(self) -> Mapping[str, Position]: ...


def held_quantity(context: TradingContext, account_id: str, symbol: str) -> Decimal:
    """The signed position (long +, short -) the context knows in ``symbol`` on ``account_id``:
    the risk checks never size-cap the part of an order that only reduces it."""
    wanted = symbol.upper()
    return sum(
        (
            p.signed_quantity
            for p in context.positions.values()
            if p.account_id == account_id and (p.symbol or "").upper() == wanted
        ),
        Decimal(0),
    )


@dataclass(frozen=True, slots=True)
class TradeTarget:
    """What a screen's selection offers one-key trading (`tstui.ui.trading.hotkeys`).

    A screen that supports one-key trading defines ``trade_target() -> TradeTarget | None``
    (None: nothing selected). Prices are the screen's latest quote; missing ones are loaded
    (quote snapshot) before anything is previewed. ``position``: the selected position
    (flatten / reverse use it; None: the current account's position in ``symbol``, if any).
    ``price``: a price the user pointed at (the ladder's cursor) used instead of the touch.
    """

    symbol: str
    asset_type: str | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    position: Position | None = None
    account_id: str | None = None
    price: Decimal | None = None


class PlacementRefused(Exception):
    """The service will not send this (stale/foreign preview, already sent, risk, audit)."""


def risk_limits_for(settings: Settings) -> RiskLimits:
    """The configured limits of the current environment (config: ``[risk.sim]``/``[risk.live]``)."""
    return settings.risk_limits


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """A symbol's details and last quote, as far as they could be loaded."""

    symbol: str
    detail: SymbolDetail | None = None
    quote: Quote | None = None
    error: str | None = None

    @property
    def asset_type(self) -> str | None:
        return self.detail.asset_type if self.detail is not None else None

    @property
    def last(self) -> Decimal | None:
        return self.quote.last if self.quote is not None else None

    @property
    def point_value(self) -> Decimal | None:
        return self.detail.point_value if self.detail is not None else None

    def describe(self) -> str:
        if self.error:
            return f"{self.symbol}: {self.error}"
        if self.detail is None:
            return self.symbol
        d = self.detail
        parts = [d.symbol, d.description or "", d.asset_type or "", d.exchange or ""]
        if d.tick_size is not None:
            parts.append(f"tick {d.tick_size}")
        if d.point_value is not None and d.point_value != 1:
            parts.append(f"point {d.point_value}")
        q = self.quote
        if q is not None:
            parts.append(f"last {q.last if q.last is not None else '-'}")
            if q.bid is not None or q.ask is not None:
                parts.append(f"bid {q.bid or '-'} / ask {q.ask or '-'}")
        return " · ".join(p for p in parts if p)


async def load_symbol_info(api: TradeStationAPI, symbol: str) -> SymbolInfo:
    """A symbol's details and quote; failures become `SymbolInfo.error` (never raised)."""
    symbol = symbol.strip().upper()
    if not symbol:
        return SymbolInfo("")
    try:
        details = await api.get_symbols([symbol])
        detail = details.items[0] if details.items else None
        if detail is None:
            err = details.errors[0] if details.errors else None
            reason = (err.message or err.error) if err else "unknown symbol"
            return SymbolInfo(symbol, error=reason)
        quotes = await api.get_quotes([symbol])
        quote = quotes.items[0] if quotes.items else None
    except (TradeStationError, ValueError) as exc:
        # ValueError: a symbol no URL can carry (a lone surrogate a server sent in a row)
        return SymbolInfo(symbol, error=str(exc) or type(exc).__name__)
    return SymbolInfo(symbol, detail, quote)


@dataclass(frozen=True, slots=True, eq=False)
class Preview:
    """A confirmed preview. Only the service that issued it can place it (identity check)."""

    request: OrderRequest
    confirmations: tuple[OrderConfirmation, ...]
    warnings: tuple[FieldError, ...]
    env: str
    at: datetime
    last_price: Decimal | None
    point_value: Decimal | None

    def matches(self, request: OrderRequest | None) -> bool:
        """True when `request` is exactly the previewed payload (Place stays enabled)."""
        return request is not None and request.payload_key() == self.request.payload_key()


@dataclass(frozen=True, slots=True)
class PreviewOutcome:
    """Validation issues (errors block: nothing was sent), and the preview or its failure."""

    request: OrderRequest | None
    issues: tuple[FieldError, ...]
    preview: Preview | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceOutcome:
    """What happened to one placement. `result` is set for placed/reconciled orders."""

    kind: PlaceKind
    request: OrderRequest
    message: str
    result: OrderResult | None = None
    pending: PendingOrder | None = None
    known_before: frozenset[str] = frozenset()
    # every answer of the placement: the entry's first, then its OSO children's
    results: tuple[OrderResult, ...] = ()

    @property
    def order_id(self) -> str | None:
        return self.result.order_id if self.result is not None else None

    @property
    def group_order_ids(self) -> tuple[str, ...]:
        """The ids the placement created (the entry and, for a bracket, its exits)."""
        return tuple(r.order_id for r in self.results if r.ok and r.order_id)


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """Result of a cancel or replace request (the order's new status arrives on the stream)."""

    kind: ActionKind
    order_id: str
    message: str
