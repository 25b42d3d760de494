"""Course notebooks are committed executed, with deterministic outputs and honest markers."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    path
    for folder in ("notebooks", "solutions", "exercises")
    for path in (ROOT / folder).glob("*.ipynb")
)
IGNORE_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")
IGNORE_TAGS = ("nbval-ignore-output", "nbval-skip")


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_executed_top_to_bottom(path: Path) -> None:
    counts = [c.execution_count for c in _code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run it with `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_errors_or_stderr_stored(path: Path) -> None:
    for cell in _code_cells(path):
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", (cell.source, output.get("text"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ignored_outputs_say_why(path: Path) -> None:
    for cell in _code_cells(path):
        marked = any(m in cell.source for m in IGNORE_MARKERS) or any(
            t in cell.metadata.get("tags", []) for t in IGNORE_TAGS
        )
        if marked:
            assert re.search(r"#.*(because|volatile|changes)", cell.source, re.I), (
                f"{path.name}: a cell whose output is not compared must say why:\n{cell.source}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_one_setup_cell_and_no_installs(path: Path) -> None:
    cells = _code_cells(path)
    starts = [c for c in cells if re.search(r"\bstart\(", c.source) and "lab =" in c.source]
    assert len(starts) == 1, f"{path.name}: exactly one `lab = start(...)` setup cell"
    for cell in cells:
        assert not re.search(r"^\s*[!%]\s*pip\b", cell.source, re.M), cell.source
