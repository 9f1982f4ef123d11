"""Small, fast converters from TradeStation JSON values to typed Python values.

The API sends prices and quantities as strings (a few v2 fields as numbers) and times as
RFC 3339 UTC strings. Every helper here is total: a missing, empty or malformed value becomes
``None`` instead of raising, so a model's ``from_api`` never fails on an optional field. Only
``require_*`` helpers raise, with :class:`ParseError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

__all__ = [
    "ParseError",
    "is_mapping",
    "mappings",
    "opt_bool",
    "opt_date",
    "opt_datetime",
    "opt_decimal",
    "opt_int",
    "opt_mapping",
    "opt_str",
    "require_decimal",
    "require_str",
    "str_tuple",
    "to_decimal",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS_DATE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
_ZERO = Decimal(0)


class ParseError(ValueError):
    """A payload lacks a field without which the object cannot exist (e.g. an order id)."""


# Decimals and datetimes are immutable, and stream frames repeat the same texts ("0", the
# order's opened time, prices on a tick grid): a bounded cache skips most conversions.
_CACHE_LIMIT = 8192
# Sentinels of the cached types, compared by identity (never stored as values).
_NO_DECIMAL = Decimal("NaN")
_NO_DATETIME = datetime(1, 1, 1, tzinfo=UTC)
_DECIMALS: dict[str, Decimal | None] = {}
_DATETIMES: dict[str, datetime | None] = {}


def is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """``isinstance(value, Mapping)`` with a fast path for dict (ABC checks cost ~1 us)."""
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def opt_mapping(value: Any) -> Mapping[str, Any] | None:
    """``value`` when it is a JSON object, else None."""
    return value if is_mapping(value) else None


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects of a list (anything else in it is dropped; not a list: none)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if is_mapping(item)]


def opt_decimal(value: Any) -> Decimal | None:
    """Decimal from a string (the API's normal form) or a number; None when absent or bad."""
    if value is None:
        return None
    cls = type(value)
    if cls is str:
        cached = _DECIMALS.get(value, _NO_DECIMAL)
        if cached is not _NO_DECIMAL:
            return cached
        result: Decimal | None
        try:
            result = Decimal(value) if value else None
        except InvalidOperation:
            result = None
        if result is not None and not result.is_finite():
            result = None
        if len(_DECIMALS) >= _CACHE_LIMIT:
            _DECIMALS.clear()
        _DECIMALS[value] = result
        return result
    if cls is int:
        return Decimal(value)
    if cls is float:
        # repr() gives the shortest round-tripping text: 0.1 -> Decimal("0.1"), not binary noise.
        try:
            result = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a float is always valid
            return None
        return result if result.is_finite() else None
    if cls is Decimal:
        return value  # type: ignore[no-any-return]
    if cls is bool:
        return None
    return None


def to_decimal(value: Any, default: Decimal = _ZERO) -> Decimal:
    """Like :func:`opt_decimal` with a default (0) for a missing value."""
    result = opt_decimal(value)
    return default if result is None else result


def require_decimal(data: Any, key: str) -> Decimal:
    result = opt_decimal(data.get(key))
    if result is None:
        raise ParseError(f"missing or invalid {key}")
    return result


def opt_str(value: Any) -> str | None:
    """A non-empty string, or None. Numbers are turned into their text (ids sometimes are)."""
    if value is None:
        return None
    if type(value) is str:
        return value or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return str(value)
    return None


def require_str(data: Any, key: str) -> str:
    result = opt_str(data.get(key))
    if result is None:
        raise ParseError(f"missing {key}")
    return result


def opt_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if type(value) is int:
        return value
    try:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                return int(text)
            except ValueError:
                return int(Decimal(text))
        if isinstance(value, float | Decimal):
            return int(value)
    except (ValueError, InvalidOperation, OverflowError):
        return None
    return None


def opt_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if value is True or value is False:
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        return None
    if isinstance(value, int):
        return value != 0
    return None


def _from_epoch(number: float) -> datetime | None:
    # Heuristic: values past ~year 5138 in seconds are really milliseconds.
    seconds = number / 1000.0 if abs(number) >= 1e11 else float(number)
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def opt_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from RFC 3339 text, epoch seconds/ms, or ``/Date(ms)/``.

    Naive text is taken as UTC (the API always means UTC); other offsets are converted.
    """
    if value is None:
        return None
    if type(value) is str:
        cached = _DATETIMES.get(value, _NO_DATETIME)
        if cached is not _NO_DATETIME:
            return cached
        result = _parse_datetime_text(value)
        if len(_DATETIMES) >= _CACHE_LIMIT:
            _DATETIMES.clear()
        _DATETIMES[value] = result
        return result
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None


def _parse_datetime_text(text: str) -> datetime | None:
    if not text:
        return None
    try:
        result = datetime.fromisoformat(text)
    except ValueError:
        return _datetime_slow(text)
    if result.tzinfo is None:
        return result.replace(tzinfo=UTC)
    if result.tzinfo is not UTC:
        return result.astimezone(UTC)
    return result


def _datetime_slow(text: str) -> datetime | None:
    text = text.strip()
    match = _MS_DATE.fullmatch(text)
    if match:
        return _from_epoch(int(match.group(1)) / 1000.0) if match.group(1) else None
    if text.lstrip("-").isdigit():
        return _from_epoch(int(text))
    # Fractions longer than microseconds (some servers send 7 digits) break fromisoformat.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        if digits > 6:
            return _parse_datetime_text(head + "." + tail[:6] + tail[digits:])
    return None


def opt_date(value: Any) -> date | None:
    """A calendar date from ``YYYY-MM-DD`` or a full timestamp (its UTC date)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    moment = opt_datetime(value)
    return moment.date() if moment is not None else None


def str_tuple(value: Any) -> tuple[str, ...]:
    if not value or not isinstance(value, list | tuple):
        return ()
    return tuple(str(item) for item in value if item is not None)
