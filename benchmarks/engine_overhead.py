"""What the engine costs: lab client vs. a plain boto3 client on moto, same process, same run.

Each operation runs in ``ROUNDS`` rounds of ``OPS`` calls, alternating between the lab's client
and a plain boto3 client on identical tables (so a busy moment of the machine hits both alike);
each round gives a ratio of CPU times and the median ratio is compared with the target. Ratios,
not seconds, so the result does not depend on how fast the machine is.

The lab answers a Query from the queried partition (``ddb_lab.engine.query_index``), which makes
its Query cheaper than moto's even on this 1,000-item table; a last row, for information, gives
the Query overhead with that correction switched off: what metering, limits and the other
corrections cost on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from benchmarks._common import Row, cpu, median, row
from ddb_lab.lab import DEFAULT_REGION, FAKE_CREDENTIALS, start

OPS = 100
ROUNDS = 9
ITEMS = 1_000
#: The engine may cost at most this much more than moto alone, per operation.
TARGET = 1.15
OPERATIONS = ("PutItem", "GetItem", "Query")


def _table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for start_at in range(0, ITEMS, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": _item(i)}}
                    for i in range(start_at, min(start_at + 25, ITEMS))
                ]
            }
        )


def _item(i: int) -> dict[str, Any]:
    return {
        "PK": {"S": f"USER#{i % 100:04d}"},
        "SK": {"S": f"POST#{i:06d}"},
        "n": {"N": str(i)},
        "tags": {"SS": ["a", "b", "c"]},
        "body": {"S": "x" * 200},
    }


def _operations(client: Any, table: str) -> dict[str, Callable[[int], Any]]:
    return {
        "PutItem": lambda i: client.put_item(TableName=table, Item=_item(ITEMS + i)),
        "GetItem": lambda i: client.get_item(
            TableName=table, Key={"PK": {"S": f"USER#{i % 100:04d}"}, "SK": {"S": f"POST#{i:06d}"}}
        ),
        "Query": lambda i: client.query(
            TableName=table,
            KeyConditionExpression="PK = :p AND begins_with(SK, :s)",
            ExpressionAttributeValues={":p": {"S": f"USER#{i % 100:04d}"}, ":s": {"S": "POST#"}},
            Limit=5,
        ),
    }


def _time(operation: Callable[[int], Any], first: int) -> float:
    began = cpu()
    for i in range(first, first + OPS):
        operation(i)
    return cpu() - began


def _ratio(lab_op: Callable[[int], Any], raw_op: Callable[[int], Any]) -> tuple[float, float]:
    """Median over rounds of lab CPU / moto CPU, and the lab's median microseconds per call."""
    ratios, per_call = [], []
    _time(lab_op, 0), _time(raw_op, 0)  # warm up
    for n in range(ROUNDS):
        first = n * OPS
        raw = _time(raw_op, first)
        lab = _time(lab_op, first)
        ratios.append(lab / raw)
        per_call.append(lab / OPS * 1e6)
    return median(ratios), median(per_call)


def run() -> list[Row]:
    lab = start(clock="simulated")
    baseline = boto3.client(
        "dynamodb", region_name=DEFAULT_REGION, **FAKE_CREDENTIALS
    )  # moto's own interception, no engine
    _table(lab.client, "Engine")
    _table(baseline, "Baseline")
    lab_ops = _operations(lab.client, "Engine")
    raw_ops = _operations(baseline, "Baseline")
    rows = []
    try:
        for name in OPERATIONS:
            ratio, micros = _ratio(lab_ops[name], raw_ops[name])
            rows.append(
                row(
                    f"engine overhead: {name}",
                    "moto alone",
                    ratio,
                    TARGET,
                    f"lab {micros:.0f} us/call CPU",
                )
            )
        assert lab.engine is not None
        lab.engine.enable("partition_queries", False)
        ratio, micros = _ratio(lab_ops["Query"], raw_ops["Query"])
        rows.append(
            row(
                "engine overhead: Query, partition_queries off",
                "moto alone",
                ratio,
                None,
                f"lab {micros:.0f} us/call CPU",
            )
        )
    finally:
        lab.close()
    return rows


if __name__ == "__main__":
    for result in run():
        print(result)
