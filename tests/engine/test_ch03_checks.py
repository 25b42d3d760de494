"""Chapter 3's checks judge how an answer is reached: a plausible wrong answer fails, saying why.

The reference solutions pass (tests/engine/test_every_exercise.py proves that); here every
function is an answer a learner could write that returns something reasonable the wrong way.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ddb_lab.grader.runner import run_check


def failed(exercise_id: str, function: Any, *words: str) -> str:
    result = run_check(exercise_id, function)
    assert result.status == "failed", result.text()
    for word in words:
        assert word in result.text(), result.text()
    return result.text()


# --- 03.profile_by_username ----------------------------------------------------------------------


def test_a_scan_for_the_username_fails() -> None:
    def profile_by_username(table: Any, username: str) -> Any:
        items = table.scan(FilterExpression=Attr("username").eq(username))["Items"]
        return items[0] if items else None

    failed("03.profile_by_username", profile_by_username, "Scan")


def test_returning_the_keys_only_entry_fails() -> None:
    def profile_by_username(table: Any, username: str) -> Any:
        items = table.query(
            IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq(f"USERNAME#{username}")
        )["Items"]
        return items[0] if items else None

    failed("03.profile_by_username", profile_by_username, "KEYS_ONLY")


def test_reading_all_users_through_gsi1_fails() -> None:
    def profile_by_username(table: Any, username: str) -> Any:
        table.query(
            IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq(f"USERNAME#{username}")
        )
        users = table.query(
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq("USER"),
            FilterExpression=Attr("username").eq(username),
        )["Items"]
        return users[0] if users else None

    failed("03.profile_by_username", profile_by_username, "GSI1")


# --- 03.sparse_open_orders -----------------------------------------------------------------------


def test_every_order_in_the_index_fails() -> None:
    def order_item(order: dict[str, Any]) -> dict[str, Any]:
        return {**order, "open_customer": order["customer_id"]}

    failed("03.sparse_open_orders", order_item, "not sparse")


def test_a_none_index_key_is_rejected_by_dynamodb() -> None:
    def order_item(order: dict[str, Any]) -> dict[str, Any]:
        is_open = order["status"] == "OPEN"
        return {**order, "open_customer": order["customer_id"] if is_open else None}

    failed("03.sparse_open_orders", order_item, "Type mismatch for Index Key open_customer")


# --- 03.posts_table_projection -------------------------------------------------------------------


def _posts_table(projection: dict[str, Any]) -> Any:
    def create_posts_table(client: Any) -> None:
        client.create_table(
            TableName="Posts",
            KeySchema=[
                {"AttributeName": "author_id", "KeyType": "HASH"},
                {"AttributeName": "post_id", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("author_id", "post_id", "tag", "created_at")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByTag",
                    "KeySchema": [
                        {"AttributeName": "tag", "KeyType": "HASH"},
                        {"AttributeName": "created_at", "KeyType": "RANGE"},
                    ],
                    "Projection": projection,
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )

    return create_posts_table


def test_projection_all_fails_on_write_units() -> None:
    failed("03.posts_table_projection", _posts_table({"ProjectionType": "ALL"}), "write units")


def test_projection_keys_only_fails_on_second_reads() -> None:
    failed(
        "03.posts_table_projection",
        _posts_table({"ProjectionType": "KEYS_ONLY"}),
        "second read",
    )


# --- 03.sharded_day_reader -----------------------------------------------------------------------


def _reader(shards_read: int | None = None, paginate: bool = True, sort: bool = True) -> Any:
    def orders_on_day(table: Any, day: str, shards: int) -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = []
        for shard in range(shards if shards_read is None else shards_read):
            kwargs: dict[str, Any] = {
                "IndexName": "ByDay",
                "KeyConditionExpression": Key("day_shard").eq(f"{day}#{shard}"),
            }
            while True:
                page = table.query(**kwargs)
                orders.extend(page["Items"])
                if not paginate or "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        if sort:
            orders.sort(key=lambda order: (order["created_at"], order["order_id"]))
        return orders

    return orders_on_day


def test_reading_one_shard_fails() -> None:
    failed("03.sharded_day_reader", _reader(shards_read=1), "1 of the 4 shards")


def test_reading_only_first_pages_fails() -> None:
    failed("03.sharded_day_reader", _reader(paginate=False), "LastEvaluatedKey")


def test_unsorted_union_of_shards_fails() -> None:
    failed("03.sharded_day_reader", _reader(sort=False), "time order")
