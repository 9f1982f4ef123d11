"""The client's preload names real modules (a typo would be skipped silently) and loads them."""

from __future__ import annotations

import importlib
import subprocess
import sys

from tstui.cli.demo_sims import child_environ
from tstui.client.preload import MODULES


def test_every_preloaded_module_exists() -> None:
    for name in MODULES:
        importlib.import_module(name)


def test_preload_leaves_them_imported_in_a_fresh_process() -> None:
    code = (
        "import sys\n"
        "from tstui.client.preload import MODULES, preload\n"
        "preload((*MODULES, 'json'))\n"
        "missing = [m for m in (*MODULES, 'json') if m not in sys.modules]\n"
        "print(missing)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_environ(),
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
