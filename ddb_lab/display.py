"""Show DynamoDB data the same way on every run: items, table descriptions, calls as code.

Everything here is a pure function of its input. Notebooks are checked by comparing their saved
outputs, so column order, row order, set members and number formatting are all fixed here, and
nothing that changes between runs (timestamps, ARNs with stream labels, sizes, memory addresses)
is ever shown.

Used in: notebooks/01_keys_and_types.ipynb, and by ddb_lab.explorer for the live query tool.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import pandas as pd
from boto3.dynamodb.types import Binary, TypeDeserializer

__all__ = [
    "DEFAULT_KEY_ORDER",
    "format_value",
    "items_frame",
    "render_call",
    "summary_frame",
    "table_summary",
]

#: The key columns shown first when the caller names none (each only if some item has it).
DEFAULT_KEY_ORDER: Final = ("PK", "SK")

#: The type descriptors of the low-level API (as in ddb_lab.facts.TYPE_DESCRIPTORS).
_DESCRIPTORS: Final = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})

#: Lines of rendered code stay shorter than this (the course's notebook code width).
_LINE_LIMIT: Final = 88
_INDENT: Final = "    "

_deserializer = TypeDeserializer()


# --- Items ------------------------------------------------------------------------------------


def _is_low_level(item: Mapping[str, Any]) -> bool:
    """True when every attribute is a one-key ``{"S": ...}``-style type descriptor map."""
    if not item:
        return False
    return all(
        isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _DESCRIPTORS
        for value in item.values()
    )


def _plain_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item with resource-style values (Decimal, set, Binary), whichever style it came in."""
    if _is_low_level(item):
        return {name: _deserializer.deserialize(value) for name, value in item.items()}
    return dict(item)


def _raw_bytes(value: Any) -> bytes | None:
    """The bytes behind a bytes-like or boto3 ``Binary`` value, else None."""
    if isinstance(value, Binary):
        wrapped: Any = value  # the stubs omit Binary.value
        return bytes(wrapped.value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _order_key(value: Any) -> tuple[int, Any]:
    """Sort key that orders mixed values without comparing across types.

    Numbers compare numerically, strings by code point (the same order as DynamoDB's UTF-8 byte
    order), binary values by byte; anything else by its display text.
    """
    if isinstance(value, bool):
        return (3, format_value(value))
    if isinstance(value, Decimal | int | float):
        return (0, Decimal(value))
    if isinstance(value, str):
        return (1, value)
    raw = _raw_bytes(value)
    if raw is not None:
        return (2, raw)
    return (3, format_value(value))


def _number(value: Decimal) -> int | Decimal:
    """An integral Decimal as int; any other Decimal unchanged (no precision lost)."""
    if value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def _set_text(members: Iterable[Any], *, json_style: bool) -> str:
    ordered = sorted(members, key=_order_key)
    if not ordered:
        return "set()"
    if json_style:
        return "{" + ", ".join(format_value(member) for member in ordered) + "}"
    return "{" + ", ".join(_member_text(member) for member in ordered) + "}"


def _member_text(member: Any) -> str:
    """A set member as Python shows it: ``'a'``, ``3``, ``1.5``, ``b'x'``."""
    if isinstance(member, str):
        return repr(member)
    if isinstance(member, Decimal):
        return str(_number(member))
    return format_value(member)


def format_value(value: Any) -> str:
    """Compact, deterministic JSON-ish text for any attribute value.

    Strings are double-quoted, numbers plain (``3``, ``1.5``), ``true``/``false``/``null`` as in
    JSON, binary as a ``b'...'`` literal, sets in ``{...}`` with sorted members, and maps with
    their keys sorted.

    Args:
        value: A resource-style value (as ``boto3.dynamodb.types.TypeDeserializer`` returns).

    Returns:
        One line of text.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(_number(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raw = _raw_bytes(value)
    if raw is not None:
        return repr(raw)
    if isinstance(value, set | frozenset):
        return _set_text(value, json_style=True)
    if isinstance(value, Mapping):
        pairs = sorted(value.items(), key=lambda pair: str(pair[0]))
        inner = ", ".join(
            f"{json.dumps(str(k), ensure_ascii=False)}: {format_value(v)}" for k, v in pairs
        )
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(member) for member in value) + "]"
    return str(value)


def _cell(value: Any) -> Any:
    """The value to put in a DataFrame cell."""
    if value is None or isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, Decimal):
        return _number(value)
    raw = _raw_bytes(value)
    if raw is not None:
        return repr(raw)
    if isinstance(value, set | frozenset):
        return _set_text(value, json_style=False)
    return format_value(value)


def items_frame(
    items: Iterable[Mapping[str, Any]],
    key_order: Sequence[str] | None = None,
    *,
    sort: bool = True,
) -> pd.DataFrame:
    """Items as a DataFrame with a fixed column order, row order and cell formatting.

    Accepts resource-style items (Decimal numbers, Python sets, ``Binary``) and low-level items
    (``{"PK": {"S": "USER#u0001"}}``), which are detected and deserialized.

    Columns: the ``key_order`` names that some item has, then every other attribute name in
    sorted order. Cells: integral numbers as ``int``, other numbers as ``Decimal`` (exact), sets
    as sorted ``{'a', 'b'}`` text, binary as ``b'...'`` text, maps and lists as compact JSON-ish
    text (see :func:`format_value`), NULL as ``None`` and a missing attribute as ``""``. All
    columns have dtype ``object`` so that the rendering never depends on pandas' inference.

    Args:
        items: The items, e.g. ``response["Items"]`` from a query or scan.
        key_order: Key attribute names to show first (and to sort rows by). Defaults to
            ``("PK", "SK")``.
        sort: Sort the rows by the key columns (numbers numerically, strings and binary as
            DynamoDB orders them, missing values last). Pass False to keep the given order, for
            instance to show the order a query returned.

    Returns:
        A DataFrame with a RangeIndex from 0; an empty DataFrame with no columns for no items.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    plain = [_plain_item(item) for item in items]
    if not plain:
        return pd.DataFrame()
    present: set[str] = set()
    for item in plain:
        present.update(item)
    keys: list[str] = []
    for name in DEFAULT_KEY_ORDER if key_order is None else key_order:
        if name in present and name not in keys:
            keys.append(name)
    columns = keys + sorted(present - set(keys))

    if sort and keys:
        missing = (1, (0, Decimal(0)))

        def row_key(item: dict[str, Any]) -> list[tuple[int, tuple[int, Any]]]:
            return [(0, _order_key(item[k])) if k in item else missing for k in keys]

        plain.sort(key=row_key)

    rows = [[_cell(item[name]) if name in item else "" for name in columns] for item in plain]
    return pd.DataFrame(rows, columns=columns, dtype=object)


# --- Table descriptions -------------------------------------------------------------------------


def _key_text(key_schema: Iterable[Mapping[str, Any]], types: Mapping[str, str]) -> str:
    elements = sorted(key_schema, key=lambda e: 0 if e.get("KeyType") == "HASH" else 1)
    return ", ".join(
        f"{e['AttributeName']} ({e['KeyType']}, {types.get(e['AttributeName'], '?')})"
        for e in elements
    )


def _index_text(index: Mapping[str, Any], types: Mapping[str, str]) -> str:
    projection = index.get("Projection", {})
    kind = projection.get("ProjectionType", "ALL")
    if kind == "INCLUDE":
        kind += " (" + ", ".join(sorted(projection.get("NonKeyAttributes", []))) + ")"
    return f"{_key_text(index.get('KeySchema', []), types)} · {kind}"


def table_summary(description: Mapping[str, Any]) -> dict[str, Any]:
    """The stable facts of a table description, in a fixed order.

    Fields, in order: ``TableName``, ``TableStatus``, ``KeySchema`` (``"PK (HASH, S), SK (RANGE,
    S)"``), ``BillingMode``, ``ProvisionedThroughput`` (``"5 RCU / 5 WCU"``, provisioned tables
    only), ``ItemCount``, one entry per global secondary index and then per local secondary
    index, each sorted by name (``"GSI1PK (HASH, S), GSI1SK (RANGE, S) · ALL"``; INCLUDE lists
    its attributes sorted), and ``StreamSpecification`` if the description has one. Timestamps,
    ARNs, stream labels and sizes are left out, as is TTL (a separate API call).

    Args:
        description: ``client.describe_table(TableName=...)["Table"]``.

    Returns:
        An insertion-ordered dict of field name to display value.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    types = {
        d["AttributeName"]: d["AttributeType"] for d in description.get("AttributeDefinitions", [])
    }
    summary: dict[str, Any] = {
        "TableName": description.get("TableName", ""),
        "TableStatus": description.get("TableStatus", ""),
        "KeySchema": _key_text(description.get("KeySchema", []), types),
    }
    mode = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    summary["BillingMode"] = mode
    if mode == "PROVISIONED":
        throughput = description.get("ProvisionedThroughput", {})
        summary["ProvisionedThroughput"] = (
            f"{throughput.get('ReadCapacityUnits', 0)} RCU"
            f" / {throughput.get('WriteCapacityUnits', 0)} WCU"
        )
    summary["ItemCount"] = description.get("ItemCount", 0)
    for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in sorted(description.get(group) or [], key=lambda i: str(i["IndexName"])):
            summary[index["IndexName"]] = _index_text(index, types)
    stream = description.get("StreamSpecification")
    if stream is not None:
        if stream.get("StreamEnabled"):
            summary["StreamSpecification"] = (
                f"enabled ({stream.get('StreamViewType', 'NEW_AND_OLD_IMAGES')})"
            )
        else:
            summary["StreamSpecification"] = "disabled"
    return summary


def summary_frame(description: Mapping[str, Any]) -> pd.DataFrame:
    """:func:`table_summary` as a two-column DataFrame (``field``, ``value``) for display.

    Args:
        description: ``client.describe_table(TableName=...)["Table"]``.

    Returns:
        One row per summary field, in the summary's order.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    rows = [[field, value] for field, value in table_summary(description).items()]
    return pd.DataFrame(rows, columns=["field", "value"], dtype=object)


# --- Calls as code ------------------------------------------------------------------------------


def _snake(operation: str) -> str:
    """``"BatchWriteItem"`` → ``"batch_write_item"``; snake case passes through."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation).lower()


def _py_str(text: str) -> str:
    """A double-quoted Python string literal for ``text``."""
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char.isprintable():
            out.append(char)
        else:
            out.append(repr(char)[1:-1])
    out.append('"')
    return "".join(out)


def _py_flat(value: Any) -> str:
    """``value`` as a one-line Python literal (``Decimal("1.5")`` for Decimals)."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value}")'
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, str):
        return _py_str(value)
    raw = _raw_bytes(value)
    if raw is not None:
        return repr(raw)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_py_flat(k)}: {_py_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py_flat(v) for v in value) + "]"
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({_py_flat(value[0])},)"
        return "(" + ", ".join(_py_flat(v) for v in value) + ")"
    if isinstance(value, set | frozenset):
        if not value:
            return "set()"
        return "{" + ", ".join(_py_flat(v) for v in sorted(value, key=_order_key)) + "}"
    raise TypeError(f"render_call cannot write a {type(value).__name__} as Python code")


def _py(value: Any, level: int, prefix: str) -> str:
    """``value`` as Python code starting after ``prefix`` at indent ``level``; wraps if long."""
    flat = _py_flat(value)
    if len(_INDENT * level) + len(prefix) + len(flat) + 1 < _LINE_LIMIT:
        return flat
    inner = _INDENT * (level + 1)
    if isinstance(value, Mapping) and value:
        lines = [
            f"{inner}{_py_flat(k)}: {_py(v, level + 1, _py_flat(k) + ': ')},"
            for k, v in value.items()
        ]
        return "{\n" + "\n".join(lines) + "\n" + _INDENT * level + "}"
    if isinstance(value, list | tuple) and value:
        lines = [f"{inner}{_py(v, level + 1, '')}," for v in value]
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return opening + "\n" + "\n".join(lines) + "\n" + _INDENT * level + closing
    return flat


def render_call(operation: str, params: Mapping[str, Any], *, target: str = "client") -> str:
    """Copy-pasteable Python for a boto3 call, e.g. ``client.query(TableName="SocialApp", ...)``.

    One keyword argument per line in the order given; strings in double quotes; nested values on
    one line when it stays under 88 characters, else one entry per line. ``Decimal`` values are
    written as ``Decimal("1.5")`` and binary values as ``b'...'`` literals.

    Args:
        operation: The API name (``"Query"``) or the method name (``"query"``).
        params: The keyword arguments of the call.
        target: The name of the object the method is called on.

    Returns:
        Python source text, without a trailing newline.

    Raises:
        ValueError: A parameter name is not a Python identifier.
        TypeError: A value has no Python literal form here.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    call = f"{target}.{_snake(operation)}("
    if not params:
        return call + ")"
    lines = [call]
    for name, value in params.items():
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a valid keyword argument name")
        lines.append(f"{_INDENT}{name}={_py(value, 1, name + '=')},")
    lines.append(")")
    return "\n".join(lines)
