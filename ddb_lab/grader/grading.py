"""Grade a class: every learner's exercise notebooks, checked headless, into one CSV.

Layout: ``SUBMISSIONS/<learner>/…/NN_topic.ipynb`` (any depth below the learner's folder; the
learner is the first path part). A notebook's chapter is its ``NN`` prefix; the chapters graded
are those any learner submitted, and every learner gets a row for every exercise of those
chapters (in course order), whether or not they submitted that notebook. Each notebook is graded
by :mod:`ddb_lab.grader.headless`: its own kernel, its check cells and stored outputs ignored, the
grader's own checks at the end.

CSV columns: ``learner,exercise,title,points,max_points,status,feedback``, sorted by learner then
course order. ``status`` is the check's (passed, failed, not_started, timeout, error) or the
grader's: not_defined (the function is missing), not_submitted, invalid (not a notebook),
kernel_died, not_graded (the notebook's time ran out). ``feedback`` is never empty.

Used in: ``ddb-lab grade SUBMISSIONS --out grades.csv`` (ddb_lab/cli.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]

from ddb_lab.grader import registry
from ddb_lab.grader.headless import ExerciseOutcome, NotebookRun, run_notebook_async
from ddb_lab.grader.registry import Exercise

__all__ = [
    "CSV_COLUMNS",
    "GradeReport",
    "GradeRow",
    "Submission",
    "find_submissions",
    "grade",
]

CSV_COLUMNS = ("learner", "exercise", "title", "points", "max_points", "status", "feedback")
_CHAPTER_FILE = re.compile(r"^(\d{2})_.*\.ipynb$")
_SKIPPED_DIRS = {".ipynb_checkpoints", ".backup", ".git", ".venv", "venv", "node_modules"}


@dataclass(frozen=True)
class GradeRow:
    """One line of the grades CSV."""

    learner: str
    exercise: str
    title: str
    points: int
    max_points: int
    status: str
    feedback: str


@dataclass(frozen=True)
class Submission:
    """One learner's notebook of one chapter (``path`` None: not submitted)."""

    learner: str
    chapter: int
    path: Path | None


@dataclass(frozen=True)
class GradeReport:
    """The grades of a class, as written to ``out``."""

    rows: tuple[GradeRow, ...]
    out: Path
    seconds: float

    @property
    def learners(self) -> list[str]:
        return sorted({row.learner for row in self.rows})

    def points(self, learner: str, exercise_id: str) -> int:
        """Points of one learner for one exercise (KeyError if there is no such row)."""
        for row in self.rows:
            if row.learner == learner and row.exercise == exercise_id:
                return row.points
        raise KeyError((learner, exercise_id))

    def totals(self) -> dict[str, tuple[int, int]]:
        """``{learner: (points, max_points)}``."""
        totals: dict[str, tuple[int, int]] = {}
        for row in self.rows:
            got, best = totals.get(row.learner, (0, 0))
            totals[row.learner] = (got + row.points, best + row.max_points)
        return totals

    def summary_table(self) -> str:
        """A short table: learner, points/max, exercises passed."""
        totals = self.totals()
        passed = {
            learner: sum(1 for r in self.rows if r.learner == learner and r.status == "passed")
            for learner in totals
        }
        count = {learner: sum(1 for r in self.rows if r.learner == learner) for learner in totals}
        width = max([len("learner"), *(len(name) for name in totals)])
        lines = [f"{'learner'.ljust(width)}  points  passed", f"{'-' * width}  ------  ------"]
        for learner in sorted(totals):
            got, best = totals[learner]
            score = f"{got}/{best}"
            lines.append(
                f"{learner.ljust(width)}  {score.rjust(6)}  "
                f"{f'{passed[learner]}/{count[learner]}'.rjust(6)}"
            )
        return "\n".join(lines)


def _chapter_of(path: Path) -> int | None:
    match = _CHAPTER_FILE.match(path.name)
    return int(match.group(1)) if match else None


def find_submissions(submissions: Path) -> tuple[list[str], dict[tuple[str, int], Path]]:
    """The learners (folders of ``submissions``) and each one's notebook per chapter.

    When a learner has two notebooks of the same chapter, the one nearest the learner's folder
    (then the first by path) is graded. Chapters without exercises are ignored.
    """
    learners = sorted(
        p.name
        for p in submissions.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIPPED_DIRS
    )
    with_exercises = {e.chapter for e in registry.exercises()}
    found: dict[tuple[str, int], Path] = {}
    for learner in learners:
        candidates: list[tuple[int, str, Path, int]] = []
        for root, dirs, files in os.walk(submissions / learner):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
            for name in files:
                path = Path(root) / name
                chapter = _chapter_of(path)
                if chapter is None or chapter not in with_exercises:
                    continue
                relative = path.relative_to(submissions / learner)
                candidates.append((len(relative.parts), relative.as_posix(), path, chapter))
        for _, _, path, chapter in sorted(candidates, key=lambda c: (c[0], c[1])):
            found.setdefault((learner, chapter), path)
    return learners, found


def _rows(learner: str, run: NotebookRun) -> list[GradeRow]:
    notes = "; ".join(run.notes)
    rows = []
    for outcome in run.outcomes:
        feedback = outcome.feedback
        if notes and not outcome.passed:
            feedback = f"{feedback} (note: {notes})"
        rows.append(_row(learner, outcome, feedback))
    return rows


def _row(learner: str, outcome: ExerciseOutcome, feedback: str) -> GradeRow:
    exercise = outcome.exercise
    return GradeRow(
        learner=learner,
        exercise=exercise.id,
        title=exercise.title,
        points=outcome.points,
        max_points=exercise.points,
        status=outcome.status,
        feedback=feedback.strip() or outcome.status.replace("_", " "),
    )


def _missing(learner: str, exercises: Sequence[Exercise], feedback: str) -> list[GradeRow]:
    return [
        GradeRow(learner, e.id, e.title, 0, e.points, "not_submitted", feedback) for e in exercises
    ]


def _write_csv(rows: Sequence[GradeRow], out: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [row.learner, row.exercise, row.title, row.points, row.max_points, row.status]
            + [row.feedback]
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(buffer.getvalue())
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


async def _grade_all(
    jobs: list[tuple[str, Path, list[Exercise]]],
    *,
    notebook_timeout: float,
    cell_timeout: float,
    workers: int,
    on_done: Callable[[str, Path], None],
) -> dict[tuple[str, Path], list[GradeRow]]:
    gate = asyncio.Semaphore(max(1, workers))
    results: dict[tuple[str, Path], list[GradeRow]] = {}

    async def one(learner: str, path: Path, exercises: list[Exercise]) -> None:
        async with gate:
            try:
                run = await run_notebook_async(
                    path, exercises, notebook_timeout=notebook_timeout, cell_timeout=cell_timeout
                )
                rows = _rows(learner, run)
            except Exception as error:  # the grader's own trouble: say so, grade the rest
                feedback = f"the grader failed on this notebook: {type(error).__name__}: {error}"
                rows = [
                    GradeRow(learner, e.id, e.title, 0, e.points, "error", feedback)
                    for e in exercises
                ]
            results[(learner, path)] = rows
            on_done(learner, path)

    await asyncio.gather(*(one(*job) for job in jobs))
    return results


def grade(
    submissions: Path,
    out: Path,
    *,
    notebook_timeout: float = 300,
    cell_timeout: float = 30,
    jobs: int = 1,
    progress: bool = True,
) -> GradeReport:
    """Grade every learner's notebooks under ``submissions`` into the CSV ``out``.

    Args:
        submissions: one folder per learner, holding ``NN_topic.ipynb`` notebooks at any depth.
        out: the CSV to write (replaced atomically).
        notebook_timeout: seconds one notebook may take, its checks included.
        cell_timeout: seconds one of the learner's cells may run before it is interrupted.
        jobs: notebooks graded at the same time (each in its own kernel).
        progress: show a progress bar (on stderr).
    """
    started = time.monotonic()
    learners, found = find_submissions(submissions)
    chapters = sorted({chapter for _, chapter in found})
    by_chapter = {c: registry.chapter_exercises(c) for c in chapters}
    work = [
        (learner, found[(learner, chapter)], by_chapter[chapter])
        for learner in learners
        for chapter in chapters
        if (learner, chapter) in found
    ]
    bar = tqdm(total=len(work), desc="grading", unit="notebook", disable=not progress)

    def done(learner: str, path: Path) -> None:
        bar.set_postfix_str(learner, refresh=False)
        bar.update(1)

    try:
        graded = asyncio.run(
            _grade_all(
                work,
                notebook_timeout=notebook_timeout,
                cell_timeout=cell_timeout,
                workers=jobs,
                on_done=done,
            )
        )
    finally:
        bar.close()
    rows: list[GradeRow] = []
    for learner in learners:
        for chapter in chapters:
            path = found.get((learner, chapter))
            if path is None:
                expected = f"{chapter:02d}_*.ipynb"
                rows.extend(
                    _missing(learner, by_chapter[chapter], f"notebook not submitted ({expected})")
                )
            else:
                rows.extend(graded[(learner, path)])
    _write_csv(rows, out)
    return GradeReport(tuple(rows), out, time.monotonic() - started)
