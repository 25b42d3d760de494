"""The public surface: what notebooks may import, and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

import ddb_lab

ROOT = Path(__file__).resolve().parents[2]


def test_all_is_sorted_and_complete() -> None:
    public = sorted(
        name for name in vars(ddb_lab) if not name.startswith("_") or name == "__version__"
    )
    modules = {name for name in public if type(getattr(ddb_lab, name)).__name__ == "module"}
    modules.add("annotations")  # the __future__ import
    # Modules that are part of the surface on purpose: capacity math, the simulator, the facts,
    # the price table, the IAM evaluator, interview preparation and the modeling verifier.
    exported_modules = {"capacity", "cost", "facts", "iam", "interview", "modeling", "simulator"}
    assert ddb_lab.__all__ == sorted(ddb_lab.__all__, key=lambda n: (not n.isupper(), n))
    assert set(ddb_lab.__all__) == (set(public) - modules) | exported_modules


def test_every_exported_name_exists() -> None:
    for name in ddb_lab.__all__:
        assert getattr(ddb_lab, name) is not None, name


def _ddb_lab_imports(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ddb_lab"):
            assert node.module == "ddb_lab", (
                f"notebooks import from ddb_lab only, not {node.module}"
            )
            names.update(alias.name for alias in node.names)
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("ddb_lab."), alias.name
    return names


def test_notebooks_import_only_the_public_surface() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        source = "\n".join(
            c.source
            for c in notebook.cells
            if c.cell_type == "code" and not c.source.startswith("%")
        )
        imported = _ddb_lab_imports(source)
        assert imported, f"{path.name} imports nothing from ddb_lab"
        assert imported <= set(ddb_lab.__all__), f"{path.name}: {imported - set(ddb_lab.__all__)}"
