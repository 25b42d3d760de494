"""``start()`` and ``Lab``: one lab per kernel, idempotent, with the clients a notebook uses."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddb_lab import facts
from ddb_lab.clock import SIMULATED_EPOCH, RealClock, SimulatedClock
from ddb_lab.lab import (
    ENV_ALLOW_AWS,
    ENV_BACKEND,
    ENV_ENDPOINT,
    AwsNotAllowedError,
    Lab,
    current,
    isolated_session,
    start,
)

pytestmark = pytest.mark.timeout(60)  # a lock taken twice would hang, not fail


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (ENV_BACKEND, ENV_ENDPOINT, ENV_ALLOW_AWS):
        monkeypatch.delenv(name, raising=False)
    yield
    lab = current()
    if lab is not None and lab.config.backend != "embedded":
        lab.close()  # the next test's start() would close it anyway; do it under our env


def test_start_again_returns_the_same_lab_reset(lab: Lab, create_table: Any) -> None:
    create_table(lab.client, "Kept")
    client, resource, streams = lab.client, lab.resource, lab.streams
    assert lab.tables() == ["Kept"]

    again = start()

    assert again is lab
    assert (again.client, again.resource, again.streams) == (client, resource, streams)
    assert again.tables() == []
    assert current() is lab


def test_start_with_reset_false_keeps_the_tables(lab: Lab, create_table: Any) -> None:
    create_table(lab.client, "Kept")
    lab.client.put_item(TableName="Kept", Item={"pk": {"S": "a"}, "sk": {"S": "b"}})

    again = start(reset=False)

    assert again is lab
    assert again.tables() == ["Kept"]
    assert again.client.scan(TableName="Kept")["Count"] == 1


def test_different_config_gives_a_new_lab_and_closes_the_old(lab: Lab, create_table: Any) -> None:
    simulated = start(clock="simulated")

    assert simulated is not lab
    assert lab._closed
    assert current() is simulated
    assert isinstance(simulated.clock, SimulatedClock)
    create_table(simulated.client, "New")
    assert simulated.tables() == ["New"]

    back = start()
    assert back is not simulated
    assert simulated._closed
    assert isinstance(back.clock, RealClock)


def test_closing_a_server_lab_stops_its_server() -> None:
    server_lab = start(backend="server")
    url = server_lab.endpoint_url
    assert url is not None

    embedded = start()

    assert embedded.backend == "embedded"
    assert server_lab._closed
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_close_twice_is_harmless(lab: Lab) -> None:
    lab.close()
    lab.close()
    assert current() is None


def test_clients_resource_and_table(lab: Lab, create_table: Any) -> None:
    create_table(lab.client, "Posts")
    table = lab.table("Posts")
    table.put_item(Item={"pk": "u1", "sk": "p1", "likes": Decimal(3)})

    assert table.table_name == "Posts"
    assert lab.resource.Table("Posts").get_item(Key={"pk": "u1", "sk": "p1"})["Item"] == {
        "pk": "u1",
        "sk": "p1",
        "likes": Decimal(3),
    }
    low_level = lab.client.get_item(TableName="Posts", Key={"pk": {"S": "u1"}, "sk": {"S": "p1"}})
    assert low_level["Item"]["likes"] == {"N": "3"}
    assert lab.tables() == ["Posts"]
    assert lab.region == "us-east-1"
    assert lab.backend == "embedded"


def test_every_client_goes_through_the_engine(lab: Lab, create_table: Any) -> None:
    create_table(lab.client, "T")
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    calls = {
        "client": lambda: lab.client.put_item(TableName="T", Item={**key, "n": {"N": "1E+126"}}),
        "new_client": lambda: lab.new_client().put_item(
            TableName="T", Item={**key, "n": {"N": "1E+126"}}
        ),
        "resource": lambda: lab.table("T").put_item(
            Item={"pk": "a", "sk": "b", "n": Decimal("1E+126")}
        ),
    }
    for name, call in calls.items():
        with pytest.raises(ClientError) as info:
            call()
        error = info.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "ValidationException",
            facts.MSG_NUMBER_OVERFLOW,
        ), name


def test_streams_client_reads_the_table_stream(lab: Lab, create_table: Any) -> None:
    create_table(lab.client, "Feed", stream=True)
    lab.table("Feed").put_item(Item={"pk": "u1", "sk": "p1", "n": Decimal("1.50")})
    arn = lab.client.describe_table(TableName="Feed")["Table"]["LatestStreamArn"]

    description = lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shard = description["Shards"][0]["ShardId"]
    iterator = lab.streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = lab.streams.get_records(ShardIterator=iterator)["Records"]

    assert [r["eventName"] for r in records] == ["INSERT"]
    assert records[0]["dynamodb"]["Keys"] == {"pk": {"S": "u1"}, "sk": {"S": "p1"}}
    assert records[0]["dynamodb"]["NewImage"]["n"] == {"N": "1.5"}  # normalised, like DynamoDB


def test_clients_use_the_public_endpoint_names_without_account_ids(lab: Lab) -> None:
    assert lab.client.meta.endpoint_url == "https://dynamodb.us-east-1.amazonaws.com"
    assert lab.streams.meta.endpoint_url == "https://streams.dynamodb.us-east-1.amazonaws.com"
    assert lab.resource.meta.client.meta.endpoint_url == lab.client.meta.endpoint_url
    assert lab.client.meta.config.account_id_endpoint_mode == "disabled"
    assert lab.client._request_signer._credentials.access_key == "testing"
    assert lab.endpoint_url is None
    assert "kernel" in lab.connection_help()


def test_isolated_session_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-looking-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "https://example.invalid")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))

    session = isolated_session("us-east-1")
    credentials = session.get_credentials()
    client = session.client("dynamodb")

    assert (credentials.access_key, credentials.secret_key) == ("testing", "testing")
    assert session.region_name == "us-east-1"
    assert client.meta.endpoint_url == "https://dynamodb.us-east-1.amazonaws.com"


# --- Clock ---------------------------------------------------------------------------------------


def test_simulated_clock_lab_rewinds_on_reset() -> None:
    lab = start(clock="simulated")
    assert isinstance(lab.clock, SimulatedClock)
    assert lab.clock.now() == SIMULATED_EPOCH

    lab.clock.advance(3600)
    assert lab.clock.now() == SIMULATED_EPOCH + 3600
    lab.reset()
    assert lab.clock.now() == SIMULATED_EPOCH

    lab.clock.sleep(90)
    assert start(clock="simulated") is lab  # same config: same lab, reset
    assert lab.clock.now() == SIMULATED_EPOCH
    assert "simulated clock" in repr(lab)


def test_engine_shares_the_lab_clock() -> None:
    lab = start(clock="simulated")
    assert lab.engine is not None
    assert lab.engine.clock is lab.clock


def test_real_clock_is_the_default(lab: Lab) -> None:
    assert isinstance(lab.clock, RealClock)
    assert lab.clock.kind == "real"


# --- Configuration errors ------------------------------------------------------------------------


def test_unknown_backend(lab: Lab) -> None:
    with pytest.raises(ValueError, match=r"unknown backend 'dynalite'; choose one of: embedded"):
        start("dynalite")
    assert current() is lab and not lab._closed  # a bad call leaves the lab alone


def test_unknown_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BACKEND, "nope")
    with pytest.raises(ValueError, match="unknown backend 'nope'"):
        start()


def test_unknown_clock() -> None:
    with pytest.raises(ValueError, match="clock must be 'real' or 'simulated'"):
        start(clock="fast")


def test_endpoint_backend_needs_a_url() -> None:
    with pytest.raises(ValueError, match="the endpoint backend needs a URL"):
        start("endpoint")


def test_endpoint_from_the_environment_selects_the_endpoint_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Port 9 on loopback: nothing is sent, the lab only builds its clients.
    monkeypatch.setenv(ENV_ENDPOINT, "http://127.0.0.1:9")
    lab = start()
    assert lab.backend == "endpoint"
    assert lab.engine is None
    assert lab.endpoint_url == "http://127.0.0.1:9"
    assert lab.client.meta.endpoint_url == "http://127.0.0.1:9"
    assert lab.client._request_signer._credentials.access_key == "testing"
    assert "--endpoint-url http://127.0.0.1:9 --region us-east-1" in lab.connection_help()


@pytest.mark.parametrize("value", [None, "0", "true", "yes"])
def test_aws_backend_needs_the_explicit_opt_in(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv(ENV_ALLOW_AWS, value)
    with pytest.raises(AwsNotAllowedError) as info:
        start("aws")
    assert f"{ENV_ALLOW_AWS}=1" in str(info.value)


def test_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch, create_table: Any) -> None:
    monkeypatch.setenv(ENV_BACKEND, "server")
    lab = start()
    assert lab.backend == "server"
    assert lab.endpoint_url is not None
    assert lab.endpoint_url.startswith("http://127.0.0.1:")
    create_table(lab.client, "Served")
    assert lab.tables() == ["Served"]
    assert start() is lab  # the variable still says server: same lab


def test_explicit_backend_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BACKEND, "server")
    assert start("embedded").backend == "embedded"
