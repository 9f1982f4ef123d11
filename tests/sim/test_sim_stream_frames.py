"""Each stream sends only the frame kinds the spec lists for it.

The spec's lists (the 200 response of each stream operation):
- orders, orders by id: Order, Heartbeat, ErrorResponse, StreamStatus;
- positions: Position, DeletedPosition, Heartbeat, ErrorResponse, StreamStatus;
- quotes: Quote, Heartbeat, Error (no StreamStatus: no EndSnapshot, GoAway is an Error);
- bar charts: Bar, Heartbeat, Error;
- v2 tick bars: TickbarDefinition only.
Where the wire notes (tradestation-wire.md) say the real API differs, the notes win, and the
allowed set below says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from sim_helpers import MARGIN, order_body

from tstui.sim.control import SimControl

FrameKinds = set[str]


def frame_kind(line: str) -> str:
    try:
        frame = json.loads(line)
    except ValueError:
        return f"line {line.split()[0]}"  # a bare v2 trailer ("END", "ERROR - ...")
    if "Heartbeat" in frame:
        return "Heartbeat"
    if "StreamStatus" in frame:
        return f"StreamStatus {frame['StreamStatus']}"
    if "Error" in frame:
        return "item Error" if {"AccountID", "Symbol"} & set(frame) else f"Error {frame['Error']}"
    if frame.get("Deleted") is True:
        return "Deleted"
    return "data"


def kinds_until_end(
    api: httpx.Client, url: str, act: Callable[[int], None], limit: int = 400
) -> list[str]:
    """Every line's kind, calling ``act(n)`` after each line n, until the stream ends."""
    kinds: list[str] = []
    with api.stream("GET", url) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line.strip():
                continue
            kinds.append(frame_kind(line))
            act(len(kinds))
            assert len(kinds) < limit, f"{url} never ended: {kinds[-5:]}"
    return kinds


BROKERAGE = {"data", "Heartbeat", "item Error", "StreamStatus EndSnapshot", "StreamStatus GoAway"}
CASES: dict[str, tuple[str, str, FrameKinds]] = {
    "orders": ("orders", f"/v3/brokerage/stream/accounts/{MARGIN},NOPE/orders", BROKERAGE),
    "positions": (
        "positions",
        f"/v3/brokerage/stream/accounts/{MARGIN},NOPE/positions?changes=true",
        BROKERAGE | {"Deleted"},
    ),
    "quotes": (
        "quotes",
        "/v3/marketdata/stream/quotes/MSFT,NOPE",
        {"data", "Heartbeat", "item Error", "Error GoAway"},
    ),
    "bars": (
        "bars",
        "/v3/marketdata/stream/barcharts/MSFT?unit=Minute&barsback=3",
        # the wire notes: the history bars end with an EndSnapshot (the spec lists none)
        {"data", "Heartbeat", "Error GoAway", "StreamStatus EndSnapshot"},
    ),
    "tickbars": (
        "tickbars",
        "/v2/stream/tickbars/MSFT/10/3",
        # the wire notes: heartbeats on every stream, and v2 streams end with a bare
        # trailer line (END) rather than a JSON status or error frame
        {"data", "Heartbeat", "line END"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_stream_sends_only_its_listed_frames(
    api: httpx.Client, control: SimControl, case: str
) -> None:
    kind, url, allowed = CASES[case]

    def act(n: int) -> None:
        if n == 1 and kind in ("orders", "positions"):  # changes while the stream is open
            api.post(
                "/v3/orderexecution/orders",
                json=order_body(TradeAction="SELL", Symbol="AAPL", Quantity="50"),
            )
        if n == 1 and kind in ("quotes", "bars", "tickbars"):
            control.set_price("MSFT", "401.00")
        if n == 12:
            control.goaway(kind)

    seen = kinds_until_end(api, url, act)
    assert set(seen) <= allowed, f"{case}: unexpected frames {set(seen) - allowed}"
    assert "data" in seen and "Heartbeat" in seen
    ending = {"tickbars": "line END", "quotes": "Error GoAway", "bars": "Error GoAway"}
    assert seen[-1] == ending.get(kind, "StreamStatus GoAway")
    if kind == "quotes":
        assert not [k for k in seen if k.startswith("StreamStatus")]
    if kind in ("orders", "positions", "quotes"):
        assert "item Error" in seen  # the unknown account or symbol
    if kind == "positions":
        assert "Deleted" in seen


def test_expired_token_ends_each_stream_in_its_own_framing(
    api: httpx.Client, control: SimControl
) -> None:
    endings = {}
    for kind, url, _ in CASES.values():
        if kind == "positions":
            continue

        def act(n: int) -> None:
            if n == 3:
                control.expire_tokens()

        endings[kind] = kinds_until_end(api, url, act)[-1]
        api.headers["Authorization"] = f"Bearer {fresh_token(api)}"
    assert endings == {
        "orders": "Error Unauthorized",
        "quotes": "Error Unauthorized",
        "bars": "Error Unauthorized",
        "tickbars": "line ERROR",
    }


def fresh_token(api: httpx.Client) -> str:
    from tstui.sim.oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

    response = httpx.post(
        f"{api.base_url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
        },
    )
    return str(response.json()["access_token"])


def test_positions_changes_must_be_a_boolean(api: httpx.Client) -> None:
    response = api.get(f"/v3/brokerage/stream/accounts/{MARGIN}/positions?changes=maybe")
    assert response.status_code == 400
    assert response.json() == {"Error": "BadRequest", "Message": "changes must be true or false."}
