"""Tests for ddb_lab.display: deterministic item frames, table summaries and calls as code."""

from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from boto3.dynamodb.types import Binary, TypeSerializer

from ddb_lab.display import (
    format_value,
    items_frame,
    render_call,
    summary_frame,
    table_summary,
)

_serializer = TypeSerializer()


def low_level(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


RESOURCE_ITEMS: list[dict[str, Any]] = [
    {
        "PK": "USER#u0002",
        "SK": "PROFILE",
        "username": "grace",
        "interests": {"navy", "cobol"},
        "followers_count": Decimal("12"),
    },
    {
        "PK": "USER#u0001",
        "SK": "PROFILE",
        "username": "ada",
        "interests": {"chess", "ai"},
        "followers_count": Decimal("3"),
        "rating": Decimal("4.75"),
    },
    {"PK": "USER#u0001", "SK": "POST#2025-01-02", "title": "Engines", "likes": Decimal("7")},
]


# --- items_frame --------------------------------------------------------------------------------


def test_columns_keys_first_then_sorted() -> None:
    frame = items_frame(RESOURCE_ITEMS)
    assert list(frame.columns) == [
        "PK",
        "SK",
        "followers_count",
        "interests",
        "likes",
        "rating",
        "title",
        "username",
    ]


def test_rows_sorted_by_keys_with_range_index() -> None:
    frame = items_frame(RESOURCE_ITEMS)
    assert list(zip(frame["PK"], frame["SK"], strict=True)) == [
        ("USER#u0001", "POST#2025-01-02"),
        ("USER#u0001", "PROFILE"),
        ("USER#u0002", "PROFILE"),
    ]
    assert isinstance(frame.index, pd.RangeIndex)
    assert list(frame.index) == [0, 1, 2]


def test_sort_false_keeps_the_given_order() -> None:
    frame = items_frame(RESOURCE_ITEMS, sort=False)
    assert list(frame["username"]) == ["grace", "ada", ""]


def test_missing_attributes_are_empty_strings_not_nan() -> None:
    frame = items_frame(RESOURCE_ITEMS)
    assert frame.loc[0, "username"] == ""
    assert frame.loc[0, "rating"] == ""
    assert not frame.isna().any().any()
    assert "NaN" not in frame.to_html()


def test_low_level_items_match_resource_items() -> None:
    from_resource = items_frame(RESOURCE_ITEMS)
    from_low_level = items_frame([low_level(item) for item in RESOURCE_ITEMS])
    pd.testing.assert_frame_equal(from_resource, from_low_level)
    assert from_low_level.to_html() == from_resource.to_html()


def test_low_level_detection_lowercase_keys() -> None:
    frame = items_frame([{"pk": {"S": "x"}, "n": {"N": "2"}}])
    assert list(frame.columns) == ["n", "pk"]
    assert frame.loc[0, "pk"] == "x"
    assert frame.loc[0, "n"] == 2


def test_sets_are_sorted_whatever_the_insertion_order() -> None:
    first = items_frame([{"PK": "a", "tags": {"chess", "ai", "go", "zen"}}])
    second = items_frame([{"PK": "a", "tags": {"zen", "go", "ai", "chess"}}])
    assert first.loc[0, "tags"] == "{'ai', 'chess', 'go', 'zen'}"
    pd.testing.assert_frame_equal(first, second)
    reordered = items_frame([{"PK": {"S": "a"}, "tags": {"SS": ["zen", "go", "chess", "ai"]}}])
    assert reordered.loc[0, "tags"] == "{'ai', 'chess', 'go', 'zen'}"


def test_number_and_binary_sets() -> None:
    frame = items_frame(
        [{"PK": {"S": "a"}, "ns": {"NS": ["10", "9", "1.5"]}, "bs": {"BS": [b"b", b"a"]}}]
    )
    assert frame.loc[0, "ns"] == "{1.5, 9, 10}"
    assert frame.loc[0, "bs"] == "{b'a', b'b'}"


def test_decimals_integral_to_int_else_exact_decimal() -> None:
    frame = items_frame(
        [
            {
                "PK": "a",
                "whole": Decimal("3"),
                "big": Decimal("1E+2"),
                "half": Decimal("1.50"),
                "precise": Decimal("0.1234567890123456789012345678901234567"),
            }
        ]
    )
    assert frame.loc[0, "whole"] == 3 and type(frame.loc[0, "whole"]) is int
    assert frame.loc[0, "big"] == 100 and type(frame.loc[0, "big"]) is int
    assert frame.loc[0, "half"] == Decimal("1.50")
    assert str(frame.loc[0, "half"]) == "1.50"
    assert str(frame.loc[0, "precise"]) == "0.1234567890123456789012345678901234567"


def test_binary_bool_null_maps_and_lists() -> None:
    frame = items_frame(
        [
            {
                "PK": "a",
                "blob": Binary(b"\x00ab"),
                "raw": b"xy",
                "flag": True,
                "nothing": None,
                "doc": {"b": [Decimal("1"), {"x", "a"}, "s"], "a": None, "c": False},
            }
        ]
    )
    row = frame.loc[0]
    assert row["blob"] == "b'\\x00ab'"
    assert row["raw"] == "b'xy'"
    assert row["flag"] is True
    assert row["nothing"] is None
    assert row["doc"] == '{"a": null, "b": [1, {"a", "x"}, "s"], "c": false}'


def test_key_order_and_missing_keys_sort_last() -> None:
    items = [
        {"PK": "p", "SK": "2", "GSI1PK": "g"},
        {"PK": "p", "SK": "1"},
        {"PK": "p", "SK": "3", "GSI1PK": "a"},
    ]
    frame = items_frame(items, key_order=["GSI1PK", "PK", "SK", "absent"])
    assert list(frame.columns) == ["GSI1PK", "PK", "SK"]
    assert list(frame["SK"]) == ["3", "2", "1"]
    assert list(frame["GSI1PK"]) == ["a", "g", ""]


def test_numeric_keys_sort_numerically() -> None:
    items = [{"PK": "p", "SK": Decimal(n)} for n in ("10", "9", "-1", "2.5")]
    assert list(items_frame(items)["SK"]) == [-1, Decimal("2.5"), 9, 10]


def test_no_pk_sk_means_no_key_columns_and_input_order() -> None:
    frame = items_frame([{"b": "1", "a": "2"}, {"a": "1"}])
    assert list(frame.columns) == ["a", "b"]
    assert list(frame["a"]) == ["2", "1"]


def test_empty_input() -> None:
    frame = items_frame([])
    assert frame.empty
    assert list(frame.columns) == []
    assert len(frame) == 0


def test_output_is_identical_across_calls() -> None:
    assert items_frame(RESOURCE_ITEMS).to_html() == items_frame(list(RESOURCE_ITEMS)).to_html()


def test_format_value() -> None:
    assert format_value('a"b') == '"a\\"b"'
    assert format_value(Decimal("2")) == "2"
    assert format_value({"z": {"n": Decimal("1.5")}, "a": [True, None]}) == (
        '{"a": [true, null], "z": {"n": 1.5}}'
    )
    assert format_value(set()) == "set()"


# --- table_summary -----------------------------------------------------------------------------

DESCRIPTION: dict[str, Any] = {
    "AttributeDefinitions": [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
        {"AttributeName": "GSI1PK", "AttributeType": "S"},
        {"AttributeName": "GSI1SK", "AttributeType": "S"},
        {"AttributeName": "GSI2PK", "AttributeType": "S"},
        {"AttributeName": "GSI3PK", "AttributeType": "S"},
        {"AttributeName": "GSI3SK", "AttributeType": "N"},
        {"AttributeName": "created", "AttributeType": "N"},
    ],
    "TableName": "SocialApp",
    "KeySchema": [
        {"AttributeName": "SK", "KeyType": "RANGE"},
        {"AttributeName": "PK", "KeyType": "HASH"},
    ],
    "TableStatus": "ACTIVE",
    "CreationDateTime": "2025-01-01T00:00:00Z",
    "ProvisionedThroughput": {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 2,
    },
    "TableSizeBytes": 1234,
    "ItemCount": 42,
    "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/SocialApp",
    "LocalSecondaryIndexes": [
        {
            "IndexName": "ByCreated",
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "created", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "IndexSizeBytes": 10,
        }
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "GSI3",
            "KeySchema": [
                {"AttributeName": "GSI3PK", "KeyType": "HASH"},
                {"AttributeName": "GSI3SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["username", "bio"]},
            "IndexStatus": "ACTIVE",
        },
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
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "LatestStreamLabel": "2025-01-01T00:00:00.000",
    "LatestStreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/SocialApp/stream/x",
}


def test_table_summary_fields_and_order() -> None:
    summary = table_summary(DESCRIPTION)
    assert summary == {
        "TableName": "SocialApp",
        "TableStatus": "ACTIVE",
        "KeySchema": "PK (HASH, S), SK (RANGE, S)",
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": "5 RCU / 2 WCU",
        "ItemCount": 42,
        "GSI1": "GSI1PK (HASH, S), GSI1SK (RANGE, S) · ALL",
        "GSI2": "GSI2PK (HASH, S) · KEYS_ONLY",
        "GSI3": "GSI3PK (HASH, S), GSI3SK (RANGE, N) · INCLUDE (bio, username)",
        "ByCreated": "PK (HASH, S), created (RANGE, N) · KEYS_ONLY",
        "StreamSpecification": "enabled (NEW_AND_OLD_IMAGES)",
    }
    assert list(summary) == [
        "TableName",
        "TableStatus",
        "KeySchema",
        "BillingMode",
        "ProvisionedThroughput",
        "ItemCount",
        "GSI1",
        "GSI2",
        "GSI3",
        "ByCreated",
        "StreamSpecification",
    ]
    text = repr(summary)
    for unstable in ("arn:", "2025-", "1234"):
        assert unstable not in text


def test_table_summary_on_demand_without_indexes() -> None:
    description = {
        "TableName": "T",
        "TableStatus": "ACTIVE",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "ItemCount": 0,
        "GlobalSecondaryIndexes": [],
        "StreamSpecification": {"StreamEnabled": False},
    }
    assert table_summary(description) == {
        "TableName": "T",
        "TableStatus": "ACTIVE",
        "KeySchema": "id (HASH, B)",
        "BillingMode": "PAY_PER_REQUEST",
        "ItemCount": 0,
        "StreamSpecification": "disabled",
    }


def test_summary_frame() -> None:
    frame = summary_frame(DESCRIPTION)
    assert list(frame.columns) == ["field", "value"]
    assert list(frame["field"])[:3] == ["TableName", "TableStatus", "KeySchema"]
    assert frame.loc[0, "value"] == "SocialApp"
    assert list(frame.index) == list(range(len(frame)))


# --- render_call --------------------------------------------------------------------------------

QUERY_PARAMS: dict[str, Any] = {
    "TableName": "SocialApp",
    "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
    "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK"},
    "ExpressionAttributeValues": {":pk": {"S": "USER#u0001"}, ":sk": {"S": "POST#"}},
    "ScanIndexForward": False,
    "Limit": 10,
}


def keywords(code: str) -> dict[str, ast.expr]:
    tree = ast.parse(code, mode="eval")
    assert isinstance(tree.body, ast.Call)
    return {kw.arg: kw.value for kw in tree.body.keywords if kw.arg is not None}


def test_render_call_matches_the_course_style() -> None:
    assert render_call("Query", QUERY_PARAMS) == (
        "client.query(\n"
        '    TableName="SocialApp",\n'
        '    KeyConditionExpression="#pk = :pk AND begins_with(#sk, :sk)",\n'
        '    ExpressionAttributeNames={"#pk": "PK", "#sk": "SK"},\n'
        '    ExpressionAttributeValues={":pk": {"S": "USER#u0001"}, ":sk": {"S": "POST#"}},\n'
        "    ScanIndexForward=False,\n"
        "    Limit=10,\n"
        ")"
    )


@pytest.mark.parametrize(
    ("operation", "method"),
    [
        ("Query", "query"),
        ("query", "query"),
        ("BatchWriteItem", "batch_write_item"),
        ("TransactWriteItems", "transact_write_items"),
        ("describe_table", "describe_table"),
    ],
)
def test_render_call_method_names(operation: str, method: str) -> None:
    assert render_call(operation, {}, target="dynamodb") == f"dynamodb.{method}()"


TRICKY_STRINGS = [
    'say "hi"',
    "it's",
    "back\\slash",
    "line\nbreak\ttab\r",
    "nul\x00bell\x07",
    "unicode ✓ ü 日本",
    "\u2028separator",
    "\ud800 lone surrogate",
    "",
]


def test_render_call_round_trips_through_literal_eval() -> None:
    params: dict[str, Any] = {
        "TableName": "SocialApp",
        "Item": {f"s{i}": {"S": text} for i, text in enumerate(TRICKY_STRINGS)},
        "Blob": {"B": b"\x00\xff'\"\\"},
        "Flags": [True, False, None, 0, -12, 1.5],
        "Nested": {"L": [{"M": {"a": {"N": "1"}}}, {"SS": ["x", "y"]}], "T": (1,)},
        "Empty": {},
    }
    code = render_call("PutItem", params)
    found = keywords(code)
    assert list(found) == list(params)
    for name, node in found.items():
        assert ast.literal_eval(node) == params[name], name


def test_render_call_decimal_round_trips_with_namespace() -> None:
    params = {"Item": {"price": Decimal("1.5"), "tags": {"b", "a"}}, "N": Decimal("-1E+3")}
    code = render_call("put_item", params, target="table")
    assert 'Decimal("1.5")' in code
    assert '{"a", "b"}' in code
    assert eval(code.replace("table.put_item", "dict", 1), {"Decimal": Decimal}) == params


def test_render_call_wraps_long_values_and_keeps_lines_short() -> None:
    params = {
        "RequestItems": {
            "SocialApp": [
                {"PutRequest": {"Item": {"PK": {"S": f"USER#u000{i}"}, "SK": {"S": "PROFILE"}}}}
                for i in range(3)
            ]
        }
    }
    code = render_call("BatchWriteItem", params)
    assert max(len(line) for line in code.splitlines()) < 88
    assert code.splitlines()[1] == "    RequestItems={"
    assert ast.literal_eval(keywords(code)["RequestItems"]) == params["RequestItems"]


def test_render_call_rejects_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="not a valid keyword"):
        render_call("query", {"not valid": 1})
    with pytest.raises(TypeError, match="object"):
        render_call("query", {"X": object()})
