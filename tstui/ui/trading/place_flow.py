"""The place step every order dialog shares (the order ticket, the spread ticket): send the
previewed request once through the trading service, show the outcome, and follow an unknown
outcome to its reconciled end. Never resent: a refusal or an error asks for a new preview."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from textual.app import App

from tstui.domain.orders import OrderRequest
from tstui.domain.orders.ticket import FieldError, warnings_of
from tstui.ui.trading.types import PlacementRefused, PlaceOutcome, Preview

__all__ = ["PlacingDialog", "placement_blocker", "run_placement", "start_placement"]

UNEXPECTED = (
    "Unexpected error ({error}): check the Orders view before anything else; nothing will be resent"
)


class PlacingDialog(Protocol):
    """What `run_placement` needs of a dialog."""

    busy: bool
    preview: Preview | None

    @property
    def is_attached(self) -> bool: ...

    @property
    def sent(self) -> bool: ...

    @property
    def app(self) -> App[Any]: ...

    def place_blocker(self) -> str | None: ...

    def _set_result(self, text: str, tone: str) -> None: ...

    def _refresh_buttons(self) -> None: ...

    def _show_outcome(self, outcome: PlaceOutcome) -> None: ...


def placement_blocker(
    *,
    sent: bool,
    busy: bool,
    env: str,
    current_env: str,
    request: OrderRequest | None,
    preview: Preview | None,
    issues: Sequence[FieldError],
    override: bool,
) -> str | None:
    """Why a dialog's Place is disabled right now (None: it is enabled); one rule for every
    order dialog."""
    if sent:
        return "this ticket already sent its order: close it (Esc)"
    if busy:
        return "busy: wait for the preview or placement to finish"
    if current_env != env:  # the dialog's look and accounts are another environment's
        return f"the environment is now {current_env.upper()}: close this ticket"
    if request is None:
        return "fix the errors first, then preview (F5)"
    if preview is None:
        return "preview the order first (F5)"
    if not preview.matches(request):
        return "the order changed since the preview: preview again (F5)"
    if (warnings_of(issues) or preview.warnings) and not override:
        return "warnings need 'Override warnings' ticked (or change the order)"
    return None


def start_placement(
    dialog: PlacingDialog,
    flow: Callable[[Preview], Coroutine[Any, Any, None]],
    name: str,
) -> str | None:
    """The Place key: run ``flow(preview)`` as an app worker (the single send and any
    reconciliation survive closing the dialog), or say why not; returns the blocker."""
    blocker = dialog.place_blocker()
    if blocker is not None or dialog.preview is None:
        if dialog.busy or dialog.sent:  # the result line shows the flow / outcome: keep it
            dialog.app.notify(f"Place: {blocker}", severity="warning", timeout=4)
        else:
            dialog._set_result(f"Not placed: {blocker}", "-unknown")
        return blocker or "no preview"
    dialog.busy = True
    dialog._refresh_buttons()
    dialog._set_result("placing...", "-unknown")
    dialog.app.run_worker(
        flow(dialog.preview), group="trading-place", name=name, exit_on_error=False
    )
    return None


async def run_placement(
    dialog: PlacingDialog,
    place: Callable[[], Awaitable[PlaceOutcome]],
    resolve: Callable[[PlaceOutcome], Awaitable[PlaceOutcome]],
) -> None:
    """``place()`` once; its outcome shown; an unknown outcome reconciled by ``resolve``."""
    try:
        outcome = await place()
    except PlacementRefused as exc:
        _not_placed(dialog, f"Not sent: {exc}")
        return
    except Exception as exc:  # a bug: the order may or may not have gone; never resend
        _not_placed(dialog, UNEXPECTED.format(error=f"{type(exc).__name__}: {exc}"))
        return
    dialog._show_outcome(outcome)
    if outcome.kind == "unknown":
        dialog._show_outcome(await resolve(outcome))


def _not_placed(dialog: PlacingDialog, text: str) -> None:
    dialog.busy = False
    dialog.preview = None  # whatever the reason: preview again before placing
    if dialog.is_attached:
        dialog._set_result(text, "-bad")
        dialog._refresh_buttons()
