"""Human tables and JSON for the CLI: dataclasses in, text out (no third-party imports).

Human output shows server text through :func:`tstui.domain.untrusted.safe_text` (no escape,
control, bidi or line-break character reaches the terminal; long values are cut for display);
JSON keeps every value whole (the encoder escapes it).
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any

from tstui.domain.untrusted import safe_text


def to_jsonable(value: Any) -> Any:
    """Dataclasses, Decimals and datetimes as plain JSON values (Decimal as a string)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    plain = to_jsonable(value)
    text = json.dumps(plain, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a server: only its \u escape is valid
        return json.dumps(plain, separators=(",", ":"), ensure_ascii=True)
    return text


CELL_LIMIT = 200  # characters of one table cell (a server string can be any length)


def format_cell(value: Any, *, limit: int | None = CELL_LIMIT) -> str:
    """One value for a human line: numbers as sent, times to the second, text made safe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # as the API sent it: "6403.50" stays next to "6390.00"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return safe_text(value, limit=limit)


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: East Asian wide and fullwidth characters take two,
    combining marks none (so columns of names in any script line up)."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def render_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain aligned table; numbers right-aligned so columns of prices line up."""
    raw = list(rows)
    cells = [[format_cell(v) for v in row] for row in raw]
    numeric = [
        bool(raw)
        and all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in raw)
        for i in range(len(headers))
    ]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], display_width(text))

    def line(values: Sequence[str]) -> str:
        parts = [_pad(v, widths[i], right=numeric[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], out: IO[str], *, empty: str
) -> None:
    if not rows:
        print(empty, file=out)
        return
    print(render_table(headers, list(rows)), file=out)
