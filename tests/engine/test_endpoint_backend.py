"""The endpoint backend against a second, independent DynamoDB engine: dynalite (npm).

dynalite is installed by `make test` (``npm ci``, see package.json). Without Node.js the tests
skip with a message, except in CI, where a missing engine is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ddb_lab import items_frame, start
from ddb_lab.lab import Lab

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]


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


def test_the_verifier_says_units_are_not_measured_here(lab: Lab) -> None:
    from ddb_lab.modeling import AccessPattern, Data, Entity, Model, verify

    data = Data({"Note": [{"id": f"n{i}", "body": "x"} for i in range(3)]}, {"Note": ("id",)})
    model = Model("Notes", "PK", [Entity("Note", {"PK": "NOTE#{id}"})])
    pattern = AccessPattern(
        "note",
        "A note",
        cases=[{"id": "n1"}],
        expected=lambda d, id: d.where("Note", id=id),
        max_read_units=0.1,  # would fail if units were made up as 0 or measured
    )

    def note(table: object, id: str) -> object:
        return table.get_item(Key={"PK": f"NOTE#{id}"}).get("Item")  # type: ignore[attr-defined]

    report = verify(model, [pattern], {"note": note}, data, lab=lab)
    assert report.passed, report.text()
    assert "n/a" in report.text()
    assert report.notes and "budgets were not checked" in report.notes[0]
