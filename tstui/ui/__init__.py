"""The Textual UI. ``run_app`` is what the CLI calls (textual is imported lazily by it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tstui.config import Settings


def run_app(
    settings: Settings,
    *,
    demo: bool = False,
    demo_launcher: Callable[[], Settings] | None = None,
) -> int:
    """Run the TUI until the user quits; the exit code for the CLI.

    With tokens for ``settings.env`` the main screens open; without, the login screen (sign-in
    or, when possible, the simulator demo). ``demo=True``: sign in to the simulator without a
    person first; it runs at ``settings.base_url``, or, with ``demo_launcher``, at the URL of
    the Settings the launcher returns (called in a thread while the first screen shows).
    ``demo_launcher`` (optional): starts a simulator and returns Settings for it, so the login
    screen can offer the demo when no credentials are configured.
    """
    import sys

    from tstui.ui.shell.app import TstuiApp
    from tstui.ui.shell.crash import crash_message, known_secrets

    app = TstuiApp(settings, demo=demo, demo_launcher=demo_launcher)
    result = app.run()
    if app.crash is not None:  # the screen is restored by now: say what happened, and where
        secrets = known_secrets(app.crash_settings())
        print(crash_message(app.crash, app.crash_report, secrets), file=sys.stderr)
        return app.return_code or 1
    if app.return_code not in (None, 0):
        return app.return_code
    return result if isinstance(result, int) else 0
