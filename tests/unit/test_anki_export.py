"""The Anki export, checked structurally: a zip holding a collection.anki2 in Anki's schema."""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ddb_lab.interview.anki import DECK_NAME, FIELD_SEPARATOR, FIELDS, MODEL_NAME, export_apkg
from ddb_lab.interview.questions import load_bank

BANK = load_bank()
TABLES = {"col", "notes", "cards", "revlog", "graves"}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_apkg(tmp_path_factory.mktemp("anki") / "deck.apkg")


@pytest.fixture(scope="module")
def db(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", folder)
    connection = sqlite3.connect(folder / "collection.anki2")
    yield connection
    connection.close()


def _col(db: sqlite3.Connection) -> dict[str, object]:
    cursor = db.execute("SELECT * FROM col")
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1
    return dict(zip(names, rows[0], strict=True))


def test_the_package_is_a_zip_with_a_collection_and_media(package: Path) -> None:
    assert zipfile.is_zipfile(package)
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert archive.testzip() is None
        assert json.loads(archive.read("media")) == {}
        assert archive.read("collection.anki2")[:16] == b"SQLite format 3\x00"


def test_the_collection_has_ankis_tables(db: sqlite3.Connection) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables >= TABLES
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM revlog").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM graves").fetchone() == (0,)
    columns = [r[1] for r in db.execute("PRAGMA table_info(cards)")]
    assert columns[:4] == ["id", "nid", "did", "ord"] and len(columns) == 18


def test_one_note_per_question_with_its_fields(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT guid, flds, sfld, csum, mid, tags FROM notes").fetchall()
    assert len(rows) == len(BANK)
    by_id = {q.id: q for q in BANK}
    seen = set()
    for guid, flds, sfld, csum, _mid, tags in rows:
        fields = flds.split(FIELD_SEPARATOR)
        assert len(fields) == len(FIELDS)
        record = dict(zip(FIELDS, fields, strict=True))
        question = by_id[record["Id"]]
        assert record["Question"] == html.escape(question.question)
        assert record["Answer"] == html.escape(question.answer)
        assert record["KeyPoints"].count("<li>") == len(question.key_points)
        assert record["Chapter"] == question.chapter_link
        assert sfld == fields[0]
        assert csum == int(hashlib.sha1(question.question.encode()).hexdigest()[:8], 16)
        assert f" {question.topic} " in tags
        seen.add(guid)
    assert len(seen) == len(BANK)


def test_cards_reference_notes_and_the_deck(db: sqlite3.Connection) -> None:
    note_ids = {r[0] for r in db.execute("SELECT id FROM notes")}
    cards = db.execute("SELECT nid, did, ord, type, queue, due FROM cards").fetchall()
    assert len(cards) == len(note_ids)
    assert {c[0] for c in cards} == note_ids
    decks = json.loads(str(_col(db)["decks"]))
    deck_ids = {int(k) for k, v in decks.items() if v["name"] == DECK_NAME}
    assert len(deck_ids) == 1
    assert {c[1] for c in cards} == deck_ids
    assert {(c[2], c[3], c[4]) for c in cards} == {(0, 0, 0)}  # template 0, new, in the new queue
    assert sorted(c[5] for c in cards) == list(range(1, len(cards) + 1))


def test_the_collection_row_holds_the_model_and_the_deck(db: sqlite3.Connection) -> None:
    col = _col(db)
    assert col["ver"] == 11
    models = json.loads(str(col["models"]))
    assert len(models) == 1
    ((model_key, model),) = models.items()
    assert model["name"] == MODEL_NAME and str(model["id"]) == model_key
    assert [f["name"] for f in model["flds"]] == list(FIELDS)
    assert [f["ord"] for f in model["flds"]] == list(range(len(FIELDS)))
    template = model["tmpls"][0]
    assert "{{Question}}" in template["qfmt"] and "{{Answer}}" in template["afmt"]
    mids = {r[0] for r in db.execute("SELECT DISTINCT mid FROM notes")}
    assert mids == {int(model_key)}
    decks = json.loads(str(col["decks"]))
    assert decks["1"]["name"] == "Default"
    assert str(model["did"]) in decks
    conf = json.loads(str(col["conf"]))
    assert conf["curModel"] == model_key
    dconf = json.loads(str(col["dconf"]))
    assert "1" in dconf and dconf["1"]["new"]["perDay"] > 0
    assert json.loads(str(col["tags"])) == {}


def test_exports_are_stable_and_can_be_narrowed(tmp_path: Path) -> None:
    chosen = BANK.select("ttl")
    first = export_apkg(tmp_path / "a.apkg", chosen)
    second = export_apkg(tmp_path / "nested" / "b.apkg", chosen)

    def notes(path: Path) -> list[tuple[object, ...]]:
        with zipfile.ZipFile(path) as archive:
            archive.extract("collection.anki2", path.parent / path.stem)
        connection = sqlite3.connect(path.parent / path.stem / "collection.anki2")
        try:
            return connection.execute("SELECT id, guid, flds FROM notes ORDER BY id").fetchall()
        finally:
            connection.close()

    assert notes(first) == notes(second)
    assert len(notes(first)) == len(chosen)
    with pytest.raises(ValueError, match="no questions"):
        export_apkg(tmp_path / "empty.apkg", [])
