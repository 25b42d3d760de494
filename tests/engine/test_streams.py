"""Streams: records for every kind of write reach a Lambda-shaped handler with the right images.

Each case writes through the real DynamoDB API and reads the table's stream through the real
Streams API (``StreamProcessor``), once per StreamViewType. Then: no-op writes emit nothing,
failing handlers are retried and bisected without losing a record, filters, partial batch
responses, positions, background polling, and the engine's stamping of records.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ddb_lab import facts
from ddb_lab.streams import StreamProcessor, image, keys, matches, parse_filters

VIEW_TYPES = facts.STREAM_VIEW_TYPES


def make(lab: Any, view: str = "NEW_AND_OLD_IMAGES", name: str = "T", **extra: Any) -> str:
    lab.client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
        **extra,
    )
    return name


def put(lab: Any, pk: str, **attrs: Any) -> None:
    item = {"pk": {"S": pk}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    lab.client.put_item(TableName="T", Item=item)


class Collector:
    """A handler that keeps every event it is given."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [r for e in self.events for r in e["Records"]]


# --- The writes, and the records DynamoDB emits for them ------------------------------------------

Expected = list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]


def case_put(lab: Any) -> Expected:
    put(lab, "a", n=1)
    put(lab, "seed", n=2)  # an overwrite
    return [
        ("INSERT", "a", {"pk": "a", "n": 1}, None),
        ("MODIFY", "seed", {"pk": "seed", "n": 2}, {"pk": "seed", "n": 1}),
    ]


def case_update(lab: Any) -> Expected:
    lab.client.update_item(
        TableName="T",
        Key={"pk": {"S": "seed"}},
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    lab.client.update_item(
        TableName="T",
        Key={"pk": {"S": "new"}},
        UpdateExpression="SET n = :v",
        ExpressionAttributeValues={":v": {"N": "7"}},
    )
    return [
        ("MODIFY", "seed", {"pk": "seed", "n": 2}, {"pk": "seed", "n": 1}),
        ("INSERT", "new", {"pk": "new", "n": 7}, None),
    ]


def case_delete(lab: Any) -> Expected:
    lab.client.delete_item(TableName="T", Key={"pk": {"S": "seed"}})
    lab.client.delete_item(TableName="T", Key={"pk": {"S": "missing"}})  # no record
    return [("REMOVE", "seed", None, {"pk": "seed", "n": 1})]


def case_batch(lab: Any) -> Expected:
    lab.client.batch_write_item(
        RequestItems={
            "T": [
                {"PutRequest": {"Item": {"pk": {"S": "b"}, "n": {"N": "5"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "seed"}, "n": {"N": "9"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "other"}}}},
            ]
        }
    )
    return [
        ("INSERT", "b", {"pk": "b", "n": 5}, None),
        ("MODIFY", "seed", {"pk": "seed", "n": 9}, {"pk": "seed", "n": 1}),
        ("REMOVE", "other", None, {"pk": "other", "n": 3}),
    ]


def case_transaction(lab: Any) -> Expected:
    lab.client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "T", "Item": {"pk": {"S": "b"}, "n": {"N": "5"}}}},
            {
                "Update": {
                    "TableName": "T",
                    "Key": {"pk": {"S": "seed"}},
                    "UpdateExpression": "SET n = :v",
                    "ExpressionAttributeValues": {":v": {"N": "2"}},
                }
            },
            {"Delete": {"TableName": "T", "Key": {"pk": {"S": "other"}}}},
        ]
    )
    return [
        ("INSERT", "b", {"pk": "b", "n": 5}, None),
        ("MODIFY", "seed", {"pk": "seed", "n": 2}, {"pk": "seed", "n": 1}),
        ("REMOVE", "other", None, {"pk": "other", "n": 3}),
    ]


def case_ttl(lab: Any) -> Expected:
    lab.clock.advance(lab.ttl.interval)  # past "seed"'s expiry, and a sweep is due
    return [("REMOVE", "seed", None, {"pk": "seed", "n": 1, "exp": EXPIRY})]


EXPIRY = 1_735_689_700  # 100 s after the simulated clock starts
CASES: dict[str, Callable[[Any], Expected]] = {
    "put": case_put,
    "update": case_update,
    "delete": case_delete,
    "batch_write": case_batch,
    "transaction": case_transaction,
    "ttl_sweep": case_ttl,
}


def seed(lab: Any, case: str) -> None:
    if case == "ttl_sweep":
        lab.client.update_time_to_live(
            TableName="T", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
        )
        put(lab, "seed", n=1, exp=EXPIRY)
        put(lab, "later", n=1, exp=EXPIRY + 10 * int(lab.ttl.interval))
    else:
        put(lab, "seed", n=1)
        put(lab, "other", n=3)


@pytest.mark.parametrize("view", VIEW_TYPES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_write_reaches_the_handler_with_the_images_of_the_view_type(
    sim: Any, case: str, view: str
) -> None:
    make(sim, view)
    seed(sim, case)
    handler = Collector()
    processor = StreamProcessor(sim, "T", handler, starting_position="LATEST")
    expected = CASES[case](sim)
    processor.drain()
    got = sorted(handler.records, key=lambda r: keys(r)["pk"])
    assert [(r["eventName"], keys(r)["pk"]) for r in got] == sorted(
        [(e[0], e[1]) for e in expected], key=lambda t: t[1]
    )
    by_key = {e[1]: e for e in expected}
    for record in got:
        _, pk, new, old = by_key[keys(record)["pk"]]
        body = record["dynamodb"]
        assert body["StreamViewType"] == view
        assert body["Keys"] == {"pk": {"S": pk}}
        want_new = new if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None
        want_old = old if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None
        assert image(record, "NewImage") == want_new
        assert image(record, "OldImage") == want_old
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventVersion"] == facts.STREAM_EVENT_VERSION
        assert record["awsRegion"] == "us-east-1"
        assert record["eventSourceARN"] == processor.stream_arn
        assert body["ApproximateCreationDateTime"] == int(sim.clock.now())
        assert body["SizeBytes"] > 0
        if case == "ttl_sweep":
            assert record["userIdentity"] == {
                "type": "Service",
                "principalId": "dynamodb.amazonaws.com",
            }
        else:
            assert "userIdentity" not in record
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in handler.records]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_a_write_that_changes_nothing_emits_no_record(sim: Any) -> None:
    make(sim)
    put(sim, "a", n=1)
    handler = Collector()
    processor = StreamProcessor(sim, "T", handler, starting_position="LATEST")
    put(sim, "a", n=1)  # the same item again
    sim.client.update_item(
        TableName="T",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET n = :v",
        ExpressionAttributeValues={":v": {"N": "1.0"}},  # the same number, written differently
    )
    assert processor.drain().delivered == 0
    put(sim, "a", n=2)
    processor.drain()
    assert [r["eventName"] for r in handler.records] == ["MODIFY"]


def test_records_are_the_same_on_every_run(sim: Any) -> None:
    def run() -> list[tuple[str, str, int]]:
        sim.reset()
        make(sim)
        put(sim, "a", n=1)
        sim.clock.advance(5)
        put(sim, "a", n=2)
        handler = Collector()
        StreamProcessor(sim, "T", handler).drain()
        return [
            (r["eventID"], r["eventSourceARN"], r["dynamodb"]["ApproximateCreationDateTime"])
            for r in handler.records
        ]

    first = run()
    assert first == run()
    assert first[1][2] - first[0][2] == 5
    assert first[0][1].endswith("/stream/2025-01-01T00:00:00.000")


# --- Failures: retries, bisection, the failure list ---------------------------------------------


def poison_handler(poison: str, seen: list[str]) -> Callable[[dict[str, Any]], None]:
    def handler(event: dict[str, Any]) -> None:
        for record in event["Records"]:
            if keys(record)["pk"] == poison:
                raise ValueError(f"cannot process {poison}")
            seen.append(keys(record)["pk"])

    return handler


def write_many(lab: Any, count: int) -> list[str]:
    names = [f"k{i}" for i in range(count)]
    for name in names:
        put(lab, name, n=1)
    return names


def test_a_poison_record_is_bisected_out_and_nothing_is_lost(sim: Any) -> None:
    make(sim)
    names = write_many(sim, 8)
    seen: list[str] = []
    processor = StreamProcessor(
        sim, "T", poison_handler("k5", seen), batch_size=8, bisect_on_error=True, max_retries=2
    )
    report = processor.drain()
    assert not report.blocked
    ok = [n for i in processor.log if i.outcome == "ok" for n in i.sequence_numbers]
    (failure,) = processor.failures
    everything = processor.drain  # a second drain has nothing left
    assert everything().invocations == []
    all_numbers = _sequence_numbers(sim)
    poison_number = all_numbers[names.index("k5")]
    # good records: each in exactly one successful invocation; the poison in the failure list
    assert sorted(ok) == sorted(n for n in all_numbers if n != poison_number)
    assert len(ok) == len(set(ok))
    assert failure.sequence_numbers == (poison_number,)
    assert failure.condition == "RetryAttemptsExhausted"
    assert failure.attempts == 3  # the first try and 2 retries
    assert failure.message()["DDBStreamBatchInfo"]["startSequenceNumber"] == poison_number
    # at-least-once: the records before the poison in a failed batch were seen again
    assert set(seen) == set(names) - {"k5"}
    assert len(seen) > len(set(seen))
    assert processor.checkpoints == {failure.shard_id: all_numbers[-1]}
    # per-item order is kept: the successful invocations run in sequence order
    assert ok == sorted(ok)


def test_without_bisection_the_whole_batch_goes_to_the_failure_list(sim: Any) -> None:
    make(sim)
    write_many(sim, 4)
    calls: list[int] = []

    def handler(event: dict[str, Any]) -> None:
        calls.append(len(event["Records"]))
        raise RuntimeError("down")

    failures: list[Any] = []
    processor = StreamProcessor(
        sim, "T", handler, batch_size=10, max_retries=2, on_failure=failures
    )
    report = processor.drain()
    assert calls == [4, 4, 4]
    assert len(failures) == 1 and len(failures[0].records) == 4
    assert report.delivered == 0 and processor.failures is failures


def test_unlimited_retries_block_the_shard_until_the_record_expires(sim: Any) -> None:
    make(sim)
    write_many(sim, 4)
    seen: list[str] = []
    processor = StreamProcessor(
        sim, "T", poison_handler("k2", seen), batch_size=4, bisect_on_error=True
    )
    first = processor.drain()
    assert first.blocked and processor.failures == []
    put(sim, "late", n=1)
    assert processor.drain().blocked  # still waiting: "late" is not delivered
    assert "late" not in seen
    sim.clock.advance(facts.STREAM_RETENTION_SECONDS)
    final = processor.drain()
    assert not final.blocked
    assert [f.condition for f in processor.failures] == ["RecordAgeExceeded"]
    assert {"k3", "late"} <= set(seen)


def test_partial_batch_response_retries_from_the_first_failed_record(sim: Any) -> None:
    make(sim)
    write_many(sim, 5)
    batches: list[list[str]] = []
    failed_once: set[str] = set()

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        batches.append([keys(r)["pk"] for r in event["Records"]])
        for record in event["Records"]:
            if keys(record)["pk"] == "k2" and "k2" not in failed_once:
                failed_once.add("k2")
                number = record["dynamodb"]["SequenceNumber"]
                return {"batchItemFailures": [{"itemIdentifier": number}]}
        return {"batchItemFailures": []}

    processor = StreamProcessor(
        sim, "T", handler, batch_size=5, report_batch_item_failures=True, max_retries=1
    )
    report = processor.drain()
    assert batches == [["k0", "k1", "k2", "k3", "k4"], ["k2", "k3", "k4"]]
    assert report.delivered == 5 and processor.failures == []


# --- Filters, positions, background polling -----------------------------------------------------


def test_filter_criteria_drop_records_that_match_no_pattern(sim: Any) -> None:
    make(sim)
    put(sim, "USER#1", kind="profile")
    put(sim, "USER#1", kind="profile", name="Ana")
    put(sim, "POST#1", kind="post")
    sim.client.delete_item(TableName="T", Key={"pk": {"S": "POST#1"}})
    handler = Collector()
    pattern = {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "USER#"}]}}},
    }
    criteria = {"Filters": [{"Pattern": json.dumps(pattern)}]}
    report = StreamProcessor(sim, "T", handler, filters=criteria).drain()
    assert [(r["eventName"], keys(r)["pk"]) for r in handler.records] == [("INSERT", "USER#1")]
    assert report.filtered == 3


def test_filter_operators() -> None:
    record = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": {"n": {"N": "5"}, "tag": {"S": "Hot"}}},
    }
    assert matches(
        [{"dynamodb": {"NewImage": {"tag": {"S": [{"equals-ignore-case": "hot"}]}}}}], record
    )
    assert matches([{"eventName": [{"anything-but": ["REMOVE"]}]}], record)
    assert not matches([{"eventName": [{"anything-but": "MODIFY"}]}], record)
    assert matches([{"dynamodb": {"OldImage": [{"exists": False}]}}], record)
    assert not matches([{"dynamodb": {"NewImage": [{"exists": False}]}}], record)
    assert matches([{"dynamodb": {"NewImage": {"n": {"N": ["5"]}}}}], record)
    # a DynamoDB Number is text in the record: numeric rules never match it
    assert not matches([{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}], record)
    assert matches([{"eventName": ["INSERT"]}, {"eventName": ["MODIFY"]}], record)  # ORed
    with pytest.raises(ValueError, match="at most 5 filters"):
        parse_filters([{"eventName": ["INSERT"]}] * 6)
    with pytest.raises(ValueError, match="list of values"):
        parse_filters([{"eventName": "INSERT"}])


def test_latest_skips_what_was_written_before_and_rewind_replays(sim: Any) -> None:
    make(sim)
    put(sim, "old", n=1)
    handler = Collector()
    processor = StreamProcessor(sim, "T", handler, starting_position="LATEST", batch_size=1)
    put(sim, "new", n=1)
    put(sim, "newer", n=1)
    report = processor.drain()
    assert [keys(r)["pk"] for r in handler.records] == ["new", "newer"]
    assert len(report.invocations) == 2  # batch size 1
    assert processor.pending() == 0
    processor.rewind()
    assert processor.pending() == 3
    processor.drain()
    assert [keys(r)["pk"] for r in handler.records][2:] == ["old", "new", "newer"]


def test_a_table_without_a_stream_is_explained(sim: Any) -> None:
    sim.client.create_table(
        TableName="Plain",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ValueError, match="StreamSpecification"):
        StreamProcessor(sim, "Plain", Collector())
    with pytest.raises(ValueError, match="batch_size"):
        make(sim)
        StreamProcessor(sim, "T", Collector(), batch_size=0)


def test_start_polls_in_the_background_and_stop_ends_it(sim: Any) -> None:
    make(sim)
    handler = Collector()
    processor = sim.stream_processor("T", handler, name="live")
    processor.start(interval=0.01)
    assert processor.running
    put(sim, "a", n=1)
    deadline = time.monotonic() + 10
    while not handler.records and time.monotonic() < deadline:
        time.sleep(0.01)
    processor.stop()
    assert not processor.running
    assert [keys(r)["pk"] for r in handler.records] == ["a"]
    assert processor.errors == []


def test_a_handler_may_take_a_context(sim: Any) -> None:
    make(sim)
    put(sim, "a", n=1)
    names: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        names.append(context.function_name)

    StreamProcessor(sim, "T", handler, name="fn").drain()
    assert names == ["fn"]


def _sequence_numbers(lab: Any) -> list[str]:
    handler = Collector()
    StreamProcessor(lab, "T", handler, batch_size=1000).drain()
    return [r["dynamodb"]["SequenceNumber"] for r in handler.records]


def test_a_cancelled_transaction_emits_nothing_and_the_stream_goes_on(sim: Any) -> None:
    make(sim)
    put(sim, "a", n=1)
    handler = Collector()
    processor = StreamProcessor(sim, "T", handler, starting_position="LATEST")
    with pytest.raises(sim.client.exceptions.TransactionCanceledException):
        sim.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "T", "Item": {"pk": {"S": "b"}}}},
                {
                    "ConditionCheck": {
                        "TableName": "T",
                        "Key": {"pk": {"S": "a"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    put(sim, "c", n=1)
    put(sim, "c", n=1)  # still a no-op after the rollback
    processor.drain()
    assert [(r["eventName"], keys(r)["pk"]) for r in handler.records] == [("INSERT", "c")]
    assert handler.records[0]["eventSourceARN"].endswith("/stream/2025-01-01T00:00:00.000")


def test_the_correction_can_be_switched_off(sim: Any) -> None:
    make(sim)
    put(sim, "a", n=1)
    handler = Collector()
    processor = StreamProcessor(sim, "T", handler, starting_position="LATEST")
    sim.engine.enable("stream_records", False)
    put(sim, "a", n=1)  # moto's own behaviour: a MODIFY for an unchanged item
    sim.engine.enable("stream_records", True)
    put(sim, "a", n=1)  # corrected: nothing
    processor.drain()
    assert [r["eventName"] for r in handler.records] == ["MODIFY"]
