"""The TUI side of the futures roll: a review modal and the automated roller.

- `RollReviewScreen(plan, api, journal)`: both legs with their orderconfirm previews, the old
  contract's working orders with a choice (move them to the new contract at the same distance
  from the market, cancel them, keep them) and a choice of legs (Market, or Limit N ticks
  through the last price), a Roll button (LIVE asks for the typed word first), then the
  journaled state machine step by step in a log. Dismisses with the `RollOutcome` (None when
  cancelled before anything was sent). A resumed roll shows its journaled choices, fixed.
- `open_roll_review(app, live, position)`: plans the roll of one position (or resumes its
  interrupted roll) and pushes the modal; says why when there is nothing to roll.
- `AutoRoller` (in `tstui.ui.roll.auto`) runs the same state machine unattended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Log, Select, Static

from tstui.client.roll_broker import ApiRollBroker, AuditJournal, describe_entry, prepare_rolls
from tstui.domain.market import futures
from tstui.domain.orders import format_decimal
from tstui.domain.roll import (
    LegPreview,
    LegStyle,
    RollOutcome,
    RollPlan,
    RollRunner,
    RollRunnerSettings,
    WorkingAction,
    dry_run,
)
from tstui.domain.untrusted import safe_text
from tstui.ui.roll.auto import AutoRoller, attach_auto_roller, journal_for
from tstui.ui.shell.frame_pacer import PacedFrames
from tstui.ui.shell.plain import plain, plain_lines

if TYPE_CHECKING:
    from tstui.client.api import TradeStationAPI
    from tstui.domain.models import Position
    from tstui.ui.session.live import LiveData

__all__ = [
    "LEG_CHOICES",
    "WORKING_CHOICES",
    "AutoRoller",
    "RollReviewScreen",
    "attach_auto_roller",
    "leg_text",
    "open_roll_review",
    "working_text",
]

LEG_CHOICES: tuple[tuple[str, str], ...] = (
    ("Market", "market"),
    ("Limit, 2 ticks through last", "limit:2"),
    ("Limit, 4 ticks through last", "limit:4"),
    ("Limit, 8 ticks through last", "limit:8"),
)
WORKING_CHOICES: tuple[tuple[str, WorkingAction], ...] = (
    ("Move to the new contract", "move"),
    ("Cancel them", "cancel"),
    ("Keep them", "keep"),
)


def _leg_choices(plan: RollPlan, resume: bool) -> tuple[tuple[tuple[str, str], ...], str]:
    """The legs' options and the current one (a resumed Limit plan shows its own, fixed)."""
    if plan.close_leg.order_type != "Limit":
        return LEG_CHOICES, "market"
    if resume:
        return (*LEG_CHOICES, ("Limit (as planned)", "limit:planned")), "limit:planned"
    return LEG_CHOICES, "limit:2"


def working_text(plan: RollPlan) -> str:
    """The working orders of the old contract and what the roll does with each."""
    lines = plan.describe_working()
    if not lines:
        return f"No working orders in {plan.old_symbol}."
    return "\n".join(safe_text(line) for line in lines)


def leg_text(plan: RollPlan, leg: str, preview: LegPreview | str | None) -> str:
    req = plan.close_leg if leg == "close" else plan.open_leg
    head = (
        f"{leg.title():<6}{req.trade_action} {format_decimal(req.quantity)} "
        f"{safe_text(req.symbol)} {req.order_type} {req.duration}"
    )
    if preview is None:
        return f"{head}\n      previewing…"
    if isinstance(preview, str):
        return f"{head}\n      PREVIEW REFUSED: {safe_text(preview)}"
    parts = [safe_text(preview.summary)]
    if preview.estimated_price is not None:
        parts.append(f"est. price {preview.estimated_price}")
    if preview.estimated_cost is not None:
        parts.append(f"est. cost {preview.estimated_cost}")
    if preview.commission is not None:
        parts.append(f"commission {preview.commission}")
    return f"{head}\n      " + " · ".join(parts)


class RollReviewScreen(PacedFrames, ModalScreen[RollOutcome | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="roll.close"),
        Binding("f8", "go", "Roll", id="roll.go"),
    ]
    DEFAULT_CSS = """
    RollReviewScreen { align: center middle; }
    #roll-box { width: 90; max-width: 98%; height: auto; max-height: 100%;
                border: thick $primary; background: $surface; padding: 0 1; }
    #roll-box.-live { border: thick $error; }
    #roll-body { height: auto; max-height: 1fr; }
    #roll-title { text-style: bold; margin-bottom: 1; }
    .roll-leg { margin-bottom: 1; }
    #roll-choices { height: auto; margin-bottom: 1; }
    #roll-choices Select { width: 1fr; }
    #roll-working-list { margin-bottom: 1; }
    #roll-progress { height: 8; border: round $panel; }
    #roll-result { margin-top: 1; }
    #roll-result.-error { color: $error; }
    #roll-buttons { dock: bottom; height: 3; align: right middle; }
    #roll-buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        plan: RollPlan,
        api: TradeStationAPI,
        journal: AuditJournal,
        *,
        live_env: bool = False,
        resume: bool = False,
        settings: RollRunnerSettings | None = None,
        known_order_ids: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.plan = plan
        self.api = api
        self.journal = journal
        self.live_env = live_env
        self.resume = resume
        self.runner_settings = settings or RollRunnerSettings(poll_interval_s=0.25)
        # Orders of earlier rolls are never mistaken for this roll's lost placement.
        self.broker = ApiRollBroker(api, known_order_ids=known_order_ids)
        self.previews: dict[str, LegPreview | str] = {}
        self.running = False
        self.outcome: RollOutcome | None = None
        self.progress_lines: list[str] = []

    def compose(self) -> ComposeResult:
        p = self.plan
        title = f"Roll {p.direction} {format_decimal(p.quantity)} {p.old_symbol} → {p.new_symbol}"
        if self.resume:
            title += " (resume)"
        # The buttons are docked: at 80x24 the body scrolls, Cancel and Roll stay in view.
        with Vertical(id="roll-box", classes="-live" if self.live_env else ""):
            with Horizontal(id="roll-buttons"):
                yield Button("Cancel (Esc)", id="roll-cancel")
                yield Button("Roll (F8)", id="roll-go", variant="primary", disabled=True)
            with VerticalScroll(id="roll-body"):
                # Symbols, accounts and previews are server text: literal, never markup.
                heading = f"{title} · {p.account_id}" + (" · LIVE" if self.live_env else "")
                yield Label(plain(heading), id="roll-title")
                for leg in ("close", "open"):
                    text = plain_lines(leg_text(p, leg, None))
                    yield Static(text, id=f"leg-{leg}", classes="roll-leg")
                with Horizontal(id="roll-choices"):
                    leg_options, leg_value = _leg_choices(p, self.resume)
                    yield Select(
                        leg_options,
                        value=leg_value,
                        allow_blank=False,
                        id="roll-legs",
                        disabled=self.resume,
                    )
                    actions = {w.action for w in p.working}
                    yield Select(
                        WORKING_CHOICES,
                        value=actions.pop() if len(actions) == 1 else "keep",
                        allow_blank=False,
                        id="roll-working",
                        disabled=self.resume or not p.working,
                    )
                yield Static(plain_lines(working_text(p)), id="roll-working-list")
                yield Log(id="roll-progress", auto_scroll=True)
                yield Static("", id="roll-result")

    def on_mount(self) -> None:
        self.run_worker(self._load_previews(), group="roll-review", exit_on_error=False)

    @on(Select.Changed, "#roll-working")
    def _working_changed(self, event: Select.Changed) -> None:
        if self.running or self.outcome is not None or self.resume:
            return
        value = event.value
        if value in ("move", "cancel", "keep"):
            action: WorkingAction = value
            self.plan = self.plan.with_working_action(action)
            self.query_one("#roll-working-list", Static).update(
                plain_lines(working_text(self.plan))
            )
            # Moved orders are previewed too: preview again before Roll is possible.
            self.query_one("#roll-go", Button).disabled = True
            self.run_worker(self._load_previews(), group="roll-review", exit_on_error=False)

    @on(Select.Changed, "#roll-legs")
    def _legs_changed(self, event: Select.Changed) -> None:
        if self.running or self.outcome is not None or self.resume:
            return
        value = str(event.value)
        if not value.startswith(("market", "limit:")) or value == "limit:planned":
            return
        wanted = LegStyle() if value == "market" else LegStyle("Limit", int(value.split(":")[1]))
        if wanted.order_type == self.plan.close_leg.order_type == "Market":
            return
        self.query_one("#roll-go", Button).disabled = True
        self.run_worker(self._restyle(wanted), group="roll-review", exit_on_error=False)

    async def _restyle(self, style: LegStyle) -> None:
        """Price the legs anew (the last quotes of both contracts), then preview them again."""
        try:
            prices = {}
            if style.order_type == "Limit":
                quotes = await self.api.get_quotes([self.plan.old_symbol, self.plan.new_symbol])
                prices = {q.symbol.upper(): q.last for q in quotes.items if q.last is not None}
            self.plan = self.plan.with_leg_style(style, prices)
        except Exception as exc:
            self._result(f"cannot price the legs: {exc}", error=True)
            return
        self._result("")
        await self._load_previews()

    async def _load_previews(self) -> None:
        for leg in ("close", "open"):
            self.query_one(f"#leg-{leg}", Static).update(
                plain_lines(leg_text(self.plan, leg, None))
            )
        try:
            result = await dry_run(self.broker, self.plan)
        except Exception as exc:
            self._result(f"previews failed: {exc}", error=True)
            return
        self.previews = dict(result.previews)
        for leg in ("close", "open"):
            text = leg_text(self.plan, leg, self.previews.get(leg))
            self.query_one(f"#leg-{leg}", Static).update(plain_lines(text))
        ok = all(isinstance(v, LegPreview) for v in self.previews.values())
        self.query_one("#roll-go", Button).disabled = not ok
        if ok:
            self._result("")
            self.query_one("#roll-go", Button).focus()
        else:
            refused = [
                f"{name}: {value}"
                for name, value in self.previews.items()
                if isinstance(value, str)
            ]
            self._result(
                "a preview was refused: nothing can be sent (" + "; ".join(refused) + ")",
                error=True,
            )

    def _result(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#roll-result", Static)
        widget.update(plain_lines(text))
        widget.set_class(error, "-error")

    def _on_entry(self, entry: dict[str, Any]) -> None:
        line = describe_entry(entry)
        if line is None:
            return
        short = line.split(": ", 1)[-1]
        self.progress_lines.append(short)
        self.query_one("#roll-progress", Log).write_line(safe_text(short))

    @on(Button.Pressed, "#roll-go")
    def _go(self) -> None:
        self.action_go()

    def action_go(self) -> None:
        """Roll (F8): only once both previews came back clean (the button says so)."""
        if self.query_one("#roll-go", Button).disabled and not self.running:
            if self.outcome is None:
                why = "previews refused" if self.previews else "waiting for the previews"
                self.notify(f"Roll is not possible yet: {why}", severity="warning")
            return
        if self.running or self.outcome is not None:
            return
        if self.live_env:
            from tstui.ui.shell.confirm import TypedConfirmScreen

            kind = self.plan.close_leg.order_type.lower()
            moves = [w for w in self.plan.working if w.action in ("move", "cancel")]
            extra = f" and changes {len(moves)} working order(s)" if moves else ""
            message = f"{self.plan.describe()}\nThis sends two {kind} orders{extra} to LIVE."
            self.app.push_screen(
                TypedConfirmScreen("Roll in LIVE", message),
                lambda ok: self._start() if ok else None,
            )
            return
        self._start()

    def _start(self) -> None:
        self.running = True
        self.query_one("#roll-go", Button).disabled = True
        self.query_one("#roll-legs", Select).disabled = True
        self.query_one("#roll-working", Select).disabled = True
        self.query_one("#roll-cancel", Button).label = "Close (Esc)"
        self.run_worker(self._run(), group="roll-review", exit_on_error=False)

    async def _run(self) -> None:
        try:
            with self.journal.lock() as locked:
                if not locked:
                    self._result("another roll is running; try again shortly", error=True)
                    return
                runner = RollRunner(
                    self.broker,
                    self.journal,
                    self.plan,
                    settings=self.runner_settings,
                    on_entry=self._on_entry,
                )
                self.outcome = await runner.run()
            self._result(self.outcome.message, error=not self.outcome.done)
        except Exception as exc:  # never out of a worker: the journal says where it stopped
            self._result(f"roll interrupted: {exc}; run it again to resume", error=True)
        finally:
            self.running = False

    @on(Button.Pressed, "#roll-cancel")
    def _cancel(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.running:
            self.notify("the roll is running; wait for it to finish", severity="warning")
            return
        self.dismiss(self.outcome)


async def open_roll_review(
    app: App[Any], live: LiveData, position: Position | None
) -> RollReviewScreen | None:
    """Plan the roll of `position` (resuming its interrupted roll if any) and show the modal."""
    if position is None or not position.symbol or not position.account_id:
        app.notify("select a futures position to roll", severity="warning")
        return None
    try:
        root = futures.parse_contract(position.symbol).root
    except ValueError:
        app.notify(f"{position.symbol} is not a futures contract", severity="warning")
        return None
    try:
        api = live.api
        journal = journal_for(live.settings)
        # Working orders default to "move": a stop left in the old contract protects nothing
        # and could open a position; the modal lets the user cancel or keep them instead.
        work = await prepare_rolls(
            api, [position.account_id], [root], journal.entries(), working_action="move"
        )
    except Exception as exc:
        live.report_error("roll", exc)
        return None
    agenda, symbol = work.agenda, position.symbol.upper()
    resume = next((p.plan for p in agenda.resume if p.plan and p.plan.old_symbol == symbol), None)
    plan = resume or next((p for p in agenda.start if p.old_symbol == symbol), None)
    if plan is None:
        blocked = next((b for b in agenda.blocked if b[0].old_symbol == symbol), None)
        if blocked is not None:
            message = f"an earlier roll stopped: {blocked[1].stop_message}; resolve it by hand"
        elif work.problems:
            message = "; ".join(work.problems)
        else:
            front = work.fronts.get(root, "?")
            message = f"{symbol} needs no roll (front month {front})"
        app.notify(message, title="Roll", severity="warning")
        return None
    screen = RollReviewScreen(
        plan,
        api,
        journal,
        live_env=live.env == "live",
        resume=resume is not None,
        known_order_ids=work.known_order_ids,
    )
    app.push_screen(screen)
    return screen
