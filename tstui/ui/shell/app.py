"""The tstui Textual app: modes (overview / positions / orders / chart), env switching, login,
themes, keymap, the API log, the quit guard. Data lives in :class:`tstui.ui.session.live.LiveData`.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import AwaitMount

from tstui.client.errors import TradeStationError
from tstui.config import ConfigError, Environment, Settings, load_settings, save_user_choice
from tstui.ui.session.live import STREAMS as SESSION_STREAMS
from tstui.ui.session.live import LiveData
from tstui.ui.shell.base import BaseScreen
from tstui.ui.shell.commands import PaletteCommand, TstuiCommands
from tstui.ui.shell.confirm import ConfirmScreen, TypedConfirmScreen
from tstui.ui.shell.env_switch import EnvSwitching
from tstui.ui.shell.guard import AppGuard
from tstui.ui.shell.idle_gc import IdleCollector
from tstui.ui.shell.keymap import (
    binding_infos,
    invalid_keys,
    keymap_conflicts,
    owner_display,
    split_keymap,
)
from tstui.ui.shell.messages import AccountChanged, BooksChanged, EnvChanged
from tstui.ui.shell.themes import DEFAULT_THEME, TRADING_VARIABLES, display_name, load_themes
from tstui.ui.shell.workspace import Workspace, load_workspace, save_workspace
from tstui.ui.trading.actions import TICKET_MODULE, TradingActions
from tstui.ui.trading.hotkey_keys import HOTKEY_BINDINGS
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from textual.worker import Worker

    from tstui.client.session import Session
    from tstui.ui.shell.login import DemoLauncher

# The footer shows the view keys as one compact group ("123456789 Views"): one per key cut
# the footer at 80 and at 160 columns.
VIEWS = Binding.Group("Views", compact=True)

WORKSPACE_SAVE_S = 1.0
SESSION_FIELDS = (
    "env",
    "base_url",
    "live_base_url",
    "client_id",
    "client_secret",
    "redirect_uri",
    "scopes",
    "use_pkce",
    "account_id",
    "state_dir",
)
PALETTE_VIEWS = (
    "overview",
    "positions",
    "orders",
    "chart",
    "watchlist",
    "depth",
    "pnl",
    "options",
    "dashboard",
)


def _view(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, imported the first time the mode shows: startup pays for the overview
    only (the chart alone pulls in plotext)."""

    def make() -> Screen[Any]:
        return _styled_as_it_stands(
            cast("type[Screen[Any]]", getattr(importlib.import_module(module), name))()
        )

    return make


def _styled_as_it_stands(screen: Screen[Any]) -> Screen[Any]:
    """``screen`` marked as styled by the stylesheet as it stands. Textual re-parses the
    whole stylesheet (~10-25 ms) when a mode's new screen has a CSS count other than the
    app's, and a new screen's is always -1: only a theme change moves the app's count, and
    that comes with a re-parse of its own, which restyles every screen."""
    screen._css_update_count = screen.app._css_update_count  # private Textual API (8.2)
    return screen


# Imported by the first connect and what it fills (the order book, the overview's P&L, the
# start-up lookup of cut-off sends, the auto-roller and the alerts): loaded ahead, while the
# sign-in waits on the network, so that none of it sits between the connect and the first
# full screen. The ticket and the views load later (VIEW_MODULES).
AFTER_CONNECT_MODULES = (
    "tstui.domain.orders.book",
    "tstui.domain.portfolio.valuation",
    "tstui.client.intents",
    "tstui.ui.roll.auto",
    "tstui.ui.alerts.center",
)


# The ticket and the views a key opens first, and every model they show: loaded in a thread
# once the connect's streams are live (the first screen is full then), so that neither the
# first showing of a view (~15-60 ms the key waited for) nor the ticket built ahead a second
# after the connect imports them, and nothing of them stands between the connect and that
# screen.
VIEW_MODULES = (
    TICKET_MODULE,
    "tstui.domain.models",
    "tstui.ui.views.orders.screen",
    "tstui.ui.views.positions.screen",
    "tstui.ui.views.chart.screen",
    "tstui.ui.views.watchlist.screen",
)


# Built, hidden, once VIEW_MODULES are loaded: the first switch to one is then a switch to a
# built screen (no compose, and none of the 50 ms Textual holds frames for a new screen; the
# first switch to the blotter took 55-130 ms under load, later ones ~10).
BUILT_AHEAD = ("orders",)


def _load_views() -> None:
    from tstui.client.preload import preload

    preload(VIEW_MODULES)


def _load_client() -> None:
    """Import what signing in and connecting need (called in a thread after the first
    paint: see tstui.client.preload)."""
    from tstui.client.preload import SIGN_IN_MODULES, preload

    preload(SIGN_IN_MODULES)


def _load_after_connect() -> None:
    """What the connect and its callbacks import, loaded in a thread while the sign-in and
    the connect wait on the network."""
    from tstui.client.preload import CONNECT_MODULES, preload

    preload((*CONNECT_MODULES, *AFTER_CONNECT_MODULES))


def _overview() -> Screen[Any]:
    """The first screen (imported with the app, unlike the other views)."""
    return _styled_as_it_stands(OverviewScreen())


class TstuiApp(EnvSwitching, TradingActions, AppGuard, App[int]):
    TITLE = "tstui"
    # The overview is the first screen: header (SIM/LIVE), panels and status bar show at once
    # and fill in as the session opens; no interim screen, no mode switch at startup.
    DEFAULT_MODE = "overview"
    CSS_PATH = "tstui.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "overview": _overview,
        "positions": _view("tstui.ui.views.positions.screen", "PositionsScreen"),
        "orders": _view("tstui.ui.views.orders.screen", "BlotterScreen"),
        "chart": _view("tstui.ui.views.chart.screen", "ChartScreen"),
        "watchlist": _view("tstui.ui.views.watchlist.screen", "WatchlistScreen"),
        "depth": _view("tstui.ui.views.depth.screen", "DepthScreen"),
        "pnl": _view("tstui.ui.views.pnl.screen", "PnLScreen"),
        "options": _view("tstui.ui.views.options.screen", "OptionChainScreen"),
        "dashboard": _view("tstui.ui.views.dashboard.screen", "DashboardScreen"),
    }
    COMMANDS: ClassVar[set[Any]] = {*App.COMMANDS, TstuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding(
            "ctrl+p", "command_palette", "Palette", show=False, priority=True, id="app.palette"
        ),
        Binding("ctrl+e", "toggle_env", "SIM/LIVE", id="env.toggle"),
        Binding("a", "next_account", "Account", id="account.next"),
        Binding("A", "all_accounts", "All accts", show=False, id="account.all"),
        Binding("ctrl+l", "toggle_api_log", "API log", show=False, id="view.api_log"),
        Binding("ctrl+t", "next_theme", "Theme", show=False, id="theme.next"),
        Binding("ctrl+r", "reload_config", "Reload config", show=False, id="config.reload"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # the deliberate quit: no question (working orders stay working at the broker)
        Binding("ctrl+q", "quit_now", "Quit now", show=False, priority=True, id="app.quit_now"),
        Binding("C", "cancel_all", "Cancel all", show=False, id="order.cancel_all"),
        Binding("exclamation_mark", "new_alert", "Alert", show=False, id="alerts.new"),
        Binding("N", "alerts", "Alerts", show=False, id="alerts.panel"),
        # trading (TRADING helper): the order ticket from anywhere, prefilled by the screen
        Binding("o", "ticket('new')", "Order", id="order.new"),
        Binding("B", "ticket('buy')", "Buy", show=False, id="order.buy"),
        Binding("S", "ticket('sell')", "Sell", show=False, id="order.sell"),
        # one-key trading on the showing screen's trade_target() (board, ladder, positions)
        *HOTKEY_BINDINGS,
        # last: a narrow footer cuts the view keys, never the screen's own or help/quit
        Binding("1", "view('overview')", "Overview", group=VIEWS, id="view.overview"),
        Binding("2", "view('positions')", "Positions", group=VIEWS, id="view.positions"),
        Binding("3", "view('orders')", "Orders", group=VIEWS, id="view.orders"),
        Binding("4", "view('chart')", "Chart", group=VIEWS, id="view.chart"),
        Binding("5", "view('watchlist')", "Board", group=VIEWS, id="view.watchlist"),
        Binding("6", "view('depth')", "Depth", group=VIEWS, id="view.depth"),
        Binding("7", "view('pnl')", "P&L", group=VIEWS, id="view.pnl"),
        Binding("8", "view('options')", "Options", group=VIEWS, id="view.options"),
        Binding("9", "view('dashboard')", "Dashboard", group=VIEWS, id="view.dashboard"),
    ]
    _workspace_timer: Timer | None = None
    _workspace_saved: Workspace | None = None
    _switching_to_built = False  # set by switch_mode for the delay_update it calls
    SHELL_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "view",
            "toggle_env",
            "next_account",
            "all_accounts",
            "toggle_api_log",
            "cancel_all",
            "new_alert",
            "alerts",
        }
    )

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        demo_launcher: DemoLauncher | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self.demo_launcher = demo_launcher
        # Loads the views, then builds some; once per app (set: they are loading or loaded).
        self._views_ahead: Worker[None] | None = None
        self.api_log_shown = False
        self.idle_gc = IdleCollector(self)  # full GC passes wait for a pause in the keys
        self.live = LiveData(
            self,
            settings,
            on_books=self._deliver_books,
            on_error=self._on_error,
            on_login_required=self._login_required,
        )
        self.live.on_first_connect(self._attach_auto_roller)
        self.live.on_first_connect(self._attach_alerts)
        self.tstui_themes: list[str] = []
        self.load_problems: list[str] = []
        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
            self.tstui_themes.append(theme.name)
        if self.tstui_themes:
            # One list everywhere (Textual's theme picker, theme.next, the palette): the stock
            # themes lack the trading colours, and a pick of one would be saved to the config.
            for name in [n for n in self.available_themes if n not in self.tstui_themes]:
                self.unregister_theme(name)
        self.load_problems.extend(str(p) for p in problems)
        # Set before the first screen is styled: set at mount, it restyled the whole overview.
        self._theme_warning: str | None = None
        self._saved_theme = self._apply_first_theme(settings.theme)

    # ------------------------------------------------------------------ startup
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(TRADING_VARIABLES)

    def crash_state_dir(self) -> Path | None:
        live = getattr(self, "live", None)  # a crash can come before __init__ made it
        return live.settings.state_dir if live is not None else None

    def crash_settings(self) -> Settings | None:
        live = getattr(self, "live", None)
        return live.settings if live is not None else None

    def on_mount(self) -> None:
        self.idle_gc.start()
        self._apply_keymap(self.settings)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for problem in self.load_problems:
            self.notify(problem, title="Theme file skipped", severity="warning", timeout=10)
        self._notify_theme_warning()
        self.set_class(self.live.env == "live", "-live")
        self._restore_workspace()
        self.run_worker(self._startup(), group="session", exclusive=True, exit_on_error=False)

    # ------------------------------------------------------------------ workspace
    def _restore_workspace(self) -> None:
        """The view and linked symbol of the last run (the overview paints first either way)."""
        saved = load_workspace(self.settings.state_dir, self.MODES)
        self._workspace = self._workspace_saved = saved
        self.live.current_symbol = saved.symbol
        self.live.changed.subscribe(self, self._remember_symbol)
        self.live.changed.subscribe(self, self._load_views_once_live)
        if saved.view != self.DEFAULT_MODE:
            self.call_after_refresh(self.switch_mode, saved.view)

    def _remember_symbol(self, what: str) -> None:
        if what == "symbol":
            self._remember(symbol=self.live.current_symbol)

    def _remember(self, **changes: str | None) -> None:
        current = getattr(self, "_workspace", Workspace())
        updated = Workspace(
            view=str(changes.get("view", current.view)),
            symbol=changes.get("symbol", current.symbol),
        )
        if updated != current:
            self._workspace = updated
            # written a moment later, once: a cursor running down a list links a symbol a
            # row, and a file written at each key cost ~2 ms of it
            if self._workspace_timer is None:
                self._workspace_timer = self.set_timer(WORKSPACE_SAVE_S, self._save_workspace)

    def _save_workspace(self) -> None:
        self._workspace_timer = None
        if self._workspace != self._workspace_saved:
            save_workspace(self.settings.state_dir, self._workspace)
            self._workspace_saved = self._workspace

    def switch_mode(self, mode: str) -> AwaitMount:
        """Every way into a view (keys, palette, a row's chart) is remembered for next run.

        A view already built is drawn in the key's next frame: Textual holds every frame for
        50 ms after a switch (``delay_update``) to hide a screen still composing, and a built
        one is composed and styled (50 of the ~60 ms a switch to the blotter took)."""
        self._switching_to_built = mode in self._screen_stacks  # private Textual API (8.2)
        try:
            done = super().switch_mode(mode)
        finally:
            self._switching_to_built = False
        self._remember(view=mode)
        return done

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._switching_to_built:
            super().delay_update(delay)

    def _apply_theme(self, name: str) -> str:
        """Show the configured theme (or the default, with a warning for later); its name."""
        name = self._known_theme(name)
        self.theme = name
        return name

    def _apply_first_theme(self, name: str) -> str:
        """``_apply_theme`` before anything is styled. Set through ``self.theme``, the watcher
        re-parsed the whole stylesheet twice on the way to the first paint (the app's CSS,
        then all of it again for the first screen: ~25 ms each); with nothing parsed yet,
        the theme's variables and classes are all there is to set."""
        name = self._known_theme(name)
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        for old in [c for c in self.classes if c.startswith("-theme-")]:
            self.remove_class(old, update=False)
        self.add_class(f"-theme-{name}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.stylesheet.set_variables(self.get_css_variables())
        self._refresh_truecolor_filter(self.ansi_theme)
        return name

    def _known_theme(self, name: str) -> str:
        """``name``, or the default (with a warning for later) when no such theme exists."""
        if name not in self.available_themes:
            where = self.settings.config_file or "config"
            self._theme_warning = f"{where}: theme: unknown theme {name!r}; using {DEFAULT_THEME}"
            name = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        return name

    def _notify_theme_warning(self) -> None:
        if self._theme_warning:
            self.notify(self._theme_warning, severity="warning", timeout=10)
            self._theme_warning = None

    def _apply_keymap(self, settings: Settings) -> None:
        if not settings.keymap:  # the common case: no need to import every view to check ids
            self.set_keymap({})
            return
        known = binding_infos()
        valid, unknown = split_keymap(settings.keymap, known)
        where = settings.config_file or "config"
        for binding_id, problem in invalid_keys(valid).items():
            default = known[binding_id].key
            del valid[binding_id]  # a key Textual never reports would silence the binding
            self.notify(
                f"{where}: keymap.{binding_id}: {problem}; keeping the default {default!r}",
                title="Config",
                severity="warning",
                timeout=10,
            )
        self.set_keymap(valid)
        for conflict in keymap_conflicts(valid, known):
            self.notify(
                f"{where}: keymap.{conflict.binding_id}: {conflict.key!r} is also "
                f"{conflict.other_id} ({owner_display(conflict.other_owner)}); one of them "
                "will not answer (press ? for the keys in force)",
                title="Config",
                severity="warning",
                timeout=10,
            )
        for binding_id in unknown:
            self.notify(
                f"{where}: keymap.{binding_id}: unknown binding id (press ? for the list)",
                title="Config",
                severity="warning",
                timeout=10,
            )

    async def _startup(self) -> None:
        # Here the overview is laid out (this runs after on_mount). The client (httpx and all,
        # ~50 ms) loads in a thread, so the screen keeps answering, while the demo's
        # simulators finish booting (their URLs come at once: a request waits in the
        # backlog of their listening sockets).
        if self.demo and self.demo_launcher is not None:  # the simulators boot beside the UI
            try:
                launched = await asyncio.to_thread(self.demo_launcher)
            except Exception as exc:
                # Nothing to connect to: the login screen says why, its Demo button retries.
                self.demo = False
                self._on_error(f"demo: {exc}")
                self._show_login(str(exc) or type(exc).__name__, None)
                return
            self.settings = self.live.settings = launched
        await asyncio.to_thread(_load_client)
        threading.Thread(target=_load_after_connect, name="tstui-preload", daemon=True).start()
        if self.live.env == "live" and not await self._confirm_live_start():
            # A config (or --env) that says LIVE is not a confirmation: the word must be typed.
            self.live.settings = self.live.settings.with_env("sim")
            self.set_class(False, "-live")
            self.notify("LIVE not confirmed: started in SIM.", timeout=5)
        # The demo signs in on the connect's own session (one client, one connection).
        await self._connect_or_login(None, sign_in=self._demo_sign_in if self.demo else None)

    async def _demo_sign_in(self, session: Session) -> None:
        from tstui.client.demo import headless_login

        try:
            await headless_login(session)
        except Exception as exc:  # the connect goes on and meets no tokens: the login screen
            self._on_error(f"demo sign-in: {exc}")

    async def _confirm_live_start(self) -> bool:
        api = self.live.settings.endpoints.api_base
        confirm: Screen[bool] = TypedConfirmScreen(
            "Start in LIVE trading",
            f"The configuration starts in LIVE: orders will go to your real accounts at {api}.",
            expected="LIVE",
        )
        answer: bool | None = await self.push_screen_wait(confirm)
        return answer is True

    async def _connect_or_login(
        self,
        previous_env: Environment | None,
        *,
        sign_in: Callable[[Session], Awaitable[None]] | None = None,
    ) -> None:
        try:
            await self.live.connect(sign_in=sign_in)
        except TradeStationError as exc:
            self._show_login(str(exc) or type(exc).__name__, previous_env)
            return
        except Exception as exc:  # unexpected: show it, offer the login screen
            self._show_login(f"{type(exc).__name__}: {exc}", previous_env)
            return
        self._after_connect()

    def _after_connect(self) -> None:
        self._post_to_screens(EnvChanged(self.live.env))
        self._post_to_screens(BooksChanged(full=True))
        self.warm_ticket_soon()
        from tstui.ui.session.unresolved import resolve_at_session_start  # sends a cut-off run left

        self.run_worker(
            resolve_at_session_start(self, self.live), group="intents", exit_on_error=False
        )

    def _load_views_once_live(self, what: str) -> None:
        if what != "health" or self._views_ahead is not None:
            return
        # The connect's own streams (orders, positions): quote streams come and go later.
        health = self.live.stream_health
        if all(name in health and health[name].state == "live" for name in SESSION_STREAMS):
            self._views_ahead = self.run_worker(
                self._load_views_and_build, group="views-ahead", exit_on_error=False
            )

    async def _load_views_and_build(self) -> None:
        await asyncio.to_thread(_load_views)  # imports off the event loop
        self.build_views_ahead()

    def build_views_ahead(self) -> None:
        """Build the BUILT_AHEAD views, hidden, as a first switch would (minus the resume a
        hidden screen must not get: the switch posts it)."""
        if self._exit or not self.is_running or not self.live.connected:  # quitting, or closed
            return
        for mode in BUILT_AHEAD:
            if mode in self._screen_stacks:  # private Textual API (8.2)
                continue
            screen, _mounted = self._get_screen(self.MODES[mode]())  # what _init_mode does
            self._load_screen_css(screen)
            self._screen_stacks[mode] = [screen]

    def _attach_alerts(self) -> None:
        from tstui.ui.alerts.center import alert_center  # price, fill and stream notices

        alert_center(self).attach()

    def _attach_auto_roller(self) -> None:
        from tstui.ui.roll.auto import attach_auto_roller  # late: the roll needs the client

        attach_auto_roller(self, self.live)

    def _login_required(self, reason: str) -> None:
        """A stream found the refresh token dead: one login screen, however many streams."""
        from tstui.ui.shell.login import LoginScreen

        if not any(isinstance(screen, LoginScreen) for screen in self.screen_stack):
            self._show_login(reason, None)

    def _show_login(self, reason: str, previous_env: Environment | None) -> None:
        from tstui.ui.shell.login import LoginScreen

        screen = LoginScreen(
            self.live.settings,
            demo=self.demo,
            demo_launcher=self.demo_launcher,
            reason=f"Sign-in needed: {reason}",
            can_cancel=previous_env is not None,
        )
        self.push_screen(screen, partial(self._login_done, previous_env))

    def _login_done(self, previous_env: Environment | None, result: Settings | None) -> None:
        if result is None:
            if previous_env is not None:  # cancelled a switch: go back where we were
                self._start_env_switch(previous_env, None)
            return
        self.live.settings = result
        self.run_worker(
            self._connect_or_login(previous_env),
            group="session",
            exclusive=True,
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ data delivery
    def _post_to_screens(self, message_factory: BooksChanged | EnvChanged | AccountChanged) -> None:
        """Books flushes go to the showing mode (a resumed screen redraws in full); account
        and env changes go to every installed mode's screens, so a hidden view never keeps
        the old account or the closed session."""
        if isinstance(message_factory, BooksChanged):
            screens = self.screen_stack
        else:
            screens = self._all_screens()
        for screen in screens:
            screen.post_message(_clone(message_factory))

    def _all_screens(self) -> list[Screen[Any]]:
        out: list[Screen[Any]] = []
        for stack in self._screen_stacks.values():
            out.extend(s for s in stack if s not in out)
        return out

    def _stop_session_work(self) -> None:
        """Before the session closes: every view stops the workers that use it."""
        for screen in self._mode_screens():
            screen.stop_session_work()

    def _deliver_books(self, orders: frozenset[str], positions: frozenset[str], full: bool) -> None:
        for screen in self.screen_stack:
            screen.post_message(BooksChanged(orders, positions, full=full))

    def _on_error(self, text: str) -> None:
        self.notify(text, title="Error", severity="error", timeout=6)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.SHELL_ACTIONS:
            return isinstance(self.screen, BaseScreen)
        return True

    def action_view(self, view: str) -> None:
        if view in self.MODES:
            self.switch_mode(view)

    def action_help(self) -> None:
        from tstui.ui.shell.help import HelpScreen

        file = str(self.settings.config_file) if self.settings.config_file else None
        self.push_screen(HelpScreen(self._keymap, file))

    def action_toggle_api_log(self) -> None:
        self.api_log_shown = not self.api_log_shown
        for screen in self.screen_stack:
            if isinstance(screen, BaseScreen):
                screen.set_api_log(self.api_log_shown)
        for mode_screen in self._mode_screens():
            mode_screen.set_api_log(self.api_log_shown)

    def _mode_screens(self) -> list[BaseScreen]:
        out: list[BaseScreen] = []
        for stack in self._screen_stacks.values():
            out.extend(s for s in stack if isinstance(s, BaseScreen) and s.is_mounted)
        return out

    def action_next_account(self) -> None:
        ids = self.live.all_account_ids
        if not ids:
            return
        order: list[str | None] = [None, *ids]
        current = self.live.current_account
        nxt = order[(order.index(current) + 1) % len(order)] if current in order else None
        self.select_account(nxt)

    def action_all_accounts(self) -> None:
        self.select_account(None)

    def select_account(self, account_id: str | None) -> None:
        self.live.set_account(account_id)
        self._post_to_screens(AccountChanged(account_id))

    def action_next_theme(self) -> None:
        names = self.tstui_themes or [self.theme]
        idx = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(idx + 1) % len(names)]

    def _theme_changed(self, theme: Any) -> None:
        """The user picked a theme: remember it. Applying the configured one saves nothing."""
        if self.theme == self._saved_theme:
            return
        try:
            save_user_choice("theme", self.theme, self.settings.config_file)
        except Exception as exc:
            self.notify(f"theme not saved: {exc}", severity="warning")
            return
        self._saved_theme = self.theme

    def action_reload_config(self) -> None:
        try:
            fresh = load_settings(self.settings.config_file)
        except ConfigError as exc:
            self.notify(str(exc), title="Config error", severity="error", timeout=15)
            return
        # What the run was started with (command line, the demo's simulators, the signed-in
        # environment) stays; the file gives everything else. A reload once dropped the demo's
        # addresses from the app's copy (its LIVE stand-in then read as "no LIVE").
        fresh = replace(fresh, **{name: getattr(self.settings, name) for name in SESSION_FIELDS})
        self.settings = fresh
        # the trading service reads the session's settings: give it the new policy and limits
        from tstui.ui.trading.service import reload_trading_settings  # loads trading on use

        reload_trading_settings(self, fresh)
        self._apply_keymap(fresh)
        self._saved_theme = self._apply_theme(fresh.theme)
        self._notify_theme_warning()
        self.notify(f"Reloaded {fresh.config_file}", timeout=3)

    async def action_quit(self) -> None:
        """`q` asks (a stray key must not end a trading session); ctrl+q does not."""
        if any(isinstance(s, ConfirmScreen) and s.has_class("-quit") for s in self.screen_stack):
            return
        working = self.live.working_count()
        noun = "order is" if working == 1 else "orders are"
        body = (
            f"{working} working {noun} still open at the broker. They stay working after you quit."
            if working
            else "No working orders. (ctrl+q quits without asking.)"
        )
        confirm = ConfirmScreen("Quit tstui?", body, yes="Quit", no="Stay", danger=working > 0)
        confirm.add_class("-quit")
        self.push_screen(confirm, self._quit_confirmed)

    def action_new_alert(self) -> None:
        """``!``: a price alert on the linked symbol (or any symbol typed)."""
        from tstui.ui.alerts.panel import open_new_alert

        open_new_alert(self)

    def action_alerts(self) -> None:
        """``N``: alerts fired (with times) and the price alerts set."""
        from tstui.ui.alerts.panel import open_alerts

        open_alerts(self)

    def action_cancel_all(self) -> None:
        """``C`` anywhere: every working order of the selected account (all: every account),
        with progress (the blotter's own ``C`` also honours its filters)."""
        from tstui.ui.shell.bulk_cancel import request_cancel_many
        from tstui.ui.trading.dialogs import working_orders

        if not self.live.connected:
            self.notify("Not connected.", severity="warning")
            return
        request_cancel_many(self, working_orders(self.live.order_book, self.live.current_account))

    async def action_quit_now(self) -> None:
        await self._close_session_and_exit()

    async def _quit_confirmed(self, ok: bool | None) -> None:
        if ok:
            await self._close_session_and_exit()

    async def _close_session_and_exit(self) -> None:
        # (Named _shutdown until now, it hid Textual's own App._shutdown: the app's screens
        # were never unmounted nor the driver closed by Textual at exit.)
        await self.live.disconnect()
        self.exit(0)

    async def on_unmount(self) -> None:
        """Textual's shutdown, however the app ends: the workspace written, the collector's
        thresholds back, and the session closed (a second disconnect is a no-op)."""
        if self._workspace_timer is not None:
            self._workspace_timer.stop()
            self._save_workspace()
        self.idle_gc.stop()
        await self.live.disconnect()

    def key_arrived(self) -> None:
        self.idle_gc.key_pressed()

    # ------------------------------------------------------------------ palette
    def palette_commands(self) -> Iterator[PaletteCommand]:
        """The app's own palette entries (the active screen adds its own)."""
        from tstui.ui.views.chart.screen import chart_commands  # late: plotext loads with it

        def restart_streams() -> None:
            self.run_worker(self.live.restart_streams(), group="session", exit_on_error=False)

        def reconcile_now() -> None:
            self.run_worker(
                self.live.reconcile_orders(), group="reconcile-now", exit_on_error=False
            )

        for mode in PALETTE_VIEWS:
            yield PaletteCommand("view", mode, partial(self.action_view, mode))
        yield PaletteCommand("view", "toggle API log", self.action_toggle_api_log)
        yield PaletteCommand("view", "help (key bindings)", self.action_help)
        for name in self.tstui_themes:
            yield PaletteCommand("theme", display_name(name), partial(setattr, self, "theme", name))
        target = "LIVE" if self.live.env == "sim" else "SIM"
        yield PaletteCommand("env", f"switch to {target}", self.action_toggle_env)
        yield PaletteCommand("account", "all accounts", self.action_all_accounts)
        for account in self.live.accounts:
            yield PaletteCommand(
                "account",
                f"{account.account_id} {account.account_type}",
                partial(self.select_account, account.account_id),
            )
        yield from chart_commands(self)
        yield PaletteCommand("streams", "restart", restart_streams)
        yield PaletteCommand("orders", "reconcile now", reconcile_now)
        yield PaletteCommand("order", "new", partial(self.action_ticket, "new"))
        yield PaletteCommand("order", "buy", partial(self.action_ticket, "buy"))
        yield PaletteCommand("order", "sell", partial(self.action_ticket, "sell"))
        yield PaletteCommand("order", "cancel all working (account shown)", self.action_cancel_all)
        yield PaletteCommand("alerts", "new price alert", self.action_new_alert)
        yield PaletteCommand("alerts", "show alerts", self.action_alerts)
        yield PaletteCommand("config", "reload", self.action_reload_config)
        yield PaletteCommand("app", "quit", self.action_quit)


def _clone(message: BooksChanged | EnvChanged | AccountChanged) -> Any:
    """A fresh message per screen (a Message instance is delivered once)."""
    if isinstance(message, BooksChanged):
        return BooksChanged(message.orders, message.positions, full=message.full)
    if isinstance(message, EnvChanged):
        return EnvChanged(message.env)
    return AccountChanged(message.account_id)
