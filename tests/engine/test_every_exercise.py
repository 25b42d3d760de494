"""The rustlings rule: every solution passes its check, every unsolved exercise fails it.

Reads the solutions/ and exercises/ notebooks (the cells tagged with the exercise id), runs each
exercise's function through the real check, and also proves the registry, the checks and the
notebooks list the same exercises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from ddb_lab.grader.checks import all_checks
from ddb_lab.grader.registry import Exercise, exercises
from ddb_lab.grader.runner import run_check

ROOT = Path(__file__).resolve().parents[2]


def _notebook(folder: str, exercise: Exercise) -> nbformat.NotebookNode:
    matches = sorted((ROOT / folder).glob(f"{exercise.chapter:02d}_*.ipynb"))
    assert len(matches) == 1, f"one {folder}/{exercise.chapter:02d}_*.ipynb expected, got {matches}"
    return nbformat.read(matches[0], as_version=4)


def _cells(notebook: nbformat.NotebookNode, exercise_id: str, role: str) -> list[Any]:
    return [
        cell
        for cell in notebook.cells
        if cell.metadata.get("ddb_lab", {}).get("exercise") == exercise_id
        and cell.metadata.get("ddb_lab", {}).get("role") == role
    ]


def _function(notebook: nbformat.NotebookNode, exercise: Exercise) -> Any:
    setup = next(c for c in notebook.cells if c.cell_type == "code" and "start(" in c.source)
    namespace: dict[str, Any] = {}
    exec(compile(setup.source, "<setup>", "exec"), namespace)  # noqa: S102 - course code
    (cell,) = _cells(notebook, exercise.id, "solution")
    exec(compile(cell.source, f"<{exercise.id}>", "exec"), namespace)  # noqa: S102
    return namespace[exercise.function]


COURSE = exercises()


def test_registry_checks_and_notebooks_agree() -> None:
    assert {e.id for e in COURSE} == set(all_checks())
    for exercise in COURSE:
        for folder in ("solutions", "exercises"):
            notebook = _notebook(folder, exercise)
            for role in ("prompt", "solution", "check"):
                assert len(_cells(notebook, exercise.id, role)) == 1, (folder, exercise.id, role)
            (check_cell,) = _cells(notebook, exercise.id, "check")
            assert check_cell.source.strip() == f'check("{exercise.id}", {exercise.function})'


@pytest.mark.parametrize("exercise", COURSE, ids=lambda e: e.id)
def test_solution_passes(exercise: Exercise) -> None:
    result = run_check(exercise.id, _function(_notebook("solutions", exercise), exercise))
    assert result.passed, result.text()
    assert result.points == exercise.points


@pytest.mark.parametrize("exercise", COURSE, ids=lambda e: e.id)
def test_unsolved_exercise_fails(exercise: Exercise) -> None:
    result = run_check(exercise.id, _function(_notebook("exercises", exercise), exercise))
    assert result.status == "not_started", result.text()
    assert result.points == 0
