"""Engine tests for ddb_lab.datasets.load_social: the sample data written into moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from moto import mock_aws

from ddb_lab import datasets
from ddb_lab.datasets import (
    SOCIAL_TABLE,
    LoadReport,
    generate_social,
    load_social,
    social_table_definition,
)
from ddb_lab.facts import BATCH_WRITE_MAX_ITEMS

_DESERIALIZER = TypeDeserializer()


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record backoff waits instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr(datasets, "_sleep", waits.append)
    return waits


def scan_count(client: Any, table_name: str = SOCIAL_TABLE) -> int:
    paginator = client.get_paginator("scan")
    return sum(page["Count"] for page in paginator.paginate(TableName=table_name, Select="COUNT"))


def from_low_level(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def test_load_small_writes_every_item(client: Any) -> None:
    dataset = generate_social("small")
    report = load_social(client, "small", progress=False)
    assert report == LoadReport(
        table_name=SOCIAL_TABLE,
        items=len(dataset.items),
        batches=ceil_div(len(dataset.items), BATCH_WRITE_MAX_ITEMS),
        retries=0,
    )
    assert client.describe_table(TableName=SOCIAL_TABLE)["Table"]["TableStatus"] == "ACTIVE"
    assert scan_count(client) == len(dataset.items)


def test_get_item_round_trips_a_profile(client: Any) -> None:
    load_social(client, "small", progress=False)
    dataset = generate_social("small")
    profile = next(user for user in dataset.users() if "interests" in user)
    response = client.get_item(
        TableName=SOCIAL_TABLE, Key={"PK": {"S": profile["PK"]}, "SK": {"S": "PROFILE"}}
    )
    stored = response["Item"]
    assert "SS" in stored["interests"]
    assert from_low_level(stored) == profile
    assert isinstance(from_low_level(stored)["interests"], set)


def test_created_table_has_the_indexes(client: Any) -> None:
    load_social(client, "tiny", progress=False)
    table = client.describe_table(TableName=SOCIAL_TABLE)["Table"]
    projections = {
        index["IndexName"]: index["Projection"]["ProjectionType"]
        for index in table["GlobalSecondaryIndexes"]
    }
    assert projections == {"GSI1": "ALL", "GSI2": "KEYS_ONLY", "GSI3": "INCLUDE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_gsi2_lookup_by_username_returns_only_keys(client: Any) -> None:
    load_social(client, "small", progress=False)
    user = generate_social("small").users()[3]
    response = client.query(
        TableName=SOCIAL_TABLE,
        IndexName="GSI2",
        KeyConditionExpression="GSI2PK = :u",
        ExpressionAttributeValues={":u": {"S": f"USERNAME#{user['username']}"}},
    )
    assert response["Count"] == 1
    (item,) = response["Items"]
    assert set(item) == {"PK", "SK", "GSI2PK"}
    assert item["PK"] == {"S": user["PK"]}


def test_gsi1_posts_newest_first(client: Any) -> None:
    load_social(client, "small", progress=False)
    dataset = generate_social("small")
    response = client.query(
        TableName=SOCIAL_TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :e",
        ExpressionAttributeValues={":e": {"S": "POST"}},
        ScanIndexForward=False,
        Limit=10,
    )
    items = [from_low_level(item) for item in response["Items"]]
    assert len(items) == 10
    assert {item["entity"] for item in items} == {"POST"}
    stamps = [item["created_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    newest = sorted((post["created_at"] for post in dataset.posts()), reverse=True)[:10]
    assert stamps == newest
    assert "content" in items[0]  # projection ALL


def test_gsi3_include_projection(client: Any) -> None:
    load_social(client, "small", progress=False)
    response = client.query(
        TableName=SOCIAL_TABLE,
        IndexName="GSI3",
        KeyConditionExpression="GSI3PK = :s",
        ExpressionAttributeValues={":s": {"S": "STATUS#active"}},
    )
    assert response["Count"] > 0
    allowed = {"PK", "SK", "GSI3PK", "GSI3SK", "entity", "user_id", "post_id", "username"}
    for item in response["Items"]:
        assert set(item) <= allowed
        assert item["entity"] == {"S": "USER"}
        assert "username" in item


def test_loading_into_existing_table_with_create(client: Any) -> None:
    client.create_table(**social_table_definition())
    first = load_social(client, "tiny", progress=False)
    second = load_social(client, "tiny", progress=False)  # table already there: no error
    assert first == second
    assert scan_count(client) == len(generate_social("tiny").items)


def test_custom_table_name(client: Any) -> None:
    report = load_social(client, "tiny", table_name="Social2", progress=False)
    assert report.table_name == "Social2"
    assert scan_count(client, "Social2") == report.items
    assert SOCIAL_TABLE not in client.list_tables()["TableNames"]


def test_create_false_on_missing_table_raises(client: Any) -> None:
    with pytest.raises(ClientError) as info:
        load_social(client, "tiny", create=False, progress=False)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_unprocessed_items_are_retried(
    client: Any, monkeypatch: pytest.MonkeyPatch, no_backoff_sleep: list[float]
) -> None:
    real = client.batch_write_item
    calls: list[int] = []

    def flaky(**kwargs: Any) -> dict[str, Any]:
        calls.append(sum(len(reqs) for reqs in kwargs["RequestItems"].values()))
        if len(calls) > 1:
            return dict(real(**kwargs))
        # First call: write the first 5 requests and hand the rest back, as a throttled
        # DynamoDB would.
        ((table, requests),) = kwargs["RequestItems"].items()
        real(RequestItems={table: requests[:5]})
        return {"UnprocessedItems": {table: requests[5:]}}

    monkeypatch.setattr(client, "batch_write_item", flaky)
    dataset = generate_social("tiny")
    report = load_social(client, "tiny", progress=False)
    assert report.retries >= 1
    assert report.items == len(dataset.items)
    assert calls[1] == BATCH_WRITE_MAX_ITEMS - 5  # the retry resends only the unprocessed
    assert len(calls) == report.batches + report.retries
    assert no_backoff_sleep and no_backoff_sleep[0] > 0
    assert scan_count(client) == len(dataset.items)


def test_backoff_grows_and_gives_up(
    client: Any, monkeypatch: pytest.MonkeyPatch, no_backoff_sleep: list[float]
) -> None:
    def never(**kwargs: Any) -> dict[str, Any]:
        return {"UnprocessedItems": kwargs["RequestItems"]}

    load_social(client, "tiny", progress=False)  # creates the table
    monkeypatch.setattr(client, "batch_write_item", never)
    with pytest.raises(RuntimeError, match="unprocessed"):
        load_social(client, "tiny", progress=False)
    assert len(no_backoff_sleep) >= 2
    assert no_backoff_sleep == sorted(no_backoff_sleep)
    assert no_backoff_sleep[1] > no_backoff_sleep[0]


def test_progress_bar_forced_on(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    load_social(client, "tiny", progress=True)
    err = capsys.readouterr().err
    assert "item" in err
    assert f"{len(generate_social('tiny').items)}/" in err


def test_progress_bar_forced_off(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    load_social(client, "tiny", progress=False)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_progress_default_depends_on_item_count(
    client: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_social(client, "tiny")  # 66 items: below the threshold, no bar
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(datasets, "PROGRESS_MIN_ITEMS", 10)
    load_social(client, "tiny")
    assert "item" in capsys.readouterr().err


def test_create_waits_with_table_exists_waiter(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = client.get_waiter
    waited: list[str] = []

    def spy(name: str) -> Any:
        waited.append(name)
        return real(name)

    monkeypatch.setattr(client, "get_waiter", spy)
    load_social(client, "tiny", progress=False)
    assert waited == ["table_exists"]
