"""Client warnings that quote a server reach the CLI's stderr display-safe."""

from __future__ import annotations

import logging

import pytest

from tstui.cli.logs import SafeStderrHandler, install_safe_log_handler


def test_a_hostile_warning_is_printed_safe_and_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `tstui stream` stops the client's records at "tstui.client" (its state lines say the
    # same); an in-process stream test earlier in the run may have done so.
    monkeypatch.setattr(logging.getLogger("tstui.client"), "propagate", True)
    install_safe_log_handler()
    install_safe_log_handler()  # idempotent: in-process CLI runs call it every time
    handlers = [h for h in logging.getLogger("tstui").handlers if isinstance(h, SafeStderrHandler)]
    assert len(handlers) == 1
    logging.getLogger("tstui.client.auth").warning(
        "token endpoint answered %s (%s)", 400, "bad\x1b]0;pwned\x07\nforged \u202eline"
    )
    logging.getLogger("tstui.client.auth").info("not shown: below WARNING")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("tstui: warning: token endpoint answered 400 (bad")
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "not shown" not in err
