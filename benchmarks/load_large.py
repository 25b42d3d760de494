"""Loading the large dataset: ``lab.load("social", size="large")`` vs. a plain batch_writer loop.

Both sides write the same items (about 34,000) into an empty table of the same definition on a
fresh moto: the lab through its client and engine (``lab.load``), the baseline through boto3's
``Table.batch_writer()`` on a plain resource, which is how one loads data into moto without the
lab. Table creation is not timed on either side. ``RUNS`` interleaved runs; median CPU times.
The lab's progress bar is off (``progress=False``), as it is when output is not a terminal.
"""

from __future__ import annotations

from typing import Any

import boto3

from benchmarks._common import Row, cpu, median, row
from ddb_lab.datasets import generate_social, social_table_definition
from ddb_lab.lab import DEFAULT_REGION, FAKE_CREDENTIALS, start

RUNS = 2
SIZE = "large"
#: The lab's load may take at most as long as the plain loop.
TARGET = 1.0


def _lab_load() -> float:
    lab = start(clock="simulated")
    try:
        lab.client.create_table(**social_table_definition())
        began = cpu()
        lab.load("social", size=SIZE, progress=False)
        return cpu() - began
    finally:
        lab.close()


def _plain_load(items: Any) -> float:
    from moto import mock_aws

    with mock_aws():
        resource = boto3.resource("dynamodb", region_name=DEFAULT_REGION, **FAKE_CREDENTIALS)
        table = resource.create_table(**social_table_definition())
        began = cpu()
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
        return cpu() - began


def run() -> list[Row]:
    items = generate_social(SIZE).items
    lab, plain = [], []
    for _ in range(RUNS):
        plain.append(_plain_load(items))
        lab.append(_lab_load())
    lab_s, plain_s = median(lab), median(plain)
    return [
        row(
            f"load social/{SIZE} ({len(items):,} items)",
            "batch_writer loop on moto",
            lab_s / plain_s,
            TARGET,
            f"{lab_s:.1f} s vs {plain_s:.1f} s CPU",
            lab_s=lab_s,
            plain_s=plain_s,
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
