"""The chapter notebooks under strict nbval vs. the floor: a kernel that only runs the setup cell.

Each ``notebooks/NN_*.ipynb`` runs in its own ``pytest --nbval`` process, as ``make test`` runs
it. The floor is the same harness on an empty chapter: a notebook holding only the chapter
setup cell (``from ddb_lab import start``, ``lab = start(clock="simulated")``), written to a
temporary folder and measured ``FLOOR_RUNS`` times in the same run. Each notebook's ratio is
its CPU time (pytest, its kernel and everything they started) over the floor's median; the
target applies to the median ratio over the chapters. Wall times are kept for information.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks._common import PYTHON, ROOT, ChildRun, Row, median, row, run_child

FLOOR_RUNS = 3
#: The median chapter may cost at most this many floors.
TARGET = 1.5

SETUP_CELL = 'from ddb_lab import start\n\nlab = start(clock="simulated")'


def _empty_chapter(folder: Path) -> Path:
    """A chapter with nothing but its title and setup cell, as nbformat 4 JSON."""
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Empty"},
            {
                "cell_type": "code",
                "id": "setup",
                "execution_count": 1,
                "metadata": {},
                "outputs": [],
                "source": SETUP_CELL,
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "00_empty_chapter.ipynb"
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def _nbval(notebook: Path, home: Path) -> ChildRun:
    return run_child(
        [
            PYTHON,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            str(notebook),
        ],
        env={"DDB_LAB_HOME": str(home)},  # as the root conftest.py sets it for in-tree runs
    )


def chapters() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ddb-lab-bench-") as scratch:
        folder = Path(scratch)
        empty = _empty_chapter(folder)
        floors = []
        for _ in range(FLOOR_RUNS):
            done = _nbval(empty, folder)
            if done.returncode != 0:
                raise RuntimeError(f"the empty chapter failed under nbval: {done.output}")
            floors.append(done)
        floor = median([f.cpu for f in floors])
        floor_wall = median([f.wall for f in floors])
        ratios = []
        for notebook in chapters():
            done = _nbval(notebook, folder)
            ratio = done.cpu / floor
            ratios.append(ratio)
            passed = "passed" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
            rows.append(
                row(
                    f"nbval {notebook.name}",
                    "floor: empty chapter",
                    ratio,
                    None,
                    f"{done.cpu:.1f} s CPU, {done.wall:.1f} s wall; {passed}",
                )
            )
        rows.insert(
            0,
            row(
                f"nbval, median of {len(ratios)} chapters",
                "floor: empty chapter",
                median(ratios),
                TARGET,
                f"floor {floor:.1f} s CPU, {floor_wall:.1f} s wall",
                floor_cpu=floor,
                ratios=ratios,
            ),
        )
    return rows


if __name__ == "__main__":
    for result in run():
        print(result)
