"""Run one exercise's check against the learner's function, in a fresh lab of its own.

Where the platform can fork (Linux, macOS), the check runs in a forked child process: the child
builds its own embedded lab, resets it (only the child's copy of moto is wiped: the learner's
tables in the kernel are untouched), runs the check, and sends back a plain result. A function
that never returns is stopped by killing the child; a function that calls ``sys.exit`` or
``os._exit`` only ends the child.

Without ``os.fork`` (Windows), the check runs in a daemon thread of this process, on a lab in a
region of its own (:data:`FALLBACK_REGION`). That is weaker: a runaway loop cannot be stopped and
keeps running in the background until the kernel restarts, ``os._exit`` ends the kernel, and a
function that reaches for the notebook's own lab changes the notebook's tables.
"""

from __future__ import annotations

import html
import importlib
import io
import multiprocessing
import os
import re
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

from ddb_lab._shown import TextShown
from ddb_lab.grader import registry
from ddb_lab.grader.checks import CheckFunction, get_check
from ddb_lab.grader.context import CheckContext, Failure, LearnerRaised
from ddb_lab.grader.registry import Exercise

__all__ = [
    "FALLBACK_REGION",
    "HAS_FORK",
    "CheckResult",
    "Status",
    "run_check",
    "run_checks",
]

Status = Literal["passed", "failed", "not_started", "timeout", "error"]

#: Whether checks run in a forked child (tests switch it off to exercise the thread fallback).
HAS_FORK: bool = hasattr(os, "fork")
#: The region of the in-process lab used when there is no fork.
FALLBACK_REGION = "eu-north-1"
#: Seconds a forked child may take to build its lab before the check's own timeout starts.
SETUP_TIMEOUT = 30.0
#: Longest expected/got shown, in characters.
REPR_LIMIT = 300
#: Longest captured output of the learner's function kept, in characters.
OUTPUT_LIMIT = 2000

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1]) + os.sep
_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+")


class _Outcome(TypedDict):
    status: Status
    message: str
    expected: str | None
    got: str | None
    advice: str
    output: str


@dataclass(frozen=True, repr=False)
class CheckResult(TextShown):
    """What a check said about the learner's function.

    Attributes:
        exercise_id: the exercise's id.
        title: the exercise's title.
        status: ``passed``, ``failed``, ``not_started``, ``timeout`` or ``error`` (the check
            itself broke: not the learner's fault).
        message: what is wrong, in a sentence or two (empty when passed).
        expected: what a correct answer gives, as text (at most ~300 characters), if shown.
        got: what the learner's function gave, as text, if shown.
        advice: what to try next.
        points: points awarded (``max_points`` when passed, else 0).
        max_points: the exercise's points.
        output: what the learner's function printed (forked runs only; shown on failure).
    """

    exercise_id: str
    title: str
    status: Status
    message: str
    expected: str | None
    got: str | None
    advice: str
    points: int
    max_points: int
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def symbol(self) -> str:
        return {"passed": "✓", "not_started": "○", "error": "⚠"}.get(self.status, "✗")

    def headline(self) -> str:
        title = f" — {self.title}" if self.title else ""
        if not self.max_points:  # not an exercise's result: a message about the call itself
            return f"{self.symbol} {self.exercise_id}{title}"
        unit = "point" if self.max_points == 1 else "points"
        return f"{self.symbol} {self.exercise_id}{title} ({self.points}/{self.max_points} {unit})"

    def text(self) -> str:
        """The result as plain text: a headline, then what is wrong and what to try."""
        lines = [self.headline()]
        if self.message:
            lines.extend(f"  {line}" for line in self.message.splitlines())
        if self.expected is not None:
            lines.append(f"  Expected: {self.expected}")
        if self.got is not None:
            lines.append(f"  Got: {self.got}")
        if self.advice:
            lines.append(f"  Try: {self.advice}")
        if self.output and not self.passed:
            lines.append("  Your function printed:")
            lines.extend(f"    {line}" for line in self.output.splitlines())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        color = {"passed": "#2e7d32", "not_started": "#7f8c8d", "error": "#b9770e"}.get(
            self.status, "#c0392b"
        )
        parts = [
            f'<div class="ddb-lab-check ddb-lab-{self.status}" '
            f'style="border-left:4px solid {color};padding:4px 10px">',
            f'<div style="color:{color}"><b>{html.escape(self.headline())}</b></div>',
        ]
        if self.message:
            parts.append(f'<div style="white-space:pre-wrap">{html.escape(self.message)}</div>')
        if self.expected is not None:
            parts.append(f"<div><b>Expected:</b> <code>{html.escape(self.expected)}</code></div>")
        if self.got is not None:
            parts.append(f"<div><b>Got:</b> <code>{html.escape(self.got)}</code></div>")
        if self.advice:
            parts.append(f"<div><b>Try:</b> {html.escape(self.advice)}</div>")
        if self.output and not self.passed:
            parts.append(
                f"<div><b>Your function printed:</b><pre>{html.escape(self.output)}</pre></div>"
            )
        parts.append("</div>")
        return "".join(parts)


# -- turning values and errors into text ----------------------------------------------------------
def _stable_repr(value: Any, depth: int = 0) -> str:
    """``repr`` with sets sorted (hash order varies between runs) and addresses removed."""
    if depth > 20:
        return "..."
    if isinstance(value, set | frozenset):
        inner = ", ".join(sorted(_stable_repr(v, depth + 1) for v in value))
        if isinstance(value, frozenset):
            return f"frozenset({{{inner}}})" if value else "frozenset()"
        return f"{{{inner}}}" if value else "set()"
    if type(value) is dict:
        inner = ", ".join(
            f"{_stable_repr(k, depth + 1)}: {_stable_repr(v, depth + 1)}" for k, v in value.items()
        )
        return f"{{{inner}}}"
    if type(value) is list:
        return "[" + ", ".join(_stable_repr(v, depth + 1) for v in value) + "]"
    if type(value) is tuple:
        inner = ", ".join(_stable_repr(v, depth + 1) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    try:
        text = repr(value)
    except Exception as error:  # a learner's class with a broken __repr__
        text = f"<{type(value).__name__} whose repr() raised {type(error).__name__}>"
    return _ADDRESS.sub("", text)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(value: Any) -> str | None:
    """How a Failure's expected/got is shown: text as is, other values by their repr."""
    if value is None:
        return None
    text = value if isinstance(value, str) else _stable_repr(value)
    return _truncate(_ADDRESS.sub("", text), REPR_LIMIT)


def _learner_line(error: BaseException) -> str | None:
    """The last line of the traceback outside libraries and ddb_lab: the learner's line."""
    found: str | None = None
    for frame in traceback.extract_tb(error.__traceback__):
        name = frame.filename
        if "site-packages" in name or "/lib/python" in name or name.startswith(_PACKAGE_DIR):
            continue
        if frame.line:
            found = frame.line.strip()
    return found


def _outcome(
    status: Status,
    message: str,
    *,
    expected: str | None = None,
    got: str | None = None,
    advice: str = "",
) -> _Outcome:
    return {
        "status": status,
        "message": message,
        "expected": expected,
        "got": got,
        "advice": advice,
        "output": "",
    }


def _learner_raised(exercise: Exercise, error: BaseException) -> _Outcome:
    if isinstance(error, NotImplementedError):
        return _outcome(
            "not_started",
            f"Not started yet: replace the `raise NotImplementedError(...)` line in "
            f"`{exercise.function}` with your solution, then run this cell again.",
        )
    from ddb_lab.errors import explain

    lines = [_truncate(f"Your function raised {type(error).__name__}: {error}", 600)]
    where = _learner_line(error)
    if where:
        lines.append(f"at: {where}")
    explanation = explain(error)
    if explanation is not None:
        lines.append(f"What it means: {explanation.meaning}")
        advice = explanation.hint
    else:
        advice = "Call your function on its own in a cell to see the full traceback."
    return _outcome("failed", _ADDRESS.sub("", "\n".join(lines)), advice=advice)


def _judge(
    exercise: Exercise, check: CheckFunction, function: Callable[..., Any], ctx: Any
) -> _Outcome:
    """Run the check and classify how it ended."""
    try:
        check(function, ctx)
    except Failure as failure:
        return _outcome(
            "failed",
            _ADDRESS.sub("", failure.message),
            expected=_shown(failure.expected),
            got=_shown(failure.got),
            advice=failure.advice,
        )
    except LearnerRaised as raised:
        return _learner_raised(exercise, raised.error)
    except SystemExit as exiting:
        return _outcome(
            "failed",
            f"Your function called sys.exit({exiting.code!r}) (it raised SystemExit), so the check "
            "could not see its answer.",
            advice="Return the value instead of exiting.",
        )
    except KeyboardInterrupt:
        return _outcome("error", "The check was interrupted before it finished.")
    except Exception as error:
        return _outcome(
            "error",
            _truncate(
                f"The check itself failed (please report): {type(error).__name__}: {error}", 600
            ),
        )
    return _outcome("passed", "")


def _child_lab() -> Any:
    from ddb_lab.lab import DEFAULT_REGION, Lab, LabConfig

    config = LabConfig(
        backend="embedded", region=DEFAULT_REGION, endpoint=None, clock="simulated", table_prefix=""
    )
    return Lab(config)


#: What a check's lab imports on its first request: imported once in this process so that each
#: forked child starts with it loaded instead of importing it again.
_WARM_UP = (
    "moto.core.models",
    "moto.backends",
    "moto.dynamodb.models",
    "moto.dynamodb.responses",
    "moto.dynamodb.urls",
    "moto.dynamodbstreams.models",
    "moto.dynamodbstreams.responses",
    "boto3.dynamodb.conditions",
    "boto3.dynamodb.transform",
)


def _warm_up() -> None:
    for name in _WARM_UP:
        if name not in sys.modules:
            importlib.import_module(name)


# -- the forked child -----------------------------------------------------------------------------
def _child_main(
    conn: Any, exercise: Exercise, check: CheckFunction, function: Callable[..., Any]
) -> None:
    """In the child: own streams, own lab, the check, the result down the pipe, then exit."""
    captured = io.StringIO()
    sys.stdout = captured
    sys.stderr = captured
    # botocore looks up proxies for every client it creates; on macOS, without proxy variables,
    # urllib asks the system configuration (_scproxy), which can crash a forked child
    # (python/cpython#104578). The embedded lab never uses a proxy: say so in the environment.
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "*"
    try:
        lab = _child_lab()
        lab.reset()  # this process's moto only: the parent's tables are untouched
        ctx = CheckContext(lab)
    except BaseException as error:
        outcome = _outcome(
            "error",
            f"The check could not build its lab (please report): {type(error).__name__}: {error}",
        )
    else:
        conn.send(("ready", None))
        outcome = _judge(exercise, check, function, ctx)
    outcome["output"] = _truncate(captured.getvalue(), OUTPUT_LIMIT)
    try:
        conn.send(("done", outcome))
        conn.close()
    finally:
        os._exit(0)  # skip the parent's atexit handlers and finalizers


def _seconds(value: float) -> str:
    return f"{value:g}"


def _timeout_outcome(limit: float, note: str = "") -> _Outcome:
    return _outcome(
        "timeout",
        f"Your function did not finish within {_seconds(limit)} s — is there a loop that never "
        f"ends (a pagination loop that never stops, say)?{note}",
    )


def _died(exitcode: int | None) -> _Outcome:
    if exitcode is not None and exitcode < 0:
        return _outcome(
            "failed",
            f"The process running your function was killed by signal {-exitcode} before the "
            "check finished (a crash in native code, or it ran out of memory?).",
        )
    return _outcome(
        "failed",
        f"Your function ended the process (exit code {exitcode}), e.g. with os._exit(), so the "
        "check could not see its answer.",
        advice="Return the value instead of exiting.",
    )


def _run_forked(
    exercise: Exercise, check: CheckFunction, function: Callable[..., Any], limit: float
) -> _Outcome:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(sender, exercise, check, function),
        name=f"ddb-lab check {exercise.id}",
    )
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process may deadlock; the timeout covers it.
        warnings.filterwarnings("ignore", message=r".*fork\(\).*", category=DeprecationWarning)
        process.start()
    sender.close()
    try:
        for phase, wait in (("ready", SETUP_TIMEOUT), ("done", limit)):
            if not receiver.poll(wait):
                if phase == "ready":
                    return _outcome(
                        "error",
                        f"The check could not build its lab within {_seconds(wait)} s "
                        "(please report).",
                    )
                return _timeout_outcome(limit)
            try:
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                return _died(process.exitcode)
            if kind == "done":
                return cast(_Outcome, payload)
        return _outcome("error", "The check sent no result (please report).")
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


# -- the thread fallback --------------------------------------------------------------------------
def _reset_region(region: str) -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from ddb_lab.lab import FAKE_ACCOUNT_ID

    for backends in (dynamodb_backends, dynamodbstreams_backends):
        backends[FAKE_ACCOUNT_ID][region].reset()


def _run_threaded(
    exercise: Exercise, check: CheckFunction, function: Callable[..., Any], limit: float
) -> _Outcome:
    from ddb_lab.lab import Lab, LabConfig

    config = LabConfig(
        backend="embedded",
        region=FALLBACK_REGION,
        endpoint=None,
        clock="simulated",
        table_prefix="",
    )
    lab = Lab(config)
    _reset_region(FALLBACK_REGION)
    box: list[_Outcome] = []

    def work() -> None:
        try:
            box.append(_judge(exercise, check, function, CheckContext(lab)))
        except BaseException as error:  # _judge catches everything but a broken context
            box.append(_outcome("error", f"The check failed to start: {type(error).__name__}"))

    worker = threading.Thread(target=work, name=f"ddb-lab check {exercise.id}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        return _timeout_outcome(
            limit,
            "\n(It could not be stopped on this platform and keeps running in the background "
            "until you restart the kernel.)",
        )
    _reset_region(FALLBACK_REGION)
    lab.close()
    return box[0]


# -- the public entry points ----------------------------------------------------------------------
def _result(exercise: Exercise, outcome: _Outcome) -> CheckResult:
    passed = outcome["status"] == "passed"
    return CheckResult(
        exercise_id=exercise.id,
        title=exercise.title,
        status=outcome["status"],
        message=outcome["message"],
        expected=outcome["expected"],
        got=outcome["got"],
        advice=outcome["advice"],
        points=exercise.points if passed else 0,
        max_points=exercise.points,
        output=outcome["output"],
    )


def run_check(
    exercise_id: str, function: Callable[..., Any], *, timeout: float | None = None
) -> CheckResult:
    """Run ``exercise_id``'s check on ``function`` in a fresh, isolated lab.

    Args:
        exercise_id: the exercise, e.g. ``"01.create_orders_table"``.
        function: the learner's function.
        timeout: seconds the check may run (default: the exercise's timeout).

    Raises:
        KeyError: for an unknown exercise id (the message suggests the closest ids).
    """
    exercise = registry.get(exercise_id)
    try:
        check = get_check(exercise.id)
    except KeyError:
        return _result(
            exercise, _outcome("error", f"There is no check for {exercise.id} yet (please report).")
        )
    limit = exercise.timeout if timeout is None else float(timeout)
    if HAS_FORK:
        _warm_up()
        outcome = _run_forked(exercise, check, function, limit)
    else:
        outcome = _run_threaded(exercise, check, function, limit)
    return _result(exercise, outcome)


def run_checks(
    items: Sequence[tuple[str, Callable[..., Any]]], *, timeout: float | None = None
) -> list[CheckResult]:
    """Run several checks, one after the other, each in its own fresh lab."""
    return [run_check(exercise_id, function, timeout=timeout) for exercise_id, function in items]
