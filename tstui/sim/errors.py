"""The simulator's request errors (the routes answer them as TradeStation's error bodies)."""

from __future__ import annotations


class BadRequest(Exception):
    """The request cannot be understood: answered with 400 and this message."""


class NotFound(Exception):
    """Answered with 404 and this message."""
