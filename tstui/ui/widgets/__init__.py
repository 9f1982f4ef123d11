"""Widgets shared by several views: ``virtual_table`` (a virtualised fixed-width table),
``canvas`` (a prebuilt canvas redrawn by a timer when marked dirty: the charts)."""
