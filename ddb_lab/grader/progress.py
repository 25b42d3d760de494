"""The learner's progress on disk: ``$DDB_LAB_HOME/progress.json``, written atomically.

Every change is a locked read-modify-write: take an exclusive ``flock`` on ``progress.lock``, read
the file, change it, write a temporary file in the same folder, ``fsync`` it, ``os.replace`` it
over ``progress.json`` and ``fsync`` the folder. A writer killed at any moment leaves either the
old or the new file, never half of one; two kernels recording at once do not lose updates.
A file that is not ours (not JSON, another format or version) is never erased: it is set aside as
``progress.json.corrupt-N`` and a fresh record starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddb_lab.grader import registry
from ddb_lab.grader.registry import Exercise
from ddb_lab.grader.runner import CheckResult

try:
    import fcntl
except ImportError:  # Windows: no flock; single writers only
    fcntl = None  # type: ignore[assignment]

__all__ = ["ENV_HOME", "FILE_FORMAT", "FILE_VERSION", "ChapterProgress", "ProgressStore"]

ENV_HOME = "DDB_LAB_HOME"
FILE_NAME = "progress.json"
LOCK_NAME = "progress.lock"
FILE_FORMAT = "ddb-lab-progress"
FILE_VERSION = 1
_TEMP_PREFIX = ".progress-"
_TEMP_SUFFIX = ".tmp"


def default_home() -> Path:
    """``$DDB_LAB_HOME``, or ``~/.ddb_lab``."""
    configured = os.environ.get(ENV_HOME)
    return Path(configured).expanduser() if configured else Path.home() / ".ddb_lab"


@dataclass(frozen=True)
class ChapterProgress:
    """How far along one chapter is."""

    chapter: int
    done: int
    total: int
    points: int
    max_points: int


def _new_entry() -> dict[str, Any]:
    return {
        "status": "not_attempted",
        "attempts": 0,
        "passed": False,
        "hints_shown": 0,
        "solution_shown": False,
    }


def _empty() -> dict[str, Any]:
    return {"format": FILE_FORMAT, "version": FILE_VERSION, "exercises": {}}


def _is_ours(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("format") == FILE_FORMAT
        and data.get("version") == FILE_VERSION
        and isinstance(data.get("exercises"), dict)
        and all(isinstance(v, dict) for v in data["exercises"].values())
    )


class ProgressStore:
    """Progress per exercise: status, attempts, passed, hints shown, solution shown.

    Args:
        home: the folder holding ``progress.json`` (default: ``$DDB_LAB_HOME`` or
            ``~/.ddb_lab``); created on the first write.

    Attributes:
        warnings: messages about files set aside, in the order they happened (each is also
            printed to stderr).
    """

    #: The file under ``home``, what it holds (for messages) and its format, by name and version;
    #: a subclass that keeps another file with the same locking and atomic writes sets its own.
    file_name = FILE_NAME
    holds = "progress record"
    file_format = FILE_FORMAT
    file_version = FILE_VERSION

    def __init__(self, home: Path | str | None = None) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / self.file_name
        self.warnings: list[str] = []

    def _empty(self) -> dict[str, Any]:
        """What the file holds before anything is recorded."""
        return _empty()

    def _is_ours(self, data: Any) -> bool:
        """Whether ``data`` (parsed JSON) is a file this store wrote."""
        return _is_ours(data)

    # -- the file ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        with open(self.home / LOCK_NAME, "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _set_aside(self, why: str) -> None:
        n = 1
        while True:
            target = self.path.with_name(f"{self.file_name}.corrupt-{n}")
            if not target.exists():
                break
            n += 1
        os.replace(self.path, target)
        message = (
            f"ddb-lab: {self.path} was {why}; it was kept as {target} and a fresh "
            f"{self.holds} starts."
        )
        self.warnings.append(message)
        print(message, file=sys.stderr)

    def _read(self) -> dict[str, Any]:
        """The stored data (call with the lock held: it may set a bad file aside)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._empty()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._set_aside("not valid JSON")
            return self._empty()
        if not self._is_ours(data):
            self._set_aside(f"not a {self.file_format} file of version {self.file_version}")
            return self._empty()
        return dict(data)

    def _remove_stale_temps(self) -> None:
        # Only a writer holding the lock creates temporary files, so any found now is left over
        # from a writer that was killed.
        for stale in self.home.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _write(self, data: dict[str, Any]) -> None:
        """Replace the file atomically (call with the lock held)."""
        if fcntl is not None:
            self._remove_stale_temps()
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=self.home)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as temp:
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        self._fsync_dir()

    def _fsync_dir(self) -> None:
        try:
            fd = os.open(self.home, os.O_RDONLY)
        except OSError:  # Windows cannot open a folder
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        """Locked read-modify-write of the exercises' entries."""
        with self._locked():
            data = self._read()
            exercises: dict[str, Any] = data["exercises"]
            yield exercises
            self._write(data)

    def _snapshot(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():  # nothing recorded yet: do not create the folder to say so
            return {}
        with self._locked():
            exercises: dict[str, dict[str, Any]] = self._read()["exercises"]
            return exercises

    # -- recording --------------------------------------------------------------------------------
    def record_result(self, result: CheckResult) -> dict[str, Any]:
        """Count an attempt and store its status; ``passed`` stays True once earned."""
        with self._change() as exercises:
            entry = {**_new_entry(), **exercises.get(result.exercise_id, {})}
            entry["status"] = result.status
            entry["attempts"] = int(entry["attempts"]) + 1
            entry["passed"] = bool(entry["passed"]) or result.passed
            exercises[result.exercise_id] = entry
        return dict(entry)

    def record_hint(self, exercise_id: str) -> int:
        """Reveal one more hint; returns its number (1-based), staying at the last one."""
        exercise = registry.get(exercise_id)
        with self._change() as exercises:
            entry = {**_new_entry(), **exercises.get(exercise_id, {})}
            entry["hints_shown"] = min(int(entry["hints_shown"]) + 1, len(exercise.hints))
            exercises[exercise_id] = entry
        return int(entry["hints_shown"])

    def mark_solution_shown(self, exercise_id: str) -> None:
        """Note that the reference solution was shown."""
        registry.get(exercise_id)
        with self._change() as exercises:
            entry = {**_new_entry(), **exercises.get(exercise_id, {})}
            entry["solution_shown"] = True
            exercises[exercise_id] = entry

    def reset(self, exercise_id: str | None = None) -> None:
        """Forget one exercise's progress, or (``None``) everyone's."""
        with self._change() as exercises:
            if exercise_id is None:
                exercises.clear()
            elif exercise_id in exercises:
                del exercises[exercise_id]
            else:
                registry.get(exercise_id)  # an unknown id: KeyError with suggestions

    # -- reading ----------------------------------------------------------------------------------
    def entry(self, exercise_id: str) -> dict[str, Any]:
        """The stored entry of one exercise (a fresh one if it has none)."""
        return {**_new_entry(), **self._snapshot().get(exercise_id, {})}

    def passed_ids(self) -> set[str]:
        return {i for i, e in self._snapshot().items() if e.get("passed") is True}

    def summary(self) -> list[ChapterProgress]:
        """Done/total exercises and points per chapter, in course order."""
        passed = self.passed_ids()
        chapters: dict[int, list[Exercise]] = {}
        for exercise in registry.exercises():
            chapters.setdefault(exercise.chapter, []).append(exercise)
        return [
            ChapterProgress(
                chapter=chapter,
                done=sum(1 for e in items if e.id in passed),
                total=len(items),
                points=sum(e.points for e in items if e.id in passed),
                max_points=sum(e.points for e in items),
            )
            for chapter, items in chapters.items()
        ]

    def next_exercise(self) -> Exercise | None:
        """The first exercise in course order not passed yet (None when all are)."""
        passed = self.passed_ids()
        return next((e for e in registry.exercises() if e.id not in passed), None)
