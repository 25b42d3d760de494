"""The learner's and the instructor's commands: list, hint, progress, check, reset, grade."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ddb_lab.cli import main
from ddb_lab.grader import registry
from ddb_lab.grader.progress import ProgressStore
from ddb_lab.grader.release import STUB_MESSAGE, release_notebook

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
NAME = "01_keys_and_types.ipynb"
CHAPTER = registry.chapter_exercises(1)
FIRST, SECOND = CHAPTER[0], CHAPTER[1]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress in a folder of this test's own."""
    monkeypatch.setenv("DDB_LAB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _solution_cell(notebook: Any, exercise_id: str) -> Any:
    return next(
        c
        for c in notebook.cells
        if c.metadata.get("ddb_lab", {}) == {"exercise": exercise_id, "role": "solution"}
    )


def _pass(*exercise_ids: str) -> None:
    from ddb_lab.grader.runner import CheckResult

    store = ProgressStore()
    for exercise_id in exercise_ids:
        exercise = registry.get(exercise_id)
        store.record_result(
            CheckResult(exercise.id, exercise.title, "passed", "", None, None, "", 2, 2)
        )


def test_list_shows_every_exercise_with_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title", "points", "status"]
    assert [line.split()[0] for line in lines[1:]] == [e.id for e in registry.exercises()]
    assert all(line.endswith("not attempted") for line in lines[1:])
    _pass(FIRST.id)
    _, out = _run(capsys, "list")
    assert out.splitlines()[1].endswith("passed")
    assert f"  {FIRST.points}  " in out.splitlines()[1]


def test_hint_reveals_the_next_hint_of_the_next_unsolved_exercise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _run(capsys, "hint")
    assert code == 0
    assert out.startswith(f"{FIRST.id} — {FIRST.title}")
    assert f"Hint 1 of {len(FIRST.hints)}: {FIRST.hints[0]}" in out
    _, out = _run(capsys, "hint")
    assert f"Hint 2 of {len(FIRST.hints)}" in out
    _pass(FIRST.id)
    _, out = _run(capsys, "hint")
    assert out.startswith(SECOND.id) and "Hint 1 of" in out
    _, out = _run(capsys, "hint", FIRST.id)
    assert out.startswith(FIRST.id) and "Hint 3 of" in out
    code, out = _run(capsys, "hint", "01.create_order_table")
    assert code == 2 and "Did you mean '01.create_orders_table'" in out


def test_progress_shows_the_bar_and_the_next_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    _pass(FIRST.id)
    code, out = _run(capsys, "progress")
    assert code == 0
    assert f"1/{len(CHAPTER)} exercises" in out
    assert f"Next: {SECOND.id}" in out


@pytest.mark.kernel
def test_check_a_solved_workbook_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    (exercises / NAME).write_bytes((SOLUTIONS / NAME).read_bytes())
    code, out = _run(capsys, "check", "01", "--exercises", str(exercises))
    assert code == 0, out
    for exercise in CHAPTER:
        assert f"✓ {exercise.id} — {exercise.title}" in out
    assert "All 4 exercises passed" in out or "[##########]" in out
    assert ProgressStore().passed_ids() >= {e.id for e in CHAPTER}


@pytest.mark.kernel
def test_check_an_unsolved_workbook_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercises = tmp_path / "exercises"
    release_notebook(SOLUTIONS / NAME, exercises / NAME, execute=False)
    code, out = _run(capsys, "check", FIRST.id, "--exercises", str(exercises))
    assert code == 1
    assert f"○ {FIRST.id}" in out and "Not started" in out
    assert SECOND.id not in out.split("\n\n")[0]  # only the selected exercise was checked
    assert f"Next: {FIRST.id}" in out
    assert ProgressStore().entry(FIRST.id)["attempts"] == 1


def test_check_without_a_workbook_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "check", "1", "--exercises", str(tmp_path / "nowhere"))
    assert code == 1
    assert "ddb-lab release" in out


def test_reset_an_exercise_backs_up_and_restores_only_its_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercises = tmp_path / "exercises"
    workbook = exercises / NAME
    exercises.mkdir()
    workbook.write_bytes((SOLUTIONS / NAME).read_bytes())  # the learner solved everything
    original = workbook.read_bytes()
    _pass(FIRST.id, SECOND.id)
    args = ["--exercises", str(exercises), "--solutions", str(SOLUTIONS), "--no-execute"]

    code, out = _run(capsys, "reset", SECOND.id, *args)
    assert code == 0, out
    backup = exercises / ".backup" / "01_keys_and_types.1.ipynb"
    assert backup.read_bytes() == original
    notebook = nbformat.read(workbook, as_version=4)
    assert STUB_MESSAGE in _solution_cell(notebook, SECOND.id).source
    assert STUB_MESSAGE not in _solution_cell(notebook, FIRST.id).source  # work kept
    assert ProgressStore().passed_ids() == {FIRST.id}

    code, out = _run(capsys, "reset", "1", *args)
    assert code == 0
    second_backup = exercises / ".backup" / "01_keys_and_types.2.ipynb"
    assert second_backup.exists() and backup.read_bytes() == original
    notebook = nbformat.read(workbook, as_version=4)
    assert all(STUB_MESSAGE in _solution_cell(notebook, e.id).source for e in CHAPTER)
    assert ProgressStore().passed_ids() == set()


def test_reset_everything_asks_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _pass(FIRST.id)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out = _run(capsys, "reset")
    assert code == 1 and "Nothing reset" in out
    assert ProgressStore().passed_ids() == {FIRST.id}
    code, out = _run(capsys, "reset", "--yes")
    assert code == 0
    assert ProgressStore().passed_ids() == set()


def test_grade_writes_the_csv_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submissions = tmp_path / "class"
    (submissions / "ann").mkdir(parents=True)
    (submissions / "ann" / NAME).write_text("{ not json")
    (submissions / "bob" / "notes").mkdir(parents=True)
    out_csv = tmp_path / "grades.csv"
    code, out = _run(capsys, "grade", str(submissions), "--out", str(out_csv))
    assert code == 0, out
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [(r["learner"], r["exercise"]) for r in rows] == [
        (learner, e.id) for learner in ("ann", "bob") for e in CHAPTER
    ]
    assert {r["status"] for r in rows if r["learner"] == "ann"} == {"invalid"}
    assert {r["status"] for r in rows if r["learner"] == "bob"} == {"not_submitted"}
    total = sum(e.points for e in CHAPTER)
    for learner in ("ann", "bob"):
        assert re.search(rf"^{learner}\s+0/{total}\s+0/{len(CHAPTER)}$", out, re.M), out
    code, out = _run(capsys, "grade", str(tmp_path / "missing"))
    assert code == 2
