"""Cold start: a chapter's setup cell in a fresh interpreter vs. bare boto3 + moto.

The lab side is what chapter 1 runs before its first lesson: ``from ddb_lab import start``,
``lab = start(clock="simulated")`` and ``lab.load("social", size="small")`` (about 565 items).
The baseline is the least any moto-backed notebook does: ``import boto3, moto`` and start
``mock_aws()``. Both run ``RUNS`` times in new interpreters, interleaved, and the medians of
their CPU times are compared.

A second row, for information, compares the same setup with a baseline that does the same
work on moto alone (the same table created and the same items written with ``batch_writer``),
which separates what the lab adds from the work a chapter asks for.
"""

from __future__ import annotations

import base64
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._common import PYTHON, Row, median, row, run_child

RUNS = 5
#: The setup cell may cost at most this much more than bare boto3 + moto.
TARGET = 1.3

LAB = """
from ddb_lab import start
lab = start(clock="simulated")
lab.load("social", size="small")
"""

BARE = """
import boto3, moto
mock = moto.mock_aws()
mock.start()
"""

SAME_WORK = """
import base64, json, sys
from decimal import Decimal
import boto3, moto
mock = moto.mock_aws()
mock.start()

def revive(value):
    if "$n" in value:
        return Decimal(value["$n"])
    if "$set" in value:
        return set(value["$set"])
    if "$b" in value:
        return base64.b64decode(value["$b"])
    return value

with open(sys.argv[1]) as source:
    work = json.load(source, object_hook=revive)
resource = boto3.resource("dynamodb", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
table = resource.create_table(**work["table"])
with table.batch_writer() as batch:
    for item in work["items"]:
        batch.put_item(Item=item)
"""


def _plain(value: Any) -> Any:
    """JSON for the items of a dataset: numbers, sets and bytes marked, to be revived exactly."""
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, set | frozenset):
        return {"$set": sorted(value)}  # the dataset's sets hold strings
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"unexpected value in the dataset: {type(value).__name__}")


def _same_work_file(folder: Path) -> Path:
    """The small dataset and its table definition, for a child process that has no ddb_lab."""
    from ddb_lab.datasets import generate_social, social_table_definition

    work = {"table": social_table_definition(), "items": list(generate_social("small").items)}
    path = folder / "small.json"
    path.write_text(json.dumps(work, default=_plain), encoding="utf-8")
    return path


def _measure(code: str, *args: str) -> tuple[float, float]:
    done = run_child([PYTHON, "-c", code, *args])
    if done.returncode != 0:
        raise RuntimeError(f"setup code failed: {done.output}")
    return done.cpu, done.wall


def run() -> list[Row]:
    _measure(BARE)  # warm the file system cache for both sides
    _measure(LAB)
    lab, bare, same = [], [], []
    with tempfile.TemporaryDirectory(prefix="ddb-lab-bench-") as folder:
        data = str(_same_work_file(Path(folder)))
        for _ in range(RUNS):  # interleaved, so a busy moment hits every side alike
            bare.append(_measure(BARE))
            lab.append(_measure(LAB))
            same.append(_measure(SAME_WORK, data))
    lab_cpu, bare_cpu = median([c for c, _ in lab]), median([c for c, _ in bare])
    same_cpu = median([c for c, _ in same])
    walls = f"wall {median([w for _, w in lab]):.2f} s vs {median([w for _, w in bare]):.2f} s"
    return [
        row(
            "cold start: setup cell + small dataset",
            "import boto3, moto + mock_aws()",
            lab_cpu / bare_cpu,
            TARGET,
            f"{lab_cpu:.2f} s vs {bare_cpu:.2f} s CPU; {walls}",
            lab_cpu=lab_cpu,
            bare_cpu=bare_cpu,
        ),
        row(
            "cold start: setup cell + small dataset",
            "moto alone, same table + items",
            lab_cpu / same_cpu,
            None,
            f"{lab_cpu:.2f} s vs {same_cpu:.2f} s CPU",
            same_work_cpu=same_cpu,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
