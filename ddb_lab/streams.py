"""A stream processor: a plain Python handler called the way Lambda calls a stream function.

On AWS, a Lambda event source mapping polls a table's stream and invokes a function with
batches of records (``{"Records": [...]}``). moto can run Lambda functions only in Docker, so the
lab does what the mapping does, in this process, through the real ``dynamodbstreams`` API
(DescribeStream, GetShardIterator, GetRecords):

* **batches** of up to ``batch_size`` records, from ``TRIM_HORIZON`` (the oldest record kept) or
  ``LATEST`` (only what is written after the processor is created);
* **filter criteria** in Lambda's event-filtering syntax: a record that matches none of the
  filters is dropped without invoking the handler;
* **retries**: a handler that raises gets the same batch again, up to ``max_retries`` times
  (Lambda's default, -1, retries until the record leaves the stream: the shard is blocked and
  every later record waits); with ``bisect_on_error`` a failing batch is first split in two until
  the failing record is alone; a record that exhausts its retries goes to the **failure list**
  (Lambda's on-failure destination) and the shard moves on;
* **partial batch responses** (``report_batch_item_failures``): the handler returns
  ``{"batchItemFailures": [{"itemIdentifier": sequence_number}]}`` and only the records from the
  first failed one on are retried;
* a **checkpoint** per shard: the sequence number after which the next batch starts.

``drain()`` processes everything pending, synchronously and in order: notebooks use it so that
their output is the same on every run. ``start()`` polls in a background thread for live demos;
``stop()`` ends it cleanly.

Delivery is at least once: a retried batch is delivered again, records that succeeded included,
so a handler must be idempotent (the sequence number, or the item's version, tells a handler
what it has already applied). Within one item's records, the order is the order of the writes.

Used in: notebooks/06_streams_ttl_global_tables.ipynb.
"""

from __future__ import annotations

import base64
import inspect
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from boto3.dynamodb.types import TypeDeserializer

from ddb_lab import facts

__all__ = [
    "DrainReport",
    "Failure",
    "Invocation",
    "StreamProcessor",
    "image",
    "keys",
    "matches",
]

StartingPosition = Literal["TRIM_HORIZON", "LATEST"]
Event = dict[str, Any]
Record = dict[str, Any]
Handler = Callable[..., Any]

_DESERIALIZER = TypeDeserializer()


# --- Reading records ------------------------------------------------------------------------------


def image(record: Mapping[str, Any], which: str = "NewImage") -> dict[str, Any] | None:
    """A record's ``NewImage``/``OldImage`` (or ``Keys``) as plain Python values, or None.

    Numbers come back as ``Decimal``, as with the resource API.
    """
    raw = record.get("dynamodb", {}).get(which)
    if raw is None:
        return None
    return {name: _DESERIALIZER.deserialize(_from_event(value)) for name, value in raw.items()}


def keys(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's key attributes as plain Python values."""
    return image(record, "Keys") or {}


def _from_event(value: Any) -> Any:
    """An attribute value from a Lambda event (binary as base64 text) as boto3 expects it."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind == "B" and isinstance(inner, str):
                out[kind] = base64.b64decode(inner)
            elif kind == "BS":
                out[kind] = [base64.b64decode(v) if isinstance(v, str) else v for v in inner]
            elif kind in ("M", "L"):
                out[kind] = (
                    {k: _from_event(v) for k, v in inner.items()}
                    if kind == "M"
                    else [_from_event(v) for v in inner]
                )
            else:
                out[kind] = inner
        return out
    return value


def _to_event(value: Any) -> Any:
    """An attribute value as a Lambda event carries it: JSON only, binary as base64 text."""
    if isinstance(value, dict):
        return {k: _to_event(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_event(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> Record:
    """One GetRecords record in the shape Lambda hands a function.

    ``ApproximateCreationDateTime`` becomes epoch seconds, binary values base64 text, the
    ``userIdentity`` members ``type``/``principalId``, and ``eventSourceARN`` names the stream.
    """
    body = dict(record["dynamodb"])
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        body["ApproximateCreationDateTime"] = int(created.timestamp())
    for name in ("Keys", "NewImage", "OldImage"):
        if name in body:
            body[name] = _to_event(body[name])
    event: Record = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", facts.STREAM_EVENT_VERSION),
        "eventSource": record.get("eventSource", facts.STREAM_EVENT_SOURCE),
        "awsRegion": record.get("awsRegion"),
        "dynamodb": body,
        "eventSourceARN": stream_arn,
    }
    identity = record.get("userIdentity")
    if identity:
        event["userIdentity"] = {
            "type": identity.get("Type"),
            "principalId": identity.get("PrincipalId"),
        }
    return event


# --- Filter criteria ------------------------------------------------------------------------------

_MISSING = object()


def parse_filters(filters: Any) -> list[dict[str, Any]]:
    """Filter patterns from Lambda's ``FilterCriteria`` or a list of patterns (dict or JSON).

    ``{"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}`` and ``[{"eventName":
    ["INSERT"]}]`` mean the same. Raises ValueError for a malformed pattern or too many filters.
    """
    if filters is None:
        return []
    if isinstance(filters, Mapping):
        if "Filters" not in filters:
            filters = [filters]
        else:
            filters = [f.get("Pattern") for f in filters["Filters"]]
    patterns: list[dict[str, Any]] = []
    for entry in filters:
        pattern = json.loads(entry) if isinstance(entry, str) else entry
        if not isinstance(pattern, Mapping) or not pattern:
            raise ValueError(
                "A filter pattern is a JSON object, e.g. {'eventName': ['INSERT']}: field names "
                "of the record, and at the leaves a list of values or operators."
            )
        _validate(pattern)
        patterns.append(dict(pattern))
    if len(patterns) > facts.LAMBDA_FILTERS_MAX:
        raise ValueError(
            f"An event source mapping takes at most {facts.LAMBDA_FILTERS_MAX} filters (10 with "
            "a quota increase); the filters are ORed, so combine values in one list instead."
        )
    return patterns


def _validate(pattern: Mapping[str, Any]) -> None:
    for name, rule in pattern.items():
        if isinstance(rule, Mapping):
            _validate(rule)
        elif not isinstance(rule, list):
            raise ValueError(
                f"In a filter pattern, {name!r} must hold an object or a list of values, "
                f"e.g. {{{name!r}: [{rule!r}]}}."
            )


def matches(patterns: Sequence[Mapping[str, Any]], event: Mapping[str, Any]) -> bool:
    """Whether a record matches any of the filter patterns (no patterns: every record does).

    Supported at the leaves: exact values (strings, numbers, booleans, null), ``prefix``,
    ``suffix``, ``anything-but``, ``numeric``, ``exists`` and ``equals-ignore-case``. A
    DynamoDB Number is text in the record (``{"N": "5"}``), so it matches ``["5"]``, never a
    ``numeric`` rule.
    """
    return not patterns or any(_match_object(p, event) for p in patterns)


def _match_object(pattern: Mapping[str, Any], value: Any) -> bool:
    for name, rule in pattern.items():
        found = value.get(name, _MISSING) if isinstance(value, Mapping) else _MISSING
        if isinstance(rule, Mapping):
            if not isinstance(found, Mapping) or not _match_object(rule, found):
                return False
        elif not _match_leaf(rule, found):
            return False
    return True


def _match_leaf(rules: list[Any], found: Any) -> bool:
    candidates = found if isinstance(found, list) else [found]
    return any(_match_rule(rule, c) for rule in rules for c in candidates)


def _match_rule(rule: Any, found: Any) -> bool:
    if isinstance(rule, Mapping):
        ((operator, argument),) = rule.items()
        return _OPERATORS.get(operator, _unknown(operator))(argument, found)
    if found is _MISSING:
        return False
    if isinstance(rule, bool) or isinstance(found, bool):
        return rule is found
    return bool(rule == found)


def _unknown(operator: str) -> Callable[[Any, Any], bool]:
    def fail(argument: Any, found: Any) -> bool:
        raise ValueError(
            f"Unknown filter operator {operator!r}; use prefix, suffix, anything-but, numeric, "
            "exists or equals-ignore-case."
        )

    return fail


def _numeric(argument: list[Any], found: Any) -> bool:
    if isinstance(found, bool) or not isinstance(found, int | float | Decimal):
        return False
    checks = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    pairs = zip(argument[::2], argument[1::2], strict=True)
    return all(checks[op](found, bound) for op, bound in pairs)


def _anything_but(argument: Any, found: Any) -> bool:
    if found is _MISSING:
        return False
    if isinstance(argument, Mapping):
        return not _match_rule(dict(argument), found)
    excluded = argument if isinstance(argument, list) else [argument]
    return found not in excluded


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": lambda a, f: isinstance(f, str) and f.startswith(a),
    "suffix": lambda a, f: isinstance(f, str) and f.endswith(a),
    "equals-ignore-case": lambda a, f: isinstance(f, str) and f.lower() == str(a).lower(),
    "exists": lambda a, f: (f is not _MISSING) == bool(a),
    "numeric": _numeric,
    "anything-but": _anything_but,
}


# --- What a drain did -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """One call of the handler.

    Attributes:
        sequence_numbers: the records of the batch, by sequence number.
        outcome: ``ok``, ``error`` (the handler raised) or ``partial`` (it reported failures).
        error: the exception's type and message, for ``error``.
    """

    sequence_numbers: tuple[str, ...]
    outcome: Literal["ok", "error", "partial"]
    error: str = ""

    def __str__(self) -> str:
        span = short_range(self.sequence_numbers)
        detail = f" ({self.error})" if self.error else ""
        return f"{len(self.sequence_numbers)} record(s) {span}: {self.outcome}{detail}"


def short_range(sequence_numbers: Sequence[str]) -> str:
    """``#3..#6``-style labels: each record by its position in the shard (the last 3 digits)."""
    if not sequence_numbers:
        return "[]"
    first, last = sequence_numbers[0][-3:], sequence_numbers[-1][-3:]
    return f"[#{first}]" if len(sequence_numbers) == 1 else f"[#{first}..#{last}]"


@dataclass(frozen=True)
class Failure:
    """A batch that exhausted its retries (or aged out): what the on-failure destination gets.

    Lambda sends only the batch's description (``message()``); the lab also keeps the records,
    so that a notebook can show them.
    """

    stream_arn: str
    shard_id: str
    records: tuple[Record, ...]
    condition: str
    attempts: int
    error: str

    @property
    def sequence_numbers(self) -> tuple[str, ...]:
        return tuple(r["dynamodb"]["SequenceNumber"] for r in self.records)

    def message(self) -> dict[str, Any]:
        """The on-failure destination message, in Lambda's shape."""
        created = [r["dynamodb"].get("ApproximateCreationDateTime") for r in self.records]
        return {
            "requestContext": {
                "condition": self.condition,
                "approximateInvokeCount": self.attempts,
            },
            "responseContext": {"functionError": "Unhandled"},
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": self.sequence_numbers[0],
                "endSequenceNumber": self.sequence_numbers[-1],
                "approximateArrivalOfFirstRecord": created[0],
                "approximateArrivalOfLastRecord": created[-1],
                "batchSize": len(self.records),
                "streamArn": self.stream_arn,
            },
        }


@dataclass
class DrainReport:
    """What one ``drain()`` did."""

    invocations: list[Invocation] = field(default_factory=list)
    #: Records handed to the handler in a batch that succeeded (each counted once per success).
    delivered: int = 0
    #: Records that matched no filter (dropped, never delivered).
    filtered: int = 0
    #: Batches sent to the failure list.
    failures: list[Failure] = field(default_factory=list)
    #: A record is still failing and retries are unlimited: the shard waits for it.
    blocked: bool = False

    def __repr__(self) -> str:
        parts = [
            f"{len(self.invocations)} invocation(s)",
            f"{self.delivered} record(s) delivered",
        ]
        if self.filtered:
            parts.append(f"{self.filtered} filtered out")
        if self.failures:
            parts.append(f"{len(self.failures)} batch(es) to the failure list")
        if self.blocked:
            parts.append("blocked on a failing record")
        return "<drain: " + ", ".join(parts) + ">"


@dataclass(frozen=True)
class InvocationContext:
    """The ``context`` argument of a two-argument handler (a subset of Lambda's)."""

    function_name: str
    aws_request_id: str


class _Partial(Exception):
    def __init__(self, first_failed: int) -> None:
        super().__init__(first_failed)
        self.first_failed = first_failed


# --- The processor --------------------------------------------------------------------------------


class StreamProcessor:
    """Reads a table's stream and calls ``handler`` with Lambda-shaped batches.

    Args:
        lab: the lab (its streams client reads the stream; ``region`` picks another region's).
        table: the table whose stream is read (its stream must be enabled).
        handler: ``handler(event)`` or ``handler(event, context)``; ``event`` is
            ``{"Records": [...]}``. Raising fails the batch.
        batch_size: records per invocation (Lambda: default 100, at most 10,000).
        starting_position: ``TRIM_HORIZON`` (oldest record kept) or ``LATEST`` (new ones only).
        filters: Lambda ``FilterCriteria`` or a list of patterns (see :func:`matches`).
        max_retries: retries of a failing record; -1 (Lambda's default) means until it expires.
        bisect_on_error: split a failing batch in two until the failing record is alone.
        report_batch_item_failures: honour ``{"batchItemFailures": [...]}`` answers.
        on_failure: the list failed batches are appended to (default: a new list, ``failures``).
        region: read the table in this region instead of the lab's.
        name: the function name shown in the context and in reprs.
    """

    def __init__(
        self,
        lab: Any,
        table: str,
        handler: Handler,
        *,
        batch_size: int = facts.LAMBDA_BATCH_SIZE_DEFAULT,
        starting_position: StartingPosition = "TRIM_HORIZON",
        filters: Any = None,
        max_retries: int = facts.LAMBDA_MAX_RETRY_ATTEMPTS_DEFAULT,
        bisect_on_error: bool = False,
        report_batch_item_failures: bool = False,
        on_failure: list[Failure] | None = None,
        region: str | None = None,
        name: str | None = None,
    ) -> None:
        if not 1 <= batch_size <= facts.LAMBDA_BATCH_SIZE_MAX:
            raise ValueError(f"batch_size must be 1..{facts.LAMBDA_BATCH_SIZE_MAX}")
        if not -1 <= max_retries <= facts.LAMBDA_MAX_RETRY_ATTEMPTS_MAX:
            raise ValueError(
                f"max_retries must be -1 (until the record expires) or "
                f"0..{facts.LAMBDA_MAX_RETRY_ATTEMPTS_MAX}"
            )
        if starting_position not in ("TRIM_HORIZON", "LATEST"):
            raise ValueError("starting_position must be 'TRIM_HORIZON' or 'LATEST'")
        self.lab = lab
        self.table = table
        self.handler = handler
        self.batch_size = batch_size
        self.starting_position: StartingPosition = starting_position
        self.filters = parse_filters(filters)
        self.max_retries = max_retries
        self.bisect_on_error = bisect_on_error
        self.report_batch_item_failures = report_batch_item_failures
        self.failures: list[Failure] = [] if on_failure is None else on_failure
        self.name: str = name or str(getattr(handler, "__name__", "handler"))
        #: Every invocation so far, oldest first.
        self.log: list[Invocation] = []
        #: Per shard: the sequence number of the last record done with (None: nothing yet).
        self.checkpoints: dict[str, str | None] = {}
        #: Errors of the background poller (it stops on the first one).
        self.errors: list[str] = []
        self._region = region
        self._streams = (
            lab.streams if region is None else lab.new_client("dynamodbstreams", region=region)
        )
        client = lab.client if region is None else lab.new_client("dynamodb", region=region)
        description = client.describe_table(TableName=table)["Table"]
        if not description.get("StreamSpecification", {}).get("StreamEnabled"):
            raise ValueError(
                f"Table {table!r} has no stream. Enable one with update_table(TableName=..., "
                "StreamSpecification={'StreamEnabled': True, 'StreamViewType': "
                "'NEW_AND_OLD_IMAGES'})."
            )
        self.stream_arn: str = description["LatestStreamArn"]
        self.view_type: str = description["StreamSpecification"]["StreamViewType"]
        self._latest: dict[str, str] = {}
        if starting_position == "LATEST":
            for shard in self._shards():
                self._latest[shard] = self._iterator(shard, "LATEST")
        self._takes_context = _takes_context(handler)
        self._invocations = 0
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # -- reading the stream ---------------------------------------------------------------------
    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self.stream_arn)
        return [s["ShardId"] for s in description["StreamDescription"]["Shards"]]

    def _iterator(self, shard: str, kind: str, sequence_number: str | None = None) -> str:
        params: dict[str, Any] = {
            "StreamArn": self.stream_arn,
            "ShardId": shard,
            "ShardIteratorType": kind,
        }
        if sequence_number is not None:
            params["SequenceNumber"] = sequence_number
        return str(self._streams.get_shard_iterator(**params)["ShardIterator"])

    def _position(self, shard: str) -> str:
        checkpoint = self.checkpoints.get(shard)
        if checkpoint is not None:
            return self._iterator(shard, "AFTER_SEQUENCE_NUMBER", checkpoint)
        if shard in self._latest:
            return self._latest[shard]
        return self._iterator(shard, "TRIM_HORIZON")

    def _read(self, shard: str) -> list[Record]:
        """The next batch of records after the checkpoint (at most ``batch_size``)."""
        iterator = self._position(shard)
        records: list[Record] = []
        while len(records) < self.batch_size:
            limit = min(self.batch_size - len(records), facts.STREAM_GET_RECORDS_MAX)
            answer = self._streams.get_records(ShardIterator=iterator, Limit=limit)
            page = answer.get("Records", [])
            records.extend(lambda_record(r, self.stream_arn) for r in page)
            iterator = answer.get("NextShardIterator")
            if not page or not iterator:
                break
        return records

    def pending(self) -> int:
        """How many records wait after the checkpoints (filtered ones included)."""
        count = 0
        with self._lock:
            for shard in self._shards():
                iterator: str | None = self._position(shard)
                while iterator:
                    answer = self._streams.get_records(
                        ShardIterator=iterator, Limit=facts.STREAM_GET_RECORDS_MAX
                    )
                    if not answer.get("Records"):
                        break
                    count += len(answer["Records"])
                    iterator = answer.get("NextShardIterator")
        return count

    # -- processing ------------------------------------------------------------------------------
    def drain(self) -> DrainReport:
        """Process every pending record now, in order; returns what happened."""
        report = DrainReport()
        with self._lock:
            for shard in self._shards():
                self._drain_shard(shard, report)
        return report

    def _drain_shard(self, shard: str, report: DrainReport) -> None:
        while True:
            records = self._read(shard)
            if not records:
                return
            chosen = [r for r in records if matches(self.filters, r)]
            report.filtered += len(records) - len(chosen)
            if chosen and not self._deliver(shard, chosen, self.max_retries, report, 0):
                report.blocked = True
                return
            self.checkpoints[shard] = records[-1]["dynamodb"]["SequenceNumber"]

    def _deliver(
        self,
        shard: str,
        batch: list[Record],
        retries_left: int,
        report: DrainReport,
        attempts: int,
    ) -> bool:
        """Invoke until ``batch`` is done or failed over; False when the shard must wait."""
        attempts += 1
        try:
            self._invoke(batch, report)
        except _Partial as partial:
            done, batch = batch[: partial.first_failed], batch[partial.first_failed :]
            if done:
                report.delivered += len(done)
                self.checkpoints[shard] = done[-1]["dynamodb"]["SequenceNumber"]
            error = "reported batch item failures"
        except Exception as exc:  # the handler failed: retried as Lambda retries
            error = f"{type(exc).__name__}: {exc}"
        else:
            report.delivered += len(batch)
            self.checkpoints[shard] = batch[-1]["dynamodb"]["SequenceNumber"]
            return True
        if self.bisect_on_error and len(batch) > 1:
            half = len(batch) // 2
            return self._deliver(shard, batch[:half], retries_left, report, 0) and self._deliver(
                shard, batch[half:], retries_left, report, 0
            )
        if retries_left == 0:
            self._fail(shard, batch, "RetryAttemptsExhausted", attempts, error, report)
            return True
        if retries_left < 0:
            if self._expired(batch[0]):
                self._fail(shard, batch, "RecordAgeExceeded", attempts, error, report)
                return True
            return False
        return self._deliver(shard, batch, retries_left - 1, report, attempts)

    def _invoke(self, batch: list[Record], report: DrainReport) -> None:
        numbers = tuple(r["dynamodb"]["SequenceNumber"] for r in batch)
        event = {"Records": [json.loads(json.dumps(r)) for r in batch]}  # the handler's own copy
        self._invocations += 1
        try:
            if self._takes_context:
                context = InvocationContext(self.name, f"{self.name}-{self._invocations}")
                answer = self.handler(event, context)
            else:
                answer = self.handler(event)
        except Exception as exc:
            self._note(report, Invocation(numbers, "error", f"{type(exc).__name__}: {exc}"))
            raise
        failed = self._first_failed(answer, numbers)
        if failed is None:
            self._note(report, Invocation(numbers, "ok"))
            return
        self._note(report, Invocation(numbers, "partial"))
        raise _Partial(failed)

    def _first_failed(self, answer: Any, numbers: tuple[str, ...]) -> int | None:
        if not self.report_batch_item_failures or not isinstance(answer, Mapping):
            return None
        reported = answer.get("batchItemFailures") or []
        positions = [
            numbers.index(str(f.get("itemIdentifier")))
            for f in reported
            if str(f.get("itemIdentifier")) in numbers
        ]
        if reported and not positions:  # an identifier not in the batch: Lambda retries it all
            return 0
        return min(positions) if positions else None

    def _note(self, report: DrainReport, invocation: Invocation) -> None:
        report.invocations.append(invocation)
        self.log.append(invocation)

    def _expired(self, record: Record) -> bool:
        created = float(record["dynamodb"].get("ApproximateCreationDateTime") or 0)
        return bool(self.lab.clock.now() - created >= facts.STREAM_RETENTION_SECONDS)

    def _fail(
        self,
        shard: str,
        batch: list[Record],
        condition: str,
        attempts: int,
        error: str,
        report: DrainReport,
    ) -> None:
        failure = Failure(self.stream_arn, shard, tuple(batch), condition, attempts, error)
        self.failures.append(failure)
        report.failures.append(failure)
        self.checkpoints[shard] = batch[-1]["dynamodb"]["SequenceNumber"]

    # -- position --------------------------------------------------------------------------------
    def rewind(self) -> None:
        """Start again from the oldest record kept (TRIM_HORIZON): everything is redelivered."""
        with self._lock:
            self.checkpoints.clear()
            self._latest.clear()

    # -- background polling ----------------------------------------------------------------------
    def start(self, interval: float = 0.2) -> None:
        """Poll in a background thread every ``interval`` real seconds until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.drain()
                except Exception as exc:  # a poller that dies says why, it does not vanish
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    return
                self._stop.wait(interval)

        self._thread = threading.Thread(target=run, name=f"ddb-lab-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop background polling; the batch in progress finishes first."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> StreamProcessor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "polling" if self.running else "idle"
        return (
            f"<StreamProcessor {self.name} on {self.table} ({self.view_type}): batch "
            f"{self.batch_size}, {state}, {len(self.log)} invocation(s), "
            f"{len(self.failures)} failure(s)>"
        )


def _takes_context(handler: Handler) -> bool:
    try:
        parameters = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


def records_of(events: Iterable[Mapping[str, Any]]) -> Iterator[Record]:
    """Every record of a sequence of events (for handlers that collected their events)."""
    for event in events:
        yield from event.get("Records", [])
