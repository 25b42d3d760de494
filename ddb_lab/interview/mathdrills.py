"""Capacity and cost questions an interviewer asks at the whiteboard, generated from a seed.

Each drill states a workload in an interviewer's words, holds the exact answer (computed with
``ddb_lab.capacity`` for units and the course's one price table ``ddb_lab.cost`` for dollars)
and a worked solution that shows every rounding step. ``generate(seed, count)`` gives the same
drills for the same seed, so a class can work the same set and a test can recompute them.

Topics: ``reads``, ``writes``, ``indexes``, ``queries``, ``transactions``, ``cost``,
``partitions``.

Used in: notebooks/10_interview_drills.ipynb and ``ddb-lab drill --math``.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from ddb_lab import capacity, facts
from ddb_lab._shown import TextShown
from ddb_lab.cost import GB, HOURS_PER_MONTH, SECONDS_PER_MONTH, US_EAST_1_STANDARD, cents

__all__ = ["TOPICS", "Attempt", "DrillSession", "MathDrill", "generate"]

KB: Final = 1024


@dataclass(frozen=True, repr=False)
class MathDrill(TextShown):
    """One generated question with its exact answer.

    Attributes:
        id: ``<kind>-<seed>-<n>``, stable for a seed.
        topic: one of :data:`TOPICS`.
        kind: the generator that made it (several kinds per topic).
        question: what the interviewer asks.
        answer: the exact answer.
        unit: what the answer counts ("RCU", "WCU", "RRU", "$", "%", "partitions").
        worked_solution: the steps, with every rounding.
        params: the numbers the question was generated from (for an independent recomputation).
        tolerance: how far an answer may be from ``answer`` and still count (half a cent for
            dollars, a twentieth of a percent for percentages, 0 for units).
    """

    id: str
    topic: str
    kind: str
    question: str
    answer: Decimal
    unit: str
    worked_solution: str
    params: Mapping[str, Any] = field(default_factory=dict)
    tolerance: Decimal = Decimal(0)

    def check(self, answer: str | float | Decimal) -> bool:
        """Whether ``answer`` is right (``"$12.34"``, ``"1,200"``, ``"28.9 %"`` are all read)."""
        value = _parse(answer)
        return value is not None and abs(value - self.answer) <= self.tolerance

    def answer_text(self) -> str:
        if self.unit == "$":
            return f"${self.answer:,}"
        if self.unit == "%":
            return f"{self.answer} %"
        return f"{_plain(self.answer)} {self.unit}"

    def text(self) -> str:
        return f"[{self.topic}] {self.question}"


def _parse(answer: str | float | Decimal) -> Decimal | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, Decimal):
        return answer
    if isinstance(answer, int | float):
        return Decimal(str(answer)) if math.isfinite(answer) else None
    match = re.search(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+", str(answer))
    if not match:
        return None
    try:
        return Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        return None


def _plain(value: Decimal | float) -> str:
    number = Decimal(str(value)).normalize()
    return f"{number:,f}" if number == number.to_integral_value() else f"{number:f}"


def _a(words: str) -> str:
    return f"{'An' if words[0] in 'aeiou' else 'A'} {words}"


def _d(value: float | int) -> Decimal:
    return Decimal(str(value))


_CONSISTENCY_WORDS: Final = {
    "eventual": "eventually consistent",
    "strong": "strongly consistent",
    "transactional": "transactional",
}
_READ_FACTOR: Final = {
    "eventual": facts.EVENTUAL_READ_FACTOR,
    "strong": 1,
    "transactional": facts.TRANSACTIONAL_FACTOR,
}


# --- generators: one function per kind, (rng) -> (question, answer, unit, steps, params) -------


Made = tuple[str, Decimal, str, str, dict[str, Any]]


def _reads(rng: random.Random) -> Made:
    rate = rng.choice([50, 80, 100, 250, 400, 1_000])
    size_kb = rng.choice([1, 2.5, 4, 6, 7.5, 9, 13])
    consistency = rng.choice(["eventual", "strong", "transactional"])
    size = int(size_kb * KB)
    per_read = capacity.read_units(size, consistency)  # type: ignore[arg-type]
    total = math.ceil(rate * per_read)
    blocks = math.ceil(size / facts.READ_UNIT_BYTES)
    factor = _READ_FACTOR[consistency]
    read = _a(_CONSISTENCY_WORDS[consistency]).lower()
    steps = (
        f"{_plain(size_kb)} KB rounds up to {blocks} block(s) of 4 KB; {read} read costs "
        f"{_plain(factor)} unit{'s' if factor > 1 else ''} per block, so {_plain(per_read)} RCU "
        f"per read; {rate:,} reads/s x {_plain(per_read)} = {_plain(rate * per_read)}, "
        f"provisioned as {total:,} RCU (whole units)."
    )
    question = (
        f"The service reads {rate:,} items per second, each {_plain(size_kb)} KB, with "
        f"{_CONSISTENCY_WORDS[consistency]} reads. How many read capacity units must the table "
        "provision?"
    )
    params = {"rate": rate, "size_bytes": size, "consistency": consistency}
    return question, Decimal(total), "RCU", steps, params


def _writes(rng: random.Random) -> Made:
    rate = rng.choice([10, 40, 75, 200, 500])
    size_kb = rng.choice([0.5, 1, 1.5, 2, 3.2, 5])
    transactional = rng.random() < 0.35
    size = int(size_kb * KB)
    per_write = capacity.write_units(size, transactional=transactional)
    blocks = math.ceil(size / facts.WRITE_UNIT_BYTES)
    how = "in transactions (TransactWriteItems)" if transactional else "with PutItem"
    steps = (
        f"{_plain(size_kb)} KB rounds up to {blocks} block(s) of 1 KB"
        + (f", doubled for a transaction: {_plain(per_write)} WCU" if transactional else "")
        + f"; {rate:,} writes/s x {_plain(per_write)} = {_plain(rate * per_write)} WCU."
    )
    question = (
        f"{rate:,} items of {_plain(size_kb)} KB are written per second {how}. How many write "
        "capacity units does that take?"
    )
    params = {"rate": rate, "size_bytes": size, "transactional": transactional}
    return question, _d(rate * per_write), "WCU", steps, params


def _index_writes(rng: random.Random) -> Made:
    size_kb = rng.choice([1.5, 2, 3.5, 4])
    projections = sorted(rng.sample([0.2, 0.5, 1.2, 1.8, 3.5], rng.randrange(1, 4)))
    projections = [min(p, size_kb) for p in projections]
    size = int(size_kb * KB)
    copies = [int(p * KB) for p in projections]
    table_units = capacity.write_units(size)
    index_units = [capacity.write_units(c) for c in copies]
    total = table_units + sum(index_units)
    steps = (
        f"the table write: {_plain(size_kb)} KB -> {_plain(table_units)} WCU; each index holding "
        f"the item writes its projected copy: "
        + ", ".join(
            f"{_plain(p)} KB -> {_plain(u)}" for p, u in zip(projections, index_units, strict=True)
        )
        + f"; total {_plain(total)} WCU."
    )
    question = (
        f"A new {_plain(size_kb)} KB item is put into a table with {len(projections)} global "
        f"secondary index(es) that hold it; the projected copies are "
        + ", ".join(f"{_plain(p)} KB" for p in projections)
        + ". How many write units does the put consume in total?"
    )
    params = {"size_bytes": size, "projected_bytes": copies}
    return question, _d(total), "WCU", steps, params


def _query_page(rng: random.Random) -> Made:
    count = rng.choice([10, 25, 40, 100])
    size = rng.choice([300, 800, 1_000, 1_500, 2_200])
    consistency = rng.choice(["eventual", "strong"])
    units = capacity.query_read_units([size] * count, consistency)  # type: ignore[arg-type]
    total = count * size
    steps = (
        f"a Query adds up the items it reads before rounding: {count} x {size:,} B = {total:,} B "
        f"= {math.ceil(total / facts.READ_UNIT_BYTES)} block(s) of 4 KB, x "
        f"{_plain(_READ_FACTOR[consistency])} = {_plain(units)} RRU."
    )
    question = (
        f"{_a(_CONSISTENCY_WORDS[consistency])} Query returns {count} items of {size:,} bytes each "
        "(no filter). How many read units does it consume?"
    )
    params = {"count": count, "size_bytes": size, "consistency": consistency}
    return question, _d(units), "RRU", steps, params


def _batch_get(rng: random.Random) -> Made:
    count = rng.choice([10, 25, 50, 100])
    size = rng.choice([300, 800, 1_500, 5_000])
    consistency = rng.choice(["eventual", "strong"])
    units = capacity.batch_get_read_units([size] * count, consistency)  # type: ignore[arg-type]
    per_item = capacity.read_units(size, consistency)  # type: ignore[arg-type]
    steps = (
        f"BatchGetItem rounds each item on its own: {size:,} B -> "
        f"{math.ceil(size / facts.READ_UNIT_BYTES)} block(s) -> {_plain(per_item)} RRU per item; "
        f"{count} items -> {_plain(units)} RRU."
    )
    question = (
        f"{_a(_CONSISTENCY_WORDS[consistency])} BatchGetItem fetches {count} items of "
        f"{size:,} bytes each. How many read units does it consume?"
    )
    params = {"count": count, "size_bytes": size, "consistency": consistency}
    return question, _d(units), "RRU", steps, params


def _transaction(rng: random.Random) -> Made:
    sizes_kb = [rng.choice([0.3, 0.9, 1.4, 2.5]) for _ in range(rng.randrange(2, 6))]
    sizes = [int(s * KB) for s in sizes_kb]
    per_item = [capacity.write_units(s, transactional=True) for s in sizes]
    total = sum(per_item)
    steps = (
        "each item rounds up to 1 KB blocks and costs twice in a transaction: "
        + ", ".join(
            f"{_plain(k)} KB -> {_plain(u)}" for k, u in zip(sizes_kb, per_item, strict=True)
        )
        + f"; total {_plain(total)} WCU."
    )
    question = (
        f"A TransactWriteItems writes {len(sizes)} items of "
        + ", ".join(f"{_plain(k)} KB" for k in sizes_kb)
        + ". How many write units does it consume?"
    )
    return question, _d(total), "WCU", steps, {"sizes_bytes": sizes}


def _on_demand_month(rng: random.Random) -> Made:
    reads = rng.choice([100, 500, 2_000])
    read_kb = rng.choice([1, 4, 6])
    writes = rng.choice([20, 100, 400])
    write_kb = rng.choice([0.5, 1, 2.5])
    prices = US_EAST_1_STANDARD
    per_read = capacity.read_units(int(read_kb * KB), "eventual")
    per_write = capacity.write_units(int(write_kb * KB))
    rru = _d(reads * per_read) * SECONDS_PER_MONTH
    wru = _d(writes * per_write) * SECONDS_PER_MONTH
    read_cost = rru * prices.on_demand_read.per_unit
    write_cost = wru * prices.on_demand_write.per_unit
    total = cents(read_cost + write_cost)
    steps = (
        f"reads: {reads:,}/s x {_plain(per_read)} RRU x {SECONDS_PER_MONTH:,} s = "
        f"{_plain(rru)} RRU at {prices.on_demand_read} = ${cents(read_cost):,}; "
        f"writes: {writes:,}/s x {_plain(per_write)} WRU x {SECONDS_PER_MONTH:,} s = "
        f"{_plain(wru)} WRU at {prices.on_demand_write} = ${cents(write_cost):,}; total ${total:,}."
    )
    question = (
        f"An on-demand table serves {reads:,} eventually consistent reads/s of "
        f"{_plain(read_kb)} KB items and {writes:,} writes/s of {_plain(write_kb)} KB items, "
        f"all month ({HOURS_PER_MONTH} hours), in us-east-1 (Standard). What do the requests "
        "cost per month, to the cent?"
    )
    params = {
        "reads": reads, "read_bytes": int(read_kb * KB), "writes": writes,
        "write_bytes": int(write_kb * KB),
    }  # fmt: skip
    return question, total, "$", steps, params


def _provisioned_month(rng: random.Random) -> Made:
    rcu = rng.choice([100, 400, 1_000, 2_500])
    wcu = rng.choice([50, 100, 300, 800])
    prices = US_EAST_1_STANDARD
    read_cost = _d(rcu) * HOURS_PER_MONTH * prices.provisioned_read.per_unit
    write_cost = _d(wcu) * HOURS_PER_MONTH * prices.provisioned_write.per_unit
    total = cents(read_cost + write_cost)
    steps = (
        f"{rcu:,} RCU x {HOURS_PER_MONTH} h x {prices.provisioned_read} = ${cents(read_cost):,}; "
        f"{wcu:,} WCU x {HOURS_PER_MONTH} h x {prices.provisioned_write} = "
        f"${cents(write_cost):,}; total ${total:,} (free tier ignored)."
    )
    question = (
        f"A provisioned table has {rcu:,} RCU and {wcu:,} WCU all month ({HOURS_PER_MONTH} hours) "
        "in us-east-1 (Standard). What does the capacity cost per month, to the cent? Ignore the "
        "free tier."
    )
    return question, total, "$", steps, {"rcu": rcu, "wcu": wcu}


def _storage_month(rng: random.Random) -> Made:
    millions = rng.choice([5, 20, 80, 250])
    size = rng.choice([400, 1_000, 2_500, 8_000])
    prices = US_EAST_1_STANDARD
    stored = millions * 1_000_000 * (size + facts.STORAGE_OVERHEAD_BYTES)
    gigabytes = _d(stored) / GB
    total = cents(gigabytes * prices.storage.per_unit)
    steps = (
        f"each item is stored with {facts.STORAGE_OVERHEAD_BYTES} bytes of overhead: "
        f"{millions:,} million x {size + facts.STORAGE_OVERHEAD_BYTES:,} B = {stored:,} B = "
        f"{gigabytes.quantize(Decimal('0.001'), ROUND_HALF_UP)} GB x {prices.storage} = "
        f"${total:,} (free tier ignored)."
    )
    question = (
        f"A table holds {millions:,} million items of {size:,} bytes (no indexes), Standard table "
        "class, us-east-1. What does storage cost per month, to the cent? Ignore the free tier."
    )
    return question, total, "$", steps, {"items": millions * 1_000_000, "size_bytes": size}


def _break_even(rng: random.Random) -> Made:
    kind = rng.choice(["write", "read"])
    prices = US_EAST_1_STANDARD
    if kind == "write":
        hourly, request = prices.provisioned_write, prices.on_demand_write
    else:
        hourly, request = prices.provisioned_read, prices.on_demand_read
    # one provisioned unit for an hour serves 3,600 requests at 100 % use
    at_full_use = request.per_unit * 3600
    share = (hourly.per_unit / at_full_use * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    steps = (
        f"one provisioned {kind} unit costs {hourly} and serves up to 3,600 {kind}s an hour; the "
        f"same 3,600 on demand cost 3,600 x {request} = ${at_full_use.normalize():f}; provisioned "
        f"is cheaper once it is used more than {hourly.per_unit} / {at_full_use.normalize():f} = "
        f"{share} % of the time."
    )
    question = (
        f"Steady traffic, us-east-1, Standard: above what average utilisation (in %) of "
        f"provisioned {kind} capacity is provisioned cheaper than on-demand for {kind}s? One "
        "decimal."
    )
    return question, share, "%", steps, {"kind": kind}


def _partitions(rng: random.Random) -> Made:
    rcu = rng.choice([1_000, 3_000, 6_000, 12_000, 20_000])
    wcu = rng.choice([500, 1_000, 2_000, 4_000])
    size_gb = rng.choice([5, 30, 75, 160])
    by_throughput = math.ceil(
        rcu / facts.PARTITION_MAX_READ_UNITS + wcu / facts.PARTITION_MAX_WRITE_UNITS
    )
    by_size = math.ceil(size_gb / facts.PARTITION_SIZE_GB_APPROX)
    answer = max(1, by_throughput, by_size)
    steps = (
        f"by throughput: {rcu:,} / {facts.PARTITION_MAX_READ_UNITS:,} + {wcu:,} / "
        f"{facts.PARTITION_MAX_WRITE_UNITS:,} -> {by_throughput}; by size: {size_gb} GB / "
        f"{facts.PARTITION_SIZE_GB_APPROX} GB -> {by_size}; the larger: {answer} partitions. (The "
        "rule is the classic approximation; DynamoDB does not publish how it splits.)"
    )
    question = (
        f"By the classic sizing rule, how many partitions does a table with {rcu:,} RCU, "
        f"{wcu:,} WCU and {size_gb} GB of data need at least?"
    )
    return question, Decimal(answer), "partitions", steps, {
        "rcu": rcu, "wcu": wcu, "size_gb": size_gb,
    }  # fmt: skip


#: Each kind of drill: its topic and its generator.
_KINDS: Final[Mapping[str, tuple[str, Callable[[random.Random], Made]]]] = {
    "read_capacity": ("reads", _reads),
    "write_capacity": ("writes", _writes),
    "index_writes": ("indexes", _index_writes),
    "query_page": ("queries", _query_page),
    "batch_get": ("queries", _batch_get),
    "transaction": ("transactions", _transaction),
    "on_demand_month": ("cost", _on_demand_month),
    "provisioned_month": ("cost", _provisioned_month),
    "storage_month": ("cost", _storage_month),
    "break_even": ("cost", _break_even),
    "partitions": ("partitions", _partitions),
}
#: The topics drills are generated for.
TOPICS: Final = tuple(dict.fromkeys(topic for topic, _ in _KINDS.values()))
_TOLERANCE: Final = {"$": Decimal("0.005"), "%": Decimal("0.05")}


def generate(seed: int, count: int, topic: str | None = None) -> list[MathDrill]:
    """``count`` drills from ``seed`` (the same seed gives the same drills), optionally one topic.

    Raises:
        ValueError: for an unknown topic or a negative count.
    """
    if topic is not None and topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; topics: {', '.join(TOPICS)}")
    if count < 0:
        raise ValueError("count must be >= 0")
    kinds = [k for k, (t, _) in _KINDS.items() if topic is None or t == topic]
    rng = random.Random(seed)
    drills = []
    for n in range(count):
        kind = kinds[n % len(kinds)] if n < len(kinds) else rng.choice(kinds)
        kind_topic, make = _KINDS[kind]
        question, answer, unit, steps, params = make(rng)
        drills.append(
            MathDrill(
                id=f"{kind}-{seed}-{n + 1}",
                topic=kind_topic,
                kind=kind,
                question=question,
                answer=answer,
                unit=unit,
                worked_solution=steps,
                params=params,
                tolerance=_TOLERANCE.get(unit, Decimal(0)),
            )
        )
    if topic is None:
        rng.shuffle(drills)
    return drills


@dataclass(frozen=True, repr=False)
class Attempt(TextShown):
    """One answer to one drill, judged."""

    drill: MathDrill
    given: str
    right: bool

    def text(self) -> str:
        verdict = "Right" if self.right else f"Not quite: the answer is {self.drill.answer_text()}"
        return f"{verdict}.\n{self.drill.worked_solution}"


class DrillSession(TextShown):
    """A run of drills from one seed: answer the current one, see the working, move on.

    Args:
        seed: the drills' seed (the same seed gives the same run).
        count: how many drills in the run.
        topic: only drills of this topic (see :data:`TOPICS`), or None for all.
    """

    def __init__(self, seed: int = 1, count: int = 10, topic: str | None = None) -> None:
        self.drills = generate(seed, count, topic)
        self.position = 0
        self.attempts: list[Attempt] = []

    @property
    def current(self) -> MathDrill | None:
        """The drill to answer, or None when the run is over."""
        return self.drills[self.position] if self.position < len(self.drills) else None

    def answer(self, given: str | float | Decimal) -> Attempt:
        """Judge ``given`` for the current drill and move to the next one."""
        drill = self.current
        if drill is None:
            raise IndexError("the run is over; start a new DrillSession")
        attempt = Attempt(drill, str(given), drill.check(given))
        self.attempts.append(attempt)
        self.position += 1
        return attempt

    @property
    def score(self) -> tuple[int, int]:
        """(right answers, answers given)."""
        return sum(a.right for a in self.attempts), len(self.attempts)

    def weak_topics(self) -> list[str]:
        """Topics with a wrong answer, most misses first."""
        misses: dict[str, int] = {}
        for attempt in self.attempts:
            if not attempt.right:
                misses[attempt.drill.topic] = misses.get(attempt.drill.topic, 0) + 1
        return sorted(misses, key=lambda t: (-misses[t], t))

    def text(self) -> str:
        right, given = self.score
        head = f"Math drills: {right}/{given} right, {len(self.drills) - given} to go"
        weak = self.weak_topics()
        return head + (f"; practise: {', '.join(weak)}" if weak else "")
