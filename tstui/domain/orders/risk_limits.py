"""The per-environment risk limits as configured (the checks: :mod:`tstui.domain.orders.risk`).

Apart from the checks so the config loader (and every CLI command) can read them without
importing the order models.

Size limits are per asset class: a table `future` (contracts and margin), `option` (contracts)
or `stock` (shares and notional) replaces the top-level size keys for that class; the
top-level keys apply to a class without a table and to an unknown asset type. Futures have no
notional cap unless their table sets one (a 2-lot ES is 600,000+ of notional but about
25,000 of margin). The price band and the duplicate guard are the environment's, for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

Severity = Literal["error", "warning"]

DEFAULT_SEVERITIES: Final[Mapping[str, Severity]] = {
    "max_quantity": "error",
    "max_notional": "error",
    "warn_quantity": "warning",
    "warn_notional": "warning",
    "price_band": "warning",
    "duplicate": "warning",
    "notional_unknown": "warning",
    "max_margin": "error",
    "warn_margin": "warning",
    "margin_unknown": "warning",
    "unlimited_loss": "warning",
}
CHECKS: Final[tuple[str, ...]] = tuple(DEFAULT_SEVERITIES)
ASSET_CLASSES: Final[tuple[str, ...]] = ("stock", "future", "option")
SIZE_KEYS: Final[tuple[str, ...]] = (
    "max_quantity", "max_notional", "max_margin", "warn_quantity", "warn_notional", "warn_margin",
)  # fmt: skip


def asset_class(asset_type: str | None) -> str | None:
    """ "stock", "future", "option" for an API AssetType (STOCK, FUTURE, STOCKOPTION...)."""
    kind = (asset_type or "").upper()
    if kind in ("STOCK", "EQ"):
        return "stock"
    if kind in ("FUTURE", "FU"):
        return "future"
    if kind in ("STOCKOPTION", "INDEXOPTION", "FUTUREOPTION", "OP"):
        return "option"
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class SizeLimits:
    """The size caps that apply to one order (after choosing its asset class); None = off.

    Quantities are shares or contracts; notional = quantity x price x point value; margin =
    contracts x initial margin per contract.
    """

    max_quantity: Decimal | None = None
    max_notional: Decimal | None = None
    max_margin: Decimal | None = None
    warn_quantity: Decimal | None = None
    warn_notional: Decimal | None = None
    warn_margin: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskLimits:
    """Limits for one environment; None disables a check."""

    max_quantity: Decimal | None = None
    max_notional: Decimal | None = None
    warn_quantity: Decimal | None = None
    warn_notional: Decimal | None = None
    price_band_pct: Decimal | None = None
    duplicate_window_s: float = 10.0
    severities: Mapping[str, Severity] = field(default_factory=dict)
    max_margin: Decimal | None = None
    warn_margin: Decimal | None = None
    per_class: Mapping[str, SizeLimits] = field(default_factory=dict)

    def severity(self, check: str) -> Severity:
        return self.severities.get(check, DEFAULT_SEVERITIES[check])

    def size_limits(self, asset_type: str | None) -> SizeLimits:
        """The size caps for an order of `asset_type` (its class's table, else the top level)."""
        kind = asset_class(asset_type)
        if kind is not None and kind in self.per_class:
            return self.per_class[kind]
        return SizeLimits(**{key: getattr(self, key) for key in SIZE_KEYS})

    @classmethod
    def from_config(cls, data: Mapping[str, Any], where: str = "risk") -> RiskLimits:
        """Build from a TOML table; raises ValueError naming the bad key (`where.key`)."""
        known = {*SIZE_KEYS, "price_band_pct", "duplicate_window_s", "severities", *ASSET_CLASSES}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}: unknown setting")
        values: dict[str, Any] = {}
        for key in SIZE_KEYS:
            values[key] = _positive(data.get(key), f"{where}.{key}")
        per_class: dict[str, SizeLimits] = {}
        for kind in ASSET_CLASSES:
            table = data.get(kind)
            if table is None:
                continue
            if not isinstance(table, Mapping):
                raise ValueError(f"{where}.{kind}: expected a table")
            bad = sorted(set(table) - set(SIZE_KEYS))
            if bad:
                raise ValueError(f"{where}.{kind}.{bad[0]}: unknown setting")
            per_class[kind] = SizeLimits(
                **{key: _positive(table.get(key), f"{where}.{kind}.{key}") for key in SIZE_KEYS}
            )
        values["per_class"] = per_class
        values["price_band_pct"] = _positive(data.get("price_band_pct"), f"{where}.price_band_pct")
        window = data.get("duplicate_window_s", 10.0)
        if isinstance(window, bool) or not isinstance(window, int | float) or window < 0:
            raise ValueError(f"{where}.duplicate_window_s: expected seconds >= 0")
        values["duplicate_window_s"] = float(window)
        severities = data.get("severities", {})
        if not isinstance(severities, Mapping):
            raise ValueError(f"{where}.severities: expected a table")
        for check, level in severities.items():
            if check not in DEFAULT_SEVERITIES:
                raise ValueError(f"{where}.severities.{check}: unknown check")
            if level not in ("error", "warning"):
                raise ValueError(f"{where}.severities.{check}: use 'error' or 'warning'")
        values["severities"] = dict(severities)
        return cls(**values)


def _positive(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a positive number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: expected a positive number") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"{where}: expected a positive number")
    return number
