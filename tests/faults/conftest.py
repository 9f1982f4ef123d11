"""Fault matrix: a session-wide collector printed as a table at the end of the run."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # fault_helpers (tests are not a package)


@dataclass(frozen=True, slots=True)
class FaultResult:
    fault: str
    recovered_s: float
    lost: int
    duplicated: int
    observed: str


RESULTS: list[FaultResult] = []
Record = Callable[[str, float, int, int, str], None]


@pytest.fixture
def fault_report() -> Record:
    def record(fault: str, recovered_s: float, lost: int, duplicated: int, observed: str) -> None:
        RESULTS.append(FaultResult(fault, recovered_s, lost, duplicated, observed))

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("fault matrix")
    width = max(len(r.fault) for r in RESULTS)
    tr.write_line(f"{'fault'.ljust(width)}  recovered in  lost  duplicated  observed")
    for r in RESULTS:
        tr.write_line(
            f"{r.fault.ljust(width)}  {r.recovered_s:10.2f} s  {r.lost:4d}  {r.duplicated:10d}"
            f"  {r.observed}"
        )
