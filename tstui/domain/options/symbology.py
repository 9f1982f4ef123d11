"""Option symbols as TradeStation writes them.

Stock and index options: root, space, YYMMDD, C or P, strike. ``MSFT 261218C450`` is the
Microsoft call expiring 2026-12-18 at strike 450; ``SPY 270115P262.5`` shows a fractional
strike (as few decimals as needed, no trailing zeros).

Futures options: the futures contract, space, C or P, strike, and no date (``ESZ26 C6000``,
TradeStation's futures options symbology): the contract month names the expiration. We take
it to be the futures contract's last trading day (exact for the quarterly ES/NQ options,
which expire with the future; a day or a few early for CL/GC in reality), the third Friday of
the month for products the domain does not know.

The UI and client build and read symbols only here, never by slicing strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from tstui.domain.market import futures

__all__ = [
    "OptionSymbol",
    "OptionType",
    "format_option_symbol",
    "format_strike",
    "futures_option_expiration",
    "is_futures_root",
    "is_option_symbol",
    "parse_option_symbol",
    "parse_option_type",
]


class OptionType(StrEnum):
    """The API's ``OptionType`` / ``Side`` values for one contract."""

    CALL = "Call"
    PUT = "Put"

    @property
    def letter(self) -> str:
        return "C" if self is OptionType.CALL else "P"


_SYMBOL_RE = re.compile(r"^(\S+) (\d{2})(\d{2})(\d{2})([CP])(\d+(?:\.\d+)?)$")
_FUTURE_RE = re.compile(r"^([A-Z]{1,3}[FGHJKMNQUVXZ]\d{2}) ([CP])(\d+(?:\.\d+)?)$")


def parse_option_type(text: str) -> OptionType:
    """``Call``/``Put`` (any case) or the symbol letters ``C``/``P``."""
    value = text.strip().lower()
    if value in ("call", "c"):
        return OptionType.CALL
    if value in ("put", "p"):
        return OptionType.PUT
    raise ValueError(f"option type must be Call or Put, not {text!r}")


def format_strike(strike: Decimal) -> str:
    """``450`` for 450.00, ``262.5`` for 262.50: plain digits, no exponent, no trailing zeros."""
    if strike <= 0:
        raise ValueError(f"strike must be positive, not {strike}")
    text = f"{strike:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True, slots=True)
class OptionSymbol:
    root: str
    expiration: date
    option_type: OptionType
    strike: Decimal

    @property
    def symbol(self) -> str:
        return format_option_symbol(self.root, self.expiration, self.option_type, self.strike)

    @property
    def is_call(self) -> bool:
        return self.option_type is OptionType.CALL

    @property
    def is_future_option(self) -> bool:
        """An option on a futures contract (``ESZ26 C6000``): Black-76, the future's point value."""
        return is_futures_root(self.root)

    def __str__(self) -> str:
        return self.symbol


def format_option_symbol(
    root: str, expiration: date, option_type: OptionType | str, strike: Decimal
) -> str:
    root = root.strip().upper()
    if not root or " " in root:
        raise ValueError(f"option root must be one word, not {root!r}")
    kind = option_type if isinstance(option_type, OptionType) else parse_option_type(option_type)
    if is_futures_root(root):  # the contract month carries the expiration
        return f"{root} {kind.letter}{format_strike(strike)}"
    return f"{root} {expiration:%y%m%d}{kind.letter}{format_strike(strike)}"


def is_futures_root(root: str) -> bool:
    """A futures contract symbol (``ESZ26``) as an option root, not a stock ticker."""
    try:
        futures.parse_contract(root.strip().upper())
    except ValueError:
        return False
    return True


def futures_option_expiration(root: str) -> date:
    """The expiration of the options on contract ``root`` (see the module docstring)."""
    contract = futures.parse_contract(root.strip().upper())
    try:
        return futures.expiration_date(contract.root, contract.year, contract.month)
    except ValueError:  # a product (or month) the domain does not carry
        first = date(contract.year, contract.month, 1)
        return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def parse_option_symbol(text: str) -> OptionSymbol:
    """Read ``MSFT 261218C450``; ValueError on anything else (case-insensitive root/letter;
    the spec allows the space to arrive URL-encoded, which the web layer has decoded)."""
    cleaned = text.strip().upper()
    future = _FUTURE_RE.match(cleaned)
    if future is not None:
        root, letter, strike_text = future.groups()
        strike = Decimal(strike_text)
        if strike <= 0:
            raise ValueError(f"{text!r} has a zero strike")
        return OptionSymbol(
            root, futures_option_expiration(root), parse_option_type(letter), strike
        )
    match = _SYMBOL_RE.match(cleaned)
    if match is None:
        raise ValueError(
            f"{text!r} is not an option symbol (ROOT YYMMDD[C|P]STRIKE, or FUTURE [C|P]STRIKE)"
        )
    root, yy, mm, dd, letter, strike_text = match.groups()
    if is_futures_root(root):
        raise ValueError(f"{text!r}: futures options carry no date ({root} C<strike>)")
    try:
        expiration = date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        raise ValueError(f"{text!r} has no valid expiration date") from None
    try:
        strike = Decimal(strike_text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"{text!r} has no valid strike") from None
    if strike <= 0:
        raise ValueError(f"{text!r} has a zero strike")
    return OptionSymbol(root, expiration, parse_option_type(letter), strike)


def is_option_symbol(text: str) -> bool:
    try:
        parse_option_symbol(text)
    except ValueError:
        return False
    return True
