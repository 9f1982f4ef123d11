"""The per-environment risk limits as configured (the checks: :mod:`tstui.domain.orders.risk`).

Apart from the checks so the config loader (and every CLI command) can read them without
importing the order models.
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
}
CHECKS: Final[tuple[str, ...]] = tuple(DEFAULT_SEVERITIES)


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

    def severity(self, check: str) -> Severity:
        return self.severities.get(check, DEFAULT_SEVERITIES[check])

    @classmethod
    def from_config(cls, data: Mapping[str, Any], where: str = "risk") -> RiskLimits:
        """Build from a TOML table; raises ValueError naming the bad key (`where.key`)."""
        known = {
            "max_quantity",
            "max_notional",
            "warn_quantity",
            "warn_notional",
            "price_band_pct",
            "duplicate_window_s",
            "severities",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}: unknown setting")
        values: dict[str, Any] = {}
        for key in ("max_quantity", "max_notional", "warn_quantity", "warn_notional"):
            values[key] = _positive(data.get(key), f"{where}.{key}")
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
