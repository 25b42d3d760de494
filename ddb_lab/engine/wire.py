"""The DynamoDB wire protocol as the engine sees it: JSON requests in, JSON responses out.

DynamoDB and DynamoDB Streams speak JSON over HTTP POST; the operation is named by the
``X-Amz-Target`` header (``DynamoDB_20120810.PutItem``) and errors come back as HTTP 400 with a
body ``{"__type": "com.amazonaws.dynamodb.v20120810#ValidationException", "message": "..."}``.
botocore parses that body into a ``ClientError`` whose code is the part after ``#`` — exactly as
it does for the real service — so anything the engine answers looks like DynamoDB to its caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DynamoError",
    "with_params",
    "WireRequest",
    "WireResponse",
    "attribute_values",
    "error_response",
]

ERROR_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#"
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"

#: Request and response members whose value is a map of attribute name -> AttributeValue.
_AV_MAP_MEMBERS = frozenset(
    {
        "Item",
        "Key",
        "ExpressionAttributeValues",
        "ExclusiveStartKey",
        "LastEvaluatedKey",
        "Attributes",
        "NewImage",
        "OldImage",
    }
)
#: Members whose value is a list of such maps (or, for stream records' "Keys", one map).
_AV_LIST_MEMBERS = frozenset({"Items", "Keys"})
#: Legacy (pre-expression) parameters holding AttributeValues.
_AV_SINGLE_MEMBERS = frozenset({"Value"})
_AV_SEQUENCE_MEMBERS = frozenset({"AttributeValueList"})


class DynamoError(Exception):
    """An error the engine answers with, exactly as DynamoDB would send it."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def response(self) -> WireResponse:
        return error_response(self.code, self.message, self.status)


@dataclass
class WireRequest:
    """One DynamoDB (or DynamoDB Streams) request, parsed."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    target: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, method: str, url: str, headers: Mapping[str, str], body: bytes) -> WireRequest:
        target = ""
        for name, value in headers.items():
            if name.lower() == "x-amz-target":
                target = value.decode("utf-8") if isinstance(value, bytes) else str(value)
        try:
            params = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            params = {}
        return cls(method, url, headers, body, target, params if isinstance(params, dict) else {})

    @property
    def operation(self) -> str:
        """``PutItem`` for target ``DynamoDB_20120810.PutItem``."""
        return self.target.rpartition(".")[2]

    @property
    def is_streams(self) -> bool:
        return self.target.startswith("DynamoDBStreams_")


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body.decode("utf-8")) if self.body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def with_json(self, data: Mapping[str, Any]) -> WireResponse:
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        headers = {k: v for k, v in self.headers.items() if k.lower() != "x-amz-crc32"}
        headers["Content-Length"] = str(len(body))
        return WireResponse(self.status, headers, body)


def error_response(code: str, message: str, status: int = 400) -> WireResponse:
    """An error response in DynamoDB's JSON shape."""
    body = json.dumps({"__type": ERROR_TYPE_PREFIX + code, "message": message}).encode("utf-8")
    return WireResponse(
        status,
        {
            "Content-Type": JSON_CONTENT_TYPE,
            "x-amzn-ErrorType": code,
            "Content-Length": str(len(body)),
        },
        body,
    )


def attribute_values(document: Any) -> Iterator[dict[str, Any]]:
    """Yield every top-level AttributeValue in a request or response document.

    Walks the members that hold attribute values (``Item``, ``Key``, ``Items``,
    ``ExpressionAttributeValues``, ``RequestItems.*.Keys``, ``TransactItems[*].Put.Item``, stream
    records' ``NewImage`` ...). Nested values inside ``M`` and ``L`` are not yielded; use
    :func:`walk_value` for those.
    """
    if isinstance(document, list):
        for element in document:
            yield from attribute_values(element)
        return
    if not isinstance(document, dict):
        return
    for name, value in document.items():
        if name in _AV_MAP_MEMBERS and isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, dict))
        elif name in _AV_LIST_MEMBERS and isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    yield from (v for v in entry.values() if isinstance(v, dict))
        elif name in _AV_LIST_MEMBERS and isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, dict))
        elif name == "Responses" and isinstance(value, dict):  # BatchGetItem: table -> items
            for items in value.values():
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict):
                        yield from (v for v in item.values() if isinstance(v, dict))
        elif name in _AV_SINGLE_MEMBERS and isinstance(value, dict):
            yield value
        elif name in _AV_SEQUENCE_MEMBERS and isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict))
        else:
            yield from attribute_values(value)


def walk_value(value: dict[str, Any], visit: Callable[[dict[str, Any]], None]) -> None:
    """Call ``visit`` on an AttributeValue and on every value nested in it (maps and lists)."""
    visit(value)
    nested_map = value.get("M")
    if isinstance(nested_map, dict):
        for child in nested_map.values():
            if isinstance(child, dict):
                walk_value(child, visit)
    nested_list = value.get("L")
    if isinstance(nested_list, list):
        for child in nested_list:
            if isinstance(child, dict):
                walk_value(child, visit)


def with_params(request: Any, params: Mapping[str, Any]) -> Any:
    """A copy of a botocore ``AWSPreparedRequest`` whose JSON body is ``params``."""
    from botocore.awsrequest import AWSPreparedRequest

    payload = json.dumps(params).encode("utf-8")
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    headers["Content-Length"] = str(len(payload))
    return AWSPreparedRequest(
        method=request.method,
        url=request.url,
        headers=headers,
        body=payload,
        stream_output=False,
    )
