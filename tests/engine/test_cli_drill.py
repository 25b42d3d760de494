"""``ddb-lab drill`` and ``ddb-lab anki``: driven through main() with answers fed on stdin."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from ddb_lab.cli import main
from ddb_lab.interview.flashcards import FILE_NAME, CardState, FlashcardStore
from ddb_lab.interview.questions import load_bank

BANK = load_bank()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The learner's folder for this test only."""
    monkeypatch.setenv("DDB_LAB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str, *argv: str
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _stored(home: Path) -> dict[str, dict[str, object]]:
    cards: dict[str, dict[str, object]] = json.loads((home / FILE_NAME).read_text())["cards"]
    return cards


# --- flashcards ----------------------------------------------------------------------------------


def test_a_flashcard_session_reads_answers_and_saves_the_schedule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    answers = "my answer\ng\n\nx\nagain\n\ne\n"  # card 1 good; card 2: a bad grade, then again
    code, out = _run(monkeypatch, capsys, answers, "drill", "--topic", "ttl", "--count", "3")
    assert code == 0
    assert out.count("Card ") == 3 and "Card 3 of 3 · TTL" in out
    assert "Please type a, h, g or e (or q to stop)." in out
    assert "Reviewed 3 card(s): 1 again, 1 good, 1 easy." in out
    stored = _stored(home)
    assert len(stored) == 3
    assert sorted(str(s["last_grade"]) for s in stored.values()) == ["again", "easy", "good"]
    assert {BANK[i].topic for i in stored} == {"ttl"}
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert {s["due"] for s in stored.values()} == {tomorrow}


def test_quitting_or_running_out_of_input_keeps_what_was_reviewed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    code, out = _run(monkeypatch, capsys, "\ngood\n\nq\n", "drill", "--count", "5")
    assert code == 0
    assert "Stopped; your reviews so far are saved." in out
    assert "Reviewed 1 card(s): 1 good." in out
    assert len(_stored(home)) == 1
    code, out = _run(monkeypatch, capsys, "\n", "drill", "--count", "5", "--seed", "1")
    assert code == 0 and "Reviewed 0 card(s)." in out


def test_due_cards_are_shown_before_new_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    overdue = BANK.select("streams")[-1]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    FlashcardStore().save(
        overdue.id, CardState(repetitions=1, interval=1, reviews=1, due=yesterday)
    )
    code, out = _run(
        monkeypatch, capsys, "\ne\n\ne\n", "drill", "--topic", "streams", "--count", "2"
    )
    assert code == 0
    first_card = out.split("Card 1 of 2")[1].split("Card 2 of 2")[0]
    assert first_card.startswith(" · Streams and event-driven design")
    assert "· due\n" in first_card and overdue.question[:40] in first_card
    assert "Card 2 of 2" in out and "· new\n" in out.split("Card 2 of 2")[1]
    assert _stored(home)[overdue.id]["repetitions"] == 2


def test_bad_drill_options_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(monkeypatch, capsys, "", "drill", "--topic", "cooking")
    assert code == 2 and "unknown topic 'cooking'" in out and "nosql_vs_sql" in out
    code, out = _run(monkeypatch, capsys, "", "drill", "--count", "0")
    assert code == 2 and "--count must be at least 1" in out


# --- math drills ---------------------------------------------------------------------------------


def test_math_drills_are_checked_and_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mathdrills = pytest.importorskip("ddb_lab.interview.mathdrills")
    drills = mathdrills.generate(seed=7, count=3)
    answers = f"{drills[0].answer}\nnot a number\n{drills[2].answer}\n"
    code, out = _run(monkeypatch, capsys, answers, "drill", "--math", "--count", "3", "--seed", "7")
    assert code == 0
    assert out.count("✓ Correct.") == 2 and out.count("✗ Not quite") == 1
    assert "Math drills: 2/3 correct." in out
    assert out.count("Worked solution:") == 3
    for drill in drills:
        assert drill.question.split()[0] in out


def test_math_drills_for_an_unknown_topic_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ddb_lab.interview.mathdrills")
    code, out = _run(monkeypatch, capsys, "", "drill", "--math", "--topic", "cooking")
    assert code == 2 and "Cannot make math drills" in out


# --- anki ----------------------------------------------------------------------------------------


def test_anki_writes_a_package_of_the_whole_bank(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "decks" / "dynamodb.apkg"
    code, out = _run(monkeypatch, capsys, "", "anki", str(out_path))
    assert code == 0
    assert f"Wrote {len(BANK)} notes to {out_path}" in out
    with zipfile.ZipFile(out_path) as archive:
        archive.extract("collection.anki2", tmp_path)
    connection = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (len(BANK),)
    finally:
        connection.close()


def test_anki_reports_an_unwritable_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out = _run(monkeypatch, capsys, "", "anki", str(blocker / "deck.apkg"))
    assert code == 2 and "Cannot write" in out
