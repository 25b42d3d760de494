"""The aws backend's table prefix, and ``ddb-lab cleanup``, against moto standing in for AWS.

Everything runs under ``moto.mock_aws()`` with fake credentials, and the ``no_egress`` guard fails
any connection off this machine, so no request can reach a real account.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ddb_lab import cli
from ddb_lab.lab import (
    DEFAULT_AWS_PREFIX,
    ENV_ALLOW_AWS,
    ENV_BACKEND,
    ENV_ENDPOINT,
    ENV_PREFIX,
    Lab,
    current,
    start,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def fake_aws(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_egress: list[Any]
) -> Iterator[list[Any]]:
    """moto as "AWS": opt-in set, fake credentials, us-east-1, no config files."""
    lab = current()
    if lab is not None:  # an embedded lab's mock would keep moto's state between tests
        lab.close()
    for name in (ENV_BACKEND, ENV_ENDPOINT, ENV_PREFIX, "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(ENV_ALLOW_AWS, "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    with mock_aws():
        yield no_egress
        lab = current()
        if lab is not None:
            lab.close()
    assert no_egress == []


@pytest.fixture
def aws_lab(fake_aws: list[Any]) -> Lab:
    lab = start("aws")
    assert lab.backend == "aws"
    assert lab.engine is None
    return lab


def moto_client() -> Any:
    """A client straight into moto: sees the account as it is, prefixes and all."""
    return boto3.client("dynamodb", region_name="us-east-1")


def create(client: Any, name: str) -> dict[str, Any]:
    response: dict[str, Any] = client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return response


def test_tables_are_created_with_the_prefix(aws_lab: Lab) -> None:
    description = create(aws_lab.client, "SocialApp")["TableDescription"]

    assert description["TableName"] == "SocialApp"
    assert description["TableArn"].endswith(":table/ddb-lab-SocialApp")
    assert moto_client().list_tables()["TableNames"] == ["ddb-lab-SocialApp"]
    assert aws_lab.client.describe_table(TableName="SocialApp")["Table"]["TableName"] == (
        "SocialApp"
    )


def test_the_lab_sees_only_its_own_tables(aws_lab: Lab) -> None:
    create(aws_lab.client, "SocialApp")
    create(moto_client(), "Production")

    assert aws_lab.tables() == ["SocialApp"]
    assert aws_lab.client.list_tables()["TableNames"] == ["SocialApp"]
    with pytest.raises(ClientError) as info:
        aws_lab.client.describe_table(TableName="Production")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        aws_lab.client.put_item(TableName="Production", Item={"pk": {"S": "x"}})
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert moto_client().scan(TableName="Production")["Count"] == 0


def test_item_operations_use_unprefixed_names(aws_lab: Lab) -> None:
    client = aws_lab.client
    create(client, "SocialApp")

    put = client.put_item(
        TableName="SocialApp", Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert put["ConsumedCapacity"]["TableName"] == "SocialApp"
    written = client.batch_write_item(
        RequestItems={"SocialApp": [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]},
        ReturnConsumedCapacity="TOTAL",
    )
    assert [c["TableName"] for c in written["ConsumedCapacity"]] == ["SocialApp"]
    assert written["UnprocessedItems"] == {}
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "SocialApp", "Item": {"pk": {"S": "c"}}}},
            {
                "Update": {
                    "TableName": "SocialApp",
                    "Key": {"pk": {"S": "a"}},
                    "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "1"}},
                }
            },
        ]
    )
    got = client.batch_get_item(
        RequestItems={"SocialApp": {"Keys": [{"pk": {"S": k}} for k in "abc"]}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert list(got["Responses"]) == ["SocialApp"]
    assert sorted(i["pk"]["S"] for i in got["Responses"]["SocialApp"]) == ["a", "b", "c"]
    assert [c["TableName"] for c in got["ConsumedCapacity"]] == ["SocialApp"]
    item = client.get_item(TableName="SocialApp", Key={"pk": {"S": "a"}})["Item"]
    assert item == {"pk": {"S": "a"}, "n": {"N": "1"}}
    transact = client.transact_get_items(
        TransactItems=[{"Get": {"TableName": "SocialApp", "Key": {"pk": {"S": "c"}}}}]
    )
    assert transact["Responses"] == [{"Item": {"pk": {"S": "c"}}}]
    # All of it landed in the prefixed table.
    assert moto_client().scan(TableName="ddb-lab-SocialApp")["Count"] == 3


def test_a_reused_transaction_is_not_prefixed_twice(aws_lab: Lab) -> None:
    create(aws_lab.client, "SocialApp")
    actions = [{"Put": {"TableName": "SocialApp", "Item": {"pk": {"S": "a"}}}}]
    aws_lab.client.transact_write_items(TransactItems=actions)
    aws_lab.client.transact_write_items(TransactItems=actions)
    assert actions[0]["Put"]["TableName"] == "SocialApp"


def test_resource_api_uses_unprefixed_names(aws_lab: Lab) -> None:
    table = aws_lab.resource.create_table(
        TableName="SocialApp",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert table.name == "SocialApp"
    assert moto_client().list_tables()["TableNames"] == ["ddb-lab-SocialApp"]
    aws_lab.table("SocialApp").put_item(Item={"pk": "a", "n": Decimal(2)})
    assert aws_lab.table("SocialApp").get_item(Key={"pk": "a"})["Item"] == {
        "pk": "a",
        "n": Decimal(2),
    }
    with aws_lab.table("SocialApp").batch_writer() as batch:
        batch.put_item(Item={"pk": "b"})
    assert aws_lab.table("SocialApp").item_count is not None
    assert moto_client().scan(TableName="ddb-lab-SocialApp")["Count"] == 2


def test_streams_use_unprefixed_table_names(aws_lab: Lab) -> None:
    aws_lab.client.create_table(
        TableName="Feed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    aws_lab.client.put_item(TableName="Feed", Item={"pk": {"S": "a"}})
    streams = aws_lab.streams.list_streams(TableName="Feed")["Streams"]
    assert [s["TableName"] for s in streams] == ["Feed"]
    arn = streams[0]["StreamArn"]
    assert ":table/ddb-lab-Feed/stream/" in arn  # ARNs name the real table
    description = aws_lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["TableName"] == "Feed"
    iterator = aws_lab.streams.get_shard_iterator(
        StreamArn=arn,
        ShardId=description["Shards"][0]["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = aws_lab.streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT"]


def test_prefix_from_the_environment(fake_aws: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PREFIX, "course-")
    lab = start("aws")
    create(lab.client, "SocialApp")
    assert lab.config.table_prefix == "course-"
    assert moto_client().list_tables()["TableNames"] == ["course-SocialApp"]
    assert lab.tables() == ["SocialApp"]


def test_reset_deletes_only_the_labs_tables(aws_lab: Lab) -> None:
    create(aws_lab.client, "SocialApp")
    create(moto_client(), "Production")
    aws_lab.reset()
    assert moto_client().list_tables()["TableNames"] == ["Production"]


def test_cleanup_deletes_only_prefixed_tables(
    fake_aws: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    raw = moto_client()
    for name in ("ddb-lab-SocialApp", "ddb-lab-Orders", "Production", "ddb-labNoDash"):
        create(raw, name)

    assert cli.main(["cleanup", "--yes"]) == 0

    assert raw.list_tables()["TableNames"] == ["Production", "ddb-labNoDash"]
    out = capsys.readouterr().out
    assert "deleted ddb-lab-SocialApp" in out
    assert "deleted ddb-lab-Orders" in out
    assert "Production" not in out


def test_cleanup_with_nothing_to_delete(
    fake_aws: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    create(moto_client(), "Production")
    assert cli.main(["cleanup", "--yes"]) == 0
    assert f"No tables named {DEFAULT_AWS_PREFIX}* in us-east-1" in capsys.readouterr().out
    assert moto_client().list_tables()["TableNames"] == ["Production"]


def test_cleanup_asks_first_and_keeps_tables_on_no(
    fake_aws: list[Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create(moto_client(), "ddb-lab-SocialApp")
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.main(["cleanup"]) == 1
    assert "Nothing deleted." in capsys.readouterr().out
    assert moto_client().list_tables()["TableNames"] == ["ddb-lab-SocialApp"]


def test_cleanup_without_the_opt_in(
    fake_aws: list[Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create(moto_client(), "ddb-lab-SocialApp")
    monkeypatch.delenv(ENV_ALLOW_AWS)

    assert cli.main(["cleanup", "--yes"]) == 2

    err = capsys.readouterr().err
    assert f"set {ENV_ALLOW_AWS}=1" in err
    assert "costs real money" in err
    assert moto_client().list_tables()["TableNames"] == ["ddb-lab-SocialApp"]
