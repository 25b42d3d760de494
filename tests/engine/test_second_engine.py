"""Chapters 01-04 on a second, independent DynamoDB engine: dynalite (npm).

Each chapter runs in a fresh Jupyter kernel whose environment selects the endpoint backend
(``DDB_LAB_BACKEND=endpoint``, ``DDB_LAB_ENDPOINT=<dynalite's URL>``), so the notebook's own,
unchanged setup cell (``lab = start(...)``) talks to dynalite instead of the lab's engine. Each
code cell's outputs are then compared with the outputs stored in the notebook, which the lab's
engine (moto underneath) produced, the way strict nbval compares them: same sanitizing patterns,
images and widget views left out. One test per code cell, so the report lists every cell.

Where the engines may part, and why, is listed below, cell by cell:

* ``SKIPPED``: cells not run on dynalite, because dynalite lacks what they do (transactions,
  PartiQL, adding a GSI to an on-demand table; see the dynalite reference notes) or because they
  drive a lab-only feature (throttling, simulated GSI lag).
* ``UNCOMPARED``: cells run (later cells need what they write) whose output is not compared:
  it shows the lab's own metering (receipts), or a behaviour where the lab follows DynamoDB and
  dynalite, like moto, does not (the lab's corrections do not run on the endpoint backend).
* ``ALLOWED``: differences that a documented DynamoDB behaviour explains. Each is a rewrite
  applied to both outputs before they are compared, with its reason; ``EVERYWHERE`` applies to
  every cell, and printed Python literals are compared by value (``LITERALS_BY_VALUE``). Where
  the lab does not handle the behaviour (``lab_handles=False``), a second test expects the cell
  to differ without the rewrite, so the gap shows in every report.
* ``KNOWN_DIFFERENCES``: results that genuinely differ between the engines and that no
  documented behaviour settles. They are expected failures.

Expected failures are strict: once the engines agree, the test fails until the entry is removed.

``SETTLE_TABLES`` makes CreateTable and DeleteTable wait for the table, as the lab's engine does,
so that the comparison sees the engines' answers rather than a race; a separate test runs each
chapter on a dynalite that takes ``TABLE_DELAY_MS`` to create a table, without that help, and
``USED_BEFORE_ACTIVE`` lists the cells that then fail as they would on DynamoDB.

Everything else must match. Without Node.js the tests skip with a message, except in CI, where a
missing engine is a failure.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import nbformat
import pytest
from nbclient import NotebookClient
from nbval.plugin import (
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
)

from ddb_lab.lab import ENV_BACKEND, ENV_ENDPOINT
from ddb_lab.notebook_tools import KERNEL, WIDGET_VIEW

pytestmark = [pytest.mark.node, pytest.mark.kernel]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = (
    "01_keys_and_types",
    "02_single_table_design",
    "03_secondary_indexes",
    "04_queries_and_writes",
)
#: What nbval does not compare either: images (rendering details) and widget views (random ids).
UNCOMPARED_MIMES = frozenset({"image/png", "image/jpeg", WIDGET_VIEW})
CELL_TIMEOUT = 120


# --- Cells that do not run on dynalite ---------------------------------------------------------

TRANSACTIONS = (
    "transactions: dynalite 4.0.0 answers TransactWriteItems and TransactGetItems with "
    "UnknownOperationException"
)
PARTIQL = "PartiQL: dynalite 4.0.0 answers ExecuteStatement with UnknownOperationException"
RECEIPT_UNITS = (
    "shows units taken from lab.receipt(): the lab's own metering, which the endpoint backend "
    "does not have"
)
THROTTLING = "lab.enable_throttling(): the lab's token buckets; dynalite never throttles"
AFTER_THROTTLING = "works on the Events table of the throttling cells above"
GSI_LAG = "lab.simulate_gsi_lag(): the lab's simulation of GSI propagation"
RETURN_VALUES_ON_FAILURE = (
    "ReturnValuesOnConditionCheckFailure: dynalite ignores it (no Item in the error)"
)
ADD_GSI_ON_DEMAND = (
    "UpdateTable adding a GSI to an on-demand table: dynalite demands ProvisionedThroughput "
    "(a dynalite bug; DynamoDB needs none on an on-demand table)"
)
AFTER_ADD_GSI = "uses GSI4, which UpdateTable cannot add to an on-demand table on dynalite"
INDEX_UNITS = (
    "ReturnConsumedCapacity=INDEXES: dynalite reports only the table's units; DynamoDB also "
    "charges each GSI a write updates, and the lab meters that"
)
GSI_PROJECTION = (
    "a GSI read naming an attribute the index does not project: DynamoDB answers "
    "ValidationException and so does the lab; dynalite, like moto, returns entries without it"
)
LSI_FETCH = (
    "an LSI read of attributes it does not project: DynamoDB fetches them from the table and "
    "charges that read, and so does the lab; dynalite, like moto, returns the keys alone"
)

#: Not run at all: dynalite cannot do what the cell does, or the cell drives a lab-only feature.
SKIPPED: dict[str, dict[str, str]] = {
    "02_single_table_design": {
        "1285bf62": TRANSACTIONS,
    },
    "03_secondary_indexes": {
        "fdb84bb7": ADD_GSI_ON_DEMAND,
        "d46568be": ADD_GSI_ON_DEMAND,
        "6a109d74": AFTER_ADD_GSI,
        "342bb43a": GSI_LAG,
        "339b9e1f": GSI_LAG,
        "c95bafa3": TRANSACTIONS,
    },
    "04_queries_and_writes": {
        "207b5afa": THROTTLING,
        "acf44dba": THROTTLING,
        "0408443a": AFTER_THROTTLING,
        "9a20e0b6": TRANSACTIONS,
        "18d58594": TRANSACTIONS,
        "5d523cc0": TRANSACTIONS,
        "f2317362": TRANSACTIONS,
        "b72ca4cb": TRANSACTIONS,
        "8ca14207": TRANSACTIONS,
        "94189d41": PARTIQL,
        "d03aef0d": PARTIQL,
    },
}

#: Run, because later cells need what they write, but their output is not compared (and may be
#: an error, the reason says which).
UNCOMPARED: dict[str, dict[str, str]] = {
    "03_secondary_indexes": {
        "68d60773": INDEX_UNITS,
        "2f2efe39": RECEIPT_UNITS,
        "c8511e83": RECEIPT_UNITS,
        "6e71f182": GSI_PROJECTION,
        "67722c31": AFTER_ADD_GSI + " (its writes work; its Query of GSI4 fails)",
        "37ee6e18": LSI_FETCH,
    },
    "04_queries_and_writes": {
        "56e7c9f1": RETURN_VALUES_ON_FAILURE + " (its first PutItem works; reading Item fails)",
    },
}


# --- Differences a documented DynamoDB behaviour explains --------------------------------------


@dataclass(frozen=True)
class Allowance:
    """Rewrite ``pattern`` to ``replacement`` in both outputs before comparing them.

    ``lab_handles=False``: DynamoDB behaves as dynalite does here and the lab does not simulate
    it, so the rest of the cell is compared with the rewrite, and
    ``test_difference_the_lab_does_not_handle`` expects the cell to differ without it.
    """

    pattern: str
    replacement: str
    reason: str
    lab_handles: bool = True

    def apply(self, text: str) -> str:
        return re.sub(self.pattern, self.replacement, text, flags=re.MULTILINE | re.DOTALL)


ITEM_COUNT_REASON = (
    "DescribeTable's ItemCount is refreshed about every six hours (DescribeTable API "
    "reference): dynalite reports 0 for a table just loaded, as DynamoDB may; the lab shows "
    "moto's live count, and the chapter reads it as the number of items"
)
RECEIPT_REASON = (
    "a receipt is the lab's own metering; on the endpoint backend it says that it has none "
    "(the rest of the cell is compared)"
)
RECEIPTS = (
    Allowance(
        r"Receipt: \d+ calls?\n.*?\n(On-demand prices[^\n]*|Metering is switched off[^\n]*)",
        "<receipt>",
        RECEIPT_REASON,
    ),
    Allowance(
        r"Receipt unavailable\nReceipts need the lab's own engine[^\n]*",
        "<receipt>",
        RECEIPT_REASON,
    ),
    Allowance(r"<div><b>Receipt: .*?</p></div>", "<receipt>", RECEIPT_REASON),
    Allowance(r"<div><b>Receipt unavailable</b>.*?</p></div>", "<receipt>", RECEIPT_REASON),
)
#: Applied to every cell.
EVERYWHERE = RECEIPTS

ALLOWED: dict[str, dict[str, tuple[Allowance, ...]]] = {
    "02_single_table_design": {
        cell: (
            Allowance(
                r"^(  \w+ +(?:PASS|FAIL) +\S+ +\d+) +(?:[\d.]+|n/a)$",
                r"\1 <RRU>",
                "the verifier's max RRU column comes from lab.receipt(), the lab's own metering",
            ),
            Allowance(
                r"\n  note: read units are not measured on this backend[^\n]*",
                "",
                "on another engine the verifier says the read-unit budgets went unchecked",
            ),
        )
        for cell in ("6fd56c0f", "894393a0")
    },
    "03_secondary_indexes": {
        "16b57269": (
            Allowance(
                r"'ItemCount': \d+", "'ItemCount': <n>", ITEM_COUNT_REASON, lab_handles=False
            ),
        ),
        "d301e638": (
            Allowance(r"'table': \d+", "'table': <n>", ITEM_COUNT_REASON, lab_handles=False),
        ),
    },
    "04_queries_and_writes": {
        "2296bee0": (
            Allowance(r"'table': \d+", "'table': <n>", ITEM_COUNT_REASON, lab_handles=False),
        ),
    },
}

#: Also everywhere, after the rewrites: a printed Python literal (a dict, a list, a number) is
#: compared by value, with dict keys in sorted order and 1 equal to 1.0. DynamoDB returns an
#: item's attributes as a JSON object, whose order the API does not define (dynalite lists an
#: index's own keys first, moto the table's), and ConsumedCapacity's units are JSON numbers that
#: dynalite writes as 1 where DynamoDB (and moto) write 1.0.
LITERALS_BY_VALUE = True


# --- Genuine differences between the engines ---------------------------------------------------

KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "04_queries_and_writes": {
        "8a48c72d": (
            "the 1 MB page: moto ends a Query page before 1,000,000 bytes of items (30 posts of "
            "100 KB: pages [9, 9, 9, 3]); dynalite reads on until 1 MiB (1,048,576 bytes) is "
            "reached, the item that crosses it included ([11, 11, 8]). DynamoDB's documentation "
            "says only 'a maximum of 1 MB' and that a page stops once the items read exceed it; "
            "the lab's own fact, facts.QUERY_PAGE_MAX_BYTES, is 1 MiB, not moto's 1,000,000"
        ),
    },
}

#: Cells that use a new table before CreateTable has finished (see ``SETTLE_TABLES``), the
#: first for each table: on an engine that takes time to create a table, as DynamoDB does, they
#: fail with ResourceNotFoundException (and, depending on timing, later cells too).
#: ``test_chapter_waits_for_the_tables_it_creates`` runs each chapter on such an engine.
USED_BEFORE_ACTIVE: dict[str, tuple[str, ...]] = {}
#: How long that engine takes to create or delete a table.
TABLE_DELAY_MS = 1000
#: Run first in the kernel on that engine: boto3's table waiters poll every 20 s by default, which
#: would make each chapter's waits last minutes; polling every 0.1 s keeps them as strict.
QUICK_WAITERS = """
import botocore.waiter

_wait = botocore.waiter.Waiter.wait


def _quick_wait(self, **kwargs):
    kwargs["WaiterConfig"] = {**kwargs.get("WaiterConfig", {}), "Delay": 0.1, "MaxAttempts": 200}
    return _wait(self, **kwargs)


botocore.waiter.Waiter.wait = _quick_wait
"""


# --- Running a chapter on dynalite -------------------------------------------------------------


def _code_cells(chapter: str) -> list[Any]:
    notebook = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _nbval_markers(cell: Any) -> dict[str, bool]:
    """nbval's own cell markers (``# NBVAL_SKIP``, ``nbval-ignore-output`` ...)."""
    return dict([*find_comment_markers(cell.source), *find_metadata_tags(cell.metadata)])


def _client(url: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def _delete_all_tables(url: str) -> None:
    """Delete every table on ``url`` (once it may be deleted) and wait until they are gone."""
    client = _client(url)
    names = client.list_tables()["TableNames"]
    wait = {"Delay": 0.05, "MaxAttempts": 600}
    for name in names:
        try:
            status = client.describe_table(TableName=name)["Table"]["TableStatus"]
        except client.exceptions.ResourceNotFoundException:
            continue  # it was being deleted, and now is gone
        if status != "DELETING":
            client.get_waiter("table_exists").wait(TableName=name, WaiterConfig=wait)
            client.delete_table(TableName=name)
    for name in names:
        client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=wait)


#: Run in the kernel before the chapter. CreateTable and DeleteTable are asynchronous: DynamoDB
#: answers CREATING (DELETING) and the table is ACTIVE (gone) some time later, when a write to it
#: succeeds (a new table of that name may be created). dynalite does the same, moto is done at
#: once. The chapters write right after CreateTable without a waiter, so on dynalite a cell
#: races the table's activation (a ResourceNotFoundException, now and then). To compare what the
#: engines answer rather than that race, every CreateTable and DeleteTable of the kernel's boto3
#: clients returns only once the table is ACTIVE or gone, as on the lab's engine.
SETTLE_TABLES = """
import boto3 as _settle_boto3
from botocore import handlers as _settle_handlers

_settle_client = _settle_boto3.client(
    "dynamodb", endpoint_url="{url}", region_name="us-east-1",
    aws_access_key_id="x", aws_secret_access_key="x",
)


def _settle(parsed, model, **_):
    name = parsed.get("TableDescription", {{}}).get("TableName")
    if name:
        waiter = "table_exists" if model.name == "CreateTable" else "table_not_exists"
        _settle_client.get_waiter(waiter).wait(
            TableName=name, WaiterConfig={{"Delay": 0.02, "MaxAttempts": 500}}
        )


for _operation in ("CreateTable", "DeleteTable"):
    _settle_handlers.BUILTIN_HANDLERS.append((f"after-call.dynamodb.{{_operation}}", _settle))
"""


@dataclass
class Run:
    """One chapter executed on dynalite: each code cell's outputs by id, and the tables made."""

    outputs: dict[str, list[Any]]
    tables: list[str]
    failure: str = ""


def _execute_on(url: str, chapter: str, *, settle: bool = True) -> Run:
    """Execute ``chapter``'s code cells, minus the skipped ones, with the endpoint backend.

    ``settle``: make CreateTable and DeleteTable wait for the table (``SETTLE_TABLES``).
    """
    notebook = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    skipped = SKIPPED.get(chapter, {})
    notebook.cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.id not in skipped
        and not _nbval_markers(cell).get("skip")
    ]
    for cell in notebook.cells:
        cell.outputs = []
    prelude = SETTLE_TABLES.format(url=url) if settle else QUICK_WAITERS
    notebook.cells.insert(0, nbformat.v4.new_code_cell(prelude))  # type: ignore[no-untyped-call]
    _delete_all_tables(url)
    with tempfile.TemporaryDirectory(prefix="ddb-lab-home-") as home:
        env = dict(
            os.environ,
            PYTHONHASHSEED="0",
            DDB_LAB_HOME=home,
            **{ENV_BACKEND: "endpoint", ENV_ENDPOINT: url},
        )
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,
            kernel_name=KERNEL,
            allow_errors=True,  # an error is an output like any other: it is compared
            resources={"metadata": {"path": str(NOTEBOOKS)}},
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        failure = ""
        try:
            client.execute(env=env, stderr=subprocess.DEVNULL)
        except Exception as error:  # a timeout or a dead kernel: every cell after it reports it
            failure = f"the kernel stopped: {type(error).__name__}: {error}"
    tables = _client(url).list_tables()["TableNames"]
    _delete_all_tables(url)
    return Run({cell.id: cell.outputs for cell in notebook.cells}, sorted(tables), failure)


@pytest.fixture(scope="module")
def run_chapter(dynalite_url: str) -> Iterator[Callable[[str], Run]]:
    """``run_chapter(chapter)``: the chapter executed on dynalite (once per module)."""

    @cache
    def run(chapter: str) -> Run:
        return _execute_on(dynalite_url, chapter)

    yield run
    _delete_all_tables(dynalite_url)


# --- Comparing outputs as strict nbval does ----------------------------------------------------

_SANITIZE = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text())


def _by_value(value: Any) -> str:
    """A canonical text of a Python literal: dict keys sorted, every number a float."""
    if isinstance(value, dict):
        pairs = sorted(f"{_by_value(k)}: {_by_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(_by_value(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_by_value(v) for v in value)) + "}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    return repr(value)


def _literal(text: str) -> str:
    """``text`` by value if it is a Python literal; else each line that is one."""

    def one(piece: str) -> str | None:
        try:
            return _by_value(ast.literal_eval(piece))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None

    whole = one(text)
    if whole is not None:
        return whole
    return "\n".join(one(line) or line for line in text.split("\n"))


def render(outputs: list[Any], allowances: tuple[Allowance, ...]) -> list[str]:
    """Outputs as nbval compares them (streams merged, sanitized), after the rewrites."""
    parts: list[tuple[str, str]] = []
    copies = [nbformat.from_dict(copy.deepcopy(o)) for o in outputs]  # type: ignore[no-untyped-call]
    merged = coalesce_streams(copies)
    for output in merged:
        if output.output_type == "stream":
            parts.append((output.name, output.text))
        elif output.output_type == "error":
            parts.append(("error", f"{output.ename}: {output.evalue}"))
        else:
            for mime, value in sorted(output.get("data", {}).items()):
                if mime not in UNCOMPARED_MIMES:
                    parts.append((mime, value if isinstance(value, str) else "".join(value)))
    rendered = []
    for kind, text in parts:
        for regex, replacement in _SANITIZE:
            text = re.sub(regex, replacement, text)
        for allowance in allowances:
            text = allowance.apply(text)
        rendered.append(f"[{kind}]\n{_literal(text) if LITERALS_BY_VALUE else text}")
    return rendered


def _texts(outputs: list[Any]) -> str:
    return "\n".join(render(outputs, ()))


# --- Tests -------------------------------------------------------------------------------------


def _cases() -> Iterator[Any]:
    for chapter in CHAPTERS:
        for cell in _code_cells(chapter):
            marks = []
            known = KNOWN_DIFFERENCES.get(chapter, {}).get(cell.id)
            if known is not None:
                marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=known))
            yield pytest.param(chapter, cell.id, id=f"{chapter}:{cell.id}", marks=marks)


@pytest.mark.parametrize(("chapter", "cell_id"), list(_cases()))
def test_cell_matches_the_lab_engine(
    run_chapter: Callable[[str], Run], chapter: str, cell_id: str
) -> None:
    stored = {cell.id: cell for cell in _code_cells(chapter)}[cell_id]
    reason = SKIPPED.get(chapter, {}).get(cell_id)
    if reason is not None:
        pytest.skip(f"not run on dynalite: {reason}")
    markers = _nbval_markers(stored)
    if markers.get("skip"):
        pytest.skip("nbval skips this cell too")
    run = run_chapter(chapter)
    got = run.outputs[cell_id]
    reason = UNCOMPARED.get(chapter, {}).get(cell_id)
    if reason is not None:
        pytest.skip(f"run on dynalite for later cells, output not compared: {reason}")
    errors = [o for o in got if o.get("output_type") == "error"]
    assert not errors, f"{run.failure}\nthe cell raised on dynalite:\n{_texts(errors)}"
    assert got or not run.failure, run.failure
    if markers.get("check") is False:  # nbval ignores its output: it only has to run
        return
    allowances = EVERYWHERE + ALLOWED.get(chapter, {}).get(cell_id, ())
    expected = "\n".join(render(stored.outputs, allowances))
    actual = "\n".join(render(got, allowances))
    assert actual == expected, f"dynalite:\n{actual}\n\nthe lab's engine (stored):\n{expected}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_ran_on_dynalite(run_chapter: Callable[[str], Run], chapter: str) -> None:
    """The kernel really used the endpoint backend: its tables ended up in dynalite."""
    run = run_chapter(chapter)
    assert not run.failure, run.failure
    assert run.tables, "no table on dynalite: the notebook did not use the endpoint backend"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_lists_name_existing_cells_with_reasons(chapter: str) -> None:
    """The lists stay in step with the notebooks: no stale cell id, one list per cell."""
    cells = {cell.id for cell in _code_cells(chapter)}
    lists: list[dict[str, dict[str, Any]]] = [SKIPPED, UNCOMPARED, ALLOWED, KNOWN_DIFFERENCES]
    listed = [cell for entries in lists for cell in entries.get(chapter, {})]
    racing = USED_BEFORE_ACTIVE.get(chapter, ())
    stale = [c for c in [*listed, *racing] if c not in cells]
    assert not stale, f"not code cells of {chapter}: {stale}"
    assert len(listed) == len(set(listed)), f"a cell in two lists: {sorted(listed)}"
    reasons = [*SKIPPED.get(chapter, {}).values(), *UNCOMPARED.get(chapter, {}).values()]
    reasons += [a.reason for entry in ALLOWED.get(chapter, {}).values() for a in entry]
    assert all(reasons), "every entry says why"


# --- On an engine that takes time to create a table --------------------------------------------


def _start_dynalite(delay_ms: int) -> tuple[subprocess.Popen[bytes], str]:
    """A dynalite on a free loopback port that takes ``delay_ms`` to create or delete a table."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    node = shutil.which("node")
    assert node is not None  # the dynalite_url fixture has checked
    command = [node, str(ROOT / "node_modules" / "dynalite" / "cli.js"), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--createTableMs", str(delay_ms)]
    command += ["--deleteTableMs", str(delay_ms), "--updateTableMs", str(delay_ms)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    process.kill()
    pytest.fail("dynalite did not start")


@pytest.fixture(scope="module")
def slow_dynalite_url(dynalite_url: str) -> Iterator[str]:
    """dynalite creating and deleting tables in ``TABLE_DELAY_MS``, as DynamoDB takes a while."""
    process, url = _start_dynalite(TABLE_DELAY_MS)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _racing(chapter: str) -> Any:
    cells = USED_BEFORE_ACTIVE.get(chapter)
    if not cells:
        return chapter
    reason = (
        f"uses a table before CreateTable has finished, without a table_exists waiter (on "
        f"DynamoDB these cells fail with ResourceNotFoundException): {', '.join(cells)}"
    )
    mark = pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
    return pytest.param(chapter, marks=mark)


@pytest.mark.parametrize("chapter", [_racing(chapter) for chapter in CHAPTERS])
def test_chapter_waits_for_the_tables_it_creates(slow_dynalite_url: str, chapter: str) -> None:
    """No cell reads or writes a table that is still CREATING (the lab's engine never is)."""
    run = _execute_on(slow_dynalite_url, chapter, settle=False)
    assert not run.failure, run.failure
    stored = {cell.id: _texts(cell.outputs) for cell in _code_cells(chapter)}
    missing = "ResourceNotFoundException"
    racing = sorted(
        cell
        for cell, outputs in run.outputs.items()
        if missing in _texts(outputs) and missing not in stored.get(cell, missing)
    )
    stale = sorted(set(USED_BEFORE_ACTIVE.get(chapter, ())) - set(racing))
    if stale:  # not an expected failure: the list needs updating
        pytest.fail(f"USED_BEFORE_ACTIVE[{chapter!r}]: {stale} wait now; the cells are {racing}")
    assert not racing, f"cells that use a table before it is ACTIVE: {racing}"


# --- Differences the lab does not handle -------------------------------------------------------


def _unhandled() -> Iterator[Any]:
    for chapter in CHAPTERS:
        for cell_id, allowances in ALLOWED.get(chapter, {}).items():
            for allowance in allowances:
                if not allowance.lab_handles:
                    mark = pytest.mark.xfail(
                        strict=True, raises=AssertionError, reason=allowance.reason
                    )
                    yield pytest.param(
                        chapter, cell_id, allowance, id=f"{chapter}:{cell_id}", marks=mark
                    )


@pytest.mark.parametrize(("chapter", "cell_id", "allowance"), list(_unhandled()))
def test_difference_the_lab_does_not_handle(
    run_chapter: Callable[[str], Run], chapter: str, cell_id: str, allowance: Allowance
) -> None:
    """Without its rewrite the cell differs: once it does not, the allowance can go."""
    stored = {cell.id: cell for cell in _code_cells(chapter)}[cell_id]
    others = tuple(a for a in ALLOWED[chapter][cell_id] if a is not allowance)
    allowances = EVERYWHERE + others
    got = render(run_chapter(chapter).outputs[cell_id], allowances)
    assert got == render(stored.outputs, allowances)
