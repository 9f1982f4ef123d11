"""Text for widgets that may hold server (or config, or typed) text.

A ``str`` given to ``Static``, ``Label``, a Rich table cell or a toast is parsed as markup:
``x[/]y`` in an error message raises ``MarkupError`` mid-render and ``[@click=...]`` could
forge a link. ``plain`` is the UI's side of the untrusted-text boundary: the value made
harmless by :func:`tstui.domain.untrusted.safe_text`, as a ``rich.text.Text`` that nothing
parses.
"""

from __future__ import annotations

from rich.text import Text

from tstui.domain.untrusted import DISPLAY_LIMIT, safe_text

__all__ = ["plain", "plain_lines"]


def plain(value: object, style: str = "", *, limit: int | None = DISPLAY_LIMIT) -> Text:
    """``value`` as one display-safe line of literal text (``None`` -> empty)."""
    return Text(safe_text(value, limit=limit), style=style)


def plain_lines(text: str, style: str = "", *, limit: int | None = DISPLAY_LIMIT) -> Text:
    """Several lines we laid out (``\\n``-separated), each made safe, as literal text.

    Server values inside should already have passed ``safe_text`` (their own newlines are
    then visible ``␊``); this keeps the layout's line breaks and catches anything missed.
    """
    return Text("\n".join(safe_text(line, limit=limit) for line in text.split("\n")), style=style)
