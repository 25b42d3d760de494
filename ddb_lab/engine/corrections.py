"""Corrections: where moto accepts or answers what DynamoDB would not, the engine answers right.

Each correction is small, switchable by name, and documented with the DynamoDB behaviour it
restores. A correction may reject a request before moto sees it (``check``) or rewrite moto's
response (``after``); one that must see the stored items around moto's work (metering) uses
``before`` and ``settle``, which run inside the engine's lock. None of them applies to a real AWS
endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache, lru_cache
from typing import Any, ClassVar

from ddb_lab import facts
from ddb_lab.engine.wire import DynamoError, WireRequest, WireResponse, attribute_values, walk_value

__all__ = [
    "AttributeValueShape",
    "BatchWriteLimits",
    "Correction",
    "ExpressionPlaceholders",
    "KeyRules",
    "NumberNormalisation",
    "NumberRules",
    "ReservedWords",
    "SetDuplicates",
    "default_corrections",
    "reserved_words",
]


class Correction:
    """Base class: a named, switchable fix to moto's behaviour."""

    name: ClassVar[str] = ""
    #: What DynamoDB does that moto does not (shown by ``lab.engine.describe()``).
    summary: ClassVar[str] = ""

    def check(self, request: WireRequest) -> None:
        """Raise :class:`DynamoError` to reject ``request`` before moto runs it."""

    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        """Look at moto's stored data just before moto runs ``request``.

        Runs inside the engine's lock, so nothing else changes the data between this call, moto,
        and :meth:`settle`. ``state`` is this correction's own dict for this one request; the
        engine hands the same dict to :meth:`settle`. May raise :class:`DynamoError` to reject.
        """

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        """Right after moto answered, still inside the engine's lock: return the response.

        ``state`` is the dict :meth:`before` filled for this request.
        """
        return response

    def after(self, request: WireRequest, response: WireResponse) -> WireResponse:
        """Return the response, possibly rewritten."""
        return response


# --- Numbers -----------------------------------------------------------------------------------


def parse_number(text: str) -> Decimal:
    """A DynamoDB Number from its wire text, validated as DynamoDB validates it.

    Raises:
        DynamoError: ValidationException for text that is not a number, more than 38 significant
            digits, or a magnitude outside 1E-130 .. 9.99E+125.
    """
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise DynamoError("ValidationException", facts.MSG_NUMBER_INVALID) from None
    if not number.is_finite():
        raise DynamoError("ValidationException", facts.MSG_NUMBER_INVALID)
    if number == 0:
        return number
    if significant_digits(number) > facts.MAX_NUMBER_DIGITS:
        raise DynamoError("ValidationException", facts.MSG_NUMBER_TOO_PRECISE)
    magnitude = number.copy_abs()  # abs() would round to the context's 28 digits
    if magnitude > facts.MAX_NUMBER:
        raise DynamoError("ValidationException", facts.MSG_NUMBER_OVERFLOW)
    if magnitude < facts.MIN_POSITIVE_NUMBER:
        raise DynamoError("ValidationException", facts.MSG_NUMBER_UNDERFLOW)
    return number


def significant_digits(number: Decimal) -> int:
    """Significant digits of a non-zero Decimal: leading and trailing zeros do not count."""
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return len(digits)


def canonical_number(text: str) -> str:
    """The text DynamoDB returns for a stored number: no exponent, no needless zeros.

    ``"0123.4500"`` -> ``"123.45"``, ``"1E+2"`` -> ``"100"``, ``"-0.0"`` -> ``"0"``.
    """
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if number == 0:
        return "0"
    with localcontext() as context:
        context.prec = 200  # exact: never round a stored number
        return format(number.normalize(context), "f")


def _numbers(request: WireRequest) -> Iterator[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def visit(value: dict[str, Any]) -> None:
        if "N" in value:
            found.append(("N", value["N"]))
        if "NS" in value and isinstance(value["NS"], list):
            found.extend(("N", n) for n in value["NS"])

    for value in attribute_values(request.params):
        walk_value(value, visit)
    yield from found


class NumberRules(Correction):
    name = "number_rules"
    summary = "Numbers keep at most 38 significant digits within 1E-130..9.99E+125."

    def check(self, request: WireRequest) -> None:
        for _, text in _numbers(request):
            parse_number(str(text))


class NumberNormalisation(Correction):
    name = "number_normalisation"
    summary = 'Numbers come back normalised ("0123.4500" is returned as "123.45").'

    def after(self, request: WireRequest, response: WireResponse) -> WireResponse:
        if response.status != 200:
            return response
        data = response.json()
        changed = False

        def visit(value: dict[str, Any]) -> None:
            nonlocal changed
            if isinstance(value.get("N"), str):
                canonical = canonical_number(value["N"])
                changed |= canonical != value["N"]
                value["N"] = canonical
            if isinstance(value.get("NS"), list):
                canonical_set = [canonical_number(str(n)) for n in value["NS"]]
                changed |= canonical_set != value["NS"]
                value["NS"] = canonical_set

        for value in attribute_values(data):
            walk_value(value, visit)
        return response.with_json(data) if changed else response


# --- Sets --------------------------------------------------------------------------------------


class SetDuplicates(Correction):
    name = "set_duplicates"
    summary = "A set (SS, NS, BS) may not hold the same value twice."

    def check(self, request: WireRequest) -> None:
        problems: list[list[Any]] = []

        def visit(value: dict[str, Any]) -> None:
            for kind in ("SS", "NS", "BS"):
                members = value.get(kind)
                if not isinstance(members, list):
                    continue
                keys: list[Any] = members
                if kind == "NS":
                    try:
                        keys = [Decimal(str(m)) for m in members]
                    except InvalidOperation:
                        continue  # NumberRules reports it
                if len(set(keys)) != len(keys):
                    problems.append(members)

        for value in attribute_values(request.params):
            walk_value(value, visit)
        if problems:
            shown = "[" + ", ".join(str(m) for m in problems[0]) + "]"
            raise DynamoError("ValidationException", facts.MSG_SET_DUPLICATES.format(values=shown))


# --- Reserved words ----------------------------------------------------------------------------


@cache
def reserved_words() -> frozenset[str]:
    """DynamoDB's reserved words, upper case (573 of them; see facts.RESERVED_WORDS).

    The list ships with moto (its copy of the AWS documentation's list), so it is read from
    there rather than written out again.
    """
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())


_EXPRESSIONS = (
    "KeyConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
    "ConditionExpression",
    "UpdateExpression",
)
_FUNCTIONS = frozenset(
    {
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "size",
        "if_not_exists",
        "list_append",
    }
)
_SYNTAX = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_UPDATE_CLAUSES = frozenset({"SET", "REMOVE", "ADD", "DELETE"})
_NAME = re.compile(r"(?<![#:\w])([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")


def reserved_word_in(expression: str, kind: str) -> str | None:
    """The first reserved word ``expression`` uses as a bare attribute name, if any."""
    words = reserved_words()
    for match in _NAME.finditer(expression):
        token, call = match.group(1), match.group(2)
        if call and token.lower() in _FUNCTIONS:
            continue
        upper = token.upper()
        if upper in _SYNTAX or (kind == "UpdateExpression" and upper in _UPDATE_CLAUSES):
            continue
        if upper in words:
            return token
    return None


#: Members holding attribute values only (keys are type names there): no expression inside.
_VALUE_MAPS = frozenset({"Item", "Key", "Keys", "ExpressionAttributeValues", "ExclusiveStartKey"})


def _expressions(document: Any) -> Iterator[tuple[str, str]]:
    if isinstance(document, list):
        for element in document:
            yield from _expressions(element)
    elif isinstance(document, dict):
        for name in _EXPRESSIONS:
            if isinstance(document.get(name), str):
                yield name, document[name]
        for name, value in document.items():
            if (
                name not in _EXPRESSIONS
                and name not in _VALUE_MAPS
                and isinstance(value, dict | list)
            ):
                yield from _expressions(value)


class ReservedWords(Correction):
    name = "reserved_words"
    summary = "A reserved word used as a bare name is reported in the expression that used it."

    def check(self, request: WireRequest) -> None:
        for kind, expression in _expressions(request.params):
            word = reserved_word_in(expression, kind)
            if word is not None:
                raise DynamoError(
                    "ValidationException",
                    facts.MSG_RESERVED_WORD.format(expression=kind, word=word),
                )


# --- Attribute value shape ---------------------------------------------------------------------


class AttributeValueShape(Correction):
    name = "attribute_value_shape"
    summary = (
        "Each attribute value names exactly one type ({'S': 'x'}, not {} or {'S':.., 'N':..})."
    )

    def check(self, request: WireRequest) -> None:
        def visit(value: dict[str, Any]) -> None:
            kinds = [k for k in value if k in facts.TYPE_DESCRIPTORS]
            if not kinds:
                raise DynamoError("ValidationException", facts.MSG_AV_EMPTY)
            if len(kinds) > 1:
                raise DynamoError("ValidationException", facts.MSG_AV_MANY)

        for value in attribute_values(request.params):
            walk_value(value, visit)


# --- Expression placeholders -------------------------------------------------------------------

_PLACEHOLDER_NAME = re.compile(r"#[A-Za-z0-9_]+")
_PLACEHOLDER_VALUE = re.compile(r":[A-Za-z0-9_]+")


def _expression_groups(document: Any) -> Iterator[dict[str, Any]]:
    """Every dict that carries expressions together with their placeholder maps."""
    if isinstance(document, list):
        for element in document:
            yield from _expression_groups(element)
    elif isinstance(document, dict):
        if any(isinstance(document.get(n), str) for n in _EXPRESSIONS) or (
            "ExpressionAttributeNames" in document or "ExpressionAttributeValues" in document
        ):
            yield document
        for name, value in document.items():
            if name not in ("ExpressionAttributeValues", "Item", "Key") and isinstance(
                value, dict | list
            ):
                yield from _expression_groups(value)


class ExpressionPlaceholders(Correction):
    name = "expression_placeholders"
    summary = (
        "Every #name and :value used is defined, every one defined is used, and a key "
        "condition uses no OR/NOT."
    )

    def check(self, request: WireRequest) -> None:
        for group in _expression_groups(request.params):
            names = group.get("ExpressionAttributeNames") or {}
            values = group.get("ExpressionAttributeValues") or {}
            used_names: set[str] = set()
            used_values: set[str] = set()
            for kind in _EXPRESSIONS:
                expression = group.get(kind)
                if not isinstance(expression, str):
                    continue
                if kind == "KeyConditionExpression":
                    bad = re.search(r"(?<![#:\w])(OR|NOT)\b", expression, re.IGNORECASE)
                    if bad:
                        raise DynamoError(
                            "ValidationException",
                            facts.MSG_KEY_CONDITION_OPERATOR.format(operator=bad.group(1).upper()),
                        )
                for placeholder in _PLACEHOLDER_NAME.findall(expression):
                    if placeholder not in names:
                        raise DynamoError(
                            "ValidationException",
                            facts.MSG_UNDEFINED_NAME.format(expression=kind, name=placeholder),
                        )
                    used_names.add(placeholder)
                for placeholder in _PLACEHOLDER_VALUE.findall(expression):
                    if placeholder not in values:
                        raise DynamoError(
                            "ValidationException",
                            facts.MSG_UNDEFINED_VALUE.format(expression=kind, name=placeholder),
                        )
                    used_values.add(placeholder)
            unused_values = sorted(set(values) - used_values)
            if unused_values:
                raise DynamoError(
                    "ValidationException",
                    facts.MSG_UNUSED_VALUES.format(names=", ".join(unused_values)),
                )
            unused_names = sorted(set(names) - used_names)
            if unused_names:
                raise DynamoError(
                    "ValidationException",
                    facts.MSG_UNUSED_NAMES.format(names=", ".join(unused_names)),
                )


# --- Keys ----------------------------------------------------------------------------------------

KeySchema = list[tuple[str, str]]  # [(attribute, type)], partition key first


def _moto_key_schema(region: str, table: str) -> KeySchema | None:
    """The key schema of ``table`` as moto holds it, or None if there is no such table."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    found = backend.tables.get(table)
    if found is None:
        return None
    types = {a["AttributeName"]: a["AttributeType"] for a in found.attr}
    schema = [(found.hash_key_attr, types.get(found.hash_key_attr, "S"))]
    if found.range_key_attr:
        schema.append((found.range_key_attr, types.get(found.range_key_attr, "S")))
    return schema


@lru_cache(maxsize=64)  # every request asks; a lab's clients use a handful of URLs
def _region(url: str) -> str:
    match = re.search(r"dynamodb\.([a-z0-9-]+)\.amazonaws\.com", url)
    return match.group(1) if match else "us-east-1"


def _keys_to_check(params: dict[str, Any], operation: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if operation in ("GetItem", "DeleteItem", "UpdateItem") and isinstance(params.get("Key"), dict):
        yield params.get("TableName", ""), params["Key"]
    if operation == "BatchGetItem":
        for table, spec in (params.get("RequestItems") or {}).items():
            for key in spec.get("Keys") or []:
                yield table, key
    if operation == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for entry in requests or []:
                key = (entry.get("DeleteRequest") or {}).get("Key")
                if isinstance(key, dict):
                    yield table, key
    if operation in ("TransactGetItems", "TransactWriteItems"):
        for action in params.get("TransactItems") or []:
            for kind in ("Get", "Update", "Delete", "ConditionCheck"):
                body = action.get(kind)
                if isinstance(body, dict) and isinstance(body.get("Key"), dict):
                    yield body.get("TableName", ""), body["Key"]


def _items_to_check(params: dict[str, Any], operation: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if operation == "PutItem" and isinstance(params.get("Item"), dict):
        yield params.get("TableName", ""), params["Item"]
    if operation == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for entry in requests or []:
                item = (entry.get("PutRequest") or {}).get("Item")
                if isinstance(item, dict):
                    yield table, item
    if operation == "TransactWriteItems":
        for action in params.get("TransactItems") or []:
            put = action.get("Put")
            if isinstance(put, dict) and isinstance(put.get("Item"), dict):
                yield put.get("TableName", ""), put["Item"]


class KeyRules(Correction):
    name = "key_rules"
    summary = (
        "A Key names exactly the table's key attributes with their types; key strings are "
        "never empty."
    )

    def check(self, request: WireRequest) -> None:
        if request.is_streams:
            return
        region = _region(request.url)
        schemas: dict[str, KeySchema | None] = {}  # a batch names its table once per item

        def schema_of(table: str) -> KeySchema | None:
            if table not in schemas:
                schemas[table] = _moto_key_schema(region, table)
            return schemas[table]

        for table, key in _keys_to_check(request.params, request.operation):
            schema = schema_of(table)
            if schema is None:
                continue  # moto answers ResourceNotFoundException
            expected = {name: kind for name, kind in schema}
            given = {name: next(iter(v), "") for name, v in key.items() if isinstance(v, dict)}
            if given != expected:
                raise DynamoError("ValidationException", facts.MSG_KEY_MISMATCH)
            self._no_empty_strings(schema, key)
        for table, item in _items_to_check(request.params, request.operation):
            schema = schema_of(table)
            if schema is not None:
                self._no_empty_strings(schema, item)

    @staticmethod
    def _no_empty_strings(schema: KeySchema, values: dict[str, Any]) -> None:
        for name, _kind in schema:
            value = values.get(name)
            if isinstance(value, dict) and (value.get("S") == "" or value.get("B") == ""):
                raise DynamoError(
                    "ValidationException", facts.MSG_EMPTY_KEY_STRING.format(key=name)
                )


# --- Request limits ------------------------------------------------------------------------------


class BatchWriteLimits(Correction):
    name = "batch_write_limits"
    summary = "A BatchWriteItem holds at most 25 put or delete requests (moto accepts more)."

    def check(self, request: WireRequest) -> None:
        if request.operation != "BatchWriteItem":
            return
        tables = request.params.get("RequestItems") or {}
        if not isinstance(tables, dict):
            return
        total = 0
        for table, requests in tables.items():
            count = len(requests) if isinstance(requests, list) else 0
            if not 1 <= count <= facts.BATCH_WRITE_MAX_ITEMS:
                raise DynamoError(
                    "ValidationException",
                    facts.MSG_BATCH_WRITE_TABLE_LIMIT.format(table=table, count=count),
                )
            total += count
        if total > facts.BATCH_WRITE_MAX_ITEMS:
            raise DynamoError("ValidationException", facts.MSG_BATCH_WRITE_TOO_MANY)


def default_corrections() -> list[Correction]:
    """The corrections a new lab applies, in the order they run."""
    from ddb_lab.engine.indexes import GsiLag, IndexRules, LsiFetch  # they build on this module
    from ddb_lab.engine.metering import Metering  # it builds on this module
    from ddb_lab.engine.query_index import PartitionQueries  # moto's query, one partition
    from ddb_lab.engine.streams import StreamRecords  # no-op writes, lab-clock stream records
    from ddb_lab.engine.throttling import Throttling  # settles after metering: charges its units
    from ddb_lab.engine.transactions import BatchLimits, IdempotencyTokens, TransactionLimits

    metering = Metering()
    return [
        AttributeValueShape(),
        NumberRules(),
        SetDuplicates(),
        ExpressionPlaceholders(),
        ReservedWords(),
        KeyRules(),
        IndexRules(),
        BatchWriteLimits(),
        BatchLimits(),
        IdempotencyTokens(),
        GsiLag(),  # off until lab.simulate_gsi_lag(seconds); before the numbers are normalised
        NumberNormalisation(),
        StreamRecords(),
        metering,
        LsiFetch(metering.ledger),  # after metering: adds the table reads an LSI fetch costs
        Throttling(),
        TransactionLimits(),  # its before() holds moto's get limit open until settle()
        PartitionQueries(),  # last: every re-read of a settle() before it queries one partition
    ]
