"""Enumerated values of the TradeStation API.

Models store these as plain ``str`` so that a value the API adds later (order status codes keep
growing) is kept, not dropped. The ``StrEnum`` classes below are the known values; their
members compare equal to the plain strings (``OrderStatus.FLL == "FLL"``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

__all__ = [
    "BUY_ACTIONS",
    "DURATIONS_NEEDING_EXPIRATION",
    "EQUITY_ONLY_DURATIONS",
    "FINAL_STATUSES",
    "SELL_ACTIONS",
    "STATUS_DESCRIPTIONS",
    "TICKBAR_STATUS_BITS",
    "VALID_TRADE_ACTIONS",
    "AccountType",
    "AssetType",
    "BarUnit",
    "BuyOrSell",
    "Duration",
    "OrderStatus",
    "OrderType",
    "PositionDirection",
    "SessionTemplate",
    "StatusGroup",
    "TradeAction",
    "is_buy",
    "is_final",
    "parse_bar_unit",
    "parse_choice",
    "parse_duration",
    "parse_order_type",
    "parse_trade_action",
    "status_description",
    "status_group",
    "tickbar_flags",
    "valid_trade_actions",
]


class OrderStatus(StrEnum):
    # working / open
    ACK = "ACK"  # Received
    ASS = "ASS"  # Option Assignment
    BRC = "BRC"  # Bracket Canceled
    BRF = "BRF"  # Bracket Filled
    BRO = "BRO"  # Broken
    CHG = "CHG"  # Change
    CND = "CND"  # Condition Met
    COR = "COR"  # Fill Corrected
    DIS = "DIS"  # Dispatched
    DOA = "DOA"  # Dead
    DON = "DON"  # Queued
    ECN = "ECN"  # Expiration Cancel Request
    EXE = "EXE"  # Option Exercise
    FPR = "FPR"  # Partial Fill (Alive)
    LAT = "LAT"  # Too Late to Cancel
    OPN = "OPN"  # Sent
    OSO = "OSO"  # OSO Order
    OTHER = "OTHER"  # OrderStatus not mapped
    PLA = "PLA"  # Sending
    REC = "REC"  # Big Brother Recall Request
    RJC = "RJC"  # Cancel Request Rejected
    RPD = "RPD"  # Replace Pending
    RSN = "RSN"  # Replace Sent
    STP = "STP"  # Stop Hit
    STT = "STT"  # OrderStatus Message
    SUS = "SUS"  # Suspended
    UCN = "UCN"  # Cancel Sent
    # cancelled
    CAN = "CAN"  # Canceled
    EXP = "EXP"  # Expired
    OUT = "OUT"  # UROut
    RJR = "RJR"  # Change Request Rejected
    SCN = "SCN"  # Big Brother Recall
    TSC = "TSC"  # Trade Server Canceled
    UCH = "UCH"  # Replaced
    # rejected
    REJ = "REJ"  # Rejected
    # filled
    FLL = "FLL"  # Filled
    FLP = "FLP"  # Partial Fill (UROut)


STATUS_DESCRIPTIONS: Final[dict[str, str]] = {
    "ACK": "Received",
    "ASS": "Option Assignment",
    "BRC": "Bracket Canceled",
    "BRF": "Bracket Filled",
    "BRO": "Broken",
    "CHG": "Change",
    "CND": "Condition Met",
    "COR": "Fill Corrected",
    "DIS": "Dispatched",
    "DOA": "Dead",
    "DON": "Queued",
    "ECN": "Expiration Cancel Request",
    "EXE": "Option Exercise",
    "FPR": "Partial Fill (Alive)",
    "LAT": "Too Late to Cancel",
    "OPN": "Sent",
    "OSO": "OSO Order",
    "OTHER": "Status not mapped",
    "PLA": "Sending",
    "REC": "Recall Request",
    "RJC": "Cancel Request Rejected",
    "RPD": "Replace Pending",
    "RSN": "Replace Sent",
    "STP": "Stop Hit",
    "STT": "Status Message",
    "SUS": "Suspended",
    "UCN": "Cancel Sent",
    "CAN": "Canceled",
    "EXP": "Expired",
    "OUT": "UROut",
    "RJR": "Change Request Rejected",
    "SCN": "Recalled",
    "TSC": "Trade Server Canceled",
    "UCH": "Replaced",
    "REJ": "Rejected",
    "FLL": "Filled",
    "FLP": "Partial Fill (UROut)",
}

StatusGroup = Literal["working", "filled", "cancelled", "rejected", "other"]

_FILLED: Final = frozenset({"FLL", "FLP"})
_CANCELLED: Final = frozenset({"CAN", "EXP", "OUT", "SCN", "TSC", "UCH"})
_REJECTED: Final = frozenset({"REJ"})
# Terminal codes that fit none of the groups above.
_OTHER_FINAL: Final = frozenset({"BRO", "DOA"})
# Alive: the order can still fill or be changed. RJR (a change request was refused) leaves the
# order as it was, so it counts as working although the spec files it under "Canceled".
_WORKING: Final = frozenset(
    {
        "ACK", "BRC", "BRF", "CHG", "CND", "COR", "DIS", "DON", "ECN", "FPR", "LAT", "OPN",
        "OSO", "PLA", "REC", "RJC", "RJR", "RPD", "RSN", "STP", "STT", "SUS", "UCN",
    }
)  # fmt: skip

FINAL_STATUSES: Final[frozenset[str]] = _FILLED | _CANCELLED | _REJECTED | _OTHER_FINAL

_GROUPS: Final[dict[str, StatusGroup]] = {
    **dict.fromkeys(_WORKING, "working"),
    **dict.fromkeys(_FILLED, "filled"),
    **dict.fromkeys(_CANCELLED, "cancelled"),
    **dict.fromkeys(_REJECTED, "rejected"),
}


def status_group(code: str | None) -> StatusGroup:
    """Blotter group of a status code; unknown codes (and ASS, EXE, BRO, DOA, OTHER) -> other."""
    if code is None:
        return "other"
    return _GROUPS.get(code, "other")


def is_final(code: str | None) -> bool:
    """True when no further change is expected (filled, cancelled, rejected, broken, dead)."""
    return code in FINAL_STATUSES


def status_description(code: str | None) -> str:
    if code is None:
        return ""
    return STATUS_DESCRIPTIONS.get(code, code)


class OrderType(StrEnum):
    MARKET = "Market"
    LIMIT = "Limit"
    STOP_MARKET = "StopMarket"
    STOP_LIMIT = "StopLimit"


class TradeAction(StrEnum):
    BUY = "BUY"
    SELL = "SELL"
    SELLSHORT = "SELLSHORT"
    BUYTOCOVER = "BUYTOCOVER"
    BUYTOOPEN = "BUYTOOPEN"
    BUYTOCLOSE = "BUYTOCLOSE"
    SELLTOOPEN = "SELLTOOPEN"
    SELLTOCLOSE = "SELLTOCLOSE"


BUY_ACTIONS: Final[frozenset[str]] = frozenset(
    {"BUY", "BUYTOCOVER", "BUYTOOPEN", "BUYTOCLOSE", "Buy", "BuyToCover", "BuyToOpen", "BuyToClose"}
)
SELL_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "SELL", "SELLSHORT", "SELLTOOPEN", "SELLTOCLOSE",
        "Sell", "SellShort", "SellToOpen", "SellToClose",
    }
)  # fmt: skip


def is_buy(action: str | None) -> bool:
    """True for any buying trade action or leg side (``BUY``, ``Buy``, ``BUYTOCOVER``...)."""
    return action in BUY_ACTIONS


class BuyOrSell(StrEnum):
    """Order leg side as reported on orders (``Legs[].BuyOrSell``)."""

    BUY = "Buy"
    SELL = "Sell"
    SELL_SHORT = "SellShort"
    BUY_TO_COVER = "BuyToCover"


class AssetType(StrEnum):
    UNKNOWN = "UNKNOWN"
    STOCK = "STOCK"
    STOCKOPTION = "STOCKOPTION"
    FUTURE = "FUTURE"
    FUTUREOPTION = "FUTUREOPTION"
    FOREX = "FOREX"
    CURRENCYOPTION = "CURRENCYOPTION"
    INDEX = "INDEX"
    INDEXOPTION = "INDEXOPTION"
    MUTUALFUND = "MUTUALFUND"
    MONEYMARKETFUND = "MONEYMARKETFUND"
    BOND = "BOND"


_OPTION_ACTIONS: Final = frozenset({"BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE"})

VALID_TRADE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "STOCK": frozenset({"BUY", "SELL", "SELLSHORT", "BUYTOCOVER"}),
    "FUTURE": frozenset({"BUY", "SELL"}),
    "STOCKOPTION": _OPTION_ACTIONS,
    "INDEXOPTION": _OPTION_ACTIONS,
    # The spec's TradeAction lists BUY/SELL for equities and futures and the *TO* actions for
    # options: futures options take the option actions (as the simulator requires).
    "FUTUREOPTION": _OPTION_ACTIONS,
}


def valid_trade_actions(asset_type: str | None) -> frozenset[str]:
    """Trade actions an order for ``asset_type`` may use (empty for unsupported types)."""
    if asset_type is None:
        return frozenset()
    return VALID_TRADE_ACTIONS.get(asset_type.upper(), frozenset())


class Duration(StrEnum):
    DAY = "DAY"
    DYP = "DYP"
    GTC = "GTC"
    GCP = "GCP"
    GTD = "GTD"
    GDP = "GDP"
    OPG = "OPG"
    CLO = "CLO"
    IOC = "IOC"
    FOK = "FOK"
    MIN1 = "1"
    MIN3 = "3"
    MIN5 = "5"


DURATIONS_NEEDING_EXPIRATION: Final[frozenset[str]] = frozenset({"GTD", "GDP"})
EQUITY_ONLY_DURATIONS: Final[frozenset[str]] = frozenset({"1", "3", "5", "OPG"})


class BarUnit(StrEnum):
    MINUTE = "Minute"
    DAILY = "Daily"
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"


class SessionTemplate(StrEnum):
    USEQ_PRE = "USEQPre"
    USEQ_POST = "USEQPost"
    USEQ_PRE_AND_POST = "USEQPreAndPost"
    USEQ_24_HOUR = "USEQ24Hour"
    DEFAULT = "Default"


class AccountType(StrEnum):
    CASH = "Cash"
    MARGIN = "Margin"
    FUTURES = "Futures"
    DVP = "DVP"


class PositionDirection(StrEnum):
    LONG = "Long"
    SHORT = "Short"


# v2 tick bar ``Status`` bit field: bit number -> flag name.
TICKBAR_STATUS_BITS: Final[dict[int, str]] = {
    0: "NEW",
    1: "REAL_TIME_DATA",
    2: "HISTORICAL_DATA",
    3: "STANDARD_CLOSE",
    4: "END_OF_SESSION_CLOSE",
    5: "UPDATE_CORPACTION",
    6: "UPDATE_CORRECTION",
    7: "ANALYSIS_BAR",
    8: "EXTENDED_BAR",
    19: "PREV_DAY_CORRECTION",
    23: "AFTER_MARKET_CORRECTION",
    24: "PHANTOM_BAR",
    25: "EMPTY_BAR",
    26: "BACKFILL_DATA",
    27: "ARCHIVE_DATA",
    28: "GHOST_BAR",
    29: "END_OF_HISTORY_STREAM",
}


def tickbar_flags(status: int) -> frozenset[str]:
    """Names of the known bits set in a v2 tick bar ``Status`` (unknown bits are ignored)."""
    if status <= 0:
        return frozenset()
    return frozenset(name for bit, name in TICKBAR_STATUS_BITS.items() if status >> bit & 1)


# The API's error titles by HTTP status: `{"Error": "<title>", "Message": ...}` bodies.
ERROR_TITLES: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    501: "NotImplemented",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


# -- lenient parsing of user input (CLI flags, request files) --------------------------------
# TradeStation's values in any case, with or without separators ("stop-market", "StopMarket",
# "STOP_MARKET"), plus a few spellings traders type. The wire always gets the canonical value.

_ORDER_TYPE_ALIASES: Final[dict[str, str]] = {
    "mkt": "Market",
    "lmt": "Limit",
    "stop": "StopMarket",
    "stp": "StopMarket",
    "stoplmt": "StopLimit",
    "stplmt": "StopLimit",
}
_TRADE_ACTION_ALIASES: Final[dict[str, str]] = {"short": "SELLSHORT", "cover": "BUYTOCOVER"}
_DURATION_ALIASES: Final[dict[str, str]] = {
    "day+": "DYP",
    "dayplus": "DYP",
    "gtc+": "GCP",
    "gtcplus": "GCP",
    "gtd+": "GDP",
    "gtdplus": "GDP",
    "goodtillcanceled": "GTC",
    "goodtillcancelled": "GTC",
    "goodtilldate": "GTD",
    "immediateorcancel": "IOC",
    "fillorkill": "FOK",
    "1min": "1",
    "3min": "3",
    "5min": "5",
}
_BAR_UNIT_ALIASES: Final[dict[str, str]] = {
    "min": "Minute",
    "minutes": "Minute",
    "day": "Daily",
    "week": "Weekly",
    "month": "Monthly",
}


def _enum_key(value: str) -> str:
    return "".join(ch for ch in value.strip().lower() if ch not in " -_")


def parse_choice(
    value: str, choices: tuple[str, ...], what: str, aliases: dict[str, str] | None = None
) -> str:
    """The canonical member of ``choices`` that ``value`` spells (case, ``-``, ``_`` and
    spaces ignored, or one of ``aliases``); ValueError naming the valid values otherwise."""
    key = _enum_key(value)
    for choice in choices:
        if _enum_key(choice) == key:
            return str(choice)
    if aliases and key in aliases:
        return aliases[key]
    raise ValueError(f"{value!r} is not {what} (valid: {', '.join(choices)})")


def parse_order_type(value: str) -> str:
    return parse_choice(value, tuple(OrderType), "an order type", _ORDER_TYPE_ALIASES)


def parse_trade_action(value: str) -> str:
    return parse_choice(value, tuple(TradeAction), "a trade action", _TRADE_ACTION_ALIASES)


def parse_duration(value: str) -> str:
    return parse_choice(value, tuple(Duration), "a duration", _DURATION_ALIASES)


def parse_bar_unit(value: str) -> str:
    return parse_choice(value, tuple(BarUnit), "a bar unit", _BAR_UNIT_ALIASES)
