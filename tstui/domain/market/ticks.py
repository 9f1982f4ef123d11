"""Price increment (tick) helpers: pure Decimal arithmetic, no float anywhere.

A symbol's `PriceFormat` gives either one `Increment` (IncrementStyle "Simple") or an
`IncrementSchedule` of rows (StartsAt, Increment): prices at or above StartsAt move by that row's
increment. `increment_at` reads either from a PriceFormat-shaped object (the domain model, read by
attribute name) and the other helpers take the increment explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

RoundingMode = Literal["nearest", "up", "down"]

_ROUNDING = {"nearest": ROUND_HALF_UP, "up": ROUND_CEILING, "down": ROUND_FLOOR}


def _usable_increment(increment: Decimal | None) -> bool:
    return increment is not None and increment.is_finite() and increment > 0


def is_on_tick(price: Decimal, increment: Decimal | None) -> bool:
    """True when `price` is a whole number of `increment`s (no usable increment: always True)."""
    if not _usable_increment(increment):
        return True
    assert increment is not None
    if not price.is_finite():
        return False
    try:
        return (price % increment) == 0
    except (ArithmeticError, InvalidOperation):
        return False


def round_to_tick(
    price: Decimal, increment: Decimal | None, mode: RoundingMode = "nearest"
) -> Decimal:
    """Snap `price` to the tick grid; "up"/"down" round toward +inf/-inf, "nearest" half-up."""
    if not _usable_increment(increment):
        return price
    assert increment is not None
    ticks = (price / increment).to_integral_value(rounding=_ROUNDING[mode])
    return _tidy(ticks * increment, increment)


def step(price: Decimal, ticks: int, increment: Decimal | None) -> Decimal:
    """Move `price` by `ticks` increments (negative moves down), snapping it to the grid first.

    Snapping rounds in the direction of travel, so one step up from an off-tick price lands on
    the next tick above it rather than skipping one.
    """
    if not _usable_increment(increment):
        return price
    assert increment is not None
    if not is_on_tick(price, increment):
        mode: RoundingMode = "up" if ticks > 0 else "down" if ticks < 0 else "nearest"
        price = round_to_tick(price, increment, mode)
        ticks = ticks - 1 if ticks > 0 else ticks + 1 if ticks < 0 else 0
    return _tidy(price + increment * ticks, increment)


def _tidy(value: Decimal, increment: Decimal) -> Decimal:
    """Give the result the increment's number of decimal places (4500.5 -> 4500.50 for 0.25)."""
    exponent = increment.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:
        try:
            return value.quantize(Decimal(1).scaleb(exponent))
        except InvalidOperation:
            return value
    return value


def decimals_of(increment: Decimal) -> int:
    """Number of decimal places needed to show prices on this increment's grid."""
    exponent = increment.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


def _schedule_rows(schedule: Iterable[Any]) -> list[tuple[Decimal, Decimal]]:
    rows: list[tuple[Decimal, Decimal]] = []
    for row in schedule:
        if isinstance(row, dict):
            starts, inc = row.get("StartsAt"), row.get("Increment")
        else:
            starts, inc = getattr(row, "starts_at", None), getattr(row, "increment", None)
        starts_d, inc_d = _as_decimal(starts), _as_decimal(inc)
        if starts_d is not None and inc_d is not None and inc_d > 0:
            rows.append((starts_d, inc_d))
    return sorted(rows)


def increment_at(price_format: Any, price: Decimal | None = None) -> Decimal | None:
    """The tick increment a PriceFormat gives for `price` (None when it cannot be told).

    Accepts the domain `PriceFormat` (attributes `increment`, `increment_style`,
    `increment_schedule`) or the raw API mapping. With a schedule and no price, the smallest
    row's increment is returned (the finest grid: the permissive choice).
    """
    if price_format is None:
        return None
    if isinstance(price_format, dict):
        style = price_format.get("IncrementStyle")
        simple = price_format.get("Increment")
        schedule = price_format.get("IncrementSchedule") or ()
    else:
        style = getattr(price_format, "increment_style", None)
        simple = getattr(price_format, "increment", None)
        schedule = getattr(price_format, "increment_schedule", None) or ()
    rows = _schedule_rows(schedule) if str(style or "") == "Schedule" or not simple else []
    if rows:
        if price is None or not price.is_finite():
            return min(inc for _, inc in rows)
        chosen = rows[0][1]
        for starts_at, row_increment in rows:
            if price >= starts_at:
                chosen = row_increment
        return chosen
    increment = _as_decimal(simple)
    return increment if increment is not None and increment > 0 else None
