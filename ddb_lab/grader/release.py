"""Release the learner's workbook: write ``exercises/`` from the solved ``solutions/`` notebooks.

The solved notebook is the one source of truth. In every code cell, each block between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` (markers included) becomes a stub at the block's
own indentation::

    # YOUR CODE HERE
    raise NotImplementedError("Not written yet: ...")

Outputs are cleared, and the released notebook is (optionally) executed so that ``exercises/``
carries deterministic outputs, an unsolved check saying "not started". ``is_up_to_date`` compares
what a fresh release would write (cell types, sources and exercise roles, never outputs) with what
is on disk, so a test fails when ``exercises/`` drifts from ``solutions/``.

Used in: ``ddb-lab release`` and ``ddb-lab reset`` (ddb_lab/cli.py), tests/unit/test_release.py.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "BEGIN_MARKER",
    "END_MARKER",
    "NOTEBOOK_PATTERN",
    "STUB_COMMENT",
    "STUB_MESSAGE",
    "MarkerError",
    "ReleaseTarget",
    "backup",
    "drifted",
    "expected_exercise_sources",
    "is_up_to_date",
    "notebooks_in",
    "release_all",
    "release_cells",
    "release_notebook",
    "release_source",
    "released",
    "restore",
    "targets",
]

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
STUB_COMMENT = "# YOUR CODE HERE"
#: What every stub raises, in every released notebook.
STUB_MESSAGE = (
    "Not written yet: replace this line with your solution, then run the check cell below."
)
#: The course notebooks a directory release picks up: ``NN_topic.ipynb``.
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[^/]*\.ipynb$")

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
_END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
_NB_VERSION = 4


class MarkerError(ValueError):
    """A BEGIN/END SOLUTION marker pair is broken; the message names the notebook and cell."""


@dataclass(frozen=True)
class ReleaseTarget:
    """One notebook to release: where the solved one is and where the exercise goes."""

    src: Path
    dest: Path


def _describe_cell(index: int, cell: Any, where: str) -> str:
    exercise = cell.get("metadata", {}).get("ddb_lab", {}).get("exercise")
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    label = f"{where}cell {index + 1}"
    if exercise:
        label += f" (exercise {exercise})"
    return f"{label}, starting {first[:60]!r}"


def release_source(source: str, *, where: str = "this cell") -> str:
    """``source`` with every solution block replaced by the stub, at the block's indentation.

    Raises:
        MarkerError: a BEGIN without its END, an END without a BEGIN, or a BEGIN inside a block;
            ``where`` names the cell in the message.
    """
    lines = source.split("\n")
    out: list[str] = []
    open_at: int | None = None
    for number, line in enumerate(lines, start=1):
        begin = _BEGIN.match(line)
        if open_at is not None:
            if begin:
                raise MarkerError(
                    f"{where}: line {number} opens a second {BEGIN_MARKER!r} before the one on "
                    f"line {open_at} is closed by {END_MARKER!r}"
                )
            if _END.match(line):
                open_at = None
            continue
        if begin:
            indent = begin.group("indent")
            out.append(f"{indent}{STUB_COMMENT}")
            out.append(f'{indent}raise NotImplementedError("{STUB_MESSAGE}")')
            open_at = number
            continue
        if _END.match(line):
            raise MarkerError(
                f"{where}: line {number} has {END_MARKER!r} without a {BEGIN_MARKER!r}"
            )
        out.append(line)
    if open_at is not None:
        raise MarkerError(
            f"{where}: {BEGIN_MARKER!r} on line {open_at} has no matching {END_MARKER!r}"
        )
    return "\n".join(out)


def release_cells(notebook: Any, *, name: str = "notebook") -> Any:
    """A released copy of ``notebook`` (an nbformat node): stubs in, outputs out."""
    released_nb = copy.deepcopy(notebook)
    released_nb.metadata.pop("widgets", None)
    for index, cell in enumerate(released_nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        where = f"{name}: " + _describe_cell(index, cell, "")
        cell.source = release_source(cell.source, where=where)
        cell.outputs = []
        cell.execution_count = None
    return released_nb


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=_NB_VERSION)  # type: ignore[no-untyped-call]


def released(src: Path) -> Any:
    """The notebook a release of ``src`` writes, before execution."""
    from ddb_lab.notebook_tools import clean

    return clean(release_cells(_read(src), name=src.name))


@contextmanager
def _private_home() -> Iterator[None]:
    """Executing a released notebook must not touch the learner's own progress."""
    previous = os.environ.get("DDB_LAB_HOME")
    with tempfile.TemporaryDirectory(prefix="ddb-lab-release-") as home:
        os.environ["DDB_LAB_HOME"] = home
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("DDB_LAB_HOME", None)
            else:
                os.environ["DDB_LAB_HOME"] = previous


def release_notebook(src: Path, dest: Path, *, execute: bool = True, timeout: int = 300) -> Path:
    """Write the exercise notebook ``dest`` from the solved notebook ``src``; returns ``dest``.

    With ``execute``, the released notebook is run top to bottom in a fresh kernel (in ``dest``'s
    folder, with a throw-away ``DDB_LAB_HOME``) so that it carries deterministic outputs.
    Nothing is written when a marker is broken.

    Raises:
        MarkerError: a broken marker pair (the message names the notebook and the cell).
    """
    from ddb_lab.notebook_tools import execute as execute_notebook

    notebook = released(src)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not execute:
        _write_atomically(notebook, dest)
        return dest
    # Execute a private copy beside dest (same folder, so relative paths resolve the same), so
    # that a failed run never leaves a half-written dest.
    scratch = dest.with_name(f".{dest.stem}.releasing.ipynb")
    try:
        nbformat.write(notebook, scratch)  # type: ignore[no-untyped-call]
        with _private_home():
            execute_notebook(scratch, timeout=timeout)
        os.replace(scratch, dest)
    finally:
        scratch.unlink(missing_ok=True)
    return dest


def _write_atomically(notebook: Any, dest: Path) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(handle)
    try:
        nbformat.write(notebook, name)  # type: ignore[no-untyped-call]
        os.replace(name, dest)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def notebooks_in(directory: Path) -> list[Path]:
    """The course notebooks (``NN_topic.ipynb``) directly in ``directory``, sorted."""
    return sorted(p for p in directory.glob("*.ipynb") if NOTEBOOK_PATTERN.match(p.name))


def targets(src: Path, dest: Path) -> list[ReleaseTarget]:
    """What releasing ``src`` (a notebook or a folder of them) into ``dest`` writes."""
    if src.is_dir():
        return [ReleaseTarget(p, dest / p.name) for p in notebooks_in(src)]
    if dest.is_dir() or dest.suffix != ".ipynb":
        return [ReleaseTarget(src, dest / src.name)]
    return [ReleaseTarget(src, dest)]


def release_all(
    src_dir: Path, dest_dir: Path, *, execute: bool = True, timeout: int = 300
) -> list[Path]:
    """Release every ``NN_*.ipynb`` of ``src_dir`` into ``dest_dir``; returns the paths written.

    Every notebook is released (stubbed) before any is written, so a broken marker anywhere
    writes nothing.
    """
    work = targets(src_dir, dest_dir)
    for target in work:
        released(target.src)  # raises MarkerError before anything is written
    written: list[Path] = []
    for target in tqdm(work, desc="release", unit="notebook", disable=len(work) < 2):
        written.append(release_notebook(target.src, target.dest, execute=execute, timeout=timeout))
    return written


def _signature(notebook: Any) -> list[tuple[str, str, Any]]:
    return [
        (cell.cell_type, cell.source, cell.get("metadata", {}).get("ddb_lab"))
        for cell in notebook.cells
    ]


def expected_exercise_sources(src: Path) -> list[str]:
    """The source of every cell a release of ``src`` writes, in order."""
    return [cell.source for cell in released(src).cells]


def is_up_to_date(src: Path, dest: Path) -> bool:
    """Whether ``dest`` has exactly the cells a release of ``src`` would write.

    Cell types, sources and exercise roles (``metadata.ddb_lab``) are compared; outputs are not.
    A missing or unreadable ``dest`` is not up to date.
    """
    if not dest.is_file():
        return False
    try:
        current = _read(dest)
    except Exception:
        return False
    return _signature(current) == _signature(released(src))


def drifted(src: Path, dest: Path) -> list[ReleaseTarget]:
    """The release targets of ``src`` → ``dest`` whose exercise notebook is not up to date."""
    return [t for t in targets(src, dest) if not is_up_to_date(t.src, t.dest)]


def backup(path: Path) -> Path:
    """Copy ``path`` to ``<its folder>/.backup/<stem>.<N>.ipynb`` (N: the next free number)."""
    folder = path.parent / ".backup"
    folder.mkdir(parents=True, exist_ok=True)
    taken = re.compile(rf"^{re.escape(path.stem)}\.(\d+)\.ipynb$")
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := taken.match(p.name))]
    target = folder / f"{path.stem}.{max(numbers, default=0) + 1}.ipynb"
    target.write_bytes(path.read_bytes())
    return target


def _exercise_cells(notebook: Any, exercise_id: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("ddb_lab", {})
        if isinstance(meta, dict) and meta.get("exercise") == exercise_id:
            found.setdefault(str(meta.get("role")), []).append(index)
    return found


def restore(src: Path, dest: Path, *, exercise_id: str | None = None, execute: bool = True) -> str:
    """Restore ``dest`` from a fresh release of ``src``; returns what was done, in a sentence.

    With ``exercise_id``, only that exercise's cells (found by their ``metadata.ddb_lab``) are
    replaced, so the learner's work on the other exercises stays; when the learner's notebook
    no longer has exactly those cells, the whole notebook is restored. The caller backs up
    ``dest`` first.
    """
    scratch = dest.with_name(f".{dest.stem}.fresh.ipynb")
    try:
        fresh = _read(release_notebook(src, scratch, execute=execute))
    finally:
        scratch.unlink(missing_ok=True)
    if exercise_id is not None and dest.is_file():
        try:
            learner = _read(dest)
        except Exception:
            learner = None
        if learner is not None:
            wanted = _exercise_cells(fresh, exercise_id)
            have = _exercise_cells(learner, exercise_id)
            if wanted and all(len(have.get(role, [])) == 1 for role in wanted):
                for role, (index,) in wanted.items():
                    learner.cells[have[role][0]] = fresh.cells[index]
                _write_atomically(learner, dest)
                return f"restored the cells of {exercise_id} in {dest}"
    _write_atomically(fresh, dest)
    scope = f" (its {exercise_id} cells were not found)" if exercise_id else ""
    return f"restored {dest} from {src}{scope}"
