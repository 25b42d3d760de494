"""The interview question bank: every entry checked, every theme and chapter covered, facts in."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path

import pytest

from ddb_lab import facts
from ddb_lab.cost import US_EAST_1_STANDARD, US_EAST_1_STANDARD_BEFORE_2024_11, format_dollars
from ddb_lab.interview.questions import (
    CHAPTERS,
    DIFFICULTIES,
    TOPICS,
    Bank,
    BankError,
    Question,
    chapter_link,
    fact_values,
    fill_facts,
    load_bank,
    parse_bank,
)

ROOT = Path(__file__).resolve().parents[2]
BANK_FOLDER = ROOT / "ddb_lab" / "interview" / "bank"
BANK = load_bank()
QUESTIONS = list(BANK)

#: The interview themes the course promises, in the words of its plan, and the topic of each.
THEMES = {
    "NoSQL vs SQL": "nosql_vs_sql",
    "partition key design": "partition_keys",
    "single-table design": "single_table",
    "GSI vs LSI": "indexes",
    "Query vs Scan": "query_scan",
    "consistency models": "consistency",
    "batch and transactions": "batch_transactions",
    "hot partitions and throttling": "hot_partitions",
    "capacity and cost math": "capacity_cost",
    "streams and event-driven design": "streams",
    "TTL": "ttl",
    "global tables": "global_tables",
    "security": "security",
    "monitoring": "monitoring",
}
MIN_PER_THEME = 8


# --- the whole bank --------------------------------------------------------------------------


def test_the_bank_has_at_least_150_questions() -> None:
    assert len(BANK) >= 150


def test_one_file_per_topic_and_nothing_else() -> None:
    stems = sorted(p.stem for p in BANK_FOLDER.glob("*.toml"))
    assert stems == sorted(TOPICS)


def test_the_bank_is_in_course_order() -> None:
    ranks = [list(TOPICS).index(q.topic) for q in QUESTIONS]
    assert ranks == sorted(ranks)
    assert QUESTIONS[0].id == "sql.when-dynamodb"


def test_ids_are_unique() -> None:
    counts = Counter(q.id for q in QUESTIONS)
    assert [i for i, n in counts.items() if n > 1] == []


def test_no_question_is_asked_twice() -> None:
    normalized = [" ".join(re.findall(r"[a-z0-9]+", q.question.lower())) for q in QUESTIONS]
    assert len(set(normalized)) == len(normalized)
    near = []
    for i, a in enumerate(normalized):
        for j in range(i + 1, len(normalized)):
            matcher = difflib.SequenceMatcher(None, a, normalized[j])
            if matcher.real_quick_ratio() > 0.85 and matcher.ratio() > 0.85:
                near.append((QUESTIONS[i].id, QUESTIONS[j].id))
    assert near == []


def test_every_theme_of_the_interview_plan_is_covered() -> None:
    assert set(THEMES.values()) == set(TOPICS)
    per_topic = Counter(q.topic for q in QUESTIONS)
    thin = {theme: per_topic[t] for theme, t in THEMES.items() if per_topic[t] < MIN_PER_THEME}
    assert thin == {}


def test_every_theme_has_an_easy_and_a_hard_end() -> None:
    for topic in TOPICS:
        levels = {q.difficulty for q in QUESTIONS if q.topic == topic}
        assert "hard" in levels, topic
        assert levels & {"easy", "medium"}, topic


def test_every_chapter_from_1_to_9_is_covered() -> None:
    chapters = {q.chapter for q in QUESTIONS}
    assert set(range(1, 10)) <= chapters


def test_questions_can_be_listed_by_chapter() -> None:
    for number in range(1, 10):
        listed = BANK.chapter(number)
        assert listed and all(q.chapter == number for q in listed)
    assert sum(len(BANK.chapter(n)) for n in CHAPTERS) == len(BANK)


def test_every_chapter_names_a_real_notebook() -> None:
    for number, (stem, title) in CHAPTERS.items():
        assert stem.startswith(f"{number:02d}_") and title
        if number != 10:  # notebook 10 is the drills chapter itself
            assert (ROOT / "notebooks" / f"{stem}.ipynb").is_file(), stem


# --- every entry -----------------------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_entry_is_complete(question: Question) -> None:
    for name in ("id", "question", "answer", "wrong_answer"):
        value = getattr(question, name)
        assert isinstance(value, str) and value.strip(), name
    assert question.topic in TOPICS
    assert question.difficulty in DIFFICULTIES
    assert question.id.split(".")[0] and "." in question.id
    assert len(question.key_points) >= 2
    assert len(question.follow_ups) >= 1
    assert all(p.strip() for p in question.key_points + question.follow_ups)
    assert question.question.rstrip().endswith(("?", ".")), "a question reads as one"
    assert len(question.answer) >= 120, "a model answer says enough to be judged"
    assert question.answer != question.wrong_answer


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_entry_chapter_exists(question: Question) -> None:
    link = chapter_link(question.chapter)
    assert question.chapter_link == link
    assert question.chapter == 10 or (ROOT / link).is_file(), link


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_entry_has_no_unfilled_placeholder(question: Question) -> None:
    text = question.text()
    assert re.search(r"\{[A-Z][A-Z0-9_]*(\*[\d.]+)?\}", text) is None
    assert "Chapter: notebooks/" in text


# --- facts come from the package, never typed into the bank -----------------------------------


def _raw_bank_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(BANK_FOLDER.glob("*.toml")))


def test_no_price_is_typed_into_the_bank() -> None:
    assert re.findall(r"\$\s?\d", _raw_bank_text()) == []


def test_no_limit_is_typed_into_the_bank() -> None:
    typed = [
        f"{facts.MAX_ITEM_SIZE_BYTES // 1024} KB",
        f"{facts.PARTITION_MAX_READ_UNITS:,} RCU",
        f"{facts.PARTITION_MAX_WRITE_UNITS:,} WCU",
        f"{facts.PARTITION_MAX_READ_UNITS:,} read units",
        f"{facts.PARTITION_MAX_WRITE_UNITS:,} write units",
        f"up to {facts.TRANSACT_MAX_ITEMS} items",
        f"{facts.TRANSACT_MAX_ITEMS} distinct items",
        f"{facts.TRANSACT_MAX_ITEMS} actions",
        f"{facts.TRANSACT_MAX_BYTES // 2**20} MB",
        f"{facts.BATCH_WRITE_MAX_ITEMS} puts",
        f"{facts.MAX_GSIS_PER_TABLE} GSIs",
        f"{facts.MAX_LSIS_PER_TABLE} LSIs",
        f"kept for {facts.STREAM_RETENTION_SECONDS // 3600} hours",
        f"{facts.STREAM_RETENTION_SECONDS // 3600}-hour retention",
        f"{facts.BURST_SECONDS} seconds",
    ]
    raw = _raw_bank_text()
    assert [phrase for phrase in typed if phrase in raw] == []


def test_current_limits_reach_the_answers() -> None:
    limits = BANK["tx.limits"].answer
    assert f"Up to {facts.TRANSACT_MAX_ITEMS} actions" in limits
    assert f"{facts.TRANSACT_MAX_BYTES // 2**20} MB" in limits
    indexes = BANK["idx.gsi-vs-lsi"].answer
    assert f"{facts.MAX_GSIS_PER_TABLE} GSIs by default" in indexes
    assert f"at most {facts.MAX_LSIS_PER_TABLE} LSIs" in indexes
    hot = BANK["hot.what-is"].answer
    assert f"{facts.PARTITION_MAX_READ_UNITS:,} read units" in hot


def test_current_prices_reach_the_answers() -> None:
    now = US_EAST_1_STANDARD.on_demand_write.dollars
    before = US_EAST_1_STANDARD_BEFORE_2024_11.on_demand_write.dollars
    answer = BANK["cap.on-demand-price"].answer
    assert f"At {format_dollars(now)} per million WRU" in answer
    assert f"that is {format_dollars(now * 30)}" in answer
    assert f"the same writes cost {format_dollars(before * 30)}" in answer
    storage = BANK["cap.storage-cost"].answer
    assert format_dollars(US_EAST_1_STANDARD.storage.dollars) in storage


def test_fill_facts_follows_the_values_it_is_given() -> None:
    assert fill_facts("up to {TRANSACT_MAX_ITEMS} items") == (
        f"up to {facts.TRANSACT_MAX_ITEMS} items"
    )
    assert fill_facts("{PARTITION_WCU*2} WCU") == f"{facts.PARTITION_MAX_WRITE_UNITS * 2:,} WCU"
    assert fill_facts("{X} and {Y*3}", {"X": 7, "Y": 1000}) == "7 and 3,000"
    assert fill_facts("keep ${aws:userid} and {lowercase}") == "keep ${aws:userid} and {lowercase}"
    with pytest.raises(KeyError, match="NOT_A_FACT"):
        fill_facts("{NOT_A_FACT}")


def test_every_fact_value_is_used_or_derivable() -> None:
    values = fact_values()
    assert values["ITEM_MAX_KB"] == facts.MAX_ITEM_SIZE_BYTES // 1024
    assert values["ON_DEMAND_READ_PRICE"] == US_EAST_1_STANDARD.on_demand_read.dollars
    used = set(re.findall(r"\{([A-Z][A-Z0-9_]*)", _raw_bank_text()))
    assert used <= set(values)


# --- the loader rejects what it should ------------------------------------------------------

GOOD = """
topic = "ttl"
[[question]]
id = "t.one"
difficulty = "easy"
chapter = 6
question = "What is TTL?"
answer = "Expiry of items."
key_points = ["epoch seconds"]
follow_ups = ["why?"]
wrong_answer = "exact deletion"
"""


def test_a_good_file_parses() -> None:
    bank = parse_bank([("ttl.toml", GOOD)])
    assert isinstance(bank, Bank) and len(bank) == 1
    assert bank["t.one"].topic == "ttl" and bank.select("ttl", "easy") == [bank["t.one"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('topic = "ttl"', 'topic = "cooking"'), "topic must be one of"),
        (('difficulty = "easy"', 'difficulty = "trivial"'), "difficulty must be one of"),
        (("chapter = 6", "chapter = 42"), "chapter must be"),
        (('answer = "Expiry of items."', 'answer = "  "'), "'answer' must be a non-empty"),
        (('key_points = ["epoch seconds"]', "key_points = []"), "'key_points' must be"),
        (('wrong_answer = "exact deletion"', ""), "'wrong_answer' must be"),
        (('id = "t.one"', 'id = "Bad Id"'), "an id is 'prefix.slug'"),
        (('answer = "Expiry of items."', 'answer = "{NOT_A_FACT}"'), "unknown fact"),
        (("chapter = 6", 'chapter = 6\ncolour = "red"'), "unknown field"),
    ],
)
def test_a_bad_entry_is_named(change: tuple[str, str], message: str) -> None:
    with pytest.raises(BankError, match=re.escape(message)):
        parse_bank([("ttl.toml", GOOD.replace(*change))])


def test_duplicates_are_rejected() -> None:
    with pytest.raises(BankError, match="also in"):
        parse_bank([("a.toml", GOOD), ("b.toml", GOOD)])
    same_question = GOOD.replace('id = "t.one"', 'id = "t.two"')
    with pytest.raises(BankError, match="asks the same"):
        parse_bank([("a.toml", GOOD), ("b.toml", same_question)])


def test_select_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown topic"):
        BANK.select("cooking")
    with pytest.raises(ValueError, match="unknown difficulty"):
        BANK.select(None, "trivial")
    with pytest.raises(KeyError):
        BANK["no.such-question"]
