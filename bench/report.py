"""Shared printing and statistics for the benchmarks (one block per figure)."""

from __future__ import annotations

import resource
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure: side-by-side lines, the headline value, the target, the verdict."""

    number: int
    title: str
    rows: tuple[tuple[str, str], ...]  # (label, measured value) printed side by side
    value: str  # the headline figure, e.g. "ratio 0.84 of raw"
    target: str  # e.g. ">= 0.70 of raw"
    meets: bool
    notes: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "meets target" if self.meets else "MISSES target"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def paired_ratio(baseline: Sequence[float], measured: Sequence[float]) -> float:
    """The median of ``measured[i] / baseline[i]``: each run against the baseline run next to
    it. These machines change speed by 40% within minutes, in steps: the ratio of the two
    medians can set a run of one side's slow spell against one of the other's quick spell
    (a floor of [222, 195, 282, 329, 278, 192, 217] ms against a paint of [342, 224, 334,
    334, 335, 220, 253]: medians 1.50x, pairs 1.02-1.54x with a median of 1.17x); a pair,
    taken a second apart, shares the machine's speed."""
    if len(baseline) != len(measured) or not baseline:
        raise ValueError("paired_ratio needs runs in pairs")
    return median([m / b for b, m in zip(baseline, measured, strict=True)])


def ratio_row(baseline: Sequence[float], measured: Sequence[float]) -> str:
    """What a paired ratio is made of: every pair's ratio and the ratio of the medians."""
    pairs = [m / b for b, m in zip(baseline, measured, strict=True)]
    return (
        f"pairs {spread(pairs, '{:.2f}')}; ratio of the medians "
        f"{median(measured) / median(baseline):.2f}x"
    )


def spread(values: Sequence[float], fmt: str = "{:.3g}") -> str:
    """``[a, b, c]`` of the individual runs (so the noise is visible)."""
    return "[" + ", ".join(fmt.format(v) for v in values) + "]"


def ms_row(seconds: Sequence[float]) -> str:
    """A row of timings given in seconds: the median and every run, in ms."""
    ms = [v * 1000 for v in seconds]
    return f"{median(ms):7.0f} ms  runs {spread(ms, '{:.0f}')}"


def render(figure: Figure) -> str:
    width = max((len(label) for label, _ in figure.rows), default=0)
    lines = [f"{figure.number}. {figure.title}"]
    lines += [f"   {label.ljust(width)}  {value}" for label, value in figure.rows]
    lines += [f"   note: {note}" for note in figure.notes]
    lines.append(f"   figure: {figure.value}   target: {figure.target}   {figure.verdict}")
    return "\n".join(lines)


def summary(figures: Sequence[Figure]) -> str:
    met = sum(1 for f in figures if f.meets)
    parts = [f"{f.number} {f.verdict}" for f in figures]
    return f"{met}/{len(figures)} figures meet their targets ({'; '.join(parts)})"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return float(ordered[int(rank) - 1])


def peak_rss_mb() -> float:
    """This process's peak RSS. On Linux VmHWM: ``ru_maxrss`` keeps the high-water mark of
    the process image before ``exec`` (a child of a big parent would report the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
