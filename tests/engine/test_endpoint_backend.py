"""The endpoint backend against a second, independent DynamoDB engine: dynalite (npm).

dynalite is installed by `make test` (``npm ci``, see package.json). Without Node.js the tests
skip with a message, except in CI, where a missing engine is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ddb_lab import items_frame, start
from ddb_lab.lab import Lab

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
DYNALITE = ROOT / "node_modules" / "dynalite" / "cli.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dynalite_url() -> Iterator[str]:
    node = shutil.which("node")
    if node is None or not DYNALITE.exists():
        message = "dynalite not installed: run `make test` (it runs `npm ci`) with Node.js present"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    process = subprocess.Popen(
        [
            node,
            str(DYNALITE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            break
        except urllib.error.HTTPError:
            break  # it answers (400 for a bare GET): it is up
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(
                    f"dynalite did not start: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def lab(dynalite_url: str) -> Iterator[Lab]:
    lab = start(endpoint=dynalite_url)
    yield lab
    lab.reset()
    lab.close()


def test_endpoint_backend_talks_to_the_url(lab: Lab, dynalite_url: str) -> None:
    assert lab.backend == "endpoint"
    assert lab.engine is None  # another engine answers: no moto, no corrections
    assert lab.client.meta.endpoint_url == dynalite_url


def test_course_dataset_loads_and_queries(lab: Lab) -> None:
    table = lab.load("social", size="tiny")
    items = lab.table(table).query(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "USER#u0002"}
    )["Items"]
    frame = items_frame(items)
    assert set(frame["PK"]) == {"USER#u0002"}
    assert "PROFILE" in set(frame["SK"])


def test_explorer_runs_against_the_endpoint(lab: Lab) -> None:
    lab.load("social", size="tiny")
    explorer = lab.explorer(
        "SocialApp", partition_value="USER#u0002", sort_operator="begins_with", sort_value="POST#"
    )
    result = explorer.run()
    assert result.ok, result.error_message
    assert result.count == len(result.items) > 0


def test_dynamodb_errors_come_back_from_the_other_engine(lab: Lab) -> None:
    with pytest.raises(ClientError) as caught:
        lab.client.describe_table(TableName="Nope")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_reset_deletes_the_tables_on_the_endpoint(lab: Lab) -> None:
    lab.load("social", size="tiny")
    assert lab.tables() == ["SocialApp"]
    lab.reset()
    assert lab.tables() == []
