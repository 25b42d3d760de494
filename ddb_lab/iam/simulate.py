"""Run a boto3 call's authorization on paper: which requests it makes and how each is decided.

``simulate(policy, identity, "Query", params)`` gives the decisions without touching a table;
``explain(policy, request)`` shows one decision statement by statement. Both take the call in the
wire format (``{"S": "USER#A"}``) or in the resource API's plain values (``"USER#A"``).

Used in: notebooks/07_security.ipynb.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from ddb_lab._shown import TextShown
from ddb_lab.iam.identity import DEFAULT_ACCOUNT, Identity
from ddb_lab.iam.policy import Decision, Policy, Request, evaluate
from ddb_lab.iam.requests import KeyLookup, requests_for_call

__all__ = ["PolicyLike", "Simulation", "explain", "for_identity", "key_lookup", "simulate"]

PolicyLike = Policy | Mapping[str, Any] | str
DEFAULT_REGION = "us-east-1"
_SERIALIZER = TypeSerializer()
_AV_MAPS = ("Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey")


def policies(policy: PolicyLike | Sequence[PolicyLike]) -> list[Policy]:
    """One or several policies, parsed (and named ``policy``, ``policy 2`` ... when unnamed)."""
    many = policy if isinstance(policy, list | tuple) else [policy]
    parsed = []
    for number, item in enumerate(many, 1):
        name = "policy" if number == 1 else f"policy {number}"
        parsed.append(Policy.parse(item, name))
    return parsed


def for_identity(request: Request, identity: Identity) -> Request:
    """``request`` as ``identity`` makes it: its ARN, policy variables and extra context keys."""
    context = {**identity.context, **request.context}
    return dataclasses.replace(
        request, principal_arn=identity.arn, variables=identity.variables(), context=context
    )


def key_lookup(keys: Mapping[str, str] | KeyLookup | None) -> KeyLookup:
    """A partition-key lookup from ``{"Table": "PK", "Table/index/GSI1": "GSI1PK", "*": "PK"}``."""
    if callable(keys):
        return keys
    table_keys = dict(keys or {"*": "PK"})

    def find(table: str, index: str | None) -> str | None:
        name = f"{table}/index/{index}" if index else table
        return table_keys.get(name) or table_keys.get("*")

    return find


def _typed(value: Any) -> Any:
    """Wire-format attribute values from plain ones (typed values are left alone)."""
    if (
        isinstance(value, Mapping)
        and len(value) == 1
        and next(iter(value))
        in (
            "S",
            "N",
            "B",
            "SS",
            "NS",
            "BS",
            "M",
            "L",
            "NULL",
            "BOOL",
        )
    ):
        return value
    return _SERIALIZER.serialize(value)


def _wire(params: Any) -> Any:
    """Convert the attribute-value maps of a request to the wire format, recursively."""
    if isinstance(params, list):
        return [_wire(p) for p in params]
    if not isinstance(params, Mapping):
        return params
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in _AV_MAPS and isinstance(value, Mapping):
            out[name] = {k: _typed(v) for k, v in value.items()}
        elif name == "Keys" and isinstance(value, list):
            out[name] = [{k: _typed(v) for k, v in key.items()} for key in value]
        else:
            out[name] = _wire(value)
    return out


@dataclass(frozen=True, repr=False)
class Simulation(TextShown):
    """The decisions for every authorization one call needs; allowed only if all are."""

    operation: str
    decisions: tuple[Decision, ...]

    @property
    def allowed(self) -> bool:
        return all(d.allowed for d in self.decisions)

    @property
    def denied(self) -> Decision | None:
        """The first decision that denied, if any."""
        return next((d for d in self.decisions if not d.allowed), None)

    def text(self) -> str:
        verdict = "ALLOWED" if self.allowed else "DENIED"
        lines = [f"{self.operation}: {verdict}"]
        for d in self.decisions:
            lines.append(f"  {d.request.action} on {d.request.resource}: {d.reason()}")
        return "\n".join(lines)

    def explain(self) -> str:
        """Every decision, statement by statement."""
        return "\n\n".join(d.text() for d in self.decisions)


def simulate(
    policy: PolicyLike | Sequence[PolicyLike],
    identity: Identity,
    operation: str,
    params: Mapping[str, Any],
    *,
    keys: Mapping[str, str] | KeyLookup | None = None,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
    context: Mapping[str, Any] | None = None,
) -> Simulation:
    """Decide a call on paper.

    Args:
        policy: one policy (dict, JSON text or Policy) or a list of them.
        identity: who calls.
        operation: the API name (``GetItem``, ``Query``, ``TransactWriteItems`` ...).
        params: the call's parameters, wire format or plain values.
        keys: the partition-key attribute of each table/index (default: ``PK`` everywhere).
        region: the Region in resource ARNs.
        account: the account in resource ARNs.
        context: extra global keys for every request (``{"aws:SecureTransport": "true"}``).
    """
    parsed = policies(policy)
    requests = requests_for_call(
        operation,
        _wire(params),
        region=region,
        account=account,
        key_of=key_lookup(keys),
        base_context=context,
    )
    decisions = tuple(evaluate(parsed, for_identity(r, identity)) for r in requests)
    return Simulation(operation, decisions)


def explain(
    policy: PolicyLike | Sequence[PolicyLike],
    request: Request,
    identity: Identity | None = None,
) -> Decision:
    """How ``request`` is decided, statement by statement (each element, matched or not, why)."""
    if identity is not None:
        request = for_identity(request, identity)
    return evaluate(policies(policy), request)
