"""Option chain: calls | strike | puts around the money, streaming; spreads built from it.

The underlying is the linked symbol (``live.current_symbol``; an option symbol links its root)
or one typed in the toolbar (``/``: linked for the other panes once it lists options). The
expirations come from the expirations endpoint (``[`` / ``]`` step through them, ``e`` lists
them); the chain streams the chosen one, ``+`` / ``-`` strikes each side of the money; ``k``
cycles the column sets (kept in the state dir with the strike count, see ``prefs``). A hidden
chain streams nothing.

Spreads: ``b`` / ``s`` buy or sell the option under the cursor (again: remove the leg); the
templates build from the cursor's strike and side: ``v`` vertical, ``t`` straddle, ``g``
strangle, ``f`` butterfly, ``i`` iron condor, ``w`` steps their width, ``r`` reverses every
leg, ``x`` clears. The panel shows the legs, the net debit or credit, max profit and loss and
the break-evens (the domain's payoff math, checked against the server's riskreward) and the
payoff diagram at expiry. ``enter`` opens the spread ticket (preview, then place once).

Workers run in their own exclusive groups ("options-expirations", "options-chain",
"options-riskreward"): a new underlying or expiration cancels only the previous chain stream.
A failure keeps the last chain on screen, shows the error and retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import ScreenResume, ScreenSuspend
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from tstui.client.errors import BadRequest, Forbidden, NotFound
from tstui.config import state_dir
from tstui.domain.models import Quote
from tstui.domain.options.payoff import RiskReward, risk_reward
from tstui.domain.options.symbology import is_option_symbol, parse_option_symbol
from tstui.domain.orders.ticket import TicketFields, close_position_fields
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.shell.plain import plain
from tstui.ui.trading.changes import error_text
from tstui.ui.views.options.chain_feed import (
    check_server_risk,
    contract_multiplier,
    load_expirations,
    server_risk_reward,
    stream_chain,
)
from tstui.ui.views.options.chain_table import ChainTable
from tstui.ui.views.options.expiration_picker import ExpiryPicker
from tstui.ui.views.options.model import (
    COLUMN_SETS,
    TEMPLATES,
    ChainBook,
    Expiration,
    Spread,
    build_template,
    net_greeks,
    net_price,
    payoff_legs,
    reverse,
    spread_name,
    toggle_leg,
)
from tstui.ui.views.options.payoff_plot import PayoffFigure
from tstui.ui.views.options.prefs import STRIKE_COUNTS, OptionPrefs, load_prefs, save_prefs
from tstui.ui.views.options.spread_panel import ServerCheck, SpreadPanel, spread_text

__all__ = ["OptionChainScreen"]

FLUSH_S = 0.25
RETRY_S = 5.0
RISK_DEBOUNCE_S = 0.4
DEFAULT_UNDERLYING = "MSFT"
MAX_TEMPLATE_WIDTH = 5


class OptionChainScreen(BaseScreen):
    VIEW: ClassVar[str] = "options"
    TITLE = "Options"
    AUTO_FOCUS = "ChainTable"
    DEFAULT_CSS = """
    #options-toolbar { height: 1; }
    #options-symbol { width: 14; height: 1; border: none; padding: 0 1; }
    #options-status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    #options-status.-error { color: $error; text-style: bold; }
    #options-info { height: 1; padding: 0 1; color: $text-muted; }
    #options-row { height: 1fr; }
    OptionChainScreen.-narrow #options-row { layout: vertical; }
    OptionChainScreen.-narrow SpreadPanel { width: 1fr; height: 16; border-left: none;
                                            border-top: solid $panel-border; padding: 0; }
    OptionChainScreen.-narrow.-short SpreadPanel { height: 8; }
    OptionChainScreen.-narrow.-short PayoffPlot { display: none; }
    """
    # Below 118 columns the spread panel goes under the chain (the chain needs ~72); below
    # 34 rows too, it keeps its text and leaves the diagram out: the chain keeps its rows.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (118, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_symbol", "Underlying", id="options.symbol"),
        Binding("right_square_bracket", "expiration(1)", "Next exp", id="options.next_expiry"),
        Binding(
            "left_square_bracket",
            "expiration(-1)",
            "Prev exp",
            show=False,
            id="options.prev_expiry",
        ),
        Binding("e", "pick_expiration", "Expirations", id="options.expirations"),
        Binding("plus,equals_sign", "strikes(1)", "More strikes", show=False, id="options.more"),
        Binding("minus", "strikes(-1)", "Fewer strikes", show=False, id="options.fewer"),
        Binding("k", "columns", "Columns", id="options.columns"),
        Binding("b", "leg(True)", "Buy leg", id="options.buy_leg"),
        Binding("s", "leg(False)", "Sell leg", id="options.sell_leg"),
        Binding("v", "template('vertical')", "Vertical", id="options.vertical"),
        Binding("t", "template('straddle')", "Straddle", show=False, id="options.straddle"),
        Binding("g", "template('strangle')", "Strangle", show=False, id="options.strangle"),
        Binding("f", "template('butterfly')", "Butterfly", show=False, id="options.butterfly"),
        Binding("i", "template('iron condor')", "Condor", show=False, id="options.iron_condor"),
        Binding("w", "width", "Width", show=False, id="options.width"),
        Binding("r", "reverse", "Reverse", show=False, id="options.reverse"),
        Binding("x,delete", "clear_legs", "Clear", show=False, id="options.clear"),
        Binding("enter", "spread_ticket", "Trade spread", id="options.trade"),
        Binding("escape", "leave_symbol", "Back", show=False, id="options.leave_symbol"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.prefs = OptionPrefs()
        self.book = ChainBook()
        self.underlying = ""
        self.expirations: tuple[Expiration, ...] = ()
        self.expiration: Expiration | None = None
        self.spread: Spread = ()
        self.quantity = 1
        self.risk: RiskReward | None = None
        self.server_check: ServerCheck | None = None
        self.stream_state = "idle"
        self.error: str | None = None
        self._link_when_listed: str | None = None  # typed: linked once it lists options
        self._drawn: tuple[object, ...] = ()
        self._stale = False
        self._paused = False  # hidden behind another view: no chain stream until shown
        self._flush_timer: Timer | None = None
        self._unwatch: Any = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="options-toolbar"):
            yield Input("", placeholder="underlying", id="options-symbol")
            yield Static("", id="options-status")
        yield Static("", id="options-info")
        with Horizontal(id="options-row"):
            yield ChainTable(id="chain")
            yield SpreadPanel(id="spread-panel")

    @property
    def table(self) -> ChainTable:
        return self.query_one(ChainTable)

    def on_mount(self) -> None:
        self.prefs = load_prefs(self._state_dir())
        self._flush_timer = self.set_interval(FLUSH_S, self._flush)
        self.live.changed.subscribe(self, self._live_changed)
        self.open(self._linked_underlying() or self.prefs.underlying or DEFAULT_UNDERLYING)

    def on_unmount(self) -> None:
        self._stop_quotes()

    # ---- the underlying ------------------------------------------------------------------
    def _linked_underlying(self) -> str | None:
        symbol = self.live.current_symbol
        if not symbol:
            return None
        if is_option_symbol(symbol):
            try:
                return parse_option_symbol(symbol).root
            except ValueError:
                return None
        return symbol

    def _live_changed(self, what: str) -> None:
        if what != "symbol":
            return
        linked = self._linked_underlying()
        if linked and linked != self.underlying:
            self.open(linked)

    def open(self, underlying: str, *, typed: bool = False) -> None:
        """Show the chain of ``underlying`` (its expirations first). A ``typed`` one becomes
        the linked symbol of the other panes once it turns out to list options."""
        underlying = underlying.strip().upper()
        if not underlying:
            return
        self._link_when_listed = underlying if typed else None
        if underlying != self.underlying:
            self.spread = ()
            self.expiration = None
            self.expirations = ()
        self.underlying = underlying
        self.query_one("#options-symbol", Input).value = safe_text(underlying, limit=None)
        if self.prefs.underlying != underlying:
            self._save_prefs(replace(self.prefs, underlying=underlying))
        self._start()

    def _start(self) -> None:
        self.book.clear(self.underlying, self.expiration.date if self.expiration else None)
        self.error, self.stream_state, self._stale = None, "loading", False
        self._watch_quotes()
        self.workers.cancel_group(self, "options-chain")
        self.expirations_worker: Worker[None] = self.run_worker(
            partial(self._expirations_then_chain, self.underlying),
            group="options-expirations",
            exclusive=True,
            exit_on_error=False,
        )
        self._drawn = ()
        self._flush()

    def _watch_quotes(self) -> None:
        self._stop_quotes()
        if not self.live.connected:
            return
        hub = getattr(self.live, "quotes", None)
        if hub is None:
            return
        symbol = self.underlying
        self._unwatch = hub.watch([symbol], self._on_quote)
        latest = hub.latest(symbol)
        if latest is not None:
            self._on_quote(latest)

    def _stop_quotes(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None

    def _on_quote(self, quote: Quote) -> None:
        if quote.symbol.upper() == self.underlying and quote.last is not None:
            self.book.set_underlying_price(quote.last)

    # ---- workers -------------------------------------------------------------------------
    def _session_gone(self, api: object) -> bool:
        return not self.live.connected or self.live.api is not api

    async def _expirations_then_chain(self, underlying: str) -> None:
        if not self.live.connected:
            self.stream_state, self._stale = "idle", True
            return
        api = self.live.api
        while True:
            try:
                expirations = await load_expirations(api, underlying)
                break
            except asyncio.CancelledError:
                raise
            except (BadRequest, NotFound, Forbidden) as exc:  # asking again will not help
                self.expirations, self.expiration = (), None
                self.book.clear(underlying, None)
                self._fail(f"no options for {underlying}: {error_text(exc)}")
                return
            except Exception as exc:
                if self._session_gone(api):
                    self.stream_state, self._stale = "idle", True
                    return
                self._fail(f"expirations: {exc or type(exc).__name__}")
            await asyncio.sleep(RETRY_S)
        self.book.multiplier = await contract_multiplier(api, underlying)
        self.expirations = tuple(expirations)
        if expirations and self._link_when_listed == underlying:
            self._link_when_listed = None
            self.live.link_symbol(underlying)  # the chart, the ladder... follow
        if not expirations:
            self._fail(f"no option expirations listed for {underlying}")
            return
        current = self.expiration
        if current is None or current.date not in {e.date for e in expirations}:
            self.expiration = expirations[0]
        self._start_chain()

    def _start_chain(self, *, keep: bool = False) -> None:
        """(Re)start the chain stream; ``keep``: the same chain again (back from another
        view), its last quotes stay on screen until fresh ones arrive."""
        if self.expiration is None:
            return
        if not keep:
            self.book.clear(self.underlying, self.expiration.date)
        self.error, self.stream_state, self._paused = None, "loading", False
        self.chain_worker: Worker[None] = self.run_worker(
            # one more each side than shown: the money's row has the full count both ways
            partial(
                self._chain_loop, self.underlying, self.expiration.date, self.prefs.strikes + 1
            ),
            group="options-chain",
            exclusive=True,
            exit_on_error=False,
        )
        self._drawn = ()
        self._flush()

    async def _chain_loop(self, underlying: str, expiration: date, strikes: int) -> None:
        """Stream the chain until cancelled; on failure show it, wait, start over."""
        api = self.live.api
        while True:
            try:
                async for event in stream_chain(api, underlying, expiration, strikes):
                    if isinstance(event, str):
                        # data flows once connected: the quotes themselves say "live"
                        if event in ("connecting", "reconnecting", "failed"):
                            self._state(event)
                    else:
                        self.book.apply(event)
                        if self.stream_state != "live":
                            self._state("live")
                if self._session_gone(api):
                    self.stream_state, self._stale = "idle", True
                    return
                self._fail("chain stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let a chain failure reach the app
                if self._session_gone(api):
                    self.stream_state, self._stale = "idle", True
                    return
                self._fail(str(exc) or type(exc).__name__)
            await asyncio.sleep(RETRY_S)

    def _state(self, state: str) -> None:
        self.stream_state = state
        if state == "live":
            self.error = None
        self._update_status()

    def _fail(self, message: str) -> None:
        self.error = message
        self.stream_state = "error"
        self._update_status()

    def on_env_changed(self, message: EnvChanged) -> None:
        if self.is_current:
            self._start()
        else:
            self.stop_session_work()

    def stop_session_work(self) -> None:
        for group in ("options-expirations", "options-chain", "options-riskreward"):
            self.workers.cancel_group(self, group)
        self._stop_quotes()
        self.stream_state, self._stale = "idle", True

    @on(ScreenResume)
    def _resumed(self) -> None:
        if self._stale:
            self._start()
        elif self._paused:
            self._watch_quotes()
            self._start_chain(keep=True)

    @on(ScreenSuspend)
    def _suspended(self) -> None:
        """Another view took the screen: its chain streams nothing meanwhile (a dialog on top,
        the spread ticket or the expirations, leaves it running)."""
        if isinstance(self.app.screen, ModalScreen) or self._stale:
            return
        self.workers.cancel_group(self, "options-chain")
        self._stop_quotes()
        self._paused, self.stream_state = True, "paused"

    # ---- drawing -------------------------------------------------------------------------
    def _flush(self) -> None:
        """Redraw what changed since the last flush (the chain streams many frames a second)."""
        if not self.is_mounted:
            return
        compact = self.has_class("-narrow") and self.has_class("-short")
        held = self._held()
        key = (self.book.version, self.spread, self.prefs, self.server_check, compact, held)
        if key == self._drawn:
            return
        self._drawn = key
        window = self.book.window(self.prefs.strikes)
        columns = COLUMN_SETS[self.prefs.columns][1]
        self.table.show(
            window,
            columns=columns,
            legs=self.spread,
            underlying_price=self.book.underlying_price,
            held=dict(held),
        )
        self._update_spread(compact=compact)
        self._update_status()

    def _held(self) -> tuple[tuple[str, Decimal], ...]:
        """The selected account's (all accounts': every one's) positions in this underlying's
        options, by contract symbol (signed: short < 0)."""
        account = self.live.current_account
        held: dict[str, Decimal] = {}
        for position in self.live.positions.values():
            contract = position.option
            if contract is None or contract.root != self.underlying:
                continue
            if account not in (None, position.account_id) or not position.symbol:
                continue
            held[position.symbol] = held.get(position.symbol, Decimal(0)) + (
                position.signed_quantity
            )
        return tuple(sorted((k, v) for k, v in held.items() if v))

    def on_books_changed(self, message: BooksChanged) -> None:
        if message.positions or message.full:
            self._flush()  # a fill of a leg shows on the chain

    def on_account_changed(self, message: AccountChanged) -> None:
        self._flush()

    def _update_spread(self, *, compact: bool) -> None:
        spread, panel = self.spread, self.query_one(SpreadPanel)
        net = net_price(spread, self.book) if spread else None
        multiplier = self.book.multiplier
        legs = payoff_legs(spread, self.quantity, multiplier)
        debit = net * multiplier * self.quantity if net is not None else None
        self.risk = risk_reward(legs, debit) if legs and debit is not None else None
        variables = self.app.get_css_variables()
        text = spread_text(
            spread,
            net=net,
            quantity=self.quantity,
            risk=self.risk,
            server=self.server_check,
            profit_style=variables.get("profit", ""),
            loss_style=variables.get("loss", ""),
            compact=compact,
            multiplier=multiplier,
            prices={
                (leg.right, leg.strike): quote.price
                for leg in spread
                if (quote := self.book.quote(leg.right, leg.strike)) is not None
            },
            greeks=net_greeks(spread, self.book) if spread else None,
        )
        figure = PayoffFigure()
        if legs and debit is not None:
            strikes = [leg.strike for leg in spread]
            price = self.book.underlying_price
            marks = [
                *strikes,
                *(self.risk.break_evens if self.risk else ()),
                *([price] if price else []),
            ]
            low, high = min(marks), max(marks)
            pad = max((high - low) * Decimal("0.25"), high * Decimal("0.03"))
            figure = PayoffFigure(
                legs=legs,
                debit=debit,
                low=max(Decimal(0), low - pad),
                high=high + pad,
                price=price,
                break_evens=self.risk.break_evens if self.risk else (),
                title=f"Payoff at expiry ({spread_name(spread)})",
            )
        panel.show(text, figure)

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#options-status", Static)
        parts = [self.underlying]
        price = self.book.underlying_price
        if price is not None:
            parts.append(f"last {price}")
        exp = self.expiration
        if exp is not None:
            days = (exp.date - datetime.now(UTC).date()).days
            parts.append(f"exp {exp.date.isoformat()} {exp.kind} ({days}d)".replace("  ", " "))
        if self.error:
            parts.append(f"error: {self.error}")
        else:
            parts.append(self.stream_state)
        status.update(plain(" · ".join(p for p in parts if p)))
        status.set_class(bool(self.error), "-error")
        name = COLUMN_SETS[self.prefs.columns][0]
        info = (
            f"{self.prefs.strikes} strikes each side (+/-) · columns: {name} (k) · "
            f"template width {self.prefs.width} (w) · {len(self.book)} strikes listed"
        )
        self.query_one("#options-info", Static).update(plain(info))

    # ---- actions: the chain --------------------------------------------------------------
    def action_focus_symbol(self) -> None:
        field = self.query_one("#options-symbol", Input)
        field.focus()
        field.select_all()

    def action_leave_symbol(self) -> None:
        field = self.query_one("#options-symbol", Input)
        if field.has_focus:
            field.value = safe_text(self.underlying, limit=None)
            self.table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "options-symbol":
            return
        symbol = event.value.strip().upper()
        self.table.focus()
        if symbol:
            self.open(symbol, typed=True)

    def action_expiration(self, step: int) -> None:
        if not self.expirations:
            self.notify("No expirations loaded yet.")
            return
        dates = [e.date for e in self.expirations]
        at = dates.index(self.expiration.date) if self.expiration in self.expirations else 0
        at = max(0, min(len(dates) - 1, at + step))
        self.choose_expiration(self.expirations[at])

    def choose_expiration(self, expiration: Expiration | None) -> None:
        if expiration is None or expiration == self.expiration:
            return
        self.expiration = expiration
        self.spread = ()  # legs are contracts of the old expiration
        self._start_chain()

    def action_pick_expiration(self) -> None:
        if not self.expirations:
            self.notify("No expirations loaded yet.")
            return
        self.app.push_screen(
            ExpiryPicker(self.expirations, self.expiration), self.choose_expiration
        )

    def action_strikes(self, step: int) -> None:
        counts = STRIKE_COUNTS
        current = self.prefs.strikes
        bigger = [n for n in counts if n > current]
        smaller = [n for n in counts if n < current]
        wanted = (
            (bigger[0] if bigger else counts[-1])
            if step > 0
            else (smaller[-1] if smaller else counts[0])
        )
        if wanted != current:
            self._save_prefs(replace(self.prefs, strikes=wanted))
            self._start_chain()  # the stream's strikeProximity

    def action_columns(self) -> None:
        index = (self.prefs.columns + 1) % len(COLUMN_SETS)
        self._save_prefs(replace(self.prefs, columns=index))
        self._flush()

    def action_width(self) -> None:
        width = self.prefs.width % MAX_TEMPLATE_WIDTH + 1
        self._save_prefs(replace(self.prefs, width=width))
        self._update_status()

    # ---- actions: the spread -------------------------------------------------------------
    def action_leg(self, buy: bool) -> None:
        table = self.table
        strike, right = table.cursor_strike, table.cursor_right
        quote = self.book.quote(right, strike) if strike is not None else None
        if strike is None or quote is None:
            self.notify("No option under the cursor.", severity="warning")
            return
        spread = toggle_leg(self.spread, right, strike, buy, quote.symbol)
        if len(spread) > 4:
            self.notify("A spread has at most 4 legs.", severity="warning")
            return
        self.set_spread(spread)

    def action_template(self, name: str) -> None:
        table = self.table
        if name not in TEMPLATES or table.cursor_strike is None:
            self.notify("Move the cursor onto a strike first.", severity="warning")
            return
        built = build_template(
            self.book, name, table.cursor_strike, table.cursor_right, self.prefs.width
        )
        if isinstance(built, str):
            self.notify(built, severity="warning", markup=False)
            return
        self.set_spread(built)

    def action_reverse(self) -> None:
        if self.spread:
            self.set_spread(reverse(self.spread))

    def action_clear_legs(self) -> None:
        self.set_spread(())

    def set_spread(self, spread: Spread) -> None:
        self.spread = spread
        self.server_check = None
        self._flush()
        if spread:
            self.risk_worker: Worker[None] = self.run_worker(
                partial(self._check_server, spread),
                group="options-riskreward",
                exclusive=True,
                exit_on_error=False,
            )

    async def _check_server(self, spread: Spread) -> None:
        """The server's riskreward for the same legs and net price, compared with ours."""
        await asyncio.sleep(RISK_DEBOUNCE_S)
        net = net_price(spread, self.book)
        if net is None or not self.live.connected or spread != self.spread:
            return
        quantity = self.quantity
        try:
            answer = await server_risk_reward(self.live.api, spread, net, quantity)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the panel says so; the local numbers stand
            text = safe_text(str(exc) or type(exc).__name__, limit=60)
            if spread == self.spread:
                self.server_check = ServerCheck(False, f"riskreward unavailable: {text}")
                self._flush()
            return
        if spread == self.spread:
            # ours at the same (rounded) price the server was sent
            sent = net.quantize(Decimal("0.01"))
            multiplier = self.book.multiplier
            local = risk_reward(
                payoff_legs(spread, quantity, multiplier), sent * multiplier * quantity
            )
            self.server_check = check_server_risk(local, answer, sent)
            self._flush()

    def action_spread_ticket(self) -> None:
        if not self.spread:
            self.notify("Build a spread first (b / s on the chain, or a template).")
            return
        if not self.live.connected:
            self.notify("Not connected.", severity="warning")
            return
        from tstui.ui.views.options.spread_ticket import open_spread_ticket

        prices = {}
        for leg in self.spread:
            quote = self.book.quote(leg.right, leg.strike)
            prices[leg.symbol] = quote.price if quote is not None else None
        open_spread_ticket(
            self.app,
            self.underlying,
            self.spread,
            net_price(self.spread, self.book),
            prices,
            multiplier=self.book.multiplier,
        )

    # ---- hooks -------------------------------------------------------------------------------
    def ticket_prefill(self, intent: str) -> TicketFields | None:
        """The single ticket (o / B / S) gets the option under the cursor; "close" the
        position held in it."""
        table = self.table
        strike = table.cursor_strike
        quote = self.book.quote(table.cursor_right, strike) if strike is not None else None
        account = self.live.current_account or ""
        if quote is None:
            return TicketFields(account=account, symbol=self.underlying)
        if intent == "close":  # the position in the contract under the cursor
            for position in self.live.positions.values():
                if position.symbol == quote.symbol and account in ("", position.account_id):
                    return close_position_fields(position)
        action = "SELLTOOPEN" if intent == "sell" else "BUYTOOPEN"
        return TicketFields(account=account, symbol=quote.symbol, action=action)

    def _state_dir(self) -> Path:
        settings = getattr(self.app, "settings", None)
        return Path(getattr(settings, "state_dir", None) or state_dir())

    def _save_prefs(self, prefs: OptionPrefs) -> None:
        self.prefs = prefs
        if not save_prefs(self._state_dir(), prefs):
            self.notify("Could not save the options settings (state dir not writable).")

    def palette_commands(self) -> Iterable[PaletteCommand]:
        yield PaletteCommand("options", "underlying …", self.action_focus_symbol)
        yield PaletteCommand("options", "expirations …", self.action_pick_expiration)
        yield PaletteCommand("options", "next column set", self.action_columns)
        for name in TEMPLATES:
            yield PaletteCommand(
                "options", f"{name} at the cursor", partial(self.action_template, name)
            )
        yield PaletteCommand("options", "reverse the spread", self.action_reverse)
        yield PaletteCommand("options", "clear the spread", self.action_clear_legs)
        yield PaletteCommand("options", "trade the spread …", self.action_spread_ticket)
