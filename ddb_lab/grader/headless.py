"""Grade one learner notebook headless: run its code in a kernel of its own, then the checks.

The learner's notebook is never trusted. A new notebook is built from it: every code cell except
the check cells (``metadata.ddb_lab.role == "check"``) and except top-level calls to ``check``,
``hint``, ``progress`` and ``solution``; stored outputs are ignored. The grader appends its own
last cell, which looks up each exercise's function in the kernel's namespace, runs
:func:`ddb_lab.grader.runner.run_check` on it and writes the results as JSON to a file only the
grader knows. Results come from that file alone.

The notebook runs with nbclient in a fresh kernel, in a temporary copy of the notebook's folder,
with a private ``DDB_LAB_HOME`` and the embedded backend forced. Nothing a learner's notebook does
stops the grading: syntax errors and exceptions are allowed, a cell that runs longer than
``cell_timeout`` is interrupted (and, if it ignores the interrupt, its kernel is killed), the whole
run is bounded by ``notebook_timeout``, ``sys.exit()`` is an ordinary exception, ``exit()`` and
``quit()`` are disarmed, and a kernel that dies (``os._exit``, a crash) scores every exercise 0.

Limits: the learner's code shares the kernel with the grader's cell. The grader re-imports its own
modules before checking, which defeats casual monkeypatching, but code written to attack the
grader could still fake results; for high-stakes grading, review the notebooks too.

Used in: ``ddb-lab grade`` (ddb_lab/grader/grading.py) and ``ddb-lab check`` (ddb_lab/cli.py).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook

from ddb_lab.grader.registry import Exercise
from ddb_lab.grader.runner import CheckResult

__all__ = [
    "GRADER_CALLS",
    "GRADER_STATUSES",
    "ExerciseOutcome",
    "NotebookRun",
    "grading_budget",
    "learner_source",
    "run_notebook",
    "run_notebook_async",
]

#: The notebook API calls a graded notebook's own code may not make.
GRADER_CALLS = frozenset({"check", "hint", "progress", "solution"})
#: Statuses beyond the runner's (passed, failed, not_started, timeout, error).
GRADER_STATUSES = ("not_defined", "not_submitted", "invalid", "kernel_died", "not_graded")
KERNEL = "python3"
#: Seconds a cell gets to answer an interrupt before its kernel is killed.
INTERRUPT_GRACE = 10.0
#: Seconds of the grader's cell per exercise on top of the exercise's own timeout.
CHECK_OVERHEAD = 20.0
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints", ".backup"
)
_QUIET = logging.getLogger("ddb_lab.grader.headless.nbclient")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_CALL = re.compile(r"(?<![\w.])(?:" + "|".join(sorted(GRADER_CALLS)) + r")\s*\(")
_DISARM_EXIT = """\
# ddb-lab grader: exit() and quit() do not end the kernel while grading.
def exit(*args, **kwargs):
    pass


quit = exit
"""
_GRADER_CELL = """\
# ddb-lab grader: results come from this cell only.
def _ddb_lab_grade(path, wanted):
    import dataclasses
    import json
    import os
    import sys

    for name in list(sys.modules):
        if name == "ddb_lab.grader" or name.startswith("ddb_lab.grader."):
            del sys.modules[name]
    from ddb_lab.grader.runner import run_check

    namespace = globals()
    results = {}
    for exercise_id, function_name in wanted:
        function = namespace.get(function_name)
        if function is None:
            entry = {"kind": "not_defined"}
        elif not callable(function):
            entry = {"kind": "not_callable", "type": type(function).__name__}
        else:
            try:
                result = run_check(exercise_id, function)
                entry = {"kind": "result", "result": dataclasses.asdict(result)}
            except BaseException as error:
                entry = {"kind": "grader_error", "error": f"{type(error).__name__}: {error}"}
        results[exercise_id] = entry
        with open(path + ".tmp", "w", encoding="utf-8") as stream:
            json.dump(results, stream)
        os.replace(path + ".tmp", path)


_ddb_lab_grade(%(path)r, %(wanted)r)
del _ddb_lab_grade
"""


@dataclass(frozen=True)
class ExerciseOutcome:
    """What grading said about one exercise of one notebook.

    Attributes:
        exercise: the exercise.
        status: the runner's status (passed, failed, not_started, timeout, error) or one of
            :data:`GRADER_STATUSES`.
        points: points awarded.
        feedback: one line saying why (never empty).
        result: the runner's result when the check ran, else None.
    """

    exercise: Exercise
    status: str
    points: int
    feedback: str
    result: CheckResult | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def check_result(self) -> CheckResult:
        """The outcome as a :class:`CheckResult` (made up when the check could not run)."""
        if self.result is not None:
            return self.result
        status = {"not_graded": "timeout", "not_defined": "not_started"}.get(self.status, "failed")
        return CheckResult(
            exercise_id=self.exercise.id,
            title=self.exercise.title,
            status=status,  # type: ignore[arg-type]
            message=self.feedback,
            expected=None,
            got=None,
            advice="",
            points=0,
            max_points=self.exercise.points,
        )


@dataclass(frozen=True)
class NotebookRun:
    """A graded notebook: one outcome per exercise (in the order asked) and notes on the run."""

    path: Path
    outcomes: tuple[ExerciseOutcome, ...]
    seconds: float
    notes: tuple[str, ...] = field(default=())

    def outcome(self, exercise_id: str) -> ExerciseOutcome:
        return next(o for o in self.outcomes if o.exercise.id == exercise_id)


def _calls_grader(node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in GRADER_CALLS
        for sub in ast.walk(node)
    )


def learner_source(cell: Any) -> str | None:
    """The part of a learner's code cell the grader runs (None: leave the cell out).

    Check cells are left out whole. Elsewhere, top-level statements that call ``check``, ``hint``,
    ``progress`` or ``solution`` are removed (definitions, whose bodies run only when called, and
    imports stay); a cell left with nothing is left out. Code that does not parse is kept as is:
    it raises SyntaxError and defines nothing.
    """
    if cell.get("cell_type") != "code":
        return None
    meta = cell.get("metadata", {}).get("ddb_lab", {})
    if isinstance(meta, dict) and meta.get("role") == "check":
        return None
    source = str(cell.get("source", ""))
    if not source.strip():
        return None
    if not _CALL.search(source):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        python = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
        tree = ast.parse(python)
    except (SyntaxError, ValueError):
        return source
    if python.rstrip("\n") != source.rstrip("\n"):
        return None  # magics hide what they run: leave the whole cell out, to be safe
    kept_out: set[int] = set()
    for statement in tree.body:
        if isinstance(
            statement,
            ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom,
        ):
            continue
        if _calls_grader(statement):
            end = statement.end_lineno or statement.lineno
            kept_out.update(range(statement.lineno, end + 1))
    if not kept_out:
        return source
    lines = source.split("\n")
    left = [line for number, line in enumerate(lines, start=1) if number not in kept_out]
    remaining = "\n".join(left)
    return remaining if remaining.strip() else None


@dataclass(frozen=True)
class _Plan:
    notebook: Any
    origin: dict[int, int]  # grading-notebook cell index -> learner cell index
    grader_index: int


def _new_cell(source: str) -> Any:
    return new_code_cell(source)  # type: ignore[no-untyped-call]


def _plan(learner: Any, exercises: Sequence[Exercise], results_path: Path) -> _Plan:
    cells = [_new_cell(_DISARM_EXIT)]
    origin: dict[int, int] = {}
    for index, cell in enumerate(learner.get("cells", [])):
        source = learner_source(cell)
        if source is None:
            continue
        origin[len(cells)] = index
        cells.append(_new_cell(source))
    wanted = [(e.id, e.function) for e in exercises]
    cells.append(_new_cell(_GRADER_CELL % {"path": str(results_path), "wanted": wanted}))
    notebook = new_notebook(cells=cells)  # type: ignore[no-untyped-call]
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL,
    }
    return _Plan(notebook, origin, len(cells) - 1)


def grading_budget(exercises: Sequence[Exercise]) -> float:
    """Seconds the grader's own cell may need: every check's timeout plus set-up."""
    return 30.0 + sum(e.timeout + CHECK_OVERHEAD for e in exercises)


def _kernel_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DDB_LAB_ALLOW_AWS", "DDB_LAB_ENDPOINT"):
        env.pop(name, None)
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "DDB_LAB_HOME": str(home),
            "DDB_LAB_BACKEND": "embedded",
            "MPLBACKEND": "Agg",
        }
    )
    return env


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]


def _read_notebook(path: Path) -> Any:
    text = path.read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("no cells")
    with warnings.catch_warnings():  # a learner's slightly invalid notebook is still graded
        warnings.simplefilter("ignore")
        return nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]


def _every(
    path: Path, exercises: Sequence[Exercise], status: str, feedback: str, seconds: float = 0.0
) -> NotebookRun:
    return NotebookRun(
        path=path,
        outcomes=tuple(ExerciseOutcome(e, status, 0, feedback) for e in exercises),
        seconds=seconds,
    )


class _GradingClient(NotebookClient):
    """Keeps only error outputs: the grader reads nothing else, and a learner's cell that prints
    without end must not fill the grader's memory."""

    def output(
        self,
        outs: list[Any],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> Any:
        if msg.get("msg_type") != "error":
            return None
        return super().output(outs, msg, display_id, cell_index)


@dataclass(frozen=True)
class _Failure:
    """Why some (``whole``: all) exercises could not be graded."""

    status: str
    feedback: str
    whole: bool


class _Stuck(Exception):
    """A cell ignored the interrupt; its kernel was killed."""


async def _execute(
    client: NotebookClient, cell: Any, index: int, timeout: float
) -> tuple[bool, bool]:
    """Run one cell; (finished in time, raised an error). Raises DeadKernelError or _Stuck."""
    client.timeout = max(1, int(timeout + 0.999))
    started = time.monotonic()
    task = asyncio.ensure_future(client.async_execute_cell(cell, index))
    done, _ = await asyncio.wait({task}, timeout=client.timeout + INTERRUPT_GRACE)
    if not done:  # the interrupt was ignored: give up on this kernel
        task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        raise _Stuck()
    task.result()  # DeadKernelError, or the grader's own trouble
    in_time = time.monotonic() - started < client.timeout
    errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    return in_time, errored


_CELL_FILE = re.compile(r"\(\d+\.py, line (\d+)\)")


def _error_of(cell: Any) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = _CELL_FILE.sub(r"(line \1)", str(output.get("evalue", "")).strip())
            name = str(output.get("ename", "Error"))
            return f"{name}: {value}" if value else name
    return None


def _defining_cells(learner: Any, exercise: Exercise) -> list[int]:
    defines = re.compile(rf"^\s*(?:async\s+)?def\s+{re.escape(exercise.function)}\s*\(", re.M)
    found = []
    for index, cell in enumerate(learner.get("cells", [])):
        meta = cell.get("metadata", {}).get("ddb_lab", {})
        tagged = (
            isinstance(meta, dict)
            and meta.get("exercise") == exercise.id
            and meta.get("role") == "solution"
        )
        if cell.get("cell_type") == "code" and (
            tagged or defines.search(str(cell.get("source", "")))
        ):
            found.append(index)
    return found


def _result_feedback(result: CheckResult) -> str:
    if result.passed:
        return "passed"
    parts = [" ".join(line.strip() for line in result.message.splitlines() if line.strip())]
    if result.expected is not None:
        parts.append(f"Expected: {result.expected}")
    if result.got is not None:
        parts.append(f"Got: {result.got}")
    if result.advice:
        parts.append(f"Try: {result.advice}")
    text = " | ".join(p for p in parts if p)
    return text or result.status.replace("_", " ")


def _check_result(data: dict[str, Any]) -> CheckResult:
    return CheckResult(**data)


async def run_notebook_async(
    path: Path,
    exercises: Sequence[Exercise],
    *,
    notebook_timeout: float = 300,
    cell_timeout: float = 30,
) -> NotebookRun:
    """Grade ``exercises`` from the notebook at ``path`` (see the module docstring)."""
    started = time.monotonic()
    try:
        learner = _read_notebook(path)
    except FileNotFoundError:
        return _every(path, exercises, "not_submitted", "notebook not submitted")
    except Exception as error:
        return _every(path, exercises, "invalid", f"not a valid notebook ({type(error).__name__})")
    with tempfile.TemporaryDirectory(prefix="ddb-lab-grade-") as scratch_name:
        scratch = Path(scratch_name)
        work = scratch / "work"
        shutil.copytree(path.parent, work, ignore=_COPY_IGNORE, symlinks=True)
        (scratch / "home").mkdir()
        results_path = scratch / f"results-{os.urandom(8).hex()}.json"
        plan = _plan(learner, exercises, results_path)
        notes: list[str] = []
        failure: _Failure | None = None
        client = _GradingClient(
            plan.notebook,
            timeout=int(cell_timeout),
            kernel_name=KERNEL,
            allow_errors=True,
            interrupt_on_timeout=True,
            shutdown_kernel="immediate",
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            resources={"metadata": {"path": str(work)}},
            log=_QUIET,
        )
        with open(os.devnull, "w") as devnull:
            async with client.async_setup_kernel(
                cwd=str(work), env=_kernel_env(scratch / "home"), stderr=devnull
            ):
                failure = await _drive(
                    client, plan, learner, exercises, notes, notebook_timeout, cell_timeout
                )
        seconds = time.monotonic() - started
        if failure is not None and failure.whole:
            return NotebookRun(
                path,
                tuple(ExerciseOutcome(e, failure.status, 0, failure.feedback) for e in exercises),
                seconds,
                tuple(notes),
            )
        try:
            raw = json.loads(results_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            raw = {}
    outcomes = [_outcome(e, raw.get(e.id), learner, plan, failure) for e in exercises]
    return NotebookRun(path, tuple(outcomes), seconds, tuple(notes))


def _outcome(
    exercise: Exercise,
    entry: Any,
    learner: Any,
    plan: _Plan,
    failure: _Failure | None,
) -> ExerciseOutcome:
    if not isinstance(entry, dict):
        if failure is not None:
            return ExerciseOutcome(exercise, failure.status, 0, failure.feedback)
        return ExerciseOutcome(
            exercise, "not_graded", 0, "the grader's cell gave no result for this exercise"
        )
    kind = entry.get("kind")
    if kind == "result":
        result = _check_result(entry["result"])
        return ExerciseOutcome(
            exercise, result.status, result.points, _result_feedback(result), result
        )
    name = exercise.function
    if kind == "not_callable":
        return ExerciseOutcome(
            exercise,
            "not_defined",
            0,
            f"`{name}` is a {entry.get('type', 'value')}, not a function — was it overwritten?",
        )
    if kind == "grader_error":
        return ExerciseOutcome(
            exercise, "error", 0, f"the grader could not run the check: {entry.get('error')}"
        )
    # not defined: say why, if a cell that should have defined it failed.
    executed = {learner_index: index for index, learner_index in plan.origin.items()}
    for learner_index in _defining_cells(learner, exercise):
        if learner_index in executed:
            error = _error_of(plan.notebook.cells[executed[learner_index]])
            if error:
                return ExerciseOutcome(
                    exercise,
                    "not_defined",
                    0,
                    f"`{name}` is not defined — its cell (cell {learner_index + 1}) raised {error}",
                )
    return ExerciseOutcome(
        exercise, "not_defined", 0, f"`{name}` is not defined — was its cell deleted?"
    )


async def _drive(
    client: NotebookClient,
    plan: _Plan,
    learner: Any,
    exercises: Sequence[Exercise],
    notes: list[str],
    notebook_timeout: float,
    cell_timeout: float,
) -> _Failure | None:
    """Run the learner's cells, then the grader's; says what went wrong, if anything."""
    start = time.monotonic()
    deadline = start + notebook_timeout
    reserve = min(grading_budget(exercises), notebook_timeout / 2)
    learner_deadline = deadline - reserve
    cells = plan.notebook.cells
    for index in range(plan.grader_index):
        learner_index = plan.origin.get(index)
        where = f"cell {learner_index + 1}" if learner_index is not None else "the grader's set-up"
        snippet = _first_line(cells[index].source)
        remaining = learner_deadline - time.monotonic()
        if remaining <= 0:
            notes.append(
                f"the notebook's time ran out: {where} (`{snippet}`) and the cells after it "
                "were not run"
            )
            break
        limit = min(cell_timeout, remaining)
        try:
            in_time, _ = await _execute(client, cells[index], index, limit)
        except DeadKernelError:
            return _Failure(
                "kernel_died",
                f"kernel died while running {where} (`{snippet}`) — os._exit(), a crash or "
                "running out of memory; nothing could be graded",
                whole=True,
            )
        except _Stuck:
            return _Failure(
                "not_graded",
                f"{where} (`{snippet}`) kept running after it was interrupted, so its kernel "
                "was stopped and nothing could be graded",
                whole=True,
            )
        if not in_time:
            notes.append(f"{where} (`{snippet}`) ran longer than {limit:g} s and was stopped")
    limit = max(1.0, deadline - time.monotonic())
    try:
        in_time, errored = await _execute(
            client, cells[plan.grader_index], plan.grader_index, limit
        )
    except DeadKernelError:
        return _Failure(
            "kernel_died", "kernel died while the checks ran, before this one", whole=False
        )
    except _Stuck:
        in_time, errored = False, False
    if not in_time:
        return _Failure(
            "not_graded",
            f"grading stopped at the notebook's time limit ({notebook_timeout:g} s) before "
            "this exercise was checked",
            whole=False,
        )
    if errored:
        error = _error_of(cells[plan.grader_index])
        return _Failure("not_graded", f"the grader's cell failed: {error}", whole=False)
    return None


def run_notebook(
    path: Path,
    exercises: Sequence[Exercise],
    *,
    notebook_timeout: float = 300,
    cell_timeout: float = 30,
) -> NotebookRun:
    """Synchronous :func:`run_notebook_async`."""
    return asyncio.run(
        run_notebook_async(
            path, exercises, notebook_timeout=notebook_timeout, cell_timeout=cell_timeout
        )
    )
