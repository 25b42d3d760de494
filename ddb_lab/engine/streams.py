"""Stream records as DynamoDB writes them: the correction behind every table's stream.

moto appends a record to a table's stream for every put, update and delete (batch writes,
transactions and PartiQL included) but differs from DynamoDB in ways a course would teach wrong:

* an overwrite that changes nothing still emits a MODIFY (DynamoDB emits no record);
* every record says ``awsRegion: us-east-1``, whatever the table's region;
* timestamps, stream labels and event ids come from the wall clock and a random generator, so no
  two runs of a notebook agree; DynamoDB rounds ApproximateCreationDateTime down to the second;
* SizeBytes is the length of moto's JSON, not the size of the keys and images;
* there is no way to tell a TTL delete (a service) from a user's delete.

This correction hooks each stream shard's ``add`` (moto's one place for new records) so that a
no-op write adds nothing and every record it keeps is stamped on the lab clock with the table's
region, a deterministic event id, DynamoDB's SizeBytes and, for TTL deletes, the ``userIdentity``
of the service. It also remembers when (to the lab clock's precision) and where each change was
made, which the simulated global tables use for last-writer-wins.

Used in: notebooks/06_streams_ttl_global_tables.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ddb_lab import facts
from ddb_lab.capacity import item_size
from ddb_lab.clock import Clock, RealClock
from ddb_lab.engine.corrections import Correction, _region, canonical_number
from ddb_lab.engine.wire import WireRequest, WireResponse

__all__ = ["RecordOrigin", "StreamRecords", "find_stream_records"]


@dataclass(frozen=True)
class RecordOrigin:
    """Where and when the change behind one stream record was made.

    Attributes:
        time: lab-clock seconds of the original write (for a replicated write: in its origin).
        region: the region the change was first written in.
        replicated: the record was written by replication from another region.
        service: the change was made by DynamoDB itself (a TTL delete).
    """

    time: float
    region: str
    replicated: bool = False
    service: bool = False


class _Host(Protocol):
    clock: Clock
    disabled: set[str]


def _canonical(value: Any) -> Any:
    """An attribute value with numbers normalised and sets sorted, for comparing two images."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind == "N":
                out[kind] = canonical_number(str(inner))
            elif kind == "NS":
                out[kind] = sorted(canonical_number(str(n)) for n in inner)
            elif kind in ("SS", "BS"):
                out[kind] = sorted(str(v) for v in inner)
            else:
                out[kind] = _canonical(inner)
        return out
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def same_image(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two items (low-level attribute maps) are equal as DynamoDB compares them."""
    return bool(_canonical(old) == _canonical(new))


def stream_label(now: float) -> str:
    """A stream label in DynamoDB's format (``2025-01-01T00:00:00.000``) for lab time ``now``."""
    moment = datetime.fromtimestamp(now, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _naive_utc(now: float) -> datetime:
    """moto keeps naive UTC datetimes; this is ``now`` in that form."""
    return datetime.fromtimestamp(now, UTC).replace(tzinfo=None)


class StreamRecords(Correction):
    """No record for a no-op write; records stamped on the lab clock, region and identity right."""

    name = "stream_records"
    summary = (
        "An overwrite that changes nothing emits no stream record; records carry the table's "
        "region, lab-clock times, SizeBytes of keys and images, and TTL deletes the service's "
        "userIdentity."
    )

    def __init__(self) -> None:
        self.clock: Clock = RealClock()
        self._host: _Host | None = None
        self._local = threading.local()
        #: Per shard: sequence number -> where and when its change was made.
        self._origins: weakref.WeakKeyDictionary[Any, dict[int, RecordOrigin]] = (
            weakref.WeakKeyDictionary()
        )
        #: Per table: key id -> the origin of the last change applied to that item.
        self._last_write: weakref.WeakKeyDictionary[Any, dict[str, RecordOrigin]] = (
            weakref.WeakKeyDictionary()
        )
        self._labelled: weakref.WeakSet[Any] = weakref.WeakSet()
        #: During a request: each stream's length when the request began (id of shard -> n).
        self._marks: dict[int, int] = {}
        #: Records dropped because the write changed nothing.
        self.dropped = 0

    def bind(self, host: _Host) -> None:
        """Use ``host``'s clock (the engine's) and honour its switches."""
        self._host = host
        self.clock = host.clock

    @property
    def _on(self) -> bool:
        return self._host is None or self.name not in self._host.disabled

    # -- marking writes that are not a user's --------------------------------------------------
    @contextmanager
    def service_delete(self) -> Iterator[None]:
        """Records added inside this block are TTL deletes (made by the service)."""
        self._local.service = True
        try:
            yield
        finally:
            self._local.service = False

    @contextmanager
    def replicating(self, origin: RecordOrigin) -> Iterator[None]:
        """Records added inside this block (this thread) replicate a change made at ``origin``."""
        self._local.origin = origin
        try:
            yield
        finally:
            self._local.origin = None

    # -- what the replicator reads --------------------------------------------------------------
    def origin(self, table: Any, sequence_number: str | int) -> RecordOrigin | None:
        """Where and when the change behind a record of ``table``'s stream was made."""
        shard = getattr(table, "stream_shard", None)
        if shard is None:
            return None
        return self._origins.get(shard, {}).get(int(sequence_number))

    def last_write(self, table: Any, item: dict[str, Any]) -> RecordOrigin | None:
        """The origin of the last change applied to ``item`` (keys as attribute values)."""
        return self._last_write.get(table, {}).get(_key_id(table, item))

    # -- the correction ---------------------------------------------------------------------------
    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        self.hook_region(_region(request.url))
        streamed = [t for t in _tables(_region(request.url)) if t.stream_shard is not None]
        self._marks = {id(t.stream_shard): len(t.stream_shard.items) for t in streamed}
        state["tables"] = [(t, t.stream_shard, len(t.stream_shard.items)) for t in streamed]

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        self._marks = {}
        self._keep_rolled_back_streams(_region(request.url), state.get("tables", []))
        if request.operation not in ("CreateTable", "UpdateTable") or response.status != 200:
            return response
        renamed: dict[str, str] = {}
        for table in _tables(_region(request.url)):
            old = self._label(table)
            if old is not None:
                renamed[old] = str(table.latest_stream_label)
            self._hook(table)
        if not renamed:
            return response
        text = json.dumps(response.json())
        for old, new in renamed.items():
            text = text.replace(old, new)
        return response.with_json(json.loads(text))

    def _keep_rolled_back_streams(self, region: str, before: list[tuple[Any, Any, int]]) -> None:
        """After a cancelled transaction, keep the one stream its readers hold, minus its records.

        moto cancels a transaction by putting back a copy of each table taken before it; the
        copy's stream is a copy too, so a shard iterator handed out earlier would keep reading
        the old stream, records of the cancelled writes included. The old stream goes back into
        the restored table, trimmed to where it was before the transaction.
        """
        if not before:
            return
        current = {t.name: t for t in _tables(region)}
        for table, shard, length in before:
            restored = current.get(table.name)
            if restored is None or restored is table:
                continue
            del shard.items[length:]
            shard.table = restored
            restored.stream_shard = shard
            shard.add = _Hook(self, restored, shard)

    def hook_region(self, region: str) -> None:
        """Make sure every stream of ``region``'s tables goes through this correction."""
        for table in _tables(region):
            self._label(table)
            self._hook(table)

    def _label(self, table: Any) -> str | None:
        """Give a newly enabled stream a label on the lab clock; returns the label it replaced."""
        shard = table.stream_shard
        if shard is None or not table.latest_stream_label or shard in self._labelled:
            return None
        self._labelled.add(shard)
        old = str(table.latest_stream_label)
        now = self.clock.now()
        table.latest_stream_label = stream_label(now)
        shard.created_on = _naive_utc(now)
        return old

    def _hook(self, table: Any) -> None:
        """Route ``table``'s new stream records through :meth:`_add` (once per shard)."""
        shard = table.stream_shard
        if shard is None:
            return
        hook = shard.__dict__.get("add")
        if isinstance(hook, _Hook) and hook.correction is self:
            return
        shard.add = _Hook(self, table, shard)

    def _add(self, table: Any, shard: Any, old: Any, new: Any) -> None:
        original = type(shard).add.__get__(shard)
        old_image = old.to_json()["Attributes"] if old is not None else None
        new_image = new.to_json()["Attributes"] if new is not None else None
        if not self._on:
            original(old, new)
            return
        if old_image is not None and new_image is not None and same_image(old_image, new_image):
            self.dropped += 1
            return
        if old is None:
            self._forget_partial_insert(table, shard, new_image or {})
        before = len(shard.items)
        original(old, new)
        if len(shard.items) <= before:  # moto handed the records to a Lambda mapping
            return
        record = shard.items[-1].record
        origin = self._origin_now(table)
        self._stamp(table, record, old_image, new_image, origin)
        seq = int(record["dynamodb"]["SequenceNumber"])
        self._origins.setdefault(shard, {})[seq] = origin
        self._last_write.setdefault(table, {})[_key_id(table, old_image or new_image or {})] = (
            origin
        )

    def _forget_partial_insert(self, table: Any, shard: Any, new_image: dict[str, Any]) -> None:
        """Drop this request's earlier INSERT of the same item (moto's UpdateItem writes two).

        An UpdateItem on a missing item makes moto store the bare key first (one INSERT with the
        key only) and then the updated item (a second INSERT); DynamoDB emits one INSERT.
        """
        mark = self._marks.get(id(shard))
        if mark is None or len(shard.items) <= mark:
            return
        last = shard.items[-1].record
        if last["eventName"] != "INSERT":
            return
        if _key_id(table, last["dynamodb"]["Keys"]) != _key_id(table, new_image):
            return
        shard.items.pop()
        self._origins.get(shard, {}).pop(int(last["dynamodb"]["SequenceNumber"]), None)

    def _origin_now(self, table: Any) -> RecordOrigin:
        replicated: RecordOrigin | None = getattr(self._local, "origin", None)
        if replicated is not None:
            return RecordOrigin(replicated.time, replicated.region, replicated=True)
        service = bool(getattr(self._local, "service", False))
        return RecordOrigin(self.clock.now(), str(table.region_name), service=service)

    def _stamp(
        self,
        table: Any,
        record: dict[str, Any],
        old_image: dict[str, Any] | None,
        new_image: dict[str, Any] | None,
        origin: RecordOrigin,
    ) -> None:
        body = record["dynamodb"]
        now = self.clock.now()
        record["awsRegion"] = str(table.region_name)
        record["eventVersion"] = facts.STREAM_EVENT_VERSION
        record["eventID"] = hashlib.md5(  # an id, not a secret
            f"{table.table_arn}/{body['SequenceNumber']}".encode(), usedforsecurity=False
        ).hexdigest()
        body["ApproximateCreationDateTime"] = _naive_utc(float(int(now)))
        size = item_size(body["Keys"])
        for image in ("NewImage", "OldImage"):
            if image in body:
                size += item_size(body[image])
        body["SizeBytes"] = size
        if origin.service and new_image is None:
            record["userIdentity"] = {
                "PrincipalId": facts.TTL_PRINCIPAL_ID,
                "Type": facts.TTL_IDENTITY_TYPE,
            }


class _Hook:
    """A stream shard's ``add``, routed through the correction.

    moto deep-copies a table before a transaction and puts the copy back if the transaction is
    cancelled; the copy's hook then points at the copied table and shard, which keep their
    records' origins and their stream label.
    """

    def __init__(self, correction: StreamRecords, table: Any, shard: Any) -> None:
        self.correction = correction
        self.table = table
        self.shard = shard

    def __call__(self, old: Any, new: Any) -> None:
        self.correction._add(self.table, self.shard, old, new)

    def __deepcopy__(self, memo: dict[int, Any]) -> _Hook:
        table = memo.get(id(self.table), self.table)
        shard = memo.get(id(self.shard), self.shard)
        correction = self.correction
        if shard is not self.shard:
            correction._origins[shard] = dict(correction._origins.get(self.shard, {}))
            if self.shard in correction._labelled:
                correction._labelled.add(shard)
        if table is not self.table:
            correction._last_write[table] = dict(correction._last_write.get(self.table, {}))
        return _Hook(correction, table, shard)


def _key_id(table: Any, item: dict[str, Any]) -> str:
    key = {table.hash_key_attr: item.get(table.hash_key_attr)}
    if table.range_key_attr:
        key[table.range_key_attr] = item.get(table.range_key_attr)
    return json.dumps(_canonical(key), sort_keys=True)


def _tables(region: str) -> Iterable[Any]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return list(dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.values())


def find_stream_records(corrections: Iterable[Correction]) -> StreamRecords | None:
    """The :class:`StreamRecords` correction among ``corrections``, if there is one."""
    return next((c for c in corrections if isinstance(c, StreamRecords)), None)
