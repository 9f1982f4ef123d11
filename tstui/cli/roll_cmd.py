"""`tstui roll`: roll futures positions to the front month, journaled step by step.

Interrupted rolls in the journal (the audit log) are resumed first; then every position held
in a contract before its root's front month (``@ROOT`` -> Underlying) is rolled: close the old
contract, wait for the fill, open the same quantity and direction in the new one, check the
positions. ``--dry-run`` prints the plan and both legs' previews and sends nothing; without
``--yes`` the command asks once. Exit 0 when every roll is done (or there is nothing to do),
1 when a roll stopped, is blocked, or still waits for a fill.

The plan lists the old contract's working orders (a GTC stop, a target): ``--working move``
cancels each before the close and places it in the new contract at the same distance from
the market once the new position is open; ``--working cancel`` cancels them; ``keep`` (the
default) leaves them and says so. ``--legs limit --offset-ticks N`` prices both legs N ticks
through the last price instead of sending market orders.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tstui.cli.common import ask, live_guard, open_session, wants_json
from tstui.domain.untrusted import safe_text
from tstui.output import dumps

if TYPE_CHECKING:
    from tstui.client.roll_broker import ApiRollBroker, AuditJournal, RollWork
    from tstui.client.session import Session
    from tstui.config import Settings
    from tstui.domain.roll import RollOutcome, RollPlan


def _say(text: str) -> None:
    """One human line; it can hold server text (a refusal, a symbol): made display-safe."""
    print(safe_text(text, limit=None), flush=True)


async def roll_accounts(session: Session, settings: Settings) -> list[str]:
    """`--account` (comma list) or the configured account, else every futures account."""
    if settings.account_id:
        return [a.strip() for a in settings.account_id.split(",") if a.strip()]
    accounts = await session.api.get_accounts()
    return [a.account_id for a in accounts if (a.account_type or "").lower() == "futures"]


def _roots(args: argparse.Namespace) -> list[str] | None:
    roots = [r.strip().upper().lstrip("@") for r in getattr(args, "root", None) or []]
    return [r for r in roots if r] or None


async def _print_previews(broker: ApiRollBroker, plans: Sequence[RollPlan]) -> bool:
    """Print each plan and its legs' previews; False when a preview was refused."""
    from tstui.domain.roll import LegPreview, dry_run
    from tstui.domain.roll.broker import plan_requests

    ok = True
    for plan in plans:
        _say(f"roll: {plan.describe()}")
        _show_working(plan)
        result = await dry_run(broker, plan)
        for leg, req in plan_requests(plan):
            preview = result.previews.get(leg)
            head = f"  {leg:<5} {req.trade_action} {req.quantity} {req.symbol} {req.order_type}"
            if isinstance(preview, LegPreview):
                extra = [preview.summary]
                if preview.estimated_price is not None:
                    extra.append(f"est. price {preview.estimated_price}")
                if preview.estimated_cost is not None:
                    extra.append(f"est. cost {preview.estimated_cost}")
                if preview.commission is not None:
                    extra.append(f"commission {preview.commission}")
                _say(f"{head}: " + ", ".join(extra))
            else:
                ok = False
                _say(f"{head}: PREVIEW REFUSED: {preview}")
    return ok


def _show_working(plan: RollPlan) -> None:
    for line in plan.describe_working():
        _say(f"  {line}")
    if any(w.action == "keep" for w in plan.working):
        _say("  (pass --working move or --working cancel to take them along)")


def _show_agenda(work: RollWork) -> None:
    for problem in work.problems:
        print(f"tstui: roll: {safe_text(problem)}", file=sys.stderr)
    for progress in work.agenda.resume:
        _say(f"resume: {progress.describe()}")
    for plan, previous in work.agenda.blocked:
        _say(
            f"blocked: {plan.describe()}: an earlier roll stopped after sending an order "
            f"({previous.stop_reason}: {previous.stop_message}); resolve it by hand"
        )


async def _run_all(
    broker: ApiRollBroker,
    journal: AuditJournal,
    work: RollWork,
    args: argparse.Namespace,
) -> list[RollOutcome]:
    from tstui.client.roll_broker import describe_entry
    from tstui.domain.roll import RollRunner, RollRunnerSettings

    settings = RollRunnerSettings(fill_timeout_s=float(args.fill_timeout), poll_interval_s=0.2)

    def on_entry(entry: dict[str, Any]) -> None:
        line = describe_entry(entry)
        if line and not wants_json(args):
            _say(f"  {line}")

    plans = [p.plan for p in work.agenda.resume if p.plan is not None]
    plans += list(work.agenda.start)
    outcomes: list[RollOutcome] = []
    for plan in plans:
        runner = RollRunner(broker, journal, plan, settings=settings, on_entry=on_entry)
        outcome = await runner.run()
        outcomes.append(outcome)
        if wants_json(args):
            print(
                dumps(
                    {
                        "roll_id": plan.roll_id,
                        "state": str(outcome.progress.state),
                        "done": outcome.done,
                        "message": outcome.message,
                    }
                )
            )
        elif outcome.done:
            _say(outcome.message)
        else:
            print(f"tstui: roll: {safe_text(outcome.message)}", file=sys.stderr)
    return outcomes


async def run_roll(settings: Settings, args: argparse.Namespace) -> int:
    from tstui.client.roll_broker import AuditJournal

    journal = AuditJournal.in_dir(
        settings.state_dir, env=settings.env, scope=settings.endpoints.api_base
    )
    with journal.lock() as locked:
        if not locked:
            print("tstui: roll: another roll is running with this journal", file=sys.stderr)
            return 1
        return await _roll(settings, args, journal)


async def _roll(settings: Settings, args: argparse.Namespace, journal: AuditJournal) -> int:
    from tstui.client.roll_broker import ApiRollBroker, prepare_rolls
    from tstui.domain.roll import LegStyle

    if args.offset_ticks < 0:
        raise ValueError("--offset-ticks: a number of ticks >= 0")
    style = LegStyle("Limit", args.offset_ticks) if args.legs == "limit" else LegStyle()

    async with open_session(settings) as session:
        api = session.api
        accounts = await roll_accounts(session, settings)
        if not accounts:
            print("tstui: roll: no futures account (pass --account)", file=sys.stderr)
            return 1
        retry = bool(args.retry)
        work = await prepare_rolls(
            api,
            accounts,
            _roots(args),
            journal.entries(),
            retry_stopped=retry,
            style=style,
            working_action=args.working,
        )
        broker = ApiRollBroker(api, known_order_ids=work.known_order_ids)
        _show_agenda(work)
        agenda = work.agenda
        if not agenda.resume and not agenda.start:
            if not agenda.blocked:
                _say("roll: nothing to roll")
            return 1 if agenda.blocked else 0
        if args.yes and not args.dry_run and not wants_json(args):
            for plan in agenda.start:
                _show_working(plan)
        if args.dry_run or not args.yes:  # with --yes the runner's own previews are shown
            previews_ok = await _print_previews(broker, agenda.start)
            if args.dry_run:
                _say("dry run: nothing was sent")
                return 0
            if not previews_ok:
                print("tstui: roll: a preview was refused; nothing was sent", file=sys.stderr)
                return 1
        if not live_guard(settings, args):
            print("tstui: roll: not sent", file=sys.stderr)
            return 1
        count = len(agenda.resume) + len(agenda.start)
        if not args.yes and not ask(f"Roll {count} position(s) now?"):
            print("tstui: roll: not sent", file=sys.stderr)
            return 1
        outcomes = await _run_all(broker, journal, work, args)
        if agenda.blocked or not all(o.done for o in outcomes):
            return 1
        return 0
