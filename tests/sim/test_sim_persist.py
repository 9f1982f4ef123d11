"""--state persistence: orders, positions, balances and OrderConfirmIDs survive a restart."""

from __future__ import annotations

from pathlib import Path

import httpx
from sim_helpers import MARGIN, START, get_token, order_body

from tstui.sim.control import SimControl
from tstui.sim.server import SimServer


def _client(sim: SimServer) -> httpx.Client:
    return httpx.Client(
        base_url=sim.url, headers={"Authorization": f"Bearer {get_token(sim)}"}, timeout=10
    )


def test_state_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "sim.sqlite"
    with SimServer(start=START, speed=0, state_path=path) as sim, _client(sim) as api:
        placed = api.post(
            "/v3/orderexecution/orders",
            json=order_body(Symbol="NVDA", Quantity="7", OrderConfirmID="keep-1"),
        )
        order_id = placed.json()["Orders"][0]["OrderID"]
        working = api.post(
            "/v3/orderexecution/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
        )
        working_id = working.json()["Orders"][0]["OrderID"]
        cash = api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()["Balances"][0][
            "CashBalance"
        ]
    with SimServer(start=START, speed=0, state_path=path) as sim, _client(sim) as api:
        orders = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/{order_id},{working_id}")
        assert [o["Status"] for o in orders.json()["Orders"]] == ["FLL", "OPN"]
        positions = api.get(f"/v3/brokerage/accounts/{MARGIN}/positions").json()["Positions"]
        assert any(p["Symbol"] == "NVDA" and p["Quantity"] == "7" for p in positions)
        balance = api.get(f"/v3/brokerage/accounts/{MARGIN}/balances").json()["Balances"][0]
        assert balance["CashBalance"] == cash
        again = api.post(
            "/v3/orderexecution/orders",
            json=order_body(Symbol="NVDA", Quantity="7", OrderConfirmID="keep-1"),
        )
        assert "Duplicate" in again.json()["Errors"][0]["Message"]
        fresh = api.post("/v3/orderexecution/orders", json=order_body()).json()
        assert int(fresh["Orders"][0]["OrderID"]) > int(working_id)


def test_admin_restart_reloads_from_state(tmp_path: Path) -> None:
    path = tmp_path / "sim.sqlite"
    with SimServer(start=START, speed=0, state_path=path) as sim, _client(sim) as api:
        api.post("/v3/orderexecution/orders", json=order_body(OrderConfirmID="r-1"))
        before = SimControl(sim.url).state()["accounts"][MARGIN]
        SimControl(sim.url).restart()
        after = SimControl(sim.url).state()["accounts"][MARGIN]
        assert [o["OrderID"] for o in after["orders"]] == [o["OrderID"] for o in before["orders"]]

        def by_id(items: list[dict[str, str]]) -> list[dict[str, str]]:
            return sorted(items, key=lambda p: p["PositionID"])

        assert by_id(after["positions"]) == by_id(before["positions"])


def test_groups_and_advanced_orders_survive_restart(tmp_path: Path) -> None:
    path = tmp_path / "sim.sqlite"
    trailing = {"TrailingStop": {"Percent": "2"}}
    rule = {"RuleType": "Price", "Symbol": "AAPL", "Predicate": "Gt", "TriggerKey": "DTT"}
    entry = order_body(
        OrderType="Limit",
        LimitPrice="1.00",
        AdvancedOptions={"MarketActivationRules": [dict(rule, Price="99999")]},
        OSOs=[
            {
                "Type": "BRK",
                "Orders": [
                    order_body(TradeAction="SELL", OrderType="Limit", LimitPrice="999"),
                    order_body(
                        TradeAction="SELL", OrderType="StopMarket", AdvancedOptions=trailing
                    ),
                ],
            }
        ],
    )
    with SimServer(start=START, speed=0, state_path=path) as sim, _client(sim) as api:
        placed = api.post("/v3/orderexecution/orders", json=entry).json()["Orders"]
        ids = ",".join(o["OrderID"] for o in placed)
        before = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/{ids}").json()["Orders"]
    with SimServer(start=START, speed=0, state_path=path) as sim, _client(sim) as api:
        after = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/{ids}").json()["Orders"]
    assert [o["Status"] for o in after] == ["DON", "OSO", "OSO"]
    assert after == before
    assert after[2]["TrailingStop"] == {"Percent": "2"}
