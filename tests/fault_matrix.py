"""The fault matrix's rows and table (imported by name: test folders are not packages).

Rows travel on each test report's ``user_properties`` under ``FAULT_ROW``, so the table is
gathered where reports arrive: in the one pytest process, or in pytest-xdist's controller.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

FAULT_ROW = "fault-matrix-row"


@dataclass(frozen=True, slots=True)
class FaultResult:
    fault: str
    recovered_s: float
    lost: int
    duplicated: int
    observed: str


RESULTS: list[FaultResult] = []


def collect(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == FAULT_ROW:
            RESULTS.append(FaultResult(*value))


def print_table(tr: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    tr.section("fault matrix")
    width = max(len(r.fault) for r in RESULTS)
    tr.write_line(f"{'fault'.ljust(width)}  recovered in  lost  duplicated  observed")
    for r in sorted(RESULTS, key=lambda r: r.fault):
        tr.write_line(
            f"{r.fault.ljust(width)}  {r.recovered_s:10.2f} s  {r.lost:4d}  {r.duplicated:10d}"
            f"  {r.observed}"
        )
