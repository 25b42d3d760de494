"""Acceptance: with a learner's real-looking AWS setup in place, the lab never leaves the machine.

Each case runs in a fresh Python process whose environment carries production-looking
credentials, a profile, a region and endpoint overrides (variables and config files). The script
first replaces the socket entry points with a guard that refuses any non-loopback address, then
drives the lab. The lab must sign with the fake ``testing`` key for us-east-1 and never try a
connection off the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]

REAL_LOOKING_KEY = "AKIAIOSFODNN7EXAMPLE"
PROFILE_KEY = "AKIAPRODPROFILEKEY01"

#: Installed before anything else in every script: refuse and record non-loopback traffic.
GUARD = textwrap.dedent(
    """
    import ipaddress
    import socket

    ATTEMPTS = []


    class EgressBlocked(RuntimeError):
        pass


    def _loopback(host):
        if host is None or isinstance(host, int):
            return True
        if isinstance(host, bytes):
            host = host.decode()
        if not isinstance(host, str):
            return True
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False


    def _check(kind, address):
        if isinstance(address, str) and kind != "getaddrinfo":
            return  # AF_UNIX path
        host = address[0] if isinstance(address, tuple) else address
        if not _loopback(host):
            ATTEMPTS.append((kind, address))
            raise EgressBlocked(f"{kind} to {address!r} blocked: not loopback")


    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex
    _create_connection = socket.create_connection
    _getaddrinfo = socket.getaddrinfo


    def connect(self, address):
        _check("connect", address)
        return _connect(self, address)


    def connect_ex(self, address):
        _check("connect_ex", address)
        return _connect_ex(self, address)


    def create_connection(address, *args, **kwargs):
        _check("create_connection", address)
        return _create_connection(address, *args, **kwargs)


    def getaddrinfo(host, *args, **kwargs):
        _check("getaddrinfo", host)
        return _getaddrinfo(host, *args, **kwargs)


    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.create_connection = create_connection
    socket.getaddrinfo = getaddrinfo
    """
)

EMBEDDED = textwrap.dedent(
    f"""
    from decimal import Decimal
    from urllib.parse import urlparse

    import ddb_lab

    lab = ddb_lab.start()
    signed = []


    def record(request, **_):
        signed.append(dict(request.headers))


    for client in (lab.client, lab.streams, lab.resource.meta.client):
        client.meta.events.register_first("before-send", record)

    c = lab.client
    c.create_table(
        TableName="Feed",
        KeySchema=[{{"AttributeName": "pk", "KeyType": "HASH"}},
                   {{"AttributeName": "sk", "KeyType": "RANGE"}}],
        AttributeDefinitions=[{{"AttributeName": "pk", "AttributeType": "S"}},
                              {{"AttributeName": "sk", "AttributeType": "S"}}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={{"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}},
    )
    c.put_item(TableName="Feed", Item={{"pk": {{"S": "u1"}}, "sk": {{"S": "p1"}}}})
    assert c.get_item(TableName="Feed", Key={{"pk": {{"S": "u1"}}, "sk": {{"S": "p1"}}}})["Item"]
    query = c.query(TableName="Feed", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={{":p": {{"S": "u1"}}}})
    assert query["Count"] == 1, query

    table = lab.table("Feed")
    table.put_item(Item={{"pk": "u1", "sk": "p2", "n": Decimal("2")}})
    assert table.get_item(Key={{"pk": "u1", "sk": "p2"}})["Item"]["n"] == 2

    arn = c.describe_table(TableName="Feed")["Table"]["LatestStreamArn"]
    shard = lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = lab.streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = lab.streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"], records

    for client in (lab.client, lab.streams, lab.resource.meta.client):
        credentials = client._request_signer._credentials
        assert credentials.access_key == "testing", credentials.access_key
        assert credentials.secret_key == "testing"
        assert credentials.token is None
        assert client.meta.region_name == "us-east-1", client.meta.region_name
    assert lab.region == "us-east-1"
    assert urlparse(lab.client.meta.endpoint_url).hostname == "dynamodb.us-east-1.amazonaws.com"
    assert urlparse(lab.streams.meta.endpoint_url).hostname == (
        "streams.dynamodb.us-east-1.amazonaws.com"
    )

    assert len(signed) >= 10, len(signed)
    for headers in signed:
        authorization = headers["Authorization"]
        authorization = (
            authorization.decode() if isinstance(authorization, bytes) else authorization
        )
        assert "Credential=testing/" in authorization, authorization
        assert "/us-east-1/" in authorization, authorization
        assert "{REAL_LOOKING_KEY}" not in authorization
        assert "{PROFILE_KEY}" not in authorization
        assert "X-Amz-Security-Token" not in headers, headers

    assert ATTEMPTS == [], ATTEMPTS
    lab.close()
    print("NO-EGRESS-OK", len(signed))
    """
)

SERVER = textwrap.dedent(
    """
    import boto3
    import ddb_lab

    lab = ddb_lab.start(backend="server")
    assert lab.endpoint_url.startswith("http://127.0.0.1:"), lab.endpoint_url
    assert lab.client._request_signer._credentials.access_key == "testing"
    assert lab.client.meta.region_name == "us-east-1"

    lab.client.create_table(
        TableName="Shared",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    lab.table("Shared").put_item(Item={"pk": "a"})
    other = boto3.client(
        "dynamodb", endpoint_url=lab.endpoint_url, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
    )
    assert other.list_tables()["TableNames"] == ["Shared"]
    assert other.get_item(TableName="Shared", Key={"pk": {"S": "a"}})["Item"]
    assert lab.client.scan(TableName="Shared")["Count"] == 1

    assert ATTEMPTS == [], ATTEMPTS
    lab.close()
    print("NO-EGRESS-OK server")
    """
)


@pytest.fixture
def real_looking_env(tmp_path: Path) -> dict[str, str]:
    """A learner's production setup: variables, a profile, config and credentials files."""
    config = tmp_path / "config"
    config.write_text(
        "[default]\nregion = ap-southeast-2\nendpoint_url = https://default.example.invalid\n\n"
        "[profile prod]\nregion = eu-west-2\nendpoint_url = https://prod.example.invalid\n"
        "services = prod-services\n\n"
        "[services prod-services]\ndynamodb =\n  endpoint_url = https://ddb.example.invalid\n"
    )
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = default-secret\n\n"
        f"[prod]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = prod-secret\n"
        "aws_session_token = prod-session-token\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DDB_LAB_"))}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": REAL_LOOKING_KEY,
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
            "AWS_PROFILE": "prod",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_REGION": "eu-west-2",
            "AWS_ENDPOINT_URL": "https://all.example.invalid",
            "AWS_ENDPOINT_URL_DYNAMODB": "https://example.invalid",
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "https://streams.example.invalid",
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    return env


def run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GUARD + script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )


def report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def test_embedded_lab_never_leaves_the_machine(real_looking_env: dict[str, str]) -> None:
    result = run(EMBEDDED, real_looking_env)
    assert result.returncode == 0, report(result)
    assert "NO-EGRESS-OK" in result.stdout, report(result)


def test_without_the_lab_this_environment_would_reach_out(real_looking_env: dict[str, str]) -> None:
    # The control: a plain boto3 client here signs with the learner's key and heads for the
    # configured endpoint, and the guard catches it. So the lab's clean run above means something.
    script = textwrap.dedent(
        """
        import boto3

        client = boto3.client("dynamodb")
        print("KEY", client._request_signer._credentials.access_key)
        print("REGION", client.meta.region_name)
        try:
            client.list_tables()
        except Exception as error:
            print("RAISED", type(error).__name__)
        print("ATTEMPTS", ATTEMPTS)
        """
    )
    result = run(script, real_looking_env)
    assert result.returncode == 0, report(result)
    assert f"KEY {REAL_LOOKING_KEY}" in result.stdout, report(result)
    assert "REGION eu-west-2" in result.stdout, report(result)
    assert "ATTEMPTS [('getaddrinfo', 'example.invalid')" in result.stdout, report(result)


def test_server_lab_only_talks_to_loopback(real_looking_env: dict[str, str]) -> None:
    result = run(SERVER, real_looking_env)
    assert result.returncode == 0, report(result)
    assert "NO-EGRESS-OK server" in result.stdout, report(result)


@pytest.mark.parametrize(
    "attempt",
    [
        'socket.create_connection(("93.184.216.34", 443), timeout=1)',
        'socket.socket().connect(("93.184.216.34", 443))',
        'socket.socket().connect_ex(("93.184.216.34", 443))',
        'socket.getaddrinfo("example.com", 443)',
        'socket.create_connection(("2606:2800:220:1::", 443), timeout=1)',
    ],
    ids=["create_connection", "connect", "connect_ex", "getaddrinfo", "ipv6"],
)
def test_the_guard_blocks_before_connecting(real_looking_env: dict[str, str], attempt: str) -> None:
    # The guard raises before the real call, so nothing is sent anywhere.
    result = run(f"\n{attempt}\nprint('CONNECTED')\n", real_looking_env)
    assert result.returncode != 0, report(result)
    assert "CONNECTED" not in result.stdout
    assert "EgressBlocked" in result.stderr, report(result)
    assert "blocked: not loopback" in result.stderr, report(result)


def test_the_guard_lets_loopback_through(real_looking_env: dict[str, str]) -> None:
    script = textwrap.dedent(
        """
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # never accepted: room for all three connections in the backlog
        port = server.getsockname()[1]
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        socket.create_connection(("localhost", port), timeout=5).close()
        client = socket.socket()
        client.settimeout(5)
        assert client.connect_ex(("127.0.0.1", port)) == 0
        client.close()
        assert ATTEMPTS == []
        print("LOOPBACK-OK")
        """
    )
    result = run(script, real_looking_env)
    assert result.returncode == 0, report(result)
    assert "LOOPBACK-OK" in result.stdout
