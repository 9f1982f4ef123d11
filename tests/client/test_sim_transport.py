"""Transport faults against the simulator: stalls, malformed lines, 429, order resets."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from order_factory import order_request
from sim_sessions import FAST, token_session

from tstui.client.errors import OrderOutcomeUnknown
from tstui.client.http import CallRecord
from tstui.client.session import Session
from tstui.client.streams import StreamState
from tstui.config import Settings

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

MARGIN = "SIM1000001M"


def open_session(sim: SimServer, settings: Settings, **options: Any) -> Session:
    return token_session(sim, settings, http_options={**FAST, **options})


async def test_stalled_stream_is_detected_and_resynced(
    sim: SimServer, sim_settings: Settings
) -> None:
    control = sim.control()
    details: list[str] = []
    with anyio.fail_after(15):
        async with open_session(sim, sim_settings, heartbeat_timeout=0.6) as s:
            stream = s.api.stream_orders([MARGIN])
            async with stream:
                async for event in stream:
                    if not isinstance(event, StreamState):
                        continue
                    details.append(f"{event.state}:{event.detail}")
                    if event.state == "snapshot_complete":
                        await control.apost("faults/stall", {"stream": "orders", "seconds": 3})
                    if event.state == "resynced":
                        break
    assert any(d.startswith("reconnecting:silent") for d in details), details


async def test_malformed_lines_from_the_server_are_counted(
    sim: SimServer, sim_settings: Settings
) -> None:
    control = sim.control()
    events: list[object] = []
    with anyio.fail_after(15):
        async with open_session(sim, sim_settings) as s:
            stream = s.api.stream_quotes(["MSFT"])

            async def consume() -> None:
                async for event in stream:
                    events.append(event)

            async with stream, anyio.create_task_group() as tg:
                tg.start_soon(consume)
                while not any(getattr(e, "state", "") == "snapshot_complete" for e in events):
                    await anyio.sleep(0.02)
                await control.apost("faults/malformed", {"stream": "quotes", "count": 2})
                while stream.malformed_count < 2:
                    await anyio.sleep(0.02)
                seen = len(events)
                await control.aset_price("MSFT", "401.00")  # the stream goes on
                while not [e for e in events[seen:] if not isinstance(e, StreamState)]:
                    await anyio.sleep(0.02)
                await stream.aclose()
            assert stream.malformed_count == 2
            assert stream.reconnect_count == 0


async def test_429_retry_after_from_the_server(sim: SimServer, sim_settings: Settings) -> None:
    calls: list[CallRecord] = []
    with anyio.fail_after(15):
        async with token_session(sim, sim_settings, on_call=calls.append) as s:
            await s.api.get_accounts()
            await sim.control().apost(
                "faults/http", {"group": "accounts", "status": 429, "count": 1}
            )
            assert len(await s.api.get_accounts()) == 3
    statuses = [c.status for c in calls if c.path == "/v3/brokerage/accounts"]
    assert statuses == [200, 429, 200]


async def test_placement_reset_after_accept_is_outcome_unknown_and_sent_once(
    sim: SimServer, sim_settings: Settings
) -> None:
    calls: list[CallRecord] = []
    req = order_request(MARGIN, "MSFT", "BUY", 1, "Limit", limit_price=Decimal("1.00"))
    with anyio.fail_after(15):
        async with token_session(sim, sim_settings, on_call=calls.append) as s:
            before = len((await sim.control().astate())["accounts"][MARGIN]["orders"])
            await sim.control().apost("faults/reset-after-accept", {"count": 1})
            with pytest.raises(OrderOutcomeUnknown) as caught:
                await s.api.place_order(req)
            assert caught.value.order_confirm_id == req.order_confirm_id
            # A deliberate resend of the same intent cannot duplicate: same OrderConfirmID.
            results = await s.api.place_order(req)
            assert results and results[0].error is not None
            after = len((await sim.control().astate())["accounts"][MARGIN]["orders"])
    assert after == before + 1  # the first request was applied exactly once
    placed = [c for c in calls if c.method == "POST" and c.path == "/v3/orderexecution/orders"]
    assert len(placed) == 2  # the reset one (not retried by the client) + the deliberate resend


async def test_placement_500_is_sent_once(sim: SimServer, sim_settings: Settings) -> None:
    calls: list[CallRecord] = []
    req = order_request(MARGIN, "MSFT", "BUY", 1)
    with anyio.fail_after(15):
        async with token_session(sim, sim_settings, on_call=calls.append) as s:
            await sim.control().apost(
                "faults/http", {"group": "orderexecution", "status": 500, "count": 1}
            )
            with pytest.raises(OrderOutcomeUnknown):
                await s.api.place_order(req)
    placed = [c for c in calls if c.path == "/v3/orderexecution/orders"]
    assert [c.status for c in placed] == [500]
