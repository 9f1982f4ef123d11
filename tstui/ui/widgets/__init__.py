"""Widgets shared by several views: ``virtual_table`` (a virtualised fixed-width table)."""
