"""Classroom grading, end to end: a folder of learners' chapter-1 notebooks graded into a CSV.

Every learner below is built from solutions/01_keys_and_types.ipynb (or its release), so the
expected points follow from what each learner did to it. Each graded notebook starts a kernel.
"""

from __future__ import annotations

import copy
import csv
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from ddb_lab.grader import registry
from ddb_lab.grader.grading import CSV_COLUMNS, grade
from ddb_lab.grader.headless import learner_source
from ddb_lab.grader.release import released

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "01_keys_and_types.ipynb"
NAME = SOLUTIONS.name
CHAPTER = [e.id for e in registry.chapter_exercises(1)]
CREATE, LOW_LEVEL, MONTH, STATUS = CHAPTER
POINTS = {e.id: e.points for e in registry.chapter_exercises(1)}


PATCH_RUNNER = """\
import dataclasses
import ddb_lab.grader.runner as runner

real_run_check = runner.run_check


def always_passed(exercise_id, function, *, timeout=None):
    result = real_run_check(exercise_id, function, timeout=timeout)
    return dataclasses.replace(result, status="passed", points=result.max_points, message="")


runner.run_check = always_passed
"""


def _solved() -> Any:
    return nbformat.read(SOLUTIONS, as_version=4)


def _cell(notebook: Any, exercise_id: str, role: str) -> Any:
    for cell in notebook.cells:
        meta = cell.metadata.get("ddb_lab", {})
        if meta.get("exercise") == exercise_id and meta.get("role") == role:
            return cell
    raise LookupError((exercise_id, role))


def _write(notebook: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def _build_class(root: Path) -> dict[str, dict[str, int]]:
    """Write the submissions; returns the points each learner must get per exercise."""
    solved = _solved()
    stubs = released(SOLUTIONS)
    full = dict(POINTS)
    zero = dict.fromkeys(CHAPTER, 0)
    expected: dict[str, dict[str, int]] = {}

    # correct: the solutions notebook itself.
    _write(solved, root / "correct" / NAME)
    expected["correct"] = full

    # partly: the first exercise right, the second wrong, the others still stubs.
    partly = copy.deepcopy(stubs)
    _cell(partly, CREATE, "solution").source = _cell(solved, CREATE, "solution").source
    _cell(partly, LOW_LEVEL, "solution").source = "def to_low_level(item):\n    return dict(item)\n"
    _write(partly, root / "partly" / NAME)
    expected["partly"] = {**zero, CREATE: POINTS[CREATE]}

    # empty: the released exercise notebook, untouched.
    _write(stubs, root / "empty" / NAME)
    expected["empty"] = zero

    # syntax: one solution cell does not parse; the others still score. Deep in its folder.
    broken = copy.deepcopy(solved)
    cell = _cell(broken, LOW_LEVEL, "solution")
    cell.source = cell.source.replace("TypeSerializer()", "TypeSerializer(")
    assert cell.source != _cell(solved, LOW_LEVEL, "solution").source
    _write(broken, root / "syntax" / "work" / "chapter1" / NAME)
    expected["syntax"] = {**full, LOW_LEVEL: 0}

    # looping: a top-level cell that never ends, and a function that never returns.
    looping = copy.deepcopy(solved)
    looping.cells.insert(2, new_code_cell("while True:\n    pass\n"))
    _cell(
        looping, MONTH, "solution"
    ).source = "def orders_in_month(table, customer_id, month):\n    while True:\n        pass\n"
    _write(looping, root / "looping" / NAME)
    expected["looping"] = {**full, MONTH: 0}

    # tampered: check cells print a pass, outputs faked, check() and the runner patched to pass;
    # stubs unsolved.
    tampered = copy.deepcopy(stubs)
    tampered.cells.insert(2, new_code_cell("def check(*args, **kwargs):\n    print('✓ passed')\n"))
    tampered.cells.insert(3, new_code_cell(PATCH_RUNNER))
    for number, exercise_id in enumerate(CHAPTER, start=1):
        cell = _cell(tampered, exercise_id, "check")
        cell.source = 'print("✓ passed")'
        cell.execution_count = number
        cell.outputs = [
            new_output("stream", name="stdout", text=f"✓ {exercise_id} (passed)\n"),
        ]
    _write(tampered, root / "tampered" / NAME)
    expected["tampered"] = zero

    # crasher: everything right, then os._exit() kills the kernel before grading.
    crasher = copy.deepcopy(solved)
    crasher.cells.append(new_code_cell("import os\nos._exit(3)\n"))
    _write(crasher, root / "crasher" / NAME)
    expected["crasher"] = zero

    # deaf: a top-level loop that swallows the interrupt; its kernel has to be stopped.
    deaf = copy.deepcopy(solved)
    deaf.cells.insert(
        2,
        new_code_cell(
            "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n"
            "    except KeyboardInterrupt:\n        pass\n"
        ),
    )
    _write(deaf, root / "deaf" / NAME)
    expected["deaf"] = zero

    # ghost: submitted nothing; garbled: a file that is not a notebook.
    (root / "ghost").mkdir()
    (root / "ghost" / "README.txt").write_text("sorry\n")
    expected["ghost"] = zero
    (root / "garbled").mkdir()
    (root / "garbled" / NAME).write_text('{"cells": [')
    expected["garbled"] = zero
    return expected


@pytest.mark.kernel
def test_a_class_is_graded_exactly_and_in_bounded_time(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    expected = _build_class(submissions)
    out = tmp_path / "grades.csv"

    started = time.monotonic()
    report = grade(submissions, out, notebook_timeout=60, cell_timeout=10, jobs=4, progress=False)
    elapsed = time.monotonic() - started

    assert elapsed < 90, f"grading took {elapsed:.0f} s"
    with out.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    got: dict[str, dict[str, int]] = {}
    for row in rows:
        got.setdefault(row["learner"], {})[row["exercise"]] = int(row["points"])
        assert row["feedback"].strip(), row
        assert int(row["max_points"]) == POINTS[row["exercise"]]
    assert got == expected
    # sorted by learner, then course order
    assert [(r["learner"], r["exercise"]) for r in rows] == [
        (learner, exercise_id) for learner in sorted(expected) for exercise_id in CHAPTER
    ]
    status = {(r["learner"], r["exercise"]): r for r in rows}
    assert {status[("correct", e)]["status"] for e in CHAPTER} == {"passed"}
    assert status[("partly", LOW_LEVEL)]["status"] == "failed"
    assert status[("partly", MONTH)]["status"] == "not_started"
    assert {status[("tampered", e)]["status"] for e in CHAPTER} == {"not_started"}
    assert status[("syntax", LOW_LEVEL)]["status"] == "not_defined"
    assert "SyntaxError" in status[("syntax", LOW_LEVEL)]["feedback"]
    assert status[("looping", MONTH)]["status"] == "timeout"
    assert "kernel died" in status[("crasher", CREATE)]["feedback"]
    assert status[("deaf", CREATE)]["status"] == "not_graded"
    assert "interrupted" in status[("deaf", CREATE)]["feedback"]
    assert status[("ghost", CREATE)]["feedback"].startswith("notebook not submitted")
    assert "not a valid notebook" in status[("garbled", CREATE)]["feedback"]
    assert report.totals()["correct"] == (sum(POINTS.values()), sum(POINTS.values()))
    assert "correct" in report.summary_table()


def test_check_cells_are_left_out_of_the_graded_notebook() -> None:
    solved = _solved()
    kept = [learner_source(cell) for cell in solved.cells]
    for cell, source in zip(solved.cells, kept, strict=True):
        role = cell.metadata.get("ddb_lab", {}).get("role")
        if cell.cell_type != "code" or role == "check":
            assert source is None
        else:
            assert source == cell.source


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ('check("01.x", f)', None),
        ("def f():\n    return 1\ncheck('01.x', f)\nhint('01.x')\n", "def f():\n    return 1\n"),
        ("r = check('01.x', f)\nprint(progress())\nx = 1", "x = 1"),
        ("def f():\n    return check('01.x', g)\n", "def f():\n    return check('01.x', g)\n"),
        ("from ddb_lab import check, hint\n", "from ddb_lab import check, hint\n"),
        ("def f(:\n    check(1)\n", "def f(:\n    check(1)\n"),
        ("lab.check_table()\nmy_check(1)\n", "lab.check_table()\nmy_check(1)\n"),
        ("%time check('01.x', f)\ny = 2\n", None),
        ("%time x = 1\n", "%time x = 1\n"),
    ],
)
def test_grader_calls_are_left_out(source: str, kept: str | None) -> None:
    assert learner_source(new_code_cell(source)) == kept
