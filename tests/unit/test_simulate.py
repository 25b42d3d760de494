"""The capacity simulator: partitions, hot keys, burst, adaptive capacity, on-demand, scaling."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pytest

from ddb_lab.facts import (
    AUTOSCALING_SCALE_IN_PERIODS,
    AUTOSCALING_SCALE_OUT_PERIODS,
    BURST_SECONDS,
    DECREASE_QUIET_SECONDS,
    DECREASES_ANY_TIME_PER_DAY,
    DECREASES_MAX_PER_DAY,
    ON_DEMAND_INITIAL_READS,
    ON_DEMAND_PEAK_WINDOW_SECONDS,
    PARTITION_MAX_READ_UNITS,
    PARTITION_MAX_WRITE_UNITS,
)
from ddb_lab.simulate import (
    SECONDS_PER_DAY,
    AutoScaling,
    Distribution,
    SimulationResult,
    _DecreaseQuota,
    one_hot_key,
    partition_of,
    partitions_for,
    simulate,
    uniform,
    write_sharded,
    zipf,
)

matplotlib.use("Agg")

MINUTE = 60


def _steps(*phases: tuple[int, float]) -> np.ndarray:
    """A per-second rate series from (seconds, rate) phases."""
    return np.concatenate([np.full(length, rate, dtype=np.float64) for length, rate in phases])


def _provisioned(**overrides: Any) -> SimulationResult:
    settings: dict[str, Any] = {
        "seconds": 120,
        "requests_per_second": 5_000,
        "distribution": uniform(1_000),
        "partitions": 10,
        "mode": "provisioned",
        "provisioned_units": 10_000,
        "kind": "read",
    }
    settings.update(overrides)
    return simulate(**settings)


# --- Partitions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reads", "writes", "size_gb", "expected"),
    [
        (6_000, 0, 0, 2),
        (3_000, 1_000, 0, 2),
        (0, 0, 20, 2),
        (0, 0, 0, 1),
        (3_000, 0, 0, 1),
        (0, 1_000, 0, 1),
        (0, 1_001, 0, 2),
        (0, 0, 25, 3),
        (1_500, 500, 35, 4),  # size wins
        (30_000, 10_000, 5, 20),  # throughput wins
    ],
)
def test_partitions_for(reads: float, writes: float, size_gb: float, expected: int) -> None:
    assert partitions_for(reads, writes, size_gb) == expected


def test_partitions_for_rejects_negative_numbers() -> None:
    with pytest.raises(ValueError):
        partitions_for(-1, 0)


def test_partition_of_is_stable_and_spreads_keys_evenly() -> None:
    keys = np.arange(100_000)
    owners = partition_of(keys, 10)
    assert np.array_equal(owners, partition_of(keys, 10))
    counts = np.bincount(owners, minlength=10)
    assert counts.min() > 9_500 and counts.max() < 10_500
    assert owners.min() == 0 and owners.max() == 9


# --- Distributions -----------------------------------------------------------------------------


def test_distributions_are_normalised_and_shaped_as_named() -> None:
    assert np.allclose(uniform(4).probabilities, 0.25)
    skewed = zipf(1_000, s=1.1)
    assert skewed.probabilities.sum() == pytest.approx(1)
    assert np.all(np.diff(skewed.probabilities) < 0)  # key 0 is the most popular
    hot = one_hot_key(101, hot_share=0.6)
    assert hot.probabilities[0] == pytest.approx(0.6)
    assert hot.probabilities[1:] == pytest.approx(np.full(100, 0.004))
    with pytest.raises(ValueError):
        one_hot_key(10, hot_share=1.5)
    with pytest.raises(ValueError):
        Distribution(np.array([-1.0, 2.0]))


def test_write_sharding_splits_each_key_over_its_suffixes() -> None:
    base = one_hot_key(10, hot_share=0.5)
    sharded = write_sharded(base, 4)
    assert sharded.n_keys == 40
    per_base_key = sharded.probabilities.reshape(10, 4)
    assert per_base_key.sum(axis=1) == pytest.approx(base.probabilities)
    assert per_base_key[0] == pytest.approx(np.full(4, 0.125))


def test_sample_follows_the_distribution_and_the_partition_shares() -> None:
    distribution = zipf(1_000)
    keys = distribution.sample(200_000, np.random.default_rng(1))
    assert keys.dtype == np.int64 and keys.min() >= 0 and keys.max() < 1_000
    assert np.mean(keys == 0) == pytest.approx(distribution.probabilities[0], abs=0.005)
    observed = np.bincount(partition_of(keys, 8), minlength=8) / keys.size
    assert observed == pytest.approx(distribution.partition_shares(8), abs=0.005)


# --- Provisioned: uniform, hot keys, adaptive capacity, sharding, burst ------------------------


def test_uniform_traffic_within_capacity_is_never_throttled() -> None:
    result = _provisioned(burst=False, adaptive=False)
    assert result.total_requests == 120 * 5_000
    assert result.throttled_requests == 0
    assert np.all(result.ConsumedReadCapacityUnits == 5_000)
    assert np.all(result.ProvisionedReadCapacityUnits == 10_000)


def test_traffic_beyond_the_table_capacity_is_throttled() -> None:
    result = _provisioned(requests_per_second=12_000, burst=False)
    assert result.ConsumedReadCapacityUnits.max() <= 10_000
    assert result.throttle_rate == pytest.approx(2_000 / 12_000, abs=0.01)


def test_each_partition_stops_at_its_maximum_whatever_the_table_provisions() -> None:
    # 100,000 units over 10 partitions: DynamoDB would split, the simulation keeps 10.
    result = _provisioned(requests_per_second=50_000, provisioned_units=100_000)
    assert result.ConsumedReadCapacityUnits.max() <= 10 * PARTITION_MAX_READ_UNITS
    assert result.per_partition_consumed.max() == PARTITION_MAX_READ_UNITS
    assert result.throttled_requests > 0


def test_unit_cost_scales_consumption() -> None:
    eventual = _provisioned(unit_cost=0.5, requests_per_second=16_000, burst=False)
    assert eventual.throttled_requests == 0
    assert np.all(eventual.ConsumedReadCapacityUnits == 8_000)


@pytest.mark.parametrize("burst", [True, False])
def test_a_hot_key_beyond_the_partition_maximum_throttles_despite_a_huge_table(
    burst: bool,
) -> None:
    table_units = 100_000
    result = _provisioned(
        requests_per_second=8_000,  # the hot key alone wants 4,000 reads/s
        distribution=one_hot_key(1_000, hot_share=0.5),
        partitions=partitions_for(table_units, 0),
        provisioned_units=table_units,
        burst=burst,
    )
    assert result.throttled_requests > 0
    assert result.ConsumedReadCapacityUnits.max() < table_units / 10  # the table sits idle
    # Adaptive capacity and burst lend the hot partition all they can: up to the maximum.
    assert result.per_partition_consumed.max() == PARTITION_MAX_READ_UNITS
    hot = int(partition_of([0], result.partitions)[0])
    assert np.all(result.per_partition_consumed[:, hot] == PARTITION_MAX_READ_UNITS)


def test_adaptive_capacity_lends_unused_table_capacity_to_a_hot_partition() -> None:
    # 10 partitions x 1,000 reads: the hot key's 2,000 reads/s exceed its partition's share but
    # not the per-partition maximum, and the table has 5,000 units to spare.
    hot_table = {
        "requests_per_second": 4_000,
        "distribution": one_hot_key(1_000, hot_share=0.5),
        "burst": False,
    }
    assert _provisioned(adaptive=False, **hot_table).throttled_requests > 0
    assert _provisioned(adaptive=True, **hot_table).throttled_requests == 0


def test_write_sharding_the_hot_key_removes_the_throttles() -> None:
    hot = one_hot_key(1_000, hot_share=0.5)
    writes = {
        "requests_per_second": 2_400,  # the hot key alone wants 1,200 writes/s
        "kind": "write",
        "provisioned_units": 10_000,
        "partitions": partitions_for(0, 10_000),
    }
    plain = _provisioned(distribution=hot, **writes)
    assert plain.throttled_requests > 0
    assert plain.per_partition_consumed.max() == PARTITION_MAX_WRITE_UNITS
    sharded = _provisioned(distribution=write_sharded(hot, 10), **writes)
    assert sharded.throttled_requests == 0
    assert sharded.per_partition_consumed.max() < PARTITION_MAX_WRITE_UNITS / 2


def test_burst_absorbs_a_short_spike_after_idle_time_but_not_a_long_one() -> None:
    table = {
        "distribution": uniform(100),
        "partitions": 1,
        "provisioned_units": 1_000,
        "adaptive": False,
    }
    idle, spike = (BURST_SECONDS, 0), (60, 3_000)  # saves 300 s x 1,000; spends 2,000/s
    short = _steps(idle, spike, (60, 0))
    result = _provisioned(seconds=short.size, requests_per_second=short, **table)
    assert result.throttled_requests == 0
    assert result.ConsumedReadCapacityUnits.max() == 3_000
    without_burst = _provisioned(
        seconds=short.size, requests_per_second=short, burst=False, **table
    )
    assert without_burst.throttled_requests == 60 * 2_000
    # A long spike spends the 300,000 saved units in 150 s, then throttles; idling longer than
    # BURST_SECONDS saves no more.
    long = _steps((2 * BURST_SECONDS, 0), (600, 3_000))
    result = _provisioned(seconds=long.size, requests_per_second=long, **table)
    assert result.summary()["first_throttle_second"] == 2 * BURST_SECONDS + 150
    assert result.throttled_requests == (600 - 150) * 2_000
    # Savings never lift a partition above its maximum.
    over = _steps(idle, (60, PARTITION_MAX_READ_UNITS + 1_000))
    result = _provisioned(seconds=over.size, requests_per_second=over, **table)
    assert result.ConsumedReadCapacityUnits.max() == PARTITION_MAX_READ_UNITS
    assert result.throttled_requests == 60 * 1_000
    # No idle time, nothing saved: the same short spike throttles from its first second.
    busy = _steps(spike, (60, 0))
    result = _provisioned(seconds=busy.size, requests_per_second=busy, **table)
    assert result.summary()["first_throttle_second"] == 0


# --- On-demand ---------------------------------------------------------------------------------


def _on_demand(rates: np.ndarray) -> SimulationResult:
    return simulate(
        seconds=rates.size,
        requests_per_second=rates,
        distribution=uniform(10_000),
        partitions=40,
        mode="on_demand",
        kind="read",
    )


def test_on_demand_jump_far_beyond_the_initial_limit_throttles() -> None:
    result = _on_demand(_steps((60, 0), (60, 5 * ON_DEMAND_INITIAL_READS)))
    assert result.throttled_requests > 0
    assert result.ConsumedReadCapacityUnits.max() == ON_DEMAND_INITIAL_READS
    assert np.all(np.isnan(result.ProvisionedReadCapacityUnits))
    assert result.table_limit.max() == ON_DEMAND_INITIAL_READS


def test_on_demand_doubling_every_30_minutes_is_not_throttled() -> None:
    window = ON_DEMAND_PEAK_WINDOW_SECONDS
    rates = _steps(*[(window, ON_DEMAND_INITIAL_READS * 2**step) for step in range(3)])
    result = _on_demand(rates)
    assert result.throttled_requests == 0
    assert result.ConsumedReadCapacityUnits.max() == 4 * ON_DEMAND_INITIAL_READS


def test_on_demand_doubling_faster_than_every_30_minutes_throttles() -> None:
    step = ON_DEMAND_PEAK_WINDOW_SECONDS // 3
    rates = _steps(*[(step, ON_DEMAND_INITIAL_READS * 2**n) for n in range(3)])
    result = _on_demand(rates)
    assert result.throttled_requests > 0
    assert result.summary()["first_throttle_second"] == step


def test_on_demand_does_not_lift_the_partition_maximum_for_a_hot_key() -> None:
    result = simulate(
        seconds=60,
        requests_per_second=8_000,  # within the initial limit; the hot key wants 4,000/s
        distribution=one_hot_key(1_000, hot_share=0.5),
        partitions=10,
        mode="on_demand",
        kind="read",
    )
    assert result.throttled_requests > 0
    assert result.per_partition_consumed.max() == PARTITION_MAX_READ_UNITS


# --- Auto scaling ------------------------------------------------------------------------------


def test_autoscaling_rejects_targets_outside_20_to_90_percent() -> None:
    for target in (0.95, 0.1):
        with pytest.raises(ValueError, match="target_utilization"):
            AutoScaling(target_utilization=target, min_units=1, max_units=100)
    AutoScaling(target_utilization=0.2, min_units=1, max_units=100)
    AutoScaling(target_utilization=0.9, min_units=1, max_units=100)
    with pytest.raises(ValueError):
        AutoScaling(min_units=100, max_units=10)


def test_autoscaling_scales_out_after_two_minutes_above_and_in_after_fifteen_below() -> None:
    scaling = AutoScaling(target_utilization=0.7, min_units=100, max_units=10_000)
    # 10 minutes at 65 %, 15 minutes of demand at 140 %, then a long quiet spell.
    rates = _steps((10 * MINUTE, 650), (15 * MINUTE, 1_400), (20 * MINUTE, 200))
    result = _provisioned(
        seconds=rates.size,
        requests_per_second=rates,
        partitions=4,
        provisioned_units=1_000,
        autoscaling=scaling,
        burst=False,
    )
    provisioned = result.ProvisionedReadCapacityUnits
    rise, fall = 10 * MINUTE, 25 * MINUTE
    scale_out = rise + AUTOSCALING_SCALE_OUT_PERIODS * MINUTE
    assert np.all(provisioned[:scale_out] == 1_000)  # 10 minutes below target: too soon to scale in
    assert provisioned[scale_out] > 1_000
    first_out = result.scaling_events[0]
    assert (first_out.second, first_out.direction) == (scale_out, "out")
    assert result.throttled[rise : rise + 30].min() > 0  # throttled while auto scaling waits
    assert result.throttled[fall - MINUTE : fall].sum() == 0  # caught up before the demand fell
    scale_in = fall + AUTOSCALING_SCALE_IN_PERIODS * MINUTE
    assert provisioned[scale_in - 1] > 1_000
    assert provisioned[scale_in] == np.ceil(200 / 0.7)
    assert [e.direction for e in result.scaling_events if e.second >= fall] == ["in"]
    summary = result.summary()
    assert summary["scale_ins"] == 1 and summary["scale_outs"] >= 1


def test_autoscaling_respects_the_daily_decrease_quota() -> None:
    # Demand that falls all the time wants a decrease every 15 minutes, for 26 hours.
    seconds = SECONDS_PER_DAY + 2 * 60 * MINUTE
    rates = 20_000 * np.exp(-np.arange(seconds) / 15_000)
    result = _provisioned(
        seconds=seconds,
        requests_per_second=rates,
        partitions=20,
        provisioned_units=40_000,
        autoscaling=AutoScaling(target_utilization=0.5, min_units=1, max_units=40_000),
    )
    decreases = [e.second for e in result.scaling_events if e.direction == "in"]
    assert all(e.direction == "in" for e in result.scaling_events)
    assert np.all(np.diff(result.ProvisionedReadCapacityUnits) <= 0)
    days = [[s for s in decreases if s // SECONDS_PER_DAY == day] for day in (0, 1)]
    assert DECREASES_ANY_TIME_PER_DAY < len(days[0]) <= DECREASES_MAX_PER_DAY
    for today in days:
        quick, hourly = today[:DECREASES_ANY_TIME_PER_DAY], today[DECREASES_ANY_TIME_PER_DAY - 1 :]
        assert np.all(np.diff(quick) == AUTOSCALING_SCALE_IN_PERIODS * MINUTE)
        assert np.all(np.diff(hourly) >= DECREASE_QUIET_SECONDS)
    # A new UTC day brings back the decreases allowed at any time.
    assert len(days[1]) == DECREASES_ANY_TIME_PER_DAY + 1


def test_the_decrease_quota_stops_at_its_daily_maximum_and_resets_at_midnight() -> None:
    quota = _DecreaseQuota()
    granted = []
    for second in range(2 * SECONDS_PER_DAY):
        if quota.allows(second):
            quota.record(second)
            granted.append(second)
    first_day = [s for s in granted if s < SECONDS_PER_DAY]
    assert len(first_day) == DECREASES_MAX_PER_DAY
    assert first_day[:5] == [0, 1, 2, 3, 3 + DECREASE_QUIET_SECONDS]
    assert granted[len(first_day)] == SECONDS_PER_DAY  # midnight UTC: allowed again at once


def test_autoscaling_needs_a_provisioned_table() -> None:
    with pytest.raises(ValueError):
        _provisioned(mode="on_demand", autoscaling=AutoScaling(min_units=1, max_units=10))
    with pytest.raises(ValueError):
        _provisioned(provisioned_units=None)


# --- Reproducibility, metrics, summary, plots --------------------------------------------------


def test_same_seed_same_results_and_different_seed_different_results() -> None:
    skewed = {
        "distribution": zipf(10_000),
        "requests_per_second": 9_000,
        "provisioned_units": 12_000,
        "adaptive": False,
        "burst": False,
    }
    first, again = _provisioned(seed=7, **skewed), _provisioned(seed=7, **skewed)
    other = _provisioned(seed=8, **skewed)
    for name in ("per_partition_requests", "per_partition_consumed", "throttled", "consumed"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert first.summary() == again.summary()
    assert not np.array_equal(first.per_partition_requests, other.per_partition_requests)
    assert first.throttled_requests != other.throttled_requests


def test_fractional_rates_carry_over_to_whole_requests() -> None:
    result = _provisioned(seconds=10, requests_per_second=0.5)
    assert result.requests.tolist() == [0, 1] * 5
    rates = _provisioned(seconds=300, requests_per_second=1_000_000 / 300)
    assert rates.total_requests == 1_000_000


def test_metrics_use_cloudwatch_names() -> None:
    reads = _provisioned(seconds=30).metrics()
    assert list(reads.columns) == [
        "ConsumedReadCapacityUnits",
        "ProvisionedReadCapacityUnits",
        "ThrottledRequests",
        "ReadThrottleEvents",
    ]
    assert reads.index.name == "second" and len(reads) == 30
    writes = _provisioned(seconds=30, kind="write", requests_per_second=500)
    assert list(writes.metrics().columns) == [
        "ConsumedWriteCapacityUnits",
        "ProvisionedWriteCapacityUnits",
        "ThrottledRequests",
        "WriteThrottleEvents",
    ]
    assert np.array_equal(writes.WriteThrottleEvents, writes.ThrottledRequests)
    with pytest.raises(AttributeError, match="ConsumedWriteCapacityUnits"):
        _ = writes.ConsumedReadCapacityUnits


def test_summary_is_rounded_and_plain() -> None:
    summary = _provisioned(distribution=zipf(10_000), requests_per_second=9_000).summary()
    assert summary["total_requests"] == 120 * 9_000
    for value in summary.values():
        assert value is None or type(value) in (int, float, str)
        if isinstance(value, float):
            assert value == round(value, 4)


def test_plots_return_figures() -> None:
    from matplotlib.figure import Figure

    provisioned = _provisioned(requests_per_second=12_000)
    on_demand = _on_demand(_steps((30, 0), (30, 2 * ON_DEMAND_INITIAL_READS)))
    for result in (provisioned, on_demand):
        heatmap, capacity = result.plot_heatmap(), result.plot_capacity()
        assert isinstance(heatmap, Figure) and isinstance(capacity, Figure)
        assert heatmap.axes[0].get_ylabel() == "partition"
        assert len(capacity.axes) == 2  # consumed/provisioned, and throttles on a twin axis
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    assert provisioned.plot_capacity(ax=ax) is figure
    plt.close(figure)
