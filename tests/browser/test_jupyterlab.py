"""End to end: chapter 1 in a real JupyterLab, in headless Chromium.

Runs every cell of the chapter, checks that no cell shows an error, then drives the
TableExplorer widget like a learner would (partition key, ``begins_with`` on the sort key, Run
query, Next page) and checks what it renders: the ``client.query`` call, the status line, and the
items table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lab_driver import (
    FRESH,
    assert_all_cells_executed,
    assert_no_error_outputs,
    code_cell_count,
    mark_stale,
    open_notebook,
    read_dataframe,
    run_all,
    screenshot_on_failure,
    widget_control,
    write_clean_copy,
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_keys_and_types.ipynb"

PARTITION = "USER#u0002"
SORT_OPERATOR = "begins_with"
SORT_PREFIX = "POST#"

COUNT_RE = re.compile(r"(?<!Scanned)Count: (\d+)")


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
    return status_text, count, read_dataframe(tables.first)


@pytest.mark.browser
def test_chapter_runs_and_explorer_queries(
    browser_page: Any, lab_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    name = write_clean_copy(NOTEBOOK, lab_server.root_dir, f"explorer/{NOTEBOOK.name}")
    shot = tmp_path / "jupyterlab.png"

    with screenshot_on_failure(page, shot):
        open_notebook(page, lab_server, name)
        run_all(page)
        assert_no_error_outputs(page)
        assert_all_cells_executed(page, code_cell_count(NOTEBOOK))

        # The explorer: the notebook output that holds the "Run query" button.
        run_button = page.locator(".widget-button", has_text=re.compile(r"^\s*Run query\s*$"))
        explorer = page.locator(".jp-OutputArea-output").filter(has=run_button).first
        explorer.wait_for(state="visible")
        run_button = explorer.locator(".widget-button", has_text=re.compile(r"^\s*Run query\s*$"))
        next_button = explorer.locator(".widget-button", has_text=re.compile(r"^\s*Next page\s*$"))
        expect(run_button).to_have_count(1)

        partition = widget_control(explorer, "text", "Partition key")
        partition.fill(PARTITION)
        operator = widget_control(explorer, "dropdown", "Sort key")
        operator.select_option(label=SORT_OPERATOR)
        value = widget_control(explorer, "text", "Value")
        value.fill(SORT_PREFIX)
        # A Limit unlike the current one shows that the click reads the form (the chapter's
        # explorer may start with the values above already filled in).
        limit = widget_control(explorer, "text", "Limit")
        new_limit = "4" if limit.input_value() != "4" else "5"
        limit.fill(new_limit)
        limit.press("Tab")  # IntText syncs on change (blur/Enter), not on every keystroke
        expect(partition).to_have_value(PARTITION)
        assert operator.evaluate("e => e.options[e.selectedIndex].text") == SORT_OPERATOR
        expect(value).to_have_value(SORT_PREFIX)

        # The chapter may already have run the explorer from code: mark what it shows now, so
        # that only output rendered after the click counts.
        mark_stale(explorer)
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
            mark_stale(explorer)
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
