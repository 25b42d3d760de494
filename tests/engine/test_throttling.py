"""Throttling: token buckets on the lab clock, as boto3 (and its retries) see them.

The acceptance scenario is the classic one: a table provisioned at 5 WCU receives 50 writes/s of
1 KB items for 60 simulated seconds. Without retries about 5 writes/s get through; boto3's
standard retries sleep their back-off on the lab clock, so throttled writes succeed on retry; a
learner's own back-off loop on top writes every item; the same run twice gives the same numbers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ddb_lab import facts
from ddb_lab.capacity import item_size
from ddb_lab.clock import SimulatedClock
from ddb_lab.engine.throttling import (
    RETRY_JITTER_SEED,
    ClockRetries,
    Throttling,
    _Peaks,
    _TableState,
    clock_retries,
    find_throttling,
    partition_of,
    partitions_for,
)

PTEE = "ProvisionedThroughputExceededException"
RATE = 50  # writes per second
SECONDS = 60
ITEMS = RATE * SECONDS


# --- Helpers -------------------------------------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[Any]:
    """A lab on simulated time with throttling on; reset (throttling off) afterwards."""
    from ddb_lab import start

    lab = start(clock="simulated")
    lab.enable_throttling()
    yield lab
    lab.reset()


def throttling(lab: Any) -> Throttling:
    found = find_throttling(lab.engine.corrections)
    assert found is not None
    return found


def client_with(lab: Any, **retries: Any) -> Any:
    """A lab client (engine, clock-driven retries) with its own retry settings."""
    kwargs = lab._client_kwargs("dynamodb")
    kwargs["config"] = kwargs["config"].merge(Config(retries=retries))
    return lab._prepare(lab._session.client("dynamodb", **kwargs))


def installed_retries(client: Any) -> ClockRetries:
    """The clock-driven retry handler the lab installed on ``client`` (never installs one)."""
    handlers = client.meta.events._emitter._unique_id_handlers
    retries = getattr(handlers["retry-config-dynamodb"]["handler"], "__self__", None)
    assert isinstance(retries, ClockRetries), "the lab did not install its retry handler"
    return retries


def no_retries(lab: Any) -> Any:
    # botocore's client setting max_attempts counts *retries*; total_max_attempts=1 (the same
    # as max_attempts=0) makes exactly one attempt, so every throttle reaches the caller.
    return client_with(lab, mode="standard", total_max_attempts=1)


def create(
    lab: Any,
    name: str,
    rcu: int | None = 5,
    wcu: int = 5,
    *,
    gsi_wcu: int | None = None,
) -> str:
    extra: dict[str, Any] = {}
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi_wcu is not None:
        attributes.append({"AttributeName": "gk", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by_gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": gsi_wcu},
            }
        ]
    if rcu is None:
        extra["BillingMode"] = "PAY_PER_REQUEST"
    else:
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
    lab.client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=attributes,
        **extra,
    )
    return name


def item(i: int, size: int = 1000, pk: str | None = None) -> dict[str, Any]:
    return {"pk": {"S": pk or f"user#{i:05d}"}, "data": {"S": "x" * size}}


def put(client: Any, table: str, item_: dict[str, Any]) -> dict[str, Any] | None:
    """The response, or None when the call ended throttled."""
    try:
        response: dict[str, Any] = client.put_item(TableName=table, Item=item_)
        return response
    except ClientError as error:
        assert error.response["Error"]["Code"] in (PTEE, "ThrottlingException")
        return None


def count(lab: Any, table: str) -> int:
    """Items in ``table``, counted without charging (or waiting for) its capacity."""
    correction = throttling(lab)
    was, correction.enabled = correction.enabled, False
    try:
        pages = lab.client.get_paginator("scan").paginate(TableName=table, Select="COUNT")
        return sum(int(page["Count"]) for page in pages)
    finally:
        correction.enabled = was


# --- The acceptance scenario ---------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One pass over the 3,000 writes: what got through, and how."""

    ok_first_call: int  # the call itself succeeded (with the client's own retries)
    ok_after_sdk_retry: int  # ... after at least one retry by botocore
    failed_calls: int  # calls that ended throttled
    learner_retries: int  # back-offs of the learner's loop (0 without it)
    stored: int  # items in the table at the end
    throttle_events: int  # requests the engine refused
    sdk_sleep: float  # seconds botocore's back-off slept on the lab clock
    learner_sleep: float  # seconds the learner's loop slept on the lab clock
    simulated: float  # simulated seconds the pass took


def write(
    lab: Any, client: Any, table: str, items: int = ITEMS, size: int = 1000, learner: bool = False
) -> Phase:
    """``items`` writes at 50/s (the clock advances 1/50 s between writes) of 1 KB by default.

    With ``learner``, a call that ends throttled is tried again after an exponential back-off
    with full jitter (from a seeded ``random.Random``), slept on the lab clock, until it succeeds.
    """
    rng = random.Random(2024)
    retries = installed_retries(client)
    began = lab.clock.now()
    ok_first = ok_retried = failed = learner_retries = 0
    learner_sleep = 0.0
    for i in range(items):
        attempt = 0
        while True:
            response = put(client, table, item(i, size))
            if response is not None:
                if attempt == 0:
                    ok_first += 1
                    ok_retried += response["ResponseMetadata"]["RetryAttempts"] > 0
                break
            if attempt == 0:
                failed += 1
            if not learner:
                break
            assert attempt < 30, "the learner's loop should get every write through"
            delay = rng.uniform(0, min(5.0, 0.05 * 2**attempt))
            lab.clock.sleep(delay)
            learner_sleep += delay
            attempt += 1
            learner_retries += 1
        lab.clock.advance(1 / RATE)
    return Phase(
        ok_first_call=ok_first,
        ok_after_sdk_retry=ok_retried,
        failed_calls=failed,
        learner_retries=learner_retries,
        stored=count(lab, table),
        throttle_events=throttling(lab).stats.events(table, "write"),
        sdk_sleep=round(retries.slept, 9),
        learner_sleep=round(learner_sleep, 9),
        simulated=round(lab.clock.now() - began, 6),
    )


def acceptance_run() -> dict[str, Phase]:
    from ddb_lab import start

    lab = start(clock="simulated")  # the same lab, reset: clock at its start, throttling off
    lab.enable_throttling()
    # 1. No retries at all: every throttle reaches the caller.
    raw = write(lab, no_retries(lab), create(lab, "Raw"))
    # 2. The lab's default client (standard mode, 3 retries), with a learner's loop on top.
    standard = write(lab, lab.new_client(), create(lab, "Standard"), learner=True)
    lab.reset()
    return {"raw": raw, "standard": standard}


def test_five_wcu_under_fifty_writes_per_second() -> None:
    began = time.perf_counter()
    first = acceptance_run()
    wall = time.perf_counter() - began
    raw, standard = first["raw"], first["standard"]

    # Raw: ~5 writes/s get through (plus the one second's worth a new table starts with).
    assert raw.failed_calls > 2_500
    assert raw.ok_first_call + raw.failed_calls == ITEMS
    assert 5 * SECONDS <= raw.ok_first_call <= 5 * SECONDS + 10
    assert raw.stored == raw.ok_first_call
    assert raw.throttle_events == raw.failed_calls
    assert raw.sdk_sleep == 0

    # Standard retries: throttled writes succeed on retry, so more get through than raw ...
    assert standard.ok_first_call > raw.ok_first_call
    assert standard.ok_after_sdk_retry > 0
    assert standard.throttle_events > 0
    # ... and with the learner's loop on top every item is written.
    assert standard.stored == ITEMS
    assert standard.ok_first_call + standard.failed_calls == ITEMS

    # The back-off moved the simulated clock, not the wall clock: a sequential writer slows to
    # the table's 5 WCU, so 3,000 writes take ~600 simulated seconds.
    assert standard.sdk_sleep > 100
    slept = standard.sdk_sleep + standard.learner_sleep
    assert standard.simulated == pytest.approx(SECONDS + slept, abs=0.01)
    assert standard.simulated > ITEMS / 5 * 0.9
    assert wall < standard.sdk_sleep / 10

    # The same run twice gives the same numbers.
    assert acceptance_run() == first


def test_learner_loop_writes_what_the_sdk_retries_gave_up_on(sim: Any) -> None:
    # 20 KB items (20 WCU) on a 5 WCU table: four seconds of capacity per write, more than the
    # standard mode's three jittered back-offs (up to 1, 2 and 4 s) often wait.
    table = create(sim, "T")
    phase = write(sim, sim.new_client(), table, items=30, size=20 * 1024 - 100, learner=True)
    assert phase.ok_after_sdk_retry > 0  # some made it within the SDK's retries ...
    assert phase.failed_calls > 0 and phase.learner_retries > 0  # ... some needed the loop
    assert phase.stored == 30


# --- Errors --------------------------------------------------------------------------------------


def test_error_code_message_and_reasons_are_dynamodbs(sim: Any) -> None:
    table = create(sim, "T")
    client = no_retries(sim)
    for i in range(5):  # a new table holds one second's worth: 5 writes
        assert put(client, table, item(i)) is not None
    with pytest.raises(ClientError) as info:
        client.put_item(TableName=table, Item=item(5))
    response = info.value.response
    assert response["Error"] == {"Code": PTEE, "Message": facts.MSG_THROUGHPUT_EXCEEDED}
    assert facts.MSG_THROUGHPUT_EXCEEDED == (
        "The level of configured provisioned throughput for the table was exceeded. Consider "
        "increasing your provisioning level with the UpdateTable API."
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ThrottlingReasons"] == [
        {
            "reason": "TableWriteProvisionedThroughputExceeded",
            "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/T",
        }
    ]
    assert isinstance(info.value, client.exceptions.ProvisionedThroughputExceededException)
    assert count(sim, table) == 5  # nothing written by the refused call
    assert throttling(sim).stats.as_dict() == {
        "T": {"ThrottledRequests": 1, "WriteThrottleEvents": 1}
    }


def test_refused_requests_are_not_charged(sim: Any) -> None:
    table = create(sim, "T")
    client = no_retries(sim)
    mark = sim.engine.ledger.next_seq()
    for i in range(20):
        put(client, table, item(i))
    charged = sum(e.write_units for e in sim.engine.ledger.since(mark))
    assert charged == 5


def test_retry_back_off_moves_the_simulated_clock(sim: Any) -> None:
    table = create(sim, "T")
    for i in range(5):
        sim.client.put_item(TableName=table, Item=item(i))
    retries = installed_retries(sim.client)
    before, slept = sim.clock.now(), retries.slept
    began = time.perf_counter()
    response = sim.client.put_item(TableName=table, Item=item(5))  # throttled, then retried
    wall = time.perf_counter() - began
    assert response["ResponseMetadata"]["RetryAttempts"] >= 1
    moved = sim.clock.now() - before
    assert moved == pytest.approx(retries.slept - slept)
    assert moved > 0.1  # at 5 WCU the next unit is 0.2 s away, less what the debt allows
    assert wall < moved


def test_jitter_is_seeded_only_on_simulated_time() -> None:
    from ddb_lab import start

    simulated = installed_retries(start(clock="simulated").new_client())
    assert simulated.seed == RETRY_JITTER_SEED
    backoff = simulated._handler.__self__._retry_policy._retry_backoff
    assert backoff._random == simulated._random.random
    real = start()  # closes the simulated lab: another configuration
    wrapped = installed_retries(real.client)
    assert wrapped.seed is None
    backoff = wrapped._handler.__self__._retry_policy._retry_backoff
    assert backoff._random is random.random  # botocore's own jitter, unchanged


# --- Capacity modes, partitions, burst ----------------------------------------------------------


def test_on_demand_table_is_not_throttled_at_that_rate(sim: Any) -> None:
    table = create(sim, "OnDemand", rcu=None)
    client = no_retries(sim)
    for i in range(RATE * 10):
        assert put(client, table, item(i)) is not None
        sim.clock.advance(1 / RATE)
    assert throttling(sim).stats.events() == 0


def test_on_demand_throttles_above_its_initial_capacity(sim: Any) -> None:
    table = create(sim, "OnDemand", rcu=None)
    client = no_retries(sim)
    big = 390 * 1024  # 391 write units per item, all at the same instant, over many keys
    served = 0
    for i in range(20):
        try:
            client.put_item(TableName=table, Item=item(i, size=big))
            served += 391
        except ClientError as error:
            refused = error.response
    # 4,000 WRU at once (4 partitions of 1,000), each admitted write finishing in full.
    assert 3_000 < served <= 4_000 + 391
    assert refused["Error"] == {
        "Code": "ThrottlingException",
        "Message": facts.MSG_ON_DEMAND_THROTTLED,
    }
    assert refused["throttlingReasons"][0]["reason"] == "TableWriteKeyRangeThroughputExceeded"


def test_hot_partition_key_throttles_at_partition_maximum(sim: Any) -> None:
    # 10,000 WCU: 10 partitions' worth. 10 KB items (10 WCU each) at 200 writes/s = 2,000 WCU/s.
    create(sim, "Hot", rcu=1, wcu=10_000)
    create(sim, "Spread", rcu=1, wcu=10_000)
    client = no_retries(sim)
    rate, seconds, size = 200, 3, 10 * 1024 - 20
    assert item_size(item(0, size, pk="hot")) <= 10 * 1024
    served = {"Hot": [0] * seconds, "Spread": [0] * seconds}
    reasons = set()
    for table in served:
        began = sim.clock.now()
        for i in range(rate * seconds):
            second = int(round(sim.clock.now() - began, 6))
            pk = "hot" if table == "Hot" else None
            try:
                client.put_item(TableName=table, Item=item(i, size, pk=pk))
                served[table][second] += 10
            except ClientError as error:
                reasons.add(error.response["ThrottlingReasons"][0]["reason"])
            sim.clock.advance(1 / rate)
    # One key lives in one partition: 1,000 WCU/s at most, however much the table has (the first
    # second also spends the one second's worth the partition starts with).
    assert served["Hot"][0] == 2_000
    assert served["Hot"][1:] == [1_000] * (seconds - 1)
    # The same load over many keys spreads over the partitions: nothing throttled.
    assert served["Spread"] == [2_000] * seconds
    stats = throttling(sim).stats
    assert stats.events("Spread") == 0 and stats.events("Hot") > 0
    assert reasons == {"TableWriteKeyRangeThroughputExceeded"}


def test_burst_capacity_absorbs_a_spike_after_idle_time(sim: Any) -> None:
    client = no_retries(sim)

    def spike(table: str, writes: int = 200, size: int = 1000) -> int:
        served = 0
        for i in range(writes):
            served += put(client, table, item(i, size)) is not None
            sim.clock.advance(0.01)  # 100 writes/s
        return served

    create(sim, "Rested")
    sim.clock.advance(100)  # 100 s idle at 5 WCU: 500 units saved
    assert spike("Rested") == 200

    create(sim, "Busy")
    sim.clock.advance(1)  # 1 s idle: 5 + 5 units
    assert spike("Busy") < 30

    create(sim, "Capped")
    sim.clock.advance(1_000)  # saved capacity stops at BURST_SECONDS (300 s): 1,500 units
    served = spike("Capped", size=10 * 1024 - 100)  # 10 WCU per write
    assert 150 <= served <= 153


def test_throttling_switched_off_throttles_nothing(sim: Any) -> None:
    table = create(sim, "T")
    client = no_retries(sim)
    sim.enable_throttling(False)
    for i in range(200):
        assert put(client, table, item(i)) is not None
    sim.enable_throttling()
    assert sum(put(client, table, item(i)) is not None for i in range(20)) == 5
    sim.reset()  # a clean slate switches it off again
    assert not throttling(sim).enabled
    assert {e["name"]: e["on"] for e in sim.engine.describe()}["throttling"] is False
    table = create(sim, "T")
    assert all(put(client, table, item(i)) is not None for i in range(50))
    assert throttling(sim).stats.events() == 0


def test_eventual_reads_throttle_at_twice_the_item_rate_of_strong_reads(sim: Any) -> None:
    client = no_retries(sim)
    served = {}
    for consistent in (True, False):
        table = create(sim, f"Reads{consistent}", rcu=5, wcu=1)
        sim.client.put_item(TableName=table, Item=item(0, 3000))  # one 4 KB read unit
        sim.clock.advance(1)
        ok = 0
        for _ in range(50 * 10):  # 50 reads/s for 10 s
            try:
                client.get_item(
                    TableName=table, Key={"pk": item(0)["pk"]}, ConsistentRead=consistent
                )
                ok += 1
            except ClientError as error:
                assert error.response["Error"]["Code"] == PTEE
            sim.clock.advance(1 / 50)
        served[consistent] = ok
    # Strong: 5 units/s + 2 s' worth saved; eventual: the same units, half a unit per read.
    assert 55 <= served[True] <= 62
    assert served[False] == pytest.approx(2 * served[True], abs=2)


def test_batch_write_returns_unprocessed_items(sim: Any) -> None:
    table = create(sim, "T")
    client = no_retries(sim)
    batch = [{"PutRequest": {"Item": item(i)}} for i in range(25)]
    mark = sim.engine.ledger.next_seq()
    response = client.batch_write_item(RequestItems={table: batch})
    unprocessed = response["UnprocessedItems"][table]
    assert unprocessed == batch[5:]  # a new 5 WCU table: room for 5 one-unit writes
    assert count(sim, table) == 5
    assert sum(e.write_units for e in sim.engine.ledger.since(mark)) == 5
    assert throttling(sim).stats.as_dict() == {
        "T": {"ThrottledRequests": 1, "WriteThrottleEvents": 20}
    }
    # Nothing left: none of the items can be processed, so the whole batch is refused.
    with pytest.raises(ClientError) as info:
        client.batch_write_item(RequestItems={table: unprocessed})
    assert info.value.response["Error"]["Code"] == PTEE
    # A learner's loop: resend UnprocessedItems with back-off on the lab clock.
    pending, waits = {table: unprocessed}, 0
    while pending:
        try:
            pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]
        except ClientError:
            pass
        if pending:
            sim.clock.sleep(1)
            waits += 1
    assert count(sim, table) == 25 and waits >= 3


def test_batch_get_returns_unprocessed_keys(sim: Any) -> None:
    table = create(sim, "T", rcu=2, wcu=20)
    for i in range(10):
        sim.client.put_item(TableName=table, Item=item(i))
    sim.clock.advance(1)  # reads: 2 + 2 units, strong reads of 1 unit each
    keys = [{"pk": item(i)["pk"]} for i in range(10)]
    response = no_retries(sim).batch_get_item(
        RequestItems={table: {"Keys": keys, "ConsistentRead": True}}
    )
    assert len(response["Responses"][table]) == 4
    unprocessed = response["UnprocessedKeys"][table]
    assert unprocessed["Keys"] == keys[4:] and unprocessed["ConsistentRead"] is True


def test_global_index_write_capacity_throttles_table_writes(sim: Any) -> None:
    table = create(sim, "T", wcu=100, gsi_wcu=1)
    client = no_retries(sim)
    indexed = {**item(0), "gk": {"S": "g"}}
    assert put(client, table, indexed) is not None  # the index's 1 unit, spent
    with pytest.raises(ClientError) as info:
        client.put_item(TableName=table, Item={**item(1), "gk": {"S": "g"}})
    error = info.value.response
    assert error["Error"] == {"Code": PTEE, "Message": facts.MSG_INDEX_WRITE_THROUGHPUT_EXCEEDED}
    assert error["ThrottlingReasons"][0]["reason"] == "IndexWriteProvisionedThroughputExceeded"
    assert error["ThrottlingReasons"][0]["resource"].endswith("table/T/index/by_gk")
    sim.clock.advance(1)
    assert put(client, table, {**item(1), "gk": {"S": "g"}}) is not None


def test_transactions_are_all_or_nothing(sim: Any) -> None:
    table = create(sim, "T", wcu=2)
    client = no_retries(sim)
    actions = [{"Put": {"TableName": table, "Item": item(i)}} for i in range(3)]
    client.transact_write_items(TransactItems=actions)  # 6 units: the bucket goes to -4
    with pytest.raises(ClientError) as info:
        client.transact_write_items(TransactItems=actions)
    assert info.value.response["Error"]["Code"] == PTEE
    sim.clock.advance(2)  # -4 + 4 = 0: still empty
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=actions)
    sim.clock.advance(0.5)
    client.transact_write_items(TransactItems=actions)


def test_update_table_changes_the_rate(sim: Any) -> None:
    table = create(sim, "T", wcu=1)
    client = no_retries(sim)
    assert put(client, table, item(0)) is not None
    assert put(client, table, item(1)) is None
    sim.client.update_table(
        TableName=table, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 100}
    )
    sim.clock.advance(0.1)  # 0 + 0.1 s x 100 WCU
    assert sum(put(client, table, item(i)) is not None for i in range(20)) == 10


# --- Without moto --------------------------------------------------------------------------------


def test_partition_rule_matches_the_simulator() -> None:
    from ddb_lab import simulate

    for rcu in (0, 1, 2_999, 3_000, 3_001, 12_000, 40_000):
        for wcu in (0, 1, 999, 1_000, 1_001, 10_000, 40_000):
            assert partitions_for(rcu, wcu) == simulate.partitions_for(rcu, wcu)


def test_partition_of_is_stable_and_spreads() -> None:
    assert partition_of({"S": "user#1"}, 10) == partition_of({"S": "user#1"}, 10)
    assert partition_of({"N": "1.50"}, 7) == partition_of({"N": "1.5"}, 7)
    assert [partition_of({"S": s}, 10) for s in ("a", "b", "c")] == [
        partition_of({"S": s}, 10) for s in ("a", "b", "c")
    ]
    counts = [0] * 10
    for i in range(10_000):
        counts[partition_of({"S": f"user#{i}"}, 10)] += 1
    assert min(counts) > 900 and max(counts) < 1_100
    assert partition_of({"S": "only"}, 1) == 0


class _OnDemandModel:
    name = "T"
    table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/T"
    billing_mode = "PAY_PER_REQUEST"
    hash_key_attr = "pk"
    global_indexes: list[Any] = []
    throughput: dict[str, int] = {}


def test_on_demand_limit_doubles_a_peak_thirty_minutes_old() -> None:
    clock = SimulatedClock()
    table = _TableState(_OnDemandModel(), clock.now())
    table.sync(clock.now())
    assert table.buckets["write"].rate == facts.ON_DEMAND_INITIAL_WRITES
    assert table.partition_count == 4  # 12,000 RRU or 4,000 WRU: four partitions' worth
    table.peaks["write"].add(clock.now(), 3_500)
    clock.advance(facts.ON_DEMAND_PEAK_WINDOW_SECONDS - 1)
    table.sync(clock.now())
    assert table.buckets["write"].rate == facts.ON_DEMAND_INITIAL_WRITES  # not settled yet
    clock.advance(1)
    table.sync(clock.now())
    assert table.buckets["write"].rate == 7_000  # 2 x the settled peak
    assert table.partition_count == 7


def test_peaks_are_whole_seconds() -> None:
    peaks = _Peaks()
    peaks.add(0.2, 10)
    peaks.add(0.9, 10)
    peaks.add(1.1, 5)
    assert peaks.settled_peak(facts.ON_DEMAND_PEAK_WINDOW_SECONDS + 0.5) == 20


def test_clock_retries_is_idempotent_and_fails_soft(sim: Any) -> None:
    client = sim.new_client()
    assert clock_retries(client, sim.clock) is installed_retries(client)
    assert clock_retries(object(), sim.clock) is None
    legacy = client_with(sim, mode="legacy", max_attempts=2)  # another handler, wrapped alike
    assert installed_retries(legacy).seed == RETRY_JITTER_SEED


def test_server_backend_throttles_and_retries_on_the_lab_clock() -> None:
    from ddb_lab import start

    lab = start(backend="server", clock="simulated")
    try:
        lab.enable_throttling()
        table = create(lab, "T")
        for i in range(5):
            lab.client.put_item(TableName=table, Item=item(i))
        before = lab.clock.now()
        response = lab.client.put_item(TableName=table, Item=item(5))
        assert response["ResponseMetadata"]["RetryAttempts"] >= 1
        assert lab.clock.now() - before == pytest.approx(installed_retries(lab.client).slept)
        raw = no_retries(lab)
        assert any(put(raw, table, item(i)) is None for i in range(6, 20))
        batch = [{"PutRequest": {"Item": item(i)}} for i in range(10, 35)]
        lab.clock.advance(1)
        unprocessed = lab.client.batch_write_item(RequestItems={table: batch})["UnprocessedItems"]
        assert 0 < len(unprocessed[table]) < 25
    finally:
        lab.close()
