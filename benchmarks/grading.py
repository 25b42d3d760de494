"""Grading throughput: ``ddb-lab grade`` over a class of solved exercise notebooks.

``COPIES`` learners each hand in ``solutions/NOTEBOOK`` (every exercise solved); one
``ddb-lab grade`` run grades them all, one kernel per notebook (``--jobs 1``). The baseline is
the least grading can cost: executing the same notebook once in a fresh kernel with nbclient
(``RUNS`` times, median). The ratio is grading CPU per notebook over that; notebooks per minute
(wall) are reported with it. Every exercise must come out ``passed``, or the run is an error.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from benchmarks._common import PYTHON, ROOT, Row, median, row, run_child

NOTEBOOK = "01_keys_and_types.ipynb"
COPIES = 3
RUNS = 2
#: Grading one notebook may cost at most this many plain executions of it.
TARGET = 1.5

EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
folder = path.rsplit("/", 1)[0]
NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
"""


def run() -> list[Row]:
    source = ROOT / "solutions" / NOTEBOOK
    with tempfile.TemporaryDirectory(prefix="ddb-lab-bench-") as scratch:
        folder = Path(scratch)
        env = {"DDB_LAB_HOME": str(folder / "home")}
        plain_folder = folder / "plain"
        plain_folder.mkdir()
        shutil.copy(source, plain_folder / NOTEBOOK)
        plain = []
        for _ in range(RUNS):
            done = run_child([PYTHON, "-c", EXECUTE, str(plain_folder / NOTEBOOK)], env=env)
            if done.returncode != 0:
                raise RuntimeError(f"executing {NOTEBOOK} failed: {done.output}")
            plain.append(done.cpu)
        submissions = folder / "class"
        for n in range(COPIES):
            (submissions / f"learner{n:02d}").mkdir(parents=True)
            shutil.copy(source, submissions / f"learner{n:02d}" / NOTEBOOK)
        out = folder / "grades.csv"
        ddb_lab = Path(PYTHON).parent / "ddb-lab"
        done = run_child(
            [str(ddb_lab), "grade", str(submissions), "--out", str(out), "--jobs", "1"], env=env
        )
        if done.returncode != 0:
            raise RuntimeError(f"ddb-lab grade failed: {done.output}")
        with out.open(encoding="utf-8") as grades:
            statuses = {line["status"] for line in csv.DictReader(grades)}
        if statuses != {"passed"}:
            raise RuntimeError(f"solved exercises did not all pass: {sorted(statuses)}")
    per_notebook, baseline = done.cpu / COPIES, median(plain)
    per_minute = COPIES / done.wall * 60
    return [
        row(
            f"grading: ddb-lab grade, {COPIES} x {NOTEBOOK}",
            "plain nbclient execution",
            per_notebook / baseline,
            TARGET,
            f"{per_minute:.1f} notebooks/minute (wall, --jobs 1); "
            f"{per_notebook:.1f} s vs {baseline:.1f} s CPU per notebook",
            notebooks_per_minute=per_minute,
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
