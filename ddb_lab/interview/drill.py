"""``ddb-lab drill``: flashcards and math drills in the terminal, answers read from stdin.

Flashcards: each card shows a question; the learner thinks (or types) an answer and presses
Enter, sees the model answer and the key points, and grades themselves (``a``gain, ``h``ard,
``g``ood, ``e``asy). Cards due for review come first, then new ones; the schedule is saved under
``$DDB_LAB_HOME`` after every card, so stopping early (``q`` or end of input) loses nothing.

Math drills (``--math``): generated capacity and cost questions with an exact answer, checked
automatically, each followed by its worked solution.

Everything reads from and writes to the streams it is given, so a test drives it by feeding text.

Used in: ``ddb-lab drill`` (see :mod:`ddb_lab.cli`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from typing import Any, Final, TextIO

from ddb_lab.interview.flashcards import GRADES, Flashcards, FlashcardStore
from ddb_lab.interview.questions import Question

__all__ = [
    "DEFAULT_CARDS",
    "DEFAULT_MATH",
    "MATH_MODULE",
    "load_math",
    "run_flashcards",
    "run_math",
]

DEFAULT_CARDS: Final = 10
DEFAULT_MATH: Final = 5
#: Where the math drills live; imported only when asked for.
MATH_MODULE: Final = "ddb_lab.interview.mathdrills"
_WIDTH: Final = 88
_GRADE_KEYS: Final = {grade[0]: grade for grade in GRADES} | {grade: grade for grade in GRADES}
_STOP: Final = frozenset({"q", "quit", "exit"})


class _Stop(Exception):
    """The learner asked to stop, or the input ended."""


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Console:
    """Line-oriented prompts over two text streams."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        # A terminal echoes what is typed; piped answers are echoed here so a transcript reads
        # like the session it records.
        self.echo = not _is_terminal(stdin)

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def wrapped(self, label: str, text: str) -> None:
        self.say(textwrap.fill(text, _WIDTH, initial_indent=label, subsequent_indent="   "))

    def ask(self, prompt: str) -> str:
        """One line of input (stripped); raises _Stop at end of input or on q/quit."""
        print(prompt, end="", file=self.stdout, flush=True)
        line = self.stdin.readline()
        if not line:
            self.say()
            raise _Stop
        answer = line.strip()
        if self.echo:
            self.say(answer)
        if answer.lower() in _STOP:
            raise _Stop
        return answer


# -- flashcards -----------------------------------------------------------------------------------
def _show_card(console: _Console, question: Question, number: int, total: int, kind: str) -> None:
    console.say(
        f"Card {number} of {total} · {question.topic_title} · {question.difficulty} · {kind}"
    )
    console.wrapped("Q: ", question.question)
    console.ask("(answer in your head or type it, then press Enter) ")
    console.wrapped("A: ", question.answer)
    console.say("Key points:")
    for point in question.key_points:
        console.wrapped("  - ", point)
    console.say(f"Chapter: {question.chapter_link}")


def _ask_grade(console: _Console) -> str:
    while True:
        answer = console.ask("How well did you know it? [a]gain [h]ard [g]ood [e]asy, q stops: ")
        grade = _GRADE_KEYS.get(answer.lower())
        if grade is not None:
            return grade
        console.say("Please type a, h, g or e (or q to stop).")


def run_flashcards(
    *,
    topic: str | None = None,
    count: int | None = None,
    seed: int | None = 0,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    store: FlashcardStore | None = None,
    today: dt.date | Callable[[], dt.date] = dt.date.today,
) -> int:
    """A flashcard session in the terminal; returns the exit status (0, or 2 for bad options)."""
    console = _Console(stdin or sys.stdin, stdout or sys.stdout)
    limit = DEFAULT_CARDS if count is None else count
    if limit < 1:
        console.say("--count must be at least 1.")
        return 2
    try:
        deck = Flashcards(
            topic, store=store, today=today, new_per_session=limit, seed=seed, persist=True
        )
    except ValueError as error:
        console.say(str(error))
        return 2
    console.say(deck.text())
    due_ids = {q.id for q in deck.due()}
    queue = deck.session(limit)
    if not queue:
        console.say("Nothing is due and there are no new cards: come back tomorrow.")
        return 0
    try:
        for number, question in enumerate(queue, start=1):
            console.say()
            _show_card(
                console, question, number, len(queue), "due" if question.id in due_ids else "new"
            )
            state = deck.review(question.id, _ask_grade(console))
            days = "tomorrow" if state.interval == 1 else f"in {state.interval} days"
            console.say(f"Next review {days} ({state.due.isoformat() if state.due else '-'}).")
    except _Stop:
        console.say("Stopped; your reviews so far are saved.")
    _flashcard_summary(console, deck)
    return 0


def _flashcard_summary(console: _Console, deck: Flashcards) -> None:
    grades = Counter(review.grade for review in deck.reviews)
    done = ", ".join(f"{grades[g]} {g}" for g in GRADES if grades[g])
    console.say()
    console.say(f"Reviewed {len(deck.reviews)} card(s)" + (f": {done}." if done else "."))
    console.say(deck.text())


# -- math drills ----------------------------------------------------------------------------------
def load_math() -> Any | None:
    """The math drills module, or None when it is not available."""
    try:
        return importlib.import_module(MATH_MODULE)
    except ImportError:
        return None


def run_math(
    *,
    topic: str | None = None,
    count: int | None = None,
    seed: int = 0,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """A round of math drills in the terminal; returns 0, or 2 when drills cannot be made."""
    console = _Console(stdin or sys.stdin, stdout or sys.stdout)
    total = DEFAULT_MATH if count is None else count
    if total < 1:
        console.say("--count must be at least 1.")
        return 2
    module = load_math()
    if module is None:
        console.say("Math drills are not available in this installation.")
        return 2
    try:
        drills = list(module.generate(seed=seed, count=total, topic=topic))
    except (KeyError, ValueError) as error:
        console.say(f"Cannot make math drills: {error}")
        return 2
    right = 0
    asked = 0
    try:
        for number, drill in enumerate(drills, start=1):
            console.say()
            console.say(f"Drill {number} of {len(drills)} · {drill.topic}")
            console.wrapped("Q: ", str(drill.question))
            answer = console.ask(f"Your answer ({drill.unit}): ")
            asked += 1
            if _checked(drill, answer):
                right += 1
                console.say("✓ Correct.")
            else:
                console.say(f"✗ Not quite: the answer is {_answer_text(drill)}.")
            console.say("Worked solution:")
            for line in str(drill.worked_solution).splitlines():
                console.wrapped("  ", line)
    except _Stop:
        console.say("Stopped.")
    console.say()
    console.say(f"Math drills: {right}/{asked} correct.")
    return 0


def _answer_text(drill: Any) -> str:
    """The expected answer with its unit, as the drill writes it when it can."""
    written = getattr(drill, "answer_text", None)
    if callable(written):
        return str(written())
    return f"{drill.answer} {drill.unit}"


def _checked(drill: Any, answer: str) -> bool:
    try:
        return bool(drill.check(answer))
    except (TypeError, ValueError, ArithmeticError):
        return False
