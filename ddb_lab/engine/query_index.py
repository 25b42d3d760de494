"""Partition queries: a Query costs what its partition holds, not what the table holds.

DynamoDB finds a partition by its key and reads only the items of that item collection, so a
Query's latency does not grow with the table. moto's ``Table.query`` starts from
``Table.all_items()``, which lists and sorts every item of the table on every call, and only then
keeps the queried partition: an empty partition of a 100,000-item table takes about a second.

The :class:`PartitionQueries` correction (``partition_queries``) keeps moto's own query code and
changes only where it starts: while the engine runs one Query (inside its lock), the queried
table's ``query`` is served by :func:`partition_query`, which runs moto's ``Table.query`` over a
:class:`PartitionView` whose ``all_items()`` is

* for a query of the table itself, the items stored under the queried partition key (moto keeps
  them in ``Table.items[hash_key]``), which are exactly the items moto's own filter keeps;
* for a query of a secondary index, the items whose index partition key matches, found in one
  pass over the table without sorting it: moto checks the same condition again and sorts the
  candidates by the index keys and the table keys (a total order), so the sort it skips never
  decides an order.

Everything else (key conditions, sort order, ``ScanIndexForward``, ``Limit``,
``ExclusiveStartKey``, ``LastEvaluatedKey``, the 1 MB page, filters, projections,
``Select=COUNT``, errors) is moto's code, unchanged, so answers are identical to moto's; the
differential test ``tests/engine/test_query_index.py`` checks that on generated tables and
queries. The view reads moto's stored items at the moment moto asks for them, so it is never out
of step with writes. An index query still walks the whole table once (without sorting it, and
without moto's per-item method calls), so its cost still grows with the table, more slowly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from types import MethodType
from typing import Any

from ddb_lab.engine.corrections import Correction, _region
from ddb_lab.engine.wire import WireRequest, WireResponse

__all__ = ["PartitionQueries", "PartitionView", "partition_items", "partition_query"]

#: Position of ``index_name`` among the positional arguments of moto's ``Table.query``.
_INDEX_NAME_POSITION = 7


class PartitionView:
    """A moto ``Table`` as one Query sees it: the same table, fewer items to start from."""

    def __init__(self, table: Any, items: list[Any]) -> None:
        self._table = table
        self._items = items

    def all_items(self) -> list[Any]:
        """The items moto's query starts from (see the module docstring)."""
        return self._items

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def partition_items(
    table: Any,
    hash_key: Any,
    index_name: str | None,
    hash_conditions: Sequence[tuple[str, Any]] = (),
) -> list[Any]:
    """What a Query needs to look at: one partition of the table, or of an index.

    For an index, ``hash_conditions`` are moto's ``(attribute, DynamoType)`` pairs for the index's
    partition key; the items kept are those moto's own loop keeps (the attribute present, of the
    same type and value), found without its per-item method calls.
    """
    from moto.dynamodb.models.dynamo_type import Item

    stored = table.items
    if index_name is None and hash_key is not None:
        bucket = stored.get(hash_key)  # .get: a defaultdict must not grow an empty partition
        if bucket is None:
            return []
        if isinstance(bucket, Item):  # a table without a sort key stores the item itself
            return [bucket]
        return list(bucket.values())
    if table.range_key_attr:
        items = [item for bucket in stored.values() for item in bucket.values()]
    else:
        items = [item for item in stored.values() if isinstance(item, Item)]
    for name, expected in hash_conditions:
        items = _with_value(items, name, expected)
    return items


def _with_value(items: list[Any], name: str, expected: Any) -> list[Any]:
    """The items whose attribute ``name`` equals ``expected`` as moto compares them."""
    kind = expected.type
    if kind == "N":  # moto compares numbers as Decimals ("1.0" equals "1")
        number = Decimal(expected.value)
        return [
            item
            for item in items
            if (value := item.attrs.get(name)) is not None
            and value.type == kind
            and Decimal(value.value) == number
        ]
    if kind in ("S", "B"):  # key types: moto compares their stored text
        text = expected.value
        return [
            item
            for item in items
            if (value := item.attrs.get(name)) is not None
            and value.type == kind
            and value.value == text
        ]
    return [item for item in items if (value := item.attrs.get(name)) and value == expected]


def partition_query(table: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's ``Table.query`` for ``table``, started from the partition instead of the table."""
    from moto.dynamodb.models.table import Table

    index_name = kwargs.get("index_name")
    if index_name is None and len(args) > _INDEX_NAME_POSITION:
        index_name = args[_INDEX_NAME_POSITION]
    hash_key = args[0] if args else kwargs.get("hash_key")
    conditions = kwargs.get("hash_key_conditions") or ()
    view = PartitionView(table, partition_items(table, hash_key, index_name, conditions))
    return Table.query(view, *args, **kwargs)  # type: ignore[arg-type]


def _moto_table(region: str, name: str) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.get(name)


class PartitionQueries(Correction):
    name = "partition_queries"
    summary = (
        "A Query reads its own partition (moto lists and sorts the whole table on every Query)."
    )

    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        if request.operation != "Query" or request.is_streams:
            return
        name = request.params.get("TableName")
        if not isinstance(name, str):
            return
        table = _moto_table(_region(request.url), name)
        if table is None:
            return
        # An instance attribute shadows moto's method for this one table, this one request;
        # settle() removes it. Should it outlive the request, it still answers as moto does, and
        # as a bound method it follows the table into the copies moto takes (deepcopy).
        table.query = MethodType(partition_query, table)
        state["table"] = table

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        table = state.get("table")
        if table is not None:
            vars(table).pop("query", None)
        return response
