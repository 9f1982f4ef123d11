"""Fast typed decoding of order and position stream lines: the exact result, or nothing.

The generic stream path is ``json`` + :func:`~tstui.domain.frames.parse_order_frame`: a dict
per line, then ``Order.from_api`` reads it key by key. Here one msgspec pass decodes a line's
bytes straight into a small wire :class:`msgspec.Struct` (only the fields our models have;
unknown keys are skipped in C), and a flat function builds the domain object with the same
positional builder and the same value converters (``opt_decimal``/``opt_datetime``, memoised
per wire text) that ``from_api`` uses. The result is equal to the generic one by construction.

Every line the fast path is not sure about returns ``None`` and the caller takes the generic
path, so behaviour never changes, only speed:

- anything msgspec rejects: malformed JSON, bad UTF-8, a number or object where the schema
  has a string (the domain's converters accept those, differently), a missing id;
- control and error frames (a ``Heartbeat``, ``StreamStatus`` or ``Error`` key at all);
- rare shapes the flat builder leaves to ``from_api``: ``ConditionalOrders``,
  ``TrailingStop``, activation rules, a position's ``Deleted`` flag; an empty id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

import msgspec

from tstui.domain._build import positional_builder
from tstui.domain.orders.execution import Order, OrderLeg
from tstui.domain.parsing import opt_datetime, opt_decimal
from tstui.domain.portfolio.positions import Position

__all__ = ["decode_order_line", "decode_position_line"]

V = TypeVar("V")
_CACHE_LIMIT: Final = 8192
_UNSET: Final = msgspec.UNSET


class _Memo(dict[str | None, V | None], Generic[V]):
    """``memo[text]`` = ``convert(text)``, computed once per text (``memo[None]`` is None).

    A dict subclass with ``__missing__``: a hit is a plain C dict lookup, no Python call.
    Stream frames repeat the same prices, quantities and times over and over.
    """

    __slots__ = ("_convert",)

    def __init__(self, convert: Callable[[Any], V | None]) -> None:
        super().__init__()
        self._convert = convert

    def __missing__(self, key: str | None) -> V | None:
        value = self._convert(key)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[key] = value
        return value


_DEC: _Memo[Decimal] = _Memo(opt_decimal)
_TIME: _Memo[datetime] = _Memo(opt_datetime)


class _Interned(dict[str | None, str | None]):
    """``interned[text]`` is the first string equal to ``text`` seen (None stays None).

    msgspec decodes every string value anew: 100k orders held ~11 copies each of a handful
    of texts (account, status, type, duration, route, the leg's symbol and side...), 55 MB.
    A hit is one C dict lookup, like ``_Memo``'s; the table is dropped when full (bounded
    against a stream of distinct symbols: sharing is lost, never correctness).
    """

    __slots__ = ()

    def __missing__(self, key: str | None) -> str | None:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[key] = key
        return key


_STR = _Interned()


_NO_LEGS: Final = msgspec.Raw(b"null")


class _Control(msgspec.Struct, rename="pascal", gc=False):
    """Keys that make a line a control/error frame: such lines go the generic way."""

    heartbeat: Any = _UNSET
    stream_status: Any = _UNSET
    error: Any = _UNSET


class _LegWire(msgspec.Struct, rename="pascal", gc=False, frozen=True):  # hashable: _LEGS
    symbol: str | None = None
    buy_or_sell: str | None = None
    quantity_ordered: str | None = None
    exec_quantity: str | None = None
    quantity_remaining: str | None = None
    execution_price: str | None = None
    asset_type: str | None = None
    open_or_close: str | None = None
    option_type: str | None = None
    strike_price: str | None = None
    expiration_date: str | None = None
    underlying: str | None = None


class _OrderWire(_Control, rename="pascal", gc=False):
    order_id: str = msgspec.field(default="", name="OrderID")
    account_id: str | None = msgspec.field(default=None, name="AccountID")
    status: str | None = None
    status_description: str | None = None
    order_type: str | None = None
    duration: str | None = None
    # Kept as its JSON text: an order's frames repeat their legs unchanged, and a hit on
    # _LEG_LISTS costs a bytes lookup where decoding and hashing the leg structs cost ~4x.
    legs: msgspec.Raw = _NO_LEGS
    limit_price: str | None = None
    stop_price: str | None = None
    filled_price: str | None = None
    opened_date_time: str | None = None
    closed_date_time: str | None = None
    good_till_date: str | None = None
    commission_fee: str | None = None
    currency: str | None = None
    routing: str | None = None
    reject_reason: str | None = None
    group_name: str | None = None
    advanced_options: str | None = None
    conditional_orders: Any = None  # rare: left to Order.from_api
    trailing_stop: Any = None
    market_activation_rules: Any = None
    time_activation_rules: Any = None
    price_used_for_buying_power: str | None = None
    conversion_rate: str | None = None
    show_only_quantity: str | None = None
    spread: str | None = None
    unbundled_route_fee: str | None = None


class _PositionWire(_Control, rename="pascal", gc=False):
    position_id: str = msgspec.field(default="", name="PositionID")
    account_id: str | None = msgspec.field(default=None, name="AccountID")
    symbol: str | None = None
    asset_type: str | None = None
    quantity: str | None = None
    long_short: str | None = None
    average_price: str | None = None
    last: str | None = None
    bid: str | None = None
    ask: str | None = None
    conversion_rate: str | None = None
    day_trade_requirement: str | None = None
    expiration_date: str | None = None
    initial_requirement: str | None = None
    maintenance_margin: str | None = None
    mark_to_market_price: str | None = None
    market_value: str | None = None
    timestamp: str | None = None
    todays_profit_loss: str | None = None
    total_cost: str | None = None
    unrealized_profit_loss: str | None = None
    unrealized_profit_loss_percent: str | None = None
    unrealized_profit_loss_qty: str | None = None
    deleted: Any = _UNSET  # a closed position: PositionDeleted, left to the generic parser


_decode_order = msgspec.json.Decoder(_OrderWire).decode
_decode_position = msgspec.json.Decoder(_PositionWire).decode
_new_order = positional_builder(Order)
_new_leg = positional_builder(OrderLeg)
_new_position = positional_builder(Position)


def decode_order_line(line: bytes) -> Order | None:
    """The :class:`Order` of one orders-stream line, or None: use the generic parser."""
    try:
        w = _decode_order(line)
    except Exception:  # malformed JSON, bad UTF-8, a value of an unexpected JSON type
        return None
    if (
        not w.order_id
        or w.heartbeat is not _UNSET
        or w.stream_status is not _UNSET
        or w.error is not _UNSET
        or w.conditional_orders is not None
        or w.trailing_stop is not None
        or w.market_activation_rules is not None
        or w.time_activation_rules is not None
    ):
        return None
    try:
        legs = _LEG_LISTS[bytes(w.legs)]
    except Exception:  # legs of a shape the wire records refuse: the generic parser decides
        return None
    d = _DEC
    t = _TIME
    s = _STR
    return _new_order(  # positional, in Order's field order; `x or None` is opt_str on str
        w.order_id,
        s[w.account_id] or None,
        s[w.status] or None,
        s[w.status_description] or None,
        s[w.order_type] or None,
        s[w.duration] or None,
        legs,
        d[w.limit_price],
        d[w.stop_price],
        d[w.filled_price],
        t[w.opened_date_time],
        t[w.closed_date_time],
        t[w.good_till_date],
        d[w.commission_fee],
        s[w.currency] or None,
        s[w.routing] or None,
        w.reject_reason or None,
        w.group_name or None,
        w.advanced_options or None,
        (),
        None,
        (),
        (),
        d[w.price_used_for_buying_power],
        d[w.conversion_rate],
        d[w.show_only_quantity],
        w.spread or None,
        d[w.unbundled_route_fee],
    )


def _leg(g: _LegWire) -> OrderLeg:
    d = _DEC
    s = _STR
    return _new_leg(  # positional, in OrderLeg's field order
        s[g.symbol] or None,
        s[g.buy_or_sell] or None,
        d[g.quantity_ordered],
        d[g.exec_quantity],
        d[g.quantity_remaining],
        d[g.execution_price],
        s[g.asset_type] or None,
        s[g.open_or_close] or None,
        (g.option_type and s[g.option_type]) or None,  # options only: mostly absent
        d[g.strike_price],
        _TIME[g.expiration_date],
        (g.underlying and s[g.underlying]) or None,
    )


class _LegMemo(dict[_LegWire, OrderLeg]):
    """``legs[wire]`` = the OrderLeg of that wire leg, built once per distinct leg.

    An order's frames repeat its leg unchanged through every status change (only a fill
    changes it): a hit is one C hash and lookup of the frozen wire struct instead of a dozen
    conversions and a build, and equal legs of the book's orders are one object. Bounded
    like the other memos.
    """

    __slots__ = ()

    def __missing__(self, wire: _LegWire) -> OrderLeg:
        leg = _leg(wire)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[wire] = leg
        return leg


_LEGS = _LegMemo()
_decode_legs = msgspec.json.Decoder(list[_LegWire] | None).decode


class _LegListMemo(dict[bytes, tuple[OrderLeg, ...]]):
    """``lists[text]`` = the legs of an order's ``Legs`` JSON text, decoded once per text
    (each leg through ``_LEGS``, so equal legs of different orders stay one object). A
    text msgspec refuses raises, and the line goes the generic way. Bounded like the
    other memos."""

    __slots__ = ()

    def __missing__(self, text: bytes) -> tuple[OrderLeg, ...]:
        wires = _decode_legs(text)
        legs = tuple(map(_LEGS.__getitem__, wires)) if wires else ()
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[text] = legs
        return legs


_LEG_LISTS = _LegListMemo()


def decode_position_line(line: bytes) -> Position | None:
    """The :class:`Position` of one positions-stream line, or None: use the generic parser."""
    try:
        w = _decode_position(line)
    except Exception:
        return None
    if (
        not w.position_id
        or w.deleted is not _UNSET
        or w.heartbeat is not _UNSET
        or w.stream_status is not _UNSET
        or w.error is not _UNSET
    ):
        return None
    d = _DEC
    t = _TIME
    return _new_position(  # positional, in Position's field order
        w.position_id,
        w.account_id or None,
        w.symbol or None,
        w.asset_type or None,
        d[w.quantity],
        w.long_short or None,
        d[w.average_price],
        d[w.last],
        d[w.bid],
        d[w.ask],
        d[w.conversion_rate],
        d[w.day_trade_requirement],
        t[w.expiration_date],
        d[w.initial_requirement],
        d[w.maintenance_margin],
        d[w.mark_to_market_price],
        d[w.market_value],
        t[w.timestamp],
        d[w.todays_profit_loss],
        d[w.total_cost],
        d[w.unrealized_profit_loss],
        d[w.unrealized_profit_loss_percent],
        d[w.unrealized_profit_loss_qty],
    )
