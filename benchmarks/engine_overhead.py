"""What the engine costs: lab client vs. a plain boto3 client on moto, same process, same run.

Each operation runs ``OPS`` times through both clients against identical tables; the ratio of
median times is compared with a target. Ratios, not seconds, so the result does not depend on how
fast the machine is.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from ddb_lab.lab import DEFAULT_REGION, FAKE_CREDENTIALS, start

OPS = 200
REPEATS = 3
ITEMS = 1_000
#: The engine may cost at most this much more than moto alone, per operation.
TARGETS = {"PutItem": 1.5, "GetItem": 1.5, "Query": 1.3}


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


def _time(operation: Callable[[int], Any]) -> float:
    began = time.perf_counter()
    for i in range(OPS):
        operation(i)
    return time.perf_counter() - began


def run() -> list[dict[str, Any]]:
    lab = start()
    baseline = boto3.client(
        "dynamodb", region_name=DEFAULT_REGION, **FAKE_CREDENTIALS
    )  # moto's own interception, no engine
    _table(lab.client, "Engine")
    _table(baseline, "Baseline")
    lab_ops = _operations(lab.client, "Engine")
    raw_ops = _operations(baseline, "Baseline")
    rows = []
    for name in TARGETS:
        lab_times, raw_times = [], []
        for _ in range(REPEATS):  # interleave so drift affects both sides alike
            raw_times.append(_time(raw_ops[name]))
            lab_times.append(_time(lab_ops[name]))
        ratio = statistics.median(lab_times) / statistics.median(raw_times)
        rows.append(
            {
                "benchmark": f"engine overhead: {name}",
                "baseline": "moto alone",
                "ratio": round(ratio, 3),
                "target": TARGETS[name],
                "ok": ratio <= TARGETS[name],
            }
        )
    lab.close()
    return rows
