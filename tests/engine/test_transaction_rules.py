"""Transactions in the lab: DynamoDB's limits, errors and idempotency tokens, where moto differs.

Each correction is tested twice: the lab gives DynamoDB's exact code and message, and with the
correction switched off moto answers otherwise (proving the correction makes the difference).
Where moto already behaves like DynamoDB, the test says so and checks the lab alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from engine_helpers import outcome, switched_off

from ddb_lab import facts
from ddb_lab.engine.transactions import transaction_payload_size


def _key(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"k{n:03d}"}}


def _gets(count: int) -> list[dict[str, Any]]:
    return [{"Get": {"TableName": "T", "Key": _key(n)}} for n in range(count)]


def _puts(count: int, body: str = "") -> list[dict[str, Any]]:
    items = []
    for n in range(count):
        item: dict[str, Any] = dict(_key(n))
        if body:
            item["body"] = {"S": body}
        items.append({"Put": {"TableName": "T", "Item": item}})
    return items


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    return make_table("T", sk=None)


# --- Count: 100 actions --------------------------------------------------------------------------

_TOO_MANY = re.compile(
    r"^1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy "
    r"constraint: Member must have length less than or equal to 100$",
    re.S,
)


def test_transact_get_items_takes_100_gets_where_moto_stops_at_25(lab: Any, table: str) -> None:
    lab.client.put_item(TableName=table, Item={**_key(99), "n": {"N": "7"}})
    response = lab.client.transact_get_items(TransactItems=_gets(100))
    assert len(response["Responses"]) == 100
    assert response["Responses"][99]["Item"]["n"] == {"N": "7"}
    with switched_off(lab, "transaction_limits"):
        code, message = outcome(lambda: lab.client.transact_get_items(TransactItems=_gets(26)))
    assert code == "ValidationException"
    assert "less than or equal to 25" in message


def test_moto_keeps_its_own_get_limit_outside_a_request(lab: Any, table: str) -> None:
    from moto.dynamodb import responses

    before = responses.TRANSACTION_MAX_ITEMS
    lab.client.transact_get_items(TransactItems=_gets(60))
    assert before == responses.TRANSACTION_MAX_ITEMS


def test_101_gets_is_dynamodbs_validation_error(lab: Any, table: str) -> None:
    code, message = outcome(lambda: lab.client.transact_get_items(TransactItems=_gets(101)))
    assert code == "ValidationException"
    assert _TOO_MANY.match(message)
    assert "TransactGetItem@" in message


def test_101_writes_is_dynamodbs_validation_error(lab: Any, table: str) -> None:
    call = lambda: lab.client.transact_write_items(TransactItems=_puts(101))  # noqa: E731
    code, message = outcome(call)
    assert code == "ValidationException"
    assert _TOO_MANY.match(message)
    assert "TransactWriteItem@" in message
    with switched_off(lab, "transaction_limits"):
        moto_code, moto_message = outcome(call)
    assert moto_code == "ValidationException"  # moto rejects too, but in its own words
    assert not _TOO_MANY.match(moto_message)
    assert lab.client.scan(TableName=table)["Count"] == 0


def test_100_writes_are_accepted(lab: Any, table: str) -> None:
    lab.client.transact_write_items(TransactItems=_puts(100))
    assert lab.client.scan(TableName=table, Select="COUNT")["Count"] == 100


# --- Size: 4 MB ----------------------------------------------------------------------------------


def test_transaction_over_4_mb_is_rejected_and_writes_nothing(lab: Any, table: str) -> None:
    body = "x" * (380 * 1024)
    actions = _puts(12, body)  # 12 x 380 KB: every item is legal, together they are 4.45 MB
    size = transaction_payload_size(actions)
    assert size > facts.TRANSACT_MAX_BYTES
    call = lambda: lab.client.transact_write_items(TransactItems=actions)  # noqa: E731
    assert outcome(call) == (
        "ValidationException",
        facts.MSG_TRANSACT_TOO_LARGE.format(size=size),
    )
    assert lab.client.scan(TableName=table)["Count"] == 0
    with switched_off(lab, "transaction_limits"):
        assert outcome(call) == ("OK", None)  # moto applies it


def test_transaction_just_under_4_mb_is_accepted(lab: Any, table: str) -> None:
    actions = _puts(11, "x" * (370 * 1024))
    assert transaction_payload_size(actions) <= facts.TRANSACT_MAX_BYTES
    assert outcome(lambda: lab.client.transact_write_items(TransactItems=actions)) == ("OK", None)


def test_payload_size_counts_keys_and_values_of_updates() -> None:
    update = {
        "Update": {
            "TableName": "T",
            "Key": {"pk": {"S": "abc"}},
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": "x" * 100}},
        }
    }
    assert transaction_payload_size([update]) == (2 + 3) + (2 + 100)


# --- Cancellation and cost (moto is right; the lab keeps it so) ----------------------------------


def test_cancellation_reasons_are_positional(lab: Any, table: str) -> None:
    lab.client.put_item(TableName=table, Item=_key(1))
    actions = [
        {"Put": {**_puts(1)[0]["Put"], "ConditionExpression": "attribute_not_exists(pk)"}},
        {
            "Put": {
                "TableName": table,
                "Item": _key(1),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]
    with pytest.raises(ClientError) as raised:
        lab.client.transact_write_items(TransactItems=actions)
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in error["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert error["Error"]["Message"] == facts.MSG_TRANSACTION_CANCELLED.format(
        reasons=", ".join(reasons)
    )
    assert lab.client.get_item(TableName=table, Key=_key(0)).get("Item") is None


def test_a_transaction_costs_twice_the_units(lab: Any, table: str) -> None:
    item = {**_key(1), "body": {"S": "x" * 1500}}  # 2 KB: 2 write units, 1 read unit
    plain = lab.client.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL")
    transact = lab.client.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": item}}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert plain["ConsumedCapacity"]["CapacityUnits"] == 2
    assert transact["ConsumedCapacity"][0]["WriteCapacityUnits"] == 4
    read = lab.client.transact_get_items(
        TransactItems=[{"Get": {"TableName": table, "Key": _key(1)}}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert read["ConsumedCapacity"][0]["ReadCapacityUnits"] == 2


# --- Idempotency tokens --------------------------------------------------------------------------


def _add(amount: int) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": "T",
                "Key": _key(0),
                "UpdateExpression": "ADD n :amount",
                "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
            }
        }
    ]


def _counter(lab: Any) -> str:
    return str(lab.client.get_item(TableName="T", Key=_key(0))["Item"]["n"]["N"])


def test_same_token_same_request_is_applied_once(lab: Any, table: str) -> None:
    for _ in range(3):
        lab.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="like-1")
    assert _counter(lab) == "1"
    with switched_off(lab, "idempotency_tokens"):
        lab.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="like-1")
    assert _counter(lab) == "2"  # moto alone applies every repeat


def test_same_token_other_request_is_a_mismatch(lab: Any, table: str) -> None:
    lab.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="tok")
    call = lambda: lab.client.transact_write_items(  # noqa: E731
        TransactItems=_add(5), ClientRequestToken="tok"
    )
    assert outcome(call) == ("IdempotentParameterMismatchException", facts.MSG_IDEMPOTENT_MISMATCH)
    assert _counter(lab) == "1"
    with switched_off(lab, "idempotency_tokens"):
        assert outcome(call) == ("OK", None)
    assert _counter(lab) == "6"


def test_a_token_expires_after_ten_minutes_of_lab_time() -> None:
    from ddb_lab import start

    simulated = start(clock="simulated")
    simulated.client.create_table(
        TableName="T",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    simulated.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="t")
    simulated.clock.advance(facts.IDEMPOTENCY_WINDOW_SECONDS - 1)
    simulated.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="t")
    assert _counter(simulated) == "1"
    simulated.clock.advance(2)
    simulated.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="t")
    assert _counter(simulated) == "2"


def test_a_cancelled_transaction_leaves_its_token_free(lab: Any, table: str) -> None:
    guarded = _add(1)
    guarded[0]["Update"]["ConditionExpression"] = "attribute_exists(pk)"
    call = lambda: lab.client.transact_write_items(  # noqa: E731
        TransactItems=guarded, ClientRequestToken="retry-me"
    )
    assert outcome(call)[0] == "TransactionCanceledException"
    lab.client.put_item(TableName=table, Item={**_key(0), "n": {"N": "10"}})
    assert outcome(call) == ("OK", None)
    assert _counter(lab) == "11"


def test_reset_forgets_tokens(lab: Any, table: str, make_table: Callable[..., str]) -> None:
    lab.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="again")
    lab.reset()
    make_table("T", sk=None)
    lab.client.transact_write_items(TransactItems=_add(1), ClientRequestToken="again")
    assert _counter(lab) == "1"


# --- Expression placeholders (regression: ExpressionPlaceholders) --------------------------------


def test_unused_expression_attribute_values_are_rejected(lab: Any, table: str) -> None:
    call = lambda: lab.client.put_item(  # noqa: E731
        TableName=table,
        Item=_key(1),
        ConditionExpression="attribute_not_exists(pk)",
        ExpressionAttributeValues={":unused": {"S": "x"}},
    )
    expected = ("ValidationException", facts.MSG_UNUSED_VALUES.format(names=":unused"))
    assert outcome(call) == expected
    with switched_off(lab, "expression_placeholders"):
        assert outcome(call) == ("OK", None)


def test_unused_values_inside_a_transaction_are_rejected(lab: Any, table: str) -> None:
    actions = _add(1)
    actions[0]["Update"]["ExpressionAttributeValues"][":spare"] = {"N": "2"}
    call = lambda: lab.client.transact_write_items(TransactItems=actions)  # noqa: E731
    expected = ("ValidationException", facts.MSG_UNUSED_VALUES.format(names=":spare"))
    assert outcome(call) == expected


# --- Explained to the learner ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message", "meaning"),
    [
        (
            "ValidationException",
            facts.MSG_TRANSACT_TOO_MANY.format(dump="x"),
            "at most 100 actions",
        ),
        ("ValidationException", facts.MSG_TRANSACT_TOO_LARGE.format(size=5_000_000), "4 MB"),
        ("ValidationException", facts.MSG_BATCH_WRITE_TOO_LARGE, "16 MB"),
        ("ValidationException", facts.MSG_BATCH_GET_TABLE_LIMIT.format(table="T"), "100 keys"),
        ("IdempotentParameterMismatchException", facts.MSG_IDEMPOTENT_MISMATCH, "10 minutes"),
    ],
)
def test_the_new_errors_are_explained(code: str, message: str, meaning: str) -> None:
    from ddb_lab.errors import explain

    explanation = explain(ClientError({"Error": {"Code": code, "Message": message}}, "X"))
    assert explanation is not None
    assert meaning in explanation.meaning
