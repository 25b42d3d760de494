"""A timed mock interview: N questions, an answer in your words, then the rubric and a score.

The round is drawn from the bank by topic and difficulty with a seed, spreading the questions
over the chosen topics. For each question the candidate writes an answer (:meth:`answer`), then
sees the model answer and the key points an interviewer listens for, and marks which of them the
answer covered (:meth:`score`). The summary lists the score per topic, the weak topics with the
chapters that teach them, and the time taken against the time allowed.

The logic lives here, with a plain-text form of every step; ``ddb_lab.widgets.interview`` is a
thin view over it. The clock is injectable so that rounds are reproducible.

Used in: notebooks/10_interview_drills.ipynb.
"""

from __future__ import annotations

import html
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from ddb_lab.interview.questions import TOPICS, Bank, Question, chapter_link, load_bank

__all__ = [
    "MINUTES_PER_QUESTION",
    "WEAK_BELOW",
    "MockInterview",
    "MockSummary",
    "QuestionResult",
    "TopicScore",
    "draw_questions",
]

#: Time allowed per question, in minutes: a spoken answer plus a follow-up.
MINUTES_PER_QUESTION: Final = 4
#: A topic scoring below this share of its key points is listed as weak.
WEAK_BELOW: Final = 0.6

Stage = Literal["question", "review", "done"]


def draw_questions(
    bank: Bank,
    count: int,
    topics: str | Iterable[str] | None = None,
    difficulties: str | Iterable[str] | None = None,
    seed: int = 0,
) -> list[Question]:
    """``count`` questions, reproducible from ``seed``, spread evenly over the topics.

    Topics are visited in a shuffled order, one question each per turn, so that a round of five
    questions over five topics asks one of each.

    Raises:
        ValueError: ``count`` below 1, an unknown topic or difficulty, or too few questions.
    """
    if count < 1:
        raise ValueError("a round has at least one question")
    pool = bank.select(topics, difficulties)
    if len(pool) < count:
        raise ValueError(
            f"only {len(pool)} questions match that topic and difficulty; ask for {len(pool)} "
            "or fewer, or widen the selection"
        )
    rng = random.Random(seed)
    by_topic: dict[str, list[Question]] = {}
    for question in pool:
        by_topic.setdefault(question.topic, []).append(question)
    order = sorted(by_topic)
    rng.shuffle(order)
    for questions in by_topic.values():
        rng.shuffle(questions)
    drawn: list[Question] = []
    while len(drawn) < count:
        for topic in order:
            if by_topic[topic] and len(drawn) < count:
                drawn.append(by_topic[topic].pop())
    return drawn


@dataclass(frozen=True)
class QuestionResult:
    """One question of the round as it went.

    Attributes:
        question: what was asked.
        answer: the candidate's text ("" when skipped).
        seconds: time from showing the question to answering it.
        covered: one flag per key point: did the answer cover it.
    """

    question: Question
    answer: str
    seconds: float
    covered: tuple[bool, ...]

    @property
    def points(self) -> int:
        return sum(self.covered)

    @property
    def total(self) -> int:
        return len(self.covered)

    @property
    def missed(self) -> list[str]:
        """The key points the answer did not cover."""
        return [p for p, hit in zip(self.question.key_points, self.covered, strict=True) if not hit]


@dataclass(frozen=True)
class TopicScore:
    """Key points covered in one topic, and where to study it."""

    topic: str
    points: int
    total: int
    chapters: tuple[str, ...]

    @property
    def title(self) -> str:
        return TOPICS[self.topic]

    @property
    def share(self) -> float:
        return self.points / self.total if self.total else 0.0

    @property
    def weak(self) -> bool:
        return self.share < WEAK_BELOW


def _chapter_anchor(link: str) -> str:
    """A link to a chapter from a notebook in ``notebooks/`` (where the drills chapter lives)."""
    name = link.rsplit("/", 1)[-1]
    return f'<a href="{html.escape(name)}">{html.escape(link)}</a>'


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _minutes(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class MockSummary:
    """The round's result: per question, per topic, weak topics, and time."""

    results: tuple[QuestionResult, ...]
    seconds: float
    limit_seconds: float
    topics: tuple[TopicScore, ...] = field(default=())

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.results)

    @property
    def share(self) -> float:
        return self.points / self.total if self.total else 0.0

    @property
    def over_time(self) -> bool:
        return self.seconds > self.limit_seconds

    @property
    def weak_topics(self) -> list[TopicScore]:
        """Topics below :data:`WEAK_BELOW`, weakest first."""
        return sorted((t for t in self.topics if t.weak), key=lambda t: (t.share, t.topic))

    def text(self) -> str:
        lines = [
            f"Mock interview: {self.points}/{self.total} key points ({_percent(self.share)}) in "
            f"{_minutes(self.seconds)} of {_minutes(self.limit_seconds)}"
            + (" — over time" if self.over_time else ""),
            "",
        ]
        for number, result in enumerate(self.results, start=1):
            q = result.question
            lines.append(
                f"{number}. [{q.id}] {q.topic_title} · {q.difficulty}: "
                f"{result.points}/{result.total}" + ("" if result.answer else " (skipped)")
            )
        lines += ["", "By topic:"]
        for topic in self.topics:
            flag = "  ← weak" if topic.weak else ""
            lines.append(f"  {topic.title}: {topic.points}/{topic.total}{flag}")
        weak = self.weak_topics
        lines.append("")
        if weak:
            lines.append("Study next:")
            for topic in weak:
                lines.append(f"  {topic.title}: {', '.join(topic.chapters)}")
        else:
            lines.append(f"No weak topics: every topic reached {_percent(WEAK_BELOW)}.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(t.title)}</td><td>{t.points}/{t.total}</td>"
            f"<td>{'weak' if t.weak else ''}</td>"
            f"<td>{', '.join(_chapter_anchor(c) for c in t.chapters)}</td></tr>"
            for t in self.topics
        )
        return (
            f"<p><b>{self.points}/{self.total} key points ({_percent(self.share)})</b> in "
            f"{_minutes(self.seconds)} of {_minutes(self.limit_seconds)}</p>"
            "<table><tr><th>topic</th><th>points</th><th></th><th>chapters</th></tr>"
            f"{rows}</table>"
        )

    def __repr__(self) -> str:
        return self.text()


def _topic_scores(results: Sequence[QuestionResult]) -> tuple[TopicScore, ...]:
    scores = []
    for topic in TOPICS:
        mine = [r for r in results if r.question.topic == topic]
        if mine:
            chapters = sorted({r.question.chapter for r in mine})
            scores.append(
                TopicScore(
                    topic=topic,
                    points=sum(r.points for r in mine),
                    total=sum(r.total for r in mine),
                    chapters=tuple(chapter_link(c) for c in chapters),
                )
            )
    return tuple(scores)


class MockInterview:
    """A timed round of interview questions, answered and then self-scored.

    Args:
        count: how many questions.
        topics: a topic or topics to draw from (None: all).
        difficulties: a difficulty or difficulties (None: all).
        seed: which questions are drawn, and in what order.
        minutes: the time allowed for the round (default ``count`` × MINUTES_PER_QUESTION).
        clock: seconds from any fixed start (default ``time.monotonic``); the round starts when
            it is created.
        bank: the question bank (default: the package's).

    Raises:
        ValueError: see :func:`draw_questions`, or a time limit that is not positive.
    """

    def __init__(
        self,
        count: int = 5,
        topics: str | Iterable[str] | None = None,
        difficulties: str | Iterable[str] | None = None,
        *,
        seed: int = 0,
        minutes: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        bank: Bank | None = None,
    ) -> None:
        self.questions = draw_questions(
            bank if bank is not None else load_bank(), count, topics, difficulties, seed
        )
        limit = count * MINUTES_PER_QUESTION if minutes is None else minutes
        if limit <= 0:
            raise ValueError("minutes must be positive")
        self.limit_seconds = float(limit) * 60
        self._clock = clock
        self._started = clock()
        self._shown = self._started
        self._answer = ""
        self._answer_seconds = 0.0
        self.results: list[QuestionResult] = []
        self.stage: Stage = "question"

    # -- where the round is ---------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The 0-based number of the current question (``len(questions)`` when done)."""
        return len(self.results)

    @property
    def current(self) -> Question | None:
        """The question being answered or reviewed; None when the round is over."""
        return None if self.stage == "done" else self.questions[self.index]

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    @property
    def remaining(self) -> float:
        """Seconds left (negative when over time)."""
        return self.limit_seconds - self.elapsed

    # -- the steps ------------------------------------------------------------------------------
    def answer(self, text: str) -> Question:
        """Record the candidate's answer to the current question and reveal the rubric.

        Raises:
            RuntimeError: not waiting for an answer (reviewing, or the round is over).
        """
        question = self._expect("question", "answer")
        self._answer = text.strip()
        self._answer_seconds = self._clock() - self._shown
        self.stage = "review"
        return question

    def skip(self) -> QuestionResult:
        """Give up on the current question: no answer, no key points."""
        question = self._expect("question", "skip")
        self._answer, self._answer_seconds = "", self._clock() - self._shown
        self.stage = "review"
        return self.score([False] * len(question.key_points))

    def score(self, covered: Sequence[bool] | Iterable[int]) -> QuestionResult:
        """Mark which key points the answer covered, and move to the next question.

        Args:
            covered: one bool per key point, or the 1-based numbers of the points covered.

        Raises:
            RuntimeError: no answer to score yet.
            ValueError: a list of the wrong length, or a point number out of range.
        """
        question = self._expect("review", "score")
        flags = _flags(covered, len(question.key_points))
        result = QuestionResult(question, self._answer, self._answer_seconds, flags)
        self.results.append(result)
        self._shown = self._clock()
        self.stage = "done" if len(self.results) == len(self.questions) else "question"
        return result

    def summary(self) -> MockSummary:
        """The result so far (complete once every question is scored)."""
        seconds = self.elapsed
        return MockSummary(
            results=tuple(self.results),
            seconds=seconds,
            limit_seconds=self.limit_seconds,
            topics=_topic_scores(self.results),
        )

    def _expect(self, stage: Stage, action: str) -> Question:
        if self.stage != stage or self.current is None:
            raise RuntimeError(f"cannot {action} now: the round is at the {self.stage} stage")
        return self.current

    # -- plain text -----------------------------------------------------------------------------
    def header(self) -> str:
        """Question N of M, its topic and difficulty, and the time left."""
        left = self.remaining
        clock = f"{_minutes(left)} left" if left >= 0 else f"{_minutes(-left)} over time"
        question = self.current
        if question is None:
            return f"Round over · {clock}"
        return (
            f"Question {self.index + 1} of {len(self.questions)} · {question.topic_title} · "
            f"{question.difficulty} · {clock}"
        )

    def text(self) -> str:
        """The current step as plain text: the question, the rubric, or the summary."""
        question = self.current
        if question is None:
            return self.summary().text()
        lines = [self.header(), "", question.question]
        if self.stage == "review":
            lines += [
                "",
                f"Your answer: {self._answer or '(none)'}",
                "",
                f"Model answer: {question.answer}",
                "",
                "Key points (mark those your answer covered):",
                *(f"  {n}. {p}" for n, p in enumerate(question.key_points, start=1)),
                "",
                "Follow-ups: " + " / ".join(question.follow_ups),
                f"Common wrong answer: {question.wrong_answer}",
            ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


def _flags(covered: Sequence[bool] | Iterable[int], size: int) -> tuple[bool, ...]:
    items = list(covered)
    if all(isinstance(item, bool) for item in items) and items:
        if len(items) != size:
            raise ValueError(f"give one flag per key point ({size}), got {len(items)}")
        return tuple(bool(item) for item in items)
    numbers = {int(item) for item in items}
    outside = sorted(n for n in numbers if not 1 <= n <= size)
    if outside:
        raise ValueError(f"key points are numbered 1 to {size}; got {outside}")
    return tuple(n in numbers for n in range(1, size + 1))
