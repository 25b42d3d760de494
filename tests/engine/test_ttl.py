"""TTL: expired items stay readable until the sweeper deletes them, for free, as the service."""

from __future__ import annotations

from typing import Any

from ddb_lab.streams import StreamProcessor, keys

START = 1_735_689_600  # the simulated clock's start


def tokens_table(lab: Any) -> None:
    lab.client.create_table(
        TableName="Tokens",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "user", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByUser",
                "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    lab.client.update_time_to_live(
        TableName="Tokens", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )


def token(lab: Any, pk: str, expires: Any) -> None:
    item = {"pk": {"S": pk}, "user": {"S": "u1"}}
    if expires is not None:
        item["expires"] = expires
    lab.client.put_item(TableName="Tokens", Item=item)


def stored(lab: Any) -> list[str]:
    items = lab.client.scan(TableName="Tokens")["Items"]
    return sorted(i["pk"]["S"] for i in items)


def test_expired_items_are_readable_until_the_sweep(sim: Any) -> None:
    tokens_table(sim)
    token(sim, "short", {"N": str(START + 60)})
    token(sim, "long", {"N": str(START + 10 * 3600)})
    sim.clock.advance(120)  # "short" has expired, no sweep yet
    assert sim.ttl.expired("Tokens") == [{"pk": {"S": "short"}}]
    got = sim.client.get_item(TableName="Tokens", Key={"pk": {"S": "short"}})
    assert "Item" in got
    # the filter a reader needs until the sweep
    now = int(sim.clock.now())
    live = sim.client.scan(
        TableName="Tokens",
        FilterExpression="#e > :now",
        ExpressionAttributeNames={"#e": "expires"},
        ExpressionAttributeValues={":now": {"N": str(now)}},
    )["Items"]
    assert [i["pk"]["S"] for i in live] == ["long"]
    sim.clock.advance(sim.ttl.interval)  # the sweep is due now
    assert stored(sim) == ["long"]
    (report,) = sim.ttl.history
    assert [(e.table, e.key) for e in report] == [("Tokens", {"pk": {"S": "short"}})]
    # the index lost the item too
    by_user = sim.client.query(
        TableName="Tokens",
        IndexName="ByUser",
        KeyConditionExpression="#u = :u",
        ExpressionAttributeNames={"#u": "user"},
        ExpressionAttributeValues={":u": {"S": "u1"}},
    )["Items"]
    assert [i["pk"]["S"] for i in by_user] == ["long"]


def test_only_numbers_in_the_past_expire(sim: Any) -> None:
    tokens_table(sim)
    token(sim, "string", {"S": str(START)})
    token(sim, "missing", None)
    token(sim, "future", {"N": str(START + 10**6)})
    token(sim, "exactly_now", {"N": str(START + 3600)})
    token(sim, "past", {"N": str(START - 5)})
    sim.clock.advance(3600)
    assert stored(sim) == ["exactly_now", "future", "missing", "string"]


def test_ttl_deletes_consume_no_write_units_and_are_service_deletes(sim: Any) -> None:
    tokens_table(sim)
    token(sim, "a", {"N": str(START + 1)})
    token(sim, "b", {"N": str(START + 10**6)})
    handler_records: list[dict[str, Any]] = []
    processor = StreamProcessor(
        sim, "Tokens", lambda e: handler_records.extend(e["Records"]), starting_position="LATEST"
    )
    with sim.receipt() as receipt:
        report = sim.ttl.sweep()  # on demand, before the clock moves: nothing expired
        sim.clock.advance(2)
        report = sim.ttl.sweep()
    assert len(report) == 1
    assert receipt.write_units == 0 and receipt.rows == []
    sim.client.delete_item(TableName="Tokens", Key={"pk": {"S": "b"}})  # a user's delete
    processor.drain()
    service, user = handler_records
    assert keys(service) == {"pk": "a"} and service["eventName"] == "REMOVE"
    assert service["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert "userIdentity" not in user


def test_sweeps_run_on_the_lab_clock_and_reset_with_the_lab(sim: Any) -> None:
    tokens_table(sim)
    token(sim, "a", {"N": str(START + 1)})
    first = sim.ttl.next_sweep
    assert first == START + sim.ttl.interval
    sim.clock.advance(sim.ttl.interval - 1)
    assert stored(sim) == ["a"]  # expired, not swept
    sim.clock.advance(1)
    assert stored(sim) == []
    assert sim.ttl.next_sweep == START + 2 * sim.ttl.interval
    sim.reset()
    assert sim.ttl.history == [] and sim.ttl.next_sweep == first


def test_a_table_without_ttl_is_never_swept(sim: Any) -> None:
    sim.client.create_table(
        TableName="Plain",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sim.client.put_item(TableName="Plain", Item={"pk": {"S": "a"}, "expires": {"N": "1"}})
    sim.clock.advance(10 * sim.ttl.interval)
    assert "Item" in sim.client.get_item(TableName="Plain", Key={"pk": {"S": "a"}})
