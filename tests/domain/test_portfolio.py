"""Position valuation: API figures win, local computation fills gaps."""

from __future__ import annotations

from decimal import Decimal

from tstui.domain.portfolio.balances import Balance
from tstui.domain.portfolio.positions import Position
from tstui.domain.portfolio.valuation import (
    day_pl,
    portfolio_totals,
    totals_by_account,
    value_position,
    value_positions,
)

D = Decimal


def test_api_values_are_used_when_present() -> None:
    p = Position.from_api(
        {
            "PositionID": "1", "AccountID": "A", "Symbol": "MSFT", "AssetType": "STOCK",
            "Quantity": "10", "LongShort": "Long", "AveragePrice": "400", "Last": "410",
            "MarketValue": "4100", "TotalCost": "4000", "UnrealizedProfitLoss": "99",
            "UnrealizedProfitLossPercent": "2.475", "TodaysProfitLoss": "12",
        }
    )  # fmt: skip
    v = value_position(p)
    assert (v.market_value, v.unrealized_pl, v.unrealized_pl_pct, v.todays_pl) == (
        D(4100),
        D(99),
        D("2.475"),
        D(12),
    )
    assert not v.computed


def test_futures_short_computed_with_point_value() -> None:
    p = Position(
        position_id="2", account_id="F", symbol="ESZ26", asset_type="FUTURE",
        quantity=D(-2), long_short="Short", average_price=D(4500), last=D(4490),
    )  # fmt: skip
    v = value_position(p)  # point value 50 from the product table
    assert v.quantity == D(-2) and v.point_value == D(50)
    assert v.market_value == D(4490) * -2 * 50
    assert v.unrealized_pl == D(1000)  # short gains 10 points x 2 x 50
    assert v.cost == D(450_000)
    assert v.unrealized_pl_pct is not None and round(v.unrealized_pl_pct, 4) == D("0.2222")
    assert v.computed


def test_missing_last_uses_quote_and_missing_everything_stays_none() -> None:
    p = Position(position_id="3", account_id="A", symbol="AAPL", asset_type="STOCK",
                 quantity=D(5), long_short="Long", average_price=D(100))  # fmt: skip
    assert value_position(p, last=D(110)).unrealized_pl == D(50)
    bare = value_position(p)
    assert bare.market_value is None and bare.unrealized_pl is None and bare.cost == D(500)


def test_totals_and_day_pl() -> None:
    positions = [
        Position(position_id="1", account_id="A", symbol="MSFT", asset_type="STOCK",
                 quantity=D(10), long_short="Long", average_price=D(100), last=D(110),
                 todays_profit_loss=D(5)),
        Position(position_id="2", account_id="B", symbol="ESZ26", asset_type="FUTURE",
                 quantity=D(1), long_short="Long", average_price=D(4500), last=D(4490)),
        Position(position_id="3", account_id="B", symbol="XYZ", asset_type="STOCK",
                 quantity=D(1), long_short="Long"),
    ]  # fmt: skip
    values = value_positions(positions)
    totals = portfolio_totals(values)
    assert totals.positions == 3 and totals.incomplete == 1
    assert totals.unrealized_pl == D(100) - D(500)
    assert totals.market_value == D(1100) + D(4490 * 50)
    assert totals.todays_pl == D(5)
    assert totals.unrealized_pl_pct == (D(-400) / (D(1000) + D(225_000)) * 100)
    by_account = totals_by_account(values)
    assert list(by_account) == ["A", "B"] and by_account["B"].positions == 2
    balances = [
        Balance(account_id="A", todays_profit_loss=D("12.5")),
        Balance(account_id="B", todays_profit_loss=D(-2)),
        Balance(account_id="C"),
    ]
    assert day_pl(balances) == D("10.5")
    assert day_pl([Balance(account_id="C")]) is None
