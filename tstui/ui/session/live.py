"""The app-level data layer: one client Session per environment, stream workers feeding books.

``LiveData`` owns the Session for the current environment and runs app-level workers, each in
its OWN group (an exclusive worker elsewhere must never cancel a stream):

- ``stream-orders``: orders stream -> :class:`OrderBook`
- ``stream-positions``: positions stream -> ``positions`` (PositionDeleted removes)
- ``reconcile-orders``: REST orders every ``stream.reconcile_interval_s`` and after every
  reconnect ("resynced"), because streams have been seen to drop single fill frames.

A timer (4 Hz) drains the dirty ids and calls ``on_books`` once per flush with what changed.
No worker lets an exception escape: it is shown (status bar + notification) and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from time import perf_counter
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.signal import Signal
from textual.timer import Timer

from tstui.client.errors import LoginRequired, TradeStationError
from tstui.config import Environment, Settings
from tstui.ui.session.collector import LoadSettler
from tstui.ui.session.health import STATE_MAP, HealthState, StreamHealth, utc_now
from tstui.ui.session.quotes import QuoteHub

if TYPE_CHECKING:
    # The client (httpx and all) is imported by connect(), after the first screen is drawn.
    from tstui.client.api import TradeStationAPI
    from tstui.client.http import CallRecord, RateLimitInfo
    from tstui.client.session import Session
    from tstui.client.streams import StreamState
    from tstui.domain.frames import PositionDeleted, StreamErrorFrame
    from tstui.domain.models import Account, Order, Position
    from tstui.domain.orders.book import OrderBook

STREAMS = ("orders", "positions")
FLUSH_INTERVAL_S = 0.25
RESTART_DELAY_S = 3.0
CALL_LOG_SIZE = 500
YIELD_CHECK_EVERY = 64  # stream events between looks at the clock
YIELD_AFTER_S = 0.004  # the longest a stream worker holds the event loop


@dataclass(frozen=True)
class _Domain:
    """The domain types the streams are told apart by, loaded at the first stream or book
    (not before the first paint: ~30 ms of dataclass building)."""

    order: type[Order]
    position: type[Position]
    position_deleted: type[PositionDeleted]
    stream_error: type[StreamErrorFrame]
    new_book: Callable[[], OrderBook]


@cache
def _domain() -> _Domain:
    from tstui.domain.frames import PositionDeleted, StreamErrorFrame
    from tstui.domain.orders.book import OrderBook
    from tstui.domain.orders.execution import Order
    from tstui.domain.portfolio.positions import Position

    return _Domain(Order, Position, PositionDeleted, StreamErrorFrame, OrderBook)


def _batches_of(source: AsyncIterator[Any]) -> AsyncIterator[Sequence[Any]]:
    """A stream's items list by list: a client stream's own batches (one a chunk read, so a
    burst resumes no iterator per frame), any other source one item at a time."""
    batches = getattr(source, "batches", None)
    return batches() if callable(batches) else _one_by_one(source)


async def _one_by_one(source: AsyncIterator[Any]) -> AsyncIterator[Sequence[Any]]:
    async for item in source:
        yield (item,)


class LiveData:
    """See the module docstring. ``app`` hosts the workers and timers."""

    def __init__(
        self,
        app: App[Any],
        settings: Settings,
        *,
        on_books: Callable[[frozenset[str], frozenset[str], bool], None],
        on_error: Callable[[str], None],
        on_login_required: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self._on_books = on_books
        self._on_error = on_error
        self._on_login_required = on_login_required
        self.changed: Signal[str] = Signal(app, "tstui-live")
        """Published with "health" | "account" | "env" | "calls" | "error" | "accounts" |
        "symbol"."""
        self.accounts: list[Account] = []
        self.current_account: str | None = None
        self.current_symbol: str | None = None
        """The linked symbol (TradeStation's symbol linking): chosen in one pane (board,
        positions, orders, ladder, chart), followed by the chart, the ladder and the ticket."""
        self._order_book: OrderBook | None = None  # made at first use (see order_book)
        self.positions: dict[str, Position] = {}
        self.stream_health: dict[str, StreamHealth] = {n: StreamHealth(n) for n in STREAMS}
        self.quotes = QuoteHub(app, set_health=self._set_health, report_error=self.report_error)
        """Streaming quotes for every pane (watch / latest): see tstui.ui.session.quotes."""
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.call_log: deque[CallRecord] = deque(maxlen=CALL_LOG_SIZE)
        self._session: Session | None = None
        self._stack: AsyncExitStack | None = None
        self._positions_dirty: set[str] = set()
        self._positions_seen: set[str] | None = None
        self._reconcile_now = asyncio.Event()
        self._flush_timer: Timer | None = None
        self._generation = 0
        self._force_full = False
        self._settler = LoadSettler()  # a big snapshot's orders leave the collector's scans
        # Run once, after the first successful connect (the app attaches its auto roller here).
        self._first_connect_hooks: list[Callable[[], None]] = []
        # Every order snapshot from the stream or a reconcile (the P&L journal's fills).
        self._order_observers: list[Callable[[Order], None]] = []

    @property
    def order_book(self) -> OrderBook:
        """The orders of the current environment. Made at its first use: the domain's
        models load after the first paint, which shows no order."""
        book = self._order_book
        if book is None:
            book = self._order_book = _domain().new_book()
        return book

    @order_book.setter
    def order_book(self, book: OrderBook) -> None:
        self._order_book = book

    def observe_orders(self, observer: Callable[[Order], None]) -> Callable[[], None]:
        """Call ``observer`` with every order snapshot as it arrives; returns the unsubscribe."""
        self._order_observers.append(observer)
        return lambda: self._order_observers.remove(observer)

    def _notify_orders(self, orders: Iterable[Any]) -> None:
        if not self._order_observers:
            return  # every order frame passes here: nothing to do when nobody listens
        order_type = _domain().order
        for order in orders:
            if isinstance(order, order_type):
                for observer in list(self._order_observers):
                    try:
                        observer(order)
                    except Exception as exc:  # an observer's bug must not stop the stream
                        self.report_error("orders observer", exc)

    def on_first_connect(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` once, after the first successful :meth:`connect`."""
        self._first_connect_hooks.append(hook)

    # ----------------------------------------------------------------- properties
    @property
    def env(self) -> Environment:
        return self.settings.env

    @property
    def connected(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("not connected")
        return self._session

    @property
    def api(self) -> TradeStationAPI:
        return self.session.api

    @property
    def account_ids(self) -> list[str]:
        """The selected account, or every account when "all" is selected."""
        if self.current_account:
            return [self.current_account]
        return [a.account_id for a in self.accounts]

    @property
    def all_account_ids(self) -> list[str]:
        return [a.account_id for a in self.accounts]

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        if self._session is None:
            return None
        now = datetime.now(UTC)
        known = [
            info
            for info in self._session.http.rate_limits.values()
            if info.limit
            and info.remaining is not None
            and (info.reset_at is None or info.reset_at > now)
        ]
        # the tightest quota is the one worth showing
        return min(known, key=lambda i: (i.remaining or 0) / (i.limit or 1), default=None)

    def working_count(self) -> int:
        return sum(1 for o in self.order_book.orders() if o.status_group == "working")

    # ----------------------------------------------------------------- lifecycle
    async def connect(self, *, sign_in: Callable[[Session], Awaitable[None]] | None = None) -> None:
        """Open a Session for ``settings.env``, load accounts, start every stream.

        ``sign_in`` runs on the new session when it has no tokens yet (the demo's sign-in: one
        session, one connection for both). Raises LoginRequired (or another TradeStationError)
        when the environment has no usable tokens: the caller shows the login screen and calls
        ``connect`` again.
        """
        from tstui.client.session import Session

        await self.disconnect()
        stack = AsyncExitStack()
        try:
            session = await stack.enter_async_context(
                Session.open(self.settings, on_call=self._record_call)
            )
            if sign_in is not None and not session.logged_in:
                await sign_in(session)
            accounts = await session.api.get_accounts()
        except BaseException:
            await stack.aclose()
            raise
        self._stack, self._session = stack, session
        self.accounts = list(accounts)
        ids = self.all_account_ids
        wanted = self.settings.account_id
        self.current_account = wanted if wanted in ids else None
        self.changed.publish("accounts")
        self.start_streams()
        if self._flush_timer is None:
            self._flush_timer = self.app.set_interval(FLUSH_INTERVAL_S, self.flush)
        hooks, self._first_connect_hooks = self._first_connect_hooks, []
        for hook in hooks:
            hook()

    async def disconnect(self) -> None:
        """Stop the streams and close the Session (safe to call twice)."""
        self.stop_streams()
        stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):
                await stack.aclose()

    async def switch_env(self, env: Environment) -> None:
        """Close the old Session, open one on the new base, restart every stream."""
        await self.disconnect()
        self.settings = self.settings.with_env(env)
        self.accounts = []
        self.current_account = None
        self._reset_books()
        self.changed.publish("env")
        await self.connect()

    def set_account(self, account_id: str | None) -> None:
        """Select one account (None = all); the streams follow the selection."""
        if account_id is not None and account_id not in self.all_account_ids:
            return
        self.current_account = account_id
        self.changed.publish("account")
        self._force_full = True

    def link_symbol(self, symbol: str | None) -> None:
        """Make ``symbol`` the current symbol of every linked pane (no-op when unchanged)."""
        symbol = symbol.strip().upper() if symbol else None
        if not symbol or symbol == self.current_symbol:
            return
        self.current_symbol = symbol
        self.changed.publish("symbol")

    async def restart_streams(self) -> None:
        self.stop_streams()
        self.start_streams()

    def start_streams(self) -> None:
        if self._session is None:
            return
        self._generation += 1
        ids = self.all_account_ids
        api = self._session.api
        run = self.app.run_worker
        run(
            self._orders_loop(api, ids),
            group="stream-orders",
            name="orders stream",
            exit_on_error=False,
        )
        run(
            self._positions_loop(api, ids),
            group="stream-positions",
            name="positions stream",
            exit_on_error=False,
        )
        run(
            self._reconcile_loop(api, ids),
            group="reconcile-orders",
            name="orders reconcile",
            exit_on_error=False,
        )
        self.quotes.start(api)

    def stop_streams(self) -> None:
        self.quotes.stop()
        for group in ("stream-orders", "stream-positions", "reconcile-orders"):
            self.app.workers.cancel_group(self.app, group)
        for health in self.stream_health.values():
            self._set_health(health.name, "stopped", "")

    def _reset_books(self) -> None:
        self._order_book = None
        self._settler.reset()
        self.positions = {}
        self._positions_dirty.clear()
        self.quotes.clear()
        self._force_full = True

    # ----------------------------------------------------------------- reporting
    def report_error(self, where: str, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
        self.last_error = f"{where}: {text}"
        self.last_error_at = utc_now()
        self.changed.publish("error")
        self._on_error(self.last_error)

    def _set_health(self, name: str, state: HealthState, detail: str) -> None:
        health = self.stream_health.setdefault(name, StreamHealth(name))
        if health.state != state:
            health.since = utc_now()
        health.state = state
        health.detail = detail
        health.last_event = utc_now()
        self.changed.publish("health")

    def _record_call(self, record: CallRecord) -> None:
        self.call_log.appendleft(record)
        self.changed.publish("calls")

    def mark_orders_dirty(self, ids: Iterable[str]) -> None:
        self.order_book.dirty.update(ids)

    def mark_positions_dirty(self, ids: Iterable[str]) -> None:
        self._positions_dirty.update(ids)

    def flush(self) -> None:
        """Drain the dirty ids and tell the showing screen (at most once per tick)."""
        orders = frozenset(self.order_book.take_dirty())
        positions = frozenset(self._positions_dirty)
        self._positions_dirty.clear()
        full, self._force_full = self._force_full, False
        if orders or positions or full:
            self._on_books(orders, positions, full)

    # ----------------------------------------------------------------- workers
    async def _consume(self, name: str, source: AsyncIterator[Any]) -> None:
        from tstui.client.streams import StreamState

        # the status bar tells a quiet stream from a live one by its last frame's age
        self.stream_health[name].idle = getattr(source, "idle_seconds", None)
        count, since = 0, perf_counter()
        domain = _domain()  # once a stream, not once a frame
        try:
            async for batch in _batches_of(source):
                for event in batch:
                    count += 1
                    if count >= YIELD_CHECK_EVERY:
                        # A burst queues thousands of frames, handed over without a
                        # suspension: give the loop a turn every few ms so a key is
                        # answered within a frame.
                        count, now = 0, perf_counter()
                        if now - since >= YIELD_AFTER_S:
                            await asyncio.sleep(0)
                            since = perf_counter()
                    if isinstance(event, StreamState):
                        self._on_state(name, event)
                    elif isinstance(event, domain.stream_error):
                        self.report_error(f"{name} stream", event.message or event.error)
                    elif name == "orders":
                        self.order_book.apply(event)
                        self._notify_orders((event,))
                    else:
                        self._on_position_event(event, domain)
        finally:
            closer = getattr(source, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()

    async def _supervise(self, name: str, open_stream: Callable[[], AsyncIterator[Any]]) -> None:
        """Run a client stream forever; a failure is shown and the stream is reopened."""
        while True:
            self._set_health(name, "connecting", "")
            try:
                await self._consume(name, open_stream())
                self._set_health(name, "failed", "stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let a stream kill the app
                if isinstance(exc, LoginRequired) or isinstance(exc.__cause__, LoginRequired):
                    # A revoked or expired refresh token: retrying cannot help, ask the user.
                    self._set_health(name, "failed", "login required")
                    self.report_error(f"{name} stream", exc)
                    if self._on_login_required is not None:
                        self._on_login_required(str(exc.__cause__ or exc))
                    return
                self._set_health(name, "failed", type(exc).__name__)
                self.report_error(f"{name} stream", exc)
            await asyncio.sleep(RESTART_DELAY_S)

    async def _orders_loop(self, api: TradeStationAPI, ids: list[str]) -> None:
        if ids:
            await self._supervise("orders", lambda: api.stream_orders(ids))

    async def _positions_loop(self, api: TradeStationAPI, ids: list[str]) -> None:
        if ids:
            await self._supervise("positions", lambda: api.stream_positions(ids))

    def _on_state(self, name: str, event: StreamState) -> None:
        state = STATE_MAP.get(event.state, "connecting")
        self._set_health(name, state, event.detail)
        if name == "positions":
            if event.state == "connected":
                self._positions_seen = set()
            elif event.state in ("snapshot_complete", "resynced"):
                self._drop_unseen_positions()
        if name == "orders" and event.state in ("snapshot_complete", "resynced"):
            # the blotter's sorted index is built now, while loading, not at the first key
            # that shows the Orders view (and is frozen with the orders it indexes)
            self.order_book.view()
            self._settler.loaded(len(self.order_book))
        if name == "orders" and event.state == "resynced":
            self._reconcile_now.set()

    def _on_position_event(self, event: Any, domain: _Domain) -> None:
        if isinstance(event, domain.position_deleted):
            if self.positions.pop(event.position_id, None) is not None:
                self._positions_dirty.add(event.position_id)
        elif isinstance(event, domain.position):
            self.positions[event.position_id] = event
            self._positions_dirty.add(event.position_id)
            if self._positions_seen is not None:
                self._positions_seen.add(event.position_id)

    def _drop_unseen_positions(self) -> None:
        seen, self._positions_seen = self._positions_seen, None
        if seen is None:
            return
        for pid in [p for p in self.positions if p not in seen]:
            del self.positions[pid]
            self._positions_dirty.add(pid)

    async def _reconcile_loop(self, api: TradeStationAPI, ids: list[str]) -> None:
        interval = self.settings.stream.reconcile_interval_s
        while ids:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reconcile_now.wait(), interval)
            self._reconcile_now.clear()
            await self.reconcile_orders(api, ids)
            await self.reconcile_positions(api, ids)

    async def reconcile_positions(self, api: TradeStationAPI, ids: list[str]) -> None:
        """REST positions -> the book: heals a dropped position frame. A partial answer (per
        account errors) never deletes anything."""
        try:
            batch = await api.get_positions(ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown, never raised: the loop must go on
            self.report_error("positions reconcile", exc)
            return
        fresh = {p.position_id: p for p in batch.items}
        if not batch.errors:
            for pid in [p for p in self.positions if p not in fresh]:
                del self.positions[pid]
                self._positions_dirty.add(pid)
        for pid, position in fresh.items():
            if self.positions.get(pid) != position:
                self.positions[pid] = position
                self._positions_dirty.add(pid)

    async def reconcile_orders(
        self, api: TradeStationAPI | None = None, ids: list[str] | None = None
    ) -> None:
        """REST orders -> the book (REST wins). Errors are shown, never raised."""
        try:
            api = api or self.api
            batch = await api.get_orders(ids or self.all_account_ids)
            self.order_book.reconcile(batch.items)
            self._notify_orders(batch.items)
        except asyncio.CancelledError:
            raise
        except (TradeStationError, RuntimeError) as exc:
            self.report_error("orders reconcile", exc)
        except Exception as exc:  # defensive: a parsing bug must not stop the loop
            self.report_error("orders reconcile", exc)
