"""Run course notebooks the way nbval and CI will, and store clean outputs.

``python -m ddb_lab.notebook_tools execute notebooks/*.ipynb`` executes each notebook top to
bottom in a fresh kernel (in the notebook's folder, with ``PYTHONHASHSEED=0``), then strips what
changes from run to run without meaning anything (widget state, timing metadata), so that the
stored outputs are exactly what strict nbval compares against.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

__all__ = ["clean", "execute"]

KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(notebook: Any) -> Any:
    """Drop volatile metadata; keep the outputs nbval compares."""
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL,
    }
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
                # A stored widget view points at a model that only exists while the kernel
                # runs; without it JupyterLab shows "model not found". Keep the text form.
                output.get("data", {}).pop(WIDGET_VIEW, None)
    return notebook


def execute(path: Path, timeout: int = 300) -> Any:
    """Execute ``path`` in place and return the notebook."""
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    saved = {name: os.environ.get(name) for name in ("PYTHONHASHSEED", "DDB_LAB_HOME")}
    os.environ["PYTHONHASHSEED"] = "0"
    # The checks a notebook runs record progress: keep it out of the developer's own home.
    scratch_home = tempfile.TemporaryDirectory(prefix="ddb-lab-home-")
    os.environ["DDB_LAB_HOME"] = scratch_home.name
    try:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(path.parent)}},
            # The kernel's own start-up log is not notebook output (nbval discards it too).
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        with open(os.devnull, "w") as devnull:
            client.execute(stderr=devnull)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        scratch_home.cleanup()
    clean(notebook)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
    return notebook


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ddb_lab.notebook_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="execute notebooks in place and store clean outputs")
    run.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.paths:
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
