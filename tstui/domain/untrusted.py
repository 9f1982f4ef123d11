"""The one boundary for untrusted text: server (and config) strings made safe for display.

A string that came from a server can hold terminal escapes (``ESC ] 0 ; ... BEL`` retitles
the terminal, ``ESC [ 2 J`` clears it), raw newlines that forge table rows, bidi overrides
that reverse what a trader reads, or lone surrogates that crash an encoder. ``safe_text``
turns each of those into a visible, harmless form, so display code (the TUI and the CLI's
human output) can print the result as plain text. ``--json`` output keeps the original
values: JSON escapes them itself.

Display code must still never parse the result as markup: brackets are left alone here
because they are harmless once the text is rendered literally (``rich.text.Text``).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

__all__ = ["DISPLAY_LIMIT", "ELLIPSIS", "safe_text"]

DISPLAY_LIMIT: Final = 500  # characters shown of one server string; the data keeps it whole
ELLIPSIS: Final = "…"

# Bidi embeddings, overrides, isolates and marks: each can reorder the text around it.
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DEL: Final = "\x7f"


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ ␇ ␊ ...
    if char == _DEL:
        return "\u2421"  # ␡
    if char in _BIDI or 0x80 <= code < 0xA0 or unicodedata.category(char) in ("Zl", "Zp"):
        return f"<U+{code:04X}>"
    if 0xD800 <= code < 0xE000:  # a lone surrogate cannot be encoded: it would crash output
        return "\ufffd"
    return char


def safe_text(value: Any, *, limit: int | None = DISPLAY_LIMIT) -> str:
    """``value`` as one display-safe line: no control, escape, bidi or line-break character.

    ``None`` becomes ``""``; other values go through ``str``. ``limit`` caps the length shown
    (with an ellipsis); pass ``None`` to keep it whole.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # the fast path: almost every server string is printable
        text = "".join(_visible(char) for char in text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text
