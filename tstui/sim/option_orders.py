"""Option orders in the simulator: series as instruments, option actions, multi-leg packages
(net price, spread type), the account's option approval level and what a package needs.

Prices of a package are **net** prices per package unit and per share, signed as
TradeStation signs them: a debit is positive, a credit negative (the spec's "Iron Condor
(Sell Entry)" example sends ``"LimitPrice": "-20"``). A package unit is one contract of the
smallest leg (a stock leg counts 100 shares as one unit), so a 1x2 ratio spread of 5 units
trades 5 and 10 contracts. A package is "bought" at its net: a Limit package fills when the
market net (buys at the ask, sells at the bid) is at or below the limit (a credit limit of
-0.20 fills when the market pays 0.20 or more), at that market net.

Approval levels (``AccountDetail.OptionApprovalLevel``, the spec's own field, 0-5; what each
level allows follows the spec's description of the field):

====  =====================================================================================
0     no options
1     covered calls (a short call against 100 shares each, held or bought in the package),
      protective puts (a long put against 100 shares each held or bought)
2     level 1 + long calls and puts, covered puts (a short put against short stock)
3     level 2 + spreads: every short option leg covered by a long leg of the same type in
      the same package expiring no earlier (verticals, butterflies, condors, iron ones,
      calendars; diagonals when the long leg is the later one)
4     level 3 + naked short puts
5     level 4 + naked short calls
====  =====================================================================================

Closing an option position (``BUYTOCLOSE``/``SELLTOCLOSE``) is always allowed: it only takes
risk off. Futures options follow the same table (the futures account carries level 5).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from tstui.domain.options.payoff import PayoffLeg, risk_reward
from tstui.domain.options.pricing import expiry_instant
from tstui.domain.options.symbology import OptionType, parse_option_symbol
from tstui.sim.instruments import Instrument, lookup
from tstui.sim.intake import LegIntent, OrderIntent
from tstui.sim.records import BUY_ACTIONS, OPTION_ACTIONS, SimAccount, SimOrder

OPTION_ASSETS = frozenset({"STOCKOPTION", "FUTUREOPTION"})
OPENING_ACTIONS = frozenset({"BUYTOOPEN", "SELLTOOPEN"})
# a stock leg of a package (Covered, Collar) may carry the option actions, as in the spec's
# "Covered/Married Stock" example: they read as these stock actions
STOCK_LEG_ACTIONS = {
    "BUYTOOPEN": "BUY",
    "SELLTOCLOSE": "SELL",
    "SELLTOOPEN": "SELLSHORT",
    "BUYTOCLOSE": "BUYTOCOVER",
}
SHARES_PER_CONTRACT = 100
STOCK_OPTION_MULTIPLIER = Decimal(SHARES_PER_CONTRACT)
OPTION_COMMISSION = Decimal("0.60")  # per contract per side
MAX_LEGS = 4
NAKED_RATE = Decimal("0.2")  # a naked short call needs 20% of the underlying's value
APPROVAL_LEVELS: dict[int, str] = {
    0: "no options",
    1: "covered calls and protective puts",
    2: "level 1 + long calls and puts, covered puts",
    3: "level 2 + spreads (every short leg covered by a long leg)",
    4: "level 3 + naked short puts",
    5: "level 4 + naked short calls",
}
_ZERO = Decimal(0)

Quote = tuple[Decimal, Decimal, Decimal]  # last, bid, ask


@dataclass(frozen=True, slots=True)
class OptionSeries:
    """One listed option contract, as read from its symbol."""

    symbol: str
    underlying: str  # the stock or the futures contract
    expiration: date
    option_type: OptionType
    strike: Decimal
    asset_type: str  # "STOCKOPTION" | "FUTUREOPTION"
    multiplier: Decimal  # 100 shares, or the future's point value

    @property
    def is_call(self) -> bool:
        return self.option_type is OptionType.CALL

    @property
    def expires_at(self) -> datetime:
        return expiry_instant(self.expiration)

    @property
    def wire_type(self) -> str:
        """``OptionType`` on an order leg: ``CALL`` or ``PUT``."""
        return "CALL" if self.is_call else "PUT"

    @property
    def underlying_units(self) -> Decimal:
        """Shares (or futures contracts) one contract delivers on exercise."""
        return STOCK_OPTION_MULTIPLIER if self.asset_type == "STOCKOPTION" else Decimal(1)

    def intrinsic(self, underlying: Decimal) -> Decimal:
        gap = underlying - self.strike if self.is_call else self.strike - underlying
        return max(_ZERO, gap)


def series_of(symbol: str, at: datetime) -> OptionSeries | None:
    """The option ``symbol`` names, on an underlying the simulator carries; None otherwise
    (not an option symbol, an unknown or continuous underlying)."""
    try:
        parsed = parse_option_symbol(symbol)
    except ValueError:
        return None
    base = lookup(parsed.root, at)
    if base is None or base.underlying is not None:
        return None
    futures = base.is_future
    return OptionSeries(
        parsed.symbol,
        base.symbol,
        parsed.expiration,
        parsed.option_type,
        parsed.strike,
        "FUTUREOPTION" if futures else "STOCKOPTION",
        base.point_value if futures else STOCK_OPTION_MULTIPLIER,
    )


def option_instrument(series: OptionSeries, at: datetime) -> Instrument | None:
    """The option as an instrument (tick, point value, expiration) for the engine's ledger."""
    base = lookup(series.underlying, at)
    if base is None:
        return None
    kind = "Call" if series.is_call else "Put"
    return Instrument(
        series.symbol,
        series.underlying,
        series.asset_type,
        f"{base.description} {series.expiration:%b %d %Y} {series.strike} {kind}",
        base.exchange,
        Decimal("0.01"),
        series.multiplier,
        2,
        base.base_price,
        series.expiration,
    )


def option_tick(price: Decimal) -> Decimal:
    """The option market's tick: 0.01 under 3.00, 0.05 from there (as tstui.sim.options_quotes
    quotes them; that module imports the engine, so the rule is restated here)."""
    return Decimal("0.01") if price < 3 else Decimal("0.05")


def is_option(inst: Instrument | None) -> bool:
    return inst is not None and inst.asset_type in OPTION_ASSETS


def open_or_close(trade_action: str) -> str:
    return "Open" if trade_action in OPENING_ACTIONS else "Close"


def is_buy(trade_action: str) -> bool:
    return trade_action in BUY_ACTIONS


# ----- packages -------------------------------------------------------------------------
class Leg(NamedTuple):
    """One leg of a package: ``ratio`` contracts (or shares, for a stock leg) per unit."""

    symbol: str
    ratio: Decimal
    trade_action: str


def package_legs(legs: Sequence[LegIntent]) -> tuple[Decimal, tuple[Leg, ...]] | str:
    """(units, legs with their ratios) of requested legs, or why they do not make a package.
    A stock leg counts in lots of 100 shares; the units are the legs' greatest common
    divisor."""
    counts: list[int] = []
    for i, leg in enumerate(legs):
        qty = leg.quantity
        if qty <= 0 or qty != qty.to_integral_value():
            return f"Legs[{i}].Quantity must be a whole number greater than zero."
        if _is_stock_leg(leg.symbol):
            if qty % SHARES_PER_CONTRACT:
                return f"Legs[{i}].Quantity: a stock leg trades in lots of 100 shares."
            qty = qty / SHARES_PER_CONTRACT
        counts.append(int(qty))
    units = math.gcd(*counts)
    built = tuple(Leg(leg.symbol, leg.quantity / units, leg.trade_action) for leg in legs)
    return Decimal(units), built


def _is_stock_leg(symbol: str) -> bool:
    try:
        parse_option_symbol(symbol)
    except ValueError:
        return True
    return False


def order_legs(order: SimOrder) -> tuple[Leg, ...]:
    return tuple(Leg(symbol, ratio, action) for symbol, ratio, action in order.legs)


def leg_units(leg: Leg) -> Decimal:
    """The leg's ratio in package units (a stock leg's shares / 100)."""
    return leg.ratio / SHARES_PER_CONTRACT if _is_stock_leg(leg.symbol) else leg.ratio


def leg_touch(leg: Leg, quote: Quote) -> Decimal:
    """Where the leg trades at market: buys at the ask, sells at the bid."""
    return quote[2] if is_buy(leg.trade_action) else quote[1]


def net_price(legs: Sequence[Leg], prices: Sequence[Decimal]) -> Decimal:
    """The package's net per unit and share: buys add, sells subtract (a debit is > 0)."""
    total = _ZERO
    for leg, price in zip(legs, prices, strict=True):
        sign = 1 if is_buy(leg.trade_action) else -1
        total += sign * leg_units(leg) * price
    return total


_RATIO_NAMES = {
    (1, 1): "Vertical",
    (1, 2): "RatioBack1x2",
    (1, 3): "RatioBack1x3",
    (2, 3): "RatioBack2x3",
}


def spread_name(legs: Sequence[Leg], series: Sequence[OptionSeries | None]) -> str:
    """The spec's spread type this package is (``GET .../options/spreadtypes`` names); a
    shape none of them names is a "Combo"."""
    options = [(leg, s) for leg, s in zip(legs, series, strict=True) if s is not None]
    stock = len(legs) - len(options)
    if stock:
        types = {s.option_type for _, s in options}
        return "Collar" if len(options) == 2 and len(types) == 2 else "Covered"
    if len(options) == 1:
        return "Single"
    ratios = [leg.ratio for leg, _ in options]
    buys = [is_buy(leg.trade_action) for leg, _ in options]
    types_ = [s.option_type for _, s in options]
    strikes = [s.strike for _, s in options]
    expiries = {s.expiration for _, s in options}
    if len(options) == 2:
        if len(expiries) == 2:
            return "Calendar" if strikes[0] == strikes[1] else "Diagonal"
        if types_[0] != types_[1]:
            if buys[0] == buys[1]:
                return "Straddle" if strikes[0] == strikes[1] else "Strangle"
            return "Combo"
        if buys[0] != buys[1] and strikes[0] != strikes[1]:
            low, high = sorted(int(r) for r in ratios)
            name = _RATIO_NAMES.get((low, high))
            if name is not None:
                return name
        return "Combo"
    if len(expiries) != 1:
        return "Combo"
    by_strike = sorted(zip(strikes, ratios, buys, types_, strict=True))
    if len(options) == 3 and len(set(types_)) == 1:
        (_, r0, b0, _), (_, r1, b1, _), (_, r2, b2, _) = by_strike
        if r0 == r2 and r1 == 2 * r0 and b0 == b2 != b1:
            return "Butterfly"
    if len(options) == 4:
        wings = by_strike[0][2] == by_strike[3][2] != by_strike[1][2] == by_strike[2][2]
        if len(set(ratios)) == 1 and wings:
            if len(set(types_)) == 1:
                return "Condor"
            return "IronButterfly" if by_strike[1][0] == by_strike[2][0] else "IronCondor"
    return "Combo"


# ----- approval -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Need:
    level: int
    what: str


_NONE = Need(0, "")


def approval_need(
    legs: Sequence[Leg],
    units: Decimal,
    series: Sequence[OptionSeries | None],
    shares_held: Decimal,
) -> Need:
    """The approval level a package needs (see the module's table), with what asks for it.
    ``shares_held``: the account's position in the underlying (negative when short)."""
    shares = shares_held
    for leg, s in zip(legs, series, strict=True):
        if s is None:  # a stock leg in the package covers like stock held
            sign = 1 if is_buy(stock_action(leg.trade_action)) else -1
            shares += sign * leg.ratio * units
    need = _NONE
    for option_type in (OptionType.CALL, OptionType.PUT):
        longs: list[tuple[date, Decimal]] = []
        shorts: list[tuple[date, Decimal]] = []
        for leg, s in zip(legs, series, strict=True):
            if s is None or s.option_type is not option_type:
                continue
            if leg.trade_action == "BUYTOOPEN":
                longs.append((s.expiration, leg.ratio * units))
            elif leg.trade_action == "SELLTOOPEN":
                shorts.append((s.expiration, leg.ratio * units))
        uncovered, spread = _uncovered(shorts, longs)
        call = option_type is OptionType.CALL
        if spread:
            need = _more(need, Need(3, "a spread"))
        if uncovered > 0:
            # stock covers what the option legs do not: long stock a call, short stock a put
            stock = max(_ZERO, shares if call else -shares) / SHARES_PER_CONTRACT
            covered = min(uncovered, stock.to_integral_value(rounding="ROUND_FLOOR"))
            if covered > 0:
                need = _more(need, Need(1, "covered calls") if call else Need(2, "covered puts"))
            if uncovered > covered:
                need = _more(
                    need, Need(5, "naked short calls") if call else Need(4, "naked short puts")
                )
        bought = sum((count for _, count in longs), _ZERO)
        if bought > 0:
            protective = not call and shares >= bought * SHARES_PER_CONTRACT
            need = _more(
                need,
                Need(1, "protective puts") if protective else Need(2, "buying calls or puts"),
            )
    return need


def _uncovered(
    shorts: list[tuple[date, Decimal]], longs: list[tuple[date, Decimal]]
) -> tuple[Decimal, bool]:
    """(short contracts no long covers, whether any long covers a short). A long covers a
    short of the same type expiring no later than it."""
    pool = _ZERO
    left = _ZERO
    covered_any = False
    longs_by_exp = sorted(longs, reverse=True)
    j = 0
    for expiry, count in sorted(shorts, reverse=True):
        while j < len(longs_by_exp) and longs_by_exp[j][0] >= expiry:
            pool += longs_by_exp[j][1]
            j += 1
        used = min(pool, count)
        covered_any = covered_any or used > 0
        pool -= used
        left += count - used
    return left, covered_any


def _more(a: Need, b: Need) -> Need:
    return b if b.level > a.level else a


def stock_action(action: str) -> str:
    return STOCK_LEG_ACTIONS.get(action, action)


def approval_refusal(account: SimAccount, need: Need) -> str | None:
    if need.level <= account.option_level:
        return None
    return (
        f"Option approval level {account.option_level} of account {account.account_id}"
        f" does not allow {need.what} (level {need.level} needed)."
    )


# ----- validation -----------------------------------------------------------------------
class Book(NamedTuple):
    """What the checks read of the engine: instruments, series, quotes and positions."""

    now: datetime
    instrument: Callable[[str], Instrument | None]
    series: Callable[[str], OptionSeries | None]
    quote: Callable[[str], Quote]
    held: Callable[[str], Decimal]  # the account's position in a symbol (signed)


def requested_legs(intent: OrderIntent) -> tuple[Decimal, tuple[Leg, ...]] | str:
    """The package an intent asks for: its own Legs, or the one leg of a single order."""
    if intent.legs:
        return package_legs(intent.legs)
    return intent.quantity, (Leg(intent.symbol, Decimal(1), intent.trade_action),)


def option_rejection(
    account: SimAccount,
    intent: OrderIntent,
    book: Book,
    buying_power: Decimal,
    *,
    check_funds: bool = True,
) -> str | None:
    """Why an option order (single or a package) must be rejected, or None."""
    found = requested_legs(intent)
    if isinstance(found, str):
        return found
    units, legs = found
    named = bool(intent.legs)  # errors name Legs[i] when the order has them
    if units <= 0 or units != units.to_integral_value():
        return "Quantity must be a whole number greater than zero."
    if len(legs) > MAX_LEGS:
        return f"Legs: at most {MAX_LEGS} legs make one order."
    if len({leg.symbol for leg in legs}) != len(legs):
        return "Legs: each symbol may appear in one leg only."
    series: list[OptionSeries | None] = []
    underlyings: set[str] = set()
    for i, leg in enumerate(legs):
        inst = book.instrument(leg.symbol)
        if inst is None:
            return f"{_at(named, i)}Symbol: {leg.symbol} is not a valid symbol."
        s = book.series(leg.symbol) if is_option(inst) else None
        if s is not None:
            problem = _option_leg_problem(account, leg, inst, s, book, units, _at(named, i))
            series.append(s)
            underlyings.add(s.underlying)
        else:
            problem = _stock_leg_problem(account, leg, inst, _at(named, i))
            series.append(None)
            underlyings.add(inst.symbol)
        if problem is not None:
            return problem
    if len(underlyings) > 1:
        return "Legs: every leg of a multi-leg order must be on the same underlying."
    if len(legs) > 1 and all(s is None for s in series):
        return "Legs: a multi-leg order needs at least one option leg."
    underlying = next(iter(underlyings))
    problem = _price_problem(intent, len(legs) > 1)
    if problem is not None:
        return problem
    need = approval_need(legs, units, series, book.held(underlying))
    refusal = approval_refusal(account, need)
    if refusal is not None:
        return refusal
    if not check_funds:
        return None
    required = package_requirement(intent, legs, units, series, book)
    if required > buying_power:
        return f"Insufficient buying power: requires {required:.2f}, available {buying_power:.2f}."
    return None


def _option_leg_problem(
    account: SimAccount,
    leg: Leg,
    inst: Instrument,
    series: OptionSeries,
    book: Book,
    units: Decimal,
    where: str,
) -> str | None:
    if leg.trade_action not in OPTION_ACTIONS:
        return (
            f"{where}TradeAction {leg.trade_action} is not valid for {inst.asset_type}:"
            " use BUYTOOPEN, BUYTOCLOSE, SELLTOOPEN or SELLTOCLOSE."
        )
    futures = series.asset_type == "FUTUREOPTION"
    if futures != account.trades_futures:
        kind = "futures options" if futures else "stock options"
        return f"Account {account.account_id} cannot trade {kind}."
    if book.now >= series.expires_at:
        return f"{where}Symbol: {leg.symbol} expired on {series.expiration.isoformat()}."
    if open_or_close(leg.trade_action) == "Close":
        held = book.held(leg.symbol)
        wanted = leg.ratio * units
        long_close = leg.trade_action == "SELLTOCLOSE"
        side = held if long_close else -held
        if side < wanted:
            kind = "long" if long_close else "short"
            have = f"only {max(side, _ZERO)}" if side > 0 else "no"
            return (
                f"{where}TradeAction {leg.trade_action}: {leg.symbol} has {have} {kind}"
                f" contracts to close ({wanted} ordered)."
            )
    return None


def _stock_leg_problem(account: SimAccount, leg: Leg, inst: Instrument, where: str) -> str | None:
    if inst.is_future or inst.underlying is not None:
        return f"{where}Symbol: {leg.symbol} cannot be a leg: legs are options or their stock."
    action = stock_action(leg.trade_action)
    if action not in ("BUY", "SELL", "SELLSHORT", "BUYTOCOVER"):
        return f"{where}TradeAction {leg.trade_action} is not valid for STOCK."
    if action == "SELLSHORT" and account.account_type == "Cash":
        return "Short selling is not allowed in a cash account."
    if account.trades_futures:
        return f"Account {account.account_id} cannot trade equities."
    return None


def _at(named: bool, i: int) -> str:
    return f"Legs[{i}]." if named else ""


def _price_problem(intent: OrderIntent, package: bool) -> str | None:
    if package and intent.order_type not in ("Market", "Limit"):
        return "OrderType: a multi-leg order is Market or Limit."
    if intent.order_type in ("Limit", "StopLimit") and intent.limit_price is None:
        return "LimitPrice is required for this order type."
    stop_type = intent.order_type in ("StopMarket", "StopLimit")
    if stop_type and intent.stop_price is None and not intent.advanced.trailing:
        return "StopPrice is required for this order type."
    return option_price_problem(intent.limit_price, intent.stop_price, package=package)


def option_price_problem(
    limit: Decimal | None, stop: Decimal | None, *, package: bool
) -> str | None:
    """An option price off the option tick (or not above 0); a package's net is in pennies
    and may be 0 or negative (a credit)."""
    for name, value in (("LimitPrice", limit), ("StopPrice", stop)):
        if value is None:
            continue
        if not package and value <= 0:
            return f"{name} must be greater than zero."
        tick = Decimal("0.01") if package else option_tick(value)
        if value % tick:
            return f"{name} {value} is not a multiple of the tick size {tick}."
    return None


def package_requirement(
    intent: OrderIntent,
    legs: Sequence[Leg],
    units: Decimal,
    series: Sequence[OptionSeries | None],
    book: Book,
) -> Decimal:
    """Dollars the package ties up: what it pays (a debit), or its worst loss at expiry when
    that is bounded (a credit spread's width less the credit, a naked put's strike: cash
    secured), or for an unbounded loss (naked calls, less those the shares held cover) 20% of
    the underlying's value on top of what it pays."""
    if all(leg.trade_action in ("BUYTOCLOSE", "SELLTOCLOSE") for leg in legs):
        return _ZERO  # closing takes risk off
    prices = [leg_touch(leg, book.quote(leg.symbol)) for leg in legs]
    net = net_price(legs, prices)
    limit = intent.limit_price if intent.order_type == "Limit" else None
    if limit is not None:  # a single leg's limit is a price, a package's a signed net
        net = limit if len(legs) > 1 or is_buy(legs[0].trade_action) else -limit
    multiplier = next((s.multiplier for s in series if s is not None), STOCK_OPTION_MULTIPLIER)
    debit = net * units * multiplier
    payoff = [
        PayoffLeg(
            int((1 if is_buy(leg.trade_action) else -1) * leg.ratio * units),
            s.option_type if s else None,
            s.strike if s else None,
            s.multiplier if s else Decimal(1),
        )
        for leg, s in zip(legs, series, strict=True)
    ]
    outcome = risk_reward(payoff, debit)
    if outcome.max_loss is not None:
        return max(debit, -outcome.max_loss, _ZERO)
    underlying = next((s.underlying for s in series if s is not None), legs[0].symbol)
    spot = book.quote(underlying)[0]
    calls = sum(
        (
            (-1 if is_buy(leg.trade_action) else 1) * leg.ratio * units
            for leg, s in zip(legs, series, strict=True)
            if s is not None and s.is_call
        ),
        _ZERO,
    )
    # shares held cover calls written against them (a covered call ties up no more)
    held = max(_ZERO, book.held(underlying)) // SHARES_PER_CONTRACT
    naked = max(_ZERO, calls - held)
    return max(debit, _ZERO) + NAKED_RATE * spot * multiplier * naked


# ----- confirmation ---------------------------------------------------------------------
def confirmation_fields(intent: OrderIntent, book: Book) -> dict[str, Any]:
    """What an orderconfirm says of an option order beyond a plain one: the estimated price
    (a package's signed net), its cost, the debit (> 0) or credit (< 0), the legs."""
    found = requested_legs(intent)
    assert not isinstance(found, str)  # the order passed its checks
    units, legs = found
    series = [book.series(leg.symbol) for leg in legs]
    prices = [leg_touch(leg, book.quote(leg.symbol)) for leg in legs]
    package = len(legs) > 1
    net = net_price(legs, prices)
    if intent.order_type == "Limit" and intent.limit_price is not None:
        net = intent.limit_price if package or is_buy(legs[0].trade_action) else -intent.limit_price
    multiplier = next((s.multiplier for s in series if s is not None), STOCK_OPTION_MULTIPLIER)
    debit = net * units * multiplier
    contracts = sum((leg.ratio * units for leg, s in zip(legs, series, strict=True) if s), _ZERO)
    commission = OPTION_COMMISSION * contracts
    name = spread_name(legs, series)
    estimated = net if package else abs(net)
    kind = "debit" if net > 0 else ("credit" if net < 0 else "even")
    summary = (
        f"{name} {units} x "
        + " / ".join(f"{leg.trade_action} {leg.ratio} {leg.symbol}" for leg in legs)
        + f" {intent.order_type} {intent.duration} net {kind} {abs(net):.2f}"
    )
    fields: dict[str, Any] = {
        "SummaryMessage": summary,
        "EstimatedPrice": f"{estimated:.2f}",
        "EstimatedCost": f"{abs(debit):.2f}",
        "EstimatedCommission": f"{commission:.2f}",
        "DebitCreditEstimatedCost": f"{debit + commission:.2f}",
        # the spec's categories: EQUITY, STOCKOPTION, FUTURE (a futures option is FUTURE)
        "OrderAssetCategory": (
            "FUTURE" if any(s and s.asset_type == "FUTUREOPTION" for s in series) else "STOCKOPTION"
        ),
        "Legs": [
            _confirm_leg(leg, leg.ratio * units, s) for leg, s in zip(legs, series, strict=True)
        ],
    }
    if package:
        fields["Spread"] = name
    return fields


def _confirm_leg(leg: Leg, quantity: Decimal, series: OptionSeries | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Symbol": leg.symbol,
        "Quantity": str(quantity),
        "TradeAction": leg.trade_action,
    }
    if series is not None:
        body["StrikePrice"] = str(series.strike)
        body["OptionType"] = series.wire_type
        body["ExpirationDate"] = f"{series.expiration.isoformat()}T00:00:00Z"
    return body
