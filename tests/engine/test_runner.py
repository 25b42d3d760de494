"""The check runner: every way a learner's function can end, in a fresh lab that is its own."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ddb_lab.grader import registry, runner
from ddb_lab.grader.checks import _CHECKS, check_for
from ddb_lab.grader.context import CheckContext, Failure
from ddb_lab.grader.registry import Exercise
from ddb_lab.grader.runner import CheckResult, run_check, run_checks

pytestmark = pytest.mark.timeout(60)

COUNT = "97.count_orders"
BROKEN = "97.broken_check"
COURSE = [
    Exercise(COUNT, 97, "Count the orders", "count_orders", 2, ("Scan, then count.",), 5.0),
    Exercise(BROKEN, 97, "A check with a bug", "anything", 1, ("none",)),
]


def _orders(ctx: CheckContext) -> None:
    ctx.client.create_table(
        TableName="Orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(3):
        ctx.client.put_item(TableName="Orders", Item={"pk": {"S": f"order#{n}"}})


def check_count(fn: Any, ctx: CheckContext) -> None:
    assert ctx.lab.tables() == [], "the check's lab is not fresh"
    _orders(ctx)
    got = ctx.call(fn, ctx.client)
    if not isinstance(got, int):
        raise Failure(
            "count_orders must return an int.",
            expected="an int",
            got=got,
            advice="Return len(items), not the items.",
        )
    if got != 3:
        raise Failure("That is not how many orders there are.", expected=3, got=got)


def check_broken(fn: Any, ctx: CheckContext) -> None:
    ctx.call(fn)
    raise ZeroDivisionError("the check's own bug")


@pytest.fixture(autouse=True)
def course() -> Iterator[None]:
    check_for(COUNT)(check_count)
    check_for(BROKEN)(check_broken)
    try:
        with registry.override(COURSE):
            yield
    finally:
        _CHECKS.pop(COUNT, None)
        _CHECKS.pop(BROKEN, None)


def count_by_scan(client: Any) -> int:
    return len(client.scan(TableName="Orders")["Items"])


def test_a_passing_check(lab: Any) -> None:
    result = run_check(COUNT, count_by_scan)
    assert result.passed
    assert result.status == "passed"
    assert (result.points, result.max_points) == (2, 2)
    assert result.text() == "✓ 97.count_orders — Count the orders (2/2 points)"
    assert repr(result) == result.text()
    assert "#2e7d32" in result._repr_html_()


def test_a_failure_shows_expected_got_and_advice() -> None:
    result = run_check(COUNT, lambda client: 4)
    assert result.status == "failed"
    assert (result.points, result.max_points) == (0, 2)
    assert result.expected == "3"
    assert result.got == "4"
    assert result.text() == (
        "✗ 97.count_orders — Count the orders (0/2 points)\n"
        "  That is not how many orders there are.\n"
        "  Expected: 3\n"
        "  Got: 4"
    )


def test_a_wrong_return_type_is_the_checks_failure() -> None:
    result = run_check(COUNT, lambda client: client.scan(TableName="Orders")["Items"])
    assert result.status == "failed"
    assert result.message == "count_orders must return an int."
    assert result.expected == "an int"
    assert result.got is not None and result.got.startswith("[{'pk': {'S': 'order#")
    assert result.advice == "Return len(items), not the items."


def test_shown_values_are_stable_short_and_without_addresses() -> None:
    class Opaque:
        pass

    shown = runner._shown([Opaque(), *["x" * 50] * 20])
    assert shown is not None
    assert len(shown) == 300
    assert shown.endswith("...")
    assert " at 0x" not in shown
    assert ".Opaque object>" in shown
    assert runner._shown({"b", "a", "c"}) == "{'a', 'b', 'c'}"  # not hash order
    assert runner._shown({"k": frozenset({2, 1}), "t": (set(),)}) == (
        "{'k': frozenset({1, 2}), 't': (set(),)}"
    )
    assert runner._shown("'Orders'") == "'Orders'"  # text is shown as it is
    assert runner._shown(None) is None


def test_a_client_error_is_explained() -> None:
    def uses_a_reserved_word(client: Any) -> int:
        client.query(
            TableName="Orders",
            KeyConditionExpression="status = :s",
            ExpressionAttributeValues={":s": {"S": "x"}},
        )
        return 0

    result = run_check(COUNT, uses_a_reserved_word)
    assert result.status == "failed"
    lines = result.message.splitlines()
    assert lines[0].startswith("Your function raised ClientError: An error occurred (Validation")
    assert lines[1] == 'at: KeyConditionExpression="status = :s",' or lines[1].startswith("at: ")
    assert lines[2].startswith("What it means: 'status' is one of DynamoDB's reserved words")
    assert 'ExpressionAttributeNames={"#status": "status"}' in result.advice


def test_a_param_validation_error_is_explained() -> None:
    result = run_check(
        COUNT, lambda client: client.put_item(TableName="Orders", Item={"pk": "plain"})
    )
    assert result.status == "failed"
    assert result.message.startswith("Your function raised ParamValidationError: ")
    assert "type descriptor dict" in result.message
    assert result.advice.startswith("Wrap it:")


def test_a_key_error_names_the_learners_line() -> None:
    def looks_up(client: Any) -> int:
        page = client.scan(TableName="Orders")
        return int(page["Count "])

    result = run_check(COUNT, looks_up)
    assert result.status == "failed"
    assert result.message.splitlines() == [
        "Your function raised KeyError: 'Count '",
        'at: return int(page["Count "])',
    ]
    assert result.advice == "Call your function on its own in a cell to see the full traceback."


def test_not_implemented_means_not_started() -> None:
    def count_orders(client: Any) -> int:
        raise NotImplementedError("write this")

    result = run_check(COUNT, count_orders)
    assert result.status == "not_started"
    assert not result.passed
    assert result.text() == (
        "○ 97.count_orders — Count the orders (0/2 points)\n"
        "  Not started yet: replace the `raise NotImplementedError(...)` line in `count_orders` "
        "with your solution, then run this cell again."
    )


def test_a_bug_in_the_check_is_not_the_learners_fault() -> None:
    result = run_check(BROKEN, lambda: None)
    assert result.status == "error"
    assert result.message == (
        "The check itself failed (please report): ZeroDivisionError: the check's own bug"
    )


def test_exiting_ends_only_the_child(lab: Any) -> None:
    def exits(client: Any) -> int:
        sys.exit(3)

    def hard_exit(client: Any) -> int:
        os._exit(1)

    result = run_check(COUNT, exits)
    assert result.status == "failed"
    assert result.message.startswith("Your function called sys.exit(3)")

    def crashes(client: Any) -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 3

    result = run_check(COUNT, hard_exit)
    assert result.status == "failed"
    assert "ended the process (exit code 1)" in result.message
    result = run_check(COUNT, crashes)
    assert result.status == "failed"
    assert result.message.startswith(
        f"The process running your function was killed by signal {int(signal.SIGKILL)} "
    )
    assert run_check(COUNT, count_by_scan).passed
    assert lab.tables() == []


def test_a_loop_that_never_ends_times_out(lab: Any) -> None:
    def never_ends(client: Any) -> int:
        pages = 0
        while True:  # a pagination loop that never stops
            pages += 1

    started = time.monotonic()
    result = run_check(COUNT, never_ends, timeout=1.0)
    elapsed = time.monotonic() - started
    assert result.status == "timeout"
    assert result.message == (
        "Your function did not finish within 1 s — is there a loop that never ends "
        "(a pagination loop that never stops, say)?"
    )
    assert 1.0 <= elapsed < 3.0
    lab.client.list_tables()  # this process is fine
    assert run_check(COUNT, count_by_scan).passed  # and the next check works


def test_the_learners_own_lab_is_untouched(lab: Any, make_table: Any) -> None:
    make_table("Mine")
    lab.client.put_item(TableName="Mine", Item={"pk": {"S": "a"}, "sk": {"S": "b"}})

    def vandal(client: Any) -> int:
        client.delete_table(TableName="Orders")  # the check's table
        try:  # the notebook's lab, from the closure: in the check's process, no Mine at all
            lab.client.delete_table(TableName="Mine")
        except lab.client.exceptions.ResourceNotFoundException:
            pass
        lab.reset()
        return 3

    result = run_check(COUNT, vandal)
    assert result.status == "passed", result.text()  # what matters is what it did not break
    assert lab.tables() == ["Mine"]
    assert lab.client.scan(TableName="Mine")["Count"] == 1


def test_what_the_function_prints_comes_back_and_not_to_the_kernel(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def chatty(client: Any) -> int:
        print("page 1")
        print("oops", file=sys.stderr)
        return 2

    result = run_check(COUNT, chatty)
    assert result.output == "page 1\noops\n"
    assert result.text().endswith("  Your function printed:\n    page 1\n    oops")
    out, err = capfd.readouterr()
    assert "page 1" not in out + err


def test_run_checks_runs_each() -> None:
    results = run_checks([(COUNT, count_by_scan), (COUNT, lambda client: 0)])
    assert [r.status for r in results] == ["passed", "failed"]


def test_an_unknown_exercise_is_a_key_error_with_suggestions() -> None:
    with pytest.raises(KeyError, match="Did you mean '97.count_orders'"):
        run_check("97.count_order", count_by_scan)


def test_html_is_escaped() -> None:
    result = CheckResult(
        "97.x", "<title>", "failed", "a <b> & c", "<e>", "<g>", "use <i>", 0, 1, "<out>"
    )
    shown = result._repr_html_()
    assert "<title>" not in shown and "&lt;title&gt;" in shown
    assert "&lt;b&gt; &amp; c" in shown
    assert "&lt;out&gt;" in shown
    assert result.text().startswith("✗ 97.x — <title> (0/1 point)")


def test_the_thread_fallback_runs_a_check_in_a_region_of_its_own(
    lab: Any, make_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_table("Orders")  # same name as the check's table: no clash, no sharing
    monkeypatch.setattr(runner, "HAS_FORK", False)
    result = run_check(COUNT, count_by_scan)
    assert result.passed, result.text()
    assert run_check(COUNT, lambda client: 5).status == "failed"
    assert lab.tables() == ["Orders"]
    assert lab.client.scan(TableName="Orders")["Count"] == 0


def test_the_child_never_asks_the_system_for_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("no_proxy", raising=False)
    result = run_check(COUNT, lambda client: 3 if os.environ.get("no_proxy") == "*" else 0)
    assert result.passed, result.text()
    assert "no_proxy" not in os.environ  # only the child's environment changed
