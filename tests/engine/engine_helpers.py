"""What the engine tests share: a call's outcome as (code, message), and a correction switched off.

Importable from any test in this folder (pytest puts the folder on ``sys.path``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

#: ("OK", None) for a call that succeeded, else (error code, message).
Outcome = tuple[str, str | None]


def outcome(call: Callable[[], Any]) -> Outcome:
    """("OK", None) if the call succeeds, else DynamoDB's (error code, message)."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    return "OK", None


@contextmanager
def switched_off(lab: Any, name: str) -> Iterator[None]:
    """The lab without one correction (to see what moto alone answers), restored afterwards."""
    lab.engine.enable(name, False)
    try:
        yield
    finally:
        lab.engine.enable(name, True)
