"""Price alerts: crosses above / below a level, or a move of some percent from a reference.

An alert is written as one line a person can read and type, and is kept that way in the config
(``[alerts] price = ["MSFT above 450", "@ES below 5600", "AAPL move 2% from 219.50"]``):
:func:`parse_alert` reads it, :meth:`PriceAlert.text` writes it back.

"Crosses" means a price on one side of the level and then one on the other (or on it): an
alert set while the price is already beyond its level waits for the next cross. A move fires
when the price is at least that many percent away from its reference, either way. Each alert
fires once; :class:`AlertWatch` then drops it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

__all__ = ["AlertKind", "AlertWatch", "PriceAlert", "parse_alert"]

AlertKind = Literal["above", "below", "move"]

_LINE = re.compile(
    r"^\s*(?P<symbol>[@$A-Za-z0-9.:/_-]{1,30})\s+(?P<kind>above|below|move)\s+"
    r"(?P<value>[+-]?[0-9]+(?:\.[0-9]+)?)\s*(?P<pct>%?)"
    r"(?:\s+from\s+(?P<ref>[0-9]+(?:\.[0-9]+)?))?\s*$",
    re.IGNORECASE,
)
_FORMS = "SYMBOL above PRICE, SYMBOL below PRICE or SYMBOL move PCT% [from PRICE]"


@dataclass(frozen=True, slots=True)
class PriceAlert:
    symbol: str
    kind: AlertKind
    value: Decimal  # the level, or the percent of a move
    reference: Decimal | None = None  # a move's starting price

    def text(self) -> str:
        """The alert as typed and as saved: ``MSFT above 450``, ``AAPL move 2% from 219.5``."""
        if self.kind == "move":
            ref = f" from {_plain(self.reference)}" if self.reference is not None else ""
            return f"{self.symbol} move {_plain(self.value)}%{ref}"
        return f"{self.symbol} {self.kind} {_plain(self.value)}"

    def describe(self, price: Decimal) -> str:
        """What happened, for the notification."""
        if self.kind == "move" and self.reference is not None:
            change = (price - self.reference) / self.reference * 100
            return (
                f"{self.symbol} moved {change:+.2f}% from {_plain(self.reference)} "
                f"to {_plain(price)}"
            )
        word = "above" if self.kind == "above" else "below"
        return f"{self.symbol} crossed {word} {_plain(self.value)}: last {_plain(price)}"

    def beyond(self, price: Decimal) -> bool:
        """The price is where the alert wants it (on or past the level; moved far enough)."""
        if self.kind == "above":
            return price >= self.value
        if self.kind == "below":
            return price <= self.value
        if self.reference is None or self.reference == 0:
            return False
        return abs(price - self.reference) / self.reference * 100 >= self.value


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_alert(text: str, last: Decimal | None = None) -> PriceAlert:
    """Read ``MSFT above 450`` / ``@ES below 5600`` / ``AAPL move 2%`` (from ``last``, or an
    explicit ``from PRICE``). Raises ValueError with a message a person can act on."""
    match = _LINE.match(text)
    if match is None:
        raise ValueError(f"{text.strip()!r}: write {_FORMS}")
    symbol = match["symbol"].upper()
    kind: AlertKind = match["kind"].lower()  # type: ignore[assignment]
    try:
        value = Decimal(match["value"])
        reference = Decimal(match["ref"]) if match["ref"] else None
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r}: not a number") from None
    if kind == "move":
        if value <= 0 or value >= 100:
            raise ValueError(f"{text.strip()!r}: a move is a percent above 0 and below 100")
        reference = reference if reference is not None else last
        if reference is None or reference <= 0:
            raise ValueError(
                f"{text.strip()!r}: no price for {symbol} yet; give one: "
                f"{symbol} move {_plain(value)}% from PRICE"
            )
        return PriceAlert(symbol, kind, value, reference)
    if match["pct"] or match["ref"]:
        raise ValueError(f"{text.strip()!r}: a level has no % or 'from' ({_FORMS})")
    if value <= 0:
        raise ValueError(f"{text.strip()!r}: the level must be above 0")
    return PriceAlert(symbol, kind, value)


@dataclass(slots=True)
class AlertWatch:
    """The active alerts and the last price seen per symbol; :meth:`check` returns the alerts a
    new price fires (and forgets them: each fires once)."""

    alerts: list[PriceAlert] = field(default_factory=list)
    _last: dict[str, Decimal] = field(default_factory=dict)
    # Level alerts that have seen a price on their near side: the next cross fires them.
    _armed: set[PriceAlert] = field(default_factory=set)

    @classmethod
    def of(cls, alerts: Iterable[PriceAlert]) -> AlertWatch:
        return cls(list(dict.fromkeys(alerts)))

    @property
    def symbols(self) -> list[str]:
        return sorted({a.symbol for a in self.alerts})

    def add(self, alert: PriceAlert) -> bool:
        """Add ``alert`` (False: the same one is already set). A level alert is armed at once
        when the last price seen is on its near side."""
        if alert in self.alerts:
            return False
        self.alerts.append(alert)
        last = self._last.get(alert.symbol)
        if last is not None and alert.kind != "move" and not alert.beyond(last):
            self._armed.add(alert)
        return True

    def remove(self, alert: PriceAlert) -> bool:
        if alert not in self.alerts:
            return False
        self.alerts.remove(alert)
        self._armed.discard(alert)
        return True

    def check(self, symbol: str, price: Decimal) -> list[PriceAlert]:
        """A new last price for ``symbol``: the alerts it fires, removed from the watch."""
        self._last[symbol] = price
        fired: list[PriceAlert] = []
        for alert in [a for a in self.alerts if a.symbol == symbol]:
            if alert.kind == "move":
                if alert.beyond(price):
                    fired.append(alert)
            elif not alert.beyond(price):
                self._armed.add(alert)
            elif alert in self._armed:
                fired.append(alert)
        for alert in fired:
            self.remove(alert)
        return fired
