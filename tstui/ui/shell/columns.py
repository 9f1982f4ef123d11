"""Columns chosen per width: a table shows the columns that matter most that fit, in their own
order, instead of scrolling sideways (at 80 columns the positions table hid Symbol and the
blotter hid Account). The first-priority column is always shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.geometry import Size

from tstui.ui.widgets.virtual_table import Column, VirtualTable

__all__ = ["fit_columns", "show_columns"]


def fit_columns(columns: Sequence[Column], priority: Sequence[str], width: int) -> tuple[int, ...]:
    """Indices (table order) of the columns to show in ``width`` cells: by ``priority`` while
    they fit (each takes its width plus a separator), skipping one that does not for a smaller
    one after it. Columns missing from ``priority`` come last, in table order."""
    index = {c.key: i for i, c in enumerate(columns)}
    order = [index[k] for k in priority if k in index]
    order += [i for i in range(len(columns)) if i not in order]
    chosen: list[int] = []
    used = 0
    for i in order:
        need = columns[i].width + 1
        if not chosen or used + need <= width:
            chosen.append(i)
            used += need
    return tuple(sorted(chosen))


def show_columns(table: VirtualTable[Any], columns: Sequence[Column]) -> None:
    """Give ``table`` another column set and repaint it (the cached row strips were drawn for
    the old one)."""
    table.columns = tuple(columns)
    table.row_width = sum(c.width + 1 for c in table.columns)
    table.virtual_size = Size(table.row_width, table.row_count + 1)
    table._cache.clear()  # strips of the old column set
    table._clip_key = (-1, -1)  # ranges of the old column set
    table.refresh()
