"""The question bank as an Anki deck: a ``.apkg`` file any Anki app imports.

An ``.apkg`` is a zip archive holding ``collection.anki2``, an SQLite database in Anki's
collection schema (version 11: tables ``col``, ``notes``, ``cards``, ``revlog`` and ``graves``;
the note type and the deck are JSON in the single ``col`` row), and ``media``, a JSON map of the
media files (none here). This module writes it with :mod:`sqlite3` and :mod:`zipfile` alone.

One note per question, with fields Question, Answer, KeyPoints, FollowUps, WrongAnswer, Topic,
Difficulty, Chapter and Id; one card per note (front: the question; back: the model answer and
the rubric). Ids are derived from the question ids, so importing a new export updates the notes
already in a learner's collection instead of duplicating them.

Used in: ``ddb-lab anki OUT.apkg``; notebooks/10_interview_drills.ipynb.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ddb_lab.interview.questions import Question, load_bank

__all__ = ["DECK_NAME", "FIELDS", "MODEL_NAME", "export_apkg", "note_fields"]

DECK_NAME: Final = "ddb-lab::DynamoDB interview"
MODEL_NAME: Final = "ddb-lab interview question"
FIELDS: Final = (
    "Question",
    "Answer",
    "KeyPoints",
    "FollowUps",
    "WrongAnswer",
    "Topic",
    "Difficulty",
    "Chapter",
    "Id",
)
#: Anki's collection schema version for this layout, and its field separator.
SCHEMA_VERSION: Final = 11
FIELD_SEPARATOR: Final = "\x1f"
#: A fixed creation time (seconds), so that the same bank always exports the same file.
CREATED: Final = 1_700_000_000

_SCHEMA: Final = """
CREATE TABLE col (
    id integer primary key, crt integer not null, mod integer not null, scm integer not null,
    ver integer not null, dty integer not null, usn integer not null, ls integer not null,
    conf text not null, models text not null, decks text not null, dconf text not null,
    tags text not null
);
CREATE TABLE notes (
    id integer primary key, guid text not null, mid integer not null, mod integer not null,
    usn integer not null, tags text not null, flds text not null, sfld integer not null,
    csum integer not null, flags integer not null, data text not null
);
CREATE TABLE cards (
    id integer primary key, nid integer not null, did integer not null, ord integer not null,
    mod integer not null, usn integer not null, type integer not null, queue integer not null,
    due integer not null, ivl integer not null, factor integer not null, reps integer not null,
    lapses integer not null, left integer not null, odue integer not null, odid integer not null,
    flags integer not null, data text not null
);
CREATE TABLE revlog (
    id integer primary key, cid integer not null, usn integer not null, ease integer not null,
    ivl integer not null, lastIvl integer not null, factor integer not null,
    time integer not null, type integer not null
);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
"""

_FRONT: Final = (
    '<div class="meta">{{Topic}} · {{Difficulty}}</div><div class="question">{{Question}}</div>'
)
_BACK: Final = (
    '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
    "<h4>Key points</h4>{{KeyPoints}}<h4>Follow-ups</h4>{{FollowUps}}"
    '<h4>Common wrong answer</h4><div class="wrong">{{WrongAnswer}}</div>'
    '<div class="meta">{{Chapter}} · {{Id}}</div>'
)
_CSS: Final = (
    ".card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; "
    "background-color: white; }\n.meta { color: #666; font-size: 14px; }\n"
    ".wrong { color: #a33; }"
)


def _stable_id(*parts: str) -> int:
    """A positive 53-bit id from text: the same input always gives the same id."""
    digest = hashlib.sha1("\x00".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 11 or 1


def _checksum(text: str) -> int:
    """Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field as plain text
    (tags removed, entities decoded); Anki uses it to spot duplicate notes."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return int(hashlib.sha1(plain.encode("utf-8")).hexdigest()[:8], 16)


def _items(points: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ul>"


def note_fields(question: Question) -> list[str]:
    """The note's fields for one question, in :data:`FIELDS` order (HTML-escaped)."""
    return [
        html.escape(question.question),
        html.escape(question.answer),
        _items(question.key_points),
        _items(question.follow_ups),
        html.escape(question.wrong_answer),
        html.escape(question.topic_title),
        question.difficulty,
        html.escape(question.chapter_link),
        question.id,
    ]


def _model(model_id: int, deck_id: int) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": MODEL_NAME,
        "type": 0,
        "mod": CREATED,
        "usn": -1,
        "sortf": 0,
        "did": deck_id,
        "tmpls": [
            {
                "name": "Question → answer",
                "ord": 0,
                "qfmt": _FRONT,
                "afmt": _BACK,
                "bqfmt": "",
                "bafmt": "",
                "did": None,
            }
        ],
        "flds": [
            {"name": name, "ord": n, "sticky": False, "rtl": False, "font": "Arial", "size": 20}
            for n, name in enumerate(FIELDS)
        ],
        "css": _CSS,
        "latexPre": (
            "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n"
            "\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n"
            "\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
        ),
        "latexPost": "\\end{document}",
        "tags": [],
        "vers": [],
        "req": [[0, "any", [0]]],
    }


def _deck(deck_id: int, name: str, description: str) -> dict[str, Any]:
    return {
        "id": deck_id,
        "name": name,
        "desc": description,
        "mod": CREATED,
        "usn": -1,
        "conf": 1,
        "dyn": 0,
        "collapsed": False,
        "extendNew": 10,
        "extendRev": 50,
        "newToday": [0, 0],
        "revToday": [0, 0],
        "lrnToday": [0, 0],
        "timeToday": [0, 0],
    }


def _deck_options() -> dict[str, Any]:
    return {
        "1": {
            "id": 1,
            "name": "Default",
            "mod": 0,
            "usn": 0,
            "maxTaken": 60,
            "autoplay": True,
            "timer": 0,
            "replayq": True,
            "dyn": False,
            "new": {
                "bury": True,
                "delays": [1, 10],
                "initialFactor": 2500,
                "ints": [1, 4, 7],
                "order": 1,
                "perDay": 20,
                "separate": True,
            },
            "lapse": {"delays": [10], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0},
            "rev": {
                "bury": True,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 100,
            },
        }
    }


def _collection_conf(model_id: int, deck_id: int) -> dict[str, Any]:
    return {
        "activeDecks": [deck_id],
        "curDeck": deck_id,
        "curModel": str(model_id),
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": True,
        "dueCounts": True,
        "sortType": "noteFld",
        "sortBackwards": False,
        "nextPos": 1,
        "addToCur": True,
    }


def _write_collection(path: Path, questions: Sequence[Question], deck_name: str) -> None:
    model_id = _stable_id("model", MODEL_NAME)
    deck_id = _stable_id("deck", deck_name)
    default_deck = _deck(1, "Default", "")
    deck = _deck(deck_id, deck_name, "DynamoDB interview questions from ddb-lab.")
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT INTO col VALUES (1, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, '{}')",
            (
                CREATED,
                CREATED * 1000,
                CREATED * 1000,
                SCHEMA_VERSION,
                json.dumps(_collection_conf(model_id, deck_id)),
                json.dumps({str(model_id): _model(model_id, deck_id)}),
                json.dumps({"1": default_deck, str(deck_id): deck}),
                json.dumps(_deck_options()),
            ),
        )
        for position, question in enumerate(questions, start=1):
            fields = note_fields(question)
            note_id = _stable_id("note", question.id)
            tags = f" ddb-lab {question.topic} {question.difficulty} chapter{question.chapter:02d} "
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
                (
                    note_id,
                    f"ddb-lab:{question.id}",
                    model_id,
                    CREATED,
                    tags,
                    FIELD_SEPARATOR.join(fields),
                    fields[0],
                    _checksum(fields[0]),
                ),
            )
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                (_stable_id("card", question.id), note_id, deck_id, CREATED, position),
            )


def export_apkg(
    out: Path | str,
    questions: Sequence[Question] | None = None,
    *,
    deck_name: str = DECK_NAME,
) -> Path:
    """Write the bank (or ``questions``) to ``out`` as an Anki package; returns the path.

    Raises:
        ValueError: no questions to export.
    """
    chosen = list(load_bank() if questions is None else questions)
    if not chosen:
        raise ValueError("no questions to export")
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "collection.anki2"
        _write_collection(database, chosen, deck_name)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
            package.write(database, "collection.anki2")
            package.writestr("media", "{}")
    return target
