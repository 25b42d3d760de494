"""The modeling verifier: accepts the course's design, and catches every way a design goes wrong."""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from ddb_lab.modeling import (
    MAX_CALLS_PER_CASE,
    Data,
    Entity,
    Index,
    Model,
    ModelError,
    verify,
)
from ddb_lab.modeling.social import (
    SOCIAL_PATTERNS,
    reference_implementations,
    social_data,
    social_model,
)

REF = reference_implementations
DATA = social_data()
PATTERNS = {p.name: p for p in SOCIAL_PATTERNS}


def run(lab: Any, names: list[str], **overrides: Any) -> Any:
    implementations = {name: getattr(REF, name) for name in names} | overrides
    patterns = [PATTERNS[name] for name in names]
    return verify(social_model(), patterns, implementations, DATA, lab=lab)


def test_the_reference_design_passes_every_pattern_but_its_hot_gsi1(lab: Any) -> None:
    report = verify(social_model(), SOCIAL_PATTERNS, REF, DATA, lab=lab)
    assert [p.name for p in report.patterns if not p.passed] == []
    # GSI1 keys every post under "POST": the verifier calls that out.
    hot = [h for h in report.hot_keys if h.hot]
    assert [(h.where, h.value) for h in hot] == [("GSI1", "POST")]
    assert not report.passed
    assert "hot partition key" in report.problems()[0]
    assert report.items == len(social_model().items(DATA))
    paged = report.pattern("followers")
    # 26 followers of u0002 over 8-item pages: 4 pages; 9 of u0030: 2 pages.
    assert [c.pages for c in paged.cases] == [4, 2]
    assert all(c.pages_missed == 0 for c in paged.cases)


def test_without_the_type_index_the_design_passes(lab: Any) -> None:
    base = social_model()
    model = Model(
        table=base.table,
        partition_key="PK",
        sort_key="SK",
        entities=[
            Entity(
                e.name,
                {k: v for k, v in e.keys.items() if not k.startswith("GSI1")},
                e.source,
                e.attributes,
            )
            for e in base.entities
        ],
        indexes=[i for i in base.indexes if i.name != "GSI1"],
    )
    report = verify(model, SOCIAL_PATTERNS, REF, DATA, lab=lab)
    assert report.passed, report.text()
    assert report.problems() == []


def test_a_scan_is_caught_even_when_the_items_are_right(lab: Any) -> None:
    def followers(table: Any, user_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "FilterExpression": Attr("entity").eq("FOLLOWER") & Attr("followee_id").eq(user_id)
        }
        while True:
            page = table.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    result = run(lab, ["followers"], followers=followers).pattern("followers")
    assert not result.passed
    assert all(c.missing == [] and c.unexpected == [] for c in result.cases)
    assert "used a Scan" in result.cases[0].problems[0]
    assert "Scan" in result.operations


def test_reading_only_the_first_page_is_caught(lab: Any) -> None:
    def followers(table: Any, user_id: str) -> list[dict[str, Any]]:
        return table.query(
            KeyConditionExpression=Key("PK").eq(f"USER#{user_id}")
            & Key("SK").begins_with("FOLLOWER#")
        )["Items"]

    result = run(lab, ["followers"], followers=followers).pattern("followers")
    first = result.cases[0]
    assert first.pages == 1 and first.pages_missed == 1
    assert any("LastEvaluatedKey" in p for p in first.problems)
    assert any("missed 18 of 26" in p for p in first.problems)


def test_wrong_and_missing_items_are_caught(lab: Any) -> None:
    def following(table: Any, user_id: str) -> list[dict[str, Any]]:
        # forgets the sort-key prefix: the profile and the posts come back too
        return REF._all(table, KeyConditionExpression=Key("PK").eq(f"USER#{user_id}"))

    def post_activity(table: Any, post_id: str) -> list[dict[str, Any]]:
        # only the likes: the post and its comments are missing
        return REF._all(
            table,
            KeyConditionExpression=Key("PK").eq(f"POST#{post_id}") & Key("SK").begins_with("LIKE#"),
        )

    report = run(
        lab, ["following", "post_activity"], following=following, post_activity=post_activity
    )
    extra = report.pattern("following").cases[0]
    assert extra.unexpected and not extra.missing
    assert ("User", "u0024") in extra.unexpected
    assert any("should not" in p for p in extra.problems)
    missing = report.pattern("post_activity").cases[0]
    assert ("Post", "p00013") in missing.missing
    assert {k[0] for k in missing.missing} == {"Post", "Comment"}
    assert not report.passed


def test_order_matters_where_the_pattern_says_so(lab: Any) -> None:
    def posts_by_user(
        table: Any, user_id: str, limit: int, cursor: Any = None
    ) -> tuple[list[dict[str, Any]], Any]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(f"USER#{user_id}")
            & Key("SK").begins_with("POST#"),
            "Limit": limit,  # oldest first: ScanIndexForward left at True
        }
        if cursor:
            query["ExclusiveStartKey"] = cursor
        page = table.query(**query)
        return page["Items"], page.get("LastEvaluatedKey")

    result = run(lab, ["posts_by_user"], posts_by_user=posts_by_user).pattern("posts_by_user")
    assert [c.problems for c in result.cases] == [["right items, wrong order"]] * 2


def test_app_level_pages_must_respect_the_limit(lab: Any) -> None:
    def posts_by_user(
        table: Any, user_id: str, limit: int, cursor: Any = None
    ) -> tuple[list[dict[str, Any]], Any]:
        items = REF._all(
            table,
            KeyConditionExpression=Key("PK").eq(f"USER#{user_id}") & Key("SK").begins_with("POST#"),
            ScanIndexForward=False,
        )
        return items, None  # everything in one "page"

    case = run(lab, ["posts_by_user"], posts_by_user=posts_by_user).pattern("posts_by_user")
    assert "a page held 15 items; the limit was 4" in case.cases[0].problems


def test_a_hot_partition_key_is_caught() -> None:
    data = Data(
        {"Score": [{"game": "g1" if n < 90 else f"g{n}", "player": f"p{n}"} for n in range(100)]},
        {"Score": ("game", "player")},
    )
    hot = Model("Scores", "PK", [Entity("Score", {"PK": "GAME#{game}", "SK": "{player}"})], "SK")
    spread = Model(
        "Scores",
        "PK",
        [
            Entity(
                "Score",
                {"PK": lambda r: f"GAME#{r['game']}#{int(r['player'][1:]) % 10}", "SK": "{player}"},
            )
        ],
        "SK",
    )
    (found,) = hot.hot_keys(hot.items(data))
    assert found.hot and found.value == "GAME#g1" and found.items == 90
    (fixed,) = spread.hot_keys(spread.items(data))
    assert not fixed.hot and fixed.share <= 0.5


def test_read_units_over_budget_are_caught(lab: Any) -> None:
    def get_profile(table: Any, user_id: str) -> dict[str, Any] | None:
        # a strongly consistent read of the whole user partition costs more than one GetItem
        items = REF._all(
            table, KeyConditionExpression=Key("PK").eq(f"USER#{user_id}"), ConsistentRead=True
        )
        return next((i for i in items if i["SK"] == "PROFILE"), None)

    result = run(lab, ["get_profile"], get_profile=get_profile).pattern("get_profile")
    heavy = result.cases[1]  # u0002 has a big partition
    assert heavy.read_units > 1
    assert any("the budget is 1" in p for p in heavy.problems)


def test_a_raising_or_runaway_function_is_reported_not_raised(lab: Any) -> None:
    def get_profile(table: Any, user_id: str) -> Any:
        return table.get_item(Key={"PK": f"USER#{user_id}"})  # no sort key

    def followers(table: Any, user_id: str) -> list[Any]:
        while True:  # re-reads the first page forever
            table.query(KeyConditionExpression=Key("PK").eq(f"USER#{user_id}"))

    report = run(lab, ["get_profile", "followers"], get_profile=get_profile, followers=followers)
    assert "raised ValidationException" in report.pattern("get_profile").cases[0].problems[0]
    loop = report.pattern("followers").cases[0]
    assert loop.problems[0].startswith(f"stopped after {MAX_CALLS_PER_CASE} calls")


def test_missing_functions_and_whole_responses_are_named(lab: Any) -> None:
    def get_profile(table: Any, user_id: str) -> Any:
        return table.get_item(Key={"PK": f"USER#{user_id}", "SK": "PROFILE"})

    report = verify(
        social_model(), SOCIAL_PATTERNS[:2], {"get_profile": get_profile}, DATA, lab=lab
    )
    assert "return response['Item']" in report.pattern("get_profile").cases[0].problems[0]
    assert report.pattern("user_by_username").problems == ["no function named user_by_username"]


def test_keys_only_items_cannot_be_identified(lab: Any) -> None:
    def user_by_username(table: Any, username: str) -> list[Any]:
        return REF._all(
            table, IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq(f"USERNAME#{username}")
        )

    result = run(lab, ["user_by_username"], user_by_username=user_by_username)
    assert "KEYS_ONLY" in result.pattern("user_by_username").cases[0].problems[0]


def test_the_verify_table_is_removed_and_the_learners_table_untouched(lab: Any) -> None:
    lab.load("social", "tiny")
    before = lab.client.scan(TableName="SocialApp", Select="COUNT")["Count"]
    run(lab, ["get_profile"])
    assert "SocialApp-verify" not in lab.tables()
    assert lab.client.scan(TableName="SocialApp", Select="COUNT")["Count"] == before


def test_sparse_templates_leave_the_attribute_out() -> None:
    entity = Entity("Order", {"PK": "C#{customer}", "SK": "O#{order}", "GSI1PK": "OPEN#{open_at}"})
    assert "GSI1PK" not in entity.item({"customer": "c", "order": "1"}, "type")
    assert (
        entity.item({"customer": "c", "order": "1", "open_at": "t"}, "type")["GSI1PK"] == "OPEN#t"
    )


def test_inconsistent_models_are_refused() -> None:
    with pytest.raises(ModelError, match="no template for the table key 'SK'"):
        Model("T", "PK", [Entity("A", {"PK": "A#{id}"})], "SK")
    with pytest.raises(ModelError, match="must use the table's partition key"):
        Model("T", "PK", [Entity("A", {"PK": "x"})], indexes=[Index("L", "other", local=True)])
    model = Model("T", "PK", [Entity("A", {"PK": "A"})])
    with pytest.raises(ModelError, match="share the primary key"):
        model.items(Data({"A": [{"id": 1}, {"id": 2}]}, {"A": ("id",)}))
    with pytest.raises(ModelError, match="does not have"):
        model.items(Data({"B": []}, {"B": ("id",)}))


def test_table_definition_declares_every_key_attribute_once() -> None:
    definition = social_model().table_definition("X")
    assert definition["TableName"] == "X"
    assert [a["AttributeName"] for a in definition["AttributeDefinitions"]] == [
        "PK",
        "SK",
        "GSI1PK",
        "GSI1SK",
        "GSI2PK",
    ]
    gsi2 = definition["GlobalSecondaryIndexes"][1]
    assert gsi2["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert social_model().items(DATA) == social_model().items(DATA)


def test_a_function_not_written_yet_propagates(lab: Any) -> None:
    def get_profile(table: Any, user_id: str) -> Any:
        raise NotImplementedError("Not written yet")

    with pytest.raises(NotImplementedError):
        run(lab, ["get_profile"], get_profile=get_profile)
    assert "SocialApp-verify" not in lab.tables()
