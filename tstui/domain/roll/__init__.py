"""Automated futures roll: planning, the journaled state machine and its runner (pure).

One import point for the CLI/TUI; the parts live in `plan` (what to roll),
`machine` (journal entries -> progress, the agenda), `broker` (the I/O Protocols),
`runner` (the async steps against a `RollBroker`) and `working` (the old contract's working
orders: move, cancel or keep; Market or Limit legs). Typical use::

    entries = journal.entries()
    plans = plan_rolls(positions, {"ES": "ESH27"}, finished_roll_ids=finished_roll_ids(entries))
    agenda = roll_agenda(plans, entries)
    for progress in agenda.resume:          # interrupted rolls first
        await RollRunner(broker, journal, progress.plan).run()
    for plan in agenda.start:
        await RollRunner(broker, journal, plan).run()
"""

from __future__ import annotations

from tstui.domain.roll.broker import (
    DryRun,
    LegNotSent,
    LegOutcomeUnknown,
    LegPreview,
    LegRejected,
    LegStatus,
    MemoryJournal,
    RollBroker,
    RollJournal,
    dry_run,
)
from tstui.domain.roll.machine import (
    ENTRY_KIND,
    RollAgenda,
    RollProgress,
    RollState,
    StopReason,
    advance,
    finished_roll_ids,
    journal_entry,
    resume_state,
    roll_agenda,
    roll_progresses,
)
from tstui.domain.roll.plan import (
    Direction,
    RollPlan,
    build_plan,
    is_later_contract,
    leg_confirm_id,
    plan_rolls,
    roll_id,
)
from tstui.domain.roll.runner import RollOutcome, RollRunner, RollRunnerSettings
from tstui.domain.roll.working import (
    WORKING_ACTIONS,
    LegStyle,
    WorkingAction,
    WorkingOrderPlan,
    plan_working_orders,
)

__all__ = [
    "ENTRY_KIND",
    "WORKING_ACTIONS",
    "Direction",
    "DryRun",
    "LegNotSent",
    "LegOutcomeUnknown",
    "LegPreview",
    "LegRejected",
    "LegStatus",
    "LegStyle",
    "MemoryJournal",
    "RollAgenda",
    "RollBroker",
    "RollJournal",
    "RollOutcome",
    "RollPlan",
    "RollProgress",
    "RollRunner",
    "RollRunnerSettings",
    "RollState",
    "StopReason",
    "WorkingAction",
    "WorkingOrderPlan",
    "advance",
    "build_plan",
    "dry_run",
    "finished_roll_ids",
    "is_later_contract",
    "journal_entry",
    "leg_confirm_id",
    "plan_rolls",
    "plan_working_orders",
    "resume_state",
    "roll_agenda",
    "roll_id",
    "roll_progresses",
]
