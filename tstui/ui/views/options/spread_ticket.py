"""The spread ticket: a multi-leg order from the chain, previewed then placed once.

Account, quantity (spreads), order type (Limit at the net price, or Market: F2), net price (+ a
debit, - a credit; prefilled with the legs' mids) and duration; the legs are listed with the
trade action each takes (a leg that closes a held position BUYTOCLOSE / SELLTOCLOSE). As the
single ticket (``tstui.ui.trading.ticket``):

- F5 checks the legs' rules and the risk per leg and for the package, then previews
  (orderconfirm) the exact request; Place (F8) is enabled only while the form still describes
  that previewed payload, no error blocks, and warnings are overridden by the checkbox.
- Place sends that payload once (``spread_orders``: one OrderConfirmID per ticket, audited
  before the send); after a send the ticket shows the result and cannot send again; an
  unknown outcome is reconciled, never resent.
- In LIVE the ticket is red and says so. Dismisses with the placed ``OrderResult`` or None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tstui.domain.models import OrderResult
from tstui.domain.orders import OrderRequest, format_decimal, new_order_confirm_id
from tstui.domain.orders.ticket import FieldError, warnings_of
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain, plain_lines
from tstui.ui.trading.place_flow import placement_blocker, run_placement, start_placement
from tstui.ui.trading.types import PlaceOutcome, Preview
from tstui.ui.trading.wording import describe_confirmation, describe_issue, outcome_text
from tstui.ui.views.options.model import STOCK_MULTIPLIER, Spread, spread_name
from tstui.ui.views.options.spread_orders import (
    PACKAGE_DURATIONS,
    PACKAGE_TYPES,
    SpreadForm,
    SpreadOrders,
    spread_orders,
    spread_request,
)

__all__ = ["SpreadTicket", "open_spread_ticket"]

_SENT_KINDS = frozenset({"placed", "rejected", "unknown", "reconciled", "not_found"})
_LABELS = {
    "account": "Account",
    "quantity": "Quantity",
    "order_type": "Type",
    "limit_price": "Net price",
    "duration": "TIF",
}


def _row(label: str, *widgets: Any) -> Horizontal:
    return Horizontal(Label(label, classes="spread-label"), *widgets, classes="spread-row")


class SpreadTicket(PacedFrames, ModalScreen[OrderResult | None]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="spread.close"),
        Binding("f5", "preview", "Preview", id="spread.preview"),
        Binding("f8", "place", "Place", id="spread.place"),
        Binding("f2", "order_type", "Limit/Market", id="spread.order_type"),
    ]
    DEFAULT_CSS = """
    SpreadTicket { align: center middle; }
    SpreadTicket #spread-box { width: 84; max-width: 100%; height: auto; max-height: 100%;
                               border: thick $primary; background: $surface; padding: 0 1; }
    SpreadTicket #spread-box.-live { border: thick $live-warning; background: $live-warning 15%; }
    SpreadTicket #spread-title { text-style: bold; }
    SpreadTicket #spread-box.-live #spread-title { color: $live-warning; }
    SpreadTicket #spread-body { height: auto; max-height: 1fr; }
    SpreadTicket #spread-footer { dock: bottom; height: auto; }
    SpreadTicket .spread-row { height: auto; }
    SpreadTicket .spread-label { width: 12; padding: 0 1 0 0; }
    SpreadTicket .spread-row Input { width: 16; }
    SpreadTicket .spread-row Select { width: 28; }
    SpreadTicket #legs { height: auto; padding: 0 0 1 0; }
    SpreadTicket #issues { height: auto; }
    SpreadTicket #issues.-error { color: $text-error; }
    SpreadTicket #issues.-warning { color: $text-warning; }
    SpreadTicket #preview { height: auto; border: round $secondary; padding: 0 1; }
    SpreadTicket #preview.-stale { color: $text-muted; border: round $panel; }
    SpreadTicket #result { height: auto; text-style: bold; }
    SpreadTicket #result.-ok { color: $text-success; }
    SpreadTicket #result.-bad { color: $text-error; }
    SpreadTicket #result.-unknown { color: $text-warning; }
    SpreadTicket .spread-buttons { height: auto; align: right middle; }
    SpreadTicket .spread-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        orders: SpreadOrders,
        underlying: str,
        spread: Spread,
        net: Decimal | None,
        leg_prices: Mapping[str, Decimal | None],
        *,
        multiplier: Decimal = STOCK_MULTIPLIER,
    ) -> None:
        super().__init__()
        self.multiplier = multiplier
        self.orders = orders
        self.env = orders.env
        self.underlying = underlying
        self.spread = spread
        self.net = net
        self.leg_prices = dict(leg_prices)
        self.order_confirm_id = new_order_confirm_id()  # one per ticket = one per intent
        self.request: OrderRequest | None = None
        self.issues: list[FieldError] = []
        self.preview: Preview | None = None
        self.outcome: PlaceOutcome | None = None
        self.busy = False
        self._shown_issues = False

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        live = self.env == "live"
        trading = self.orders.trading
        accounts = [
            (plain(f"{a.account_id} {a.account_type or ''}".strip()), a.account_id)
            for a in trading.context.accounts
        ]
        default = trading.default_account()
        price = "" if self.net is None else format_decimal(self.net.quantize(Decimal("0.01")))
        with Vertical(id="spread-box", classes="-live" if live else ""):
            with Vertical(id="spread-footer"):
                yield Static("", id="result")
                with Horizontal(classes="spread-buttons"):
                    yield Button("Close (Esc)", id="close")
                    yield Button("Preview (F5)", id="preview-btn", variant="primary")
                    yield Button(
                        "Place (F8)", id="place", variant="error" if live else "success",
                        disabled=True,
                    )  # fmt: skip
            with VerticalScroll(id="spread-body"):
                env_text = "LIVE - REAL MONEY" if live else self.env.upper()
                title = f"{spread_name(self.spread).capitalize()} on {self.underlying} - {env_text}"
                yield Label(plain(title), id="spread-title")
                yield Static("", id="legs")
                yield _row(
                    "Account",
                    Select(
                        accounts,
                        value=default if default in {a[1] for a in accounts} else Select.NULL,
                        allow_blank=not accounts,
                        id="account",
                        compact=True,
                    ),
                )
                yield _row("Quantity", Input("1", id="quantity", compact=True))
                yield _row(
                    "Type",
                    Select(
                        [(t, t) for t in PACKAGE_TYPES],
                        value="Limit",
                        allow_blank=False,
                        id="order_type",
                        compact=True,
                    ),
                    Label("F2: Limit / Market", classes="spread-hint"),
                )
                yield _row(
                    "Net price",
                    Input(price, id="limit_price", compact=True),
                    Label("+ debit, - credit", classes="spread-hint"),
                )
                yield _row(
                    "TIF",
                    Select(
                        [(d, d) for d in PACKAGE_DURATIONS],
                        value="DAY",
                        allow_blank=False,
                        id="duration",
                        compact=True,
                    ),
                )
                yield Static("", id="issues")
                yield Checkbox("Override warnings", id="override", compact=True)
                yield Static("Preview (F5) to see the estimate.", id="preview")

    def on_mount(self) -> None:
        self.query_one("#override", Checkbox).display = False
        self.query_one("#quantity", Input).focus()
        self._revalidate()

    # ---- state -------------------------------------------------------------------------------
    def form(self) -> SpreadForm:
        def value(widget_id: str) -> str:
            chosen = self.query_one(f"#{widget_id}", Select).value
            return chosen if isinstance(chosen, str) else ""

        return SpreadForm(
            account=value("account"),
            quantity=self.query_one("#quantity", Input).value,
            order_type=value("order_type"),
            limit_price=self.query_one("#limit_price", Input).value,
            duration=value("duration"),
        )

    @property
    def sent(self) -> bool:
        return self.outcome is not None and self.outcome.kind in _SENT_KINDS

    def place_blocker(self) -> str | None:
        """Why Place is disabled right now (None: it is enabled)."""
        return placement_blocker(
            sent=self.sent,
            busy=self.busy,
            env=self.env,
            current_env=self.orders.env,
            request=self.request,
            preview=self.preview,
            issues=self.issues,
            override=self.query_one("#override", Checkbox).value,
        )

    def _revalidate(self) -> None:
        form = self.form()
        positions = self.orders.positions(form.account) if form.account else {}
        self.request, self.issues = spread_request(
            form, self.spread, order_confirm_id=self.order_confirm_id, positions=positions
        )
        if self.request is not None:
            self.issues += self.orders.check(
                self.request, self.leg_prices, self.orders.trading.clock(), self.multiplier
            )
            if any(i.severity == "error" for i in self.issues):
                self.request = None
        self._show_legs()
        if self._shown_issues:
            self._show_issues(self.issues)
        self._refresh_buttons()

    def _show_legs(self) -> None:
        request = self.request
        lines = []
        if request is not None:
            for leg in request.legs:
                price = self.leg_prices.get(leg.symbol)
                shown = f"  mid {format_decimal(price)}" if price is not None else ""
                lines.append(
                    f"{leg.trade_action:<11} {format_decimal(leg.quantity):>3} "
                    f"{safe_text(leg.symbol, limit=32)}{shown}"
                )
        else:
            for built in self.spread:
                verb = "Buy" if built.is_buy else "Sell"
                lines.append(
                    f"{verb:<11} {abs(built.ratio):>3} {safe_text(built.symbol, limit=32)}"
                )
        self.query_one("#legs", Static).update(plain_lines("\n".join(lines)))

    def _show_issues(self, issues: Sequence[FieldError]) -> None:
        self._shown_issues = True
        widget = self.query_one("#issues", Static)
        lines = []
        for issue in issues:
            label = _LABELS.get(issue.field)
            text = describe_issue(issue)
            if label is not None:
                text = text.replace(f": {issue.field}:", f": {label}:")
            lines.append(text)
        widget.update(plain_lines("\n".join(lines)))
        errors = any(i.severity == "error" for i in issues)
        widget.set_class(errors, "-error")
        widget.set_class(bool(issues) and not errors, "-warning")
        has_warnings = bool(warnings_of(issues)) or (
            self.preview is not None and bool(self.preview.warnings)
        )
        self.query_one("#override", Checkbox).display = has_warnings

    def _refresh_buttons(self) -> None:
        self.query_one("#place", Button).disabled = self.place_blocker() is not None
        self.query_one("#preview-btn", Button).disabled = self.busy or self.sent
        stale = self.preview is not None and not self.preview.matches(self.request)
        self.query_one("#preview", Static).set_class(stale, "-stale")

    def _set_result(self, text: str, tone: str) -> None:
        widget = self.query_one("#result", Static)
        widget.update(plain_lines(text))
        for name in ("-ok", "-bad", "-unknown"):
            widget.set_class(name == tone, name)

    # ---- events ------------------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    def _edited(self) -> None:
        if self.is_mounted and not self.sent:
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

    # ---- actions -----------------------------------------------------------------------------
    def action_order_type(self) -> None:
        """Limit at the net price <-> Market (the net price field is kept for Limit)."""
        if self.sent:
            return
        select = self.query_one("#order_type", Select)
        select.value = "Market" if select.value == "Limit" else "Limit"

    def action_close(self) -> None:
        outcome = self.outcome
        placed = outcome is not None and outcome.kind in ("placed", "reconciled")
        self.dismiss(outcome.result if placed and outcome is not None else None)

    def action_preview(self) -> None:
        if self.busy or self.sent:
            return
        if self.orders.env != self.env:
            self._set_result(
                f"The environment is now {self.orders.env.upper()}: close this ticket.", "-bad"
            )
            return
        self._set_result("", "")
        self._revalidate()
        self._show_issues(self.issues)
        if self.request is None:
            return
        self.busy = True
        self._refresh_buttons()
        self._run_preview(self.request)

    def action_place(self) -> None:
        override = self.query_one("#override", Checkbox).value
        start_placement(self, partial(self._place_flow, override=override), "place spread")

    # ---- workers -----------------------------------------------------------------------------
    @work(group="spread-preview", exclusive=True, exit_on_error=False)
    async def _run_preview(self, request: OrderRequest) -> None:
        try:
            outcome = await self.orders.preview(request, self.leg_prices, self.multiplier)
        finally:
            self.busy = False
        panel = self.query_one("#preview", Static)
        self.preview = outcome.preview
        if outcome.preview is not None:
            text = "\n".join(describe_confirmation(c) for c in outcome.preview.confirmations)
            panel.update(plain_lines(text or "(the server returned no confirmation)"))
        elif outcome.error:
            panel.update(plain(f"Preview refused: {outcome.error}"))
        self._revalidate()
        self._show_issues(self.issues)

    async def _place_flow(self, preview: Preview, override: bool) -> None:
        await run_placement(
            self,
            lambda: self.orders.place(preview, self.leg_prices, override_warnings=override),
            self.orders.resolve_unknown,
        )

    def _show_outcome(self, outcome: PlaceOutcome) -> None:
        self.outcome = outcome
        self.busy = outcome.kind == "unknown"
        if outcome.kind == "failed":
            self.preview = None
        text, tone = outcome_text(outcome)
        if not self.is_attached:
            self.app.notify(
                f"Spread: {text}",
                severity="information" if tone == "-ok" else "warning",
                markup=False,
            )
            return
        self._set_result(text, tone)
        self._refresh_buttons()


def open_spread_ticket(
    app: App[Any],
    underlying: str,
    spread: Spread,
    net: Decimal | None,
    leg_prices: Mapping[str, Decimal | None],
    *,
    multiplier: Decimal = STOCK_MULTIPLIER,
    on_result: Callable[[OrderResult | None], Any] | None = None,
) -> SpreadTicket:
    """Push a spread ticket on ``app`` (a TstuiApp: its trading service places it)."""
    ticket = SpreadTicket(
        spread_orders(app), underlying, spread, net, leg_prices, multiplier=multiplier
    )
    app.push_screen(ticket, on_result)
    return ticket
