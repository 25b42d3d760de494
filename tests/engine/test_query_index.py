"""Partition queries answer exactly as moto does, only without reading the whole table.

The differential test generates tables (key types, a sort key or not, a GSI and an LSI, sparse
index keys, items of several sizes) and queries (key conditions of every operator, Limit,
ScanIndexForward, filters, projections, Select=COUNT, index queries, ConsumedCapacity, requests
moto rejects) from fixed seeds, follows every query's LastEvaluatedKey to the end, and compares
each page, or each error, with the answer of the same lab with ``partition_queries`` switched
off (moto's own ``Table.query``). Writes between the queries check that the partition view is
never out of step with the table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddb_lab.engine.query_index import PartitionQueries, PartitionView, partition_items

SEEDS = range(60)
QUERIES_PER_TABLE = 8
MAX_PAGES = 40
NAME = "partition_queries"


# --- generated tables -----------------------------------------------------------------------------


def _value(rng: random.Random, kind: str, pool: int) -> Any:
    """A key value of DynamoDB type ``kind`` drawn from ``pool`` distinct values."""
    n = rng.randrange(pool)
    if kind == "S":
        return {"S": rng.choice(["a", "b", "ab", "b#"]) + f"{n:03d}"}
    if kind == "N":
        return {"N": rng.choice([str(n - pool // 2), f"{n}.5", str(n * 10)])}
    return {"B": bytes([65 + n % 26, n % 7])}


def _index_value(rng: random.Random, kind: str, pool: int) -> Any:
    """An index key value; numbers are written two ways ("1" and "1.0" are the same number)."""
    n = rng.randrange(pool)
    if kind == "S":
        return {"S": f"g{n}"}
    if kind == "N":
        return {"N": rng.choice([str(n), f"{n}.0"])}
    return {"B": bytes([n])}


class Shape:
    """A generated table: its key types and indexes."""

    def __init__(self, rng: random.Random) -> None:
        self.hash_type = rng.choice("SNB")
        self.range_type = rng.choice(["S", "N", "B", None])
        self.gsi = rng.random() < 0.6
        self.gsi_range = self.gsi and rng.random() < 0.7
        self.gsi_hash_type = rng.choice("SNB")
        self.lsi = self.range_type is not None and rng.random() < 0.5
        self.partitions = rng.choice([1, 3, 8])
        self.big = rng.random() < 0.1  # items large enough for moto's 1 MB page

    def create(self, client: Any, name: str) -> None:
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        definitions = [{"AttributeName": "pk", "AttributeType": self.hash_type}]
        if self.range_type:
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
            definitions.append({"AttributeName": "sk", "AttributeType": self.range_type})
        extra: dict[str, Any] = {}
        if self.gsi:
            schema = [{"AttributeName": "g", "KeyType": "HASH"}]
            definitions.append({"AttributeName": "g", "AttributeType": self.gsi_hash_type})
            if self.gsi_range:
                schema.append({"AttributeName": "gs", "KeyType": "RANGE"})
                definitions.append({"AttributeName": "gs", "AttributeType": "N"})
            extra["GlobalSecondaryIndexes"] = [
                {"IndexName": "GIX", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}
            ]
        if self.lsi:
            definitions.append({"AttributeName": "l", "AttributeType": "N"})
            extra["LocalSecondaryIndexes"] = [
                {
                    "IndexName": "LIX",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "l", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ]
        client.create_table(
            TableName=name,
            KeySchema=keys,
            AttributeDefinitions=definitions,
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )

    def item(self, rng: random.Random) -> dict[str, Any]:
        item: dict[str, Any] = {"pk": _value(rng, self.hash_type, self.partitions)}
        if self.range_type:
            item["sk"] = _value(rng, self.range_type, 40)
        item["x"] = {"N": str(rng.randrange(-5, 20))}
        if rng.random() < 0.7:
            item["y"] = {"S": rng.choice(["red", "green", "blue"])}
        if self.gsi and rng.random() < 0.8:  # sparse: some items are not in the index
            item["g"] = _index_value(rng, self.gsi_hash_type, 2)
            if self.gsi_range and rng.random() < 0.9:
                item["gs"] = {"N": str(rng.randrange(30))}
        if self.lsi and rng.random() < 0.8:
            item["l"] = {"N": str(rng.randrange(10))}
        size = 30_000 if self.big else rng.choice([10, 200, 3_000])
        item["body"] = {"S": "p" * size}
        return item


# --- generated queries ----------------------------------------------------------------------------

_OPERATORS = ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]


def _key_condition(
    rng: random.Random, shape: Shape, index: str | None
) -> tuple[str, dict[str, Any]]:
    """A key condition (``#h``, ``#r``) on the table or an index, sometimes one moto rejects."""
    if index == "GIX":
        hash_value = _index_value(rng, shape.gsi_hash_type, 3)
        range_name, range_type = ("gs", "N") if shape.gsi_range else (None, None)
    else:
        hash_value = _value(rng, shape.hash_type, shape.partitions + 1)
        if index == "LIX":
            range_name, range_type = "l", "N"
        else:
            range_name, range_type = ("sk", shape.range_type) if shape.range_type else (None, None)
    values = {":h": hash_value}
    condition = "#h = :h"
    if range_name and range_type and rng.random() < 0.7:
        operator = rng.choice(_OPERATORS)
        pool = 40 if range_name == "sk" else 30
        low = _value(rng, range_type, pool)
        if operator == "BETWEEN":
            high = _value(rng, range_type, pool)
            values[":a"], values[":b"] = low, high
            condition += " AND #r BETWEEN :a AND :b"
        elif operator == "begins_with":
            if range_type == "S":
                low = {"S": rng.choice(["a", "b", "ab", "b#0"])}
            values[":a"] = low  # on a number, moto and DynamoDB reject it
            condition += " AND begins_with(#r, :a)"
        else:
            values[":a"] = low
            condition += f" AND #r {operator} :a"
        return condition, values
    return condition, values


def _names(condition: str, hash_name: str, range_name: str | None) -> dict[str, str]:
    names = {"#h": hash_name}
    if "#r" in condition and range_name:
        names["#r"] = range_name
    return names


def generate_query(rng: random.Random, table: str, shape: Shape) -> dict[str, Any]:
    """Query parameters drawn from what the table offers."""
    indexes = [None] + (["GIX"] if shape.gsi else []) + (["LIX"] if shape.lsi else [])
    index = rng.choice(indexes)
    condition, values = _key_condition(rng, shape, index)
    if index == "GIX":
        names = _names(condition, "g", "gs")
    elif index == "LIX":
        names = _names(condition, "pk", "l")
    else:
        names = _names(condition, "pk", "sk")
    params: dict[str, Any] = {"TableName": table, "KeyConditionExpression": condition}
    if index:
        params["IndexName"] = index
    if rng.random() < 0.5:
        params["Limit"] = rng.choice([1, 2, 3, 7])
    if rng.random() < 0.4:
        params["ScanIndexForward"] = False
    if rng.random() < 0.3 and index != "LIX":
        params["FilterExpression"] = "#x > :x"
        names["#x"] = "x"
        values[":x"] = {"N": str(rng.randrange(0, 15))}
    select = rng.random()
    if select < 0.15:
        params["Select"] = "COUNT"
    elif select < 0.35 and index != "LIX":
        params["ProjectionExpression"] = "#h, #y"
        names["#y"] = "y"
    params["ExpressionAttributeNames"] = names
    params["ExpressionAttributeValues"] = values
    params["ReturnConsumedCapacity"] = rng.choice(["NONE", "TOTAL", "INDEXES"])
    if rng.random() < 0.1:
        params["ConsistentRead"] = True  # rejected on a GSI
    if rng.random() < 0.05:
        params["IndexName"] = "Missing"  # rejected: no such index
    return params


# --- comparing answers ----------------------------------------------------------------------------


def _pages(client: Any, params: dict[str, Any]) -> list[Any]:
    """Every page of a query (following LastEvaluatedKey), or the error that ended it."""
    pages: list[Any] = []
    request = dict(params)
    for _ in range(MAX_PAGES):
        try:
            page = client.query(**request)
        except ClientError as error:
            pages.append(("error", error.response["Error"]["Code"], error.response["Error"]))
            return pages
        page.pop("ResponseMetadata", None)
        pages.append(page)
        last = page.get("LastEvaluatedKey")
        if last is None:
            return pages
        request["ExclusiveStartKey"] = last
    pytest.fail(f"more than {MAX_PAGES} pages for {params}")


@contextmanager
def moto_alone(lab: Any) -> Iterator[None]:
    lab.engine.enable(NAME, False)
    try:
        yield
    finally:
        lab.engine.enable(NAME, True)


def _mutate(rng: random.Random, client: Any, table: str, shape: Shape, stored: list[Any]) -> None:
    """One write between queries: a new item, an overwrite, an update or a delete."""
    choice = rng.random()
    if choice < 0.4 or not stored:
        item = shape.item(rng)
        client.put_item(TableName=table, Item=item)
        stored.append(item)
        return
    item = rng.choice(stored)
    key = {k: item[k] for k in ("pk", "sk") if k in item}
    if choice < 0.7:
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #x = :x",
            ExpressionAttributeNames={"#x": "x"},
            ExpressionAttributeValues={":x": {"N": str(rng.randrange(-5, 20))}},
        )
    else:
        client.delete_item(TableName=table, Key=key)


def _key_of(item: dict[str, Any]) -> str:
    return repr([item[k] for k in ("pk", "sk") if k in item])


def _streams(seed: int) -> tuple[random.Random, random.Random, random.Random]:
    """Separate random streams for the table, its queries and the writes between them."""
    return random.Random(seed), random.Random(10_000 + seed), random.Random(20_000 + seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_partition_queries_answer_as_moto_does(lab: Any, seed: int) -> None:
    tables, queries, writes = _streams(seed)
    shape = Shape(tables)
    table = f"Diff{seed}"
    shape.create(lab.client, table)
    drawn = [shape.item(tables) for _ in range(tables.choice([0, 5, 30, 60]))]
    stored = list({_key_of(item): item for item in drawn}.values())  # a batch has unique keys
    for start in range(0, len(stored), 25):
        lab.client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in stored[start : start + 25]]}
        )
    for _ in range(QUERIES_PER_TABLE):
        params = generate_query(queries, table, shape)
        with moto_alone(lab):
            expected = _pages(lab.client, params)
        got = _pages(lab.client, params)
        assert got == expected, params
        _mutate(writes, lab.client, table, shape, stored)


def _kinds(params: dict[str, Any]) -> set[str]:
    condition = params["KeyConditionExpression"]
    kinds = {f"index {params.get('IndexName')}"}
    kinds |= {k for k in ("Limit", "FilterExpression", "ProjectionExpression") if k in params}
    kinds |= {"descending"} if params.get("ScanIndexForward") is False else set()
    kinds |= {"count"} if params.get("Select") == "COUNT" else set()
    kinds |= {"consistent"} if params.get("ConsistentRead") else set()
    kinds |= {op for op in ("BETWEEN", "begins_with", "<=", ">=") if op in condition}
    return kinds


def test_the_generated_cases_cover_what_the_differential_test_claims() -> None:
    """Across the seeds: every key type, index, operator and request option occurs."""
    seen: set[str] = set()
    for seed in SEEDS:
        tables, queries, _ = _streams(seed)
        shape = Shape(tables)
        seen |= {f"hash {shape.hash_type}", f"range {shape.range_type}"}
        seen |= {"big"} if shape.big else set()
        seen |= {f"gsi hash {shape.gsi_hash_type}"} if shape.gsi else set()
        for _ in range(QUERIES_PER_TABLE):
            seen |= _kinds(generate_query(queries, "T", shape))
    expected = {"hash S", "hash N", "hash B", "range None", "range S", "range N", "range B"}
    expected |= {"big", "index None", "index GIX", "index LIX", "index Missing", "consistent"}
    expected |= {"Limit", "FilterExpression", "ProjectionExpression", "descending", "count"}
    expected |= {"BETWEEN", "begins_with", "<=", ">=", "gsi hash S", "gsi hash N", "gsi hash B"}
    assert expected <= seen, expected - seen


# --- the shortcut is taken, and only for one request ----------------------------------------------


def _table(lab: Any, name: str) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][lab.config.region].tables[name]


def _count_whole_table_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from moto.dynamodb.models.table import Table

    calls: list[int] = []
    original = Table.all_items

    def counted(self: Any) -> Any:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Table, "all_items", counted)
    return calls


def _query(lab: Any, table: str, pk: str) -> dict[str, Any]:
    result: dict[str, Any] = lab.client.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": pk}},
    )
    return result


def test_a_query_no_longer_lists_the_whole_table(
    lab: Any, make_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = make_table()
    for n in range(20):
        lab.client.put_item(TableName=table, Item={"pk": {"S": f"u{n % 4}"}, "sk": {"S": f"{n}"}})
    calls = _count_whole_table_reads(monkeypatch)
    assert _query(lab, table, "u1")["Count"] == 5
    assert calls == []
    with moto_alone(lab):
        assert _query(lab, table, "u1")["Count"] == 5
    assert calls == [1]
    assert "query" not in vars(_table(lab, table))  # the shortcut ends with its request


def test_an_empty_partition_is_not_created_by_a_query(lab: Any, make_table: Any) -> None:
    table = make_table()
    assert _query(lab, table, "nobody")["Items"] == []
    assert dict(_table(lab, table).items) == {}


def test_partition_items_reads_one_partition_or_all_of_an_index(lab: Any, make_table: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = make_table()
    for n in range(6):
        lab.client.put_item(TableName=table, Item={"pk": {"S": f"u{n % 2}"}, "sk": {"S": f"{n}"}})
    model = _table(lab, table)
    one = partition_items(model, DynamoType({"S": "u0"}), None)
    assert sorted(i.range_key.value for i in one) == ["0", "2", "4"]
    assert len(partition_items(model, DynamoType({"S": "u0"}), "SomeIndex")) == 6
    view = PartitionView(model, one)
    assert view.all_items() is one and view.hash_key_attr == "pk"


def test_a_table_without_sort_key_is_served_from_its_one_item(lab: Any, make_table: Any) -> None:
    table = make_table(sk=None)
    lab.client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert _query(lab, table, "a")["Items"] == [{"pk": {"S": "a"}, "v": {"N": "1"}}]
    assert _query(lab, table, "b")["Items"] == []


def test_the_correction_is_listed_and_switchable(lab: Any) -> None:
    described = {c["name"]: c for c in lab.engine.describe()}
    assert described[NAME]["on"] is True
    assert described[NAME]["what"] == PartitionQueries.summary
    lab.engine.enable(NAME, False)
    assert {c["name"]: c["on"] for c in lab.engine.describe()}[NAME] is False


def test_a_copy_of_the_table_taken_mid_query_reads_its_own_items(lab: Any, make_table: Any) -> None:
    """moto copies tables (transactions); the shortcut must follow the copy, not the original."""
    import copy

    from ddb_lab.engine.wire import WireRequest, WireResponse

    table = make_table()
    lab.client.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    correction = PartitionQueries()
    request = WireRequest(
        "POST",
        "https://dynamodb.us-east-1.amazonaws.com/",
        {},
        b"",
        "DynamoDB_20120810.Query",
        {"TableName": table},
    )
    model = _table(lab, table)
    state: dict[str, Any] = {}
    correction.before(request, state)
    twin = copy.deepcopy(model)
    correction.settle(request, WireResponse(200, {}, b"{}"), state)
    assert "query" not in vars(model)
    assert vars(twin)["query"].__self__ is twin
