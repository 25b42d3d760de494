"""Simulated global tables: replication through the streams, visible lag, last writer wins."""

from __future__ import annotations

from typing import Any

import pytest

from ddb_lab.global_tables import MRSC_NOTE, global_table
from ddb_lab.streams import StreamProcessor

US, EU, AP = "us-east-1", "eu-west-1", "ap-southeast-2"


def profiles(lab: Any, **extra: Any) -> None:
    lab.client.create_table(
        TableName="Profiles",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def put(table: Any, region: str, pk: str, value: str) -> None:
    table.client(region).put_item(
        TableName="Profiles", Item={"pk": {"S": pk}, "city": {"S": value}}
    )


@pytest.mark.parametrize("later", [US, EU])
def test_conflicting_writes_converge_to_the_later_write(sim: Any, later: str) -> None:
    profiles(sim)
    table = global_table(sim, "Profiles", [US, EU], lag=1.0)
    earlier = EU if later == US else US
    put(table, earlier, "u1", f"written in {earlier}")
    sim.clock.advance(0.5)  # the second write comes before the first has replicated
    put(table, later, "u1", f"written in {later}")
    assert table.item(US, pk="u1") != table.item(EU, pk="u1")
    sim.clock.advance(1.0)
    outcomes = sorted((r.origin, r.target, r.outcome) for r in table.replicate())
    assert outcomes == sorted([(earlier, later, "superseded"), (later, earlier, "applied")])
    expected = {"pk": "u1", "city": f"written in {later}"}
    assert table.item(US, pk="u1") == expected == table.item(EU, pk="u1")
    assert table.converged()
    assert table.replicate() == [] and table.pending() == 0  # no echo back and forth


def test_replication_lag_is_visible_on_the_lab_clock(sim: Any) -> None:
    profiles(sim)
    table = global_table(sim, "Profiles", [US, EU], lag=2.0)
    put(table, US, "u1", "Lisbon")
    sim.clock.advance(1.0)
    assert table.replicate() == []
    assert table.item(EU, pk="u1") is None  # not there yet
    assert table.pending() == 1
    sim.clock.advance(1.0)
    (replication,) = table.replicate()
    assert (replication.origin, replication.target, replication.outcome) == (US, EU, "applied")
    assert replication.applied_at - replication.written_at == 2.0
    assert table.item(EU, pk="u1") == {"pk": "u1", "city": "Lisbon"}


def test_replicas_start_with_the_items_and_replicate_updates_and_deletes(sim: Any) -> None:
    profiles(sim)
    sim.client.put_item(TableName="Profiles", Item={"pk": {"S": "old"}, "city": {"S": "Oslo"}})
    table = global_table(sim, "Profiles", [US, EU, AP], lag=0.5)
    assert table.items(EU) == table.items(AP) == [{"pk": "old", "city": "Oslo"}]
    table.client(AP).update_item(
        TableName="Profiles",
        Key={"pk": {"S": "old"}},
        UpdateExpression="SET city = :c",
        ExpressionAttributeValues={":c": {"S": "Perth"}},
    )
    table.client(EU).delete_item(TableName="Profiles", Key={"pk": {"S": "old"}})
    sim.clock.advance(0.5)
    table.replicate()
    # both happened at the same lab time: the tie goes to the higher region name
    assert table.converged()
    assert table.items(US) == []  # eu-west-1 > ap-southeast-2: the delete wins
    assert len(table.log) == 4  # two changes, each to two other regions


def test_a_later_delete_wins_over_an_earlier_update(sim: Any) -> None:
    profiles(sim)
    table = global_table(sim, "Profiles", [US, EU], lag=1.0)
    put(table, US, "u1", "Rome")
    sim.clock.advance(1.0)
    table.replicate()
    put(table, US, "u1", "Milan")
    sim.clock.advance(0.1)
    table.client(EU).delete_item(TableName="Profiles", Key={"pk": {"S": "u1"}})
    sim.clock.advance(1.0)
    table.replicate()
    assert table.items(US) == table.items(EU) == []


def test_ttl_deletes_replicate_as_ordinary_deletes(sim: Any) -> None:
    profiles(sim)
    sim.client.update_time_to_live(
        TableName="Profiles", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    table = global_table(sim, "Profiles", [US, EU], lag=1.0)
    now = int(sim.clock.now())
    table.client(US).put_item(
        TableName="Profiles", Item={"pk": {"S": "t"}, "exp": {"N": str(now + 10)}}
    )
    sim.clock.advance(1.0)
    table.replicate()
    seen: dict[str, list[dict[str, Any]]] = {US: [], EU: []}
    readers = {
        region: StreamProcessor(
            sim,
            "Profiles",
            lambda e, r=region: seen[r].extend(e["Records"]),
            starting_position="LATEST",
            region=region,
        )
        for region in (US, EU)
    }
    sim.clock.advance(sim.ttl.interval)  # the sweep deletes in us-east-1 only
    assert table.items(EU) != []  # the delete has not replicated yet
    sim.clock.advance(1.0)
    table.replicate()
    for reader in readers.values():
        reader.drain()
    assert table.items(US) == table.items(EU) == []
    (home,) = seen[US]
    (replica,) = seen[EU]
    assert home["userIdentity"]["principalId"] == "dynamodb.amazonaws.com"
    assert "userIdentity" not in replica
    assert replica["awsRegion"] == EU


def test_describe_says_it_is_a_simulation_and_the_table_is_checked(sim: Any) -> None:
    profiles(sim)
    table = sim.global_table("Profiles", [US, EU])
    assert table.describe()["Simulated"] is True
    assert "3 regions" in MRSC_NOTE
    with pytest.raises(ValueError, match="two regions"):
        global_table(sim, "Profiles", [US])
