"""Options on the command line: `get expirations|strikes|spreadtypes|riskreward`, `stream
chain|option-quotes`, and option orders (`order confirm|place --legs` or `--body` with Legs).

- ``tstui get expirations UNDERLYING [--strike K]``: the listed expirations (date, type, days).
- ``tstui get strikes UNDERLYING [--spread-type T --interval N --expiration D --expiration2 D]``:
  one row per spread (one strike for Single, three for a Butterfly...).
- ``tstui get spreadtypes``; ``tstui get riskreward --body FILE|-`` (the spec's
  ``RiskRewardAnalysisInput``: ``{"SpreadPrice": 0.24, "Legs": [{"Symbol", "Quantity",
  "TradeAction": "BUY"|"SELL"}]}``; checked before it is sent, fields named).
- ``tstui stream chain UNDERLYING [--expiration D] [--strikes N] [--spread-type T] ...`` and
  ``tstui stream option-quotes --leg SYMBOL[:RATIO] ...``: one line per spread frame.
- ``tstui order confirm|place --legs "SYM:QTY:ACTION,..." [--type Limit --limit NET]``, or
  ``--body`` with ``Legs``, or ``--symbol`` naming one option contract (sent as its one leg):
  the same confirm-then-place path as every order (one question, one send, the audit log,
  the reconcile of a lost answer), with the legs' rules and the risk checks per leg and for
  the package (:mod:`tstui.domain.orders.legs`, ``check_legs_risk``). The net price is
  positive for a debit, negative for a credit.

``--json`` prints the API's bodies and frames as sent; tables and lines pass server text
through ``safe_text``. The commands' arguments: :mod:`tstui.cli.options_parser` (small, as
every command line builds the parser); this module loads only for an option command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.client.session import Session
    from tstui.client.streams import SupervisedStream
    from tstui.config import Settings
    from tstui.domain.options.wire import OptionSpread
    from tstui.domain.orders import FieldError, OrderLegRequest, OrderRequest
    from tstui.domain.orders.risk import RecentOrders

PRICE_WAIT_S = 5.0  # how long a leg's price may take to arrive on its option-quote stream


# -- get --------------------------------------------------------------------------------------


def _day(text: str | None, flag: str) -> date | None:
    """A date as typed: YYYY-MM-DD or MM-DD-YYYY (with - or /)."""
    if text is None:
        return None
    value = text.strip().replace("/", "-")
    for pattern in ("%Y-%m-%d", "%m-%d-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{flag} {text!r}: use YYYY-MM-DD or MM-DD-YYYY")


def _number(text: str | None, flag: str) -> Decimal | None:
    """A number as a trader types it (the ticket's rules: no exponents, "1,5" refused)."""
    if text is None:
        return None
    from tstui.domain.orders.ticket import plain_number

    value = plain_number(text)
    if value is None:
        raise ValueError(f"{flag}: {text!r} is not a number")
    return value


async def run_option_get(settings: Settings, args: argparse.Namespace) -> int:
    """`tstui get expirations|strikes|spreadtypes|riskreward`."""
    from tstui.cli.common import open_session, print_json, wants_json

    # Everything typed is checked before the session opens: a mistake sends nothing.
    request = _risk_reward_request(args) if args.what == "riskreward" else None
    strike = _number(args.strike, "--strike") if args.what == "expirations" else None
    dates = (
        (_day(args.expiration, "--expiration"), _day(args.expiration2, "--expiration2"))
        if args.what == "strikes"
        else (None, None)
    )
    async with open_session(settings) as session:
        api = session.api
        if request is not None:
            body = await api.get_option_risk_reward_body(request)
        elif args.what == "expirations":
            body = await api.get_option_expirations_body(args.underlying, strike_price=strike)
        elif args.what == "strikes":
            body = await api.get_option_strikes_body(
                args.underlying,
                spread_type=args.spread_type,
                strike_interval=args.interval,
                expiration=dates[0],
                expiration2=dates[1],
            )
        else:
            body = await api.get_option_spread_types_body()
    if wants_json(args):
        print_json(body)
        return 0
    return _show(args.what, body)


def _risk_reward_request(args: argparse.Namespace) -> Any:
    from tstui.cli.order_input import read_body
    from tstui.domain.options.wire import RiskRewardRequest

    raw = read_body(args.body)
    try:
        return RiskRewardRequest.from_api(raw)
    except ValueError as exc:
        raise ValueError(f"--body: {exc}") from None


def _show(what: str, body: Any) -> int:
    from tstui.cli.common import print_rows
    from tstui.domain.options import wire

    if what == "expirations":
        today = datetime.now(UTC).date()
        rows = [
            (e.date.isoformat(), e.type, (e.date - today).days)
            for e in wire.parse_expirations(body)
        ]
        print_rows(("Expiration", "Type", "Days"), rows, empty="no expirations")
    elif what == "strikes":
        strikes = wire.Strikes.from_api(body)
        width = max((len(row) for row in strikes.strikes), default=1)
        headers = ("Strike",) if width == 1 else tuple(f"Strike {i + 1}" for i in range(width))
        if strikes.spread_type:
            print(f"{_safe(strikes.spread_type)} strikes")
        print_rows(headers, [tuple(row) for row in strikes.strikes], empty="no strikes")
    elif what == "spreadtypes":
        print_rows(
            ("Spread type", "Strike interval", "Two expirations"),
            [
                (s.name, _yes(s.strike_interval), _yes(s.expiration_interval))
                for s in wire.parse_spread_types(body)
            ],
            empty="no spread types",
        )
    else:
        _print_risk_reward(wire.RiskRewardAnalysis.from_api(body))
    return 0


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _safe(value: Any) -> str:
    from tstui.domain.untrusted import safe_text
    from tstui.output import format_cell

    return safe_text(format_cell(value))


def _print_risk_reward(result: Any) -> None:
    def amount(infinite: bool | None, value: Decimal | None) -> str:
        if infinite:
            return "unlimited"
        return "-" if value is None else _safe(value)

    points = ", ".join(_safe(p) for p in result.breakeven_points) or "-"
    for label, text in (
        ("Max gain", amount(result.max_gain_is_infinite, result.adjusted_max_gain)),
        ("Max loss", amount(result.max_loss_is_infinite, result.adjusted_max_loss)),
        ("Break-evens", points),
    ):
        print(f"{label:<13}{text}")


# -- stream -----------------------------------------------------------------------------------


def open_option_stream(api: TradeStationAPI, args: argparse.Namespace) -> SupervisedStream[Any]:
    """The stream `tstui stream chain|option-quotes` reads."""
    greeks = False if args.no_greeks else None
    if args.what == "chain":
        return api.stream_option_chain(
            args.underlying,
            expiration=_day(args.expiration, "--expiration"),
            expiration2=_day(args.expiration2, "--expiration2"),
            strike_proximity=args.strikes,
            spread_type=args.spread_type,
            strike_interval=args.interval,
            price_center=_number(args.center, "--center"),
            enable_greeks=greeks,
            strike_range=args.strike_range,
            option_type=args.option_type,
        )
    from tstui.domain.options.wire import OptionQuoteLeg

    legs = [OptionQuoteLeg.parse(text) for arg in args.leg for text in arg.split(",") if text]
    return api.stream_option_quotes(legs, enable_greeks=greeks)


def spread_line(event: Any) -> str | None:
    """One line per chain/option-quote frame, or None for another kind of event."""
    from tstui.domain.options.wire import OptionSpread

    if not isinstance(event, OptionSpread):
        return None
    return _labelled(
        ("", _legs_text(event)),
        ("", event.side if len(event.legs) > 1 else None),
        ("bid", _sized(event.bid, event.bid_size)),
        ("ask", _sized(event.ask, event.ask_size)),
        ("mid", event.mid),
        ("last", event.last),
        ("vol", event.volume),
        ("OI", event.daily_open_interest),
        ("IV", event.implied_volatility),
        ("delta", event.delta),
        ("gamma", event.gamma),
        ("theta", event.theta),
        ("vega", event.vega),
        ("theo", event.theoretical_value),
        ("P(ITM)", event.probability_itm),
    )


def _legs_text(spread: OptionSpread) -> str:
    if len(spread.legs) == 1:
        return spread.legs[0].symbol
    parts = []
    for leg in spread.legs:
        ratio = leg.ratio if leg.ratio is not None else 1
        parts.append(f"{'+' if ratio > 0 else ''}{ratio} {leg.symbol}")
    return " ".join(parts)


def _sized(price: Decimal | None, size: int | None) -> str | None:
    if price is None:
        return None
    return f"{_safe(price)} x{size}" if size is not None else _safe(price)


def _labelled(*pairs: tuple[str, Any]) -> str:
    present = [(label, value) for label, value in pairs if value not in (None, "")]
    return " ".join(
        f"{label} {_safe(value)}" if label else _safe(value) for label, value in present
    )


# -- orders with legs -------------------------------------------------------------------------

DefaultAccount = Callable[["Session", "Settings", str | None], Awaitable[str]]
RecentOf = Callable[["Settings", "OrderRequest"], "RecentOrders"]
_SINGLE_FLAGS = ("symbol", "action", "qty")


async def build_legs_request(
    session: Session,
    settings: Settings,
    args: argparse.Namespace,
    *,
    risk: bool,
    default_account: DefaultAccount,
    recent_of: RecentOf,
) -> tuple[OrderRequest, list[FieldError]]:
    """An option order from `--legs` and the flags, or from a `--body` with Legs: checked by
    the legs' rules, then (``risk``) per leg and as a package. Errors are printed and stop
    here (ValueError), before any request that could send; the warnings are returned."""
    from tstui.cli.common import wants_json
    from tstui.domain.orders.legs import describe_legs, legs_underlying, validate_legs
    from tstui.domain.orders.risk import check_legs_risk
    from tstui.domain.untrusted import safe_text

    loaded = getattr(args, "loaded_body", None)
    if loaded is not None:
        request = await _from_body(session, settings, loaded, default_account)
    else:
        request = await _from_flags(session, settings, args, default_account)
    now = datetime.now(UTC)
    problems = validate_legs(request, today=now.date())
    if risk and not any(p.severity == "error" for p in problems):
        multiplier = _multiplier(legs_underlying(request.legs))
        prices = await leg_prices(session, [leg.symbol for leg in request.legs])
        problems += check_legs_risk(
            request,
            prices,
            settings.risk_limits,
            recent_of(settings, request),
            now,
            positions=await _positions(session, request.account_id),
            multiplier=multiplier,
        )
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(f"tstui: error: {problem.field}: {safe_text(problem.message)}", file=sys.stderr)
    if errors:
        raise ValueError("the order was not sent (see the errors above)")
    if not wants_json(args):
        net = request.limit_price
        price = "" if net is None else f" at net {_safe(net)} ({'credit' if net < 0 else 'debit'})"
        print(safe_text(f"{request.order_type}{price}: {describe_legs(request)}"))
    return request, [p for p in problems if p.severity != "error"]


async def _account(
    session: Session, settings: Settings, legs: Sequence[OrderLegRequest], default: DefaultAccount
) -> str:
    from tstui.domain.orders.legs import legs_underlying
    from tstui.domain.orders.ticket import infer_asset_type

    root = legs_underlying(legs)
    futures = root is not None and infer_asset_type(root) == "FUTURE"
    return await default(session, settings, "FUTUREOPTION" if futures else "STOCKOPTION")


async def _from_flags(
    session: Session, settings: Settings, args: argparse.Namespace, default: DefaultAccount
) -> OrderRequest:
    from tstui.domain.orders import OrderRequest, new_order_confirm_id
    from tstui.domain.orders.legs import parse_legs_text

    given = [f"--{name}" for name in _SINGLE_FLAGS if getattr(args, name, None)]
    if args.legs and given:
        raise ValueError(f"--legs holds the symbols, quantities and actions: drop {given[0]}")
    if not args.legs:  # --symbol names one option contract: it is the order's one leg
        missing = [f"--{name}" for name in _SINGLE_FLAGS if not getattr(args, name, None)]
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (or pass the legs as --legs)")
        text = f"{args.symbol.strip()}:{args.qty.strip()}:{args.action}"
    else:
        text = args.legs
    try:
        legs = parse_legs_text(text)
    except ValueError as exc:
        raise ValueError(f"--legs: {exc}" if args.legs else str(exc)) from None
    limit = _number(args.limit, "--limit")
    stop = _number(args.stop, "--stop")
    order_type = args.order_type or ("Limit" if limit is not None else "Market")
    if order_type in ("Limit", "StopLimit") and limit is None:
        raise ValueError(f"--type {order_type} needs --limit (the net price; negative: a credit)")
    if order_type in ("StopMarket", "StopLimit") and stop is None:
        raise ValueError(f"--type {order_type} needs --stop")
    try:
        return OrderRequest(
            account_id=await _account(session, settings, legs, default),
            order_type=order_type,
            order_confirm_id=new_order_confirm_id(),
            duration=args.tif or "DAY",
            limit_price=limit,
            stop_price=stop,
            route=args.route or None,
            legs=legs,
        )
    except ValueError as exc:
        raise ValueError(_shape_message(exc)) from None


async def _from_body(
    session: Session, settings: Settings, body: Mapping[str, Any], default: DefaultAccount
) -> OrderRequest:
    from tstui.domain.orders import OrderRequest

    data = dict(body)
    data.setdefault("OrderType", "Market")
    try:
        if not data.get("AccountID"):
            from tstui.domain.orders.request import OrderLegRequest

            raw_legs = data.get("Legs")
            legs = [
                OrderLegRequest.from_api(leg, where=f"Legs[{i}].")
                for i, leg in enumerate(raw_legs if isinstance(raw_legs, list) else ())
            ]
            data["AccountID"] = await _account(session, settings, legs, default)
        return OrderRequest.from_api(data, fresh_ids=True)
    except ValueError as exc:
        raise ValueError(f"--body: {_shape_message(exc)}") from None


def _shape_message(exc: ValueError) -> str:
    return str(exc).replace("invalid order request: ", "")


def _multiplier(root: str | None) -> Decimal:
    """Units of the underlying per contract: 100 shares, or a futures option's point value."""
    from tstui.domain.market import futures

    if root is not None:
        try:
            return futures.product(futures.parse_contract(root).root).point_value
        except (ValueError, KeyError):
            pass
    return Decimal(100)


async def _positions(session: Session, account: str) -> dict[str, Decimal]:
    """The account's signed position per symbol (tells which legs only reduce one)."""
    batch = await session.api.get_positions([account])
    held: dict[str, Decimal] = {}
    for position in batch.items:
        symbol = (position.symbol or "").upper()
        held[symbol] = held.get(symbol, Decimal(0)) + position.signed_quantity
    return held


async def leg_prices(session: Session, symbols: Sequence[str]) -> dict[str, Decimal | None]:
    """Each leg's price for the risk checks: an option contract's mid (else last) from the
    first frame of its own option-quote stream (the option market's own figures, all legs at
    once), a stock leg's last from the quotes endpoint; None when nothing answers within
    ``PRICE_WAIT_S``."""
    import asyncio  # here: the parser imports this module, and asyncio waits for a command

    from tstui.client.errors import TradeStationError
    from tstui.domain.orders.legs import contract_of

    options = [symbol for symbol in symbols if contract_of(symbol) is not None]
    stocks = [symbol for symbol in symbols if symbol not in options]
    prices: dict[str, Decimal | None] = {symbol: None for symbol in symbols}
    if stocks:
        try:
            batch = await session.api.get_quotes(stocks)
        except TradeStationError:
            batch = None
        for quote in batch.items if batch is not None else ():
            if quote.symbol.upper() in prices:
                prices[quote.symbol.upper()] = quote.last if quote.last is not None else quote.mid
    found = await asyncio.gather(*(_streamed_price(session, symbol) for symbol in options))
    prices.update(zip(options, found, strict=True))
    return prices


async def _streamed_price(session: Session, symbol: str) -> Decimal | None:
    import asyncio

    from tstui.client.errors import TradeStationError
    from tstui.domain.options.wire import OptionQuoteLeg, OptionSpread

    try:
        stream = session.api.stream_option_quotes(
            [OptionQuoteLeg(symbol=symbol)], enable_greeks=False
        )
    except (TradeStationError, ValueError):
        return None
    try:
        async with asyncio.timeout(PRICE_WAIT_S):
            async for event in stream:
                if isinstance(event, OptionSpread):
                    return event.mid if event.mid is not None else event.last
    except (TimeoutError, TradeStationError):
        return None
    finally:
        await stream.aclose()
    return None
