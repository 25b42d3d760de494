"""The logic of the live query tool: turn form fields into a Query call, run it, keep the result.

No widgets here: :class:`QuerySpec` holds what a learner typed, :func:`build_query` turns it into
the exact ``client.query`` parameters (with placeholders, typed values and plain-language errors),
and :func:`run_query` runs one page and returns a :class:`QueryResult` that never raises for a
learner's mistake. ``ddb_lab.widgets.explorer`` is the thin ipywidgets layer on top.

Used in: notebooks/01_keys_and_types.ipynb (the table explorer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal

import pandas as pd
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from ddb_lab.display import format_value, items_frame, render_call

__all__ = [
    "FILTER_OPERATORS",
    "SORT_KEY_OPERATORS",
    "KeySchemaInfo",
    "QueryResult",
    "QuerySpec",
    "build_query",
    "key_schemas",
    "run_query",
]

SORT_KEY_OPERATORS: Final = ("=", "<", "<=", ">", ">=", "BETWEEN", "begins_with")
FILTER_OPERATORS: Final = (
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "begins_with",
    "contains",
    "attribute_exists",
    "attribute_not_exists",
)
#: Filter operators that take no value.
_NO_VALUE_FILTERS: Final = frozenset({"attribute_exists", "attribute_not_exists"})
#: The Limit values the tool accepts.
MAX_LIMIT: Final = 1000
#: error_code of a QueryResult whose input was rejected before any call was made.
INVALID_INPUT: Final = "InvalidInput"

_TYPE_NAMES: Final = {"S": "String", "N": "Number", "B": "Binary"}
#: A DynamoDB number as text: optional sign, digits with an optional point, optional exponent.
_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class KeySchemaInfo:
    """The key of a table or of one of its indexes.

    Attributes:
        name: The table name for the table itself, else the index name.
        index: None for the table, else the index name.
        partition_key: The partition (HASH) key attribute name.
        partition_type: Its type: ``"S"``, ``"N"`` or ``"B"``.
        sort_key: The sort (RANGE) key attribute name, if any.
        sort_type: Its type, if any.
        kind: ``"table"``, ``"GSI"`` or ``"LSI"``.
    """

    name: str
    index: str | None
    partition_key: str
    partition_type: str
    sort_key: str | None
    sort_type: str | None
    kind: Literal["table", "GSI", "LSI"] = "table"

    def label(self) -> str:
        """``"PK (S) + SK (S)"``, or ``"GSI2PK (S)"`` without a sort key."""
        text = f"{self.partition_key} ({self.partition_type})"
        if self.sort_key is not None:
            text += f" + {self.sort_key} ({self.sort_type})"
        return text


def _schema(
    name: str,
    index: str | None,
    key_schema: list[Mapping[str, Any]],
    types: Mapping[str, str],
    kind: Literal["table", "GSI", "LSI"],
) -> KeySchemaInfo:
    hash_key = next(e["AttributeName"] for e in key_schema if e["KeyType"] == "HASH")
    range_key = next((e["AttributeName"] for e in key_schema if e["KeyType"] == "RANGE"), None)
    return KeySchemaInfo(
        name=name,
        index=index,
        partition_key=hash_key,
        partition_type=types.get(hash_key, "S"),
        sort_key=range_key,
        sort_type=None if range_key is None else types.get(range_key, "S"),
        kind=kind,
    )


def key_schemas(description: Mapping[str, Any]) -> list[KeySchemaInfo]:
    """The table's key, then each GSI's and then each LSI's, both sorted by name.

    Args:
        description: ``client.describe_table(TableName=...)["Table"]``.

    Returns:
        One :class:`KeySchemaInfo` per queryable target, the table first.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    types = {
        d["AttributeName"]: d["AttributeType"] for d in description.get("AttributeDefinitions", [])
    }
    schemas = [_schema(description["TableName"], None, description["KeySchema"], types, "table")]
    groups: tuple[tuple[str, Literal["GSI", "LSI"]], ...] = (
        ("GlobalSecondaryIndexes", "GSI"),
        ("LocalSecondaryIndexes", "LSI"),
    )
    for group, kind in groups:
        for index in sorted(description.get(group) or [], key=lambda i: str(i["IndexName"])):
            name = index["IndexName"]
            schemas.append(_schema(name, name, index["KeySchema"], types, kind))
    return schemas


@dataclass(frozen=True)
class QuerySpec:
    """What the learner asked for, as typed into the form (all values are text)."""

    table: str
    partition_value: str
    index: str | None = None
    sort_operator: str | None = None
    sort_value: str = ""
    sort_value2: str = ""
    newest_first: bool = False
    limit: int | None = None
    filter_attribute: str = ""
    filter_operator: str = "="
    filter_value: str = ""
    consistent_read: bool = False
    exclusive_start_key: Mapping[str, Any] | None = None


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text.strip()) is not None


def _key_value(role: str, attribute: str, type_: str, text: str) -> dict[str, Any]:
    """``text`` as a low-level value of the key's type; ValueError if it cannot be one."""
    if type_ == "N":
        if not _is_number(text):
            raise ValueError(f'{role} "{attribute}" is a Number; "{text}" is not a number.')
        return {"N": text.strip()}
    if type_ == "B":
        return {"B": text.encode("utf-8")}
    return {"S": text}


def _ordered(type_: str, low: Mapping[str, Any], high: Mapping[str, Any]) -> bool:
    """True when ``low <= high`` in DynamoDB's order for the type."""
    if type_ == "N":
        return Decimal(low["N"]) <= Decimal(high["N"])
    if type_ == "B":
        return bool(low["B"] <= high["B"])
    return bool(low["S"] <= high["S"])


def build_query(spec: QuerySpec, schema: KeySchemaInfo) -> dict[str, Any]:
    """The ``client.query`` parameters for ``spec`` against the key in ``schema``.

    Attribute names always go through placeholders (``#pk``, ``#sk``, ``#f0``) so reserved words
    such as ``status`` are safe. Key values take the key's type (a Binary key gets the UTF-8
    bytes of the text); a filter value that reads as a number is sent as a Number, anything else
    as a String. Optional parameters appear only when used, in the fixed order TableName,
    IndexName, KeyConditionExpression, FilterExpression, ExpressionAttributeNames,
    ExpressionAttributeValues, ScanIndexForward, Limit, ConsistentRead, ExclusiveStartKey.

    Args:
        spec: The form values.
        schema: The key of the table or index being queried (see :func:`key_schemas`).

    Returns:
        Keyword arguments for ``client.query``.

    Raises:
        ValueError: The form cannot make a valid query; the message says why in plain words.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    if spec.index != schema.index:
        raise ValueError(
            f"The key schema is for {schema.name!r}, but the query is for "
            f"{spec.index or spec.table!r}."
        )
    if spec.partition_value == "":
        raise ValueError("Enter a partition key value.")
    names: dict[str, str] = {"#pk": schema.partition_key}
    values: dict[str, Any] = {
        ":pk": _key_value(
            "Partition key", schema.partition_key, schema.partition_type, spec.partition_value
        )
    }
    condition = "#pk = :pk"

    operator = spec.sort_operator
    if operator is not None:
        if operator not in SORT_KEY_OPERATORS:
            raise ValueError(
                f'"{operator}" is not a sort key operator; use one of '
                + ", ".join(SORT_KEY_OPERATORS)
                + "."
            )
        if schema.sort_key is None or schema.sort_type is None:
            raise ValueError(
                f"{schema.name} has no sort key, so the only key condition is on "
                f'"{schema.partition_key}". Choose "(any)" for the sort key.'
            )
        if spec.sort_value == "":
            raise ValueError("Enter a sort key value.")
        if operator == "begins_with" and schema.sort_type == "N":
            raise ValueError(
                f'begins_with works on String and Binary sort keys; "{schema.sort_key}" is a '
                "Number. Use BETWEEN or a comparison instead."
            )
        names["#sk"] = schema.sort_key
        values[":sk"] = _key_value("Sort key", schema.sort_key, schema.sort_type, spec.sort_value)
        if operator == "BETWEEN":
            if spec.sort_value2 == "":
                raise ValueError("BETWEEN needs two values: enter the upper bound too.")
            values[":sk2"] = _key_value(
                "Sort key", schema.sort_key, schema.sort_type, spec.sort_value2
            )
            if not _ordered(schema.sort_type, values[":sk"], values[":sk2"]):
                raise ValueError(
                    f'BETWEEN needs the lower bound first: "{spec.sort_value}" sorts after '
                    f'"{spec.sort_value2}".'
                )
            condition += " AND #sk BETWEEN :sk AND :sk2"
        elif operator == "begins_with":
            condition += " AND begins_with(#sk, :sk)"
        else:
            condition += f" AND #sk {operator} :sk"

    filter_expression: str | None = None
    attribute = spec.filter_attribute.strip()
    if attribute:
        op = spec.filter_operator
        if op not in FILTER_OPERATORS:
            raise ValueError(
                f'"{op}" is not a filter operator; use one of ' + ", ".join(FILTER_OPERATORS) + "."
            )
        names["#f0"] = attribute
        if op in _NO_VALUE_FILTERS:
            filter_expression = f"{op}(#f0)"
        else:
            if spec.filter_value == "":
                raise ValueError(f'Enter a value to compare "{attribute}" with.')
            text = spec.filter_value
            values[":f0"] = {"N": text.strip()} if _is_number(text) else {"S": text}
            if op in ("begins_with", "contains"):
                filter_expression = f"{op}(#f0, :f0)"
            else:
                filter_expression = f"#f0 {op} :f0"

    if spec.limit is not None and not 1 <= spec.limit <= MAX_LIMIT:
        raise ValueError(f"Limit must be between 1 and {MAX_LIMIT} (got {spec.limit}).")
    if spec.consistent_read and schema.kind == "GSI":
        raise ValueError(
            "Global secondary indexes support only eventually consistent reads. "
            "Query the table or a local secondary index for a strongly consistent read."
        )

    params: dict[str, Any] = {"TableName": spec.table}
    if spec.index is not None:
        params["IndexName"] = spec.index
    params["KeyConditionExpression"] = condition
    if filter_expression is not None:
        params["FilterExpression"] = filter_expression
    params["ExpressionAttributeNames"] = names
    params["ExpressionAttributeValues"] = values
    if spec.newest_first:
        params["ScanIndexForward"] = False
    if spec.limit is not None:
        params["Limit"] = spec.limit
    if spec.consistent_read:
        params["ConsistentRead"] = True
    if spec.exclusive_start_key is not None:
        params["ExclusiveStartKey"] = dict(spec.exclusive_start_key)
    return params


@dataclass(frozen=True)
class QueryResult:
    """One page of a query, or the reason there is none.

    Attributes:
        params: The ``client.query`` parameters sent (empty if the input was rejected first).
        code: The call as Python (``render_call("query", params)``; empty if not sent).
        items: The items as returned, in low-level form and in DynamoDB's order.
        count: ``Count``: items returned (after the filter).
        scanned_count: ``ScannedCount``: items read (before the filter).
        last_evaluated_key: ``LastEvaluatedKey`` in low-level form (pass it back as
            ``ExclusiveStartKey`` for the next page), or None on the last page.
        error_code: ``"InvalidInput"`` for input rejected before the call, the service's error
            code (``"ResourceNotFoundException"``, ...) for a failed call, else None.
        error_message: The error's message.
        key_attributes: Key attribute names to show first in :meth:`frame` and the status line:
            the queried key, then the table's key.
    """

    params: dict[str, Any]
    code: str
    items: list[dict[str, Any]]
    count: int
    scanned_count: int
    last_evaluated_key: dict[str, Any] | None
    error_code: str | None = None
    error_message: str | None = None
    key_attributes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the query ran."""
        return self.error_code is None

    def frame(self) -> pd.DataFrame:
        """The items as a DataFrame, rows in the order DynamoDB returned them.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        return items_frame(self.items, self.key_attributes or None, sort=False)

    def status_line(self) -> str:
        """``Count: 3 · ScannedCount: 5 · LastEvaluatedKey: {"PK": "USER#u0001", ...}``.

        On the last page the key reads ``none (last page)``; for an error the line is
        ``<ErrorCode>: <message>``.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        if self.error_code is not None:
            return f"{self.error_code}: {self.error_message}"
        if self.last_evaluated_key is None:
            key_text = "none (last page)"
        else:
            plain = {
                name: _deserializer.deserialize(value)
                for name, value in self.last_evaluated_key.items()
            }
            first = [name for name in self.key_attributes if name in plain]
            order = first + sorted(set(plain) - set(first))
            key_text = (
                "{" + ", ".join(f"{format_value(n)}: {format_value(plain[n])}" for n in order) + "}"
            )
        return (
            f"Count: {self.count} · ScannedCount: {self.scanned_count}"
            f" · LastEvaluatedKey: {key_text}"
        )


def failed_result(code: str, message: str, params: dict[str, Any] | None = None) -> QueryResult:
    """A QueryResult that carries an error instead of items."""
    params = params or {}
    return QueryResult(
        params=params,
        code=render_call("query", params) if params else "",
        items=[],
        count=0,
        scanned_count=0,
        last_evaluated_key=None,
        error_code=code,
        error_message=message,
    )


def _client_error(error: ClientError) -> tuple[str, str]:
    details = error.response.get("Error", {})
    return str(details.get("Code", "ClientError")), str(details.get("Message", error))


def run_query(
    client: Any, spec: QuerySpec, description: Mapping[str, Any] | None = None
) -> QueryResult:
    """Run one page of the query ``spec`` describes; report errors instead of raising them.

    Args:
        client: A low-level ``boto3`` DynamoDB client.
        spec: The form values.
        description: ``describe_table(...)["Table"]`` if already known; described if None.

    Returns:
        The page, or a result whose ``error_code`` is ``"InvalidInput"`` (the input was
        rejected before any call) or the service's error code.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    if description is None:
        try:
            description = client.describe_table(TableName=spec.table)["Table"]
        except ClientError as error:
            return failed_result(*_client_error(error))
        except BotoCoreError as error:
            return failed_result(type(error).__name__, str(error))
    schemas = {schema.index: schema for schema in key_schemas(description)}
    schema = schemas.get(spec.index)
    if schema is None:
        return failed_result(
            INVALID_INPUT, f'Table "{spec.table}" has no index named "{spec.index}".'
        )
    try:
        params = build_query(spec, schema)
    except ValueError as error:
        return failed_result(INVALID_INPUT, str(error))

    key_attributes = tuple(
        dict.fromkeys(
            name
            for name in (
                schema.partition_key,
                schema.sort_key,
                schemas[None].partition_key,
                schemas[None].sort_key,
            )
            if name is not None
        )
    )
    try:
        response = client.query(**params)
    except ClientError as error:
        return failed_result(*_client_error(error), params=params)
    except BotoCoreError as error:
        return failed_result(type(error).__name__, str(error), params=params)
    return QueryResult(
        params=params,
        code=render_call("query", params),
        items=list(response.get("Items", [])),
        count=int(response.get("Count", 0)),
        scanned_count=int(response.get("ScannedCount", 0)),
        last_evaluated_key=response.get("LastEvaluatedKey"),
        key_attributes=key_attributes,
    )
