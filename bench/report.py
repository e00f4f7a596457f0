"""One JSON line per figure, the same keys for every benchmark, so ``bench/run.py`` can put them
all in ``bench/README.md``'s table.

Keys: ``bench`` (the script), ``figure`` (what was measured, in words), ``value`` and ``unit``,
``target`` and ``met`` (when the issue names a target: ``met`` is true, false, or null when the
figure has no target), ``runs`` (how many timed runs the median is of), ``how`` (one phrase:
what exactly was timed), and any other keys the script adds.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Sequence
from typing import Any


def emit(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    target: float | None = None,
    lower_is_better: bool = True,
    runs: int | None = None,
    how: str = "",
    **extra: Any,
) -> dict[str, Any]:
    met = None
    if target is not None:
        met = value < target if lower_is_better else value > target
    line = {
        "bench": bench,
        "figure": figure,
        "value": value,
        "unit": unit,
        "target": None
        if target is None
        else f"{'<' if lower_is_better else '>'} {target:g} {unit}",
        "met": met,
        "runs": runs,
        "how": how,
        **extra,
    }
    print(json.dumps(line), flush=True)
    return line


def median(values: Sequence[float], digits: int = 1) -> float:
    return round(statistics.median(values), digits)


def p95(values: Sequence[float], digits: int = 1) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], digits)


def note(message: str) -> None:
    """Progress, on stderr: never mistaken for a figure."""
    print(message, file=sys.stderr, flush=True)
