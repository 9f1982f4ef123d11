"""The option chain's view model: the chain book, its rows around the money, the column sets and
the spread being built from it (legs, templates). No textual here: tests drive it directly.

A chain stream sends one frame per option (a call or a put at one strike). ``ChainBook`` keeps
the latest of each by strike; ``window`` picks the strikes around the money (the strike nearest
the underlying's price, else where calls and puts cost the same: put-call parity) and says which
row is at the money. A ``Spread`` is a tuple of ``Leg`` (call/put, strike, signed ratio: + buy,
- sell) with the contract symbol the chain sent for it; the templates build the usual shapes
from the cursor's strike, ``width`` strikes apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Final

from tstui.domain.options.payoff import PayoffLeg
from tstui.domain.options.spreads import SHARES_PER_CONTRACT, build_spread
from tstui.domain.options.spreads import reverse as reverse_specs
from tstui.domain.options.symbology import OptionType
from tstui.domain.orders import format_decimal

__all__ = [
    "COLUMNS",
    "COLUMN_SETS",
    "STOCK_MULTIPLIER",
    "TEMPLATES",
    "ChainBook",
    "ChainRow",
    "ChainWindow",
    "Column",
    "Expiration",
    "Leg",
    "OptionQuote",
    "Spread",
    "build_template",
    "format_cell",
    "net_greeks",
    "net_price",
    "payoff_legs",
    "reverse",
    "spread_name",
    "template_strikes",
    "toggle_leg",
]


@dataclass(frozen=True, slots=True)
class OptionQuote:
    """One option of the chain as the view shows it (any field may be missing)."""

    symbol: str
    right: OptionType
    strike: Decimal
    expiration: date | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    mid: Decimal | None = None
    iv: Decimal | None = None
    delta: Decimal | None = None
    gamma: Decimal | None = None
    theta: Decimal | None = None
    vega: Decimal | None = None
    open_interest: int | None = None
    volume: int | None = None

    @property
    def price(self) -> Decimal | None:
        """What one contract costs per share for the spread's net: mid, else bid/ask, else last."""
        if self.mid is not None:
            return self.mid
        if self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) / 2
        return self.last


_Date = date  # the field below is called date


@dataclass(frozen=True, slots=True)
class Expiration:
    """A listed expiration: its date and the API's type (Weekly, Monthly, Quarterly...)."""

    date: _Date
    kind: str = ""

    def label(self, today: _Date) -> str:
        days = (self.date - today).days
        kind = f" {self.kind}" if self.kind else ""
        return f"{self.date.isoformat()}{kind} ({days}d)"


STOCK_MULTIPLIER: Final = Decimal(SHARES_PER_CONTRACT)


# -- columns ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # an OptionQuote attribute
    title: str
    width: int


COLUMNS: Final[dict[str, Column]] = {
    c.key: c
    for c in (
        Column("bid", "Bid", 7),
        Column("ask", "Ask", 7),
        Column("last", "Last", 7),
        Column("mid", "Mid", 7),
        Column("iv", "IV%", 6),
        Column("delta", "Delta", 7),
        Column("gamma", "Gamma", 7),
        Column("theta", "Theta", 7),
        Column("vega", "Vega", 7),
        Column("open_interest", "OI", 7),
        Column("volume", "Vol", 7),
    )
}

# The sets the column key cycles through (name, columns); kept by index in the prefs.
COLUMN_SETS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("quotes", ("bid", "ask", "last", "mid")),
    ("quotes + IV/delta", ("bid", "ask", "iv", "delta")),
    ("greeks", ("delta", "gamma", "theta", "vega")),
    ("IV + interest", ("mid", "iv", "open_interest", "volume")),
)


def format_cell(quote: OptionQuote | None, key: str) -> str:
    """The text of one cell (all numbers: nothing the server sent as text)."""
    if quote is None:
        return ""
    value = getattr(quote, key, None)
    if value is None:
        return "-"
    if key == "iv":
        return f"{Decimal(value) * 100:.1f}"
    if key in ("open_interest", "volume"):
        return f"{int(value):,}"
    if key in ("delta", "gamma", "theta", "vega"):
        return f"{Decimal(value):.3f}"
    return f"{Decimal(value):.2f}"


# -- the chain ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainRow:
    strike: Decimal
    call: OptionQuote | None = None
    put: OptionQuote | None = None

    def quote(self, right: OptionType) -> OptionQuote | None:
        return self.call if right is OptionType.CALL else self.put


@dataclass(frozen=True, slots=True)
class ChainWindow:
    rows: tuple[ChainRow, ...]
    atm_index: int | None  # the row at the money (None: no rows)


class ChainBook:
    """The latest quote of every option of one underlying and expiration; ``multiplier``
    is what one contract moves per point of the underlying (100 shares; a futures option:
    the future's point value)."""

    def __init__(self, underlying: str = "", expiration: date | None = None) -> None:
        self.underlying = underlying
        self.expiration = expiration
        self.multiplier = STOCK_MULTIPLIER
        self.underlying_price: Decimal | None = None
        self._rows: dict[Decimal, ChainRow] = {}
        self.version = 0  # bumped on every change: the widget redraws when it moves

    def clear(self, underlying: str, expiration: date | None) -> None:
        """Forget the quotes (another expiration or underlying); the underlying's price
        stays while the underlying does."""
        if underlying != self.underlying:
            self.underlying_price = None
            self.multiplier = STOCK_MULTIPLIER
        self.underlying, self.expiration = underlying, expiration
        self._rows.clear()
        self.version += 1

    def apply(self, quote: OptionQuote) -> None:
        row = self._rows.get(quote.strike) or ChainRow(quote.strike)
        if quote.right is OptionType.CALL:
            row = replace(row, call=quote)
        else:
            row = replace(row, put=quote)
        self._rows[quote.strike] = row
        self.version += 1

    def set_underlying_price(self, price: Decimal | None) -> None:
        if price is not None and price != self.underlying_price:
            self.underlying_price = price
            self.version += 1

    def __len__(self) -> int:
        return len(self._rows)

    def strikes(self) -> list[Decimal]:
        return sorted(self._rows)

    def row(self, strike: Decimal) -> ChainRow | None:
        return self._rows.get(strike)

    def quote(self, right: OptionType, strike: Decimal) -> OptionQuote | None:
        row = self._rows.get(strike)
        return row.quote(right) if row is not None else None

    def atm_strike(self) -> Decimal | None:
        """The strike nearest the underlying's price; without one, the strike where the call
        and the put cost the most alike (put-call parity puts the forward there)."""
        strikes = self.strikes()
        if not strikes:
            return None
        price = self.underlying_price
        if price is not None:
            return min(strikes, key=lambda k: (abs(k - price), k))
        priced = [
            (abs(c - p), k)
            for k in strikes
            if (row := self._rows[k]).call is not None
            and row.put is not None
            and (c := row.call.price) is not None
            and (p := row.put.price) is not None
        ]
        if priced:
            return min(priced)[1]
        return strikes[len(strikes) // 2]

    def window(self, around: int) -> ChainWindow:
        """``around`` strikes below and above the money, and the money's row."""
        strikes = self.strikes()
        atm = self.atm_strike()
        if atm is None:
            return ChainWindow((), None)
        centre = strikes.index(atm)
        low = max(0, centre - around)
        high = min(len(strikes), centre + around + 1)
        rows = tuple(self._rows[k] for k in strikes[low:high])
        return ChainWindow(rows, centre - low)


# -- spreads ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leg:
    right: OptionType
    strike: Decimal
    ratio: int  # + buy, - sell (contracts per spread)
    symbol: str = ""  # the contract the chain named for this right and strike

    @property
    def is_buy(self) -> bool:
        return self.ratio > 0


Spread = tuple[Leg, ...]


def _ordered(legs: Iterable[Leg]) -> Spread:
    """Puts before calls, by strike: the order the panel and the ticket list them."""
    return tuple(sorted(legs, key=lambda leg: (leg.right is not OptionType.PUT, leg.strike)))


def toggle_leg(
    spread: Spread, right: OptionType, strike: Decimal, buy: bool, symbol: str
) -> Spread:
    """Buy (or sell) one of this option; pressing the same side again removes the leg, the
    other side flips it."""
    kept = [leg for leg in spread if (leg.right, leg.strike) != (right, strike)]
    current = next((leg for leg in spread if (leg.right, leg.strike) == (right, strike)), None)
    if current is not None and current.is_buy == buy:
        return _ordered(kept)
    return _ordered([*kept, Leg(right, strike, 1 if buy else -1, symbol)])


def reverse(spread: Spread) -> Spread:
    """Every buy a sell and every sell a buy (a debit spread becomes its credit twin)."""
    return tuple(replace(leg, ratio=-leg.ratio) for leg in spread)


TEMPLATES: Final[dict[str, str]] = {
    # template -> the domain's spread type (tstui.domain.options.spreads)
    "vertical": "Vertical",
    "straddle": "Straddle",
    "strangle": "Strangle",
    "butterfly": "Butterfly",
    "iron condor": "IronCondor",
}


def template_strikes(
    name: str, strikes: Sequence[Decimal], strike: Decimal, right: OptionType, width: int = 1
) -> tuple[Decimal, ...] | str:
    """The strikes template ``name`` takes from the cursor's ``strike`` on side ``right``,
    ``width`` listed strikes apart (a message when the chain lists too few on a side):

    - vertical: the cursor's strike and the one ``width`` further out of the money
    - straddle: the cursor's strike
    - strangle: ``width`` below and ``width`` above
    - butterfly: the cursor's strike in the middle, wings ``width`` away
    - iron condor: the short strikes ``width`` each side, the wings ``2 * width`` out
    """
    ordered = sorted(set(strikes))
    if strike not in ordered:
        return "no strike under the cursor"
    at, width = ordered.index(strike), max(1, width)
    if name == "vertical":
        offsets: tuple[int, ...] = (0, width) if right is OptionType.CALL else (-width, 0)
    elif name == "straddle":
        offsets = (0,)
    elif name == "strangle":
        offsets = (-width, width)
    elif name == "butterfly":
        offsets = (-width, 0, width)
    elif name == "iron condor":
        offsets = (-2 * width, -width, width, 2 * width)
    else:
        return f"unknown template {name!r}"
    indexes = [at + n for n in offsets]
    if any(not 0 <= i < len(ordered) for i in indexes):
        return f"{name}: the chain lists too few strikes {width} apart around {strike}"
    return tuple(ordered[i] for i in indexes)


def build_template(
    book: ChainBook, name: str, strike: Decimal, right: OptionType, width: int = 1
) -> Spread | str:
    """Template ``name`` from the cursor (see ``template_strikes``), its legs from the
    domain's ``build_spread`` (a vertical buys the cursor's option: a bull call or a bear put,
    a debit; an iron condor sells the body: a credit), each leg priced from the book."""
    picked = template_strikes(name, book.strikes(), strike, right, width)
    if isinstance(picked, str):
        return picked
    if book.expiration is None:
        return "no expiration chosen"
    specs = build_spread(TEMPLATES[name], book.underlying, book.expiration, picked, right)
    if name == "vertical" and right is OptionType.PUT:
        specs = reverse_specs(specs)  # the domain's vertical buys the lower strike
    legs = []
    for spec in specs:
        if spec.option_type is None or spec.strike is None:
            return f"{name}: not an option leg"
        quote = book.quote(spec.option_type, spec.strike)
        if quote is None:
            return f"{name}: no {spec.option_type.lower()} listed at {format_decimal(spec.strike)}"
        legs.append(Leg(spec.option_type, spec.strike, spec.ratio, quote.symbol))
    return _ordered(legs)


def payoff_legs(
    spread: Spread, quantity: int = 1, multiplier: Decimal = STOCK_MULTIPLIER
) -> tuple[PayoffLeg, ...]:
    """The domain's payoff legs of ``quantity`` spreads (``multiplier`` units of the
    underlying a contract: 100 shares, or a futures option's point value)."""
    return tuple(
        PayoffLeg(leg.ratio * quantity, leg.right, leg.strike, multiplier) for leg in spread
    )


def net_price(spread: Spread, book: ChainBook) -> Decimal | None:
    """The spread's price per unit from the legs' mids: + a debit (paid), - a credit."""
    total = Decimal(0)
    for leg in spread:
        quote = book.quote(leg.right, leg.strike)
        price = quote.price if quote is not None else None
        if price is None:
            return None
        total += leg.ratio * price
    return total


GREEKS: Final[tuple[str, ...]] = ("delta", "gamma", "theta", "vega")


def net_greeks(spread: Spread, book: ChainBook) -> dict[str, Decimal | None]:
    """Delta, gamma, theta and vega of one spread (per share, as the chain sends them):
    each leg's times its signed ratio; None when a leg's value is unknown."""
    out: dict[str, Decimal | None] = {}
    for name in GREEKS:
        total: Decimal | None = Decimal(0)
        for leg in spread:
            quote = book.quote(leg.right, leg.strike)
            value = getattr(quote, name) if quote is not None else None
            if value is None or total is None:
                total = None
                break
            total += leg.ratio * value
        out[name] = total
    return out


def spread_name(spread: Spread) -> str:
    """What the legs make, in the words traders use (``custom`` when no template fits)."""
    if not spread:
        return ""
    rights = {leg.right for leg in spread}
    ratios = sorted(leg.ratio for leg in spread)
    n = len(spread)
    if n == 1:
        return f"{'long' if spread[0].is_buy else 'short'} {spread[0].right.lower()}"
    if n == 2 and len(rights) == 1 and ratios == [-1, 1]:
        return f"{next(iter(rights)).lower()} vertical"
    if n == 2 and len(rights) == 2 and abs(ratios[0]) == abs(ratios[1]):
        same = spread[0].strike == spread[1].strike and ratios[0] == ratios[1]
        kind = "straddle" if same else "strangle"
        if ratios[0] == ratios[1]:
            return f"{'long' if ratios[0] > 0 else 'short'} {kind}"
    if n == 3 and len(rights) == 1 and sorted(abs(r) for r in ratios) == [1, 1, 2]:
        return f"{next(iter(rights)).lower()} butterfly"
    if n == 4 and len(rights) == 2 and sorted(abs(r) for r in ratios) == [1, 1, 1, 1]:
        return "iron condor"
    return "custom"
