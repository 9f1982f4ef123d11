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
