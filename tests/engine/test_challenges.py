"""Design challenges: the reference designs pass; designs that Scan, return wrong items, ignore
pagination, run a hot key or break tenant isolation are rejected, each for its own reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import pytest
from boto3.dynamodb.conditions import Attr, Key

from ddb_lab.interview.challenges import CHALLENGES, DesignError
from ddb_lab.modeling import Entity, Index

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = nbformat.read(ROOT / "solutions" / "10_interview_drills.ipynb", as_version=4)


def reference(challenge_id: str) -> tuple[Any, dict[str, Any]]:
    """The reference design of a challenge, from the solutions notebook."""
    namespace: dict[str, Any] = {}
    setup = next(c for c in NOTEBOOK.cells if c.cell_type == "code" and "start(" in c.source)
    exec(compile(setup.source, "<setup>", "exec"), namespace)  # noqa: S102 - course code
    (cell,) = [
        c
        for c in NOTEBOOK.cells
        if c.metadata.get("ddb_lab", {}).get("exercise") == f"10.design_{challenge_id}"
        and c.metadata["ddb_lab"]["role"] == "solution"
    ]
    exec(compile(cell.source, "<solution>", "exec"), namespace)  # noqa: S102
    model, functions = namespace[f"design_{challenge_id}"]()
    return model, dict(functions), namespace


@pytest.mark.parametrize("challenge_id", list(CHALLENGES))
def test_the_reference_design_passes(lab: Any, challenge_id: str) -> None:
    model, functions, _ = reference(challenge_id)
    report = CHALLENGES[challenge_id].judge((model, functions), lab=lab)
    assert report.passed, report.text()
    assert report.problems() == []
    assert report.key_loads and not any(k.hot for k in report.key_loads)


def test_a_design_that_scans_is_rejected(lab: Any) -> None:
    model, functions, _ = reference("social")

    def followers(table: Any, user_id: str) -> list[Any]:
        items, kwargs = (
            [],
            {
                "FilterExpression": Attr("SK").eq(f"FOLLOWER#{user_id}")
                | Attr("followee_id").eq(user_id) & Attr("entity").eq("FOLLOWER")
            },
        )
        while True:
            page = table.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    report = CHALLENGES["social"].judge((model, functions | {"followers": followers}), lab=lab)
    assert not report.passed
    assert [p for p in report.problems() if "used a Scan" in p]
    assert all("followers" in p for p in report.problems())


def test_a_design_returning_wrong_items_is_rejected(lab: Any) -> None:
    model, functions, ns = reference("saas")
    # users also indexed by "<tenant>#<user>" under one key, read with begins_with(tenant):
    # tenant t1's query also matches tenant t10's users
    entities = [
        replace(e, keys={**e.keys, "GSI3PK": "USERS", "GSI3SK": "{tenant_id}#{user_id}"})
        if e.name == "User"
        else e
        for e in model.entities
    ]
    indexed = replace(
        model, entities=entities, indexes=[*model.indexes, Index("GSI3", "GSI3PK", "GSI3SK")]
    )

    def tenant_users(table: Any, tenant_id: str) -> list[Any]:
        return ns["query_all"](
            table,
            IndexName="GSI3",
            KeyConditionExpression=Key("GSI3PK").eq("USERS") & Key("GSI3SK").begins_with(tenant_id),
        )

    report = CHALLENGES["saas"].judge(
        (indexed, functions | {"tenant_users": tenant_users}), lab=lab
    )
    problems = report.problems()
    assert any("tenant_users(tenant_id='t1')" in p and "should not" in p for p in problems)
    assert not any("tenant_users(tenant_id='t10')" in p for p in problems)
    assert any(p.startswith("tenant isolation: a User") for p in problems)


def test_a_design_that_ignores_pagination_is_rejected(lab: Any) -> None:
    model, functions, _ = reference("chat")

    def room_members(table: Any, room_id: str) -> list[Any]:
        return table.query(
            KeyConditionExpression=Key("PK").eq(f"ROOM#{room_id}")
            & Key("SK").begins_with("MEMBER#")
        )["Items"]

    report = CHALLENGES["chat"].judge((model, functions | {"room_members": room_members}), lab=lab)
    problems = report.problems()
    assert any("room_members" in p and "stopped at a LastEvaluatedKey" in p for p in problems)
    assert any("room_members" in p and "missed" in p for p in problems)


def test_a_design_with_a_hot_key_is_rejected(lab: Any) -> None:
    model, functions, ns = reference("leaderboard")
    unsharded = replace(
        model,
        entities=[
            model.entity("Player"),
            Entity("Score", {"PK": "GAME#{game_id}", "SK": "PLAYER#{player_id}",
                             "GSI1PK": "GAME#{game_id}", "GSI1SK": lambda s: s["score"],
                             "GSI2PK": "PLAYER#{player_id}", "GSI2SK": "GAME#{game_id}"}),
        ],
    )  # fmt: skip

    def player_score(table: Any, game_id: str, player_id: str) -> Any:
        return table.get_item(Key={"PK": f"GAME#{game_id}", "SK": f"PLAYER#{player_id}"}).get(
            "Item"
        )

    def top_scores(table: Any, game_id: str, n: int) -> list[Any]:
        return table.query(
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(f"GAME#{game_id}"),
            ScanIndexForward=False,
            Limit=n,
        )["Items"]

    design = (unsharded, functions | {"player_score": player_score, "top_scores": top_scores})
    report = CHALLENGES["leaderboard"].judge(design, lab=lab)
    assert [p.name for p in report.patterns if not p.passed] == []  # every read is right ...
    hot = [k for k in report.key_loads if k.hot]  # ... and the writes melt one partition
    assert {(k.where, k.value) for k in hot} == {("table", "GAME#g1"), ("GSI1", "GAME#g1")}
    assert hot[0].units_per_second == 3_000
    assert any("under the stated load" in p for p in report.problems())


def test_a_design_that_breaks_tenant_isolation_is_rejected(lab: Any) -> None:
    model, functions, _ = reference("saas")
    entities = [
        replace(e, keys={**e.keys, "GSI2PK": "USER#{owner_id}"}) if e.name == "Document" else e
        for e in model.entities
    ]
    report = CHALLENGES["saas"].judge((replace(model, entities=entities), functions), lab=lab)
    assert any(p.startswith("tenant isolation: a Document of tenant") for p in report.problems())


def test_answers_that_are_not_designs_are_refused(lab: Any) -> None:
    with pytest.raises(DesignError, match="a design is a pair"):
        CHALLENGES["iot"].judge({"model": None}, lab=lab)
    model, functions, _ = reference("iot")
    broken = replace(model, entities=[Entity("Device", {"PK": "DEVICE", "SK": "DEVICE"}),
                                      *model.entities[1:]])  # fmt: skip
    with pytest.raises(DesignError, match="share the primary key"):
        CHALLENGES["iot"].judge((broken, functions), lab=lab)
    with pytest.raises(KeyError, match="challenges: social, shop"):
        CHALLENGES["nope"]


def test_briefs_name_every_function_and_record_set() -> None:
    for challenge in CHALLENGES.values():
        for pattern in challenge.patterns:
            assert f"`{pattern.name}`" in challenge.brief, (challenge.id, pattern.name)
        for kind in challenge.data().records:
            assert f"`{kind}(" in challenge.brief, (challenge.id, kind)
        assert challenge.loads and all(load.per_second > 0 for load in challenge.loads)
