"""Flashcards over the question bank, scheduled by spaced repetition (SM-2).

Each card is one question of the bank. After seeing the model answer the learner grades how well
they knew it (``again``, ``hard``, ``good``, ``easy``); SM-2 turns the grade into the next due
date: a card known well comes back after 1, then 6 days, then ever longer; a card forgotten comes
back tomorrow and its ease drops. A session shows the cards that are due first (the most overdue
first), then new cards.

The schedule lives next to the learner's progress, in ``$DDB_LAB_HOME/flashcards.json``, written
with the progress store's locked, atomic read-modify-write (see :mod:`ddb_lab.grader.progress`).
``today`` is injectable, so that schedules are reproducible in tests and notebooks.

Used in: notebooks/10_interview_drills.ipynb, ``ddb-lab drill``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final

from ddb_lab.grader.progress import ProgressStore
from ddb_lab.interview.questions import Bank, Question, load_bank

__all__ = [
    "FILE_FORMAT",
    "FILE_NAME",
    "GRADES",
    "CardState",
    "Flashcards",
    "FlashcardStore",
    "schedule",
]

FILE_NAME: Final = "flashcards.json"
FILE_FORMAT: Final = "ddb-lab-flashcards"
FILE_VERSION: Final = 1

#: What the learner answers after seeing the model answer, and the SM-2 quality (0-5) it means.
GRADES: Final[Mapping[str, int]] = {"again": 1, "hard": 3, "good": 4, "easy": 5}
#: SM-2's constants: the starting ease, its floor, and the first two intervals in days.
START_EASE: Final = 2.5
MIN_EASE: Final = 1.3
FIRST_INTERVAL: Final = 1
SECOND_INTERVAL: Final = 6
#: The lowest quality that counts as remembered.
PASSING_QUALITY: Final = 3

Today = dt.date | Callable[[], dt.date]


@dataclass(frozen=True)
class CardState:
    """Where one card stands in the schedule.

    Attributes:
        repetitions: reviews in a row remembered (0 after a lapse).
        interval: days until the next review.
        ease: SM-2's ease factor (at least 1.3).
        due: the day the card is next due.
        reviews: reviews in total.
        lapses: times it was forgotten after having been learnt.
        last_grade: the last grade given, or "" for a new card.
    """

    repetitions: int = 0
    interval: int = 0
    ease: float = START_EASE
    due: dt.date | None = None
    reviews: int = 0
    lapses: int = 0
    last_grade: str = ""

    @property
    def is_new(self) -> bool:
        """Never reviewed."""
        return self.reviews == 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CardState:
        """A state from its stored form; raises ValueError or TypeError when it is not one."""
        due = data.get("due")
        return cls(
            repetitions=int(data["repetitions"]),
            interval=int(data["interval"]),
            ease=float(data["ease"]),
            due=dt.date.fromisoformat(due) if due else None,
            reviews=int(data["reviews"]),
            lapses=int(data["lapses"]),
            last_grade=str(data.get("last_grade", "")),
        )


def schedule(state: CardState, grade: str, today: dt.date) -> CardState:
    """The state after a review graded ``grade`` on ``today`` (SM-2).

    Raises:
        ValueError: a grade that is not one of :data:`GRADES`.
    """
    if grade not in GRADES:
        raise ValueError(f"grade must be one of {', '.join(GRADES)}; got {grade!r}")
    quality = GRADES[grade]
    ease = max(MIN_EASE, state.ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    if quality < PASSING_QUALITY:
        repetitions, interval = 0, FIRST_INTERVAL
        lapses = state.lapses + (1 if state.repetitions > 0 else 0)
    else:
        repetitions, lapses = state.repetitions + 1, state.lapses
        if repetitions == 1:
            interval = FIRST_INTERVAL
        elif repetitions == 2:
            interval = SECOND_INTERVAL
        else:
            interval = max(1, round(state.interval * ease))
    return replace(
        state,
        repetitions=repetitions,
        interval=interval,
        ease=round(ease, 4),
        due=today + dt.timedelta(days=interval),
        reviews=state.reviews + 1,
        lapses=lapses,
        last_grade=grade,
    )


# -- storage --------------------------------------------------------------------------------------
def _empty() -> dict[str, Any]:
    return {"format": FILE_FORMAT, "version": FILE_VERSION, "cards": {}}


def _is_ours(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("format") == FILE_FORMAT
        and data.get("version") == FILE_VERSION
        and isinstance(data.get("cards"), dict)
    )


class _ScheduleFile(ProgressStore):
    """The progress store's locked, atomic file handling, pointed at ``flashcards.json``.

    It shares the progress lock, so a drill in a terminal and a notebook never interleave their
    writes. Only the file-handling methods are used; the exercise methods are not.
    """

    file_name = FILE_NAME
    holds = "flashcard schedule"
    file_format = FILE_FORMAT
    file_version = FILE_VERSION

    def _empty(self) -> dict[str, Any]:
        return _empty()

    def _is_ours(self, data: Any) -> bool:
        return _is_ours(data)


class FlashcardStore:
    """The flashcard schedule of one learner, on disk.

    Args:
        home: the folder holding ``flashcards.json`` (default: ``$DDB_LAB_HOME`` or
            ``~/.ddb_lab``, the same folder as the progress record).

    Attributes:
        warnings: messages about unreadable files that were set aside.
    """

    def __init__(self, home: Path | str | None = None) -> None:
        self._file = _ScheduleFile(home)

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def warnings(self) -> list[str]:
        return self._file.warnings

    def states(self) -> dict[str, CardState]:
        """Every stored card state, by question id (entries that do not parse are skipped)."""
        if not self.path.exists():
            return {}
        with self._file._locked():
            cards = self._file._read()["cards"]
        return _parse_states(cards)

    def save(self, question_id: str, state: CardState) -> None:
        """Store one card's state (a locked read-modify-write of the file)."""
        with self._change() as cards:
            cards[question_id] = state.to_json()

    def reset(self) -> None:
        """Forget the whole schedule."""
        with self._change() as cards:
            cards.clear()

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        with self._file._locked():
            data = self._file._read()
            cards: dict[str, Any] = data["cards"]
            yield cards
            self._file._write(data)


def _parse_states(cards: Mapping[str, Any]) -> dict[str, CardState]:
    states = {}
    for question_id, raw in cards.items():
        try:
            states[question_id] = CardState.from_json(raw)
        except (KeyError, TypeError, ValueError):
            continue
    return states


# -- a deck -------------------------------------------------------------------------------------
def _resolve(today: Today) -> dt.date:
    return today() if callable(today) else today


@dataclass(frozen=True)
class Review:
    """One graded review: which card, the grade, and the state it left."""

    question: Question
    grade: str
    state: CardState


class Flashcards:
    """The bank's questions as a spaced-repetition deck.

    Args:
        topics: only these topics (a name or several; None for all).
        difficulties: only these difficulties (None for all).
        store: where the schedule is kept (default: a :class:`FlashcardStore` under
            ``$DDB_LAB_HOME``); None with ``persist=False`` keeps it in memory.
        today: the day to schedule from, or a function returning it (default: today's date).
        new_per_session: at most this many new cards in one session.
        seed: the order new cards are introduced in (shuffled with this seed; None keeps bank
            order).
        bank: the question bank (default: the package's).
        persist: write reviews to the store.

    Raises:
        ValueError: an unknown topic or difficulty, or a selection with no questions.
    """

    def __init__(
        self,
        topics: str | Sequence[str] | None = None,
        difficulties: str | Sequence[str] | None = None,
        *,
        store: FlashcardStore | None = None,
        today: Today = dt.date.today,
        new_per_session: int = 10,
        seed: int | None = 0,
        bank: Bank | None = None,
        persist: bool = True,
    ) -> None:
        self.bank = bank if bank is not None else load_bank()
        self.questions = self.bank.select(topics, difficulties)
        if not self.questions:
            raise ValueError("no questions match that topic and difficulty")
        if new_per_session < 0:
            raise ValueError("new_per_session must be 0 or more")
        self.persist = persist
        self.store = store if store is not None else (FlashcardStore() if persist else None)
        self._today = today
        self.new_per_session = new_per_session
        self.seed = seed
        self._states: dict[str, CardState] = self.store.states() if self.store else {}
        self.reviews: list[Review] = []

    @property
    def today(self) -> dt.date:
        return _resolve(self._today)

    def state(self, question_id: str) -> CardState:
        """A card's state (a fresh one for a card never reviewed)."""
        return self._states.get(question_id, CardState())

    def due(self) -> list[Question]:
        """Cards reviewed before and due today or earlier: most overdue first, then bank order."""
        today = self.today
        order = {q.id: n for n, q in enumerate(self.questions)}
        due = [
            q
            for q in self.questions
            if (s := self.state(q.id)).due is not None and not s.is_new and s.due <= today
        ]
        return sorted(due, key=lambda q: (self.state(q.id).due, order[q.id]))

    def new(self) -> list[Question]:
        """Cards never reviewed, in the session's introduction order."""
        fresh = [q for q in self.questions if self.state(q.id).is_new]
        if self.seed is not None:
            random.Random(self.seed).shuffle(fresh)
        return fresh

    def session(self, limit: int | None = None) -> list[Question]:
        """The cards to study now: every due card first, then up to ``new_per_session`` new."""
        queue = self.due() + self.new()[: self.new_per_session]
        return queue if limit is None else queue[:limit]

    def review(self, question_id: str, grade: str) -> CardState:
        """Grade one card, reschedule it, and (with ``persist``) save the new state.

        Raises:
            KeyError: a question not in this deck.
            ValueError: an unknown grade.
        """
        question = next((q for q in self.questions if q.id == question_id), None)
        if question is None:
            raise KeyError(f"no card {question_id!r} in this deck")
        state = schedule(self.state(question_id), grade, self.today)
        self._states[question_id] = state
        if self.persist and self.store is not None:
            self.store.save(question_id, state)
        self.reviews.append(Review(question, grade, state))
        return state

    def counts(self) -> dict[str, int]:
        """How many cards are due, new, and scheduled for later."""
        due = len(self.due())
        new = sum(1 for q in self.questions if self.state(q.id).is_new)
        return {"due": due, "new": new, "later": len(self.questions) - due - new}

    def text(self) -> str:
        """One line: the deck's size and what is waiting today."""
        c = self.counts()
        return (
            f"Flashcards: {len(self.questions)} cards · {c['due']} due today · {c['new']} new · "
            f"{c['later']} scheduled later (today is {self.today.isoformat()})"
        )

    def __repr__(self) -> str:
        return self.text()
