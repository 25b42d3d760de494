"""The engine's corrections: each rejects (or rewrites) what DynamoDB would, where moto does not.

Every correction test runs the request twice: through the lab as it is (DynamoDB's answer), and
with that correction switched off (moto's own answer), to prove the correction is what makes the
difference. Where moto already answers like DynamoDB the test says so and checks only the lab.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ClientError
from engine_helpers import Outcome, outcome, switched_off

from ddb_lab import facts
from ddb_lab.engine import REFUSED_CODE
from ddb_lab.engine.corrections import (
    canonical_number,
    default_corrections,
    parse_number,
    reserved_word_in,
    reserved_words,
    significant_digits,
)
from ddb_lab.engine.wire import DynamoError, attribute_values

#: Key of the item most tests write: table T has pk (S) and sk (N).
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
#: Every correction of a new lab, in the order they run.
CORRECTIONS_IN_ORDER = [
    "attribute_value_shape",
    "number_rules",
    "set_duplicates",
    "expression_placeholders",
    "reserved_words",
    "key_rules",
    "index_rules",
    "batch_write_limits",
    "batch_limits",
    "idempotency_tokens",
    "gsi_lag",
    "number_normalisation",
    "stream_records",
    "metering",
    "lsi_fetch",
    "throttling",
    "transaction_limits",
    "partition_queries",
]
ALL_CORRECTIONS = set(CORRECTIONS_IN_ORDER)
#: Switched off in a new lab: throttling waits for lab.enable_throttling().
OFF_BY_DEFAULT = {"throttling"}


def rejected(message: str) -> Outcome:
    return "ValidationException", message


def assert_corrected(lab: Any, name: str, call: Callable[[], Any], expected: Outcome) -> Outcome:
    """The lab answers ``expected``; moto alone (correction ``name`` off) answers otherwise."""
    assert outcome(call) == expected
    with switched_off(lab, name):
        moto_alone = outcome(call)
    assert moto_alone != expected, f"moto already answers {expected!r} without {name}"
    assert outcome(call) == expected, f"{name} did not come back on"
    return moto_alone


def internal(detail: str) -> Outcome:
    return rejected(facts.MSG_INTERNAL.format(detail=detail))


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    """Table T, keys pk (S) and sk (N), holding the item KEY."""
    name = make_table("T", pk=("pk", "S"), sk=("sk", "N"))
    return name


@pytest.fixture
def client(lab: Any, table: str) -> Any:
    lab.client.put_item(TableName=table, Item={**KEY, "status": {"S": "on"}})
    return lab.client


# --- KeyRules ------------------------------------------------------------------------------------

WRONG_TYPE = {"pk": {"S": "a"}, "sk": {"S": "1"}}
MISSING_SORT_KEY = {"pk": {"S": "a"}}


def _key_calls(client: Any, key: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    return {
        "GetItem": lambda: client.get_item(TableName="T", Key=key),
        "DeleteItem": lambda: client.delete_item(TableName="T", Key=key),
        "UpdateItem": lambda: client.update_item(
            TableName="T",
            Key=key,
            UpdateExpression="SET x = :v",
            ExpressionAttributeValues={":v": {"S": "1"}},
        ),
        "BatchGetItem": lambda: client.batch_get_item(RequestItems={"T": {"Keys": [key]}}),
        "TransactGetItems": lambda: client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "T", "Key": key}}]
        ),
    }


KEY_OPERATIONS = ["GetItem", "DeleteItem", "UpdateItem", "BatchGetItem", "TransactGetItems"]


@pytest.mark.parametrize("operation", KEY_OPERATIONS)
@pytest.mark.parametrize("key", [WRONG_TYPE, MISSING_SORT_KEY], ids=["wrong-type", "no-sort-key"])
def test_key_must_match_the_schema(
    lab: Any, client: Any, operation: str, key: dict[str, Any]
) -> None:
    call = _key_calls(client, key)[operation]
    assert_corrected(lab, "key_rules", call, rejected(facts.MSG_KEY_MISMATCH))


def test_key_mismatch_leaves_the_item_alone(lab: Any, client: Any) -> None:
    # Without key_rules moto deletes by the wrong-typed key (it answers 200); with it, nothing runs.
    assert outcome(_key_calls(client, WRONG_TYPE)["DeleteItem"]) == rejected(facts.MSG_KEY_MISMATCH)
    assert client.get_item(TableName="T", Key=KEY)["Item"]["status"] == {"S": "on"}


def test_key_with_an_extra_attribute_is_rejected(client: Any) -> None:
    call = partial(client.get_item, TableName="T", Key={**KEY, "x": {"S": "1"}})
    assert outcome(call) == rejected(facts.MSG_KEY_MISMATCH)


def test_empty_key_string_is_rejected_with_dynamodbs_message(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={"pk": {"S": ""}, "sk": {"N": "1"}})
    moto_alone = assert_corrected(
        lab, "key_rules", put, rejected(facts.MSG_EMPTY_KEY_STRING.format(key="pk"))
    )
    assert moto_alone[0] == "ValidationException"  # moto rejects it too, in other words
    # GetItem: moto happens to agree already; the lab must still say it DynamoDB's way.
    get = partial(client.get_item, TableName="T", Key={"pk": {"S": ""}, "sk": {"N": "1"}})
    assert outcome(get) == rejected(facts.MSG_EMPTY_KEY_STRING.format(key="pk"))


def test_empty_sort_key_string_names_the_sort_key(lab: Any, make_table: Any) -> None:
    make_table("S2", pk=("pk", "S"), sk=("sk", "S"))
    put = partial(lab.client.put_item, TableName="S2", Item={"pk": {"S": "a"}, "sk": {"S": ""}})
    assert_corrected(lab, "key_rules", put, rejected(facts.MSG_EMPTY_KEY_STRING.format(key="sk")))


def test_empty_string_outside_the_key_is_fine(client: Any) -> None:
    client.put_item(TableName="T", Item={**KEY, "note": {"S": ""}})
    assert client.get_item(TableName="T", Key=KEY)["Item"]["note"] == {"S": ""}


def test_right_key_still_works(client: Any) -> None:
    assert client.get_item(TableName="T", Key=KEY)["Item"]["status"] == {"S": "on"}
    response = client.batch_get_item(RequestItems={"T": {"Keys": [KEY]}})
    assert len(response["Responses"]["T"]) == 1


# --- AttributeValueShape -------------------------------------------------------------------------


def test_empty_attribute_value_is_rejected(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {}})
    moto_alone = assert_corrected(lab, "attribute_value_shape", put, rejected(facts.MSG_AV_EMPTY))
    # moto crashes on it; the engine turns the crash into a plain ValidationException.
    assert moto_alone == internal("PutItem: StopIteration")


def test_empty_attribute_value_nested_in_a_map_is_rejected(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {"M": {"y": {}}}})
    assert_corrected(lab, "attribute_value_shape", put, rejected(facts.MSG_AV_EMPTY))


def test_attribute_value_with_two_types_is_rejected(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {"S": "1", "N": "1"}})
    assert assert_corrected(lab, "attribute_value_shape", put, rejected(facts.MSG_AV_MANY)) == (
        "OK",
        None,
    )


def test_expression_value_with_two_types_is_rejected(lab: Any, client: Any) -> None:
    update = partial(
        client.update_item,
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v",
        ExpressionAttributeValues={":v": {"S": "1", "N": "1"}},
    )
    assert_corrected(lab, "attribute_value_shape", update, rejected(facts.MSG_AV_MANY))


# --- NumberRules ---------------------------------------------------------------------------------


def _put_number(client: Any, text: str) -> Callable[[], Any]:
    return lambda: client.put_item(TableName="T", Item={**KEY, "n": {"N": text}})


def test_39_significant_digits_are_rejected(lab: Any, client: Any) -> None:
    put = _put_number(client, "1" * 39)
    moto_alone = assert_corrected(lab, "number_rules", put, rejected(facts.MSG_NUMBER_TOO_PRECISE))
    assert moto_alone == ("OK", None)


def test_38_significant_digits_are_kept_exactly(client: Any) -> None:
    digits = "1234567890" * 3 + "12345678"
    client.put_item(TableName="T", Item={**KEY, "n": {"N": digits + "000"}})
    assert client.get_item(TableName="T", Key=KEY)["Item"]["n"] == {"N": digits + "000"}


def test_39_digits_nested_in_a_list_are_rejected(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {"L": [{"N": "9" * 39}]}})
    assert_corrected(lab, "number_rules", put, rejected(facts.MSG_NUMBER_TOO_PRECISE))


def test_overflow_is_rejected(lab: Any, client: Any) -> None:
    moto_alone = assert_corrected(
        lab, "number_rules", _put_number(client, "1E+126"), rejected(facts.MSG_NUMBER_OVERFLOW)
    )
    assert moto_alone == ("OK", None)


def test_underflow_is_rejected(lab: Any, client: Any) -> None:
    # PutItem of a bare N: moto already says it. In an update value or a set it does not.
    assert outcome(_put_number(client, "1E-131")) == rejected(facts.MSG_NUMBER_UNDERFLOW)
    update = partial(
        client.update_item,
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v",
        ExpressionAttributeValues={":v": {"N": "1E-131"}},
    )
    assert_corrected(lab, "number_rules", update, rejected(facts.MSG_NUMBER_UNDERFLOW))
    in_a_set = partial(client.put_item, TableName="T", Item={**KEY, "x": {"NS": ["1E-131"]}})
    assert_corrected(lab, "number_rules", in_a_set, rejected(facts.MSG_NUMBER_UNDERFLOW))


def test_range_limits_themselves_are_accepted(client: Any) -> None:
    for text in ("1E-130", "-1E-130", "9.9999999999999999999999999999999999999E+125", "0"):
        assert outcome(_put_number(client, text)) == ("OK", None), text


def test_text_that_is_not_a_number_is_rejected(lab: Any, client: Any) -> None:
    moto_alone = assert_corrected(
        lab, "number_rules", _put_number(client, "abc"), rejected(facts.MSG_NUMBER_INVALID)
    )
    assert moto_alone[0] == "ValidationException"  # moto words it its own way
    update = partial(
        client.update_item,
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v",
        ExpressionAttributeValues={":v": {"N": "abc"}},
    )
    assert assert_corrected(lab, "number_rules", update, rejected(facts.MSG_NUMBER_INVALID)) == (
        "OK",
        None,
    )


# --- SetDuplicates -------------------------------------------------------------------------------


def test_string_set_duplicates_are_rejected(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {"SS": ["a", "b", "a"]}})
    expected = rejected(facts.MSG_SET_DUPLICATES.format(values="[a, b, a]"))
    assert assert_corrected(lab, "set_duplicates", put, expected) == ("OK", None)


def test_number_set_duplicates_compare_by_value(lab: Any, client: Any) -> None:
    put = partial(client.put_item, TableName="T", Item={**KEY, "x": {"NS": ["1", "1.0"]}})
    expected = rejected(facts.MSG_SET_DUPLICATES.format(values="[1, 1.0]"))
    assert assert_corrected(lab, "set_duplicates", put, expected) == ("OK", None)


def test_distinct_sets_are_fine(client: Any) -> None:
    client.put_item(TableName="T", Item={**KEY, "s": {"SS": ["a", "A"]}, "n": {"NS": ["1", "10"]}})
    item = client.get_item(TableName="T", Key=KEY)["Item"]
    assert sorted(item["s"]["SS"]) == ["A", "a"]
    assert sorted(item["n"]["NS"]) == ["1", "10"]


# --- ExpressionPlaceholders ----------------------------------------------------------------------


def test_undefined_name_placeholder(lab: Any, client: Any) -> None:
    scan = partial(
        client.scan,
        TableName="T",
        FilterExpression="#x = :v",
        ExpressionAttributeValues={":v": {"S": "1"}},
    )
    expected = rejected(facts.MSG_UNDEFINED_NAME.format(expression="FilterExpression", name="#x"))
    assert assert_corrected(lab, "expression_placeholders", scan, expected) == internal(
        "Scan: KeyError"
    )


def test_undefined_value_placeholder(lab: Any, client: Any) -> None:
    scan = partial(
        client.scan, TableName="T", FilterExpression="#x = :v", ExpressionAttributeNames={"#x": "x"}
    )
    expected = rejected(facts.MSG_UNDEFINED_VALUE.format(expression="FilterExpression", name=":v"))
    assert assert_corrected(lab, "expression_placeholders", scan, expected) == internal(
        "Scan: KeyError"
    )


def test_undefined_value_in_an_update_names_the_update_expression(client: Any) -> None:
    update = partial(client.update_item, TableName="T", Key=KEY, UpdateExpression="SET x = :nope")
    assert outcome(update) == rejected(
        facts.MSG_UNDEFINED_VALUE.format(expression="UpdateExpression", name=":nope")
    )


def test_unused_value_placeholder(lab: Any, client: Any) -> None:
    scan = partial(
        client.scan,
        TableName="T",
        FilterExpression="#x = :v",
        ExpressionAttributeNames={"#x": "x"},
        ExpressionAttributeValues={":v": {"S": "1"}, ":w": {"S": "2"}},
    )
    expected = rejected(facts.MSG_UNUSED_VALUES.format(names=":w"))
    assert assert_corrected(lab, "expression_placeholders", scan, expected) == ("OK", None)


def test_unused_value_in_a_transaction(lab: Any, client: Any) -> None:
    write = partial(
        client.transact_write_items,
        TransactItems=[
            {
                "Update": {
                    "TableName": "T",
                    "Key": KEY,
                    "UpdateExpression": "SET x = :v",
                    "ExpressionAttributeValues": {":v": {"S": "1"}, ":w": {"S": "1"}},
                }
            }
        ],
    )
    expected = rejected(facts.MSG_UNUSED_VALUES.format(names=":w"))
    assert assert_corrected(lab, "expression_placeholders", write, expected) == ("OK", None)


def test_unused_name_placeholder(lab: Any, client: Any) -> None:
    update = partial(
        client.update_item,
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v",
        ExpressionAttributeNames={"#y": "y"},
        ExpressionAttributeValues={":v": {"S": "1"}},
    )
    message = facts.MSG_UNUSED_NAMES.format(names="#y")
    moto_alone = assert_corrected(lab, "expression_placeholders", update, rejected(message))
    # moto prefixes DynamoDB's message with its own "1 validation error detected: ".
    assert moto_alone == rejected("1 validation error detected: " + message)


def test_or_in_a_key_condition(lab: Any, client: Any) -> None:
    query = partial(
        client.query,
        TableName="T",
        KeyConditionExpression="pk = :a OR pk = :b",
        ExpressionAttributeValues={":a": {"S": "a"}, ":b": {"S": "b"}},
    )
    expected = rejected(facts.MSG_KEY_CONDITION_OPERATOR.format(operator="OR"))
    assert assert_corrected(lab, "expression_placeholders", query, expected) == internal(
        "Query: AssertionError"
    )


def test_placeholders_named_like_operators_are_not_operators(client: Any) -> None:
    response = client.query(
        TableName="T",
        KeyConditionExpression="#or = :or AND #not > :not",
        ExpressionAttributeNames={"#or": "pk", "#not": "sk"},
        ExpressionAttributeValues={":or": {"S": "a"}, ":not": {"N": "0"}},
    )
    assert response["Count"] == 1


# --- ReservedWords -------------------------------------------------------------------------------


def _reserved(expression: str, word: str) -> Outcome:
    return rejected(facts.MSG_RESERVED_WORD.format(expression=expression, word=word))


def test_reserved_word_in_a_filter_names_the_filter(lab: Any, client: Any) -> None:
    scan = partial(
        client.scan,
        TableName="T",
        FilterExpression="status = :v",
        ExpressionAttributeValues={":v": {"S": "on"}},
    )
    moto_alone = assert_corrected(
        lab, "reserved_words", scan, _reserved("FilterExpression", "status")
    )
    assert moto_alone == _reserved("ConditionExpression", "status")  # moto's wrong name


def test_reserved_word_in_a_query_filter(lab: Any, client: Any) -> None:
    query = partial(
        client.query,
        TableName="T",
        KeyConditionExpression="pk = :p",
        FilterExpression="size > :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert assert_corrected(
        lab, "reserved_words", query, _reserved("FilterExpression", "size")
    ) == internal("Query: ValueError")


def test_reserved_word_in_a_projection(lab: Any, client: Any) -> None:
    scan = partial(client.scan, TableName="T", ProjectionExpression="pk, name")
    assert_corrected(lab, "reserved_words", scan, _reserved("ProjectionExpression", "name"))
    batch = partial(
        client.batch_get_item,
        RequestItems={"T": {"Keys": [KEY], "ProjectionExpression": "pk, a.data"}},
    )
    assert_corrected(lab, "reserved_words", batch, _reserved("ProjectionExpression", "data"))


def test_reserved_word_in_an_update(client: Any) -> None:
    # moto words these two the same way; the lab must too.
    update = partial(
        client.update_item,
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v REMOVE comment",
        ExpressionAttributeValues={":v": {"S": "1"}},
    )
    assert outcome(update) == _reserved("UpdateExpression", "comment")


def test_reserved_word_in_a_condition(client: Any) -> None:
    put = partial(
        client.put_item, TableName="T", Item=KEY, ConditionExpression="attribute_not_exists(year)"
    )
    assert outcome(put) == _reserved("ConditionExpression", "year")
    check = partial(
        client.transact_write_items,
        TransactItems=[
            {"ConditionCheck": {"TableName": "T", "Key": KEY, "ConditionExpression": "Year > pk"}}
        ],
    )
    assert outcome(check) == _reserved("ConditionExpression", "Year")


def test_reserved_word_in_a_key_condition(lab: Any, client: Any) -> None:
    query = partial(
        client.query,
        TableName="T",
        KeyConditionExpression="pk = :p AND date > :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert_corrected(lab, "reserved_words", query, _reserved("KeyConditionExpression", "date"))


def test_functions_clauses_and_placeholders_are_not_reserved_words(lab: Any, client: Any) -> None:
    item = {**KEY, "status": {"S": "on"}, "x": {"S": "hello"}, "y": {"S": "bye"}}
    client.put_item(TableName="T", Item=item)
    rejected_before = lab.engine.stats.rejected
    scan = client.scan(
        TableName="T",
        FilterExpression="size(#x) > :n AND begins_with(#x, :h) AND attribute_exists(#s)",
        ExpressionAttributeNames={"#x": "x", "#s": "status"},
        ExpressionAttributeValues={":n": {"N": "1"}, ":h": {"S": "he"}},
    )
    assert scan["Count"] == 1
    query = client.query(
        TableName="T",
        KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
        FilterExpression="attribute_exists(x) AND NOT contains(x, :z)",
        ExpressionAttributeValues={
            ":p": {"S": "a"},
            ":lo": {"N": "0"},
            ":hi": {"N": "5"},
            ":z": {"S": "zz"},
        },
    )
    assert query["Count"] == 1
    client.update_item(
        TableName="T",
        Key=KEY,
        UpdateExpression="SET x = :v, #s = if_not_exists(#s, :v) REMOVE y ADD c :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": {"S": "v"}, ":one": {"N": "1"}},
    )
    item = client.get_item(TableName="T", Key=KEY)["Item"]
    assert item["x"] == {"S": "v"}
    assert "y" not in item
    assert item["c"] == {"N": "1"}
    assert lab.engine.stats.rejected == rejected_before


# --- NumberNormalisation -------------------------------------------------------------------------

STORED = {
    **KEY,
    "x": {"N": "0123.4500"},
    "y": {"N": "1E2"},
    "z": {"NS": ["1E2", "0.50"]},
    "m": {"M": {"q": {"N": "007"}, "l": {"L": [{"N": "-0.0"}]}}},
}


def _assert_normalised(item: dict[str, Any]) -> None:
    assert item["x"] == {"N": "123.45"}
    assert item["y"] == {"N": "100"}
    assert sorted(item["z"]["NS"]) == ["0.5", "100"]
    assert item["m"] == {"M": {"q": {"N": "7"}, "l": {"L": [{"N": "0"}]}}}


def _read_back(client: Any) -> dict[str, dict[str, Any]]:
    query = client.query(
        TableName="T", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": KEY["pk"]}
    )
    return {
        "GetItem": client.get_item(TableName="T", Key=KEY)["Item"],
        "Query": query["Items"][0],
        "Scan": client.scan(TableName="T")["Items"][0],
        "BatchGetItem": client.batch_get_item(RequestItems={"T": {"Keys": [KEY]}})["Responses"][
            "T"
        ][0],
        "TransactGetItems": client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "T", "Key": KEY}}]
        )["Responses"][0]["Item"],
    }


def test_numbers_come_back_normalised(lab: Any, client: Any) -> None:
    client.put_item(TableName="T", Item=STORED)
    for operation, item in _read_back(client).items():
        try:
            _assert_normalised(item)
        except AssertionError as error:
            raise AssertionError(f"{operation}: {item}") from error


def test_without_normalisation_moto_returns_numbers_as_sent(lab: Any, client: Any) -> None:
    client.put_item(TableName="T", Item=STORED)
    with switched_off(lab, "number_normalisation"):
        for operation, item in _read_back(client).items():
            assert item["x"] == {"N": "0123.4500"}, operation
            assert item["y"] == {"N": "1E2"}, operation


def test_resource_api_reads_normalised_numbers(lab: Any, client: Any) -> None:
    client.put_item(TableName="T", Item=STORED)
    item = lab.table("T").get_item(Key={"pk": "a", "sk": 1})["Item"]
    assert str(item["x"]) == "123.45"
    assert str(item["y"]) == "100"
    assert item["z"] == {Decimal("100"), Decimal("0.5")}


# --- The engine itself ---------------------------------------------------------------------------


def test_moto_internal_error_becomes_validation_exception(
    lab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.responses import DynamoHandler

    def broken(self: Any) -> str:
        raise KeyError("boom")

    monkeypatch.setattr(DynamoHandler, "list_tables", broken)
    before = lab.engine.stats.internal_errors
    with pytest.raises(ClientError) as info:
        lab.client.list_tables()
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert info.value.response["Error"]["Message"] == facts.MSG_INTERNAL.format(
        detail="ListTables: KeyError"
    )
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lab.engine.stats.internal_errors == before + 1


def test_request_for_elsewhere_is_refused(lab: Any) -> None:
    before = lab.engine.stats.refused
    request = AWSPreparedRequest(
        method="POST",
        url="https://example.invalid/",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"},
        body=b"{}",
        stream_output=False,
    )
    response = lab.engine.handle(request)
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("#" + REFUSED_CODE)
    assert lab.engine.stats.refused == before + 1


def test_rejections_are_counted(lab: Any, client: Any) -> None:
    before = lab.engine.stats.as_dict()
    assert outcome(_put_number(client, "abc")) == rejected(facts.MSG_NUMBER_INVALID)
    after = lab.engine.stats.as_dict()
    assert after["requests"] == before["requests"] + 1
    assert after["rejected"] == before["rejected"] + 1


def test_describe_lists_every_correction(lab: Any) -> None:
    described = lab.engine.describe()
    assert [entry["name"] for entry in described] == CORRECTIONS_IN_ORDER
    summaries = {c.name: c.summary for c in default_corrections()}
    for entry in described:
        assert entry["on"] is True  # the fixture switches every correction on
        assert entry["what"] == summaries[entry["name"]] != ""
    with switched_off(lab, "reserved_words"):
        off = {entry["name"]: entry["on"] for entry in lab.engine.describe()}
        assert off == {name: name != "reserved_words" for name in ALL_CORRECTIONS}


def test_a_new_lab_starts_without_throttling() -> None:
    from ddb_lab import start

    fresh = start()
    fresh.reset()
    assert [e["name"] for e in fresh.engine.describe() if not e["on"]] == sorted(OFF_BY_DEFAULT)


def test_enable_unknown_correction_raises_key_error(lab: Any) -> None:
    with pytest.raises(KeyError, match="no correction named 'nope'"):
        lab.engine.enable("nope")
    with pytest.raises(KeyError):
        lab.engine.enable("nope", False)
    assert all(entry["on"] for entry in lab.engine.describe())


# --- Unit tests (no moto) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", Decimal(42)),
        (" -1.50 ", Decimal("-1.50")),
        ("0" * 50, Decimal(0)),
        ("0.000", Decimal(0)),
        ("1E-130", Decimal("1E-130")),
        (
            "-9.9999999999999999999999999999999999999E+125",
            Decimal("-9.9999999999999999999999999999999999999E+125"),
        ),
        ("1" * 38, Decimal("1" * 38)),
        ("1" * 38 + "0" * 10, Decimal("1" * 38 + "0" * 10)),
        ("0.000" + "1" * 38, Decimal("0.000" + "1" * 38)),
    ],
)
def test_parse_number_accepts(text: str, value: Decimal) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1" * 39, facts.MSG_NUMBER_TOO_PRECISE),
        ("1.00000000000000000000000000000000000001", facts.MSG_NUMBER_TOO_PRECISE),
        ("1E+126", facts.MSG_NUMBER_OVERFLOW),
        ("-1E+126", facts.MSG_NUMBER_OVERFLOW),
        ("1E-131", facts.MSG_NUMBER_UNDERFLOW),
        ("-1E-131", facts.MSG_NUMBER_UNDERFLOW),
        ("abc", facts.MSG_NUMBER_INVALID),
        ("", facts.MSG_NUMBER_INVALID),
        ("NaN", facts.MSG_NUMBER_INVALID),
        ("Infinity", facts.MSG_NUMBER_INVALID),
        ("1,000", facts.MSG_NUMBER_INVALID),
    ],
)
def test_parse_number_rejects(text: str, message: str) -> None:
    with pytest.raises(DynamoError) as info:
        parse_number(text)
    assert info.value.code == "ValidationException"
    assert info.value.message == message
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("number", "digits"),
    [
        ("0123.4500", 5),
        ("1E+2", 1),
        ("100", 1),
        ("1.01", 3),
        ("0.00120", 2),
        ("-98765", 5),
        ("1" * 39, 39),
    ],
)
def test_significant_digits(number: str, digits: int) -> None:
    assert significant_digits(Decimal(number)) == digits


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0123.4500", "123.45"),
        ("1E2", "100"),
        ("1E+2", "100"),
        ("-0.0", "0"),
        ("0E+5", "0"),
        ("1.0E-5", "0.00001"),
        ("-007.10", "-7.1"),
        ("42", "42"),
        ("1E+125", "1" + "0" * 125),
        ("1" * 38, "1" * 38),
        ("abc", "abc"),
        ("NaN", "NaN"),
    ],
)
def test_canonical_number(text: str, canonical: str) -> None:
    assert canonical_number(text) == canonical


@pytest.mark.parametrize(
    ("expression", "kind", "word"),
    [
        ("status = :v", "FilterExpression", "status"),
        ("pk, name", "ProjectionExpression", "name"),
        ("a.data, b", "ProjectionExpression", "data"),
        ("SET comment = :v", "UpdateExpression", "comment"),
        ("SET x = :v REMOVE Size", "UpdateExpression", "Size"),
        ("attribute_exists(year)", "ConditionExpression", "year"),
        ("size > :n", "FilterExpression", "size"),
        ("#a = :a AND Date < :d", "FilterExpression", "Date"),
        # SET and REMOVE are clauses only in an update expression.
        ("set = :v", "FilterExpression", "set"),
    ],
)
def test_reserved_word_in_finds(expression: str, kind: str, word: str) -> None:
    assert reserved_word_in(expression, kind) == word


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("size(#x) > :n", "FilterExpression"),
        ("size (#x) > :n", "FilterExpression"),
        ("begins_with(#sk, :p)", "KeyConditionExpression"),
        ("attribute_exists(#a) AND attribute_not_exists(#b)", "ConditionExpression"),
        ("attribute_type(#a, :t) OR contains(#b, :c)", "FilterExpression"),
        ("SET #a = list_append(#a, :l), #b = if_not_exists(#b, :z) REMOVE #c", "UpdateExpression"),
        ("SET x = :v REMOVE y ADD z :one DELETE s :set", "UpdateExpression"),
        ("#status = :status AND NOT #name IN (:a, :b)", "FilterExpression"),
        ("pk = :p AND sk BETWEEN :lo AND :hi", "KeyConditionExpression"),
        ("pk, sk, title", "ProjectionExpression"),
    ],
)
def test_reserved_word_in_ignores(expression: str, kind: str) -> None:
    assert reserved_word_in(expression, kind) is None


def test_reserved_words_list() -> None:
    words = reserved_words()
    assert len(words) == 573
    assert {"STATUS", "NAME", "DATA", "SIZE", "COMMENT", "YEAR", "DATE"} <= words
    assert all(word == word.upper() for word in words)
    assert "TITLE" not in words


def test_attribute_values_walks_transact_items() -> None:
    request = {
        "TransactItems": [
            {
                "Put": {
                    "TableName": "T",
                    "Item": {"pk": {"S": "p"}, "m": {"M": {"inner": {"N": "1"}}}},
                    "ExpressionAttributeValues": {":v": {"N": "2"}},
                }
            },
            {"Update": {"TableName": "T", "Key": {"pk": {"S": "u"}}}},
            {"Delete": {"TableName": "T", "Key": {"pk": {"S": "d"}}}},
            {"ConditionCheck": {"TableName": "T", "Key": {"pk": {"S": "c"}}}},
        ]
    }
    # Top-level values only: the map is yielded, its inner number is not.
    assert list(attribute_values(request)) == [
        {"S": "p"},
        {"M": {"inner": {"N": "1"}}},
        {"N": "2"},
        {"S": "u"},
        {"S": "d"},
        {"S": "c"},
    ]


def test_attribute_values_walks_request_items() -> None:
    batch_write = {
        "RequestItems": {
            "A": [
                {"PutRequest": {"Item": {"pk": {"S": "1"}, "n": {"N": "5"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "2"}}}},
            ]
        }
    }
    assert list(attribute_values(batch_write)) == [{"S": "1"}, {"N": "5"}, {"S": "2"}]
    batch_get = {
        "RequestItems": {
            "A": {"Keys": [{"pk": {"S": "1"}}, {"pk": {"S": "2"}}], "ProjectionExpression": "pk"},
            "B": {"Keys": [{"id": {"N": "3"}}]},
        }
    }
    assert list(attribute_values(batch_get)) == [{"S": "1"}, {"S": "2"}, {"N": "3"}]


def test_attribute_values_walks_responses() -> None:
    batch_get = {"Responses": {"A": [{"pk": {"S": "1"}}, {"n": {"N": "01"}}]}}
    assert list(attribute_values(batch_get)) == [{"S": "1"}, {"N": "01"}]
    transact_get = {"Responses": [{"Item": {"pk": {"S": "1"}}}, {}]}
    assert list(attribute_values(transact_get)) == [{"S": "1"}]
    page = {"Items": [{"a": {"S": "x"}}], "LastEvaluatedKey": {"pk": {"S": "k"}}}
    assert list(attribute_values(page)) == [{"S": "x"}, {"S": "k"}]


def test_attribute_values_walks_stream_records() -> None:
    records = {
        "Records": [
            {
                "eventName": "MODIFY",
                "dynamodb": {
                    "Keys": {"pk": {"S": "k"}},
                    "NewImage": {"pk": {"S": "k"}, "n": {"N": "2"}},
                    "OldImage": {"pk": {"S": "k"}, "n": {"N": "1"}},
                },
            }
        ]
    }
    assert list(attribute_values(records)) == [
        {"S": "k"},
        {"S": "k"},
        {"N": "2"},
        {"S": "k"},
        {"N": "1"},
    ]


def test_attribute_values_walks_legacy_parameters() -> None:
    legacy = {
        "Expected": {"a": {"Value": {"S": "x"}}},
        "KeyConditions": {"pk": {"AttributeValueList": [{"S": "1"}, {"S": "2"}]}},
    }
    assert list(attribute_values(legacy)) == [{"S": "x"}, {"S": "1"}, {"S": "2"}]
    assert list(attribute_values({"TableName": "T", "Limit": 5})) == []


# --- BatchWriteItem limits ----------------------------------------------------------------------


def _writes(table: str, count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"PutRequest": {"Item": {"pk": {"S": f"{table}-{n}"}, "sk": {"S": "x"}}}}
        for n in range(start, start + count)
    ]


def test_batch_write_of_26_items_is_rejected(lab: Any, make_table: Any) -> None:
    make_table("T")
    too_many = {"RequestItems": {"T": _writes("T", 26)}}
    expected = rejected(facts.MSG_BATCH_WRITE_TABLE_LIMIT.format(table="T", count=26))
    assert outcome(lambda: lab.client.batch_write_item(**too_many)) == expected
    assert expected[1] is not None and "less than or equal to 25" in expected[1]
    assert lab.client.scan(TableName="T", Select="COUNT")["Count"] == 0  # nothing written
    with switched_off(lab, "batch_write_limits"):
        assert outcome(lambda: lab.client.batch_write_item(**too_many)) == ("OK", None)


def test_batch_write_over_25_across_tables_is_rejected(lab: Any, make_table: Any) -> None:
    make_table("A")
    make_table("B")
    split = {"RequestItems": {"A": _writes("A", 13), "B": _writes("B", 13)}}
    expected = rejected(facts.MSG_BATCH_WRITE_TOO_MANY)
    assert outcome(lambda: lab.client.batch_write_item(**split)) == expected
    with switched_off(lab, "batch_write_limits"):
        assert outcome(lambda: lab.client.batch_write_item(**split)) == ("OK", None)


def test_batch_write_of_25_items_is_fine(lab: Any, make_table: Any) -> None:
    make_table("A")
    make_table("B")
    full = {"RequestItems": {"A": _writes("A", 20), "B": _writes("B", 5)}}
    assert outcome(lambda: lab.client.batch_write_item(**full)) == ("OK", None)
    assert lab.client.scan(TableName="A", Select="COUNT")["Count"] == 20
