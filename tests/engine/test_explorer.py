"""Tests for ddb_lab.explorer against moto: every operator, paging, filters, indexes, errors."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ddb_lab.display import render_call
from ddb_lab.explorer import (
    FILTER_OPERATORS,
    SORT_KEY_OPERATORS,
    KeySchemaInfo,
    QuerySpec,
    build_query,
    key_schemas,
    run_query,
)

TABLE = "Lab"
SCORES = "Scores"
U1 = "USER#u1"

U1_POSTS = [f"POST#{n:02d}" for n in range(1, 13)]
U1_SKS = sorted(["PROFILE", "FOLLOW#u2", "FOLLOW#u3", *U1_POSTS])
SCORE_VALUES = ["10", "-3", "100", "2.5", "5", "9"]


def _items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for user, name, posts in (("u1", "ada", 12), ("u2", "grace", 5), ("u3", "linus", 8)):
        items.append(
            {
                "PK": {"S": f"USER#{user}"},
                "SK": {"S": "PROFILE"},
                "username": {"S": name},
                "GSI2PK": {"S": name},
                "interests": {"SS": ["chess", "ai"] if user == "u1" else ["go"]},
            }
        )
        for n in range(1, posts + 1):
            status = "published" if n % 3 else "draft"
            items.append(
                {
                    "PK": {"S": f"USER#{user}"},
                    "SK": {"S": f"POST#{n:02d}"},
                    "status": {"S": status},
                    "likes": {"N": str(n)},
                    "GSI1PK": {"S": f"STATUS#{status}"},
                    "GSI1SK": {"S": f"{user}#{n:02d}"},
                }
            )
    for followee in ("u2", "u3"):
        items.append({"PK": {"S": U1}, "SK": {"S": f"FOLLOW#{followee}"}})
    return items


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One moto account for the module (read-only tests; building the data takes ~0.3 s)."""
    with mock_aws():
        ddb = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        ddb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "GSI2",
                    "KeySchema": [{"AttributeName": "GSI2PK", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
        )
        for item in _items():
            ddb.put_item(TableName=TABLE, Item=item)
        ddb.create_table(
            TableName=SCORES,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "game", "AttributeType": "S"},
                {"AttributeName": "score", "AttributeType": "N"},
            ],
            KeySchema=[
                {"AttributeName": "game", "KeyType": "HASH"},
                {"AttributeName": "score", "KeyType": "RANGE"},
            ],
        )
        for score in SCORE_VALUES:
            ddb.put_item(TableName=SCORES, Item={"game": {"S": "g1"}, "score": {"N": score}})
        yield ddb


def sks(items: list[dict[str, Any]]) -> list[str]:
    return [item["SK"]["S"] for item in items]


def test_fixture_has_about_thirty_items(client: Any) -> None:
    assert client.scan(TableName=TABLE, Select="COUNT")["Count"] == 30


def test_key_schemas_table_then_indexes(client: Any) -> None:
    schemas = key_schemas(client.describe_table(TableName=TABLE)["Table"])
    assert schemas == [
        KeySchemaInfo("Lab", None, "PK", "S", "SK", "S", "table"),
        KeySchemaInfo("GSI1", "GSI1", "GSI1PK", "S", "GSI1SK", "S", "GSI"),
        KeySchemaInfo("GSI2", "GSI2", "GSI2PK", "S", None, None, "GSI"),
    ]
    assert schemas[0].label() == "PK (S) + SK (S)"
    assert schemas[2].label() == "GSI2PK (S)"


def test_key_schemas_orders_gsis_then_lsis_by_name() -> None:
    keys = [{"AttributeName": "PK", "KeyType": "HASH"}]
    description = {
        "TableName": "T",
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "N"}],
        "GlobalSecondaryIndexes": [{"IndexName": n, "KeySchema": keys} for n in ("b", "a")],
        "LocalSecondaryIndexes": [{"IndexName": n, "KeySchema": keys} for n in ("d", "c")],
    }
    schemas = key_schemas(description)
    assert [(s.name, s.kind) for s in schemas] == [
        ("T", "table"),
        ("a", "GSI"),
        ("b", "GSI"),
        ("c", "LSI"),
        ("d", "LSI"),
    ]
    assert schemas[0].partition_type == "N"


PREDICATES: dict[str, tuple[str, str, Callable[[str], bool]]] = {
    "=": ("POST#05", "", lambda sk: sk == "POST#05"),
    "<": ("POST#03", "", lambda sk: sk < "POST#03"),
    "<=": ("POST#03", "", lambda sk: sk <= "POST#03"),
    ">": ("POST#10", "", lambda sk: sk > "POST#10"),
    ">=": ("POST#10", "", lambda sk: sk >= "POST#10"),
    "BETWEEN": ("POST#03", "POST#06", lambda sk: "POST#03" <= sk <= "POST#06"),
    "begins_with": ("POST#", "", lambda sk: sk.startswith("POST#")),
}


def test_predicates_cover_every_operator() -> None:
    assert set(PREDICATES) == set(SORT_KEY_OPERATORS)


@pytest.mark.parametrize("operator", SORT_KEY_OPERATORS)
def test_every_sort_key_operator(client: Any, operator: str) -> None:
    value, value2, keep = PREDICATES[operator]
    spec = QuerySpec(TABLE, U1, sort_operator=operator, sort_value=value, sort_value2=value2)
    result = run_query(client, spec)
    assert result.error_code is None, result.error_message
    expected = [sk for sk in U1_SKS if keep(sk)]
    assert expected  # the case tests something
    assert sks(result.items) == expected
    assert result.count == result.scanned_count == len(expected)
    assert result.last_evaluated_key is None


def test_partition_only_returns_the_whole_collection_in_key_order(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, U1))
    assert sks(result.items) == U1_SKS
    assert list(result.frame()["SK"]) == U1_SKS


def test_newest_first_reverses_the_order(client: Any) -> None:
    spec = QuerySpec(TABLE, U1, sort_operator="begins_with", sort_value="POST#", newest_first=True)
    result = run_query(client, spec)
    assert result.params["ScanIndexForward"] is False
    assert sks(result.items) == U1_POSTS[::-1]
    assert list(result.frame()["SK"]) == U1_POSTS[::-1]  # frame keeps DynamoDB's order


@pytest.mark.parametrize("limit", [4, 5])
def test_limit_and_paging_to_the_end(client: Any, limit: int) -> None:
    spec = QuerySpec(TABLE, U1, limit=limit)
    seen: list[str] = []
    result = run_query(client, spec)
    pages = 1
    while True:
        assert result.error_code is None, result.error_message
        assert result.count <= limit
        seen.extend(sks(result.items))
        if result.last_evaluated_key is None:
            break
        assert "LastEvaluatedKey: {" in result.status_line()
        result = run_query(
            client, QuerySpec(TABLE, U1, limit=limit, exclusive_start_key=result.last_evaluated_key)
        )
        assert result.params["ExclusiveStartKey"]
        pages += 1
        assert pages < 10
    assert seen == U1_SKS
    assert len(set(seen)) == len(seen)
    assert pages >= len(U1_SKS) // limit
    assert result.status_line().endswith("LastEvaluatedKey: none (last page)")


def test_status_line_shows_the_plain_key(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, U1, limit=3))
    assert result.status_line() == (
        'Count: 3 · ScannedCount: 3 · LastEvaluatedKey: {"PK": "USER#u1", "SK": "POST#01"}'
    )
    assert result.last_evaluated_key == {"PK": {"S": U1}, "SK": {"S": "POST#01"}}


def test_filter_on_reserved_word_reduces_count_not_scanned_count(client: Any) -> None:
    spec = QuerySpec(
        TABLE,
        U1,
        sort_operator="begins_with",
        sort_value="POST#",
        filter_attribute="status",
        filter_value="draft",
    )
    result = run_query(client, spec)
    assert result.error_code is None, result.error_message
    assert result.params["FilterExpression"] == "#f0 = :f0"
    assert result.params["ExpressionAttributeNames"]["#f0"] == "status"
    assert sks(result.items) == ["POST#03", "POST#06", "POST#09", "POST#12"]
    assert result.count == 4
    assert result.scanned_count == 12
    assert result.status_line().startswith("Count: 4 · ScannedCount: 12 · ")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        (">", "10", ["POST#11", "POST#12"]),
        # An item without "likes" is "not equal to 1": moto keeps it (as DynamoDB does, I believe).
        ("<>", "1", [sk for sk in U1_SKS if sk != "POST#01"]),
        ("attribute_exists", "", U1_POSTS),
        ("attribute_not_exists", "", ["FOLLOW#u2", "FOLLOW#u3", "PROFILE"]),
    ],
)
def test_number_and_existence_filters(
    client: Any, operator: str, value: str, expected: list[str]
) -> None:
    spec = QuerySpec(
        TABLE, U1, filter_attribute="likes", filter_operator=operator, filter_value=value
    )
    result = run_query(client, spec)
    assert result.error_code is None, result.error_message
    assert sks(result.items) == sorted(expected)
    assert result.scanned_count == len(U1_SKS)
    if value:
        assert result.params["ExpressionAttributeValues"][":f0"] == {"N": value}
    else:
        assert ":f0" not in result.params["ExpressionAttributeValues"]


def test_contains_on_a_string_set(client: Any) -> None:
    spec = QuerySpec(
        TABLE, U1, filter_attribute="interests", filter_operator="contains", filter_value="chess"
    )
    result = run_query(client, spec)
    assert sks(result.items) == ["PROFILE"]
    assert result.params["FilterExpression"] == "contains(#f0, :f0)"


def test_number_sort_key_compares_numerically(client: Any) -> None:
    result = run_query(client, QuerySpec(SCORES, "g1", sort_operator=">", sort_value="4"))
    assert [Decimal(item["score"]["N"]) for item in result.items] == [5, 9, 10, 100]
    between = run_query(
        client,
        QuerySpec(SCORES, "g1", sort_operator="BETWEEN", sort_value="-3", sort_value2="9"),
    )
    assert [Decimal(i["score"]["N"]) for i in between.items] == [-3, Decimal("2.5"), 5, 9]
    assert between.params["ExpressionAttributeValues"][":sk2"] == {"N": "9"}
    assert list(between.frame()["score"]) == [-3, Decimal("2.5"), 5, 9]


def test_bad_number_is_invalid_input(client: Any) -> None:
    result = run_query(client, QuerySpec(SCORES, "g1", sort_operator="=", sort_value="abc"))
    assert result.error_code == "InvalidInput"
    assert result.error_message == 'Sort key "score" is a Number; "abc" is not a number.'
    assert result.params == {}
    assert result.code == ""
    assert result.status_line() == f"InvalidInput: {result.error_message}"


def test_begins_with_on_a_number_key_is_invalid_input(client: Any) -> None:
    result = run_query(client, QuerySpec(SCORES, "g1", sort_operator="begins_with", sort_value="1"))
    assert result.error_code == "InvalidInput"
    assert "begins_with works on String and Binary sort keys" in (result.error_message or "")


def test_gsi_query(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, "STATUS#draft", index="GSI1"))
    assert result.error_code is None, result.error_message
    assert result.params["IndexName"] == "GSI1"
    expected = sorted(
        f"{user}#{n:02d}"
        for user, posts in (("u1", 12), ("u2", 5), ("u3", 8))
        for n in range(1, posts + 1)
        if n % 3 == 0
    )
    assert [item["GSI1SK"]["S"] for item in result.items] == expected
    assert list(result.frame().columns)[:4] == ["GSI1PK", "GSI1SK", "PK", "SK"]


def test_hash_only_gsi(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, "grace", index="GSI2"))
    assert result.items == [
        {"PK": {"S": "USER#u2"}, "SK": {"S": "PROFILE"}, "GSI2PK": {"S": "grace"}}
    ]
    with_sort = run_query(
        client, QuerySpec(TABLE, "grace", index="GSI2", sort_operator="=", sort_value="x")
    )
    assert with_sort.error_code == "InvalidInput"
    assert "GSI2 has no sort key" in (with_sort.error_message or "")


def test_consistent_read_on_a_gsi_is_rejected(client: Any) -> None:
    description = client.describe_table(TableName=TABLE)["Table"]
    gsi = key_schemas(description)[1]
    spec = QuerySpec(TABLE, "STATUS#draft", index="GSI1", consistent_read=True)
    with pytest.raises(
        ValueError, match="^Global secondary indexes support only eventually consistent reads"
    ):
        build_query(spec, gsi)
    result = run_query(client, spec, description)
    assert result.error_code == "InvalidInput"
    assert (result.error_message or "").startswith(
        "Global secondary indexes support only eventually consistent reads"
    )


def test_consistent_read_on_the_table(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, U1, consistent_read=True, limit=1))
    assert result.params["ConsistentRead"] is True
    assert result.count == 1


def test_missing_table_is_reported_not_raised(client: Any) -> None:
    result = run_query(client, QuerySpec("Nope", "x"))
    assert result.error_code == "ResourceNotFoundException"
    assert result.error_message
    assert result.items == [] and result.last_evaluated_key is None


def test_service_error_from_the_query_keeps_the_call(client: Any) -> None:
    description = dict(client.describe_table(TableName=TABLE)["Table"], TableName="Gone")
    result = run_query(client, QuerySpec("Gone", U1), description)  # described, yet missing
    assert result.error_code == "ResourceNotFoundException"
    assert result.params["TableName"] == "Gone"
    assert result.code.startswith("client.query(")


def test_unknown_index_is_invalid_input(client: Any) -> None:
    result = run_query(client, QuerySpec(TABLE, "x", index="GSI9"))
    assert result.error_code == "InvalidInput"
    assert result.error_message == 'Table "Lab" has no index named "GSI9".'


# --- build_query without a service --------------------------------------------------------------

TABLE_KEY = KeySchemaInfo("Lab", None, "PK", "S", "SK", "S")
GSI_KEY = KeySchemaInfo("GSI1", "GSI1", "GSI1PK", "S", "GSI1SK", "S", "GSI")


def test_build_query_full_parameter_order() -> None:
    spec = QuerySpec(
        TABLE,
        "STATUS#draft",
        index="GSI1",
        sort_operator="BETWEEN",
        sort_value="a",
        sort_value2="b",
        newest_first=True,
        limit=10,
        filter_attribute="status",
        filter_operator="begins_with",
        filter_value="dr",
        exclusive_start_key={"PK": {"S": "x"}},
    )
    params = build_query(spec, GSI_KEY)
    assert list(params) == [
        "TableName",
        "IndexName",
        "KeyConditionExpression",
        "FilterExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ScanIndexForward",
        "Limit",
        "ExclusiveStartKey",
    ]
    assert params["KeyConditionExpression"] == "#pk = :pk AND #sk BETWEEN :sk AND :sk2"
    assert params["FilterExpression"] == "begins_with(#f0, :f0)"
    assert params["ExpressionAttributeNames"] == {"#pk": "GSI1PK", "#sk": "GSI1SK", "#f0": "status"}
    assert params["ExpressionAttributeValues"] == {
        ":pk": {"S": "STATUS#draft"},
        ":sk": {"S": "a"},
        ":sk2": {"S": "b"},
        ":f0": {"S": "dr"},
    }
    code = render_call("query", params)
    tree = ast.parse(code)
    assert isinstance(tree.body[0], ast.Expr)


def test_build_query_minimal() -> None:
    assert build_query(QuerySpec(TABLE, U1), TABLE_KEY) == {
        "TableName": TABLE,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": "PK"},
        "ExpressionAttributeValues": {":pk": {"S": U1}},
    }


def test_build_query_binary_and_number_partition_keys() -> None:
    binary = KeySchemaInfo("T", None, "id", "B", None, None)
    assert build_query(QuerySpec("T", "ab"), binary)["ExpressionAttributeValues"] == {
        ":pk": {"B": b"ab"}
    }
    number = KeySchemaInfo("T", None, "id", "N", None, None)
    assert build_query(QuerySpec("T", " 42 "), number)["ExpressionAttributeValues"] == {
        ":pk": {"N": "42"}
    }
    with pytest.raises(ValueError, match='^Partition key "id" is a Number; "4_2" is not a number'):
        build_query(QuerySpec("T", "4_2"), number)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (QuerySpec(TABLE, ""), "Enter a partition key value"),
        (QuerySpec(TABLE, U1, sort_operator="="), "Enter a sort key value"),
        (QuerySpec(TABLE, U1, sort_operator="BETWEEN", sort_value="a"), "BETWEEN needs two"),
        (
            QuerySpec(TABLE, U1, sort_operator="BETWEEN", sort_value="b", sort_value2="a"),
            "BETWEEN needs the lower bound first",
        ),
        (QuerySpec(TABLE, U1, sort_operator="!="), "is not a sort key operator"),
        (QuerySpec(TABLE, U1, limit=0), "Limit must be between 1 and 1000"),
        (QuerySpec(TABLE, U1, limit=1001), "Limit must be between 1 and 1000"),
        (QuerySpec(TABLE, U1, filter_attribute="x", filter_operator="~"), "not a filter operator"),
        (QuerySpec(TABLE, U1, filter_attribute="x"), 'Enter a value to compare "x" with'),
        (QuerySpec(TABLE, U1, index="GSI1"), "The key schema is for 'Lab'"),
    ],
)
def test_build_query_rejects_bad_input(spec: QuerySpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_query(spec, TABLE_KEY)


def test_filter_values_number_or_string() -> None:
    def value_of(text: str) -> Any:
        spec = QuerySpec(TABLE, U1, filter_attribute="a", filter_value=text)
        return build_query(spec, TABLE_KEY)["ExpressionAttributeValues"][":f0"]

    assert value_of("5") == {"N": "5"}
    assert value_of("-1.5e3") == {"N": "-1.5e3"}
    assert value_of("1_000") == {"S": "1_000"}
    assert value_of("NaN") == {"S": "NaN"}
    assert value_of("ada") == {"S": "ada"}


def test_every_filter_operator_builds() -> None:
    for operator in FILTER_OPERATORS:
        spec = QuerySpec(
            TABLE, U1, filter_attribute="a", filter_operator=operator, filter_value="1"
        )
        assert "#f0" in build_query(spec, TABLE_KEY)["FilterExpression"]
