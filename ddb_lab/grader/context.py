"""What a check works with: a fresh, seeded lab of its own and a record of the learner's calls.

A check calls the learner's function through :meth:`CheckContext.call`, judges what came back and
how it was obtained (``ctx.operations()`` lists every DynamoDB call the function made), and says
what is wrong by raising :class:`Failure` with the expected value, what came back and what to try.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallRecord", "CheckContext", "Failure", "LearnerRaised"]


class Failure(Exception):  # noqa: N818 - a failed check, not an error in the program
    """The learner's answer is wrong; the message says how, and what to try.

    Args:
        message: what is wrong, in a sentence.
        expected: what a correct answer gives (shown to the learner), if useful.
        got: what the learner's function gave, if useful.
        advice: what to try next.
    """

    def __init__(
        self, message: str, *, expected: Any = None, got: Any = None, advice: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got
        self.advice = advice


class LearnerRaised(Exception):  # noqa: N818 - carries the learner's own exception
    """The learner's function raised; ``error`` is what it raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


@dataclass(frozen=True)
class CallRecord:
    """One DynamoDB API call the learner's function made."""

    operation: str  # API name, e.g. "Query"
    params: dict[str, Any] = field(default_factory=dict)


class CheckContext:
    """A fresh lab for one check, recording every call made through its clients.

    Args:
        lab: a lab reset to a clean slate for this check alone.
    """

    def __init__(self, lab: Any) -> None:
        self.lab = lab
        self.calls: list[CallRecord] = []
        self._recording = False
        for client in (lab.client, lab.resource.meta.client):
            client.meta.events.register("provide-client-params.dynamodb", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._recording:
            self.calls.append(CallRecord(model.name, dict(params)))

    @property
    def client(self) -> Any:
        """The low-level client."""
        return self.lab.client

    @property
    def resource(self) -> Any:
        return self.lab.resource

    def table(self, name: str) -> Any:
        """The resource-API Table ``name``."""
        return self.lab.table(name)

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run the learner's function, recording its calls; its exceptions become LearnerRaised."""
        self._recording = True
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise LearnerRaised(error) from error
        finally:
            self._recording = False

    def operations(self) -> list[str]:
        """The API operations the learner's function called, in order."""
        return [c.operation for c in self.calls]

    def forget_calls(self) -> None:
        self.calls.clear()
