"""The grader: exercises, their checks, hints, progress and reference solutions.

``check(id, function)`` runs an exercise's check in a fresh, isolated lab and records the
attempt; ``hint(id)`` reveals the next hint; ``progress()`` shows how far along the course is;
``solution(id)`` shows the reference code once the exercise has passed.
"""

from __future__ import annotations

from ddb_lab.grader.notebook import check, hint, progress, solution
from ddb_lab.grader.progress import ProgressStore
from ddb_lab.grader.registry import exercises, get
from ddb_lab.grader.runner import CheckResult, run_check

__all__ = [
    "CheckResult",
    "ProgressStore",
    "check",
    "exercises",
    "get",
    "hint",
    "progress",
    "run_check",
    "solution",
]
