"""The test simulator's start instant, shared by the fixtures and tests that start their own.

Imported by its name (test folders are not packages), never through ``conftest``: several
``conftest`` modules exist, and which one ``import conftest`` finds depends on the run."""

from __future__ import annotations

from datetime import UTC, datetime

SIM_START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
