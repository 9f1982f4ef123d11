"""The order ticket: a modal that validates, previews (orderconfirm) and places an order once.

- Place is enabled only while the form still describes the exact previewed payload, no error
  blocks, and warnings (if any) are overridden by the checkbox. Editing anything disables it
  until the next preview.
- Place sends once with the ticket's OrderConfirmID (one per ticket). After a send the ticket
  shows the result inline and cannot send again; an unknown outcome shows
  "unknown: reconciling" and then the order reconciliation found. There is no resend button.
- Brackets: F6 steps the bracket section off -> each config template ([brackets.NAME], e.g.
  es-scalp: target +8, stop -6 ticks) -> custom -> off. The exits (ticks from the entry or
  prices), a trailing stop and an activation rule for the entry are part of the previewed
  payload: the preview lists every order of the group and its cost, and Place sends that whole
  group (the entry with its OSOs) once, under the entry's OrderConfirmID.
- In LIVE the ticket is red and says so.
- Dismisses with the placed `OrderResult` (also one found by reconciliation) or None.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tstui.domain.models import OrderResult
from tstui.domain.orders import OrderRequest, new_order_confirm_id
from tstui.domain.orders.ticket import FieldError, TicketFields, warnings_of
from tstui.ui.shell.plain import plain, plain_lines
from tstui.ui.trading.bracket import BracketFields
from tstui.ui.trading.service import (
    PlacementRefused,
    PlaceOutcome,
    Preview,
    TradingService,
    trading_service,
)
from tstui.ui.trading.ticket_form import TicketForm
from tstui.ui.trading.types import SymbolInfo
from tstui.ui.trading.wording import describe_issue, describe_preview, outcome_text

__all__ = ["OrderTicket", "open_order_ticket"]

SYMBOL_DEBOUNCE_S = 0.35
_SENT_KINDS = frozenset({"placed", "rejected", "unknown", "reconciled", "not_found"})


class OrderTicket(ModalScreen[OrderResult | None]):
    """See the module docstring. `prefill` fills the form; `side` sets buy/sell."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="ticket.close"),
        Binding("f5", "preview", "Preview", id="ticket.preview"),
        Binding("f8", "place", "Place", id="ticket.place"),
        Binding("f2", "side('buy')", "Buy", id="ticket.buy"),
        Binding("f3", "side('sell')", "Sell", id="ticket.sell"),
        Binding("f6", "bracket", "Bracket", id="ticket.bracket"),
    ]
    DEFAULT_CSS = """
    OrderTicket { align: center middle; }
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
    ) -> None:
        super().__init__()
        self.trading = trading
        self.env = trading.env
        self.order_confirm_id = new_order_confirm_id()  # one per ticket = one per intent
        self._prefill = prefill or TicketFields()
        self._side = side if side in ("buy", "sell") else None
        self.preview: Preview | None = None
        self.request: OrderRequest | None = None
        self.issues: list[FieldError] = []
        self.outcome: PlaceOutcome | None = None
        self.busy = False
        self._routes: tuple[str, ...] = ()
        self._info: SymbolInfo | None = None
        self._shown_issues = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        live = self.env == "live"
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
                yield Checkbox("Override warnings", id="override", compact=True)
                yield Static("Preview (F5) to see the estimate.", id="preview")

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        form = self.query_one(TicketForm)
        fields = self._prefill
        if not fields.account:
            fields = replace(fields, account=self.trading.default_account())
        form.load(fields)
        if self._side is not None and not fields.action:
            form.set_side(
                "buy" if self._side == "buy" else "sell"
            )  # refined once the asset type is known
        self.query_one("#override", Checkbox).display = False
        self.query_one("#symbol", Input).focus()
        self._load_routes()
        if fields.symbol:
            self._load_symbol(fields.symbol)

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
        if self.sent:
            return "this ticket already sent its order: close it (Esc)"
        if self.busy:
            return "busy: wait for the preview or placement to finish"
        if self.trading.env != self.env:  # the ticket's look and accounts are another env's
            return f"the environment is now {self.trading.env.upper()}: close this ticket"
        if self.request is None:
            return "fix the errors first, then preview (F5)"
        if self.preview is None:
            return "preview the order first (F5)"
        if not self.preview.matches(self.request):
            return "the order changed since the preview: preview again (F5)"
        has_warnings = bool(warnings_of(self.issues)) or bool(self.preview.warnings)
        if has_warnings and not self.query_one("#override", Checkbox).value:
            return "warnings need 'Override warnings' ticked (or change the order)"
        return None

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
        self.query_one("#preview", Static).set_class(stale, "-stale")

    def _set_result(self, text: str, tone: str) -> None:
        widget = self.query_one("#result", Static)
        widget.update(plain_lines(text))
        for name in ("-ok", "-bad", "-unknown"):
            widget.set_class(name == tone, name)

    # ------------------------------------------------------------------ events
    @on(TicketForm.Edited)
    def _edited(self) -> None:
        symbol = self.form.fields().symbol
        if self._info is None or self._info.symbol != symbol:
            self._load_symbol(symbol)
        self._revalidate()

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

    def action_bracket(self) -> None:
        """Step the bracket: off -> each template -> custom -> off."""
        if not self.sent:
            self.form.cycle_bracket()

    def action_close(self) -> None:
        outcome = self.outcome
        placed = outcome is not None and outcome.kind in ("placed", "reconciled")
        self.dismiss(outcome.result if placed and outcome is not None else None)

    def action_preview(self) -> None:
        if self.busy or self.sent:
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
        blocker = self.place_blocker()
        if blocker is not None or self.preview is None:
            if self.busy or self.sent:  # the result line shows the flow / outcome: keep it
                self.notify(f"Place: {blocker}", severity="warning", timeout=4)
            else:
                self._set_result(f"Not placed: {blocker}", "-unknown")
                if "Override" in (blocker or ""):
                    self.query_one("#override", Checkbox).scroll_visible(animate=False)
            return
        self.busy = True
        self._refresh_buttons()
        self._set_result("placing...", "-unknown")
        override = self.query_one("#override", Checkbox).value
        # an app worker: the single send and any reconciliation survive closing the ticket
        self.app.run_worker(
            self._place_flow(self.preview, override),
            group="trading-place",
            name="place order",
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ workers
    @work(group="ticket-symbol", exclusive=True, exit_on_error=False)
    async def _load_symbol(self, symbol: str) -> None:
        await asyncio.sleep(SYMBOL_DEBOUNCE_S)
        info = await self.trading.load_symbol(symbol)
        if self.form.fields().symbol != info.symbol:
            return  # the user typed on
        self._info = info
        self.form.set_symbol_info(info)  # keeps the action's direction (BUY -> BUYTOOPEN)
        self._load_routes()  # the routes that take this asset type

    @work(group="ticket-routes", exclusive=True, exit_on_error=False)
    async def _load_routes(self) -> None:
        asset_type = self._info.asset_type if self._info is not None else None
        self._routes = await self.trading.route_ids(asset_type)
        self.form.set_routes(self._routes)
        self._revalidate()

    @work(group="ticket-preview", exclusive=True, exit_on_error=False)
    async def _run_preview(
        self, fields: TicketFields, info: SymbolInfo | None, bracket: BracketFields
    ) -> None:
        try:
            outcome = await self.trading.preview(
                fields,
                info,
                order_confirm_id=self.order_confirm_id,
                routes=self._routes,
                bracket=bracket,
            )
        finally:
            self.busy = False
        panel = self.query_one("#preview", Static)
        self.preview = outcome.preview
        if outcome.preview is not None:
            panel.update(plain_lines(describe_preview(outcome.preview, info)))
        elif outcome.error:
            panel.update(plain(f"Preview refused: {outcome.error}"))
        self._revalidate()
        self._show_issues(self.issues)

    async def _place_flow(self, preview: Preview, override: bool) -> None:
        try:
            outcome = await self.trading.place(preview, override_warnings=override)
        except PlacementRefused as exc:
            self.busy = False
            self.preview = None  # whatever the reason: preview again before placing
            if self.is_attached:
                self._set_result(f"Not sent: {exc}", "-bad")
                self._refresh_buttons()
            return
        except Exception as exc:  # a bug: the order may or may not have gone; never resend
            self.busy = False
            self.preview = None
            if self.is_attached:
                self._set_result(
                    f"Unexpected error ({type(exc).__name__}: {exc}): check the Orders view "
                    "before anything else; nothing will be resent",
                    "-bad",
                )
                self._refresh_buttons()
            return
        self._show_outcome(outcome)
        if outcome.kind == "unknown":
            self._show_outcome(await self.trading.resolve_unknown(outcome))

    def _show_outcome(self, outcome: PlaceOutcome) -> None:
        self.outcome = outcome
        self.busy = outcome.kind == "unknown"
        if outcome.kind == "failed":
            self.preview = None  # not sent: a new preview is needed before placing again
        text, tone = outcome_text(outcome)
        if not self.is_attached:
            self.app.notify(
                f"Order: {text}", severity="information" if tone == "-ok" else "warning"
            )
            return
        self._set_result(text, tone)
        self._refresh_buttons()


def open_order_ticket(
    app: App[Any],
    prefill: TicketFields | None = None,
    *,
    intent: str = "new",
    on_result: Callable[[OrderResult | None], Any] | None = None,
) -> OrderTicket:
    """Push a ticket on `app` (a TstuiApp: its LiveData is the trading context)."""
    side = intent if intent in ("buy", "sell") else None
    ticket = OrderTicket(trading_service(app), prefill, side=side)
    app.push_screen(ticket, on_result)
    return ticket
