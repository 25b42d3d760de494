"""Capacity arithmetic: how big an item is and how many read and write units a request costs.

Pure math, no engine: item and attribute sizes by DynamoDB's item-size rules, read and write
units (standard, eventually consistent, transactional), Query/Scan and BatchGetItem rounding,
write amplification on secondary indexes, and one-line explanations of each calculation.

Where AWS's pages are vague (the exact number size, sets) the rules follow dynalite's
``db/index.js`` (``itemSize``/``valSize``/``capacityUnits``), which was built by measuring real
DynamoDB; ``tests/engine/test_capacity_dynalite.py`` checks the two agree. The places where
dynalite departs from the documented rules are listed in that test and in the functions below.

Used in: notebooks/05_capacity_and_partitions.ipynb
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from boto3.dynamodb.types import Binary, TypeSerializer

from ddb_lab.facts import (
    EVENTUAL_READ_FACTOR,
    READ_UNIT_BYTES,
    STORAGE_OVERHEAD_BYTES,
    TRANSACTIONAL_FACTOR,
    TYPE_DESCRIPTORS,
    WRITE_UNIT_BYTES,
)

__all__ = [
    "Consistency",
    "IndexSpec",
    "Projection",
    "WriteCost",
    "attribute_value_size",
    "batch_get_read_units",
    "delete_cost",
    "explain_read",
    "explain_write",
    "index_write_units",
    "item_size",
    "put_cost",
    "query_read_units",
    "read_units",
    "storage_size",
    "write_units",
]

#: How a read is done: eventually consistent (the default), strongly consistent, or in a
#: transaction (TransactGetItems).
Consistency = Literal["eventual", "strong", "transactional"]
#: What a secondary index copies from the table.
Projection = Literal["ALL", "KEYS_ONLY", "INCLUDE"]

#: Maps and lists: this many bytes of overhead, plus one byte per element.
_CONTAINER_OVERHEAD_BYTES = 3
_ELEMENT_OVERHEAD_BYTES = 1
#: BOOL and NULL values take one byte.
_FLAG_BYTES = 1

_READ_FACTORS: dict[str, tuple[float, str]] = {
    "eventual": (EVENTUAL_READ_FACTOR, "eventually consistent"),
    "strong": (1, "strongly consistent"),
    "transactional": (TRANSACTIONAL_FACTOR, "transactional"),
}

_serializer = TypeSerializer()


# --- Sizes -------------------------------------------------------------------------------------


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _binary_bytes(value: Any) -> bytes:
    """The raw bytes of a B value: bytes as boto3 gives them, or base64 text as on the wire."""
    if isinstance(value, Binary):
        value = value.value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise ValueError(f"a B value given as text must be base64: {value!r}") from error
    raise TypeError(f"a B value must be bytes or base64 text, not {type(value).__name__}")


def _number_len(value: Any) -> int:
    """Size of an N value, dynalite's exact rule (``valSize`` for 'N' in ``db/index.js``).

    DynamoDB stores a number as an exponent byte plus base-100 digit pairs, so the size is
    1 byte + 1 byte per 2 significant digits (leading and trailing zeros trimmed), plus 1 byte
    when the digits do not line up with the pairs (an even count starting on an even power of
    ten), plus 1 byte for a negative number (its terminator). Zero is 1 byte.
    """
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise ValueError(f"not a number DynamoDB can store: {value!r}")
    sign, digit_tuple, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite numbers have an integer exponent
    digits = list(digit_tuple)
    while digits and digits[0] == 0:
        digits.pop(0)
    while digits and digits[-1] == 0:
        digits.pop()
        exponent += 1
    if not digits:
        return 1
    count = len(digits)
    leading_power = exponent + count - 1  # the power of ten of the first significant digit
    misaligned = count % 2 == 0 and leading_power % 2 == 0
    return 1 + math.ceil(count / 2) + int(misaligned) + int(sign == 1)


def attribute_value_size(value: Mapping[str, Any]) -> int:
    """Size in bytes of one low-level AttributeValue, without its attribute name.

    * S: UTF-8 bytes.
    * N: 1 byte + 1 byte per 2 significant digits (see ``_number_len`` for the exact rule).
    * B: raw bytes (``bytes``, boto3 ``Binary``, or base64 text as on the wire).
    * BOOL, NULL: 1 byte.
    * M: 3 bytes + per entry 1 byte + the key's UTF-8 bytes + the value's size.
    * L: 3 bytes + per element 1 byte + the element's size. Empty map or list: 3 bytes.
    * SS, NS, BS: the sum of the members' sizes, no overhead. AWS's item-size page gives no
      rule for sets; this is an assumption, taken from dynalite.

    Args:
        value: A one-key mapping such as ``{"S": "hello"}`` or ``{"L": [{"N": "1"}]}``.

    Returns:
        The value's size in bytes.

    Raises:
        ValueError: ``value`` is not a single-type AttributeValue, or a number or binary
            value cannot be read.
    """
    if len(value) != 1:
        raise ValueError(f"an AttributeValue has exactly one type descriptor, got {value!r}")
    ((kind, inner),) = value.items()
    match kind:
        case "S":
            return _utf8_len(inner)
        case "N":
            return _number_len(inner)
        case "B":
            return len(_binary_bytes(inner))
        case "BOOL" | "NULL":
            return _FLAG_BYTES
        case "SS":
            return sum(_utf8_len(member) for member in inner)
        case "NS":
            return sum(_number_len(member) for member in inner)
        case "BS":
            return sum(len(_binary_bytes(member)) for member in inner)
        case "L":
            return _CONTAINER_OVERHEAD_BYTES + sum(
                _ELEMENT_OVERHEAD_BYTES + attribute_value_size(element) for element in inner
            )
        case "M":
            return _CONTAINER_OVERHEAD_BYTES + sum(
                _ELEMENT_OVERHEAD_BYTES + _utf8_len(name) + attribute_value_size(element)
                for name, element in inner.items()
            )
    raise ValueError(f"unknown type descriptor {kind!r}; expected one of {TYPE_DESCRIPTORS}")


def _is_low_level_value(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in TYPE_DESCRIPTORS


def _low_level(item: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The item in the low-level format; resource-style values go through boto3's serializer.

    An item counts as low-level when every value is a one-key mapping whose key is a type
    descriptor (``{"S": ...}``, ``{"N": ...}``, ...). A resource-style item whose values all
    happen to look like that is therefore read as low-level.
    """
    if all(_is_low_level_value(value) for value in item.values()):
        return dict(item)
    return {name: _serializer.serialize(value) for name, value in item.items()}


def item_size(item: Mapping[str, Any]) -> int:
    """Size of an item in bytes: per attribute, its name's UTF-8 bytes plus its value's size.

    Args:
        item: A low-level item (``{"pk": {"S": "a"}}``) or a resource-style one
            (``{"pk": "a", "n": 3}``: str, int, Decimal, bool, None, bytes, boto3 Binary, dict,
            list, set).

    Returns:
        The size DynamoDB bills and limits (at most ``facts.MAX_ITEM_SIZE_BYTES``).

    Raises:
        TypeError: A resource-style value boto3 cannot serialize, such as a float
            ("Float types are not supported. Use Decimal types instead.").
    """
    return sum(
        _utf8_len(name) + attribute_value_size(value) for name, value in _low_level(item).items()
    )


def storage_size(item: Mapping[str, Any]) -> int:
    """Bytes of storage billed for an item: its size plus the per-item indexing overhead.

    Args:
        item: A low-level or resource-style item.

    Returns:
        ``item_size(item) + facts.STORAGE_OVERHEAD_BYTES``.
    """
    return item_size(item) + STORAGE_OVERHEAD_BYTES


# --- Units -------------------------------------------------------------------------------------


def _check_size(size_bytes: int) -> None:
    if size_bytes < 0:
        raise ValueError(f"a size cannot be negative: {size_bytes}")


def _read_factor(consistency: str) -> tuple[float, str]:
    try:
        return _READ_FACTORS[consistency]
    except KeyError:
        raise ValueError(
            f"consistency must be one of {sorted(_READ_FACTORS)}, not {consistency!r}"
        ) from None


def _blocks(size_bytes: int, unit_bytes: int) -> int:
    """Whole units for ``size_bytes``, rounded up; never less than one."""
    _check_size(size_bytes)
    return max(1, math.ceil(size_bytes / unit_bytes))


def read_units(size_bytes: int, consistency: Consistency = "eventual") -> float:
    """Read capacity units (or read request units) for reading ``size_bytes``.

    One unit per 4 KB, rounded up, at least one unit (reading a missing item still costs it);
    eventually consistent reads cost half, transactional reads double.

    Args:
        size_bytes: Bytes read: one item's size, or a Query/Scan page's total.
        consistency: ``"eventual"`` (the default), ``"strong"`` or ``"transactional"``.

    Returns:
        The units, e.g. 8 KB → 1.0 eventual, 2.0 strong, 4.0 transactional.
    """
    factor, _ = _read_factor(consistency)
    return _blocks(size_bytes, READ_UNIT_BYTES) * factor


def write_units(size_bytes: int, *, transactional: bool = False) -> float:
    """Write capacity units (or write request units) for writing ``size_bytes``.

    One unit per 1 KB, rounded up, at least one unit; transactional writes cost double.

    Args:
        size_bytes: The item's size (for a put or update, the larger of before and after).
        transactional: Whether the write is part of TransactWriteItems.

    Returns:
        The units, e.g. 3 KB → 3.0 standard, 6.0 transactional.
    """
    factor = TRANSACTIONAL_FACTOR if transactional else 1
    return float(_blocks(size_bytes, WRITE_UNIT_BYTES) * factor)


def _non_transactional(consistency: str, operation: str) -> None:
    _read_factor(consistency)
    if consistency == "transactional":
        raise ValueError(f"{operation} cannot be transactional: use 'eventual' or 'strong'")


def query_read_units(sizes: Iterable[int], consistency: Consistency = "eventual") -> float:
    """Read units for one Query or Scan page: the items' sizes are summed, then rounded up.

    Every item the page reads counts, including those a filter then drops. An empty page still
    costs the minimum of one unit (0.5 eventually consistent), as a read of a missing item does.
    dynalite charges 0 for an empty page; see ``tests/engine/test_capacity_dynalite.py``.

    Args:
        sizes: The size of each item the page read.
        consistency: ``"eventual"`` (the default) or ``"strong"``.

    Returns:
        ``read_units(sum(sizes), consistency)``.

    Raises:
        ValueError: ``consistency`` is ``"transactional"`` (a Query is never transactional).
    """
    _non_transactional(consistency, "Query and Scan")
    return read_units(sum(sizes), consistency)


def batch_get_read_units(sizes: Iterable[int], consistency: Consistency = "eventual") -> float:
    """Read units for BatchGetItem: each item is rounded up to 4 KB on its own, then summed.

    Args:
        sizes: The size of each requested item (0 for a key that matched nothing: it still
            costs the minimum, like a GetItem of a missing item).
        consistency: ``"eventual"`` (the default) or ``"strong"``.

    Returns:
        The sum of ``read_units(size, consistency)`` over the items.

    Raises:
        ValueError: ``consistency`` is ``"transactional"`` (use TransactGetItems' rule,
            ``read_units(size, "transactional")`` per item).
    """
    _non_transactional(consistency, "BatchGetItem")
    return float(sum(read_units(size, consistency) for size in sizes))


def _count(value: int, noun: str) -> str:
    return f"{value:,} {noun}" + ("" if value == 1 else "s")


def _explain(size_bytes: int, unit_bytes: int, factor: float, why: str, unit_name: str) -> str:
    _check_size(size_bytes)
    raw = math.ceil(size_bytes / unit_bytes)
    blocks = max(1, raw)
    rounding = f"ceil({size_bytes:,} / {unit_bytes:,}) = "
    rounding += _count(blocks, "unit") if raw == blocks else f"0, minimum {_count(1, 'unit')}"
    return (
        f"{_count(size_bytes, 'byte')} → {rounding} × {factor:g} ({why}) "
        f"= {blocks * factor:,.1f} {unit_name}"
    )


def explain_read(size_bytes: int, consistency: Consistency = "eventual") -> str:
    """The read-unit rule applied to ``size_bytes``, as one line of text.

    Args:
        size_bytes: Bytes read.
        consistency: ``"eventual"``, ``"strong"`` or ``"transactional"``.

    Returns:
        E.g. ``"4,200 bytes → ceil(4,200 / 4,096) = 2 units × 0.5 (eventually consistent)
        = 1.0 RCU"``.
    """
    factor, why = _read_factor(consistency)
    return _explain(size_bytes, READ_UNIT_BYTES, factor, why, "RCU")


def explain_write(size_bytes: int, transactional: bool = False) -> str:
    """The write-unit rule applied to ``size_bytes``, as one line of text.

    Args:
        size_bytes: Bytes written.
        transactional: Whether the write is part of a transaction.

    Returns:
        E.g. ``"3,072 bytes → ceil(3,072 / 1,024) = 3 units × 2 (transactional) = 6.0 WCU"``.
    """
    if transactional:
        return _explain(size_bytes, WRITE_UNIT_BYTES, TRANSACTIONAL_FACTOR, "transactional", "WCU")
    return _explain(size_bytes, WRITE_UNIT_BYTES, 1, "standard", "WCU")


# --- Secondary indexes -------------------------------------------------------------------------


def _key_names(key_schema: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    hash_key = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH"), None)
    range_key = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"), None)
    return hash_key, range_key


@dataclass(frozen=True)
class IndexSpec:
    """What a global or local secondary index holds: its key and its projection.

    Attributes:
        name: The index name.
        partition_key: The index's partition key attribute.
        sort_key: The index's sort key attribute, if any.
        projection: ``"ALL"``, ``"KEYS_ONLY"`` or ``"INCLUDE"``.
        non_key_attributes: The extra attributes an ``INCLUDE`` projection copies.
        table_keys: The table's key attributes (always projected).
    """

    name: str
    partition_key: str
    sort_key: str | None
    projection: Projection
    non_key_attributes: tuple[str, ...] = ()
    table_keys: tuple[str, ...] = ()

    @classmethod
    def from_description(
        cls, index: Mapping[str, Any], table_key_schema: Sequence[Mapping[str, Any]]
    ) -> IndexSpec:
        """Build a spec from one DescribeTable (or CreateTable) index entry.

        Works for entries of ``GlobalSecondaryIndexes`` and ``LocalSecondaryIndexes`` alike.

        Args:
            index: The index entry, with ``IndexName``, ``KeySchema`` and ``Projection``.
            table_key_schema: The table's ``KeySchema``.

        Returns:
            The index's spec.
        """
        partition_key, sort_key = _key_names(index["KeySchema"])
        if partition_key is None:
            raise ValueError(f"index {index.get('IndexName')!r} has no HASH key")
        projection = index.get("Projection", {})
        table_hash, table_range = _key_names(table_key_schema)
        return cls(
            name=index["IndexName"],
            partition_key=partition_key,
            sort_key=sort_key,
            projection=projection.get("ProjectionType", "ALL"),
            non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
            table_keys=tuple(key for key in (table_hash, table_range) if key is not None),
        )

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The index's own key attributes."""
        if self.sort_key is None:
            return (self.partition_key,)
        return (self.partition_key, self.sort_key)

    def projected(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """The index entry an item makes, or None when the item is not in the index.

        An item is in the index only when it has every index key attribute (a sparse index
        leaves the others out).

        Args:
            item: A low-level or resource-style item.

        Returns:
            ``ALL``: the whole item. ``KEYS_ONLY``: the table keys and the index keys.
            ``INCLUDE``: those plus the ``non_key_attributes`` the item has. None when the item
            lacks an index key attribute.
        """
        if any(key not in item for key in self.key_attributes):
            return None
        if self.projection == "ALL":
            return dict(item)
        names = {*self.table_keys, *self.key_attributes}
        if self.projection == "INCLUDE":
            names.update(self.non_key_attributes)
        return {name: value for name, value in item.items() if name in names}


def _canonical(value: Mapping[str, Any]) -> Any:
    """A comparable form of a low-level value: numbers by value, sets order-free."""
    ((kind, inner),) = value.items()
    match kind:
        case "N":
            return kind, Decimal(str(inner))
        case "B":
            return kind, _binary_bytes(inner)
        case "SS":
            return kind, frozenset(inner)
        case "BS":
            return kind, frozenset(_binary_bytes(member) for member in inner)
        case "NS":
            return kind, frozenset(Decimal(str(m)) for m in inner)
        case "L":
            return kind, tuple(_canonical(element) for element in inner)
        case "M":
            return kind, frozenset((name, _canonical(v)) for name, v in inner.items())
    return kind, inner


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    low_a, low_b = _low_level(a), _low_level(b)
    return low_a.keys() == low_b.keys() and all(
        _canonical(low_a[name]) == _canonical(low_b[name]) for name in low_a
    )


def index_write_units(
    old_item: Mapping[str, Any] | None,
    new_item: Mapping[str, Any] | None,
    index: IndexSpec,
    *,
    transactional: bool = False,
) -> float:
    """Write units a table write costs in one secondary index (write amplification).

    The developer guide's rules for writes to a global secondary index (the same hold for a
    local one), sizes being the projected entry's:

    * The item is in the index neither before nor after: no cost.
    * It enters the index (a new item, or an update that adds the index key): one put.
    * It leaves the index (a delete, or an update that removes the index key): one delete.
    * An index key value changes (A → B): a delete of the old entry plus a put of the new one.
    * Same index key, a projected attribute changed: one update, sized by the larger entry.
    * Same index key, no projected attribute changed: no cost.

    Args:
        old_item: The item before the write (None if it did not exist).
        new_item: The item after the write (None for a delete).
        index: The index.
        transactional: Whether the table write is part of TransactWriteItems. The index write
            is then doubled too: an assumption, as the guide states the transactional factor
            for the table write only.

    Returns:
        The write units charged to the index.
    """
    old = index.projected(old_item) if old_item is not None else None
    new = index.projected(new_item) if new_item is not None else None
    if old is None and new is None:
        return 0.0
    if old is None:
        assert new is not None
        return write_units(item_size(new), transactional=transactional)
    if new is None:
        return write_units(item_size(old), transactional=transactional)
    keys = index.key_attributes
    if not _same({k: old[k] for k in keys}, {k: new[k] for k in keys}):
        return write_units(item_size(old), transactional=transactional) + write_units(
            item_size(new), transactional=transactional
        )
    if _same(old, new):
        return 0.0
    return write_units(max(item_size(old), item_size(new)), transactional=transactional)


@dataclass(frozen=True)
class WriteCost:
    """The write units of one write: the table's and each index's.

    Attributes:
        table: Units charged to the table.
        indexes: Units charged to each secondary index, by index name.
    """

    table: float
    indexes: dict[str, float]

    @property
    def total(self) -> float:
        """Table and index units together."""
        return self.table + sum(self.indexes.values())


def put_cost(
    old_item: Mapping[str, Any] | None,
    new_item: Mapping[str, Any],
    indexes: Iterable[IndexSpec] = (),
    transactional: bool = False,
) -> WriteCost:
    """Cost of a PutItem or UpdateItem that turns ``old_item`` into ``new_item``.

    The table is charged by the larger of the item's size before and after the write.

    Args:
        old_item: The item the write replaces (None if there was none).
        new_item: The item after the write.
        indexes: The table's secondary indexes.
        transactional: Whether the write is part of TransactWriteItems.

    Returns:
        The table's units and each index's.
    """
    size = item_size(new_item)
    if old_item is not None:
        size = max(size, item_size(old_item))
    return WriteCost(
        table=write_units(size, transactional=transactional),
        indexes={
            index.name: index_write_units(old_item, new_item, index, transactional=transactional)
            for index in indexes
        },
    )


def delete_cost(
    old_item: Mapping[str, Any] | None,
    indexes: Iterable[IndexSpec] = (),
    transactional: bool = False,
) -> WriteCost:
    """Cost of a DeleteItem: the deleted item's size, or one unit if there was no item.

    Args:
        old_item: The item deleted (None if the key matched nothing).
        indexes: The table's secondary indexes.
        transactional: Whether the delete is part of TransactWriteItems.

    Returns:
        The table's units and each index's.
    """
    size = item_size(old_item) if old_item is not None else 0
    return WriteCost(
        table=write_units(size, transactional=transactional),
        indexes={
            index.name: index_write_units(old_item, None, index, transactional=transactional)
            for index in indexes
        },
    )
