"""The mock interview: a seeded, timed round; answers, rubric scoring, weak topics, the form."""

from __future__ import annotations

import html

import pytest

from ddb_lab.interview.mock import (
    MINUTES_PER_QUESTION,
    MockInterview,
    draw_questions,
)
from ddb_lab.interview.questions import TOPICS, chapter_link, load_bank
from ddb_lab.widgets.interview import MockInterviewForm

BANK = load_bank()


class Clock:
    """Seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


# --- drawing a round ---------------------------------------------------------------------------


def test_a_round_is_reproducible_from_its_seed() -> None:
    a = [q.id for q in draw_questions(BANK, 6, seed=11)]
    b = [q.id for q in draw_questions(BANK, 6, seed=11)]
    c = [q.id for q in draw_questions(BANK, 6, seed=12)]
    assert a == b and a != c
    assert len(set(a)) == 6


def test_a_round_spreads_over_topics() -> None:
    drawn = draw_questions(BANK, len(TOPICS), seed=5)
    assert {q.topic for q in drawn} == set(TOPICS)
    two = draw_questions(BANK, 6, ["ttl", "streams"], seed=5)
    assert sorted(q.topic for q in two) == ["streams"] * 3 + ["ttl"] * 3


def test_a_round_respects_topic_and_difficulty() -> None:
    drawn = draw_questions(BANK, 3, "indexes", "hard", seed=0)
    assert all(q.topic == "indexes" and q.difficulty == "hard" for q in drawn)
    available = len(BANK.select("indexes", "hard"))
    with pytest.raises(ValueError, match=f"only {available} questions match"):
        draw_questions(BANK, available + 1, "indexes", "hard")
    with pytest.raises(ValueError, match="at least one question"):
        draw_questions(BANK, 0)


# --- answering and scoring ---------------------------------------------------------------------


def test_a_full_round_answered_scored_and_summarised() -> None:
    clock = Clock()
    round_ = MockInterview(3, "ttl", seed=2, clock=clock)
    assert round_.limit_seconds == 3 * MINUTES_PER_QUESTION * 60
    first = round_.current
    assert first is not None and round_.stage == "question"
    assert round_.text().startswith(f"Question 1 of 3 · TTL · {first.difficulty} · 12:00 left")
    assert "Model answer" not in round_.text()

    clock.now += 90
    round_.answer("  Epoch seconds in a Number attribute; deletion lags.  ")
    assert round_.stage == "review"
    review = round_.text()
    assert f"Model answer: {first.answer}" in review
    assert f"  1. {first.key_points[0]}" in review
    assert "Your answer: Epoch seconds in a Number attribute; deletion lags." in review

    result = round_.score([True] + [False] * (len(first.key_points) - 1))
    assert result.points == 1 and result.seconds == 90
    assert result.missed == list(first.key_points[1:])

    second = round_.current
    assert second is not None and second != first
    clock.now += 30
    round_.answer("It keeps going.")
    round_.score([1, 2])  # point numbers work too
    skipped = round_.skip()
    assert skipped.answer == "" and skipped.points == 0
    assert round_.stage == "done" and round_.current is None

    summary = round_.summary()
    total = sum(len(q.key_points) for q in round_.questions)
    assert (summary.points, summary.total) == (3, total)
    assert [t.topic for t in summary.topics] == ["ttl"]
    assert summary.weak_topics[0].topic == "ttl"
    chapters = {chapter_link(q.chapter) for q in round_.questions}
    assert set(summary.topics[0].chapters) == chapters
    text = summary.text()
    assert f"Mock interview: 3/{total} key points" in text
    assert "Study next:" in text and "notebooks/06_streams_ttl_global_tables.ipynb" in text
    assert "(skipped)" in text
    assert "over time" not in text
    page = summary._repr_html_()
    assert '<a href="06_streams_ttl_global_tables.ipynb">' in page
    assert f"{summary.points}/{summary.total} key points" in page


def test_strong_answers_leave_no_weak_topic_and_time_is_kept() -> None:
    clock = Clock()
    round_ = MockInterview(2, "security", seed=0, minutes=1, clock=clock)
    for question in list(round_.questions):
        clock.now += 40
        round_.answer("full marks")
        round_.score([True] * len(question.key_points))
    summary = round_.summary()
    assert summary.share == 1.0 and summary.weak_topics == []
    assert summary.over_time and "— over time" in summary.text()
    assert "No weak topics" in summary.text()
    assert round_.header() == "Round over · 0:20 over time"


def test_steps_out_of_order_are_refused() -> None:
    round_ = MockInterview(1, "ttl", clock=Clock())
    with pytest.raises(RuntimeError, match="cannot score now"):
        round_.score([True])
    round_.answer("x")
    with pytest.raises(RuntimeError, match="cannot answer now"):
        round_.answer("again")
    question = round_.current
    assert question is not None
    with pytest.raises(ValueError, match="one flag per key point"):
        round_.score([True])
    with pytest.raises(ValueError, match="numbered 1 to"):
        round_.score([len(question.key_points) + 1])
    round_.score([])
    with pytest.raises(RuntimeError, match="done stage"):
        round_.skip()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="minutes must be positive"):
        MockInterview(1, minutes=0)
    with pytest.raises(ValueError, match="unknown difficulty"):
        MockInterview(1, difficulties="impossible")


# --- the form ----------------------------------------------------------------------------------


def test_the_form_runs_a_round() -> None:
    clock = Clock()
    form = MockInterviewForm(MockInterview(2, "streams", seed=1, clock=clock))
    first = form.interview.current
    assert first is not None
    assert html.escape(first.question) in form.question_html.value
    assert form.score_button.disabled and not form.reveal_button.disabled
    assert "Question 1 of 2" in repr(form)

    form.answer_text.value = "A change log of items."
    form.reveal_button.click()
    assert form.interview.stage == "review"
    assert html.escape(first.answer) in form.review_html.value
    boxes = form.points_box.children
    assert [b.description for b in boxes] == list(first.key_points)
    boxes[0].value = True
    boxes[-1].value = True
    form.score_button.click()
    assert form.interview.results[0].points == 2
    assert form.interview.results[0].answer == "A change log of items."
    assert form.answer_text.value == ""

    form.skip_button.click()
    assert form.interview.stage == "done"
    shown = form.output.outputs[0]["data"]["text/plain"]
    assert shown == form.interview.summary().text()
    assert form.reveal_button.disabled and form.score_button.disabled


def test_the_form_shows_errors_instead_of_raising() -> None:
    form = MockInterviewForm(MockInterview(1, "ttl", clock=Clock()))
    form._on_score(None)  # scoring before answering
    assert form.error is not None and "cannot score now" in form.error
    assert "cannot score now" in form.output.outputs[0]["data"]["text/plain"]
