"""Cancel, cancel-all and replace dialogs. Each returns a typed answer; the caller sends.

- `cancel_confirm(order)` / `cancel_all_confirm(orders)`: the shell's ConfirmScreen with the
  order (or the count and symbols) spelled out.
- `CancelParentScreen(order, children)`: cancelling the parent of an OSO group asks whether its
  working children (a bracket's target and stop...) go too: "parent and children", "parent
  only" or keep.
- `ReplaceOrderScreen(trading, order, info)`: quantity / limit / stop of a working order. The
  API has no replace preview, so "Review" validates (ticks, quantity above the filled part,
  risk limits) and shows the change; "Send" is enabled only for the reviewed change and needs
  the override box when there are warnings. Dismisses with the `ReplaceRequest` or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar, Literal

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tstui.domain.models import Order
from tstui.domain.orders import ReplaceRequest, derived_order_confirm_id, format_decimal
from tstui.domain.orders.book import OrderBook
from tstui.domain.orders.bracket_sync import SyncStep
from tstui.domain.orders.risk import check_risk
from tstui.domain.orders.ticket import FieldError, TicketFields, blocking, parse_ticket, warnings_of
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain, plain_lines
from tstui.ui.trading.key_order import EarlyKeys
from tstui.ui.trading.service import ActionOutcome, TradingService
from tstui.ui.trading.ticket_form import (
    FIELD_LABELS,
    PriceInput,
    QuantityInput,
    StepInput,
    step_price_text,
    step_quantity_text,
)
from tstui.ui.trading.types import SymbolInfo, held_quantity, risk_limits_for
from tstui.ui.trading.wording import describe_issue

__all__ = [
    "CancelParentScreen",
    "ReplaceOrderScreen",
    "cancel_all_confirm",
    "cancel_confirm",
    "describe_step",
    "request_cancel",
    "run_replace",
    "send_cancels",
    "validate_replace",
    "working_orders",
]


def _num(value: Decimal | None) -> str:
    return format_decimal(value) if value is not None else ""


def order_line(order: Order) -> str:
    prices = " ".join(
        f"{name} {_num(p)}"
        for name, p in (("limit", order.limit_price), ("stop", order.stop_price))
        if p is not None
    )
    s = safe_text  # every field is server text
    return (
        f"{s(order.order_id)}: {s(order.side)} {_num(order.quantity)} {s(order.symbol)} "
        f"{s(order.order_type)} {prices} ({s(order.account_id)})"
    ).replace("  ", " ")


def cancel_confirm(order: Order, env: str) -> ConfirmScreen:
    return ConfirmScreen(
        f"Cancel order - {env.upper()}",
        f"Cancel {order_line(order)}?\nFilled so far: {_num(order.filled_quantity)}.",
        yes="Cancel order",
        no="Keep",
        danger=True,
    )


def cancel_all_confirm(orders: Sequence[Order], env: str) -> ConfirmScreen:
    count = len(orders)
    symbols = sorted({safe_text(o.symbol, limit=40) for o in orders})
    shown = ", ".join(symbols[:8]) + (" ..." if len(symbols) > 8 else "")
    noun = "order" if count == 1 else "orders"
    return ConfirmScreen(
        f"Cancel all working - {env.upper()}",
        f"Cancel {count} working {noun} ({shown})? Orders that start working after this "
        "dialog opened are not included.",
        yes=f"Cancel {count} {noun}",
        no="Keep",
        danger=True,
    )


def working_orders(book: OrderBook, account: str | None) -> list[Order]:
    """Working orders of `account` (None: every account), oldest first."""
    orders = [o for o in book.orders() if o.is_working and account in (None, o.account_id)]
    return sorted(
        orders, key=lambda o: (o.opened_date_time is None, o.opened_date_time, o.order_id)
    )


CancelScope = Literal["group", "parent"]


class CancelParentScreen(PacedFrames, ModalScreen[CancelScope | None]):
    """Cancel a parent order: with its working children ("group"), alone ("parent"), or not
    at all (None). Keys: g group, p parent only, n / Escape keep."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "answer('group')", "Parent and children", id="cancel_group.all"),
        Binding("p", "answer('parent')", "Parent only", id="cancel_group.parent"),
        Binding("n,escape", "answer('')", "Keep", id="cancel_group.keep"),
    ]

    def __init__(self, order: Order, children: Sequence[Order], env: str) -> None:
        super().__init__()
        self.order, self.linked, self.env = order, tuple(children), env

    def compose(self) -> ComposeResult:
        count = len(self.linked)
        noun = "child" if count == 1 else "children"
        lines = [
            f"Cancel {order_line(self.order)}?",
            f"Filled so far: {_num(self.order.filled_quantity)}.",
            f"It has {count} working {noun} (OSO):",
            *(f"  {order_line(child)}" for child in self.linked[:6]),
        ]
        if count > 6:
            lines.append(f"  ... and {count - 6} more")
        with Vertical(classes="confirm-box -danger"):
            # order lines quote server text: literal, never markup
            yield Label(f"Cancel parent order - {self.env.upper()}", classes="confirm-title")
            yield Static(plain_lines("\n".join(lines)))
            with Horizontal(classes="confirm-buttons"):
                yield Button("Keep (n)", id="keep")
                yield Button("Parent only (p)", id="parent", variant="warning")
                yield Button(f"Parent + {count} {noun} (g)", id="group", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_answer(self, scope: str) -> None:
        self.dismiss("group" if scope == "group" else "parent" if scope == "parent" else None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or "")


def send_cancels(app: App[Any], trading: TradingService, orders: Sequence[Order]) -> None:
    """Cancel exactly ``orders`` (already confirmed, or one-key under ``hotkeys-send``)."""

    async def send() -> None:
        for outcome in await trading.cancel_all(orders):
            text = f"{outcome.order_id}: {outcome.message}"
            ok = outcome.kind == "sent"
            app.notify(text, severity="information" if ok else "warning", timeout=5)

    app.run_worker(send(), group="trading-cancel", name="cancel orders", exit_on_error=False)


def request_cancel(app: App[Any], trading: TradingService, orders: Sequence[Order]) -> None:
    """Ask (one order: its details; a parent: also about its working children; several: the
    count), then cancel exactly those orders.

    The list is fixed when the dialog opens; each outcome is shown as a notification.
    """
    working = [o for o in orders if o.is_working]
    if not working:
        app.notify("No working orders to cancel.", timeout=3)
        return
    env = trading.env
    if len(working) == 1:
        parent = working[0]
        children = [
            o for o in trading.context.order_book.linked_children(parent.order_id) if o.is_working
        ]
        if children:

            def scoped(scope: CancelScope | None) -> None:
                if scope is not None:
                    # the parent first: once its exits are gone, no more of the entry may fill
                    chosen = [parent, *children] if scope == "group" else [parent]
                    send_cancels(app, trading, chosen)

            app.push_screen(CancelParentScreen(parent, children, env), scoped)
            return
    confirm = (
        cancel_confirm(working[0], env) if len(working) == 1 else cancel_all_confirm(working, env)
    )

    def answered(ok: bool | None) -> None:
        if ok:
            send_cancels(app, trading, working)

    app.push_screen(confirm, answered)


def trade_action_of(order: Order) -> str:
    """The order's TradeAction from its first leg's BuyOrSell (Buy -> BUY, SellShort -> ...)."""
    return "".join(ch for ch in order.side.upper() if ch.isalnum())


def validate_replace(
    trading: TradingService,
    order: Order,
    quantity: str,
    limit_price: str,
    stop_price: str,
    info: SymbolInfo | None,
) -> tuple[ReplaceRequest | None, list[FieldError]]:
    """Ticket rules + risk limits for the order as it would be after the change."""
    fields = TicketFields(
        account=order.account_id or "",
        symbol=order.symbol,
        action=trade_action_of(order),
        quantity=quantity,
        order_type=order.order_type or "",
        limit_price=limit_price,
        stop_price=stop_price,
    )
    detail = info.detail if info is not None and info.symbol == order.symbol.upper() else None
    confirm_id = derived_order_confirm_id("replace", order.order_id)
    request, issues = parse_ticket(
        fields, detail, detail.asset_type if detail else None, order_confirm_id=confirm_id
    )
    issues = [i for i in issues if i.field not in ("duration", "expiration", "route")]
    if request is None:
        return None, issues
    if request.quantity <= order.filled_quantity:
        issues.append(
            FieldError("quantity", f"must be above the filled {_num(order.filled_quantity)}")
        )
    last = info.last if detail is not None and info is not None else None
    limits = risk_limits_for(trading.context.settings)
    point = detail.point_value if detail is not None else None
    # the position as it stands: a replace that only reduces it is never size-capped
    held = held_quantity(trading.context, request.account_id, request.symbol)
    issues += check_risk(
        request, last, point, limits, None, trading.clock(), position_quantity=held
    )
    new_qty = request.quantity if request.quantity != order.quantity else None
    limit = request.limit_price if request.limit_price != order.limit_price else None
    stop = request.stop_price if request.stop_price != order.stop_price else None
    if new_qty is None and limit is None and stop is None:
        issues.append(FieldError("order", "nothing changed"))
    if blocking(issues):
        return None, issues
    return ReplaceRequest(quantity=new_qty, limit_price=limit, stop_price=stop), issues


def describe_step(order: Order | None, step: SyncStep) -> str:
    """One step of keeping a bracket in step, as the confirmation lists it."""
    if step.change is None or order is None:
        what = f"Cancel {step.order_id}" + (f" ({order.symbol})" if order else "")
    else:
        what = describe_change(order, step.change)
    return f"{what}: {step.reason}"


def describe_change(order: Order, change: ReplaceRequest) -> str:
    parts = []
    for label, old, new in (
        ("Quantity", order.quantity, change.quantity),
        ("Limit", order.limit_price, change.limit_price),
        ("Stop", order.stop_price, change.stop_price),
    ):
        if new is not None:
            parts.append(f"{label} {_num(old)} -> {_num(new)}")
    return f"Replace {order.order_id} ({order.symbol}): " + ", ".join(parts)


class ReplaceOrderScreen(EarlyKeys, PacedFrames, ModalScreen[ReplaceRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="replace.close"),
        Binding("f5", "review", "Review", id="replace.review"),
        Binding("f8", "send", "Send", id="replace.send"),
    ]
    DEFAULT_CSS = """
    ReplaceOrderScreen { align: center middle; }
    ReplaceOrderScreen #replace-box { width: 72; height: auto; border: thick $primary;
                                      background: $surface; padding: 0 1; }
    ReplaceOrderScreen #replace-box.-live { border: thick $live-warning; }
    ReplaceOrderScreen .replace-row { height: 1; }
    ReplaceOrderScreen .replace-row Label { width: 10; color: $text-muted; }
    ReplaceOrderScreen .replace-row Input { width: 20; }
    ReplaceOrderScreen #replace-issues { color: $text-warning; height: auto; }
    ReplaceOrderScreen #replace-summary { height: auto; text-style: bold; }
    ReplaceOrderScreen .replace-buttons { height: auto; align: right middle; }
    ReplaceOrderScreen .replace-buttons Button { margin-left: 1; }
    ReplaceOrderScreen .-hidden { display: none; }
    """

    def __init__(self, trading: TradingService, order: Order, info: SymbolInfo | None) -> None:
        super().__init__()
        self.trading, self.order, self.info = trading, order, info
        self.reviewed: ReplaceRequest | None = None
        self.current: ReplaceRequest | None = None
        self.issues: list[FieldError] = []

    def compose(self) -> ComposeResult:
        live = self.trading.env == "live"
        order = self.order
        with Vertical(id="replace-box", classes="-live" if live else ""):
            yield Label(f"Replace order - {self.trading.env.upper()}", classes="confirm-title")
            yield Static(plain(order_line(order)))
            yield Horizontal(
                Label("Quantity"),
                QuantityInput(_num(order.quantity), id="quantity", compact=True),
                classes="replace-row",
            )
            for name, value in (
                ("limit_price", order.limit_price),
                ("stop_price", order.stop_price),
            ):
                yield Horizontal(
                    Label(FIELD_LABELS[name]),
                    PriceInput(_num(value), id=name, compact=True),
                    classes="replace-row" + ("" if value is not None else " -hidden"),
                )
            yield Static("", id="replace-issues")
            yield Checkbox("Override warnings", id="override", compact=True)
            yield Static("Review (F5) shows the change.", id="replace-summary")
            with Horizontal(classes="replace-buttons"):
                yield Button("Close (Esc)", id="cancel")
                yield Button("Review (F5)", id="review", variant="primary")
                yield Button("Send (F8)", id="send", variant="error", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#override", Checkbox).display = False
        quantity = self.query_one("#quantity", Input)
        quantity.focus()
        self.release_early_keys(quantity)

    def _values(self) -> tuple[str, str, str]:
        def text(widget_id: str, shown: bool) -> str:
            return self.query_one(f"#{widget_id}", Input).value if shown else ""

        return (
            text("quantity", True),
            text("limit_price", self.order.limit_price is not None),
            text("stop_price", self.order.stop_price is not None),
        )

    def _validate(self) -> None:
        self.current, self.issues = validate_replace(
            self.trading, self.order, *self._values(), self.info
        )

    def can_send(self) -> bool:
        if self.reviewed is None or self.current != self.reviewed:
            return False
        return not warnings_of(self.issues) or self.query_one("#override", Checkbox).value

    def _refresh(self) -> None:
        self.query_one("#send", Button).disabled = not self.can_send()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._validate()
        self._refresh()

    @on(StepInput.Step)
    def _stepped(self, event: StepInput.Step) -> None:
        widget = event.input
        if isinstance(widget, PriceInput):
            widget.value = step_price_text(widget.value, event.delta, self.info)
        else:
            widget.value = step_quantity_text(widget.value, event.delta)

    def action_review(self) -> None:
        self._validate()
        lines = [describe_issue(i) for i in self.issues]
        self.query_one("#replace-issues", Static).update(plain_lines("\n".join(lines)))
        self.query_one("#override", Checkbox).display = bool(warnings_of(self.issues))
        self.reviewed = self.current
        summary = describe_change(self.order, self.current) if self.current else "Not valid."
        self.query_one("#replace-summary", Static).update(plain_lines(summary))
        self._refresh()

    def action_send(self) -> None:
        if self.can_send():
            self.dismiss(self.reviewed)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#review")
    def _review_pressed(self) -> None:
        self.action_review()

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def _notify_outcomes(app: App[Any], outcomes: Sequence[ActionOutcome]) -> None:
    for outcome in outcomes:
        ok = outcome.kind == "sent"
        text = f"{outcome.order_id}: {outcome.message}"
        app.notify(text, severity="information" if ok else "warning", timeout=5)


async def run_replace(app: App[Any], trading: TradingService, order: Order) -> None:
    """The replace dialog for ``order``, then the change sent (from a worker: it waits on
    screens). One exit of a bracket takes its siblings along: every step listed, asked once,
    each sent once. Each outcome is shown as a notification."""
    info = await trading.load_symbol(order.symbol)
    change = await app.push_screen_wait(ReplaceOrderScreen(trading, order, info))
    if change is None:
        return
    current = trading.context.order_book.get(order.order_id) or order
    steps, issues = trading.bracket_steps(current, change)
    if issues:
        app.notify(
            "Not sent: " + "; ".join(f"{i.field}: {i.message}" for i in issues),
            severity="error",
            timeout=8,
        )
        return
    if not steps:
        _notify_outcomes(app, [await trading.replace(current, change)])
        return
    # A bracket leg: its siblings must follow, each step shown and confirmed once.
    book = trading.context.order_book
    lines = [describe_step(book.get(s.order_id), s) for s in steps]
    question = ConfirmScreen(
        "Keep the bracket in step",
        "This order is one exit of a bracket; to keep every exit closing what is open:\n"
        + "\n".join(lines),
        yes=f"Send {len(steps)} changes",
    )
    if await app.push_screen_wait(question):
        _notify_outcomes(app, await trading.apply_steps(steps))
