"""The one request path: errors, Retry-After, GET-only retries, orders sent exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import anyio
import httpx
import pytest
from client_support import FakeAuth

from tstui.client.errors import (
    BadRequest,
    NotFound,
    OrderOutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from tstui.client.http import CallRecord, HttpSession

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


class Scripted:
    """Answers in order (the last one repeats); an Exception instance is raised instead."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


def session(
    handler: Handler, auth: FakeAuth | None = None, **kwargs: Any
) -> tuple[HttpSession, list[float], list[CallRecord]]:
    sleeps: list[float] = []
    calls: list[CallRecord] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = HttpSession(
        "http://api.test",
        auth or FakeAuth(),
        client=client,
        on_call=calls.append,
        sleep=fake_sleep,
        **kwargs,
    )
    return http, sleeps, calls


def ok(body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True}, headers=headers)


def err(
    status: int, title: str = "Oops", message: str = "scripted", **headers: str
) -> httpx.Response:
    return httpx.Response(status, json={"Error": title, "Message": message}, headers=headers)


async def test_get_sends_bearer_and_records_the_call_without_query() -> None:
    script = Scripted(
        ok({"Accounts": []}, **{"X-RateLimit-Remaining": "249", "X-RateLimit-Limit": "250"})
    )
    http, _, calls = session(script)
    body = await http.get_json("/v3/brokerage/accounts/A1/balances", {"x": "secret-ish", "n": None})
    assert body == {"Accounts": []}
    request = script.requests[0]
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert request.url.params.get("x") == "secret-ish" and "n" not in request.url.params
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", "/v3/brokerage/accounts/A1/balances", 200)
    ]
    info = http.rate_limits["v3/brokerage/accounts/balances"]
    assert (info.limit, info.remaining) == (250, 249)


async def test_error_body_maps_to_the_error_tree() -> None:
    http, _, _ = session(Scripted(err(404, "NotFound", "no such symbol")))
    with pytest.raises(NotFound) as caught:
        await http.get_json("/v3/marketdata/symbols/XXX")
    assert (caught.value.status, caught.value.title, caught.value.message) == (
        404,
        "NotFound",
        "no such symbol",
    )
    assert str(caught.value) == "404 NotFound: no such symbol"


async def test_401_refreshes_once_and_retries_once() -> None:
    auth = FakeAuth()
    script = Scripted(err(401, "Unauthorized"), ok())
    http, _, _ = session(script, auth)
    assert await http.get_json("/x") == {"ok": True}
    assert auth.refreshes == 1
    assert [r.headers["Authorization"] for r in script.requests] == ["Bearer tok-1", "Bearer tok-2"]


async def test_a_second_401_is_raised() -> None:
    auth = FakeAuth()
    script = Scripted(err(401, "Unauthorized"))
    http, _, _ = session(script, auth)
    with pytest.raises(Unauthorized):
        await http.get_json("/x")
    assert auth.refreshes == 1 and len(script.requests) == 2


async def test_429_with_retry_after_waits_then_retries() -> None:
    script = Scripted(err(429, "TooManyRequests", **{"Retry-After": "2"}), ok())
    http, sleeps, _ = session(script)
    assert await http.get_json("/x") == {"ok": True}
    assert sleeps == [2.0]


async def test_503_with_retry_after_is_honoured() -> None:
    script = Scripted(err(503, "ServiceUnavailable", **{"Retry-After": "1"}), ok())
    http, sleeps, _ = session(script)
    assert await http.get_json("/x") == {"ok": True}
    assert sleeps == [1.0]


async def test_long_retry_after_raises_rate_limited_at_once() -> None:
    script = Scripted(err(429, "TooManyRequests", **{"Retry-After": "300"}))
    http, sleeps, _ = session(script)
    with pytest.raises(RateLimited) as caught:
        await http.get_json("/x")
    assert caught.value.retry_after == 300.0
    assert sleeps == [] and len(script.requests) == 1


async def test_get_retries_5xx_with_capped_jittered_backoff() -> None:
    script = Scripted(err(500), err(502), err(504), err(500))
    http, sleeps, _ = session(script, max_get_retries=3, backoff_base=1.0, backoff_cap=2.0)
    with pytest.raises(ServerError):
        await http.get_json("/x")
    assert len(script.requests) == 4
    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and all(1.0 <= s <= 2.0 for s in sleeps[1:])


async def test_get_retries_transport_errors_then_succeeds() -> None:
    script = Scripted(httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), ok())
    http, sleeps, _ = session(script)
    assert await http.get_json("/x") == {"ok": True}
    assert len(sleeps) == 2


async def test_get_transport_errors_exhausted_raise_transport_error() -> None:
    script = Scripted(httpx.ConnectError("refused"))
    http, _, calls = session(script, max_get_retries=1)
    with pytest.raises(TransportError):
        await http.get_json("/x")
    assert [c.error for c in calls] == ["ConnectError", "ConnectError"]


async def test_4xx_is_not_retried() -> None:
    script = Scripted(err(400, "BadRequest", "bad date"))
    http, _, _ = session(script)
    with pytest.raises(BadRequest, match="bad date"):
        await http.get_json("/x")
    assert len(script.requests) == 1


ORDER = {"AccountID": "SIM1", "Symbol": "MSFT", "OrderConfirmID": "abc123"}


async def test_order_placement_is_never_retried_on_500() -> None:
    script = Scripted(err(500, "InternalServerError"), ok())
    http, sleeps, _ = session(script)
    with pytest.raises(OrderOutcomeUnknown) as caught:
        await http.order_request("POST", "/v3/orderexecution/orders", json=ORDER)
    assert len(script.requests) == 1 and sleeps == []
    assert caught.value.order_confirm_id == "abc123" and caught.value.status == 500
    assert isinstance(caught.value.__cause__, ServerError)


async def test_order_placement_is_never_retried_on_timeout() -> None:
    script = Scripted(httpx.ReadTimeout("slow"), ok())
    http, _, _ = session(script)
    with pytest.raises(OrderOutcomeUnknown, match="abc123"):
        await http.order_request("POST", "/v3/orderexecution/orders", json=ORDER)
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.RemoteProtocolError("reset"), httpx.ReadError("reset"), httpx.WriteTimeout("w")],
)
async def test_ambiguous_order_failures_are_outcome_unknown(failure: Exception) -> None:
    script = Scripted(failure)
    http, _, _ = session(script)
    with pytest.raises(OrderOutcomeUnknown) as caught:
        await http.order_request("DELETE", "/v3/orderexecution/orders/123")
    assert caught.value.order_id == "123"
    assert len(script.requests) == 1


async def test_order_connect_failure_is_a_plain_transport_error() -> None:
    script = Scripted(httpx.ConnectError("refused"))
    http, _, _ = session(script)
    with pytest.raises(TransportError, match="not sent"):
        await http.order_request("PUT", "/v3/orderexecution/orders/9", json={"Quantity": "2"})
    assert len(script.requests) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_order_401_refreshes_but_never_resends(
    method: Literal["POST", "PUT", "DELETE"],
) -> None:
    auth = FakeAuth()
    script = Scripted(err(401, "Unauthorized"), ok({"Orders": [{"OrderID": "1"}]}))
    http, _, _ = session(script, auth)
    with pytest.raises(Unauthorized, match="nothing was resent"):
        await http.order_request(method, "/v3/orderexecution/orders/7", json=ORDER)
    assert len(script.requests) == 1 and auth.refreshes == 1
    # the next deliberate attempt goes out with the refreshed token
    assert await http.order_request(method, "/v3/orderexecution/orders/7", json=ORDER)
    assert len(script.requests) == 2


async def test_order_rejection_4xx_is_an_api_error() -> None:
    script = Scripted(err(400, "BadRequest", "Invalid quantity"))
    http, _, _ = session(script)
    with pytest.raises(BadRequest, match="Invalid quantity"):
        await http.order_request("POST", "/v3/orderexecution/orders", json=ORDER)
    assert len(script.requests) == 1


async def test_post_json_is_not_retried() -> None:
    script = Scripted(err(503, "ServiceUnavailable", **{"Retry-After": "1"}), ok())
    http, sleeps, _ = session(script)
    with pytest.raises(ServerError):
        await http.post_json("/v3/orderexecution/orderconfirm", ORDER)
    assert len(script.requests) == 1 and sleeps == []


async def test_order_timeout_against_a_real_server_reaches_it_exactly_once() -> None:
    """A server that reads the order and never answers: one request, no resend."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        await asyncio.sleep(5)  # the client times out long before this
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
        http = HttpSession(f"http://127.0.0.1:{port}", FakeAuth(), client=client)
        with anyio.fail_after(5), pytest.raises(OrderOutcomeUnknown):
            await http.order_request("POST", "/v3/orderexecution/orders", json=ORDER)
        await asyncio.sleep(0.1)
    assert len(seen) == 1 and seen[0].startswith(b"POST /v3/orderexecution/orders")


async def test_get_timeout_against_a_real_server_is_retried() -> None:
    hits: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        hits.append(1)
        if len(hits) == 1:
            await asyncio.sleep(5)  # first one hangs
        body = b'{"ok": true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
        http = HttpSession(f"http://127.0.0.1:{port}", FakeAuth(), client=client, backoff_base=0.01)
        with anyio.fail_after(5):
            assert await http.get_json("/x") == {"ok": True}
    assert len(hits) == 2


async def test_broken_on_call_callback_does_not_break_the_call() -> None:
    def explode(record: CallRecord) -> None:
        raise RuntimeError("ui bug")

    client = httpx.AsyncClient(transport=httpx.MockTransport(Scripted(ok())))
    http = HttpSession("http://api.test", FakeAuth(), client=client, on_call=explode)
    assert await http.get_json("/x") == {"ok": True}
