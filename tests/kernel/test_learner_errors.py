"""A learner's bad call in a real kernel: DynamoDB's code, a plain explanation, a live kernel.

The cells below are executed by a Jupyter kernel exactly as JupyterLab would run them; the bad
calls are NOT wrapped in try/except, as a learner would write them.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.kernel

SETUP = """
from ddb_lab import start
lab = start()
client = lab.client
client.create_table(
    TableName="Users",
    KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
users = lab.table("Users")
users.put_item(Item={"user_id": "u1", "username": "ada"})
precious = ["the learner's work"]
"""

BAD_CALLS = {
    "reserved word unaliased": (
        'users.update_item(Key={"user_id": "u1"}, UpdateExpression="SET status = :s", '
        'ExpressionAttributeValues={":s": "active"})',
        "ValidationException",
        "reserved keyword: status",
        "ExpressionAttributeNames",
    ),
    "wrong type descriptor for the key": (
        'client.get_item(TableName="Users", Key={"user_id": {"N": "1"}})',
        "ValidationException",
        "The provided key element does not match the schema",
        "KeySchema",
    ),
    "value without a string inside its descriptor": (
        'client.put_item(TableName="Users", Item={"user_id": {"S": "u2"}, "age": {"N": 30}})',
        "ParamValidationError",
        "Invalid type for parameter Item.age.N",
        '{"N": "30"}',
    ),
    "missing key attribute": (
        'users.put_item(Item={"username": "grace"})',
        "ValidationException",
        "Missing the key user_id in the item",
        "Add 'user_id'",
    ),
}

AFTERWARDS = """
print("alive", precious, sorted(i["user_id"] for i in users.scan()["Items"]))
"""


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.cells = [new_code_cell(SETUP)]
    notebook.cells += [new_code_cell(source) for source, *_ in BAD_CALLS.values()]
    notebook.cells.append(new_code_cell(AFTERWARDS))
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute()
    return notebook


def _error(cell: nbformat.NotebookNode) -> dict[str, object]:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, f"expected one error output, got {cell.outputs}"
    return dict(errors[0])


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_call_shows_code_and_plain_explanation(
    executed: nbformat.NotebookNode, case: str
) -> None:
    index = 1 + list(BAD_CALLS).index(case)
    _, code, message, hint = BAD_CALLS[case]
    error = _error(executed.cells[index])
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"]))  # type: ignore[arg-type]
    assert shown.splitlines()[0].startswith(code), shown
    assert message in shown
    assert "What it means:" in shown and "Try:" in shown
    assert hint in shown
    # The learner's own line is pointed at; library internals are not shown.
    assert "site-packages" not in shown
    assert "botocore/client.py" not in shown


def test_kernel_lives_on_with_work_and_tables_intact(executed: nbformat.NotebookNode) -> None:
    last = executed.cells[-1]
    assert [o.output_type for o in last.outputs] == ["stream"], last.outputs
    assert last.outputs[0]["text"] == "alive [\"the learner's work\"] ['u1']\n"


def test_other_exceptions_keep_their_normal_traceback() -> None:
    notebook = new_notebook()
    notebook.cells = [
        new_code_cell("from ddb_lab import start\nlab = start()"),
        new_code_cell("1/0"),
    ]
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True)
    client.execute()
    error = _error(notebook.cells[1])
    assert error["ename"] == "ZeroDivisionError"
    assert "What it means" not in "\n".join(error["traceback"])  # type: ignore[arg-type]
