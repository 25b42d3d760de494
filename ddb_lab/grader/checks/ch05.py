"""Checks for chapter 5, capacity and partitions (exercises/05_capacity_and_partitions.ipynb).

The expected numbers come from ``ddb_lab.capacity`` (itself cross-checked against dynalite) and
the sharding exercise is judged by the partition simulator.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from ddb_lab import capacity, facts, simulate
from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure

Learner = Callable[..., Any]

_READ_FACTORS = {
    "eventual": facts.EVENTUAL_READ_FACTOR,
    "strong": 1,
    "transactional": facts.TRANSACTIONAL_FACTOR,
}
_SIZES = (0, 1, 1_000, 4_095, 4_096, 4_097, 8_192, 10_240, 12_289, facts.MAX_ITEM_SIZE_BYTES)


def _article(word: str) -> str:
    return "An" if word[0] in "aeiou" else "A"


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Failure(f"{what} should be a number.", got=repr(value))
    return float(value)


@check_for("05.read_units")
def read_units(function: Learner, ctx: CheckContext) -> None:
    for consistency in ("eventual", "strong", "transactional"):
        for size in _SIZES:
            expected = capacity.read_units(size, consistency)
            got = _number(ctx.call(function, size, consistency), "read_units_for(...)")
            if got != expected:
                factor = _READ_FACTORS[consistency]
                advice = f"ceil(size / 4 KB) blocks, times {factor} for a {consistency} read."
                if size == 0:
                    advice = "Even an empty (or missing) item costs one 4 KB block."
                elif got == size / facts.READ_UNIT_BYTES * factor:
                    advice = "Units come in whole 4 KB blocks: round the size up first."
                raise Failure(
                    f"{_article(consistency)} {consistency} read of a {size:,}-byte item is wrong.",
                    expected=f"{expected} RCU ({capacity.explain_read(size, consistency)})",
                    got=f"{got} RCU",
                    advice=advice,
                )


@check_for("05.query_page_units")
def query_page_units(function: Learner, ctx: CheckContext) -> None:
    pages: list[list[int]] = [
        [1_000] * 10,
        [3_500, 3_500],
        [100] * 100,
        [5_000],
        [],
        [4_096, 1],
    ]
    for consistency in ("eventual", "strong"):
        for sizes in pages:
            expected = capacity.query_read_units(sizes, consistency)
            got = _number(ctx.call(function, list(sizes), consistency), "query_page_units(...)")
            if got == expected:
                continue
            per_item = sum(capacity.read_units(s, consistency) for s in sizes)
            advice = "Sum the sizes of the items the page read, then round up to 4 KB once."
            if sizes and got == per_item:
                advice = (
                    "You rounded each item on its own, as BatchGetItem does. A Query adds up the "
                    "page's items first, then rounds once."
                )
            raise Failure(
                f"{_article(consistency)} {consistency} Query page reading {len(sizes)} item(s) of "
                f"{sum(sizes):,} bytes in all is wrong.",
                expected=f"{expected} RCU",
                got=f"{got} RCU",
                advice=advice,
            )


@check_for("05.write_units")
def write_units(function: Learner, ctx: CheckContext) -> None:
    cases: list[tuple[int, list[int], bool]] = [
        (500, [], False),
        (2_500, [2_500, 300], False),
        (2_500, [2_500, 300], True),
        (1_024, [1_025], False),
        (9_000, [], True),
        (0, [0], False),
    ]
    for size, projected, transactional in cases:
        factor = facts.TRANSACTIONAL_FACTOR if transactional else 1
        expected = (
            capacity.write_units(size) + sum(capacity.write_units(p) for p in projected)
        ) * factor
        got = _number(
            ctx.call(function, size, list(projected), transactional), "write_units_for(...)"
        )
        if got != expected:
            raise Failure(
                f"Writing a {size:,}-byte item with {len(projected)} index copies "
                f"{projected} {'in a transaction ' if transactional else ''}is wrong.",
                expected=f"{expected} WCU",
                got=f"{got} WCU",
                advice="Each copy (table and every index holding the item) costs "
                "ceil(size / 1 KB), at least 1; a transaction doubles the total.",
            )


@check_for("05.provisioned_capacity")
def provisioned_capacity(function: Learner, ctx: CheckContext) -> None:
    workloads = [
        (80, 6 * 1024, True, 10, 1_500),
        (80, 6 * 1024, False, 0, 1),
        (1_000, 1_000, False, 250, 2_048),
        (3, 100, True, 7, 100),
        (45, 4_097, False, 20, 1_024),
    ]
    for reads, read_size, strong, writes, write_size in workloads:
        consistency: capacity.Consistency = "strong" if strong else "eventual"
        expected = (
            math.ceil(reads * capacity.read_units(read_size, consistency)),
            math.ceil(writes * capacity.write_units(write_size)),
        )
        got = ctx.call(function, reads, read_size, strong, writes, write_size)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Failure(
                "provisioned_capacity should return a pair (read units, write units).",
                expected=repr(expected),
                got=repr(got),
            )
        if tuple(got) != expected or not all(isinstance(v, int) for v in got):
            raise Failure(
                f"For {reads} {consistency} reads/s of {read_size:,} bytes and {writes} "
                f"writes/s of {write_size:,} bytes, the capacity is wrong.",
                expected=f"{expected[0]} RCU, {expected[1]} WCU (whole units)",
                got=repr(tuple(got)),
                advice="Per request: reads ceil(size/4 KB) × 0.5 if eventual; writes "
                "ceil(size/1 KB). Multiply by the rate, round the total up to an int.",
            )


_BASE = "GAME#42"
_SHARDS = 10
_WRITES = [f"score-{n:05d}" for n in range(20_000)]
_RATE = 3_000  # writes per second on the one hot key
_TABLE_UNITS = 10_000


def _throttle_rate(key_counts: Counter[str]) -> float:
    counts = np.array([key_counts[k] for k in sorted(key_counts)], dtype=np.float64)
    result = simulate.simulate(
        seconds=60,
        requests_per_second=_RATE,
        distribution=simulate.Distribution(counts, "learner's keys"),
        partitions=simulate.partitions_for(0, _TABLE_UNITS),
        mode="provisioned",
        provisioned_units=_TABLE_UNITS,
        kind="write",
        seed=5,
    )
    return float(result.throttle_rate)


@check_for("05.shard_key")
def shard_key(function: Learner, ctx: CheckContext) -> None:
    keys = [ctx.call(function, _BASE, item, _SHARDS) for item in _WRITES]
    bad = next((k for k in keys if not isinstance(k, str)), None)
    if bad is not None:
        raise Failure("shard_key should return the partition key (a str).", got=repr(bad))
    expected_keys = {f"{_BASE}#{n}" for n in range(_SHARDS)}
    strays = sorted(set(keys) - expected_keys)
    if strays:
        raise Failure(
            f"Keys should look like {_BASE}#0 ... {_BASE}#{_SHARDS - 1}.",
            got=repr(strays[:3]),
            advice="Return f'{base_key}#{suffix}' with 0 <= suffix < shards.",
        )
    again = [ctx.call(function, _BASE, item, _SHARDS) for item in _WRITES[:500]]
    if again != keys[:500]:
        raise Failure(
            "The same item got a different key the second time: you could never read it back.",
            advice="Derive the suffix from the item id with a stable hash, not random().",
        )
    counts = Counter(keys)
    if len(counts) < _SHARDS:
        raise Failure(
            f"Only {len(counts)} of the {_SHARDS} shards are ever used.",
            advice="Take the hash modulo shards so every suffix can occur.",
        )
    throttled = _throttle_rate(counts)
    if throttled > 0.01:
        busiest = max(counts.values()) / len(keys)
        raise Failure(
            f"With your keys, {throttled:.1%} of {_RATE:,} writes/s are still throttled: the "
            f"busiest shard takes {busiest:.0%} of the writes.",
            advice="Spread the items evenly: a hash of the item id modulo shards does.",
        )
