"""Flashcards: SM-2 scheduling, due cards first, a schedule kept atomically under DDB_LAB_HOME."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest

from ddb_lab.interview.flashcards import (
    FILE_FORMAT,
    FILE_NAME,
    CardState,
    Flashcards,
    FlashcardStore,
    schedule,
)
from ddb_lab.interview.questions import load_bank
from ddb_lab.widgets.interview import FlashcardForm

DAY0 = dt.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The learner's folder for this test only."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DDB_LAB_HOME", str(folder))
    return folder


class Calendar:
    """A settable 'today' for the deck."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day

    def advance(self, days: int) -> None:
        self.day += dt.timedelta(days=days)


# --- SM-2 --------------------------------------------------------------------------------------


def test_good_answers_space_out_1_6_then_by_ease() -> None:
    state = schedule(CardState(), "good", DAY0)
    assert (state.repetitions, state.interval, state.due) == (1, 1, DAY0 + dt.timedelta(1))
    state = schedule(state, "good", DAY0)
    assert state.interval == 6
    state = schedule(state, "good", DAY0)
    assert state.ease == 2.5  # quality 4 leaves the ease where it is
    assert state.interval == 15  # round(6 × 2.5)
    assert state.reviews == 3 and state.lapses == 0 and state.last_grade == "good"


def test_each_grade_moves_the_ease_as_sm2_says() -> None:
    assert schedule(CardState(), "easy", DAY0).ease == pytest.approx(2.6)
    assert schedule(CardState(), "hard", DAY0).ease == pytest.approx(2.36)
    assert schedule(CardState(), "again", DAY0).ease == pytest.approx(1.96)


def test_forgetting_a_learnt_card_resets_it_and_counts_a_lapse() -> None:
    state = CardState()
    for _ in range(3):
        state = schedule(state, "good", DAY0)
    forgotten = schedule(state, "again", DAY0)
    assert forgotten.repetitions == 0 and forgotten.interval == 1
    assert forgotten.lapses == 1
    assert forgotten.due == DAY0 + dt.timedelta(days=1)
    # a brand-new card answered 'again' is not a lapse: it was never learnt
    assert schedule(CardState(), "again", DAY0).lapses == 0


def test_ease_never_drops_below_the_floor() -> None:
    state = CardState()
    for _ in range(20):
        state = schedule(state, "again", DAY0)
    assert state.ease == pytest.approx(1.3)


def test_an_unknown_grade_is_refused() -> None:
    with pytest.raises(ValueError, match="grade must be one of again, hard, good, easy"):
        schedule(CardState(), "perfect", DAY0)


# --- the deck ----------------------------------------------------------------------------------


def test_due_cards_come_first_most_overdue_first() -> None:
    calendar = Calendar(DAY0)
    deck = Flashcards("ttl", today=calendar, new_per_session=3, seed=1)
    first, second, third = deck.session()
    deck.review(first.id, "good")  # due DAY0 + 1
    calendar.advance(1)
    deck.review(second.id, "good")  # due DAY0 + 2
    deck.review(third.id, "again")  # due DAY0 + 2
    calendar.advance(5)
    fresh = Flashcards("ttl", today=calendar, new_per_session=2, seed=1)
    queue = fresh.session()
    order = [q.id for q in fresh.questions]
    expected = [first.id] + sorted([second.id, third.id], key=order.index)
    assert [q.id for q in queue[:3]] == expected
    assert len(queue) == 5  # 3 due + 2 new
    assert all(fresh.state(q.id).is_new for q in queue[3:])
    assert fresh.counts() == {"due": 3, "new": len(fresh.questions) - 3, "later": 0}


def test_cards_not_yet_due_wait() -> None:
    calendar = Calendar(DAY0)
    deck = Flashcards("ttl", today=calendar, new_per_session=1, seed=None)
    card = deck.session()[0]
    deck.review(card.id, "easy")
    assert card not in deck.due()
    assert card not in deck.session()
    calendar.advance(1)
    assert deck.due() == [card]


def test_new_cards_are_shuffled_by_seed_and_limited() -> None:
    a = Flashcards(today=DAY0, seed=3, new_per_session=5, persist=False)
    b = Flashcards(today=DAY0, seed=3, new_per_session=5, persist=False)
    c = Flashcards(today=DAY0, seed=4, new_per_session=5, persist=False)
    assert [q.id for q in a.session()] == [q.id for q in b.session()]
    assert [q.id for q in a.session()] != [q.id for q in c.session()]
    assert len(a.session()) == 5 and len(a.session(limit=2)) == 2
    in_order = Flashcards(today=DAY0, seed=None, new_per_session=3, persist=False)
    assert in_order.session() == list(load_bank())[:3]


def test_a_deck_can_be_narrowed_by_topic_and_difficulty() -> None:
    deck = Flashcards(["streams", "ttl"], "hard", today=DAY0, persist=False)
    assert deck.questions
    assert {q.topic for q in deck.questions} <= {"streams", "ttl"}
    assert {q.difficulty for q in deck.questions} == {"hard"}
    with pytest.raises(ValueError, match="unknown topic"):
        Flashcards("cooking", today=DAY0, persist=False)
    with pytest.raises(KeyError, match="no card"):
        deck.review("sql.no-joins", "good")


def test_text_reports_due_new_and_later() -> None:
    deck = Flashcards("ttl", today=DAY0, persist=False)
    deck.review(deck.session()[0].id, "good")
    total = len(deck.questions)
    assert deck.text() == (
        f"Flashcards: {total} cards · 0 due today · {total - 1} new · 1 scheduled later "
        "(today is 2025-06-02)"
    )


# --- the schedule on disk ----------------------------------------------------------------------


def test_reviews_are_saved_next_to_the_progress_record(home: Path) -> None:
    (home).mkdir(parents=True)
    progress = home / "progress.json"
    progress.write_text('{"keep": "me"}', encoding="utf-8")
    deck = Flashcards("ttl", today=DAY0)
    card = deck.session()[0]
    deck.review(card.id, "good")
    data = json.loads((home / FILE_NAME).read_text(encoding="utf-8"))
    assert data["format"] == FILE_FORMAT and data["version"] == 1
    assert data["cards"][card.id]["due"] == "2025-06-03"
    assert progress.read_text(encoding="utf-8") == '{"keep": "me"}'
    assert list(home.glob(".progress-*.tmp")) == []
    again = Flashcards("ttl", today=DAY0 + dt.timedelta(days=1))
    assert again.state(card.id) == deck.state(card.id)
    assert again.due() == [card]


def test_without_persist_nothing_is_written(home: Path) -> None:
    deck = Flashcards("ttl", today=DAY0, persist=False)
    deck.review(deck.session()[0].id, "good")
    assert not (home / FILE_NAME).exists()


def test_a_corrupt_schedule_is_set_aside_not_lost(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home.mkdir(parents=True)
    (home / FILE_NAME).write_text("{not json", encoding="utf-8")
    store = FlashcardStore()
    assert store.states() == {}
    assert (home / f"{FILE_NAME}.corrupt-1").read_text(encoding="utf-8") == "{not json"
    assert "not valid JSON" in store.warnings[0]
    assert "not valid JSON" in capsys.readouterr().err
    store.save("ttl.how", CardState(reviews=1, due=DAY0))
    assert store.states()["ttl.how"].due == DAY0


def test_a_damaged_entry_is_skipped_and_reset_clears(home: Path) -> None:
    store = FlashcardStore()
    store.save("ttl.how", CardState(reviews=1, due=DAY0))
    data = json.loads(store.path.read_text(encoding="utf-8"))
    data["cards"]["ttl.format"] = {"due": "yesterday"}
    store.path.write_text(json.dumps(data), encoding="utf-8")
    assert set(store.states()) == {"ttl.how"}
    store.reset()
    assert store.states() == {}


# --- the form ----------------------------------------------------------------------------------


def test_flashcard_form_turns_and_grades_cards() -> None:
    deck = Flashcards("ttl", today=DAY0, persist=False, new_per_session=2)
    form = FlashcardForm(deck)
    first = form.current
    assert first is not None
    assert html.escape(first.question) in form.card_html.value
    assert form.show_button.disabled is False
    assert all(b.disabled for b in form.grade_buttons)
    form.grade_buttons[2].click()  # grading an unturned card: shown, not raised
    assert form.error == "turn the card before grading it"
    form.show_button.click()
    assert form.turned and "Answer:" in form.card_html.value
    form.grade_buttons[2].click()  # "good"
    assert form.error is None
    assert deck.state(first.id).last_grade == "good"
    form.show_button.click()
    form.grade_buttons[0].click()  # "again"
    assert form.current is None
    assert "Session over: 2 card(s) reviewed." in form.status.value
    assert "FlashcardForm: Flashcards:" in repr(form)
