"""Secondary indexes: DynamoDB's rules for defining and reading them, and a GSI's lag.

moto creates whatever index definitions it is given, answers index reads with the index entries
alone, and updates every index synchronously. Three corrections restore what DynamoDB does:

* :class:`IndexRules` (``index_rules``) rejects, with DynamoDB's error code and message, the index
  definitions DynamoDB rejects and moto accepts: more than 20 GSIs or 5 LSIs, an LSI on a table
  without a sort key or with another partition key, a duplicate index name, NonKeyAttributes with
  a projection other than INCLUDE (or INCLUDE without them, or twice the same), more than 100
  projected attributes over all indexes; on UpdateTable, more than one index created or deleted
  per call, a new GSI whose key attributes the call does not define, an index name already taken,
  and an LSI named in GlobalSecondaryIndexUpdates (LSIs exist only from CreateTable). It also
  rejects an item whose index key attribute has the wrong type (PutItem, BatchWriteItem,
  TransactWriteItems), which moto stores and then leaves out of the index, and a read of a GSI
  whose ProjectionExpression names attributes the index does not project (moto leaves them out).

* :class:`LsiFetch` (``lsi_fetch``): a Query or Scan of a local secondary index that asks for
  attributes the index does not project gets them from the table, and pays a read of each item,
  as in DynamoDB (moto returns the index entries alone). A GSI never fetches: asking one for
  attributes it does not project is an error (``index_rules``).
* :class:`GsiLag` (``gsi_lag``) simulates the asynchronous propagation of writes to global
  secondary indexes on the lab clock: with a lag of ``L`` seconds, an item written at ``t``
  shows up in a GSI Query or Scan only from ``t + L``; until then the index answers with the
  version it held before (or without the item, if it had none). Off (``L = 0``) unless
  ``lab.simulate_gsi_lag(L)`` switches it on. It is a simulation with simplifications: a deleted
  item leaves the index at once, and an item whose index key changed is missing from the index
  until the lag has passed (DynamoDB would still show it under the old key). Base-table reads and
  LSIs are never delayed.

Not modelled: the 10 GB item-collection limit of tables with an LSI (and
``ReturnItemCollectionMetrics``), and index backfilling (a new GSI is ACTIVE at once).

Used in: notebooks/03_secondary_indexes.ipynb.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ddb_lab import facts
from ddb_lab.capacity import Consistency, IndexSpec, item_size, read_units
from ddb_lab.clock import Clock, RealClock
from ddb_lab.engine.corrections import Correction, _region
from ddb_lab.engine.wire import DynamoError, WireRequest, WireResponse, with_params

__all__ = ["GsiLag", "IndexRules", "LsiFetch", "find_gsi_lag"]

Item = dict[str, Any]
_INVALID = "ValidationException"
_LIMIT = "LimitExceededException"


# --- Definitions ---------------------------------------------------------------------------------


def _key_names(schema: Any) -> tuple[str | None, str | None]:
    """(partition key, sort key) of a KeySchema list, None where absent."""
    hash_key = range_key = None
    for element in schema if isinstance(schema, list) else []:
        if not isinstance(element, dict):
            continue
        if element.get("KeyType") == "HASH":
            hash_key = element.get("AttributeName")
        elif element.get("KeyType") == "RANGE":
            range_key = element.get("AttributeName")
    return hash_key, range_key


def _indexes(params: Mapping[str, Any], member: str) -> list[dict[str, Any]]:
    value = params.get(member)
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _check_projection(index: Mapping[str, Any]) -> list[str]:
    """The index's NonKeyAttributes after checking its Projection as DynamoDB does."""
    projection = index.get("Projection")
    projection = projection if isinstance(projection, dict) else {}
    kind = projection.get("ProjectionType")
    if kind is None:
        raise DynamoError(_INVALID, facts.MSG_PROJECTION_TYPE_MISSING)
    non_key = projection.get("NonKeyAttributes")
    if non_key is not None and kind != "INCLUDE":
        raise DynamoError(_INVALID, facts.MSG_NON_KEY_NOT_ALLOWED.format(projection=kind))
    if kind != "INCLUDE":
        return []
    if not non_key:
        raise DynamoError(_INVALID, facts.MSG_NON_KEY_MISSING)
    names = [str(name) for name in non_key]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DynamoError(_INVALID, facts.MSG_NON_KEY_DUPLICATE.format(name=name))
        seen.add(name)
    return names


def _check_projected_total(total: int) -> None:
    if total > facts.MAX_PROJECTED_ATTRIBUTES:
        raise DynamoError(
            _INVALID, facts.MSG_PROJECTED_ATTRIBUTES.format(limit=facts.MAX_PROJECTED_ATTRIBUTES)
        )


def check_create_table(params: Mapping[str, Any]) -> None:
    """Raise DynamoDB's error for the index definitions of a CreateTable that it rejects."""
    table_hash, table_range = _key_names(params.get("KeySchema"))
    names: set[str] = set()
    projected = 0
    local = _indexes(params, "LocalSecondaryIndexes")
    if local and table_range is None:
        raise DynamoError(_INVALID, facts.MSG_LSI_TABLE_NO_RANGE)
    for index in local:
        name = str(index.get("IndexName"))
        index_hash, index_range = _key_names(index.get("KeySchema"))
        if index_range is None:
            raise DynamoError(_INVALID, facts.MSG_LSI_NO_RANGE.format(index=name))
        if index_hash != table_hash:
            raise DynamoError(
                _INVALID,
                facts.MSG_LSI_HASH_KEY.format(
                    index=name, index_hash=index_hash, table_hash=table_hash
                ),
            )
        projected += len(_check_projection(index))
        if name in names:
            raise DynamoError(_INVALID, facts.MSG_DUPLICATE_INDEX.format(index=name))
        names.add(name)
    if len(local) > facts.MAX_LSIS_PER_TABLE:
        raise DynamoError(_INVALID, facts.MSG_LSI_COUNT.format(limit=facts.MAX_LSIS_PER_TABLE))
    global_ = _indexes(params, "GlobalSecondaryIndexes")
    for index in global_:
        name = str(index.get("IndexName"))
        projected += len(_check_projection(index))
        if name in names:
            raise DynamoError(_INVALID, facts.MSG_DUPLICATE_INDEX.format(index=name))
        names.add(name)
    if len(global_) > facts.MAX_GSIS_PER_TABLE:
        raise DynamoError(_INVALID, facts.MSG_GSI_COUNT.format(limit=facts.MAX_GSIS_PER_TABLE))
    _check_projected_total(projected)


@dataclass(frozen=True)
class _StoredIndexes:
    """The indexes a table already has, as moto holds them."""

    global_names: tuple[str, ...]
    local_names: tuple[str, ...]
    projected: int
    key_types: Mapping[str, str]
    #: (index name, partition key, sort key) of every index, GSIs first.
    keys: tuple[tuple[str, str | None, str | None], ...]
    #: The attributes each GSI holds (None: ALL of them).
    gsi_attributes: Mapping[str, frozenset[str] | None] = field(default_factory=dict)


def _stored_indexes(region: str, table_name: str) -> _StoredIndexes | None:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    model = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.get(table_name)
    if model is None:
        return None
    every = list(model.global_indexes) + list(model.indexes)
    projected = 0
    for index in every:
        projection = index.projection or {}
        if projection.get("ProjectionType") == "INCLUDE":
            projected += len(projection.get("NonKeyAttributes") or [])
    table_keys = {str(k) for k in (model.hash_key_attr, model.range_key_attr) if k}
    gsi_attributes: dict[str, frozenset[str] | None] = {}
    for index in model.global_indexes:
        projection = index.projection or {}
        if projection.get("ProjectionType", "ALL") == "ALL":
            gsi_attributes[index.name] = None
        else:
            names = {*table_keys, *(str(k) for k in _key_names(index.schema) if k)}
            names.update(projection.get("NonKeyAttributes") or [])
            gsi_attributes[index.name] = frozenset(names)
    return _StoredIndexes(
        gsi_attributes=gsi_attributes,
        global_names=tuple(index.name for index in model.global_indexes),
        local_names=tuple(index.name for index in model.indexes),
        projected=projected,
        key_types={a["AttributeName"]: a["AttributeType"] for a in model.attr},
        keys=tuple((index.name, *_key_names(index.schema)) for index in every),
    )


def check_update_table(params: Mapping[str, Any], stored: _StoredIndexes) -> None:
    """Raise DynamoDB's error for the GlobalSecondaryIndexUpdates of an UpdateTable it rejects."""
    updates = params.get("GlobalSecondaryIndexUpdates")
    if not isinstance(updates, list):
        return
    actions = [u for u in updates if isinstance(u, dict)]
    online = sum(
        1 for u in actions for kind in ("Create", "Delete") if isinstance(u.get(kind), dict)
    )
    if online > facts.MAX_INDEX_CREATES_PER_UPDATE:
        raise DynamoError(_LIMIT, facts.MSG_ONE_INDEX_PER_UPDATE)
    defined = {
        d.get("AttributeName")
        for d in params.get("AttributeDefinitions") or []
        if isinstance(d, dict)
    }
    for update in actions:
        for kind in ("Delete", "Update"):
            body = update.get(kind)
            if not isinstance(body, dict):
                continue
            name = body.get("IndexName")
            if name in stored.local_names:
                raise DynamoError(
                    _INVALID, facts.MSG_NOT_A_GSI.format(action=kind.lower(), index=name)
                )
            if name not in stored.global_names:
                raise DynamoError(
                    "ResourceNotFoundException",
                    facts.MSG_INDEX_NOT_FOUND.format(index=name, table=params.get("TableName")),
                )
        create = update.get("Create")
        if not isinstance(create, dict):
            continue
        name = str(create.get("IndexName"))
        if name in stored.global_names or name in stored.local_names:
            raise DynamoError(_INVALID, facts.MSG_INDEX_EXISTS)
        keys = [k for k in _key_names(create.get("KeySchema")) if k is not None]
        if any(key not in defined for key in keys):
            raise DynamoError(_INVALID, facts.MSG_INDEX_ATTRIBUTES_MISSING.format(index=name))
        added = len(_check_projection(create))
        if len(stored.global_names) + 1 > facts.MAX_GSIS_PER_TABLE:
            raise DynamoError(
                _LIMIT, facts.MSG_GSI_COUNT_UPDATE.format(limit=facts.MAX_GSIS_PER_TABLE)
            )
        _check_projected_total(stored.projected + added)


# --- Reading a GSI ------------------------------------------------------------------------------


def _requested_attributes(params: Mapping[str, Any]) -> list[str]:
    """The top-level attribute names a ProjectionExpression (or AttributesToGet) asks for."""
    names = params.get("ExpressionAttributeNames") or {}
    requested: list[str] = []
    expression = params.get("ProjectionExpression")
    if isinstance(expression, str):
        for path in expression.split(","):
            first = re.split(r"[.\[]", path.strip(), maxsplit=1)[0].strip()
            if first:
                requested.append(str(names.get(first, first)))
    legacy = params.get("AttributesToGet")
    if isinstance(legacy, list):
        requested.extend(str(name) for name in legacy)
    return requested


def check_gsi_projection(params: Mapping[str, Any], stored: _StoredIndexes) -> None:
    """Raise DynamoDB's error when a GSI read asks for attributes the index does not project."""
    index = params.get("IndexName")
    if not isinstance(index, str) or index not in stored.gsi_attributes:
        return
    holds = stored.gsi_attributes[index]
    if holds is None:
        return
    missing = [name for name in dict.fromkeys(_requested_attributes(params)) if name not in holds]
    if missing:
        raise DynamoError(
            _INVALID, facts.MSG_GSI_NOT_PROJECTED.format(index=index, names=", ".join(missing))
        )


# --- Index key types of written items ------------------------------------------------------------


def _put_items(
    params: Mapping[str, Any], operation: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if operation == "PutItem" and isinstance(params.get("Item"), dict):
        yield params.get("TableName", ""), params["Item"]
    elif operation == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for entry in requests if isinstance(requests, list) else []:
                item = (entry.get("PutRequest") or {}).get("Item")
                if isinstance(item, dict):
                    yield table, item
    elif operation == "TransactWriteItems":
        for action in params.get("TransactItems") or []:
            put = action.get("Put") if isinstance(action, dict) else None
            if isinstance(put, dict) and isinstance(put.get("Item"), dict):
                yield put.get("TableName", ""), put["Item"]


def check_index_key_types(item: Mapping[str, Any], stored: _StoredIndexes) -> None:
    """Raise DynamoDB's error when an index key attribute of ``item`` has the wrong type.

    An item may leave an index key out (it is then not in that index: a sparse index), but an
    index key it carries must have the type of the AttributeDefinitions; NULL is a type too.
    """
    for index, *keys in stored.keys:
        for key in keys:
            value = item.get(key) if key else None
            if not isinstance(value, dict) or not value:
                continue
            actual = next(iter(value))
            expected = stored.key_types.get(str(key))
            if expected is not None and actual != expected:
                raise DynamoError(
                    _INVALID,
                    facts.MSG_INDEX_KEY_TYPE.format(
                        key=key, expected=expected, actual=actual, index=index
                    ),
                )


class IndexRules(Correction):
    """DynamoDB's rules for index definitions and index key types (see the module docstring)."""

    name = "index_rules"
    summary = (
        "Index definitions follow DynamoDB's rules (20 GSIs, 5 LSIs, LSI keys, projections, 100 "
        "projected attributes, one index per UpdateTable) and index keys have their defined type."
    )

    def check(self, request: WireRequest) -> None:
        if request.is_streams:
            return
        operation = request.operation
        params = request.params
        if operation == "CreateTable":
            check_create_table(params)
            return
        region = _region(request.url)
        if operation == "UpdateTable":
            stored = _stored_indexes(region, str(params.get("TableName", "")))
            if stored is not None:
                check_update_table(params, stored)
            return
        if operation in ("Query", "Scan"):
            stored = _stored_indexes(region, str(params.get("TableName", "")))
            if stored is not None:
                check_gsi_projection(params, stored)
            return
        found: dict[str, _StoredIndexes | None] = {}
        for table, item in _put_items(params, operation):
            if table not in found:
                found[table] = _stored_indexes(region, table)
            stored = found[table]
            if stored is not None and stored.keys:
                check_index_key_types(item, stored)


# --- Propagation lag -----------------------------------------------------------------------------


#: Pending writes kept before settle() drops the ones already visible.
_PENDING_PRUNE_AT = 10_000


@dataclass(frozen=True)
class _Pending:
    """A write not yet visible in the table's GSIs: until ``visible_at`` they hold ``old``."""

    visible_at: float
    old: Item | None


class GsiLag(Correction):
    """Writes reach global secondary indexes ``lag`` seconds later, on the lab clock."""

    name = "gsi_lag"
    summary = (
        "Simulated: a write shows up in GSI queries and scans only after the lag set with "
        "lab.simulate_gsi_lag(seconds) (0, the default, is off)."
    )

    def __init__(self, clock: Clock | None = None, lag: float = 0.0) -> None:
        self.clock: Clock = clock or RealClock()
        self.lag = float(lag)
        self._pending: dict[tuple[str, str, str], _Pending] = {}
        self._lock = threading.Lock()

    def configure(self, clock: Clock, lag: float) -> None:
        """Use ``clock`` and a lag of ``lag`` seconds (0 switches the simulation off)."""
        if lag < 0:
            raise ValueError("the lag cannot be negative")
        with self._lock:
            self.clock = clock
            self.lag = float(lag)
            if not lag:
                self._pending.clear()

    def pending(self) -> int:
        """How many written items are not yet visible in their table's GSIs."""
        now = self.clock.now()
        with self._lock:
            return sum(1 for p in self._pending.values() if p.visible_at > now)

    # -- writes ------------------------------------------------------------------------------------
    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        from ddb_lab.engine.metering import OPERATIONS, _load_table, _write_targets

        if not self.lag or request.is_streams or OPERATIONS.get(request.operation) != "write":
            return
        region = _region(request.url)
        olds: list[tuple[Any, str, Item | None, Mapping[str, Any]]] = []
        tables: dict[str, Any] = {}
        for name, key in _write_targets(request.params, request.operation):
            if name not in tables:
                tables[name] = _load_table(region, name)
            table = tables[name]
            if table is not None and table.global_indexes:
                olds.append((table, table.key_id(key), table.stored(key), key))
        state["olds"] = olds
        state["region"] = region

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        if response.status != 200 or not state.get("olds"):
            return response
        now = self.clock.now()
        visible_at = now + self.lag
        with self._lock:
            if len(self._pending) > _PENDING_PRUNE_AT:  # writes that no GSI read pruned
                self._pending = {k: p for k, p in self._pending.items() if p.visible_at > now}
            for table, key_id, old, key in state["olds"]:
                new = table.stored(key)
                if new == old:
                    continue  # unchanged (a failed condition check, an unprocessed write)
                slot = (state["region"], table.name, key_id)
                earlier = self._pending.get(slot)
                if earlier is not None and earlier.visible_at > now:
                    old = earlier.old  # the index still holds the version before that write
                self._pending[slot] = _Pending(visible_at, old)
        return response

    # -- index reads -------------------------------------------------------------------------------
    def after(self, request: WireRequest, response: WireResponse) -> WireResponse:
        from ddb_lab.engine.metering import _load_table

        if not self.lag or response.status != 200 or request.operation not in ("Query", "Scan"):
            return response
        index_name = request.params.get("IndexName")
        if not index_name:
            return response
        region = _region(request.url)
        table = _load_table(region, str(request.params.get("TableName", "")))
        spec = (
            next((s for s in table.global_indexes if s.name == index_name), None) if table else None
        )
        if table is None or spec is None:
            return response
        now = self.clock.now()
        with self._lock:
            self._pending = {k: p for k, p in self._pending.items() if p.visible_at > now}
            pending = {k[2]: p for k, p in self._pending.items() if k[:2] == (region, table.name)}
        if not pending:
            return response
        data = response.json()
        items = data.get("Items")
        if not isinstance(items, list):
            return response
        shown = _as_of_index(items, pending, table, spec, _projected_request(request.params))
        dropped = len(items) - len(shown)
        data["Items"] = shown
        for counter in ("Count", "ScannedCount"):
            if isinstance(data.get(counter), int):
                data[counter] = max(0, data[counter] - dropped)
        return response.with_json(data)


def _projected_request(params: Mapping[str, Any]) -> bool:
    return bool(params.get("ProjectionExpression") or params.get("AttributesToGet"))


def _as_of_index(
    items: Sequence[Any],
    pending: Mapping[str, _Pending],
    table: Any,
    spec: IndexSpec,
    projected_request: bool,
) -> list[Item]:
    """The page as the index holds it now: pending writes replaced by what the index had."""
    shown: list[Item] = []
    keys = [k for k in (spec.partition_key, spec.sort_key) if k]
    for item in items:
        if not isinstance(item, dict):
            continue
        waiting = pending.get(table.key_id(item))
        if waiting is None:
            shown.append(item)
            continue
        old = waiting.old
        if old is None or any(old.get(k) != item.get(k) for k in keys):
            continue  # not in the index yet (or not yet under this key)
        if projected_request:
            shown.append({name: old[name] for name in item if name in old})
        else:
            shown.append(_project(old, spec))
    return shown


def _project(item: Item, spec: IndexSpec) -> Item:
    if spec.projection == "ALL":
        return dict(item)
    keep = {*spec.table_keys, spec.partition_key, spec.sort_key}
    if spec.projection == "INCLUDE":
        keep.update(spec.non_key_attributes)
    return {name: value for name, value in item.items() if name in keep}


def find_gsi_lag(corrections: Sequence[Correction]) -> GsiLag | None:
    """The :class:`GsiLag` correction among ``corrections``, if any."""
    return next((c for c in corrections if isinstance(c, GsiLag)), None)


# --- LSI fetches from the table ------------------------------------------------------------------


class LsiFetch(Correction):
    """A read of an LSI that asks for attributes it does not project fetches them from the table.

    moto answers such a Query or Scan with the index entries alone. DynamoDB reads each item from
    the table as well and charges that read on top of the index read: the whole item's size,
    rounded up to 4 KB per item (halved when eventually consistent). This correction, run after
    metering, swaps in the table's items (projected as the request asks, by moto itself) and adds
    the table reads to ConsumedCapacity (under ``Table``) and to the request's entry in the lab's
    ledger, so that receipts include them.
    """

    name = "lsi_fetch"
    summary = (
        "A Query or Scan of a local secondary index that asks for non-projected attributes "
        "fetches them from the table, and pays a read of each item."
    )

    def __init__(self, ledger: Any = None) -> None:
        self.ledger = ledger

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        from ddb_lab.engine.metering import _load_table

        params = request.params
        index_name = params.get("IndexName")
        if response.status != 200 or request.operation not in ("Query", "Scan") or not index_name:
            return response
        table = _load_table(_region(request.url), str(params.get("TableName", "")))
        spec = (
            next((s for s in table.local_indexes if s.name == index_name), None) if table else None
        )
        if table is None or spec is None or not _fetches(params, spec):
            return response
        data = response.json()
        entries = _page_keys(request, data, table)
        fetched = [_fetch(request, table, entry) for entry in entries]
        consistency: Consistency = "strong" if params.get("ConsistentRead") is True else "eventual"
        units = 0.0
        for entry in entries:
            units += read_units(item_size(table.stored(entry) or {}), consistency)
        data["Items"] = [item for item in fetched if item is not None]
        if units:
            self._charge(request, table, data, units)
        return response.with_json(data)

    def _charge(self, request: WireRequest, table: Any, data: dict[str, Any], units: float) -> None:
        consumed = data.get("ConsumedCapacity")
        if isinstance(consumed, dict):
            consumed["CapacityUnits"] = float(consumed.get("CapacityUnits", 0.0)) + units
            if request.params.get("ReturnConsumedCapacity") == "INDEXES":
                shown = consumed.setdefault("Table", {"CapacityUnits": 0.0})
                shown["CapacityUnits"] = float(shown.get("CapacityUnits", 0.0)) + units
        if self.ledger is not None:
            self._add_to_ledger(request, table.name, units)

    def _add_to_ledger(self, request: WireRequest, table: str, units: float) -> None:
        """Add the table reads to the entry metering just recorded for this request."""
        if self.ledger is not None:  # the same request, so the same entry: one call on the receipt
            self.ledger.add_reads_to_last(table, request.operation, units)


def _fetches(params: Mapping[str, Any], spec: IndexSpec) -> bool:
    """Whether a read of the LSI ``spec`` asks for attributes the index does not hold."""
    if spec.projection == "ALL":
        return False
    if params.get("Select") == "ALL_ATTRIBUTES":
        return True
    holds = {*spec.table_keys, spec.partition_key, spec.sort_key, *spec.non_key_attributes}
    return any(name not in holds for name in _requested_attributes(params))


def _page_keys(request: WireRequest, data: Mapping[str, Any], table: Any) -> list[Item]:
    """The table keys of the page's index entries, in the page's order.

    A ProjectionExpression may leave the keys out of the entries, so moto runs the same page
    again without it (same key condition, filter, Limit and ExclusiveStartKey).
    """
    from moto.core.models import botocore_stubber

    entries = [e for e in data.get("Items") or [] if isinstance(e, dict)]
    keys = [k for k in (table.hash_key, table.range_key) if k]
    if all(all(k in entry for k in keys) for entry in entries):
        return entries
    params = request.params
    body = {
        k: v
        for k, v in params.items()
        if k not in ("ProjectionExpression", "AttributesToGet", "Select", "ReturnConsumedCapacity")
    }
    used = " ".join(
        str(params.get(m) or "") for m in ("KeyConditionExpression", "FilterExpression")
    )
    names = {n: v for n, v in (params.get("ExpressionAttributeNames") or {}).items() if n in used}
    body.pop("ExpressionAttributeNames", None)
    if names:
        body["ExpressionAttributeNames"] = names
    answer = botocore_stubber.process_request(with_params(request, body))
    if answer is None or int(answer[0]) != 200:
        return entries
    again = json.loads(answer[2]).get("Items") or []
    return [item for item in again if isinstance(item, dict)]


def _fetch(request: WireRequest, table: Any, entry: Mapping[str, Any]) -> Item | None:
    """The table's item for an index entry, projected as ``request`` asks (moto projects it)."""
    from moto.core.models import botocore_stubber

    params = request.params
    key = {name: entry[name] for name in (table.hash_key, table.range_key) if name in entry}
    body: dict[str, Any] = {"TableName": table.name, "Key": key}
    expression = params.get("ProjectionExpression")
    if isinstance(expression, str):
        body["ProjectionExpression"] = expression
        names = params.get("ExpressionAttributeNames") or {}
        used = {n: v for n, v in names.items() if re.search(re.escape(n) + r"\b", expression)}
        if used:
            body["ExpressionAttributeNames"] = used
    elif isinstance(params.get("AttributesToGet"), list):
        body["AttributesToGet"] = params["AttributesToGet"]
    answer = botocore_stubber.process_request(_as_get_item(request, body))
    if answer is None or int(answer[0]) != 200:
        return None
    text = answer[2]
    item = json.loads(text).get("Item") if text else None
    return item if isinstance(item, dict) else None


def _as_get_item(request: WireRequest, body: Mapping[str, Any]) -> Any:
    from botocore.awsrequest import AWSPreparedRequest

    payload = json.dumps(body).encode("utf-8")
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in ("content-length", "x-amz-target")
    }
    headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
    headers["Content-Length"] = str(len(payload))
    return AWSPreparedRequest(
        method=request.method, url=request.url, headers=headers, body=payload, stream_output=False
    )
