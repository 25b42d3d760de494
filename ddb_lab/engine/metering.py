"""Metering: ConsumedCapacity by DynamoDB's rules, and a ledger of what every request consumed.

moto stamps constants into ConsumedCapacity (1.0 for a write, 0.5 for a read, whatever the item's
size) and files a GSI query under ``LocalSecondaryIndexes``. This correction looks at the stored
items around moto's work (inside the engine's lock) and computes the units with
:mod:`ddb_lab.capacity`:

* GetItem: the stored item's size, whatever the projection; a missing item costs the minimum.
* PutItem, UpdateItem, DeleteItem: the larger of the item before and after, plus each secondary
  index's writes; a ConditionalCheckFailedException still costs the existing item's size.
* Query, Scan: every item the page read, before FilterExpression and ProjectionExpression, summed
  and then rounded to 4 KB; on an index, the projected entries, charged to the index.
* BatchGetItem: each item rounded on its own. BatchWriteItem: each write, per table.
* TransactGetItems, TransactWriteItems: double, per item (a ConditionCheck is charged as a
  transactional write of the checked item).

The response then carries what ``ReturnConsumedCapacity`` asked for (NONE: nothing), and the
engine's :class:`Ledger` records every metered request, asked for or not (``lab.receipt()``).

Used in: notebooks/05_capacity_and_partitions.ipynb.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, overload

from ddb_lab.capacity import (
    Consistency,
    IndexSpec,
    WriteCost,
    batch_get_read_units,
    delete_cost,
    item_size,
    put_cost,
    query_read_units,
    read_units,
    write_units,
)
from ddb_lab.engine.corrections import Correction, _region
from ddb_lab.engine.wire import WireRequest, WireResponse, with_params

__all__ = ["Ledger", "LedgerEntry", "Metering"]

log = logging.getLogger(__name__)

Item = dict[str, Any]
Kind = Literal["read", "write"]

#: The operations metered, and whether they read or write.
OPERATIONS: Mapping[str, Kind] = {
    "GetItem": "read",
    "Query": "read",
    "Scan": "read",
    "BatchGetItem": "read",
    "TransactGetItems": "read",
    "PutItem": "write",
    "UpdateItem": "write",
    "DeleteItem": "write",
    "BatchWriteItem": "write",
    "TransactWriteItems": "write",
}
_SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
#: DynamoDB splits the units into ReadCapacityUnits / WriteCapacityUnits only for transactions;
#: the other operations report the aggregate CapacityUnits alone (observed against DynamoDB by
#: the dynamodb-conformance suite; AWS's API examples show the same shape).
_SPLIT_OPERATIONS = frozenset({"TransactGetItems", "TransactWriteItems"})
#: Query/Scan members that shape what is returned but not what is read.
_RESULT_SHAPING = ("FilterExpression", "QueryFilter", "ScanFilter", "ConditionalOperator")
_PROJECTING = ("ProjectionExpression", "AttributesToGet")


# --- The ledger ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """What one request consumed on one table.

    Attributes:
        seq: The request's number (entries of one BatchGetItem over two tables share it).
        operation: The DynamoDB operation.
        table: The table.
        index: The index the request named (Query, Scan), or None.
        read_units: Read units, table and indexes together (RRU on-demand, RCU provisioned).
        write_units: Write units, table and indexes together.
        indexes: The units charged to each secondary index.
        on_demand: Whether the table is on-demand (PAY_PER_REQUEST).
    """

    seq: int
    operation: str
    table: str
    index: str | None
    read_units: float
    write_units: float
    indexes: Mapping[str, float]
    on_demand: bool


class Ledger(Sequence[LedgerEntry]):
    """Every metered request's consumption, oldest first; keeps the newest ``limit`` entries."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._entries: list[LedgerEntry] = []
        self._next = 0
        self._lock = threading.Lock()

    def next_seq(self) -> int:
        """The number the next request will get (``since(mark)`` takes it as a mark)."""
        return self._next

    def record(self, entries: Sequence[LedgerEntry]) -> None:
        with self._lock:
            self._entries.extend(entries)
            if len(self._entries) > self.limit:
                del self._entries[: len(self._entries) - self.limit // 2]

    def add_reads_to_last(self, table: str, operation: str, read_units: float) -> bool:
        """Add ``read_units`` to the newest entry if it is ``operation`` on ``table``.

        For a correction that reads more on behalf of the same request (an LSI fetching from its
        table): the receipt keeps showing one call. Returns whether an entry was changed.
        """
        with self._lock:
            last = self._entries[-1] if self._entries else None
            if last is None or last.table != table or last.operation != operation:
                return False
            self._entries[-1] = replace(last, read_units=last.read_units + read_units)
            return True

    def take_seq(self) -> int:
        with self._lock:
            seq = self._next
            self._next += 1
            return seq

    def since(self, mark: int, until: int | None = None) -> list[LedgerEntry]:
        """Entries of requests numbered ``mark`` or later (and before ``until``)."""
        with self._lock:
            return [e for e in self._entries if e.seq >= mark and (until is None or e.seq < until)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @overload
    def __getitem__(self, index: int) -> LedgerEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[LedgerEntry]: ...
    def __getitem__(self, index: int | slice) -> LedgerEntry | list[LedgerEntry]:
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(list(self._entries))

    def __repr__(self) -> str:
        return f"<Ledger: {len(self)} entries>"


# --- Tables and items as moto holds them ---------------------------------------------------------


@dataclass
class _Table:
    """A moto table with what metering needs: keys, indexes, capacity mode."""

    name: str
    model: Any
    hash_key: str
    range_key: str | None
    global_indexes: list[IndexSpec]
    local_indexes: list[IndexSpec]
    on_demand: bool

    @property
    def indexes(self) -> list[IndexSpec]:
        return self.global_indexes + self.local_indexes

    def key_id(self, values: Mapping[str, Any]) -> str:
        """A hashable id of the item's key, from an item or a Key."""
        key = {self.hash_key: values.get(self.hash_key)}
        if self.range_key:
            key[self.range_key] = values.get(self.range_key)
        return json.dumps(key, sort_keys=True)

    def stored(self, key: Mapping[str, Any]) -> Item | None:
        """The stored item with ``key`` (a Key or a whole item), in the low-level format."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        hash_value = key.get(self.hash_key)
        if not isinstance(hash_value, dict):
            return None
        items = self.model.items  # a defaultdict: .get() so that looking never adds a bucket
        found = items.get(DynamoType(hash_value))
        if self.range_key is not None:
            range_value = key.get(self.range_key)
            if found is None or not isinstance(range_value, dict):
                return None
            found = found.get(DynamoType(range_value))
        if found is None:
            return None
        return _snapshot(found.to_json()["Attributes"])


def _snapshot(item: Item) -> Item:
    """A copy that later changes to the stored item cannot reach (sets are shared lists)."""
    copy: Item = {}
    for name, value in item.items():
        ((kind, inner),) = value.items()
        copy[name] = {kind: list(inner) if isinstance(inner, list) else inner}
    return copy


def _load_table(region: str, name: str) -> _Table | None:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    model = backend.tables.get(name)
    if model is None:
        try:
            model = backend.get_table(name)  # by ARN
        except Exception:
            return None
    schema = model.schema
    return _Table(
        name=model.name,
        model=model,
        hash_key=model.hash_key_attr,
        range_key=model.range_key_attr,
        global_indexes=[
            IndexSpec.from_description(index.describe(), schema) for index in model.global_indexes
        ],
        local_indexes=[
            IndexSpec.from_description(index.describe(), schema) for index in model.indexes
        ],
        on_demand=model.billing_mode == "PAY_PER_REQUEST",
    )


# --- One request's consumption -------------------------------------------------------------------


@dataclass
class _Usage:
    """What one request consumed on one table, split the way ConsumedCapacity reports it."""

    table: _Table
    kind: Kind
    index: str | None = None
    table_units: float = 0.0
    global_indexes: dict[str, float] = field(default_factory=dict)
    local_indexes: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return (
            self.table_units + sum(self.global_indexes.values()) + sum(self.local_indexes.values())
        )

    def add_write(self, cost: WriteCost) -> None:
        self.table_units += cost.table
        global_names = {spec.name for spec in self.table.global_indexes}
        for name, units in cost.indexes.items():
            if units:
                bucket = self.global_indexes if name in global_names else self.local_indexes
                bucket[name] = bucket.get(name, 0.0) + units

    def add_index_read(self, index: str, units: float) -> None:
        if any(spec.name == index for spec in self.table.global_indexes):
            self.global_indexes[index] = self.global_indexes.get(index, 0.0) + units
        else:
            self.local_indexes[index] = self.local_indexes.get(index, 0.0) + units

    def entry(self, seq: int, operation: str) -> LedgerEntry:
        total = float(self.total)
        return LedgerEntry(
            seq=seq,
            operation=operation,
            table=self.table.name,
            index=self.index,
            read_units=total if self.kind == "read" else 0.0,
            write_units=total if self.kind == "write" else 0.0,
            indexes={**self.global_indexes, **self.local_indexes},
            on_demand=self.table.on_demand,
        )

    def consumed_capacity(self, mode: str, split: bool) -> dict[str, Any]:
        """The ConsumedCapacity object DynamoDB answers with for ``mode`` TOTAL or INDEXES."""
        split_name = "ReadCapacityUnits" if self.kind == "read" else "WriteCapacityUnits"

        def capacity(units: float) -> dict[str, float]:
            shown = {"CapacityUnits": float(units)}
            if split:
                shown[split_name] = float(units)
            return shown

        answer: dict[str, Any] = {"TableName": self.table.name, **capacity(self.total)}
        if mode == "INDEXES":
            answer["Table"] = capacity(self.table_units)
            if self.global_indexes:
                answer["GlobalSecondaryIndexes"] = {
                    name: capacity(units) for name, units in self.global_indexes.items()
                }
            if self.local_indexes:
                answer["LocalSecondaryIndexes"] = {
                    name: capacity(units) for name, units in self.local_indexes.items()
                }
        return answer


def _consistency(params: Mapping[str, Any]) -> Consistency:
    return "strong" if params.get("ConsistentRead") is True else "eventual"


# --- The correction ------------------------------------------------------------------------------


class Metering(Correction):
    """ConsumedCapacity from item sizes, by DynamoDB's rules; every request in the ledger."""

    name = "metering"
    summary = (
        "ConsumedCapacity is computed from item sizes (reads per 4 KB, writes per 1 KB, indexes, "
        "transactions x2) and every request is recorded for lab.receipt()."
    )

    def __init__(self) -> None:
        self.ledger = Ledger()
        #: Requests whose metering failed (logged, never shown to the learner).
        self.failures = 0
        #: Filtered or projected Query/Scan pages sized by walking moto's table / by moto again.
        self.walked = 0
        self.read_again = 0

    # -- hooks -------------------------------------------------------------------------------------
    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        operation = request.operation
        if request.is_streams or operation not in OPERATIONS:
            return
        region = _region(request.url)
        state["region"] = region
        tables: dict[str, _Table | None] = {}
        state["tables"] = tables
        if OPERATIONS[operation] != "write":
            return
        try:
            old: dict[tuple[str, str], Item | None] = {}
            for table_name, key in _write_targets(request.params, operation):
                table = self._table(tables, region, table_name)
                if table is not None:
                    old[(table.name, table.key_id(key))] = table.stored(key)
            state["old"] = old
        except Exception:
            self._failed(operation)

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        operation = request.operation
        if "tables" not in state:
            return response
        try:
            return self._settle(request, response, state)
        except Exception:
            self._failed(operation)
            return response

    def _failed(self, operation: str) -> None:
        self.failures += 1
        log.warning("metering %s failed; moto's ConsumedCapacity is left", operation, exc_info=True)

    @staticmethod
    def _table(tables: dict[str, _Table | None], region: str, name: str) -> _Table | None:
        if name not in tables:
            tables[name] = _load_table(region, name)
        return tables[name]

    # -- the work ----------------------------------------------------------------------------------
    def _settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        operation = request.operation
        params = request.params
        if response.status != 200:
            usages = self._failed_write(request, response, state)
            if usages:
                seq = self.ledger.take_seq()
                self.ledger.record([u.entry(seq, operation) for u in usages])
            return response
        data: dict[str, Any] | None = None
        if operation in ("Query", "Scan", "BatchGetItem"):
            data = response.json()
        usages = self._usages(request, state, data)
        seq = self.ledger.take_seq()
        self.ledger.record([u.entry(seq, operation) for u in usages])

        mode = params.get("ReturnConsumedCapacity") or "NONE"
        if mode == "NONE" and b"ConsumedCapacity" not in response.body:
            return response
        if data is None:
            data = response.json()
        data.pop("ConsumedCapacity", None)
        data.pop("ConsumedCapacityUnits", None)  # moto's DeleteItem adds this pre-2012 field
        if mode in ("TOTAL", "INDEXES"):
            split = operation in _SPLIT_OPERATIONS
            shown = [u.consumed_capacity(mode, split) for u in usages]
            if operation in ("BatchGetItem", "BatchWriteItem", *_SPLIT_OPERATIONS):
                data["ConsumedCapacity"] = shown
            elif shown:
                data["ConsumedCapacity"] = shown[0]
        return response.with_json(data)

    def _usages(
        self, request: WireRequest, state: dict[str, Any], data: dict[str, Any] | None
    ) -> list[_Usage]:
        operation = request.operation
        params = request.params
        region: str = state["region"]
        tables: dict[str, _Table | None] = state["tables"]

        def table(name: str) -> _Table | None:
            return self._table(tables, region, name)

        if operation == "GetItem":
            found = table(params.get("TableName", ""))
            if found is None:
                return []
            item = found.stored(params.get("Key") or {})
            size = item_size(item) if item else 0
            return [_Usage(found, "read", table_units=read_units(size, _consistency(params)))]
        if operation in ("Query", "Scan"):
            found = table(params.get("TableName", ""))
            if found is None or data is None:
                return []
            sizes = self._page_sizes(request, found, data)
            units = query_read_units(sizes, _consistency(params))
            index = params.get("IndexName")
            usage = _Usage(found, "read", index=index)
            if index:
                usage.add_index_read(index, units)
            else:
                usage.table_units = units
            return [usage]
        if operation == "BatchGetItem":
            return self._batch_get(params, data or {}, table)
        if operation == "TransactGetItems":
            usages: dict[str, _Usage] = {}
            for action in params.get("TransactItems") or []:
                get = action.get("Get") or {}
                found = table(get.get("TableName", ""))
                if found is None:
                    continue
                item = found.stored(get.get("Key") or {})
                usage = usages.setdefault(found.name, _Usage(found, "read"))
                usage.table_units += read_units(item_size(item) if item else 0, "transactional")
            return list(usages.values())
        # writes
        old: dict[tuple[str, str], Item | None] = state.get("old", {})
        transactional = operation == "TransactWriteItems"
        usages = {}
        for table_name, key, action in _write_actions(params, operation):
            found = table(table_name)
            if found is None:
                continue
            before = old.get((found.name, found.key_id(key)))
            usage = usages.setdefault(found.name, _Usage(found, "write"))
            if action == "Delete":
                usage.add_write(delete_cost(before, found.indexes, transactional))
            elif action == "ConditionCheck":
                size = item_size(before) if before else 0
                usage.table_units += write_units(size, transactional=True)
            else:  # Put, Update: the item as moto now holds it
                after = found.stored(key)
                if after is None:
                    usage.add_write(delete_cost(before, found.indexes, transactional))
                else:
                    usage.add_write(put_cost(before, after, found.indexes, transactional))
        return list(usages.values())

    def _failed_write(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> list[_Usage]:
        """A conditional write that failed still costs the existing item's size (at least 1)."""
        if request.operation not in _SINGLE_WRITES:
            return []
        if not response.json().get("__type", "").endswith("ConditionalCheckFailedException"):
            return []
        name = request.params.get("TableName", "")
        found = self._table(state["tables"], state["region"], name)
        if found is None:
            return []
        key = request.params.get("Item") or request.params.get("Key") or {}
        existing = state.get("old", {}).get((found.name, found.key_id(key)))
        size = item_size(existing) if existing else 0
        return [_Usage(found, "write", table_units=write_units(size))]

    def _batch_get(
        self, params: Mapping[str, Any], data: Mapping[str, Any], table: Any
    ) -> list[_Usage]:
        usages = []
        unprocessed = data.get("UnprocessedKeys") or {}
        for name, spec in (params.get("RequestItems") or {}).items():
            found = table(name)
            if found is None:
                continue
            skipped = {found.key_id(key) for key in (unprocessed.get(name) or {}).get("Keys") or []}
            sizes = []
            for key in spec.get("Keys") or []:
                if found.key_id(key) in skipped:
                    continue
                item = found.stored(key)
                sizes.append(item_size(item) if item else 0)
            units = batch_get_read_units(sizes, _consistency(spec))
            usages.append(_Usage(found, "read", table_units=units))
        return usages

    # -- Query and Scan --------------------------------------------------------------------------
    def _page_sizes(
        self, request: WireRequest, table: _Table, data: Mapping[str, Any]
    ) -> list[int]:
        """Sizes of the items the page read, before its filter and projection.

        When nothing shaped the result (no filter, no projection, no COUNT), or the filter kept
        every item read, the returned items are the ones read. Otherwise the page is walked again
        in moto's table (a Query or Scan of the table itself), or, on an index, moto runs the
        same page again without the filter and projection (same ExclusiveStartKey, Limit =
        ScannedCount).
        """
        params = request.params
        scanned = int(data.get("ScannedCount") or 0)
        if scanned == 0:
            return []
        items = data.get("Items")
        shaped = any(params.get(m) for m in _PROJECTING) or params.get("Select") in (
            "COUNT",
            "SPECIFIC_ATTRIBUTES",
        )
        filtered = any(params.get(m) for m in _RESULT_SHAPING)
        if isinstance(items, list) and not shaped and (not filtered or len(items) == scanned):
            return [item_size(item) for item in items]
        walked = _walk_page(table, request.operation, params, data, scanned)
        if walked is not None:
            self.walked += 1
            return [item_size(item.to_json()["Attributes"]) for item in walked]
        self.read_again += 1
        read = self._read_again(request, scanned)
        return [item_size(item) for item in read]

    def _read_again(self, request: WireRequest, scanned: int) -> list[Item]:
        from moto.core.models import botocore_stubber

        body = {
            k: v
            for k, v in request.params.items()
            if k not in (*_RESULT_SHAPING, *_PROJECTING, "Select", "ReturnConsumedCapacity")
        }
        body["Limit"] = scanned
        key_condition = body.get("KeyConditionExpression")
        names = body.pop("ExpressionAttributeNames", None) or {}
        values = body.pop("ExpressionAttributeValues", None) or {}
        if isinstance(key_condition, str):
            used_names = {n: v for n, v in names.items() if n in key_condition}
            used_values = {n: v for n, v in values.items() if n in key_condition}
            if used_names:
                body["ExpressionAttributeNames"] = used_names
            if used_values:
                body["ExpressionAttributeValues"] = used_values
        again = with_params(request, body)
        answer = botocore_stubber.process_request(again)
        if answer is None:
            raise RuntimeError("moto did not answer the metering re-read")
        status, _, text = answer
        if int(status) != 200:
            raise RuntimeError(f"the metering re-read failed: {text!r}")
        data = json.loads(text)
        items = data.get("Items") or []
        if int(data.get("ScannedCount") or 0) != scanned:
            raise RuntimeError("the metering re-read read a different page")
        return [item for item in items if isinstance(item, dict)]


# --- A Query or Scan page, walked again in moto's table -------------------------------------------


def _walk_page(
    table: _Table,
    operation: str,
    params: Mapping[str, Any],
    data: Mapping[str, Any],
    scanned: int,
) -> list[Any] | None:
    """The ``scanned`` items a page of the table itself read, as moto's Item objects.

    Walks the items in moto's order from the ExclusiveStartKey, as moto's ``Table.query`` and
    ``Table.scan`` do, without copying, filtering or projecting them. Returns None when this does
    not apply (an index, the legacy KeyConditions or filters, a multi-attribute key) or when the
    walk does not end where moto's page ended (its LastEvaluatedKey); the caller then asks moto.
    """
    if params.get("IndexName") or any(params.get(m) for m in ("QueryFilter", "ScanFilter")):
        return None
    model = table.model
    start = params.get("ExclusiveStartKey")
    if operation == "Query":
        candidates = _query_candidates(table, params)
        if candidates is None:
            return None
        forward = params.get("ScanIndexForward", True) is not False
        if not forward:
            candidates.reverse()
    else:
        segment, total = params.get("Segment"), params.get("TotalSegments")
        segments = (segment, total) if isinstance(segment, int) else (None, None)
        candidates = [item for item in model.all_items() if item.is_within_segment(segments)]
        forward = True
    position = 0
    if isinstance(start, dict):
        hash_attrs, range_attrs = [table.hash_key], [table.range_key]
        while position < len(candidates) and model._item_comes_before_dct(
            candidates[position], start, hash_attrs, range_attrs, forward
        ):
            position += 1
    read = candidates[position : position + scanned]
    more = position + scanned < len(candidates)
    if len(read) != scanned:
        return None
    last_key = data.get("LastEvaluatedKey")
    if last_key is None:
        return None if more else read
    if table.key_id(last_key) != table.key_id(read[-1].to_json()["Attributes"]):
        return None
    return read


def _query_candidates(table: _Table, params: Mapping[str, Any]) -> list[Any] | None:
    """The items of the queried partition that meet the key condition, in sort-key order."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.parsing.key_condition_expression import parse_expression

    expression = params.get("KeyConditionExpression")
    if not isinstance(expression, str):
        return None
    hash_conditions, range_conditions, _ = parse_expression(
        key_condition_expression=expression,
        expression_attribute_values=params.get("ExpressionAttributeValues") or {},
        expression_attribute_names=params.get("ExpressionAttributeNames") or {},
        schema=table.model.schema,
    )
    if len(hash_conditions) != 1 or hash_conditions[0][0] != table.hash_key:
        return None
    bucket = table.model.items.get(DynamoType(hash_conditions[0][1]))
    if bucket is None:
        return []
    if table.range_key is None:
        return [bucket]
    items = sorted(bucket.values(), key=lambda item: item.range_key)
    if not range_conditions:
        return items
    if len(range_conditions) != 1 or range_conditions[0][0] != table.range_key:
        return None
    _, comparison, values = range_conditions[0]
    operands = [DynamoType(value) for value in values]
    return [item for item in items if item.range_key.compare(comparison, operands)]


# --- What a write request touches ----------------------------------------------------------------


def _write_actions(
    params: Mapping[str, Any], operation: str
) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """(table, key or item, action) for every item a write request writes or checks."""
    if operation == "PutItem":
        yield params.get("TableName", ""), params.get("Item") or {}, "Put"
    elif operation == "UpdateItem":
        yield params.get("TableName", ""), params.get("Key") or {}, "Update"
    elif operation == "DeleteItem":
        yield params.get("TableName", ""), params.get("Key") or {}, "Delete"
    elif operation == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for entry in requests or []:
                if "PutRequest" in entry:
                    yield table, (entry["PutRequest"] or {}).get("Item") or {}, "Put"
                elif "DeleteRequest" in entry:
                    yield table, (entry["DeleteRequest"] or {}).get("Key") or {}, "Delete"
    elif operation == "TransactWriteItems":
        for action in params.get("TransactItems") or []:
            for kind in ("Put", "Update", "Delete", "ConditionCheck"):
                body = action.get(kind)
                if isinstance(body, dict):
                    key = body.get("Item") if kind == "Put" else body.get("Key")
                    yield body.get("TableName", ""), key or {}, kind


def _write_targets(
    params: Mapping[str, Any], operation: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for table, key, _ in _write_actions(params, operation):
        yield table, key
