"""SIM <-> LIVE: the typed confirmation, the switch itself, and its audit entry.

A mixin of :class:`tstui.ui.shell.app.TstuiApp`. Going LIVE needs the word LIVE typed; going back
to SIM a plain yes. The switch closes the session, opens one on the other base (tokens are
kept per environment) and restarts every stream; a missing login shows the login screen.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from tstui.config import Environment
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.confirm import ConfirmScreen, TypedConfirmScreen

if TYPE_CHECKING:
    from textual.app import App

    from tstui.config import Settings
    from tstui.ui.session.live import LiveData

    _AppBase = App[Any]
else:
    _AppBase = object


class EnvSwitching(_AppBase):
    live: LiveData
    settings: Settings
    demo: bool

    if TYPE_CHECKING:

        def _show_login(self, reason: str, previous_env: Environment | None) -> None: ...

        def _after_connect(self) -> None: ...

        def _stop_session_work(self) -> None: ...

    def action_toggle_env(self) -> None:
        if not isinstance(self.screen, BaseScreen):
            # e.g. the palette over an open order ticket: the ticket would keep its SIM look
            # (and SIM accounts) while its next preview and Place went to LIVE.
            self.notify("Close the open dialog before switching environment.", severity="warning")
            return
        target: Environment = "live" if self.live.env == "sim" else "sim"
        if target == "live":
            if self.demo and not self.settings.live_base_url:
                self.notify("The demo has no LIVE environment.", severity="warning")
                return
            api = self.live.settings.with_env("live").endpoints.api_base
            confirm: Screen[bool] = TypedConfirmScreen(
                "Switch to LIVE trading",
                f"Orders will go to your real accounts at {api}.",
                expected="LIVE",
            )
        else:
            confirm = ConfirmScreen("Back to SIM", "Switch to the simulated environment?")
        self.push_screen(confirm, partial(self._env_confirmed, target))

    def _env_confirmed(self, target: Environment, ok: bool | None) -> None:
        if ok:
            self._start_env_switch(target, self.live.env)
        elif target == "live":
            self.notify("Stayed in SIM.", timeout=3)

    def _start_env_switch(self, target: Environment, previous: Environment | None) -> None:
        self.run_worker(
            self._switch_env(target, previous), group="session", exclusive=True, exit_on_error=False
        )

    async def _switch_env(self, target: Environment, previous: Environment | None) -> None:
        self.set_class(target == "live", "-live")
        self._audit_env(previous, target)
        self._stop_session_work()  # no view may use the old session after it closes
        try:
            await self.live.switch_env(target)
        except Exception as exc:
            self._show_login(str(exc) or type(exc).__name__, previous)
            return
        self._after_connect()

    def _audit_env(self, previous: Environment | None, target: Environment) -> None:
        try:
            from tstui.audit import AuditLog

            AuditLog.in_dir(self.settings.state_dir).append(
                "env_switch", env=target, payload={"from": previous or "", "to": target}
            )
        except Exception as exc:
            self.notify(f"audit log: {exc}", severity="warning")
