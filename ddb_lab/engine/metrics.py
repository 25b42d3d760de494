"""Metrics: what every request did, as DynamoDB reports it to CloudWatch.

DynamoDB publishes per-minute metrics in the ``AWS/DynamoDB`` namespace: consumed and provisioned
capacity, throttles, latency, errors. moto publishes nothing, so the engine records them itself.
:class:`MetricsRecorder` sees every request the engine answers (and only the outermost one: the
second request a partly throttled batch makes inside the engine is part of the first) and turns it
into :class:`Sample` values with CloudWatch's metric names and dimensions
(:data:`ddb_lab.facts.METRIC_DIMENSIONS`). It recounts nothing:

* **Consumed capacity** comes from the metering ledger: the entries of the request's sequence
  numbers, the table's own units under ``TableName`` and each global secondary index's units
  under ``TableName`` + ``GlobalSecondaryIndexName`` (local indexes share the table's capacity).
* **Throttles** come from the throttling correction's own statistics (what it refused during the
  request), placed on an index when DynamoDB's ``ThrottlingReasons`` name one. A throttled request
  counts in ``ThrottledRequests``; a batch that was only partly throttled (the rest came back as
  ``UnprocessedItems`` / ``UnprocessedKeys``) counts only in ``Read/WriteThrottleEvents``, as in
  DynamoDB.
* **Errors** by the answer: ``ConditionalCheckFailedException`` is ConditionalCheckFailedRequests,
  a throttle is not a user error, every other HTTP 4xx is ``UserErrors`` (no dimension: the account
  and region), HTTP 5xx is ``SystemErrors``.
* **ReturnedItemCount** is the ``Count`` of a Query or Scan page.
* **Provisioned capacity** is read from the table's settings after each request that names it, and
  kept as a timeline of levels (CloudWatch reports it whether or not there is traffic).

**Latency is a model.** The lab's DynamoDB runs in this process, so a measured time would say how
fast moto is, not DynamoDB. ``SuccessfulRequestLatency`` is therefore the lab's model of DynamoDB's
own (server-side) time: a base per kind of operation plus a cost per capacity unit the request
consumed (so large items and big pages are slower), times a small jitter drawn from a fixed seed.
The figures (:data:`LATENCY_BASE_MS`, :data:`LATENCY_MS_PER_UNIT`) are the lab's choice, not AWS
numbers; what they teach is the shape: single-digit milliseconds for small items, growing with the
data a request touches. The lab clock stamps every sample and does not move while a request runs.

Used in: notebooks/09_monitoring_and_troubleshooting.ipynb (``lab.metrics``).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ddb_lab import facts
from ddb_lab.clock import Clock
from ddb_lab.engine.corrections import Correction, _region
from ddb_lab.engine.metering import OPERATIONS, Ledger, LedgerEntry
from ddb_lab.engine.throttling import ThrottleStats, find_throttling
from ddb_lab.engine.wire import WireRequest, WireResponse

__all__ = [
    "LATENCY_BASE_MS",
    "LATENCY_JITTER",
    "LATENCY_MS_PER_UNIT",
    "LATENCY_SEED",
    "Dimensions",
    "Level",
    "MetricsRecorder",
    "Sample",
    "modelled_latency_ms",
]

log = logging.getLogger(__name__)

#: A metric's dimensions as sorted (name, value) pairs; ``()`` for UserErrors.
Dimensions = tuple[tuple[str, str], ...]

#: The lab's latency model (not AWS figures): milliseconds before any data is touched ...
LATENCY_BASE_MS: Mapping[str, float] = {
    "GetItem": 2.0,
    "PutItem": 4.0,
    "UpdateItem": 4.0,
    "DeleteItem": 4.0,
    "Query": 3.0,
    "Scan": 3.0,
    "BatchGetItem": 4.0,
    "BatchWriteItem": 6.0,
    "TransactGetItems": 6.0,
    "TransactWriteItems": 10.0,
}
#: ... plus this much per read or write unit the request consumed ...
LATENCY_MS_PER_UNIT: Mapping[str, float] = {"read": 0.4, "write": 0.5}
#: ... times (1 + up to this fraction), drawn from ``random.Random(LATENCY_SEED)``.
LATENCY_JITTER = 0.2
LATENCY_SEED = 0

#: The data-plane operations whose latency, item counts and system errors are reported.
DATA_PLANE = frozenset(LATENCY_BASE_MS)
_READ_EVENTS = "ReadThrottleEvents"
_WRITE_EVENTS = "WriteThrottleEvents"


@dataclass(frozen=True)
class Sample:
    """One value of one metric: what one request contributed, at lab time ``time``."""

    metric: str
    dimensions: Dimensions
    time: float
    value: float


@dataclass(frozen=True)
class Level:
    """From ``time`` on, a table (or a global index) has ``units`` provisioned."""

    metric: str
    dimensions: Dimensions
    time: float
    units: float


def modelled_latency_ms(operation: str, read_units: float, write_units: float, u: float) -> float:
    """The lab's SuccessfulRequestLatency for one request (see the module docstring).

    ``u`` is a number in [0, 1) that picks the jitter.
    """
    base = LATENCY_BASE_MS.get(operation, LATENCY_BASE_MS["GetItem"])
    work = read_units * LATENCY_MS_PER_UNIT["read"] + write_units * LATENCY_MS_PER_UNIT["write"]
    return round((base + work) * (1 + LATENCY_JITTER * u), 3)


def _dims(table: str, **more: str | None) -> Dimensions:
    pairs = [("TableName", table)] + [(k, v) for k, v in more.items() if v is not None]
    return tuple(sorted(pairs))


def _table_name(name: Any) -> str:
    """A table name from a TableName member (an ARN names the table after ``table/``)."""
    text = str(name or "")
    if text.startswith("arn:") and ":table/" in text:
        return text.split(":table/", 1)[1].split("/", 1)[0]
    return text


def _tables(params: Mapping[str, Any]) -> list[str]:
    """The tables a request names, in order, once each."""
    names: list[str] = []
    if params.get("TableName"):
        names.append(_table_name(params["TableName"]))
    names.extend(_table_name(n) for n in params.get("RequestItems") or {})
    for action in params.get("TransactItems") or []:
        for body in action.values() if isinstance(action, dict) else []:
            if isinstance(body, dict) and body.get("TableName"):
                names.append(_table_name(body["TableName"]))
    return list(dict.fromkeys(n for n in names if n))


def _error_code(response: WireResponse) -> str:
    return str(response.json().get("__type", "")).rpartition("#")[2]


@dataclass
class _Pending:
    """What is known about a request when it arrives."""

    request: WireRequest
    time: float
    mark: int
    throttles: dict[str, dict[str, int]]


class MetricsRecorder:
    """Records CloudWatch's DynamoDB metrics for every request an engine answers.

    Args:
        clock: the lab clock that stamps the samples.
        ledger: the metering ledger the consumed units are read from.
        corrections: the engine's corrections (the throttling one is found among them).
        limit: the newest samples kept (older ones are dropped half at a time).
    """

    def __init__(
        self, clock: Clock, ledger: Ledger, corrections: list[Correction], limit: int = 500_000
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        throttling = find_throttling(corrections)
        self._throttle_stats: ThrottleStats | None = throttling.stats if throttling else None
        self.limit = limit
        self._samples: list[Sample] = []
        self._levels: list[Level] = []
        self._current: dict[tuple[str, Dimensions], float] = {}
        self._random = random.Random(LATENCY_SEED)
        self._lock = threading.Lock()
        self._local = threading.local()

    # -- reading -------------------------------------------------------------------------------
    def samples(self) -> list[Sample]:
        """Every sample kept, oldest first."""
        with self._lock:
            return list(self._samples)

    def levels(self) -> list[Level]:
        """Every change of provisioned capacity seen, oldest first."""
        with self._lock:
            return list(self._levels)

    def clear(self) -> None:
        """No samples, no levels, the latency jitter from its seed again."""
        with self._lock:
            self._samples.clear()
            self._levels.clear()
            self._current.clear()
            self._random.seed(LATENCY_SEED)

    def __len__(self) -> int:
        return len(self._samples)

    def __repr__(self) -> str:
        return f"<MetricsRecorder: {len(self)} samples>"

    # -- the engine's hook -----------------------------------------------------------------------
    def observe(self, request: WireRequest) -> Callable[[WireResponse | None], None]:
        """Called as a request arrives; the returned function is called with its answer (None
        when answering it raised: nothing is recorded then)."""
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        if depth:  # inside another request (a partly throttled batch): part of that one

            def nested(_: WireResponse | None) -> None:
                self._local.depth -= 1

            return nested
        pending = _Pending(request, self.clock.now(), self.ledger.next_seq(), self._throttled())

        def finish(response: WireResponse | None) -> None:
            self._local.depth -= 1
            if response is None:
                return
            try:
                self._record(pending, response)
            except Exception:  # metrics must never break a request
                log.debug("no metrics for %s", pending.request.operation, exc_info=True)

        return finish

    # -- turning a request into samples ----------------------------------------------------------
    def _throttled(self) -> dict[str, dict[str, int]]:
        return self._throttle_stats.as_dict() if self._throttle_stats is not None else {}

    def _record(self, pending: _Pending, response: WireResponse) -> None:
        request = pending.request
        operation = request.operation
        if request.is_streams:
            if 400 <= response.status < 500:
                self._add([Sample("UserErrors", (), pending.time, 1.0)])
            return
        tables = _tables(request.params)
        entries = _entries_since(self.ledger, pending.mark)
        throttled = _difference(self._throttled(), pending.throttles)
        samples = list(self._consumed(entries, pending.time, request))
        samples.extend(self._throttle_events(throttled, response, pending.time))
        status = response.status
        code = _error_code(response) if status != 200 else ""
        at = pending.time
        if status == 200 and operation in DATA_PLANE:
            reads = sum(e.read_units for e in entries)
            writes = sum(e.write_units for e in entries)
            latency = modelled_latency_ms(operation, reads, writes, self._random.random())
            for table in tables:
                samples.append(
                    Sample(
                        "SuccessfulRequestLatency", _dims(table, Operation=operation), at, latency
                    )
                )
            if operation in ("Query", "Scan") and tables:
                count = float(response.json().get("Count") or 0)
                samples.append(
                    Sample("ReturnedItemCount", _dims(tables[0], Operation=operation), at, count)
                )
        elif code == facts.CONDITIONAL_CHECK_FAILED_CODE:
            samples.extend(
                Sample("ConditionalCheckFailedRequests", _dims(t), at, 1.0) for t in tables
            )
        elif code in facts.THROTTLE_ERROR_CODES:
            hit = [t for t in tables if t in throttled] or tables
            samples.extend(
                Sample("ThrottledRequests", _dims(t, Operation=operation), at, 1.0) for t in hit
            )
        elif 400 <= status < 500:
            samples.append(Sample("UserErrors", (), at, 1.0))
        elif status >= 500 and operation in DATA_PLANE:
            samples.extend(
                Sample("SystemErrors", _dims(t, Operation=operation), at, 1.0) for t in tables
            )
        self._add(samples)
        self._follow_provisioned(request, tables, at)

    def _consumed(
        self, entries: list[LedgerEntry], at: float, request: WireRequest
    ) -> Iterator[Sample]:
        """One sample per table and per global index that the request consumed units on."""
        region = _region(request.url)
        per: dict[tuple[str, Dimensions], float] = {}
        for entry in entries:
            kind = OPERATIONS.get(entry.operation, "read")
            metric = "ConsumedReadCapacityUnits" if kind == "read" else "ConsumedWriteCapacityUnits"
            units = entry.read_units if kind == "read" else entry.write_units
            global_indexes = _global_indexes(region, entry.table)
            on_indexes = 0.0
            for index, index_units in entry.indexes.items():
                if index in global_indexes:
                    key = (metric, _dims(entry.table, GlobalSecondaryIndexName=index))
                    per[key] = per.get(key, 0.0) + index_units
                    on_indexes += index_units
            key = (metric, _dims(entry.table))
            per[key] = per.get(key, 0.0) + units - on_indexes
        for (metric, dims), value in per.items():
            if value > 0:
                yield Sample(metric, dims, at, round(value, 6))

    def _throttle_events(
        self, throttled: dict[str, dict[str, int]], response: WireResponse, at: float
    ) -> Iterator[Sample]:
        """Read/WriteThrottleEvents for what throttling refused during the request."""
        index = None
        if response.status != 200:
            data = response.json()
            reasons = data.get("ThrottlingReasons") or data.get("throttlingReasons") or []
            for reason in reasons if isinstance(reasons, list) else []:
                resource = str((reason or {}).get("resource", ""))
                if "/index/" in resource:
                    index = resource.rsplit("/index/", 1)[1]
        for table, counts in throttled.items():
            for metric in (_READ_EVENTS, _WRITE_EVENTS):
                if counts.get(metric):
                    dims = _dims(table, GlobalSecondaryIndexName=index)
                    yield Sample(metric, dims, at, float(counts[metric]))

    def _follow_provisioned(self, request: WireRequest, tables: list[str], at: float) -> None:
        """Note a change in the provisioned capacity of the tables (and global indexes) named."""
        region = _region(request.url)
        for table in tables:
            for metric, dims, units in _provisioned(region, table):
                key = (metric, dims)
                if self._current.get(key) != units:
                    self._current[key] = units
                    with self._lock:
                        self._levels.append(Level(metric, dims, at, units))

    def _add(self, samples: list[Sample]) -> None:
        if not samples:
            return
        with self._lock:
            self._samples.extend(samples)
            if len(self._samples) > self.limit:
                del self._samples[: len(self._samples) - self.limit // 2]


# --- Helpers -------------------------------------------------------------------------------------


def _entries_since(ledger: Ledger, mark: int) -> list[LedgerEntry]:
    """The ledger entries of requests numbered ``mark`` or later, read from the newest back."""
    found: list[LedgerEntry] = []
    position = len(ledger) - 1
    while position >= 0:
        entry = ledger[position]
        if entry.seq < mark:
            break
        found.append(entry)
        position -= 1
    found.reverse()
    return found


def _difference(
    after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Per table, the throttle counts that grew between two snapshots."""
    grown: dict[str, dict[str, int]] = {}
    for table, counts in after.items():
        earlier = before.get(table, {})
        delta = {m: n - earlier.get(m, 0) for m, n in counts.items() if n > earlier.get(m, 0)}
        if delta:
            grown[table] = delta
    return grown


def _moto_table(region: str, name: str) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.get(name)


def _global_indexes(region: str, table: str) -> set[str]:
    model = _moto_table(region, table)
    return {index.name for index in getattr(model, "global_indexes", None) or []}


def _provisioned(region: str, table: str) -> Iterator[tuple[str, Dimensions, float]]:
    """The provisioned units of a provisioned table and of its global indexes."""
    model = _moto_table(region, table)
    if model is None or getattr(model, "billing_mode", "") == "PAY_PER_REQUEST":
        return
    owners: list[tuple[Dimensions, Any]] = [(_dims(table), model.throughput)]
    for index in getattr(model, "global_indexes", None) or []:
        owners.append(
            (_dims(table, GlobalSecondaryIndexName=index.name), getattr(index, "throughput", None))
        )
    for dims, throughput in owners:
        for metric, member in (
            ("ProvisionedReadCapacityUnits", "ReadCapacityUnits"),
            ("ProvisionedWriteCapacityUnits", "WriteCapacityUnits"),
        ):
            try:
                units = float((throughput or {}).get(member) or 0)
            except (TypeError, ValueError, AttributeError):
                continue
            if units:
                yield metric, dims, units
