"""Bad input on the stream parser: garbage and truncated lines at any chunk boundary, through
the real SupervisedStream over an httpx MockTransport. No crash; every valid order comes
through in order; the bad lines are counted; the stream goes on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.client.streams import StreamState, SupervisedStream
from tstui.domain.frames import parse_order_frame
from tstui.domain.models import Order


class _Tokens:
    async def access_token(self) -> str:
        return "t"

    async def refresh_after_401(self, stale: str) -> str:
        return "t"


def _order_line(i: int) -> bytes:
    body = {
        "OrderID": str(1000 + i),
        "AccountID": "SIM1000001M",
        "Status": "OPN",
        "StatusDescription": "Envoyé ✓ 注文",  # multi-byte UTF-8: chunk splits land inside
        "OrderType": "Limit",
        "LimitPrice": "100.25",
        "Legs": [{"Symbol": "MSFT", "BuyOrSell": "Buy", "QuantityOrdered": "5"}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def _definitely_bad(line: bytes) -> bool:
    if len(line) < 2 or line.strip().startswith((b"END", b"ERROR")):
        return False
    try:
        return not isinstance(json.loads(line.decode("utf-8")), dict)
    except ValueError:
        return True


garbage = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ")),
    st.integers(0, 5).flatmap(
        lambda i: st.integers(1, len(_order_line(i)) - 1).map(lambda n, i=i: _order_line(i)[:n])
    ),
    st.sampled_from([b'{"OrderID": "12', b"not json", b"[1,2]", b'"str"', b"{}", b"\xff\xfe"]),
)
bodies = st.lists(st.one_of(st.integers(0, 5), garbage), min_size=1, max_size=25)


@settings(max_examples=80, deadline=None)
@given(bodies, st.lists(st.integers(1, 60), min_size=1, max_size=40))
def test_stream_survives_garbage(items: list[int | bytes], cuts: list[int]) -> None:
    anyio.run(_check, items, cuts)


async def _check(items: list[int | bytes], cuts: list[int]) -> None:
    lines = [_order_line(x) if isinstance(x, int) else x for x in items]
    payload = b"\n".join(lines) + b'\n{"Heartbeat": 1}\n'
    chunks: list[bytes] = []
    at = 0
    for cut in cuts * (len(payload) // max(1, sum(cuts)) + 1):
        if at >= len(payload):
            break
        chunks.append(payload[at : at + cut])
        at += cut
    chunks.append(payload[at:])

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    expected = [str(1000 + x) for x in items if isinstance(x, int)]
    bad_min = sum(1 for x in items if isinstance(x, bytes) and _definitely_bad(x))
    bad_max = sum(1 for x in items if isinstance(x, bytes))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:

        def connect(token: str) -> AbstractAsyncContextManager[httpx.Response]:
            return client.stream("GET", "http://sim.test/stream")

        stream: SupervisedStream[Any] = SupervisedStream(
            "orders", connect, _Tokens(), parse_order_frame, backoff_base=0.001, backoff_cap=0.01
        )
        got: list[str] = []
        with anyio.fail_after(10):
            async for event in stream:
                if isinstance(event, Order):
                    got.append(event.order_id)
                elif isinstance(event, StreamState) and event.state == "reconnecting":
                    break  # the body ended (EOF): the stream goes on by reconnecting
        await stream.aclose()
    assert got == expected
    assert bad_min <= stream.malformed_count <= bad_max
