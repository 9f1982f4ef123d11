"""Local risk checks: hard limits block, warnings can be overridden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# -- per asset class, reducing orders, groups (issue 15) -------------------------------------


def aapl(**changes: Any) -> OrderRequest:
    base: dict[str, Any] = {
        "account_id": "SIM1000001M",
        "symbol": "AAPL",
        "quantity": D(5950),
        "order_type": "Market",
        "trade_action": "BUYTOCOVER",
        "order_confirm_id": "a1",
    }
    base.update(changes)
    return OrderRequest(**base)


def errors(issues: list[Any]) -> list[tuple[str, str]]:
    return [(i.field, i.check) for i in issues if i.severity == "error"]


def test_default_live_limits_open_and_flatten_a_two_lot_es() -> None:
    from tstui.config import DEFAULT_RISK

    live = DEFAULT_RISK["live"]
    last = D("6388.75")  # 2 x 6388.75 x 50 = 638,875 of notional: not a futures cap
    opening = es(order_type="Market", limit_price=None)
    assert errors(check_risk(opening, last, D(50), live, None, NOW, asset_type="FUTURE")) == []
    # The asset class is inferred for a known futures contract when the caller does not say.
    assert errors(check_risk(opening, last, D(50), live, None, NOW)) == []
    flatten = es(order_type="Market", limit_price=None, trade_action="SELL")
    assert errors(check_risk(flatten, last, D(50), live, None, NOW, position_quantity=D(2))) == []
    # Contracts are still capped: 11 ES opening is above the LIVE default of 10.
    big = es(order_type="Market", limit_price=None, quantity=D(11))
    assert errors(check_risk(big, last, D(50), live, None, NOW)) == [("quantity", "max_quantity")]


def test_sim_flatten_of_a_5950_share_short_is_not_capped() -> None:
    from tstui.config import DEFAULT_RISK

    sim = DEFAULT_RISK["sim"]
    cover = aapl()
    last = D("190")
    # BUYTOCOVER can only reduce: never size-capped, even without the position.
    assert errors(check_risk(cover, last, None, sim, None, NOW, asset_type="STOCK")) == []
    assert (
        errors(
            check_risk(
                cover, last, None, sim, None, NOW, asset_type="STOCK", position_quantity=D(-5950)
            )
        )
        == []
    )
    # Opening 5,950 shares is still above the SIM default of 1,000.
    opening = aapl(trade_action="BUY")
    assert errors(check_risk(opening, last, None, sim, None, NOW, asset_type="STOCK")) == [
        ("quantity", "max_quantity")
    ]


def test_a_reversal_is_capped_on_what_it_opens_only() -> None:
    limits = RiskLimits(max_quantity=D(2))
    reverse = es(trade_action="SELL", quantity=D(5))
    [issue] = check_risk(reverse, None, None, limits, None, NOW, position_quantity=D(2))
    assert issue.check == "max_quantity" and "The 3 this order opens" in issue.message
    assert check_risk(reverse, None, None, limits, None, NOW, position_quantity=D(3)) == []
    # Adding to a position is opening.
    add = es(quantity=D(3))
    assert checks(check_risk(add, None, None, limits, None, NOW, position_quantity=D(4))) == {
        "max_quantity": "error"
    }


def test_the_price_band_still_applies_to_reducing_orders() -> None:
    limits = RiskLimits(max_quantity=D(1), price_band_pct=D(1))
    far = es(trade_action="SELL", limit_price=D(4000))
    assert checks(check_risk(far, D(4500), D(50), limits, None, NOW, position_quantity=D(2))) == {
        "price_band": "warning"
    }


def test_futures_margin_caps_when_the_margin_is_known() -> None:
    limits = RiskLimits.from_config({"future": {"max_margin": 30000, "warn_margin": 20000}})
    three = es(quantity=D(3))
    found = check_risk(three, None, D(50), limits, None, NOW, margin_per_contract=D(13200))
    assert [(i.check, i.severity) for i in found] == [("max_margin", "error")]
    assert "39,600.00" in found[0].message
    two = es()
    found = check_risk(two, None, D(50), limits, None, NOW, margin_per_contract=D(13200))
    assert [i.check for i in found] == ["warn_margin"]
    assert [i.check for i in check_risk(two, None, D(50), limits, None, NOW)] == ["margin_unknown"]
    # Stocks do not use the futures table: no margin findings.
    assert check_risk(aapl(trade_action="BUY"), D(190), None, limits, None, NOW) == []


def test_per_class_tables_replace_the_top_level_size_keys() -> None:
    limits = RiskLimits.from_config(
        {"max_quantity": 100, "max_notional": 500000, "future": {"max_quantity": 4},
         "stock": {"max_quantity": 10000}},
        where="risk.live",
    )  # fmt: skip
    assert limits.size_limits("FUTURE").max_notional is None
    assert limits.size_limits("STOCK").max_quantity == D(10000)
    assert limits.size_limits("STOCKOPTION").max_quantity == D(100)  # no table: top level
    assert limits.size_limits(None).max_notional == D(500000)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"future": {"max_qty": 1}}, "risk.live.future.max_qty"),
        ({"future": {"max_margin": -5}}, "risk.live.future.max_margin"),
        ({"future": 3}, "risk.live.future"),
    ]
    for data, where in bad:
        with pytest.raises(ValueError, match=where.replace(".", r"\.")):
            RiskLimits.from_config(data, where="risk.live")


def test_a_brackets_exits_are_closing_orders() -> None:
    from tstui.domain.orders import ExitSpec, build_bracket
    from tstui.domain.orders.risk import check_group_risk

    limits = RiskLimits(max_quantity=D(1), price_band_pct=D(1))
    entry = es(order_type="Market", limit_price=None)
    bracket = build_bracket(
        entry, target=ExitSpec.ticks(8), stop=ExitSpec.at(D(4400)), reference_price=D(4500),
        increment=D("0.25"),
    )  # fmt: skip
    found = check_group_risk(bracket, D(4500), D(50), limits, None, NOW)
    # The entry opens 2 > 1; the exits close it: not capped, but the far stop is out of band.
    assert [(i.field, i.check) for i in found] == [
        ("quantity", "max_quantity"),
        ("OSOs[0].Orders[1].StopPrice", "price_band"),
    ]


def test_an_exit_group_for_a_held_short_is_not_capped() -> None:
    from tstui.config import DEFAULT_RISK
    from tstui.domain.orders import ExitSpec, build_exit_bracket
    from tstui.domain.orders.risk import check_group_risk

    group = build_exit_bracket(
        account_id="SIM1000001M", symbol="AAPL", position_quantity=D(-5950), asset_type="STOCK",
        target=ExitSpec.at(D("185")), stop=ExitSpec.at(D("193")),
    )  # fmt: skip
    sim = DEFAULT_RISK["sim"]
    assert (
        check_group_risk(
            group, D(190), None, sim, None, NOW, position_quantity=D(-5950), asset_type="STOCK"
        )
        == []
    )
    # An OCO of two openings: each leg is capped, each finding names its leg.
    from tstui.domain.orders import OrderGroupRequest

    oco = OrderGroupRequest(
        type="OCO",
        orders=tuple(
            aapl(trade_action="BUY", order_type="Limit", limit_price=D(p), order_confirm_id=c)
            for p, c in (("189", "o1"), ("191", "o2"))
        ),
    )
    found = check_group_risk(oco, D(190), None, sim, None, NOW, asset_type="STOCK")
    assert ("Orders[1].Quantity", "max_quantity") in errors(found)
    assert ("Orders[0].Quantity", "max_quantity") in errors(found)


def test_config_asset_class_tables_merge_and_errors_name_file_and_key(tmp_path: Path) -> None:
    from tstui.config import ConfigError, load_settings

    path = tmp_path / "c.toml"
    path.write_text("[risk.live.future]\nmax_quantity = 3\nmax_margin = 60000\n")
    live = load_settings(path).risk["live"]
    future = live.size_limits("FUTURE")
    # Merged over the default table key by key: the default warn_quantity stays.
    assert (future.max_quantity, future.max_margin, future.warn_quantity) == (D(3), D(60000), D(5))
    path.write_text("[risk.live]\nfuture = false\n")
    assert load_settings(path).risk["live"].size_limits("FUTURE").max_notional == D(500000)
    path.write_text("[risk.live.future]\nwarn_quantity = false\n")
    assert load_settings(path).risk["live"].size_limits("FUTURE").warn_quantity is None
    for text, key in [
        ("[risk.live.future]\nmax_contracts = 3\n", "risk.live.future.max_contracts"),
        ('[risk.sim.stock]\nmax_notional = "lots"\n', "risk.sim.stock.max_notional"),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError) as info:
            load_settings(path)
        assert info.value.key == key and str(path) in str(info.value)


@given(
    held=st.integers(min_value=-10_000, max_value=10_000).filter(lambda q: q != 0),
    qty=st.integers(min_value=1, max_value=20_000),
    futures=st.booleans(),
)
def test_only_the_opening_part_is_ever_size_capped(held: int, qty: int, futures: bool) -> None:
    """Any position and any order against it: a size finding appears exactly when the part
    that opens (beyond flat) is above the cap."""
    limits = RiskLimits(max_quantity=D(3))
    action = ("SELL" if held > 0 else "BUY") if futures else ("SELL" if held > 0 else "BUYTOCOVER")
    req = es(quantity=D(qty), trade_action=action, symbol="ESZ26" if futures else "AAPL")
    found = check_risk(req, None, None, limits, None, NOW, position_quantity=D(held))
    opening = max(0, qty - abs(held)) if action != "BUYTOCOVER" else 0
    assert (("quantity", "max_quantity") in errors(found)) == (opening > 3)
