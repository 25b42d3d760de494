"""Monitoring: CloudWatch's DynamoDB metrics, from the lab's traffic or from the simulator.

Its one job: answer the questions a CloudWatch console answers, with CloudWatch's names,
dimensions and statistics, so that what a learner practises here carries over to AWS.

* :class:`Metrics` holds metric data points: the lab engine's (``lab.metrics``, recorded per request
  by :mod:`ddb_lab.engine.metrics`) or a simulation's (:meth:`Metrics.from_simulation`, one data
  point per simulated second).
* :meth:`Metrics.get_metric_statistics` takes the same arguments and returns the same shape as
  boto3's ``cloudwatch.get_metric_statistics``: a metric is found only under one of the exact
  dimension sets DynamoDB publishes it with (:data:`ddb_lab.facts.METRIC_DIMENSIONS`), periods are
  whole minutes, a period without data has no data point (DynamoDB publishes no zeros).
* :meth:`Metrics.frame` is a table's minute-by-minute view, :meth:`Metrics.dashboard` the same as a
  four-panel figure (capacity, throttles, latency, errors), and :meth:`Metrics.evaluate_alarm` runs
  a ``put_metric_alarm``-style definition over the data and says when it would have fired.

The lab's embedded CloudWatch (moto) does not serve metric data to this botocore, so the metrics
are answered here rather than through a ``cloudwatch`` client.

Used in: notebooks/09_monitoring_and_troubleshooting.ipynb.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ddb_lab import facts
from ddb_lab.clock import SIMULATED_EPOCH
from ddb_lab.engine.metrics import Dimensions, Level, MetricsRecorder, Sample

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from ddb_lab.simulate import SimulationResult

__all__ = ["AlarmResult", "Metrics", "Point"]

_COMPARISONS: Mapping[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_PROVISIONED = ("ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits")
#: A span's end lies this far after its last data point (an epoch float has ~0.2 µs steps).
_AFTER = 0.001
#: The columns of :meth:`Metrics.frame`: metric, statistic.
_FRAME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ConsumedReadCapacityUnits", "Sum"),
    ("ProvisionedReadCapacityUnits", "Average"),
    ("ConsumedWriteCapacityUnits", "Sum"),
    ("ProvisionedWriteCapacityUnits", "Average"),
    ("ThrottledRequests", "Sum"),
    ("ReadThrottleEvents", "Sum"),
    ("WriteThrottleEvents", "Sum"),
    ("SuccessfulRequestLatency", "Average"),
    ("SuccessfulRequestLatency", "p99"),
    ("ReturnedItemCount", "Sum"),
    ("ConditionalCheckFailedRequests", "Sum"),
    ("UserErrors", "Sum"),
    ("SystemErrors", "Sum"),
)


@dataclass(frozen=True)
class Point:
    """A statistic set: what one or more requests contributed to one metric at one time."""

    metric: str
    dimensions: Dimensions
    time: float
    sum: float
    count: float
    minimum: float
    maximum: float
    #: The single value when this point is one sample (percentiles need them).
    value: float | None = None


def _point(sample: Sample) -> Point:
    v = sample.value
    return Point(sample.metric, sample.dimensions, sample.time, v, 1.0, v, v, v)


def _dimensions(given: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> Dimensions:
    """CloudWatch's ``[{"Name": ..., "Value": ...}]`` (or a plain dict) as sorted pairs."""
    if given is None:
        return ()
    if isinstance(given, Mapping):
        pairs = [(str(k), str(v)) for k, v in given.items()]
    else:
        pairs = [(str(d["Name"]), str(d["Value"])) for d in given]
    return tuple(sorted(pairs))


def _timestamp(value: datetime | float | None, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (what CloudWatch's pNN means for raw values)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class AlarmResult:
    """What an alarm would have done: its state per period and the times it changed state."""

    name: str
    #: (period start, value or None when missing, "OK" or "ALARM") for every period evaluated.
    periods: tuple[tuple[datetime, float | None, str], ...]
    #: (time, new state) whenever the state changed.
    transitions: tuple[tuple[datetime, str], ...]

    @property
    def fired(self) -> bool:
        """Whether the alarm went into ALARM at least once."""
        return any(state == "ALARM" for _, state in self.transitions)

    @property
    def first_alarm(self) -> datetime | None:
        return next((t for t, state in self.transitions if state == "ALARM"), None)

    def __repr__(self) -> str:
        first = self.first_alarm
        when = f"first ALARM at {first:%H:%M} UTC" if first else "never in ALARM"
        return f"<Alarm {self.name}: {when}; {len(self.periods)} periods evaluated>"


@dataclass
class Metrics:
    """CloudWatch's DynamoDB metrics over some traffic (see the module docstring).

    Build it with :meth:`from_recorder` (the lab engine's, which ``lab.metrics`` does) or
    :meth:`from_simulation`; it reads its source afresh on every question.
    """

    points: Callable[[], list[Point]]
    levels: Callable[[], list[Level]] = list
    #: Why there is no data, when there cannot be any (a lab without its own engine).
    note: str = ""

    # -- construction ----------------------------------------------------------------------------
    @classmethod
    def from_recorder(cls, recorder: MetricsRecorder) -> Metrics:
        """The metrics an engine records as requests arrive."""
        return cls(lambda: [_point(s) for s in recorder.samples()], recorder.levels)

    @classmethod
    def from_simulation(
        cls,
        result: SimulationResult,
        table: str = "Simulated",
        operation: str | None = None,
        start: float = SIMULATED_EPOCH,
    ) -> Metrics:
        """A simulation's per-second numbers as CloudWatch data points on table ``table``.

        Every simulated request reads or writes one item with ``operation`` (GetItem or PutItem by
        default), so each throttled request is also one throttle event. Latency and errors are
        not simulated. Second 0 is ``start`` (the lab clock's epoch by default).
        """
        op = operation or ("GetItem" if result.kind == "read" else "PutItem")
        consumed_name, provisioned_name, throttled_name, events_name = result.metric_names
        points: list[Point] = []
        levels: list[Level] = []
        served = result.requests - result.throttled
        table_dims = (("TableName", table),)
        op_dims = tuple(sorted((("TableName", table), ("Operation", op))))
        previous = math.nan
        for second in range(result.seconds):
            at = start + second
            if served[second]:
                units = float(result.consumed[second])
                cost = float(result.unit_cost)
                n = float(served[second])
                points.append(Point(consumed_name, table_dims, at, units, n, cost, cost))
            if result.throttled[second]:
                n = float(result.throttled[second])
                points.append(Point(throttled_name, op_dims, at, n, n, 1.0, 1.0))
                points.append(Point(events_name, table_dims, at, n, n, 1.0, 1.0))
            level = float(result.provisioned[second])
            if not math.isnan(level) and level != previous:
                levels.append(Level(provisioned_name, table_dims, at, level))
                previous = level
        return cls(lambda: list(points), lambda: list(levels))

    # -- CloudWatch's API ------------------------------------------------------------------------
    def list_metrics(self) -> list[dict[str, Any]]:
        """Every metric and dimension set with data, sorted, shaped like ``list_metrics``."""
        found = {(p.metric, p.dimensions) for p in self._points()}
        found |= {(level.metric, level.dimensions) for level in self.levels()}
        return [
            {
                "Namespace": facts.CLOUDWATCH_NAMESPACE,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
            }
            for metric, dims in sorted(found)
        ]

    def get_metric_statistics(
        self,
        *,
        MetricName: str,  # noqa: N803 - CloudWatch's parameter names
        Dimensions: Iterable[Mapping[str, str]] | Mapping[str, str] | None = None,  # noqa: N803
        StartTime: datetime | float | None = None,  # noqa: N803
        EndTime: datetime | float | None = None,  # noqa: N803
        Period: int = facts.METRIC_PERIOD_SECONDS,  # noqa: N803
        Statistics: Sequence[str] = (),  # noqa: N803
        ExtendedStatistics: Sequence[str] = (),  # noqa: N803
        Namespace: str = facts.CLOUDWATCH_NAMESPACE,  # noqa: N803
        Unit: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Statistics of one metric per period, as ``cloudwatch.get_metric_statistics`` returns.

        Data points are sorted by time (CloudWatch leaves them unsorted). Without StartTime or
        EndTime the whole recorded range is used.
        """
        self._validate(MetricName, Namespace, Period, Statistics, ExtendedStatistics)
        dims = _dimensions(Dimensions)
        if MetricName in _PROVISIONED:
            rows = self._level_rows(MetricName, dims, StartTime, EndTime, Period)
        else:
            rows = self._point_rows(MetricName, dims, StartTime, EndTime, Period)
        unit = facts.METRIC_UNITS[MetricName]
        datapoints = []
        for start, stats in rows:
            point: dict[str, Any] = {"Timestamp": datetime.fromtimestamp(start, UTC), "Unit": unit}
            for name in Statistics:
                point[name] = stats[name]
            if ExtendedStatistics:
                point["ExtendedStatistics"] = {p: stats.get(p) for p in ExtendedStatistics}
            if Unit is None or Unit == unit:
                datapoints.append(point)
        return {"Label": MetricName, "Datapoints": datapoints}

    # -- views -----------------------------------------------------------------------------------
    def series(
        self,
        metric: str,
        table: str | None = None,
        *,
        statistic: str = "Sum",
        index: str | None = None,
        operation: str | None = None,
        period: int = facts.METRIC_PERIOD_SECONDS,
        start: datetime | float | None = None,
        end: datetime | float | None = None,
    ) -> pd.Series:
        """One statistic of one metric per period, as a Series indexed by period start (UTC).

        Metrics published per Operation are combined over every operation when ``operation`` is
        None (as CloudWatch metric math would); Sum, SampleCount, Minimum and Maximum combine
        exactly, Average and percentiles are computed over the combined data.
        """
        import pandas as pd

        self._validate(metric, facts.CLOUDWATCH_NAMESPACE, period, (), ())
        if metric in _PROVISIONED:
            dims = _dims_for(metric, table, index, None)
            rows = self._level_rows(metric, dims, start, end, period)
        else:
            matches = self._matching(metric, table, index, operation)
            rows = self._rows(matches, start, end, period)
        values = {datetime.fromtimestamp(t, UTC): stats.get(statistic) for t, stats in rows}
        name = f"{metric} ({statistic})"
        index_ = pd.DatetimeIndex(list(values), name="time (UTC)")
        return pd.Series(list(values.values()), index=index_, name=name, dtype="float64")

    def frame(
        self,
        table: str,
        *,
        index: str | None = None,
        period: int = facts.METRIC_PERIOD_SECONDS,
        start: datetime | float | None = None,
        end: datetime | float | None = None,
    ) -> pd.DataFrame:
        """A table's (or one global index's) metrics per period: the console's metrics tab.

        Columns are ``Metric (Statistic)``; only metrics with data are shown, counts with no data
        in a period are 0 (DynamoDB publishes no zeros), a latency with no request is NaN.
        UserErrors is the account's: every table's. Rows are indexed by period start, ``HH:MM``.
        """
        import pandas as pd

        first, last = self._table_span(table)
        start = first if start is None else start
        end = last if end is None else end
        columns: dict[str, pd.Series] = {}
        for metric, statistic in _FRAME_COLUMNS:
            if index is not None and len(_dims_for(metric, table, index, None)) < 2:
                continue
            column = self.series(
                metric,
                table,
                statistic=statistic,
                index=index,
                period=period,
                start=start,
                end=end,
            )
            if column.notna().any():
                columns[str(column.name)] = column
        if not columns:
            return pd.DataFrame(index=pd.Index([], name="time (UTC)"))
        frame = pd.DataFrame(columns).sort_index()
        frame = frame.reindex(_period_range(frame.index, period))
        counts = [
            c for c in frame.columns if not c.startswith(("SuccessfulRequestLatency", "Prov"))
        ]
        frame[counts] = frame[counts].fillna(0)
        provisioned = [c for c in frame.columns if c.startswith("Prov")]
        frame[provisioned] = frame[provisioned].ffill()
        frame.index = pd.Index([f"{t:%H:%M}" for t in frame.index], name="time (UTC)")
        return frame.round(3)

    def totals(self, table: str, *, index: str | None = None) -> dict[str, float]:
        """Each metric's Sum over the data of ``table``, with SuccessfulRequestLatency as its
        Average and Maximum; rounded, for printing. UserErrors are the account's, counted from the
        table's first data point to its last."""
        first, last = self._table_span(table)
        totals: dict[str, float] = {}
        for metric in facts.METRIC_DIMENSIONS:
            if metric in _PROVISIONED:
                continue
            matches = self._matching(metric, table, index, None)
            if metric == "UserErrors" and first is not None and last is not None:
                matches = [p for p in matches if first <= p.time < last]
            if not matches:
                continue
            if metric == "SuccessfulRequestLatency":
                stats = _statistics(matches)
                totals[f"{metric} (Average)"] = round(stats["Average"], 3)
                totals[f"{metric} (Maximum)"] = round(stats["Maximum"], 3)
            else:
                totals[metric] = round(sum(p.sum for p in matches), 3)
        return totals

    def dashboard(
        self,
        table: str,
        *,
        period: int = facts.METRIC_PERIOD_SECONDS,
        start: datetime | float | None = None,
        end: datetime | float | None = None,
        title: str | None = None,
    ) -> Figure:
        """A four-panel dashboard of ``table``: capacity, throttles, latency, errors.

        Capacity is shown per second (Sum / period) against the provisioned level, as the
        DynamoDB console does. The figure is new and not kept open by pyplot: it shows when it is
        a cell's value.
        """
        import matplotlib.pyplot as plt

        frame = self.frame(table, period=period, start=start, end=end)
        fig, axes = plt.subplots(2, 2, figsize=(12, 6.5), layout="constrained", sharex=True)
        plt.close(fig)
        fig.suptitle(title or f"{table} · per {period} s", fontsize="large")
        x = np.arange(len(frame))
        _capacity_panel(axes[0][0], frame, x, period)
        _bars(
            axes[0][1],
            frame,
            x,
            ("ThrottledRequests (Sum)", "ReadThrottleEvents (Sum)", "WriteThrottleEvents (Sum)"),
            "throttles per period",
            "Throttles",
        )
        latency = self._latency_by_operation(table, list(frame.index), period, start, end)
        _latency_panel(axes[1][0], latency, x)
        _bars(
            axes[1][1],
            frame,
            x,
            ("UserErrors (Sum)", "ConditionalCheckFailedRequests (Sum)", "SystemErrors (Sum)"),
            "errors per period",
            "Errors",
        )
        labels = list(frame.index)
        step = max(1, len(labels) // 8)
        for ax in axes[1]:
            ax.set_xticks(x[::step], labels[::step])
            ax.set_xlabel("time (UTC)")
        return fig

    def evaluate_alarm(
        self,
        *,
        AlarmName: str = "alarm",  # noqa: N803 - put_metric_alarm's parameter names
        MetricName: str,  # noqa: N803
        Dimensions: Iterable[Mapping[str, str]] | Mapping[str, str] | None = None,  # noqa: N803
        Statistic: str | None = None,  # noqa: N803
        ExtendedStatistic: str | None = None,  # noqa: N803
        Period: int = facts.METRIC_PERIOD_SECONDS,  # noqa: N803
        EvaluationPeriods: int = 1,  # noqa: N803
        DatapointsToAlarm: int | None = None,  # noqa: N803
        Threshold: float,  # noqa: N803
        ComparisonOperator: str,  # noqa: N803
        TreatMissingData: str = "missing",  # noqa: N803
        Namespace: str = facts.CLOUDWATCH_NAMESPACE,  # noqa: N803
        StartTime: datetime | float | None = None,  # noqa: N803
        EndTime: datetime | float | None = None,  # noqa: N803
        **_: Any,
    ) -> AlarmResult:
        """Run a ``put_metric_alarm`` definition over the data: when would it have fired?

        Each period's statistic is compared with the threshold; the alarm is in ALARM when at
        least ``DatapointsToAlarm`` (default ``EvaluationPeriods``) of the last
        ``EvaluationPeriods`` periods breach. A period without data (DynamoDB publishes no zeros)
        is treated as ``TreatMissingData`` says: ``breaching``, ``notBreaching``, or ``missing``
        / ``ignore`` (it does not count either way).
        """
        if ComparisonOperator not in _COMPARISONS:
            raise ValueError(
                f"ComparisonOperator must be one of {', '.join(_COMPARISONS)}, "
                f"not {ComparisonOperator!r}"
            )
        if (Statistic is None) == (ExtendedStatistic is None):
            raise ValueError("an alarm takes one of Statistic or ExtendedStatistic")
        if TreatMissingData not in ("breaching", "notBreaching", "missing", "ignore"):
            raise ValueError(f"unknown TreatMissingData {TreatMissingData!r}")
        if EvaluationPeriods < 1:
            raise ValueError("EvaluationPeriods must be at least 1")
        statistic = Statistic or str(ExtendedStatistic)
        answer = self.get_metric_statistics(
            MetricName=MetricName,
            Dimensions=Dimensions,
            StartTime=StartTime,
            EndTime=EndTime,
            Period=Period,
            Statistics=[Statistic] if Statistic else [],
            ExtendedStatistics=[ExtendedStatistic] if ExtendedStatistic else [],
            Namespace=Namespace,
        )
        values: dict[float, float] = {}
        for point in answer["Datapoints"]:
            value = point.get(statistic)
            if value is None:
                value = point.get("ExtendedStatistics", {}).get(statistic)
            values[point["Timestamp"].timestamp()] = float(value)
        first, last = self._span(StartTime, EndTime, Period)
        needed = DatapointsToAlarm or EvaluationPeriods
        compare = _COMPARISONS[ComparisonOperator]
        window: list[bool | None] = []
        periods: list[tuple[datetime, float | None, str]] = []
        transitions: list[tuple[datetime, str]] = []
        state = "OK"
        for start in np.arange(first, last, Period):
            at = float(start)
            value_at = values.get(at)
            if value_at is not None:
                window.append(compare(value_at, Threshold))
            elif TreatMissingData == "breaching":
                window.append(True)
            elif TreatMissingData == "notBreaching":
                window.append(False)
            else:
                window.append(None)
            recent = [b for b in window[-EvaluationPeriods:] if b is not None]
            new = "ALARM" if sum(recent) >= needed else "OK"
            when = datetime.fromtimestamp(at, UTC)
            if new != state or (not transitions and new == "ALARM"):
                transitions.append((when, new))
            state = new
            periods.append((when, value_at, new))
        return AlarmResult(AlarmName, tuple(periods), tuple(transitions))

    # -- internals -------------------------------------------------------------------------------
    def _points(self) -> list[Point]:
        return self.points()

    def _validate(
        self,
        metric: str,
        namespace: str,
        period: int,
        statistics: Sequence[str],
        extended: Sequence[str],
    ) -> None:
        if namespace != facts.CLOUDWATCH_NAMESPACE:
            raise ValueError(f"only the {facts.CLOUDWATCH_NAMESPACE} namespace is recorded")
        if metric not in facts.METRIC_DIMENSIONS:
            known = ", ".join(sorted(facts.METRIC_DIMENSIONS))
            raise ValueError(f"DynamoDB publishes no metric {metric!r} here; known: {known}")
        if isinstance(period, bool) or not isinstance(period, int) or period <= 0:
            raise ValueError(f"Period is a whole number of seconds, not {period!r}")
        if period % facts.METRIC_PERIOD_SECONDS:
            raise ValueError(
                f"Period must be a multiple of {facts.METRIC_PERIOD_SECONDS} s: DynamoDB's "
                f"metrics are published per minute, not every {period} s"
            )
        for name in statistics:
            if name not in facts.STATISTICS:
                raise ValueError(f"Statistics are {', '.join(facts.STATISTICS)}, not {name!r}")
        for name in extended:
            if not _is_percentile(name):
                raise ValueError(f"ExtendedStatistics are percentiles such as 'p99', not {name!r}")

    def _span(
        self, start: datetime | float | None, end: datetime | float | None, period: int
    ) -> tuple[float, float]:
        """[first period start, end) covering the data (or the given times)."""
        times = [p.time for p in self._points()] + [level.time for level in self.levels()]
        low = _timestamp(start, min(times, default=SIMULATED_EPOCH))
        high = _timestamp(end, max(times, default=low) + _AFTER)
        first = math.floor(low / period) * period
        return float(first), float(high)

    def _latency_by_operation(
        self,
        table: str,
        labels: list[str],
        period: int,
        start: datetime | float | None,
        end: datetime | float | None,
    ) -> dict[str, list[float]]:
        """Average SuccessfulRequestLatency per operation, one value per ``HH:MM`` label."""
        first, last = self._table_span(table)
        start = first if start is None else start
        end = last if end is None else end
        mine = ("TableName", table)
        operations = sorted(
            {
                dict(p.dimensions).get("Operation", "")
                for p in self._points()
                if p.metric == "SuccessfulRequestLatency" and mine in p.dimensions
            }
        )
        lines: dict[str, list[float]] = {}
        for operation in operations:
            series = self.series(
                "SuccessfulRequestLatency",
                table,
                statistic="Average",
                operation=operation,
                period=period,
                start=start,
                end=end,
            )
            values = {f"{t:%H:%M}": float(v) for t, v in series.items()}
            lines[operation] = [values.get(label, math.nan) for label in labels]
        return lines

    def _table_span(self, table: str) -> tuple[float | None, float | None]:
        """From the first to just after the last data point of ``table`` (None, None: no data)."""
        mine = ("TableName", table)
        times = [p.time for p in self._points() if mine in p.dimensions]
        if not times:  # no traffic yet: from the provisioned capacity's first level
            times = [level.time for level in self.levels() if mine in level.dimensions]
        if not times:
            return None, None
        return min(times), max(times) + _AFTER

    def _matching(
        self, metric: str, table: str | None, index: str | None, operation: str | None
    ) -> list[Point]:
        """The points of ``metric`` for a table / index / operation (None: any operation)."""
        wanted = dict(_dims_for(metric, table, index, operation))
        has_operation = any("Operation" in d for d in facts.METRIC_DIMENSIONS[metric])
        found = []
        for point in self._points():
            if point.metric != metric:
                continue
            dims = dict(point.dimensions)
            if operation is None and has_operation:
                dims.pop("Operation", None)
            if dims == wanted:
                found.append(point)
        return found

    def _point_rows(
        self,
        metric: str,
        dims: Dimensions,
        start: datetime | float | None,
        end: datetime | float | None,
        period: int,
    ) -> list[tuple[float, dict[str, float]]]:
        matches = [p for p in self._points() if p.metric == metric and p.dimensions == dims]
        return self._rows(matches, start, end, period)

    def _rows(
        self,
        points: list[Point],
        start: datetime | float | None,
        end: datetime | float | None,
        period: int,
    ) -> list[tuple[float, dict[str, float]]]:
        first, last = self._span(start, end, period)
        groups: dict[float, list[Point]] = {}
        for point in points:
            if first <= point.time < last:
                groups.setdefault(math.floor(point.time / period) * period, []).append(point)
        return [(float(t), _statistics(groups[t])) for t in sorted(groups)]

    def _level_rows(
        self,
        metric: str,
        dims: Dimensions,
        start: datetime | float | None,
        end: datetime | float | None,
        period: int,
    ) -> list[tuple[float, dict[str, float]]]:
        """The provisioned level per period: time-weighted Average, Minimum, Maximum."""
        changes = [
            (lv.time, lv.units)
            for lv in self.levels()
            if lv.metric == metric and lv.dimensions == dims
        ]
        if not changes:
            return []
        first, last = self._span(start, end, period)
        rows = []
        for t in np.arange(first, last, period):
            lo, hi = float(t), float(t) + period
            pieces = _level_pieces(changes, lo, hi)
            if not pieces:
                continue
            total = sum(units * (b - a) for a, b, units in pieces)
            span = sum(b - a for a, b, _ in pieces)
            levels = [units for _, _, units in pieces]
            rows.append(
                (
                    lo,
                    {
                        "Average": total / span,
                        "Minimum": min(levels),
                        "Maximum": max(levels),
                        "Sum": total / span,
                        "SampleCount": float(len(pieces)),
                    },
                )
            )
        return rows


def _level_pieces(
    changes: list[tuple[float, float]], lo: float, hi: float
) -> list[tuple[float, float, float]]:
    """(from, to, units) pieces of the level timeline inside [lo, hi)."""
    pieces = []
    for i, (at, units) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else math.inf
        a, b = max(at, lo), min(until, hi)
        if a < b:
            pieces.append((a, b, units))
    return pieces


def _is_percentile(name: str) -> bool:
    if not name.startswith("p"):
        return False
    try:
        return 0 < float(name[1:]) <= 100
    except ValueError:
        return False


def _statistics(points: Sequence[Point]) -> dict[str, float]:
    """CloudWatch's statistics over statistic sets (percentiles from the single values)."""
    total = sum(p.sum for p in points)
    count = sum(p.count for p in points)
    stats: dict[str, float] = {
        "SampleCount": count,
        "Sum": total,
        "Average": total / count if count else math.nan,
        "Minimum": min(p.minimum for p in points),
        "Maximum": max(p.maximum for p in points),
    }
    values = [p.value for p in points if p.value is not None]
    if values and len(values) == len(points):
        for p in (50, 90, 95, 99):
            stats[f"p{p}"] = _percentile(values, p)
    return _Percentiles(stats, values)


class _Percentiles(dict[str, float]):
    """Statistics that compute any other ``pNN`` on demand from the single values."""

    def __init__(self, stats: Mapping[str, float], values: list[float]) -> None:
        super().__init__(stats)
        self._values = values

    def __missing__(self, key: str) -> float:
        if _is_percentile(key) and self._values:
            return _percentile(self._values, float(key[1:]))
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def _dims_for(
    metric: str, table: str | None, index: str | None, operation: str | None
) -> Dimensions:
    """The dimension set of ``metric`` for a table / global index / operation."""
    if metric == "UserErrors":
        return ()
    sets = facts.METRIC_DIMENSIONS[metric]
    pairs: dict[str, str] = {}
    if table is not None:
        pairs["TableName"] = table
    if index is not None and any("GlobalSecondaryIndexName" in s for s in sets):
        pairs["GlobalSecondaryIndexName"] = index
    if operation is not None and any("Operation" in s for s in sets):
        pairs["Operation"] = operation
    return tuple(sorted(pairs.items()))


def _period_range(index: Any, period: int) -> Any:
    import pandas as pd

    if len(index) == 0:
        return index
    return pd.date_range(index.min(), index.max(), freq=f"{period}s", name=index.name)


# --- Dashboard panels ----------------------------------------------------------------------------


def _capacity_panel(ax: Any, frame: Any, x: Any, period: int) -> None:
    colors = {"Read": "tab:blue", "Write": "tab:orange"}
    for kind, color in colors.items():
        consumed = f"Consumed{kind}CapacityUnits (Sum)"
        provisioned = f"Provisioned{kind}CapacityUnits (Average)"
        if consumed in frame:
            ax.plot(x, frame[consumed] / period, color=color, label=f"Consumed{kind} / s")
        if provisioned in frame:
            ax.step(
                x,
                frame[provisioned],
                where="mid",
                color=color,
                linestyle="--",
                label=f"Provisioned{kind}",
            )
    ax.set_title("Capacity: consumed per second vs provisioned")
    ax.set_ylabel("units / s")
    ax.set_ylim(bottom=0)
    _legend(ax)


def _bars(ax: Any, frame: Any, x: Any, columns: Sequence[str], ylabel: str, title: str) -> None:
    present = [c for c in columns if c in frame]
    width = 0.8 / max(1, len(present))
    for n, column in enumerate(present):
        offset = (n - (len(present) - 1) / 2) * width
        ax.bar(x + offset, frame[column], width=width, label=column.replace(" (Sum)", ""))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0, top=max(1.0, _column_max(frame, present)) * 1.15)
    _legend(ax)


def _latency_panel(ax: Any, lines: Mapping[str, list[float]], x: Any) -> None:
    top = 1.0
    for operation, values in lines.items():
        ax.plot(x, values, marker=".", label=f"{operation} (Average)")
        if not all(math.isnan(v) for v in values):
            top = max(top, float(np.nanmax(values)))
    ax.set_title("SuccessfulRequestLatency (server side)")
    ax.set_ylabel("ms")
    ax.set_ylim(bottom=0, top=top * 1.4)
    _legend(ax)


def _column_max(frame: Any, columns: Sequence[str]) -> float:
    if not columns:
        return 0.0
    return float(np.nanmax(frame[list(columns)].to_numpy(dtype=float)))


def _legend(ax: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize="small")
