"""Secondary indexes: DynamoDB's definition rules, index key types, and the simulated GSI lag.

Each rule test runs the request through the lab (DynamoDB's answer: its error code and exact
message) and again with the ``index_rules`` correction switched off, to prove that moto alone
accepts it and the correction is what makes the difference. Where moto already answers like
DynamoDB (ConsistentRead on a GSI), the test checks only the lab and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError, ParamValidationError
from engine_helpers import Outcome, outcome, switched_off

from ddb_lab import facts
from ddb_lab.engine.indexes import GsiLag, IndexRules, LsiFetch, check_create_table
from ddb_lab.engine.wire import DynamoError
from ddb_lab.errors import explain

KEYS = [
    {"AttributeName": "PK", "KeyType": "HASH"},
    {"AttributeName": "SK", "KeyType": "RANGE"},
]


def defs(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


def gsi(name: str, pk: str = "G", projection: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
        "Projection": projection or {"ProjectionType": "ALL"},
    }


def lsi(name: str, pk: str = "PK", sk: str | None = "L", **extra: Any) -> dict[str, Any]:
    schema = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        schema.append({"AttributeName": sk, "KeyType": "RANGE"})
    return {
        "IndexName": name,
        "KeySchema": schema,
        "Projection": extra.get("projection") or {"ProjectionType": "ALL"},
    }


def assert_corrected(lab: Any, call: Callable[[], Any], expected: Outcome) -> None:
    """The lab answers ``expected``; moto alone (``index_rules`` off) answers otherwise."""
    assert outcome(call) == expected
    with switched_off(lab, IndexRules.name):
        assert outcome(call) != expected, "moto already answers like DynamoDB"


class Tables:
    """CreateTable calls with fresh names, so the moto-alone run does not collide."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.count = 0

    def create(self, **params: Any) -> Callable[[], Any]:
        def call() -> Any:
            self.count += 1
            return self.client.create_table(
                TableName=f"T{self.count}", BillingMode="PAY_PER_REQUEST", **params
            )

        return call


@pytest.fixture
def tables(lab: Any) -> Tables:
    return Tables(lab.client)


def invalid(message: str) -> Outcome:
    return "ValidationException", message


# --- CreateTable ---------------------------------------------------------------------------------


def test_more_than_20_gsis_is_rejected(lab: Any, tables: Tables) -> None:
    many = [gsi(f"gsi{n:02d}") for n in range(facts.MAX_GSIS_PER_TABLE + 1)]
    call = tables.create(
        KeySchema=KEYS, AttributeDefinitions=defs("PK", "SK", "G"), GlobalSecondaryIndexes=many
    )
    assert_corrected(lab, call, invalid(facts.MSG_GSI_COUNT.format(limit=20)))
    exactly = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=many[: facts.MAX_GSIS_PER_TABLE],
    )
    assert outcome(exactly) == ("OK", None)


def test_more_than_5_lsis_is_rejected(lab: Any, tables: Tables) -> None:
    many = [lsi(f"lsi{n}") for n in range(facts.MAX_LSIS_PER_TABLE + 1)]
    call = tables.create(
        KeySchema=KEYS, AttributeDefinitions=defs("PK", "SK", "L"), LocalSecondaryIndexes=many
    )
    expected = invalid(
        "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds "
        "per-table limit of 5"
    )
    assert_corrected(lab, call, expected)


def test_lsi_with_another_partition_key_is_rejected(lab: Any, tables: Tables) -> None:
    call = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "X", "L"),
        LocalSecondaryIndexes=[lsi("ByX", pk="X")],
    )
    expected = invalid(
        "One or more parameter values were invalid: Index KeySchema does not have the same leading "
        "hash key as table KeySchema for index: ByX. index hash key: X, table hash key: PK"
    )
    assert_corrected(lab, call, expected)


def test_lsi_needs_a_table_sort_key_and_its_own(lab: Any, tables: Tables) -> None:
    no_table_sort = tables.create(
        KeySchema=KEYS[:1], AttributeDefinitions=defs("PK", "L"), LocalSecondaryIndexes=[lsi("ByL")]
    )
    assert_corrected(lab, no_table_sort, invalid(facts.MSG_LSI_TABLE_NO_RANGE))
    no_index_sort = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK"),
        LocalSecondaryIndexes=[lsi("ByL", sk=None)],
    )
    assert_corrected(lab, no_index_sort, invalid(facts.MSG_LSI_NO_RANGE.format(index="ByL")))


def test_duplicate_index_names_are_rejected(lab: Any, tables: Tables) -> None:
    two_gsis = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[gsi("Same"), gsi("Same")],
    )
    expected = invalid("One or more parameter values were invalid: Duplicate index name: Same")
    assert_corrected(lab, two_gsis, expected)
    across_kinds = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G", "L"),
        GlobalSecondaryIndexes=[gsi("Same")],
        LocalSecondaryIndexes=[lsi("Same")],
    )
    assert_corrected(lab, across_kinds, expected)


@pytest.mark.parametrize("kind", ["ALL", "KEYS_ONLY"])
def test_non_key_attributes_only_with_include(lab: Any, tables: Tables, kind: str) -> None:
    call = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[
            gsi("ByG", projection={"ProjectionType": kind, "NonKeyAttributes": ["a"]})
        ],
    )
    expected = invalid(
        f"One or more parameter values were invalid: ProjectionType is {kind}, but "
        "NonKeyAttributes is specified"
    )
    assert_corrected(lab, call, expected)


def test_include_needs_non_key_attributes_once_each(lab: Any, tables: Tables) -> None:
    without = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[gsi("ByG", projection={"ProjectionType": "INCLUDE"})],
    )
    assert_corrected(lab, without, invalid(facts.MSG_NON_KEY_MISSING))
    twice = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[
            gsi("ByG", projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "a"]})
        ],
    )
    assert_corrected(lab, twice, invalid(facts.MSG_NON_KEY_DUPLICATE.format(name="a")))


def test_projection_type_is_required(lab: Any, tables: Tables) -> None:
    call = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[gsi("ByG", projection={"NonKeyAttributes": ["a"]})],
    )
    expected = invalid("One or more parameter values were invalid: Unknown ProjectionType: null")
    assert_corrected(lab, call, expected)


def test_more_than_100_projected_attributes_over_all_indexes(lab: Any, tables: Tables) -> None:
    def include(names: list[str]) -> dict[str, Any]:
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": names}

    shared = [f"a{n}" for n in range(50)]
    over = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G", "L"),
        GlobalSecondaryIndexes=[gsi("ByG", projection=include(shared))],
        LocalSecondaryIndexes=[lsi("ByL", projection=include([*shared, "extra"]))],
    )
    expected = invalid(
        "One or more parameter values were invalid: Number of projected attributes in all "
        "indexes exceeds limit of 100"
    )
    assert_corrected(lab, over, expected)  # the same name in two indexes counts twice
    at_limit = tables.create(
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G", "L"),
        GlobalSecondaryIndexes=[gsi("ByG", projection=include(shared))],
        LocalSecondaryIndexes=[lsi("ByL", projection=include(shared))],
    )
    assert outcome(at_limit) == ("OK", None)


def test_valid_definitions_pass_unchanged() -> None:
    from ddb_lab.datasets import social_table_definition

    check_create_table(social_table_definition())  # raises nothing
    with pytest.raises(DynamoError) as raised:
        check_create_table({"KeySchema": KEYS[:1], "LocalSecondaryIndexes": [lsi("ByL")]})
    assert raised.value.code == "ValidationException"


# --- UpdateTable ---------------------------------------------------------------------------------


@pytest.fixture
def base(lab: Any) -> str:
    lab.client.create_table(
        TableName="Base",
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G", "L"),
        GlobalSecondaryIndexes=[gsi("ByG")],
        LocalSecondaryIndexes=[lsi("ByL")],
        BillingMode="PAY_PER_REQUEST",
    )
    return "Base"


def _update(lab: Any, *updates: dict[str, Any], attributes: tuple[str, ...] = ("H", "I")) -> Any:
    return lambda: lab.client.update_table(
        TableName="Base",
        AttributeDefinitions=defs(*attributes),
        GlobalSecondaryIndexUpdates=list(updates),
    )


def _gsis(lab: Any) -> list[str]:
    table = lab.client.describe_table(TableName="Base")["Table"]
    return sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", []))


def test_one_index_created_per_update_table(lab: Any, base: str) -> None:
    call = _update(lab, {"Create": gsi("ByH", pk="H")}, {"Create": gsi("ByI", pk="I")})
    expected = ("LimitExceededException", facts.MSG_ONE_INDEX_PER_UPDATE)
    assert outcome(call) == expected
    assert expected[1] == (
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
        "per table"
    )
    assert _gsis(lab) == ["ByG"]
    with switched_off(lab, IndexRules.name):
        assert outcome(call) == ("OK", None)
    assert _gsis(lab) == ["ByG", "ByH", "ByI"]


def test_update_table_cannot_touch_an_lsi(lab: Any, base: str) -> None:
    delete = _update(lab, {"Delete": {"IndexName": "ByL"}})
    expected = invalid("Cannot delete an index that is not a GlobalSecondaryIndex: ByL")
    assert_corrected(lab, delete, expected)


def test_update_or_delete_of_a_missing_gsi(lab: Any, base: str) -> None:
    expected = (
        "ResourceNotFoundException",
        "Requested resource not found: Index Nope for table Base",
    )
    for kind in ("Delete", "Update"):
        body: dict[str, Any] = {"IndexName": "Nope"}
        if kind == "Update":
            body["OnDemandThroughput"] = {"MaxReadRequestUnits": 10}
        call = _update(lab, {kind: body}, attributes=())
        assert_corrected(lab, call, expected)


def test_update_table_has_no_lsi_parameter(lab: Any, base: str) -> None:
    with pytest.raises(ParamValidationError) as raised:
        lab.client.update_table(TableName="Base", LocalSecondaryIndexes=[lsi("ByM", sk="M")])
    explanation = explain(raised.value)
    assert explanation is not None
    assert "only by CreateTable" in explanation.meaning


def test_create_an_index_that_exists(lab: Any, base: str) -> None:
    expected = invalid("Attempting to create an index which already exists")
    assert outcome(_update(lab, {"Create": gsi("ByG")}, attributes=("G",))) == expected
    assert_corrected(lab, _update(lab, {"Create": gsi("ByL", pk="H")}), expected)


def test_created_index_keys_must_be_defined_in_the_call(lab: Any, base: str) -> None:
    call = _update(lab, {"Create": gsi("ByZ", pk="Z")})
    expected = invalid(
        "One or more parameter values were invalid: AttributeDefinitions is not specified for "
        "index: ByZ"
    )
    assert_corrected(lab, call, expected)


def test_the_21st_gsi_via_update_table(lab: Any, tables: Tables) -> None:
    lab.client.create_table(
        TableName="Base",
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G"),
        GlobalSecondaryIndexes=[gsi(f"gsi{n:02d}") for n in range(facts.MAX_GSIS_PER_TABLE)],
        BillingMode="PAY_PER_REQUEST",
    )
    call = _update(lab, {"Create": gsi("OneTooMany", pk="H")})
    expected = (
        "LimitExceededException",
        "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit "
        "of 20",
    )
    assert outcome(call) == expected
    with switched_off(lab, IndexRules.name):
        assert outcome(call) == ("OK", None)


# --- Reading a GSI -------------------------------------------------------------------------------


@pytest.fixture
def projected(lab: Any) -> str:
    lab.client.create_table(
        TableName="Projected",
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "G", "L"),
        GlobalSecondaryIndexes=[
            gsi("Included", projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})
        ],
        LocalSecondaryIndexes=[lsi("Local", projection={"ProjectionType": "KEYS_ONLY"})],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"PK": {"S": "p"}, "SK": {"S": "s"}, "G": {"S": "g"}, "L": {"S": "l"}}
    lab.client.put_item(
        TableName="Projected", Item={**item, "a": {"S": "in"}, "b": {"M": {"c": {"S": "out"}}}}
    )
    return "Projected"


def _read_index(lab: Any, index: str, **params: Any) -> Callable[[], Any]:
    key = ("G = :v", "g") if index == "Included" else ("PK = :v", "p")
    return lambda: lab.client.query(
        TableName="Projected",
        IndexName=index,
        KeyConditionExpression=key[0],
        ExpressionAttributeValues={":v": {"S": key[1]}},
        **params,
    )


def test_a_gsi_read_of_attributes_it_does_not_project_is_rejected(lab: Any, projected: str) -> None:
    expected = invalid(
        "One or more parameter values were invalid: Global secondary index Included does not "
        "project [b]"
    )
    call = _read_index(
        lab, "Included", ProjectionExpression="a, #b.c", ExpressionAttributeNames={"#b": "b"}
    )
    assert_corrected(lab, call, expected)
    with switched_off(lab, IndexRules.name):  # moto silently leaves b out
        assert call()["Items"] == [{"a": {"S": "in"}}]
    legacy = _read_index(lab, "Included", AttributesToGet=["PK", "b"], Select="SPECIFIC_ATTRIBUTES")
    assert outcome(legacy) == expected
    scan = lambda: lab.client.scan(  # noqa: E731
        TableName="Projected", IndexName="Included", ProjectionExpression="b"
    )
    assert outcome(scan) == expected


def test_projected_attributes_and_lsis_may_be_requested(lab: Any, projected: str) -> None:
    ok = _read_index(lab, "Included", ProjectionExpression="PK, SK, G, a")
    assert ok()["Items"] == [
        {"PK": {"S": "p"}, "SK": {"S": "s"}, "G": {"S": "g"}, "a": {"S": "in"}}
    ]
    assert outcome(_read_index(lab, "Local", ProjectionExpression="b")) == ("OK", None)


# --- Index key types -----------------------------------------------------------------------------


def test_index_key_of_the_wrong_type_is_rejected(lab: Any, base: str) -> None:
    item = {"PK": {"S": "a"}, "SK": {"S": "b"}, "G": {"N": "1"}}
    expected = invalid(
        "One or more parameter values were invalid: Type mismatch for Index Key G Expected: S "
        "Actual: N IndexName: ByG"
    )
    assert_corrected(lab, lambda: lab.client.put_item(TableName="Base", Item=item), expected)
    batch = {"Base": [{"PutRequest": {"Item": item}}]}
    assert outcome(lambda: lab.client.batch_write_item(RequestItems=batch)) == expected
    transact = [{"Put": {"TableName": "Base", "Item": item}}]
    assert outcome(lambda: lab.client.transact_write_items(TransactItems=transact)) == expected


def test_null_index_key_is_a_type_mismatch_but_absent_is_fine(lab: Any, base: str) -> None:
    null = {"PK": {"S": "a"}, "SK": {"S": "b"}, "L": {"NULL": True}}
    expected = invalid(
        "One or more parameter values were invalid: Type mismatch for Index Key L Expected: S "
        "Actual: NULL IndexName: ByL"
    )
    assert_corrected(lab, lambda: lab.client.put_item(TableName="Base", Item=null), expected)
    absent = {"PK": {"S": "a"}, "SK": {"S": "c"}, "other": {"N": "1"}}
    assert outcome(lambda: lab.client.put_item(TableName="Base", Item=absent)) == ("OK", None)


def test_consistent_read_on_a_gsi_is_rejected_by_moto_already(lab: Any, base: str) -> None:
    expected = invalid(facts.MSG_GSI_CONSISTENT_READ)
    query = lambda: lab.client.query(  # noqa: E731
        TableName="Base",
        IndexName="ByG",
        KeyConditionExpression="G = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
        ConsistentRead=True,
    )
    scan = lambda: lab.client.scan(TableName="Base", IndexName="ByG", ConsistentRead=True)  # noqa: E731
    for call in (query, scan):
        assert outcome(call) == expected
        with switched_off(lab, IndexRules.name):
            assert outcome(call) == expected
    lsi_query = lambda: lab.client.query(  # noqa: E731
        TableName="Base",
        IndexName="ByL",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "x"}},
        ConsistentRead=True,
    )
    assert outcome(lsi_query) == ("OK", None)


@pytest.mark.parametrize(
    "message",
    [
        facts.MSG_GSI_COUNT.format(limit=20),
        facts.MSG_LSI_HASH_KEY.format(index="i", index_hash="X", table_hash="PK"),
        facts.MSG_DUPLICATE_INDEX.format(index="i"),
        facts.MSG_NON_KEY_NOT_ALLOWED.format(projection="ALL"),
        facts.MSG_PROJECTED_ATTRIBUTES.format(limit=100),
        facts.MSG_NOT_A_GSI.format(action="delete", index="i"),
        facts.MSG_INDEX_ATTRIBUTES_MISSING.format(index="i"),
        facts.MSG_INDEX_KEY_TYPE.format(key="G", expected="S", actual="N", index="i"),
        facts.MSG_GSI_NOT_PROJECTED.format(index="i", names="b"),
    ],
)
def test_every_index_error_has_an_explanation(message: str) -> None:
    error = ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "Op")
    explanation = explain(error)
    assert explanation is not None
    assert explanation.meaning != "DynamoDB rejected the request."


# --- GSI propagation lag -------------------------------------------------------------------------


@pytest.fixture
def social() -> Iterator[Any]:
    from ddb_lab import start

    simulated = start(clock="simulated", dataset="social", size="tiny")
    yield simulated.table("SocialApp"), simulated
    simulated.simulate_gsi_lag(0)


def _by_username(table: Any, username: str) -> list[dict[str, Any]]:
    response = table.query(
        IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq(f"USERNAME#{username}")
    )
    assert response["Count"] == len(response["Items"])
    return list(response["Items"])


NEW_USER = {
    "PK": "USER#u9999",
    "SK": "PROFILE",
    "username": "newbie",
    "GSI2PK": "USERNAME#newbie",
    "bio": "first",
}


def test_gsi_lag_is_off_by_default(social: Any) -> None:
    table, _ = social
    table.put_item(Item=NEW_USER)
    assert [i["PK"] for i in _by_username(table, "newbie")] == ["USER#u9999"]


def test_a_new_item_shows_up_in_the_gsi_after_the_lag(social: Any) -> None:
    table, lab = social
    lab.simulate_gsi_lag(1.0)
    table.put_item(Item=NEW_USER)
    key = {"PK": "USER#u9999", "SK": "PROFILE"}
    assert table.get_item(Key=key)["Item"]["username"] == "newbie"  # the table has it at once
    assert _by_username(table, "newbie") == []
    lag = next(c for c in lab.engine.corrections if isinstance(c, GsiLag))
    assert lag.pending() == 1
    lab.clock.advance(0.999)
    assert _by_username(table, "newbie") == []
    lab.clock.advance(0.001)
    assert [i["PK"] for i in _by_username(table, "newbie")] == ["USER#u9999"]
    assert lag.pending() == 0


def test_batch_writes_lag_too_and_counts_follow(social: Any) -> None:
    table, lab = social
    lab.simulate_gsi_lag(0.5)
    with table.batch_writer() as batch:
        for n in range(3):
            batch.put_item(Item={**NEW_USER, "PK": f"USER#u99{n}", "GSI2PK": "USERNAME#triplet"})
    response = table.query(
        IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq("USERNAME#triplet")
    )
    assert (response["Items"], response["Count"], response["ScannedCount"]) == ([], 0, 0)
    lab.clock.advance(0.5)
    assert len(_by_username(table, "triplet")) == 3


def test_an_updated_item_keeps_its_old_version_in_the_gsi_until_the_lag(social: Any) -> None:
    table, lab = social
    table.put_item(Item={**NEW_USER, "GSI1PK": "USER", "GSI1SK": "2030-01-01T00:00:00Z"})
    lab.simulate_gsi_lag(2.0)
    table.update_item(
        Key={"PK": "USER#u9999", "SK": "PROFILE"},
        UpdateExpression="SET bio = :b",
        ExpressionAttributeValues={":b": "second"},
    )

    def bio() -> list[str]:
        response = table.query(
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq("USER") & Key("GSI1SK").begins_with("2030"),
        )
        return [item["bio"] for item in response["Items"]]

    assert bio() == ["first"]
    lab.clock.advance(2.0)
    assert bio() == ["second"]


def test_reset_switches_the_lag_off(social: Any) -> None:
    _, lab = social
    lab.simulate_gsi_lag(5)
    lab.reset()
    lag = next(c for c in lab.engine.corrections if isinstance(c, GsiLag))
    assert lag.lag == 0
    with pytest.raises(ValueError):
        lab.simulate_gsi_lag(-1)


# --- LSI fetches ---------------------------------------------------------------------------------


@pytest.fixture
def keys_only_lsi(lab: Any) -> str:
    lab.client.create_table(
        TableName="Fetch",
        KeySchema=KEYS,
        AttributeDefinitions=defs("PK", "SK", "L"),
        LocalSecondaryIndexes=[lsi("Local", projection={"ProjectionType": "KEYS_ONLY"})],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(3):
        item = {
            "PK": {"S": "p"},
            "SK": {"S": f"s{n}"},
            "L": {"S": f"l{n}"},
            "body": {"S": "x" * 5_000},  # 5 KB: each fetch is 2 blocks, 1 unit eventually
        }
        lab.client.put_item(TableName="Fetch", Item=item)
    return "Fetch"


def _lsi_query(lab: Any, **params: Any) -> Any:
    return lab.client.query(
        TableName="Fetch",
        IndexName="Local",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ReturnConsumedCapacity="INDEXES",
        **params,
    )


def test_an_lsi_fetches_non_projected_attributes_from_the_table(
    lab: Any, keys_only_lsi: str
) -> None:
    with lab.receipt() as receipt:
        answer = _lsi_query(lab, Select="ALL_ATTRIBUTES")
    assert [sorted(item) for item in answer["Items"]] == [["L", "PK", "SK", "body"]] * 3
    consumed = answer["ConsumedCapacity"]
    assert consumed["LocalSecondaryIndexes"] == {"Local": {"CapacityUnits": 0.5}}
    assert consumed["Table"] == {"CapacityUnits": 3.0}  # three 5 KB items, 1 unit each
    assert consumed["CapacityUnits"] == 3.5
    assert receipt.read_units == 3.5
    assert [row.calls for row in receipt.rows] == [1]
    with switched_off(lab, LsiFetch.name):  # moto alone: the keys, and the index read only
        alone = _lsi_query(lab, Select="ALL_ATTRIBUTES")
    assert [sorted(item) for item in alone["Items"]] == [["L", "PK", "SK"]] * 3
    assert alone["ConsumedCapacity"]["CapacityUnits"] == 0.5


def test_an_lsi_fetch_projects_as_asked(lab: Any, keys_only_lsi: str) -> None:
    answer = _lsi_query(
        lab, ProjectionExpression="#b, SK", ExpressionAttributeNames={"#b": "body"}, Limit=1
    )
    assert answer["Items"] == [{"SK": {"S": "s0"}, "body": {"S": "x" * 5_000}}]
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 1.5


def test_projected_attributes_need_no_fetch(lab: Any, keys_only_lsi: str) -> None:
    answer = _lsi_query(lab, ProjectionExpression="SK, L")
    assert answer["Items"][0] == {"SK": {"S": "s0"}, "L": {"S": "l0"}}
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 0.5
    assert answer["ConsumedCapacity"].get("Table", {}).get("CapacityUnits", 0) == 0
