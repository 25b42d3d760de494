"""Query latency as the table grows: the lab reads a partition, moto alone reads the table.

Tables of 1,000, 10,000 and 100,000 items, ten items per partition (``PK = USER#n``) and ten
per partition of a GSI, are filled directly in moto's storage (setup, not measured). Each query
asks for one whole partition; its CPU time is measured one query at a time, and the p50 of
``LAB_QUERIES`` random partitions is reported, through the lab's client and through a plain
boto3 client on the same moto (fewer queries there: one takes about a second at 100,000 items).

Targets: the lab's p50 at 100,000 items at most twice its p50 at 1,000 items (the cost follows
the partition, not the table), and at least ten times faster than moto alone at 100,000 items.
Index queries are reported for information: the lab serves them without moto's sort, but still
lists the table (see ``ddb_lab.engine.query_index``).
"""

from __future__ import annotations

import random
from typing import Any

import boto3

from benchmarks._common import Row, cpu, percentile, row
from ddb_lab.lab import DEFAULT_REGION, FAKE_CREDENTIALS, start

SIZES = (1_000, 10_000, 100_000)
PER_PARTITION = 10
LAB_QUERIES = 60
MOTO_QUERIES = {1_000: 30, 10_000: 10, 100_000: 5}
SEED = 0
#: p50 at the largest size over p50 at the smallest size, at most.
GROWTH_TARGET = 2.0
#: Lab p50 over moto's p50 at the largest size, at most (ten times faster).
SPEEDUP_TARGET = 0.1


def _create(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "GPK", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByTag",
                "KeySchema": [
                    {"AttributeName": "GPK", "KeyType": "HASH"},
                    {"AttributeName": "SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _fill(name: str, size: int) -> None:
    """Put ``size`` items straight into moto's table (the fastest way in; not measured)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][DEFAULT_REGION].tables[name]
    partitions = size // PER_PARTITION
    for i in range(size):
        table.put_item(
            {
                "PK": {"S": f"USER#{i % partitions:06d}"},
                "SK": {"S": f"POST#{i:07d}"},
                "GPK": {"S": f"TAG#{(i * 7919) % partitions:06d}"},
                "n": {"N": str(i)},
                "body": {"S": "x" * 100},
            }
        )


def _p50(client: Any, name: str, size: int, count: int, index: bool) -> float:
    rng = random.Random(SEED)
    partitions = size // PER_PARTITION
    times = []
    for _ in range(count):
        n = rng.randrange(partitions)
        params: dict[str, Any] = {
            "TableName": name,
            "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": {"#k": "GPK" if index else "PK"},
            "ExpressionAttributeValues": {":v": {"S": f"{'TAG' if index else 'USER'}#{n:06d}"}},
        }
        if index:
            params["IndexName"] = "ByTag"
        began = cpu()
        answer = client.query(**params)
        times.append(cpu() - began)
        if answer["Count"] != PER_PARTITION:
            raise RuntimeError(f"expected {PER_PARTITION} items, got {answer['Count']}")
    return percentile(times, 0.5)


def run() -> list[Row]:
    lab = start(clock="simulated")
    moto = boto3.client("dynamodb", region_name=DEFAULT_REGION, **FAKE_CREDENTIALS)
    lab_p50: dict[int, float] = {}
    moto_p50: dict[int, float] = {}
    index_p50: dict[int, tuple[float, float]] = {}
    try:
        for size in SIZES:
            name = f"Scale{size}"
            _create(lab.client, name)
            _fill(name, size)
            _p50(lab.client, name, size, 5, index=False)  # warm up
            lab_p50[size] = _p50(lab.client, name, size, LAB_QUERIES, index=False)
            moto_p50[size] = _p50(moto, name, size, MOTO_QUERIES[size], index=False)
            index_p50[size] = (
                _p50(lab.client, name, size, MOTO_QUERIES[size], index=True),
                _p50(moto, name, size, MOTO_QUERIES[size], index=True),
            )
            lab.client.delete_table(TableName=name)
    finally:
        lab.close()
    small, large = SIZES[0], SIZES[-1]
    ms = {size: f"{size:,}: {lab_p50[size] * 1e3:.2f} ms" for size in SIZES}
    moto_ms = {size: f"{size:,}: {moto_p50[size] * 1e3:.1f} ms" for size in SIZES}
    index_ms = {
        size: f"{size:,}: {lab * 1e3:.1f} vs {alone * 1e3:.1f} ms"
        for size, (lab, alone) in index_p50.items()
    }
    figures = {"lab_p50_s": lab_p50, "moto_p50_s": moto_p50, "index_p50_s": index_p50}
    return [
        row(
            f"query p50 at {large:,} items",
            f"lab's p50 at {small:,} items",
            lab_p50[large] / lab_p50[small],
            GROWTH_TARGET,
            "lab p50 " + ", ".join(ms.values()),
            **figures,
        ),
        row(
            f"query p50 at {large:,} items",
            "moto alone, same table",
            lab_p50[large] / moto_p50[large],
            SPEEDUP_TARGET,
            "moto alone p50 " + ", ".join(moto_ms.values()),
        ),
        row(
            f"GSI query p50 at {large:,} items",
            "moto alone, same index",
            index_p50[large][0] / index_p50[large][1],
            None,
            "lab vs moto " + ", ".join(index_ms.values()),
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
