"""The exercises' notebook API: ``check``, ``hint``, ``progress`` and ``solution``.

Each call returns an object that shows itself (plain text and HTML, the same every run), records
what happened in the learner's progress, and answers a mistyped exercise id with the closest ids
instead of a traceback.

Used in: the check cells of every exercises/NN_*.ipynb notebook.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddb_lab._shown import TextShown
from ddb_lab.grader import registry
from ddb_lab.grader.progress import ChapterProgress, ProgressStore
from ddb_lab.grader.registry import Exercise
from ddb_lab.grader.runner import CheckResult, run_check

__all__ = [
    "COURSE_ROOT",
    "Hint",
    "ProgressReport",
    "Solution",
    "check",
    "exercise_notebook",
    "find_solution",
    "hint",
    "progress",
    "solution",
]

#: The repository root holding ``exercises/``, ``solutions/`` and ``notebooks/`` (tests move it).
COURSE_ROOT: Path = Path(__file__).resolve().parents[2]

BAR_WIDTH = 10
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


class _Shown(TextShown):
    """Shows itself as ``text()`` in a console and as ``_html()`` in a notebook."""

    def _html(self) -> str:
        return f"<pre>{html.escape(self.text())}</pre>"

    def _repr_html_(self) -> str:
        return f'<div class="ddb-lab-grader">{self._html()}</div>'


def _lookup(exercise_id: object, call: str) -> Exercise | str:
    """The exercise, or a message saying what is wrong with the id."""
    if not isinstance(exercise_id, str):
        return (
            f"{call}() takes the exercise id first, as a string: "
            f"{call}('01.create_orders_table'{', create_orders_table' if call == 'check' else ''})."
        )
    try:
        return registry.get(exercise_id)
    except KeyError:
        return registry.unknown_exercise_message(exercise_id)


# -- check ----------------------------------------------------------------------------------------
def _notice(exercise_id: object, message: str) -> CheckResult:
    shown = exercise_id if isinstance(exercise_id, str) else "check()"
    return CheckResult(
        exercise_id=shown,
        title="",
        status="error",
        message=message,
        expected=None,
        got=None,
        advice="",
        points=0,
        max_points=0,
    )


def check(exercise_id: str, function: Callable[..., Any]) -> CheckResult:
    """Check ``function`` against exercise ``exercise_id`` and record the attempt.

    Returns the :class:`CheckResult`, which shows ✓ or ✗ with what to try next.
    """
    found = _lookup(exercise_id, "check")
    if isinstance(found, str):
        return _notice(exercise_id, found)
    if not callable(function):
        return _notice(
            found.id,
            f"check() needs the function itself, not what it returns: "
            f"check({found.id!r}, {found.function}) — no parentheses after {found.function}.",
        )
    result = run_check(found.id, function)
    try:
        ProgressStore().record_result(result)
    except OSError as error:
        print(f"ddb-lab: progress not saved ({type(error).__name__}: {error})", file=sys.stderr)
    return result


# -- hint -----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Hint(_Shown):
    """One hint of an exercise's ladder (``number`` 0: no hint, only ``note``)."""

    exercise_id: str
    number: int
    total: int
    hint: str
    note: str = ""

    def text(self) -> str:
        lines = [f"Hint {self.number} of {self.total}: {self.hint}"] if self.number else []
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _html(self) -> str:
        parts = ['<div style="border-left:4px solid #2874a6;padding:4px 10px">']
        if self.number:
            parts.append(
                f"<div><b>Hint {self.number} of {self.total}:</b> {html.escape(self.hint)}</div>"
            )
        if self.note:
            parts.append(f"<div><i>{html.escape(self.note)}</i></div>")
        parts.append("</div>")
        return "".join(parts)


def hint(exercise_id: str) -> Hint:
    """Reveal the next hint of ``exercise_id`` (after the last one, show the last again)."""
    found = _lookup(exercise_id, "hint")
    if isinstance(found, str):
        return Hint(str(exercise_id), 0, 0, "", found)
    store = ProgressStore()
    before = int(store.entry(found.id)["hints_shown"])
    number = store.record_hint(found.id)
    note = ""
    if before >= len(found.hints):
        note = (
            f"There are no more hints for {found.id}. Still stuck? "
            f"solution({found.id!r}, show_anyway=True) shows the reference solution."
        )
    return Hint(found.id, number, len(found.hints), found.hints[number - 1], note)


# -- progress -------------------------------------------------------------------------------------
def exercise_notebook(exercise: Exercise) -> str:
    """The workbook of the exercise's chapter, relative to the repository root."""
    pattern = f"{exercise.chapter:02d}_*.ipynb"
    for folder in ("exercises", "solutions", "notebooks"):
        matches = sorted((COURSE_ROOT / folder).glob(pattern))
        if matches:
            return f"exercises/{matches[0].name}"
    return f"exercises/{pattern}"


def _bar(done: int, total: int) -> str:
    filled = BAR_WIDTH * done // total if total else 0
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


@dataclass(frozen=True, repr=False)
class ProgressReport(_Shown):
    """Progress per chapter, the total, and the next exercise to do."""

    chapters: tuple[ChapterProgress, ...]
    next_exercise: Exercise | None
    next_notebook: str | None

    @property
    def total(self) -> ChapterProgress:
        return ChapterProgress(
            chapter=-1,
            done=sum(c.done for c in self.chapters),
            total=sum(c.total for c in self.chapters),
            points=sum(c.points for c in self.chapters),
            max_points=sum(c.max_points for c in self.chapters),
        )

    def _rows(self) -> list[tuple[str, ChapterProgress]]:
        rows = [(f"Chapter {c.chapter}", c) for c in self.chapters]
        rows.append(("Total", self.total))
        return rows

    def next_line(self) -> str:
        if self.next_exercise is None:
            return f"All {self.total.total} exercises passed. Well done!"
        return f"Next: {self.next_exercise.id} — {self.next_exercise.title} ({self.next_notebook})"

    def text(self) -> str:
        rows = self._rows()
        width = max(len(label) for label, _ in rows)
        lines = [
            f"{label.ljust(width)}  {_bar(c.done, c.total)} {c.done}/{c.total} exercises · "
            f"{c.points}/{c.max_points} points"
            for label, c in rows
        ]
        lines.append(self.next_line())
        return "\n".join(lines)

    def _html(self) -> str:
        parts = ['<table class="ddb-lab-progress">']
        for label, c in self._rows():
            percent = 100 * c.done // c.total if c.total else 0
            parts.append(
                f"<tr><td><b>{html.escape(label)}</b></td>"
                '<td><div style="width:10em;height:0.8em;background:#ddd">'
                f'<div style="width:{percent}%;height:100%;background:#2e7d32"></div></div></td>'
                f"<td>{c.done}/{c.total} exercises · {c.points}/{c.max_points} points</td></tr>"
            )
        parts.append("</table>")
        parts.append(f"<div>{html.escape(self.next_line())}</div>")
        return "".join(parts)


def progress() -> ProgressReport:
    """Progress per chapter and overall, and which exercise is next."""
    store = ProgressStore()
    upcoming = store.next_exercise()
    return ProgressReport(
        chapters=tuple(store.summary()),
        next_exercise=upcoming,
        next_notebook=exercise_notebook(upcoming) if upcoming is not None else None,
    )


# -- solution -------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Solution(_Shown):
    """An exercise's reference code (``code`` empty: not shown, ``note`` says why)."""

    exercise_id: str
    title: str
    code: str
    source: str
    note: str = ""

    @property
    def shown(self) -> bool:
        return bool(self.code)

    def text(self) -> str:
        if not self.shown:
            return self.note
        return (
            f"Reference solution for {self.exercise_id} — {self.title} ({self.source}):\n\n"
            f"{self.code}"
        )

    def _html(self) -> str:
        if not self.shown:
            return f"<div><i>{html.escape(self.note)}</i></div>"
        return (
            f"<div><b>Reference solution for {html.escape(self.exercise_id)}</b> — "
            f"{html.escape(self.title)} ({html.escape(self.source)})</div>"
            f"<pre><code>{html.escape(self.code)}</code></pre>"
        )


def _cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _between_markers(source: str) -> str:
    """The lines between BEGIN and END SOLUTION markers (every block), or "" if none."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in source.splitlines():
        marker = line.strip()
        if marker.startswith(BEGIN_SOLUTION):
            current = []
        elif marker.startswith(END_SOLUTION):
            if current is not None:
                blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return "\n\n".join("\n".join(block) for block in blocks if block).rstrip()


def _is_solution_cell(cell: dict[str, Any], exercise: Exercise) -> bool:
    meta = cell.get("metadata", {}).get("ddb_lab", {})
    return (
        isinstance(meta, dict)
        and meta.get("exercise") == exercise.id
        and meta.get("role") == "solution"
    )


def find_solution(exercise: Exercise) -> tuple[str, str] | None:
    """``(notebook, code)``: the reference code of ``exercise`` in ``solutions/NN_*.ipynb``.

    The cell is the one whose metadata says ``{"ddb_lab": {"exercise": id, "role":
    "solution"}}``, or failing that the code cell that defines the exercise's function; the code
    is what lies between its ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines.
    """
    folder = COURSE_ROOT / "solutions"
    defines = re.compile(rf"^\s*def {re.escape(exercise.function)}\(", re.MULTILINE)
    for path in sorted(folder.glob(f"{exercise.chapter:02d}_*.ipynb")):
        try:
            notebook = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        cells = [
            c
            for c in notebook.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "code"
        ]
        tagged = [c for c in cells if _is_solution_cell(c, exercise)]
        candidates = tagged or [c for c in cells if defines.search(_cell_source(c))]
        for cell in candidates:
            code = _between_markers(_cell_source(cell))
            if code:
                return f"solutions/{path.name}", code
    return None


def solution(exercise_id: str, show_anyway: bool = False) -> Solution:
    """The reference solution of ``exercise_id``, once its check has passed.

    Args:
        exercise_id: the exercise.
        show_anyway: show it even though the exercise has not passed yet.
    """
    found = _lookup(exercise_id, "solution")
    if isinstance(found, str):
        return Solution(str(exercise_id), "", "", "", found)
    store = ProgressStore()
    if not show_anyway and not store.entry(found.id)["passed"]:
        return Solution(
            found.id,
            found.title,
            "",
            "",
            f"The reference solution of {found.id} is shown once your function passes: run "
            f"check({found.id!r}, {found.function}) until it shows ✓, then "
            f"solution({found.id!r}) again. To see it now anyway: "
            f"solution({found.id!r}, show_anyway=True).",
        )
    located = find_solution(found)
    if located is None:
        return Solution(
            found.id,
            found.title,
            "",
            "",
            f"No reference solution for {found.id} was found in "
            f"solutions/{found.chapter:02d}_*.ipynb.",
        )
    source, code = located
    store.mark_solution_shown(found.id)
    return Solution(found.id, found.title, code, source)
