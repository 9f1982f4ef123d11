"""The simulator's tradable universe: four stocks and four futures products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tstui.domain.market import futures

STOCKS: dict[str, tuple[str, str, float]] = {
    # symbol: (description, exchange, base price)
    "MSFT": ("Microsoft Corp", "NASDAQ", 420.0),
    "AAPL": ("Apple Inc", "NASDAQ", 225.0),
    "SPY": ("SPDR S&P 500 ETF Trust", "NYSE Arca", 590.0),
    "NVDA": ("NVIDIA Corp", "NASDAQ", 135.0),
}
FUTURES_BASE: dict[str, float] = {"ES": 6000.0, "NQ": 21000.0, "CL": 70.0, "GC": 2650.0}
# Initial margin per contract (buying power check and balance fields).
FUTURES_MARGIN: dict[str, Decimal] = {
    "ES": Decimal(15000),
    "NQ": Decimal(21000),
    "CL": Decimal(6000),
    "GC": Decimal(9000),
}
FUTURES_COMMISSION = Decimal("1.50")  # per contract per side
_MAX_YEARS_OUT = 3
# GET /v3/orderexecution/routes; a placement's Route must be one of these for its asset type.
ROUTES: list[dict[str, Any]] = [
    {"Id": "Intelligent", "Name": "Intelligent", "AssetTypes": ["STOCK", "FUTURE", "STOCKOPTION"]},
    {"Id": "AMEX", "Name": "AMEX", "AssetTypes": ["STOCK"]},
    {"Id": "ARCX", "Name": "ARCX", "AssetTypes": ["STOCK"]},
    {"Id": "NSDQ", "Name": "NSDQ", "AssetTypes": ["STOCK"]},
    {"Id": "NYSE", "Name": "NYSE", "AssetTypes": ["STOCK"]},
    {"Id": "CME", "Name": "CME", "AssetTypes": ["FUTURE"]},
    {"Id": "NYMEX", "Name": "NYMEX", "AssetTypes": ["FUTURE"]},
    {"Id": "COMEX", "Name": "COMEX", "AssetTypes": ["FUTURE"]},
]


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str  # as requested: "MSFT", "ESZ26" or "@ES"
    root: str
    asset_type: str  # "STOCK" | "FUTURE"
    description: str
    exchange: str
    tick: Decimal
    point_value: Decimal
    decimals: int
    base_price: float
    expiration: date | None = None
    underlying: str | None = None  # continuous symbols: the current front contract

    @property
    def is_future(self) -> bool:
        return self.asset_type == "FUTURE"

    @property
    def priced_symbol(self) -> str:
        """The symbol whose price path this instrument follows."""
        return self.underlying or self.symbol

    def fmt(self, value: Decimal) -> str:
        return f"{value:.{self.decimals}f}"

    def on_tick(self, price: Decimal) -> bool:
        return price > 0 and (price / self.tick) == (price / self.tick).to_integral_value()


def lookup(symbol: str, at: datetime) -> Instrument | None:
    """Resolve a symbol at sim time ``at``; None when the simulator does not carry it."""
    sym = symbol.strip().upper()
    if sym in STOCKS:
        desc, exchange, base = STOCKS[sym]
        return Instrument(sym, sym, "STOCK", desc, exchange, Decimal("0.01"), Decimal(1), 2, base)
    try:
        root = futures.root_of(sym)
        spec = futures.product(root)
    except ValueError:
        return None
    if futures.is_continuous(sym):
        front = futures.front_contract(root, at)
        contract = futures.parse_contract(front)
        return _future(sym, spec, contract, front)
    contract = futures.parse_contract(sym)
    if contract.month not in spec.cycle or abs(contract.year - at.year) > _MAX_YEARS_OUT:
        return None
    return _future(sym, spec, contract, None)


def _future(
    symbol: str,
    spec: futures.ProductSpec,
    contract: futures.FuturesContract,
    underlying: str | None,
) -> Instrument:
    expiry = futures.expiration_date(spec.root, contract.year, contract.month)
    month = date(contract.year, contract.month, 1).strftime("%b%y")
    title = "Continuous Contract" if underlying else "Futures"
    # Later contracts trade a little higher (carry), so each contract has its own level.
    months_out = (contract.year - 2024) * 12 + contract.month
    base = FUTURES_BASE[spec.root] * (1 + 0.0015 * months_out)
    return Instrument(
        symbol,
        spec.root,
        "FUTURE",
        f"{spec.description} {title} [{month}]",
        spec.exchange,
        spec.tick_size,
        spec.point_value,
        spec.decimals,
        base,
        expiry,
        underlying,
    )
