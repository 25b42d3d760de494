"""What a DynamoDB API call asks IAM for: the authorization requests and their condition values.

One API call can need several authorizations. ``BatchGetItem`` and ``BatchWriteItem`` are
authorized once per table, with every partition key of that table in ``dynamodb:LeadingKeys``;
``TransactWriteItems`` and ``TransactGetItems`` are authorized item by item, as the underlying
``PutItem``, ``UpdateItem``, ``DeleteItem``, ``ConditionCheckItem`` or ``GetItem`` actions (with
``dynamodb:EnclosingOperation`` naming the transaction), as "Using IAM with DynamoDB
transactions" documents. The condition values come from the call itself:

* ``dynamodb:LeadingKeys``: the partition-key values touched (of the index, for an index Query);
  a Scan touches no particular partition, so it has none.
* ``dynamodb:Attributes``: the top-level attribute names the request reads, writes or evaluates:
  key attributes, ``ProjectionExpression``/``AttributesToGet``, item attributes, names in
  ``UpdateExpression``, ``ConditionExpression``, ``FilterExpression`` and
  ``KeyConditionExpression``.
* ``dynamodb:Select``: for reads, the ``Select`` given, else ``SPECIFIC_ATTRIBUTES`` with a
  projection, else ``ALL_PROJECTED_ATTRIBUTES`` on an index and ``ALL_ATTRIBUTES`` otherwise
  (the guide: "the Select parameter always has a value").
* ``dynamodb:ReturnValues``: for writes, the ``ReturnValues`` given, else ``NONE``.
* ``dynamodb:ReturnConsumedCapacity``: only when the request sets it.

``ExecuteStatement`` (PartiQL) is authorized as ``dynamodb:PartiQLSelect``, ``PartiQLInsert``,
``PartiQLUpdate`` or ``PartiQLDelete`` on the table it names (condition keys are not derived).

Requests arrive in the wire format (attribute values such as ``{"S": "USER#A"}``), as the lab's
botocore hook sees them.

Used in: notebooks/07_security.ipynb ("What a request carries").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ddb_lab.iam.policy import ContextValue, Request

__all__ = [
    "KeyLookup",
    "attribute_names",
    "requests_for_call",
    "table_arn",
]

#: ``(table, index or None) -> partition-key attribute name`` (None when unknown).
KeyLookup = Callable[[str, str | None], str | None]

_NAME = re.compile(r"(?<![.\w#:\-])(#?[A-Za-z_][A-Za-z0-9_\-]*)(?![\w\-])(?!\s*\()")
_KEYWORDS = frozenset({"and", "or", "not", "between", "in", "set", "remove", "add", "delete"})
_EQUALITY = re.compile(
    r"(#?[A-Za-z_][\w\-]*)\s*=\s*(:[\w\-]+)|(:[\w\-]+)\s*=\s*(#?[A-Za-z_][\w\-]*)"
)
_EXPRESSIONS = (
    "ProjectionExpression",
    "FilterExpression",
    "ConditionExpression",
    "UpdateExpression",
    "KeyConditionExpression",
)
_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_NO_RESOURCE = frozenset({"ListTables", "DescribeLimits", "DescribeEndpoints", "ListStreams"})


def table_arn(table: str, region: str, account: str, index: str | None = None) -> str:
    """The ARN of a table (or of one of its indexes); a table ARN given as name is kept."""
    arn = (
        table if table.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    )
    return f"{arn}/index/{index}" if index else arn


def _scalar(value: Any) -> str | None:
    """The string form of a key AttributeValue (``{"S": "x"}`` -> ``x``)."""
    if isinstance(value, Mapping):
        for descriptor in ("S", "N", "B"):
            if descriptor in value:
                return str(value[descriptor])
    return None


def attribute_names(params: Mapping[str, Any]) -> set[str]:
    """Top-level attribute names used by the expressions of one request (placeholders resolved)."""
    placeholders: Mapping[str, str] = params.get("ExpressionAttributeNames") or {}
    names: set[str] = set()
    for member in _EXPRESSIONS:
        expression = params.get(member)
        if not isinstance(expression, str):
            continue
        for token in _NAME.findall(expression):
            if token.lower() in _KEYWORDS:
                continue
            names.add(placeholders.get(token, token) if token.startswith("#") else token)
    for legacy in ("AttributesToGet",):
        names.update(params.get(legacy) or ())
    for legacy_map in (
        "KeyConditions",
        "QueryFilter",
        "ScanFilter",
        "Expected",
        "AttributeUpdates",
    ):
        names.update((params.get(legacy_map) or {}).keys())
    return names


def _select(params: Mapping[str, Any], index: str | None) -> str:
    if params.get("Select"):
        return str(params["Select"])
    if params.get("ProjectionExpression") or params.get("AttributesToGet"):
        return "SPECIFIC_ATTRIBUTES"
    return "ALL_PROJECTED_ATTRIBUTES" if index else "ALL_ATTRIBUTES"


def _query_partition_key(params: Mapping[str, Any], key_name: str | None) -> list[str]:
    """The partition-key value a Query pins (from its key condition), if any."""
    if key_name is None:
        return []
    legacy = (params.get("KeyConditions") or {}).get(key_name)
    if isinstance(legacy, Mapping) and legacy.get("ComparisonOperator") == "EQ":
        found = _scalar((legacy.get("AttributeValueList") or [None])[0])
        return [found] if found is not None else []
    expression = params.get("KeyConditionExpression") or ""
    placeholders: Mapping[str, str] = params.get("ExpressionAttributeNames") or {}
    values: Mapping[str, Any] = params.get("ExpressionAttributeValues") or {}
    for match in _EQUALITY.finditer(expression):
        name, value = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
        if placeholders.get(name, name) == key_name:
            found = _scalar(values.get(value))
            return [found] if found is not None else []
    return []


class _Builder:
    """Builds the Requests of one call (shared arguments kept in one place)."""

    def __init__(
        self,
        operation: str,
        region: str,
        account: str,
        key_of: KeyLookup,
        base: Mapping[str, ContextValue],
    ) -> None:
        self.operation = operation
        self.region = region
        self.account = account
        self.key_of = key_of
        self.base = dict(base)

    def request(
        self,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue | None],
    ) -> Request:
        merged: dict[str, ContextValue] = dict(self.base)
        for key, value in context.items():
            if value is None or (not isinstance(value, str) and not value):
                continue
            merged[key] = value if isinstance(value, str) else tuple(sorted(set(value)))
        return Request(f"dynamodb:{action}", resource, merged, operation=self.operation)

    def leading(self, table: str, keys: Iterable[Mapping[str, Any]]) -> list[str]:
        key_name = self.key_of(table, None)
        if key_name is None:
            return []
        return [v for v in (_scalar(k.get(key_name)) for k in keys) if v is not None]

    def arn(self, table: str, index: str | None = None) -> str:
        return table_arn(table, self.region, self.account, index)


def _item_request(b: _Builder, action: str, params: Mapping[str, Any], **extra: Any) -> Request:
    """GetItem, PutItem, UpdateItem, DeleteItem, ConditionCheckItem on one item."""
    table = str(params.get("TableName", ""))
    key = params.get("Item") if action == "PutItem" else params.get("Key")
    key = key if isinstance(key, Mapping) else {}
    names = set(key) | attribute_names(params)
    context: dict[str, ContextValue | None] = {
        "dynamodb:LeadingKeys": b.leading(table, [key]),
        "dynamodb:Attributes": sorted(names),
        "dynamodb:ReturnConsumedCapacity": extra.get("rcc"),
    }
    if action == "GetItem":
        context["dynamodb:Select"] = _select(params, None)
    elif action != "ConditionCheckItem":
        context["dynamodb:ReturnValues"] = str(params.get("ReturnValues") or "NONE")
    if extra.get("enclosing"):
        context["dynamodb:EnclosingOperation"] = extra["enclosing"]
    return b.request(action, b.arn(table), context)


def _search_request(b: _Builder, action: str, params: Mapping[str, Any]) -> Request:
    """Query or Scan, on a table or an index."""
    table = str(params.get("TableName", ""))
    index = params.get("IndexName")
    leading: list[str] = []
    if action == "Query":
        leading = _query_partition_key(params, b.key_of(table, index))
    context: dict[str, ContextValue | None] = {
        "dynamodb:LeadingKeys": leading,
        "dynamodb:Attributes": sorted(attribute_names(params)),
        "dynamodb:Select": _select(params, index),
        "dynamodb:ReturnConsumedCapacity": params.get("ReturnConsumedCapacity"),
    }
    return b.request(action, b.arn(table, index), context)


def _batch_get(b: _Builder, params: Mapping[str, Any]) -> list[Request]:
    out: list[Request] = []
    for table, spec in sorted((params.get("RequestItems") or {}).items()):
        keys = spec.get("Keys") or []
        names = {name for key in keys for name in key} | attribute_names(spec)
        context: dict[str, ContextValue | None] = {
            "dynamodb:LeadingKeys": b.leading(table, keys),
            "dynamodb:Attributes": sorted(names),
            "dynamodb:Select": _select(spec, None),
            "dynamodb:ReturnConsumedCapacity": params.get("ReturnConsumedCapacity"),
        }
        out.append(b.request("BatchGetItem", b.arn(table), context))
    return out


def _batch_write(b: _Builder, params: Mapping[str, Any]) -> list[Request]:
    out: list[Request] = []
    for table, writes in sorted((params.get("RequestItems") or {}).items()):
        items: list[Mapping[str, Any]] = []
        for write in writes:
            if "PutRequest" in write:
                items.append(write["PutRequest"].get("Item") or {})
            elif "DeleteRequest" in write:
                items.append(write["DeleteRequest"].get("Key") or {})
        context: dict[str, ContextValue | None] = {
            "dynamodb:LeadingKeys": b.leading(table, items),
            "dynamodb:Attributes": sorted({name for item in items for name in item}),
            "dynamodb:ReturnConsumedCapacity": params.get("ReturnConsumedCapacity"),
        }
        out.append(b.request("BatchWriteItem", b.arn(table), context))
    return out


def _transact(b: _Builder, params: Mapping[str, Any], operation: str) -> list[Request]:
    out: list[Request] = []
    rcc = params.get("ReturnConsumedCapacity")
    for entry in params.get("TransactItems") or []:
        for kind, body in entry.items():
            action = "GetItem" if kind == "Get" else _WRITE_ACTIONS.get(kind)
            if action is not None and isinstance(body, Mapping):
                out.append(_item_request(b, action, body, rcc=rcc, enclosing=operation))
    return out


_PARTIQL_TARGET = re.compile(
    r"^\s*(?P<verb>SELECT|INSERT|UPDATE|DELETE)\b.*?\b(?:FROM|INTO|UPDATE)\s+"
    r'"?(?P<table>[\w.\-]+?)"?(?:\."(?P<index>[\w.\-]+)")?(?:\s|$)',
    re.IGNORECASE | re.DOTALL,
)


def _partiql(b: _Builder, statement: str) -> Request:
    """ExecuteStatement: the PartiQL action of its verb, on the table (or index) it names."""
    match = _PARTIQL_TARGET.match(statement) or _PARTIQL_TARGET.match("UPDATE " + statement)
    if match is None:
        return b.request("PartiQLSelect", "*", {})
    verb = match.group("verb").title()
    return b.request(f"PartiQL{verb}", b.arn(match.group("table"), match.group("index")), {})


def _control(b: _Builder, operation: str, params: Mapping[str, Any]) -> Request:
    """Table-level and stream calls: the action is the operation, the resource what it names."""
    if operation in _NO_RESOURCE:
        resource = "*"
    elif "StreamArn" in params:
        resource = str(params["StreamArn"])
    elif "ShardIterator" in params:  # the lab's iterators start with the stream ARN
        resource = str(params["ShardIterator"]).partition("|")[0] or "*"
    elif "ResourceArn" in params:
        resource = str(params["ResourceArn"])
    elif "TableName" in params:
        resource = b.arn(str(params["TableName"]))
    else:
        resource = "*"
    return b.request(operation, resource, {})


def requests_for_call(
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str,
    account: str,
    key_of: KeyLookup,
    base_context: Mapping[str, ContextValue] | None = None,
) -> list[Request]:
    """The authorization requests one DynamoDB (or DynamoDB Streams) call needs, in order.

    Args:
        operation: the API name, e.g. ``Query``.
        params: the request in wire format (as sent on the wire, attribute values typed).
        region: the Region of the resources.
        account: the account that owns them.
        key_of: finds a table's (or index's) partition-key attribute name.
        base_context: global keys every request carries (``aws:SecureTransport`` ...).
    """
    b = _Builder(operation, region, account, key_of, base_context or {})
    rcc = params.get("ReturnConsumedCapacity")
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        return [_item_request(b, operation, params, rcc=rcc)]
    if operation in ("Query", "Scan"):
        return [_search_request(b, operation, params)]
    if operation == "BatchGetItem":
        return _batch_get(b, params)
    if operation == "BatchWriteItem":
        return _batch_write(b, params)
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return _transact(b, params, operation)
    if operation == "ExecuteStatement":
        return [_partiql(b, str(params.get("Statement", "")))]
    return [_control(b, operation, params)]
