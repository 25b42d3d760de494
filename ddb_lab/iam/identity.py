"""Who is calling: an IAM user, or an app user signed in through a web identity or Cognito.

An identity knows its ARN (what AccessDeniedException names) and the values of the policy
variables AWS fills in for it: ``aws:username`` (IAM users only), ``aws:userid``,
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``, and for federated users
``www.amazon.com:user_id`` or ``cognito-identity.amazonaws.com:sub``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ddb_lab.iam.policy import ContextValue

__all__ = ["DEFAULT_ACCOUNT", "Identity"]

#: The account of the lab's embedded backend (moto's default account).
DEFAULT_ACCOUNT = "123456789012"
#: The role web-identity and Cognito users assume in the course's examples.
WEB_ROLE = "WebAppUserRole"


def _unique_id(prefix: str, name: str) -> str:
    """A stable IAM-style unique id (``AIDA...`` for users, ``AROA...`` for roles)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest().upper()
    return prefix + digest[:17]


@dataclass(frozen=True)
class Identity:
    """A principal that calls DynamoDB.

    Build one with :meth:`user`, :meth:`web_user` or :meth:`cognito_user`.
    """

    name: str
    kind: Literal["user", "assumed-role"] = "user"
    account: str = DEFAULT_ACCOUNT
    role: str = ""
    federated: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    @classmethod
    def user(cls, name: str, *, account: str = DEFAULT_ACCOUNT) -> Identity:
        """An IAM user called ``name``."""
        return cls(name, "user", account)

    @classmethod
    def web_user(cls, user_id: str, *, role: str = WEB_ROLE) -> Identity:
        """An app user signed in with Login with Amazon, behind ``role``."""
        return cls(
            user_id, "assumed-role", role=role, federated={"www.amazon.com:user_id": user_id}
        )

    @classmethod
    def cognito_user(cls, sub: str, *, role: str = WEB_ROLE) -> Identity:
        """An app user of a Cognito identity pool (``sub`` is the identity id), behind ``role``."""
        return cls(
            sub, "assumed-role", role=role, federated={"cognito-identity.amazonaws.com:sub": sub}
        )

    def with_context(self, **values: ContextValue) -> Identity:
        """The same identity with extra global condition keys (``aws_SourceIp='10.0.0.1'``)."""
        extra = {key.replace("_", ":", 1): value for key, value in values.items()}
        return Identity(
            self.name, self.kind, self.account, self.role, self.federated, {**self.context, **extra}
        )

    @property
    def arn(self) -> str:
        if self.kind == "user":
            return f"arn:aws:iam::{self.account}:user/{self.name}"
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.name}"

    @property
    def userid(self) -> str:
        """``aws:userid``: the user's unique id, or ``role-id:session-name`` for a role."""
        if self.kind == "user":
            return _unique_id("AIDA", self.arn)
        return f"{_unique_id('AROA', self.role)}:{self.name}"

    def variables(self) -> dict[str, str]:
        """The policy variables (and principal condition keys) AWS sets for this identity."""
        values = {
            "aws:userid": self.userid,
            "aws:PrincipalArn": self.arn
            if self.kind == "user"
            else f"arn:aws:iam::{self.account}:role/{self.role}",
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "User" if self.kind == "user" else "AssumedRole",
        }
        if self.kind == "user":
            values["aws:username"] = self.name
        values.update(self.federated)
        return values
