"""The client layer never loads textual (and the simulator is not needed to import it)."""

from __future__ import annotations

import subprocess
import sys


def test_client_imports_no_textual_and_no_sim() -> None:
    code = (
        "import sys, tstui.client, tstui.client.session, tstui.client.api;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('tstui.sim')"
        " or m.startswith('tstui.ui')];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_httpx_cli_is_not_imported_but_still_works() -> None:
    # httpx imports its own command line (click, pygments, rich) when click is installed:
    # the client defers it, and httpx.main still loads the real one when called.
    code = (
        "import sys, tstui.client.session, httpx;"
        "print('click' in sys.modules, 'pygments' in sys.modules);"
        "del sys.modules['httpx._main'];"
        "import httpx._main as real; print(callable(real.main), 'click' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "True"]
