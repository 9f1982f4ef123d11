"""Results of multi-item endpoints: the items plus the per-item errors reported inside a 200."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, Self, TypeVar

from tstui.domain.parsing import opt_str

__all__ = [
    "Batch",
    "ItemError",
    "envelope_batch",
    "envelope_errors",
    "envelope_items",
    "item_errors",
]

T = TypeVar("T")

# Keys that name the item a per-item error belongs to, in the order they are looked for.
_ID_KEYS = ("AccountID", "Symbol", "OrderID", "PositionID", "ID", "Id")

_ENVELOPE_KEYS: Final = frozenset(
    {"Accounts", "Balances", "BODBalances", "Positions", "Orders", "Errors", "NextToken",
     "Bars", "Symbols", "Quotes", "Routes", "Confirmations"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ItemError:
    """One entry of an ``Errors`` array: ``id`` is the account, symbol or order it is about."""

    id: str | None
    error: str
    message: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        item_id = None
        for key in _ID_KEYS:
            item_id = opt_str(data.get(key))
            if item_id is not None:
                break
        error = opt_str(data.get("Error")) or "Error"
        message = opt_str(data.get("Message")) or error
        return cls(id=item_id, error=error, message=message)

    def __str__(self) -> str:
        where = f"{self.id}: " if self.id else ""
        return (
            f"{where}{self.error}: {self.message}"
            if self.message != self.error
            else where + self.error
        )


@dataclass(frozen=True, slots=True)
class Batch(Generic[T]):
    """Items of a multi-item response and the per-item errors that came with them."""

    items: tuple[T, ...] = ()
    errors: tuple[ItemError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def merged(self, other: Batch[T]) -> Batch[T]:
        return Batch(self.items + other.items, self.errors + other.errors)


def item_errors(data: Any) -> tuple[ItemError, ...]:
    """Parse an ``Errors`` array (tolerates absence, null and non-dict entries)."""
    if not data or not isinstance(data, list):
        return ()
    return tuple(ItemError.from_api(entry) for entry in data if isinstance(entry, Mapping))


# -- response envelopes ({"Orders": [...], "Errors": [...], "NextToken": ...}) --------------


def envelope_items(body: Any, key: str) -> list[Mapping[str, Any]]:
    """The objects under ``key`` (tolerates a missing key, null, or a bare list body)."""
    if isinstance(body, Mapping):
        value = body.get(key)
    elif isinstance(body, list):
        # Some endpoints are specified as an array of envelopes: flatten them. A bare array of
        # items (no envelope keys) is taken as the items themselves (never as errors).
        out: list[Mapping[str, Any]] = []
        for element in body:
            if not isinstance(element, Mapping):
                continue
            if key in element:
                out.extend(envelope_items(element, key))
            elif key != "Errors" and not any(k in element for k in _ENVELOPE_KEYS):
                out.append(element)
        return out
    else:
        return []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def envelope_errors(body: Any) -> tuple[ItemError, ...]:
    """Every ``Errors`` entry of a body (an envelope or an array of envelopes)."""
    if isinstance(body, list):
        return tuple(
            error for envelope in body if isinstance(envelope, Mapping)
            for error in item_errors(envelope.get("Errors"))
        )  # fmt: skip
    if isinstance(body, Mapping):
        return item_errors(body.get("Errors"))
    return ()


def envelope_batch(body: Any, key: str, parse: Callable[[Mapping[str, Any]], T]) -> Batch[T]:
    """``Batch(items under key, parsed; every per-item error)``."""
    return Batch(tuple(parse(item) for item in envelope_items(body, key)), envelope_errors(body))
