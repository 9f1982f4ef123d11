"""Automated roll: the running app rolls the roots listed in ``[roll] auto_roots``.

Off unless a root is listed; never in LIVE unless ``[roll] allow_live = true``. A check runs
every ``check_interval_s`` and whenever the market date changes (seen in streamed data), uses
the same journaled state machine as the CLI and announces each step. Checks never overlap
(one at a time in-process, plus the journal's file lock against a CLI run), and a roll is run
once: the journal knows a finished roll, and so does this object.

The roll's machinery (the journal, the broker, the state machine) loads at the first check
that has a root to roll: attaching the roller, as every connect does, imports none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from textual.app import App

    from tstui.client.api import TradeStationAPI
    from tstui.client.roll_broker import AuditJournal
    from tstui.config import Settings
    from tstui.domain.roll import RollOutcome, RollRunnerSettings
    from tstui.ui.session.live import LiveData

__all__ = ["DATE_POLL_S", "AutoRoller", "attach_auto_roller", "journal_for"]

DATE_POLL_S = 5.0
Severity = Literal["information", "warning", "error"]
Announce = Callable[[str, Severity], None]


def journal_for(settings: Settings) -> AuditJournal:
    """The roll journal of this environment and API base (the audit log)."""
    from tstui.client.roll_broker import AuditJournal

    return AuditJournal.in_dir(
        settings.state_dir, env=settings.env, scope=settings.endpoints.api_base
    )


class AutoRoller:
    def __init__(
        self,
        settings: Callable[[], Settings],
        api: Callable[[], TradeStationAPI],
        *,
        announce: Announce,
        market_date: Callable[[], date | None] | None = None,
        runner_settings: RollRunnerSettings | None = None,
    ) -> None:
        self._settings = settings
        self._api = api
        self._announce = announce
        self._market_date = market_date
        # None: the runner polls every half second (see _check)
        self.runner_settings = runner_settings
        self._busy = False
        self._last_date: date | None = None
        self._finished: set[str] = set()
        self._told_blocked: set[str] = set()
        self.checks = 0  # checks that actually looked (tests, status)

    def disabled_reason(self) -> str | None:
        settings = self._settings()
        if not settings.roll.auto_roots:
            return "no [roll] auto_roots configured"
        if settings.env == "live" and not settings.roll.allow_live:
            return "LIVE needs [roll] allow_live = true"
        return None

    @property
    def enabled(self) -> bool:
        return self.disabled_reason() is None

    def market_date_changed(self) -> bool:
        """True when the market date moved since the last call (the first date seen counts)."""
        if self._market_date is None:
            return False
        current = self._market_date()
        if current is None or current == self._last_date:
            return False
        first = self._last_date is None
        self._last_date = current
        return not first

    async def check(self, reason: str = "timer") -> list[RollOutcome]:
        """Look once and roll what needs rolling; a check already running makes this a no-op."""
        if self._busy or not self.enabled:
            return []
        self._busy = True
        try:
            return await self._check(reason)
        except Exception as exc:  # never out of a timer: announce and try again next time
            self._announce(f"auto roll check failed: {exc}", "error")
            return []
        finally:
            self._busy = False

    async def _check(self, reason: str) -> list[RollOutcome]:
        from tstui.client.roll_broker import ApiRollBroker, prepare_rolls
        from tstui.domain.roll import RollRunner, RollRunnerSettings

        settings = self._settings()
        try:
            api = self._api()
        except RuntimeError:
            return []  # not connected
        journal = journal_for(settings)
        outcomes: list[RollOutcome] = []
        with journal.lock() as locked:
            if not locked:
                return []  # a CLI roll (or the review modal) is at work: next time
            self.checks += 1
            accounts = [
                a.account_id
                for a in await api.get_accounts()
                if (a.account_type or "").lower() == "futures"
            ]
            roots = list(settings.roll.auto_roots)
            work = await prepare_rolls(api, accounts, roots, journal.entries())
            for plan, previous in work.agenda.blocked:
                if plan.roll_id not in self._told_blocked:
                    self._told_blocked.add(plan.roll_id)
                    self._announce(
                        f"{plan.describe()}: not rolled automatically, an earlier roll stopped "
                        f"({previous.stop_message})",
                        "warning",
                    )
            plans = [p.plan for p in work.agenda.resume if p.plan is not None]
            plans += list(work.agenda.start)
            broker = ApiRollBroker(api, known_order_ids=work.known_order_ids)
            for plan in plans:
                if plan.roll_id in self._finished:
                    continue
                self._announce(f"auto roll ({reason}): {plan.describe()}", "information")
                runner = RollRunner(
                    broker,
                    journal,
                    plan,
                    settings=self.runner_settings or RollRunnerSettings(poll_interval_s=0.5),
                    on_entry=self._on_entry,
                )
                outcome = await runner.run()
                outcomes.append(outcome)
                if outcome.done or outcome.stopped:
                    self._finished.add(plan.roll_id)
                self._announce(outcome.message, "information" if outcome.done else "error")
        return outcomes

    def _on_entry(self, entry: dict[str, Any]) -> None:
        from tstui.client.roll_broker import describe_entry

        line = describe_entry(entry)
        if line is not None:
            severity: Severity = "error" if entry.get("step") == "stop" else "information"
            self._announce(line, severity)


def _positions_date(live: LiveData) -> date | None:
    stamps = [p.timestamp for p in live.positions.values() if p.timestamp is not None]
    return max(stamps).date() if stamps else None


def attach_auto_roller(app: App[Any], live: LiveData) -> AutoRoller:
    """An AutoRoller on `live`, checked every ``check_interval_s`` and on a market date change
    (the newest position timestamp), announcing through notifications."""

    def announce(message: str, severity: Severity) -> None:
        app.notify(message, title="Auto roll", severity=severity)

    roller = AutoRoller(
        lambda: live.settings,
        lambda: live.api,
        announce=announce,
        market_date=lambda: _positions_date(live),
    )

    def run(reason: str) -> None:
        if roller.enabled:
            app.run_worker(roller.check(reason), group="roll-auto", exit_on_error=False)

    def on_date_poll() -> None:
        if roller.market_date_changed():
            run("market date changed")

    interval = max(1.0, live.settings.roll.check_interval_s)
    app.set_interval(interval, lambda: run("periodic check"))
    app.set_interval(min(DATE_POLL_S, interval), on_date_poll)
    app.call_later(run, "start")
    return roller
