"""Helpers shared by the client tests that run on httpx.MockTransport."""

from __future__ import annotations

# The states a stream goes through when it reconnects once after its snapshot and resyncs.
RESYNC_STATES = [
    "connecting",
    "connected",
    "snapshot_complete",
    "reconnecting",
    "connected",
    "resynced",
]


class FakeAuth:
    """Hands out "tok-N"; each refresh after a 401 moves on to the next token."""

    def __init__(self) -> None:
        self.token = "tok-1"
        self.refreshes = 0

    async def access_token(self) -> str:
        return self.token

    async def refresh_after_401(self, stale_access_token: str) -> str:
        self.refreshes += 1
        self.token = f"tok-{self.refreshes + 1}"
        return self.token
