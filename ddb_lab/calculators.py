"""The calculators behind chapter 5's widgets: read an item, price a request, run a hot key.

Its one job: turn what a learner types or slides into a report, with no widget in sight.
:func:`parse_item` reads a pasted item (JSON, DynamoDB JSON or a Python dict), and
:func:`format_item` writes one back; :func:`capacity_report` says what one request on that item
costs in capacity units and on-demand dollars, attribute by attribute; and
:func:`hot_partition_report` runs :func:`ddb_lab.simulate.simulate` for a table of writes and
says in one line what went wrong. The arithmetic itself lives in :mod:`ddb_lab.capacity`,
:mod:`ddb_lab.simulate` and :mod:`ddb_lab.cost`.

Used in: notebooks/05_capacity_and_partitions.ipynb (``CapacityCalculator``,
``HotPartitionSimulator``).
"""

from __future__ import annotations

import ast
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import numpy as np
from boto3.dynamodb.types import Binary

from ddb_lab.capacity import (
    Consistency,
    IndexSpec,
    _is_low_level_value,
    _low_level,
    attribute_value_size,
    batch_get_read_units,
    delete_cost,
    explain_read,
    explain_write,
    item_size,
    put_cost,
    query_read_units,
    read_units,
)
from ddb_lab.cost import MILLION, ON_DEMAND_READ, ON_DEMAND_WRITE, format_dollars, request_cost
from ddb_lab.facts import (
    BATCH_GET_MAX_KEYS,
    MAX_ITEM_SIZE_BYTES,
    QUERY_PAGE_MAX_BYTES,
)
from ddb_lab.simulate import (
    Distribution,
    SimulationResult,
    one_hot_key,
    partitions_for,
    simulate,
    uniform,
    write_sharded,
    zipf,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DISTRIBUTIONS",
    "OPERATIONS",
    "READ_OPERATIONS",
    "WRITE_OPERATIONS",
    "AttributeSize",
    "CapacityReport",
    "HotPartitionReport",
    "Operation",
    "attribute_sizes",
    "capacity_report",
    "format_item",
    "hot_partition_report",
    "parse_item",
]

#: The requests the capacity calculator prices, reads first.
Operation = Literal[
    "GetItem",
    "Query",
    "BatchGetItem",
    "TransactGetItems",
    "PutItem",
    "DeleteItem",
    "TransactWriteItems",
]
OPERATIONS: Final[tuple[Operation, ...]] = get_args(Operation)
READ_OPERATIONS: Final[tuple[Operation, ...]] = OPERATIONS[:4]
WRITE_OPERATIONS: Final[tuple[Operation, ...]] = OPERATIONS[4:]

#: The key distributions the hot-partition simulator offers.
DistributionName = Literal["uniform", "zipf", "one hot key"]
DISTRIBUTIONS: Final[tuple[DistributionName, ...]] = get_args(DistributionName)
#: The "one hot key" distribution sends this share of all writes to key 0.
HOT_KEY_SHARE: Final = 0.5
#: The "zipf" distribution's exponent.
ZIPF_EXPONENT: Final = 1.1

_ATTRIBUTE_RULES: Final = {
    "S": "UTF-8 bytes",
    "N": "1 + 1 per 2 significant digits (base-100 pairs), +1 if negative",
    "B": "raw bytes, not base64 text",
    "BOOL": "1 byte",
    "NULL": "1 byte",
}


# --- Reading and writing items -----------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for json.loads: a repeated name is an error, not last-one-wins."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"the name {name!r} appears twice in one object")
        result[name] = value
    return result


def _path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _resource_value(value: Any, where: str = "") -> Any:
    """A Python literal's value as boto3's resource layer holds it: numbers as Decimal.

    ``where`` is the attribute's path (``"a.b[0]"``), for the error messages.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value))
    if isinstance(value, list | tuple):
        return [_resource_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, set | frozenset):
        return {_resource_value(v, where) for v in value}
    if isinstance(value, dict):
        for name in value:
            if not isinstance(name, str):
                holder = f"the map {where}" if where else "an item"
                raise ValueError(f"Names in {holder} are strings, not {name!r}.")
        return {name: _resource_value(v, _path(where, name)) for name, v in value.items()}
    kind = type(value).__name__
    raise ValueError(f"Attribute {where} is a {kind}, which DynamoDB cannot store.")


def _parse_json(text: str) -> Any:
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=Decimal,
        parse_constant=_no_constant,
        object_pairs_hook=_unique_keys,
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number DynamoDB can store")


def _check_sets(value: Any, where: str) -> None:
    if isinstance(value, set | frozenset) and not value:
        raise ValueError(f"Attribute {where} is an empty set; DynamoDB does not store empty sets.")
    if isinstance(value, Mapping):
        for name, inner in value.items():
            _check_sets(inner, _path(where, str(name)))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _check_sets(inner, f"{where}[{i}]")


def _unwrap_export(document: dict[str, Any]) -> dict[str, Any]:
    """``{"Item": {...}}`` (a GetItem response, a line of an S3 export) is the item inside."""
    if list(document) == ["Item"] and isinstance(document["Item"], Mapping):
        inner = document["Item"]
        looks_low_level = all(_is_low_level_value(value) for value in inner.values())
        if inner and not _is_low_level_value(inner) and looks_low_level:
            return dict(inner)
    return document


def parse_item(text: str) -> dict[str, Any]:
    """Read an item pasted as text.

    Accepted forms:

    * **JSON** (``{"pk": "USER#1", "age": 36}``): resource-style values, as the boto3 resource
      returns them: numbers become ``Decimal``, arrays lists, objects maps.
    * **DynamoDB JSON** (``{"pk": {"S": "USER#1"}, "age": {"N": "36"}}``), as the console's
      JSON view and the low-level API write it: kept low-level. ``{"Item": {...}}`` (a GetItem
      response, a line of an S3 export) is unwrapped.
    * **A Python dict literal** (``{"tags": {"a", "b"}, "blob": b"\\x00"}``), read with
      ``ast.literal_eval``, so sets and bytes work; ints and floats become ``Decimal``.

    An item counts as DynamoDB JSON when every value is a one-key object whose key is a type
    descriptor (``S``, ``N``, ``M`` ...), the same rule :func:`ddb_lab.capacity.item_size` uses.

    Args:
        text: The item.

    Returns:
        The item, ready for :func:`ddb_lab.capacity.item_size` and :func:`capacity_report`.

    Raises:
        ValueError: The text is empty, is neither JSON nor a Python literal (the message gives
            JSON's line and column), is not an object, mixes DynamoDB JSON with plain values,
            or holds a value DynamoDB cannot store (an empty set, a set of mixed types ...).
    """
    if not text.strip():
        raise ValueError('Paste an item: a JSON object such as {"pk": "USER#1"}.')
    try:
        document = _parse_json(text)
    except json.JSONDecodeError as json_error:
        try:
            literal = ast.literal_eval(text.strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(
                f"Not valid JSON: {json_error.msg} at line {json_error.lineno}, column "
                f"{json_error.colno} (and not a Python dict literal either)."
            ) from None
        if not isinstance(literal, dict):
            raise ValueError(
                f"An item is a dict of attributes, not a {type(literal).__name__}."
            ) from None
        document = _resource_value(literal)
    except ValueError as error:  # a repeated name
        raise ValueError(f"Not a valid item: {error}.") from None
    if not isinstance(document, dict):
        raise ValueError(
            f"An item is a JSON object of attributes ({{...}}), not {_json_kind(document)}."
        )
    item = _unwrap_export(document)
    low = [name for name, value in item.items() if _is_low_level_value(value)]
    plain = [name for name in item if name not in low]
    if low and plain:
        raise ValueError(
            'Some attributes are DynamoDB JSON ({"S": ...}) and some are plain values '
            f"({', '.join(plain)}); write them all one way."
        )
    _check_sets(item, "")
    try:
        item_size(item)
    except (TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"Not a valid item: {error}") from None
    return item


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def _needs_python(value: Any) -> bool:
    """Whether a value has sets or bytes, which JSON cannot write."""
    if isinstance(value, set | frozenset | bytes | bytearray | Binary):
        return True
    if isinstance(value, Mapping):
        return any(_needs_python(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_needs_python(v) for v in value)
    return False


def _source(value: Any, python: bool, indent: str) -> str:
    if value is None:
        return "None" if python else "null"
    if isinstance(value, bool):
        return repr(value) if python else json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Binary):
        return repr(value.value)
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value))
    if isinstance(value, set | frozenset):
        members = sorted((_source(v, python, indent) for v in value), key=lambda s: (len(s), s))
        return "{" + ", ".join(members) + "}"
    inner = indent + "  "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        entries = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_source(v, python, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(entries) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        elements = [_source(v, python, inner) for v in value]
        one_line = "[" + ", ".join(elements) + "]"
        if len(one_line) <= 60 and "\n" not in one_line:
            return one_line
        return "[\n" + ",\n".join(inner + e for e in elements) + "\n" + indent + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as an item value")


def format_item(item: Mapping[str, Any]) -> str:
    """An item as text :func:`parse_item` reads back: JSON when it can be, else a Python dict.

    Items with sets or bytes are written as a Python literal (JSON has neither); the rest as
    indented JSON. Set members are sorted, so the text is the same on every run.

    Args:
        item: A resource-style or low-level item.

    Returns:
        The text.
    """
    return _source(item, _needs_python(item), "")


# --- Capacity reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeSize:
    """One attribute's share of an item's size.

    Attributes:
        attribute: The attribute's name.
        type: Its type descriptor (``S``, ``N``, ``M`` ...).
        bytes: Its name's UTF-8 bytes plus its value's size.
        rule: How the bytes add up, e.g. ``"4 (name) + 3 (S: UTF-8 bytes)"``.
    """

    attribute: str
    type: str
    bytes: int
    rule: str


def _value_rule(kind: str, inner: Any) -> str:
    if kind in _ATTRIBUTE_RULES:
        return _ATTRIBUTE_RULES[kind]
    count = len(inner)
    if kind in ("SS", "NS", "BS"):
        return f"{count} member{'s' * (count != 1)}, their sizes summed"
    if kind == "M":
        return f"{count} entr{'ies' if count != 1 else 'y'}: 3 + 1 per entry + names + values"
    return f"{count} element{'s' * (count != 1)}: 3 + 1 per element + values"


def attribute_sizes(item: Mapping[str, Any]) -> tuple[AttributeSize, ...]:
    """Each attribute's bytes, largest first (ties by name); they sum to ``item_size(item)``.

    Args:
        item: A low-level or resource-style item.

    Returns:
        One row per attribute.
    """
    rows = []
    for name, value in _low_level(item).items():
        ((kind, inner),) = value.items()
        name_bytes = len(name.encode("utf-8"))
        value_bytes = attribute_value_size(value)
        rule = f"{name_bytes:,} (name) + {value_bytes:,} ({kind}: {_value_rule(kind, inner)})"
        rows.append(AttributeSize(name, kind, name_bytes + value_bytes, rule))
    return tuple(sorted(rows, key=lambda row: (-row.bytes, row.attribute)))


def _count(value: int, noun: str) -> str:
    return f"{value:,} {noun}" + ("" if value == 1 else "s")


def _units(value: float) -> str:
    return f"{value:,.1f}"


_CONSISTENCY_WORDS: Final = {
    "eventual": "eventually consistent",
    "strong": "strongly consistent",
    "transactional": "transactional",
}


@dataclass(frozen=True, repr=False)
class CapacityReport:
    """What one request on one item costs: size, units, the rule applied, on-demand dollars.

    Attributes:
        operation: The request (``GetItem``, ``PutItem`` ...).
        consistency: The read's consistency (``"transactional"`` for TransactGetItems); None
            for a write.
        items_per_page: Items a Query page or a BatchGetItem reads (1 for the others).
        size_bytes: The item's size.
        attributes: The size, attribute by attribute, largest first.
        table_units: Units the request consumes on the table (RCU for a read, WCU for a write;
            on an on-demand table the same numbers are read and write request units).
        index_units: Write units each secondary index consumes (writes only).
        rule: The unit rule applied to the item, as one line.
        cost_per_million: What a million such requests cost on demand, in dollars.
        notes: What else applies (the 400 KB item limit, the 1 MB page, ...).
    """

    operation: Operation
    consistency: Consistency | None
    items_per_page: int
    size_bytes: int
    attributes: tuple[AttributeSize, ...]
    table_units: float
    index_units: dict[str, float]
    rule: str
    cost_per_million: Decimal
    notes: tuple[str, ...] = field(default=())

    @property
    def is_write(self) -> bool:
        """Whether the request writes (PutItem, DeleteItem, TransactWriteItems)."""
        return self.operation in WRITE_OPERATIONS

    @property
    def unit_name(self) -> str:
        """``"WCU"`` for a write, ``"RCU"`` for a read."""
        return "WCU" if self.is_write else "RCU"

    @property
    def units(self) -> float:
        """All units the request consumes: the table's plus every index's."""
        return self.table_units + sum(self.index_units.values())

    @property
    def request_name(self) -> str:
        """What one request is: ``"page"`` for a Query, ``"request"`` for the others."""
        return "page" if self.operation == "Query" else "request"

    def headline(self) -> str:
        """One line: the request, and the units it consumes."""
        what: str = self.operation
        if self.operation == "Query":
            what += f", {_count(self.items_per_page, 'item')} per page"
        elif self.operation == "BatchGetItem":
            what += f" of {_count(self.items_per_page, 'item')}"
        if self.consistency is not None and self.operation != "TransactGetItems":
            what += f", {_CONSISTENCY_WORDS[self.consistency]}"
        return f"{what}: {_units(self.units)} {self.unit_name} per {self.request_name}"

    def _cost_line(self) -> str:
        price = ON_DEMAND_WRITE if self.is_write else ON_DEMAND_READ
        return (
            f"On demand: {format_dollars(self.cost_per_million)} per million "
            f"{self.request_name}s ({_units(self.units)} {price.unit} each, at {price})"
        )

    def _index_lines(self) -> list[str]:
        lines = [f"index {name}: {_units(units)} WCU" for name, units in self.index_units.items()]
        if self.index_units:
            lines.append(f"table and indexes: {_units(self.units)} WCU")
        return lines

    def frame(self) -> pd.DataFrame:
        """The size breakdown: one row per attribute (attribute, type, bytes, rule)."""
        import pandas as pd

        return pd.DataFrame(
            [(r.attribute, r.type, r.bytes, r.rule) for r in self.attributes],
            columns=["attribute", "type", "bytes", "rule"],
        )

    def text(self) -> str:
        """The report as plain text, the same on every run."""
        lines = [self.headline(), f"  {self.rule}"]
        lines += [f"  {line}" for line in self._index_lines()]
        lines.append(self._cost_line())
        lines.append(f"Item size: {_count(self.size_bytes, 'byte')}")
        if self.attributes:
            header = ("attribute", "type", "bytes", "rule")
            body = [(r.attribute, r.type, f"{r.bytes:,}", r.rule) for r in self.attributes]
            widths = [max(len(row[i]) for row in (header, *body)) for i in range(3)]
            for row in (header, *body):
                cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
                cells += [row[2].rjust(widths[2]), row[3]]
                lines.append("  " + "  ".join(cells))
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        esc = html.escape
        details = [f"<code>{esc(self.rule)}</code>"]
        details += [esc(line) for line in self._index_lines()]
        right = ' style="text-align:right"'
        rows = "".join(
            f"<tr><td>{esc(r.attribute)}</td><td>{esc(r.type)}</td>"
            f"<td{right}>{r.bytes:,}</td><td>{esc(r.rule)}</td></tr>"
            for r in self.attributes
        )
        table = (
            "<table><thead><tr><th>attribute</th><th>type</th>"
            f"<th{right}>bytes</th><th>rule</th></tr></thead><tbody>{rows}</tbody></table>"
            if self.attributes
            else ""
        )
        notes = "".join(f"<p><small>Note: {esc(note)}</small></p>" for note in self.notes)
        return (
            f'<div class="ddb-lab-capacity"><b>{esc(self.headline())}</b>'
            f"<p>{'<br>'.join(details)}</p>"
            f"<p>{esc(self._cost_line())}</p>"
            f"<p>Item size: {esc(_count(self.size_bytes, 'byte'))}</p>"
            f"{table}{notes}</div>"
        )


def _check_operation(operation: str) -> None:
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}, not {operation!r}")


def _read_consistency(operation: str, consistency: str) -> Consistency:
    if operation == "TransactGetItems":
        return "transactional"
    if consistency == "transactional":
        raise ValueError(
            f"{operation} is 'eventual' or 'strong'; a transactional read is TransactGetItems"
        )
    if consistency not in ("eventual", "strong"):
        raise ValueError(f"consistency must be 'eventual' or 'strong', not {consistency!r}")
    return "eventual" if consistency == "eventual" else "strong"


def _read_units_and_rule(
    operation: str, size: int, consistency: Consistency, count: int
) -> tuple[float, str, list[str]]:
    notes: list[str] = []
    if operation == "Query":
        total = size * count
        units = query_read_units([size] * count, consistency)
        rule = explain_read(total, consistency)
        if count > 1:
            rule = f"{count:,} items × {size:,} bytes = {rule}"
        if total > QUERY_PAGE_MAX_BYTES:
            fits = max(1, QUERY_PAGE_MAX_BYTES // max(size, 1))
            notes.append(
                f"a Query page stops at 1 MB read ({QUERY_PAGE_MAX_BYTES:,} bytes): with items "
                f"of {size:,} bytes DynamoDB returns about {fits:,} per page, not {count:,}"
            )
        return units, rule, notes
    if operation == "BatchGetItem":
        if count > BATCH_GET_MAX_KEYS:
            raise ValueError(
                f"BatchGetItem reads at most {BATCH_GET_MAX_KEYS} items, not {count:,}"
            )
        units = batch_get_read_units([size] * count, consistency)
        each = explain_read(size, consistency)
        if count == 1:
            return units, each, notes
        return units, f"each item on its own: {count} × ({each}) = {_units(units)} RCU", notes
    return read_units(size, consistency), explain_read(size, consistency), notes


def capacity_report(
    item: Mapping[str, Any],
    operation: Operation = "GetItem",
    consistency: Consistency = "eventual",
    items_per_page: int = 1,
    indexes: Sequence[IndexSpec] = (),
) -> CapacityReport:
    """What one request on ``item`` costs, with the rule behind every number.

    * GetItem: the item's size rounded up to 4 KB; eventual reads half, strong reads whole.
    * TransactGetItems: the same, doubled (``consistency`` is ignored: it is transactional).
    * Query: ``items_per_page`` items of this size, summed per page and *then* rounded up.
    * BatchGetItem: ``items_per_page`` items, each rounded up on its own, then summed.
    * PutItem: the size rounded up to 1 KB, plus each index's write (a new item: nothing is
      replaced; replacing a bigger item costs by the bigger size).
    * DeleteItem: the deleted item's size rounded up to 1 KB, plus each index's delete.
    * TransactWriteItems: a PutItem in a transaction, doubled.

    Args:
        item: A resource-style or low-level item (see :func:`parse_item`).
        operation: The request, one of ``OPERATIONS``.
        consistency: ``"eventual"`` or ``"strong"`` (reads only; ignored for writes).
        items_per_page: Items a Query page or a BatchGetItem reads (ignored for the others).
        indexes: The table's secondary indexes (writes only).

    Returns:
        The report.

    Raises:
        ValueError: An unknown operation or consistency, a transactional GetItem, Query or
            BatchGetItem, fewer than one item per page, or more than 100 items in a batch.
    """
    _check_operation(operation)
    if isinstance(items_per_page, bool) or not isinstance(items_per_page, int | np.integer):
        raise ValueError(f"items_per_page is a whole number, not {items_per_page!r}")
    count = int(items_per_page) if operation in ("Query", "BatchGetItem") else 1
    if count < 1:
        raise ValueError(f"Items per page must be at least 1, not {items_per_page}.")
    size = item_size(item)
    notes: list[str] = []
    if size > MAX_ITEM_SIZE_BYTES:
        notes.append(
            f"the item is larger than DynamoDB's 400 KB limit ({MAX_ITEM_SIZE_BYTES:,} bytes): "
            "a write of it fails with a ValidationException"
        )
    index_units: dict[str, float] = {}
    read_consistency: Consistency | None = None
    if operation in WRITE_OPERATIONS:
        transactional = operation == "TransactWriteItems"
        if operation == "DeleteItem":
            cost = delete_cost(item, indexes)
        else:
            cost = put_cost(None, item, indexes, transactional=transactional)
        table_units, index_units = cost.table, dict(cost.indexes)
        for index in indexes:
            if index.projected(item) is None:
                keys = " and ".join(index.key_attributes)
                notes.append(
                    f"the item has no {keys}, so it is not in index {index.name} "
                    "(a sparse index): writing it costs that index nothing"
                )
        rule = explain_write(size, transactional)
        dollars = request_cost(0, Decimal(str(cost.total)) * MILLION)
    else:
        read_consistency = _read_consistency(operation, consistency)
        table_units, rule, page_notes = _read_units_and_rule(
            operation, size, read_consistency, count
        )
        notes += page_notes
        dollars = request_cost(Decimal(str(table_units)) * MILLION, 0)
    return CapacityReport(
        operation=operation,
        consistency=read_consistency,
        items_per_page=count,
        size_bytes=size,
        attributes=attribute_sizes(item),
        table_units=table_units,
        index_units=index_units,
        rule=rule,
        cost_per_million=dollars,
        notes=tuple(notes),
    )


# --- The hot-partition simulation --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class HotPartitionReport:
    """A write simulation on a provisioned table, and what it shows in one line.

    Attributes:
        result: The simulation (per second, per partition).
        verdict: One line, e.g. ``"29.1 % of writes throttled; the hottest partition needs
            1,875 WCU/s but a partition serves at most 1,000"``.
        capacity: The table's provisioned write units.
        hottest_partition_units: The busiest partition's average demand, WCU per second.
        peak_partition_units: The highest demand any partition had in any second.
    """

    result: SimulationResult
    verdict: str
    capacity: int
    hottest_partition_units: float
    peak_partition_units: float

    def __str__(self) -> str:
        return self.verdict


def _distribution(name: str, keys: int, shards: int) -> Distribution:
    base: Distribution
    if name == "uniform":
        base = uniform(keys)
    elif name == "zipf":
        base = zipf(keys, ZIPF_EXPONENT)
    elif name == "one hot key":
        base = one_hot_key(keys, HOT_KEY_SHARE)
    else:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, not {name!r}")
    return base if shards == 1 else write_sharded(base, shards)


def _percent(part: int, whole: int) -> str:
    share = 100 * part / whole
    return "under 0.1 %" if share < 0.05 else f"{share:.1f} %"


def _verdict(result: SimulationResult, capacity: int, mean_need: float, peak_need: float) -> str:
    partition_max = result.partition_max_units
    if result.total_requests == 0:
        return "No writes arrived: set the write rate above 0."
    if result.throttled_requests == 0:
        return (
            f"No writes throttled; the hottest partition needs {mean_need:,.0f} WCU/s "
            f"({peak_need:,.0f} in its busiest second) of the {partition_max:,} a partition serves."
        )
    causes = []
    if mean_need > partition_max:
        causes.append(
            f"the hottest partition needs {mean_need:,.0f} WCU/s "
            f"but a partition serves at most {partition_max:,}"
        )
    elif peak_need > partition_max:
        causes.append(
            f"the hottest partition needs up to {peak_need:,.0f} WCU/s in its busiest seconds "
            f"but a partition serves at most {partition_max:,}"
        )
    table_mean = result.total_requests * result.unit_cost / result.seconds
    table_peak = float(result.requests.max()) * result.unit_cost
    if table_mean > capacity:
        causes.append(f"the table gets {table_mean:,.0f} WCU/s but has {capacity:,} provisioned")
    elif table_peak > capacity:
        causes.append(f"the table gets up to {table_peak:,.0f} WCU/s for {capacity:,} provisioned")
    if not causes:
        causes.append(
            f"the hottest partition needs up to {peak_need:,.0f} WCU/s, more than its share "
            f"of the table's {capacity:,}"
        )
    throttled = _percent(result.throttled_requests, result.total_requests)
    return f"{throttled} of writes throttled; " + ", and ".join(causes)


def hot_partition_report(
    distribution: DistributionName = "one hot key",
    keys: int = 1000,
    shards: int = 1,
    capacity: int = 4000,
    rate: float = 3000,
    seconds: int = 120,
    seed: int = 0,
) -> HotPartitionReport:
    """Simulate writes of one item each (1 WCU) on a provisioned table, with a verdict.

    The table has ``capacity`` WCU and as many partitions as that needs
    (:func:`ddb_lab.simulate.partitions_for`: one per 1,000 WCU); burst and adaptive capacity
    are on. Each key can be write-sharded into ``shards`` suffixed keys.

    Args:
        distribution: ``"uniform"``, ``"zipf"`` (exponent ``ZIPF_EXPONENT``) or ``"one hot
            key"`` (key 0 gets ``HOT_KEY_SHARE`` of the writes).
        keys: How many partition key values the writes go to.
        shards: Write shards per key (1: no sharding).
        capacity: The table's provisioned write capacity units.
        rate: Writes per second.
        seconds: How long to simulate.
        seed: The random seed; the same seed gives the same numbers.

    Returns:
        The simulation and its verdict.

    Raises:
        ValueError: An unknown distribution, or a count, capacity or rate out of range.
    """
    if isinstance(capacity, bool) or not isinstance(capacity, int | np.integer) or capacity < 1:
        raise ValueError(f"capacity must be a whole number of WCU >= 1, not {capacity!r}")
    dist = _distribution(distribution, keys, shards)
    result = simulate(
        seconds=seconds,
        requests_per_second=rate,
        distribution=dist,
        partitions=partitions_for(0, capacity),
        mode="provisioned",
        provisioned_units=capacity,
        kind="write",
        seed=seed,
    )
    demand = result.per_partition_requests * result.unit_cost
    mean_need = float(demand.sum(axis=0).max()) / result.seconds
    peak_need = float(demand.max())
    return HotPartitionReport(
        result=result,
        verdict=_verdict(result, int(capacity), mean_need, peak_need),
        capacity=int(capacity),
        hottest_partition_units=round(mean_need, 1),
        peak_partition_units=peak_need,
    )
