"""The course's interactive tools: thin ipywidgets layers over plain, tested functions.

Used in: notebooks/01_keys_and_types.ipynb (``TableExplorer``).
"""

from __future__ import annotations

from ddb_lab.widgets.explorer import TableExplorer

__all__ = ["TableExplorer"]
