"""Metering: ConsumedCapacity by DynamoDB's rules (moto stamps constants), and lab.receipt().

The expected numbers are DynamoDB's (the "DDB" column of reference/moto-fidelity.md and the
developer guide's examples): reads per 4 KB (eventual x0.5, transactional x2), writes per 1 KB
(transactional x2), writes again on every secondary index the item is in, Query and Scan by the
items read before any filter. ``test_moto_alone_stamps_constants`` shows moto's own answers, so
the correction is what makes the difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddb_lab.capacity import item_size
from ddb_lab.cost import request_cost

KB = 1024
TABLE = "Orders"
GSI = "by_group"


# --- Helpers -------------------------------------------------------------------------------------


def create(
    lab: Any,
    name: str = TABLE,
    *,
    gsi_projection: str | None = "ALL",
    lsi_projection: str | None = None,
    provisioned: bool = False,
) -> str:
    """A table pk/sk (S) with, optionally, a GSI on ``gk`` and an LSI on (pk, ``lk``)."""
    extra: dict[str, Any] = {}
    attributes = ["pk", "sk"]
    if gsi_projection:
        attributes.append("gk")
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": GSI,
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": gsi_projection},
                **(
                    {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
                    if provisioned
                    else {}
                ),
            }
        ]
    if lsi_projection:
        attributes.append("lk")
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": "by_local",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": lsi_projection},
            }
        ]
    if provisioned:
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    else:
        extra["BillingMode"] = "PAY_PER_REQUEST"
    lab.client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        **extra,
    )
    return name


def sized(sk: str, size: int, pk: str = "p", **attributes: str) -> dict[str, Any]:
    """A low-level item of exactly ``size`` bytes (padding in ``data``); ``gk="g"`` by default."""
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}}
    attributes.setdefault("gk", "g")
    item.update({name: {"S": value} for name, value in attributes.items() if value})
    item["data"] = {"S": ""}
    item["data"]["S"] = "x" * (size - item_size(item))
    assert item_size(item) == size
    return item


def key(sk: str, pk: str = "p") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def put(lab: Any, item: dict[str, Any], mode: str = "TOTAL", table: str = TABLE) -> Any:
    return lab.client.put_item(TableName=table, Item=item, ReturnConsumedCapacity=mode).get(
        "ConsumedCapacity"
    )


def get(lab: Any, sk: str, *, strong: bool = False, **options: Any) -> Any:
    answer = lab.client.get_item(
        TableName=TABLE,
        Key=key(sk),
        ConsistentRead=strong,
        ReturnConsumedCapacity="TOTAL",
        **options,
    )
    return answer["ConsumedCapacity"]


def total(units: float, table: str = TABLE) -> dict[str, Any]:
    """A non-transactional TOTAL answer: DynamoDB reports only the aggregate CapacityUnits."""
    return {"TableName": table, "CapacityUnits": units}


def fill(lab: Any, count: int, size: int = KB, table: str = TABLE) -> None:
    """``count`` items of ``size`` bytes in partition "p" (sk 000, 001, ...), by batch writes."""
    items = [sized(f"{i:03d}", size, gk="g" if i % 2 else "") for i in range(count)]
    for start in range(0, count, 25):
        lab.client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        )


@contextmanager
def moto_alone(lab: Any) -> Iterator[None]:
    lab.engine.enable("metering", False)
    try:
        yield
    finally:
        lab.engine.enable("metering", True)


# (size, write units, eventual read, strong read, transactional read): moto-fidelity.md's DDB
# column for the ~1, ~3.5, ~5 and ~9 KB items.
SIZES = [
    (1 * KB, 1.0, 0.5, 1.0, 2.0),
    (3 * KB + KB // 2, 4.0, 0.5, 1.0, 2.0),
    (5 * KB, 5.0, 1.0, 2.0, 4.0),
    (9 * KB, 9.0, 1.5, 3.0, 6.0),
]


# --- Single-item operations ----------------------------------------------------------------------


@pytest.mark.parametrize(("size", "wcu", "eventual", "strong", "transactional"), SIZES)
def test_put_and_get_charge_by_item_size(
    lab: Any, size: int, wcu: float, eventual: float, strong: float, transactional: float
) -> None:
    create(lab)
    assert put(lab, sized("a", size)) == total(2 * wcu)  # the table, and the ALL GSI again
    assert put(lab, sized("b", size), "INDEXES") == {
        "TableName": TABLE,
        "CapacityUnits": 2 * wcu,
        "Table": {"CapacityUnits": wcu},
        "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": wcu}},
    }
    assert get(lab, "a") == total(eventual)
    assert get(lab, "a", strong=True) == total(strong)
    answer = lab.client.transact_get_items(
        TransactItems=[{"Get": {"TableName": TABLE, "Key": key("a")}}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert answer["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": transactional, "ReadCapacityUnits": transactional}
    ]


def test_get_charges_the_whole_item_whatever_the_projection(lab: Any) -> None:
    create(lab)
    put(lab, sized("a", 9 * KB))
    assert get(lab, "a", ProjectionExpression="pk") == total(1.5)


def test_get_of_a_missing_item_costs_the_minimum(lab: Any) -> None:
    create(lab)
    assert get(lab, "nothing") == total(0.5)
    assert get(lab, "nothing", strong=True) == total(1.0)


def test_update_charges_the_larger_of_before_and_after(lab: Any) -> None:
    create(lab)
    put(lab, sized("a", 9 * KB))
    shrink = lab.client.update_item(
        TableName=TABLE,
        Key=key("a"),
        UpdateExpression="REMOVE #d",
        ExpressionAttributeNames={"#d": "data"},
        ReturnConsumedCapacity="INDEXES",
    )["ConsumedCapacity"]
    assert shrink == {
        "TableName": TABLE,
        "CapacityUnits": 18.0,
        "Table": {"CapacityUnits": 9.0},  # the 9 KB before, not the tiny item after
        "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 9.0}},
    }
    grow = lab.client.update_item(
        TableName=TABLE,
        Key=key("a"),
        UpdateExpression="SET #d = :d",
        ExpressionAttributeNames={"#d": "data"},
        ExpressionAttributeValues={":d": {"S": "y" * (5 * KB - 100)}},
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]
    assert grow == total(10.0)  # 5 KB after: 5 on the table + 5 on the GSI


def test_delete_charges_the_deleted_item_and_a_missing_one_costs_one(lab: Any) -> None:
    create(lab)
    put(lab, sized("a", 5 * KB))
    deleted = lab.client.delete_item(
        TableName=TABLE, Key=key("a"), ReturnConsumedCapacity="INDEXES"
    )["ConsumedCapacity"]
    assert deleted == {
        "TableName": TABLE,
        "CapacityUnits": 10.0,
        "Table": {"CapacityUnits": 5.0},
        "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 5.0}},
    }
    missing = lab.client.delete_item(
        TableName=TABLE, Key=key("a"), ReturnConsumedCapacity="INDEXES"
    )["ConsumedCapacity"]
    assert missing == {"TableName": TABLE, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}


def test_a_keys_only_index_write_costs_one_unit(lab: Any) -> None:
    create(lab, gsi_projection="KEYS_ONLY")
    assert put(lab, sized("a", 9 * KB), "INDEXES") == {
        "TableName": TABLE,
        "CapacityUnits": 10.0,
        "Table": {"CapacityUnits": 9.0},
        "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 1.0}},
    }


def test_an_item_without_the_index_key_costs_nothing_on_a_sparse_index(lab: Any) -> None:
    create(lab)
    assert put(lab, sized("a", 3 * KB, gk=""), "INDEXES") == {
        "TableName": TABLE,
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 3.0},
    }


def test_changing_the_index_key_costs_two_index_writes(lab: Any) -> None:
    create(lab)
    put(lab, sized("a", 1 * KB - 10, gk="a"))
    changed = lab.client.update_item(
        TableName=TABLE,
        Key=key("a"),
        UpdateExpression="SET gk = :b",
        ExpressionAttributeValues={":b": {"S": "b"}},
        ReturnConsumedCapacity="INDEXES",
    )["ConsumedCapacity"]
    assert changed["Table"] == {"CapacityUnits": 1.0}
    assert changed["GlobalSecondaryIndexes"] == {GSI: {"CapacityUnits": 2.0}}  # delete + put


def test_a_failed_condition_still_costs_the_existing_item(lab: Any) -> None:
    create(lab)
    put(lab, sized("a", 5 * KB))
    mark = lab.engine.ledger.next_seq()
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        lab.client.put_item(
            TableName=TABLE, Item=sized("a", 1 * KB), ConditionExpression="attribute_not_exists(pk)"
        )
    (entry,) = lab.engine.ledger.since(mark)
    assert (entry.operation, entry.write_units, dict(entry.indexes)) == ("PutItem", 5.0, {})


# --- Query and Scan ------------------------------------------------------------------------------


def query(lab: Any, **options: Any) -> dict[str, Any]:
    options.setdefault("ReturnConsumedCapacity", "TOTAL")
    options.setdefault("KeyConditionExpression", "pk = :p")
    answer: dict[str, Any] = lab.client.query(
        TableName=TABLE,
        ExpressionAttributeValues={":p": {"S": "p"}, **options.pop("values", {})},
        **options,
    )
    return answer


def test_query_sums_the_items_read_then_rounds_to_4_kb(lab: Any) -> None:
    create(lab)
    fill(lab, 100)
    # 100 x 1 KB = 100 KB -> ceil(100 / 4) = 25 units, halved when eventually consistent
    assert query(lab)["ConsumedCapacity"] == total(12.5)
    assert query(lab, ConsistentRead=True)["ConsumedCapacity"] == total(25.0)


def test_a_filter_or_a_projection_never_lowers_the_cost(lab: Any) -> None:
    create(lab)
    fill(lab, 100)
    nothing = query(
        lab,
        FilterExpression="#d = :x",
        ExpressionAttributeNames={"#d": "data"},
        values={":x": {"S": "no such value"}},
    )
    assert (nothing["Count"], nothing["ScannedCount"]) == (0, 100)
    assert nothing["ConsumedCapacity"] == total(12.5)
    counted = query(lab, Select="COUNT")
    assert "Items" not in counted
    assert counted["ConsumedCapacity"] == total(12.5)
    projected = query(lab, ProjectionExpression="pk, sk")
    assert projected["ConsumedCapacity"] == total(12.5)


def test_each_page_costs_the_items_it_read(lab: Any) -> None:
    create(lab)
    fill(lab, 100)
    first = query(lab, Limit=10, FilterExpression="attribute_exists(gk)")
    assert (first["Count"], first["ScannedCount"]) == (5, 10)
    assert first["ConsumedCapacity"] == total(1.5)  # 10 KB -> 3 units -> 1.5 eventual
    second = query(
        lab,
        Limit=30,
        ExclusiveStartKey=first["LastEvaluatedKey"],
        FilterExpression="attribute_exists(gk)",
        ProjectionExpression="sk",
    )
    assert (second["Count"], second["ScannedCount"]) == (15, 30)
    assert second["ConsumedCapacity"] == total(4.0)  # 30 KB -> 8 units -> 4 eventual


PAGES = [
    pytest.param({"FilterExpression": "attribute_exists(gk)"}, id="filter"),
    pytest.param({"Select": "COUNT", "ScanIndexForward": False}, id="count-backwards"),
    pytest.param(
        {
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "values": {":a": {"S": "010"}, ":b": {"S": "060"}},
            "ProjectionExpression": "sk",
        },
        id="between-projected",
    ),
    pytest.param(
        {
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :a)",
            "values": {":a": {"S": "0"}},
            "FilterExpression": "attribute_not_exists(gk)",
            "ScanIndexForward": False,
        },
        id="begins-with-backwards",
    ),
]


@pytest.mark.parametrize("options", PAGES)
def test_walking_moto_s_table_gives_what_moto_reads(
    lab: Any, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filtered pages are sized by walking moto's table; asking moto again agrees, page by page."""
    import ddb_lab.engine.metering as metering

    create(lab)
    fill(lab, 90, size=700)
    lab.client.put_item(TableName=TABLE, Item=sized("x", 5 * KB, pk="elsewhere"))

    def pages() -> list[tuple[float, int, int]]:
        found, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = query(
                lab, Limit=17, **extra, **{**options, "values": dict(options.get("values", {}))}
            )
            found.append(
                (page["ConsumedCapacity"]["CapacityUnits"], page["Count"], page["ScannedCount"])
            )
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    meter = next(c for c in lab.engine.corrections if c.name == "metering")
    walked_before, again_before = meter.walked, meter.read_again
    walked = pages()
    read = len([page for page in walked if page[2]])  # an empty last page reads nothing
    assert (meter.walked - walked_before, meter.read_again - again_before) == (read, 0)
    monkeypatch.setattr(metering, "_walk_page", lambda *args: None)
    assert pages() == walked
    assert meter.read_again - again_before == read
    assert sum(scanned for _, _, scanned in walked) > 17  # more than one page


def test_a_filtered_index_query_costs_what_the_index_read(lab: Any) -> None:
    create(lab)
    fill(lab, 40)  # 20 of them have gk = "g"
    answer = lab.client.query(
        TableName=TABLE,
        IndexName=GSI,
        KeyConditionExpression="gk = :g",
        FilterExpression="sk = :none",
        ExpressionAttributeValues={":g": {"S": "g"}, ":none": {"S": "none"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert (answer["Count"], answer["ScannedCount"]) == (0, 20)
    assert answer["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {GSI: {"CapacityUnits": 2.5}}


def test_scan_costs_every_item_it_evaluates(lab: Any) -> None:
    create(lab)
    fill(lab, 100)
    scan = lab.client.scan(TableName=TABLE, ReturnConsumedCapacity="TOTAL")
    assert scan["ConsumedCapacity"] == total(12.5)
    filtered = lab.client.scan(
        TableName=TABLE,
        FilterExpression="attribute_not_exists(pk)",
        ReturnConsumedCapacity="TOTAL",
    )
    assert (filtered["Count"], filtered["ScannedCount"]) == (0, 100)
    assert filtered["ConsumedCapacity"] == total(12.5)
    empty = lab.client.scan(
        TableName=TABLE, Select="COUNT", ReturnConsumedCapacity="TOTAL", ConsistentRead=True
    )
    assert empty["ConsumedCapacity"] == total(25.0)


def test_a_gsi_query_is_reported_under_global_secondary_indexes(lab: Any) -> None:
    create(lab)
    for i in range(4):
        put(lab, sized(f"{i}", 3 * KB))
    answer = lab.client.query(
        TableName=TABLE,
        IndexName=GSI,
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
        ReturnConsumedCapacity="INDEXES",
    )
    # 4 x 3 KB = 12 KB -> 3 units -> 1.5 eventually consistent (a GSI has no strong reads)
    assert answer["ConsumedCapacity"] == {
        "TableName": TABLE,
        "CapacityUnits": 1.5,
        "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 1.5}},
    }


def test_an_index_read_is_sized_by_the_projected_entries(lab: Any) -> None:
    create(lab, gsi_projection=None, lsi_projection="KEYS_ONLY")
    for i in range(4):
        put(lab, sized(f"{i}", 9 * KB, lk=f"{i}"))
    answer = lab.client.query(
        TableName=TABLE,
        IndexName="by_local",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ConsistentRead=True,
        ReturnConsumedCapacity="INDEXES",
    )
    assert answer["ConsumedCapacity"] == {  # 4 tiny key-only entries: one unit, strong
        "TableName": TABLE,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 0.0},
        "LocalSecondaryIndexes": {"by_local": {"CapacityUnits": 1.0}},
    }


# --- Batches and transactions --------------------------------------------------------------------


def test_batch_get_rounds_each_item_on_its_own(lab: Any) -> None:
    create(lab)
    create(lab, "Other", gsi_projection=None)
    put(lab, sized("a", 1 * KB + KB // 2))
    put(lab, sized("b", 6 * KB + KB // 2))
    answer = lab.client.batch_get_item(
        RequestItems={
            TABLE: {"Keys": [key("a"), key("b")], "ConsistentRead": True},
            "Other": {"Keys": [key("missing")]},
        },
        ReturnConsumedCapacity="TOTAL",
    )
    # 1.5 KB -> 1 unit, 6.5 KB -> 2 units: 3 strongly consistent (not ceil(8 KB / 4 KB) = 2);
    # the missing key still costs the minimum
    assert answer["ConsumedCapacity"] == [total(3.0), total(0.5, "Other")]


def test_batch_write_is_charged_per_table(lab: Any) -> None:
    create(lab)
    create(lab, "Other", gsi_projection=None)
    put(lab, sized("old", 2 * KB), "NONE")
    answer = lab.client.batch_write_item(
        RequestItems={
            TABLE: [
                {"PutRequest": {"Item": sized("a", 1 * KB)}},
                {"PutRequest": {"Item": sized("b", 3 * KB + KB // 2)}},
                {"DeleteRequest": {"Key": key("old")}},
            ],
            "Other": [{"PutRequest": {"Item": sized("c", 5 * KB)}}],
        },
        ReturnConsumedCapacity="INDEXES",
    )
    assert answer["ConsumedCapacity"] == [
        {
            "TableName": TABLE,
            "CapacityUnits": 14.0,  # 1 + 4 + 2 on the table, the same on the GSI
            "Table": {"CapacityUnits": 7.0},
            "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 7.0}},
        },
        {"TableName": "Other", "CapacityUnits": 5.0, "Table": {"CapacityUnits": 5.0}},
    ]


def test_transactions_cost_double(lab: Any) -> None:
    create(lab)
    put(lab, sized("checked", 2 * KB))
    put(lab, sized("gone", 1 * KB))
    answer = lab.client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": sized("a", 3 * KB + KB // 2)}},
            {"Delete": {"TableName": TABLE, "Key": key("gone")}},
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": key("checked"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
        ReturnConsumedCapacity="INDEXES",
    )
    # table: put 4 x2 = 8, delete 1 x2 = 2, condition check 2 x2 = 4; GSI: 8 + 2
    assert answer["ConsumedCapacity"] == [
        {
            "TableName": TABLE,
            "CapacityUnits": 24.0,
            "WriteCapacityUnits": 24.0,
            "Table": {"CapacityUnits": 14.0, "WriteCapacityUnits": 14.0},
            "GlobalSecondaryIndexes": {GSI: {"CapacityUnits": 10.0, "WriteCapacityUnits": 10.0}},
        }
    ]
    reads = lab.client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": TABLE, "Key": key("a")}},
            {"Get": {"TableName": TABLE, "Key": key("gone")}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]
    assert reads == [{"TableName": TABLE, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]


# --- ReturnConsumedCapacity=NONE and the correction switched off ---------------------------------


def test_none_omits_consumed_capacity_but_the_ledger_still_counts(lab: Any) -> None:
    create(lab)
    mark = lab.engine.ledger.next_seq()
    c = lab.client
    answers = [
        c.put_item(TableName=TABLE, Item=sized("a", 2 * KB)),
        c.get_item(TableName=TABLE, Key=key("a")),
        c.update_item(
            TableName=TABLE,
            Key=key("a"),
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        ),
        c.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        ),
        c.scan(TableName=TABLE),
        c.batch_get_item(RequestItems={TABLE: {"Keys": [key("a")]}}),
        c.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": sized("b", 100)}}]}),
        c.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key("a")}}]),
        c.transact_write_items(TransactItems=[{"Delete": {"TableName": TABLE, "Key": key("b")}}]),
        c.delete_item(TableName=TABLE, Key=key("a")),
    ]
    assert [a for a in answers if "ConsumedCapacity" in a] == []
    operations = [e.operation for e in lab.engine.ledger.since(mark)]
    assert operations == [
        "PutItem",
        "GetItem",
        "UpdateItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "DeleteItem",
    ]


def test_moto_alone_stamps_constants(lab: Any) -> None:
    create(lab)
    with moto_alone(lab):
        mark = lab.engine.ledger.next_seq()
        assert put(lab, sized("a", 9 * KB)) == total(1.0)  # DynamoDB: 9 + 9 on the GSI
        assert get(lab, "a", strong=True) == total(0.5)  # DynamoDB: 3
        updated = lab.client.update_item(
            TableName=TABLE,
            Key=key("a"),
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )
        assert updated["ConsumedCapacity"] == total(0.5)  # even though none was asked for
        gsi = lab.client.query(
            TableName=TABLE,
            IndexName=GSI,
            KeyConditionExpression="gk = :g",
            ExpressionAttributeValues={":g": {"S": "g"}},
            ReturnConsumedCapacity="INDEXES",
        )["ConsumedCapacity"]
        assert "LocalSecondaryIndexes" in gsi and "GlobalSecondaryIndexes" not in gsi
        assert lab.engine.ledger.since(mark) == []
    assert put(lab, sized("b", 9 * KB)) == total(18.0)
    assert get(lab, "b", strong=True) == total(3.0)


# --- Receipts ------------------------------------------------------------------------------------


def test_a_receipt_sums_the_calls_in_its_block_and_their_dollars(lab: Any) -> None:
    create(lab)
    put(lab, sized("before", 9 * KB), "NONE")  # not on the receipt
    with lab.receipt() as receipt:
        put(lab, sized("a", 3 * KB + KB // 2), "NONE")  # 4 + 4 WRU
        put(lab, sized("b", 1 * KB), "NONE")  # 1 + 1 WRU
        get(lab, "a", strong=True)  # 1 RRU
        get(lab, "before")  # 1.5 RRU: the call is inside the block
    put(lab, sized("after", 9 * KB), "NONE")  # not on the receipt
    assert (receipt.read_units, receipt.write_units) == (2.5, 10.0)
    assert receipt.cost == request_cost(2.5, 10) == Decimal("0.0000065625")
    assert [(r.operation, r.table, r.calls, r.read_units, r.write_units) for r in receipt.rows] == [
        ("PutItem", TABLE, 2, 0.0, 10.0),
        ("GetItem", TABLE, 2, 2.5, 0.0),
    ]
    text = str(receipt)
    assert text.splitlines()[0] == "Receipt: 4 calls"
    assert re.search(r"PutItem\s+Orders\s+2\s+-\s+10 WRU\s+\$0\.0000063$", text, re.M), text
    assert re.search(r"GetItem\s+Orders\s+2\s+2\.5 RRU\s+-\s+\$0\.00000031$", text, re.M), text
    assert re.search(r"^total\s+4\s+2\.5 RRU\s+10 WRU\s+\$0\.0000066$", text, re.M), text
    assert "$0.125 per 1,000,000 read request units" in text
    assert receipt._repr_html_() == receipt._repr_html_()
    assert "<td>PutItem</td>" in receipt._repr_html_()


def test_a_receipt_shows_provisioned_units_without_on_demand_dollars(lab: Any) -> None:
    create(lab, provisioned=True)
    with lab.receipt() as receipt:
        put(lab, sized("a", 2 * KB))
    assert receipt.write_units == 4.0  # 2 + 2 on the GSI
    assert receipt.cost == 0
    (row,) = receipt.rows
    assert (row.write_unit_name, row.cost) == ("WCU", None)
    assert "4 WCU" in str(receipt) and "paid per hour" in str(receipt)


def test_a_receipt_needs_the_labs_engine(lab: Any) -> None:
    from ddb_lab.lab import Lab, LabConfig

    elsewhere = Lab(LabConfig("endpoint", "us-east-1", "http://127.0.0.1:9", "real", ""))
    with elsewhere.receipt() as receipt:
        pass
    assert not receipt.available
    assert "embedded or server backend" in str(receipt)
    assert receipt.rows == []
