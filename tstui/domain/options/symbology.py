"""Option symbols as TradeStation writes them: root, space, YYMMDD, C or P, strike.

``MSFT 261218C450`` is the Microsoft call expiring 2026-12-18 at strike 450;
``SPY 270115P262.5`` shows a fractional strike (written with as few decimals as needed, no
trailing zeros). The root is the underlying symbol; for options on futures it is the futures
contract (``ESZ26 261218C6000``). The UI and client build and read symbols only here, never by
slicing strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "OptionSymbol",
    "OptionType",
    "format_option_symbol",
    "format_strike",
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

    def __str__(self) -> str:
        return self.symbol


def format_option_symbol(
    root: str, expiration: date, option_type: OptionType | str, strike: Decimal
) -> str:
    root = root.strip().upper()
    if not root or " " in root:
        raise ValueError(f"option root must be one word, not {root!r}")
    kind = option_type if isinstance(option_type, OptionType) else parse_option_type(option_type)
    return f"{root} {expiration:%y%m%d}{kind.letter}{format_strike(strike)}"


def parse_option_symbol(text: str) -> OptionSymbol:
    """Read ``MSFT 261218C450``; ValueError on anything else (case-insensitive root/letter;
    the spec allows the space to arrive URL-encoded, which the web layer has decoded)."""
    match = _SYMBOL_RE.match(text.strip().upper())
    if match is None:
        raise ValueError(f"{text!r} is not an option symbol (ROOT YYMMDD[C|P]STRIKE)")
    root, yy, mm, dd, letter, strike_text = match.groups()
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
