"""SupervisedStream: framing at every byte boundary, control frames, watchdog, reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
import httpx
import pytest
from client_support import RESYNC_STATES, FakeAuth

from tstui.client.errors import StreamFailure
from tstui.client.http import HttpSession
from tstui.client.streams import StreamState, SupervisedStream
from tstui.domain.frames import StreamErrorFrame

pytestmark = pytest.mark.anyio

Script = Callable[[], AsyncIterator[bytes]]


def chunks(*parts: bytes, hang: bool = False) -> Script:
    """A connection that sends ``parts`` then ends (or hangs silently when ``hang``)."""

    async def gen() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
            await asyncio.sleep(0)
        if hang:
            await asyncio.Event().wait()

    return gen


class Server:
    """Scripted connections served by an httpx.MockTransport; the last script repeats."""

    def __init__(self, scripts: Sequence[Script | int]) -> None:
        self.scripts = list(scripts)
        self.requests: list[httpx.Request] = []

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.scripts)) - 1
        script = self.scripts[index]
        if isinstance(script, int):
            return httpx.Response(script, json={"Error": "Nope", "Message": "scripted"})
        return httpx.Response(200, content=script())


def make_stream(
    server: Server, auth: FakeAuth | None = None, **kwargs: Any
) -> tuple[SupervisedStream[dict[str, Any]], HttpSession]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    http = HttpSession(
        "http://api.test",
        auth or FakeAuth(),
        client=client,
        stream_backoff_base=0.01,
        stream_backoff_cap=0.02,
    )
    options = {"heartbeat_timeout": 5.0, **kwargs}
    stream = http.stream("/v3/stream/x", {"a": "1"}, dict, name="x", **options)
    return stream, http


async def collect(
    stream: SupervisedStream[Any], stop: Callable[[list[Any]], bool], timeout: float = 5.0
) -> list[Any]:
    events: list[Any] = []
    with anyio.fail_after(timeout):
        async for event in stream:
            events.append(event)
            if stop(events):
                break
    await stream.aclose()
    return events


def data_of(events: list[Any]) -> list[dict[str, Any]]:
    return [e for e in events if isinstance(e, dict)]


def states_of(events: list[Any]) -> list[str]:
    return [e.state for e in events if isinstance(e, StreamState)]


PAYLOAD = (
    b'{"OrderID": "1", "Note": "caf\xc3\xa9 \xe2\x82\xac"}\n'
    b'{"Heartbeat": 1, "Timestamp": "2026-12-01T15:00:00Z"}\r\n'
    b'{"OrderID": "2", "Note": "\xf0\x9f\x93\x88"}\n'
    b'{"StreamStatus": "EndSnapshot"}\n'
    b'{"StreamStatus": "EndSnapshot"}\n'  # a second one on the same connection: no event
    b'{"OrderID": "3"}\n'
)
EXPECTED = [
    {"OrderID": "1", "Note": "café €"},
    {"OrderID": "2", "Note": "📈"},
    {"OrderID": "3"},
]


async def test_split_at_every_byte_boundary() -> None:
    for cut in range(1, len(PAYLOAD)):
        server = Server([chunks(PAYLOAD[:cut], PAYLOAD[cut:], hang=True)])
        stream, _ = make_stream(server)
        events = await collect(stream, lambda ev: len(data_of(ev)) == 3)
        assert data_of(events) == EXPECTED, cut
        assert states_of(events) == ["connecting", "connected", "snapshot_complete"], cut
        assert stream.malformed_count == 0


async def test_one_byte_per_chunk() -> None:
    parts = [PAYLOAD[i : i + 1] for i in range(len(PAYLOAD))]
    server = Server([chunks(*parts, hang=True)])
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: len(data_of(ev)) == 3)
    assert data_of(events) == EXPECTED


async def test_batches_hold_the_items_in_order_a_list_per_chunk() -> None:
    """batches() gives what iterating the stream gives, in the lists the chunks brought (the
    connection's states each a list of its own, the snapshot's end in place); one stream is
    read one way or the other."""
    first, second = PAYLOAD[:60], PAYLOAD[60:]
    server = Server([chunks(first, second, hang=True)])
    stream, _ = make_stream(server)
    batches: list[list[Any]] = []
    with anyio.fail_after(5):
        async for batch in stream.batches():
            batches.append(list(batch))
            if len(data_of([e for b in batches for e in b])) == 3:
                break
    with pytest.raises(RuntimeError, match="items or batches"):
        stream.__aiter__()
    await stream.aclose()
    flat = [e for b in batches for e in b]
    assert data_of(flat) == EXPECTED
    assert states_of(flat) == ["connecting", "connected", "snapshot_complete"]
    assert [states_of(b) for b in batches[:2]] == [["connecting"], ["connected"]]
    assert [data_of(b) for b in batches[2:]] == [EXPECTED[:1], EXPECTED[1:]]


async def test_go_away_reconnects_at_once() -> None:
    first = chunks(
        b'{"OrderID": "1"}\n{"StreamStatus": "EndSnapshot"}\n{"StreamStatus": "GoAway"}\n',
        hang=True,
    )
    second = chunks(
        b'{"OrderID": "1"}\n{"StreamStatus": "EndSnapshot"}\n{"OrderID": "2"}\n', hang=True
    )
    server = Server([first, second])
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: {"OrderID": "2"} in ev)
    assert states_of(events) == RESYNC_STATES
    reconnecting = [e for e in events if isinstance(e, StreamState) and e.state == "reconnecting"]
    assert reconnecting[0].detail == "GoAway"
    assert stream.reconnect_count == 1
    assert len(server.requests) == 2


async def test_error_go_away_frame_also_reconnects() -> None:
    server = Server(
        [
            chunks(b'{"Error": "GoAway", "Message": "bye"}\n', hang=True),
            chunks(b'{"A": 1}\n', hang=True),
        ]
    )
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: {"A": 1} in ev)
    assert "reconnecting" in states_of(events)
    assert not [e for e in events if isinstance(e, StreamErrorFrame)]


async def test_silent_stream_is_reconnected_by_the_watchdog() -> None:
    server = Server([chunks(b'{"A": 1}\n', hang=True), chunks(b'{"A": 2}\n', hang=True)])
    stream, _ = make_stream(server, heartbeat_timeout=0.2)
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    events = await collect(stream, lambda ev: {"A": 2} in ev)
    assert loop_time() - started >= 0.2
    reconnecting = [e for e in events if isinstance(e, StreamState) and e.state == "reconnecting"]
    assert reconnecting and "silent" in reconnecting[0].detail
    assert len(server.requests) == 2


async def test_heartbeats_keep_a_quiet_stream_alive() -> None:
    async def heartbeats() -> AsyncIterator[bytes]:
        for n in range(6):
            yield b'{"Heartbeat": %d}\n' % n
            await asyncio.sleep(0.05)
        yield b'{"A": 1}\n'
        await asyncio.Event().wait()

    server = Server([heartbeats])
    stream, _ = make_stream(server, heartbeat_timeout=0.2)
    events = await collect(stream, lambda ev: {"A": 1} in ev)
    assert stream.reconnect_count == 0
    assert data_of(events) == [{"A": 1}]  # heartbeats are consumed, not yielded


async def test_malformed_lines_are_skipped_and_counted() -> None:
    body = b'{"A": 1}\n{bad json\n[1, 2]\n\xff\xfe\n{"A": 2}\nEND\n'
    server = Server([chunks(body, hang=True)])
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: {"A": 2} in ev)
    assert data_of(events) == [{"A": 1}, {"A": 2}]
    assert stream.malformed_count == 3  # the v2 trailer "END" is not malformed


async def test_parse_errors_count_as_malformed() -> None:
    def strict(d: dict[str, Any]) -> int:
        return int(d["n"])

    server = Server([chunks(b'{"n": 1}\n{"x": 1}\n{"n": "two"}\n{"n": 3}\n', hang=True)])
    client = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    http = HttpSession("http://api.test", FakeAuth(), client=client)
    stream = http.stream("/s", None, strict, name="n")
    events = await collect(stream, lambda ev: 3 in ev)
    assert [e for e in events if isinstance(e, int)] == [1, 3]
    assert stream.malformed_count == 2


async def test_error_frames_are_yielded_and_eof_reconnects_with_backoff() -> None:
    first = chunks(
        b'{"AccountID": "SIM1", "Error": "Failed", "Message": "no such account"}\n'
        b'{"Error": "InternalServerError", "Message": "oops"}\n'
    )
    server = Server([first, chunks(b'{"A": 1}\n', hang=True)])
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: {"A": 1} in ev)
    errors = [e for e in events if isinstance(e, StreamErrorFrame)]
    assert errors == [
        StreamErrorFrame("Failed", "no such account", "SIM1"),
        StreamErrorFrame("InternalServerError", "oops", None),
    ]
    reconnecting = [e for e in events if isinstance(e, StreamState) and e.state == "reconnecting"]
    assert reconnecting[0].detail == "stream ended" and reconnecting[0].attempt == 1


async def test_quote_with_error_field_is_data() -> None:
    quote = {"Symbol": "MSFT", "Last": "1", "Bid": "1", "Ask": "2", "Error": "", "Close": "1"}
    server = Server([chunks(json.dumps(quote).encode() + b"\n", hang=True)])
    stream, _ = make_stream(server)
    events = await collect(stream, lambda ev: bool(data_of(ev)))
    assert data_of(events) == [quote]


async def test_401_on_connect_refreshes_and_reconnects() -> None:
    auth = FakeAuth()
    server = Server([401, chunks(b'{"A": 1}\n', hang=True)])
    stream, _ = make_stream(server, auth=auth)
    events = await collect(stream, lambda ev: {"A": 1} in ev)
    assert auth.refreshes == 1
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert states_of(events) == ["connecting", "connected"]


async def test_unrecoverable_status_fails_the_stream() -> None:
    server = Server([404])
    stream, _ = make_stream(server)
    events: list[Any] = []
    with anyio.fail_after(5), pytest.raises(StreamFailure, match="404"):
        async for event in stream:
            events.append(event)
    assert states_of(events) == ["connecting", "failed"]


async def test_5xx_on_connect_backs_off_and_max_attempts_gives_up() -> None:
    server = Server([503])
    stream, _ = make_stream(server, max_attempts=2)
    with anyio.fail_after(5), pytest.raises(StreamFailure, match="gave up"):
        async for _ in stream:
            pass
    assert len(server.requests) == 3


@pytest.mark.parametrize("by_batches", [False, True])
async def test_aclose_from_another_task_ends_iteration(by_batches: bool) -> None:
    server = Server([chunks(b'{"A": 1}\n', hang=True)])
    stream, _ = make_stream(server)
    seen: list[Any] = []

    async def consume() -> None:
        if by_batches:  # a reader of batches() parked in a read ends the same way
            async for batch in stream.batches():
                seen.extend(batch)
        else:
            async for event in stream:
                seen.append(event)

    with anyio.fail_after(5):
        task = asyncio.create_task(consume())
        while {"A": 1} not in seen:
            await asyncio.sleep(0.01)
        await stream.aclose()
        await task  # ends by itself: no cancellation needed
    assert stream.reconnect_count == 0


async def test_consumer_cancellation_propagates() -> None:
    server = Server([chunks(b'{"A": 1}\n', hang=True)])
    stream, _ = make_stream(server, heartbeat_timeout=0.05)

    async def consume() -> None:
        async for _ in stream:
            await asyncio.sleep(0.2)  # a slow consumer is not a silent server

    with anyio.fail_after(5):
        task = asyncio.create_task(consume())
        await asyncio.sleep(0.15)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert stream.reconnect_count == 0


# -- the same over real TCP: the watchdog must cut a real socket read ---------------------


async def _chunked_server(
    bodies: list[list[bytes]], hang_after: bool
) -> tuple[asyncio.Server, list[int]]:
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        index = min(len(connections), len(bodies) - 1)
        connections.append(index)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.tradestation.streams.v3+json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for part in bodies[index]:
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
        if hang_after:
            with contextlib.suppress(ConnectionError):
                await reader.read()  # silent: keep the socket open until the client leaves
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, connections


async def test_watchdog_over_real_tcp_and_utf8_split_in_chunked_encoding() -> None:
    bodies = [[b'{"N": "\xc3', b'\xa9"}\n'], [b'{"N": "2"}\n']]
    server, connections = await _chunked_server(bodies, hang_after=True)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient() as client:
        http = HttpSession(f"http://127.0.0.1:{port}", FakeAuth(), client=client)
        http.stream_backoff_base = http.stream_backoff_cap = 0.01
        stream = http.stream("/s", None, dict, name="tcp", heartbeat_timeout=0.3)
        events = await collect(stream, lambda ev: {"N": "2"} in ev)
    assert data_of(events) == [{"N": "é"}, {"N": "2"}]
    assert connections == [0, 1]


async def test_unauthorized_error_frame_refreshes_before_reconnecting() -> None:
    auth = FakeAuth()
    expired = chunks(b'{"Error": "Unauthorized", "Message": "token expired"}\n')
    server = Server([expired, chunks(b'{"A": 1}\n', hang=True)])
    stream, _ = make_stream(server, auth=auth)
    events = await collect(stream, lambda ev: {"A": 1} in ev)
    assert StreamErrorFrame("Unauthorized", "token expired", None) in events
    assert auth.refreshes == 1
    assert server.requests[1].headers["Authorization"] == "Bearer tok-2"
    assert len(server.requests) == 2  # no wasted 401 round trip


# -- frames(): every frame as the server sent it (the CLI's `--json`) -------------------------


async def test_frames_yields_every_frame_as_sent() -> None:
    server = Server([chunks(PAYLOAD, hang=True)])
    typed, _ = make_stream(server)
    stream = typed.frames()
    events = await collect(stream, lambda ev: {"OrderID": "3"} in ev)
    frames = data_of(events)
    assert frames == [
        {"OrderID": "1", "Note": "café €"},
        {"Heartbeat": 1, "Timestamp": "2026-12-01T15:00:00Z"},
        {"OrderID": "2", "Note": "📈"},
        {"StreamStatus": "EndSnapshot"},
        {"StreamStatus": "EndSnapshot"},  # as sent, even the repeat
        {"OrderID": "3"},
    ]
    assert states_of(events) == ["connecting", "connected", "snapshot_complete"]
    assert server.requests[0].url.params["a"] == "1"  # the same request as the typed stream


async def test_frames_still_act_on_control_frames() -> None:
    """GoAway is printed and still reconnects; an Error frame comes as sent, once."""
    first = chunks(
        b'{"OrderID": "1"}\n{"Error": "Failed", "Message": "x[/]y"}\n'
        b'{"StreamStatus": "GoAway"}\n{"OrderID": "never"}\n',
        hang=True,
    )
    second = chunks(b'{"OrderID": "2"}\n', hang=True)
    server = Server([first, second])
    typed, _ = make_stream(server)
    stream = typed.frames()
    events = await collect(stream, lambda ev: {"OrderID": "2"} in ev)
    assert data_of(events) == [
        {"OrderID": "1"},
        {"Error": "Failed", "Message": "x[/]y"},
        {"StreamStatus": "GoAway"},
        {"OrderID": "2"},
    ]
    assert not [e for e in events if isinstance(e, StreamErrorFrame)]
    assert "reconnecting" in states_of(events) and len(server.requests) == 2


async def test_a_failed_stream_keeps_the_api_error_as_its_cause() -> None:
    server = Server([404])
    stream, _ = make_stream(server)
    with anyio.fail_after(5), pytest.raises(StreamFailure) as failure:
        async for _ in stream:
            pass
    cause = failure.value.__cause__
    assert cause is not failure.value
    assert getattr(cause, "status", None) == 404 and getattr(cause, "message", "") == "scripted"


def _framer(*, sends_end_snapshot: bool) -> Any:
    from tstui.client.stream_lines import LineFramer

    return LineFramer(
        "quotes",
        lambda obj: obj,
        None,
        lambda name: StreamState("quotes", name),
        sends_end_snapshot=sends_end_snapshot,
    )


def test_a_stream_without_end_snapshot_goes_live_on_its_first_frames() -> None:
    # The spec's quote stream has no EndSnapshot: waiting for one would never show "live".
    framer = _framer(sends_end_snapshot=False)
    out = framer.feed(b'{"Symbol": "MSFT", "Last": "1"}\n{"Symbol": "AAPL", "Last": "2"}\n')
    states = [item.state for item in out if isinstance(item, StreamState)]
    assert states == ["snapshot_complete"]
    assert framer.feed(b'{"Symbol": "MSFT", "Last": "3"}\n') == [{"Symbol": "MSFT", "Last": "3"}]
    framer.new_connection()
    framer.reconnected = True
    out = framer.feed(b'{"Heartbeat": 1, "Timestamp": "2026-12-06T00:00:00Z"}\n')
    assert [item.state for item in out if isinstance(item, StreamState)] == ["resynced"]


def test_a_stream_with_end_snapshot_waits_for_it() -> None:
    framer = _framer(sends_end_snapshot=True)
    assert not any(isinstance(i, StreamState) for i in framer.feed(b'{"OrderID": "1"}\n'))
    out = framer.feed(b'{"StreamStatus": "EndSnapshot"}\n')
    assert [item.state for item in out if isinstance(item, StreamState)] == ["snapshot_complete"]
