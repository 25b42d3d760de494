"""Math drills: the same seed gives the same drills, and every answer survives a recomputation.

The recomputation below uses its own arithmetic (block sizes, factors, hours in a month), not
``ddb_lab.capacity``; only the prices come from the course's one price table.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from ddb_lab.cost import US_EAST_1_STANDARD as PRICES
from ddb_lab.interview.mathdrills import TOPICS, MathDrill, generate

READ_FACTOR = {"eventual": Decimal("0.5"), "strong": Decimal(1), "transactional": Decimal(2)}
SECONDS = 730 * 3600


def blocks(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), ROUND_HALF_UP)


def recompute(drill: MathDrill) -> Decimal:
    p: dict[str, Any] = dict(drill.params)
    kind = drill.kind
    if kind == "read_capacity":
        per = blocks(p["size_bytes"], 4096) * READ_FACTOR[p["consistency"]]
        return Decimal(math.ceil(p["rate"] * per))
    if kind == "write_capacity":
        return Decimal(p["rate"] * blocks(p["size_bytes"], 1024) * (2 if p["transactional"] else 1))
    if kind == "index_writes":
        return Decimal(sum(blocks(s, 1024) for s in [p["size_bytes"], *p["projected_bytes"]]))
    if kind == "query_page":
        return blocks(p["count"] * p["size_bytes"], 4096) * READ_FACTOR[p["consistency"]]
    if kind == "batch_get":
        return p["count"] * blocks(p["size_bytes"], 4096) * READ_FACTOR[p["consistency"]]
    if kind == "transaction":
        return Decimal(sum(2 * blocks(s, 1024) for s in p["sizes_bytes"]))
    if kind == "on_demand_month":
        rru = p["reads"] * blocks(p["read_bytes"], 4096) * Decimal("0.5") * SECONDS
        wru = p["writes"] * blocks(p["write_bytes"], 1024) * SECONDS
        read = rru * PRICES.on_demand_read.dollars / PRICES.on_demand_read.quantity
        write = wru * PRICES.on_demand_write.dollars / PRICES.on_demand_write.quantity
        return cents(read + write)
    if kind == "provisioned_month":
        return cents(
            730 * (p["rcu"] * PRICES.provisioned_read.dollars
                   + p["wcu"] * PRICES.provisioned_write.dollars)
        )  # fmt: skip
    if kind == "storage_month":
        gigabytes = Decimal(p["items"] * (p["size_bytes"] + 100)) / 2**30
        return cents(gigabytes * PRICES.storage.dollars)
    if kind == "break_even":
        hourly = PRICES[f"provisioned_{p['kind']}"].dollars
        request = PRICES[f"on_demand_{p['kind']}"]
        share = hourly / (request.dollars / request.quantity * 3600) * 100
        return share.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if kind == "partitions":
        return Decimal(
            max(1, math.ceil(p["rcu"] / 3000 + p["wcu"] / 1000), math.ceil(p["size_gb"] / 10))
        )
    raise AssertionError(f"no recomputation for {kind}")


@pytest.mark.parametrize("seed", range(40))
def test_every_answer_matches_an_independent_calculation(seed: int) -> None:
    for drill in generate(seed, 15):
        assert drill.answer == recompute(drill), (drill.id, drill.question, drill.worked_solution)
        assert drill.check(drill.answer_text())
        assert drill.answer_text().replace(",", "").split()[0].lstrip("$") in (
            drill.worked_solution.replace(",", "")
        )


def test_the_same_seed_gives_the_same_drills_and_other_seeds_differ() -> None:
    first = [(d.id, d.question, d.answer) for d in generate(2025, 20)]
    assert first == [(d.id, d.question, d.answer) for d in generate(2025, 20)]
    assert first != [(d.id, d.question, d.answer) for d in generate(2026, 20)]


def test_every_kind_and_topic_appears_and_topics_filter() -> None:
    kinds = {d.kind for d in generate(1, 11)}
    assert len(kinds) == 11  # the first drills cover every kind once
    for topic in TOPICS:
        drills = generate(3, 5, topic)
        assert drills and {d.topic for d in drills} == {topic}
    with pytest.raises(ValueError, match="unknown topic"):
        generate(1, 3, "astrology")


def test_answers_are_read_the_way_people_write_them() -> None:
    dollars = next(d for d in generate(7, 30) if d.unit == "$")
    text = f"${dollars.answer:,}"
    assert dollars.check(text) and dollars.check(str(dollars.answer))
    assert dollars.check(dollars.answer + Decimal("0.004"))
    assert not dollars.check(dollars.answer + Decimal("0.01"))
    units = next(d for d in generate(7, 30) if d.unit == "WCU")
    assert units.check(f"{units.answer} WCU") and not units.check(float(units.answer) + 1)
    assert not units.check("no idea") and not units.check(True)
    assert not units.check(float("nan"))


def test_a_drill_session_judges_moves_on_and_names_weak_topics() -> None:
    from ddb_lab.interview.mathdrills import DrillSession

    session = DrillSession(seed=4, count=3)
    first, second, third = session.drills
    assert session.answer(first.answer).right
    wrong = session.answer("0")
    assert not wrong.right and second.answer_text() in wrong.text()
    assert second.worked_solution in wrong.text()
    assert session.score == (1, 2) and session.weak_topics() == [second.topic]
    assert session.current is third
    session.answer(third.answer)
    assert session.current is None and session.text().startswith("Math drills: 2/3 right")
    with pytest.raises(IndexError):
        session.answer("1")


def test_the_math_drill_form_shows_the_verdict_and_the_working() -> None:
    from ddb_lab.widgets.drills import MathDrills

    form = MathDrills(seed=9, count=2, topic="cost")
    drill = form.session.current
    assert drill is not None and drill.question in form._question.value
    assert repr(form).startswith("<MathDrills: ")
    verdict = form.submit(str(drill.answer))
    assert verdict.startswith("Right")
    assert "Question 2 of 2" in form._question.value
    form.submit("nonsense")
    assert form._check.disabled and "1/2 right" in form._score.value
    form._topic.value = "partitions"
    form.restart()
    assert form.session.current is not None and form.session.current.topic == "partitions"
