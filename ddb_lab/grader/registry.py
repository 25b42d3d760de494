"""The exercise registry: the ``registry/`` files read, validated and looked up, in course order.

``registry/NN_chapter.toml`` (package data, one file per chapter, read in file-name order) is the
one list of exercises; the checks, the notebook API, the progress store and the CLI all read it
through this module.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "Exercise",
    "RegistryError",
    "chapter_exercises",
    "exercises",
    "get",
    "load",
    "override",
    "parse",
    "resolve",
    "suggestions",
    "unknown_exercise_message",
]

FORMAT_VERSION = 1
DEFAULT_TIMEOUT = 10.0
MAX_HINTS = 3


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course.

    Attributes:
        id: ``NN.slug``, where ``NN`` is the chapter (``01.create_orders_table``).
        chapter: the chapter number.
        title: one line saying what the exercise asks.
        function: the name of the function the learner writes (the check receives it).
        points: awarded when the check passes.
        hints: one to three hints, from gentle to specific.
        timeout: seconds the learner's function may run before it is stopped.
    """

    id: str
    chapter: int
    title: str
    function: str
    points: int
    hints: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT


def _fail(where: str, problem: str) -> RegistryError:
    return RegistryError(f"registry: {where}: {problem}")


def _exercise(index: int, raw: Any) -> Exercise:
    where = f"exercise #{index + 1}"
    if not isinstance(raw, dict):
        raise _fail(where, "each [[exercise]] must be a table")
    ex_id = raw.get("id")
    if not isinstance(ex_id, str) or not ex_id:
        raise _fail(where, "'id' must be a non-empty string")
    where = f"exercise {ex_id!r}"
    known = {"id", "chapter", "title", "function", "points", "hints", "timeout"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(
            where, f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    chapter = raw.get("chapter")
    if not isinstance(chapter, int) or isinstance(chapter, bool) or chapter < 0:
        raise _fail(where, "'chapter' must be a non-negative integer")
    prefix, dot, slug = ex_id.partition(".")
    if not dot or not slug or prefix != f"{chapter:02d}":
        raise _fail(where, f"the id must start with '{chapter:02d}.' (its chapter, two digits)")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail(where, "'title' must be a non-empty string")
    function = raw.get("function")
    if not isinstance(function, str) or not function.isidentifier():
        raise _fail(where, f"'function' must be a valid Python identifier, not {function!r}")
    points = raw.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise _fail(where, f"'points' must be a positive integer, not {points!r}")
    hints = raw.get("hints")
    if (
        not isinstance(hints, list)
        or not 1 <= len(hints) <= MAX_HINTS
        or not all(isinstance(h, str) and h.strip() for h in hints)
    ):
        raise _fail(where, f"'hints' must be a list of 1 to {MAX_HINTS} non-empty strings")
    timeout = raw.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        raise _fail(where, f"'timeout' must be a number of seconds in (0, 600], not {timeout!r}")
    return Exercise(
        id=ex_id,
        chapter=chapter,
        title=title.strip(),
        function=function,
        points=points,
        hints=tuple(h.strip() for h in hints),
        timeout=float(timeout),
    )


def _parse_one(text: str, source: str) -> list[Exercise]:
    where = f" ({source})" if source else ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"registry{where}: not valid TOML: {error}") from error
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise RegistryError(
            f"registry{where}: format_version must be {FORMAT_VERSION}, not {version!r}"
        )
    raw_exercises = data.get("exercise")
    if not isinstance(raw_exercises, list) or not raw_exercises:
        raise RegistryError(f"registry{where}: no [[exercise]] entries")
    return [_exercise(i, raw) for i, raw in enumerate(raw_exercises)]


def parse(text: str, *more: str) -> list[Exercise]:
    """Parse and validate registry TOML texts (one per chapter file, in course order).

    Raises:
        RegistryError: when a file is malformed, an id is used twice or the order is wrong.
    """
    found = [e for t in (text, *more) for e in _parse_one(t, "")]
    return _validated(found)


def _validated(found: list[Exercise]) -> list[Exercise]:
    seen: set[str] = set()
    last_chapter = -1
    for exercise in found:
        if exercise.id in seen:
            raise _fail(f"exercise {exercise.id!r}", "the id is used twice")
        seen.add(exercise.id)
        if exercise.chapter < last_chapter:
            raise _fail(
                f"exercise {exercise.id!r}",
                "out of course order: list the exercises chapter by chapter",
            )
        last_chapter = exercise.chapter
    return found


def load(path: Path | None = None) -> list[Exercise]:
    """Read and validate the registry: a file, or a folder of ``*.toml`` files in name order.

    The default is the package's ``registry/`` directory.
    """
    if path is None:
        folder: Any = resources.files("ddb_lab.grader").joinpath("registry")
    elif Path(path).is_dir():
        folder = Path(path)
    else:
        return _validated(_parse_one(Path(path).read_text("utf-8"), Path(path).name))
    files = [f for f in folder.iterdir() if f.name.endswith(".toml")]
    files.sort(key=lambda f: f.name)
    if not files:
        raise RegistryError(f"registry: no *.toml files in {folder}")
    return _validated([e for f in files for e in _parse_one(f.read_text("utf-8"), f.name)])


_cache: tuple[Exercise, ...] | None = None
_override: tuple[Exercise, ...] | None = None


def _all() -> tuple[Exercise, ...]:
    global _cache
    if _override is not None:
        return _override
    if _cache is None:
        _cache = tuple(load())
    return _cache


@contextmanager
def override(replacement: Sequence[Exercise]) -> Iterator[None]:
    """Use ``replacement`` as the course's exercises inside the ``with`` block (tests, previews)."""
    global _override
    previous = _override
    _override = tuple(replacement)
    try:
        yield
    finally:
        _override = previous


def exercises() -> list[Exercise]:
    """Every exercise, in course order."""
    return list(_all())


def suggestions(exercise_id: str, limit: int = 3) -> list[str]:
    """The known ids closest to ``exercise_id`` (for "did you mean")."""
    ids = [e.id for e in _all()]
    scored = sorted(
        ((difflib.SequenceMatcher(None, exercise_id, i).ratio(), i) for i in ids),
        key=lambda pair: -pair[0],
    )
    if scored and scored[0][0] >= 0.6:  # the best, and any nearly as close
        return [i for score, i in scored if score >= scored[0][0] - 0.15][:limit]
    # a bare slug ("orders_in_month") still finds its exercise
    return [i for i in ids if exercise_id and exercise_id in i][:limit]


def unknown_exercise_message(exercise_id: object) -> str:
    """ "There is no exercise 'x'." plus the closest ids, if any."""
    text = f"There is no exercise {exercise_id!r}."
    close = suggestions(exercise_id) if isinstance(exercise_id, str) else []
    if close:
        return f"{text} Did you mean {' or '.join(repr(c) for c in close)}?"
    return f"{text} Exercise ids look like '01.create_orders_table'."


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; KeyError (naming the closest ids) if there is none."""
    for exercise in _all():
        if exercise.id == exercise_id:
            return exercise
    raise KeyError(unknown_exercise_message(exercise_id))


def chapter_exercises(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in course order (empty if it has none)."""
    return [e for e in _all() if e.chapter == chapter]


def resolve(selector: str | int | None) -> list[Exercise]:
    """Exercises named by a selector: an id, a chapter (``1``, ``"1"``, ``"01"``), or None (all).

    Raises:
        KeyError: when nothing matches; the message suggests what would.
    """
    if selector is None:
        return exercises()
    if isinstance(selector, int) and not isinstance(selector, bool):
        chapter: int | None = selector
    elif isinstance(selector, str) and selector.strip().isdigit():
        chapter = int(selector.strip())
    else:
        chapter = None
    if chapter is not None:
        found = chapter_exercises(chapter)
        if not found:
            chapters = sorted({e.chapter for e in _all()})
            raise KeyError(
                f"Chapter {chapter} has no exercises; chapters with exercises: "
                f"{', '.join(str(c) for c in chapters)}."
            )
        return found
    return [get(str(selector))]
