"""Headroom from our own request count against the documented quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tstui.client.quota import QuotaTracker, quota_for

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "category", "limit"),
    [
        ("/v3/brokerage/accounts", "accounts", 250),
        ("/v3/brokerage/accounts/A1,A2/balances", "balances", 250),
        ("/v3/brokerage/accounts/A1/bodbalances", "balances", 250),
        ("/v3/brokerage/accounts/A1/positions", "positions", 250),
        ("/v3/brokerage/accounts/A1/historicalorders", "order details", 250),
        ("/v3/marketdata/quotes/MSFT", "quote snapshots", 30),
        ("/v3/marketdata/barcharts/MSFT", "bar charts", 500),
        ("/v3/marketdata/stream/quotes/MSFT", "quote streams", 500),
        ("/v2/stream/tickbars/ESZ26/1/10", "tick bar streams", 500),
        ("/v3/marketdata/options/expirations/MSFT", "option expirations", 90),
        ("/v3/marketdata/options/strikes/MSFT", "option strikes", 90),
        ("/v3/marketdata/options/spreadtypes", "option spreadtypes", 90),
        ("/v3/marketdata/options/riskreward", "option riskreward", 90),
        ("/v3/marketdata/stream/options/chains/MSFT", "option chain streams", 90),
        ("/v3/marketdata/stream/options/quotes", "option quote streams", 90),
    ],
)
def test_paths_map_to_documented_quotas(path: str, category: str, limit: int) -> None:
    quota = quota_for(path)
    assert quota is not None and (quota.category, quota.limit) == (category, limit)


def test_no_quota_for_order_execution() -> None:
    assert quota_for("/v3/orderexecution/orders") is None


def test_counts_down_and_sorts_tightest_first() -> None:
    tracker = QuotaTracker()
    for _ in range(10):
        tracker.record("/v3/marketdata/quotes/MSFT")
    tracker.record("/v3/brokerage/accounts/A1/balances")
    quotes, balances = tracker.headroom()
    assert (quotes.category, quotes.remaining) == ("quote snapshots", 20)
    assert (balances.category, balances.remaining) == ("balances", 249)


async def test_session_reports_headroom_from_its_own_calls(
    sim: SimServer, sim_settings: Settings
) -> None:
    from tstui.client.session import Session

    environ = {"REFRESH_TOKEN": sim.credentials.refresh_token}
    async with Session.open(sim_settings, environ=environ) as s:
        await s.api.get_accounts()
        await s.api.get_balances(["SIM1000001M"])
        await s.api.get_balances(["SIM1000001M"])
        info = s.http.rate_limits["balances"]
    assert (info.limit, info.remaining) == (250, 248)
