"""``lab.client_as``: every call is evaluated by IAM before it is sent, conditions included."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddb_lab import explain, facts, iam
from ddb_lab.iam import Identity

TABLE = "GameScores"
#: The guide's per-user policy ("Using IAM policy conditions for fine-grained access control").
PER_USER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "FullAccessToUserItems",
            "Effect": "Allow",
            "Action": [
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem",
            ],
            "Resource": ["arn:aws:dynamodb:*:*:table/GameScores"],
            "Condition": {
                "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${www.amazon.com:user_id}"]}
            },
        }
    ],
}


def s(value: str) -> dict[str, str]:
    return {"S": value}


def item_key(user: str, game: str = "Meteor") -> dict[str, Any]:
    return {"UserId": s(user), "GameTitle": s(game)}


@pytest.fixture
def game_lab(lab: Any) -> Any:
    lab.client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "UserId", "KeyType": "HASH"},
            {"AttributeName": "GameTitle", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "UserId", "AttributeType": "S"},
            {"AttributeName": "GameTitle", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    for user in ("A", "B"):
        lab.client.put_item(TableName=TABLE, Item={**item_key(user), "TopScore": {"N": "10"}})
    return lab


def _denied(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException", error
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error["Message"])


def test_user_a_reads_and_writes_own_items(game_lab: Any) -> None:
    a = game_lab.client_as(Identity.web_user("A"), PER_USER_POLICY)
    assert a.get_item(TableName=TABLE, Key=item_key("A"))["Item"]["TopScore"] == {"N": "10"}
    a.put_item(TableName=TABLE, Item={**item_key("A", "Orbit"), "TopScore": {"N": "7"}})
    a.update_item(
        TableName=TABLE,
        Key=item_key("A"),
        UpdateExpression="SET TopScore = :t",
        ExpressionAttributeValues={":t": {"N": "99"}},
    )
    mine = a.query(
        TableName=TABLE,
        KeyConditionExpression="UserId = :u",
        ExpressionAttributeValues={":u": s("A")},
    )
    assert sorted(i["GameTitle"]["S"] for i in mine["Items"]) == ["Meteor", "Orbit"]
    got = a.batch_get_item(RequestItems={TABLE: {"Keys": [item_key("A"), item_key("A", "Orbit")]}})
    assert len(got["Responses"][TABLE]) == 2
    a.delete_item(TableName=TABLE, Key=item_key("A", "Orbit"))
    assert all(d.allowed for d in iam.decisions_of(a))


def test_every_attempt_on_user_b_is_denied(game_lab: Any) -> None:
    a = game_lab.client_as(Identity.web_user("A"), PER_USER_POLICY)
    message = _denied(a.get_item, TableName=TABLE, Key=item_key("B"))
    assert message.startswith(
        facts.MSG_ACCESS_DENIED_IMPLICIT.format(
            principal="arn:aws:sts::123456789012:assumed-role/WebAppUserRole/A",
            action="dynamodb:GetItem",
            resource="arn:aws:dynamodb:us-east-1:123456789012:table/GameScores",
        )
    )
    _denied(
        a.query,
        TableName=TABLE,
        KeyConditionExpression="UserId = :u",
        ExpressionAttributeValues={":u": s("B")},
    )
    _denied(a.batch_get_item, RequestItems={TABLE: {"Keys": [item_key("A"), item_key("B")]}})
    _denied(
        a.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**item_key("A", "New")}}},
            {"Delete": {"TableName": TABLE, "Key": item_key("B")}},
        ],
    )
    _denied(a.scan, TableName=TABLE)
    _denied(a.put_item, TableName=TABLE, Item={**item_key("B"), "TopScore": {"N": "0"}})
    _denied(
        a.batch_write_item,
        RequestItems={TABLE: [{"DeleteRequest": {"Key": item_key("B")}}]},
    )
    # Nothing reached the table: B's item is intact and the transaction wrote nothing.
    item = game_lab.client.get_item(TableName=TABLE, Key=item_key("B"))["Item"]
    assert item["TopScore"] == {"N": "10"}
    assert "Item" not in game_lab.client.get_item(TableName=TABLE, Key=item_key("A", "New"))


def test_explicit_deny_names_its_statement(game_lab: Any) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            {
                "Sid": "NoDeletes",
                "Effect": "Deny",
                "Action": "dynamodb:Delete*",
                "Resource": "*",
            },
        ],
    }
    admin = game_lab.client_as(Identity.user("ops"), policy)
    message = _denied(admin.delete_item, TableName=TABLE, Key=item_key("A"))
    assert "with an explicit deny in an identity-based policy" in message
    assert "'NoDeletes'" in message
    assert "arn:aws:iam::123456789012:user/ops" in message
    assert len(iam.decisions_of(admin)) == 1  # AccessDeniedException is not retried


def test_attribute_restriction_reads_only_listed_attributes(game_lab: Any) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": "arn:aws:dynamodb:*:*:table/GameScores",
                "Condition": {
                    "ForAllValues:StringEquals": {
                        "dynamodb:Attributes": ["UserId", "GameTitle", "TopScore"]
                    },
                    "StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
                },
            }
        ],
    }
    reader = game_lab.client_as(Identity.user("analyst"), policy)
    got = reader.get_item(TableName=TABLE, Key=item_key("B"), ProjectionExpression="TopScore")
    assert got["Item"] == {"TopScore": {"N": "10"}}
    _denied(reader.get_item, TableName=TABLE, Key=item_key("B"))
    _denied(
        reader.get_item,
        TableName=TABLE,
        Key=item_key("B"),
        ProjectionExpression="TopScore, Email",
    )


def test_stream_consumer_policy(game_lab: Any) -> None:
    stream_arn = game_lab.client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheStream",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetShardIterator",
                    "dynamodb:GetRecords",
                ],
                "Resource": "arn:aws:dynamodb:*:*:table/GameScores/stream/*",
            },
            {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
        ],
    }
    consumer = game_lab.client_as(
        Identity.user("stream-consumer"), policy, service="dynamodbstreams"
    )
    shard = consumer.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = consumer.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = consumer.get_records(ShardIterator=iterator)["Records"]
    assert len(records) == 2
    table_reader = game_lab.client_as(Identity.user("stream-consumer"), policy)
    _denied(table_reader.get_item, TableName=TABLE, Key=item_key("A"))


def test_policy_errors_are_raised_before_any_call(game_lab: Any) -> None:
    with pytest.raises(iam.PolicyError):
        game_lab.client_as(Identity.user("x"), {"Statement": [{"Effect": "Allow"}]})


def test_denials_are_explained_to_the_learner(game_lab: Any) -> None:
    a = game_lab.client_as(Identity.web_user("A"), PER_USER_POLICY)
    with pytest.raises(ClientError) as raised:
        a.get_item(TableName=TABLE, Key=item_key("B"))
    explanation = explain(raised.value)
    assert explanation is not None
    assert explanation.code == "AccessDeniedException"
    assert "No statement allows dynamodb:GetItem" in explanation.meaning


def test_kms_client_is_served_in_process(lab: Any) -> None:
    kms = lab.new_client("kms")
    key = kms.create_key(Description="test")["KeyMetadata"]["KeyId"]
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
    assert len(data_key["Plaintext"]) == 32
    assert (
        kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
        == (data_key["Plaintext"])
    )
