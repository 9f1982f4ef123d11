"""Local risk checks: hard limits block, warnings can be overridden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain.orders import OrderRequest
from tstui.domain.orders.risk import RecentOrders, RiskLimits, check_risk

D = Decimal
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def es(**changes: Any) -> OrderRequest:
    base: dict[str, Any] = {
        "account_id": "SIM1000002F",
        "symbol": "ESZ26",
        "quantity": D(2),
        "order_type": "Limit",
        "trade_action": "BUY",
        "order_confirm_id": "c1",
        "limit_price": D("4500"),
    }
    base.update(changes)
    return OrderRequest(**base)


def checks(issues: list[Any]) -> dict[str, str]:
    return {i.check: i.severity for i in issues}


def test_no_limits_no_findings() -> None:
    assert check_risk(es(), D("4500"), D(50), RiskLimits(), RecentOrders(), NOW) == []


def test_max_quantity_is_a_hard_limit_naming_the_quantity_field() -> None:
    limits = RiskLimits(max_quantity=D(1), warn_quantity=D(1))
    [issue] = check_risk(es(), None, None, limits, None, NOW)
    assert (issue.check, issue.severity, issue.field) == ("max_quantity", "error", "quantity")


def test_notional_uses_point_value_for_futures() -> None:
    limits = RiskLimits(max_notional=D(400_000))
    # 2 x 4500 x 50 = 450,000 > 400,000
    [issue] = check_risk(es(), D("4500"), D(50), limits, None, NOW)
    assert issue.check == "max_notional" and issue.severity == "error"
    assert "450,000.00" in issue.message
    assert check_risk(es(quantity=D(1)), D("4500"), D(50), limits, None, NOW) == []


def test_market_order_notional_uses_last_and_warns_without_it() -> None:
    market = es(order_type="Market", limit_price=None)
    limits = RiskLimits(max_notional=D(100_000), warn_notional=D(1000))
    assert checks(check_risk(market, D("4500"), D(50), limits, None, NOW)) == {
        "max_notional": "error"
    }
    assert checks(check_risk(market, None, D(50), limits, None, NOW)) == {
        "notional_unknown": "warning"
    }


def test_soft_thresholds_warn() -> None:
    limits = RiskLimits(warn_quantity=D(1), warn_notional=D(1000))
    assert checks(check_risk(es(), D(4500), D(50), limits, None, NOW)) == {
        "warn_quantity": "warning",
        "warn_notional": "warning",
    }


def test_price_band_warns_per_price_field() -> None:
    limits = RiskLimits(price_band_pct=D(5))
    stop_limit = es(order_type="StopLimit", limit_price=D(5000), stop_price=D(4510))
    [issue] = check_risk(stop_limit, D(4500), D(50), limits, None, NOW)
    assert (issue.check, issue.field, issue.severity) == ("price_band", "limit_price", "warning")
    assert check_risk(stop_limit, None, D(50), limits, None, NOW) == []  # no last: no band


def test_duplicate_guard_within_the_window_only() -> None:
    limits = RiskLimits(duplicate_window_s=10)
    recent = RecentOrders()
    recent.record(es(order_confirm_id="first"), NOW)
    again = es(order_confirm_id="second", limit_price=D("4500.25"))  # price differs: still "same"
    [issue] = check_risk(again, None, None, limits, recent, NOW + timedelta(seconds=3))
    assert (issue.check, issue.severity, issue.field) == ("duplicate", "warning", "order")
    assert check_risk(again, None, None, limits, recent, NOW + timedelta(seconds=11)) == []
    # The very same intent (same OrderConfirmID) is not its own duplicate.
    assert check_risk(es(order_confirm_id="first"), None, None, limits, recent, NOW) == []
    assert check_risk(es(quantity=D(3)), None, None, limits, recent, NOW) == []


def test_severity_is_configurable_per_check() -> None:
    limits = RiskLimits(price_band_pct=D(1), severities={"price_band": "error"})
    [issue] = check_risk(es(limit_price=D(4000)), D(4500), D(50), limits, None, NOW)
    assert issue.severity == "error"


def test_from_config_validates_and_names_keys() -> None:
    limits = RiskLimits.from_config(
        {"max_quantity": 10, "max_notional": "250000", "price_band_pct": 2.5,
         "duplicate_window_s": 5, "severities": {"duplicate": "error"}},
        where="risk.live",
    )  # fmt: skip
    assert limits.max_quantity == D(10) and limits.price_band_pct == D("2.5")
    assert limits.severity("duplicate") == "error" and limits.severity("max_quantity") == "error"
    bad: list[tuple[dict[str, Any], str]] = [
        ({"max_qty": 1}, "risk.live.max_qty"),
        ({"max_quantity": -1}, "risk.live.max_quantity"),
        ({"max_quantity": True}, "risk.live.max_quantity"),
        ({"duplicate_window_s": "x"}, "risk.live.duplicate_window_s"),
        ({"severities": {"nope": "error"}}, "risk.live.severities.nope"),
        ({"severities": {"duplicate": "fatal"}}, "risk.live.severities.duplicate"),
    ]
    for data, where in bad:
        with pytest.raises(ValueError, match=where.replace(".", r"\.")):
            RiskLimits.from_config(data, where="risk.live")
