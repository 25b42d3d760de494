"""The IAM evaluator against AWS's documented evaluation logic, one row per rule.

Each row is a policy, an identity and a boto3 call (operation and parameters); the expected
outcome follows "Policy evaluation logic", "IAM JSON policy elements: Condition operators",
"Single-valued vs. multivalued context keys", DynamoDB's "Using IAM policy conditions for
fine-grained access control" and "Using IAM with DynamoDB transactions".
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from ddb_lab import iam
from ddb_lab.iam import Identity, Policy, PolicyError, Request

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/App"
KEYS = {"*": "PK", "App/index/GSI1": "GSI1PK"}
ALICE = Identity.user("alice")
WEB_A = Identity.web_user("A")
READS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
PER_USER = {
    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["USER#${www.amazon.com:user_id}"]}
}
ATTRS_ONLY = {
    "ForAllValues:StringEquals": {"dynamodb:Attributes": ["PK", "SK", "name", "bio"]},
    "StringEqualsIfExists": {
        "dynamodb:Select": "SPECIFIC_ATTRIBUTES",
        "dynamodb:ReturnValues": ["NONE", "UPDATED_OLD", "UPDATED_NEW"],
    },
}


def allow(action: Any = "dynamodb:*", resource: Any = TABLE, sid: str = "", **extra: Any) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return {"Sid": sid, **statement} if sid else statement


def deny(action: Any = "dynamodb:*", resource: Any = TABLE, sid: str = "", **extra: Any) -> dict:
    return {**allow(action, resource, sid, **extra), "Effect": "Deny"}


def key(pk: str, sk: str = "PROFILE") -> dict[str, str]:
    return {"PK": pk, "SK": sk}


def get(pk: str, **params: Any) -> tuple[str, dict[str, Any]]:
    return "GetItem", {"TableName": "App", "Key": key(pk), **params}


def query(pk: str, index: str | None = None, **params: Any) -> tuple[str, dict[str, Any]]:
    name = "GSI1PK" if index else "PK"
    call = {
        "TableName": "App",
        "KeyConditionExpression": "#k = :v",
        "ExpressionAttributeNames": {"#k": name},
        "ExpressionAttributeValues": {":v": pk},
        **params,
    }
    if index:
        call["IndexName"] = index
    return "Query", call


def batch_get(*pks: str) -> tuple[str, dict[str, Any]]:
    return "BatchGetItem", {"RequestItems": {"App": {"Keys": [key(pk) for pk in pks]}}}


def update(pk: str, expression: str, **params: Any) -> tuple[str, dict[str, Any]]:
    values = {":v": 1} if ":v" in expression else {}
    call = {"TableName": "App", "Key": key(pk), "UpdateExpression": expression, **params}
    if values:
        call["ExpressionAttributeValues"] = values
    return "UpdateItem", call


SCAN = ("Scan", {"TableName": "App"})
STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/App/stream/2025-01-01T00:00:00.000"


class Case(NamedTuple):
    name: str
    statements: list[dict[str, Any]]
    call: tuple[str, dict[str, Any]]
    expected: str  # "allowed", "explicit deny" or "implicit deny"
    identity: Identity = ALICE
    deciding: str | None = None  # the label of the deciding statement, when checked
    version: str = "2012-10-17"
    context: dict[str, Any] | None = None


CASES = [
    # -- the evaluation order ----------------------------------------------------------------
    Case(
        "allow-matches",
        [allow("dynamodb:GetItem", sid="Read")],
        get("USER#A"),
        "allowed",
        deciding="'Read'",
    ),
    Case(
        "nothing-matches-implicit-deny", [allow("dynamodb:PutItem")], get("USER#A"), "implicit deny"
    ),
    Case(
        "explicit-deny-beats-allow",
        [allow(), deny("dynamodb:GetItem", sid="NoReads")],
        get("USER#A"),
        "explicit deny",
        deciding="'NoReads'",
    ),
    Case(
        "deny-of-other-action-irrelevant",
        [allow(), deny("dynamodb:DeleteItem")],
        get("USER#A"),
        "allowed",
        deciding="statement #1",
    ),
    # -- Action, NotAction and wildcards ------------------------------------------------------
    Case("action-prefix-wildcard", [allow("dynamodb:Get*")], get("USER#A"), "allowed"),
    Case("action-case-insensitive", [allow("DynamoDB:getitem")], get("USER#A"), "allowed"),
    Case("action-single-char-wildcard", [allow("dynamodb:?etItem")], get("USER#A"), "allowed"),
    Case("action-wildcard-no-match", [allow("dynamodb:Get*")], query("USER#A"), "implicit deny"),
    Case(
        "notaction-allows-others",
        [{"Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": "*"}],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "notaction-excludes-listed",
        [{"Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": "*"}],
        ("DeleteItem", {"TableName": "App", "Key": key("USER#A")}),
        "implicit deny",
    ),
    Case(
        "deny-notaction-denies-everything-else",
        [allow(), {"Sid": "OnlyReads", "Effect": "Deny", "NotAction": READS, "Resource": "*"}],
        ("PutItem", {"TableName": "App", "Item": key("USER#A")}),
        "explicit deny",
        deciding="'OnlyReads'",
    ),
    # -- Resource, NotResource: tables, indexes, streams ---------------------------------------
    Case(
        "table-arn-does-not-cover-index",
        [allow("dynamodb:Query")],
        query("X", "GSI1"),
        "implicit deny",
    ),
    Case(
        "index-arn-wildcard",
        [allow("dynamodb:Query", TABLE + "/index/*")],
        query("X", "GSI1"),
        "allowed",
    ),
    Case(
        "index-arn-does-not-cover-table",
        [allow("dynamodb:Query", TABLE + "/index/*")],
        query("USER#A"),
        "implicit deny",
    ),
    Case(
        "resource-wildcard-spans-slashes",
        [allow("dynamodb:Query", TABLE + "*")],
        query("X", "GSI1"),
        "allowed",
    ),
    Case(
        "region-and-account-wildcards",
        [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/App")],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "other-table",
        [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Other")],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "notresource",
        [
            {
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "NotResource": "arn:aws:dynamodb:*:*:table/Secret",
            }
        ],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "notresource-excludes",
        [
            {
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "NotResource": "arn:aws:dynamodb:*:*:table/App",
            }
        ],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "stream-arn",
        [allow("dynamodb:DescribeStream", TABLE + "/stream/*")],
        ("DescribeStream", {"StreamArn": STREAM}),
        "allowed",
    ),
    Case(
        "table-arn-does-not-cover-stream",
        [allow("dynamodb:DescribeStream")],
        ("DescribeStream", {"StreamArn": STREAM}),
        "implicit deny",
    ),
    # -- dynamodb:LeadingKeys ---------------------------------------------------------------
    Case(
        "leading-keys-own",
        [allow(READS + WRITES, Condition=PER_USER)],
        get("USER#A"),
        "allowed",
        identity=WEB_A,
    ),
    Case(
        "leading-keys-other",
        [allow(READS + WRITES, Condition=PER_USER)],
        get("USER#B"),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "leading-keys-query-other",
        [allow(READS, Condition=PER_USER)],
        query("USER#B"),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "leading-keys-gsi-partition",
        [allow("dynamodb:Query", TABLE + "/index/GSI1", Condition=PER_USER)],
        query("USER#A", "GSI1"),
        "allowed",
        identity=WEB_A,
    ),
    Case(
        "batch-get-one-partition",
        [allow(READS, Condition=PER_USER)],
        ("BatchGetItem", {"RequestItems": {"App": {"Keys": [key("USER#A"), key("USER#A", "X")]}}}),
        "allowed",
        identity=WEB_A,
    ),
    Case(
        "batch-get-several-partitions-forallvalues",
        [allow(READS, Condition=PER_USER)],
        batch_get("USER#A", "USER#B"),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "batch-get-several-partitions-foranyvalue",
        [
            allow(
                READS, Condition={"ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": ["USER#A"]}}
            )
        ],
        batch_get("USER#A", "USER#B"),
        "allowed",
    ),
    Case(
        "batch-write-several-partitions",
        [allow("dynamodb:BatchWriteItem", Condition=PER_USER)],
        (
            "BatchWriteItem",
            {
                "RequestItems": {
                    "App": [
                        {"PutRequest": {"Item": key("USER#A")}},
                        {"DeleteRequest": {"Key": key("USER#B")}},
                    ]
                }
            },
        ),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "transact-write-per-item",
        [allow(WRITES, Condition=PER_USER)],
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "App", "Item": key("USER#A")}},
                    {
                        "Update": {
                            "TableName": "App",
                            "Key": key("USER#B"),
                            "UpdateExpression": "SET n = :v",
                            "ExpressionAttributeValues": {":v": 1},
                        }
                    },
                ]
            },
        ),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "transact-condition-check-needs-its-action",
        [allow(WRITES)],
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": "App",
                            "Key": key("USER#A"),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                ]
            },
        ),
        "implicit deny",
    ),
    Case(
        "scan-not-granted",
        [allow(READS + WRITES, Condition=PER_USER)],
        SCAN,
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "scan-granted-forallvalues-empty-set-is-true",
        [allow(READS + ["dynamodb:Scan"], Condition=PER_USER)],
        SCAN,
        "allowed",
        identity=WEB_A,
    ),
    Case(
        "scan-granted-with-null-guard",
        [
            allow(
                READS + ["dynamodb:Scan"],
                Condition={**PER_USER, "Null": {"dynamodb:LeadingKeys": "false"}},
            )
        ],
        SCAN,
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "foranyvalue-missing-key-is-false",
        [
            allow(
                "dynamodb:Scan",
                Condition={"ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": ["USER#A"]}},
            )
        ],
        SCAN,
        "implicit deny",
    ),
    # -- dynamodb:Attributes, Select, ReturnValues, ReturnConsumedCapacity --------------------
    Case(
        "attributes-allowed-projection",
        [allow(READS, Condition=ATTRS_ONLY)],
        get("USER#A", ProjectionExpression="#n, bio", ExpressionAttributeNames={"#n": "name"}),
        "allowed",
    ),
    Case(
        "attributes-no-projection-selects-all",
        [allow(READS, Condition=ATTRS_ONLY)],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "attributes-forbidden-projection",
        [allow(READS, Condition=ATTRS_ONLY)],
        get("USER#A", ProjectionExpression="bio, email"),
        "implicit deny",
    ),
    Case(
        "attributes-filter-counts",
        [allow(READS, Condition=ATTRS_ONLY)],
        query(
            "USER#A",
            ProjectionExpression="bio",
            FilterExpression="email = :e",
            ExpressionAttributeValues={":v": "USER#A", ":e": "x"},
        ),
        "implicit deny",
    ),
    Case(
        "select-count-refused",
        [
            allow(
                "dynamodb:Query",
                Condition={"StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}},
            )
        ],
        query("USER#A", Select="COUNT"),
        "implicit deny",
    ),
    Case(
        "select-count-only",
        [allow("dynamodb:Query", Condition={"StringEquals": {"dynamodb:Select": "COUNT"}})],
        query("USER#A", Select="COUNT"),
        "allowed",
    ),
    Case(
        "select-index-default-all-projected",
        [
            allow(
                "dynamodb:Query",
                TABLE + "/index/*",
                Condition={"StringEquals": {"dynamodb:Select": "ALL_PROJECTED_ATTRIBUTES"}},
            )
        ],
        query("X", "GSI1"),
        "allowed",
    ),
    Case(
        "return-values-all-old-refused",
        [allow("dynamodb:UpdateItem", Condition=ATTRS_ONLY)],
        update("USER#A", "SET bio = :v", ReturnValues="ALL_OLD"),
        "implicit deny",
    ),
    Case(
        "return-values-default-none",
        [allow("dynamodb:UpdateItem", Condition=ATTRS_ONLY)],
        update("USER#A", "SET bio = :v"),
        "allowed",
    ),
    Case(
        "forallvalues-stringnotlike-allows-others",
        [
            allow(
                "dynamodb:UpdateItem",
                Condition={
                    "ForAllValues:StringNotLike": {
                        "dynamodb:Attributes": ["FreeGamesAvailable", "BossLevelUnlocked"]
                    }
                },
            )
        ],
        update("USER#A", "SET Wins = :v"),
        "allowed",
    ),
    Case(
        "forallvalues-stringnotlike-blocks-listed",
        [
            allow(
                "dynamodb:UpdateItem",
                Condition={
                    "ForAllValues:StringNotLike": {
                        "dynamodb:Attributes": ["FreeGamesAvailable", "BossLevelUnlocked"]
                    }
                },
            )
        ],
        update("USER#A", "SET BossLevelUnlocked = :v"),
        "implicit deny",
    ),
    Case(
        "deny-foranyvalue-attribute",
        [
            allow(),
            deny(
                READS,
                sid="NoSsn",
                Condition={"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ssn"]}},
            ),
        ],
        get("USER#A", ProjectionExpression="ssn"),
        "explicit deny",
        deciding="'NoSsn'",
    ),
    Case(
        "deny-foranyvalue-attribute-absent",
        [
            allow(),
            deny(READS, Condition={"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ssn"]}}),
        ],
        get("USER#A", ProjectionExpression="bio"),
        "allowed",
    ),
    Case(
        "return-consumed-capacity-absent",
        [
            allow(
                "dynamodb:GetItem",
                Condition={"StringEqualsIfExists": {"dynamodb:ReturnConsumedCapacity": "NONE"}},
            )
        ],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "return-consumed-capacity-total-refused",
        [
            allow(
                "dynamodb:GetItem",
                Condition={"StringEqualsIfExists": {"dynamodb:ReturnConsumedCapacity": "NONE"}},
            )
        ],
        get("USER#A", ReturnConsumedCapacity="TOTAL"),
        "implicit deny",
    ),
    Case(
        "several-values-are-ored",
        [
            allow(
                "dynamodb:UpdateItem",
                Condition={"StringEquals": {"dynamodb:ReturnValues": ["NONE", "ALL_NEW"]}},
            )
        ],
        update("USER#A", "SET bio = :v", ReturnValues="ALL_NEW"),
        "allowed",
    ),
    Case(
        "several-keys-are-anded",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["USER#A"],
                        "dynamodb:Attributes": ["PK", "SK", "bio"],
                    }
                },
            )
        ],
        get("USER#A", ProjectionExpression="email"),
        "implicit deny",
    ),
    Case(
        "transact-get-enclosing-operation",
        [
            allow(),
            deny(
                "dynamodb:GetItem",
                sid="NoTx",
                Condition={
                    "ForAnyValue:StringEquals": {
                        "dynamodb:EnclosingOperation": ["TransactWriteItems", "TransactGetItems"]
                    }
                },
            ),
        ],
        (
            "TransactGetItems",
            {"TransactItems": [{"Get": {"TableName": "App", "Key": key("USER#A")}}]},
        ),
        "explicit deny",
        deciding="'NoTx'",
    ),
    Case(
        "transact-deny-not-plain-get",
        [
            allow(),
            deny(
                "dynamodb:GetItem",
                Condition={
                    "ForAnyValue:StringEquals": {
                        "dynamodb:EnclosingOperation": ["TransactWriteItems", "TransactGetItems"]
                    }
                },
            ),
        ],
        get("USER#A"),
        "allowed",
    ),
    # -- string, Null, Bool and ARN operators on global keys -----------------------------------
    Case(
        "stringnotequals-missing-key-is-true",
        [
            allow(),
            deny(sid="OnlyVpce", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1234"}}),
        ],
        get("USER#A"),
        "explicit deny",
        deciding="'OnlyVpce'",
    ),
    Case(
        "ifexists-missing-key-is-true",
        [allow(Condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1234"}})],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "stringequals-missing-key-is-false",
        [allow(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1234"}})],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "null-true-missing-key",
        [allow(Condition={"Null": {"aws:SourceIp": "true"}})],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "bool-secure-transport",
        [allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}})],
        get("USER#A"),
        "allowed",
        context={"aws:SecureTransport": "true"},
    ),
    Case(
        "bool-insecure-transport-denied",
        [allow(), deny(sid="TlsOnly", Condition={"Bool": {"aws:SecureTransport": "false"}})],
        get("USER#A"),
        "explicit deny",
        deciding="'TlsOnly'",
        context={"aws:SecureTransport": "false"},
    ),
    Case(
        "arnlike-principal",
        [allow(Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/admin-*"}})],
        get("USER#A"),
        "allowed",
        identity=Identity.user("admin-7"),
    ),
    Case(
        "arnlike-principal-other",
        [allow(Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/admin-*"}})],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "arnequals-takes-wildcards-too",
        [allow(Condition={"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}})],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "string-equals-ignore-case",
        [allow(Condition={"StringEqualsIgnoreCase": {"aws:username": "ALICE"}})],
        get("USER#A"),
        "allowed",
    ),
    Case(
        "string-equals-is-case-sensitive",
        [allow(Condition={"StringEquals": {"aws:username": "ALICE"}})],
        get("USER#A"),
        "implicit deny",
    ),
    Case(
        "partiql-select-action",
        [allow("dynamodb:PartiQLSelect")],
        ("ExecuteStatement", {"Statement": 'SELECT * FROM "App" WHERE PK = ?'}),
        "allowed",
    ),
    Case(
        "partiql-update-needs-its-own-action",
        [allow("dynamodb:PartiQLSelect")],
        ("ExecuteStatement", {"Statement": 'UPDATE "App" SET bio = ? WHERE PK = ?'}),
        "implicit deny",
    ),
    # -- policy variables ---------------------------------------------------------------------
    Case(
        "username-in-resource",
        [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/${aws:username}-*")],
        ("GetItem", {"TableName": "alice-notes", "Key": key("X")}),
        "allowed",
    ),
    Case(
        "username-in-resource-other",
        [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/${aws:username}-*")],
        ("GetItem", {"TableName": "bob-notes", "Key": key("X")}),
        "implicit deny",
    ),
    Case(
        "username-absent-for-roles",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}
                },
            )
        ],
        get("A"),
        "implicit deny",
        identity=WEB_A,
    ),
    Case(
        "userid-variable",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}
                },
            )
        ],
        get(ALICE.userid),
        "allowed",
    ),
    Case(
        "cognito-sub-variable",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]
                    }
                },
            )
        ],
        get("us-east-1:1111"),
        "allowed",
        identity=Identity.cognito_user("us-east-1:1111"),
    ),
    Case(
        "cognito-sub-variable-other",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]
                    }
                },
            )
        ],
        get("us-east-1:2222"),
        "implicit deny",
        identity=Identity.cognito_user("us-east-1:1111"),
    ),
    Case(
        "variable-value-is-literal-not-wildcard",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": ["USER#${www.amazon.com:user_id}"]
                    }
                },
            )
        ],
        get("USER#Ab"),
        "implicit deny",
        identity=Identity.web_user("A*"),
    ),
    Case(
        "stringlike-wildcard-after-variable",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": ["TENANT#${aws:username}#*"]
                    }
                },
            )
        ],
        get("TENANT#alice#orders"),
        "allowed",
    ),
    Case(
        "version-2008-has-no-variables",
        [
            allow(
                READS,
                Condition={
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}
                },
            )
        ],
        get("alice"),
        "implicit deny",
        version="2008-10-17",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_evaluation_follows_aws(case: Case) -> None:
    policy = {"Version": case.version, "Statement": case.statements}
    operation, params = case.call
    result = iam.simulate(policy, case.identity, operation, params, keys=KEYS, context=case.context)
    outcomes = [d.outcome for d in result.decisions]
    expected_allowed = case.expected == "allowed"
    assert result.allowed is expected_allowed, result.explain()
    final = result.denied or result.decisions[-1]
    assert final.outcome == case.expected, (outcomes, result.explain())
    if case.deciding is not None:
        assert final.statement == case.deciding, result.explain()


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def test_transactions_are_authorized_item_by_item() -> None:
    policy = {"Version": "2012-10-17", "Statement": [allow(WRITES, Condition=PER_USER)]}
    result = iam.simulate(policy, WEB_A, *CASES_BY_NAME["transact-write-per-item"].call, keys=KEYS)
    actions = [d.request.action for d in result.decisions]
    assert actions == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert result.decisions[0].allowed and not result.decisions[1].allowed
    assert result.decisions[1].request.context["dynamodb:EnclosingOperation"] == (
        "TransactWriteItems"
    )


def test_batch_get_carries_every_partition_key() -> None:
    result = iam.simulate({"Statement": [allow()]}, ALICE, *batch_get("USER#B", "USER#A"))
    (decision,) = result.decisions
    assert decision.request.context["dynamodb:LeadingKeys"] == ("USER#A", "USER#B")


def test_attributes_include_keys_and_expression_names() -> None:
    operation, params = update(
        "USER#A",
        "SET #n = :v, stats.wins = stats.wins + :v REMOVE old ADD tags :v",
        ExpressionAttributeNames={"#n": "name"},
        ConditionExpression="attribute_exists(PK) AND size(bio) < :v",
    )
    result = iam.simulate({"Statement": [allow()]}, ALICE, operation, params)
    assert result.decisions[0].request.context["dynamodb:Attributes"] == (
        "PK",
        "SK",
        "bio",
        "name",
        "old",
        "stats",
        "tags",
    )


def test_explain_walks_every_statement() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            allow("dynamodb:Query", sid="Q"),
            allow(READS, sid="Mine", Condition=PER_USER),
        ],
    }
    request = Request("dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ("USER#B",)})
    text = iam.explain(policy, request, WEB_A).text()
    assert "'Q' (Allow) in policy: does not apply" in text
    assert "no Action matches dynamodb:GetItem" in text
    assert "'Mine' (Allow) in policy: does not apply" in text
    assert '"USER#B" fails against "USER#A"' in text
    assert text.endswith("Decision: IMPLICIT DENY: no statement allows it (implicit deny)")


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        {"Version": "2012-10-17"},
        {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]},
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringSortOf": {"k": "v"}},
                }
            ]
        },
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
    ],
)
def test_invalid_policies_are_refused(document: Any) -> None:
    with pytest.raises(PolicyError):
        Policy.parse(document)


CASES_BY_NAME = {c.name: c for c in CASES}
