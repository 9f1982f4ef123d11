"""The option chain's workspace: which column set shows, how many strikes around the money,
the template width and the last underlying, kept in ``options.json`` under the state dir (as
the chart keeps its indicators). A missing or damaged file gives the defaults, never an error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from tstui.ui.shell.state_file import read_state, write_state
from tstui.ui.views.options.model import COLUMN_SETS

__all__ = ["STRIKE_COUNTS", "OptionPrefs", "load_prefs", "save_prefs"]

FILE_NAME: Final = "options.json"
STRIKE_COUNTS: Final[tuple[int, ...]] = (3, 5, 8, 10, 15, 20)  # strikes each side of the money
MAX_WIDTH: Final = 10


@dataclass(frozen=True, slots=True)
class OptionPrefs:
    columns: int = 0  # index into COLUMN_SETS
    strikes: int = 8
    width: int = 1  # template legs this many listed strikes apart
    underlying: str = ""


def load_prefs(state_dir: Path) -> OptionPrefs:
    data: Any = read_state(state_dir, FILE_NAME)
    if not isinstance(data, dict):
        return OptionPrefs()
    default = OptionPrefs()

    def whole(key: str, ok: Callable[[int], bool], fallback: int) -> int:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and ok(value):
            return value
        return fallback

    underlying = data.get("underlying")
    return OptionPrefs(
        columns=whole("columns", lambda n: 0 <= n < len(COLUMN_SETS), default.columns),
        strikes=whole("strikes", lambda n: n in STRIKE_COUNTS, default.strikes),
        width=whole("width", lambda n: 1 <= n <= MAX_WIDTH, default.width),
        underlying=underlying
        if isinstance(underlying, str) and 0 < len(underlying) <= 32
        else default.underlying,
    )


def save_prefs(state_dir: Path, prefs: OptionPrefs) -> bool:
    """False when the state dir is not writable."""
    return write_state(state_dir, FILE_NAME, asdict(prefs))
