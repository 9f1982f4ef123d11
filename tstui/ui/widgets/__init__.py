"""Widgets shared by tstui screens.

The virtualised table and the blotter are exported lazily, so importing one small widget
module does not load the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tstui.ui.views.orders.blotter import BLOTTER_COLUMNS, Blotter, BlotterRow
    from tstui.ui.widgets.virtual_table import Cell, Column, VirtualTable

__all__ = ["BLOTTER_COLUMNS", "Blotter", "BlotterRow", "Cell", "Column", "VirtualTable"]

_LAZY = {
    "BLOTTER_COLUMNS": "tstui.ui.views.orders.blotter",
    "Blotter": "tstui.ui.views.orders.blotter",
    "BlotterRow": "tstui.ui.views.orders.blotter",
    "Cell": "tstui.ui.widgets.virtual_table",
    "Column": "tstui.ui.widgets.virtual_table",
    "VirtualTable": "tstui.ui.widgets.virtual_table",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
