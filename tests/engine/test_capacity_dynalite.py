"""ddb_lab.capacity against a real engine's ConsumedCapacity: dynalite (npm).

dynalite's ``db/index.js`` computes item sizes and capacity units the way DynamoDB does, with two
departures, both checked below so that a change in dynalite shows up here:

* It measures strings and attribute names in UTF-16 code units (JavaScript's ``length``), not in
  UTF-8 bytes. AWS's item-size page (facts file §1) says UTF-8: "é" is 2 bytes, "😀" 4, while
  dynalite counts 1 and 2. The docs are right; ``item_size`` follows them, and the comparisons
  below allow for dynalite's count with ``_dynalite_size``.
* A Query or Scan page that reads no item costs 0 in dynalite. ``query_read_units`` charges the
  minimum (0.5 eventually consistent, 1 strong), as DynamoDB does for every read that finds
  nothing (read-write-operations page: a read of a missing item still consumes capacity).

Everything else (numbers, binary, BOOL/NULL, map and list overheads, sets, 4 KB/1 KB rounding,
Query summing before rounding, BatchGetItem rounding each item, put charged by the larger of old
and new item, delete of a missing item = 1 unit) matches the documented rules exactly.

Without Node.js the tests skip with a message, except in CI, where a missing engine is a failure.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from ddb_lab import facts
from ddb_lab.capacity import (
    batch_get_read_units,
    delete_cost,
    item_size,
    put_cost,
    query_read_units,
    read_units,
    write_units,
)

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
TABLE = "Capacity"
ITEMS = 300
PER_PARTITION = 6
SEED = 20250601


@pytest.fixture(scope="module")
def client(dynalite_url: str, create_table: Callable[..., str]) -> Iterator[Any]:
    """A plain boto3 client on dynalite, with one table (pk, sk)."""
    url = dynalite_url
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    create_table(dynamodb, TABLE)
    dynamodb.get_waiter("table_exists").wait(
        TableName=TABLE, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


# --- Generated items ---------------------------------------------------------------------------

_ASCII = string.ascii_letters + string.digits + " #-_."
_UNICODE = "éüßñ日本語한국😀🚀Ωж"
_serializer = TypeSerializer()
#: Attribute names the generator must not pick at random.
_RESERVED = frozenset({"pk", "sk", "pad", "blob", "text"})


def _text(rng: random.Random, length: int) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice(_ASCII + _UNICODE) for _ in range(length))
    return "".join(rng.choice(_ASCII) for _ in range(length))


def _number(rng: random.Random) -> Decimal:
    digits = "".join(rng.choice(string.digits) for _ in range(rng.randint(1, 38)))
    sign = "-" if rng.random() < 0.4 else ""
    return Decimal(f"{sign}{digits}E{rng.randint(-40, 40)}")


def _value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS"]
    if depth < 3:
        kinds += ["M", "L"]
    match rng.choice(kinds):
        case "S":
            return _text(rng, rng.randint(0, 40))
        case "N":
            return _number(rng)
        case "B":
            return rng.randbytes(rng.randint(1, 40))
        case "BOOL":
            return rng.random() < 0.5
        case "NULL":
            return None
        case "SS":
            return {_text(rng, rng.randint(1, 12)) for _ in range(rng.randint(1, 5))}
        case "NS":
            # A set of Decimals drops equal numbers (1 and 1.0), which DynamoDB calls duplicates.
            return {_number(rng) for _ in range(rng.randint(1, 5))}
        case "BS":
            return {rng.randbytes(rng.randint(1, 12)) for _ in range(rng.randint(1, 5))}
        case "M":
            return {
                _text(rng, rng.randint(1, 8)): _value(rng, depth + 1)
                for _ in range(rng.randint(0, 4))
            }
        case _:
            return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _item(rng: random.Random, index: int) -> dict[str, Any]:
    """A resource-style item: tiny to ~40 KB, keys pk (several items each) and sk."""
    item: dict[str, Any] = {"pk": f"p{index // PER_PARTITION:03d}", "sk": f"s{index:04d}"}
    for _ in range(rng.randint(0, 8)):
        name = _text(rng, rng.randint(1, 10))
        if name not in _RESERVED:
            item[name] = _value(rng)
    big = rng.random()
    if big < 0.15:
        item["blob"] = rng.randbytes(rng.randint(1_000, 40_000))
    elif big < 0.3:
        item["text"] = _text(rng, rng.randint(1_000, 20_000))
    return item


def _low(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def _utf16_shortfall(value: Any) -> int:
    """How many fewer bytes dynalite counts than UTF-8 in a low-level value (see the docstring)."""

    def short(text: str) -> int:
        return len(text.encode("utf-8")) - len(text.encode("utf-16-le")) // 2

    ((kind, inner),) = value.items()
    if kind == "S":
        return short(inner)
    if kind == "SS":
        return sum(short(member) for member in inner)
    if kind == "L":
        return sum(_utf16_shortfall(element) for element in inner)
    if kind == "M":
        return sum(short(name) + _utf16_shortfall(v) for name, v in inner.items())
    return 0


def _dynalite_size(item: dict[str, Any]) -> int:
    """``item_size`` minus the bytes dynalite misses by counting UTF-16 units (0 for ASCII)."""
    low = _low(item)
    return item_size(item) - sum(
        len(name.encode("utf-8")) - len(name.encode("utf-16-le")) // 2 + _utf16_shortfall(value)
        for name, value in low.items()
    )


def _has_unicode(item: dict[str, Any]) -> bool:
    return _dynalite_size(item) != item_size(item)


def _pad(item: dict[str, Any], unit: int, over: int) -> dict[str, Any]:
    """Add an ASCII attribute so that dynalite's size is a multiple of ``unit`` plus ``over``.

    Rounding hides small size errors; an item exactly on a unit boundary (``over=0``) costs one
    unit more if an engine counts one byte more than we do, and one just past it (``over=1``)
    one unit less if it counts one byte less. So a one-byte disagreement anywhere fails a test.
    """
    base = _dynalite_size(item) + len("pad")
    target = -(-base // unit) * unit + over
    return item | {"pad": "x" * (target - base)}


#: Per partition, how its items are padded: (unit, bytes over) for each item in turn, or None.
_PADDING: list[list[tuple[int, int]] | None] = [
    None,
    [(facts.READ_UNIT_BYTES, 0)] * PER_PARTITION,  # each item and the Query sum on a boundary
    [(facts.READ_UNIT_BYTES, 1)] * PER_PARTITION,  # each item one byte past a boundary
    [(facts.READ_UNIT_BYTES, 0)] * (PER_PARTITION - 1) + [(facts.READ_UNIT_BYTES, 1)],  # the sum
    [(facts.WRITE_UNIT_BYTES, 0)] * PER_PARTITION,
    [(facts.WRITE_UNIT_BYTES, 1)] * PER_PARTITION,
]


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    generated = [_item(rng, index) for index in range(ITEMS)]
    padded = []
    for index, item in enumerate(generated):
        padding = _PADDING[(index // PER_PARTITION) % len(_PADDING)]
        padded.append(item if padding is None else _pad(item, *padding[index % PER_PARTITION]))
    sizes = [item_size(item) for item in padded]
    assert max(sizes) > 30_000 and min(sizes) < 100  # tiny to about 40 KB
    assert sum(_has_unicode(item) for item in padded) > ITEMS // 4
    assert sum(not _has_unicode(item) for item in padded) > ITEMS // 4
    return padded


@pytest.fixture(scope="module")
def put_units(client: Any, items: list[dict[str, Any]]) -> dict[str, float]:
    """Put every item; dynalite's ConsumedCapacity of each PutItem, by sort key."""
    units: dict[str, float] = {}
    for item in items:
        response = client.put_item(TableName=TABLE, Item=_low(item), ReturnConsumedCapacity="TOTAL")
        units[item["sk"]] = response["ConsumedCapacity"]["CapacityUnits"]
    return units


@pytest.fixture(scope="module")
def stored(put_units: dict[str, float], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items, once they are in the table."""
    return items


# --- Tests -------------------------------------------------------------------------------------


def test_low_level_and_resource_style_agree(items: list[dict[str, Any]]) -> None:
    for item in items:
        assert item_size(_low(item)) == item_size(item), item["sk"]


def test_put_item_units(items: list[dict[str, Any]], put_units: dict[str, float]) -> None:
    for item in items:
        units = put_units[item["sk"]]
        assert units == write_units(_dynalite_size(item)), item["sk"]
        if not _has_unicode(item):  # the documented rule, directly
            assert units == write_units(item_size(item)) == put_cost(None, item).table


@pytest.mark.parametrize("consistency", ["eventual", "strong"])
def test_get_item_units(client: Any, stored: list[dict[str, Any]], consistency: Any) -> None:
    for item in stored:
        response = client.get_item(
            TableName=TABLE,
            Key=_low({"pk": item["pk"], "sk": item["sk"]}),
            ConsistentRead=consistency == "strong",
            ReturnConsumedCapacity="TOTAL",
        )
        assert item_size(response["Item"]) == item_size(item)  # the stored item, same size
        units = response["ConsumedCapacity"]["CapacityUnits"]
        assert units == read_units(_dynalite_size(item), consistency), item["sk"]
        if not _has_unicode(item):
            assert units == read_units(item_size(item), consistency)


def test_get_of_a_missing_item_costs_the_minimum(client: Any) -> None:
    for consistency in ("eventual", "strong"):
        response = client.get_item(
            TableName=TABLE,
            Key=_low({"pk": "nobody", "sk": "nothing"}),
            ConsistentRead=consistency == "strong",
            ReturnConsumedCapacity="TOTAL",
        )
        assert "Item" not in response
        assert response["ConsumedCapacity"]["CapacityUnits"] == read_units(0, consistency)


@pytest.mark.parametrize("consistency", ["eventual", "strong"])
def test_query_sums_the_page_then_rounds(
    client: Any, stored: list[dict[str, Any]], consistency: Any
) -> None:
    partitions: dict[str, list[dict[str, Any]]] = {}
    for item in stored:
        partitions.setdefault(item["pk"], []).append(item)
    assert all(len(members) == PER_PARTITION for members in partitions.values())
    for pk, members in partitions.items():
        response = client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=consistency == "strong",
            ReturnConsumedCapacity="TOTAL",
        )
        assert response["Count"] == len(members)
        units = response["ConsumedCapacity"]["CapacityUnits"]
        expected = query_read_units([_dynalite_size(item) for item in members], consistency)
        assert units == expected, pk
        if not any(_has_unicode(item) for item in members):
            assert units == query_read_units([item_size(item) for item in members], consistency)


def test_query_filter_does_not_reduce_the_cost(client: Any, stored: list[dict[str, Any]]) -> None:
    members = [item for item in stored if item["pk"] == stored[0]["pk"]]
    response = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        FilterExpression="attribute_exists(nothing_has_this)",
        ExpressionAttributeValues={":pk": {"S": stored[0]["pk"]}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["Count"] == 0
    assert response["ScannedCount"] == len(members)
    units = response["ConsumedCapacity"]["CapacityUnits"]
    assert units == query_read_units([_dynalite_size(item) for item in members])


def test_empty_query_page_dynalite_charges_nothing(client: Any) -> None:
    # dynalite departs from DynamoDB here: see the module docstring.
    response = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "nobody"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["Count"] == 0
    assert response["ConsumedCapacity"]["CapacityUnits"] == 0
    assert query_read_units([]) == read_units(0) == facts.EVENTUAL_READ_FACTOR


@pytest.mark.parametrize("consistency", ["eventual", "strong"])
def test_batch_get_rounds_each_item(
    client: Any, stored: list[dict[str, Any]], consistency: Any
) -> None:
    chosen = stored[:: len(stored) // 40][:40]
    keys = [_low({"pk": item["pk"], "sk": item["sk"]}) for item in chosen]
    keys.append(_low({"pk": "nobody", "sk": "nothing"}))  # a missing key still costs
    response = client.batch_get_item(
        RequestItems={TABLE: {"Keys": keys, "ConsistentRead": consistency == "strong"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert not response["UnprocessedKeys"]
    (consumed,) = response["ConsumedCapacity"]
    sizes = [_dynalite_size(item) for item in chosen] + [0]
    assert consumed["CapacityUnits"] == batch_get_read_units(sizes, consistency)
    assert consumed["CapacityUnits"] > query_read_units(sizes, consistency)


def test_overwrite_and_delete(client: Any, stored: list[dict[str, Any]]) -> None:
    rng = random.Random(SEED + 1)
    for old in [item for item in stored if not _has_unicode(item)][:40]:
        new = _item(rng, 0) | {"pk": old["pk"], "sk": old["sk"]}
        while _has_unicode(new):
            new = _item(rng, 0) | {"pk": old["pk"], "sk": old["sk"]}
        response = client.put_item(TableName=TABLE, Item=_low(new), ReturnConsumedCapacity="TOTAL")
        assert response["ConsumedCapacity"]["CapacityUnits"] == put_cost(old, new).table
        response = client.delete_item(
            TableName=TABLE,
            Key=_low({"pk": old["pk"], "sk": old["sk"]}),
            ReturnConsumedCapacity="TOTAL",
        )
        assert response["ConsumedCapacity"]["CapacityUnits"] == delete_cost(new).table
        response = client.delete_item(
            TableName=TABLE,
            Key=_low({"pk": old["pk"], "sk": old["sk"]}),
            ReturnConsumedCapacity="TOTAL",
        )
        assert response["ConsumedCapacity"]["CapacityUnits"] == delete_cost(None).table == 1


def test_unicode_counts_differ_as_documented(client: Any) -> None:
    item = {"pk": "unicode", "sk": "1", "名前": "é😀" * 1000}
    assert item_size(item) == (2 + 7) + (2 + 1) + (6 + 6000)  # UTF-8: the documented rule
    assert _dynalite_size(item) == (2 + 7) + (2 + 1) + (2 + 3000)  # UTF-16 units
    response = client.put_item(TableName=TABLE, Item=_low(item), ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"]["CapacityUnits"] == 3  # dynalite: 3,014 "bytes"
    assert write_units(item_size(item)) == 6  # DynamoDB: 6,018 bytes


def test_the_400_kb_boundary(client: Any) -> None:
    def item(size: int) -> dict[str, Any]:
        base = {"pk": "big", "sk": "1", "data": ""}
        return base | {"data": "x" * (size - item_size(base))}

    exact = item(facts.MAX_ITEM_SIZE_BYTES)
    assert item_size(exact) == facts.MAX_ITEM_SIZE_BYTES
    response = client.put_item(TableName=TABLE, Item=_low(exact), ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"]["CapacityUnits"] == write_units(facts.MAX_ITEM_SIZE_BYTES)
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        client.put_item(TableName=TABLE, Item=_low(item(facts.MAX_ITEM_SIZE_BYTES + 1)))


# --- The lab's own engine against dynalite ---------------------------------------------------


def _consumed(response: dict[str, Any]) -> float:
    return float(response["ConsumedCapacity"]["CapacityUnits"])


def test_lab_engine_reports_what_dynalite_reports(
    client: Any, stored: list[dict[str, Any]], create_table: Callable[..., str]
) -> None:
    """Same requests, two engines: the lab's metering (over moto) and dynalite agree.

    Items with non-ASCII text are left out: there dynalite counts UTF-16 units where DynamoDB
    (and the lab) count UTF-8 bytes (see test_unicode_counts_differ_as_documented).
    """
    from ddb_lab import start

    lab = start()
    create_table(lab.client, TABLE)
    ascii_items = [item for item in stored if not _has_unicode(item)]
    assert len(ascii_items) > 100
    compared = 0
    for item in ascii_items:
        low = _low(item)
        key = {"pk": low["pk"], "sk": low["sk"]}
        for engine in (lab.client, client):
            engine.delete_item(TableName=TABLE, Key=key)  # both start from a missing item
        puts = [
            _consumed(e.put_item(TableName=TABLE, Item=low, ReturnConsumedCapacity="TOTAL"))
            for e in (lab.client, client)
        ]
        assert puts[0] == puts[1], (item["sk"], puts)
        for strong in (False, True):
            gets = [
                _consumed(
                    e.get_item(
                        TableName=TABLE,
                        Key=key,
                        ConsistentRead=strong,
                        ReturnConsumedCapacity="TOTAL",
                    )
                )
                for e in (lab.client, client)
            ]
            assert gets[0] == gets[1], (item["sk"], strong, gets)
        compared += 1
    partitions = sorted({item["pk"] for item in ascii_items})
    for pk in partitions:
        members = [i for i in stored if i["pk"] == pk]
        if any(_has_unicode(i) for i in members):
            continue
        for strong in (False, True):
            queries = [
                _consumed(
                    e.query(
                        TableName=TABLE,
                        KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": pk}},
                        ConsistentRead=strong,
                        ReturnConsumedCapacity="TOTAL",
                    )
                )
                for e in (lab.client, client)
            ]
            assert queries[0] == queries[1], (pk, strong, queries)
            compared += 1
    assert compared > 100
