"""The msgspec fast path gives exactly the generic parser's result, or steps aside (None).

``generic(line)`` is what the stream did before: ``json`` + ``parse_*_frame``. For every line
the fast decoder either returns None (the supervisor then takes the generic path) or an object
equal to, and with the same repr as, the generic one. Checked on every order and position the
simulator produces (REST lists and a stream burst), on edge cases, on random order-like
objects (hypothesis), and through the real SupervisedStream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.client import fastwire
from tstui.client.api import BROKERAGE_STREAM
from tstui.client.fastwire import decode_order_line, decode_position_line
from tstui.client.http import HttpSession
from tstui.client.streams import StreamState
from tstui.domain.frames import parse_order_frame, parse_position_frame
from tstui.domain.models import Order, OrderLeg, Position

if TYPE_CHECKING:
    from tstui.config import Settings
    from tstui.sim.server import SimServer

ORDER = {
    "AccountID": "SIM1000001M",
    "CommissionFee": "0.00",
    "Currency": "USD",
    "Duration": "GTC",
    "Legs": [
        {
            "AssetType": "FUTURE",
            "BuyOrSell": "Buy",
            "ExecQuantity": "0",
            "OpenOrClose": "Open",
            "QuantityOrdered": "1",
            "QuantityRemaining": "1",
            "Symbol": "ESZ26",
            "Underlying": "ES",
        }
    ],
    "OpenedDateTime": "2026-12-01T13:00:00Z",
    "OrderID": "1000000262",
    "OrderType": "Limit",
    "Status": "OPN",
    "StatusDescription": "Sent",
    "LimitPrice": "5844.50",
    "GoodTillDate": "2027-03-01T13:00:00Z",
}
POSITION = {
    "AccountID": "SIM1000001M",
    "AssetType": "STOCK",
    "AveragePrice": "426.21",
    "Last": "447.60",
    "LongShort": "Long",
    "PositionID": "5000001",
    "Quantity": "100",
    "Symbol": "MSFT",
    "Timestamp": "2026-10-22T15:00:00Z",
    "UnrealizedProfitLossPercent": "5.02",
}

RARE = ("conditional_orders", "trailing_stop", "market_activation_rules", "time_activation_rules")


def _wire_names(cls: type, *skip: str) -> list[str]:
    """The API's key for each field of a domain model (``account_id`` -> ``AccountID``)."""
    names = [f.name for f in fields(cls) if f.name not in skip]
    pascal = ["".join(part.title() for part in name.split("_")) for name in names]
    return [name[:-2] + "ID" if name.endswith("Id") else name for name in pascal]


ORDER_FIELDS = _wire_names(Order, "order_id", "legs", *RARE)
LEG_FIELDS = _wire_names(OrderLeg)
POSITION_FIELDS = _wire_names(Position, "position_id")
EVERY_FIELD = {"OrderID": "9", **dict.fromkeys(ORDER_FIELDS, "")}
Decoder = Callable[[bytes], Any]
Parser = Callable[[Any], Any]


def line_of(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def generic(line: bytes, parse: Parser) -> Any:
    """The generic path's item, or the exception it raises (counted as malformed)."""
    try:
        return parse(json.loads(line.decode()))
    except ValueError as exc:
        return exc


def check(
    line: bytes, decode: Decoder = decode_order_line, parse: Parser = parse_order_frame
) -> Any:
    """Assert the fast result is None or identical to the generic one; return the fast one."""
    fast = decode(line)
    if fast is not None:
        slow = generic(line, parse)
        assert type(fast) is type(slow)
        assert fast == slow
        assert repr(fast) == repr(slow)
    return fast


def with_(base: dict[str, Any], **changes: Any) -> bytes:
    return line_of({**base, **changes})


def with_leg(**changes: Any) -> bytes:
    return line_of({**ORDER, "Legs": [{**ORDER["Legs"][0], **changes}]})


# -- orders: taken by the fast path, identical ------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        line_of(ORDER),
        line_of({"OrderID": "1"}),  # every optional field missing
        line_of({k: (v if k == "OrderID" else None) for k, v in ORDER.items()}),  # all null
        with_(ORDER, Status="ZZZ", StatusDescription="Something new"),  # unknown status
        with_(ORDER, AccountID="", LimitPrice="", OpenedDateTime="", Spread=""),  # "" -> None
        with_leg(Symbol="", QuantityOrdered="", ExpirationDate=""),
        line_of({**EVERY_FIELD, "Legs": [dict.fromkeys(LEG_FIELDS, "")]}),  # every field ""
        line_of({**EVERY_FIELD, "Legs": [dict.fromkeys(LEG_FIELDS, "x")]}),
        with_(ORDER, Future={"a": [1, 2.5, None]}, Extra=[{"x": 1}], N=3),  # unknown fields
        with_leg(Unknown={"deep": [True]}),
        with_(ORDER, LimitPrice="abc", StopPrice="NaN", FilledPrice="Infinity"),  # bad decimals
        with_(ORDER, LimitPrice=" 1.5 ", StopPrice="1_000", FilledPrice="1e5", CommissionFee="-0"),
        with_(ORDER, OpenedDateTime="2026-12-01T13:00:00"),  # naive: taken as UTC
        with_(ORDER, OpenedDateTime="2026-12-01T13:00:00+05:00"),  # converted to UTC
        with_(ORDER, OpenedDateTime="2026-12-01T13:00:00.1234567Z"),  # 7 digits: truncated
        with_(ORDER, OpenedDateTime="/Date(1764594000000)/", ClosedDateTime="garbage"),
        with_(ORDER, Legs=[]),
        with_(ORDER, Legs=[ORDER["Legs"][0], {**ORDER["Legs"][0], "BuyOrSell": "Sell"}]),
        with_(ORDER, ConditionalOrders=None, TrailingStop=None, MarketActivationRules=None),
        with_(ORDER, StatusDescription="Envoyé ✓ 注文 📈"),
        b'{"OrderID":"1","Status":"OPN","Status":"FLL"}',  # duplicate key: the last wins
        line_of(ORDER) + b"\r",  # CRLF line endings
    ],
)
def test_fast_path_equals_generic(line: bytes) -> None:
    fast = check(line)
    assert isinstance(fast, Order)


def test_empty_strings_and_bad_values_become_none() -> None:
    fast = check(with_(ORDER, AccountID="", LimitPrice="abc", GoodTillDate=""))
    assert fast is not None
    assert fast.account_id is None and fast.limit_price is None and fast.good_till_date is None


# -- orders: left to the generic path ----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        with_(ORDER, OrderID=123),  # numbers where the API sends strings: from_api's rules
        with_(ORDER, LimitPrice=101.5),
        with_(ORDER, Status=1),
        with_leg(QuantityOrdered=10),
        with_(ORDER, Legs={"Symbol": "MSFT"}),  # not a list
        with_(ORDER, Legs=[None, ORDER["Legs"][0]]),
        with_(ORDER, ConditionalOrders=[{"OrderID": "2", "Relationship": "OCO"}]),  # rare
        with_(ORDER, TrailingStop={"Amount": "1.5"}),
        with_(ORDER, MarketActivationRules=[]),
        with_(ORDER, TimeActivationRules=[{"TimeUtc": "0001-01-01T15:00:00Z"}]),
        with_(ORDER, OrderID=""),  # generic: ParseError (malformed)
        with_(ORDER, OrderID=None),
        with_(ORDER, Error="Failed", Message="Order failed"),  # an error frame for an order
        with_(ORDER, Heartbeat=1),
        with_(ORDER, StreamStatus="EndSnapshot"),
        b'{"Heartbeat":3,"Timestamp":"2026-12-01T15:00:00Z"}',
        b'{"StreamStatus":"EndSnapshot"}',
        b'{"StreamStatus":"GoAway"}',
        b'{"Error":"GoAway"}',
        b'{"Error":"Forbidden","Message":"Invalid Account ID.","AccountID":"ZZ"}',
        b'{"OrderID":"12',  # truncated
        b"not json",
        b"[1,2]",
        b'"OrderID"',
        b"\xef\xbb\xbf" + line_of(ORDER),  # BOM
        line_of(ORDER)[:20] + b"\xff\xfe" + line_of(ORDER)[20:],  # bad UTF-8
        b'{"OrderID":"1","StatusDescription":"\\ud800"}',  # lone surrogate: json takes it
        b'{"OrderID":"1","LimitPrice":NaN}',
    ],
)
def test_lines_the_fast_path_leaves_to_the_generic_one(line: bytes) -> None:
    assert decode_order_line(line) is None


# -- positions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        line_of(POSITION),
        line_of({"PositionID": "P1"}),
        line_of({"PositionID": "P1", **dict.fromkeys(POSITION_FIELDS, "")}),
        line_of({"PositionID": "P1", **dict.fromkeys(POSITION_FIELDS, "7")}),
        with_(POSITION, Quantity="", Symbol="", Bid="NaN", Timestamp="2026-10-22T15:00:00"),
        with_(POSITION, Unknown={"x": 1}, Delta="0.5"),
    ],
)
def test_position_fast_path_equals_generic(line: bytes) -> None:
    assert isinstance(check(line, decode_position_line, parse_position_frame), Position)


@pytest.mark.parametrize(
    "line",
    [
        b'{"PositionID":"P1","Deleted":true}',  # PositionDeleted
        b'{"PositionID":"P1","Deleted":false}',
        with_(POSITION, Quantity=100),
        with_(POSITION, PositionID=5000001),
        with_(POSITION, PositionID=""),
        with_(POSITION, Error="Forbidden"),
        b'{"Heartbeat":1}',
        b'{"StreamStatus":"EndSnapshot"}',
        b"{]",
    ],
)
def test_position_lines_left_to_the_generic_path(line: bytes) -> None:
    assert decode_position_line(line) is None


# -- random order-like objects ------------------------------------------------------------------

_texts = st.one_of(
    st.sampled_from(["", "0", "1.50", "abc", "NaN", "2026-12-01T13:00:00Z", "-3", "1e3", "OPN"]),
    st.text(max_size=8),
)
_wire_values = st.one_of(_texts, st.none())  # what the API sends: the fast path's shapes
_any_values = st.one_of(_wire_values, st.integers(-5, 5), st.floats(), st.booleans())


def _orders(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    legs = st.lists(st.dictionaries(st.sampled_from(LEG_FIELDS), values), max_size=3)
    return st.fixed_dictionaries(
        {"OrderID": st.one_of(st.text(max_size=4), st.integers(0, 9))},
        optional={"Legs": st.one_of(legs, values), **dict.fromkeys(ORDER_FIELDS, values)},
    )


@settings(max_examples=200, deadline=None)
@given(st.one_of(_orders(_wire_values), _orders(_any_values)))
def test_random_orders_fast_is_none_or_identical(order: dict[str, Any]) -> None:
    check(json.dumps(order).encode())


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*POSITION_FIELDS, "PositionID", "Deleted"]),
        st.one_of(_wire_values, _any_values),
    )
)
def test_random_positions_fast_is_none_or_identical(position: dict[str, Any]) -> None:
    check(json.dumps(position).encode(), decode_position_line, parse_position_frame)


def test_value_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastwire, "_CACHE_LIMIT", 8)
    for n in range(50):
        check(with_(ORDER, LimitPrice=f"{n}.25"))
    assert len(fastwire._DEC) <= 8


REPEATED_TEXTS = (
    "account_id",
    "status",
    "status_description",
    "order_type",
    "duration",
    "currency",
    "routing",
)
REPEATED_LEG_TEXTS = ("symbol", "buy_or_sell", "asset_type", "open_or_close", "underlying")


def test_repeated_texts_are_one_object_per_value() -> None:
    """Two orders decoded from separate lines share their repeated texts (the book's memory
    at 100k orders), and are still equal to the generic parse; ids stay their own."""
    first = check(with_(ORDER, OrderID="11", Currency="USD", Routing="Intelligent"))
    second = check(with_(ORDER, OrderID="12", Currency="USD", Routing="Intelligent"))
    assert isinstance(first, Order) and isinstance(second, Order)
    for name in REPEATED_TEXTS:
        value = getattr(first, name)
        assert value is not None and value is getattr(second, name), name
    for name in REPEATED_LEG_TEXTS:
        value = getattr(first.legs[0], name)
        assert value is not None and value is getattr(second.legs[0], name), name
    assert first.order_id == "11" and second.order_id == "12"


def test_an_unchanged_leg_is_one_object_and_a_changed_one_is_new() -> None:
    """A status change repeats the order's leg: decoded once, shared; a fill changes it."""
    first = check(with_(ORDER, Status="OPN"))
    again = check(with_(ORDER, Status="ACK"))
    fill = check(with_leg(ExecQuantity="1", QuantityRemaining="0"))
    assert isinstance(first, Order) and isinstance(again, Order) and isinstance(fill, Order)
    assert again.legs[0] is first.legs[0]
    assert fill.legs[0] is not first.legs[0] and fill.legs[0] != first.legs[0]
    assert fill.legs[0].exec_quantity == 1


def test_leg_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastwire, "_CACHE_LIMIT", 8)
    for n in range(50):
        order = check(with_leg(QuantityOrdered=str(n + 1)))
        assert isinstance(order, Order) and order.quantity == n + 1
    assert len(fastwire._LEGS) <= 8 and len(fastwire._LEG_LISTS) <= 8


def test_legs_of_a_shape_the_wire_refuses_go_the_generic_way() -> None:
    """Legs are decoded from their JSON text when first seen: a leg the wire records refuse
    (a number where the schema has a string) leaves the line to the generic parser, seen
    once or again."""
    line = with_leg(QuantityOrdered=5)
    assert fastwire.decode_order_line(line) is None
    assert fastwire.decode_order_line(line) is None


def test_interned_texts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastwire, "_CACHE_LIMIT", 8)
    for n in range(50):
        leg = {**ORDER["Legs"][0], "Symbol": f"S{n}"}
        order = check(with_(ORDER, Legs=[leg], AccountID=f"A{n}"))
        assert isinstance(order, Order) and order.symbol == f"S{n}"
        assert order.account_id == f"A{n}"
    assert len(fastwire._STR) <= 8


# -- through the real SupervisedStream -----------------------------------------------------------


class _Auth:
    async def access_token(self) -> str:
        return "t"

    async def refresh_after_401(self, stale: str) -> str:
        return "t"


STREAM_LINES = [
    line_of(ORDER),
    b'{"Heartbeat":1,"Timestamp":"2026-12-01T15:00:00Z"}',
    with_(ORDER, OrderID="2", LimitPrice=99.5),  # generic path
    b'{"StreamStatus":"EndSnapshot"}',
    b"not json",  # malformed
    with_(ORDER, OrderID=""),  # malformed (no id)
    b"[1]",  # malformed (not an object)
    with_(ORDER, OrderID="3", Error="Failed", Message="Rejected by the exchange"),
    b'{"Error":"Forbidden","Message":"Invalid Account ID.","AccountID":"ZZ"}',
    with_(ORDER, OrderID="4", TrailingStop={"Percent": "2"}),
    with_(ORDER, OrderID="5", Status="FLL"),
    b"END",
]


async def _events(fast: Decoder | None, boom: bool = False) -> tuple[list[Any], int]:
    payload = b"\n".join(STREAM_LINES) + b"\n"

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 37):  # chunk boundaries inside lines
            yield payload[start : start + 37]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    def exploding(line: bytes) -> Any:
        raise RuntimeError("a bug in the fast path must not lose a line")

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = HttpSession("http://api.test", _Auth(), client=client)
    decoder = exploding if boom else fast
    stream = http.stream("/orders", None, parse_order_frame, name="orders", fast_decode=decoder)
    events: list[Any] = []
    with anyio.fail_after(5):
        async for event in stream:
            if isinstance(event, StreamState):
                if event.state == "reconnecting":
                    break
                continue
            events.append(event)
    await stream.aclose()
    await client.aclose()
    return events, stream.malformed_count


@pytest.mark.anyio
async def test_stream_with_fast_path_yields_exactly_the_generic_events() -> None:
    generic_events, generic_bad = await _events(None)
    fast_events, fast_bad = await _events(decode_order_line)
    failing_events, failing_bad = await _events(decode_order_line, boom=True)
    assert fast_events == generic_events == failing_events
    assert [repr(e) for e in fast_events] == [repr(e) for e in generic_events]
    assert fast_bad == generic_bad == failing_bad == 3
    assert [type(e).__name__ for e in fast_events] == [
        "Order",
        "Order",
        "StreamErrorFrame",
        "StreamErrorFrame",
        "Order",
        "Order",
    ]


# -- every order and position the simulator produces --------------------------------------------


async def _stream_lines(url: str, token: str, ids: str, kind: str, burst: int = 0) -> list[bytes]:
    """Raw lines of one brokerage stream: the snapshot, then ``burst`` order frames."""
    headers = {"Authorization": f"Bearer {token}", "Accept": BROKERAGE_STREAM}
    lines: list[bytes] = []
    wanted = 0
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client,
        client.stream(
            "GET", f"{url}/v3/brokerage/stream/accounts/{ids}/{kind}", headers=headers
        ) as response,
    ):
        async for text in response.aiter_lines():
            if not text:
                continue
            lines.append(text.encode())
            if wanted and '"OrderID"' in text:
                wanted -= 1
                if not wanted:
                    break
            elif '"EndSnapshot"' in text:
                if not burst:
                    break
                wanted = burst
                await client.post(f"{url}/_sim/orders/burst", json={"frames": burst})
    return lines


@pytest.mark.anyio
async def test_simulator_orders_and_positions(sim: SimServer, sim_settings: Settings) -> None:
    from tstui.client.session import Session
    from tstui.sim.control import SimControl

    control = SimControl(sim.url)
    for account in sim.accounts:
        control.seed_orders(account, 150)
    ids = ",".join(sim.accounts)
    rest = f"/v3/brokerage/accounts/{ids}"
    environ = {"REFRESH_TOKEN": sim.credentials.refresh_token}
    with anyio.fail_after(30):
        async with Session.open(sim_settings, environ=environ) as session:
            get = session.http.get_json
            orders = (await get(f"{rest}/orders"))["Orders"]
            orders += (await get(f"{rest}/historicalorders", {"since": "2026-10-01"}))["Orders"]
            positions = (await get(f"{rest}/positions"))["Positions"]
            token = await session.auth.access_token()
            order_lines = [line_of(item) for item in orders]
            order_lines += await _stream_lines(sim.url, token, ids, "orders", burst=1500)
            position_lines = [line_of(item) for item in positions]
            position_lines += await _stream_lines(sim.url, token, ids, "positions")
    taken = 0
    for line in order_lines:
        if b'"OrderID"' in line:  # not a control frame
            assert isinstance(check(line), Order), line  # and every one takes the fast path
            taken += 1
    assert taken > 1500 + len(orders) - 1
    taken = 0
    for line in position_lines:
        if b'"PositionID"' in line and b'"Deleted"' not in line:
            assert isinstance(check(line, decode_position_line, parse_position_frame), Position)
            taken += 1
    assert taken >= len(positions) > 0
