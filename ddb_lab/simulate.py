"""Capacity over time: how a table's partitions serve, borrow, burst and throttle, second by second.

Its one job: given a request rate, a key distribution and a capacity setting, say for every
simulated second and every partition how many capacity units the table served and how many
requests it throttled, in the names CloudWatch uses. It runs on numpy alone, never on the
engine, and the same seed always gives the same numbers.

The model, and where it simplifies DynamoDB:

* **Arrivals.** Each second brings exactly the requested number of requests (fractions carry over
  to the next second, so 0.5 per second is one request every other second). The rate is what
  the learner sets; only *which key* each request hits is random. Requests are independent, so
  the count per partition each second is drawn at once from a multinomial over the partitions'
  shares of the key distribution: the same numbers as drawing every request's key one by one,
  in time that does not grow with the number of requests.
* **Keys to partitions.** A key id is hashed (Knuth's multiplicative hash) and the hash space is
  cut into equal ranges, one per partition, as DynamoDB splits a table's hash range. The mapping
  does not depend on the seed. The number of partitions stays fixed; DynamoDB would split
  partitions as capacity or data grow (see :func:`partitions_for`).
* **Provisioned.** Each partition gets an equal share of the table's units, never more than the
  per-partition maximum. Adaptive capacity (``adaptive=True``) then lends the units the table
  left unused this second to partitions that want more, up to the per-partition maximum, split
  in proportion to what they lack. Burst capacity (``burst=True``) comes last: each partition
  saves the share it left unused (up to ``BURST_SECONDS`` of it) and spends the savings when its
  demand exceeds what it was given, again never above the per-partition maximum. A simulation
  starts with no savings. Burst is best effort in DynamoDB; here it always works.
* **On-demand.** The table serves at most ``ON_DEMAND_INITIAL_*`` units per second, or twice the
  highest second it has served that is at least ``ON_DEMAND_PEAK_WINDOW_SECONDS`` old, whichever
  is more: doubling the previous peak is instant, but DynamoDB needs up to 30 minutes to get
  ready for double a *new* peak. Partitions still stop at the per-partition maximum. Burst and
  adaptive capacity are provisioned-mode features and are ignored here.
* **Auto scaling** (:class:`AutoScaling`, provisioned only): target tracking on one-minute data
  points of consumed / provisioned. Two consecutive minutes above the target scale out to
  ``consumed / target``; fifteen consecutive minutes below it scale in to the same formula, if
  the day's decrease quota allows. Units are whole numbers, clamped to ``[min_units,
  max_units]``; a change applies from the next second (a real UpdateTable takes a little
  longer). Auto scaling sees *consumed* units, not throttled demand, so under heavy throttling
  it climbs in steps. Second 0 of a simulation is midnight UTC.
* **Throttles.** A request is served whole or throttled. Every request reads or writes one item,
  so ``ThrottledRequests`` and ``Read/WriteThrottleEvents`` are equal here (they differ in
  DynamoDB for batch operations and indexes).

Used in: notebooks/05_capacity_and_partitions.ipynb
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ddb_lab.facts import (
    AUTOSCALING_PERIOD_SECONDS,
    AUTOSCALING_SCALE_IN_PERIODS,
    AUTOSCALING_SCALE_OUT_PERIODS,
    AUTOSCALING_TARGET_DEFAULT,
    AUTOSCALING_TARGET_MAX,
    AUTOSCALING_TARGET_MIN,
    BURST_SECONDS,
    DECREASE_QUIET_SECONDS,
    DECREASES_ANY_TIME_PER_DAY,
    DECREASES_MAX_PER_DAY,
    ON_DEMAND_INITIAL_READS,
    ON_DEMAND_INITIAL_WRITES,
    ON_DEMAND_PEAK_MULTIPLIER,
    ON_DEMAND_PEAK_WINDOW_SECONDS,
    PARTITION_MAX_READ_UNITS,
    PARTITION_MAX_WRITE_UNITS,
    PARTITION_SIZE_GB_APPROX,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "SECONDS_PER_DAY",
    "AutoScaling",
    "Distribution",
    "Kind",
    "Mode",
    "ScalingEvent",
    "SimulationResult",
    "one_hot_key",
    "partition_of",
    "partitions_for",
    "simulate",
    "uniform",
    "write_sharded",
    "zipf",
]

#: Reads or writes: which per-partition maximum, initial on-demand limit and metrics apply.
Kind = Literal["read", "write"]
#: The table's capacity mode.
Mode = Literal["provisioned", "on_demand"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Second 0 of a simulation is midnight UTC; the decrease quota resets every this many seconds.
SECONDS_PER_DAY = 24 * 60 * 60
#: Knuth's multiplicative hash: a prime near 2**32 divided by the golden ratio.
_HASH_MULTIPLIER = np.uint64(2_654_435_761)
_HASH_BITS = np.uint64(32)
_HASH_MASK = np.uint64(0xFFFF_FFFF)
#: Tolerance when turning fractional units into whole requests or whole provisioned units.
_DECIMALS = 6

_PARTITION_MAX = {"read": PARTITION_MAX_READ_UNITS, "write": PARTITION_MAX_WRITE_UNITS}
_ON_DEMAND_INITIAL = {"read": ON_DEMAND_INITIAL_READS, "write": ON_DEMAND_INITIAL_WRITES}
_METRICS = {
    "read": (
        "ConsumedReadCapacityUnits",
        "ProvisionedReadCapacityUnits",
        "ThrottledRequests",
        "ReadThrottleEvents",
    ),
    "write": (
        "ConsumedWriteCapacityUnits",
        "ProvisionedWriteCapacityUnits",
        "ThrottledRequests",
        "WriteThrottleEvents",
    ),
}


# --- Partitions --------------------------------------------------------------------------------


def partitions_for(read_units: float, write_units: float, size_gb: float = 0) -> int:
    """How many partitions a table needs, by the classic sizing rule taught in interviews.

    ``max(ceil(RCU / 3000 + WCU / 1000), ceil(size / 10 GB))``, and at least 1. The throughput
    part follows the per-partition maximums, which AWS documents. The 10 GB part is
    **approximate**: the current developer guide does not state it (it comes from older docs and
    community sources), and DynamoDB does not publish how it really splits partitions.

    >>> partitions_for(6_000, 0), partitions_for(3_000, 1_000), partitions_for(0, 0, size_gb=20)
    (2, 2, 2)
    """
    for name, value in (("read_units", read_units), ("write_units", write_units)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    if not math.isfinite(size_gb) or size_gb < 0:
        raise ValueError(f"size_gb must be a finite number >= 0, not {size_gb!r}")
    # RCU/3000 + WCU/1000 == (RCU + 3 * WCU) / 3000: one division, so whole numbers stay exact.
    ratio = PARTITION_MAX_READ_UNITS / PARTITION_MAX_WRITE_UNITS
    by_throughput = _ceil((read_units + ratio * write_units) / PARTITION_MAX_READ_UNITS)
    by_size = _ceil(size_gb / PARTITION_SIZE_GB_APPROX)
    return max(1, by_throughput, by_size)


def partition_of(key_ids: ArrayLike, partitions: int) -> IntArray:
    """The partition (0 to ``partitions - 1``) that holds each key id.

    A 32-bit multiplicative hash of the id, with the hash space cut into ``partitions`` equal
    ranges. Stable: it depends on nothing but the id and the number of partitions.
    """
    _check_count("partitions", partitions)
    keys = np.atleast_1d(np.asarray(key_ids))
    if keys.size and (not np.issubdtype(keys.dtype, np.integer) or keys.min() < 0):
        raise ValueError("key ids are whole numbers >= 0")
    hashed = (keys.astype(np.uint64) * _HASH_MULTIPLIER) & _HASH_MASK
    return ((hashed * np.uint64(partitions)) >> _HASH_BITS).astype(np.int64)


# --- Key distributions -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Distribution:
    """How requests spread over key ids ``0`` to ``n_keys - 1``: one probability per key.

    The probabilities are normalised to sum to 1 and made read-only.
    """

    probabilities: FloatArray
    name: str = "custom"

    def __post_init__(self) -> None:
        p = np.array(self.probabilities, dtype=np.float64)
        if p.ndim != 1 or p.size == 0:
            raise ValueError("a distribution needs a one-dimensional array of probabilities")
        if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
            raise ValueError("probabilities must be finite, >= 0 and not all 0")
        p /= p.sum()
        p.setflags(write=False)
        object.__setattr__(self, "probabilities", p)

    def __repr__(self) -> str:
        return f"Distribution({self.name}, {self.n_keys:,} keys)"

    @property
    def n_keys(self) -> int:
        """How many key ids the distribution covers."""
        return int(self.probabilities.size)

    def sample(self, n: int, rng: np.random.Generator) -> IntArray:
        """``n`` key ids drawn independently, one per request."""
        if n < 0:
            raise ValueError(f"n must be >= 0, not {n}")
        return np.asarray(rng.choice(self.n_keys, size=n, p=self.probabilities), dtype=np.int64)

    def partition_shares(self, partitions: int) -> FloatArray:
        """The share of requests each partition receives (sums to 1)."""
        owners = partition_of(np.arange(self.n_keys), partitions)
        shares = np.bincount(owners, weights=self.probabilities, minlength=partitions)
        return np.asarray(shares / shares.sum(), dtype=np.float64)


def uniform(n_keys: int) -> Distribution:
    """Every key equally likely: the access pattern DynamoDB is designed for."""
    _check_count("n_keys", n_keys)
    return Distribution(np.full(n_keys, 1 / n_keys), f"uniform over {n_keys:,} keys")


def zipf(n_keys: int, s: float = 1.1) -> Distribution:
    """Key ``k`` is requested in proportion to ``1 / (k + 1) ** s``: a few popular keys, a long
    tail (``s = 0`` is uniform; larger ``s`` is more skewed)."""
    _check_count("n_keys", n_keys)
    if not math.isfinite(s) or s < 0:
        raise ValueError(f"s must be a finite number >= 0, not {s!r}")
    ranks = np.arange(1, n_keys + 1, dtype=np.float64)
    return Distribution(ranks**-s, f"zipf(s={s}) over {n_keys:,} keys")


def one_hot_key(n_keys: int, hot_share: float = 0.5) -> Distribution:
    """Key 0 gets ``hot_share`` of all requests; the other keys share the rest evenly."""
    _check_count("n_keys", n_keys)
    if not 0 <= hot_share <= 1:
        raise ValueError(f"hot_share is a fraction between 0 and 1, not {hot_share!r}")
    if n_keys == 1:
        return Distribution(np.ones(1), "one key")
    p = np.full(n_keys, (1 - hot_share) / (n_keys - 1))
    p[0] = hot_share
    return Distribution(p, f"one hot key ({hot_share:.0%}) among {n_keys:,} keys")


def write_sharded(base: Distribution, shards: int) -> Distribution:
    """Each key of ``base`` written under ``shards`` suffixes (``PK#0`` ... ``PK#{shards-1}``),
    chosen at random per request, so its traffic spreads over up to ``shards`` partitions.

    Sharded key ``(k, j)`` has id ``k * shards + j``. Reading a key back then takes one request
    per shard, which is why write sharding suits write-heavy keys.
    """
    _check_count("shards", shards)
    p = np.repeat(base.probabilities / shards, shards)
    return Distribution(p, f"{base.name}, write-sharded x{shards}")


# --- Auto scaling ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AutoScaling:
    """Target-tracking auto scaling for a provisioned table (one of reads or writes).

    ``target_utilization`` is consumed / provisioned, between 20 % and 90 %.
    """

    target_utilization: float = AUTOSCALING_TARGET_DEFAULT
    min_units: float
    max_units: float

    def __post_init__(self) -> None:
        target = self.target_utilization
        if not AUTOSCALING_TARGET_MIN <= target <= AUTOSCALING_TARGET_MAX:
            raise ValueError(
                f"target_utilization must be between {AUTOSCALING_TARGET_MIN} and "
                f"{AUTOSCALING_TARGET_MAX} (20 % to 90 %), not {target!r}"
            )
        if not 1 <= self.min_units <= self.max_units or not math.isfinite(self.max_units):
            raise ValueError(
                f"need 1 <= min_units <= max_units, not {self.min_units!r} and {self.max_units!r}"
            )


@dataclass(frozen=True)
class ScalingEvent:
    """One change auto scaling made: from ``second`` on, the table has ``new_units``."""

    second: int
    old_units: float
    new_units: float
    direction: Literal["out", "in"]


class _DecreaseQuota:
    """Provisioned decreases allowed per UTC day: a few at any time, then one an hour."""

    def __init__(self) -> None:
        self._day = -1
        self._today = 0
        self._last: int | None = None

    def allows(self, second: int) -> bool:
        today = self._today if second // SECONDS_PER_DAY == self._day else 0
        if today >= DECREASES_MAX_PER_DAY:
            return False
        if today < DECREASES_ANY_TIME_PER_DAY:
            return True
        return self._last is None or second - self._last >= DECREASE_QUIET_SECONDS

    def record(self, second: int) -> None:
        day = second // SECONDS_PER_DAY
        if day != self._day:
            self._day, self._today = day, 0
        self._today += 1
        self._last = second


# --- The result --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What happened, per second (and per partition), with CloudWatch's metric names.

    The per-second metrics are attributes named like CloudWatch's (``ConsumedReadCapacityUnits``
    for a read simulation, ``ConsumedWriteCapacityUnits`` for a write one, and so on) and the
    columns of :meth:`metrics`. Each is the total for that one second. On-demand tables have no
    provisioned capacity: that metric is NaN, and ``table_limit`` holds the on-demand limit.
    """

    kind: Kind
    mode: Mode
    unit_cost: float
    seed: int
    #: Requests that arrived, per second.
    requests: IntArray
    #: Units served, per second.
    consumed: FloatArray
    #: Provisioned units per second (NaN in on-demand mode).
    provisioned: FloatArray
    #: The most the table could serve that second: provisioned units, or the on-demand limit.
    table_limit: FloatArray
    #: Requests throttled, per second.
    throttled: IntArray
    #: Units served, seconds x partitions.
    per_partition_consumed: FloatArray
    #: Requests that arrived, seconds x partitions.
    per_partition_requests: IntArray
    scaling_events: tuple[ScalingEvent, ...] = field(default=())

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def seconds(self) -> int:
        return int(self.requests.size)

    @property
    def partitions(self) -> int:
        return int(self.per_partition_consumed.shape[1])

    @property
    def partition_max_units(self) -> int:
        """The per-partition maximum that applied (reads or writes)."""
        return _PARTITION_MAX[self.kind]

    # CloudWatch's names ------------------------------------------------------------------------

    @property
    def metric_names(self) -> tuple[str, str, str, str]:
        """The CloudWatch metrics this simulation reports, in :meth:`metrics` column order."""
        return _METRICS[self.kind]

    def __getitem__(self, metric: str) -> NDArray[Any]:
        consumed, provisioned, throttled, events = self.metric_names
        arrays: dict[str, NDArray[Any]] = {
            consumed: self.consumed,
            provisioned: self.provisioned,
            throttled: self.throttled,
            events: self.throttled,  # one item per request: one throttle event per throttle
        }
        if metric not in arrays:
            raise KeyError(
                f"{metric!r} is not reported by a {self.kind} simulation; "
                f"it reports {', '.join(self.metric_names)}"
            )
        return arrays[metric]

    def _metric(self, name: str) -> NDArray[Any]:
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(error.args[0]) from None

    @property
    def ConsumedReadCapacityUnits(self) -> FloatArray:
        return self._metric("ConsumedReadCapacityUnits")

    @property
    def ConsumedWriteCapacityUnits(self) -> FloatArray:
        return self._metric("ConsumedWriteCapacityUnits")

    @property
    def ProvisionedReadCapacityUnits(self) -> FloatArray:
        return self._metric("ProvisionedReadCapacityUnits")

    @property
    def ProvisionedWriteCapacityUnits(self) -> FloatArray:
        return self._metric("ProvisionedWriteCapacityUnits")

    @property
    def ThrottledRequests(self) -> IntArray:
        return self.throttled

    @property
    def ReadThrottleEvents(self) -> IntArray:
        return self._metric("ReadThrottleEvents")

    @property
    def WriteThrottleEvents(self) -> IntArray:
        return self._metric("WriteThrottleEvents")

    # Totals ------------------------------------------------------------------------------------

    @property
    def total_requests(self) -> int:
        return int(self.requests.sum())

    @property
    def throttled_requests(self) -> int:
        return int(self.throttled.sum())

    @property
    def throttle_rate(self) -> float:
        """Throttled requests / requests (0 when nothing arrived)."""
        total = self.total_requests
        return self.throttled_requests / total if total else 0.0

    def metrics(self) -> pd.DataFrame:
        """The per-second metrics as a DataFrame indexed by ``second``."""
        import pandas as pd

        return pd.DataFrame(
            {name: np.asarray(self[name]) for name in self.metric_names},
            index=pd.RangeIndex(self.seconds, name="second"),
        )

    def summary(self) -> dict[str, Any]:
        """The headline numbers, rounded so that they print the same on every run."""
        throttled_seconds = np.flatnonzero(self.throttled)
        shares = self.per_partition_requests.sum(axis=0) / max(self.total_requests, 1)
        result: dict[str, Any] = {
            "mode": self.mode,
            "kind": self.kind,
            "seconds": self.seconds,
            "partitions": self.partitions,
            "total_requests": self.total_requests,
            "throttled_requests": self.throttled_requests,
            "throttle_rate": round(self.throttle_rate, 4),
            "seconds_with_throttles": int(throttled_seconds.size),
            "first_throttle_second": int(throttled_seconds[0]) if throttled_seconds.size else None,
            "peak_consumed_units": round(float(self.consumed.max()), 1),
            "mean_consumed_units": round(float(self.consumed.mean()), 1),
            "hottest_partition_share": round(float(shares.max()), 3),
            "peak_partition_units": round(float(self.per_partition_consumed.max()), 1),
        }
        if self.mode == "provisioned":
            result["provisioned_units_first"] = round(float(self.provisioned[0]), 1)
            result["provisioned_units_last"] = round(float(self.provisioned[-1]), 1)
            result["scale_outs"] = sum(e.direction == "out" for e in self.scaling_events)
            result["scale_ins"] = sum(e.direction == "in" for e in self.scaling_events)
        else:
            result["peak_on_demand_limit"] = round(float(self.table_limit.max()), 1)
        return result

    # Plots -------------------------------------------------------------------------------------

    def plot_heatmap(self, ax: Axes | None = None) -> Figure:
        """Units each partition served each second; the colour scale ends at the per-partition
        maximum, so a saturated partition shows as the brightest band.

        Without ``ax`` the figure is new and not kept open by pyplot: it shows when it is a
        cell's value (or through ``display``). Returns the Figure.
        """
        fig, ax = _figure_and_axes(ax)
        image = ax.imshow(
            self.per_partition_consumed.T,
            aspect="auto",
            origin="lower",
            interpolation="nearest",
            cmap="magma",
            vmin=0,
            vmax=self.partition_max_units,
            extent=(0, self.seconds, -0.5, self.partitions - 0.5),
        )
        fig.colorbar(image, ax=ax, label=f"{self.kind} units served / s")
        ax.set_xlabel("second")
        ax.set_ylabel("partition")
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(
            f"Per-partition consumption (max {self.partition_max_units:,} {self.kind} units/s)"
        )
        return fig

    def plot_capacity(self, ax: Axes | None = None) -> Figure:
        """Consumed units against provisioned capacity (or the on-demand limit) over time, with
        throttled requests as bars on a second axis. Returns the Figure (see
        :meth:`plot_heatmap` for how it shows)."""
        fig, ax = _figure_and_axes(ax)
        # Steps drawn as lines and a filled area: patches (stairs, bar) take seconds on a day.
        edges = np.arange(self.seconds + 1)
        consumed, provisioned, throttled, _ = self.metric_names
        limit_label = provisioned if self.mode == "provisioned" else "on-demand limit"
        ax.step(
            edges,
            _last_repeated(self.table_limit),
            where="post",
            color="tab:gray",
            label=limit_label,
        )
        ax.plot(edges[:-1] + 0.5, self.consumed, color="tab:blue", linewidth=1, label=consumed)
        ax.set_xlabel("second")
        ax.set_ylabel(f"{self.kind} units / s")
        ax.set_ylim(bottom=0)
        bars = ax.twinx()
        bars.fill_between(
            edges,
            _last_repeated(self.throttled),
            step="post",
            color="tab:red",
            alpha=0.35,
            linewidth=0,
            label=throttled,
        )
        bars.set_ylabel("throttled requests / s")
        bars.set_ylim(bottom=0, top=max(1, int(self.throttled.max())) * 1.1)
        handles, labels = ax.get_legend_handles_labels()
        more_handles, more_labels = bars.get_legend_handles_labels()
        ax.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize="small")
        ax.set_title(f"{self.mode.replace('_', '-')} {self.kind}s: capacity and throttles")
        return fig


def _last_repeated(values: NDArray[Any]) -> NDArray[Any]:
    """One value per second, plus the last again, for a step plot over second edges."""
    return np.append(values, values[-1:])


def _figure_and_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.get_figure(root=True)
        if fig is None:
            raise ValueError("the Axes must belong to a figure")
        return fig, ax
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=(10, 4), layout="constrained")
    plt.close(fig)  # the caller owns it; pyplot does not show it again at the end of the cell
    return fig, new_ax


# --- The simulation ----------------------------------------------------------------------------


def simulate(
    *,
    seconds: int,
    requests_per_second: float | Sequence[float] | NDArray[Any],
    distribution: Distribution,
    partitions: int,
    mode: Mode,
    provisioned_units: float | None = None,
    unit_cost: float = 1.0,
    kind: Kind,
    burst: bool = True,
    adaptive: bool = True,
    autoscaling: AutoScaling | None = None,
    seed: int = 0,
) -> SimulationResult:
    """Simulate ``seconds`` seconds of ``kind`` traffic against a table of ``partitions``.

    ``requests_per_second`` is one rate or one rate per second. Each request costs
    ``unit_cost`` units (0.5 for an eventually consistent read of up to 4 KB, 2 for a
    transactional one, and so on). ``mode="provisioned"`` needs ``provisioned_units`` (table
    units of ``kind``) or ``autoscaling`` (which starts at ``provisioned_units`` or, without it,
    at ``min_units``); ``mode="on_demand"`` takes neither. The model is described in this
    module's docstring.
    """
    _check_count("seconds", seconds)
    _check_count("partitions", partitions)
    if kind not in _PARTITION_MAX:
        raise ValueError(f"kind is 'read' or 'write', not {kind!r}")
    if mode not in ("provisioned", "on_demand"):
        raise ValueError(f"mode is 'provisioned' or 'on_demand', not {mode!r}")
    if not math.isfinite(unit_cost) or unit_cost <= 0:
        raise ValueError(f"unit_cost must be a number > 0, not {unit_cost!r}")
    capacity = _starting_capacity(mode, provisioned_units, autoscaling)
    arrivals = _arrivals(requests_per_second, seconds)

    rng = np.random.default_rng(seed)
    per_partition = rng.multinomial(arrivals, distribution.partition_shares(partitions))
    per_partition = per_partition.astype(np.int64)
    demand_units = per_partition * unit_cost

    state = _State(kind, mode, partitions, capacity, burst, adaptive, autoscaling)
    served_requests = np.empty_like(per_partition)
    for second in range(seconds):
        served = state.serve(second, demand_units[second])
        served_requests[second] = _whole_requests(served / unit_cost, per_partition[second])
        state.observe(second, float(served_requests[second].sum() * unit_cost))

    consumed_per_partition = np.asarray(served_requests * unit_cost, dtype=np.float64)
    return SimulationResult(
        kind=kind,
        mode=mode,
        unit_cost=float(unit_cost),
        seed=seed,
        requests=arrivals,
        consumed=consumed_per_partition.sum(axis=1),
        provisioned=state.provisioned_log,
        table_limit=state.limit_log,
        throttled=(per_partition - served_requests).sum(axis=1),
        per_partition_consumed=consumed_per_partition,
        per_partition_requests=per_partition,
        scaling_events=tuple(state.events),
    )


class _State:
    """What carries from one second to the next: capacity, burst savings, peaks, alarms."""

    def __init__(
        self,
        kind: Kind,
        mode: Mode,
        partitions: int,
        capacity: float,
        burst: bool,
        adaptive: bool,
        autoscaling: AutoScaling | None,
    ) -> None:
        self.mode = mode
        self.partitions = partitions
        self.partition_max = float(_PARTITION_MAX[kind])
        self.on_demand_initial = float(_ON_DEMAND_INITIAL[kind])
        self.capacity = capacity
        self.burst = burst and mode == "provisioned"
        self.adaptive = adaptive and mode == "provisioned"
        self.autoscaling = autoscaling
        self.credit = np.zeros(partitions)
        self.consumed_log: list[float] = []
        self.provisioned_list: list[float] = []
        self.limit_list: list[float] = []
        self.settled_peak = 0.0  # the highest second at least ON_DEMAND_PEAK_WINDOW_SECONDS old
        self.minute_units = 0.0
        self.above = 0
        self.below = 0
        self.quota = _DecreaseQuota()
        self.events: list[ScalingEvent] = []

    @property
    def provisioned_log(self) -> FloatArray:
        return np.asarray(self.provisioned_list, dtype=np.float64)

    @property
    def limit_log(self) -> FloatArray:
        return np.asarray(self.limit_list, dtype=np.float64)

    def serve(self, second: int, demand: FloatArray) -> FloatArray:
        """Units each partition serves this second (before rounding down to whole requests)."""
        if self.mode == "on_demand":
            return self._serve_on_demand(second, demand)
        self.provisioned_list.append(self.capacity)
        self.limit_list.append(self.capacity)
        base = min(self.capacity / self.partitions, self.partition_max)
        if demand.max() <= base:  # the common case: every partition within its share
            served = demand.copy()
            unused = base - served
        else:
            served = np.minimum(demand, base)
            unused = base - served
            pool = self.capacity - float(served.sum())
            if self.adaptive and pool > 0:
                lacking = np.minimum(demand, self.partition_max) - served
                wanted = float(lacking.sum())
                if wanted > 0:
                    lent = min(wanted, pool)
                    served += lacking * (lent / wanted)
                    unused *= 1 - lent / pool  # only capacity nobody used is saved for bursts
            if self.burst:
                lacking = np.maximum(np.minimum(demand, self.partition_max) - served, 0)
                spent = np.minimum(lacking, self.credit)
                served += spent
                self.credit -= spent
        if self.burst:
            self.credit = np.minimum(self.credit + unused, BURST_SECONDS * base)
        return served

    def _serve_on_demand(self, second: int, demand: FloatArray) -> FloatArray:
        settled = second - ON_DEMAND_PEAK_WINDOW_SECONDS
        if settled >= 0:
            self.settled_peak = max(self.settled_peak, self.consumed_log[settled])
        limit = max(self.on_demand_initial, ON_DEMAND_PEAK_MULTIPLIER * self.settled_peak)
        self.provisioned_list.append(math.nan)
        self.limit_list.append(limit)
        served = np.minimum(demand, self.partition_max)
        total = float(served.sum())
        if total > limit:
            served *= limit / total
        return served

    def observe(self, second: int, consumed: float) -> None:
        """Record what was served; at the end of each minute, let auto scaling decide."""
        self.consumed_log.append(consumed)
        if self.autoscaling is None:
            return
        self.minute_units += consumed
        if (second + 1) % AUTOSCALING_PERIOD_SECONDS:
            return
        rate = self.minute_units / AUTOSCALING_PERIOD_SECONDS
        self.minute_units = 0.0
        scaling = self.autoscaling
        target = scaling.target_utilization
        utilization = rate / self.capacity
        self.above = self.above + 1 if utilization > target else 0
        self.below = self.below + 1 if utilization < target else 0
        wanted = float(_ceil(rate / target))
        starts = second + 1
        if self.above >= AUTOSCALING_SCALE_OUT_PERIODS:
            new = min(wanted, scaling.max_units)
            if new > self.capacity:
                self._change(starts, new, "out")
        elif self.below >= AUTOSCALING_SCALE_IN_PERIODS:
            new = max(wanted, scaling.min_units)
            if new < self.capacity and self.quota.allows(starts):
                self.quota.record(starts)
                self._change(starts, new, "in")

    def _change(self, second: int, units: float, direction: Literal["out", "in"]) -> None:
        self.events.append(ScalingEvent(second, self.capacity, units, direction))
        self.capacity = units
        self.above = self.below = 0


# --- Helpers -----------------------------------------------------------------------------------


def _ceil(value: float) -> int:
    """Ceiling that ignores floating-point dust (2000.0000000000002 -> 2000)."""
    return math.ceil(round(value, _DECIMALS))


def _whole_requests(exact: FloatArray, arrived: IntArray) -> IntArray:
    """Round each partition's served requests down, then hand the whole requests lost to
    rounding to the partitions with the largest fractions, so that a table limit of 12,000
    units serves 12,000 requests, not 11,988."""
    whole = np.floor(np.round(exact, _DECIMALS))
    lost = int(np.floor(np.round(exact.sum() - whole.sum(), _DECIMALS)))
    if lost > 0:
        whole[np.argsort(whole - exact, kind="stable")[:lost]] += 1
    return np.minimum(whole.astype(np.int64), arrived)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")


def _starting_capacity(
    mode: Mode, provisioned_units: float | None, autoscaling: AutoScaling | None
) -> float:
    if mode == "on_demand":
        if provisioned_units is not None or autoscaling is not None:
            raise ValueError("an on-demand table takes neither provisioned_units nor autoscaling")
        return math.nan
    if provisioned_units is not None and (
        not math.isfinite(provisioned_units) or provisioned_units <= 0
    ):
        raise ValueError(f"provisioned_units must be a number > 0, not {provisioned_units!r}")
    if autoscaling is None:
        if provisioned_units is None:
            raise ValueError("a provisioned table needs provisioned_units (or autoscaling)")
        return float(provisioned_units)
    start = autoscaling.min_units if provisioned_units is None else provisioned_units
    return float(min(max(start, autoscaling.min_units), autoscaling.max_units))


def _arrivals(requests_per_second: ArrayLike, seconds: int) -> IntArray:
    """Whole requests per second; fractions carry over, so the total is the rate's sum."""
    rates = np.asarray(requests_per_second, dtype=np.float64)
    if rates.ndim == 0:
        rates = np.full(seconds, float(rates))
    if rates.shape != (seconds,):
        raise ValueError(
            f"requests_per_second is one rate or {seconds} rates (one per second), "
            f"not an array of shape {rates.shape}"
        )
    if not np.all(np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError("requests_per_second must be finite and >= 0")
    arrived = np.floor(np.round(np.cumsum(rates), _DECIMALS)).astype(np.int64)
    return np.diff(arrived, prepend=0)
