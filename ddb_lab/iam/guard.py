"""The botocore hook that puts IAM in front of a client: evaluate first, send only if allowed.

:class:`IamGuard` registers on ``before-send.<service>`` ahead of everything else (the lab's
engine included), so a denied call never reaches a table. It reads the request as it goes on the
wire, derives its authorization requests (:mod:`ddb_lab.iam.requests`), evaluates each against
the policies, and answers the first denial with HTTP 400 and an ``AccessDeniedException`` body,
which botocore turns into a ``ClientError`` exactly as it does for DynamoDB. The message is
DynamoDB's, followed by the statement that decided.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from ddb_lab import facts
from ddb_lab.engine import Engine
from ddb_lab.engine.wire import DynamoError, WireRequest, error_response
from ddb_lab.iam.identity import Identity
from ddb_lab.iam.policy import Decision, Policy, evaluate
from ddb_lab.iam.requests import KeyLookup, requests_for_call
from ddb_lab.iam.simulate import for_identity

__all__ = ["ACCESS_DENIED", "IamGuard", "decisions_of", "denial_message", "schema_lookup"]

ACCESS_DENIED = "AccessDeniedException"
#: The unique id the lab's engine registers its ``before-send`` handler under.
ENGINE_HANDLER_ID = "ddb-lab-engine"
_GUARDS: weakref.WeakKeyDictionary[Any, IamGuard] = weakref.WeakKeyDictionary()


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body


def denial_message(decision: Decision) -> str:
    """DynamoDB's AccessDeniedException message for a denial, plus the statement that decided."""
    request = decision.request
    fields = {
        "principal": request.principal_arn,
        "action": request.action,
        "resource": request.resource,
    }
    if decision.outcome == "explicit deny" and decision.deciding is not None:
        message = facts.MSG_ACCESS_DENIED_EXPLICIT.format(**fields)
        return f"{message} (statement {decision.statement} of {decision.deciding.policy})"
    message = facts.MSG_ACCESS_DENIED_IMPLICIT.format(**fields)
    return f"{message} (no statement allows it)"


def schema_lookup(admin: Any) -> KeyLookup:
    """Partition-key names from ``describe_table`` on an unrestricted client, cached per table."""
    cache: dict[tuple[str, str | None], str | None] = {}

    def find(table: str, index: str | None) -> str | None:
        if (table, index) in cache:
            return cache[(table, index)]
        try:
            description = admin.describe_table(TableName=table)["Table"]
        except Exception:  # an unknown table: DynamoDB itself will say so if the call is allowed
            return None
        found: dict[tuple[str, str | None], str | None] = {(table, None): _hash_key(description)}
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for spec in description.get(kind) or []:
                found[(table, spec["IndexName"])] = _hash_key(spec)
        cache.update(found)
        return found.get((table, index))

    return find


def _hash_key(description: Mapping[str, Any]) -> str | None:
    return next(
        (k["AttributeName"] for k in description.get("KeySchema", []) if k["KeyType"] == "HASH"),
        None,
    )


class IamGuard:
    """Evaluates every call of the clients it is attached to, as ``identity`` under ``policies``.

    Args:
        identity: who the client acts as.
        policies: the identity-based policies attached to it.
        key_of: finds partition-key names (see :func:`schema_lookup`).
        region: the Region in resource ARNs.
        account: the account in resource ARNs.
    """

    def __init__(
        self,
        identity: Identity,
        policies: Sequence[Policy],
        key_of: KeyLookup,
        region: str,
        account: str,
    ) -> None:
        self.identity = identity
        self.policies = list(policies)
        self.key_of = key_of
        self.region = region
        self.account = account
        #: Every decision made, in order (the last call's are at the end).
        self.decisions: list[Decision] = []
        self._engine: Engine | None = None

    def attach(self, client: Any, engine: Engine | None = None) -> Any:
        """Guard ``client``; with the lab's ``engine``, allowed calls are answered by it.

        botocore runs every ``before-send`` handler, so a client that the engine also serves
        would run a denied call anyway: the guard takes the engine's place on the client and
        hands it only the calls IAM allows.
        """
        events = client.meta.events
        if engine is not None:
            events.unregister("before-send", unique_id=ENGINE_HANDLER_ID)
            self._engine = engine
        event = f"before-send.{client.meta.service_model.service_id.hyphenize()}"
        events.register_first(event, self._before_send, unique_id="ddb-lab-iam")
        _GUARDS[client] = self
        return client

    def decide(self, operation: str, params: Mapping[str, Any], secure: bool) -> list[Decision]:
        """The decisions for one call, stopping at the first denial."""
        base = {
            "aws:SecureTransport": "true" if secure else "false",
            "aws:RequestedRegion": self.region,
        }
        requests = requests_for_call(
            operation,
            params,
            region=self.region,
            account=self.account,
            key_of=self.key_of,
            base_context=base,
        )
        made: list[Decision] = []
        for request in requests:
            made.append(evaluate(self.policies, for_identity(request, self.identity)))
            if not made[-1].allowed:
                break
        self.decisions.extend(made)
        return made

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        raw: Any = request.body or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        elif not isinstance(raw, bytes):
            raw = raw.read() if hasattr(raw, "read") else bytes(raw)
            request.body = raw
        wire = WireRequest.parse(request.method, request.url, dict(request.headers), raw)
        made = self.decide(wire.operation, wire.params, request.url.startswith("https:"))
        if made and not made[-1].allowed:
            answer = error_response(ACCESS_DENIED, denial_message(made[-1]))
            headers: Any = answer.headers
            return AWSResponse(request.url, answer.status, headers, _Body(answer.body))
        if self._engine is None:
            return None  # sent as usual (another backend answers it)
        try:
            reply = self._engine.handle(request)
        except DynamoError as error:
            reply = error.response()
        reply_headers: Any = reply.headers
        return AWSResponse(request.url, reply.status, reply_headers, _Body(reply.body))


def decisions_of(client: Any) -> list[Decision]:
    """The decisions made so far for a client from ``lab.client_as`` (empty for other clients)."""
    guard = _GUARDS.get(client)
    return list(guard.decisions) if guard is not None else []
