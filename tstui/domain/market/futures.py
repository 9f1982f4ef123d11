"""Futures symbology: contract symbols, expirations and roll dates (pure, stdlib only).

A contract symbol is root + month code + two-digit year (``ESZ26``); a continuous symbol
starts with ``@`` (``@ES``).

Expiration and roll rules (weekends are the only non-business days; exchange holidays are
ignored):

- ES, NQ (quarterly H M U Z): expire on the third Friday of the contract month. The market
  rolls on the Thursday of the week before, i.e. eight days before expiry; TradeStation does
  not document when ``@ES`` moves, so we roll the continuous symbol on that day: from 00:00 UTC
  of the roll date the front contract is the next one (Dec 2026: expiry Fri Dec 18, roll
  Thu Dec 10, so ``@ES`` is ESZ26 on Dec 9 and ESH27 from Dec 10).
- CL (every month): expires three business days before the 25th calendar day of the month
  before delivery (if the 25th is not a business day, counting starts at the business day
  before it). ``@CL`` rolls three business days before that expiration.
- GC (active months G J M Q V Z): expires on the third-last business day of the contract
  month; first notice is the last business day of the month before, and ``@GC`` rolls two
  business days before first notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

MONTH_CODES: dict[str, int] = {
    "F": 1,
    "G": 2,
    "H": 3,
    "J": 4,
    "K": 5,
    "M": 6,
    "N": 7,
    "Q": 8,
    "U": 9,
    "V": 10,
    "X": 11,
    "Z": 12,
}
CODE_FOR_MONTH: dict[int, str] = {month: code for code, month in MONTH_CODES.items()}

_CONTRACT_RE = re.compile(r"^([A-Z]{1,3}?)([FGHJKMNQUVXZ])(\d{2})$")


@dataclass(frozen=True, slots=True)
class ProductSpec:
    root: str
    description: str
    exchange: str
    tick_size: Decimal
    point_value: Decimal
    cycle: tuple[int, ...]  # contract months traded
    decimals: int


PRODUCTS: dict[str, ProductSpec] = {
    "ES": ProductSpec(
        "ES", "E-mini S&P 500", "CME", Decimal("0.25"), Decimal(50), (3, 6, 9, 12), 2
    ),
    "NQ": ProductSpec(
        "NQ", "E-mini Nasdaq-100", "CME", Decimal("0.25"), Decimal(20), (3, 6, 9, 12), 2
    ),
    "CL": ProductSpec(
        "CL", "Crude Oil WTI", "NYMEX", Decimal("0.01"), Decimal(1000), tuple(range(1, 13)), 2
    ),
    "GC": ProductSpec(
        "GC", "Gold", "COMEX", Decimal("0.10"), Decimal(100), (2, 4, 6, 8, 10, 12), 1
    ),
}


@dataclass(frozen=True, slots=True)
class FuturesContract:
    root: str
    month: int
    year: int  # four digits

    @property
    def symbol(self) -> str:
        return format_contract(self.root, self.year, self.month)


def format_contract(root: str, year: int, month: int) -> str:
    return f"{root}{CODE_FOR_MONTH[month]}{year % 100:02d}"


def parse_contract(symbol: str) -> FuturesContract:
    """Parse ``ESZ26`` into its parts; raises ValueError for anything else."""
    match = _CONTRACT_RE.match(symbol.strip().upper())
    if match is None:
        raise ValueError(f"not a futures contract symbol: {symbol!r}")
    root, code, yy = match.groups()
    return FuturesContract(root, MONTH_CODES[code], 2000 + int(yy))


def is_continuous(symbol: str) -> bool:
    return symbol.startswith("@") and len(symbol) > 1


def root_of(symbol: str) -> str:
    """Root of a continuous (``@ES``) or contract (``ESZ26``) symbol."""
    if is_continuous(symbol):
        return symbol[1:].upper()
    return parse_contract(symbol).root


def product(root: str) -> ProductSpec:
    try:
        return PRODUCTS[root.upper()]
    except KeyError:
        raise ValueError(f"unknown futures root: {root!r}") from None


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5


def _business_days_before(day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        if _is_business_day(day):
            count -= 1
    return day


def _previous_business_day(day: date) -> date:
    while not _is_business_day(day):
        day -= timedelta(days=1)
    return day


def _last_business_day(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return _previous_business_day(first_next - timedelta(days=1))


def _third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    offset = (4 - first.weekday()) % 7  # Friday is weekday 4
    return first + timedelta(days=offset + 14)


def expiration_date(root: str, year: int, month: int) -> date:
    """Last trading day of a contract (see the module docstring for the rules)."""
    spec = product(root)
    if month not in spec.cycle:
        raise ValueError(f"{spec.root} has no contract in month {month}")
    if spec.root in ("ES", "NQ"):
        return _third_friday(year, month)
    if spec.root == "CL":
        prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
        anchor = date(prev_year, prev_month, 25)
        if not _is_business_day(anchor):
            anchor = _previous_business_day(anchor)
        return _business_days_before(anchor, 3)
    # GC: third-last business day of the contract month.
    return _business_days_before(_last_business_day(year, month), 2)


def roll_date(root: str, year: int, month: int) -> date:
    """The first day on which the continuous symbol points at the *next* contract."""
    spec = product(root)
    expiry = expiration_date(spec.root, year, month)
    if spec.root in ("ES", "NQ"):
        return expiry - timedelta(days=8)  # Thursday of the week before expiry
    if spec.root == "CL":
        return _business_days_before(expiry, 3)
    prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    first_notice = _last_business_day(prev_year, prev_month)
    return _business_days_before(first_notice, 2)


def _contracts_from(root: str, year: int, month: int) -> list[FuturesContract]:
    """Contracts of the product's cycle starting at (or after) year/month, a few years out."""
    spec = product(root)
    found: list[FuturesContract] = []
    for y in range(year, year + 4):
        for m in spec.cycle:
            if (y, m) >= (year, month):
                found.append(FuturesContract(spec.root, m, y))
    return found


def front_contract(root: str, at: datetime) -> str:
    """The contract a continuous symbol refers to at ``at`` (aware datetime, UTC or not)."""
    day = at.astimezone(UTC).date() if at.tzinfo else at.date()
    start_year, start_month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    for contract in _contracts_from(root, start_year, start_month):
        if day < roll_date(contract.root, contract.year, contract.month):
            return contract.symbol
    raise ValueError(f"no front contract for {root} at {at}")  # pragma: no cover


def next_contract(root: str, contract: str) -> str:
    """The contract after ``contract`` in the product's cycle."""
    parsed = parse_contract(contract)
    spec = product(root)
    if parsed.root != spec.root:
        raise ValueError(f"{contract} is not a {spec.root} contract")
    later = [c for c in _contracts_from(spec.root, parsed.year, parsed.month) if c != parsed]
    return later[0].symbol
