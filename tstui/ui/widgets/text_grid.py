"""A few short rows as one ``Text``: columns as wide as their widest cell, left or right
aligned, one line per row, never wrapped (a line wider than its widget is cropped).

What Rich's ``Table`` draws for the overview's panels, at a fraction of its cost: a Table
measures every cell through the renderable protocol at each draw (~1.2 ms for a few rows,
twice per update: the height, then the lines), and a ``Text`` is one string with spans
that Textual counts and cuts without rendering it. The P&L panel is drawn again at every
positions update.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

__all__ = ["Cell", "text_grid"]

Cell = str | Text  # a str is literal text (never markup); a Text keeps its styles


def text_grid(
    rows: Sequence[Sequence[Cell]],
    *,
    header: Sequence[str] = (),
    right: Sequence[bool] = (),
    gap: int = 2,
    header_style: str = "bold",
) -> Text:
    """``rows`` (and ``header``, in ``header_style``, when given) as aligned lines;
    ``right[i]``: column i is right-aligned (missing: left)."""
    lines: list[list[Text]] = []
    if header:
        lines.append([Text(title, style=header_style) for title in header])
    lines += [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    columns = max((len(line) for line in lines), default=0)
    widths = [
        max((line[i].cell_len for line in lines if i < len(line)), default=0)
        for i in range(columns)
    ]
    out = Text(no_wrap=True, overflow="crop")
    for number, line in enumerate(lines):
        if number:
            out.append("\n")
        for i, cell in enumerate(line):
            if i:
                out.append(" " * gap)
            pad = " " * (widths[i] - cell.cell_len)
            last = i == len(line) - 1
            if i < len(right) and right[i]:
                out.append(pad)
                out.append_text(cell)
            else:
                out.append_text(cell)
                if not last:
                    out.append(pad)
    return out
