"""Design challenges: an interviewer's brief, checked like a production review.

Each challenge states a product, its records and its access patterns the way an interviewer
would, and a write load. The candidate answers with a design — a ``ddb_lab.modeling.Model`` (the
table, its entities' key templates, its indexes) and one function per access pattern — and
:meth:`Challenge.judge` seeds the design with the challenge's records and runs the modeling
verifier: every pattern must return the right items (in order where it matters), with Query or
GetItem only, following every page, within its read-unit budget; no partition key may take more
write units than a partition serves under the stated load; and the challenge's own rules hold
(tenant isolation for the SaaS challenge).

    from ddb_lab.interview.challenges import CHALLENGES
    challenge = CHALLENGES["leaderboard"]
    print(challenge.brief)
    report = challenge.judge(my_design(), lab=lab)

Used in: notebooks/10_interview_drills.ipynb, solutions/10_interview_drills.ipynb (the reference
designs) and the checks of chapter 10.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ddb_lab.modeling import (
    DEFAULT_HOT_SHARE,
    AccessPattern,
    Data,
    Load,
    Model,
    ModelError,
    VerificationReport,
    verify,
)

__all__ = ["CHALLENGES", "Challenge", "DesignError", "Rule"]

#: A design rule beyond the access patterns: ``rule(model, data) -> problems``.
Rule = Callable[[Model, Data], list[str]]


class DesignError(ValueError):
    """The answer is not a design: the message says what a design looks like."""


@dataclass(frozen=True)
class Challenge:
    """One interview design question.

    Attributes:
        id: short name (``"leaderboard"``).
        title: one line.
        brief: the question as an interviewer states it (markdown), access patterns included.
        data: builds the records the design is seeded with.
        patterns: the reads to serve, with their expected answers.
        loads: the stated write load.
        rules: further rules the design must follow.
        hot_share: the share of a table's items one key value may hold (1 turns the check off
            where one big key value is part of the brief and the load check covers it).
        chapters: the chapters that teach what the challenge needs.
    """

    id: str
    title: str
    brief: str
    data: Callable[[], Data]
    patterns: Sequence[AccessPattern]
    loads: Sequence[Load] = ()
    rules: Sequence[Rule] = ()
    hot_share: float = DEFAULT_HOT_SHARE
    chapters: Sequence[int] = field(default_factory=tuple)

    def records(self) -> dict[str, list[str]]:
        """The record sets and their fields, as the candidate sees them."""
        data = self.data()
        return {
            kind: sorted({name for record in rows for name in record})
            for kind, rows in data.records.items()
        }

    def judge(self, design: Any, *, lab: Any) -> VerificationReport:
        """Seed ``design`` = ``(model, functions)`` and judge it (see the module docstring).

        Raises:
            DesignError: when ``design`` is not a (Model, functions) pair.
            NotImplementedError: when the design is not written yet.
        """
        if not (isinstance(design, tuple) and len(design) == 2 and isinstance(design[0], Model)):
            raise DesignError(
                "a design is a pair (model, functions): a ddb_lab.modeling.Model and a dict of "
                f"the functions {', '.join(p.name for p in self.patterns)} by name"
            )
        model, functions = design
        data = self.data()
        try:
            model.items(data)
        except ModelError as error:
            raise DesignError(str(error)) from None
        report = verify(
            model,
            self.patterns,
            functions,
            data,
            lab=lab,
            hot_share=self.hot_share,
            loads=self.loads,
        )
        for rule in self.rules:
            report.extra_problems.extend(rule(model, data))
        return report


class _ById(dict[str, Challenge]):
    """The challenges by id; an unknown id names the known ones."""

    def __missing__(self, key: str) -> Challenge:
        raise KeyError(f"no challenge {key!r}; challenges: {', '.join(self)}")


# The challenges build on the names above, so they are imported last.
from ddb_lab.interview.challenges import chat, iot, leaderboard, saas, shop, social  # noqa: E402

#: Every design challenge, by id, in the order the chapter presents them.
CHALLENGES: Mapping[str, Challenge] = _ById(
    (m.CHALLENGE.id, m.CHALLENGE) for m in (social, shop, leaderboard, saas, chat, iot)
)
