"""``-X importtime`` in a fresh process: which modules cost what, up to a marker line.

Python writes one ``import time: self | cumulative | name`` line per module as its import
finishes (children before their parent, nesting shown by indentation). The children of a
startup can print a marker on stderr (``MARK``) at a moment of interest (the first paint):
only the imports before it count.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

MARK = "@@bench-mark"
_PREFIX = "import time:"


@dataclass(frozen=True, slots=True)
class Imported:
    name: str
    depth: int  # 0: imported by the program itself, 1: by a depth-0 module...
    self_us: int
    cumulative_us: int


def run(
    args: Sequence[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """A fresh ``python -X importtime <args>`` (its import lines on stderr; never raises on a
    non-zero exit: the caller reads ``returncode``)."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def parse(stderr: str, *, until_mark: bool = True) -> list[Imported]:
    """Every import line of ``stderr`` (up to ``MARK`` when present and ``until_mark``)."""
    out: list[Imported] = []
    for line in stderr.splitlines():
        if until_mark and line.startswith(MARK):
            break
        if not line.startswith(_PREFIX) or "cumulative" in line:
            continue
        parts = line[len(_PREFIX) :].split("|")
        if len(parts) != 3:
            continue
        raw_name = parts[2].rstrip()
        stripped = raw_name.lstrip(" ")
        depth = (len(raw_name) - len(stripped) - 1) // 2
        out.append(Imported(stripped, depth, int(parts[0]), int(parts[1])))
    return out


def total_ms(imports: Sequence[Imported]) -> float:
    return sum(i.cumulative_us for i in imports if i.depth == 0) / 1000


def top(imports: Sequence[Imported], count: int = 12, max_depth: int = 2) -> list[Imported]:
    """The costliest modules (cumulative) down to ``max_depth``, without a module's parent
    package hiding it: the list reads as "where did the time go"."""
    shallow = [i for i in imports if i.depth <= max_depth]
    return sorted(shallow, key=lambda i: i.cumulative_us, reverse=True)[:count]


def cost_of(imports: Sequence[Imported], name: str) -> float:
    """Ms spent importing ``name`` and its submodules (their own times, wherever they were
    imported from; 0 when none was imported)."""
    inside = name + "."
    return sum(i.self_us for i in imports if i.name == name or i.name.startswith(inside)) / 1000


def breakdown_lines(
    imports: Sequence[Imported], *, count: int = 12, watch: Sequence[str] = ()
) -> list[str]:
    """Lines to print: the total, the top modules, and the cost of each watched module."""
    lines = [f"imports {total_ms(imports):.0f} ms in {len(imports)} modules; costliest:"]
    lines += [
        f"  {i.cumulative_us / 1000:6.1f} ms  {'  ' * i.depth}{i.name}" for i in top(imports, count)
    ]
    for name in watch:
        lines.append(f"  {name} and its submodules: {cost_of(imports, name):.1f} ms")
    return lines
