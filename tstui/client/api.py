"""One method per TradeStation endpoint, returning domain models.

Every REST call goes through :class:`~tstui.client.http.HttpSession`: ``get_json`` for reads
(GET: the only retried calls), ``post_json`` for orderconfirm and ``order_request`` for
place/replace/cancel (both never retried), and every stream through ``HttpSession.stream``
with a typed frame parser from :mod:`tstui.domain.frames` (the order and position streams
also with an exact msgspec fast path from :mod:`tstui.client.fastwire`).
Per-item errors that the API reports inside a 200 are kept in ``Batch.errors``.

Each read also has a ``*_body`` twin that returns the response body as the API sent it (for
``--json``); the parsed method is that body parsed, so both share one request path. Where one
call takes several requests (account batches, symbol batches, ``NextToken`` pages), the body
is one envelope of the same shape: see :func:`merge_envelopes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

from tstui.client.errors import BadRequest
from tstui.client.options import OptionsAPI
from tstui.domain.batch import envelope_batch, envelope_errors, envelope_items
from tstui.domain.untrusted import safe_text

# The domain's models are imported where a call parses its answer: a command that lists
# accounts never builds the order, market-data and depth models (see `tstui get accounts`).
if TYPE_CHECKING:
    from tstui.client.http import HttpSession
    from tstui.client.streams import SupervisedStream
    from tstui.domain.frames import OrderEvent, PositionEvent
    from tstui.domain.market.data import SymbolMatch
    from tstui.domain.market.depth import DepthAggregatesEvent, DepthQuotesEvent
    from tstui.domain.market.frames import BarEvent, QuoteEvent, TickBarEvent
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
    from tstui.domain.orders import OrderGroupRequest, OrderRequest, ReplaceRequest
    from tstui.domain.orders.advanced import ActivationTrigger

__all__ = [
    "BROKERAGE_STREAM",
    "MARKETDATA_STREAM",
    "MAX_ACCOUNTS",
    "MAX_ORDER_IDS",
    "MAX_QUOTES",
    "MAX_SYMBOLS",
    "TICKBAR_STREAM",
    "TradeStationAPI",
    "confirmations_from",
    "merge_envelopes",
    "order_results",
    "quote_segment",
    "single_result",
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
    """Percent-encode one path segment (``@ES`` stays readable; spaces, ``/``, ``?`` do not).

    A value that is not valid Unicode text (a lone surrogate, e.g. from a hostile server's
    symbol) cannot be sent: that is a clear BadRequest, not an encoder's crash."""
    try:
        return quote(value, safe="@")
    except UnicodeEncodeError:
        raise BadRequest(
            400, "BadRequest", f"{safe_text(value, limit=40)}: not valid text, cannot be sent"
        ) from None


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


class TradeStationAPI(OptionsAPI):
    """Typed access to every endpoint tstui uses (the option endpoints: the ``OptionsAPI``
    mixin). ``clock`` exists for tests (90-day check)."""

    def __init__(self, http: HttpSession, *, clock: Callable[[], datetime] | None = None) -> None:
        self.http = http
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))

    # -- accounts, balances, positions ----------------------------------------------------

    async def get_accounts_body(self) -> Any:
        return await self.http.get_json("/v3/brokerage/accounts")

    async def get_accounts(self) -> list[Account]:
        from tstui.domain.portfolio.accounts import Account

        body = await self.get_accounts_body()
        return [Account.from_api(item) for item in envelope_items(body, "Accounts")]

    async def _per_account_body(self, ids: Iterable[str], suffix: str, key: str) -> Any:
        bodies = []
        for chunk in _chunks(_unique(ids, "account ids"), MAX_ACCOUNTS):
            bodies.append(
                await self.http.get_json(f"/v3/brokerage/accounts/{_join(chunk)}/{suffix}")
            )
        return merge_envelopes(bodies, key)

    async def get_balances_body(self, ids: Iterable[str]) -> Any:
        return await self._per_account_body(ids, "balances", "Balances")

    async def get_balances(self, ids: Iterable[str]) -> Batch[Balance]:
        from tstui.domain.portfolio.balances import Balance

        return envelope_batch(await self.get_balances_body(ids), "Balances", Balance.from_api)

    async def get_bod_balances_body(self, ids: Iterable[str]) -> Any:
        return await self._per_account_body(ids, "bodbalances", "BODBalances")

    async def get_bod_balances(self, ids: Iterable[str]) -> Batch[BODBalance]:
        from tstui.domain.portfolio.balances import BODBalance

        body = await self.get_bod_balances_body(ids)
        return envelope_batch(body, "BODBalances", BODBalance.from_api)

    async def get_positions_body(self, ids: Iterable[str]) -> Any:
        return await self._per_account_body(ids, "positions", "Positions")

    async def get_positions(self, ids: Iterable[str]) -> Batch[Position]:
        from tstui.domain.portfolio.positions import Position

        return envelope_batch(await self.get_positions_body(ids), "Positions", Position.from_api)

    # -- orders ---------------------------------------------------------------------------

    async def _paged_bodies(self, path: str, params: dict[str, Any], page_size: int) -> list[Any]:
        """Every page of an orders listing, following ``NextToken``."""
        size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        bodies: list[Any] = []
        token: str | None = None
        seen_tokens: set[str] = set()
        for _ in range(_MAX_PAGES):
            page_params = {**params, "pageSize": size}
            if token is not None:
                page_params["nextToken"] = token
            body = await self.http.get_json(path, page_params)
            bodies.append(body)
            next_token = body.get("NextToken") if isinstance(body, Mapping) else None
            if not next_token or not isinstance(next_token, str) or next_token in seen_tokens:
                break
            if len(envelope_items(body, "Orders")) < size:
                break  # a short page is the last one, whatever the token says
            seen_tokens.add(next_token)
            token = next_token
        return bodies

    async def _orders_body(
        self,
        ids: Iterable[str],
        suffix: str,
        params: dict[str, Any],
        order_ids: Iterable[str] | None,
        page_size: int,
    ) -> Any:
        """An orders listing per batch of accounts: every page, or the given order ids in
        batches; one merged envelope."""
        accounts = _unique(ids, "account ids")
        bodies: list[Any] = []
        for chunk in _chunks(accounts, MAX_ACCOUNTS):
            path = f"/v3/brokerage/accounts/{_join(chunk)}/{suffix}"
            if order_ids is None:
                bodies += await self._paged_bodies(path, params, page_size)
                continue
            for id_chunk in _chunks(_unique(order_ids, "order ids"), MAX_ORDER_IDS):
                bodies.append(await self.http.get_json(f"{path}/{_join(id_chunk)}", params or None))
        return merge_envelopes(bodies, "Orders")

    async def get_orders_body(
        self,
        ids: Iterable[str],
        order_ids: Iterable[str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Any:
        """Today's and open orders (every page merged), or the given order ids."""
        return await self._orders_body(ids, "orders", {}, order_ids, page_size)

    async def get_orders(
        self,
        ids: Iterable[str],
        order_ids: Iterable[str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Batch[Order]:
        """Today's and open orders (all pages), or the given order ids."""
        from tstui.domain.orders.execution import Order

        body = await self.get_orders_body(ids, order_ids, page_size=page_size)
        return envelope_batch(body, "Orders", Order.from_api)

    async def get_historical_orders_body(
        self,
        ids: Iterable[str],
        since: date | datetime,
        order_ids: Iterable[str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Any:
        """Orders since ``since`` (at most 90 days back, checked here before any request),
        every page merged; or only the given order ids."""
        since_day = since.astimezone(UTC).date() if isinstance(since, datetime) else since
        today = self.clock().astimezone(UTC).date()
        if today - since_day > timedelta(days=HISTORY_DAYS):
            raise BadRequest(
                400,
                "BadRequest",
                f"since {since_day.isoformat()} is more than {HISTORY_DAYS} days ago "
                f"(earliest allowed: {(today - timedelta(days=HISTORY_DAYS)).isoformat()})",
            )
        params = {"since": since_day.isoformat()}
        return await self._orders_body(ids, "historicalorders", params, order_ids, page_size)

    async def get_historical_orders(
        self,
        ids: Iterable[str],
        since: date | datetime,
        order_ids: Iterable[str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Batch[Order]:
        """Orders since ``since`` (at most 90 days back), or only the given order ids."""
        from tstui.domain.orders.execution import Order

        body = await self.get_historical_orders_body(ids, since, order_ids, page_size=page_size)
        return envelope_batch(body, "Orders", Order.from_api)

    # -- market data ----------------------------------------------------------------------

    async def get_bars_body(
        self,
        symbol: str,
        unit: str = "Minute",
        interval: int = 1,
        barsback: int | None = None,
        firstdate: date | datetime | str | None = None,
        lastdate: date | datetime | str | None = None,
        sessiontemplate: str | None = None,
    ) -> Any:
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
        return await self.http.get_json(path, params)

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
        from tstui.domain.market.data import Bar

        body = await self.get_bars_body(
            symbol, unit, interval, barsback, firstdate, lastdate, sessiontemplate
        )
        return [Bar.from_api(item) for item in envelope_items(body, "Bars")]

    async def _batched_body(self, values: Iterable[str], path: str, size: int, key: str) -> Any:
        bodies = []
        for chunk in _chunks(_unique(values, "symbols"), size):
            bodies.append(await self.http.get_json(f"{path}/{_join(chunk)}"))
        return merge_envelopes(bodies, key)

    async def get_symbols_body(self, symbols: Iterable[str]) -> Any:
        return await self._batched_body(symbols, "/v3/marketdata/symbols", MAX_SYMBOLS, "Symbols")

    async def get_symbols(self, symbols: Iterable[str]) -> Batch[SymbolDetail]:
        from tstui.domain.market.data import SymbolDetail

        body = await self.get_symbols_body(symbols)
        return envelope_batch(body, "Symbols", SymbolDetail.from_api)

    async def get_quotes_body(self, symbols: Iterable[str]) -> Any:
        return await self._batched_body(symbols, "/v3/marketdata/quotes", MAX_QUOTES, "Quotes")

    async def get_quotes(self, symbols: Iterable[str]) -> Batch[Quote]:
        from tstui.domain.market.data import Quote

        return envelope_batch(await self.get_quotes_body(symbols), "Quotes", Quote.from_api)

    async def get_crypto_symbol_names_body(self) -> Any:
        return await self.http.get_json("/v3/marketdata/symbollists/cryptopairs/symbolnames")

    async def get_crypto_symbol_names(self) -> list[str]:
        """The crypto pairs that can be quoted and charted (``BTCUSD``...)."""
        return symbol_names(await self.get_crypto_symbol_names_body())

    async def suggest_symbols_body(
        self, text: str, *, top: int | None = None, odata_filter: str | None = None
    ) -> Any:
        """v2 symbol suggest: a bare array of symbol objects. ``odata_filter`` is OData
        (``Category eq 'Stock'``)."""
        params: dict[str, Any] = {}
        if top is not None:
            params["$top"] = str(top)
        if odata_filter:
            params["$filter"] = odata_filter
        path = f"/v2/data/symbols/suggest/{quote_segment(_one_symbol(text))}"
        return await self.http.get_json(path, params)

    async def suggest_symbols(
        self, text: str, *, top: int | None = None, odata_filter: str | None = None
    ) -> list[SymbolMatch]:
        body = await self.suggest_symbols_body(text, top=top, odata_filter=odata_filter)
        return _symbol_matches(body)

    async def search_symbols_body(self, criteria: str | Mapping[str, str]) -> Any:
        """v2 symbol search. ``criteria``: ``"N=MSFT&C=Stock"`` or ``{"N": "MSFT", "C": "Stock"}``
        (one path segment; its ``&`` and ``=`` are kept, everything else encoded)."""
        if isinstance(criteria, Mapping):
            text = "&".join(f"{k}={v}" for k, v in criteria.items())
        else:
            text = criteria
        path = f"/v2/data/symbols/search/{quote(_one_symbol(text), safe='@&=')}"
        return await self.http.get_json(path)

    async def search_symbols(self, criteria: str | Mapping[str, str]) -> list[SymbolMatch]:
        return _symbol_matches(await self.search_symbols_body(criteria))

    # -- order execution ------------------------------------------------------------------

    async def get_routes_body(self) -> Any:
        return await self.http.get_json("/v3/orderexecution/routes")

    async def get_routes(self) -> list[Route]:
        from tstui.domain.orders.execution import Route

        body = await self.get_routes_body()
        return [Route.from_api(item) for item in envelope_items(body, "Routes")]

    async def confirm_order_body(self, body: Mapping[str, Any]) -> Any:
        """orderconfirm with a request body in the API's own JSON; the answer as sent (an
        envelope with ``Confirmations`` and/or ``Errors``)."""
        return await self.http.post_json("/v3/orderexecution/orderconfirm", json=dict(body))

    async def confirm_order(self, req: OrderRequest) -> list[OrderConfirmation]:
        """Estimate an order without placing it (POST, never retried; places nothing, so a
        failure is a plain error, not an unknown outcome)."""
        return confirmations_from(await self.confirm_order_body(req.to_api()))

    async def place_order_body(self, req: OrderRequest) -> Any:
        """Place once (never retried); the answer as sent (``Orders`` and/or ``Errors``)."""
        return await self.http.order_request("POST", "/v3/orderexecution/orders", json=req.to_api())

    async def place_order(self, req: OrderRequest) -> list[OrderResult]:
        """Place once (never retried). A rejection can arrive as a result with ``error`` set."""
        return order_results(await self.place_order_body(req))

    async def confirm_group_body(self, group: OrderGroupRequest) -> Any:
        """ordergroupconfirm (BRK, OCO, NORMAL): one confirmation per order, places nothing."""
        return await self.http.post_json(
            "/v3/orderexecution/ordergroupconfirm", json=group.to_api()
        )

    async def confirm_group(self, group: OrderGroupRequest) -> list[OrderConfirmation]:
        return confirmations_from(await self.confirm_group_body(group))

    async def place_group_body(self, group: OrderGroupRequest) -> Any:
        """ordergroups: the whole group in one request, sent once (never retried)."""
        return await self.http.order_request(
            "POST", "/v3/orderexecution/ordergroups", json=group.to_api()
        )

    async def place_group(self, group: OrderGroupRequest) -> list[OrderResult]:
        """One result per order of the group (a rejected order is a result with ``error``)."""
        return order_results(await self.place_group_body(group))

    async def get_activation_triggers_body(self) -> Any:
        return await self.http.get_json("/v3/orderexecution/activationtriggers")

    async def get_activation_triggers(self) -> list[ActivationTrigger]:
        """The TriggerKeys a market activation rule may use, with their descriptions."""
        from tstui.domain.orders.advanced import ActivationTrigger

        body = await self.get_activation_triggers_body()
        return [
            ActivationTrigger.from_api(item)
            for item in envelope_items(body, "ActivationTriggers")
            if isinstance(item, Mapping)
        ]

    async def replace_order_body(self, order_id: str, req: ReplaceRequest) -> Any:
        path = f"/v3/orderexecution/orders/{quote_segment(order_id)}"
        return await self.http.order_request("PUT", path, json=req.to_api())

    async def replace_order(self, order_id: str, req: ReplaceRequest) -> OrderResult:
        return single_result(await self.replace_order_body(order_id, req), order_id)

    async def cancel_order_body(self, order_id: str) -> Any:
        path = f"/v3/orderexecution/orders/{quote_segment(order_id)}"
        return await self.http.order_request("DELETE", path)

    async def cancel_order(self, order_id: str) -> OrderResult:
        return single_result(await self.cancel_order_body(order_id), order_id)

    # -- streams --------------------------------------------------------------------------

    def stream_orders(
        self, ids: Iterable[str], order_ids: Iterable[str] | None = None
    ) -> SupervisedStream[OrderEvent]:
        """Order updates of the accounts, or only of ``order_ids`` (at most 50)."""
        from tstui.client.fastwire import decode_order_line  # msgspec: loaded on first use
        from tstui.domain.frames import parse_order_frame

        path = f"/v3/brokerage/stream/accounts/{_stream_accounts(ids)}/orders"
        if order_ids is not None:
            wanted = _unique(order_ids, "order ids")
            if len(wanted) > MAX_ORDER_IDS:
                raise BadRequest(400, "BadRequest", f"at most {MAX_ORDER_IDS} order ids per stream")
            path += "/" + _join(wanted)
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
        from tstui.domain.frames import parse_position_frame

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
        from tstui.domain.market.frames import parse_quote_frame

        wanted = _unique(symbols, "symbols")
        if len(wanted) > MAX_QUOTES:
            raise BadRequest(400, "BadRequest", f"at most {MAX_QUOTES} symbols per quote stream")
        path = f"/v3/marketdata/stream/quotes/{_join(wanted)}"
        return self.http.stream(
            path,
            None,
            parse_quote_frame,
            name="quotes",
            media_type=MARKETDATA_STREAM,
            sends_end_snapshot=False,  # the spec's quote stream has no EndSnapshot
        )

    def stream_bars(
        self,
        symbol: str,
        unit: str = "Minute",
        interval: int = 1,
        barsback: int | None = None,
        sessiontemplate: str | None = None,
    ) -> SupervisedStream[BarEvent]:
        from tstui.domain.market.frames import parse_bar_frame

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
        from tstui.domain.market.frames import parse_tickbar_frame

        if not 1 <= interval <= 64999:
            raise BadRequest(400, "BadRequest", "tick bar interval must be 1..64999 ticks")
        if not 1 <= barsback <= 10:
            raise BadRequest(400, "BadRequest", "tick bar barsBack must be 1..10")
        path = f"/v2/stream/tickbars/{quote_segment(_one_symbol(symbol))}/{interval}/{barsback}"
        return self.http.stream(
            path, None, parse_tickbar_frame, name="tickbars", media_type=TICKBAR_STREAM
        )

    def stream_market_depth_quotes(
        self, symbol: str, maxlevels: int | None = None
    ) -> SupervisedStream[DepthQuotesEvent]:
        """Level 2 by participant: the book (up to ``maxlevels`` levels a side; the API's
        default is 20) at open and on every change. Needs the Matrix scope."""
        from tstui.domain.market.depth import parse_depth_quotes_frame

        return self._depth_stream("quotes", symbol, maxlevels, parse_depth_quotes_frame)

    def stream_market_depth_aggregates(
        self, symbol: str, maxlevels: int | None = None
    ) -> SupervisedStream[DepthAggregatesEvent]:
        """The book summed per price and side. Needs the Matrix scope."""
        from tstui.domain.market.depth import parse_depth_aggregates_frame

        return self._depth_stream("aggregates", symbol, maxlevels, parse_depth_aggregates_frame)

    def _depth_stream(
        self, kind: str, symbol: str, maxlevels: int | None, parse: Callable[[Any], T]
    ) -> SupervisedStream[T]:
        if maxlevels is not None and maxlevels < 1:
            raise BadRequest(400, "BadRequest", "maxlevels must be a positive integer")
        params = {"maxlevels": str(maxlevels)} if maxlevels is not None else None
        path = f"/v3/marketdata/stream/marketdepth/{kind}/{quote_segment(_one_symbol(symbol))}"
        return self.http.stream(
            path,
            params,
            parse,
            name=f"depth {kind}",
            media_type=MARKETDATA_STREAM,
            sends_end_snapshot=False,  # the spec's depth streams have no EndSnapshot
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


def merge_envelopes(bodies: Sequence[Any], key: str) -> Any:
    """Several answers of one endpoint as one envelope of the same shape.

    The lists under every key (``key``'s items, ``Errors``...) are concatenated in order, so no
    item and no per-item error is lost; other keys keep their first value. ``NextToken`` is
    dropped: the pages it pointed to are already in (or were not worth following: see
    ``_paged_bodies``). One answer without a ``NextToken`` is returned as it came.
    """
    if len(bodies) == 1 and not (isinstance(bodies[0], Mapping) and "NextToken" in bodies[0]):
        return bodies[0]
    merged: dict[str, Any] = {}
    for body in bodies:
        envelopes: list[Any] = body if isinstance(body, list) else [body]
        for envelope in envelopes:
            if not isinstance(envelope, Mapping):
                continue
            if not any(k in envelope for k in (key, "Errors")):
                merged.setdefault(key, []).append(envelope)  # a bare item of a bare array
                continue
            for name, value in envelope.items():
                if name == "NextToken":
                    continue
                if isinstance(value, list):
                    merged.setdefault(name, []).extend(value)
                else:
                    merged.setdefault(name, value)
    return merged


def bare_items(body: Any) -> list[Mapping[str, Any]]:
    """The objects of a bare-array answer (the v2 symbol calls)."""
    return [item for item in body if isinstance(item, Mapping)] if isinstance(body, list) else []


def symbol_names(body: Any, key: str = "SymbolNames") -> list[str]:
    """The names of a symbol-list answer (``{"SymbolNames": [...]}``)."""
    names = body.get(key) if isinstance(body, Mapping) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _symbol_matches(body: Any) -> list[SymbolMatch]:
    from tstui.domain.market.data import SymbolMatch

    return [SymbolMatch.from_api(item) for item in bare_items(body)]


def confirmations_from(body: Any) -> list[OrderConfirmation]:
    """The confirmations of an orderconfirm answer; only ``Errors`` -> :class:`BadRequest`."""
    from tstui.domain.orders.execution import OrderConfirmation

    confirmations = [
        OrderConfirmation.from_api(item) for item in envelope_items(body, "Confirmations")
    ]
    errors = envelope_errors(body)
    if not confirmations and errors:
        first = errors[0]
        raise BadRequest(400, first.error, "; ".join(e.message for e in errors))
    return confirmations


def order_results(body: Any) -> list[OrderResult]:
    """The results of a placement answer (a rejection is a result with ``error`` set)."""
    from tstui.domain.orders.execution import OrderResult

    results = [OrderResult.from_api(item) for item in envelope_items(body, "Orders")]
    results += [OrderResult.from_api(item, failed=True) for item in envelope_items(body, "Errors")]
    if not results and isinstance(body, Mapping) and ("OrderID" in body or "Message" in body):
        results.append(OrderResult.from_api(body))
    return results


def single_result(body: Any, order_id: str) -> OrderResult:
    """The result of a replace or cancel answer (an envelope or a bare object)."""
    from tstui.domain.orders.execution import OrderResult

    if isinstance(body, Mapping) and ("Orders" in body or "Errors" in body):
        results = order_results(body)
        if results:
            return results[0]
    if isinstance(body, Mapping):
        result = OrderResult.from_api(body)
        return result if result.order_id else OrderResult(order_id, result.message, result.error)
    return OrderResult(order_id=order_id, message="", error=None)
