"""What each stream kind sends: snapshots and live frames (see streams.py for the loop)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from tstui.sim import bars
from tstui.sim.context import SimContext
from tstui.sim.engine import EngineEvent
from tstui.sim.option_symbols import option_quote_body
from tstui.sim.quotes import quote
from tstui.sim.streams import (
    GO_AWAY,
    MARKET_GO_AWAY,
    TOKEN_EXPIRED,
    V2_END,
    V2_TOKEN_EXPIRED,
    encode,
)

MARKET_REFRESH_SECONDS = 0.25
BURST_CHUNK = 2000
BURST_ENCODE_STEP = 250


class OrdersFeed:
    kind = "orders"
    end_snapshot = True
    go_away = encode(GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(
        self,
        ctx: SimContext,
        accounts: list[str],
        errors: list[dict[str, Any]],
        order_ids: set[str] | None = None,
    ) -> None:
        self.ctx, self.accounts, self.errors, self.order_ids = ctx, accounts, errors, order_ids

    def _wanted(self, account_id: str, body: dict[str, Any]) -> bool:
        if account_id not in self.accounts:
            return False
        return self.order_ids is None or body.get("OrderID") in self.order_ids

    def snapshot(self) -> list[dict[str, Any]]:
        engine = self.ctx.engine
        with engine.lock:
            today = engine.today_start()
            bodies = [
                engine.order_api(o)
                for o in engine.orders.values()
                if o.account_id in self.accounts and (o.is_working or o.opened_at >= today)
            ]
        return [*self.errors, *(b for b in bodies if self._wanted(b["AccountID"], b))]

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        if event is None or event.kind != "order" or not self._wanted(event.account_id, event.body):
            return []
        return [event.body]

    def burst(self) -> Iterator[bytes]:
        """A queued burst: its frames cycle over the stream's last 5,000 orders, in blocks."""
        count = self.ctx.take_burst(self.accounts)
        if count <= 0:
            return iter(())
        engine = self.ctx.engine
        with engine.lock:
            orders = [
                o for o in list(engine.orders.values())[-5000:] if o.account_id in self.accounts
            ]
        return _burst_blocks(self.ctx, orders, count)


def _burst_blocks(ctx: SimContext, orders: list[Any], count: int) -> Iterator[bytes]:
    """``count`` order frames cycling over ``orders``. The first pass encodes and sends them
    BURST_ENCODE_STEP at a time, so frames go out at once (encoding all 5,000 first kept the
    client waiting ~100 ms for its first frame); then blocks of BURST_CHUNK."""
    engine = ctx.engine
    total = len(orders)
    lines: list[bytes] = []
    sent = 0
    while sent < count and total:
        if len(lines) < total:
            step = orders[len(lines) : len(lines) + BURST_ENCODE_STEP]
            with engine.lock:
                block = [encode(engine.order_api(o)) for o in step]
            lines.extend(block)
            block = block[: count - sent]
        else:
            block = [lines[(sent + i) % total] for i in range(min(BURST_CHUNK, count - sent))]
        sent += len(block)
        yield b"".join(block)


class PositionsFeed:
    kind = "positions"
    end_snapshot = True
    go_away = encode(GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(self, ctx: SimContext, accounts: list[str], errors: list[dict[str, Any]]) -> None:
        self.ctx, self.accounts, self.errors = ctx, accounts, errors
        self._last: dict[str, str] = {}
        self._refreshed = time.monotonic()

    def _current(self) -> list[dict[str, Any]]:
        engine = self.ctx.engine
        with engine.lock:
            return [
                engine.position_api(p)
                for p in list(engine.positions.values())
                if p.account_id in self.accounts
            ]

    def snapshot(self) -> list[dict[str, Any]]:
        bodies = self._current()
        self._last = {b["PositionID"]: b["Last"] for b in bodies}
        return [*self.errors, *bodies]

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        if event is not None and event.kind == "position":
            if event.account_id not in self.accounts:
                return []
            if event.body.get("Deleted"):
                self._last.pop(event.body["PositionID"], None)
            else:
                self._last[event.body["PositionID"]] = event.body["Last"]
            return [event.body]
        now = time.monotonic()
        market = event is not None and event.kind == "market"
        if not market and now - self._refreshed < 1.0:
            return []
        self._refreshed = now
        changed = [b for b in self._current() if self._last.get(b["PositionID"]) != b["Last"]]
        for body in changed:
            self._last[body["PositionID"]] = body["Last"]
        return changed

    def burst(self) -> list[bytes]:
        return []


class QuotesFeed:
    kind = "quotes"
    # The spec lists Quote, Heartbeat and Error frames only, and the wire notes name no
    # EndSnapshot for quotes (orders, positions and history bars only): none is sent.
    end_snapshot = False
    go_away = encode(MARKET_GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(self, ctx: SimContext, symbols: list[str], errors: list[dict[str, Any]]) -> None:
        self.ctx, self.symbols, self.errors = ctx, symbols, errors
        self._sent: dict[str, dict[str, Any]] = {}
        self._refreshed = 0.0

    def _quotes(self) -> list[dict[str, Any]]:
        engine = self.ctx.engine
        now = engine.clock.now()
        out = []
        for symbol in self.symbols:
            inst = engine.instrument(symbol, now)
            if inst is not None:
                out.append(quote(engine.paths, inst, now))
            # an option: the option market's quote (none once it has expired)
            elif (body := option_quote_body(engine, symbol, now)) is not None:
                out.append(body)
        return out

    def snapshot(self) -> list[dict[str, Any]]:
        bodies = self._quotes()
        self._sent = {b["Symbol"]: b for b in bodies}
        self._refreshed = time.monotonic()
        return [*self.errors, *bodies]

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        now = time.monotonic()
        market = event is not None and event.kind == "market"
        if not market and now - self._refreshed < MARKET_REFRESH_SECONDS:
            return []
        self._refreshed = now
        out = []
        for body in self._quotes():
            previous = self._sent.get(body["Symbol"], {})
            if any(body[k] != previous.get(k) for k in ("Last", "Bid", "Ask", "Volume")):
                out.append(body)
                self._sent[body["Symbol"]] = body
        return out

    def burst(self) -> list[bytes]:
        return []


class BarsFeed:
    """Streams history then the open bar; sends the bar Closed when its span ends."""

    kind = "bars"
    # The spec lists Bar, Heartbeat and Error frames; the wire notes say the history bars end
    # with an EndSnapshot, and the notes win.
    end_snapshot = True
    go_away = encode(MARKET_GO_AWAY)
    token_expired = encode(TOKEN_EXPIRED)

    def __init__(
        self,
        ctx: SimContext,
        symbol: str,
        unit: str,
        interval: int,
        barsback: int,
        tick_bars: bool = False,
    ) -> None:
        self.ctx, self.symbol, self.unit, self.interval = ctx, symbol, unit, interval
        self.barsback = barsback
        self.tick_bars = tick_bars
        if tick_bars:  # the v2 framing: no StreamStatus or JSON errors, trailer lines
            self.kind = "tickbars"
            self.end_snapshot = False
            self.go_away = V2_END
            self.token_expired = V2_TOKEN_EXPIRED
        self._span: bars.Span | None = None
        self._last_close: str | None = None
        self._refreshed = 0.0

    def _span_at(self, t: Any) -> bars.Span:
        if self.tick_bars:
            return bars.tick_span_at(self.interval, t)
        return bars.span_at(self.unit, self.interval, t, self._session())

    def _session(self) -> Any:
        """Minute bars follow the instrument's trading session (see bars)."""
        engine = self.ctx.engine
        inst = engine.instrument(self.symbol, engine.clock.now())
        return bars.session_of(inst, self.unit) if inst is not None else None

    def _prev(self, span: bars.Span) -> bars.Span:
        if self.tick_bars:
            size = span.end - span.start
            return bars.Span(span.start - size, span.start)
        return bars.previous_span(self.unit, self.interval, span, self._session())

    def _next(self, span: bars.Span) -> bars.Span:
        if self.tick_bars:
            size = span.end - span.start
            return bars.Span(span.end, span.end + size)
        return bars.next_span(self.unit, self.interval, span, self._session())

    def _body(self, span: bars.Span, *, history: bool, end: bool = False) -> dict[str, Any]:
        engine = self.ctx.engine
        now = engine.clock.now()
        inst = engine.instrument(self.symbol, now)
        assert inst is not None
        bar = bars.make_bar(
            engine.paths, inst, "Minute" if self.tick_bars else self.unit, span, now
        )
        if not self.tick_bars:
            return bars.bar_to_api(inst, bar, end_of_history=end)
        status = bars.HISTORICAL if history else bars.REAL_TIME
        status |= 0 if bar.is_open else bars.STANDARD_CLOSE
        return bars.tickbar_to_api(inst, bar, status)

    def snapshot(self) -> list[dict[str, Any]]:
        now = self.ctx.engine.clock.now()
        span = self._span_at(now)
        spans = [span]
        while len(spans) < self.barsback:
            spans.append(self._prev(spans[-1]))
        spans.reverse()
        self._span = span
        bodies = [
            self._body(s, history=s.end <= now, end=i == len(spans) - 1)
            for i, s in enumerate(spans)
        ]
        self._last_close = str(bodies[-1]["Close"])
        self._refreshed = time.monotonic()
        return bodies

    def update(self, event: EngineEvent | None) -> list[dict[str, Any]]:
        now_real = time.monotonic()
        market = event is not None and event.kind == "market"
        if self._span is None or (not market and now_real - self._refreshed < 0.25):
            return []
        self._refreshed = now_real
        now = self.ctx.engine.clock.now()
        out: list[dict[str, Any]] = []
        if now >= self._span.end:
            out.append(self._body(self._span, history=False))  # its final, Closed form
            span = self._next(self._span)
            while now >= span.end and len(out) < 100:  # the clock jumped over whole bars
                out.append(self._body(span, history=False))
                span = self._next(span)
            if now >= span.end:
                span = self._span_at(now)
            self._span = span
        if now < self._span.start:  # the session is closed: the next bar has not begun
            return out
        body = self._body(self._span, history=False)
        if out or str(body["Close"]) != self._last_close:
            out.append(body)
            self._last_close = str(body["Close"])
        return out

    def burst(self) -> list[bytes]:
        return []
