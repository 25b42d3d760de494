"""Checks for chapter 7, security (exercises/07_security.ipynb).

The policy exercises are judged by attacking them: the learner's policy is attached to a client
from ``lab.client_as`` and every call that should work must work, while the calls that should not
(other users' keys through GetItem, Query, BatchGetItem, TransactWriteItems and Scan, forbidden
attributes, other tables) must come back as ``AccessDeniedException``. The encryption exercise is
judged by decrypting what the learner stored, through KMS and AES-GCM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure
from ddb_lab.iam import Identity, Policy, PolicyError, decisions_of

Learner = Callable[..., Any]
Call = Callable[[Any], Any]

TABLE = "Profiles"
OTHER_TABLE = "Payments"
USERS = ("alice", "bob")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _key(user: str, sort: str = "PROFILE") -> dict[str, Any]:
    return {"PK": _s(f"USER#{user}"), "SK": _s(sort)}


def _make_tables(ctx: CheckContext, stream: bool = False) -> None:
    for name in (TABLE, OTHER_TABLE):
        extra: dict[str, Any] = {}
        if stream:
            extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        ctx.client.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
        for user in USERS:
            item = {**_key(user), "name": _s(user.title()), "bio": _s("hi"), "email": _s("x@y")}
            ctx.client.put_item(TableName=name, Item=item)


def _policy(function: Learner, ctx: CheckContext) -> dict[str, Any]:
    policy = ctx.call(function, TABLE)
    if not isinstance(policy, dict):
        raise Failure("Return the policy as a dict (a JSON object).", got=repr(policy)[:200])
    try:
        Policy.parse(policy)
    except PolicyError as error:
        raise Failure("This is not a valid IAM policy.", got=str(error)) from error
    if policy.get("Version") != "2012-10-17":
        raise Failure(
            "Policy variables such as ${www.amazon.com:user_id} only work in a policy whose "
            "Version is '2012-10-17'.",
            got=repr(policy.get("Version")),
        )
    return policy


def _attempt(call: Call, client: Any) -> str | None:
    """None when the call was allowed, else the error code."""
    try:
        call(client)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def _must_work(client: Any, what: str, call: Call, advice: str) -> None:
    code = _attempt(call, client)
    if code is not None:
        decisions = decisions_of(client)
        reason = decisions[-1].reason() if decisions else code
        raise Failure(f"{what} should be allowed, but was denied.", got=reason, advice=advice)


def _must_fail(client: Any, what: str, call: Call, advice: str) -> None:
    code = _attempt(call, client)
    if code != "AccessDeniedException":
        got = "allowed" if code is None else code
        raise Failure(f"{what} should be denied by the policy.", got=got, advice=advice)


def _query(user: str, **extra: Any) -> Call:
    values = {":pk": _s(f"USER#{user}"), **extra.pop("ExpressionAttributeValues", {})}
    return lambda c: c.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=values,
        **extra,
    )


def _own_calls(me: str) -> list[tuple[str, Call]]:
    """What a user must be able to do with their own items."""
    return [
        ("GetItem of your own profile", lambda c: c.get_item(TableName=TABLE, Key=_key(me))),
        ("Query of your own partition", _query(me)),
        (
            "PutItem of a new item in your partition",
            lambda c: c.put_item(TableName=TABLE, Item=_key(me, "NOTE#1")),
        ),
        (
            "UpdateItem of your own profile",
            lambda c: c.update_item(
                TableName=TABLE,
                Key=_key(me),
                UpdateExpression="SET bio = :b",
                ExpressionAttributeValues={":b": _s("updated")},
            ),
        ),
        (
            "BatchGetItem of two of your own items",
            lambda c: c.batch_get_item(
                RequestItems={TABLE: {"Keys": [_key(me), _key(me, "NOTE#1")]}}
            ),
        ),
        (
            "DeleteItem of your own note",
            lambda c: c.delete_item(TableName=TABLE, Key=_key(me, "NOTE#1")),
        ),
    ]


_OTHER_KEYS = (
    "Every partition key of the request must be the caller's own: ForAllValues:StringEquals on "
    "dynamodb:LeadingKeys with ${www.amazon.com:user_id}."
)
_NO_SCAN = (
    "A Scan carries no leading key, and ForAllValues over a missing key is true, so the "
    "condition lets it through: do not grant Scan (or add Null dynamodb:LeadingKeys false)."
)
_ONE_TABLE = "Name the one table in Resource (arn:aws:dynamodb:*:*:table/NAME), not '*'."


def _attacks(me: str, other: str) -> list[tuple[str, Call, str]]:
    """What a user must not be able to do, and the advice when they can."""
    return [
        (
            "GetItem of another user's profile",
            lambda c: c.get_item(TableName=TABLE, Key=_key(other)),
            _OTHER_KEYS,
        ),
        ("Query of another user's partition", _query(other), _OTHER_KEYS),
        (
            "BatchGetItem mixing your key and another user's",
            lambda c: c.batch_get_item(RequestItems={TABLE: {"Keys": [_key(me), _key(other)]}}),
            "A BatchGetItem carries all its partition keys: ForAnyValue would let one of yours "
            "carry another user's; use ForAllValues.",
        ),
        (
            "TransactWriteItems deleting another user's profile",
            lambda c: c.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": _key(me, "NOTE#2")}},
                    {"Delete": {"TableName": TABLE, "Key": _key(other)}},
                ]
            ),
            _OTHER_KEYS,
        ),
        ("Scan of the whole table", lambda c: c.scan(TableName=TABLE), _NO_SCAN),
        (
            "PutItem overwriting another user's profile",
            lambda c: c.put_item(TableName=TABLE, Item=_key(other)),
            _OTHER_KEYS,
        ),
        (
            "GetItem on another table",
            lambda c: c.get_item(TableName=OTHER_TABLE, Key=_key(me)),
            _ONE_TABLE,
        ),
    ]


@check_for("07.per_user_policy")
def per_user_policy(function: Learner, ctx: CheckContext) -> None:
    policy = _policy(function, ctx)
    _make_tables(ctx)
    for me, other in (USERS, tuple(reversed(USERS))):
        client = ctx.lab.client_as(Identity.web_user(f"USER#{me}"), policy)
        for what, call in _own_calls(me):
            _must_work(
                client,
                f"As USER#{me}: {what}",
                call,
                "Allow the item actions on the table ARN, with ForAllValues:StringEquals on "
                "dynamodb:LeadingKeys = the user's id as a policy variable (not a fixed name).",
            )
        for what, call, advice in _attacks(me, other):
            _must_fail(client, f"As USER#{me}: {what}", call, advice)


@check_for("07.profile_reader_policy")
def profile_reader_policy(function: Learner, ctx: CheckContext) -> None:
    policy = _policy(function, ctx)
    _make_tables(ctx)
    client = ctx.lab.client_as(Identity.user("profile-reader"), policy)
    shown = "#n, bio"
    names = {"#n": "name"}
    allowed = [
        (
            "GetItem projecting name and bio",
            lambda c: c.get_item(
                TableName=TABLE,
                Key=_key("bob"),
                ProjectionExpression=shown,
                ExpressionAttributeNames=names,
            ),
        ),
        (
            "Query projecting name and bio",
            _query("alice", ProjectionExpression=shown, ExpressionAttributeNames=names),
        ),
        (
            "BatchGetItem projecting bio",
            lambda c: c.batch_get_item(
                RequestItems={
                    TABLE: {"Keys": [_key("alice"), _key("bob")], "ProjectionExpression": "bio"}
                }
            ),
        ),
    ]
    for what, call in allowed:
        _must_work(
            client,
            what,
            call,
            "Allow GetItem, BatchGetItem and Query with ForAllValues:StringEquals on "
            "dynamodb:Attributes listing PK, SK, name and bio (key attributes too).",
        )
    denied = [
        (
            "GetItem without a projection (all attributes)",
            lambda c: c.get_item(TableName=TABLE, Key=_key("bob")),
        ),
        (
            "GetItem projecting email",
            lambda c: c.get_item(TableName=TABLE, Key=_key("bob"), ProjectionExpression="email"),
        ),
        ("Query without a projection", _query("alice")),
        (
            "Query filtering on email",
            _query(
                "alice",
                ProjectionExpression="bio",
                FilterExpression="email = :e",
                ExpressionAttributeValues={":e": _s("x@y")},
            ),
        ),
        (
            "UpdateItem of bio",
            lambda c: c.update_item(
                TableName=TABLE,
                Key=_key("bob"),
                UpdateExpression="SET bio = :b",
                ExpressionAttributeValues={":b": _s("hacked")},
            ),
        ),
        ("PutItem", lambda c: c.put_item(TableName=TABLE, Item=_key("mallory"))),
        (
            "GetItem on another table",
            lambda c: c.get_item(
                TableName=OTHER_TABLE, Key=_key("bob"), ProjectionExpression="bio"
            ),
        ),
    ]
    for what, call in denied:
        _must_fail(
            client,
            what,
            call,
            "Require dynamodb:Select = SPECIFIC_ATTRIBUTES (StringEquals: reads always carry "
            "it), list only read actions, and name the one table.",
        )


def _stream_arn(ctx: CheckContext, table: str) -> str:
    return str(ctx.client.describe_table(TableName=table)["Table"]["LatestStreamArn"])


@check_for("07.stream_consumer_policy")
def stream_consumer_policy(function: Learner, ctx: CheckContext) -> None:
    policy = _policy(function, ctx)
    _make_tables(ctx, stream=True)
    identity = Identity.user("profile-stream-consumer")
    streams = ctx.lab.client_as(identity, policy, service="dynamodbstreams")
    arn = _stream_arn(ctx, TABLE)
    advice = (
        "A stream consumer needs dynamodb:DescribeStream, GetShardIterator and GetRecords on "
        "the stream ARN (table/NAME/stream/*) and dynamodb:ListStreams on '*'."
    )
    _must_work(streams, "ListStreams", lambda c: c.list_streams(TableName=TABLE), advice)
    _must_work(
        streams,
        "DescribeStream of the table's stream",
        lambda c: c.describe_stream(StreamArn=arn),
        advice,
    )
    shard = ctx.lab.streams.describe_stream(StreamArn=arn)
    shard_id = shard["StreamDescription"]["Shards"][0]["ShardId"]
    iterator: dict[str, Any] = {}

    def get_iterator(client: Any) -> None:
        iterator.update(
            client.get_shard_iterator(
                StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        )

    _must_work(streams, "GetShardIterator on the table's stream", get_iterator, advice)
    _must_work(
        streams,
        "GetRecords",
        lambda c: c.get_records(ShardIterator=iterator["ShardIterator"]),
        advice,
    )
    other = _stream_arn(ctx, OTHER_TABLE)
    _must_fail(
        streams,
        "DescribeStream of another table's stream",
        lambda c: c.describe_stream(StreamArn=other),
        "Name the table in the stream ARN: arn:aws:dynamodb:*:*:table/NAME/stream/*.",
    )
    table = ctx.lab.client_as(identity, policy)
    least = "Least privilege: a stream consumer reads the stream, not the table."
    _must_fail(
        table, "GetItem on the table", lambda c: c.get_item(TableName=TABLE, Key=_key("bob")), least
    )
    _must_fail(table, "Scan of the table", lambda c: c.scan(TableName=TABLE), least)
    _must_fail(
        table,
        "PutItem on the table",
        lambda c: c.put_item(TableName=TABLE, Item=_key("mallory")),
        least,
    )
    _must_fail(
        table,
        "DeleteTable",
        lambda c: c.delete_table(TableName=TABLE),
        least,
    )


@check_for("07.envelope_encrypt")
def envelope_encrypt(function: Learner, ctx: CheckContext) -> None:
    kms = ctx.lab.new_client("kms")
    key_id = kms.create_key(Description="course check key")["KeyMetadata"]["KeyId"]
    operations: list[str] = []
    kms.meta.events.register(
        "provide-client-params.kms", lambda model, **_: operations.append(model.name)
    )
    secret = "4111 1111 1111 1111"
    sealed = ctx.call(function, kms, key_id, secret)
    if not isinstance(sealed, dict) or set(sealed) != {"ciphertext", "encrypted_key", "nonce"}:
        raise Failure(
            "Return a dict with exactly the keys 'ciphertext', 'encrypted_key' and 'nonce'.",
            got=repr(sealed)[:200],
        )
    if "GenerateDataKey" not in operations:
        raise Failure(
            "Envelope encryption starts with a data key from KMS.",
            got=f"KMS calls: {operations}",
            advice="Call kms.generate_data_key(KeyId=key_id, KeySpec='AES_256').",
        )
    if "Encrypt" in operations:
        raise Failure(
            "The field must be encrypted locally with the data key, not sent to KMS.",
            got=f"KMS calls: {operations}",
            advice="kms.encrypt sends the plaintext to KMS (4 KB limit, one call per value). "
            "Encrypt with AESGCM(plaintext_data_key) instead.",
        )
    values = [sealed[k] for k in ("ciphertext", "encrypted_key", "nonce")]
    if not all(isinstance(v, bytes) for v in values):
        raise Failure("The three values should be bytes (DynamoDB stores them as Binary).")
    if secret.encode() in sealed["ciphertext"]:
        raise Failure("The ciphertext contains the plaintext.")
    try:
        data_key = kms.decrypt(CiphertextBlob=sealed["encrypted_key"])["Plaintext"]
    except ClientError as error:
        raise Failure(
            "'encrypted_key' must be the data key as KMS encrypted it (CiphertextBlob).",
            got=str(error),
        ) from error
    try:
        opened = AESGCM(data_key).decrypt(sealed["nonce"], sealed["ciphertext"], None)
    except Exception as error:
        raise Failure(
            "The ciphertext does not decrypt with AES-GCM under the data key and nonce.",
            got=type(error).__name__,
            advice="AESGCM(plaintext_key).encrypt(nonce, plaintext.encode(), None) with a fresh "
            "12-byte nonce from os.urandom(12).",
        ) from error
    if opened != secret.encode("utf-8"):
        raise Failure("Decrypting gives back the wrong text.", expected=secret, got=opened)
    again = ctx.call(function, kms, key_id, secret)
    if again.get("nonce") == sealed["nonce"] or again.get("ciphertext") == sealed["ciphertext"]:
        raise Failure(
            "Encrypting the same value twice gave the same nonce or ciphertext.",
            advice="Use a fresh random nonce (os.urandom(12)) every time: a repeated nonce "
            "breaks AES-GCM.",
        )
