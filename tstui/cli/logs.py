"""Warnings from the client reach stderr display-safe.

Without a handler, logging's last resort prints a record's message raw, and messages quote
servers (a token endpoint's error, a stream's failure): one line with an escape sequence would
reach the terminal. This handler prints ``tstui: warning: <message>`` through ``safe_text``,
to whatever ``sys.stderr`` is at that moment (the TUI redirects it while it draws).
"""

from __future__ import annotations

import logging
import sys

from tstui.domain.untrusted import safe_text

_LOGGER = "tstui"


class SafeStderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = safe_text(record.getMessage(), limit=400)
            sys.stderr.write(f"tstui: {record.levelname.lower()}: {message}\n")
        except Exception:  # a log line must never take the command down
            self.handleError(record)


def install_safe_log_handler() -> None:
    """Once per process: WARNING and above from tstui's loggers, display-safe, on stderr."""
    logger = logging.getLogger(_LOGGER)
    if any(isinstance(h, SafeStderrHandler) for h in logger.handlers):
        return
    handler = SafeStderrHandler(logging.WARNING)
    logger.addHandler(handler)
