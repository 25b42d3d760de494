"""Errors a learner can act on: DynamoDB's code, a plain explanation, and a hint.

``explain(error)`` turns a ``ClientError`` (or boto3's client-side ``ParamValidationError``, or its
float ``TypeError``) into an :class:`Explanation`. In a notebook, ``start()`` installs a handler so
that a failing cell shows that explanation instead of a page of library traceback; the kernel,
the learner's variables and the lab's tables are untouched.

Used in: notebooks/01_keys_and_types.ipynb ("When DynamoDB says no").
"""

from __future__ import annotations

import html
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from ddb_lab import facts
from ddb_lab._shown import TextShown

__all__ = ["Explanation", "explain", "install_ipython_handler"]


@dataclass(frozen=True, repr=False)
class Explanation(TextShown):
    """What went wrong, in DynamoDB's words and in plain words."""

    code: str
    message: str
    meaning: str
    hint: str
    operation: str | None = None
    where: str | None = None  # the learner's line, when known
    client_side: bool = False

    def text(self) -> str:
        lines = [f"{self.code}: {self.message}"]
        if self.operation:
            lines[0] = f"{self.code} from {self.operation}: {self.message}"
        if self.client_side:
            lines.append("  (boto3 stopped this request before it was sent.)")
        if self.where:
            lines.append(f"  at: {self.where}")
        lines.append(f"What it means: {self.meaning}")
        lines.append(f"Try: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        op = f" from {html.escape(self.operation)}" if self.operation else ""
        where = f"<div><code>{html.escape(self.where)}</code></div>" if self.where else ""
        return (
            '<div class="ddb-lab-error" style="border-left:4px solid #c0392b;padding:4px 10px">'
            f"<b>{html.escape(self.code)}</b>{op}: {html.escape(self.message)}{where}"
            f"<div><b>What it means:</b> {html.escape(self.meaning)}</div>"
            f"<div><b>Try:</b> {html.escape(self.hint)}</div></div>"
        )


@dataclass(frozen=True)
class _Rule:
    code: str
    pattern: str | None
    meaning: str
    hint: str

    def match(self, code: str, message: str) -> re.Match[str] | None:
        if code != self.code:
            return None
        return re.search(self.pattern or "", message)


_DESCRIPTORS = ", ".join(facts.TYPE_DESCRIPTORS)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        "ValidationException",
        r"reserved keyword: (?P<word>\w+)",
        "'{word}' is one of DynamoDB's reserved words, so it cannot appear as a bare attribute "
        "name in an expression.",
        "Write a placeholder such as #{word} in the expression and pass "
        'ExpressionAttributeNames={{"#{word}": "{word}"}}.',
    ),
    _Rule(
        "ValidationException",
        r"Type mismatch for key (?P<key>\S+) expected: (?P<expected>\w+) actual: (?P<actual>\w+)",
        "The table defines key attribute '{key}' as type {expected}, "
        "but the request sent {actual}.",
        'Send {{"{expected}": ...}} for {key}; the key types are fixed when the table is created '
        "(see AttributeDefinitions).",
    ),
    _Rule(
        "ValidationException",
        r"Missing the key (?P<key>\S+) in the item",
        "Every item must carry the table's full primary key; this one has no '{key}'.",
        "Add '{key}' to the item (describe_table's KeySchema lists the key attributes).",
    ),
    _Rule(
        "ValidationException",
        r"provided key element does not match the schema",
        "A Key must name exactly the primary-key attributes (the partition key, plus the sort "
        "key if the table has one) with their defined types: no more, no fewer.",
        "Compare the Key with describe_table's KeySchema. To read a whole item collection by "
        "partition key alone, use Query instead of GetItem.",
    ),
    _Rule(
        "ValidationException",
        r"Query condition missed key schema element: (?P<key>\S+)",
        "A Query must pin the partition key with '=' in KeyConditionExpression; "
        "'{key}' is missing.",
        "Start the KeyConditionExpression with '#pk = :pk'; to read across partitions use a GSI "
        "(or, rarely, a Scan).",
    ),
    _Rule(
        "ValidationException",
        r"Invalid operator used in KeyConditionExpression: (?P<op>\w+)",
        "A key condition can only AND a partition-key equality with one sort-key condition; "
        "{op} is not allowed there.",
        "Move other conditions into a FilterExpression, or run two queries.",
    ),
    _Rule(
        "ValidationException",
        r"attribute name used in the document path is not defined; attribute name: (?P<n>\S+)",
        "The expression uses the placeholder {n}, but ExpressionAttributeNames does not define it.",
        'Add it: ExpressionAttributeNames={{"{n}": "<attribute name>"}}.',
    ),
    _Rule(
        "ValidationException",
        r"attribute value used in expression is not defined; attribute value: (?P<v>\S+)",
        "The expression uses the placeholder {v}, "
        "but ExpressionAttributeValues does not define it.",
        'Add it: ExpressionAttributeValues={{"{v}": {{"S": "..."}}}} (the resource API takes plain '
        "Python values).",
    ),
    _Rule(
        "ValidationException",
        r"unused in expressions",
        "DynamoDB rejects placeholders that are defined but not used by any expression.",
        "Remove the unused entries, or use them in the expression.",
    ),
    _Rule(
        "ValidationException",
        r"Supplied AttributeValue (is empty|has more than one)",
        "A low-level attribute value is a dict with exactly one type descriptor, like "
        '{"S": "text"} or {"N": "42"}.',
        f"Use exactly one of {_DESCRIPTORS} per value.",
    ),
    _Rule(
        "ValidationException",
        r"significant digits|Number overflow|Number underflow|cannot be converted into a number",
        "DynamoDB numbers hold at most 38 significant digits, between 1E-130 and 9.99E+125.",
        "Round the value, or store it as a string (S) if every digit matters (ids, card numbers).",
    ),
    _Rule(
        "ValidationException",
        r"contains duplicates",
        "A set (SS, NS, BS) holds each value once.",
        "De-duplicate before writing (a Python set does it for you with the resource API).",
    ),
    _Rule(
        "ValidationException",
        r"empty string|may not contain an empty",
        "Key attributes cannot be empty strings (other attributes can, since 2020).",
        "Give the key a non-empty value, or leave the attribute out if it is not a key.",
    ),
    _Rule(
        "ValidationException",
        r"[Ii]tem size (to update )?has exceeded",
        "An item, names and values together, may be at most 400 KB.",
        "Keep large blobs in S3 and store their key, or split the item into several items.",
    ),
    _Rule(
        "ValidationException",
        r"less than or equal to 25|Too many items requested for the BatchWriteItem",
        "A BatchWriteItem holds at most 25 put or delete requests, across all its tables.",
        "Send chunks of 25 (table.batch_writer() does it for you) and retry any UnprocessedItems.",
    ),
    _Rule(
        "ValidationException",
        r"at 'transactItems' failed to satisfy constraint: Member must have length less than",
        "A transaction (TransactWriteItems or TransactGetItems) holds at most 100 actions.",
        "Split the work into several transactions if each part may commit on its own, or rethink "
        "the design: a transaction that large is slow and conflicts easily.",
    ),
    _Rule(
        "ValidationException",
        r"Transaction payload size cannot exceed",
        "The items of one transaction may total at most 4 MB.",
        "Write fewer or smaller items per transaction; keep large attributes out of transactions.",
    ),
    _Rule(
        "ValidationException",
        r"total request size exceeds 16 MB",
        "A BatchWriteItem request may be at most 16 MB.",
        "Send fewer or smaller items per batch.",
    ),
    _Rule(
        "ValidationException",
        r"member\.Keys' failed to satisfy constraint|Too many items requested for the BatchGetItem",
        "A BatchGetItem asks for at most 100 keys in one call.",
        "Send the keys in chunks of 100 and retry any UnprocessedKeys.",
    ),
    _Rule(
        "AccessDeniedException",
        r"perform: (?P<action>\S+) on resource: (?P<resource>\S+) with an explicit deny",
        "A Deny statement matched this {action} on {resource}; an explicit deny beats every Allow.",
        "Find the Deny statement named at the end of the message and narrow it (its Action, "
        "Resource or Condition); adding an Allow never overrides it.",
    ),
    _Rule(
        "AccessDeniedException",
        r"perform: (?P<action>\S+) on resource: (?P<resource>\S+) because no identity-based",
        "No statement allows {action} on {resource} with this request's condition values "
        "(partition keys, attributes, Select, ReturnValues ...): IAM denies by default.",
        "Print ddb_lab.iam.decisions_of(client)[-1] to see each statement and the element that "
        "did not match; for an index or a stream the Resource needs its own ARN "
        "(table/NAME/index/* or table/NAME/stream/*).",
    ),
    _Rule(
        "IdempotentParameterMismatchException",
        None,
        "This ClientRequestToken was used in the last 10 minutes for a different transaction.",
        "Use a new token for a new transaction; reuse a token only to retry the very same request.",
    ),
    _Rule(
        "TransactionConflictException",
        None,
        "Another transaction was changing one of these items at the same moment.",
        "Retry with back-off; if it happens often, fewer transactions should touch the same hot "
        "items.",
    ),
    _Rule(
        "ValidationException",
        r"Consistent reads are not supported on global secondary indexes",
        "Global secondary indexes are updated asynchronously, so they only offer eventually "
        "consistent reads.",
        "Drop ConsistentRead, or read the base table (or an LSI) when you need the latest write.",
    ),
    _Rule(
        "ValidationException",
        r"Type mismatch for Index Key (?P<key>\S+) Expected: (?P<expected>\w+) "
        r"Actual: (?P<actual>\w+) IndexName: (?P<index>\S+)",
        "'{key}' is a key of index {index}, defined as type {expected}; an item may leave it out "
        "(and stay out of the index) but may not store it as {actual}.",
        "Write {key} as {expected}, or leave the attribute out of items that do not belong in "
        "{index} (None becomes NULL, which is a type too).",
    ),
    _Rule(
        "ValidationException",
        r"Select type ALL_ATTRIBUTES is not supported for global secondary index (?P<index>\S+)",
        "A global secondary index returns only the attributes it projects, and {index} does not "
        "project them all; it cannot fetch the rest from the table.",
        "Use Select='ALL_PROJECTED_ATTRIBUTES' (the default), then read the whole items from the "
        "table by the keys the index returns (GetItem or BatchGetItem).",
    ),
    _Rule(
        "ValidationException",
        r"Global secondary index (?P<index>\S+) does not project \[(?P<names>[^\]]*)\]",
        "{index} does not hold {names}: a global secondary index returns only what it projects "
        "and never reads the table for the rest.",
        "Ask the index only for projected attributes and read the rest from the table by the "
        "keys it returns; or project {names} (a new index: projections cannot be changed).",
    ),
    _Rule(
        "ValidationException",
        r"GlobalSecondaryIndex count exceeds|Number of LocalSecondaryIndexes exceeds",
        f"A table has at most {facts.MAX_GSIS_PER_TABLE} global secondary indexes (a default "
        f"quota that can be raised) and {facts.MAX_LSIS_PER_TABLE} local ones (a hard limit).",
        "Overload indexes: generic key attributes (GSI1PK, GSI1SK) let one index serve several "
        "access patterns.",
    ),
    _Rule(
        "ValidationException",
        r"same leading hash key|required when specifying a LocalSecondaryIndex|"
        r"Index KeySchema does not have a range key",
        "A local secondary index keeps the table's partition key and adds another sort key, so "
        "the table needs a sort key and the index needs the same partition key plus a sort key.",
        "For a different partition key, define a global secondary index instead.",
    ),
    _Rule(
        "ValidationException",
        r"Duplicate index name|index which already exists",
        "Index names are unique per table, across global and local secondary indexes.",
        "Pick another IndexName (describe_table lists the existing ones).",
    ),
    _Rule(
        "ValidationException",
        r"NonKeyAttributes|projected attributes in all indexes",
        "NonKeyAttributes belong to an INCLUDE projection only (ALL copies every attribute, "
        "KEYS_ONLY none); each name once, and at most "
        f"{facts.MAX_PROJECTED_ATTRIBUTES} of them over all the table's indexes.",
        "Use INCLUDE with the attributes the queries need, or ALL when they need almost "
        "everything.",
    ),
    _Rule(
        "ValidationException",
        r"an index that is not a GlobalSecondaryIndex",
        "Local secondary indexes exist from CreateTable on and can never be changed or deleted; "
        "GlobalSecondaryIndexUpdates only handles GSIs.",
        "To change an LSI, create a new table and copy the items; or add a GSI.",
    ),
    _Rule(
        "ValidationException",
        r"AttributeDefinitions is not specified for index",
        "UpdateTable must define the key attributes of the index it creates.",
        "Pass AttributeDefinitions=[{'AttributeName': ..., 'AttributeType': ...}] for the new "
        "index's keys in the same call.",
    ),
    _Rule(
        "LimitExceededException",
        r"Only 1 online index",
        "UpdateTable creates or deletes one global secondary index at a time.",
        "Send one Create per UpdateTable and wait until the index is ACTIVE before the next.",
    ),
    _Rule(
        "LimitExceededException",
        r"global secondary indexes exceeds",
        f"The table already has {facts.MAX_GSIS_PER_TABLE} global secondary indexes.",
        "Delete an index you no longer query, or overload an existing one.",
    ),
    _Rule(
        "ValidationException",
        r"Syntax error|Bad .*[Ee]xpression|Invalid .*Expression",
        "DynamoDB could not parse the expression.",
        "Check operators and parentheses; names go through #placeholders and values through "
        ":placeholders.",
    ),
    _Rule(
        "ResourceNotFoundException",
        None,
        "The table or index named in the request does not exist in this lab (not created yet, "
        "deleted, or cleared by lab.reset()).",
        "lab.tables() lists the tables; re-run the cell that creates the table.",
    ),
    _Rule(
        "ResourceInUseException",
        None,
        "A table with this name already exists (or is being created or deleted).",
        "Use the existing table, delete it first, or start from a clean slate with lab.reset().",
    ),
    _Rule(
        "ConditionalCheckFailedException",
        None,
        "The ConditionExpression was false for the item as stored, so nothing was written.",
        "Read the item to see why, or pass ReturnValuesOnConditionCheckFailure='ALL_OLD' to get "
        "it with the error.",
    ),
    _Rule(
        "TransactionCanceledException",
        None,
        "The whole transaction was cancelled; none of its actions took effect.",
        "CancellationReasons lists, per action in order, why (None means that action was fine).",
    ),
    _Rule(
        "ProvisionedThroughputExceededException",
        None,
        "The table or a partition received more reads or writes per second than its capacity.",
        "Retry with exponential back-off and jitter (boto3's standard retry mode does), spread "
        "keys, or raise capacity.",
    ),
    _Rule(
        "RequestRefused",
        None,
        "The embedded backend only answers DynamoDB requests in this kernel; this one would "
        "have left the machine.",
        "Use lab.client / lab.resource; real AWS needs start(backend='aws') "
        "and DDB_LAB_ALLOW_AWS=1.",
    ),
)

_CLIENT_RULES: tuple[tuple[str, str, str], ...] = (
    (
        r"Invalid type for parameter (?P<param>\S+), value: (?P<value>.*?), "
        r"type: <class '(?P<t>\w+)'>"
        r", valid types: <class 'str'>",
        "The low-level client wants every value as a string inside its type descriptor: {param} "
        "got a {t}.",
        'Write it as a string, e.g. {{"N": "{value}"}}; or use lab.resource, which converts '
        "Python values for you.",
    ),
    (
        r"Invalid type for parameter (?P<param>\S+), value: (?P<value>.*?), "
        r"type: <class '(?P<t>\w+)'>"
        r", valid types: <class 'dict'>",
        "The low-level client wants each attribute as a type descriptor dict, but {param} is a "
        "plain {t}.",
        'Wrap it: {{"S": "..."}} for a string, {{"N": "..."}} for a number; or use lab.resource.',
    ),
    (
        r'Unknown parameter in (?P<param>\S+): "(?P<bad>[^"]+)", must be one of: S, N',
        "'{bad}' is not a DynamoDB type descriptor.",
        f"Use one of {_DESCRIPTORS}.",
    ),
    (
        r'Unknown parameter in input: "LocalSecondaryIndexes"',
        "UpdateTable cannot add a local secondary index: LSIs are defined only by CreateTable.",
        "Add a global secondary index instead (GlobalSecondaryIndexUpdates), or create a new "
        "table with the LSI and copy the items.",
    ),
    (
        r"Missing required parameter in (?P<param>\S+): \"(?P<name>[^\"]+)\"",
        "The request is missing the required parameter '{name}' (in {param}).",
        "Add it; the boto3 documentation of the operation lists what is required.",
    ),
    (
        r"Float types are not supported",
        "DynamoDB numbers are exact decimals; a Python float is binary and would lose digits "
        "silently, so boto3 refuses it.",
        "Use decimal.Decimal('1.5') (or Decimal(str(x))) for non-integers.",
    ),
)


def _format(template: str, match: re.Match[str] | None) -> str:
    groups = match.groupdict() if match else {}
    try:
        return template.format(**groups)
    except (KeyError, IndexError):
        return template


def explain(error: BaseException) -> Explanation | None:
    """An :class:`Explanation` for a DynamoDB (or boto3) error, or None if it is not one.

    Args:
        error: usually the ``ClientError`` caught in ``except ClientError as err``.
    """
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        code = str(info.get("Code", "Unknown"))
        message = str(info.get("Message", ""))
        operation = getattr(error, "operation_name", None)
        for rule in _RULES:
            match = rule.match(code, message)
            if match is not None:
                return Explanation(
                    code,
                    message,
                    _format(rule.meaning, match),
                    _format(rule.hint, match),
                    operation,
                )
        return Explanation(
            code,
            message,
            "DynamoDB rejected the request.",
            "Read the message above; the operation's page in the DynamoDB API reference lists "
            "this error and its causes.",
            operation,
        )
    if isinstance(error, ParamValidationError | TypeError):
        message = str(error).replace("Parameter validation failed:\n", "").strip()
        for pattern, meaning, hint in _CLIENT_RULES:
            match = re.search(pattern, message)
            if match is not None:
                code = (
                    "ParamValidationError"
                    if isinstance(error, ParamValidationError)
                    else "TypeError"
                )
                return Explanation(
                    code,
                    message.splitlines()[0],
                    _format(meaning, match),
                    _format(hint, match),
                    client_side=True,
                )
    return None


def _learner_line(tb: Any) -> str | None:
    """The last line of the traceback that is in a notebook cell (not in a library)."""
    found: str | None = None
    for frame in traceback.extract_tb(tb):
        if "site-packages" in frame.filename or "/lib/python" in frame.filename:
            continue
        if frame.line:
            found = frame.line.strip()
    return found


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> Any:
    """IPython custom exception handler: it must display the error itself."""
    explanation = explain(value)
    if explanation is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    shown = Explanation(
        explanation.code,
        explanation.message,
        explanation.meaning,
        explanation.hint,
        explanation.operation,
        _learner_line(tb),
        explanation.client_side,
    )
    red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
    lines = shown.text().splitlines()
    lines[0] = f"{red}{bold}{lines[0]}{reset}"
    lines.append("(The kernel, your variables and the lab's tables are unchanged.)")
    shell._showtraceback(etype, value, lines)
    return lines


_installed_on: object | None = None


def install_ipython_handler(get_ipython: Callable[[], Any] | None = None) -> bool:
    """Show DynamoDB errors in notebooks as explanations; returns True if installed.

    Safe to call more than once; does nothing outside IPython.
    """
    global _installed_on
    if get_ipython is None:
        try:
            from IPython import get_ipython as ipython_shell
        except ImportError:
            return False
        get_ipython = ipython_shell
    shell = get_ipython()
    if shell is None:
        return False
    if _installed_on is shell:
        return True
    shell.set_custom_exc((ClientError, ParamValidationError, TypeError), _handler)
    _installed_on = shell
    return True
