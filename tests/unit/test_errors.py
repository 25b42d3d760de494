"""``explain()``: DynamoDB and boto3 errors turned into a plain meaning and a hint."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError, ParamValidationError

from ddb_lab import errors, facts
from ddb_lab.errors import Explanation, explain, install_ipython_handler
from ddb_lab.lab import isolated_session


def client_error(code: str, message: str, operation: str = "GetItem") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


GENERIC_MEANING = "DynamoDB rejected the request."

# (code, message, expected meaning, a fragment of the hint)
RULES: list[tuple[str, str, str, str]] = [
    (
        "ValidationException",
        facts.MSG_RESERVED_WORD.format(expression="FilterExpression", word="status"),
        "'status' is one of DynamoDB's reserved words, so it cannot appear as a bare attribute "
        "name in an expression.",
        'pass ExpressionAttributeNames={"#status": "status"}',
    ),
    (
        "ValidationException",
        # DynamoDB's wording for a key of the wrong type on PutItem.
        "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S",
        "The table defines key attribute 'sk' as type N, but the request sent S.",
        'Send {"N": ...} for sk',
    ),
    (
        "ValidationException",
        "One or more parameter values were invalid: Missing the key pk in the item",
        "Every item must carry the table's full primary key; this one has no 'pk'.",
        "Add 'pk' to the item",
    ),
    (
        "ValidationException",
        facts.MSG_KEY_MISMATCH,
        "A Key must name exactly the primary-key attributes (the partition key, plus the sort "
        "key if the table has one) with their defined types: no more, no fewer.",
        "use Query instead of GetItem",
    ),
    (
        "ValidationException",
        "Query condition missed key schema element: pk",
        "A Query must pin the partition key with '=' in KeyConditionExpression; 'pk' is missing.",
        "'#pk = :pk'",
    ),
    (
        "ValidationException",
        facts.MSG_KEY_CONDITION_OPERATOR.format(operator="OR"),
        "A key condition can only AND a partition-key equality with one sort-key condition; OR "
        "is not allowed there.",
        "FilterExpression",
    ),
    (
        "ValidationException",
        facts.MSG_UNDEFINED_NAME.format(expression="FilterExpression", name="#x"),
        "The expression uses the placeholder #x, but ExpressionAttributeNames does not define it.",
        'ExpressionAttributeNames={"#x": "<attribute name>"}',
    ),
    (
        "ValidationException",
        facts.MSG_UNDEFINED_VALUE.format(expression="UpdateExpression", name=":v"),
        "The expression uses the placeholder :v, but ExpressionAttributeValues does not define it.",
        'ExpressionAttributeValues={":v": {"S": "..."}}',
    ),
    (
        "ValidationException",
        facts.MSG_UNUSED_VALUES.format(names=":w"),
        "DynamoDB rejects placeholders that are defined but not used by any expression.",
        "Remove the unused entries",
    ),
    (
        "ValidationException",
        facts.MSG_UNUSED_NAMES.format(names="#y"),
        "DynamoDB rejects placeholders that are defined but not used by any expression.",
        "Remove the unused entries",
    ),
    (
        "ValidationException",
        facts.MSG_AV_EMPTY,
        'A low-level attribute value is a dict with exactly one type descriptor, like {"S": '
        '"text"} or {"N": "42"}.',
        "Use exactly one of S, N, B, BOOL, NULL, M, L, SS, NS, BS per value.",
    ),
    (
        "ValidationException",
        facts.MSG_AV_MANY,
        'A low-level attribute value is a dict with exactly one type descriptor, like {"S": '
        '"text"} or {"N": "42"}.',
        "Use exactly one of",
    ),
    *[
        (
            "ValidationException",
            message,
            "DynamoDB numbers hold at most 38 significant digits, between 1E-130 and 9.99E+125.",
            "store it as a string (S)",
        )
        for message in (
            facts.MSG_NUMBER_TOO_PRECISE,
            facts.MSG_NUMBER_OVERFLOW,
            facts.MSG_NUMBER_UNDERFLOW,
            facts.MSG_NUMBER_INVALID,
        )
    ],
    (
        "ValidationException",
        facts.MSG_SET_DUPLICATES.format(values="[a, a]"),
        "A set (SS, NS, BS) holds each value once.",
        "De-duplicate before writing",
    ),
    (
        "ValidationException",
        facts.MSG_EMPTY_KEY_STRING.format(key="pk"),
        "Key attributes cannot be empty strings (other attributes can, since 2020).",
        "non-empty value",
    ),
    (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
        "An item, names and values together, may be at most 400 KB.",
        "S3",
    ),
    (
        "ValidationException",
        "Item size to update has exceeded the maximum allowed size",
        "An item, names and values together, may be at most 400 KB.",
        "split the item",
    ),
    (
        "ValidationException",
        "Consistent reads are not supported on global secondary indexes",
        "Global secondary indexes are updated asynchronously, so they only offer eventually "
        "consistent reads.",
        "Drop ConsistentRead",
    ),
    (
        "ValidationException",
        'Invalid FilterExpression: Syntax error; token: "=", near: "= ="',
        "DynamoDB could not parse the expression.",
        "Check operators and parentheses",
    ),
    (
        "ResourceNotFoundException",
        "Requested resource not found",
        "The table or index named in the request does not exist in this lab (not created yet, "
        "deleted, or cleared by lab.reset()).",
        "lab.tables()",
    ),
    (
        "ResourceInUseException",
        "Table already exists: SocialApp",
        "A table with this name already exists (or is being created or deleted).",
        "lab.reset()",
    ),
    (
        "ConditionalCheckFailedException",
        "The conditional request failed",
        "The ConditionExpression was false for the item as stored, so nothing was written.",
        "ReturnValuesOnConditionCheckFailure='ALL_OLD'",
    ),
    (
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None]",
        "The whole transaction was cancelled; none of its actions took effect.",
        "CancellationReasons",
    ),
    (
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
        "The table or a partition received more reads or writes per second than its capacity.",
        "exponential back-off",
    ),
    (
        "RequestRefused",
        "ddb-lab's embedded backend does not send requests off this machine (https://x/).",
        "The embedded backend only answers DynamoDB requests in this kernel; this one would "
        "have left the machine.",
        "DDB_LAB_ALLOW_AWS=1",
    ),
]


@pytest.mark.parametrize(("code", "message", "meaning", "hint"), RULES)
def test_explain_each_rule(code: str, message: str, meaning: str, hint: str) -> None:
    explanation = explain(client_error(code, message, "PutItem"))
    assert explanation is not None
    assert explanation.code == code
    assert explanation.message == message
    assert explanation.meaning == meaning
    assert hint in explanation.hint, explanation.hint
    assert explanation.operation == "PutItem"
    assert explanation.client_side is False
    assert explanation.text().startswith(f"{code} from PutItem: {message}\n")


def test_unknown_code_gets_the_generic_explanation() -> None:
    explanation = explain(client_error("InternalServerError", "Internal server error"))
    assert explanation is not None
    assert explanation.code == "InternalServerError"
    assert explanation.meaning == GENERIC_MEANING
    assert "API reference" in explanation.hint


def test_validation_message_no_rule_knows_gets_the_generic_explanation() -> None:
    explanation = explain(client_error("ValidationException", "Something new and strange"))
    assert explanation is not None
    assert explanation.meaning == GENERIC_MEANING


def test_rules_match_on_the_code_too() -> None:
    # A reserved-word message under another code is not the reserved-word rule.
    message = facts.MSG_RESERVED_WORD.format(expression="FilterExpression", word="status")
    explanation = explain(client_error("SomethingElse", message))
    assert explanation is not None
    assert explanation.meaning == GENERIC_MEANING


def test_client_error_without_details() -> None:
    explanation = explain(ClientError({}, "Scan"))
    assert explanation is not None
    assert explanation.code == "Unknown"
    assert explanation.operation == "Scan"


# --- boto3's client-side errors -------------------------------------------------------------------


@pytest.fixture(scope="module")
def offline_client() -> Any:
    """A client whose calls here all fail validation before anything is sent."""
    return isolated_session("us-east-1").client("dynamodb")


def param_error(client: Any, **params: Any) -> ParamValidationError:
    with pytest.raises(ParamValidationError) as info:
        client.put_item(TableName="T", **params)
    return info.value


def test_number_given_as_int(offline_client: Any) -> None:
    explanation = explain(param_error(offline_client, Item={"n": {"N": 30}}))
    assert explanation is not None
    assert explanation.code == "ParamValidationError"
    assert explanation.client_side is True
    assert explanation.message == (
        "Invalid type for parameter Item.n.N, value: 30, type: <class 'int'>, "
        "valid types: <class 'str'>"
    )
    assert explanation.meaning == (
        "The low-level client wants every value as a string inside its type descriptor: "
        "Item.n.N got a int."
    )
    assert explanation.hint.startswith('Write it as a string, e.g. {"N": "30"}')
    assert "boto3 stopped this request before it was sent." in explanation.text()


def test_unknown_type_descriptor(offline_client: Any) -> None:
    explanation = explain(param_error(offline_client, Item={"n": {"X": "30"}}))
    assert explanation is not None
    assert explanation.code == "ParamValidationError"
    assert explanation.meaning == "'X' is not a DynamoDB type descriptor."
    assert explanation.hint == "Use one of S, N, B, BOOL, NULL, M, L, SS, NS, BS."


def test_raw_string_instead_of_a_descriptor(offline_client: Any) -> None:
    explanation = explain(param_error(offline_client, Item={"n": "30"}))
    assert explanation is not None
    assert explanation.meaning == (
        "The low-level client wants each attribute as a type descriptor dict, but Item.n is a "
        "plain str."
    )
    assert explanation.hint.startswith('Wrap it: {"S": "..."} for a string')


def test_missing_required_parameter(offline_client: Any) -> None:
    explanation = explain(param_error(offline_client))
    assert explanation is not None
    assert explanation.meaning == (
        "The request is missing the required parameter 'Item' (in input)."
    )


def test_float_from_the_type_serializer() -> None:
    with pytest.raises(TypeError) as info:
        TypeSerializer().serialize(1.5)
    explanation = explain(info.value)
    assert explanation is not None
    assert explanation.code == "TypeError"
    assert explanation.client_side is True
    assert explanation.message == "Float types are not supported. Use Decimal types instead."
    assert "Decimal('1.5')" in explanation.hint
    assert TypeSerializer().serialize(Decimal("1.5")) == {"N": "1.5"}  # what the hint says


@pytest.mark.parametrize(
    "error",
    [
        ValueError("Float types are not supported"),
        KeyError("Item"),
        RuntimeError("boom"),
        TypeError("unsupported operand type(s) for +: 'int' and 'str'"),
        ParamValidationError(report="Something else entirely"),
    ],
    ids=["ValueError", "KeyError", "RuntimeError", "other-TypeError", "other-ParamValidation"],
)
def test_other_exceptions_are_not_explained(error: BaseException) -> None:
    assert explain(error) is None


# --- Presentation ---------------------------------------------------------------------------------


def test_repr_html_escapes_everything() -> None:
    explanation = Explanation(
        code="<Code>",
        message="a < b & c",
        meaning="<script>alert(1)</script>",
        hint='use "quotes" & <tags>',
        operation="Get<Item>",
        where="x = table['<y>']",
    )
    rendered = explanation._repr_html_()
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<b>&lt;Code&gt;</b> from Get&lt;Item&gt;: a &lt; b &amp; c" in rendered
    assert "use &quot;quotes&quot; &amp; &lt;tags&gt;" in rendered
    assert "<code>x = table[&#x27;&lt;y&gt;&#x27;]</code>" in rendered


def test_text_and_pretty_repr() -> None:
    explanation = Explanation("C", "m", "meaning", "hint", where="lab.client.scan()")
    assert explanation.text() == "C: m\n  at: lab.client.scan()\nWhat it means: meaning\nTry: hint"
    assert str(explanation) == explanation.text()
    printed: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            printed.append(value)

    explanation._repr_pretty_(Printer(), False)
    assert printed == [explanation.text()]


# --- IPython integration --------------------------------------------------------------------------


class FakeShell:
    """Records what the handler asks IPython to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []
        self.shown: list[Any] = []
        self.usual: list[Any] = []

    def set_custom_exc(self, exceptions: Any, handler: Any) -> None:
        self.calls.append((exceptions, handler))

    def _showtraceback(self, etype: Any, value: Any, lines: list[str]) -> None:
        self.shown.append((etype, value, lines))

    def showtraceback(self, exc_tuple: Any, tb_offset: Any = None) -> None:
        self.usual.append(exc_tuple)


@pytest.fixture
def fresh_install_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_installed_on", None)


@pytest.mark.usefixtures("fresh_install_state")
def test_install_sets_the_custom_handler_once() -> None:
    shell = FakeShell()
    assert install_ipython_handler(lambda: shell) is True
    assert install_ipython_handler(lambda: shell) is True
    assert len(shell.calls) == 1
    exceptions, handler = shell.calls[0]
    assert exceptions == (ClientError, ParamValidationError, TypeError)
    assert callable(handler)

    another = FakeShell()  # a new kernel shell gets its own handler
    assert install_ipython_handler(lambda: another) is True
    assert len(another.calls) == 1


@pytest.mark.usefixtures("fresh_install_state")
def test_install_outside_ipython_does_nothing() -> None:
    assert install_ipython_handler(lambda: None) is False
    assert install_ipython_handler() is False  # the real IPython: no shell in pytest
    assert errors._installed_on is None


@pytest.mark.usefixtures("fresh_install_state")
def test_install_without_ipython_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # makes "from IPython import" fail
    assert install_ipython_handler() is False


@pytest.mark.usefixtures("fresh_install_state")
def test_the_handler_shows_the_explanation_and_the_learners_line() -> None:
    shell = FakeShell()
    install_ipython_handler(lambda: shell)
    handler = shell.calls[0][1]
    try:
        raise client_error("ResourceNotFoundException", "Requested resource not found", "Scan")
    except ClientError as error:
        lines = handler(shell, type(error), error, error.__traceback__)
        caught = error
    assert shell.shown == [(ClientError, caught, lines)]
    assert lines[0] == (
        "\x1b[31m\x1b[1mResourceNotFoundException from Scan: Requested resource not found\x1b[0m"
    )
    assert "  at: raise client_error(" in lines[1]
    assert lines[2].startswith("What it means: The table or index named in the request")
    assert lines[-1] == "(The kernel, your variables and the lab's tables are unchanged.)"
    assert shell.usual == []

    other = TypeError("unsupported operand")
    assert handler(shell, TypeError, other, None) is None
    assert shell.usual == [(TypeError, other, None)]
    assert len(shell.shown) == 1


@pytest.mark.parametrize(
    "message",
    [
        facts.MSG_BATCH_WRITE_TOO_MANY,
        facts.MSG_BATCH_WRITE_TABLE_LIMIT.format(table="T", count=26),
    ],
)
def test_batch_write_limit_is_explained(message: str) -> None:
    error = ClientError(
        {"Error": {"Code": "ValidationException", "Message": message}}, "BatchWriteItem"
    )
    explanation = explain(error)
    assert explanation is not None
    assert "at most 25" in explanation.meaning
    assert "batch_writer" in explanation.hint
