"""One method per TradeStation endpoint, returning domain models.

Every REST call goes through :class:`~tstui.client.http.HttpSession`: ``get_json`` for reads
(GET: the only retried calls), ``post_json`` for orderconfirm and ``order_request`` for
place/replace/cancel (both never retried), and every stream through ``HttpSession.stream``
with a typed frame parser from :mod:`tstui.domain.frames` (the order and position streams
also with an exact msgspec fast path from :mod:`tstui.client.fastwire`).
Per-item errors that the API reports inside a 200 are kept in ``Batch.errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

from tstui.client.errors import BadRequest
from tstui.domain.batch import envelope_batch, envelope_errors, envelope_items
from tstui.domain.frames import (
    BarEvent,
    OrderEvent,
    PositionEvent,
    QuoteEvent,
    TickBarEvent,
    parse_bar_frame,
    parse_order_frame,
    parse_position_frame,
    parse_quote_frame,
    parse_tickbar_frame,
)
from tstui.domain.models import (
    Account,
    Balance,
    Bar,
    Batch,
    BODBalance,
    Order,
    OrderConfirmation,
    OrderResult,
    Position,
    Quote,
    Route,
    SymbolDetail,
)

if TYPE_CHECKING:
    from tstui.client.http import HttpSession
    from tstui.client.streams import SupervisedStream
    from tstui.domain.orders import OrderRequest, ReplaceRequest

__all__ = [
    "BROKERAGE_STREAM",
    "MARKETDATA_STREAM",
    "MAX_ACCOUNTS",
    "MAX_ORDER_IDS",
    "MAX_QUOTES",
    "MAX_SYMBOLS",
    "TICKBAR_STREAM",
    "TradeStationAPI",
    "quote_segment",
]

MAX_ACCOUNTS: Final = 25  # account ids per brokerage request
MAX_ORDER_IDS: Final = 50  # order ids per orders-by-id request
MAX_SYMBOLS: Final = 50  # symbol details per request
MAX_QUOTES: Final = 100  # quotes (snapshot and stream) per request
MAX_PAGE_SIZE: Final = 600
HISTORY_DAYS: Final = 90
_MAX_PAGES: Final = 10_000  # a server that never stops handing out tokens must not hang us

BROKERAGE_STREAM: Final = "application/vnd.tradestation.streams.v3+json"
MARKETDATA_STREAM: Final = "application/vnd.tradestation.streams.v2+json"
TICKBAR_STREAM: Final = "application/vnd.tradestation.streams+json"

T = TypeVar("T")


def quote_segment(value: str) -> str:
    """Percent-encode one path segment (``@ES`` stays readable; spaces, ``/``, ``?`` do not)."""
    return quote(value, safe="@")


def _unique(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    seen: dict[str, None] = {}
    for value in values:
        text = str(value).strip()
        if text:
            seen.setdefault(text, None)
    if not seen:
        raise BadRequest(400, "BadRequest", f"no {what} given")
    return list(seen)


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _join(values: Iterable[str]) -> str:
    return ",".join(quote_segment(value) for value in values)


def _date_param(value: date | datetime | str) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class TradeStationAPI:
    """Typed access to every endpoint tstui uses. ``clock`` exists for tests (90-day check)."""

    def __init__(self, http: HttpSession, *, clock: Callable[[], datetime] | None = None) -> None:
        self.http = http
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))

    # -- accounts, balances, positions ----------------------------------------------------

    async def get_accounts(self) -> list[Account]:
        body = await self.http.get_json("/v3/brokerage/accounts")
        return [Account.from_api(item) for item in envelope_items(body, "Accounts")]

    async def _per_account(
        self, ids: Iterable[str], suffix: str, key: str, parse: Callable[[Mapping[str, Any]], T]
    ) -> Batch[T]:
        result: Batch[T] = Batch()
        for chunk in _chunks(_unique(ids, "account ids"), MAX_ACCOUNTS):
            body = await self.http.get_json(f"/v3/brokerage/accounts/{_join(chunk)}/{suffix}")
            result = result.merged(envelope_batch(body, key, parse))
        return result

    async def get_balances(self, ids: Iterable[str]) -> Batch[Balance]:
        return await self._per_account(ids, "balances", "Balances", Balance.from_api)

    async def get_bod_balances(self, ids: Iterable[str]) -> Batch[BODBalance]:
        return await self._per_account(ids, "bodbalances", "BODBalances", BODBalance.from_api)

    async def get_positions(self, ids: Iterable[str]) -> Batch[Position]:
        return await self._per_account(ids, "positions", "Positions", Position.from_api)

    # -- orders ---------------------------------------------------------------------------

    async def _paged_orders(
        self, path: str, params: dict[str, Any], page_size: int
    ) -> Batch[Order]:
        size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        result: Batch[Order] = Batch()
        token: str | None = None
        seen_tokens: set[str] = set()
        for _ in range(_MAX_PAGES):
            page_params = {**params, "pageSize": size}
            if token is not None:
                page_params["nextToken"] = token
            body = await self.http.get_json(path, page_params)
            page = envelope_batch(body, "Orders", Order.from_api)
            result = result.merged(page)
            next_token = body.get("NextToken") if isinstance(body, Mapping) else None
            if not next_token or not isinstance(next_token, str) or next_token in seen_tokens:
                break
            if len(page.items) < size:
                break  # a short page is the last one, whatever the token says
            seen_tokens.add(next_token)
            token = next_token
        return result

    async def get_orders(
        self,
        ids: Iterable[str],
        order_ids: Iterable[str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Batch[Order]:
        """Today's and open orders (all pages), or the given order ids."""
        accounts = _unique(ids, "account ids")
        result: Batch[Order] = Batch()
        if order_ids is not None:
            wanted = _unique(order_ids, "order ids")
            for chunk in _chunks(accounts, MAX_ACCOUNTS):
                for id_chunk in _chunks(wanted, MAX_ORDER_IDS):
                    path = f"/v3/brokerage/accounts/{_join(chunk)}/orders/{_join(id_chunk)}"
                    body = await self.http.get_json(path)
                    result = result.merged(envelope_batch(body, "Orders", Order.from_api))
            return result
        for chunk in _chunks(accounts, MAX_ACCOUNTS):
            path = f"/v3/brokerage/accounts/{_join(chunk)}/orders"
            result = result.merged(await self._paged_orders(path, {}, page_size))
        return result

    async def get_historical_orders(
        self,
        ids: Iterable[str],
        since: date | datetime,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Batch[Order]:
        """Orders since ``since`` (at most 90 days back, checked here before any request)."""
        since_day = since.astimezone(UTC).date() if isinstance(since, datetime) else since
        today = self.clock().astimezone(UTC).date()
        if today - since_day > timedelta(days=HISTORY_DAYS):
            raise BadRequest(
                400,
                "BadRequest",
                f"since {since_day.isoformat()} is more than {HISTORY_DAYS} days ago "
                f"(earliest allowed: {(today - timedelta(days=HISTORY_DAYS)).isoformat()})",
            )
        accounts = _unique(ids, "account ids")
        result: Batch[Order] = Batch()
        params = {"since": since_day.isoformat()}
        for chunk in _chunks(accounts, MAX_ACCOUNTS):
            path = f"/v3/brokerage/accounts/{_join(chunk)}/historicalorders"
            result = result.merged(await self._paged_orders(path, params, page_size))
        return result

    # -- market data ----------------------------------------------------------------------

    async def get_bars(
        self,
        symbol: str,
        unit: str = "Minute",
        interval: int = 1,
        barsback: int | None = None,
        firstdate: date | datetime | str | None = None,
        lastdate: date | datetime | str | None = None,
        sessiontemplate: str | None = None,
    ) -> list[Bar]:
        if barsback is not None and firstdate is not None:
            raise BadRequest(400, "BadRequest", "barsback and firstdate are mutually exclusive")
        params: dict[str, Any] = {"unit": unit, "interval": str(interval)}
        if barsback is not None:
            params["barsback"] = str(barsback)
        if firstdate is not None:
            params["firstdate"] = _date_param(firstdate)
        if lastdate is not None:
            params["lastdate"] = _date_param(lastdate)
        if sessiontemplate is not None:
            params["sessiontemplate"] = sessiontemplate
        path = f"/v3/marketdata/barcharts/{quote_segment(_one_symbol(symbol))}"
        body = await self.http.get_json(path, params)
        return [Bar.from_api(item) for item in envelope_items(body, "Bars")]

    async def get_symbols(self, symbols: Iterable[str]) -> Batch[SymbolDetail]:
        result: Batch[SymbolDetail] = Batch()
        for chunk in _chunks(_unique(symbols, "symbols"), MAX_SYMBOLS):
            body = await self.http.get_json(f"/v3/marketdata/symbols/{_join(chunk)}")
            result = result.merged(envelope_batch(body, "Symbols", SymbolDetail.from_api))
        return result

    async def get_quotes(self, symbols: Iterable[str]) -> Batch[Quote]:
        result: Batch[Quote] = Batch()
        for chunk in _chunks(_unique(symbols, "symbols"), MAX_QUOTES):
            body = await self.http.get_json(f"/v3/marketdata/quotes/{_join(chunk)}")
            result = result.merged(envelope_batch(body, "Quotes", Quote.from_api))
        return result

    # -- order execution ------------------------------------------------------------------

    async def get_routes(self) -> list[Route]:
        body = await self.http.get_json("/v3/orderexecution/routes")
        return [Route.from_api(item) for item in envelope_items(body, "Routes")]

    async def confirm_order(self, req: OrderRequest) -> list[OrderConfirmation]:
        """Estimate an order without placing it (POST, never retried; places nothing, so a
        failure is a plain error, not an unknown outcome)."""
        body = await self.http.post_json("/v3/orderexecution/orderconfirm", json=req.to_api())
        confirmations = [
            OrderConfirmation.from_api(item) for item in envelope_items(body, "Confirmations")
        ]
        errors = envelope_errors(body)
        if not confirmations and errors:
            first = errors[0]
            raise BadRequest(400, first.error, "; ".join(e.message for e in errors))
        return confirmations

    async def place_order(self, req: OrderRequest) -> list[OrderResult]:
        """Place once (never retried). A rejection can arrive as a result with ``error`` set."""
        body = await self.http.order_request("POST", "/v3/orderexecution/orders", json=req.to_api())
        return _order_results(body)

    async def replace_order(self, order_id: str, req: ReplaceRequest) -> OrderResult:
        path = f"/v3/orderexecution/orders/{quote_segment(order_id)}"
        body = await self.http.order_request("PUT", path, json=req.to_api())
        return _single_result(body, order_id)

    async def cancel_order(self, order_id: str) -> OrderResult:
        path = f"/v3/orderexecution/orders/{quote_segment(order_id)}"
        body = await self.http.order_request("DELETE", path)
        return _single_result(body, order_id)

    # -- streams --------------------------------------------------------------------------

    def stream_orders(self, ids: Iterable[str]) -> SupervisedStream[OrderEvent]:
        from tstui.client.fastwire import decode_order_line  # msgspec: loaded on first use

        path = f"/v3/brokerage/stream/accounts/{_stream_accounts(ids)}/orders"
        return self.http.stream(
            path,
            None,
            parse_order_frame,
            name="orders",
            media_type=BROKERAGE_STREAM,
            fast_decode=decode_order_line,
        )

    def stream_positions(
        self, ids: Iterable[str], *, changes: bool = False
    ) -> SupervisedStream[PositionEvent]:
        from tstui.client.fastwire import decode_position_line

        path = f"/v3/brokerage/stream/accounts/{_stream_accounts(ids)}/positions"
        params = {"changes": "true"} if changes else None
        return self.http.stream(
            path,
            params,
            parse_position_frame,
            name="positions",
            media_type=BROKERAGE_STREAM,
            fast_decode=decode_position_line,
        )

    def stream_quotes(self, symbols: Iterable[str]) -> SupervisedStream[QuoteEvent]:
        wanted = _unique(symbols, "symbols")
        if len(wanted) > MAX_QUOTES:
            raise BadRequest(400, "BadRequest", f"at most {MAX_QUOTES} symbols per quote stream")
        path = f"/v3/marketdata/stream/quotes/{_join(wanted)}"
        return self.http.stream(
            path, None, parse_quote_frame, name="quotes", media_type=MARKETDATA_STREAM
        )

    def stream_bars(
        self,
        symbol: str,
        unit: str = "Minute",
        interval: int = 1,
        barsback: int | None = None,
        sessiontemplate: str | None = None,
    ) -> SupervisedStream[BarEvent]:
        params: dict[str, Any] = {"unit": unit, "interval": str(interval)}
        if barsback is not None:
            params["barsback"] = str(barsback)
        if sessiontemplate is not None:
            params["sessiontemplate"] = sessiontemplate
        path = f"/v3/marketdata/stream/barcharts/{quote_segment(_one_symbol(symbol))}"
        return self.http.stream(
            path, params, parse_bar_frame, name="bars", media_type=MARKETDATA_STREAM
        )

    def stream_tickbars(
        self, symbol: str, interval: int = 1, barsback: int = 10
    ) -> SupervisedStream[TickBarEvent]:
        if not 1 <= interval <= 64999:
            raise BadRequest(400, "BadRequest", "tick bar interval must be 1..64999 ticks")
        if not 1 <= barsback <= 10:
            raise BadRequest(400, "BadRequest", "tick bar barsBack must be 1..10")
        path = f"/v2/stream/tickbars/{quote_segment(_one_symbol(symbol))}/{interval}/{barsback}"
        return self.http.stream(
            path, None, parse_tickbar_frame, name="tickbars", media_type=TICKBAR_STREAM
        )


def _one_symbol(symbol: str) -> str:
    text = symbol.strip()
    if not text:
        raise BadRequest(400, "BadRequest", "no symbol given")
    return text


def _stream_accounts(ids: Iterable[str]) -> str:
    accounts = _unique(ids, "account ids")
    if len(accounts) > MAX_ACCOUNTS:
        raise BadRequest(400, "BadRequest", f"at most {MAX_ACCOUNTS} accounts per stream")
    return _join(accounts)


def _order_results(body: Any) -> list[OrderResult]:
    results = [OrderResult.from_api(item) for item in envelope_items(body, "Orders")]
    results += [OrderResult.from_api(item, failed=True) for item in envelope_items(body, "Errors")]
    if not results and isinstance(body, Mapping) and ("OrderID" in body or "Message" in body):
        results.append(OrderResult.from_api(body))
    return results


def _single_result(body: Any, order_id: str) -> OrderResult:
    if isinstance(body, Mapping) and ("Orders" in body or "Errors" in body):
        results = _order_results(body)
        if results:
            return results[0]
    if isinstance(body, Mapping):
        result = OrderResult.from_api(body)
        return result if result.order_id else OrderResult(order_id, result.message, result.error)
    return OrderResult(order_id=order_id, message="", error=None)
