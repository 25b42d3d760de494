"""The checks, one per exercise, registered by exercise id.

A check is ``def check(fn, ctx) -> None``: it calls the learner's ``fn`` through ``ctx.call(...)``
against the fresh lab in ``ctx`` and raises ``Failure`` (ddb_lab.grader.context) when the answer,
or the way it was obtained, is wrong. Returning means passed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from typing import Any

from ddb_lab.grader.context import CheckContext, Failure

__all__ = ["CheckFunction", "all_checks", "check_for", "fail_on_problems", "get_check"]

CheckFunction = Callable[[Callable[..., Any], CheckContext], None]

_CHECKS: dict[str, CheckFunction] = {}


def check_for(exercise_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of ``exercise_id``."""

    def register(function: CheckFunction) -> CheckFunction:
        if exercise_id in _CHECKS:
            raise ValueError(f"two checks for {exercise_id}")
        _CHECKS[exercise_id] = function
        return function

    return register


def fail_on_problems(
    problems: Sequence[str],
    what: str,
    advice: Sequence[tuple[str, str]],
    shown: int = 5,
) -> None:
    """Raise a Failure listing ``problems`` (the first ``shown``) under ``what``, if there are any.

    ``advice`` pairs a marker with a tip: the tip of the first marker found in a problem is shown.
    """
    if not problems:
        return
    tip = next((a for marker, a in advice if any(marker in p for p in problems)), "")
    listed = list(problems[:shown])
    if len(problems) > shown:
        listed.append(f"... and {len(problems) - shown} more")
    raise Failure(f"{what}:\n  - " + "\n  - ".join(listed), advice=tip)


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def all_checks() -> dict[str, CheckFunction]:
    """Every registered check, by exercise id."""
    _load_all()
    return dict(_CHECKS)


def get_check(exercise_id: str) -> CheckFunction:
    """The check of ``exercise_id``; KeyError if there is none."""
    _load_all()
    return _CHECKS[exercise_id]
