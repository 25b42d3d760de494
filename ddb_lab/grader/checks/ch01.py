"""Checks for chapter 1, keys and data types (exercises/01_keys_and_types.ipynb)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeSerializer
from botocore.exceptions import ClientError

from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure, LearnerRaised

Learner = Callable[..., Any]

_KEY_SCHEMA = [
    {"AttributeName": "customer_id", "KeyType": "HASH"},
    {"AttributeName": "order_key", "KeyType": "RANGE"},
]
_KEY_TYPES = [
    {"AttributeName": "customer_id", "AttributeType": "S"},
    {"AttributeName": "order_key", "AttributeType": "S"},
]


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- 01.create_orders_table ---------------------------------------------------------------------


@check_for("01.create_orders_table")
def create_orders_table(function: Learner, ctx: CheckContext) -> None:
    name = ctx.call(function, ctx.client)
    if not isinstance(name, str):
        raise Failure(
            "create_orders_table should return the name of the table it created.",
            expected="'Orders'",
            got=_short(name),
            advice='End the function with `return "Orders"`.',
        )
    if "CreateTable" not in ctx.operations():
        raise Failure(
            "Your function made no CreateTable call.",
            advice="Call client.create_table(TableName=..., KeySchema=..., "
            "AttributeDefinitions=..., BillingMode=...).",
        )
    try:
        table = ctx.client.describe_table(TableName=name)["Table"]
    except ClientError:
        raise Failure(
            f"There is no table named {name!r} after your function ran.",
            expected="'Orders'",
            got=_short(name),
        ) from None
    if name != "Orders":
        raise Failure("The table must be called Orders.", expected="'Orders'", got=_short(name))
    keys = [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]]
    wanted = [(k["AttributeName"], k["KeyType"]) for k in _KEY_SCHEMA]
    if keys != wanted:
        raise Failure(
            "The primary key is not customer_id (partition key) + order_key (sort key).",
            expected=wanted,
            got=keys,
            advice="KeySchema lists the partition key (HASH) first, then the sort key (RANGE).",
        )
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    if types != {"customer_id": "S", "order_key": "S"}:
        raise Failure(
            "AttributeDefinitions must declare exactly the two key attributes, both strings.",
            expected={"customer_id": "S", "order_key": "S"},
            got=types,
            advice="Only key attributes are declared; everything else is schemaless.",
        )
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if billing != "PAY_PER_REQUEST":
        raise Failure(
            "The table should use on-demand capacity.",
            expected="PAY_PER_REQUEST",
            got=billing,
            advice="Pass BillingMode='PAY_PER_REQUEST' (and no ProvisionedThroughput).",
        )


# --- 01.to_low_level -----------------------------------------------------------------------------

_SAMPLES: tuple[dict[str, Any], ...] = (
    {"user_id": "u1", "age": 42, "score": Decimal("9.95"), "active": True, "nickname": None},
    {
        "user_id": "u2",
        "avatar": b"\x89PNG",
        "skills": {"python", "dynamodb"},
        "lucky": {7, 42},
        "keys": {b"\x01", b"\x02"},
    },
    {
        "user_id": "u3",
        "address": {"city": "Hampton", "geo": {"lat": Decimal("37.03"), "ok": False}},
        "logins": ["web", 3, {"device": "phone"}, [True, None]],
        "empty_text": "",
        "empty_list": [],
        "empty_map": {},
    },
)


def _canonical(value: Any) -> Any:
    """A low-level value with set members sorted, so that set order does not matter."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, member in value.items():
            if key in ("SS", "NS", "BS") and isinstance(member, list):
                result[key] = sorted(member, key=repr)
            else:
                result[key] = _canonical(member)
        return result
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, Binary):
        return bytes(value)
    return value


def _first_difference(expected: Mapping[str, Any], got: Any) -> str | None:
    if not isinstance(got, dict):
        return None
    for name in expected:
        if name not in got:
            return f"attribute {name!r} is missing"
        if _canonical(got[name]) != _canonical(expected[name]):
            return f"attribute {name!r}: expected {expected[name]!r}, got {got[name]!r}"
    extra = sorted(set(got) - set(expected))
    return f"unexpected attributes {extra}" if extra else None


@check_for("01.to_low_level")
def to_low_level(function: Learner, ctx: CheckContext) -> None:
    serializer = TypeSerializer()
    ctx.client.create_table(
        TableName="Users",
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for sample in _SAMPLES:
        original = repr(sorted(sample.items(), key=lambda kv: kv[0]))
        got = ctx.call(function, sample)
        if not isinstance(got, dict):
            raise Failure(
                "to_low_level should return a dict of attribute name -> typed value.",
                expected="{'user_id': {'S': 'u1'}, ...}",
                got=_short(got),
            )
        expected = {name: serializer.serialize(value) for name, value in sample.items()}
        difference = _first_difference(expected, got)
        if difference is not None:
            raise Failure(
                f"For the item {_short(sample, 120)}, {difference}.",
                advice="Each value needs exactly one descriptor; bool is BOOL (not N), None is "
                "NULL, numbers are strings inside N, and a set's type follows its members.",
            )
        if repr(sorted(sample.items(), key=lambda kv: kv[0])) != original:
            raise Failure("to_low_level changed the item it was given; build a new dict instead.")
        try:
            ctx.client.put_item(TableName="Users", Item=got)
        except ClientError as error:
            raise Failure(
                "DynamoDB rejected your converted item: "
                f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
            ) from None


# --- 01.orders_in_month --------------------------------------------------------------------------

_CUSTOMER = "c042"
_MONTH = "2025-02"
_NOTE = "x" * 40_000  # large orders: one 1 MB page holds only a part of the month


def _seed_orders(ctx: CheckContext) -> list[str]:
    ctx.client.create_table(
        TableName="Orders",
        KeySchema=_KEY_SCHEMA,
        AttributeDefinitions=_KEY_TYPES,
        BillingMode="PAY_PER_REQUEST",
    )
    table = ctx.table("Orders")
    expected: list[str] = []
    with table.batch_writer() as batch:
        for customer in ("c041", _CUSTOMER, "c043"):
            for month, count in (("2025-01", 6), (_MONTH, 40), ("2025-03", 6)):
                for n in range(count):
                    day = 1 + n % 28
                    key = f"{month}-{day:02d}#o{customer[1:]}{month[5:]}{n:03d}"
                    batch.put_item(
                        Item={
                            "customer_id": customer,
                            "order_key": key,
                            "total": Decimal(10 + n),
                            "note": _NOTE,
                        }
                    )
                    if customer == _CUSTOMER and month == _MONTH:
                        expected.append(key)
    return sorted(expected)


@check_for("01.orders_in_month")
def orders_in_month(function: Learner, ctx: CheckContext) -> None:
    expected = _seed_orders(ctx)
    got = ctx.call(function, ctx.table("Orders"), _CUSTOMER, _MONTH)
    operations = ctx.operations()
    if "Scan" in operations:
        raise Failure(
            "Your function used Scan, which reads every order of every customer.",
            advice="Query the customer's partition: Key('customer_id').eq(customer_id).",
        )
    if "Query" not in operations:
        raise Failure(
            "Your function made no Query call.",
            advice="Use table.query(KeyConditionExpression=...).",
        )
    if not isinstance(got, list) or not all(isinstance(i, Mapping) for i in got):
        raise Failure(
            "orders_in_month should return a list of items (dicts).",
            expected="[{'customer_id': 'c042', 'order_key': '2025-02-01#...', ...}, ...]",
            got=_short(got),
        )
    keys = [str(item.get("order_key")) for item in got]
    queries = [c.params for c in ctx.calls if c.operation == "Query"]
    conditions = " ".join(str(q.get("KeyConditionExpression", "")) for q in queries)
    if not any(word in conditions.lower() for word in ("begins_with", "between", "<", ">")):
        raise Failure(
            "Your Query reads the customer's whole partition and drops the other months "
            "afterwards: DynamoDB charges for every order it reads.",
            advice="Put the month in the key condition: Key('order_key').begins_with(month).",
        )
    if any(str(q.get("FilterExpression", "")) for q in queries):
        raise Failure(
            "Your Query uses a FilterExpression; the month belongs in the key condition.",
            advice="A filter runs after the read, so it does not reduce what you pay for.",
        )
    if set(keys) < set(expected) and len(keys) < len(expected):
        raise Failure(
            f"You returned {len(keys)} of the {len(expected)} orders: a Query page stops at "
            "1 MB, and these orders are large.",
            expected=f"{len(expected)} orders",
            got=f"{len(keys)} orders from {len(queries)} Query call(s)",
            advice="Loop while the response has a LastEvaluatedKey, passing it as "
            "ExclusiveStartKey to the next Query.",
        )
    if keys != expected:
        if sorted(keys) == expected:
            raise Failure(
                "The right orders, but not in sort-key order (oldest first).",
                expected=expected[:3],
                got=keys[:3],
                advice="Keep DynamoDB's order: do not reverse it (ScanIndexForward defaults to "
                "True).",
            )
        missing = sorted(set(expected) - set(keys))
        extra = sorted(set(keys) - set(expected))
        raise Failure(
            f"The orders returned are not exactly {_CUSTOMER}'s orders in {_MONTH}.",
            expected=f"{len(expected)} orders",
            got=f"{len(keys)} orders; missing {missing[:2]}, unexpected {extra[:2]}",
        )


# --- 01.safe_update_status -----------------------------------------------------------------------


@check_for("01.safe_update_status")
def safe_update_status(function: Learner, ctx: CheckContext) -> None:
    ctx.client.create_table(
        TableName="Users",
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    users = ctx.table("Users")
    before = {
        "user_id": "u1",
        "username": "ada",
        "email": "ada@example.com",
        "status": "active",
        "logins": Decimal(12),
    }
    users.put_item(Item=before)
    ctx.call(function, users, "u1", "suspended")
    if "UpdateItem" not in ctx.operations():
        raise Failure(
            "Use UpdateItem: reading the item and putting it back can lose a change someone "
            "else made in between.",
            advice="users.update_item(Key=..., UpdateExpression='SET #status = :s', ...).",
        )
    after = users.get_item(Key={"user_id": "u1"}).get("Item")
    wanted = dict(before, status="suspended")
    if after != wanted:
        raise Failure(
            "After set_status('u1', 'suspended') the item is not the same user with the new "
            "status.",
            expected=_short(wanted),
            got=_short(after),
            advice="SET only the status attribute; the other attributes must stay as they are.",
        )
    ctx.forget_calls()
    try:
        ctx.call(function, users, "nobody", "active")
    except LearnerRaised as raised:
        error = raised.error
        code = error.response["Error"]["Code"] if isinstance(error, ClientError) else None
        if code != "ConditionalCheckFailedException":
            raise
    created = users.get_item(Key={"user_id": "nobody"}).get("Item")
    if created is not None:
        raise Failure(
            "set_status created a user that did not exist: UpdateItem is an upsert.",
            got=_short(created),
            advice="Add ConditionExpression='attribute_exists(user_id)' so the update only "
            "applies to an existing item.",
        )
