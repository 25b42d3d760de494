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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

__all__ = ["clean", "execute"]

KERNEL = "python3"


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
    return notebook


def execute(path: Path, timeout: int = 300) -> Any:
    """Execute ``path`` in place and return the notebook."""
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    env_seed = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = "0"
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
        if env_seed is None:
            os.environ.pop("PYTHONHASHSEED", None)
        else:
            os.environ["PYTHONHASHSEED"] = env_seed
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
