"""Batches in the lab: DynamoDB's request limits and partial results, where moto differs.

BatchWriteItem: 25 requests (``batch_write_limits``) and 16 MB per request (``batch_limits``).
BatchGetItem: 100 keys per call, in DynamoDB's words (``batch_limits``), and a partial result
with UnprocessedKeys past 16 MB of items (moto does this itself; the test keeps it so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from engine_helpers import outcome, switched_off

from ddb_lab import facts


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    return make_table("T", sk=None)


def _put(n: int, body: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": f"k{n:03d}"}}
    if body:
        item["body"] = {"S": body}
    return {"PutRequest": {"Item": item}}


# --- BatchWriteItem ------------------------------------------------------------------------------


def test_26_writes_are_rejected_25_accepted(lab: Any, table: str) -> None:
    too_many = lambda: lab.client.batch_write_item(  # noqa: E731
        RequestItems={table: [_put(n) for n in range(26)]}
    )
    assert outcome(too_many) == (
        "ValidationException",
        facts.MSG_BATCH_WRITE_TABLE_LIMIT.format(table=table, count=26),
    )
    with switched_off(lab, "batch_write_limits"):
        assert outcome(too_many) == ("OK", None)  # moto alone writes all 26
    lab.reset()
    lab.client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    response = lab.client.batch_write_item(
        RequestItems={table: [_put(n) for n in range(facts.BATCH_WRITE_MAX_ITEMS)]}
    )
    assert response["UnprocessedItems"] == {}


def test_a_batch_write_request_over_16_mb_is_rejected(lab: Any, table: str) -> None:
    # 25 items of 200,000 two-byte characters: 400,000 bytes each (legal), but boto3 sends
    # each character as a 6-byte JSON escape, so the request is about 30 MB on the wire.
    body = "é" * 200_000
    requests = [_put(n, body) for n in range(25)]
    call = lambda: lab.client.batch_write_item(RequestItems={table: requests})  # noqa: E731
    assert outcome(call) == ("ValidationException", facts.MSG_BATCH_WRITE_TOO_LARGE)
    assert lab.client.scan(TableName=table, Select="COUNT")["Count"] == 0
    with switched_off(lab, "batch_limits"):
        assert outcome(call) == ("OK", None)  # moto alone writes them


def test_a_batch_write_of_10_mb_of_items_is_accepted(lab: Any, table: str) -> None:
    body = "x" * (395 * 1024)  # under moto's own item limit (405,000 bytes)
    response = lab.client.batch_write_item(RequestItems={table: [_put(n, body) for n in range(25)]})
    assert response["UnprocessedItems"] == {}


def test_throttled_batch_write_returns_unprocessed_items(lab: Any) -> None:
    lab.client.create_table(
        TableName="Slow",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    lab.enable_throttling()
    once = lab.new_client(config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    response = once.batch_write_item(RequestItems={"Slow": [_put(n) for n in range(25)]})
    unprocessed = response["UnprocessedItems"].get("Slow", [])
    assert 0 < len(unprocessed) < 25
    written = lab.client.scan(TableName="Slow", Select="COUNT")["Count"]
    assert written + len(unprocessed) == 25


# --- BatchGetItem --------------------------------------------------------------------------------


def _keys(count: int) -> list[dict[str, Any]]:
    return [{"pk": {"S": f"k{n:03d}"}} for n in range(count)]


def test_101_keys_for_one_table_is_dynamodbs_error(lab: Any, table: str) -> None:
    call = lambda: lab.client.batch_get_item(  # noqa: E731
        RequestItems={table: {"Keys": _keys(101)}}
    )
    expected = ("ValidationException", facts.MSG_BATCH_GET_TABLE_LIMIT.format(table=table))
    assert outcome(call) == expected
    with switched_off(lab, "batch_limits"):
        code, message = outcome(call)
    assert code == "ValidationException"  # moto rejects too, with other casing
    assert message != expected[1]


def test_100_keys_are_accepted(lab: Any, table: str) -> None:
    response = lab.client.batch_get_item(RequestItems={table: {"Keys": _keys(100)}})
    assert response["Responses"][table] == []
    assert response["UnprocessedKeys"] == {}


def test_more_than_100_keys_over_two_tables_is_too_many(
    lab: Any, table: str, make_table: Callable[..., str]
) -> None:
    other = make_table("U", sk=None)
    call = lambda: lab.client.batch_get_item(  # noqa: E731
        RequestItems={table: {"Keys": _keys(60)}, other: {"Keys": _keys(60)}}
    )
    assert outcome(call) == (
        "ValidationException",
        "Too many items requested for the BatchGetItem call",
    )


def test_a_batch_get_past_16_mb_comes_back_partly_unprocessed(lab: Any, table: str) -> None:
    body = "x" * (300 * 1024)
    for start in range(0, 60, 25):
        lab.client.batch_write_item(
            RequestItems={table: [_put(n, body) for n in range(start, min(start + 25, 60))]}
        )
    response = lab.client.batch_get_item(RequestItems={table: {"Keys": _keys(60)}})
    returned = len(response["Responses"][table])
    unprocessed = len(response["UnprocessedKeys"][table]["Keys"])
    assert returned + unprocessed == 60
    assert unprocessed > 0
    assert returned * 300 * 1024 <= facts.BATCH_MAX_BYTES
