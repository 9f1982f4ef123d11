"""Symbol lookup routes: crypto pair names (v3) and the v2 symbol suggest and search.

The v2 bodies are bare JSON arrays with *numbers* for ``DisplayType``, ``MinMove``,
``PointValue`` (the v2 API predates the numbers-as-strings rule). Every field of the v2 symbol
object is sent, empty (``""`` or ``0``) where it does not apply, as the v2 API does.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tstui.domain.market import futures
from tstui.sim.common import endpoint
from tstui.sim.context import SimContext
from tstui.sim.instruments import STOCKS, Instrument, lookup
from tstui.sim.intake import BadRequest, NotFound

# The spec's example list; the simulator names them but carries no market data for them.
CRYPTO_PAIRS = ("BTCUSD", "ETHUSD", "LTCUSD", "BCHUSD")
CONTRACTS_LISTED = 4  # per futures product: the front contract and the next three
_EXCHANGE_IDS = {"NASDAQ": 9, "NYSE Arca": 10, "CME": 56, "NYMEX": 57, "COMEX": 58}
# v2 DisplayType by decimals shown (1 = 0 decimals, 2 = 1 decimal, 3 = 2 decimals, ...)
_DISPLAY_TYPE = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}
_CATEGORY = {"STOCK": "Stock", "FUTURE": "Future"}
# The search criteria's category names and their short forms.
_SEARCH_CATEGORIES = {
    "FUTURE": "Future",
    "FU": "Future",
    "FUTUREOPTION": "FutureOption",
    "FO": "FutureOption",
    "STOCK": "Stock",
    "S": "Stock",
    "STOCKOPTION": "StockOption",
    "SO": "StockOption",
    "INDEX": "Index",
    "IDX": "Index",
    "CURRENCYOPTION": "CurrencyOption",
    "CO": "CurrencyOption",
    "MUTUALFUND": "MutualFund",
    "MF": "MutualFund",
    "MONEYMARKETFUND": "MoneyMarketFund",
    "MMF": "MoneyMarketFund",
    "INDEXOPTION": "IndexOption",
    "IO": "IndexOption",
    "BOND": "Bond",
    "B": "Bond",
    "FOREX": "Forex",
    "FX": "Forex",
}
_SEARCH_KEYS = frozenset(
    {
        "N",
        "C",
        "CNT",
        "DESC",
        "FLG",
        "R",
        "STK",
        "SPL",
        "SPH",
        "EXD",
        "EDL",
        "EDH",
        "OT",
        "FT",
        "ST",
        "CUR",
        "EXP",
    }
)
_FILTER_FIELDS = {
    "category": "Category",
    "country": "Country",
    "currency": "Currency",
    "exchange": "Exchange",
}
_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|neq|ne)\s+'([^']*)'\s*$", re.IGNORECASE)


def universe(now: datetime) -> list[Instrument]:
    """Every symbol the simulator carries at ``now``: stocks, then per futures product the
    continuous symbol and its next contracts."""
    found = [inst for name in STOCKS if (inst := lookup(name, now)) is not None]
    for root in futures.PRODUCTS:
        contract = futures.front_contract(root, now)
        names = [f"@{root}", contract]
        for _ in range(CONTRACTS_LISTED - 1):
            contract = futures.next_contract(root, contract)
            names.append(contract)
        found.extend(inst for name in names if (inst := lookup(name, now)) is not None)
    return found


def v2_symbol(inst: Instrument, *, with_underlying: bool) -> dict[str, Any]:
    tick_units = inst.tick * 10**inst.decimals
    body: dict[str, Any] = {
        "Category": _CATEGORY.get(inst.asset_type, "Stock"),
        "Country": "US",
        "Currency": "USD",
        "Description": inst.description,
        "DisplayType": _DISPLAY_TYPE.get(inst.decimals, 0),
        "Exchange": inst.exchange,
        "ExchangeID": _EXCHANGE_IDS.get(inst.exchange, 0),
        "ExpirationDate": f"{inst.expiration.isoformat()}T00:00:00Z" if inst.expiration else "",
        "ExpirationType": "",
        "FutureType": "Electronic" if inst.is_future else "",
        "MinMove": int(tick_units) if tick_units == tick_units.to_integral() else float(tick_units),
        "Name": inst.symbol,
        "OptionType": "",
        "PointValue": _number(inst.point_value),
        "Root": inst.root if inst.is_future else "",
        "StrikePrice": 0,
    }
    if with_underlying:
        body["Underlying"] = inst.underlying or ""
    return body


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def parse_filter(raw: str | None) -> list[tuple[str, bool, str]]:
    """``Category eq 'Stock' and Exchange neq 'NYSE'`` -> [(field, equal, value), ...]."""
    if raw is None or not raw.strip():
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(part)
        if match is None:
            raise BadRequest(
                "$filter must be clauses like Category eq 'Stock' joined by 'and' "
                "(operators eq, neq; fields Category, Country, Currency, Exchange)."
            )
        name, op, value = match.groups()
        field = _FILTER_FIELDS.get(name.lower())
        if field is None:
            raise BadRequest(
                f"$filter field {name!r} is not one of Category, Country, Currency, Exchange."
            )
        clauses.append((field, op.lower() == "eq", value))
    return clauses


def _field_matches(body: dict[str, Any], field: str, value: str) -> bool:
    have = str(body.get(field, ""))
    if field == "Country" and have == "US":  # the filter's documented form is "United States"
        return value.lower() in ("us", "united states", "usa")
    return have.lower() == value.lower()


def parse_top(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        top = int(raw)
    except ValueError:
        raise BadRequest("$top must be an integer.") from None
    return max(top, 0)  # $top=0 (or less) asks for nothing


def parse_criteria(raw: str) -> dict[str, str]:
    """``N=MSFT&C=Stock`` -> {"N": "MSFT", "C": "Stock"} (keys upper-cased)."""
    criteria: dict[str, str] = {}
    for part in raw.split("&"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        name = key.strip().upper()
        if not sep or name not in _SEARCH_KEYS:
            raise BadRequest(
                f"criteria {part.strip()!r} is not a Key=Value pair with a known key "
                "(N, C, Cnt, Desc, Flg, R, Cur, Exp, FT, ...)."
            )
        criteria[name] = value.strip()
    return criteria


def _truthy(value: str, name: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise BadRequest(f"criteria {name} must be true or false.")
    return lowered == "true"


def search(now: datetime, criteria: dict[str, str]) -> list[dict[str, Any]]:
    raw_category = criteria.get("C")
    if raw_category is None:
        category = "StockOption" if criteria.get("R") else "Stock"
    else:
        found = _SEARCH_CATEGORIES.get(raw_category.upper())
        if found is None:
            raise BadRequest(f"criteria C {raw_category!r} is not a known asset category.")
        category = found
    country = criteria.get("CNT", "ALL").upper()
    if country not in ("ALL", "US", "DE", "CA"):
        raise BadRequest("criteria Cnt must be one of ALL, US, DE, CA.")
    currency = criteria.get("CUR", "USD").upper()
    include_expired = _truthy(criteria["EXP"], "Exp") if "EXP" in criteria else False
    if "FLG" in criteria:
        _truthy(criteria["FLG"], "Flg")
    name = criteria.get("N", "").upper()
    if name == "ALL" and category == "Forex":
        name = ""
    desc = criteria.get("DESC", "").lower()
    root = criteria.get("R", "").upper()
    del include_expired  # the simulator lists no expired contracts
    results = []
    for inst in universe(now):
        body = v2_symbol(inst, with_underlying=True)
        if body["Category"] != category or country not in ("ALL", "US"):
            continue
        if currency not in ("ALL", "USD"):
            continue
        if name and name not in inst.symbol:
            continue
        if desc and desc not in inst.description.lower():
            continue
        if root and inst.root != root:
            continue
        results.append(body)
    return results


def routes(ctx: SimContext) -> list[Route]:
    engine = ctx.engine

    @endpoint(ctx, "marketdata")
    async def crypto_names(request: Request) -> Response:
        return JSONResponse({"SymbolNames": list(CRYPTO_PAIRS)})

    @endpoint(ctx, "marketdata")
    async def suggest(request: Request) -> Response:
        text = request.path_params["text"].strip()
        if not text:
            raise BadRequest("text is required.")
        top = parse_top(request.query_params.get("$top"))
        clauses = parse_filter(request.query_params.get("$filter"))
        needle = text.upper()
        # descriptions match at the start of a word ("apple", "crude oil"), not mid-word
        in_words = re.compile(rf"(^|\W){re.escape(text)}", re.IGNORECASE)
        found = []
        for inst in universe(engine.clock.now()):
            if not (
                inst.symbol.startswith(needle)
                or inst.root.startswith(needle)
                or in_words.search(inst.description)
            ):
                continue
            body = v2_symbol(inst, with_underlying=False)
            if all(_field_matches(body, f, v) == equal for f, equal, v in clauses):
                found.append(body)
        return JSONResponse(found[:top] if top is not None else found)

    @endpoint(ctx, "marketdata")
    async def search_symbols(request: Request) -> Response:
        criteria = parse_criteria(request.path_params["criteria"])
        found = search(engine.clock.now(), criteria)
        if not found:  # the spec's search answers at least one item or a 404
            raise NotFound("No symbol matches the criteria.")
        return JSONResponse(found)

    return [
        Route("/v3/marketdata/symbollists/cryptopairs/symbolnames", crypto_names),
        Route("/v2/data/symbols/suggest/{text}", suggest),
        Route("/v2/data/symbols/search/{criteria}", search_symbols),
    ]
