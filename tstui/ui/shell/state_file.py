"""Small JSON files under the state dir that remember the workspace between runs (the chart's
indicators, the open view, the linked symbol...). The config file stays the user's: the app
never writes it for these. A missing or damaged file reads as None, never an error."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["read_state", "write_state"]


def read_state(state_dir: Path, name: str) -> Any:
    """The JSON in ``state_dir/name``, or None when it is missing or not JSON."""
    try:
        return json.loads((state_dir / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(state_dir: Path, name: str, data: Any) -> bool:
    """Write atomically (a temp file renamed over); False when the state dir is not writable."""
    path = state_dir / name
    temp = path.with_name(path.name + ".tmp")
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    return True
