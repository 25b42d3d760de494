"""The notebook API: check records progress, hints climb a ladder, progress and solutions show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ddb_lab.grader import notebook, registry
from ddb_lab.grader.checks import _CHECKS, check_for
from ddb_lab.grader.context import CheckContext, Failure
from ddb_lab.grader.notebook import check, hint, progress, solution
from ddb_lab.grader.progress import ProgressStore
from ddb_lab.grader.registry import Exercise

pytestmark = pytest.mark.timeout(60)

COURSE = [
    Exercise("98.double", 98, "Double a number", "double", 2, ("Multiply.", "By two.", "x * 2")),
    Exercise("98.table_name", 98, "Name <the> table", "table_name", 3, ("Return a string.",)),
    Exercise("99.tables", 99, "Count the tables", "count_tables", 4, ("list_tables",)),
]


def check_double(fn: Any, ctx: CheckContext) -> None:
    got = ctx.call(fn, 21)
    if got != 42:
        raise Failure("double(21) should be 42.", expected=42, got=got)


def check_name(fn: Any, ctx: CheckContext) -> None:
    if ctx.call(fn) != "Orders":
        raise Failure("Wrong name.")


def check_tables(fn: Any, ctx: CheckContext) -> None:
    if ctx.call(fn, ctx.client) != 0:
        raise Failure("A fresh lab has no tables.")


def _notebook(cells: list[dict[str, Any]]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _code(source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {"ddb_lab": meta} if meta else {},
        "source": source.splitlines(keepends=True),
        "outputs": [],
        "execution_count": None,
    }


DOUBLE_CELL = (
    "def double(x):\n"
    '    """Twice x."""\n'
    "    ### BEGIN SOLUTION\n"
    "    return x * 2\n"
    "    ### END SOLUTION\n"
)


@pytest.fixture(autouse=True)
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("DDB_LAB_HOME", str(home))
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "solutions" / "98_numbers.ipynb").write_text(
        _notebook(
            [
                _code("from ddb_lab import check"),
                _code("def double(x):\n    return -1  # a decoy without markers\n"),
                _code(DOUBLE_CELL, {"exercise": "98.double", "role": "solution"}),
                _code('check("98.double", double)', {"exercise": "98.double", "role": "check"}),
                _code(  # found by its def: no metadata
                    "def table_name():\n    ### BEGIN SOLUTION\n    return 'Orders'\n"
                    "    ### END SOLUTION\n"
                ),
            ]
        )
    )
    (root / "exercises" / "99_tables.ipynb").write_text(_notebook([]))
    monkeypatch.setattr(notebook, "COURSE_ROOT", root)
    for exercise_id, function in (
        ("98.double", check_double),
        ("98.table_name", check_name),
        ("99.tables", check_tables),
    ):
        check_for(exercise_id)(function)
    try:
        with registry.override(COURSE):
            yield home
    finally:
        for exercise in COURSE:
            _CHECKS.pop(exercise.id, None)


def test_check_records_each_attempt(course: Path) -> None:
    failed = check("98.double", lambda x: x + 2)
    assert failed.status == "failed"
    assert failed.got == "23"
    entry = ProgressStore().entry("98.double")
    assert (entry["status"], entry["attempts"], entry["passed"]) == ("failed", 1, False)

    passed = check("98.double", lambda x: x * 2)
    assert passed.passed
    assert passed.text() == "✓ 98.double — Double a number (2/2 points)"
    entry = ProgressStore(course).entry("98.double")
    assert (entry["status"], entry["attempts"], entry["passed"]) == ("passed", 2, True)


def test_check_with_a_mistyped_id_suggests_and_records_nothing(course: Path) -> None:
    result = check("98.dubble", lambda x: x * 2)
    assert result.status == "error"
    assert result.text() == (
        "⚠ 98.dubble\n  There is no exercise '98.dubble'. Did you mean '98.double'?"
    )
    assert not (course / "progress.json").exists()
    swapped = check(lambda x: x, "98.double")  # type: ignore[arg-type]
    assert "takes the exercise id first" in swapped.message
    assert " at 0x" not in swapped.text()


def test_check_given_a_value_instead_of_the_function(course: Path) -> None:
    result = check("98.double", 42)  # type: ignore[arg-type]
    assert result.status == "error"
    assert result.message == (
        "check() needs the function itself, not what it returns: "
        "check('98.double', double) — no parentheses after double."
    )
    assert ProgressStore().entry("98.double")["attempts"] == 0


def test_the_hint_ladder() -> None:
    shown = [hint("98.double").text() for _ in range(4)]
    assert shown[:3] == ["Hint 1 of 3: Multiply.", "Hint 2 of 3: By two.", "Hint 3 of 3: x * 2"]
    assert shown[3] == (
        "Hint 3 of 3: x * 2\n"
        "There are no more hints for 98.double. Still stuck? "
        "solution('98.double', show_anyway=True) shows the reference solution."
    )
    assert ProgressStore().entry("98.double")["hints_shown"] == 3
    assert hint("98.table_name").text() == "Hint 1 of 1: Return a string."
    assert "no more hints" in hint("98.table_name").text()
    assert hint("98.doubel").text() == "There is no exercise '98.doubel'. Did you mean '98.double'?"
    assert "<b>Hint 1 of 1:</b> list_tables" in hint("99.tables")._repr_html_()


def test_progress_for_a_known_state() -> None:
    assert progress().text() == (
        "Chapter 98  [----------] 0/2 exercises · 0/5 points\n"
        "Chapter 99  [----------] 0/1 exercises · 0/4 points\n"
        "Total       [----------] 0/3 exercises · 0/9 points\n"
        "Next: 98.double — Double a number (exercises/98_numbers.ipynb)"
    )
    assert check("98.table_name", lambda: "Orders").passed
    assert check("98.double", lambda x: 0).status == "failed"
    report = progress()
    assert report.text() == (
        "Chapter 98  [#####-----] 1/2 exercises · 3/5 points\n"
        "Chapter 99  [----------] 0/1 exercises · 0/4 points\n"
        "Total       [###-------] 1/3 exercises · 3/9 points\n"
        "Next: 98.double — Double a number (exercises/98_numbers.ipynb)"
    )
    assert repr(report) == report.text()
    assert report._repr_html_() == progress()._repr_html_()  # deterministic
    assert "width:50%" in report._repr_html_()
    assert check("98.double", lambda x: 2 * x).passed
    assert (
        progress().text().endswith("Next: 99.tables — Count the tables (exercises/99_tables.ipynb)")
    )
    assert check("99.tables", lambda client: len(client.list_tables()["TableNames"])).passed
    assert progress().text().splitlines()[-2:] == [
        "Total       [##########] 3/3 exercises · 9/9 points",
        "All 3 exercises passed. Well done!",
    ]


def test_the_solution_waits_for_a_pass() -> None:
    refused = solution("98.double")
    assert not refused.shown
    assert refused.text() == (
        "The reference solution of 98.double is shown once your function passes: run "
        "check('98.double', double) until it shows ✓, then solution('98.double') again. "
        "To see it now anyway: solution('98.double', show_anyway=True)."
    )
    assert ProgressStore().entry("98.double")["solution_shown"] is False

    assert check("98.double", lambda x: x * 2).passed
    shown = solution("98.double")
    assert shown.code == "    return x * 2"
    assert shown.text() == (
        "Reference solution for 98.double — Double a number (solutions/98_numbers.ipynb):\n\n"
        "    return x * 2"
    )
    assert "<pre><code>    return x * 2</code></pre>" in shown._repr_html_()
    assert ProgressStore().entry("98.double")["solution_shown"] is True


def test_show_anyway_and_the_def_fallback() -> None:
    shown = solution("98.table_name", show_anyway=True)
    assert shown.code == "    return 'Orders'"
    assert "Name &lt;the&gt; table" in shown._repr_html_()
    assert ProgressStore().entry("98.table_name")["solution_shown"] is True
    assert ProgressStore().entry("98.table_name")["passed"] is False


def test_a_missing_solution_or_id_is_a_message() -> None:
    missing = solution("99.tables", show_anyway=True)
    assert missing.text() == (
        "No reference solution for 99.tables was found in solutions/99_*.ipynb."
    )
    assert ProgressStore().entry("99.tables")["solution_shown"] is False
    assert solution("99.table").text() == (
        "There is no exercise '99.table'. Did you mean '99.tables'?"
    )


def test_the_real_solutions_notebook_has_every_chapter_1_solution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(notebook, "COURSE_ROOT", Path(__file__).resolve().parents[2])
    if not (notebook.COURSE_ROOT / "solutions").is_dir():
        pytest.skip("no solutions/ folder in this checkout")
    for exercise in registry.load():
        if exercise.chapter == 1:
            found = notebook.find_solution(exercise)
            assert found is not None, exercise.id
            assert found[0] == "solutions/01_keys_and_types.ipynb"
            assert "BEGIN SOLUTION" not in found[1]
