"""A virtualised, fixed-width table on the Line API: renders only the visible rows.

`DataTable` measures every cell when rows are added (20k rows take seconds). Here columns
have fixed widths, a row is formatted only when it scrolls into view (its segments cached by
the row object's identity, padded to the widget's width; the Strip is made per paint: a
cached Strip kept seven caches of its own and every strip derived from it while painting,
~50 objects a row for the garbage collector to walk), and `set_rows` repaints only when a
visible row, the row count or the cursor changed. Subclasses say how to key and format a row.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tstui.domain.untrusted import safe_text

__all__ = ["Cell", "Column", "VirtualTable"]

RowT = TypeVar("RowT")
Cell = tuple[str, Style | None]
_CACHE_LIMIT = 600  # formatted rows kept: a dozen pages


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    align: Literal["left", "right"] = "left"


def _fit(text: str, width: int, align: str) -> str:
    """``text`` in exactly ``width`` terminal cells. Cells hold server text: controls, escapes
    and bidi overrides are made visible first, and wide characters are measured as two."""
    if not (text.isascii() and text.isprintable()):
        return _fit_wide(safe_text(text, limit=None), width, align)
    if len(text) > width:
        return text[: width - 1] + "…" if width > 1 else text[:width]
    return text.rjust(width) if align == "right" else text.ljust(width)


def _fit_wide(text: str, width: int, align: str) -> str:
    cells = cell_len(text)
    if cells > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - cells)
    return pad + text if align == "right" else text + pad


def _blank_out(strip: Strip, ranges: Sequence[tuple[int, int]], style: Style) -> Strip:
    if not ranges:
        return strip
    parts: list[Strip] = []
    at = 0
    for lo, hi in ranges:
        parts.append(strip.crop(at, lo))
        parts.append(Strip.blank(hi - lo, style))
        at = hi
    parts.append(strip.crop(at, strip.cell_length))
    return Strip.join(parts)


class VirtualTable(ScrollView, Generic[RowT], can_focus=True):
    """Fixed-width, virtualised table with a row cursor and a pinned header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First", show=False, id="table.first"),
        Binding("end", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Select", show=False, id="table.select"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-table--header", "virtual-table--cursor"}
    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
    }
    VirtualTable > .virtual-table--header {
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    VirtualTable > .virtual-table--cursor {
        background: $block-cursor-blurred-background;
    }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    class RowHighlighted(Message):
        """The cursor moved to another row (or the row under it changed identity)."""

        def __init__(self, table: VirtualTable[Any], key: str | None, index: int) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.index = index

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a click on the highlighted row) on a row."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self.row_width = sum(c.width + 1 for c in self.columns)
        self._rows: Sequence[RowT] = ()
        self.cursor_row = 0
        self.selected_key: str | None = None
        self.repaint_count = 0  # frames in which this widget rendered lines
        self.last_paint_at = 0.0  # perf_counter() at the end of the last paint
        self.painted_rows = 0  # data rows drawn in the last paint
        self._cache: dict[str, tuple[RowT, list[Segment], int]] = {}
        self._styles_key: tuple[Style, ...] = ()
        self._cache_width = -1  # the width the cached rows are padded to
        self._painting: tuple[Style, int, int, int, Style, Style] | None = None
        self._shown: list[RowT] = []
        self._clip_key: tuple[int, int] = (-1, -1)
        self._clip_ranges: tuple[tuple[int, int], ...] = ()
        self.virtual_size = Size(self.row_width, 1)

    # ---- subclass hooks ---------------------------------------------------------------
    def row_key(self, row: RowT) -> str:
        raise NotImplementedError

    def row_cells(self, row: RowT) -> Sequence[Cell]:
        """One (text, style) per column; the style is combined with the widget's."""
        raise NotImplementedError

    def index_of(self, key: str) -> int | None:
        """Row index of `key` (override with an O(1) lookup when one exists)."""
        for index, row in enumerate(self._rows):
            if self.row_key(row) == key:
                return index
        return None

    def style_signature(self) -> tuple[Style, ...]:
        """Styles the cached rows depend on; a change (theme switch) drops the cache."""
        return (self.rich_style,)

    # ---- data ------------------------------------------------------------------------
    @property
    def rows(self) -> Sequence[RowT]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def set_rows(self, rows: Sequence[RowT]) -> bool:
        """Show `rows`; returns True if a repaint was requested (something visible changed)."""
        old_count = len(self._rows)
        self._rows = rows
        moved = self._restore_cursor()
        if len(rows) != old_count:
            self.virtual_size = Size(self.row_width, len(rows) + 1)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        top = int(self.scroll_y)
        visible = rows[top : top + self.page_height]
        changed = moved or len(rows) != old_count or len(visible) != len(self._shown)
        if not changed:
            changed = any(a is not b for a, b in zip(visible, self._shown, strict=True))
        if changed:
            self.refresh()
        return changed

    def _restore_cursor(self) -> bool:
        """Keep the cursor on the same key; returns True if the highlighted row changed."""
        rows = self._rows
        if not rows:
            changed = self.selected_key is not None
            self.cursor_row, self.selected_key = 0, None
            if changed:
                self.post_message(self.RowHighlighted(self, None, 0))
            return changed
        key = self.selected_key
        index = self.cursor_row
        if key is not None:
            if index < len(rows) and self.row_key(rows[index]) == key:
                return False
            found = self.index_of(key)
            if found is not None:
                self.cursor_row = found
                self._scroll_cursor_visible()
                return True
        self._move_cursor(min(index, len(rows) - 1), force=True)
        return True

    # ---- cursor ------------------------------------------------------------------------
    def _move_cursor(self, index: int, *, force: bool = False) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        key = self.row_key(self._rows[index])
        if index == self.cursor_row and key == self.selected_key and not force:
            return
        self.cursor_row = index
        self._scroll_cursor_visible()
        self.refresh()
        if key != self.selected_key:
            self.selected_key = key
            self.post_message(self.RowHighlighted(self, key, index))

    def move_cursor(self, index: int) -> None:
        self._move_cursor(index)

    def select_key(self, key: str) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    def _scroll_cursor_visible(self) -> None:
        top, page = int(self.scroll_y), self.page_height
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=False, force=True)

    def action_cursor_up(self) -> None:
        self._move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._move_cursor(self.cursor_row - self.page_height)

    def action_page_down(self) -> None:
        self._move_cursor(self.cursor_row + self.page_height)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._rows) - 1)

    def action_select(self) -> None:
        if self._rows and self.selected_key is not None:
            self.post_message(self.RowSelected(self, self.selected_key, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = int(self.scroll_y) + offset.y - 1
        if index == self.cursor_row:
            self.action_select()
        else:
            self._move_cursor(index)

    # ---- rendering -------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        get = self.get_component_rich_style
        signature = (
            *self.style_signature(),
            get("virtual-table--header"),
            get("virtual-table--cursor"),
        )
        width = self.scrollable_content_region.width
        if signature != self._styles_key or width != self._cache_width:
            self._styles_key, self._cache_width = signature, width
            self._cache.clear()
        top = int(self.scroll_y)
        self._shown = list(self._rows[top : top + self.page_height])
        # Styles and geometry once a paint, not once a line: each lookup walks the CSS
        # (rich_style alone cost ~0.2 ms, 40 times a page).
        self._painting = self._line_context()
        try:
            strips = super().render_lines(crop)
        finally:
            self._painting = None
        self.repaint_count += 1
        self.painted_rows = len(self._shown)
        self.last_paint_at = time.perf_counter()
        return strips

    def _line_context(self) -> tuple[Style, int, int, int, Style, Style]:
        """(base style, width, scroll x, scroll y, header style, cursor style)."""
        base = self.rich_style
        get = self.get_component_rich_style
        return (
            base,
            self.scrollable_content_region.width,
            int(self.scroll_x),
            int(self.scroll_y),
            base + get("virtual-table--header"),
            get("virtual-table--cursor"),
        )

    def render_line(self, y: int) -> Strip:
        base, width, scroll_x, scroll_y, header, cursor = self._painting or self._line_context()
        blank = base
        if y == 0:
            strip = self._header_strip(header)
            blank = header
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, base)
            strip = self._row_strip(self._rows[index], base, width)
            if index == self.cursor_row:
                strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
                blank = base + cursor
        if scroll_x or strip.cell_length != width:
            strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        return _blank_out(strip, self.clipped_columns(scroll_x, width), blank)

    def clipped_columns(self, scroll_x: int, width: int) -> tuple[tuple[int, int], ...]:
        """Cell ranges (in view coordinates) of columns only partly in view: they are left
        blank, because a cut number ("11,653.5" for "11,653.50") looks like a valid one."""
        if self._clip_key != (scroll_x, width):
            ranges: list[tuple[int, int]] = []
            right, x = scroll_x + width, 0
            for column in self.columns:
                lo, hi = x + 1, x + 1 + column.width  # the cells after the separator space
                x = hi
                if hi <= scroll_x or lo >= right:
                    continue
                if lo < scroll_x or hi > right:
                    ranges.append((max(lo, scroll_x) - scroll_x, min(hi, right) - scroll_x))
            self._clip_key, self._clip_ranges = (scroll_x, width), tuple(ranges)
        return self._clip_ranges

    def _header_strip(self, style: Style) -> Strip:
        text = "".join(" " + _fit(c.label, c.width, c.align) for c in self.columns)
        return Strip([Segment(text, style)], self.row_width)

    def _row_strip(self, row: RowT, base: Style, width: int) -> Strip:
        """The row's cells, padded to ``width`` (a strip that fits is drawn as it is)."""
        key = self.row_key(row)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is row:
            return Strip(cached[1], cached[2])
        segments = [
            Segment(" " + _fit(text, col.width, col.align), base + style if style else base)
            for col, (text, style) in zip(self.columns, self.row_cells(row), strict=False)
        ]
        length = self.row_width
        if width > length:
            segments.append(Segment(" " * (width - length), base))
            length = width
        self._cache[key] = (row, segments, length)
        return Strip(segments, length)
