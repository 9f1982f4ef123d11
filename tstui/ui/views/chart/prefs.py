"""The chart's workspace: which indicators are on and whether the volume pane shows, kept in
``chart.json`` under the state dir (the config file stays the user's; only the periods come
from its ``[chart]`` table). A missing or damaged file gives the defaults, never an error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from tstui.ui.shell.state_file import read_state, write_state

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


def load_prefs(state_dir: Path) -> ChartPrefs:
    data = read_state(state_dir, FILE_NAME)
    if not isinstance(data, dict):
        return ChartPrefs()
    values: dict[str, Any] = {}
    for field in fields(ChartPrefs):
        value = data.get(field.name)
        if isinstance(value, bool) or (field.name == "volume" and value is None):
            values[field.name] = value
    return ChartPrefs(**values)


def save_prefs(state_dir: Path, prefs: ChartPrefs) -> bool:
    """False when the state dir is not writable."""
    return write_state(state_dir, FILE_NAME, asdict(prefs))
