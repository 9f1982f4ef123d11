"""The chart's workspace: which indicators are on and whether the volume pane shows, kept in
``chart.json`` under the state dir (the config file stays the user's; only the periods come
from its ``[chart]`` table). A missing or damaged file gives the defaults, never an error."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_EMA", "DEFAULT_SMA", "ChartPrefs", "load_prefs", "save_prefs"]

DEFAULT_SMA = 20
DEFAULT_EMA = 9
FILE_NAME = "chart.json"


@dataclass(frozen=True, slots=True)
class ChartPrefs:
    sma: bool = False
    ema: bool = False
    vwap: bool = False
    volume: bool | None = None  # None: shown when the chart is tall enough

    def toggled(self, name: str) -> ChartPrefs:
        current = getattr(self, name)
        return replace(self, **{name: not current})


def _path(state_dir: Path) -> Path:
    return state_dir / FILE_NAME


def load_prefs(state_dir: Path) -> ChartPrefs:
    try:
        data: Any = json.loads(_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ChartPrefs()
    if not isinstance(data, dict):
        return ChartPrefs()
    values: dict[str, Any] = {}
    for field in fields(ChartPrefs):
        value = data.get(field.name)
        if isinstance(value, bool) or (field.name == "volume" and value is None):
            values[field.name] = value
    return ChartPrefs(**values)


def save_prefs(state_dir: Path, prefs: ChartPrefs) -> bool:
    """Write atomically (a temp file renamed over); False when the state dir is not writable."""
    path = _path(state_dir)
    temp = path.with_suffix(".json.tmp")
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(asdict(prefs), indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    return True
