"""Identity-policy evaluation, as AWS documents it, for one authorization request at a time.

A request is an action (``dynamodb:GetItem``), a resource ARN and a request context (condition
keys with their values). :func:`evaluate` runs every statement of the given policies against it:

1. a statement *applies* when its ``Action`` (or ``NotAction``), its ``Resource`` (or
   ``NotResource``) and every condition of its ``Condition`` block match;
2. an applying ``Deny`` decides: explicit deny, whatever else allows;
3. otherwise an applying ``Allow`` decides: allowed;
4. otherwise nothing allowed it: implicit deny.

Conditions follow "IAM JSON policy elements: Condition operators": operators are ANDed, keys
within an operator are ANDed, the values listed for one key are ORed; a key missing from the
request makes a condition false, except for negated operators (``StringNotEquals`` ...), which are
then true, ``...IfExists`` (true) and ``Null``. The set operators follow "Single-valued vs.
multivalued context keys": ``ForAllValues`` is true when every request value matches (and also
when the key is missing or empty, which is why DynamoDB's guide pairs it with other conditions),
``ForAnyValue`` when at least one does (false when the key is missing). AWS says a multivalued
key (``dynamodb:LeadingKeys``, ``dynamodb:Attributes``) always needs a set operator and documents
no result without one; the lab then treats a positive operator as "any value matches" and a
negated one as "no value matches".

Used in: notebooks/07_security.ipynb.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ddb_lab import facts
from ddb_lab._shown import TextShown

__all__ = [
    "Condition",
    "Decision",
    "Policy",
    "PolicyError",
    "Request",
    "Statement",
    "StatementResult",
    "evaluate",
    "glob_match",
    "substitute",
]

Effect = Literal["Allow", "Deny"]
Outcome = Literal["allowed", "explicit deny", "implicit deny"]
ContextValue = str | Sequence[str]

#: Operators that are true when the key is missing (they require that the key does NOT match).
_NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "ArnNotEquals",
        "ArnNotLike",
        "NumericNotEquals",
    }
)
_STRING_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
    }
)
_NUMERIC_OPERATORS = frozenset(
    {
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
    }
)
_OPERATORS = _STRING_OPERATORS | _NUMERIC_OPERATORS | {"Bool", "Null"}
_SET_PREFIXES = ("ForAllValues:", "ForAnyValue:")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class PolicyError(ValueError):
    """The policy document is not a valid IAM policy (the message says which element)."""


# -- policy documents --------------------------------------------------------------------------
def _strings(value: Any, element: str, label: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"{label}: {element} must be a string or a non-empty list of strings")
    return tuple(values)


@dataclass(frozen=True)
class Condition:
    """One operator / key pair of a Condition block, with the policy's values."""

    operator: str  # as written, e.g. "ForAllValues:StringEquals" or "StringEqualsIfExists"
    key: str
    values: tuple[str, ...]

    @property
    def set_operator(self) -> str | None:
        """``ForAllValues``, ``ForAnyValue`` or None."""
        head, _, rest = self.operator.partition(":")
        return head if rest else None

    @property
    def base(self) -> str:
        """The operator without set prefix and ``IfExists`` suffix, e.g. ``StringEquals``."""
        name = self.operator.partition(":")[2] or self.operator
        return name.removesuffix("IfExists")

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    def text(self) -> str:
        shown = self.values[0] if len(self.values) == 1 else list(self.values)
        return f"{self.operator} {{{self.key}: {json.dumps(shown)}}}"


@dataclass(frozen=True)
class Statement:
    """One statement of a policy, normalised (every element as a tuple)."""

    label: str  # the Sid, or "statement #N" (1-based) when there is none
    effect: Effect
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any], index: int) -> Statement:
        sid = raw.get("Sid")
        label = f"'{sid}'" if isinstance(sid, str) and sid else f"statement #{index + 1}"
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"{label}: Effect must be 'Allow' or 'Deny', not {effect!r}")
        if ("Action" in raw) == ("NotAction" in raw):
            raise PolicyError(f"{label}: give exactly one of Action and NotAction")
        if ("Resource" in raw) == ("NotResource" in raw):
            raise PolicyError(f"{label}: give exactly one of Resource and NotResource")
        if "Principal" in raw or "NotPrincipal" in raw:
            raise PolicyError(
                f"{label}: an identity-based policy has no Principal (the identity it is "
                "attached to is the principal); Principal belongs in resource-based policies"
            )
        return cls(
            label=label,
            effect=effect,
            actions=_strings(raw["Action"], "Action", label) if "Action" in raw else (),
            not_actions=_strings(raw["NotAction"], "NotAction", label)
            if "NotAction" in raw
            else (),
            resources=_strings(raw["Resource"], "Resource", label) if "Resource" in raw else (),
            not_resources=_strings(raw["NotResource"], "NotResource", label)
            if "NotResource" in raw
            else (),
            conditions=_parse_conditions(raw.get("Condition", {}), label),
        )


def _parse_conditions(block: Any, label: str) -> tuple[Condition, ...]:
    if not isinstance(block, Mapping):
        raise PolicyError(f"{label}: Condition must be an object of operator -> {{key: values}}")
    conditions: list[Condition] = []
    for operator, keys in block.items():
        condition = Condition(operator, "", ())
        if condition.set_operator not in (None, "ForAllValues", "ForAnyValue"):
            raise PolicyError(f"{label}: unknown set operator in {operator!r}")
        if condition.base not in _OPERATORS:
            known = ", ".join(sorted(_OPERATORS))
            raise PolicyError(f"{label}: unknown condition operator {operator!r} (known: {known})")
        if not isinstance(keys, Mapping) or not keys:
            raise PolicyError(f"{label}: {operator} must map condition keys to values")
        for key, values in keys.items():
            if isinstance(values, bool):
                values = "true" if values else "false"
            conditions.append(Condition(operator, str(key), _strings(values, operator, label)))
    return tuple(conditions)


@dataclass(frozen=True)
class Policy:
    """An identity-based policy: a version and its statements."""

    statements: tuple[Statement, ...]
    version: str = "2012-10-17"
    name: str = "policy"

    @classmethod
    def parse(cls, document: Policy | Mapping[str, Any] | str, name: str = "policy") -> Policy:
        """A policy from its JSON text, its parsed dict, or a Policy (returned as is)."""
        if isinstance(document, Policy):
            return document
        if isinstance(document, str):
            stray = sorted(set(document) - set(facts.POLICY_ALLOWED_CHARACTERS))
            if stray:
                raise PolicyError(
                    f"a policy may hold only tab, newline and U+0020 to U+00FF; found {stray[:3]}"
                )
            try:
                document = json.loads(document)
            except json.JSONDecodeError as error:
                raise PolicyError(f"the policy is not valid JSON: {error}") from error
        if not isinstance(document, Mapping):
            raise PolicyError("a policy is a JSON object with Version and Statement")
        raw = document.get("Statement")
        if isinstance(raw, Mapping):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise PolicyError("the policy needs a Statement: a statement or a list of them")
        version = str(document.get("Version", "2008-10-17"))
        if version not in ("2012-10-17", "2008-10-17"):
            raise PolicyError(f"unknown policy Version {version!r}; use '2012-10-17'")
        statements = tuple(Statement.parse(s, i) for i, s in enumerate(raw))
        return cls(statements, version, name)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are only replaced in Version 2012-10-17 policies."""
        return self.version == "2012-10-17"


# -- requests ----------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Request(TextShown):
    """One authorization request: who asks to do which action on which resource, in what context.

    ``context`` maps condition keys to a string (single-valued keys) or a sequence of strings
    (multivalued keys such as ``dynamodb:LeadingKeys``); a key that is absent is not in it.
    ``principal_arn`` and ``variables`` (the values of policy variables) come from the identity.
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    principal_arn: str = "arn:aws:iam::123456789012:user/learner"
    variables: Mapping[str, str] = field(default_factory=dict)
    operation: str = ""  # the API call it comes from, when different from the action

    def values(self, key: str) -> tuple[str, ...] | None:
        """The request's values for ``key`` (case-insensitive key names), or None if absent."""
        found = _lookup(self.context, key)
        if found is None:
            found = _lookup(self.variables, key)
        if found is None:
            return None
        return (found,) if isinstance(found, str) else tuple(found)

    def text(self) -> str:
        lines = [f"{self.action} on {self.resource}"]
        if self.operation and self.operation != self.action.partition(":")[2]:
            lines[0] += f"  (part of {self.operation})"
        for key in sorted(self.context):
            value = self.context[key]
            shown = value if isinstance(value, str) else list(value)
            lines.append(f"  {key} = {json.dumps(shown)}")
        return "\n".join(lines)


def _lookup(mapping: Mapping[str, Any], key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for name, value in mapping.items():
        if name.lower() == lowered:
            return value
    return None


# -- matching ----------------------------------------------------------------------------------
def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` any run of characters (``/`` and ``:`` too), ``?`` one."""
    return _pattern_match(pattern, value, wildcards=True, ignore_case=ignore_case)


def substitute(text: str, request: Request, policy: Policy) -> str | None:
    """Replace the policy variables in ``text`` with the request's values.

    ``${*}``, ``${?}`` and ``${$}`` are the escapes for a literal character. A variable with no
    value in the request (and no default, written ``${key, 'default'}``) makes the element
    unusable: None is returned and the element matches nothing. In a Version 2008-10-17 policy
    variables are plain text.
    """
    if not policy.variables_enabled:
        return text
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        body = match.group(1)
        if body in _ESCAPES:
            return "\\" + _ESCAPES[body]  # marked: a literal, not a wildcard
        key, _, default = body.partition(",")
        values = request.values(key.strip())
        if values is not None and len(values) == 1:
            return _escape_wildcards(values[0])
        if default.strip():
            return _escape_wildcards(default.strip().strip("'"))
        missing = True
        return ""

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _escape_wildcards(value: str) -> str:
    """A substituted value is literal text: its ``*`` and ``?`` are not wildcards."""
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _pattern_match(pattern: str, value: str, *, wildcards: bool, ignore_case: bool) -> bool:
    """Match a (substituted) policy value, honouring the ``\\*`` literals substitute() left."""
    if not wildcards:
        literal = re.sub(r"\\(.)", r"\1", pattern)
        return literal.lower() == value.lower() if ignore_case else literal == value
    regex: list[str] = []
    chars = iter(pattern)
    for c in chars:
        if c == "\\":
            regex.append(re.escape(next(chars, "\\")))
        elif c == "*":
            regex.append(".*")
        elif c == "?":
            regex.append(".")
        else:
            regex.append(re.escape(c))
    flags = re.IGNORECASE if ignore_case else 0
    return re.fullmatch("".join(regex), value, flags) is not None


def _element_matches(
    patterns: Iterable[str], value: str, request: Request, policy: Policy, *, ignore_case: bool
) -> str | None:
    """The first pattern that matches ``value`` (after substitution), or None."""
    for pattern in patterns:
        resolved = substitute(pattern, request, policy)
        if resolved is not None and _pattern_match(
            resolved, value, wildcards=True, ignore_case=ignore_case
        ):
            return pattern
    return None


def _compare(base: str, policy_value: str, value: str) -> bool:
    """One request value against one (substituted) policy value, for a positive operator."""
    if base in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals"):
        wildcards = base.startswith("Arn")  # ArnEquals and ArnLike both take wildcards
        return _pattern_match(policy_value, value, wildcards=wildcards, ignore_case=False)
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return _pattern_match(policy_value, value, wildcards=False, ignore_case=True)
    if base in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
        return _pattern_match(policy_value, value, wildcards=True, ignore_case=False)
    if base == "Bool":
        return policy_value.lower() == value.lower()
    return _compare_numbers(base, policy_value, value)


def _compare_numbers(base: str, policy_value: str, value: str) -> bool:
    try:
        left, right = float(value), float(policy_value)
    except ValueError:
        return False
    return {
        "NumericEquals": left == right,
        "NumericNotEquals": left == right,  # negated by the caller
        "NumericLessThan": left < right,
        "NumericLessThanEquals": left <= right,
        "NumericGreaterThan": left > right,
        "NumericGreaterThanEquals": left >= right,
    }[base]


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    holds: bool
    why: str


def check_condition(condition: Condition, request: Request, policy: Policy) -> ConditionResult:
    """Whether one condition holds for the request, and a sentence saying why."""
    base = condition.base
    present = request.values(condition.key)
    if base == "Null":
        want_missing = condition.values[0].lower() == "true"
        missing = not present
        state = "absent" if missing else f"present ({_show(present)})"
        return ConditionResult(condition, missing == want_missing, f"the key is {state}")
    if not present:
        if condition.if_exists:
            return ConditionResult(condition, True, "the key is absent, so ...IfExists is true")
        if condition.set_operator == "ForAllValues":
            return ConditionResult(
                condition, True, "the key is absent or empty, so ForAllValues is true"
            )
        if condition.set_operator == "ForAnyValue":
            return ConditionResult(condition, False, "the key is absent, so ForAnyValue is false")
        negated = base in _NEGATED
        why = "the key is absent, so a negated operator is true" if negated else "key is absent"
        return ConditionResult(condition, negated, why)
    expected: list[str] = []
    for raw in condition.values:
        resolved = raw if base not in _STRING_OPERATORS else substitute(raw, request, policy)
        if resolved is not None:
            expected.append(resolved)
    shown_expected = [re.sub(r"\\(.)", r"\1", e) for e in expected]
    if not expected:
        return ConditionResult(
            condition, base in _NEGATED, "its policy variable has no value in this request"
        )

    def one(value: str) -> bool:
        hit = any(_compare(base, e, value) for e in expected)
        return not hit if base in _NEGATED else hit

    outcomes = {value: one(value) for value in present}
    if condition.set_operator == "ForAllValues" or (
        condition.set_operator is None and len(present) > 1 and base in _NEGATED
    ):
        holds = all(outcomes.values())
        failing = [v for v, ok in outcomes.items() if not ok]
        why = (
            f"every request value {_show(present)} passes against {_show(shown_expected)}"
            if holds
            else f"{_show(failing)} fails against {_show(shown_expected)}"
        )
        return ConditionResult(condition, holds, why)
    holds = any(outcomes.values())
    passing = [v for v, ok in outcomes.items() if ok]
    why = (
        f"{_show(passing)} passes against {_show(shown_expected)}"
        if holds
        else f"no request value in {_show(present)} passes against {_show(shown_expected)}"
    )
    return ConditionResult(condition, holds, why)


def _show(values: Sequence[str] | None) -> str:
    values = values or ()
    return json.dumps(values[0]) if len(values) == 1 else json.dumps(list(values))


# -- evaluation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementResult:
    """How one statement fared against a request: each element, matched or not, and why."""

    policy: str
    statement: Statement
    action: str
    resource: str
    conditions: tuple[ConditionResult, ...]

    @property
    def applies(self) -> bool:
        return (
            not self.action.startswith("no")
            and not self.resource.startswith("no")
            and all(c.holds for c in self.conditions)
        )

    def lines(self) -> list[str]:
        s = self.statement
        verdict = f"applies -> {s.effect}" if self.applies else "does not apply"
        out = [f"{s.label} ({s.effect}) in {self.policy}: {verdict}"]
        out.append(f"    action:    {self.action}")
        if not self.action.startswith("no"):
            out.append(f"    resource:  {self.resource}")
        if not self.action.startswith("no") and not self.resource.startswith("no"):
            for c in self.conditions:
                mark = "holds" if c.holds else "FAILS"
                out.append(f"    condition: {c.condition.text()} {mark}: {c.why}")
        return out


def _match_action(statement: Statement, request: Request, policy: Policy) -> str:
    if statement.actions:
        hit = _element_matches(statement.actions, request.action, request, policy, ignore_case=True)
        return f"matches {json.dumps(hit)}" if hit else "no Action matches " + request.action
    hit = _element_matches(statement.not_actions, request.action, request, policy, ignore_case=True)
    if hit:
        return f"no: NotAction lists it ({json.dumps(hit)})"
    return "matches (not in NotAction)"


def _match_resource(statement: Statement, request: Request, policy: Policy) -> str:
    if statement.resources:
        hit = _element_matches(
            statement.resources, request.resource, request, policy, ignore_case=False
        )
        if hit:
            return f"matches {json.dumps(hit)}"
        return "no Resource matches " + request.resource
    hit = _element_matches(
        statement.not_resources, request.resource, request, policy, ignore_case=False
    )
    if hit:
        return f"no: NotResource lists it ({json.dumps(hit)})"
    return "matches (not in NotResource)"


def _judge(statement: Statement, request: Request, policy: Policy) -> StatementResult:
    action = _match_action(statement, request, policy)
    resource = _match_resource(statement, request, policy)
    conditions: tuple[ConditionResult, ...] = ()
    if not action.startswith("no") and not resource.startswith("no"):
        conditions = tuple(check_condition(c, request, policy) for c in statement.conditions)
    return StatementResult(policy.name, statement, action, resource, conditions)


@dataclass(frozen=True, repr=False)
class Decision(TextShown):
    """The outcome for one request, the statement that decided it, and every statement's trace."""

    request: Request
    outcome: Outcome
    deciding: StatementResult | None
    results: tuple[StatementResult, ...]

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"

    @property
    def statement(self) -> str | None:
        """The label of the statement that decided (None for an implicit deny)."""
        return self.deciding.statement.label if self.deciding else None

    def reason(self) -> str:
        if self.deciding is None:
            return "no statement allows it (implicit deny)"
        effect = "explicit deny" if self.outcome == "explicit deny" else "allowed"
        return f"{effect} by {self.deciding.statement.label} in {self.deciding.policy}"

    def text(self) -> str:
        lines = ["Request: " + self.request.text().replace("\n", "\n         ")]
        lines.append(f"Principal: {self.request.principal_arn}")
        for number, result in enumerate(self.results, 1):
            body = result.lines()
            lines.append(f"{number}. {body[0]}")
            lines.extend(body[1:])
        lines.append(f"Decision: {self.outcome.upper()}: {self.reason()}")
        return "\n".join(lines)


def evaluate(policies: Policy | Sequence[Policy], request: Request) -> Decision:
    """Evaluate ``request`` against identity policies: explicit deny, then allow, else deny."""
    chosen = [policies] if isinstance(policies, Policy) else list(policies)
    results = tuple(
        _judge(statement, request, policy) for policy in chosen for statement in policy.statements
    )
    applying = [r for r in results if r.applies]
    deny = next((r for r in applying if r.statement.effect == "Deny"), None)
    if deny is not None:
        return Decision(request, "explicit deny", deny, results)
    allow = next((r for r in applying if r.statement.effect == "Allow"), None)
    if allow is not None:
        return Decision(request, "allowed", allow, results)
    return Decision(request, "implicit deny", None, results)
