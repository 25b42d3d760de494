"""Checks for chapter 3, secondary indexes (exercises/03_secondary_indexes.ipynb).

Each check seeds its own table and judges how the answer was reached as well as what it is: an
index Query rather than a Scan, one read per result where the projection allows it, a sparse
index that holds only the wanted items, every shard and every page of a sharded index key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from ddb_lab import datasets
from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure
from ddb_lab.modeling import every_item

Learner = Callable[..., Any]

_TABLE_READS = ("GetItem", "BatchGetItem", "Query", "TransactGetItems")


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _no_scan(ctx: CheckContext, what: str) -> None:
    if "Scan" in ctx.operations():
        raise Failure(
            f"Your function used Scan, which reads every item of {what}.",
            advice="Query the index whose partition key is the value you know.",
        )


def _index_of(params: Mapping[str, Any]) -> str | None:
    name = params.get("IndexName")
    return str(name) if name else None


# --- 03.profile_by_username ----------------------------------------------------------------------


@check_for("03.profile_by_username")
def profile_by_username(function: Learner, ctx: CheckContext) -> None:
    datasets.load_social(ctx.client, "small", progress=False)
    table = ctx.table(datasets.SOCIAL_TABLE)
    users = datasets.generate_social("small").users()
    picked = [users[3], users[17], users[-1]]
    for user in picked:
        ctx.forget_calls()
        got = ctx.call(function, table, user["username"])
        expected = table.get_item(Key={"PK": user["PK"], "SK": "PROFILE"})["Item"]
        _judge_lookup(ctx, user["username"], got, expected)
    ctx.forget_calls()
    missing = ctx.call(function, table, "nobody_here")
    if missing is not None:
        raise Failure(
            "For a username nobody has, profile_by_username should return None.",
            got=_short(missing),
            advice="When the index Query returns no Items, return None.",
        )
    _no_scan(ctx, "the table")


def _judge_lookup(ctx: CheckContext, username: str, got: Any, expected: Mapping[str, Any]) -> None:
    _no_scan(ctx, "the table")
    queries = [c.params for c in ctx.calls if c.operation == "Query"]
    if not any(_index_of(q) == "GSI2" for q in queries):
        raise Failure(
            "Your function did not Query GSI2, the index keyed on the username.",
            advice="table.query(IndexName='GSI2', "
            "KeyConditionExpression=Key('GSI2PK').eq('USERNAME#' + username)).",
        )
    other = sorted({i for q in queries if (i := _index_of(q)) not in (None, "GSI2")})
    if other:
        raise Failure(
            f"Your function also queried {', '.join(other)}: reading every user to find one "
            "username costs a read of all of them.",
            advice="GSI2's partition key is the username itself: one Query finds the entry.",
        )
    if not isinstance(got, Mapping):
        raise Failure(
            f"profile_by_username({username!r}) should return the profile item (a dict).",
            got=_short(got),
        )
    if dict(got) == {k: v for k, v in expected.items() if k in ("PK", "SK", "GSI2PK")}:
        raise Failure(
            "You returned the index entry: GSI2 projects KEYS_ONLY, so it holds only the keys.",
            advice="Read the whole item from the table with the PK and SK the entry gives you.",
        )
    if dict(got) != dict(expected):
        missing = sorted(set(expected) - set(got))
        raise Failure(
            f"profile_by_username({username!r}) did not return that user's whole profile.",
            expected=_short(dict(expected)),
            got=f"missing attributes {missing}" if missing else _short(dict(got)),
        )
    reads = [c for c in ctx.calls if c.operation in _TABLE_READS]
    if len(reads) > 2:
        raise Failure(
            f"One lookup made {len(reads)} reads; it needs two: the index Query and one read of "
            "the item from the table.",
            got=[c.operation for c in reads],
        )


# --- 03.sparse_open_orders -----------------------------------------------------------------------

_ORDERS = "Orders"
_OPEN_INDEX = "OpenOrders"


def _orders() -> list[dict[str, Any]]:
    statuses = ("OPEN", "SHIPPED", "SHIPPED", "CANCELLED", "OPEN", "SHIPPED")
    orders = []
    for n in range(60):
        orders.append(
            {
                "order_id": f"o{n:04d}",
                "customer_id": f"c{n % 7:02d}",
                "status": statuses[(n * 5) % len(statuses)],
                "created_at": f"2025-03-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                "total": 10 + n,
            }
        )
    return orders


def _create_orders_table(ctx: CheckContext, index: str, partition_key: str) -> Any:
    """Orders keyed by order_id, with one GSI on ``partition_key`` sorted by created_at."""
    ctx.client.create_table(
        TableName=_ORDERS,
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "order_id", "AttributeType": "S"},
            {"AttributeName": partition_key, "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition_key, "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return ctx.table(_ORDERS)


def _create_open_orders_table(ctx: CheckContext) -> Any:
    return _create_orders_table(ctx, _OPEN_INDEX, "open_customer")


@check_for("03.sparse_open_orders")
def sparse_open_orders(function: Learner, ctx: CheckContext) -> None:
    table = _create_open_orders_table(ctx)
    orders = _orders()
    for order in orders:
        original = dict(order)
        item = ctx.call(function, dict(order))
        if not isinstance(item, Mapping):
            raise Failure("order_item should return the item to store (a dict).", got=_short(item))
        changed = {k: item.get(k) for k in original if item.get(k) != original[k]}
        if changed:
            raise Failure(
                "The item must keep every attribute of the order unchanged.",
                expected=_short(original),
                got=f"changed: {_short(changed)}",
            )
        try:
            table.put_item(Item=dict(item))
        except ClientError as error:
            info = error.response["Error"]
            raise Failure(
                f"DynamoDB rejected the item for order {order['order_id']} ({order['status']}): "
                f"{info['Code']}: {info['Message']}",
                advice="Leave open_customer out of items that are not open; None is stored as "
                "NULL (the wrong type for the index key) and '' is not a valid key.",
            ) from None
    _judge_sparse_index(ctx, table, orders)


def _judge_sparse_index(ctx: CheckContext, table: Any, orders: list[dict[str, Any]]) -> None:
    wanted = sorted(o["order_id"] for o in orders if o["status"] == "OPEN")
    indexed = [str(item["order_id"]) for item in every_item(table.scan, IndexName=_OPEN_INDEX)]
    extra = sorted(set(indexed) - set(wanted))
    missing = sorted(set(wanted) - set(indexed))
    if extra:
        statuses = Counter(o["status"] for o in orders if o["order_id"] in extra)
        raise Failure(
            f"The index holds {len(extra)} orders that are not open ({dict(statuses)}): it is "
            "not sparse, and every one of them costs index writes and storage.",
            expected=f"{len(wanted)} open orders",
            got=f"{len(indexed)} index entries",
            advice="Give open_customer only to open orders.",
        )
    if missing:
        raise Failure(
            f"{len(missing)} open orders are missing from the index.",
            got=f"missing {missing[:3]}",
            advice="An open order needs open_customer set to its customer_id.",
        )
    customer = "c03"
    response = table.query(
        IndexName=_OPEN_INDEX,
        KeyConditionExpression="open_customer = :c",
        ExpressionAttributeValues={":c": customer},
    )
    got = [item["order_id"] for item in response["Items"]]
    expected = [
        o["order_id"]
        for o in sorted(orders, key=lambda o: o["created_at"])
        if o["status"] == "OPEN" and o["customer_id"] == customer
    ]
    if got != expected:
        raise Failure(
            f"A Query of {_OPEN_INDEX} for {customer} does not return exactly that customer's "
            "open orders, oldest first.",
            expected=expected,
            got=got,
            advice="open_customer must be the order's customer_id.",
        )


# --- 03.posts_table_projection -------------------------------------------------------------------

_POSTS = "Posts"
_TAG_INDEX = "ByTag"
_BODY = "lorem ipsum " * 256  # about 3 KB: a post body the index should not copy
_PATTERN_ATTRIBUTES = ("title", "likes", "created_at", "author_id", "post_id")


def _post(n: int) -> dict[str, Any]:
    return {
        "author_id": f"a{n % 3}",
        "post_id": f"p{n:03d}",
        "tag": "dynamodb" if n % 2 else "python",
        "created_at": f"2025-04-{1 + n:02d}T12:00:00Z",
        "title": f"Post number {n}",
        "likes": n * 3,
        "body": _BODY,
    }


@check_for("03.posts_table_projection")
def posts_table_projection(function: Learner, ctx: CheckContext) -> None:
    ctx.call(function, ctx.client)
    if "CreateTable" not in ctx.operations():
        raise Failure(
            "Your function made no CreateTable call.",
            advice="Call client.create_table(...) with GlobalSecondaryIndexes=[...].",
        )
    try:
        description = ctx.client.describe_table(TableName=_POSTS)["Table"]
    except ClientError:
        raise Failure(f"There is no table named {_POSTS} after your function ran.") from None
    index = _judge_posts_schema(description)
    table = ctx.table(_POSTS)
    units: list[float] = []
    for n in range(8):
        response = table.put_item(Item=_post(n), ReturnConsumedCapacity="INDEXES")
        consumed = response["ConsumedCapacity"].get("GlobalSecondaryIndexes", {})
        units.append(float(consumed.get(_TAG_INDEX, {}).get("CapacityUnits", 0.0)))
    _judge_projection(ctx, table, index, units)


def _judge_posts_schema(description: Mapping[str, Any]) -> Mapping[str, Any]:
    keys = [(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]]
    if keys != [("author_id", "HASH"), ("post_id", "RANGE")]:
        raise Failure(
            "The table's key should be author_id (partition key) + post_id (sort key).",
            expected=[("author_id", "HASH"), ("post_id", "RANGE")],
            got=keys,
        )
    indexes: dict[str, Mapping[str, Any]] = {
        i["IndexName"]: i for i in description.get("GlobalSecondaryIndexes", [])
    }
    if _TAG_INDEX not in indexes:
        raise Failure(
            f"The table has no global secondary index named {_TAG_INDEX}.",
            got=sorted(indexes),
        )
    index = indexes[_TAG_INDEX]
    index_keys = [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]]
    if index_keys != [("tag", "HASH"), ("created_at", "RANGE")]:
        raise Failure(
            f"{_TAG_INDEX} should be keyed on tag (partition key) + created_at (sort key), so "
            "that one Query returns a tag's posts in time order.",
            expected=[("tag", "HASH"), ("created_at", "RANGE")],
            got=index_keys,
        )
    return index


def _judge_projection(
    ctx: CheckContext, table: Any, index: Mapping[str, Any], units: list[float]
) -> None:
    projection = index.get("Projection", {})
    kind = projection.get("ProjectionType")
    response = table.query(
        IndexName=_TAG_INDEX,
        KeyConditionExpression="tag = :t",
        ExpressionAttributeValues={":t": "dynamodb"},
        ScanIndexForward=False,
        Limit=3,
    )
    lacking = sorted(
        {a for item in response["Items"] for a in _PATTERN_ATTRIBUTES if a not in item}
    )
    if lacking:
        raise Failure(
            f"A Query of {_TAG_INDEX} returns entries without {lacking}: every post shown would "
            "need a second read from the table.",
            got=f"ProjectionType {kind}",
            advice="Project the attributes the pattern shows into the index (INCLUDE).",
        )
    if max(units) > 1:
        raise Failure(
            f"Each post written costs {max(units):g} write units on {_TAG_INDEX}: the index "
            "copies the 3 KB body that the pattern never shows.",
            expected="1 write unit per post on the index",
            got=f"ProjectionType {kind}, {projection.get('NonKeyAttributes', [])}",
            advice="Project only what the pattern reads: INCLUDE title and likes.",
        )


# --- 03.sharded_day_reader -----------------------------------------------------------------------

_DAY_INDEX = "ByDay"
_SHARDS = 4
_PADDING = "x" * 20_000  # 20 KB items: about 50 fit a 1 MB page, so shards span pages
_DAYS = ("2025-05-01", "2025-05-02")


def _day_orders() -> list[dict[str, Any]]:
    orders = []
    for day in _DAYS:
        for n in range(240):
            order_id = f"{day[-2:]}-{n:04d}"
            orders.append(
                {
                    "order_id": order_id,
                    "day_shard": f"{day}#{(n * 7) % _SHARDS}",
                    "created_at": f"{day}T{n // 10:02d}:{(n * 13) % 60:02d}:00Z",
                    "total": n,
                    "padding": _PADDING,
                }
            )
    return orders


def _seed_day_orders(ctx: CheckContext) -> Any:
    table = _create_orders_table(ctx, _DAY_INDEX, "day_shard")
    with table.batch_writer() as batch:
        for order in _day_orders():
            batch.put_item(Item=order)
    return table


@check_for("03.sharded_day_reader")
def sharded_day_reader(function: Learner, ctx: CheckContext) -> None:
    table = _seed_day_orders(ctx)
    day = _DAYS[1]
    expected = sorted(
        (o["created_at"], o["order_id"]) for o in _day_orders() if o["created_at"][:10] == day
    )
    got = ctx.call(function, table, day, _SHARDS)
    _no_scan(ctx, "the table (two days of orders, 20 KB each)")
    queries = [c.params for c in ctx.calls if c.operation == "Query"]
    if not queries or any(_index_of(q) != _DAY_INDEX for q in queries):
        raise Failure(
            f"Read the day through the {_DAY_INDEX} index: Query it once per shard.",
            got=ctx.operations()[:6],
        )
    if not isinstance(got, list) or not all(isinstance(i, Mapping) for i in got):
        raise Failure("orders_on_day should return a list of items (dicts).", got=_short(got))
    pairs = [(str(i.get("created_at")), str(i.get("order_id"))) for i in got]
    shards = sorted({str(i.get("day_shard")) for i in got})
    if len(shards) < _SHARDS:
        raise Failure(
            f"Your items come from {len(shards)} of the {_SHARDS} shards of {day}.",
            expected=[f"{day}#{n}" for n in range(_SHARDS)],
            got=shards,
            advice=f"Query every partition key {day}#0 ... {day}#{_SHARDS - 1}.",
        )
    if len(set(pairs)) < len(expected) and set(pairs) <= set(expected):
        raise Failure(
            f"You returned {len(set(pairs))} of the day's {len(expected)} orders: each shard "
            "holds more than one 1 MB page.",
            got=f"{len(queries)} Query calls",
            advice="For each shard, loop while the response has a LastEvaluatedKey, passing it "
            "as ExclusiveStartKey.",
        )
    if sorted(pairs) != expected or len(pairs) != len(expected):
        raise Failure(
            f"The orders returned are not exactly the orders of {day}.",
            expected=f"{len(expected)} orders",
            got=f"{len(pairs)} items, {len(set(pairs) - set(expected))} of them not of that day",
        )
    if pairs != expected:
        raise Failure(
            "The right orders, but not in time order: each shard is sorted by created_at, the "
            "shards together are not.",
            expected=expected[:3],
            got=pairs[:3],
            advice="Sort the merged items by (created_at, order_id).",
        )
