"""Fault matrix: each fault test records a row; tests/conftest.py prints the table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_matrix import FAULT_ROW

sys.path.insert(0, str(Path(__file__).parent))  # fault_helpers (tests are not a package)


Record = Callable[[str, float, int, int, str], None]


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Record:
    """Record one row of the fault matrix. It travels on the test's report (user properties),
    so the table is complete under pytest-xdist too (see tests/conftest.py)."""

    def record(fault: str, recovered_s: float, lost: int, duplicated: int, observed: str) -> None:
        request.node.user_properties.append(
            (FAULT_ROW, (fault, recovered_s, lost, duplicated, observed))
        )

    return record
