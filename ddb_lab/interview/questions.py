"""The interview question bank: the ``bank/*.toml`` files read, checked and looked up.

Each file holds the questions of one topic (``topic = "partition_keys"``, then ``[[question]]``
tables). A question carries what an interviewer works from: the question, a model answer, the
key points listened for (the rubric), follow-up questions, a common wrong answer, and the chapter
that teaches it.

DynamoDB's limits and prices are never typed into the bank: the text names them as placeholders
(``{TRANSACT_MAX_ITEMS}``, ``{ON_DEMAND_WRITE_PRICE}``, ``{PARTITION_WCU*2}``) that are filled
from :mod:`ddb_lab.facts` and :mod:`ddb_lab.cost` when the bank is read, so a changed limit or
price changes every answer that mentions it. An unknown placeholder is an error, not a gap.

Used in: notebooks/10_interview_drills.ipynb, ``ddb-lab drill``, ``ddb-lab anki``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ddb_lab import facts
from ddb_lab.cost import (
    HOURS_PER_MONTH,
    US_EAST_1_STANDARD,
    US_EAST_1_STANDARD_BEFORE_2024_11,
    break_even_utilization,
    format_dollars,
)
from ddb_lab.cost.prices import FREE_TIER

__all__ = [
    "CHAPTERS",
    "DIFFICULTIES",
    "TOPICS",
    "Bank",
    "BankError",
    "Question",
    "chapter_link",
    "fact_values",
    "fill_facts",
    "load_bank",
    "parse_bank",
]

#: The topics of the bank, in course order: the file stem and what the topic is called.
TOPICS: Final[Mapping[str, str]] = {
    "nosql_vs_sql": "NoSQL vs SQL",
    "partition_keys": "Partition key design",
    "single_table": "Single-table design",
    "indexes": "GSI vs LSI",
    "query_scan": "Query vs Scan",
    "consistency": "Consistency models",
    "batch_transactions": "Batch and transactions",
    "hot_partitions": "Hot partitions and throttling",
    "capacity_cost": "Capacity and cost math",
    "streams": "Streams and event-driven design",
    "ttl": "TTL",
    "global_tables": "Global tables",
    "security": "Security",
    "monitoring": "Monitoring",
}

#: How hard a question is, easiest first.
DIFFICULTIES: Final = ("easy", "medium", "hard")

#: The chapters, by number: the notebook stem under ``notebooks/`` and its title.
CHAPTERS: Final[Mapping[int, tuple[str, str]]] = {
    1: ("01_keys_and_types", "Keys and types"),
    2: ("02_single_table_design", "Single-table design"),
    3: ("03_secondary_indexes", "Secondary indexes"),
    4: ("04_queries_and_writes", "Queries and writes"),
    5: ("05_capacity_and_partitions", "Capacity and partitions"),
    6: ("06_streams_ttl_global_tables", "Streams, TTL and global tables"),
    7: ("07_security", "Security"),
    8: ("08_cost", "Cost"),
    9: ("09_monitoring_and_troubleshooting", "Monitoring and troubleshooting"),
    10: ("10_interview_drills", "Interview drills"),
}

_ID_PATTERN: Final = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")
_PLACEHOLDER: Final = re.compile(r"\{([A-Z][A-Z0-9_]*)(?:\*(\d+(?:\.\d+)?))?\}")
_TEXT_FIELDS: Final = ("id", "difficulty", "question", "answer", "wrong_answer")
_LIST_FIELDS: Final = ("key_points", "follow_ups")
_KNOWN_FIELDS: Final = frozenset({*_TEXT_FIELDS, *_LIST_FIELDS, "chapter"})


class BankError(ValueError):
    """A bank file is malformed; the message names the file, the entry and what is wrong."""


@dataclass(frozen=True)
class Question:
    """One interview question, with everything needed to judge an answer to it.

    Attributes:
        id: ``prefix.slug`` (``pk.cardinality``), stable: flashcard progress is kept by it.
        topic: a key of :data:`TOPICS`.
        difficulty: one of :data:`DIFFICULTIES`.
        question: what the interviewer asks.
        answer: a model answer, the length of a good spoken reply.
        key_points: what the interviewer listens for; the rubric a candidate scores against.
        follow_ups: what the interviewer asks next.
        wrong_answer: a common wrong answer, and why it is wrong.
        chapter: the chapter that teaches it (a key of :data:`CHAPTERS`).
    """

    id: str
    topic: str
    difficulty: str
    question: str
    answer: str
    key_points: tuple[str, ...]
    follow_ups: tuple[str, ...]
    wrong_answer: str
    chapter: int

    @property
    def topic_title(self) -> str:
        """The topic as people call it (``"GSI vs LSI"``)."""
        return TOPICS[self.topic]

    @property
    def chapter_link(self) -> str:
        """The notebook that teaches this question, relative to the course folder."""
        return chapter_link(self.chapter)

    def text(self) -> str:
        """The whole card as plain text: question, model answer, rubric, follow-ups, trap."""
        lines = [
            f"[{self.id}] {self.topic_title} · {self.difficulty}",
            f"Q: {self.question}",
            "",
            f"A: {self.answer}",
            "",
            "Key points:",
            *(f"  - {point}" for point in self.key_points),
            "Follow-ups:",
            *(f"  - {follow}" for follow in self.follow_ups),
            f"Common wrong answer: {self.wrong_answer}",
            f"Chapter: {self.chapter_link}",
        ]
        return "\n".join(lines)


def chapter_link(chapter: int) -> str:
    """``notebooks/NN_slug.ipynb`` for a chapter number.

    Raises:
        KeyError: not a chapter of the course.
    """
    stem, _title = CHAPTERS[chapter]
    return f"notebooks/{stem}.ipynb"


# -- facts as placeholders ------------------------------------------------------------------------
def _kb(size_bytes: int) -> int:
    return size_bytes // 1024


def _mb(size_bytes: int) -> int:
    return size_bytes // (1024 * 1024)


def _percent(fraction: float) -> int:
    return round(fraction * 100)


@functools.cache
def fact_values() -> Mapping[str, int | Decimal | str]:
    """Every placeholder the bank may use, and its value.

    Numbers are ints (shown with thousands separators); prices are Decimal dollars (shown with
    :func:`~ddb_lab.cost.format_dollars`); names are strings.
    """
    now = US_EAST_1_STANDARD
    before = US_EAST_1_STANDARD_BEFORE_2024_11
    minute = 60
    hour = 60 * minute
    return {
        # items and keys
        "ITEM_MAX_KB": _kb(facts.MAX_ITEM_SIZE_BYTES),
        "PK_MAX_BYTES": facts.MAX_PARTITION_KEY_BYTES,
        "SK_MAX_BYTES": facts.MAX_SORT_KEY_BYTES,
        "NUMBER_DIGITS": facts.MAX_NUMBER_DIGITS,
        "STORAGE_OVERHEAD_BYTES": facts.STORAGE_OVERHEAD_BYTES,
        "GLOBAL_TABLE_OVERHEAD_BYTES": facts.GLOBAL_TABLE_STORAGE_OVERHEAD_BYTES,
        # requests
        "BATCH_WRITE_MAX": facts.BATCH_WRITE_MAX_ITEMS,
        "BATCH_GET_MAX": facts.BATCH_GET_MAX_KEYS,
        "BATCH_MAX_MB": _mb(facts.BATCH_MAX_BYTES),
        "TRANSACT_MAX_ITEMS": facts.TRANSACT_MAX_ITEMS,
        "TRANSACT_MAX_MB": _mb(facts.TRANSACT_MAX_BYTES),
        "PAGE_MAX_MB": _mb(facts.QUERY_PAGE_MAX_BYTES),
        "IDEMPOTENCY_MINUTES": facts.IDEMPOTENCY_WINDOW_SECONDS // minute,
        # indexes
        "MAX_GSIS": facts.MAX_GSIS_PER_TABLE,
        "MAX_LSIS": facts.MAX_LSIS_PER_TABLE,
        "MAX_PROJECTED": facts.MAX_PROJECTED_ATTRIBUTES,
        "ITEM_COLLECTION_GB": facts.MAX_ITEM_COLLECTION_GB,
        # capacity and partitions
        "READ_UNIT_KB": _kb(facts.READ_UNIT_BYTES),
        "WRITE_UNIT_KB": _kb(facts.WRITE_UNIT_BYTES),
        "PARTITION_RCU": facts.PARTITION_MAX_READ_UNITS,
        "PARTITION_WCU": facts.PARTITION_MAX_WRITE_UNITS,
        "PARTITION_GB_APPROX": facts.PARTITION_SIZE_GB_APPROX,
        "BURST_SECONDS": facts.BURST_SECONDS,
        "BURST_MINUTES": facts.BURST_SECONDS // minute,
        "ON_DEMAND_INITIAL_READS": facts.ON_DEMAND_INITIAL_READS,
        "ON_DEMAND_INITIAL_WRITES": facts.ON_DEMAND_INITIAL_WRITES,
        "ON_DEMAND_PEAK_MULTIPLIER": facts.ON_DEMAND_PEAK_MULTIPLIER,
        "ON_DEMAND_PEAK_WINDOW_MINUTES": facts.ON_DEMAND_PEAK_WINDOW_SECONDS // minute,
        "AUTOSCALING_MIN_PCT": _percent(facts.AUTOSCALING_TARGET_MIN),
        "AUTOSCALING_MAX_PCT": _percent(facts.AUTOSCALING_TARGET_MAX),
        "AUTOSCALING_DEFAULT_PCT": _percent(facts.AUTOSCALING_TARGET_DEFAULT),
        "DECREASES_ANY_TIME": facts.DECREASES_ANY_TIME_PER_DAY,
        "DECREASES_MAX": facts.DECREASES_MAX_PER_DAY,
        "MODE_SWITCHES_TO_ON_DEMAND": facts.SWITCHES_TO_ON_DEMAND_PER_DAY,
        # streams, TTL, global tables
        "STREAM_RETENTION_HOURS": facts.STREAM_RETENTION_SECONDS // hour,
        "LAMBDA_BATCH_DEFAULT": facts.LAMBDA_BATCH_SIZE_DEFAULT,
        "LAMBDA_BATCH_MAX": facts.LAMBDA_BATCH_SIZE_MAX,
        "TTL_DELETE_DAYS": facts.TTL_TYPICAL_DELETE_SECONDS // (24 * hour),
        "GLOBAL_TABLES_VERSION": facts.GLOBAL_TABLES_VERSION,
        "MRSC_REGIONS": facts.MRSC_REGIONS,
        # prices (us-east-1, Standard)
        "ON_DEMAND_READ_PRICE": now.on_demand_read.dollars,
        "ON_DEMAND_WRITE_PRICE": now.on_demand_write.dollars,
        "OLD_ON_DEMAND_READ_PRICE": before.on_demand_read.dollars,
        "OLD_ON_DEMAND_WRITE_PRICE": before.on_demand_write.dollars,
        "RCU_HOUR_PRICE": now.provisioned_read.dollars,
        "WCU_HOUR_PRICE": now.provisioned_write.dollars,
        "STORAGE_GB_MONTH_PRICE": now.storage.dollars,
        "FREE_STORAGE_GB": FREE_TIER.storage_gb,
        "FREE_RCU": FREE_TIER.read_capacity_units,
        "FREE_WCU": FREE_TIER.write_capacity_units,
        "HOURS_PER_MONTH": HOURS_PER_MONTH,
        "UNIT_SECONDS_PER_MONTH": HOURS_PER_MONTH * hour,
        "BREAK_EVEN_WRITE_PCT": round(break_even_utilization(now, "write") * 100),
        "BREAK_EVEN_READ_PCT": round(break_even_utilization(now, "read") * 100),
    }


def _show(value: int | Decimal | str, factor: str | None) -> str:
    if isinstance(value, str):
        if factor is not None:
            raise ValueError("a name cannot be multiplied")
        return value
    if isinstance(value, Decimal):
        return format_dollars(value * Decimal(factor or 1))
    if factor is None:
        return f"{value:,}"
    product = Decimal(value) * Decimal(factor)
    return f"{int(product):,}" if product == product.to_integral_value() else f"{product:,f}"


def fill_facts(text: str, values: Mapping[str, int | Decimal | str] | None = None) -> str:
    """``text`` with every ``{NAME}`` or ``{NAME*k}`` placeholder replaced by its fact.

    Raises:
        KeyError: a placeholder that names no fact (the message lists the unknown names).
    """
    known = fact_values() if values is None else values
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - set(known))
    if unknown:
        raise KeyError(f"unknown fact placeholder(s): {', '.join(unknown)}")
    return _PLACEHOLDER.sub(lambda m: _show(known[m.group(1)], m.group(2)), text)


# -- reading the bank -----------------------------------------------------------------------------
def _text(raw: Mapping[str, Any], name: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: {name!r} must be a non-empty string")
    try:
        return fill_facts(" ".join(value.split()))
    except KeyError as error:
        raise BankError(f"{where}: {name}: {error.args[0]}") from None


def _texts(raw: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = raw.get(name)
    if not isinstance(value, list) or not value:
        raise BankError(f"{where}: {name!r} must be a non-empty list of strings")
    return tuple(_text({name: item}, name, where) for item in value)


def _question(raw: Mapping[str, Any], topic: str, where: str) -> Question:
    extra = sorted(set(raw) - _KNOWN_FIELDS)
    if extra:
        raise BankError(f"{where}: unknown field(s) {', '.join(extra)}")
    qid = _text(raw, "id", where)
    where = f"{where} ({qid})"
    if not _ID_PATTERN.match(qid):
        raise BankError(f"{where}: an id is 'prefix.slug' in lowercase, e.g. 'pk.cardinality'")
    difficulty = _text(raw, "difficulty", where)
    if difficulty not in DIFFICULTIES:
        raise BankError(f"{where}: difficulty must be one of {', '.join(DIFFICULTIES)}")
    chapter = raw.get("chapter")
    if isinstance(chapter, bool) or not isinstance(chapter, int) or chapter not in CHAPTERS:
        raise BankError(f"{where}: chapter must be a chapter number 1-{max(CHAPTERS)}")
    return Question(
        id=qid,
        topic=topic,
        difficulty=difficulty,
        question=_text(raw, "question", where),
        answer=_text(raw, "answer", where),
        key_points=_texts(raw, "key_points", where),
        follow_ups=_texts(raw, "follow_ups", where),
        wrong_answer=_text(raw, "wrong_answer", where),
        chapter=chapter,
    )


def parse_bank(files: Iterable[tuple[str, str]]) -> Bank:
    """Build a bank from ``(file name, TOML text)`` pairs, checking every entry.

    The questions are kept in course order: topic by topic as in :data:`TOPICS`, and in file
    order within a topic.

    Raises:
        BankError: bad TOML, an unknown topic, a missing or empty field, an unknown difficulty
            or chapter, an unknown fact placeholder, or an id or question used twice.
    """
    questions: list[Question] = []
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for name, text in files:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise BankError(f"{name}: not valid TOML: {error}") from None
        topic = data.get("topic")
        if topic not in TOPICS:
            raise BankError(f"{name}: topic must be one of {', '.join(TOPICS)}; got {topic!r}")
        entries = data.get("question")
        if not isinstance(entries, list) or not entries:
            raise BankError(f"{name}: no [[question]] entries")
        for number, raw in enumerate(entries, start=1):
            question = _question(raw, str(topic), f"{name} question {number}")
            if question.id in seen_ids:
                raise BankError(f"{name}: id {question.id!r} is also in {seen_ids[question.id]}")
            key = " ".join(question.question.lower().split())
            if key in seen_text:
                raise BankError(f"{name}: {question.id} asks the same as {seen_text[key]}")
            seen_ids[question.id] = name
            seen_text[key] = question.id
            questions.append(question)
    rank = {topic: n for n, topic in enumerate(TOPICS)}
    return Bank(tuple(sorted(questions, key=lambda q: rank[q.topic])))


def _bank_files(folder: Path | None) -> list[tuple[str, str]]:
    if folder is not None:
        return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))]
    package = resources.files("ddb_lab.interview").joinpath("bank")
    found = sorted(
        (entry for entry in package.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in found]


@functools.cache
def _default_bank() -> Bank:
    return parse_bank(_bank_files(None))


def load_bank(folder: Path | str | None = None) -> Bank:
    """The question bank: the package's ``bank/`` files, or the ``*.toml`` files of ``folder``.

    The package's bank is read once per process.

    Raises:
        BankError: see :func:`parse_bank`.
    """
    if folder is None:
        return _default_bank()
    return parse_bank(_bank_files(Path(folder)))


@dataclass(frozen=True)
class Bank:
    """The questions in course order (topic by topic), looked up by id, topic or difficulty."""

    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __getitem__(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"no question {question_id!r} in the bank")

    def __contains__(self, question_id: object) -> bool:
        return any(q.id == question_id for q in self.questions)

    def chapter(self, number: int) -> list[Question]:
        """The questions a chapter teaches, in bank order (for its interview angle)."""
        return [q for q in self.questions if q.chapter == number]

    def topics(self) -> list[str]:
        """The topics that have questions, in course order."""
        present = {q.topic for q in self.questions}
        return [topic for topic in TOPICS if topic in present]

    def select(
        self,
        topics: str | Iterable[str] | None = None,
        difficulties: str | Iterable[str] | None = None,
    ) -> list[Question]:
        """The questions of some topics and difficulties (None: all), in bank order.

        Raises:
            ValueError: a topic or difficulty the bank does not know.
        """
        wanted_topics = _names(topics, TOPICS, "topic")
        wanted_levels = _names(difficulties, DIFFICULTIES, "difficulty")
        return [
            q
            for q in self.questions
            if (wanted_topics is None or q.topic in wanted_topics)
            and (wanted_levels is None or q.difficulty in wanted_levels)
        ]


def _names(
    value: str | Iterable[str] | None, known: Iterable[str], what: str
) -> frozenset[str] | None:
    if value is None:
        return None
    names = frozenset([value] if isinstance(value, str) else value)
    unknown = sorted(names - frozenset(known))
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(map(repr, unknown))}; choose from {', '.join(known)}"
        )
    return names
