"""Minute bars follow the instrument's session: stock regular hours, the futures' overnight
session with its daily halt; daily bars are unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sim_helpers import StreamReader, get_token

from tstui.domain.market.sessions import FUTURES_GLOBEX, STOCK_REGULAR, is_open
from tstui.sim.control import SimControl
from tstui.sim.server import SimServer

SECOND = timedelta(seconds=1)


def stamps(api: httpx.Client, symbol: str, **params: str) -> list[datetime]:
    response = api.get(f"/v3/marketdata/barcharts/{symbol}", params={"unit": "Minute", **params})
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(b["TimeStamp"]) for b in response.json()["Bars"]]


def test_stock_minute_bars_stay_inside_regular_hours(api: httpx.Client) -> None:
    # the sim starts Tue 2026-12-01 15:00Z (10:00 New York): 90 five-minute bars reach back
    # across the overnight gap into Monday's session
    ends = stamps(api, "MSFT", interval="5", barsback="90")
    assert len(ends) == 90
    assert all(is_open(STOCK_REGULAR, end - SECOND) for end in ends)
    today = [e for e in ends if e.day == 1]
    assert today[0] == datetime(2026, 12, 1, 14, 35, tzinfo=UTC)  # the first bar after 09:30
    monday = [e for e in ends if e.day == 30]
    assert monday[-1] == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # the 16:00 close
    # a 60-minute bar that starts at 15:30 ends at the 16:00 close
    hourly = stamps(api, "MSFT", interval="60", barsback="9")
    assert datetime(2026, 11, 30, 21, 0, tzinfo=UTC) in hourly
    assert datetime(2026, 11, 30, 20, 30, tzinfo=UTC) in hourly


def test_futures_minute_bars_skip_the_daily_halt_and_the_weekend(api: httpx.Client) -> None:
    ends = stamps(
        api, "@ES", interval="15", firstdate="2026-11-27T20:00:00Z", lastdate="2026-12-01T00:00:00Z"
    )
    assert all(is_open(FUTURES_GLOBEX, e - SECOND) for e in ends)
    # Friday closes at 17:00 New York (22:00Z); the next bar ends Sunday 18:15 (23:15Z)
    friday_close = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    index = ends.index(friday_close)
    assert ends[index + 1] == datetime(2026, 11, 29, 23, 15, tzinfo=UTC)
    # the Monday halt: 22:00Z then 23:15Z
    monday_close = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    index = ends.index(monday_close)
    assert ends[index + 1] == datetime(2026, 11, 30, 23, 15, tzinfo=UTC)


def move_clock(server: SimServer, api: httpx.Client, control: SimControl, to: datetime) -> None:
    control.set_clock(to)
    api.headers["Authorization"] = f"Bearer {get_token(server)}"  # the old one expired


def test_closed_market_serves_the_last_session(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    move_clock(server, api, control, datetime(2026, 12, 5, 15, 0, tzinfo=UTC))  # Saturday
    ends = stamps(api, "MSFT", interval="5", barsback="3")
    assert ends[-1] == datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    bars = api.get(
        "/v3/marketdata/barcharts/MSFT",
        params={"unit": "Minute", "barsback": "1"},
    ).json()["Bars"]
    assert bars[0]["BarStatus"] == "Closed"
    futures = stamps(api, "@ES", interval="5", barsback="1")
    assert futures == [datetime(2026, 12, 4, 22, 0, tzinfo=UTC)]
    daily = api.get("/v3/marketdata/barcharts/MSFT", params={"barsback": "2"}).json()["Bars"]
    assert [b["TimeStamp"] for b in daily] == ["2026-12-03T21:00:00Z", "2026-12-04T21:00:00Z"]


def test_stream_waits_for_the_open_then_streams_the_first_bar(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    # before the open: 09:20 New York on Wednesday (the clock never moves backward)
    move_clock(server, api, control, datetime(2026, 12, 2, 14, 20, tzinfo=UTC))
    url = "/v3/marketdata/stream/barcharts/MSFT?unit=Minute&interval=5&barsback=2"
    with api.stream("GET", url) as response:
        reader = StreamReader(response)
        history = reader.snapshot()
        assert history[-1]["TimeStamp"] == "2026-12-01T21:00:00Z"  # yesterday's close
        control.set_price("MSFT", "481.00")  # a market event before the open: no bar ahead
        control.advance(15 * 60)  # 09:35: the first bar of the day has closed
        frames: list[dict[str, Any]] = []
        while not frames or frames[-1].get("TimeStamp") != "2026-12-02T14:40:00Z":
            frames.append(reader.next())
        first_bar = [f for f in frames if f.get("TimeStamp") == "2026-12-02T14:35:00Z"]
        # without the session rule an "Open" 14:35 bar would stream at 09:20, before the open
        assert [f["BarStatus"] for f in first_bar] == ["Closed"]
        assert frames[-1]["BarStatus"] == "Open"
