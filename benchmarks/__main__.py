"""``make bench``: run every benchmark, print each ratio next to its target, write the JSON.

Usage: ``python -m benchmarks [NAME ...] [--json PATH] [--strict]``. NAMEs pick benchmarks
(default: all, in the order below). Every figure is a ratio to a baseline measured in the same
run; a row without a target is information. A benchmark that raises is reported as missed and
the others still run. The exit status is 0 once the suite has run; with ``--strict`` it is 1
when any target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import (
    cold_start,
    engine_overhead,
    grading,
    load_large,
    notebook_suite,
    query_scaling,
    simulate_speed,
)
from benchmarks._common import ROOT, Row, failed_row

BENCHMARKS: dict[str, Callable[[], list[Row]]] = {
    "cold_start": cold_start.run,
    "engine_overhead": engine_overhead.run,
    "query_scaling": query_scaling.run,
    "load_large": load_large.run,
    "notebook_suite": notebook_suite.run,
    "grading": grading.run,
    "simulate_speed": simulate_speed.run,
}
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "moto": version("moto"),
        "boto3": version("boto3"),
        "load_average_at_start": round(load, 2),
    }


def _verdict(result: Row) -> str:
    if result["ok"] is None:
        return "info"
    return "met" if result["ok"] else "NOT MET"


def _ratio(result: Row) -> str:
    return "-" if math.isnan(result["ratio"]) else f"{result['ratio']:.3f}"


def print_table(rows: Sequence[Row]) -> None:
    width = max(len(r["benchmark"]) for r in rows)
    base = max(len(r["baseline"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'baseline':<{base}}  {'ratio':>7}  {'target':>8}  result")
    for r in rows:
        target = "" if r["target"] is None else f"<= {r['target']}"
        note = f"  ({r['note']})" if r.get("note") else ""
        print(
            f"{r['benchmark']:<{width}}  {r['baseline']:<{base}}  {_ratio(r):>7}  "
            f"{target:>8}  {_verdict(r)}{note}"
        )


def _run_one(name: str) -> tuple[list[Row], float]:
    began = time.perf_counter()
    try:
        rows = BENCHMARKS[name]()
    except Exception as error:  # one broken benchmark must not hide the others
        rows = [failed_row(name, f"{type(error).__name__}: {str(error)[:300]}")]
    return rows, time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    started = time.perf_counter()
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        found, seconds[name] = _run_one(name)
        rows.extend(found)
    print_table(rows)
    total = time.perf_counter() - started
    missed = [r["benchmark"] for r in rows if r["ok"] is False]
    print(
        f"\n{len(rows) - len(missed)} of {len(rows)} rows met or information; "
        f"{len(missed)} missed; {total:.0f} s"
    )
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seconds": {**{k: round(v, 1) for k, v in seconds.items()}, "total": round(total, 1)},
        "results": rows,
    }
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
