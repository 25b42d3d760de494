"""``ddb-lab release``: exercises/ written from solutions/, stubbed, and kept from drifting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ddb_lab.cli import main
from ddb_lab.grader.release import (
    STUB_COMMENT,
    STUB_MESSAGE,
    MarkerError,
    drifted,
    expected_exercise_sources,
    is_up_to_date,
    notebooks_in,
    release_all,
    release_notebook,
    release_source,
)

ROOT = Path(__file__).resolve().parents[2]
STUB = f'raise NotImplementedError("{STUB_MESSAGE}")'

SOLVED_FUNCTION = '''\
def area(width, height):
    """Return the area."""
    ### BEGIN SOLUTION
    product = width * height
    return product
    ### END SOLUTION
'''

SOLVED_METHOD = """\
class Shape:
    def grow(self, by):
        if by > 0:
            ### BEGIN SOLUTION
            self.size += by
            ### END SOLUTION
        return self

    def name(self):
        ### BEGIN SOLUTION
        return "shape"
        ### END SOLUTION
"""


def _instructor_notebook() -> Any:
    solved = new_code_cell(
        SOLVED_FUNCTION,
        metadata={"ddb_lab": {"exercise": "01.area", "role": "solution"}},
        execution_count=2,
        outputs=[new_output("stream", name="stdout", text="secret\n")],
    )
    return new_notebook(
        cells=[
            new_markdown_cell("# Title\n\n### BEGIN SOLUTION in prose stays\n"),
            new_code_cell("import math\nx = 1", execution_count=1),
            solved,
            new_code_cell(
                'check("01.area", area)',
                metadata={"ddb_lab": {"exercise": "01.area", "role": "check"}},
                execution_count=3,
                outputs=[new_output("stream", name="stdout", text="✓ passed\n")],
            ),
            new_code_cell(SOLVED_METHOD),
        ]
    )


def _write(notebook: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


@pytest.fixture
def solved(tmp_path: Path) -> Path:
    return _write(_instructor_notebook(), tmp_path / "solutions" / "01_shapes.ipynb")


def test_a_block_becomes_a_stub_at_its_indentation() -> None:
    released = release_source(SOLVED_FUNCTION)
    assert released == (
        f'def area(width, height):\n    """Return the area."""\n    {STUB_COMMENT}\n    {STUB}\n'
    )
    assert "product" not in released
    compile(released, "<released>", "exec")


def test_every_block_of_a_cell_keeps_its_own_indentation() -> None:
    released = release_source(SOLVED_METHOD)
    lines = released.splitlines()
    assert f"            {STUB_COMMENT}" in lines  # inside `if`, 12 spaces
    assert f"        {STUB}" in lines  # the second method, 8 spaces
    assert released.count(STUB) == 2
    assert "self.size" not in released and '"shape"' not in released
    compile(released, "<released>", "exec")


def test_the_stub_message_says_what_to_do() -> None:
    assert "replace this line with your solution" in STUB_MESSAGE
    assert "check cell" in STUB_MESSAGE
    assert '"' not in STUB_MESSAGE  # it sits inside a double-quoted string


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "no matching"),
        ("def f():\n    return 1\n    ### END SOLUTION\n", "without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "second"),
    ],
)
def test_a_broken_marker_pair_is_a_clear_error(source: str, problem: str) -> None:
    with pytest.raises(MarkerError, match=problem):
        release_source(source, where="cell 3")


def test_a_broken_marker_names_the_notebook_and_cell(tmp_path: Path, solved: Path) -> None:
    notebook = _read(solved)
    notebook.cells[4].source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n"
    _write(notebook, solved)
    dest = tmp_path / "exercises" / solved.name
    with pytest.raises(MarkerError) as raised:
        release_notebook(solved, dest, execute=False)
    assert "01_shapes.ipynb" in str(raised.value)
    assert "cell 5" in str(raised.value)
    assert "def f():" in str(raised.value)
    assert not dest.exists()


def test_release_stubs_solutions_clears_outputs_and_leaves_the_rest(
    tmp_path: Path, solved: Path
) -> None:
    dest = release_notebook(solved, tmp_path / "exercises" / solved.name, execute=False)
    before, after = _read(solved), _read(dest)
    assert [c.cell_type for c in after.cells] == [c.cell_type for c in before.cells]
    assert after.cells[0].source == before.cells[0].source  # markdown: untouched
    assert after.cells[1].source == before.cells[1].source  # no markers: untouched
    assert after.cells[3].source == before.cells[3].source  # the check cell
    assert STUB in after.cells[2].source and "product" not in after.cells[2].source
    assert after.cells[2].metadata["ddb_lab"] == {"exercise": "01.area", "role": "solution"}
    for cell in after.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert expected_exercise_sources(solved) == [c.source for c in after.cells]


def test_is_up_to_date_compares_cells_not_outputs(tmp_path: Path, solved: Path) -> None:
    dest = tmp_path / "exercises" / solved.name
    assert not is_up_to_date(solved, dest)  # missing
    release_notebook(solved, dest, execute=False)
    assert is_up_to_date(solved, dest)

    executed = _read(dest)
    executed.cells[3].outputs = [new_output("stream", name="stdout", text="○ not started\n")]
    executed.cells[3].execution_count = 7
    _write(executed, dest)
    assert is_up_to_date(solved, dest)  # outputs do not count

    notebook = _read(solved)
    notebook.cells[1].source = "import math\nx = 2"
    _write(notebook, solved)
    assert not is_up_to_date(solved, dest)  # the solutions changed
    assert [t.dest for t in drifted(solved.parent, dest.parent)] == [dest]

    dest.write_text("not a notebook")
    assert not is_up_to_date(solved, dest)


def test_release_all_takes_only_course_notebooks(tmp_path: Path, solved: Path) -> None:
    _write(_instructor_notebook(), solved.parent / "scratch.ipynb")
    _write(_instructor_notebook(), solved.parent / "02_more.ipynb")
    assert [p.name for p in notebooks_in(solved.parent)] == ["01_shapes.ipynb", "02_more.ipynb"]
    written = release_all(solved.parent, tmp_path / "exercises", execute=False)
    assert [p.name for p in written] == ["01_shapes.ipynb", "02_more.ipynb"]
    assert not (tmp_path / "exercises" / "scratch.ipynb").exists()


def test_release_all_writes_nothing_when_one_notebook_is_broken(
    tmp_path: Path, solved: Path
) -> None:
    broken = _instructor_notebook()
    broken.cells[1].source = "### END SOLUTION"
    _write(broken, solved.parent / "02_broken.ipynb")
    with pytest.raises(MarkerError, match="02_broken"):
        release_all(solved.parent, tmp_path / "exercises", execute=False)
    assert not (tmp_path / "exercises" / "01_shapes.ipynb").exists()


def test_cli_check_exit_codes_and_writes_nothing(
    tmp_path: Path, solved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dest = solved.parent, tmp_path / "exercises"
    assert main(["release", str(src), str(dest), "--check"]) == 1
    assert "01_shapes.ipynb is out of date" in capsys.readouterr().out
    assert not dest.exists()

    assert main(["release", str(src), str(dest), "--no-execute"]) == 0
    assert main(["release", str(src), str(dest), "--check"]) == 0

    notebook = _read(solved)
    notebook.cells[0].source = "# A new title"
    _write(notebook, solved)
    stored = (dest / solved.name).read_bytes()
    capsys.readouterr()
    assert main(["release", str(src), str(dest), "--check"]) == 1
    assert "run `ddb-lab release`" in capsys.readouterr().out.lower()
    assert (dest / solved.name).read_bytes() == stored

    # a single notebook into a folder
    assert main(["release", str(solved), str(tmp_path / "one"), "--no-execute"]) == 0
    assert is_up_to_date(solved, tmp_path / "one" / solved.name)


def test_cli_reports_a_broken_marker(
    tmp_path: Path, solved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = _read(solved)
    notebook.cells[1].source = "### BEGIN SOLUTION"
    _write(notebook, solved)
    assert main(["release", str(solved.parent), str(tmp_path / "ex"), "--no-execute"]) == 2
    assert "no matching" in capsys.readouterr().err


SOLUTION_NOTEBOOKS = notebooks_in(ROOT / "solutions")


@pytest.mark.parametrize("solution", SOLUTION_NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_up_to_date_with_solutions(solution: Path) -> None:
    exercise = ROOT / "exercises" / solution.name
    assert is_up_to_date(solution, exercise), (
        f"exercises/{solution.name} has drifted from solutions/{solution.name}: "
        "run `ddb-lab release`"
    )


@pytest.mark.kernel
@pytest.mark.parametrize("solution", SOLUTION_NOTEBOOKS[:1], ids=lambda p: p.name)
def test_an_executed_release_matches_the_committed_exercises(
    tmp_path: Path, solution: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release runs, its unsolved checks say "not started", and its outputs are stable."""
    monkeypatch.setenv("DDB_LAB_HOME", str(tmp_path / "home"))
    dest = release_notebook(solution, tmp_path / solution.name)
    assert not (tmp_path / "home").exists()  # the release ran with a private home
    cells = [c for c in _read(dest).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    checks = [c for c in cells if c.metadata.get("ddb_lab", {}).get("role") == "check"]
    assert checks
    for cell in checks:
        shown = "".join(
            str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
            for o in cell.outputs
        )
        assert "Not started" in shown, shown
    committed = ROOT / "exercises" / solution.name
    if committed.exists():
        assert [c.outputs for c in cells] == [
            c.outputs for c in _read(committed).cells if c.cell_type == "code"
        ], "exercises/ outputs are stale or not deterministic: run `ddb-lab release`"
