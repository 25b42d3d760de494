"""CloudWatch's DynamoDB metrics, as the lab engine records them and ddb_lab.monitoring serves them.

Every number is cross-checked against what produced it: consumed units against the metering
ledger and the capacity math, throttles against the throttling correction's own count and the
errors boto3 saw, returned items against the responses, simulated metrics against the simulator.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ddb_lab import capacity, facts
from ddb_lab import simulate as simulator
from ddb_lab.engine.metrics import LATENCY_BASE_MS, modelled_latency_ms
from ddb_lab.engine.throttling import find_throttling
from ddb_lab.monitoring import Metrics


@pytest.fixture
def sim() -> Iterator[Any]:
    """A lab on simulated time, reset (metrics cleared, throttling off) afterwards."""
    from ddb_lab import start

    lab = start(clock="simulated")
    yield lab
    lab.reset()


def make(
    lab: Any, name: str, read: int = 100, write: int = 100, gsi_write: int | None = None
) -> None:
    kwargs: dict[str, Any] = {}
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi_write is not None:
        attributes.append({"AttributeName": "g", "AttributeType": "S"})
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "ByG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": gsi_write},
            }
        ]
    lab.client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=attributes,
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
        **kwargs,
    )


def no_retries(lab: Any) -> Any:
    return lab.new_client(config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


def total(lab: Any, metric: str, **dimensions: str) -> tuple[float, float]:
    """(Sum, SampleCount) of a metric over everything recorded."""
    points = lab.metrics.get_metric_statistics(
        MetricName=metric, Dimensions=dimensions, Period=3600, Statistics=["Sum", "SampleCount"]
    )["Datapoints"]
    return sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points)


def item(key: str, size: int, **more: str) -> dict[str, Any]:
    """A low-level item of about ``size`` bytes."""
    return {"pk": {"S": key}, "body": {"S": "x" * size}, **{k: {"S": v} for k, v in more.items()}}


# --- Consumed capacity ---------------------------------------------------------------------------


def test_consumed_write_units_are_the_ledgers(sim: Any) -> None:
    make(sim, "T")
    sizes = [500, 2_900, 9_000]
    for n, size in enumerate(sizes):
        sim.client.put_item(TableName="T", Item=item(f"k{n}", size))
    expected = sum(capacity.write_units(capacity.item_size(item(f"k{n}", s))) for n, s in
                   enumerate(sizes))  # fmt: skip
    units, requests = total(sim, "ConsumedWriteCapacityUnits", TableName="T")
    assert (units, requests) == (expected, 3)
    assert units == sum(e.write_units for e in sim.engine.ledger if e.table == "T")


def test_global_index_units_have_their_own_dimension(sim: Any) -> None:
    make(sim, "G", gsi_write=100)
    sim.client.put_item(TableName="G", Item=item("a", 2_000, g="x"))
    table_units, _ = total(sim, "ConsumedWriteCapacityUnits", TableName="G")
    index_units, _ = total(
        sim, "ConsumedWriteCapacityUnits", TableName="G", GlobalSecondaryIndexName="ByG"
    )
    (entry,) = [e for e in sim.engine.ledger if e.table == "G" and e.operation == "PutItem"]
    assert index_units == entry.indexes["ByG"] > 0
    assert table_units == entry.write_units - index_units


def test_read_units_and_returned_items(sim: Any) -> None:
    make(sim, "Q")
    for n in range(6):
        sim.client.put_item(TableName="Q", Item=item(f"k{n}", 1_000))
    page = sim.client.scan(TableName="Q", FilterExpression="pk = :k", ExpressionAttributeValues={
        ":k": {"S": "k1"}})  # fmt: skip
    returned, pages = total(sim, "ReturnedItemCount", TableName="Q", Operation="Scan")
    assert (returned, pages) == (page["Count"], 1) == (1, 1)
    read, _ = total(sim, "ConsumedReadCapacityUnits", TableName="Q")
    assert read == sum(e.read_units for e in sim.engine.ledger if e.operation == "Scan") > 0


# --- Errors ---------------------------------------------------------------------------------------


def test_errors_land_in_their_own_metrics(sim: Any) -> None:
    make(sim, "E")
    sim.client.put_item(TableName="E", Item=item("a", 10))
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        sim.client.put_item(
            TableName="E", Item=item("a", 10), ConditionExpression="attribute_not_exists(pk)"
        )
    with pytest.raises(ClientError, match="reserved keyword"):
        sim.client.update_item(
            TableName="E",
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET status = :s",
            ExpressionAttributeValues={":s": {"S": "x"}},
        )
    with pytest.raises(ClientError, match="ResourceNotFound"):
        sim.client.get_item(TableName="Missing", Key={"pk": {"S": "a"}})
    assert total(sim, "ConditionalCheckFailedRequests", TableName="E") == (1, 1)
    assert total(sim, "UserErrors") == (2, 2)  # the reserved word and the missing table
    assert total(sim, "UserErrors", TableName="E") == (0, 0)  # no such dimension set
    # a failed condition still consumes write units (the existing item's size)
    assert total(sim, "ConsumedWriteCapacityUnits", TableName="E") == (2, 2)
    # latency counts successful requests only
    assert total(sim, "SuccessfulRequestLatency", TableName="E", Operation="PutItem")[1] == 1


# --- Throttles ------------------------------------------------------------------------------------


def test_throttled_requests_match_what_boto3_saw_and_what_throttling_counted(sim: Any) -> None:
    make(sim, "W", write=5)
    sim.enable_throttling()
    client = no_retries(sim)
    refused = 0
    for n in range(60):
        try:
            client.put_item(TableName="W", Item=item(f"k{n}", 900))
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            refused += 1
        sim.clock.sleep(0.1)
    stats = find_throttling(sim.engine.corrections)
    assert stats is not None
    assert refused > 0
    assert total(sim, "ThrottledRequests", TableName="W", Operation="PutItem")[0] == refused
    assert total(sim, "WriteThrottleEvents", TableName="W")[0] == stats.stats.events("W", "write")
    assert total(sim, "ThrottledRequests", TableName="W") == (0, 0)  # needs Operation


def test_partly_throttled_batches_are_events_not_throttled_requests(sim: Any) -> None:
    make(sim, "B", write=10)
    sim.enable_throttling()
    client = no_retries(sim)
    unprocessed = calls = 0
    for start in range(0, 100, 25):
        requests = [{"PutRequest": {"Item": item(f"k{start + n}", 900)}} for n in range(25)]
        try:
            answer = client.batch_write_item(RequestItems={"B": requests})
        except ClientError:
            continue
        calls += 1
        unprocessed += len(answer["UnprocessedItems"].get("B", []))
    events, _ = total(sim, "WriteThrottleEvents", TableName="B")
    throttled, _ = total(sim, "ThrottledRequests", TableName="B", Operation="BatchWriteItem")
    refused_batches = 4 - calls
    assert unprocessed > 0
    assert events == unprocessed + 25 * refused_batches
    assert throttled == refused_batches
    # a partly processed batch runs a second request inside the engine: still one sample
    assert total(sim, "SuccessfulRequestLatency", TableName="B", Operation="BatchWriteItem")[1] == (
        calls
    )


def test_an_index_throttle_is_on_the_index_dimension(sim: Any) -> None:
    make(sim, "I", write=1_000, gsi_write=1)
    sim.enable_throttling()
    client = no_retries(sim)
    refused = 0
    for n in range(20):
        try:
            client.put_item(TableName="I", Item=item(f"k{n}", 2_000, g="x"))
        except ClientError:
            refused += 1
    assert refused > 0
    on_index, _ = total(sim, "WriteThrottleEvents", TableName="I", GlobalSecondaryIndexName="ByG")
    assert on_index == refused
    assert total(sim, "WriteThrottleEvents", TableName="I") == (0, 0)
    assert total(sim, "ThrottledRequests", TableName="I", Operation="PutItem")[0] == refused


# --- Latency --------------------------------------------------------------------------------------


def test_latency_grows_with_the_data_and_repeats_after_a_reset(sim: Any) -> None:
    def run() -> list[float]:
        make(sim, "L")
        sim.client.put_item(TableName="L", Item=item("small", 100))
        sim.client.put_item(TableName="L", Item=item("large", 300_000))
        for key in ("small", "large"):
            sim.client.get_item(TableName="L", Key={"pk": {"S": key}})
        return [s.value for s in sim.engine.metrics.samples() if s.metric.startswith("Successful")]

    first = run()
    small_put, large_put, small_get, large_get = first
    assert large_put > 10 * small_put and large_get > 5 * small_get
    assert LATENCY_BASE_MS["GetItem"] <= small_get < 2 * LATENCY_BASE_MS["GetItem"]
    sim.reset()
    assert len(sim.engine.metrics) == 0
    assert run() == first


def test_modelled_latency_is_base_plus_work_with_bounded_jitter() -> None:
    assert modelled_latency_ms("GetItem", 0.5, 0, 0.0) == LATENCY_BASE_MS["GetItem"] + 0.2
    assert modelled_latency_ms("PutItem", 0, 10, 0.999) < (LATENCY_BASE_MS["PutItem"] + 5) * 1.2


# --- The CloudWatch API ---------------------------------------------------------------------------


def test_statistics_per_period_and_no_zero_data_points(sim: Any) -> None:
    make(sim, "P")
    for minute, count in ((0, 3), (2, 1)):  # nothing in minute 1
        sim.clock.sleep(minute * 60 + 1 - (sim.clock.now() % 3600))
        for n in range(count):
            sim.client.put_item(TableName="P", Item=item(f"m{minute}-{n}", 1_500 * (n + 1)))
    answer = sim.metrics.get_metric_statistics(
        MetricName="ConsumedWriteCapacityUnits",
        Dimensions=[{"Name": "TableName", "Value": "P"}],
        Period=60,
        Statistics=["Sum", "SampleCount", "Average", "Minimum", "Maximum"],
    )
    points = [(p["Timestamp"].minute, p["Sum"], p["SampleCount"], p["Minimum"], p["Maximum"])
              for p in answer["Datapoints"]]  # fmt: skip
    assert points == [(0, 2 + 3 + 5, 3, 2, 5), (2, 2, 1, 2, 2)]
    assert answer["Datapoints"][0]["Average"] == pytest.approx(10 / 3)
    assert answer["Datapoints"][0]["Unit"] == "Count"
    frame = sim.metrics.frame("P")
    assert list(frame.index) == ["00:00", "00:01", "00:02"]
    assert list(frame["ConsumedWriteCapacityUnits (Sum)"]) == [10, 0, 2]


def test_bad_questions_are_refused(sim: Any) -> None:
    with pytest.raises(ValueError, match="multiple of 60"):
        sim.metrics.get_metric_statistics(MetricName="UserErrors", Period=30, Statistics=["Sum"])
    with pytest.raises(ValueError, match="no metric"):
        sim.metrics.get_metric_statistics(MetricName="ConsumedCapacity", Statistics=["Sum"])
    with pytest.raises(ValueError, match="Statistics"):
        sim.metrics.get_metric_statistics(MetricName="UserErrors", Statistics=["Median"])


def test_percentiles_are_nearest_rank(sim: Any) -> None:
    make(sim, "R")
    for n in range(100):
        sim.client.get_item(TableName="R", Key={"pk": {"S": f"k{n}"}})
    values = sorted(
        s.value for s in sim.engine.metrics.samples() if s.metric == "SuccessfulRequestLatency"
    )
    (point,) = sim.metrics.get_metric_statistics(
        MetricName="SuccessfulRequestLatency",
        Dimensions={"TableName": "R", "Operation": "GetItem"},
        Period=3600,
        Statistics=["Maximum"],
        ExtendedStatistics=["p50", "p99"],
    )["Datapoints"]
    assert point["ExtendedStatistics"] == {"p50": values[49], "p99": values[98]}
    assert point["Maximum"] == values[-1]


def test_provisioned_capacity_follows_update_table(sim: Any) -> None:
    make(sim, "U", write=10)
    sim.client.put_item(TableName="U", Item=item("a", 10))
    sim.clock.sleep(120)
    sim.client.update_table(
        TableName="U", ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 40}
    )
    sim.client.put_item(TableName="U", Item=item("b", 10))
    series = sim.metrics.series("ProvisionedWriteCapacityUnits", "U", statistic="Average")
    assert list(series) == [10, 10, 40]


def test_alarm_evaluation(sim: Any) -> None:
    make(sim, "A", write=5)
    sim.enable_throttling()
    client = no_retries(sim)
    for n in range(5 * 60):  # five minutes, throttled in the middle three only
        minute = n // 60
        heavy = minute in (1, 2, 3)  # 30 WCU a second on a 5 WCU table
        if heavy or n % 10 == 5:
            try:
                client.put_item(TableName="A", Item=item(f"k{n}", 30_000 if heavy else 900))
            except ClientError:
                pass
        sim.clock.sleep(1)
    alarm = {
        "MetricName": "ThrottledRequests",
        "Dimensions": {"TableName": "A", "Operation": "PutItem"},
        "Statistic": "Sum",
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
    }
    fired = sim.metrics.evaluate_alarm(**alarm, EvaluationPeriods=2)
    assert fired.fired
    assert [state for _, _, state in fired.periods] == ["OK", "OK", "ALARM", "ALARM", "OK"]
    never = sim.metrics.evaluate_alarm(**alarm | {"Dimensions": {"TableName": "A"}})
    assert not never.fired
    with pytest.raises(ValueError, match="ComparisonOperator"):
        sim.metrics.evaluate_alarm(**alarm | {"ComparisonOperator": "Above"})


def test_dashboard_has_four_panels(sim: Any) -> None:
    make(sim, "D")
    sim.client.put_item(TableName="D", Item=item("a", 10))
    figure = sim.dashboard("D")
    assert [ax.get_title() for ax in figure.axes][:4] == [
        "Capacity: consumed per second vs provisioned",
        "Throttles",
        "SuccessfulRequestLatency (server side)",
        "Errors",
    ]


# --- The simulator --------------------------------------------------------------------------------


def test_simulated_metrics_are_the_simulators_numbers() -> None:
    result = simulator.simulate(
        seconds=300,
        requests_per_second=150,
        distribution=simulator.one_hot_key(100, 0.9),
        partitions=2,
        mode="provisioned",
        provisioned_units=100,
        kind="write",
        seed=3,
    )
    metrics = Metrics.from_simulation(result, table="S")
    totals = metrics.totals("S")
    assert totals["ConsumedWriteCapacityUnits"] == pytest.approx(float(result.consumed.sum()))
    assert totals["WriteThrottleEvents"] == result.throttled_requests > 0
    assert totals["ThrottledRequests"] == result.throttled_requests
    frame = metrics.frame("S")
    assert len(frame) == 5
    assert set(frame["ProvisionedWriteCapacityUnits (Average)"]) == {100.0}
    assert frame["WriteThrottleEvents (Sum)"].sum() == result.throttled_requests
    assert math.isclose(frame["ConsumedWriteCapacityUnits (Sum)"].sum(), result.consumed.sum())


def test_the_dimension_sets_are_cloudwatchs() -> None:
    assert facts.METRIC_DIMENSIONS["UserErrors"] == ((),)
    assert ("Operation", "TableName") in facts.METRIC_DIMENSIONS["ThrottledRequests"]
    assert facts.METRIC_UNITS["SuccessfulRequestLatency"] == "Milliseconds"


def test_a_request_that_raises_does_not_stop_the_recording(sim: Any) -> None:
    from ddb_lab.engine.corrections import Correction

    class Boom(Correction):
        name = "boom"

        def check(self, request: Any) -> None:
            if request.params.get("TableName") == "Boom":
                raise RuntimeError("a broken correction")

    make(sim, "K")
    sim.engine.corrections.insert(0, Boom())
    try:
        with pytest.raises(RuntimeError):
            sim.client.get_item(TableName="Boom", Key={"pk": {"S": "a"}})
    finally:
        del sim.engine.corrections[0]
    sim.client.get_item(TableName="K", Key={"pk": {"S": "a"}})
    assert total(sim, "SuccessfulRequestLatency", TableName="K", Operation="GetItem")[1] == 1
