"""Messages the shell posts to the screen that is showing (bubble=False: they stop there)."""

from __future__ import annotations

from textual.message import Message


class BooksChanged(Message, bubble=False):
    """One flush of the books: ids whose rows changed since the last flush.

    ``full`` means "redraw everything" (first show, screen resumed, env/account switched).
    """

    def __init__(
        self,
        orders: frozenset[str] = frozenset(),
        positions: frozenset[str] = frozenset(),
        *,
        full: bool = False,
    ) -> None:
        super().__init__()
        self.orders = orders
        self.positions = positions
        self.full = full


class AccountChanged(Message, bubble=False):
    """The header's account selection changed (None = all accounts)."""

    def __init__(self, account_id: str | None) -> None:
        super().__init__()
        self.account_id = account_id


class EnvChanged(Message, bubble=False):
    """The environment switched (a new Session; streams restarted)."""

    def __init__(self, env: str) -> None:
        super().__init__()
        self.env = env


class HealthChanged(Message, bubble=False):
    """Stream health, last error or rate-limit headroom changed (status bar)."""
