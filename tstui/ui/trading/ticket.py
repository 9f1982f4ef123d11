"""The order ticket: a modal that validates, previews (orderconfirm) and places an order once.

- Place is enabled only while the form still describes the exact previewed payload, no error
  blocks, and warnings (if any) are overridden by the checkbox. Editing anything disables it
  until the next preview.
- Place sends once with the ticket's OrderConfirmID (one per order: a ticket kept for the
  next order is armed with a new one). After a send the ticket shows the result inline and
  cannot send again; an unknown outcome shows "unknown: reconciling" and then the order
  reconciliation found. There is no resend button.
- Brackets: F6 steps the bracket section off -> each config template ([brackets.NAME], e.g.
  es-scalp: target +8, stop -6 ticks) -> custom -> off. The exits (ticks from the entry or
  prices), a trailing stop and an activation rule for the entry are part of the previewed
  payload: the preview lists every order of the group and its cost, and Place sends that whole
  group (the entry with its OSOs) once, under the entry's OrderConfirmID.
- In LIVE the ticket is red and says so.
- Opened prefilled, it fills what it can once the symbol is known (an account that can trade
  the symbol's asset type, saying which was picked; the preset quantity; a limit at the
  side's touch) and focuses the first field that still needs a value. The symbol's bid, ask
  and last follow the quote stream (`live.quotes`) while the ticket is open.
- Editing anything after a preview greys the preview at once and says what changed.
- Keys of their own: F2/F3 side, F4 order type, F7 time in force (each steps its list).
- Dismisses with the placed `OrderResult` (also one found by reconciliation) or None: a placed
  order closes the ticket with a notification naming it (as the replace dialog does); a
  rejection, a failure or an unknown outcome keeps it open with the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from textual import on, work
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Label, Static

from tstui.domain.models import OrderResult, Quote
from tstui.domain.orders import OrderRequest, format_decimal, new_order_confirm_id
from tstui.domain.orders.ticket import FieldError, TicketFields, warnings_of
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.header import AppHeader
from tstui.ui.shell.keep_styles import KeepsStyles
from tstui.ui.shell.plain import plain_lines
from tstui.ui.trading.bracket import BracketFields
from tstui.ui.trading.key_order import EarlyKeys
from tstui.ui.trading.place_flow import placement_blocker, run_placement, start_placement
from tstui.ui.trading.prefill import (
    asset_class,
    pick_account,
    preset_choice,
    presets_for,
    touch_price,
)
from tstui.ui.trading.service import (
    PlaceOutcome,
    Preview,
    TradingService,
    trading_service,
)
from tstui.ui.trading.ticket_form import FIELD_LABELS, TicketForm, price_fields_for
from tstui.ui.trading.types import SymbolInfo
from tstui.ui.trading.wording import describe_issue, describe_preview, outcome_text

__all__ = ["OrderTicket", "open_order_ticket", "warm_order_ticket", "warm_ticket"]

SYMBOL_DEBOUNCE_S = 0.35
RENDER_AHEAD_STEP_S = 0.004
QUOTE_REFRESH_S = 0.25
PREVIEW_HINT = "Preview (F5) to see the estimate."
_SENT_KINDS = frozenset({"placed", "rejected", "unknown", "reconciled", "not_found"})


class OrderTicket(EarlyKeys, PacedFrames, KeepsStyles, ModalScreen[OrderResult | None]):
    """See the module docstring. `prefill` fills the form; `side` sets buy/sell."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="ticket.close"),
        Binding("f5", "preview", "Preview", id="ticket.preview"),
        Binding("f8", "place", "Place", id="ticket.place"),
        Binding("f2", "side('buy')", "Buy", id="ticket.buy"),
        Binding("f3", "side('sell')", "Sell", id="ticket.sell"),
        Binding("f4", "cycle('order_type')", "Type", id="ticket.order_type"),
        Binding("f7", "cycle('duration')", "TIF", id="ticket.duration"),
        Binding("f6", "bracket", "Bracket", id="ticket.bracket"),
    ]
    # Opaque: a see-through modal re-blends the whole view under it at every frame, and the
    # blotter or board under a ticket repaints several times a second (3x the ticket's cost).
    DEFAULT_CSS = """
    OrderTicket { align: center middle; background: $background; }
    OrderTicket #ticket-box { width: 84; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $primary; background: $surface; padding: 0 1; }
    OrderTicket #ticket-body { height: auto; max-height: 1fr; }
    OrderTicket #ticket-footer { dock: bottom; height: auto; }
    OrderTicket #ticket-box.-live { border: thick $live-warning; background: $live-warning 15%; }
    OrderTicket #ticket-title { text-style: bold; width: 1fr; }
    OrderTicket #ticket-box.-live #ticket-title { color: $live-warning; }
    OrderTicket #issues { height: auto; }
    OrderTicket #issues.-error { color: $text-error; }
    OrderTicket #issues.-warning { color: $text-warning; }
    OrderTicket #preview { height: auto; border: round $secondary; padding: 0 1; }
    OrderTicket #preview.-stale { color: $text-muted; border: round $panel; }
    OrderTicket #result { height: auto; text-style: bold; }
    OrderTicket #result.-ok { color: $text-success; }
    OrderTicket #result.-bad { color: $text-error; }
    OrderTicket #result.-unknown { color: $text-warning; }
    OrderTicket .ticket-buttons { height: auto; align: right middle; }
    OrderTicket .ticket-buttons Button { margin-left: 1; }
    OrderTicket #override { height: auto; }
    """

    def __init__(
        self,
        trading: TradingService,
        prefill: TicketFields | None = None,
        *,
        side: str | None = None,
        auto_preview: bool = False,
        warm: bool = False,
    ) -> None:
        super().__init__()
        self.trading = trading
        self.env = trading.env
        self.compose_key = ticket_compose_key(trading)
        # warm: built ahead of its key, off screen, until `arm` gives it its order (see
        # warm_order_ticket).
        self._armed = not warm
        self._arming = 0  # which order this is: work started for another one acts on nothing
        self._set_order(prefill, side, auto_preview)
        self._new_order_state()

    def _new_order_state(self) -> None:
        """What the ticket knows of its order, as a new ticket knows it: set at its
        building and again at each `arm` (one ticket serves order after order, see
        open_order_ticket)."""
        self._arming += 1
        self.order_confirm_id = new_order_confirm_id()  # one per arm = one per intent
        self.preview: Preview | None = None
        self.request: OrderRequest | None = None
        self.issues: list[FieldError] = []
        self.outcome: PlaceOutcome | None = None
        self.busy = False
        self._routes: tuple[str, ...] = ()
        self._info: SymbolInfo | None = None
        self._shown_issues = False
        self._previewed: TicketFields | None = None  # the fields the preview was made of
        self._preview_text = ""
        self._unwatch: Callable[[], None] | None = None
        self._quote_dirty = False
        self._prefilled_for: str | None = None  # the symbol the defaults were filled for
        self._focused_by_us: Widget | None = None
        self._order_type: str | None = None
        self.prefilled = False  # the form holds the prefill (set on mount, before any paint)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        live = self.env == "live"
        # The ticket hides the view under it (opaque): the app's header stays on top, so the
        # environment is in sight while an order is written.
        yield AppHeader(id="ticket-header")
        # The result line and the buttons are docked: at 80x24 the form, issues and preview
        # scroll, while Preview / Place and what happened stay in view.
        with Vertical(id="ticket-box", classes="-live" if live else ""):
            with Vertical(id="ticket-footer"):
                yield Static("", id="result")
                with Horizontal(classes="ticket-buttons"):
                    yield Button("Close (Esc)", id="close")
                    yield Button("Preview (F5)", id="preview-btn", variant="primary")
                    yield Button(
                        "Place (F8)",
                        id="place",
                        variant="error" if live else "success",
                        disabled=True,
                    )
            with VerticalScroll(id="ticket-body"):
                env_text = "LIVE - REAL MONEY" if live else self.env.upper()
                yield Label(f"New order - {env_text}", id="ticket-title")
                yield TicketForm(
                    self.trading.context.accounts,
                    templates=self.trading.context.settings.brackets,
                    id="form",
                )
                yield Static("", id="issues")
                override = Checkbox("Override warnings", id="override", compact=True)
                override.display = False  # until a preview warns
                yield override
                yield Static(PREVIEW_HINT, id="preview")

    def on_mount(self) -> None:
        self.set_interval(QUOTE_REFRESH_S, self._show_quote)
        if self._armed:
            if self in self.app.screen_stack:  # not closed while it was being built
                self._take_prefill()
        else:
            self._in_a_later_turn(self._lay_out_off_screen)

    def _in_a_later_turn(self, callback: Callable[..., object], *args: object) -> None:
        """``callback`` in a later turn of the event loop. ``call_later`` queues it behind
        this screen's messages, and Textual runs a pump's queued messages in one turn: the
        render-ahead steps, meant to be a few ms each, ran back to back with the layout and
        whatever else the warm ticket had queued, and a key pressed meanwhile waited."""
        asyncio.get_running_loop().call_soon(partial(self.call_later, callback, *args))

    def _lay_out_off_screen(self) -> None:
        """A warm ticket is laid out at the app's size while it waits: shown at that size,
        Textual skips the layout (60 ms of the 150 a warm ticket still took to show)."""
        if not self._armed and not self.is_current:
            self._refresh_layout(self.app.size)  # private Textual API (8.2): Screen's layout
            self.styles_settled()  # its showing skips the whole restyle (see KeepsStyles)
            widgets = [w for w in self._compositor.visible_widgets if w is not self]
            self._in_a_later_turn(self._render_ahead, widgets)

    def _render_ahead(self, widgets: list[Widget]) -> None:
        """Each widget's lines rendered into its own cache while the ticket waits, so its
        first frame is mostly composed from them. A few ms a step: all at once it was one
        130 ms step of the event loop that keys pressed meanwhile waited behind."""
        deadline = time.perf_counter() + RENDER_AHEAD_STEP_S
        while widgets and not self._armed:
            widget = widgets.pop()
            if widget.is_mounted and widget.size.area:
                widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
            if widgets and time.perf_counter() > deadline:
                self._in_a_later_turn(self._render_ahead, widgets)
                return

    def arm(self, prefill: TicketFields | None, *, side: str | None, auto_preview: bool) -> None:
        """A warm ticket takes its order (what `__init__` takes for a cold one), before it
        is pushed: whatever an order before it left (fields, preview, result, focus, its
        OrderConfirmID) is set back to a new ticket's. Nothing of an order before runs on:
        a ticket armed is one built ahead (it started nothing) or one kept (`_park` stopped
        its work)."""
        self._set_order(prefill, side, auto_preview)
        self._new_order_state()
        self._clear_widgets()
        self._armed = True
        self._take_prefill()

    def _stop_order_work(self) -> None:
        """Nothing started for an order runs on past it: its lookups, preview and symbol
        search are cancelled and its quote unwatched (a result still landing finds another
        arming, see `_still`, and drops it)."""
        self._watch_quotes(None)
        for group in ("ticket-symbol", "ticket-routes", "ticket-preview"):
            self.workers.cancel_group(self, group)
        self.form.stop_suggestions()

    def _still(self, arming: int) -> bool:
        """True while the order that started some work (its arming) is the one shown."""
        return self._armed and arming == self._arming

    def _clear_widgets(self) -> None:
        """The ticket's own lines and buttons as composed (the form's fields are loaded
        whole by `_load_prefill`). Each is set only when it differs: a ticket armed as the
        last one was left repaints nothing."""
        self.hold_early_keys()
        self.set_focus(None, scroll_visible=False)
        self._set_result("", "")
        issues = self._set_text("#issues", "")
        issues.set_classes(issues.classes - {"-error", "-warning"})
        override = self.query_one("#override", Checkbox)
        override.value = False
        override.display = False
        self._set_text("#preview", PREVIEW_HINT).set_class(False, "-stale")
        self._refresh_buttons()
        self.query_one("#ticket-body", VerticalScroll).scroll_home(animate=False, immediate=True)

    def _set_text(self, selector: str, text: str) -> Static:
        """Draw ``text`` in the line unless it shows it already (an update lays it out)."""
        widget = self.query_one(selector, Static)
        if str(widget.content) != text:
            widget.update(plain_lines(text))
        return widget

    def dismiss(self, result: OrderResult | None = None) -> AwaitComplete:
        # Kept for the next order unless something still runs for this one (a preview or a
        # placement, busy until its outcome): that one is removed once closed, as before.
        keep = self._armed and not self.busy and self.is_active and self.is_mounted
        await_pop = super().dismiss(result)  # the result callback, then off the stack
        if keep:
            self._park()
        return await_pop

    def _park(self) -> None:
        """Off screen until the next order arms it: nothing of this order runs on."""
        self._armed = False
        self._arming += 1
        self._stop_order_work()
        park_ticket(self.app, self)

    def _set_order(
        self, prefill: TicketFields | None, side: str | None, auto_preview: bool
    ) -> None:
        self._prefill = prefill or TicketFields()
        self._side = side if side in ("buy", "sell") else None
        self._auto_preview = auto_preview  # one-key trading: preview as soon as it can

    def _take_prefill(self) -> None:
        # The prefill goes in before the first paint: a form shown blank and filled a frame
        # later could be read (or previewed) half-empty. Focus waits for the layout.
        self._load_prefill()
        self.call_after_refresh(self._start, self._arming)

    def on_unmount(self) -> None:
        self._watch_quotes(None)

    def _load_prefill(self) -> None:
        form = self.query_one(TicketForm)
        fields = self._prefill
        if not fields.account:
            fields = replace(fields, account=self.trading.default_account())
        form.load(fields)
        if self._side is not None and not fields.action:
            form.set_side(
                "buy" if self._side == "buy" else "sell"
            )  # refined once the asset type is known
        self.prefilled = True

    def _start(self, arming: int) -> None:
        if not self._still(arming):
            return  # closed (and maybe armed again) before its first refresh
        self._focus_first_needed()
        # typed right after the key that opened the ticket
        self.release_early_keys(self._focused_by_us)
        self._load_routes()
        if self._prefill.symbol:
            self._load_symbol(self._prefill.symbol)

    # ------------------------------------------------------------------ state
    @property
    def form(self) -> TicketForm:
        return self.query_one(TicketForm)

    @property
    def sent(self) -> bool:
        """True once this ticket's order left (whatever came back): it never sends again."""
        return self.outcome is not None and self.outcome.kind in _SENT_KINDS

    def can_place(self) -> bool:
        return self.place_blocker() is None

    def place_blocker(self) -> str | None:
        """Why Place is disabled right now (None: it is enabled)."""
        return placement_blocker(
            sent=self.sent,
            busy=self.busy,
            env=self.env,
            current_env=self.trading.env,
            request=self.request,
            preview=self.preview,
            issues=self.issues,
            override=self.query_one("#override", Checkbox).value,
        )

    def _revalidate(self) -> None:
        self.request, self.issues = self.trading.validate(
            self.form.fields(),
            self._info,
            order_confirm_id=self.order_confirm_id,
            routes=self._routes,
            bracket=self.form.bracket_fields(),
        )
        if self._shown_issues:
            self._show_issues(self.issues)
        self._refresh_buttons()

    def _show_issues(self, issues: Sequence[FieldError]) -> None:
        self._shown_issues = True
        widget = self.query_one("#issues", Static)
        widget.update(plain_lines("\n".join(describe_issue(i) for i in issues)))
        errors = any(i.severity == "error" for i in issues)
        widget.set_class(errors, "-error")
        widget.set_class(bool(issues) and not errors, "-warning")
        self.form.show_issues(issues)
        has_warnings = bool(warnings_of(issues)) or (
            self.preview is not None and bool(self.preview.warnings)
        )
        override = self.query_one("#override", Checkbox)
        override.display = has_warnings
        if has_warnings:  # at 80x24 the body scrolls: the box to tick must be in view
            self.call_after_refresh(override.scroll_visible, animate=False)

    def _refresh_buttons(self) -> None:
        self.query_one("#place", Button).disabled = not self.can_place()
        self.query_one("#preview-btn", Button).disabled = self.busy or self.sent
        stale = self.preview is not None and not self.preview.matches(self.request)
        panel = self.query_one("#preview", Static)
        if stale != panel.has_class("-stale"):
            panel.set_class(stale, "-stale")
            reason = self._stale_reason() if stale else ""
            panel.update(plain_lines("\n".join(t for t in (reason, self._preview_text) if t)))

    def _stale_reason(self) -> str:
        """Which fields changed since the preview (its numbers no longer apply)."""
        before, now = self._previewed, self.form.fields()
        changed = [
            FIELD_LABELS.get(name, name)
            for name in TicketFields.__dataclass_fields__
            if before is not None and getattr(before, name) != getattr(now, name)
        ]
        what = ", ".join(changed) if changed else "the order"
        return f"Out of date ({what} changed): preview again (F5) before placing."

    def _set_result(self, text: str, tone: str) -> None:
        widget = self._set_text("#result", text)
        for name in ("-ok", "-bad", "-unknown"):
            widget.set_class(name == tone, name)

    # ------------------------------------------------------------------ events
    @on(TicketForm.Edited)
    def _edited(self) -> None:
        if not (self.is_mounted and self._armed):
            # still mounting (a Select's first Changed can come before the last row exists),
            # or built ahead and not given its order yet: nothing to check
            return
        symbol = self.form.fields().symbol
        if self._info is None or self._info.symbol != symbol:
            self._load_symbol(symbol)
        order_type = self.form.fields().order_type
        if order_type != self._order_type:  # now a limit order (F4...): start at the touch
            self._order_type = order_type
            self._fill_limit(self._info)
        self._revalidate()

    # ------------------------------------------------------------------ prefill and focus
    def _focus_first_needed(self) -> None:
        """Focus the first field without a value (the Preview button when none is missing).
        Fields the symbol's defaults will fill (quantity, limit) count as filled while the
        symbol loads; `_fill_defaults` looks again once it knows."""
        form, fields = self.form, self.form.fields()
        pending = bool(fields.symbol) and self._prefilled_for != fields.symbol
        limit_shown, stop_shown = price_fields_for(fields.order_type)
        wanted: list[tuple[str, bool]] = [
            ("account", not fields.account),
            ("symbol", not fields.symbol),
            ("quantity", not fields.quantity.strip() and not pending),
            ("limit_price", limit_shown and not fields.limit_price.strip() and not pending),
            ("stop_price", stop_shown and not fields.stop_price.strip()),
        ]
        target: Widget = self.query_one("#preview-btn", Button)
        for widget_id, needed in wanted:
            if needed:
                target = form.query_one(f"#{widget_id}")
                break
        target.focus()
        self._focused_by_us = target

    def _fill_defaults(self, info: SymbolInfo) -> None:
        """Once per symbol: an account that can trade it, the preset quantity, a limit at the
        side's touch; then focus again unless the user moved on meanwhile."""
        if self._prefilled_for == info.symbol:
            return
        self._prefilled_for = info.symbol
        # focus moves on only for the symbol the ticket opened with, never under typing
        refocus = info.symbol == self._prefill.symbol.strip().upper() and (
            self.focused is None or self.focused is self._focused_by_us
        )
        if info.detail is None:  # unknown symbol: nothing to fill
            if refocus:
                self._focus_first_needed()
            return
        form, fields = self.form, self.form.fields()
        settings = self.trading.context.settings
        form.set_presets(presets_for(settings, info.asset_type))
        account, switched = pick_account(
            self.trading.context.accounts, fields.account, info.asset_type
        )
        if switched:
            form.set_account(account)
            kind = "futures" if asset_class(info.asset_type) == "future" else "equities"
            self._set_result(
                f"Account {account} chosen: {fields.account or 'none'} cannot trade {kind}.",
                "-unknown",
            )
        if not fields.quantity.strip():
            # the preset chosen for this asset class (alt+q steps it), else the first one
            quantity = preset_choice(self.app).quantity(settings, info.asset_type)
            form.set_text("quantity", str(quantity))
        self._fill_limit(info)
        if refocus:
            self._focus_first_needed()
        if self._auto_preview:
            self._auto_preview = False
            self.call_after_refresh(self._auto_previewed, self._arming)

    def _auto_previewed(self, arming: int) -> None:
        if self._still(arming):
            self.action_preview()

    def _fill_limit(self, info: SymbolInfo | None) -> None:
        """A limit price at the side's touch, when the order type takes one and it is blank."""
        fields = self.form.fields()
        limit_shown, _ = price_fields_for(fields.order_type)
        if info is None or info.detail is None or not limit_shown or fields.limit_price.strip():
            return
        selling = fields.action.startswith("SELL")
        price = touch_price("sell" if selling else "buy", info)
        if price is not None:
            self.form.set_text("limit_price", format_decimal(price))

    # ------------------------------------------------------------------ live quote
    def _watch_quotes(self, symbol: str | None) -> None:
        """Follow ``symbol``'s quote stream (None: stop following)."""
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        hub = getattr(self.trading.context, "quotes", None)
        if symbol and hub is not None:
            self._unwatch = hub.watch([symbol], self._on_quote)
            latest = hub.latest(symbol)
            if latest is not None:
                self._on_quote(latest)

    def _on_quote(self, quote: Quote) -> None:
        info = self._info
        if info is None or quote.symbol.upper() != info.symbol:
            return
        self._info = replace(info, quote=quote)
        self.form.info = self._info  # steps from the live last
        self._quote_dirty = True

    def _show_quote(self) -> None:
        """Repaint the symbol line a few times a second at most, whatever the quote rate."""
        if self._quote_dirty and self._info is not None:
            self._quote_dirty = False
            self.form.show_symbol(self._info)

    @on(Checkbox.Changed, "#override")
    def _override_changed(self) -> None:
        self._refresh_buttons()

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.action_close()

    @on(Button.Pressed, "#preview-btn")
    def _preview_pressed(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#place")
    def _place_pressed(self) -> None:
        self.action_place()

    # ------------------------------------------------------------------ actions
    def action_side(self, side: str) -> None:
        if not self.sent and side in ("buy", "sell"):
            self.form.set_side("buy" if side == "buy" else "sell")

    def action_cycle(self, widget_id: str) -> None:
        """F4 / F7: the next order type / time in force."""
        if not self.sent and widget_id in ("order_type", "duration"):
            self.form.cycle_choice(widget_id)

    def action_bracket(self) -> None:
        """Step the bracket: off -> each template -> custom -> off."""
        if not self.sent:
            self.form.cycle_bracket()

    def action_close(self) -> None:
        outcome = self.outcome
        placed = outcome is not None and outcome.kind in ("placed", "reconciled")
        self.dismiss(outcome.result if placed and outcome is not None else None)

    def action_preview(self) -> None:
        if self.busy or self.sent or not self._armed:
            return
        if self.trading.env != self.env:
            self._set_result(
                f"The environment is now {self.trading.env.upper()}: close this ticket.", "-bad"
            )
            return
        self._set_result("", "")  # an old "Not placed: ..." hint no longer applies
        self._revalidate()
        self._show_issues(self.issues)
        if self.request is None:
            return
        self.busy = True
        self._refresh_buttons()
        self._run_preview(self.form.fields(), self._info, self.form.bracket_fields())

    def action_place(self) -> None:
        override = self.query_one("#override", Checkbox).value
        blocker = start_placement(self, partial(self._place_flow, override=override), "place order")
        if blocker is not None and not (self.busy or self.sent) and "Override" in blocker:
            self.query_one("#override", Checkbox).scroll_visible(animate=False)

    # ------------------------------------------------------------------ workers
    @work(group="ticket-symbol", exclusive=True, exit_on_error=False)
    async def _load_symbol(self, symbol: str) -> None:
        arming = self._arming
        await asyncio.sleep(SYMBOL_DEBOUNCE_S)
        info = await self.trading.load_symbol(symbol)
        if not self._still(arming) or self.form.fields().symbol != info.symbol:
            return  # another order's, or the user typed on
        self._info = info
        self.form.set_symbol_info(info)  # keeps the action's direction (BUY -> BUYTOOPEN)
        self._watch_quotes(info.symbol if info.detail is not None else None)
        self._fill_defaults(info)
        self._load_routes()  # the routes that take this asset type

    @work(group="ticket-routes", exclusive=True, exit_on_error=False)
    async def _load_routes(self) -> None:
        arming = self._arming
        asset_type = self._info.asset_type if self._info is not None else None
        routes = await self.trading.route_ids(asset_type)
        if not self._still(arming):
            return
        self._routes = routes
        self.form.set_routes(self._routes)
        self._revalidate()

    @work(group="ticket-preview", exclusive=True, exit_on_error=False)
    async def _run_preview(
        self, fields: TicketFields, info: SymbolInfo | None, bracket: BracketFields
    ) -> None:
        arming = self._arming
        try:
            outcome = await self.trading.preview(
                fields,
                info,
                order_confirm_id=self.order_confirm_id,
                routes=self._routes,
                bracket=bracket,
            )
        finally:
            if arming == self._arming:
                self.busy = False
        if not self._still(arming):
            return  # made for another order (under its OrderConfirmID): never this one's
        panel = self.query_one("#preview", Static)
        self.preview = outcome.preview
        self._previewed = fields
        if outcome.preview is not None:
            self._preview_text = describe_preview(outcome.preview, info)
        elif outcome.error:
            self._preview_text = f"Preview refused: {outcome.error}"
        panel.set_class(False, "-stale")
        panel.update(plain_lines(self._preview_text))
        self._revalidate()
        self._show_issues(self.issues)

    async def _place_flow(self, preview: Preview, override: bool) -> None:
        await run_placement(
            self,
            lambda: self.trading.place(preview, override_warnings=override),
            self.trading.resolve_unknown,
        )

    def _show_outcome(self, outcome: PlaceOutcome) -> None:
        self.outcome = outcome
        self.busy = outcome.kind == "unknown"
        if outcome.kind == "failed":
            self.preview = None  # not sent: a new preview is needed before placing again
        text, tone = outcome_text(outcome)
        if not self.is_attached or outcome.kind in ("placed", "reconciled"):
            # placed: the ticket closes and says so (the replace dialog does the same)
            self.app.notify(
                f"Order: {text}",
                severity="information" if tone == "-ok" else "warning",
                timeout=8,
            )
            if not self.is_attached:
                return
            if self.app.screen is self:
                self.action_close()
                return
            # something is on top of the ticket: it shows the result and closes by hand
        self._set_result(text, tone)
        self._refresh_buttons()


def ticket_compose_key(trading: TradingService) -> tuple[object, ...]:
    """What a ticket's widgets are built from: a warm ticket built for another environment,
    account list or set of bracket templates is not used."""
    context = trading.context
    theme = getattr(getattr(context, "app", None), "theme", None)
    return (trading.env, theme, tuple(context.accounts), tuple(context.settings.brackets))


# The next ticket of each app, composed ahead of its key (see warm_order_ticket).
_WARM: WeakKeyDictionary[App[Any], OrderTicket] = WeakKeyDictionary()
WARM_AFTER_CLOSE_S = 0.5


def warm_order_ticket(app: App[Any]) -> None:
    """Build the next ticket before its key is pressed. Composing and mounting its ~60
    widgets took 300 ms (600 ms with a stream burst sharing the loop); a warm ticket is
    already mounted, so showing it is one layout and one frame. It runs off screen (started
    by the app, in no screen stack: Textual's push_screen shows a running screen as it is)
    until open_order_ticket arms it with its order. Each arm is one order, with its own
    OrderConfirmID. A ticket closed idle is kept for the next order (see park_ticket):
    building one after each close mounted ~90 widgets while keys waited behind them. One
    is built again only when none was kept (closed busy, another theme, environment or
    account list)."""
    trading = trading_service(app)
    if any(isinstance(screen, OrderTicket) for screen in app.screen_stack):
        return  # the ticket showing is kept at its close (unless busy: then one is built)
    warm = _WARM.get(app)
    if warm is not None:
        if not warm.is_mounted or _fits(warm, trading):
            return  # still composing (see _take_warm), or fits
        del _WARM[app]
        _discard(warm)
    if not getattr(trading.context, "connected", False):
        return
    ticket = OrderTicket(trading, warm=True)
    # Private Textual API (8.2): what push_screen does first for a screen not yet running.
    app._register(app, ticket)
    _WARM[app] = ticket


def warm_ticket(app: App[Any]) -> OrderTicket | None:
    """The ticket built ahead for ``app`` (None before the first connect or while taken)."""
    return _WARM.get(app)


def _fits(ticket: OrderTicket, trading: TradingService) -> bool:
    return ticket.is_running and ticket.compose_key == ticket_compose_key(trading)


def _discard(ticket: OrderTicket) -> None:
    ticket.app.uninstall_screen(ticket)
    if ticket.is_attached:
        ticket.remove()


TICKET_SCREEN = "tstui-order-ticket"


def park_ticket(app: App[Any], ticket: OrderTicket) -> None:
    """A closed ticket kept for the next order (see OrderTicket.dismiss): installed, so
    Textual does not remove it as it leaves the stack, and it is the app's warm ticket."""
    if _WARM.get(app) is not None:
        return  # one kept ticket at most (the only one installed): this one goes as usual
    app.install_screen(ticket, TICKET_SCREEN)
    ticket.styles_settled()  # shown again as it was, it is not restyled whole
    _WARM[app] = ticket


def _take_warm(app: App[Any], trading: TradingService) -> OrderTicket | None:
    """The warm ticket when it is mounted and fits; one still composing is left to finish
    (removed mid-compose, its widgets' mount callbacks would find their children gone)."""
    ticket = _WARM.get(app)
    if ticket is None or not ticket.is_mounted:
        return None
    del _WARM[app]
    # A kept ticket is in use again: whatever pops it next removes it, unless its close
    # keeps it once more.
    app.uninstall_screen(ticket)
    if _fits(ticket, trading):
        return ticket
    _discard(ticket)
    return None


def open_order_ticket(
    app: App[Any],
    prefill: TicketFields | None = None,
    *,
    intent: str = "new",
    on_result: Callable[[OrderResult | None], Any] | None = None,
    auto_preview: bool = False,
) -> OrderTicket:
    """Push a ticket on `app` (a TstuiApp: its LiveData is the trading context): the warm
    one when it fits, else a new one. ``auto_preview``: preview as soon as the symbol is
    known (one-key trading)."""
    side = intent if intent in ("buy", "sell") else None
    trading = trading_service(app)
    ticket = _take_warm(app, trading)
    if ticket is None:
        ticket = OrderTicket(trading, prefill, side=side, auto_preview=auto_preview)
    else:
        ticket.arm(prefill, side=side, auto_preview=auto_preview)

    def closed(result: OrderResult | None) -> Any:
        app.set_timer(WARM_AFTER_CLOSE_S, partial(warm_order_ticket, app))
        return on_result(result) if on_result is not None else None  # Textual awaits it

    app.push_screen(ticket, closed)
    return ticket
