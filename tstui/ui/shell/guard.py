"""No silent exit and no markup from a server: the app's guard rails (a TstuiApp mixin).

- Every toast is literal text: ``notify`` runs the message and title through ``safe_text``
  and never lets Textual parse them as markup (messages quote server and config text; one
  ``[/]`` in an error used to raise ``MarkupError`` and close the app).
- A worker that fails with ``exit_on_error=False`` is reported (status bar + toast), never
  dropped silently; the app goes on.
- An unexpected exception ends the app with a crash report in ``<state dir>/crash`` (see
  :mod:`tstui.ui.shell.crash`), exit status 1 and, once the terminal is restored, one short line
  (printed by :func:`tstui.ui.run_app`). Textual's own traceback is not printed: it shows the
  frames' local variables, which can hold tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerFailed, WorkerState
from textual.worker_manager import WorkerManager

from tstui.domain.untrusted import safe_text
from tstui.ui.shell.crash import write_crash_report

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.notifications import SeverityLevel

    _AppBase = App[Any]
else:
    _AppBase = object

NOTIFY_LIMIT = 300  # characters of one toast; the full text stays in the status bar / data
TITLE_LIMIT = 60


class _ReportingWorkers(WorkerManager):
    """Textual's worker manager, telling ``on_error`` about a worker that died of an error
    it was told to keep to itself (``exit_on_error=False``)."""

    def __init__(self, app: App[Any], on_error: Callable[[Worker[Any], BaseException], None]):
        super().__init__(app)
        self._on_error = on_error

    def _remove_worker(self, worker: Worker[Any]) -> None:
        super()._remove_worker(worker)
        error = worker.error
        if worker.state is WorkerState.ERROR and not worker.exit_on_error and error is not None:
            self._on_error(worker, error)


class AppGuard(_AppBase):
    crash: BaseException | None = None
    """The unexpected exception that ended the app (None while it runs or after a clean exit)."""
    crash_report: Path | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = _ReportingWorkers(self, self._worker_failed)

    # ------------------------------------------------------------------ toasts
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast of literal text (``markup`` is ignored: it is always off)."""
        super().notify(
            safe_text(message, limit=NOTIFY_LIMIT),
            title=safe_text(title, limit=TITLE_LIMIT),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ------------------------------------------------------------------ worker errors
    def _worker_failed(self, worker: Worker[Any], error: BaseException) -> None:
        where = worker.name or worker.group or "background task"
        live = getattr(self, "live", None)
        report = getattr(live, "report_error", None)
        if callable(report):  # status bar (with the time) + toast
            report(where, f"{type(error).__name__}: {error}")
        else:
            self.notify(f"{where}: {type(error).__name__}: {error}", severity="error")

    # ------------------------------------------------------------------ crashes
    def crash_state_dir(self) -> Path | None:
        """Where the crash report goes (the TstuiApp answers with its settings' state dir)."""
        return None

    def crash_settings(self) -> Any:
        """Settings whose secrets the report must not contain (override)."""
        return None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            real = error.error if isinstance(error, WorkerFailed) else error
            self.crash = real
            state_dir = self.crash_state_dir()
            if state_dir is not None:
                try:
                    self.crash_report = write_crash_report(
                        real, state_dir, settings=self.crash_settings()
                    )
                except OSError:
                    self.crash_report = None
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Close without Textual's traceback (it prints local variables: tokens, secrets)."""
        self.bell()
        self._close_messages_no_wait()
