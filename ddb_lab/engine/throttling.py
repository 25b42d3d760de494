"""Throttling: token buckets on the lab clock, and the errors DynamoDB throttles with.

moto serves every request however fast it comes. With throttling on (``lab.enable_throttling()``;
it is off by default, so a lab behaves as before), this correction keeps token buckets driven by
the lab clock and refuses, before moto runs it, a request that a bucket it needs has no capacity
left for: HTTP 400 ``ProvisionedThroughputExceededException`` with DynamoDB's message and
``ThrottlingReasons``. botocore's retry modes see it like a real throttle, and the lab's clients
sleep their back-off on the lab clock (:func:`clock_retries`), so on simulated time a throttled
call's retries move time forward and can succeed.

The model, and where it simplifies DynamoDB (:mod:`ddb_lab.simulate` models the same rules
second by second, with adaptive capacity and burst switched on; where the two differ is said):

* **Provisioned tables.** Per table, one bucket for reads and one for writes. Each refills at the
  provisioned units per second and holds at most ``BURST_SECONDS`` of them: unused capacity saved
  for bursts. A bucket starts with one second's worth, not a full burst: DynamoDB's burst capacity
  is best effort, and a new table has saved nothing yet. It starts when the table is created with
  throttling on, or when throttling is switched on for a table that already exists. (The
  simulator saves burst capacity per partition and starts with none; here the table saves it.)
* **Admission and debt.** A request is refused while a bucket it needs is empty (0 or less).
  An admitted request runs in full and is charged what metering measured for it, so a bucket may
  go negative; the requests after it wait until the debt is paid back. Refused requests are not
  charged and not in the ledger. With metering switched off nothing is charged, so nothing is
  throttled.
* **Partitions.** A provisioned table has ``ceil(RCU / 3000 + WCU / 1000)`` partitions (at least
  1, and never fewer than before: partitions split, they do not merge; the 10 GB size rule is not
  applied). A stable hash (BLAKE2b) of the partition key value picks the partition. Each partition
  serves at most ``PARTITION_MAX_WRITE_UNITS`` write units per second, a read unit counting as
  ``1000 / 3000`` of one (the linear mix), with no burst above that. Adaptive capacity is always on,
  as in DynamoDB: a partition may use any of the table's units up to its maximum. A single hot key
  therefore throttles at 1,000 WCU/s however large the table (reason
  ``Table...KeyRangeThroughputExceeded``). A Scan is charged to the table, not
  to partitions; a batch's units are shared among its items' partitions in proportion to the item
  counts.
* **Secondary indexes.** A global secondary index of a provisioned table has its own buckets
  (from its own provisioned throughput, burst alike). A Query or Scan of the index needs the
  index's read bucket. A write to the table is refused while the write bucket of any of its
  provisioned global indexes is empty (DynamoDB's back-pressure; here even when the item would not
  touch that index). Index partitions are not modelled. Local indexes share the table's capacity.
* **On-demand tables.** One bucket per kind holds and refills ``max(ON_DEMAND_INITIAL_*, 2 x the
  highest second consumed at least ON_DEMAND_PEAK_WINDOW_SECONDS ago)`` units per second: doubling
  the previous peak is instant, a new peak takes 30 minutes to prepare for (as in
  :mod:`ddb_lab.simulate`). Partitions: enough for that limit, with the same per-partition
  maximum. The answer is ``ThrottlingException`` with DynamoDB's on-demand message and the reason
  ``Table...KeyRangeThroughputExceeded`` (the lab's choice: on-demand capacity is the table's
  partitions, not yet split for the new peak). Indexes of on-demand tables are not throttled.
* **Batches.** BatchWriteItem and BatchGetItem are admitted item by item, in order, each item
  charged the least it can cost (1 write unit; 0.5 or 1 read unit) against the buckets it needs.
  The items that fit are processed (the engine runs the batch again with just them) and the rest
  come back as ``UnprocessedItems`` / ``UnprocessedKeys``; when none fits, the batch fails with
  ``ProvisionedThroughputExceededException``, as DynamoDB does. Transactions are all or nothing.
* **Retries** happen in the client, not here: see :func:`clock_retries`.

A partly processed batch reaches moto as a second request through the engine, so the engine's
``stats`` count it twice (one rejected, one served). :attr:`Throttling.stats` counts what was
throttled, per table, in CloudWatch's names.

Used in: ``lab.enable_throttling()`` (the throttling chapter is still to be written).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ddb_lab import facts
from ddb_lab.clock import Clock, RealClock
from ddb_lab.engine.corrections import Correction, _region, canonical_number
from ddb_lab.engine.metering import OPERATIONS, Kind, Ledger, LedgerEntry
from ddb_lab.engine.wire import (
    DynamoError,
    WireRequest,
    WireResponse,
    error_response,
    with_params,
)

__all__ = [
    "RETRY_JITTER_SEED",
    "ClockRetries",
    "ThrottleError",
    "ThrottleStats",
    "Throttling",
    "clock_retries",
    "find_throttling",
    "partition_of",
    "partitions_for",
]

log = logging.getLogger(__name__)

#: Write units a partition serves per second; a read unit costs this many write units.
_PARTITION_UNITS = float(facts.PARTITION_MAX_WRITE_UNITS)
_READ_IN_WRITE_UNITS = facts.PARTITION_MAX_WRITE_UNITS / facts.PARTITION_MAX_READ_UNITS
_ON_DEMAND_INITIAL: Mapping[Kind, float] = {
    "read": float(facts.ON_DEMAND_INITIAL_READS),
    "write": float(facts.ON_DEMAND_INITIAL_WRITES),
}
_KINDS: tuple[Kind, ...] = ("read", "write")
_BATCHES = frozenset({"BatchWriteItem", "BatchGetItem"})
_DECIMALS = 6
_HASH_BITS = 64


# --- Partitions ----------------------------------------------------------------------------------


def _ceil(value: float) -> int:
    """Ceiling that ignores floating-point dust (2000.0000000000002 -> 2000)."""
    return math.ceil(round(value, _DECIMALS))


def partitions_for(read_units: float, write_units: float) -> int:
    """Partitions of a provisioned table: ``ceil(RCU / 3000 + WCU / 1000)``, at least 1.

    The throughput half of :func:`ddb_lab.simulate.partitions_for` (same rule, same rounding).
    """
    ratio = facts.PARTITION_MAX_READ_UNITS / facts.PARTITION_MAX_WRITE_UNITS
    return max(1, _ceil((read_units + ratio * write_units) / facts.PARTITION_MAX_READ_UNITS))


def _canonical(value: Mapping[str, Any]) -> str:
    """A partition key value as text that equal values share (numbers normalised)."""
    if isinstance(value.get("N"), str):
        value = {"N": canonical_number(value["N"])}
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def partition_of(value: Mapping[str, Any], partitions: int) -> int:
    """The partition (0 to ``partitions - 1``) of a partition key value such as ``{"S": "a"}``.

    A 64-bit BLAKE2b hash of the value cut into ``partitions`` equal ranges: stable across runs
    and processes (Python's own ``hash`` of a string is not).
    """
    digest = hashlib.blake2b(_canonical(value).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") * partitions) >> _HASH_BITS


# --- Buckets -------------------------------------------------------------------------------------


@dataclass
class _Bucket:
    """Units that refill at ``rate`` per second up to ``capacity``; may go negative (debt)."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def resize(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = min(self.tokens, capacity)


def _new_bucket(rate: float, capacity: float, start: float) -> _Bucket:
    """A bucket holding one second's worth (a new table has saved no burst capacity yet)."""
    return _Bucket(rate, capacity, min(rate, capacity), start)


class _Peaks:
    """An on-demand table's consumption per whole second, and its settled peak.

    The settled peak is the highest second at least ``ON_DEMAND_PEAK_WINDOW_SECONDS`` old.
    """

    def __init__(self) -> None:
        self.second: int | None = None
        self.units = 0.0
        self.history: deque[tuple[int, float]] = deque()
        self.settled = 0.0

    def _roll(self, now: float) -> int:
        second = math.floor(now)
        if self.second is None:
            self.second = second
        elif second > self.second:
            if self.units:
                self.history.append((self.second, self.units))
            self.second, self.units = second, 0.0
        return second

    def add(self, now: float, units: float) -> None:
        self._roll(now)
        self.units += units

    def settled_peak(self, now: float) -> float:
        second = self._roll(now)
        cutoff = second - facts.ON_DEMAND_PEAK_WINDOW_SECONDS
        while self.history and self.history[0][0] <= cutoff:
            self.settled = max(self.settled, self.history.popleft()[1])
        return self.settled


# --- Errors and statistics -----------------------------------------------------------------------


class ThrottleError(DynamoError):
    """A throttled request, answered as DynamoDB answers it (with ``ThrottlingReasons``)."""

    def __init__(self, code: str, message: str, reason: str, resource: str) -> None:
        super().__init__(code, message)
        self.reason = reason
        self.resource = resource

    def response(self) -> WireResponse:
        answer = error_response(self.code, self.message, self.status)
        data = answer.json()
        # The service model spells the member differently for the two exceptions.
        member = "throttlingReasons" if self.code == "ThrottlingException" else "ThrottlingReasons"
        data[member] = [{"reason": self.reason, "resource": self.resource}]
        return answer.with_json(data)


class _Answer(DynamoError):
    """Carries a finished response (a partly processed batch) out of ``before``."""

    def __init__(self, answer: WireResponse) -> None:
        super().__init__("", "", answer.status)
        self.answer = answer

    def response(self) -> WireResponse:
        return self.answer


_METRIC = {"read": "ReadThrottleEvents", "write": "WriteThrottleEvents"}


class ThrottleStats:
    """What throttling refused, per table, in CloudWatch's names.

    ``ThrottledRequests`` counts requests with at least one throttled item; ``ReadThrottleEvents``
    and ``WriteThrottleEvents`` count throttled items (one per request, except in batches).
    """

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}

    def record(self, table: str, kind: Kind, events: int = 1) -> None:
        for metric, n in (("ThrottledRequests", 1), (_METRIC[kind], events)):
            self._counts[(table, metric)] = self._counts.get((table, metric), 0) + n

    def events(self, table: str | None = None, kind: Kind | None = None) -> int:
        """Throttle events, for one table and/or one kind, or all of them."""
        metrics = {_METRIC[kind]} if kind else set(_METRIC.values())
        return sum(
            n
            for (name, metric), n in self._counts.items()
            if metric in metrics and (table is None or name == table)
        )

    def requests(self, table: str | None = None) -> int:
        """Throttled requests, for one table or all of them."""
        return sum(
            n
            for (name, metric), n in self._counts.items()
            if metric == "ThrottledRequests" and (table is None or name == table)
        )

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{table: {metric: count}}``, sorted, for display."""
        shown: dict[str, dict[str, int]] = {}
        for (table, metric), n in sorted(self._counts.items()):
            shown.setdefault(table, {})[metric] = n
        return shown

    def clear(self) -> None:
        self._counts.clear()

    def __repr__(self) -> str:
        return f"ThrottleStats({self.as_dict()})"


# --- One table's buckets -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Need:
    """A bucket a request needs, what one minimal unit costs in it, and how it is refused."""

    bucket: _Bucket
    scale: float
    code: str
    message: str
    reason: str
    resource: str

    def error(self) -> ThrottleError:
        return ThrottleError(self.code, self.message, self.reason, self.resource)


def _units(throughput: Any, name: str) -> float:
    try:
        return float((throughput or {}).get(name) or 0)
    except (TypeError, ValueError, AttributeError):
        return 0.0


class _TableState:
    """The buckets of one moto table (recreated when the table is)."""

    def __init__(self, model: Any, start: float) -> None:
        self.model = model
        self.name: str = model.name
        self.arn: str = str(getattr(model, "table_arn", f"table/{model.name}"))
        self.on_demand = model.billing_mode == "PAY_PER_REQUEST"
        self.start = start
        self.buckets: dict[Kind, _Bucket] = {}
        self.gsis: dict[str, dict[Kind, _Bucket]] = {}
        self.partition_count = 1
        self.partitions: dict[int, _Bucket] = {}
        self.peaks: dict[Kind, _Peaks] = {"read": _Peaks(), "write": _Peaks()}
        self._synced = False

    def matches(self, model: Any) -> bool:
        return self.model is model and self.on_demand == (model.billing_mode == "PAY_PER_REQUEST")

    # -- following the table's settings and the clock -------------------------------------------
    def sync(self, now: float) -> None:
        """Refill to ``now``, following UpdateTable (capacity, indexes) and on-demand peaks."""
        if self.on_demand:
            limits = {
                kind: max(
                    _ON_DEMAND_INITIAL[kind],
                    facts.ON_DEMAND_PEAK_MULTIPLIER * self.peaks[kind].settled_peak(now),
                )
                for kind in _KINDS
            }
            for kind in _KINDS:
                self.buckets[kind] = self._follow(self.buckets.get(kind), limits[kind], 1.0, now)
            count = max(
                _ceil(limits["read"] / facts.PARTITION_MAX_READ_UNITS),
                _ceil(limits["write"] / facts.PARTITION_MAX_WRITE_UNITS),
            )
        else:
            throughput = self.model.throughput
            rates: dict[Kind, float] = {
                "read": _units(throughput, "ReadCapacityUnits"),
                "write": _units(throughput, "WriteCapacityUnits"),
            }
            for kind in _KINDS:
                self.buckets[kind] = self._follow(
                    self.buckets.get(kind), rates[kind], facts.BURST_SECONDS, now
                )
            count = partitions_for(rates["read"], rates["write"])
            self._sync_indexes(now)
        if count > self.partition_count:  # a split: the new partitions start full
            self.partition_count = count
            self.partitions.clear()
        self._synced = True

    def _sync_indexes(self, now: float) -> None:
        seen = set()
        for index in getattr(self.model, "global_indexes", None) or []:
            throughput = getattr(index, "throughput", None)
            rates: dict[Kind, float] = {
                "read": _units(throughput, "ReadCapacityUnits"),
                "write": _units(throughput, "WriteCapacityUnits"),
            }
            if not any(rates.values()):
                continue  # no provisioned throughput of its own: not modelled
            seen.add(index.name)
            buckets = self.gsis.setdefault(index.name, {})
            for kind in _KINDS:
                buckets[kind] = self._follow(
                    buckets.get(kind), rates[kind], facts.BURST_SECONDS, now
                )
        for name in set(self.gsis) - seen:
            del self.gsis[name]

    def _follow(self, bucket: _Bucket | None, rate: float, seconds: float, now: float) -> _Bucket:
        if bucket is None:  # the table's first buckets start with it; later ones (an index) now
            start = now if self._synced else min(self.start, now)
            bucket = _new_bucket(rate, seconds * rate, start)
        bucket.refill(now)
        if bucket.rate != rate:
            bucket.resize(rate, seconds * rate)
        return bucket

    def partition(self, index: int, now: float) -> _Bucket:
        bucket = self.partitions.get(index)
        if bucket is None:
            bucket = self.partitions[index] = _new_bucket(_PARTITION_UNITS, _PARTITION_UNITS, now)
        bucket.refill(now)
        return bucket

    # -- what a request needs -------------------------------------------------------------------
    def needs(
        self, kind: Kind, index: str | None, partition: int | None, now: float
    ) -> list[_Need]:
        """The buckets one item of a request needs, in the order they are checked."""
        needs: list[_Need] = []
        part = "Read" if kind == "read" else "Write"
        if self.on_demand:
            code, message = "ThrottlingException", facts.MSG_ON_DEMAND_THROTTLED
            limit_type = "KeyRangeThroughputExceeded"
        else:
            code, message = "ProvisionedThroughputExceededException", facts.MSG_THROUGHPUT_EXCEEDED
            limit_type = "ProvisionedThroughputExceeded"
        gsi = self.gsis.get(index) if index is not None else None
        if gsi is not None:  # a read of a provisioned global index: its own capacity only
            needs.append(
                _Need(
                    gsi[kind],
                    1.0,
                    "ProvisionedThroughputExceededException",
                    facts.MSG_INDEX_THROUGHPUT_EXCEEDED,
                    f"Index{part}ProvisionedThroughputExceeded",
                    f"{self.arn}/index/{index}",
                )
            )
            return needs
        if index is not None and self._is_global(index):
            return needs  # an index without capacity of its own (on-demand): not throttled
        needs.append(
            _Need(self.buckets[kind], 1.0, code, message, f"Table{part}{limit_type}", self.arn)
        )
        if kind == "write":
            for name, buckets in sorted(self.gsis.items()):
                needs.append(
                    _Need(
                        buckets["write"],
                        1.0,
                        "ProvisionedThroughputExceededException",
                        facts.MSG_INDEX_WRITE_THROUGHPUT_EXCEEDED,
                        "IndexWriteProvisionedThroughputExceeded",
                        f"{self.arn}/index/{name}",
                    )
                )
        if partition is not None:
            needs.append(
                _Need(
                    self.partition(partition, now),
                    _READ_IN_WRITE_UNITS if kind == "read" else 1.0,
                    code,
                    message,
                    f"Table{part}KeyRangeThroughputExceeded",
                    self.arn,
                )
            )
        return needs

    def _is_global(self, index: str) -> bool:
        return any(i.name == index for i in getattr(self.model, "global_indexes", None) or [])

    def partition_for(self, key: Mapping[str, Any] | None) -> int | None:
        if key is None:
            return None
        value = key.get(self.model.hash_key_attr)
        if not isinstance(value, dict):
            return None
        return partition_of(value, self.partition_count)

    # -- charging -------------------------------------------------------------------------------
    def charge(
        self, kind: Kind, entry: LedgerEntry, index: str | None, partitions: list[int], now: float
    ) -> None:
        """Take what metering measured for one request on this table out of its buckets."""
        units = entry.read_units if kind == "read" else entry.write_units
        index_units = {name: u for name, u in entry.indexes.items() if name in self.gsis}
        table_units = units - sum(u for name, u in entry.indexes.items() if self._is_global(name))
        for name, spent in index_units.items():
            self.gsis[name][kind].tokens -= spent
        if index is not None and self._is_global(index):
            return
        self.buckets[kind].tokens -= table_units
        if self.on_demand:
            self.peaks[kind].add(now, table_units)
        if partitions and table_units:
            share = table_units / len(partitions)
            scale = _READ_IN_WRITE_UNITS if kind == "read" else 1.0
            for index_ in partitions:
                self.partition(index_, now).tokens -= share * scale


# --- What a request touches ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One item (or key range) a request reads or writes."""

    table: str
    key: Mapping[str, Any] | None = None
    index: str | None = None
    query: Mapping[str, Any] | None = None


def _targets(params: Mapping[str, Any], operation: str) -> Iterator[_Target]:
    table = params.get("TableName", "")
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        yield _Target(table, params.get("Key") or {})
    elif operation == "PutItem":
        yield _Target(table, params.get("Item") or {})
    elif operation == "Query":
        yield _Target(table, None, params.get("IndexName"), params)
    elif operation == "Scan":
        yield _Target(table, None, params.get("IndexName"))
    elif operation == "BatchGetItem":
        for name, spec in (params.get("RequestItems") or {}).items():
            for key in (spec or {}).get("Keys") or []:
                yield _Target(name, key)
    elif operation == "BatchWriteItem":
        for name, entries in (params.get("RequestItems") or {}).items():
            for entry in entries or []:
                yield _Target(name, _batch_write_key(entry))
    elif operation in ("TransactGetItems", "TransactWriteItems"):
        for action in params.get("TransactItems") or []:
            for kind in ("Get", "Put", "Update", "Delete", "ConditionCheck"):
                body = action.get(kind)
                if isinstance(body, dict):
                    key = body.get("Item") if kind == "Put" else body.get("Key")
                    yield _Target(body.get("TableName", ""), key or {})


def _batch_write_key(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    if "PutRequest" in entry:
        return (entry["PutRequest"] or {}).get("Item") or {}
    return (entry.get("DeleteRequest") or {}).get("Key") or {}


def _query_hash_value(model: Any, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The partition key value a Query of the table (or a local index) names, if it can tell."""
    if params.get("IndexName") and any(
        i.name == params["IndexName"] for i in getattr(model, "global_indexes", None) or []
    ):
        return None
    legacy = params.get("KeyConditions")
    if isinstance(legacy, dict):
        condition = legacy.get(model.hash_key_attr) or {}
        values = condition.get("AttributeValueList") or []
        return {model.hash_key_attr: values[0]} if values else None
    expression = params.get("KeyConditionExpression")
    if not isinstance(expression, str):
        return None
    try:
        from moto.dynamodb.parsing.key_condition_expression import parse_expression

        hash_conditions, _, _ = parse_expression(
            key_condition_expression=expression,
            expression_attribute_values=params.get("ExpressionAttributeValues") or {},
            expression_attribute_names=params.get("ExpressionAttributeNames") or {},
            schema=model.schema,
        )
    except Exception:  # moto will answer the bad expression itself
        return None
    for name, value in hash_conditions:
        if name == model.hash_key_attr:
            return {name: value}
    return None


def _moto_table(region: str, name: str) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    model = backend.tables.get(name)
    if model is None and name.startswith("arn:"):
        try:
            model = backend.get_table(name)
        except Exception:
            return None
    return model


@dataclass
class _TablePlan:
    """What one request does to one table: its index and its items' partitions."""

    state: _TableState
    index: str | None = None
    partitions: list[int] = field(default_factory=list)


#: The items of a request: their table's plan, their partition, the target itself.
_Items = list[tuple[_TablePlan, int | None, _Target]]


# --- The correction ------------------------------------------------------------------------------


class _Host(Protocol):
    """What throttling needs from the engine it runs in."""

    clock: Clock
    ledger: Ledger

    def handle(self, request: Any) -> WireResponse: ...


class Throttling(Correction):
    """Token buckets per table, index and partition, on the lab clock; off until enabled."""

    name = "throttling"
    summary = (
        "Off until lab.enable_throttling(): then provisioned tables throttle by token buckets on "
        "the lab clock (table, index, partition; burst capacity) with "
        "ProvisionedThroughputExceededException, and on-demand tables above 2x their peak."
    )

    def __init__(self) -> None:
        #: Switched by ``lab.enable_throttling()`` (the engine's ``enable`` alone does not).
        self.enabled = False
        self.clock: Clock = RealClock()
        self.stats = ThrottleStats()
        self._host: _Host | None = None
        self._tables: dict[tuple[str, str], _TableState] = {}
        self._enabled_at = 0.0
        self._inner = False

    # -- configuration ---------------------------------------------------------------------------
    def bind(self, host: _Host) -> None:
        """Use ``host``'s clock and ledger, and let it run partly processed batches."""
        self._host = host
        self.clock = host.clock

    def enable(self, on: bool = True) -> None:
        """Switch throttling on (buckets start now) or off."""
        if on and not self.enabled:
            self._tables.clear()
            self._enabled_at = self.clock.now()
        self.enabled = on

    def reset(self) -> None:
        """Off, no buckets, no statistics."""
        self.enabled = False
        self._tables.clear()
        self.stats.clear()

    # -- hooks -------------------------------------------------------------------------------------
    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        host = self._host
        if not self.enabled or host is None or request.is_streams:
            return
        operation = request.operation
        if operation in ("CreateTable", "UpdateTable", "DeleteTable"):
            state["table_change"] = True
            return
        kind = OPERATIONS.get(operation)
        if kind is None:
            return
        now = self.clock.now()
        region = _region(request.url)
        plans: dict[str, _TablePlan] = {}
        resolved: dict[str, _TablePlan | None] = {}
        items: _Items = []
        for target in _targets(request.params, operation):
            if target.table not in resolved:
                table = self._table(region, target.table, now)
                plan = None
                if table is not None:
                    plan = plans.setdefault(table.name, _TablePlan(table, target.index))
                resolved[target.table] = plan
            plan = resolved[target.table]
            if plan is None:
                continue  # moto answers ResourceNotFoundException
            key = target.key
            if target.query is not None:
                key = _query_hash_value(plan.state.model, target.query)
            partition = plan.state.partition_for(key)
            if partition is not None:
                plan.partitions.append(partition)
            items.append((plan, partition, target))
        if operation in _BATCHES and not self._inner:
            self._admit_batch(request, kind, items, now)
        elif not self._inner:
            self._admit(kind, items, now)
        state["kind"] = kind
        state["plans"] = plans
        state["mark"] = host.ledger.next_seq()

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        if state.get("table_change"):
            self._table_changed(request, response)
            return response
        plans: dict[str, _TablePlan] | None = state.get("plans")
        if not plans or self._host is None:
            return response
        now = self.clock.now()
        kind: Kind = state["kind"]
        for entry in _entries_since(self._host.ledger, state["mark"]):
            plan = plans.get(entry.table)
            if plan is not None:
                plan.state.charge(kind, entry, plan.index, plan.partitions, now)
        return response

    # -- tables ----------------------------------------------------------------------------------
    def _table(self, region: str, name: str, now: float) -> _TableState | None:
        model = _moto_table(region, name)
        if model is None:
            return None
        key = (region, model.name)
        table = self._tables.get(key)
        if table is None or not table.matches(model):
            start = self._enabled_at if table is None and self._enabled_at <= now else now
            table = self._tables[key] = _TableState(model, start)
        table.sync(now)
        return table

    def _table_changed(self, request: WireRequest, response: WireResponse) -> None:
        """A new table starts now; an updated one refills at its old rate up to now."""
        if response.status != 200:
            return
        region = _region(request.url)
        name = str(request.params.get("TableName", ""))
        model = _moto_table(region, name)
        now = self.clock.now()
        if model is None:
            self._tables.pop((region, name), None)
        elif request.operation == "CreateTable":
            self._tables[(region, model.name)] = _TableState(model, now)
        else:
            self._table(region, name, now)

    # -- admission -------------------------------------------------------------------------------
    def _admit(self, kind: Kind, items: _Items, now: float) -> None:
        """Refuse the whole request if any bucket one of its items needs is empty."""
        checked: set[tuple[str, int | None]] = set()
        for plan, partition, _ in items:
            if (plan.state.name, partition) in checked:
                continue
            checked.add((plan.state.name, partition))
            for need in plan.state.needs(kind, plan.index, partition, now):
                if need.bucket.tokens <= 0:
                    self.stats.record(plan.state.name, kind)
                    raise need.error()

    def _admit_batch(
        self,
        request: WireRequest,
        kind: Kind,
        items: _Items,
        now: float,
    ) -> None:
        """Process the items that fit; return the rest as unprocessed (or refuse them all)."""
        tentative: dict[int, float] = {}
        consistent = {
            name: spec.get("ConsistentRead") is True
            for name, spec in (request.params.get("RequestItems") or {}).items()
            if isinstance(spec, dict)
        }
        refused: list[tuple[_Target, ThrottleError, str]] = []
        for plan, partition, target in items:
            least = 1.0
            if kind == "read":
                strong = consistent.get(target.table, False)
                least = 1.0 if strong else facts.EVENTUAL_READ_FACTOR
            needs = plan.state.needs(kind, plan.index, partition, now)
            empty = next(
                (n for n in needs if tentative.get(id(n.bucket), n.bucket.tokens) <= 0), None
            )
            if empty is not None:
                refused.append((target, empty.error(), plan.state.name))
                continue
            for need in needs:
                left = tentative.get(id(need.bucket), need.bucket.tokens)
                tentative[id(need.bucket)] = left - least * need.scale
        if not refused:
            return
        per_table: dict[str, int] = {}
        for _, _, table in refused:
            per_table[table] = per_table.get(table, 0) + 1
        for table, count in per_table.items():
            self.stats.record(table, kind, events=count)
        if len(refused) == len(items):
            raise refused[0][1]  # nothing could be processed: DynamoDB refuses the batch
        raise _Answer(self._partial(request, [(t, name) for t, _, name in refused]))

    def _partial(self, request: WireRequest, refused: list[tuple[_Target, str]]) -> WireResponse:
        """Run the batch without the refused items; add them to its Unprocessed* member."""

        assert self._host is not None
        refused_ids = {id(target.key) for target, _ in refused}
        params = dict(request.params)
        items = params.get("RequestItems") or {}
        kept: dict[str, Any] = {}
        unprocessed: dict[str, Any] = {}
        if request.operation == "BatchWriteItem":
            member = "UnprocessedItems"
            for name, entries in items.items():
                for entry in entries or []:
                    into = unprocessed if id(_batch_write_key(entry)) in refused_ids else kept
                    into.setdefault(name, []).append(entry)
        else:
            member = "UnprocessedKeys"
            for name, spec in items.items():
                for key in (spec or {}).get("Keys") or []:
                    into = unprocessed if id(key) in refused_ids else kept
                    into.setdefault(name, {**spec, "Keys": []})["Keys"].append(key)
        params["RequestItems"] = kept
        again = with_params(request, params)
        self._inner = True
        try:
            answer = self._host.handle(again)
        finally:
            self._inner = False
        if answer.status != 200:
            return answer
        data = answer.json()
        merged = data.get(member) or {}
        for name, value in unprocessed.items():
            if name not in merged:
                merged[name] = value
            elif member == "UnprocessedItems":
                merged[name] = list(merged[name]) + value
            else:
                merged[name]["Keys"] = list(merged[name].get("Keys") or []) + value["Keys"]
        data[member] = merged
        return answer.with_json(data)


def _entries_since(ledger: Ledger, mark: int) -> list[LedgerEntry]:
    """The ledger entries of requests numbered ``mark`` or later, read from the end."""
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


def find_throttling(corrections: Iterable[Correction]) -> Throttling | None:
    """The :class:`Throttling` correction among ``corrections``, if there is one."""
    return next((c for c in corrections if isinstance(c, Throttling)), None)


# --- Retries on the lab clock ---------------------------------------------------------------------

#: The seed of a lab client's retry jitter on simulated time (every client starts from it).
RETRY_JITTER_SEED = 0


class ClockRetries:
    """A client's retry handler whose back-off is slept on the lab clock.

    botocore's retry modes compute a delay in the ``needs-retry`` event and botocore then sleeps
    it with ``time.sleep``. This wraps the registered handler: the delay is slept with
    ``clock.sleep`` and botocore is told to wait 0 s. On simulated time a retry therefore moves the
    lab clock (and buckets refill); on real time nothing changes. With ``seed``, the standard
    mode's jitter draws from ``random.Random(seed)`` instead of the shared ``random.random``, so a
    run on simulated time retries identically every time.

    Attributes:
        slept: Seconds of back-off slept on the lab clock so far.
        retries: Retries the client made (back-offs slept, 0 s ones included).
    """

    def __init__(self, handler: Any, clock: Clock, seed: int | None) -> None:
        self._handler = handler
        self.clock = clock
        self.seed = seed
        self.slept = 0.0
        self.retries = 0
        self._random = random.Random(seed)
        if seed is not None:
            backoff = _private(handler, "__self__", "_retry_policy", "_retry_backoff")
            if backoff is not None and hasattr(backoff, "_random"):
                backoff._random = self._random.random

    def needs_retry(self, **kwargs: Any) -> Any:
        delay = self._handler(**kwargs)
        if delay is None or delay is False:
            return delay
        self.retries += 1
        if delay > 0:
            self.clock.sleep(delay)
            self.slept += delay
        return 0  # not None: botocore retries, after sleeping 0 s

    def reset(self) -> None:
        """Jitter from the seed again, a full retry quota, counters at 0."""
        self._random.seed(self.seed)
        self.slept = 0.0
        self.retries = 0
        quota = _private(self._handler, "__self__", "_retry_quota", "_quota")
        if quota is not None and hasattr(quota, "_max_capacity"):
            quota._available_capacity = quota._max_capacity


def _private(obj: Any, *names: str) -> Any:
    for name in names:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def clock_retries(client: Any, clock: Clock, seed: int | None = None) -> ClockRetries | None:
    """Make ``client`` sleep its retry back-off on ``clock``; None if its handler is not found.

    The handler is botocore's private registration (event ``needs-retry.<service>``, unique id
    ``retry-config-<service>``); if a botocore release moves it, the client keeps sleeping in real
    time. The adaptive mode's client-side rate limiter still sleeps in real time.
    """
    try:
        service = client.meta.service_model.service_id.hyphenize()
        events = client.meta.events
        emitter = getattr(events, "_emitter", events)
        registered = emitter._unique_id_handlers.get(f"retry-config-{service}")
    except AttributeError:
        log.debug("no retry handler found on %r", client, exc_info=True)
        return None
    if not registered or "handler" not in registered:
        return None
    handler = registered["handler"]
    current = getattr(handler, "__self__", None)
    if isinstance(current, ClockRetries):
        return current
    retries = ClockRetries(handler, clock, seed)
    unique_id = f"retry-config-{service}"
    events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    events.register(f"needs-retry.{service}", retries.needs_retry, unique_id=unique_id)
    return retries
