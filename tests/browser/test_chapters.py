"""Every chapter (and one exercise notebook) in a real JupyterLab, in headless Chromium.

For each ``notebooks/*.ipynb`` (found when the tests are collected, so a new chapter is covered
without editing this file): copy it without outputs into the server's root, open it, Run All,
and check that every code cell ran, in order, and that no cell shows an error. Then use every
widget the chapter shows once, like a learner: set its controls, press its button, and check
what it shows.

``WIDGETS`` says, per notebook, what to set, what to press and what must appear. A chapter that
shows a widget without an entry fails, so a new widget cannot go untested. What the course's
calculators must show is computed by a *twin*: the same widget built in this process by the
notebook's own cell, put through the same steps (the arithmetic has unit tests of its own; this
test proves the browser shows it and the controls reach the kernel).

The exercise notebook runs with its stubs: every check cell must render its "not started"
result, and nothing may show an error.

Screenshots: ``test-artifacts/browser/<folder>-<notebook>.png`` under the repository root (git
ignored), one per notebook, showing its last widget after the interaction (or the end of the
notebook); in a chapter with several widgets, ``...-<n>-<Widget>.png`` shows each of the others.
A failing test writes ``...-failure.png`` (the whole page) instead.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lab_driver import (
    FRESH,
    WIDGET_VIEWS,
    LabServer,
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
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISE = ROOT / "exercises" / "02_single_table_design.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser"

COUNT_RE = re.compile(r"(?<!Scanned)Count: (\d+)")
NOT_STARTED = "Not started yet"
MOCK_PLACEHOLDER = "Answer as you would out loud, in a few sentences."

pytestmark = pytest.mark.browser


# --- the interaction table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Set:
    """Set the control labelled ``label`` (kind: text, textarea, dropdown, slider) to ``value``.

    ``value`` may be a function of the twin (e.g. the right answer to a generated question).
    """

    kind: str
    label: str
    value: str | Callable[[Any], str]


@dataclass(frozen=True)
class Press:
    """Press the button (or the toggle-button option) whose text is ``label``."""

    label: str


@dataclass(frozen=True)
class Shows:
    """Between steps: the texts (a function of the twin, in its state then) must show now."""

    texts: Callable[[Any], list[str]]


Step = Set | Press | Shows


@dataclass(frozen=True)
class Widget:
    """One widget a notebook shows, and how to use it once.

    Attributes:
        name: The widget's class, for messages; the twin is built from the notebook's first
            code cell that calls ``name(``.
        anchor: The label of a control (or the text of a button) only this widget has.
        steps: What a learner does, in order.
        shows: Given the twin, the texts the widget must show. Checked before the steps (the
            starting state rendered) and after them (the new state; it must differ).
        check: Checks of the widget's output after the steps, for widgets without a twin.
    """

    name: str
    anchor: str
    steps: tuple[Step, ...]
    shows: Callable[[Any], list[str]] | None = None
    check: Callable[[Any, tuple[Step, ...]], None] | None = None


def _explorer_rows(key_attribute: str) -> Callable[[Any, tuple[Step, ...]], None]:
    """Check a TableExplorer after Run query: the call it made, and only the items asked for."""

    def check(area: Any, steps: tuple[Step, ...]) -> None:
        from playwright.sync_api import expect

        typed = {s.label: s.value for s in steps if isinstance(s, Set)}
        partition, operator, prefix = typed["Partition key"], typed["Sort key"], typed["Value"]
        code = area.locator(f".widget-output pre.ddb-lab-code{FRESH}")
        expect(code).to_contain_text(f'"{partition}"', timeout=30_000)
        expect(code).to_contain_text("client.query(")
        status = area.locator(f".widget-output .ddb-lab-status{FRESH}")
        expect(status).to_have_text(COUNT_RE, timeout=30_000)
        match = COUNT_RE.search(status.inner_text())
        assert match is not None and int(match.group(1)) > 0, status.inner_text()
        tables = area.locator(f".widget-output table.dataframe{FRESH}")
        expect(tables).to_have_count(1)
        rows = read_dataframe(tables.first)
        assert len(rows) == int(match.group(1)), f"{len(rows)} rows; status: {status.inner_text()}"
        keys = [row[key_attribute] for row in rows]
        assert all(key == partition for key in keys), f"{key_attribute} values: {keys}"
        if operator == "begins_with":  # the explorers that use it query the table (sort key SK)
            assert isinstance(prefix, str)
            sort_keys = [row["SK"] for row in rows]
            assert all(key.startswith(prefix) for key in sort_keys), f"SK values: {sort_keys}"

    return check


def explorer(partition: str, sort: tuple[str, str] | None = None, key: str = "PK") -> Widget:
    """A TableExplorer: type a partition (and a sort key condition), press Run query."""
    operator, value = sort or ("(any)", "")
    steps: tuple[Step, ...] = (
        Set("text", "Partition key", partition),
        Set("dropdown", "Sort key", operator),
        Set("text", "Value", value),
        Press("Run query"),
    )
    return Widget("TableExplorer", "Run query", steps, check=_explorer_rows(key))


WIDGETS: dict[str, tuple[Widget, ...]] = {
    "01_keys_and_types": (explorer("USER#u0001", ("begins_with", "FOLLOWING#")),),
    "02_single_table_design": (explorer("POST#p00001", ("begins_with", "LIKE#")),),
    "03_secondary_indexes": (explorer("STATUS#published", key="GSI3PK"),),
    "04_queries_and_writes": (explorer("USER#u0001", ("begins_with", "FOLLOWING#")),),
    "05_capacity_and_partitions": (
        Widget(
            "CapacityCalculator",
            anchor="Operation",
            steps=(Set("dropdown", "Operation", "PutItem"),),
            shows=lambda calculator: [calculator.report.headline()],
        ),
        Widget(
            "HotPartitionSimulator",
            anchor="Distribution",
            steps=(Set("dropdown", "Distribution", "uniform"), Set("slider", "Shards", "10")),
            shows=lambda simulator: [simulator.verdict],
        ),
    ),
    "08_cost": (
        Widget(
            "CostCalculator",
            anchor="Read consistency",
            steps=(Set("slider", "Reads / s", "500"), Press("provisioned")),
            shows=lambda calculator: [calculator.headline()],
        ),
    ),
    "10_interview_drills": (
        Widget(
            "FlashcardForm",
            anchor="Show answer",
            steps=(
                Press("Show answer"),
                Shows(lambda cards: [cards.current.answer]),
                Press("good"),
            ),
            shows=lambda cards: [_flashcard_status(cards)],
        ),
        Widget(
            "MockInterviewForm",
            anchor="Show model answer",
            steps=(
                Set("textarea", MOCK_PLACEHOLDER, "A composite key, and a GSI for the other read."),
                Press("Show model answer"),
                Shows(lambda mock: [mock.interview.current.answer]),
                Press("Score and next"),
            ),
            # Not the clock: the header's "mm:ss left" runs on real time.
            shows=lambda mock: [mock.interview.header().rsplit(" · ", 1)[0]],
        ),
        Widget(
            "MathDrills",
            anchor="Answer",
            steps=(
                Set("text", "Answer", lambda drills: str(drills.session.current.answer)),
                Press("Check"),
            ),
            shows=lambda drills: [drills.session.text(), drills.session.current.question],
        ),
    ),
}


def _flashcard_status(cards: Any) -> str:
    """The form's status line as text: which card, its topic and difficulty (or the end)."""
    return re.sub(r"<[^>]+>", "", html.unescape(cards.status.value))


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_in_jupyterlab(browser_page: Any, lab_server: LabServer, notebook: Path) -> None:
    widgets = WIDGETS.get(notebook.stem, ())
    with _notebook_page(browser_page, lab_server, notebook) as page:
        shown = page.locator(WIDGET_VIEWS).count()
        assert shown == len(widgets), (
            f"{notebook.name} shows {shown} widget(s), the interaction table has "
            f"{len(widgets)} ({', '.join(w.name for w in widgets) or 'none'}): add an entry "
            "to WIDGETS for every widget the chapter shows"
        )
        for number, widget in enumerate(widgets, start=1):
            area = _use(page, lab_server, notebook, widget)
            if number < len(widgets):  # the chapter's screenshot shows the last one
                name = f"{notebook.parent.name}-{notebook.stem}-{number}-{widget.name}.png"
                _scroll_to_top_of(area)
                page.screenshot(path=str(ARTIFACTS / name))


def test_exercise_notebook_with_stubs(browser_page: Any, lab_server: LabServer) -> None:
    nb = nbformat.read(EXERCISE, as_version=4)
    checks = [i for i, cell in enumerate(nb.cells) if _role(cell) == "check"]
    assert checks, f"{EXERCISE.name} has no check cells"
    with _notebook_page(browser_page, lab_server, EXERCISE) as page:
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        assert cells.count() == len(nb.cells), (
            f"{cells.count()} cells shown, {len(nb.cells)} in file"
        )
        for index in checks:
            output = cells.nth(index).locator(".jp-OutputArea-output")
            exercise = nb.cells[index].metadata["ddb_lab"]["exercise"]
            assert output.count() == 1, f"check cell of {exercise}: {output.count()} outputs"
            text = output.inner_text()
            assert NOT_STARTED in text, f"check cell of {exercise} shows: {text!r}"
            assert exercise in text, f"check cell of {exercise} shows: {text!r}"
        assert page.locator(WIDGET_VIEWS).count() == 0


# --- helpers --------------------------------------------------------------------------------------


def _role(cell: Any) -> str | None:
    role = cell.get("metadata", {}).get("ddb_lab", {}).get("role")
    return None if role is None else str(role)


@contextmanager
def _notebook_page(page: Any, server: LabServer, notebook: Path) -> Iterator[Any]:
    """Open a clean copy of ``notebook``, Run All, check it, yield the page, then screenshot it.

    Prints where the screenshot is and how long each phase took (``pytest -s`` shows it).
    """
    folder = notebook.parent.name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{folder}-{notebook.stem}.png"
    failure_shot = shot.with_name(f"{shot.stem}-failure.png")
    failure_shot.unlink(missing_ok=True)
    name = write_clean_copy(notebook, server.root_dir, f"{folder}/{notebook.name}")
    times = [time.monotonic()]
    with screenshot_on_failure(page, failure_shot):
        open_notebook(page, server, name)
        times.append(time.monotonic())
        run_all(page)
        times.append(time.monotonic())
        assert_no_error_outputs(page)
        assert_all_cells_executed(page, code_cell_count(notebook))
        yield page
        assert_no_error_outputs(page)  # nor after using the widgets
        last = page.locator(WIDGET_VIEWS).last
        if page.locator(WIDGET_VIEWS).count() == 0:
            last = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").last
        _scroll_to_top_of(last)
        page.screenshot(path=str(shot))
        times.append(time.monotonic())
    open_s, run_s, rest_s = (b - a for a, b in zip(times, times[1:], strict=False))
    print(
        f"{folder}/{notebook.name}: open {open_s:.1f} s, Run All {run_s:.1f} s, "
        f"checks and widgets {rest_s:.1f} s; screenshot: {shot}"
    )


def _scroll_to_top_of(locator: Any) -> None:
    """Scroll the notebook so that ``locator`` starts at the top of the window."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")


def _use(page: Any, server: LabServer, notebook: Path, widget: Widget) -> Any:
    """Use ``widget`` once: check its starting state, do the steps, check what it shows.

    The twin shares the kernels' learner state (``DDB_LAB_HOME``), e.g. the flashcard schedule.
    Returns the notebook output that shows the widget.
    """
    with _environment(DDB_LAB_HOME=str(server.home)):
        return _use_widget(page, notebook, widget)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the block, then put back what was there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _use_widget(page: Any, notebook: Path, widget: Widget) -> Any:
    """See ``_use``."""
    from playwright.sync_api import expect

    area = _widget_area(page, widget)
    area.scroll_into_view_if_needed()
    twin = _twin(notebook, widget.name) if widget.shows is not None else None
    before: list[str] = []
    if widget.shows is not None:
        before = widget.shows(twin)
        for text in before:
            expect(area).to_contain_text(text, timeout=30_000)
    mark_stale(area)
    done: list[Step] = []
    for step in widget.steps:
        if isinstance(step, Shows):
            for text in step.texts(twin):
                expect(area).to_contain_text(text, timeout=30_000)
            continue
        step = _resolved(step, twin)  # a value from the twin in its state now
        _do(area, step)
        if twin is not None:
            _do_in_twin(twin, step)
        done.append(step)
    steps = tuple(done)
    if twin is not None:
        assert getattr(twin, "error", None) is None, f"{widget.name} twin: {twin.error}"
    if widget.shows is not None:
        after = widget.shows(twin)
        assert after != before, f"{widget.name}: the steps {steps} change nothing in the twin"
        for text in after:
            expect(area).to_contain_text(text, timeout=30_000)
    if widget.check is not None:
        widget.check(area, steps)
    expect(area.locator(".ddb-lab-error")).to_have_count(0)
    return area


def _widget_area(page: Any, widget: Widget) -> Any:
    """The notebook output that shows ``widget`` (the one holding its anchor control)."""
    exact = re.compile(rf"^\s*{re.escape(widget.anchor)}\s*$")
    anchor = page.locator("label.widget-label, .widget-button", has_text=exact)
    areas = page.locator(".jp-OutputArea-output").filter(has=anchor)
    areas.first.wait_for(state="visible")
    assert areas.count() == 1, f"{areas.count()} outputs hold a {widget.name} ({widget.anchor!r})"
    return areas.first


def _resolved(step: Set | Press, twin: Any) -> Set | Press:
    if isinstance(step, Set) and callable(step.value):
        return Set(step.kind, step.label, step.value(twin))
    return step


def _do(area: Any, step: Set | Press) -> None:
    """Do ``step`` in the browser, the way a learner would."""
    from playwright.sync_api import expect

    if isinstance(step, Press):
        exact = re.compile(rf"^\s*{re.escape(step.label)}\s*$")
        button = area.locator(".widget-button, .widget-toggle-button", has_text=exact)
        expect(button).to_have_count(1)
        expect(button).to_be_enabled()
        button.click()
        return
    assert isinstance(step.value, str)
    control = widget_control(area, step.kind, step.label)
    if step.kind == "dropdown":
        control.select_option(label=step.value)
    elif step.kind == "slider":
        control.click()  # the readout is contenteditable: type the value, Enter sets it
        control.press("Control+A")
        control.press_sequentially(step.value)
        control.press("Enter")
        expect(control).to_have_text(re.compile(rf"^\s*{re.escape(step.value)}\s*$"))
    else:
        control.fill(step.value)
        control.press("Tab")  # IntText syncs on change (blur), not on every keystroke


# --- the twin -------------------------------------------------------------------------------------


def _twin(notebook: Path, class_name: str) -> Any:
    """The widget the notebook builds, built here by the notebook's own cell.

    The cell is run with only the class (and the ``ddb_lab`` names it may use) in scope, so it
    must build the widget from literals, as the course's calculator cells do.
    """
    import ddb_lab

    nb = nbformat.read(notebook, as_version=4)
    cell = next(
        (c for c in nb.cells if c.cell_type == "code" and f"{class_name}(" in c.source), None
    )
    assert cell is not None, f"{notebook.name}: no code cell calls {class_name}("
    namespace: dict[str, Any] = {n: v for n, v in vars(ddb_lab).items() if not n.startswith("_")}
    exec(compile(cell.source, f"{notebook.name}:{class_name}", "exec"), namespace)
    cls = getattr(ddb_lab, class_name)
    twins = [value for value in namespace.values() if isinstance(value, cls)]
    assert len(twins) == 1, f"{notebook.name}: the {class_name} cell built {len(twins)} of them"
    return twins[0]


def _controls(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _controls(child)


def _do_in_twin(twin: Any, step: Set | Press) -> None:
    """Do ``step`` on the twin's ipywidgets controls (what the browser did through the kernel)."""
    import ipywidgets as w

    controls = list(_controls(twin.widget))
    if isinstance(step, Press):
        for control in controls:
            if isinstance(control, w.Button) and control.description == step.label:
                control.click()
                return
            if isinstance(control, w.ToggleButtons) and step.label in control._options_labels:
                control.label = step.label
                return
        raise AssertionError(f"the twin has no button {step.label!r}")
    matches = [
        c
        for c in controls
        if step.label in (getattr(c, "description", None), getattr(c, "placeholder", None))
    ]
    assert len(matches) == 1, f"the twin has {len(matches)} controls labelled {step.label!r}"
    control = matches[0]
    if isinstance(control, w.Dropdown):
        control.label = step.value
    elif isinstance(control.value, bool):
        raise AssertionError(f"no Set for checkboxes yet ({step.label!r})")
    else:
        control.value = type(control.value)(step.value)
