"""The server backend and ``ddb-lab serve``: the lab's DynamoDB over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ddb_lab import facts
from ddb_lab.lab import Lab, start

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"^http://127\.0\.0\.1:(\d+)$")


@pytest.fixture
def server_lab() -> Lab:
    """The server lab, empty; one per module (conftest closes it), so one server start."""
    return start(backend="server")


def plain_client(endpoint_url: str, service: str = "dynamodb", region: str = "us-east-1") -> Any:
    """What another program would use: boto3 with an endpoint URL and any credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def post(url: str, target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_endpoint_is_loopback_with_a_port(server_lab: Lab) -> None:
    assert server_lab.backend == "server"
    assert server_lab.endpoint_url is not None
    match = URL.match(server_lab.endpoint_url)
    assert match is not None, server_lab.endpoint_url
    assert int(match.group(1)) > 0
    assert server_lab.client.meta.endpoint_url == server_lab.endpoint_url


def test_another_client_sees_the_labs_tables(server_lab: Lab, create_table: Any) -> None:
    create_table(server_lab.client, "Shared")
    server_lab.client.put_item(TableName="Shared", Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    assert server_lab.endpoint_url is not None
    other = plain_client(server_lab.endpoint_url)

    assert other.list_tables()["TableNames"] == ["Shared"]
    item = other.get_item(TableName="Shared", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})["Item"]
    assert item == {"pk": {"S": "a"}, "sk": {"S": "b"}}
    other.put_item(TableName="Shared", Item={"pk": {"S": "c"}, "sk": {"S": "d"}})
    assert server_lab.client.scan(TableName="Shared")["Count"] == 2


def test_corrections_apply_over_http(server_lab: Lab, create_table: Any) -> None:
    create_table(server_lab.client, "T")
    assert server_lab.endpoint_url is not None
    other = plain_client(server_lab.endpoint_url)
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1" * 39}}
    with pytest.raises(ClientError) as info:
        other.put_item(TableName="T", Item=item)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert info.value.response["Error"]["Message"] == facts.MSG_NUMBER_TOO_PRECISE
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    other.put_item(TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "01.50"}})
    got = other.get_item(TableName="T", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})["Item"]
    assert got["n"] == {"N": "1.5"}


def test_region_comes_from_the_signature(server_lab: Lab, create_table: Any) -> None:
    create_table(server_lab.client, "East")
    assert server_lab.endpoint_url is not None
    west = plain_client(server_lab.endpoint_url, region="eu-west-1")
    assert west.list_tables()["TableNames"] == []
    create_table(west, "West", sk=("sk", "N"))
    with pytest.raises(ClientError) as info:  # key_rules reads the eu-west-1 table's schema
        west.get_item(TableName="West", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    assert info.value.response["Error"]["Message"] == facts.MSG_KEY_MISMATCH
    assert server_lab.tables() == ["East"]


def test_raw_http_post_lists_tables(server_lab: Lab, create_table: Any) -> None:
    create_table(server_lab.client, "Raw")
    assert server_lab.endpoint_url is not None
    status, body = post(server_lab.endpoint_url, "DynamoDB_20120810.ListTables", {})
    assert status == 200
    assert body == {"TableNames": ["Raw"]}


def test_raw_http_post_gets_dynamodb_errors(server_lab: Lab, create_table: Any) -> None:
    create_table(server_lab.client, "Raw")
    assert server_lab.endpoint_url is not None
    status, body = post(
        server_lab.endpoint_url,
        "DynamoDB_20120810.PutItem",
        {"TableName": "Raw", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "x": {}}},
    )
    assert status == 400
    assert body == {
        "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
        "message": facts.MSG_AV_EMPTY,
    }


def test_get_is_an_unknown_operation(server_lab: Lab) -> None:
    assert server_lab.endpoint_url is not None
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server_lab.endpoint_url + "/", timeout=10)
    assert info.value.code == 400
    body = json.loads(info.value.read())
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#UnknownOperationException"
    assert "X-Amz-Target" in body["message"]


def test_post_without_a_target_is_an_unknown_operation(server_lab: Lab) -> None:
    assert server_lab.endpoint_url is not None
    status, body = post(server_lab.endpoint_url, "", {})
    assert status == 400
    assert body["__type"].endswith("#UnknownOperationException")


def test_connection_help_has_the_aws_cli_line(server_lab: Lab) -> None:
    assert server_lab.endpoint_url is not None
    port = server_lab.endpoint_url.rsplit(":", 1)[1]
    help_text = server_lab.connection_help()
    expected = f"aws dynamodb list-tables --endpoint-url http://127.0.0.1:{port} --region us-east-1"
    assert expected in help_text.splitlines()[2]
    assert f"port {port}." in help_text


def test_streams_through_the_server(server_lab: Lab, create_table: Any) -> None:
    assert server_lab.endpoint_url is not None
    create_table(server_lab.client, "Feed", stream=True)
    other = plain_client(server_lab.endpoint_url)
    other.put_item(TableName="Feed", Item={"pk": {"S": "u"}, "sk": {"S": "p"}, "n": {"N": "2.0"}})
    arn = other.describe_table(TableName="Feed")["Table"]["LatestStreamArn"]

    streams = plain_client(server_lab.endpoint_url, "dynamodbstreams")
    assert [s["StreamArn"] for s in streams.list_streams(TableName="Feed")["Streams"]] == [arn]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]

    assert [r["eventName"] for r in records] == ["INSERT"]
    assert records[0]["dynamodb"]["NewImage"] == {
        "pk": {"S": "u"},
        "sk": {"S": "p"},
        "n": {"N": "2"},
    }
    # The lab's own streams client reaches the same stream through the server.
    assert (
        server_lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamArn"] == arn
    )


# --- ddb-lab serve -------------------------------------------------------------------------------


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_ddb_lab_serve(create_table: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DDB_LAB_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "ddb_lab.cli", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        cli_line = None
        while cli_line is None:
            try:
                line = lines.get(timeout=30)
            except queue.Empty:
                pytest.fail("ddb-lab serve printed no endpoint in 30 s:\n" + "".join(seen))
            if line is None:
                pytest.fail("ddb-lab serve exited:\n" + "".join(seen))
            seen.append(line)
            if "aws dynamodb list-tables" in line:
                cli_line = line
        match = re.search(r"--endpoint-url (http://127\.0\.0\.1:\d+) --region us-east-1$", cli_line)
        assert match is not None, cli_line
        url = match.group(1)
        assert any(f"serving DynamoDB on {url}" in line for line in seen), seen

        client = plain_client(url)
        assert client.list_tables()["TableNames"] == []
        create_table(client, "FromCli")
        assert client.list_tables()["TableNames"] == ["FromCli"]
        with pytest.raises(ClientError) as info:
            client.put_item(
                TableName="FromCli",
                Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "s": {"SS": ["x", "x"]}},
            )
        assert info.value.response["Error"]["Message"] == facts.MSG_SET_DUPLICATES.format(
            values="[x, x]"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
