"""The order ticket's form: the fields, their options per asset type, tick/quantity stepping.

`TicketForm` only edits `TicketFields` and `BracketFields` (raw strings) and shows issues next
to the field they name; it sends nothing. The bracket section (hidden while "off") holds the
exits in ticks from the entry or as prices, a trailing stop, and the entry's activation rule;
`cycle_bracket()` steps off -> each config template -> custom -> off. The modal (`ticket.py`)
owns previews and placement and listens for `TicketForm.Edited`, posted after any change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, ClassVar, Literal, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from tstui.config import BracketTemplate
from tstui.domain.enums import EQUITY_ONLY_DURATIONS
from tstui.domain.market.ticks import increment_at, step
from tstui.domain.models import Account
from tstui.domain.orders import DURATIONS, ORDER_TYPES, actions_for, format_decimal
from tstui.domain.orders.advanced import PREDICATES, TRIGGER_KEYS
from tstui.domain.orders.ticket import FieldError, TicketFields
from tstui.domain.untrusted import safe_text
from tstui.ui.shell.plain import plain, plain_lines
from tstui.ui.trading.bracket import (
    BRACKET_FIELD_LABELS,
    BracketFields,
    BracketUnit,
    from_template,
)
from tstui.ui.trading.types import SymbolInfo
from tstui.ui.widgets.one_line_select import OneLineSelect
from tstui.ui.widgets.steady_input import SteadyInput
from tstui.ui.widgets.symbol_search import describe

__all__ = [
    "FIELD_LABELS",
    "QUANTITY_PRESETS",
    "OffsetInput",
    "PriceInput",
    "QuantityInput",
    "TicketForm",
    "action_for_side",
    "durations_for",
    "price_fields_for",
    "step_price_text",
    "step_quantity_text",
]

Side = Literal["buy", "sell"]
W = TypeVar("W", bound=Widget)
QUANTITY_PRESETS: tuple[str, ...] = ("1", "5", "10", "100")
FIELD_LABELS: dict[str, str] = {
    "account": "Account",
    "symbol": "Symbol",
    "action": "Action",
    "quantity": "Quantity",
    "order_type": "Type",
    "limit_price": "Limit",
    "stop_price": "Stop",
    "duration": "TIF",
    "expiration": "Expires",
    "route": "Route",
    "order": "Order",
    **BRACKET_FIELD_LABELS,
}
_NO_ROUTE = ""
BRACKET_OFF = "off"
SUGGEST_DEBOUNCE_S = 0.25  # a lookup once typing pauses, not one per key
SUGGEST_TOP = 4  # one line's worth
BRACKET_CUSTOM = "custom"
_NO_TRIGGER = ""
# What the trigger keys mean (the API's list: GET /v3/orderexecution/activationtriggers).
_TRIGGER_WORDS = {"STT": "last", "SBA": "bid/ask", "SAB": "ask/bid", "DTT": "2x last"}


# -- pure helpers -------------------------------------------------------------------------------


def action_for_side(side: Side, asset_type: str | None) -> str:
    """The opening trade action for buy/sell on this asset type (BUY / SELL / ...TOOPEN)."""
    kind = (asset_type or "").upper()
    if kind in ("STOCKOPTION", "INDEXOPTION"):
        return "BUYTOOPEN" if side == "buy" else "SELLTOOPEN"
    return "BUY" if side == "buy" else "SELL"


def durations_for(asset_type: str | None) -> tuple[str, ...]:
    kind = (asset_type or "").upper()
    if kind and kind != "STOCK":
        return tuple(d for d in DURATIONS if d not in EQUITY_ONLY_DURATIONS)
    return DURATIONS


def price_fields_for(order_type: str) -> tuple[bool, bool]:
    """(limit shown, stop shown) for an order type."""
    return order_type in ("Limit", "StopLimit"), order_type in ("StopMarket", "StopLimit")


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def step_price_text(text: str, ticks: int, info: SymbolInfo | None) -> str:
    """`text` moved by `ticks` of the symbol's tick; empty starts at last (snapped to the tick).

    Unparseable text is returned unchanged (the validator names the problem).
    """
    if text.strip():
        price = _decimal(text)
    else:
        price = info.last if info is not None else None
        ticks = 0
    if price is None:
        return text
    detail = info.detail if info is not None else None
    increment = increment_at(detail.price_format, price) if detail is not None else None
    return format_decimal(step(price, ticks, increment or Decimal("0.01")))


def step_quantity_text(text: str, delta: int) -> str:
    qty = _decimal(text) if text.strip() else Decimal(0)
    if qty is None:
        return text
    return format_decimal(max(Decimal(1), qty.to_integral_value() + delta))


# -- widgets ----------------------------------------------------------------------------------


class StepInput(SteadyInput):
    """An Input whose up/down keys post `Step` (the form decides what a step is)."""

    class Step(Message):
        def __init__(self, input: StepInput, delta: int) -> None:
            super().__init__()
            self.input = input
            self.delta = delta

    def action_step(self, delta: int) -> None:
        self.post_message(self.Step(self, delta))


class PriceInput(StepInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "step(1)", "Tick up", show=False, id="ticket.price_up"),
        Binding("down", "step(-1)", "Tick down", show=False, id="ticket.price_down"),
        Binding("pageup", "step(10)", "10 ticks up", show=False, id="ticket.price_up10"),
        Binding("pagedown", "step(-10)", "10 ticks down", show=False, id="ticket.price_down10"),
    ]


class OffsetInput(StepInput):
    """A bracket exit: whole ticks from the entry (up/down: one tick) or a price."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "step(1)", "One more", show=False, id="ticket.offset_up"),
        Binding("down", "step(-1)", "One less", show=False, id="ticket.offset_down"),
    ]


class QuantityInput(StepInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "step(1)", "More", show=False, id="ticket.qty_up"),
        Binding("down", "step(-1)", "Less", show=False, id="ticket.qty_down"),
    ]


class LabelledRow(Horizontal):
    """A row of fields that draws its label itself, in the cells its first field leaves free
    (one widget fewer per row than a Label: the ticket lays out and draws ten fewer at each
    opening)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"labelled-row--label"}
    DEFAULT_CSS = """
    LabelledRow > .labelled-row--label { color: $text-muted; }
    LabelledRow > .-first-field { margin-left: 10; }
    """

    def __init__(self, label: str, *widgets: Widget, id: str) -> None:
        # A class, not :first-child: Textual restyles the whole subtree of every widget that
        # an order rule can match, at each mount (~60 ms for a ticket built ahead).
        if widgets:
            widgets[0].add_class("-first-field")
        super().__init__(*widgets, classes="ticket-row", id=id)
        self.label = label

    def render(self) -> Text:
        colour = self.get_component_rich_style("labelled-row--label").color
        return Text(self.label, style=Style(color=colour), no_wrap=True, overflow="crop")


def _row(label: str, *widgets: Widget, row_id: str) -> LabelledRow:
    for widget in widgets:
        if isinstance(widget, Input):
            # What Textual's Input sets at its first value without validators (none here):
            # set from the start, a ticket's first fill restyles no field.
            widget.add_class("-valid", update=False)
    return LabelledRow(label, *widgets, id=row_id)


class TicketForm(Vertical):
    """The ticket's fields. `fields()` reads them, `load()` fills them, `Edited` on change."""

    DEFAULT_CSS = """
    TicketForm { height: auto; }
    TicketForm .ticket-row { height: 1; }
    TicketForm Input, TicketForm Select { width: 30; }
    TicketForm .preset, TicketForm .side { min-width: 5; margin-left: 1; }
    TicketForm #symbol-info { height: auto; color: $text-muted; margin: 0 0 0 10; }
    TicketForm #symbol-suggest { height: auto; color: $text-muted; margin: 0 0 0 10; }
    TicketForm #symbol-suggest.-empty { display: none; }
    TicketForm #symbol-suggest.-error { color: $error; }
    TicketForm #bracket_unit { width: 12; margin-left: 1; }
    TicketForm #row-bracket-exits OffsetInput { width: 10; }
    TicketForm Label.ticket-sublabel { width: auto; margin: 0 1; }
    TicketForm #activate_key { width: 16; }
    TicketForm #activate_predicate { width: 9; margin-left: 1; }
    TicketForm #activate_price { width: 12; margin-left: 1; }
    TicketForm #activate_time { width: 12; margin-left: 1; }
    TicketForm .-hidden { display: none; }
    /* a focused dropdown must stand out in every theme: the theme's own cursor colours */
    TicketForm Select:focus > SelectCurrent {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    TicketForm Input.-error, TicketForm Select.-error { border-left: outer $error; }
    TicketForm Input.-warning, TicketForm Select.-warning { border-left: outer $warning; }
    """

    class Edited(Message):
        """Some field changed (by the user or by `load`)."""

    def __init__(
        self,
        accounts: Sequence[Account],
        *,
        templates: Sequence[BracketTemplate] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._accounts = list(accounts)
        self.templates = {t.name: t for t in templates}
        self.info: SymbolInfo | None = None
        self._loading = False
        self._suggest_timer: Timer | None = None
        self._descendants: list[Widget] | None = None  # see _all_of
        self._options: dict[str, list[str]] = {
            "account": [a.account_id for a in self._accounts],
            "action": list(actions_for(None)),
            "order_type": list(ORDER_TYPES),
            "duration": list(DURATIONS),
            "route": [],
            "bracket_template": [BRACKET_OFF, *self.templates, BRACKET_CUSTOM],
            "bracket_unit": ["ticks", "price"],
            "activate_key": [_NO_TRIGGER, *TRIGGER_KEYS],
            "activate_predicate": list(PREDICATES),
        }
        self._new_options = {name: list(values) for name, values in self._options.items()}

    def compose(self) -> ComposeResult:
        # Option prompts are parsed as markup when they are a str: server ids go in as Text.
        accounts = [
            (plain(f"{a.account_id} {a.account_type or ''}".strip()), a.account_id)
            for a in self._accounts
        ]
        yield _row(
            "Account",
            OneLineSelect(accounts, allow_blank=not accounts, id="account", compact=True),
            row_id="row-account",
        )
        yield _row(
            "Symbol",
            SteadyInput(id="symbol", placeholder="MSFT, ESZ26", compact=True),
            row_id="row-symbol",
        )
        yield Static("", id="symbol-suggest", classes="-empty")
        yield Static("", id="symbol-info")
        actions = [(a, a) for a in actions_for(None)]
        yield _row(
            "Action",
            OneLineSelect(actions, allow_blank=False, id="action", compact=True),
            Button("Buy", id="side-buy", classes="side", compact=True),
            Button("Sell", id="side-sell", classes="side", compact=True),
            row_id="row-action",
        )
        presets = [
            Button(p, id=f"preset-{p}", classes="preset", compact=True) for p in QUANTITY_PRESETS
        ]
        yield _row(
            "Quantity", QuantityInput(id="quantity", compact=True), *presets, row_id="row-quantity"
        )
        types = [(t, t) for t in ORDER_TYPES]
        yield _row(
            "Type",
            OneLineSelect(types, allow_blank=False, id="order_type", compact=True),
            row_id="row-type",
        )
        yield _row("Limit", PriceInput(id="limit_price", compact=True), row_id="row-limit")
        yield _row(
            "Stop",
            PriceInput(id="stop_price", compact=True),
            Label("Trail", classes="ticket-sublabel", id="entry_trail_label"),
            OffsetInput(id="entry_trail", compact=True, placeholder="ticks or %"),
            row_id="row-stop",
        )
        tifs = [(d, d) for d in DURATIONS]
        yield _row(
            "TIF",
            OneLineSelect(tifs, allow_blank=False, id="duration", compact=True),
            SteadyInput(id="expiration", placeholder="YYYY-MM-DD", compact=True),
            row_id="row-tif",
        )
        yield _row(
            "Route",
            OneLineSelect([], prompt="default route", allow_blank=True, id="route", compact=True),
            row_id="row-route",
        )
        # Template names come from the user's config: literal text, never markup.
        choices = [BRACKET_OFF, *self.templates, BRACKET_CUSTOM]
        yield _row(
            "Bracket",
            OneLineSelect(
                [(plain(c), c) for c in choices],
                allow_blank=False,
                id="bracket_template",
                compact=True,
            ),
            OneLineSelect(
                [("ticks", "ticks"), ("price", "price")],
                allow_blank=False,
                id="bracket_unit",
                compact=True,
            ),
            row_id="row-bracket",
        )
        yield _row(
            "Target",
            OffsetInput(id="bracket_target", compact=True, placeholder="ticks"),
            Label("Stop loss", classes="ticket-sublabel"),
            OffsetInput(id="bracket_stop", compact=True, placeholder="ticks"),
            Label("Trail", classes="ticket-sublabel"),
            OffsetInput(id="bracket_trail", compact=True, placeholder="ticks or %"),
            row_id="row-bracket-exits",
        )
        triggers = [(plain("no condition"), _NO_TRIGGER)] + [
            (f"{key} {_TRIGGER_WORDS.get(key, '')}".strip(), key) for key in TRIGGER_KEYS
        ]
        yield _row(
            "Activate",
            OneLineSelect(triggers, allow_blank=False, id="activate_key", compact=True),
            OneLineSelect(
                [(p, p) for p in PREDICATES],
                allow_blank=False,
                id="activate_predicate",
                compact=True,
            ),
            SteadyInput(id="activate_price", placeholder="price", compact=True),
            SteadyInput(id="activate_time", placeholder="HH:MM UTC", compact=True),
            row_id="row-activate",
        )

    def on_mount(self) -> None:
        # a Select's own children are not all mounted yet: touch values after a refresh
        self.call_after_refresh(self._first_sync)

    def _first_sync(self) -> None:
        # removed before its first refresh (a ticket built ahead, closed with the app): no-op
        with contextlib.suppress(NoMatches):
            self._sync_visibility()

    def _all_of(self, kind: type[W]) -> list[W]:
        """The form's widgets of a type, in compose order. The form mounts and removes none
        after its compose: its descendants are listed by one walk, kept (a ticket is armed
        order after order; the issue marks had walked and matched every widget once per
        field name, 19 times, most of an arming). Single widgets are ``query_one``'s, which
        Textual caches."""
        if self._descendants is None:
            self._descendants = list(self.walk_children(Widget, with_self=False))
        return [widget for widget in self._descendants if isinstance(widget, kind)]

    # ---- reading and writing -------------------------------------------------------------
    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def _choice(self, widget_id: str) -> str:
        value = self.query_one(f"#{widget_id}", Select).value
        return "" if value is Select.NULL else str(value)

    def fields(self) -> TicketFields:
        order_type = self._choice("order_type")
        limit_shown, stop_shown = price_fields_for(order_type)
        duration = self._choice("duration")
        return TicketFields(
            account=self._choice("account"),
            symbol=self._text("symbol").strip().upper(),
            action=self._choice("action"),
            quantity=self._text("quantity"),
            order_type=order_type,
            limit_price=self._text("limit_price") if limit_shown else "",
            stop_price=self._text("stop_price") if stop_shown else "",
            duration=duration,
            route=self._choice("route"),
            expiration=self._text("expiration") if duration in ("GTD", "GDP") else "",
        )

    def bracket_fields(self) -> BracketFields:
        """The bracket section as typed (exits only when a template or custom is chosen)."""
        template = self._choice("bracket_template")
        unit: BracketUnit = "price" if self._choice("bracket_unit") == "price" else "ticks"
        return BracketFields(
            enabled=template not in ("", BRACKET_OFF),
            unit=unit,
            target=self._text("bracket_target"),
            stop=self._text("bracket_stop"),
            trail=self._text("bracket_trail"),
            entry_trail=(
                self._text("entry_trail") if self._choice("order_type") == "StopMarket" else ""
            ),
            template=template if template in self.templates else "",
            activate_key=self._choice("activate_key"),
            activate_predicate=self._choice("activate_predicate") or "Gte",
            activate_price=self._text("activate_price"),
            activate_time=self._text("activate_time"),
        )

    def load_bracket(self, bracket: BracketFields) -> None:
        """Fill the bracket section (a template's offsets, or a saved custom bracket)."""
        self._loading = True
        try:
            choice = bracket.template if bracket.template in self.templates else BRACKET_CUSTOM
            self._select("bracket_template", choice if bracket.enabled else BRACKET_OFF)
            self._select("bracket_unit", bracket.unit)
            for name in ("target", "stop", "trail"):
                self.query_one(f"#bracket_{name}", Input).value = getattr(bracket, name)
        finally:
            self._loading = False
        self._sync_visibility()
        self.post_message(self.Edited())

    def cycle_bracket(self) -> str:
        """off -> each template -> custom -> off; a template fills its offsets. Returns the
        new choice."""
        choices = [BRACKET_OFF, *self.templates, BRACKET_CUSTOM]
        current = self._choice("bracket_template") or BRACKET_OFF
        following = choices[(choices.index(current) + 1) % len(choices)]
        if following in self.templates:
            self.load_bracket(from_template(self.bracket_fields(), self.templates[following]))
        else:
            self.query_one("#bracket_template", Select).value = following
        return following

    def load(self, fields: TicketFields) -> None:
        """Every field as a new form with `fields` typed in: a blank string keeps the
        field's default, and what `fields` does not name (the bracket, the activation rule,
        the symbol's details, issue marks) is set back to the new form's. A field already
        holding its value is not set again (a ticket serves order after order, and one
        armed as the last was left repaints nothing)."""
        self._loading = True
        # Prefills come from rows the server sent; an Input shows its value raw, so escapes
        # and controls are made visible (a symbol holding them is refused, never hidden).
        text = partial(safe_text, limit=None)
        typed = {
            "symbol": fields.symbol.upper(),
            "quantity": fields.quantity,
            "limit_price": fields.limit_price,
            "stop_price": fields.stop_price,
            "expiration": fields.expiration,
        }
        chosen = {
            "account": fields.account,
            "action": fields.action.upper(),
            "order_type": fields.order_type,
            "duration": fields.duration.upper(),
            "route": fields.route,
        }
        try:
            self.stop_suggestions()
            self.info = None
            self.show_symbol(None)
            self.show_issues(())
            self.set_presets([int(p) for p in QUANTITY_PRESETS])
            for widget_id, options in self._new_options.items():
                value = chosen.get(widget_id, "")
                wanted = [*options, value] if widget_id == "route" and value else options
                if self._options[widget_id] != wanted:
                    # only the lists a symbol restricts (action, TIF) or routes fill change,
                    # and their options are their values
                    self._set_options(widget_id, wanted)
                choice = value if value and value in wanted else self._new_choice(widget_id)
                select = self.query_one(f"#{widget_id}", Select)
                if select.value != choice:
                    select.value = choice
            for widget in self._all_of(Input):
                value = text(typed.get(widget.id or "", ""))
                if widget.value != value:
                    widget.value = value
                widget.cursor_position = len(value)  # as typed (no selection)
        finally:
            self._loading = False
        self._sync_visibility()
        self.post_message(self.Edited())

    def _new_choice(self, widget_id: str) -> object:
        """A new form's choice: its first option (the route: none, the default route)."""
        options = self._new_options[widget_id]
        return options[0] if options and widget_id != "route" else Select.NULL

    def stop_suggestions(self) -> None:
        """No symbol lookup runs on (the form is closed or loaded anew)."""
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
            self._suggest_timer = None
        self.workers.cancel_group(self, "ticket-suggest")
        self.show_suggestions("")

    def _select(self, widget_id: str, value: str, *, add: bool = False) -> None:
        options = self._options.get(widget_id, [])
        if value not in options:
            if not add:
                return
            self._set_options(widget_id, [*options, value])
        self.query_one(f"#{widget_id}", Select).value = value

    def _set_options(self, widget_id: str, values: Sequence[str]) -> None:
        self._options[widget_id] = list(values)
        self.query_one(f"#{widget_id}", Select).set_options([(plain(v), v) for v in values])

    def set_side(self, side: Side) -> None:
        asset_type = self.info.asset_type if self.info is not None else None
        self._select("action", action_for_side(side, asset_type))

    def set_presets(self, quantities: Sequence[int]) -> None:
        """The quantity buttons show the asset class's presets ([trading.presets])."""
        presets = (button for button in self._all_of(Button) if button.has_class("preset"))
        for index, button in enumerate(presets):
            shown = index < len(quantities)
            button.display = shown
            if shown and str(button.label) != str(quantities[index]):
                button.label = str(quantities[index])

    def set_account(self, account_id: str) -> None:
        self._select("account", account_id)

    def set_text(self, widget_id: str, value: str) -> None:
        """Fill one text field as if typed (the modal hears `Edited`)."""
        widget = self.query_one(f"#{widget_id}", Input)
        widget.value = value
        widget.cursor_position = len(value)

    def cycle_choice(self, widget_id: str) -> str:
        """Step a dropdown to its next option (F4 order type, F7 time in force)."""
        options = self._options.get(widget_id) or []
        if not options:
            return ""
        current = self._choice(widget_id)
        following = (
            options[(options.index(current) + 1) % len(options)]
            if current in options
            else options[0]
        )
        self.query_one(f"#{widget_id}", Select).value = following
        return following

    def set_routes(self, route_ids: Iterable[str]) -> None:
        current = self._choice("route")
        ids = list(dict.fromkeys([*route_ids, *([current] if current else [])]))
        self._set_options("route", ids)
        if current:
            self.query_one("#route", Select).value = current

    def set_symbol_info(self, info: SymbolInfo | None) -> None:
        """Show the symbol's details and restrict actions / TIFs to its asset type."""
        self.show_symbol(info)
        asset_type = info.asset_type if info is not None else None
        self._restrict("action", actions_for(asset_type), _same_direction)
        self._restrict("duration", durations_for(asset_type), lambda _old, new: new[0])

    def show_symbol(self, info: SymbolInfo | None) -> None:
        """The symbol's details and its latest quote (the modal repaints it as quotes come)."""
        self.info = info
        # The description and exchange are server text: literal, never markup.
        line = self.query_one("#symbol-info", Static)
        if info is not None or str(line.content):
            line.update(plain_lines(info.describe() if info else ""))

    def _restrict(self, widget_id: str, allowed: Sequence[str], fallback: Any) -> None:
        current = self._choice(widget_id)
        self._set_options(widget_id, allowed)
        value = current if current in allowed else fallback(current, allowed)
        self.query_one(f"#{widget_id}", Select).value = value

    # ---- issues --------------------------------------------------------------------------
    def show_issues(self, issues: Sequence[FieldError]) -> None:
        """Mark each field that an issue names (errors win over warnings)."""
        marks: dict[str, str] = {}
        for issue in issues:
            if marks.get(issue.field) != "-error":
                marks[issue.field] = "-error" if issue.severity == "error" else "-warning"
        for widget in self._all_of(Widget):
            name = widget.id or ""
            if name in FIELD_LABELS:
                widget.set_class(marks.get(name) == "-error", "-error")
                widget.set_class(marks.get(name) == "-warning", "-warning")

    # ---- events --------------------------------------------------------------------------
    def _sync_visibility(self) -> None:
        limit_shown, stop_shown = price_fields_for(self._choice("order_type"))
        self.query_one("#row-limit").set_class(not limit_shown, "-hidden")
        self.query_one("#row-stop").set_class(not stop_shown, "-hidden")
        trails = self._choice("order_type") == "StopMarket"  # only a stop market can trail
        for name in ("entry_trail", "entry_trail_label"):
            self.query_one(f"#{name}").set_class(not trails, "-hidden")
        gtd = self._choice("duration") in ("GTD", "GDP")
        self.query_one("#expiration").set_class(not gtd, "-hidden")
        bracket = self._choice("bracket_template") not in ("", BRACKET_OFF)
        self.query_one("#row-bracket-exits").set_class(not bracket, "-hidden")
        self.query_one("#bracket_unit").set_class(not bracket, "-hidden")
        ticks = self._choice("bracket_unit") != "price"
        for name in ("bracket_target", "bracket_stop"):
            self.query_one(f"#{name}", Input).placeholder = "ticks" if ticks else "price"

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        if isinstance(event, Input.Changed) and not self._loading:
            self._edited_offsets(event.input.id or "")
            if event.input.id == "symbol" and event.input.has_focus:
                self._schedule_suggestions(event.value.strip())
        self._sync_visibility()
        if not self._loading:
            self.post_message(self.Edited())

    # ---- symbol search as you type (TradeStation's v2 suggest) --------------------------
    def _schedule_suggestions(self, text: str) -> None:
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        if not text:
            self.show_suggestions("")
            return
        self._suggest_timer = self.set_timer(SUGGEST_DEBOUNCE_S, partial(self._suggest, text))

    def _suggest(self, text: str) -> None:
        self._suggest_timer = None
        self.run_worker(
            self._fetch_suggestions(text),
            group="ticket-suggest",
            exclusive=True,
            exit_on_error=False,
        )

    async def _fetch_suggestions(self, text: str) -> None:
        live = getattr(self.app, "live", None)
        if live is None or not getattr(live, "connected", False):
            return  # typed symbols are still checked when the ticket loads their details
        try:
            found = await live.api.suggest_symbols(text, top=SUGGEST_TOP)
        except Exception as exc:  # a failed lookup is a line of text, never a crash
            self.show_suggestions(f"search failed: {exc}", error=True)
            return
        if text != self._text("symbol").strip():
            return  # typed on meanwhile: the newer text's lookup follows
        if not found:
            self.show_suggestions(f"No symbol matches {safe_text(text, limit=40)!r}", error=True)
            return
        self.show_suggestions("  ·  ".join(describe(match) for match in found))

    def show_suggestions(self, text: str, *, error: bool = False) -> None:
        """The suggestions line under Symbol (server text: literal, made safe)."""
        line = self.query_one("#symbol-suggest", Static)
        if text or str(line.content):
            line.update(plain(text, limit=200))
        line.set_class(not text, "-empty")
        line.set_class(error, "-error")

    @on(StepInput.Step)
    def _stepped(self, event: StepInput.Step) -> None:
        event.stop()
        widget = event.input
        if isinstance(widget, OffsetInput):
            widget.value = self._step_offset(widget, event.delta)
        elif isinstance(widget, PriceInput):
            widget.value = step_price_text(widget.value, event.delta, self.info)
        else:
            widget.value = step_quantity_text(widget.value, event.delta)
        widget.cursor_position = len(widget.value)

    def _edited_offsets(self, widget_id: str) -> None:
        """A template's offset edited by hand: the bracket is now a custom one."""
        name = self._choice("bracket_template")
        template = self.templates.get(name)
        if template is None or not widget_id.startswith("bracket_"):
            return
        if from_template(self.bracket_fields(), template) != self.bracket_fields():
            self.query_one("#bracket_template", Select).value = BRACKET_CUSTOM

    def _step_offset(self, widget: OffsetInput, delta: int) -> str:
        text = widget.value
        trail = widget.id in ("bracket_trail", "entry_trail")
        if not trail and self._choice("bracket_unit") == "price":
            return step_price_text(text, delta, self.info)
        if text.strip().endswith("%"):
            return text  # a percentage trail is typed, not stepped
        return step_quantity_text(text, delta)  # whole ticks, at least 1

    @on(Button.Pressed, ".preset")
    def _preset(self, event: Button.Pressed) -> None:
        event.stop()
        self.query_one("#quantity", Input).value = str(event.button.label)

    @on(Button.Pressed, ".side")
    def _side(self, event: Button.Pressed) -> None:
        event.stop()
        self.set_side("buy" if event.button.id == "side-buy" else "sell")


def _same_direction(old: str, allowed: Sequence[str]) -> str:
    """Keep the direction when the asset type changes the action list (BUY -> BUYTOOPEN)."""
    want = "BUY" if old.startswith("BUY") or not old else "SELL"
    for action in allowed:
        if action.startswith(want):
            return action
    return allowed[0]
