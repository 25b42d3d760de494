"""Chapter 2's checks judge how a read is done and what a write leaves behind, not only results."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ddb_lab.grader.runner import run_check
from ddb_lab.modeling import Entity, Index, Model
from ddb_lab.modeling.social import reference_implementations as REF


def _query_all(table: Any, **query: Any) -> list[dict[str, Any]]:
    return REF._all(table, **query)


def test_posts_read_with_a_scan_fail_though_the_items_are_right() -> None:
    def posts_newest_first(table: Any, user_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "FilterExpression": Attr("PK").eq(f"USER#{user_id}") & Attr("SK").begins_with("POST#")
        }
        while True:
            page = table.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda i: i["SK"], reverse=True)

    result = run_check("02.posts_newest_first", posts_newest_first)
    assert result.status == "failed"
    assert "used a Scan" in result.message
    assert "Query" in result.advice


def test_posts_from_the_first_page_only_fail() -> None:
    def posts_newest_first(table: Any, user_id: str) -> list[dict[str, Any]]:
        return table.query(
            KeyConditionExpression=Key("PK").eq(f"USER#{user_id}") & Key("SK").begins_with("POST#"),
            ScanIndexForward=False,
        )["Items"]

    result = run_check("02.posts_newest_first", posts_newest_first)
    assert result.status == "failed"
    assert "LastEvaluatedKey" in result.message


def test_post_activity_in_three_queries_fails() -> None:
    def post_activity(table: Any, post_id: str) -> list[dict[str, Any]]:
        return [
            item
            for prefix in ("METADATA", "LIKE#", "COMMENT#")
            for item in _query_all(
                table,
                KeyConditionExpression=Key("PK").eq(f"POST#{post_id}")
                & Key("SK").begins_with(prefix),
            )
        ]

    result = run_check("02.post_activity", post_activity)
    assert result.status == "failed"
    assert result.got.startswith("3 Query call(s)")


def test_follow_without_a_transaction_fails() -> None:
    def follow_user(client: Any, table_name: str, follower_id: str, followee_id: str) -> bool:
        def put(pk: str, sk: str) -> None:
            client.put_item(TableName=table_name, Item={"PK": {"S": pk}, "SK": {"S": sk}})

        put(f"USER#{follower_id}", f"FOLLOWING#{followee_id}")
        put(f"USER#{followee_id}", f"FOLLOWER#{follower_id}")
        for user, attribute in ((follower_id, "following_count"), (followee_id, "followers_count")):
            client.update_item(
                TableName=table_name,
                Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "PROFILE"}},
                UpdateExpression=f"ADD {attribute} :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        return True

    result = run_check("02.follow_user", follow_user)
    assert result.status == "failed"
    assert "TransactWriteItems" in str(result.expected)


def _shop(gsi1pk_for_orders: str) -> tuple[Model, dict[str, Any]]:
    model = Model(
        table="Shop",
        partition_key="PK",
        sort_key="SK",
        entities=[
            Entity("Customer", {"PK": "CUSTOMER#{customer_id}", "SK": "PROFILE",
                                "GSI1PK": "EMAIL#{email}", "GSI1SK": "PROFILE"}),
            Entity("Order", {"PK": "ORDER#{order_id}", "SK": "ORDER",
                             "GSI1PK": gsi1pk_for_orders,
                             "GSI1SK": "ORDER#{placed_at}#{order_id}"}),
            Entity("OrderLine", {"PK": "ORDER#{order_id}", "SK": "LINE#{line_no:03d}"}),
        ],
        indexes=[Index("GSI1", "GSI1PK", "GSI1SK")],
    )  # fmt: skip

    def orders_of_customer(table: Any, customer_id: str) -> list[dict[str, Any]]:
        found = _query_all(
            table,
            IndexName="GSI1",
            ScanIndexForward=False,
            KeyConditionExpression=Key("GSI1PK").eq(
                gsi1pk_for_orders.format(customer_id=customer_id)
            ),
        )
        return [o for o in found if o["customer_id"] == customer_id]

    return model, {
        "get_customer": lambda table, customer_id: table.get_item(
            Key={"PK": f"CUSTOMER#{customer_id}", "SK": "PROFILE"}
        ).get("Item"),
        "customer_by_email": lambda table, email: _query_all(
            table, IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(f"EMAIL#{email}")
        ),
        "orders_of_customer": orders_of_customer,
        "order_with_lines": lambda table, order_id: _query_all(
            table, KeyConditionExpression=Key("PK").eq(f"ORDER#{order_id}")
        ),
    }


def test_the_shop_design_passes_with_spread_keys_and_fails_with_a_hot_one() -> None:
    assert run_check("02.orders_design", lambda: _shop("CUSTOMER#{customer_id}")).passed
    hot = run_check("02.orders_design", lambda: _shop("ORDERS"))
    assert hot.status == "failed"
    assert "hot partition key: GSI1: GSI1PK = 'ORDERS'" in hot.message


def test_the_shop_design_must_return_a_model() -> None:
    result = run_check("02.orders_design", lambda: ({}, {}))
    assert result.status == "failed"
    assert "Model" in result.message
