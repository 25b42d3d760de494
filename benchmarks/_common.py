"""What every benchmark shares: result rows, CPU-time clocks, child processes.

Times are CPU seconds (user + system) unless a row says otherwise: the machine that runs
``make bench`` is often busy with other work, and CPU time does not count the time this process
waits for a core, so ratios stay stable under load. A child process (a fresh interpreter, pytest,
a kernel) is measured by the CPU time of it and every process it waited for
(``RUSAGE_CHILDREN``), wall time is kept for information.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

Row = dict[str, Any]


def row(
    benchmark: str,
    baseline: str,
    ratio: float,
    target: float | None,
    note: str = "",
    **figures: Any,
) -> Row:
    """One result: ``ratio`` = lab / baseline, met when at most ``target`` (None: information)."""
    return {
        "benchmark": benchmark,
        "baseline": baseline,
        "ratio": round(ratio, 3),
        "target": target,
        "ok": None if target is None else bool(ratio <= target),
        "note": note,
        "figures": figures,
    }


def failed_row(benchmark: str, reason: str) -> Row:
    """A benchmark that could not be measured counts as a missed target."""
    return {
        "benchmark": benchmark,
        "baseline": "-",
        "ratio": float("nan"),
        "target": None,
        "ok": False,
        "note": reason,
        "figures": {},
    }


def cpu() -> float:
    """CPU seconds this process has used so far."""
    return time.process_time()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[rank]


def cpu_of(work: Callable[[], Any]) -> float:
    """CPU seconds ``work()`` takes in this process."""
    began = cpu()
    work()
    return cpu() - began


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: its CPU and wall seconds, exit code and output tail."""

    cpu: float
    wall: float
    returncode: int
    output: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 600,
) -> ChildRun:
    """Run ``args`` to the end; CPU time includes every process it started and waited for."""
    merged = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    before_cpu, before_wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        list(args),
        cwd=cwd,
        env=merged,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - before_wall
    return ChildRun(_children_cpu() - before_cpu, wall, done.returncode, done.stdout[-2000:])
