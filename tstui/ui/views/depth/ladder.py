"""DepthLadder: a price ladder for one symbol, usable in any screen (it needs only ``app.live``).

It opens the market-depth stream of its symbol (the aggregates stream; ``l`` switches to the
per-participant quotes stream, summed per price), watches its quote on the app's quote hub
(``live.quotes``: the last trade, shared with the other panes), and draws the
:class:`~tstui.ui.views.depth.model.Ladder`: your working buy orders, bid sizes, price (the
last trade marked), ask sizes, your working sell orders.

- Symbol: the linked symbol (``live.current_symbol``, followed as it changes) unless one is
  given; typing one and pressing Enter links it. Moving the cursor links nothing.
- Trading keys open the order ticket prefilled at the cursor's price (limit or stop, either
  side, the quantity preset): the ticket's preview then place is the only way an order goes
  out. ``c`` cancels the working orders at the cursor's price after a confirmation, one
  cancel request each (``trading.dialogs.request_cancel``).
- A refusal (401: no ``Matrix`` scope; 403: no market-depth entitlement; 400: not a symbol
  the API knows) is shown in the ladder with what is missing, and not retried; other failures
  reconnect (the client's supervision, then a retry here) with the stream's health shown.

Workers run in the widget's own exclusive groups ("ladder-symbol", "ladder-depth"), so a new
symbol cancels only the old symbol's stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from itertools import pairwise
from typing import Any, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.client.errors import ApiError
from tstui.client.streams import StreamState
from tstui.config import DEFAULT_PRESETS
from tstui.domain.frames import StreamErrorFrame
from tstui.domain.market import futures
from tstui.domain.market.depth import DepthAggregates, DepthQuotes
from tstui.domain.market.ticks import decimals_of, increment_at
from tstui.domain.models import Order, Quote, SymbolDetail
from tstui.domain.orders import format_decimal
from tstui.domain.orders.ticket import TicketFields
from tstui.domain.untrusted import safe_text
from tstui.ui.session.health import STATE_MAP, StreamHealth, utc_now
from tstui.ui.session.live import LiveData
from tstui.ui.shell.base import LiveApp
from tstui.ui.shell.plain import plain
from tstui.ui.trading.types import TradeTarget
from tstui.ui.views.depth.model import Ladder, LadderRow

__all__ = ["DEFAULT_SYMBOL", "DepthLadder", "LadderBody", "refusal_text"]

DEFAULT_SYMBOL = "@ES"  # shown when nothing is linked yet (the chart's default too)
LEVELS = 20  # price levels a side (the API's default)
RETRY_S = 3.0
REPAINT_S = 0.2  # book frames and order changes repaint at most this often
SOURCES = ("aggregates", "quotes")
SOURCE_LABELS = {"aggregates": "aggregates", "quotes": "level 2"}


def refusal_text(exc: BaseException, scopes: str) -> str | None:
    """What a refused depth stream lacks, for a 401 / 403 / 400 (None: something else, which
    is worth retrying). ``scopes``: what the configuration asks the sign-in for."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ApiError):
        cause = cause.__cause__
    if cause is None:
        return None
    said = safe_text(cause.message or cause.title, limit=300)
    if cause.status == 401:
        asked = "Matrix" in scopes.split()
        where = (
            "the key was not granted it: ask TradeStation to enable Matrix for your API key, "
            "then sign in again"
            if asked
            else "add Matrix to scopes in [api] of the config, then sign in again"
        )
        return f"Market depth refused (401 Unauthorized): {said}\nNeeds the Matrix scope; {where}."
    if cause.status == 403:
        return (
            f"Market depth refused (403 Forbidden): {said}\nNeeds a market-depth (level 2) "
            "data entitlement for this symbol's exchange on your TradeStation account."
        )
    if cause.status == 400:
        return f"Market depth refused (400 BadRequest): {said}"
    return None


class LadderBody(Widget, can_focus=True):
    """Draws the ladder's visible rows; the keys live on :class:`DepthLadder`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ladder--header",
        "ladder--bid",
        "ladder--ask",
        "ladder--best",
        "ladder--last",
        "ladder--cursor",
        "ladder--buy",
        "ladder--sell",
    }
    DEFAULT_CSS = """
    LadderBody { height: 1fr; width: 1fr; }
    LadderBody > .ladder--header { color: $text-muted; text-style: bold; }
    LadderBody > .ladder--bid { color: $bid; }
    LadderBody > .ladder--ask { color: $ask; }
    LadderBody > .ladder--best { text-style: bold; }
    LadderBody > .ladder--last { color: $warning; text-style: bold; }
    LadderBody > .ladder--cursor { background: $accent 35%; }
    LadderBody:focus > .ladder--cursor { background: $accent 60%; }
    LadderBody > .ladder--buy { color: $bid; text-style: bold reverse; }
    LadderBody > .ladder--sell { color: $ask; text-style: bold reverse; }
    """

    def __init__(self, ladder: Ladder, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ladder = ladder
        self.decimals = 2
        self.rows: list[LadderRow] = []  # what the last paint showed, top first

    def on_resize(self) -> None:
        self.ladder.top = None  # another height: centre the window on the cursor again

    @property
    def row_count(self) -> int:
        return max(1, self.size.height - 1)  # one line is the header

    def fmt_price(self, price: Decimal) -> str:
        return f"{price:.{self.decimals}f}"

    def render(self) -> Text:
        # partial: only what each component sets, so the cursor row's background shows through
        style = partial(self.get_component_rich_style, partial=True)
        self.rows = self.ladder.window(self.row_count) if self.ladder.has_market else []
        price_w = max(10, *(len(self.fmt_price(r.price)) for r in self.rows)) if self.rows else 10
        widths = (8, 9, price_w + 2, 9, 8)
        text = Text(no_wrap=True, overflow="crop")
        titles = ("Buy", "Bid", "Price", "Ask", "Sell")
        header = " ".join(
            t.rjust(w) if i < 2 else t.center(w) if i == 2 else t.ljust(w)
            for i, (t, w) in enumerate(zip(titles, widths, strict=True))
        )
        text.append(header, style("ladder--header"))
        if not self.rows:
            return text
        hint = self._market_hint()
        if hint:
            text.append(f"  {hint}", style("ladder--last"))
        for row in self.rows:
            text.append("\n")
            text.append_text(self._line(row, widths, style))
        return text

    def _market_hint(self) -> str:
        """Where the market is when it has moved off the window (the cursor never follows it
        by itself: a price the trader pointed at stays put)."""
        market = self.ladder.reference()
        if market is None or not self.rows:
            return ""
        if market > self.rows[0].price:
            return f"market ↑ {self.fmt_price(market)} (home)"
        if market < self.rows[-1].price:
            return f"market ↓ {self.fmt_price(market)} (home)"
        return ""

    def _line(self, row: LadderRow, widths: tuple[int, ...], style: Callable[[str], Style]) -> Text:
        line = Text(style=style("ladder--cursor") if row.cursor else Style())
        buy = _orders_cell(row, buy=True)
        sell = _orders_cell(row, buy=False)
        line.append(buy.rjust(widths[0]), style("ladder--buy") if buy else Style())
        line.append(" ")
        bid_style = style("ladder--bid") + (style("ladder--best") if row.best_bid else Style())
        line.append(_size(row.bid_size).rjust(widths[1]), bid_style)
        line.append(" ")
        mark = "▶" if row.last else " "
        price = f"{mark}{self.fmt_price(row.price)}".center(widths[2])
        line.append(price, style("ladder--last") if row.last else Style())
        line.append(" ")
        ask_style = style("ladder--ask") + (style("ladder--best") if row.best_ask else Style())
        line.append(_size(row.ask_size).ljust(widths[3]), ask_style)
        line.append(" ")
        line.append(sell.ljust(widths[4]), style("ladder--sell") if sell else Style())
        return line


def _size(value: Decimal | None) -> str:
    return format_decimal(value) if value else ""


def _orders_cell(row: LadderRow, *, buy: bool) -> str:
    """``3 LMT`` (your working orders on that side at this price; kinds mixed: ``3 *``)."""
    quantity = row.buy_quantity if buy else row.sell_quantity
    if not quantity:
        return ""
    kinds = {o.kind for o in row.orders if o.buy == buy}
    kind = kinds.pop() if len(kinds) == 1 else "*"
    return f"{format_decimal(quantity)} {kind}"


class DepthLadder(Vertical):
    """See the module docstring. ``symbol``: a fixed symbol (None: follow the linked one)."""

    DEFAULT_CSS = """
    DepthLadder { height: 1fr; }
    DepthLadder > .depth-bar { height: 1; }
    DepthLadder #depth-symbol { width: 14; height: 1; border: none; padding: 0 1; }
    DepthLadder #depth-status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    DepthLadder #depth-message { height: auto; padding: 0 1; display: none; }
    DepthLadder #depth-message.-shown { display: block; }
    DepthLadder #depth-message.-error { color: $error; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(1)", "Up a tick", show=False, id="depth.up"),
        Binding("down", "cursor(-1)", "Down a tick", show=False, id="depth.down"),
        Binding("pageup", "page(1)", "Page up", show=False, id="depth.page_up"),
        Binding("pagedown", "page(-1)", "Page down", show=False, id="depth.page_down"),
        Binding("home", "centre", "Centre", id="depth.centre"),
        Binding("b", "order('buy', 'Limit')", "Buy lmt", id="depth.buy_limit"),
        Binding("s", "order('sell', 'Limit')", "Sell lmt", id="depth.sell_limit"),
        Binding("u", "order('buy', 'StopMarket')", "Buy stp", id="depth.buy_stop"),
        Binding("d", "order('sell', 'StopMarket')", "Sell stp", id="depth.sell_stop"),
        Binding("c", "cancel_here", "Cancel at price", id="depth.cancel"),
        Binding("right_square_bracket", "quantity(1)", "Qty+", show=False, id="depth.qty_up"),
        Binding("left_square_bracket", "quantity(-1)", "Qty-", show=False, id="depth.qty_down"),
        Binding("l", "source", "L2/aggr", show=False, id="depth.source"),
        Binding("slash", "focus_symbol", "Symbol", id="depth.symbol"),
        Binding("escape", "leave_symbol", "Back", show=False, id="depth.leave_symbol"),
    ]

    def __init__(
        self, symbol: str | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.fixed_symbol = symbol.strip().upper() if symbol else None
        self.symbol: str | None = None
        self.trade_symbol: str | None = None  # @ES trades (and has orders) as its contract
        self.detail: SymbolDetail | None = None
        self.quote: Quote | None = None
        self.model = Ladder()
        self.source = SOURCES[0]
        self.health = StreamHealth("depth")
        self.refused: str | None = None  # why the API refuses depth for this symbol
        self.message: str | None = None
        self.preset_index = 0
        self.frames = 0
        self._dirty = False
        self._orders_dirty = True
        self._unobserve: Callable[[], None] | None = None
        self._workers: list[Worker[None]] = []
        self._ready = False
        self._unwatch_quote: Callable[[], None] | None = None

    # ---- layout and lifecycle -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(classes="depth-bar"):
            yield Input(placeholder="symbol", id="depth-symbol")
            yield Static("", id="depth-status")
        yield Static("", id="depth-message")
        yield LadderBody(self.model, id="depth-body")

    @property
    def live(self) -> LiveData:
        return cast(LiveApp, self.app).live

    @property
    def body(self) -> LadderBody:
        return self.query_one("#depth-body", LadderBody)

    def on_mount(self) -> None:
        self._ready = True  # is_mounted is not yet True while on_mount runs
        live = self.live
        live.changed.subscribe(self, self._live_changed)
        self._unobserve = live.observe_orders(self._order_seen)
        self.set_interval(REPAINT_S, self._repaint)
        self.set_interval(1.0, self._update_status)  # the health's age ticks on
        self.open(self.fixed_symbol or live.current_symbol or DEFAULT_SYMBOL)

    def on_unmount(self) -> None:
        self._watch_quote(None)
        self._ready = False
        if self._unobserve is not None:
            self._unobserve()
            self._unobserve = None

    def _live_changed(self, what: str) -> None:
        if what == "symbol" and self.fixed_symbol is None:
            linked = self.live.current_symbol
            if linked and linked != self.symbol:
                self.open(linked)
        elif what == "accounts":  # a (new) session is up: start over on it
            self._orders_dirty = True
            self._restart()
        elif what == "env":  # the old session is closing
            self.stop()
        elif what == "account":
            self._orders_dirty = True

    # ---- opening a symbol -----------------------------------------------------------------
    def open(self, symbol: str | None) -> None:
        """Show ``symbol`` (a new symbol starts from an empty ladder)."""
        symbol = (symbol or "").strip().upper()
        if not symbol:
            return
        self.symbol = self.trade_symbol = symbol
        self.detail = self.quote = None
        self.model.clear()
        self.refused = None
        self.frames = 0
        self._orders_dirty = True
        self._watch_quote(symbol)
        if self._ready:
            self.query_one("#depth-symbol", Input).value = safe_text(symbol, limit=None)
        self._restart()

    def _watch_quote(self, symbol: str | None) -> None:
        if self._unwatch_quote is not None:
            self._unwatch_quote()
            self._unwatch_quote = None
        if symbol is None or not self._ready:
            return
        hub = self.live.quotes
        self._unwatch_quote = hub.watch([symbol], self._on_quote)
        known = hub.latest(symbol)
        if known is not None:
            self._on_quote(known)

    def _restart(self) -> None:
        self.stop()
        if not self._ready or self.symbol is None:
            return
        if not self.live.connected:
            self._set_health("stopped", "waiting for the session")
            return
        symbol = self.symbol
        self._set_health("connecting", "")
        workers: list[Worker[None]] = [
            self.run_worker(work, group=group, exclusive=True, exit_on_error=False)
            for group, work in (
                ("ladder-symbol", partial(self._load_symbol, symbol)),
                ("ladder-depth", partial(self._depth_loop, symbol, self.source)),
            )
        ]
        self._workers = workers

    def stop(self) -> None:
        """Stop the streams (the session is closing, or another symbol replaces them)."""
        for group in ("ladder-symbol", "ladder-depth"):
            self.workers.cancel_group(self, group)
        self._set_health("stopped", "")

    # ---- workers ---------------------------------------------------------------------------
    async def _load_symbol(self, symbol: str) -> None:
        try:
            batch = await self.live.api.get_symbols([symbol])
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the ladder still draws: the tick is guessed from the book
            self._show(f"{symbol}: details not loaded ({exc})", error=False)
            return
        if not batch.items:
            why = "; ".join(f"{e.error}: {e.message}" for e in batch.errors) or "not found"
            self._show(f"{symbol}: {why}", error=True)
            return
        detail = batch.items[0]
        self.detail = detail
        # @ES trades as its contract; an option's Underlying is its stock, never traded here
        continuous = futures.is_continuous(symbol) and detail.underlying
        self.trade_symbol = detail.underlying if continuous else (detail.symbol or symbol)
        tick = increment_at(detail.price_format)
        self.model.set_tick(tick)
        fmt = detail.price_format
        decimals = fmt.decimals if fmt is not None and fmt.decimals is not None else None
        if decimals is None and tick is not None:
            decimals = decimals_of(tick)
        if decimals is not None:
            self.body.decimals = max(0, min(8, decimals))
        self._orders_dirty = True
        self._dirty = True
        self._update_status()

    async def _depth_loop(self, symbol: str, source: str) -> None:
        api = self.live.api
        while True:
            try:  # building the stream checks the symbol (a BadRequest): inside the guard
                if source == "quotes":
                    stream: Any = api.stream_market_depth_quotes(symbol, LEVELS)
                else:
                    stream = api.stream_market_depth_aggregates(symbol, LEVELS)
                # a heartbeat late shows as the age of the last frame ("live 7s", then "stale")
                self.health.idle = stream.idle_seconds
                async with stream:
                    async for event in stream:
                        if isinstance(event, DepthQuotes | DepthAggregates):
                            self._on_book(event)
                        elif isinstance(event, StreamState):
                            self._on_state(event)
                        elif isinstance(event, StreamErrorFrame):
                            self._show(f"depth stream: {event}", error=True)
                self._set_health("failed", "stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let the ladder reach the app
                if not self.live.connected or self.live.api is not api:
                    return  # the session closed under us; "accounts" restarts us
                refusal = refusal_text(exc, self.live.settings.scopes)
                if refusal is not None:  # a scope or entitlement does not appear by itself
                    self.refused = refusal
                    self._set_health("failed", "refused")
                    self._show(refusal, error=True)
                    return
                self._set_health("failed", str(exc) or type(exc).__name__)
            await asyncio.sleep(RETRY_S)

    def _on_quote(self, quote: Quote) -> None:
        """The last trade, from the app's quote hub (whole quotes, shared with other panes)."""
        if quote.symbol == self.symbol:
            self.quote = quote
            self.model.set_last(quote.last)
            self._dirty = True

    def _on_book(self, frame: DepthQuotes | DepthAggregates) -> None:
        bids, asks = frame.sizes()
        if self.detail is None and self.model.tick == Decimal("0.01"):
            self.model.set_tick(_guess_tick([*bids, *asks]))
        first = not self.model.bids and not self.model.asks
        self.model.set_book(bids, asks)
        self.frames += 1
        if first:
            self.model.centre()  # the first paint centres the market in the window
        if self.message is not None and self.refused is None:
            self._show(None)
        self._dirty = True

    def _on_state(self, event: StreamState) -> None:
        self._set_health(STATE_MAP.get(event.state, "connecting"), event.detail)

    # ---- orders ----------------------------------------------------------------------------
    def _symbols(self) -> set[str]:
        return {s for s in (self.symbol, self.trade_symbol) if s}

    def _order_seen(self, order: Order) -> None:
        if order.symbol in self._symbols():
            self._orders_dirty = True

    def working_orders(self) -> list[Order]:
        """Your working orders of this symbol (its contract for a continuous future), in the
        selected account (all accounts: every one)."""
        symbols = self._symbols()
        account = self.live.current_account
        return [
            o
            for o in self.live.order_book.orders()
            if o.is_working and o.symbol in symbols and account in (None, o.account_id)
        ]

    def _repaint(self) -> None:
        if self._orders_dirty:
            self._orders_dirty = False
            self.model.set_orders(self.working_orders())
            self._dirty = True
        if self._dirty:
            self._dirty = False
            self.body.refresh()

    # ---- status and messages ----------------------------------------------------------------
    def _set_health(self, state: Any, detail: str) -> None:
        if self.health.state != state:
            self.health.since = utc_now()
        self.health.state = state
        self.health.detail = detail
        self.health.last_event = utc_now()
        self._update_status()

    def _show(self, text: str | None, *, error: bool = False) -> None:
        self.message = text
        if not self._ready:
            return
        widget = self.query_one("#depth-message", Static)
        widget.set_class(text is not None, "-shown")
        widget.set_class(error, "-error")
        widget.update(Text("\n".join(safe_text(line) for line in (text or "").split("\n"))))

    @property
    def quantity(self) -> Decimal:
        presets = self.presets()
        return presets[self.preset_index % len(presets)]

    def presets(self) -> tuple[Decimal, ...]:
        """The quantity presets of the symbol's asset class ([trading.presets] in the config:
        stock / future / option)."""
        asset = ((self.detail.asset_type if self.detail is not None else None) or "").upper()
        if asset.endswith("OPTION"):
            kind = "option"
        elif asset.startswith("FUTURE") or (not asset and (self.symbol or "").startswith("@")):
            kind = "future"
        else:
            kind = "stock"
        sizes = self.live.settings.trading.presets.get(kind) or DEFAULT_PRESETS[kind]
        return tuple(Decimal(n) for n in sizes) or (Decimal(1),)

    def status_text(self) -> str:
        symbol = self.symbol or "-"
        if self.trade_symbol and self.trade_symbol != self.symbol:
            symbol = f"{symbol} → {self.trade_symbol}"
        stale_after = self.live.settings.stream.heartbeat_timeout_s
        parts = [
            symbol,
            SOURCE_LABELS[self.source],
            f"depth {self.health.label(utc_now(), stale_after)}",
        ]
        if self.health.state in ("failed", "reconnecting") and self.health.detail:
            parts.append(self.health.detail)
        parts.append(f"tick {format_decimal(self.model.tick)}")
        parts.append(f"qty {format_decimal(self.quantity)}")
        parts.append(self.live.current_account or "all accounts")
        return " · ".join(parts)

    def _update_status(self) -> None:
        if self._ready:
            # the symbol and the failure's detail are server (or typed) text: plain Text
            self.query_one("#depth-status", Static).update(plain(self.status_text()))

    # ---- keys --------------------------------------------------------------------------------
    def action_cursor(self, ticks: int) -> None:
        if self.model.move(ticks) is not None:
            self.body.refresh()

    def action_page(self, direction: int) -> None:
        if self.model.move(direction * max(1, self.body.row_count - 1)) is not None:
            self.body.refresh()

    def action_centre(self) -> None:
        if self.model.centre(self.body.row_count) is not None:
            self.body.refresh()

    def action_quantity(self, step: int) -> None:
        self.preset_index = (self.preset_index + step) % len(self.presets())
        self._update_status()

    def action_source(self) -> None:
        self.source = SOURCES[(SOURCES.index(self.source) + 1) % len(SOURCES)]
        self.model.set_book({}, {})
        self._restart()

    def action_focus_symbol(self) -> None:
        field = self.query_one("#depth-symbol", Input)
        field.focus()
        field.select_all()

    def action_leave_symbol(self) -> None:
        field = self.query_one("#depth-symbol", Input)
        if field.has_focus:
            field.value = safe_text(self.symbol or "", limit=None)
            self.body.focus()

    @on(Input.Submitted, "#depth-symbol")
    def _symbol_typed(self, event: Input.Submitted) -> None:
        event.stop()
        symbol = event.value.strip().upper()
        self.body.focus()
        if not symbol:
            return
        if self.fixed_symbol is None:
            self.live.link_symbol(symbol)  # choosing a symbol links it (the chart follows)
        if symbol != self.symbol:
            self.open(symbol)

    def ticket_fields(self, side: str | None = None, order_type: str = "Limit") -> TicketFields:
        """The ticket for this ladder: its symbol, the quantity preset and (with a side) the
        cursor's price as the limit or stop."""
        account = self.live.current_account or ""
        symbol = self.trade_symbol or self.symbol or ""
        price = self.model.cursor
        if side is None or price is None:
            return TicketFields(account=account, symbol=symbol)
        text = self.body.fmt_price(price)
        stop = order_type.startswith("Stop")
        return TicketFields(
            account=account,
            symbol=symbol,
            action="BUY" if side == "buy" else "SELL",
            quantity=format_decimal(self.quantity),
            order_type=order_type,
            limit_price="" if stop else text,
            stop_price=text if stop else "",
        )

    def trade_target(self) -> TradeTarget | None:
        """What one-key trading acts on here: the symbol (its contract for a continuous
        future), the book's touch, the last trade, and the cursor's price."""
        if self.symbol is None:
            return None
        quote = self.quote
        bid = self.model.best_bid
        ask = self.model.best_ask
        return TradeTarget(
            symbol=self.trade_symbol or self.symbol,
            asset_type=self.detail.asset_type if self.detail is not None else None,
            bid=bid if bid is not None else (quote.bid if quote is not None else None),
            ask=ask if ask is not None else (quote.ask if quote is not None else None),
            last=quote.last if quote is not None else None,
            account_id=None,  # one-key trading picks an account that can trade the symbol
            price=self.model.cursor,
        )

    def action_order(self, side: str, order_type: str) -> None:
        """The ticket prefilled at the cursor: preview (F5), then place (F8)."""
        from tstui.ui.trading.ticket import open_order_ticket

        if not self.live.connected:
            self.app.notify("Not connected: no order ticket.", severity="warning")
            return
        if self.model.cursor is None:
            self.app.notify("No price at the cursor yet.", severity="warning")
            return
        open_order_ticket(self.app, self.ticket_fields(side, order_type), intent=side)

    def action_cancel_here(self) -> None:
        """Cancel your working orders at the cursor's price (asks first; each sent once)."""
        from tstui.ui.trading.dialogs import request_cancel
        from tstui.ui.trading.service import trading_service

        price = self.model.cursor
        if not self.live.connected:
            self.app.notify("Not connected.", severity="warning")
            return
        book = self.live.order_book
        found = [book.get(o.order_id) for o in self.model.orders_at(price)]
        orders = [o for o in found if o is not None and o.is_working]
        if not orders:
            at = self.body.fmt_price(price) if price is not None else "the cursor"
            self.app.notify(f"No working orders at {at}.", timeout=3)
            return
        request_cancel(self.app, trading_service(self.app), orders)


def _guess_tick(prices: list[Decimal]) -> Decimal | None:
    """The smallest gap between the book's prices: the tick when details did not load."""
    ordered = sorted(set(prices))
    gaps = [b - a for a, b in pairwise(ordered) if b > a]
    return min(gaps) if gaps else None
