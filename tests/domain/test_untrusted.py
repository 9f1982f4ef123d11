"""The untrusted-text boundary: every hostile form comes out visible and harmless."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tstui.domain.untrusted import DISPLAY_LIMIT, ELLIPSIS, safe_text

HOSTILE = [
    "\x1b]0;pwned\x07",  # retitle the terminal
    "\x1b[2J",  # clear the screen
    "AAPL\nFAKE  999",  # forge a table row
    "\u202eLPAA",  # reverse the text after it
    "x\u2066y\u2069z",  # bidi isolate
    "line\u2028sep",
    "c1\x9b31m",
    "bad\ud800surrogate",
    "del\x7f",
]


def _dangerous(char: str) -> bool:
    return (
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
        or unicodedata.bidirectional(char)
        in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")
        or char in "\u200e\u200f\u061c"
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_come_out_harmless(hostile: str) -> None:
    shown = safe_text(hostile)
    assert not any(_dangerous(c) for c in shown)
    shown.encode("utf-8")  # a lone surrogate would raise here


def test_forms_are_visible() -> None:
    assert safe_text("\x1b[2J") == "\u241b[2J"
    assert safe_text("a\nb") == "a\u240ab"
    assert safe_text("\u202eX") == "<U+202E>X"
    assert safe_text("\x9b") == "<U+009B>"


def test_plain_text_and_brackets_unchanged() -> None:
    assert (
        safe_text("feed x[/]y [b]bold[/b] é 日本 $1,234.50")
        == "feed x[/]y [b]bold[/b] é 日本 $1,234.50"
    )
    assert safe_text(None) == ""
    assert safe_text(12) == "12"


def test_length_is_capped_for_display() -> None:
    shown = safe_text("x" * (DISPLAY_LIMIT + 50))
    assert len(shown) == DISPLAY_LIMIT and shown.endswith(ELLIPSIS)
    assert safe_text("abcdef", limit=4) == "abc" + ELLIPSIS
    assert safe_text("x" * 2000, limit=None) == "x" * 2000


@given(st.text())
def test_any_text_is_safe(text: str) -> None:
    shown = safe_text(text, limit=None)
    assert not any(_dangerous(c) for c in shown)
    shown.encode("utf-8")
