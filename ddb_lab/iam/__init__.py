"""IAM for DynamoDB requests: who may call what, on which items and attributes.

moto checks actions only (and returns XML 403s); this package evaluates identity policies the
way AWS documents it, conditions included, for the lab's own clients:

* :class:`Identity`: an IAM user, or a web-identity or Cognito user behind a role, with the
  values of the policy variables ``${aws:username}``, ``${aws:userid}``,
  ``${www.amazon.com:user_id}`` and ``${cognito-identity.amazonaws.com:sub}``;
* :func:`requests_for_call`: the authorization requests one boto3 call needs;
* :func:`evaluate` / :func:`explain`: the decision, statement by statement;
* :class:`IamGuard`: a botocore hook that evaluates every call of a client before it is sent and
  answers ``AccessDeniedException`` (``lab.client_as(identity, policy)`` installs one).

Used in: notebooks/07_security.ipynb.
"""

from __future__ import annotations

from ddb_lab.iam.guard import IamGuard, decisions_of
from ddb_lab.iam.identity import Identity
from ddb_lab.iam.policy import (
    Condition,
    Decision,
    Policy,
    PolicyError,
    Request,
    Statement,
    evaluate,
    glob_match,
)
from ddb_lab.iam.requests import attribute_names, requests_for_call, table_arn
from ddb_lab.iam.simulate import Simulation, explain, simulate

__all__ = [
    "Condition",
    "Decision",
    "IamGuard",
    "Identity",
    "Policy",
    "PolicyError",
    "Request",
    "Simulation",
    "Statement",
    "attribute_names",
    "decisions_of",
    "evaluate",
    "explain",
    "glob_match",
    "requests_for_call",
    "simulate",
    "table_arn",
]
