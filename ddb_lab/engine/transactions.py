"""Transactions and batches: the limits moto skips, and idempotency tokens.

moto runs transactions and batches, but not quite by DynamoDB's rules. These corrections restore
what chapter 4 teaches:

* :class:`TransactionLimits`: a TransactWriteItems or TransactGetItems call holds 1 to 100
  actions (moto still caps TransactGetItems at 25, the limit before September 2022, and words
  the TransactWriteItems error its own way), and the items a TransactWriteItems call carries
  total at most 4 MB (moto accepts more).
* :class:`BatchLimits`: a BatchWriteItem request is at most 16 MB (moto accepts more) and a
  BatchGetItem names at most 100 keys per table, reported in DynamoDB's words. (The 25-request
  limit of BatchWriteItem is :class:`ddb_lab.engine.corrections.BatchWriteLimits`; the 16 MB
  response limit of BatchGetItem moto already honours with ``UnprocessedKeys``.)
* :class:`IdempotencyTokens`: a TransactWriteItems call repeated with the same
  ``ClientRequestToken`` within 10 minutes (on the lab clock) is not applied again; the same
  token with a different request is an ``IdempotentParameterMismatchException``. moto ignores
  the token and applies every repeat.

Used in: notebooks/04_queries_and_writes.ipynb (batches and transactions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ddb_lab import facts
from ddb_lab.capacity import item_size
from ddb_lab.clock import Clock, RealClock
from ddb_lab.engine.corrections import Correction, _region
from ddb_lab.engine.wire import DynamoError, WireRequest, WireResponse

__all__ = [
    "BatchLimits",
    "IdempotencyTokens",
    "TransactionLimits",
    "bind_clock",
    "transaction_payload_size",
]

_TRANSACTIONS: Final = frozenset({"TransactGetItems", "TransactWriteItems"})
#: The first id DynamoDB's Java-style dump of a request list shows (as moto writes it too).
_DUMP_FIRST_ID: Final = 0x10000001
#: Where the tokens of one lab live: an attribute of moto's backend, so a reset forgets them.
_TOKENS_ATTRIBUTE: Final = "_ddb_lab_transaction_tokens"


def _dump(kind: str, count: int) -> str:
    """A request list as DynamoDB echoes it in a validation error (Java ``toString`` style)."""
    return ", ".join(
        f"com.amazonaws.dynamodb.v20120810.{kind}@{_DUMP_FIRST_ID + n:x}" for n in range(count)
    )


def _action_size(action: Mapping[str, Any]) -> int:
    """Bytes one TransactWriteItems action carries: the item it puts, or its key and values."""
    size = 0
    for kind in ("Put", "Update", "Delete", "ConditionCheck"):
        body = action.get(kind)
        if not isinstance(body, dict):
            continue
        for member in ("Item", "Key", "ExpressionAttributeValues"):
            values = body.get(member)
            if isinstance(values, dict):
                size += item_size(values)
    return size


def transaction_payload_size(actions: Iterable[Mapping[str, Any]]) -> int:
    """Bytes of items a TransactWriteItems call carries, by DynamoDB's item-size rules.

    A Put counts its item; an Update, Delete or ConditionCheck its key and expression values.
    """
    return sum(_action_size(action) for action in actions if isinstance(action, dict))


class TransactionLimits(Correction):
    name = "transaction_limits"
    summary = (
        "A transaction holds 1 to 100 actions (moto caps TransactGetItems at 25) and at most "
        "4 MB of items."
    )

    def check(self, request: WireRequest) -> None:
        if request.operation not in _TRANSACTIONS:
            return
        actions = request.params.get("TransactItems")
        if not isinstance(actions, list):
            return
        if len(actions) > facts.TRANSACT_MAX_ITEMS:
            kind = (
                "TransactGetItem"
                if request.operation == "TransactGetItems"
                else "TransactWriteItem"
            )
            raise DynamoError(
                "ValidationException",
                facts.MSG_TRANSACT_TOO_MANY.format(dump=_dump(kind, len(actions))),
            )
        if request.operation == "TransactWriteItems":
            size = transaction_payload_size(actions)
            if size > facts.TRANSACT_MAX_BYTES:
                raise DynamoError(
                    "ValidationException", facts.MSG_TRANSACT_TOO_LARGE.format(size=size)
                )

    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        """Let moto serve up to 100 gets (it still stops at 25) while this request runs.

        moto reads its limit from a module constant at request time; the engine's lock is held
        from here to :meth:`settle`, which puts the old value back.
        """
        if request.operation != "TransactGetItems":
            return
        from moto.dynamodb import responses

        state["moto_limit"] = responses.TRANSACTION_MAX_ITEMS
        responses.TRANSACTION_MAX_ITEMS = facts.TRANSACT_MAX_ITEMS

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        if "moto_limit" in state:
            from moto.dynamodb import responses

            responses.TRANSACTION_MAX_ITEMS = state["moto_limit"]
        return response


class BatchLimits(Correction):
    name = "batch_limits"
    summary = (
        "A BatchWriteItem request is at most 16 MB; a BatchGetItem asks for at most 100 keys "
        "per table (in DynamoDB's words)."
    )

    def check(self, request: WireRequest) -> None:
        if request.operation == "BatchWriteItem" and len(request.body) > facts.BATCH_MAX_BYTES:
            raise DynamoError("ValidationException", facts.MSG_BATCH_WRITE_TOO_LARGE)
        if request.operation != "BatchGetItem":
            return
        tables = request.params.get("RequestItems")
        if not isinstance(tables, dict):
            return
        for table, spec in tables.items():
            keys = spec.get("Keys") if isinstance(spec, dict) else None
            if isinstance(keys, list) and len(keys) > facts.BATCH_GET_MAX_KEYS:
                raise DynamoError(
                    "ValidationException", facts.MSG_BATCH_GET_TABLE_LIMIT.format(table=table)
                )


def _fingerprint(params: Mapping[str, Any]) -> str:
    """What must match for a repeat to count as the same request: its actions."""
    return json.dumps(params.get("TransactItems"), sort_keys=True, separators=(",", ":"))


def _tokens(region: str) -> dict[str, tuple[str, float]]:
    """The tokens seen in ``region``: token -> (request fingerprint, completion time).

    Kept on moto's backend object, which ``lab.reset()`` re-initialises: a clean slate forgets
    the tokens with the tables.
    """
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    tokens: dict[str, tuple[str, float]] | None = getattr(backend, _TOKENS_ATTRIBUTE, None)
    if tokens is None:
        tokens = {}
        setattr(backend, _TOKENS_ATTRIBUTE, tokens)
    return tokens


class _Replay(DynamoError):
    """Carries the answer to an idempotent repeat out of ``before``: success, nothing applied."""

    def __init__(self) -> None:
        super().__init__("", "", 200)

    def response(self) -> WireResponse:
        body = b"{}"
        headers = {"Content-Type": "application/x-amz-json-1.0", "Content-Length": str(len(body))}
        return WireResponse(200, headers, body)


class IdempotencyTokens(Correction):
    """ClientRequestToken on TransactWriteItems, on the lab clock.

    A token is remembered when the transaction that used it succeeds. Within
    ``facts.IDEMPOTENCY_WINDOW_SECONDS`` after that, the same token with the same actions is
    answered with success and not applied again (the repeat's response carries no
    ConsumedCapacity, and the repeat is not metered: DynamoDB charges a read for it); the same
    token with other actions is rejected. A transaction that was cancelled leaves no token
    behind, so it can be retried with the same token.
    """

    name = "idempotency_tokens"
    summary = (
        "TransactWriteItems with a ClientRequestToken seen in the last 10 minutes is not "
        "applied again (a different request with it is rejected)."
    )

    def __init__(self) -> None:
        self.clock: Clock = RealClock()

    def before(self, request: WireRequest, state: dict[str, Any]) -> None:
        token = request.params.get("ClientRequestToken")
        if request.operation != "TransactWriteItems" or not isinstance(token, str):
            return
        tokens = _tokens(_region(request.url))
        now = self.clock.now()
        seen = tokens.get(token)
        if seen is not None and now - seen[1] <= facts.IDEMPOTENCY_WINDOW_SECONDS:
            if seen[0] != _fingerprint(request.params):
                raise DynamoError(
                    "IdempotentParameterMismatchException", facts.MSG_IDEMPOTENT_MISMATCH
                )
            raise _Replay()
        state["token"] = token

    def settle(
        self, request: WireRequest, response: WireResponse, state: dict[str, Any]
    ) -> WireResponse:
        token = state.get("token")
        if token is not None and response.status == 200:
            tokens = _tokens(_region(request.url))
            now = self.clock.now()
            expired = [
                old
                for old, (_, completed) in tokens.items()
                if now - completed > facts.IDEMPOTENCY_WINDOW_SECONDS
            ]
            for old in expired:  # forget what can no longer match, so the map stays small
                del tokens[old]
            tokens[token] = (_fingerprint(request.params), now)
        return response


def bind_clock(corrections: Iterable[Correction], clock: Clock) -> None:
    """Give the corrections that keep time the engine's clock (the lab clock)."""
    for correction in corrections:
        if isinstance(correction, IdempotencyTokens):
            correction.clock = clock
