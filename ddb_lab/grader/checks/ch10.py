"""Checks for chapter 10, the design challenges (exercises/10_interview_drills.ipynb).

Each exercise is one challenge of ``ddb_lab.interview.challenges``: the learner's function
returns a design, and the challenge judges it with the modeling verifier — right items, Query or
GetItem only, pages followed, read-unit budgets, no hot key under the stated load, and the
challenge's own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ddb_lab.grader.checks import check_for, fail_on_problems
from ddb_lab.grader.context import CheckContext, Failure, LearnerRaised
from ddb_lab.interview.challenges import CHALLENGES, DesignError

Learner = Callable[..., Any]

_ADVICE = (
    ("used a Scan", "Every access pattern needs a key it can Query: add an index or change the "
     "key templates rather than scanning."),
    ("stopped at a LastEvaluatedKey", "Keep querying with ExclusiveStartKey until the response "
     "has no LastEvaluatedKey."),
    ("under the stated load", "Add a shard suffix to the hot key (for example a hash of an id "
     "modulo N) and read all N shards where a pattern needs them together."),
    ("tenant isolation", "Start every partition key, of the table and of each index, with "
     "TENANT#<tenant_id> (and '#' before anything that follows)."),
    ("wrong order", "Put the ordering field in the sort key and choose ScanIndexForward."),
    ("the budget", "Read less: GetItem instead of a Query, Limit for the newest item, a "
     "projection or a narrower key condition."),
)  # fmt: skip


def _judge(challenge_id: str, function: Learner, ctx: CheckContext) -> None:
    challenge = CHALLENGES[challenge_id]
    design = ctx.call(function)
    try:
        report = challenge.judge(design, lab=ctx.lab)
    except NotImplementedError as error:
        raise LearnerRaised(error) from error
    except DesignError as error:
        raise Failure(f"That is not a design yet: {error}.") from None
    fail_on_problems(
        report.problems(),
        f"The {challenge.title.lower()} design does not pass the review yet",
        _ADVICE,
    )


def _register(challenge_id: str) -> None:
    @check_for(f"10.design_{challenge_id}")
    def check(function: Learner, ctx: CheckContext) -> None:
        _judge(challenge_id, function, ctx)


for _id in CHALLENGES:
    _register(_id)
