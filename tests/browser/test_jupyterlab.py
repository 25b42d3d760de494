"""End to end: chapter 1 in a real JupyterLab, in headless Chromium.

Runs every cell of the chapter, checks that no cell shows an error, then drives the
TableExplorer widget like a learner would (partition key, ``begins_with`` on the sort key, Run
query, Next page) and checks what it renders: the ``client.query`` call, the status line, and the
items table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_keys_and_types.ipynb"

PARTITION = "USER#u0002"
SORT_OPERATOR = "begins_with"
SORT_PREFIX = "POST#"

RUN_ALL_TIMEOUT_MS = 180_000
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
ERROR_OUTPUTS = ", ".join(
    [
        # JupyterLab renders both stderr streams and tracebacks with the stderr mime type.
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']",
        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
        # What ipywidgets shows when a widget cannot render.
        ".jp-OutputArea-output:has-text('Error displaying widget')",
    ]
)
# Every code cell shows "[n]:" (not "[ ]:" or "[*]:"). Stop waiting early when a dialog (e.g.
# "Select Kernel") blocks the run or a cell shows an error (Run All stops at a traceback and the
# cells after it keep "[ ]:"): the test then reports what it found.
ALL_CELLS_EXECUTED_JS = r"""() => {
    if (document.querySelector('.jp-Dialog')) return true;
    if (document.querySelector(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) return true;
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent.trim());
    return prompts.length > 0 && prompts.every(t => /^\[\d+\]:$/.test(t));
}"""
# The rendered pandas table: header names, then one list of cell texts per row (the index
# column included, so that position i in a row matches header i).
READ_DATAFRAME_JS = """table => ({
    headers: [...table.querySelectorAll('thead tr:last-child th')].map(e => e.textContent.trim()),
    rows: [...table.querySelectorAll('tbody tr')].map(
        tr => [...tr.children].map(e => e.textContent.trim())),
})"""
# Output rendered after the last _mark_stale(): the explorer replaces its Output's contents on
# every run, so JupyterLab renders new elements (which carry no mark).
FRESH = ":not([data-test-stale])"
COUNT_RE = re.compile(r"(?<!Scanned)Count: (\d+)")


def _write_notebook(root_dir: Path) -> str:
    """Put the notebook under test into the server's root dir; return its name.

    The copy has its outputs, execution counts and saved widget state stripped: the committed
    chapter carries ``[n]:`` prompts from ``make notebooks``, and the test must see the ones
    this run produces.
    """
    nb = nbformat.read(NOTEBOOK, as_version=4)
    name = NOTEBOOK.name
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, root_dir / name)
    return name


@contextmanager
def _screenshot_on_failure(page: Any, path: Path) -> Iterator[None]:
    """Re-raise any failure as an AssertionError that names a screenshot of the page."""
    try:
        yield
    except Exception as error:
        try:
            page.screenshot(path=str(path), full_page=True)
            where = f"screenshot: {path}"
        except Exception as shot_error:  # the page itself may be gone
            where = f"no screenshot ({shot_error})"
        raise AssertionError(f"{type(error).__name__}: {error}\n{where}") from error


def _widget_control(explorer: Any, kind: str, label: str) -> Any:
    """The ``input``/``select`` of the ipywidgets control whose label is exactly ``label``.

    ipywidgets 8 renders ``Text(description=...)`` as ``div.widget-text`` holding
    ``label.widget-label`` and ``input``; a Dropdown as ``div.widget-dropdown`` with a ``select``.
    """
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = explorer.locator(f".widget-{kind}").filter(
        has=explorer.page.locator("label.widget-label", has_text=label_re)
    )
    tag = "select" if kind == "dropdown" else "input"
    control = box.locator(tag)
    control.wait_for(state="visible")
    assert box.count() == 1, f'expected one {kind} labelled "{label}", found {box.count()}'
    return control


def _mark_stale(explorer: Any) -> None:
    """Tag what the explorer's Output shows now; see ``FRESH``."""
    explorer.evaluate(
        "el => el.querySelectorAll('.widget-output .jp-OutputArea-output *')"
        ".forEach(e => e.setAttribute('data-test-stale', ''))"
    )


def _read_page(explorer: Any) -> tuple[str, int, list[dict[str, str]]]:
    """The fresh status line, its Count, and the table rows as {column: text} dicts."""
    from playwright.sync_api import expect

    status = explorer.locator(f".widget-output .ddb-lab-status{FRESH}")
    expect(status).to_have_text(COUNT_RE, timeout=30_000)
    status_text = status.inner_text().strip()
    match = COUNT_RE.search(status_text)
    assert match is not None, status_text
    count = int(match.group(1))
    tables = explorer.locator(f".widget-output table.dataframe{FRESH}")
    if count == 0:
        return status_text, count, []
    expect(tables).to_have_count(1)
    data = tables.first.evaluate(READ_DATAFRAME_JS)
    headers: list[str] = data["headers"]
    rows = [dict(zip(headers, row, strict=True)) for row in data["rows"]]
    return status_text, count, rows


@pytest.mark.browser
def test_chapter_runs_and_explorer_queries(
    browser_page: Any, lab_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    name = _write_notebook(lab_server.root_dir)
    shot = tmp_path / "jupyterlab.png"

    with _screenshot_on_failure(page, shot):
        # &reset: start from the default layout, not a saved workspace.
        page.goto(lab_server.url(f"/lab/tree/{name}?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        lab_server.wait_for_kernel(name)
        page.wait_for_selector(KERNEL_IDLE)
        kernel_status = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))
        expect(kernel_status).to_be_visible()  # "Python 3 (ipykernel) | Idle"

        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        page.wait_for_function(ALL_CELLS_EXECUTED_JS, timeout=RUN_ALL_TIMEOUT_MS)
        dialogs = page.locator(".jp-Dialog")
        assert dialogs.count() == 0, f"a dialog blocked Run All: {dialogs.first.inner_text()!r}"
        errors = page.locator(ERROR_OUTPUTS)
        error_texts = [text.strip()[:2000] for text in errors.all_inner_texts()]
        assert not error_texts, "cells produced error output:\n\n" + "\n\n---\n\n".join(error_texts)
        page.wait_for_function(ALL_CELLS_EXECUTED_JS, timeout=5_000)  # no early exit: all "[n]:"
        page.wait_for_selector(KERNEL_IDLE)

        # The explorer: the notebook output that holds the "Run query" button.
        run_button = page.locator(".widget-button", has_text=re.compile(r"^\s*Run query\s*$"))
        explorer = page.locator(".jp-OutputArea-output").filter(has=run_button).first
        explorer.wait_for(state="visible")
        run_button = explorer.locator(".widget-button", has_text=re.compile(r"^\s*Run query\s*$"))
        next_button = explorer.locator(".widget-button", has_text=re.compile(r"^\s*Next page\s*$"))
        expect(run_button).to_have_count(1)

        partition = _widget_control(explorer, "text", "Partition key")
        partition.fill(PARTITION)
        operator = _widget_control(explorer, "dropdown", "Sort key")
        operator.select_option(label=SORT_OPERATOR)
        value = _widget_control(explorer, "text", "Value")
        value.fill(SORT_PREFIX)
        # A Limit unlike the current one shows that the click reads the form (the chapter's
        # explorer may start with the values above already filled in).
        limit = _widget_control(explorer, "text", "Limit")
        new_limit = "4" if limit.input_value() != "4" else "5"
        limit.fill(new_limit)
        limit.press("Tab")  # IntText syncs on change (blur/Enter), not on every keystroke
        expect(partition).to_have_value(PARTITION)
        assert operator.evaluate("e => e.options[e.selectedIndex].text") == SORT_OPERATOR
        expect(value).to_have_value(SORT_PREFIX)

        # The chapter may already have run the explorer from code: mark what it shows now, so
        # that only output rendered after the click counts.
        _mark_stale(explorer)
        run_button.click()

        code = explorer.locator(f".widget-output pre.ddb-lab-code{FRESH}")
        expect(code).to_contain_text(f'"{PARTITION}"', timeout=30_000)
        expect(code).to_contain_text("client.query(")
        expect(code).to_contain_text("begins_with(#sk, :sk)")
        expect(code).to_contain_text(f'":sk": {{"S": "{SORT_PREFIX}"}}')
        expect(code).to_contain_text(f"Limit={new_limit},")
        expect(explorer.locator(".widget-output .ddb-lab-error")).to_have_count(0)

        status1, count1, rows1 = _read_page(explorer)
        assert rows1, f"the query returned no rows ({status1})"
        assert len(rows1) == count1, f"{len(rows1)} rows shown but the status says {status1}"
        assert count1 <= int(new_limit), status1
        assert all(row["PK"] == PARTITION for row in rows1), [row["PK"] for row in rows1]
        assert all(row["SK"].startswith(SORT_PREFIX) for row in rows1), [r["SK"] for r in rows1]

        # Next page: enabled exactly when the first page came with a LastEvaluatedKey (the
        # kernel sets the button state before it replaces the output, so it is current now).
        if next_button.is_enabled():
            _mark_stale(explorer)
            next_button.click()
            status2, _count2, rows2 = _read_page(explorer)
            assert status2 != status1, f"Next page kept the status line: {status2}"
            keys1 = {row["SK"] for row in rows1}
            keys2 = {row["SK"] for row in rows2}
            assert keys2 != keys1, f"Next page showed the same items ({status1} -> {status2})"
            assert not keys1 & keys2, f"pages overlap: {sorted(keys1 & keys2)}"
            assert all(row["PK"] == PARTITION for row in rows2), [row["PK"] for row in rows2]
            assert all(key.startswith(SORT_PREFIX) for key in keys2), sorted(keys2)

        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
