"""The app's own command palette entries: views, themes, environment, accounts, streams,
orders, config (the active screen adds its own; see :mod:`tstui.ui.shell.commands`)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from tstui.ui.shell.commands import PaletteCommand
from tstui.ui.shell.themes import display_name

if TYPE_CHECKING:
    from tstui.ui.shell.app import TstuiApp

VIEWS: dict[str, str] = {
    "overview": "overview",
    "positions": "positions",
    "orders": "orders",
    "chart": "chart",
}


def app_commands(app: TstuiApp) -> Iterator[PaletteCommand]:
    from tstui.ui.views.chart.screen import chart_commands

    def restart_streams() -> None:
        app.run_worker(app.live.restart_streams(), group="session", exit_on_error=False)

    def reconcile_now() -> None:
        app.run_worker(app.live.reconcile_orders(), group="reconcile-now", exit_on_error=False)

    for mode, label in VIEWS.items():
        yield PaletteCommand("view", label, partial(app.action_view, mode))
    yield PaletteCommand("view", "toggle API log", app.action_toggle_api_log)
    yield PaletteCommand("view", "help (key bindings)", app.action_help)
    for name in app.tstui_themes:
        yield PaletteCommand("theme", display_name(name), partial(setattr, app, "theme", name))
    target = "LIVE" if app.live.env == "sim" else "SIM"
    yield PaletteCommand("env", f"switch to {target}", app.action_toggle_env)
    yield PaletteCommand("account", "all accounts", app.action_all_accounts)
    for account in app.live.accounts:
        yield PaletteCommand(
            "account",
            f"{account.account_id} {account.account_type}",
            partial(app.select_account, account.account_id),
        )
    yield from chart_commands(app)
    yield PaletteCommand("streams", "restart", restart_streams)
    yield PaletteCommand("orders", "reconcile now", reconcile_now)
    yield PaletteCommand("order", "new", partial(app.action_ticket, "new"))
    yield PaletteCommand("order", "buy", partial(app.action_ticket, "buy"))
    yield PaletteCommand("order", "sell", partial(app.action_ticket, "sell"))
    yield PaletteCommand("order", "cancel all working", app.action_cancel_all_working)
    yield PaletteCommand("config", "reload", app.action_reload_config)
    yield PaletteCommand("app", "quit", app.action_quit)
